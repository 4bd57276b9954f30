package chat

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

// Settings are a chat channel's public settings, kept as JSON under SettingChat in
// inbox.Channel.Settings. Every field holds its default after Normalize.
type Settings struct {
	// Color is the widget's accent colour, "#rrggbb".
	Color  string `json:"color"`
	Header Header `json:"header"`
	// WelcomeMessage opens every conversation in the widget (shown, not stored).
	WelcomeMessage string       `json:"welcomeMessage"`
	Availability   Availability `json:"availability"`
	Display        Display      `json:"display"`
	// AllowedOrigins are the sites ("https://shop.example") that may embed the widget; the
	// visitor API answers CORS only for them. Empty: only the deployment's own demo page.
	AllowedOrigins []string `json:"allowedOrigins"`
	// ConsentText, when set, is shown before the first message and must be accepted.
	ConsentText string `json:"consentText,omitempty"`
	PrivacyURL  string `json:"privacyUrl,omitempty"`
	// IdentityVerification requires identify() calls signed with the channel's identity secret;
	// unverified visitors cannot send.
	IdentityVerification bool `json:"identityVerification"`
	// Language is the chat's own language (a tag of i18n.Languages(), default i18n.Default):
	// the language of the team's texts above, and the widget's for visitors whose embed
	// option, page and browser name no language the product speaks.
	Language string `json:"language"`
	// Translations are the team's texts in other languages, by language tag; a text missing
	// there is the one above (see Settings.In).
	Translations map[string]Texts `json:"translations,omitempty"`
}

// Header says who the widget's header shows.
type Header struct {
	// Mode is HeaderUsersAndTeams or HeaderContactOwner.
	Mode    string   `json:"mode"`
	UserIDs []string `json:"userIds,omitempty"`
	TeamIDs []string `json:"teamIds,omitempty"`
	// FallbackUserIDs and FallbackTeamIDs are shown to visitors without an owner (contact owner
	// mode), new visitors first of all.
	FallbackUserIDs []string `json:"fallbackUserIds,omitempty"`
	FallbackTeamIDs []string `json:"fallbackTeamIds,omitempty"`
}

// Header modes.
const (
	HeaderUsersAndTeams = "users_and_teams"
	HeaderContactOwner  = "contact_owner"
)

// Availability says when the chat counts as staffed.
type Availability struct {
	// Mode is AvailabilityUserBased, AvailabilityOfficeHours or AvailabilityAlways.
	Mode string `json:"mode"`
	// TimeZone is the IANA zone of Hours and Holidays (office hours).
	TimeZone string `json:"timeZone,omitempty"`
	// Hours are the opening ranges, several a day if need be (office hours).
	Hours []inbox.WorkingHours `json:"hours,omitempty"`
	// Holidays are closed dates, "2026-12-25", in TimeZone (office hours).
	Holidays []string `json:"holidays,omitempty"`
}

// Availability modes.
const (
	// AvailabilityUserBased: available when a user of the channel's routing rule is available.
	AvailabilityUserBased = "user_based"
	// AvailabilityOfficeHours: open in Hours outside Holidays, staffed by the routing rule's users.
	AvailabilityOfficeHours = "office_hours"
	// AvailabilityAlways: open 24/7.
	AvailabilityAlways = "always"
)

// Display is what the visitor sees in each state.
type Display struct {
	Available  AvailableDisplay  `json:"available"`
	Away       AwayDisplay       `json:"away"`
	Offline    OfflineDisplay    `json:"offline"`
	AtCapacity AtCapacityDisplay `json:"atCapacity"`
}

// AvailableDisplay: someone can answer.
type AvailableDisplay struct {
	// ReplyTime is the typical reply time shown: ReplyMinutes, ReplyHours or ReplyDay.
	ReplyTime string `json:"replyTime"`
}

// Typical reply times.
const (
	ReplyMinutes = "minutes"
	ReplyHours   = "hours"
	ReplyDay     = "day"
)

// AwayDisplay: in hours, but nobody is available.
type AwayDisplay struct {
	Message string `json:"message"`
	// EmailCapture asks the visitor for an address to answer them by email.
	EmailCapture bool `json:"emailCapture"`
	// EmailPrompt is the email field's prompt; empty: the product's, in the visitor's language.
	EmailPrompt string `json:"emailPrompt,omitempty"`
}

// OfflineDisplay: outside office hours.
type OfflineDisplay struct {
	// Show is OfflineNextOpening, OfflineAwayMessage or OfflineHideLauncher.
	Show string `json:"show"`
}

// Offline displays.
const (
	OfflineNextOpening  = "next_opening"
	OfflineAwayMessage  = "away_message"
	OfflineHideLauncher = "hide_launcher"
)

// AtCapacityDisplay: everyone available is at capacity.
type AtCapacityDisplay struct {
	// Show is CapacityWaitingMessage, CapacityHideLauncher or CapacityNothing.
	Show    string `json:"show"`
	Message string `json:"message,omitempty"`
}

// At-capacity displays.
const (
	CapacityWaitingMessage = "waiting_message"
	CapacityHideLauncher   = "hide_launcher"
	CapacityNothing        = "nothing"
)

// Defaults.
const (
	DefaultColor          = "#1f6feb"
	DefaultWelcome        = "Hi! Ask us anything, we are happy to help."
	DefaultAway           = "We are away right now. Leave a message and your email: we will answer by email."
	DefaultWaiting        = "All of our team is busy. Your message is in the queue: someone will answer soon."
	MaxOrigins            = 20
	maxText               = 1000
	maxPrompt             = 200
	maxIDs                = 50
	maxHours              = 70
	maxHolidays           = 366
	holidayLayout         = "2006-01-02"
	settingsFieldForError = "chat"
)

// hexColor reports whether s is a #rrggbb colour; a loop rather than a regexp compiled when
// every function that links the chat kind starts.
func hexColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range s[1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Defaults returns the settings of a new chat channel before the admin's input.
func Defaults() Settings {
	return Settings{
		Color:          DefaultColor,
		Header:         Header{Mode: HeaderUsersAndTeams},
		WelcomeMessage: DefaultWelcome,
		Availability:   Availability{Mode: AvailabilityAlways},
		Language:       i18n.Default,
		Display: Display{
			Available:  AvailableDisplay{ReplyTime: ReplyMinutes},
			Away:       AwayDisplay{Message: DefaultAway, EmailCapture: true},
			Offline:    OfflineDisplay{Show: OfflineNextOpening},
			AtCapacity: AtCapacityDisplay{Show: CapacityWaitingMessage, Message: DefaultWaiting},
		},
	}
}

// Of reads a chat channel's settings (the defaults for a channel without any). It returns an
// EInternal error when they are unreadable.
func Of(ch inbox.Channel) (Settings, error) {
	s := Defaults()
	raw := ch.Settings[SettingChat]
	if raw == "" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Settings{}, inbox.Wrap(err, inbox.EInvalid, "the chat settings are unreadable")
	}
	return s, nil
}

// Validate checks settings, naming the first field in error; it returns an EInvalid error.
func (s Settings) Validate() error {
	bad := func(field, why string, a ...any) error {
		return inbox.Errorf(inbox.EInvalid, "chat."+field+" "+why, a...)
	}
	if !hexColor(s.Color) {
		return bad("color", "must be a hex colour #rrggbb")
	}
	switch s.Header.Mode {
	case HeaderUsersAndTeams, HeaderContactOwner:
	default:
		return bad("header.mode", "must be %s or %s", HeaderUsersAndTeams, HeaderContactOwner)
	}
	for name, ids := range map[string][]string{"userIds": s.Header.UserIDs, "teamIds": s.Header.TeamIDs,
		"fallbackUserIds": s.Header.FallbackUserIDs, "fallbackTeamIds": s.Header.FallbackTeamIDs} {
		if len(ids) > maxIDs {
			return bad("header."+name, "holds at most %d ids", maxIDs)
		}
		for _, id := range ids {
			if inbox.CheckID("id", id) != nil {
				return bad("header."+name, "holds an id that is not one: %q", id)
			}
		}
	}
	for name, v := range map[string]string{"welcomeMessage": s.WelcomeMessage, "display.away.message": s.Display.Away.Message,
		"display.atCapacity.message": s.Display.AtCapacity.Message, "consentText": s.ConsentText} {
		if utf8.RuneCountInString(v) > maxText {
			return bad(name, "has at most %d characters", maxText)
		}
	}
	if utf8.RuneCountInString(s.Display.Away.EmailPrompt) > maxPrompt {
		return bad("display.away.emailPrompt", "has at most %d characters", maxPrompt)
	}
	if err := s.validateLanguages(); err != nil {
		return err
	}
	if err := s.Availability.validate(); err != nil {
		return err
	}
	switch s.Display.Available.ReplyTime {
	case ReplyMinutes, ReplyHours, ReplyDay:
	default:
		return bad("display.available.replyTime", "must be %s, %s or %s", ReplyMinutes, ReplyHours, ReplyDay)
	}
	switch s.Display.Offline.Show {
	case OfflineNextOpening, OfflineAwayMessage, OfflineHideLauncher:
	default:
		return bad("display.offline.show", "must be %s, %s or %s", OfflineNextOpening, OfflineAwayMessage, OfflineHideLauncher)
	}
	switch s.Display.AtCapacity.Show {
	case CapacityWaitingMessage, CapacityHideLauncher, CapacityNothing:
	default:
		return bad("display.atCapacity.show", "must be %s, %s or %s", CapacityWaitingMessage, CapacityHideLauncher, CapacityNothing)
	}
	if s.Display.AtCapacity.Show == CapacityWaitingMessage && strings.TrimSpace(s.Display.AtCapacity.Message) == "" {
		return bad("display.atCapacity.message", "is required to show a waiting message")
	}
	if len(s.AllowedOrigins) > MaxOrigins {
		return bad("allowedOrigins", "holds at most %d origins", MaxOrigins)
	}
	for _, o := range s.AllowedOrigins {
		if !IsOrigin(o) {
			return bad("allowedOrigins", "holds %q, which is not an origin like https://shop.example (scheme, host and port only)", o)
		}
	}
	if s.PrivacyURL != "" {
		if p, err := url.Parse(s.PrivacyURL); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || len(s.PrivacyURL) > 2048 {
			return bad("privacyUrl", "must be an http(s) URL")
		}
	}
	return nil
}

func (a Availability) validate() error {
	switch a.Mode {
	case AvailabilityUserBased, AvailabilityAlways:
		if len(a.Hours) > 0 || len(a.Holidays) > 0 {
			return inbox.Errorf(inbox.EInvalid, "chat.availability.hours and holidays are for mode %s", AvailabilityOfficeHours)
		}
		return nil
	case AvailabilityOfficeHours:
	default:
		return inbox.Errorf(inbox.EInvalid, "chat.availability.mode must be %s, %s or %s", AvailabilityUserBased, AvailabilityOfficeHours, AvailabilityAlways)
	}
	if a.TimeZone == "" {
		return inbox.Errorf(inbox.EInvalid, "chat.availability.timeZone is required for office hours (an IANA zone like Europe/Copenhagen)")
	}
	if _, err := time.LoadLocation(a.TimeZone); err != nil || a.TimeZone == "Local" {
		return inbox.Errorf(inbox.EInvalid, "chat.availability.timeZone %q is not a known IANA zone", a.TimeZone)
	}
	if len(a.Hours) == 0 || len(a.Hours) > maxHours {
		return inbox.Errorf(inbox.EInvalid, "chat.availability.hours holds 1 to %d ranges for office hours", maxHours)
	}
	for i, h := range a.Hours {
		if err := CheckRange(h); err != nil {
			return inbox.Errorf(inbox.EInvalid, "chat.availability.hours[%d]: %s", i, err.Error())
		}
	}
	if len(a.Holidays) > maxHolidays {
		return inbox.Errorf(inbox.EInvalid, "chat.availability.holidays holds at most %d dates", maxHolidays)
	}
	for i, d := range a.Holidays {
		if _, err := time.Parse(holidayLayout, d); err != nil {
			return inbox.Errorf(inbox.EInvalid, "chat.availability.holidays[%d] %q is not a date YYYY-MM-DD", i, d)
		}
	}
	return nil
}

// CheckRange checks one opening range: a weekday 0 (Sunday) to 6, "HH:MM" start before an end
// that may be "24:00". It returns an error saying what is wrong.
func CheckRange(h inbox.WorkingHours) error {
	if h.Day < time.Sunday || h.Day > time.Saturday {
		return inbox.Errorf(inbox.EInvalid, "day %d is not a weekday (0 Sunday to 6 Saturday)", int(h.Day))
	}
	s, ok1 := Clock(h.Start)
	e, ok2 := Clock(h.End)
	if !ok1 || !ok2 || s == 24*60 || e <= s {
		return inbox.Errorf(inbox.EInvalid, "start %q and end %q must be HH:MM with the end after the start (end may be 24:00)", h.Start, h.End)
	}
	return nil
}

// Clock parses "HH:MM" (00:00 to 24:00) into minutes since midnight.
func Clock(v string) (int, bool) {
	if len(v) != 5 || v[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	h, m := int(v[0]-'0')*10+int(v[1]-'0'), int(v[3]-'0')*10+int(v[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// IsOrigin reports whether o is a web origin: http(s), a host, an optional port, nothing else.
func IsOrigin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.Path == "" &&
		u.RawQuery == "" && u.Fragment == "" && u.User == nil && o == u.Scheme+"://"+u.Host && len(o) <= 253
}

// IsHoliday reports whether the date of t (in its own location) is one of holidays.
func IsHoliday(holidays []string, t time.Time) bool {
	d := t.Format(holidayLayout)
	for _, h := range holidays {
		if h == d {
			return true
		}
	}
	return false
}
