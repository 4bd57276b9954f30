// Package chatavail is the pure availability engine of website chat: from a chat channel's
// settings, its routing rules, the account's users and teams and an instant (an injected clock,
// never time.Now), it tells which state the chat is in and what the visitor sees. No I/O.
//
// States:
//   - Offline: office hours, and the instant is outside every range of the day in the channel's
//     time zone, or on a holiday. Next is the next opening instant (within two weeks).
//   - Away: open (24/7, or in office hours, or user-based), but no user of the channel's routing
//     rule is available (routing.AvailableAt). User-based chats are never Offline: with nobody
//     available they are Away.
//   - AtCapacity: someone is available, but every available user is at capacity
//     (routing.AtCapacity).
//   - Available: someone available has room. A channel without routing rules, or whose rules
//     name nobody, counts as staffed whenever it is open (nobody to ask).
//
// The routing rule's people are its users and teams (users_and_teams) or its fallback users and
// teams (contact_owner: an anonymous visitor has no owner), with a paid seat.
package chatavail

import (
	"time"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/routing"
)

// State is the chat's availability.
type State string

// States.
const (
	Available  State = "available"
	Away       State = "away"
	Offline    State = "offline"
	AtCapacity State = "at_capacity"
)

// Input is what the engine decides from.
type Input struct {
	Settings chat.Settings
	// Rules are the channel's routing rules (nil: none).
	Rules *inbox.RoutingRules
	Users map[string]inbox.User
	Teams map[string]inbox.Team
	Now   time.Time
}

// Status is the engine's answer.
type Status struct {
	State State `json:"state"`
	// Next is the next opening, for Offline (nil when none within two weeks).
	Next *time.Time `json:"nextOpening,omitempty"`
}

// horizon is how far ahead Next is looked for.
const horizon = 14

// Decide returns the chat's state at in.Now.
func Decide(in Input) Status {
	a := in.Settings.Availability
	if a.Mode == chat.AvailabilityOfficeHours {
		loc := zone(a.TimeZone)
		if !open(a, in.Now.In(loc)) {
			st := Status{State: Offline}
			if next, ok := NextOpening(a, in.Now); ok {
				st.Next = &next
			}
			return st
		}
	}
	return Status{State: staffed(in)}
}

// staffed looks at the routing rule's people: Away with nobody available, AtCapacity when
// everyone available is full, Available otherwise (and when the rule names nobody).
func staffed(in Input) State {
	pool := people(in)
	if len(pool) == 0 {
		if in.Settings.Availability.Mode == chat.AvailabilityUserBased {
			return Away
		}
		return Available
	}
	avail, room := 0, 0
	for _, u := range pool {
		if !routing.AvailableAt(u, in.Now) {
			continue
		}
		avail++
		if !routing.AtCapacity(u) {
			room++
		}
	}
	switch {
	case avail == 0:
		return Away
	case room == 0:
		return AtCapacity
	}
	return Available
}

// people are the users with a paid seat the channel's routing rule would assign an anonymous
// visitor's conversation to.
func people(in Input) []inbox.User {
	r := in.Rules
	if r == nil {
		return nil
	}
	var pool []inbox.User
	switch r.Target {
	case inbox.TargetUsersAndTeams:
		pool = routing.Pool(r.UserIDs, r.TeamIDs, in.Users, in.Teams)
	case inbox.TargetContactOwner:
		pool = routing.Pool(r.FallbackUserIDs, r.FallbackTeamIDs, in.Users, in.Teams)
	}
	out := pool[:0]
	for _, u := range pool {
		if u.PaidSeat {
			out = append(out, u)
		}
	}
	return out
}

// open reports whether local (a wall-clock instant in the channel's zone) falls in a range of
// its weekday and is not a holiday.
func open(a chat.Availability, local time.Time) bool {
	if chat.IsHoliday(a.Holidays, local) {
		return false
	}
	minute := local.Hour()*60 + local.Minute()
	for _, h := range a.Hours {
		s, e, ok := bounds(h)
		if ok && h.Day == local.Weekday() && s <= minute && minute < e {
			return true
		}
	}
	return false
}

// NextOpening returns the first instant after now at which office hours a open, looking up
// to two weeks ahead; ok is false when there is none (every day a holiday, or no ranges).
func NextOpening(a chat.Availability, now time.Time) (time.Time, bool) {
	loc := zone(a.TimeZone)
	local := now.In(loc)
	for d := 0; d <= horizon; d++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+d, 0, 0, 0, 0, loc)
		if chat.IsHoliday(a.Holidays, day) {
			continue
		}
		var best time.Time
		for _, h := range a.Hours {
			s, _, ok := bounds(h)
			if !ok || h.Day != day.Weekday() {
				continue
			}
			at := time.Date(day.Year(), day.Month(), day.Day(), s/60, s%60, 0, 0, loc)
			if at.After(now) && (best.IsZero() || at.Before(best)) {
				best = at
			}
		}
		if !best.IsZero() {
			return best.UTC(), true
		}
	}
	return time.Time{}, false
}

func bounds(h inbox.WorkingHours) (start, end int, ok bool) {
	if chat.CheckRange(h) != nil {
		return 0, 0, false
	}
	s, _ := chat.Clock(h.Start)
	e, _ := chat.Clock(h.End)
	return s, e, true
}

func zone(tz string) *time.Location {
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		return time.UTC
	}
	return loc
}
