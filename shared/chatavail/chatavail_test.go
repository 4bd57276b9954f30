package chatavail_test

import (
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatavail"
	"github.com/openinbox/inbox/shared/inbox"
)

func ptr[T any](v T) *T { return &v }

// officeHours: Copenhagen, Monday to Friday 09:00–12:00 and 13:00–17:00 (two intervals a day),
// Christmas Day a holiday.
func officeHours() chat.Settings {
	s := chat.Defaults()
	var hours []inbox.WorkingHours
	for d := time.Monday; d <= time.Friday; d++ {
		hours = append(hours, inbox.WorkingHours{Day: d, Start: "09:00", End: "12:00"}, inbox.WorkingHours{Day: d, Start: "13:00", End: "17:00"})
	}
	s.Availability = chat.Availability{Mode: chat.AvailabilityOfficeHours, TimeZone: "Europe/Copenhagen", Hours: hours, Holidays: []string{"2026-12-25"}}
	return s
}

func cph(y int, m time.Month, d, h, min int) time.Time {
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

// TestDecide walks the states: office hours with two intervals a day and a holiday, the next
// opening across a lunch break, a night, a weekend and a holiday, time zones, user-based, 24/7,
// and at capacity through the routing rule's users.
func TestDecide(t *testing.T) {
	t.Parallel()
	rules := &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: []string{"u1"}, TeamIDs: []string{"t1"}, OnlyAvailable: true}
	ownerRules := &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetContactOwner, Fallback: inbox.TargetUsersAndTeams, FallbackUserIDs: []string{"u1"}}
	on := map[string]inbox.User{"u1": {ID: "u1", PaidSeat: true, Available: true}}
	off := map[string]inbox.User{"u1": {ID: "u1", PaidSeat: true, Available: false}}
	full := map[string]inbox.User{"u1": {ID: "u1", PaidSeat: true, Available: true, Capacity: ptr(2), Load: 2}}
	noSeat := map[string]inbox.User{"u1": {ID: "u1", Available: true}}
	// u2 is available through team t1 and has room while u1 is full.
	team := map[string]inbox.User{"u1": full["u1"], "u2": {ID: "u2", PaidSeat: true, Available: true, TeamIDs: []string{"t1"}}}
	teams := map[string]inbox.Team{"t1": {ID: "t1"}}
	always, userBased := chat.Defaults(), chat.Defaults()
	userBased.Availability.Mode = chat.AvailabilityUserBased
	wed := cph(2026, 12, 2, 0, 0) // a Wednesday
	for _, tc := range []struct {
		name  string
		s     chat.Settings
		rules *inbox.RoutingRules
		users map[string]inbox.User
		now   time.Time
		want  chatavail.State
		next  time.Time
	}{
		{"morning interval", officeHours(), rules, on, wed.Add(9 * time.Hour), chatavail.Available, time.Time{}},
		{"lunch break: next is 13:00", officeHours(), rules, on, wed.Add(12 * time.Hour), chatavail.Offline, wed.Add(13 * time.Hour)},
		{"afternoon interval", officeHours(), rules, on, wed.Add(16*time.Hour + 59*time.Minute), chatavail.Available, time.Time{}},
		{"evening: next is tomorrow 09:00", officeHours(), rules, on, wed.Add(17 * time.Hour), chatavail.Offline, wed.Add(24*time.Hour + 9*time.Hour)},
		{"before opening", officeHours(), rules, on, wed.Add(8*time.Hour + 59*time.Minute), chatavail.Offline, wed.Add(9 * time.Hour)},
		{"saturday: next is monday", officeHours(), rules, on, cph(2026, 12, 5, 10, 0), chatavail.Offline, cph(2026, 12, 7, 9, 0)},
		{"holiday friday: next is monday", officeHours(), rules, on, cph(2026, 12, 25, 10, 0), chatavail.Offline, cph(2026, 12, 28, 9, 0)},
		{"thursday evening before the holiday: next skips it", officeHours(), rules, on, cph(2026, 12, 24, 18, 0), chatavail.Offline, cph(2026, 12, 28, 9, 0)},
		{"in hours, nobody available", officeHours(), rules, off, wed.Add(10 * time.Hour), chatavail.Away, time.Time{}},
		{"in hours, everyone full", officeHours(), rules, full, wed.Add(10 * time.Hour), chatavail.AtCapacity, time.Time{}},
		{"in hours, a team member has room", officeHours(), rules, team, wed.Add(10 * time.Hour), chatavail.Available, time.Time{}},
		{"in hours, no paid seat counts as nobody", officeHours(), rules, noSeat, wed.Add(10 * time.Hour), chatavail.Available, time.Time{}},
		{"in hours, no rules", officeHours(), nil, nil, wed.Add(10 * time.Hour), chatavail.Available, time.Time{}},
		// 08:30 in New York is 14:30 in Copenhagen: open; 12:30 in New York is 18:30: closed.
		{"other zone's clock, open", officeHours(), rules, on, time.Date(2026, 12, 2, 8, 30, 0, 0, mustZone("America/New_York")), chatavail.Available, time.Time{}},
		{"other zone's clock, closed", officeHours(), rules, on, time.Date(2026, 12, 2, 12, 30, 0, 0, mustZone("America/New_York")), chatavail.Offline, wed.Add(24*time.Hour + 9*time.Hour)},
		{"24/7 at night", always, rules, on, wed.Add(3 * time.Hour), chatavail.Available, time.Time{}},
		{"24/7 nobody available", always, rules, off, wed.Add(3 * time.Hour), chatavail.Away, time.Time{}},
		{"user based, available", userBased, rules, on, wed.Add(3 * time.Hour), chatavail.Available, time.Time{}},
		{"user based, nobody: away, never offline", userBased, rules, off, wed.Add(3 * time.Hour), chatavail.Away, time.Time{}},
		{"user based, no rules: away", userBased, nil, nil, wed, chatavail.Away, time.Time{}},
		{"user based, at capacity", userBased, rules, full, wed, chatavail.AtCapacity, time.Time{}},
		{"contact owner rules use the fallback", userBased, ownerRules, on, wed, chatavail.Available, time.Time{}},
	} {
		got := chatavail.Decide(chatavail.Input{Settings: tc.s, Rules: tc.rules, Users: tc.users, Teams: teams, Now: tc.now})
		if got.State != tc.want {
			t.Errorf("%s: state %s, want %s", tc.name, got.State, tc.want)
			continue
		}
		switch {
		case tc.next.IsZero() && got.Next != nil:
			t.Errorf("%s: next %v, want none", tc.name, got.Next)
		case !tc.next.IsZero() && (got.Next == nil || !got.Next.Equal(tc.next)):
			t.Errorf("%s: next %v, want %v", tc.name, got.Next, tc.next.UTC())
		}
	}
}

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// TestNextOpeningAcrossDaylightSaving: the Monday after Copenhagen's spring-forward still opens
// at 09:00 local time, an hour earlier in UTC than the week before.
func TestNextOpeningAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	a := officeHours().Availability
	next, ok := chatavail.NextOpening(a, cph(2026, 3, 28, 12, 0)) // Saturday; clocks change Sunday 29 March
	if !ok || !next.Equal(time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("next %v %v, want 2026-03-30 07:00 UTC", next, ok)
	}
	if _, ok := chatavail.NextOpening(chat.Availability{Mode: chat.AvailabilityOfficeHours, TimeZone: "UTC"}, cph(2026, 3, 28, 12, 0)); ok {
		t.Fatal("no ranges: no next opening")
	}
}

// TestShow maps each state to what the visitor sees under each display setting, in the
// visitor's language: the product's words from the catalogue, the team's from their
// translation, else their own text.
func TestShow(t *testing.T) {
	t.Parallel()
	next := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	with := func(f func(*chat.Settings)) chat.Settings { s := chat.Defaults(); f(&s); return s }
	for _, tc := range []struct {
		name string
		s    chat.Settings
		st   chatavail.Status
		want chatavail.View
		lang string
	}{
		{"available: reply time", chat.Defaults(), chatavail.Status{State: chatavail.Available},
			chatavail.View{State: chatavail.Available, ReplyTime: chat.ReplyMinutes, Text: "Typically replies in a few minutes"}, "en"},
		{"away: message and email capture", chat.Defaults(), chatavail.Status{State: chatavail.Away},
			chatavail.View{State: chatavail.Away, Text: chat.DefaultAway, EmailCapture: true}, "en"},
		{"offline: next opening", chat.Defaults(), chatavail.Status{State: chatavail.Offline, Next: &next},
			chatavail.View{State: chatavail.Offline, Text: "We're closed.", NextOpening: &next, EmailCapture: true}, "en"},
		{"offline: away message", with(func(s *chat.Settings) {
			s.Display.Offline.Show = chat.OfflineAwayMessage
			s.Display.Away.EmailCapture = false
		}), chatavail.Status{State: chatavail.Offline, Next: &next},
			chatavail.View{State: chatavail.Offline, Text: chat.DefaultAway}, "en"},
		{"offline: hide launcher", with(func(s *chat.Settings) { s.Display.Offline.Show = chat.OfflineHideLauncher }), chatavail.Status{State: chatavail.Offline, Next: &next},
			chatavail.View{State: chatavail.Offline, HideLauncher: true}, "en"},
		{"at capacity: waiting message", chat.Defaults(), chatavail.Status{State: chatavail.AtCapacity},
			chatavail.View{State: chatavail.AtCapacity, Text: chat.DefaultWaiting}, "en"},
		{"at capacity: hide launcher", with(func(s *chat.Settings) { s.Display.AtCapacity.Show = chat.CapacityHideLauncher }), chatavail.Status{State: chatavail.AtCapacity},
			chatavail.View{State: chatavail.AtCapacity, HideLauncher: true}, "en"},
		{"at capacity: nothing", with(func(s *chat.Settings) { s.Display.AtCapacity.Show = chat.CapacityNothing }), chatavail.Status{State: chatavail.AtCapacity},
			chatavail.View{State: chatavail.AtCapacity}, "en"},
		{"da: reply time", chat.Defaults(), chatavail.Status{State: chatavail.Available},
			chatavail.View{State: chatavail.Available, ReplyTime: chat.ReplyMinutes, Text: "Svarer som regel inden for få minutter"}, "da"},
		{"da: the default away message is the product's, in Danish", chat.Defaults(), chatavail.Status{State: chatavail.Away},
			chatavail.View{State: chatavail.Away, Text: "Vi er ikke til stede lige nu. Skriv en besked og din e-mail, så svarer vi på e-mail.", EmailCapture: true}, "da"},
		{"da: the team's translation", with(func(s *chat.Settings) {
			s.Display.AtCapacity.Message = "We are busy."
			s.Translations = map[string]chat.Texts{"da": {WaitingMessage: "Vi har travlt."}}
		}), chatavail.Status{State: chatavail.AtCapacity}, chatavail.View{State: chatavail.AtCapacity, Text: "Vi har travlt."}, "da"},
		{"da: no translation, the team's own text", with(func(s *chat.Settings) {
			s.Display.Away.Message = "Back soon."
			s.Translations = map[string]chat.Texts{"da": {WaitingMessage: "Vi har travlt."}}
		}), chatavail.Status{State: chatavail.Away}, chatavail.View{State: chatavail.Away, Text: "Back soon.", EmailCapture: true}, "da"},
		{"da: offline, closed", chat.Defaults(), chatavail.Status{State: chatavail.Offline, Next: &next},
			chatavail.View{State: chatavail.Offline, Text: "Vi har lukket.", NextOpening: &next, EmailCapture: true}, "da"},
	} {
		got := chatavail.Show(tc.s, tc.st, tc.lang)
		if got.State != tc.want.State || got.HideLauncher != tc.want.HideLauncher || got.Text != tc.want.Text ||
			got.EmailCapture != tc.want.EmailCapture || got.ReplyTime != tc.want.ReplyTime || (got.NextOpening == nil) != (tc.want.NextOpening == nil) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
