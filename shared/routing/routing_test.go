package routing

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func intp(n int) *int { return &n }

func wh(day time.Weekday, start, end string) inbox.WorkingHours {
	return inbox.WorkingHours{Day: day, Start: start, End: end}
}

func ids(us []inbox.User) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

func TestAvailableAt(t *testing.T) {
	weekdays := func(start, end string) []inbox.WorkingHours {
		var r []inbox.WorkingHours
		for d := time.Monday; d <= time.Friday; d++ {
			r = append(r, wh(d, start, end))
		}
		return r
	}
	tests := []struct {
		name      string
		available bool
		tz        string
		hours     []inbox.WorkingHours
		now       string
		want      bool
	}{
		{"switch on, no hours", true, "", nil, "2026-01-12T03:00:00Z", true},
		{"switch off, no hours", false, "", nil, "2026-01-12T12:00:00Z", false},
		{"switch off, inside hours", false, "America/New_York", weekdays("09:00", "17:00"), "2026-01-12T15:00:00Z", false},

		// America/New_York, winter (EST, UTC-5) and summer (EDT, UTC-4).
		{"NY winter start inclusive", true, "America/New_York", weekdays("09:00", "17:00"), "2026-01-12T14:00:00Z", true},
		{"NY winter before start", true, "America/New_York", weekdays("09:00", "17:00"), "2026-01-12T13:59:59Z", false},
		{"NY winter last minute", true, "America/New_York", weekdays("09:00", "17:00"), "2026-01-12T21:59:59Z", true},
		{"NY winter end exclusive", true, "America/New_York", weekdays("09:00", "17:00"), "2026-01-12T22:00:00Z", false},
		{"NY summer start", true, "America/New_York", weekdays("09:00", "17:00"), "2026-07-13T13:00:00Z", true},
		{"NY summer before start", true, "America/New_York", weekdays("09:00", "17:00"), "2026-07-13T12:59:00Z", false},
		{"NY weekend", true, "America/New_York", weekdays("09:00", "17:00"), "2026-01-10T15:00:00Z", false},
		// 2026-03-08: 01:59:59 EST is followed by 03:00:00 EDT (07:00Z).
		{"NY DST 01:59 in 01:00-02:30", true, "America/New_York", []inbox.WorkingHours{wh(time.Sunday, "01:00", "02:30")}, "2026-03-08T06:59:00Z", true},
		{"NY DST 03:00 not in 01:00-02:30", true, "America/New_York", []inbox.WorkingHours{wh(time.Sunday, "01:00", "02:30")}, "2026-03-08T07:00:00Z", false},
		{"NY DST 03:00 in 03:00-04:00", true, "America/New_York", []inbox.WorkingHours{wh(time.Sunday, "03:00", "04:00")}, "2026-03-08T07:00:00Z", true},
		{"NY DST 01:59 not in 03:00-04:00", true, "America/New_York", []inbox.WorkingHours{wh(time.Sunday, "03:00", "04:00")}, "2026-03-08T06:59:00Z", false},
		{"NY DST skipped hour never occurs (before)", true, "America/New_York", []inbox.WorkingHours{wh(time.Sunday, "02:00", "03:00")}, "2026-03-08T06:59:59Z", false},
		{"NY DST skipped hour never occurs (after)", true, "America/New_York", []inbox.WorkingHours{wh(time.Sunday, "02:00", "03:00")}, "2026-03-08T07:00:00Z", false},
		{"NY DST 04:00 EDT end exclusive", true, "America/New_York", []inbox.WorkingHours{wh(time.Sunday, "03:00", "04:00")}, "2026-03-08T08:00:00Z", false},

		// Europe/Copenhagen, winter (CET, UTC+1) and summer (CEST, UTC+2).
		{"CPH winter start", true, "Europe/Copenhagen", weekdays("09:00", "17:00"), "2026-01-12T08:00:00Z", true},
		{"CPH winter before start", true, "Europe/Copenhagen", weekdays("09:00", "17:00"), "2026-01-12T07:59:00Z", false},
		{"CPH summer start", true, "Europe/Copenhagen", weekdays("09:00", "17:00"), "2026-07-13T07:00:00Z", true},
		{"CPH summer end exclusive", true, "Europe/Copenhagen", weekdays("09:00", "17:00"), "2026-07-13T15:00:00Z", false},
		// 2026-10-25: 02:59:59 CEST (00:59:59Z) is followed by 02:00:00 CET (01:00Z).
		{"CPH DST 01:59 CEST not in 02:00-03:00", true, "Europe/Copenhagen", []inbox.WorkingHours{wh(time.Sunday, "02:00", "03:00")}, "2026-10-24T23:59:00Z", false},
		{"CPH DST 02:30 CEST (first)", true, "Europe/Copenhagen", []inbox.WorkingHours{wh(time.Sunday, "02:00", "03:00")}, "2026-10-25T00:30:00Z", true},
		{"CPH DST 02:59 CEST", true, "Europe/Copenhagen", []inbox.WorkingHours{wh(time.Sunday, "02:00", "03:00")}, "2026-10-25T00:59:59Z", true},
		{"CPH DST 02:00 CET (repeat)", true, "Europe/Copenhagen", []inbox.WorkingHours{wh(time.Sunday, "02:00", "03:00")}, "2026-10-25T01:00:00Z", true},
		{"CPH DST 02:30 CET (second)", true, "Europe/Copenhagen", []inbox.WorkingHours{wh(time.Sunday, "02:00", "03:00")}, "2026-10-25T01:30:00Z", true},
		{"CPH DST 03:00 CET end exclusive", true, "Europe/Copenhagen", []inbox.WorkingHours{wh(time.Sunday, "02:00", "03:00")}, "2026-10-25T02:00:00Z", false},
		{"CPH DST 02:30 CET not in 03:00-04:00", true, "Europe/Copenhagen", []inbox.WorkingHours{wh(time.Sunday, "03:00", "04:00")}, "2026-10-25T01:30:00Z", false},
		{"CPH DST 03:30 CET in 03:00-04:00", true, "Europe/Copenhagen", []inbox.WorkingHours{wh(time.Sunday, "03:00", "04:00")}, "2026-10-25T02:30:00Z", true},

		// Asia/Kolkata, UTC+5:30 all year.
		{"Kolkata start", true, "Asia/Kolkata", weekdays("09:00", "17:30"), "2026-01-12T03:30:00Z", true},
		{"Kolkata before start", true, "Asia/Kolkata", weekdays("09:00", "17:30"), "2026-01-12T03:29:59Z", false},
		{"Kolkata last minute", true, "Asia/Kolkata", weekdays("09:00", "17:30"), "2026-01-12T11:59:00Z", true},
		{"Kolkata end exclusive", true, "Asia/Kolkata", weekdays("09:00", "17:30"), "2026-01-12T12:00:00Z", false},
		{"Kolkata local Monday while UTC Sunday", true, "Asia/Kolkata", []inbox.WorkingHours{wh(time.Monday, "00:00", "01:00")}, "2026-01-11T18:30:00Z", true},
		{"Kolkata local Sunday 23:59", true, "Asia/Kolkata", []inbox.WorkingHours{wh(time.Monday, "00:00", "01:00")}, "2026-01-11T18:29:59Z", false},

		// Zones and range edge cases.
		{"empty zone is UTC", true, "", weekdays("09:00", "17:00"), "2026-01-12T09:00:00Z", true},
		{"unknown zone is UTC (in)", true, "Mars/Olympus", weekdays("09:00", "17:00"), "2026-01-12T09:00:00Z", true},
		{"unknown zone is UTC (out)", true, "Mars/Olympus", weekdays("09:00", "17:00"), "2026-01-12T08:59:00Z", false},
		{"end 24:00 covers last minute", true, "", []inbox.WorkingHours{wh(time.Monday, "22:00", "24:00")}, "2026-01-12T23:59:59Z", true},
		{"end 24:00 does not reach next day", true, "", []inbox.WorkingHours{wh(time.Monday, "22:00", "24:00")}, "2026-01-13T00:00:00Z", false},
		{"second range matches", true, "", []inbox.WorkingHours{wh(time.Monday, "09:00", "12:00"), wh(time.Monday, "13:00", "17:00")}, "2026-01-12T13:00:00Z", true},
		{"lunch gap", true, "", []inbox.WorkingHours{wh(time.Monday, "09:00", "12:00"), wh(time.Monday, "13:00", "17:00")}, "2026-01-12T12:30:00Z", false},
		{"malformed range never matches", true, "", []inbox.WorkingHours{wh(time.Monday, "9:00", "17:00")}, "2026-01-12T10:00:00Z", false},
		{"inverted range never matches", true, "", []inbox.WorkingHours{wh(time.Monday, "17:00", "09:00")}, "2026-01-12T20:00:00Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := inbox.User{ID: "u", Available: tt.available, TimeZone: tt.tz, WorkingHours: tt.hours}
			if got := AvailableAt(u, at(tt.now)); got != tt.want {
				t.Errorf("AvailableAt(%s) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestValidateWorkingHours(t *testing.T) {
	tests := []struct {
		name  string
		hours []inbox.WorkingHours
		tz    string
		ok    bool
	}{
		{"none, no zone", nil, "", true},
		{"valid", []inbox.WorkingHours{wh(time.Monday, "09:00", "17:00"), wh(time.Saturday, "00:00", "24:00")}, "Europe/Copenhagen", true},
		{"valid Kolkata", []inbox.WorkingHours{wh(time.Sunday, "23:00", "23:59")}, "Asia/Kolkata", true},
		{"unknown zone", nil, "Mars/Olympus", false},
		{"bad zone syntax", []inbox.WorkingHours{wh(time.Monday, "09:00", "17:00")}, "../etc", false},
		{"single-digit hour", []inbox.WorkingHours{wh(time.Monday, "9:00", "17:00")}, "", false},
		{"no colon", []inbox.WorkingHours{wh(time.Monday, "0900", "17:00")}, "", false},
		{"hour 25", []inbox.WorkingHours{wh(time.Monday, "09:00", "25:00")}, "", false},
		{"minute 60", []inbox.WorkingHours{wh(time.Monday, "09:60", "17:00")}, "", false},
		{"start 24:00", []inbox.WorkingHours{wh(time.Monday, "24:00", "24:00")}, "", false},
		{"end 24:30", []inbox.WorkingHours{wh(time.Monday, "09:00", "24:30")}, "", false},
		{"letters", []inbox.WorkingHours{wh(time.Monday, "ab:cd", "17:00")}, "", false},
		{"empty", []inbox.WorkingHours{wh(time.Monday, "", "17:00")}, "", false},
		{"end equals start", []inbox.WorkingHours{wh(time.Monday, "09:00", "09:00")}, "", false},
		{"crosses midnight", []inbox.WorkingHours{wh(time.Monday, "22:00", "02:00")}, "", false},
		{"bad day", []inbox.WorkingHours{wh(time.Weekday(7), "09:00", "17:00")}, "", false},
		{"second range bad", []inbox.WorkingHours{wh(time.Monday, "09:00", "17:00"), wh(time.Tuesday, "17:00", "09:00")}, "UTC", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateWorkingHours(tt.hours, tt.tz)
			if tt.ok {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if !inbox.IsCode(err, inbox.EInvalid) {
				t.Fatalf("err = %v, want code %s", err, inbox.EInvalid)
			}
		})
	}
}

func TestValidateRules(t *testing.T) {
	users := map[string]inbox.User{
		"alice": {ID: "alice", PaidSeat: true},
		"bob":   {ID: "bob", PaidSeat: false},
	}
	teams := map[string]inbox.Team{
		"mixed": {ID: "mixed", UserIDs: []string{"alice", "bob"}},
	}
	tests := []struct {
		name string
		r    inbox.RoutingRules
		code inbox.ErrorCode
		msg  string
	}{
		{"users ok", inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, UserIDs: []string{"alice"}}, "", ""},
		{"team with unpaid member ok", inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, TeamIDs: []string{"mixed"}}, "", ""},
		{"unknown user", inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, UserIDs: []string{"alice", "zed"}}, inbox.ENotFound, "user zed not found"},
		{"unpaid user", inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, UserIDs: []string{"bob"}}, inbox.EInvalid, "user bob has no paid seat"},
		{"unknown team", inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, TeamIDs: []string{"ghosts"}}, inbox.ENotFound, "team ghosts not found"},
		{"empty target", inbox.RoutingRules{}, inbox.EInvalid, ""},
		{"bad target", inbox.RoutingRules{Target: "round_robin"}, inbox.EInvalid, ""},
		{"owner, fallback unassigned", inbox.RoutingRules{Target: inbox.TargetContactOwner, Fallback: inbox.FallbackUnassigned}, "", ""},
		{"owner, fallback users", inbox.RoutingRules{Target: inbox.TargetContactOwner, Fallback: inbox.TargetUsersAndTeams, FallbackUserIDs: []string{"alice"}, FallbackTeamIDs: []string{"mixed"}}, "", ""},
		{"owner, no fallback", inbox.RoutingRules{Target: inbox.TargetContactOwner}, inbox.EInvalid, ""},
		{"owner, bad fallback", inbox.RoutingRules{Target: inbox.TargetContactOwner, Fallback: inbox.TargetContactOwner}, inbox.EInvalid, ""},
		{"owner, fallback unknown user", inbox.RoutingRules{Target: inbox.TargetContactOwner, Fallback: inbox.TargetUsersAndTeams, FallbackUserIDs: []string{"zed"}}, inbox.ENotFound, "user zed not found"},
		{"owner, fallback unpaid user", inbox.RoutingRules{Target: inbox.TargetContactOwner, Fallback: inbox.TargetUsersAndTeams, FallbackUserIDs: []string{"bob"}}, inbox.EInvalid, "user bob has no paid seat"},
		{"owner, fallback unknown team", inbox.RoutingRules{Target: inbox.TargetContactOwner, Fallback: inbox.TargetUsersAndTeams, FallbackTeamIDs: []string{"ghosts"}}, inbox.ENotFound, "team ghosts not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateRules(tt.r, users, teams)
			if got := inbox.ErrorCodeOf(err); got != tt.code {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
			if tt.msg != "" && inbox.ErrorMessage(err) != tt.msg {
				t.Errorf("message = %q, want %q", inbox.ErrorMessage(err), tt.msg)
			}
		})
	}
}

// TestDecideMatrix runs every combination of rule type, OnlyAvailable, paid seat, capacity,
// availability switch and working hours over instants in three zones (two of them at a DST
// change) against a model of the rules written independently of the engine.
func TestDecideMatrix(t *testing.T) {
	type instant struct {
		name            string
		tz              string
		now             string
		inside, outside inbox.WorkingHours
	}
	instants := []instant{
		// Monday 09:30 EDT, the day after spring-forward (08:30 if read as EST).
		{"NY after spring-forward", "America/New_York", "2026-03-09T13:30:00Z", wh(time.Monday, "09:00", "10:00"), wh(time.Monday, "10:00", "11:00")},
		// Sunday 03:00 EDT, the first instant after 01:59:59 EST.
		{"NY at spring-forward", "America/New_York", "2026-03-08T07:00:00Z", wh(time.Sunday, "03:00", "04:00"), wh(time.Sunday, "01:00", "02:00")},
		// Sunday 02:30 CET, the second 02:30 of the fall-back day (03:30 if read as CEST).
		{"CPH at fall-back", "Europe/Copenhagen", "2026-10-25T01:30:00Z", wh(time.Sunday, "02:00", "03:00"), wh(time.Sunday, "03:00", "04:00")},
		// Monday 09:30 CET, the day after fall-back (10:30 if read as CEST).
		{"CPH after fall-back", "Europe/Copenhagen", "2026-10-26T08:30:00Z", wh(time.Monday, "09:00", "10:00"), wh(time.Monday, "10:00", "11:00")},
		// Monday 09:30 IST.
		{"Kolkata", "Asia/Kolkata", "2026-03-09T04:00:00Z", wh(time.Monday, "09:00", "10:00"), wh(time.Monday, "10:00", "11:00")},
		// Monday 00:15 IST while it is still Sunday in UTC.
		{"Kolkata local Monday", "Asia/Kolkata", "2026-03-08T18:45:00Z", wh(time.Monday, "00:00", "01:00"), wh(time.Sunday, "23:00", "24:00")},
	}
	type capacity struct {
		name string
		cap  *int
		load int
		full bool
	}
	capacities := []capacity{
		{"cap nil", nil, 7, false},
		{"cap below", intp(3), 2, false},
		{"cap at", intp(2), 2, true},
	}
	const (
		ruleUsers         = "users_and_teams"
		ruleUsersViaTeam  = "users_and_teams via team"
		ruleOwner         = "contact_owner, fallback unassigned"
		ruleOwnerFallback = "contact_owner, fallback users_and_teams"
	)
	rules := []string{ruleUsers, ruleUsersViaTeam, ruleOwner, ruleOwnerFallback}
	hoursKinds := []string{"hours none", "hours inside", "hours outside"}

	backup := inbox.User{ID: "backup", PaidSeat: true, Available: true, Load: 100}
	n := 0
	for _, in := range instants {
		now := at(in.now)
		for _, rule := range rules {
			for _, only := range []bool{true, false} {
				for _, paid := range []bool{true, false} {
					for _, c := range capacities {
						for _, hk := range hoursKinds {
							for _, sw := range []bool{true, false} {
								name := fmt.Sprintf("%s/%s/only=%v/paid=%v/%s/%s/switch=%v", in.name, rule, only, paid, c.name, hk, sw)
								u := inbox.User{ID: "u", PaidSeat: paid, Capacity: c.cap, Load: c.load, Available: sw, TimeZone: in.tz, TeamIDs: nil}
								switch hk {
								case "hours inside":
									u.WorkingHours = []inbox.WorkingHours{in.inside}
								case "hours outside":
									u.WorkingHours = []inbox.WorkingHours{in.outside}
								}
								users := map[string]inbox.User{"u": u, "backup": backup}
								teams := map[string]inbox.Team{"t": {ID: "t", UserIDs: []string{"u"}}}
								r := inbox.RoutingRules{AutoAssign: true, OnlyAvailable: only}
								switch rule {
								case ruleUsers:
									r.Target, r.UserIDs = inbox.TargetUsersAndTeams, []string{"u"}
								case ruleUsersViaTeam:
									r.Target, r.TeamIDs = inbox.TargetUsersAndTeams, []string{"t"}
								case ruleOwner:
									r.Target, r.Fallback = inbox.TargetContactOwner, inbox.FallbackUnassigned
								case ruleOwnerFallback:
									r.Target, r.Fallback, r.FallbackUserIDs = inbox.TargetContactOwner, inbox.TargetUsersAndTeams, []string{"backup"}
								}

								// The model.
								available := sw && hk != "hours outside"
								eligible := paid && !c.full && (available || !only)
								want := []string{}
								wantNotify := ""
								if eligible {
									want = []string{"u"}
								} else if rule == ruleOwnerFallback {
									want = []string{"backup"}
								}
								if (rule == ruleOwner || rule == ruleOwnerFallback) && paid && only && !available {
									wantNotify = "u"
								}

								d := Decide(r, "u", users, teams, now)
								if got := ids(d.Candidates); !slices.Equal(got, want) {
									t.Errorf("%s: candidates %v, want %v (reason %q)", name, got, want, d.Reason)
								}
								if d.NotifyOwner != wantNotify {
									t.Errorf("%s: NotifyOwner %q, want %q", name, d.NotifyOwner, wantNotify)
								}
								if d.Reason == "" {
									t.Errorf("%s: empty reason", name)
								}
								n++
							}
						}
					}
				}
			}
		}
	}
	if n != 6*4*2*2*3*3*2 {
		t.Fatalf("ran %d combinations", n)
	}
}

func TestDecideOrder(t *testing.T) {
	t0 := at("2026-01-01T00:00:00Z")
	users := map[string]inbox.User{}
	for _, u := range []inbox.User{
		{ID: "e", Load: 1, LastAssignedAt: t0.Add(time.Hour)},
		{ID: "d", Load: 1, LastAssignedAt: t0},
		{ID: "c", Load: 1},                                    // never assigned: first of load 1
		{ID: "b", Load: 1, LastAssignedAt: t0.Add(time.Hour)}, // same as e: by id
		{ID: "a", Load: 2},
		{ID: "z", Load: 0, LastAssignedAt: t0.Add(48 * time.Hour)},
		{ID: "y", Load: 0, LastAssignedAt: t0.Add(48 * time.Hour)},
		{ID: "full", Load: 5, Capacity: intp(5)},
		{ID: "over", Load: 6, Capacity: intp(5)},
		{ID: "roomy", Load: 4, Capacity: intp(5)},
	} {
		u.PaidSeat, u.Available = true, true
		users[u.ID] = u
	}
	r := inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, OnlyAvailable: true,
		UserIDs: []string{"a", "b", "c", "d", "e", "y", "z", "full", "over", "roomy"}}
	want := []string{"y", "z", "c", "d", "b", "e", "a", "roomy"}
	for i := 0; i < 20; i++ { // map order varies between runs; the result may not
		d := Decide(r, "", users, nil, t0)
		if got := ids(d.Candidates); !slices.Equal(got, want) {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	// Assigning to the first moves them behind their peers.
	y := users["y"]
	y.Load++
	y.LastAssignedAt = t0.Add(72 * time.Hour)
	users["y"] = y
	d := Decide(r, "", users, nil, t0)
	if got := ids(d.Candidates); !slices.Equal(got, []string{"z", "c", "d", "b", "e", "y", "a", "roomy"}) {
		t.Fatalf("after assigning y: %v", got)
	}
}

func TestDecidePool(t *testing.T) {
	users := map[string]inbox.User{}
	for _, u := range []inbox.User{
		{ID: "alice", PaidSeat: true},
		{ID: "bob", PaidSeat: true},
		{ID: "carol", PaidSeat: true, TeamIDs: []string{"sales"}}, // member only by her own TeamIDs
		{ID: "dave", PaidSeat: false},                             // team member without seat: skipped
		{ID: "erin", PaidSeat: true, TeamIDs: []string{"other"}},
	} {
		u.Available = true
		users[u.ID] = u
	}
	teams := map[string]inbox.Team{
		"support": {ID: "support", UserIDs: []string{"alice", "bob", "dave", "ghost"}},
		"sales":   {ID: "sales", UserIDs: []string{"bob", "alice"}},
		"other":   {ID: "other", UserIDs: nil},
	}
	tests := []struct {
		name           string
		userIDs, teams []string
		want           []string
	}{
		{"user and both teams, each once", []string{"alice", "alice"}, []string{"support", "sales", "support"}, []string{"alice", "bob", "carol"}},
		{"team membership from user side", nil, []string{"sales"}, []string{"alice", "bob", "carol"}},
		{"unknown ids skipped", []string{"nobody"}, []string{"ghosts", "support"}, []string{"alice", "bob"}},
		{"unpaid named user skipped", []string{"dave"}, nil, []string{}},
		{"empty", nil, nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: tt.userIDs, TeamIDs: tt.teams}
			d := Decide(r, "", users, teams, time.Time{})
			if got := ids(d.Candidates); !slices.Equal(got, tt.want) {
				t.Fatalf("candidates %v, want %v", got, tt.want)
			}
		})
	}
	if got := ids(Pool([]string{"erin"}, []string{"support", "other"}, users, teams)); !slices.Equal(got, []string{"erin", "alice", "bob", "dave"}) {
		t.Fatalf("Pool = %v", got)
	}
}

func TestDecideReasons(t *testing.T) {
	now := at("2026-01-12T10:00:00Z")
	users := map[string]inbox.User{
		"owner":  {ID: "owner", PaidSeat: true, Available: true},
		"away":   {ID: "away", PaidSeat: true, Available: false},
		"unpaid": {ID: "unpaid", PaidSeat: false, Available: true},
		"full":   {ID: "full", PaidSeat: true, Available: true, Capacity: intp(0)},
		"gone":   {ID: "gone", PaidSeat: true, Available: false, Capacity: intp(1), Load: 1},
		"helper": {ID: "helper", PaidSeat: true, Available: true},
	}
	owner := func(fallback string, only bool) inbox.RoutingRules {
		return inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetContactOwner, OnlyAvailable: only,
			Fallback: fallback, FallbackUserIDs: []string{"helper"}}
	}
	tests := []struct {
		name       string
		r          inbox.RoutingRules
		owner      string
		want       []string
		notify     string
		reasonHas  []string
		reasonFrom string
	}{
		{"auto-assign off", inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, UserIDs: []string{"owner"}}, "owner", []string{}, "", []string{"auto-assignment is off"}, ""},
		{"unknown target", inbox.RoutingRules{AutoAssign: true, Target: "x"}, "", []string{}, "", []string{"unknown target"}, ""},
		{"owner assigned", owner(inbox.FallbackUnassigned, true), "owner", []string{"owner"}, "", []string{"contact owner owner"}, ""},
		{"no owner, unassigned", owner(inbox.FallbackUnassigned, true), "", []string{}, "", []string{"contact has no owner", "fallback unassigned"}, "no owner"},
		{"no owner, fallback users", owner(inbox.TargetUsersAndTeams, true), "", []string{"helper"}, "", []string{"fallback"}, "no owner"},
		{"owner not found", owner(inbox.FallbackUnassigned, true), "ghost", []string{}, "", []string{"not found", "fallback unassigned"}, "no owner"},
		{"owner away, unassigned, notify", owner(inbox.FallbackUnassigned, true), "away", []string{}, "away", []string{"is away", "fallback unassigned"}, "no owner"},
		{"owner away, fallback users, notify", owner(inbox.TargetUsersAndTeams, true), "away", []string{"helper"}, "away", []string{"is away"}, "no owner"},
		{"owner away ignored when OnlyAvailable off", owner(inbox.FallbackUnassigned, false), "away", []string{"away"}, "", nil, ""},
		{"owner unpaid", owner(inbox.TargetUsersAndTeams, true), "unpaid", []string{"helper"}, "", []string{"no paid seat"}, "no owner"},
		{"owner full, no notify", owner(inbox.FallbackUnassigned, false), "full", []string{}, "", []string{"at capacity"}, "no owner"},
		{"owner away and full, notify", owner(inbox.FallbackUnassigned, true), "gone", []string{}, "gone", []string{"is away"}, "no owner"},
		{"unknown fallback acts as unassigned", owner("", true), "", []string{}, "", []string{"fallback unassigned"}, "no owner"},
		{"nobody eligible", inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, OnlyAvailable: true, UserIDs: []string{"away", "unpaid", "full"}},
			"", []string{}, "", []string{"no eligible user among 3", "1 without a paid seat", "1 away", "1 at capacity"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.r, tt.owner, users, nil, now)
			if got := ids(d.Candidates); !slices.Equal(got, tt.want) {
				t.Errorf("candidates %v, want %v", got, tt.want)
			}
			if d.NotifyOwner != tt.notify {
				t.Errorf("NotifyOwner %q, want %q", d.NotifyOwner, tt.notify)
			}
			for _, s := range tt.reasonHas {
				if !strings.Contains(d.Reason, s) {
					t.Errorf("reason %q lacks %q", d.Reason, s)
				}
			}
			if !strings.HasPrefix(d.Reason, tt.reasonFrom) {
				t.Errorf("reason %q does not start with %q", d.Reason, tt.reasonFrom)
			}
		})
	}
}

func TestAtCapacity(t *testing.T) {
	for _, tt := range []struct {
		cap  *int
		load int
		want bool
	}{{nil, 1000, false}, {intp(0), 0, true}, {intp(3), 2, false}, {intp(3), 3, true}, {intp(3), 4, true}} {
		if got := AtCapacity(inbox.User{Capacity: tt.cap, Load: tt.load}); got != tt.want {
			t.Errorf("AtCapacity(cap %v, load %d) = %v", tt.cap, tt.load, got)
		}
	}
}
