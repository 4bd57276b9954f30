package routing

import (
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// Ring decides whose phones ring for an incoming call: the users Decide would offer a new
// conversation of the channel to (availability, capacity, paid seats, contact owner and
// fallback, fair order), keeping those with a phone number, at most max of them.
//
// A channel's rules decide who may take its calls even when they do not assign conversations
// automatically: AutoAssign is not required. Without rules, or with rules that name no
// target, every available user with a paid seat and room under their capacity is eligible.
func Ring(rules *inbox.RoutingRules, contactOwnerID string, users map[string]inbox.User, teams map[string]inbox.Team, now time.Time, max int) []inbox.User {
	r := inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, OnlyAvailable: true}
	if rules != nil && rules.Target != "" {
		r = *rules
	}
	r.AutoAssign = true
	if r.Target == inbox.TargetUsersAndTeams && len(r.UserIDs) == 0 && len(r.TeamIDs) == 0 {
		for id := range users {
			r.UserIDs = append(r.UserIDs, id)
		}
	}
	var out []inbox.User
	for _, u := range Decide(r, contactOwnerID, users, teams, now).Candidates {
		if u.Phone != "" && len(out) < max {
			out = append(out, u)
		}
	}
	return out
}
