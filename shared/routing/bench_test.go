package routing

import (
	"fmt"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// BenchmarkDecide measures one routing decision over 50 users in 5 teams with working hours.
func BenchmarkDecide(b *testing.B) {
	users := map[string]inbox.User{}
	teams := map[string]inbox.Team{}
	for t := 0; t < 5; t++ {
		teams[fmt.Sprint("t", t)] = inbox.Team{ID: fmt.Sprint("t", t)}
	}
	for i := 0; i < 50; i++ {
		c := 10
		id := fmt.Sprint("u", i)
		users[id] = inbox.User{ID: id, PaidSeat: true, Capacity: &c, Load: i % 11, Available: true, TimeZone: "Europe/Copenhagen",
			WorkingHours: []inbox.WorkingHours{{Day: time.Wednesday, Start: "08:00", End: "17:00"}}, TeamIDs: []string{fmt.Sprint("t", i%5)}}
		tm := teams[fmt.Sprint("t", i%5)]
		tm.UserIDs = append(tm.UserIDs, id)
		teams[tm.ID] = tm
	}
	rules := inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, TeamIDs: []string{"t0", "t1", "t2", "t3", "t4"}, OnlyAvailable: true}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if d := Decide(rules, "", users, teams, now); len(d.Candidates) == 0 {
			b.Fatal("no candidate")
		}
	}
}
