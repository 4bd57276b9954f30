package routing

import (
	"fmt"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

func TestRing(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	one := 1
	users := map[string]inbox.User{
		"ada":  {ID: "ada", Phone: "+15005550111", Available: true, PaidSeat: true, Load: 2},
		"bob":  {ID: "bob", Phone: "+15005550112", Available: true, PaidSeat: true},
		"cy":   {ID: "cy", Phone: "+15005550113", PaidSeat: true},
		"dee":  {ID: "dee", Available: true, PaidSeat: true},
		"eve":  {ID: "eve", Phone: "+15005550115", Available: true},
		"full": {ID: "full", Phone: "+15005550116", Available: true, PaidSeat: true, Capacity: &one, Load: 1},
	}
	for i := range 12 {
		id := fmt.Sprintf("m%02d", i)
		users[id] = inbox.User{ID: id, Phone: "+1500555" + fmt.Sprintf("%04d", i), Available: true, PaidSeat: true, Load: 5}
	}
	ids := func(us []inbox.User) string {
		s := ""
		for _, u := range us {
			s += u.ID + " "
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		rules *inbox.RoutingRules
		owner string
		max   int
		want  string
	}{
		{"no rules: every eligible user with a phone, least loaded first", nil, "", 3, "bob ada m00 "},
		{"named users", &inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, UserIDs: []string{"ada", "cy", "dee", "eve", "full"}, OnlyAvailable: true}, "", 10, "ada "},
		{"availability ignored", &inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, UserIDs: []string{"ada", "cy"}}, "", 10, "cy ada "},
		{"contact owner", &inbox.RoutingRules{Target: inbox.TargetContactOwner, OnlyAvailable: true}, "bob", 10, "bob "},
		{"away owner, no fallback", &inbox.RoutingRules{Target: inbox.TargetContactOwner, OnlyAvailable: true}, "cy", 10, ""},
		{"auto-assignment off still rings", &inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, UserIDs: []string{"bob"}, OnlyAvailable: true}, "", 10, "bob "},
		{"at most ten", nil, "", 10, "bob ada m00 m01 m02 m03 m04 m05 m06 m07 "},
	} {
		if got := ids(Ring(tc.rules, tc.owner, users, nil, now, tc.max)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
