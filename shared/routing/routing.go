// Package routing is the pure rule engine of automatic assignment: given a channel's
// inbox.RoutingRules, the account's users and teams and the current instant, it decides who a new
// conversation should be offered to. It does no I/O and reads no clock; callers pass now.
//
// # Availability
//
// A user is available at an instant (AvailableAt) when their own Available switch is on and, if
// they have WorkingHours, the instant falls in one of the ranges. Ranges are evaluated on the
// local wall clock of the instant in the user's TimeZone (empty or unknown: UTC), so they follow
// daylight-saving changes: a "09:00"–"17:00" range means 09:00 local time whatever the UTC offset
// is that day. A range belongs to one weekday and may not cross midnight; Start is inclusive, End
// exclusive, and End may be "24:00" to run to the end of the day. Wall-clock times skipped by a
// spring-forward change never occur; those repeated by a fall-back change occur twice.
//
// # Fair distribution
//
// For the users_and_teams target (and the users_and_teams fallback of contact_owner), Decide
// builds the pool of the named users and the members of the named teams (a user is a member of a
// team when the team's UserIDs list them or their TeamIDs list the team), without duplicates and
// skipping unknown ids. It keeps only users with a paid seat, only available users when
// OnlyAvailable is on, and drops users at capacity (Capacity set and Load >= *Capacity). The
// remaining candidates are ordered:
//
//  1. least Load first, so open conversations spread evenly;
//  2. on equal Load, the oldest LastAssignedAt first (never assigned, the zero time, comes
//     first), so users take turns round-robin;
//  3. on equal Load and LastAssignedAt, by ID, so the order is deterministic.
//
// The caller tries the candidates in order (the first may have filled up since the snapshot was
// read) and, once one accepts, increments their Load and sets LastAssignedAt, which moves them to
// the back of their Load group on the next decision.
//
// # Contact owner
//
// For the contact_owner target the contact's owner is the only candidate when they exist, have a
// paid seat, are below capacity and are available (or OnlyAvailable is off). Otherwise the
// rules' Fallback applies: "unassigned" leaves the conversation unassigned, users_and_teams picks
// among FallbackUserIDs and FallbackTeamIDs as above. When the owner is passed over because they
// are away while OnlyAvailable is on, Decision.NotifyOwner names them so that they can be told.
package routing

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
	// Embed the zone database so that working hours are right where the host has none.
	_ "time/tzdata"

	"github.com/openinbox/inbox/shared/inbox"
)

// AvailableAt reports whether u can take a conversation at now: u.Available is on and u has no
// WorkingHours or now falls in one of them on the wall clock of u.TimeZone (empty or unknown
// zone: UTC). Malformed ranges never match.
func AvailableAt(u inbox.User, now time.Time) bool {
	if !u.Available {
		return false
	}
	if len(u.WorkingHours) == 0 {
		return true
	}
	local := now.In(location(u.TimeZone))
	day := local.Weekday()
	minute := local.Hour()*60 + local.Minute()
	for _, wh := range u.WorkingHours {
		if wh.Day != day {
			continue
		}
		start, end, err := parseRange(wh)
		if err != nil {
			continue
		}
		if start <= minute && minute < end {
			return true
		}
	}
	return false
}

// location loads an IANA zone, UTC for "" or an unknown name.
func location(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	// Loading a zone parses the zone database: once per zone per process is enough.
	if loc, ok := zones.Load(tz); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	zones.Store(tz, loc)
	return loc
}

// zones caches loaded time zones by name.
var zones sync.Map

// parseClock parses "HH:MM" (two digits each, 00:00–23:59; "24:00" too when allow24) into
// minutes since midnight.
func parseClock(s string, allow24 bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	if m > 59 {
		return 0, false
	}
	if h == 24 && m == 0 && allow24 {
		return 24 * 60, true
	}
	if h > 23 {
		return 0, false
	}
	return h*60 + m, true
}

// parseRange returns the start and end of wh in minutes since midnight.
func parseRange(wh inbox.WorkingHours) (start, end int, err error) {
	if wh.Day < time.Sunday || wh.Day > time.Saturday {
		return 0, 0, inbox.Errorf(inbox.EInvalid, "day %d is not a weekday (0 Sunday to 6 Saturday)", int(wh.Day))
	}
	start, ok := parseClock(wh.Start, false)
	if !ok {
		return 0, 0, inbox.Errorf(inbox.EInvalid, "start %q is not a time HH:MM", wh.Start)
	}
	end, ok = parseClock(wh.End, true)
	if !ok {
		return 0, 0, inbox.Errorf(inbox.EInvalid, "end %q is not a time HH:MM", wh.End)
	}
	if end <= start {
		return 0, 0, inbox.Errorf(inbox.EInvalid, "end %s is not after start %s (ranges may not cross midnight)", wh.End, wh.Start)
	}
	return start, end, nil
}

// ValidateWorkingHours checks a user's working hours and time zone. It returns an *inbox.Error
// with code inbox.EInvalid when tz is not a known IANA zone ("" means UTC and is fine), or a
// range has a day outside Sunday–Saturday, a Start or End that is not "HH:MM" (00:00–23:59; End
// may be "24:00"), or an End not after its Start. Overlapping ranges are allowed.
func ValidateWorkingHours(wh []inbox.WorkingHours, tz string) error {
	if tz != "" {
		if _, err := time.LoadLocation(tz); err != nil {
			return inbox.Errorf(inbox.EInvalid, "time zone %q is unknown", tz)
		}
	}
	for i, r := range wh {
		if _, _, err := parseRange(r); err != nil {
			e := err.(*inbox.Error)
			return inbox.Errorf(inbox.EInvalid, "working hours %d: %s", i+1, e.Message)
		}
	}
	return nil
}

// ValidateRules checks a channel's rules against the account's users and teams. It returns an
// *inbox.Error with code:
//   - inbox.EInvalid when Target is neither inbox.TargetUsersAndTeams nor
//     inbox.TargetContactOwner, or, for inbox.TargetContactOwner, Fallback is neither
//     inbox.FallbackUnassigned nor inbox.TargetUsersAndTeams;
//   - inbox.ENotFound ("user X not found", "team X not found") when a named user or team id is
//     not in users or teams;
//   - inbox.EInvalid ("user X has no paid seat") when a named user has no paid seat. Teams are
//     fine even if some members lack a seat: those members are skipped by Decide.
//
// The lists checked are the ones the rules use: UserIDs and TeamIDs for users_and_teams,
// FallbackUserIDs and FallbackTeamIDs for contact_owner with the users_and_teams fallback.
func ValidateRules(r inbox.RoutingRules, users map[string]inbox.User, teams map[string]inbox.Team) error {
	switch r.Target {
	case inbox.TargetUsersAndTeams:
		return validateNamed(r.UserIDs, r.TeamIDs, users, teams)
	case inbox.TargetContactOwner:
		switch r.Fallback {
		case inbox.FallbackUnassigned:
			return nil
		case inbox.TargetUsersAndTeams:
			return validateNamed(r.FallbackUserIDs, r.FallbackTeamIDs, users, teams)
		default:
			return inbox.Errorf(inbox.EInvalid, "fallback %q must be %q or %q", r.Fallback, inbox.FallbackUnassigned, inbox.TargetUsersAndTeams)
		}
	default:
		return inbox.Errorf(inbox.EInvalid, "target %q must be %q or %q", r.Target, inbox.TargetUsersAndTeams, inbox.TargetContactOwner)
	}
}

func validateNamed(userIDs, teamIDs []string, users map[string]inbox.User, teams map[string]inbox.Team) error {
	for _, id := range userIDs {
		u, ok := users[id]
		if !ok {
			return inbox.Errorf(inbox.ENotFound, "user %s not found", id)
		}
		if !u.PaidSeat {
			return inbox.Errorf(inbox.EInvalid, "user %s has no paid seat", id)
		}
	}
	for _, id := range teamIDs {
		if _, ok := teams[id]; !ok {
			return inbox.Errorf(inbox.ENotFound, "team %s not found", id)
		}
	}
	return nil
}

// Decision is the outcome of Decide.
type Decision struct {
	// Candidates are the users to offer the conversation to, best first. Empty: the conversation
	// stays unassigned (and waits, when the rules wanted someone available).
	Candidates []inbox.User
	// Reason explains the decision in words, for logs and the activity feed.
	Reason string
	// NotifyOwner is the id of a contact owner passed over because they are away, or "".
	NotifyOwner string
}

// AtCapacity reports whether u may take no more conversations: Capacity is set and Load has
// reached it.
func AtCapacity(u inbox.User) bool {
	return u.Capacity != nil && u.Load >= *u.Capacity
}

// Decide applies rules r to a new conversation whose contact is owned by contactOwnerID ("" for
// none), at instant now. See the package documentation for the algorithm. It never fails:
// unknown ids are skipped, an unknown Target assigns nobody and an unknown Fallback behaves as
// inbox.FallbackUnassigned (ValidateRules rejects both).
func Decide(r inbox.RoutingRules, contactOwnerID string, users map[string]inbox.User, teams map[string]inbox.Team, now time.Time) Decision {
	if !r.AutoAssign {
		return Decision{Reason: "auto-assignment is off"}
	}
	switch r.Target {
	case inbox.TargetUsersAndTeams:
		return pick(r.UserIDs, r.TeamIDs, r.OnlyAvailable, users, teams, now, "")
	case inbox.TargetContactOwner:
		return decideOwner(r, contactOwnerID, users, teams, now)
	default:
		return Decision{Reason: fmt.Sprintf("unknown target %q", r.Target)}
	}
}

func decideOwner(r inbox.RoutingRules, ownerID string, users map[string]inbox.User, teams map[string]inbox.Team, now time.Time) Decision {
	var why, notify string
	owner, ok := users[ownerID]
	switch {
	case ownerID == "":
		why = "contact has no owner"
	case !ok:
		why = fmt.Sprintf("contact owner %s not found", ownerID)
	case !owner.PaidSeat:
		why = fmt.Sprintf("contact owner %s has no paid seat", ownerID)
	case r.OnlyAvailable && !AvailableAt(owner, now):
		why = fmt.Sprintf("contact owner %s is away", ownerID)
		notify = ownerID
	case AtCapacity(owner):
		why = fmt.Sprintf("contact owner %s is at capacity", ownerID)
	default:
		return Decision{Candidates: []inbox.User{owner}, Reason: fmt.Sprintf("contact owner %s", ownerID)}
	}
	prefix := "no owner to assign (" + why + "); "
	if r.Fallback != inbox.TargetUsersAndTeams {
		return Decision{Reason: prefix + "fallback unassigned", NotifyOwner: notify}
	}
	d := pick(r.FallbackUserIDs, r.FallbackTeamIDs, r.OnlyAvailable, users, teams, now, prefix+"fallback: ")
	d.NotifyOwner = notify
	return d
}

// Pool returns the users named by userIDs plus the members of the teams named by teamIDs, each
// once, in that order; unknown ids are skipped. A user is a member of a team when the team's
// UserIDs list them or their own TeamIDs list the team.
func Pool(userIDs, teamIDs []string, users map[string]inbox.User, teams map[string]inbox.Team) []inbox.User {
	seen := map[string]bool{}
	var pool []inbox.User
	add := func(id string) {
		if u, ok := users[id]; ok && !seen[id] {
			seen[id] = true
			pool = append(pool, u)
		}
	}
	for _, id := range userIDs {
		add(id)
	}
	named := map[string]bool{}
	for _, tid := range teamIDs {
		t, ok := teams[tid]
		if !ok {
			continue
		}
		named[tid] = true
		for _, id := range t.UserIDs {
			add(id)
		}
	}
	if len(named) > 0 {
		// Members known only from their own TeamIDs, in id order for determinism.
		ids := make([]string, 0, len(users))
		for id := range users {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if slices.ContainsFunc(users[id].TeamIDs, func(t string) bool { return named[t] }) {
				add(id)
			}
		}
	}
	return pool
}

// Rank sorts users in place into fair-distribution order: least Load, then oldest
// LastAssignedAt (zero first), then ID.
func Rank(us []inbox.User) {
	slices.SortStableFunc(us, func(a, b inbox.User) int {
		if c := cmp.Compare(a.Load, b.Load); c != 0 {
			return c
		}
		if c := a.LastAssignedAt.Compare(b.LastAssignedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

func pick(userIDs, teamIDs []string, onlyAvailable bool, users map[string]inbox.User, teams map[string]inbox.Team, now time.Time, prefix string) Decision {
	pool := Pool(userIDs, teamIDs, users, teams)
	var cands []inbox.User
	var noSeat, away, full int
	for _, u := range pool {
		switch {
		case !u.PaidSeat:
			noSeat++
		case onlyAvailable && !AvailableAt(u, now):
			away++
		case AtCapacity(u):
			full++
		default:
			cands = append(cands, u)
		}
	}
	if len(cands) == 0 {
		return Decision{Reason: fmt.Sprintf("%sno eligible user among %d (%d without a paid seat, %d away, %d at capacity)",
			prefix, len(pool), noSeat, away, full)}
	}
	Rank(cands)
	return Decision{Candidates: cands, Reason: fmt.Sprintf("%s%d eligible of %d users and team members, least loaded first", prefix, len(cands), len(pool))}
}
