// Package chatconfig builds what a website chat's widget shows before the visitor does
// anything (the chat config endpoint's answer): the chat's name, colour, texts in the visitor's
// language, the header's people and the availability as the visitor sees it. The chat function
// serves it to visitors; the API builds it from unsaved settings for the settings screen's
// preview (POST /v1/channels/{id}/chat-preview).
package chatconfig

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatavail"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

// Directory reads the users and teams a chat's header and routing rules name.
type Directory interface {
	GetUsers(ctx context.Context, acct string, ids []string) ([]inbox.User, error)
	GetTeams(ctx context.Context, acct string, ids []string) ([]inbox.Team, error)
}

// View is the chat config endpoint's answer: what the widget shows before the visitor does
// anything.
type View struct {
	ChannelID string `json:"channelId"`
	Name      string `json:"name"`
	Color     string `json:"color"`
	// Language is the language the texts are in (Language), and Texts the product's words of
	// the widget in it (the catalogue's widget.* keys).
	Language       string            `json:"language"`
	Texts          map[string]string `json:"texts"`
	WelcomeMessage string            `json:"welcomeMessage"`
	// Now is the server's clock at the answer: the widget counts "today" and "tomorrow" of the
	// next opening from it.
	Now time.Time `json:"now"`
	// EmailPrompt is the team's prompt of the email field (empty: the catalogue's).
	EmailPrompt          string         `json:"emailPrompt,omitempty"`
	Header               []Person       `json:"header"`
	Consent              *Consent       `json:"consent,omitempty"`
	IdentityVerification bool           `json:"identityVerification"`
	Availability         chatavail.View `json:"availability"`
	// LiveURL is where the widget opens its WebSocket (?token=); absent, /ws on the API's host.
	LiveURL string `json:"liveUrl,omitempty"`
	// Files is what a visitor may attach; absent when the deployment keeps no files.
	Files *Files `json:"files,omitempty"`
}

// Files is the config's description of what a visitor may attach.
type Files struct {
	MaxBytes int64    `json:"maxBytes"`
	MaxFiles int      `json:"maxFiles"`
	Types    []string `json:"types"`
}

// Person is someone the header shows.
type Person struct {
	Name     string `json:"name"`
	Initials string `json:"initials"`
}

// Consent is the consent gate: no message is sent before the visitor accepts it.
type Consent struct {
	Text       string `json:"text"`
	PrivacyURL string `json:"privacyUrl,omitempty"`
}

// headerMax is how many people the header shows (picked at random among more).
const headerMax = 3

// Build is the config of chat channel ch with settings set, in language lang (a catalogue's
// tag), at now; liveURL is the live channel's URL (empty: /ws on the API's host). The state is
// decided from the routing rules' people (chatavail.Decide), or is state when it is not empty
// (a preview of that state; Offline then shows the next opening of the office hours).
//
// Errors: those of d (EUnavailable, EInternal).
func Build(ctx context.Context, d Directory, ch inbox.Channel, set chat.Settings, lang string, now time.Time, liveURL string, state chatavail.State) (View, error) {
	in := chatavail.Input{Settings: set, Rules: ch.Routing, Now: now, Users: map[string]inbox.User{}, Teams: map[string]inbox.Team{}}
	var userIDs, teamIDs []string
	h := set.Header
	// An anonymous visitor has no owner: contact-owner headers show the new-visitor fallback.
	headerUsers, headerTeams := h.UserIDs, h.TeamIDs
	if h.Mode == chat.HeaderContactOwner {
		headerUsers, headerTeams = h.FallbackUserIDs, h.FallbackTeamIDs
	}
	userIDs, teamIDs = append(userIDs, headerUsers...), append(teamIDs, headerTeams...)
	if r := ch.Routing; r != nil {
		userIDs = append(append(userIDs, r.UserIDs...), r.FallbackUserIDs...)
		teamIDs = append(append(teamIDs, r.TeamIDs...), r.FallbackTeamIDs...)
	}
	acct := ch.AccountID
	if len(teamIDs) > 0 {
		teams, err := d.GetTeams(ctx, acct, uniq(teamIDs))
		if err != nil {
			return View{}, err
		}
		for _, t := range teams {
			in.Teams[t.ID] = t
			userIDs = append(userIDs, t.UserIDs...)
		}
	}
	if len(userIDs) > 0 {
		users, err := d.GetUsers(ctx, acct, uniq(userIDs))
		if err != nil {
			return View{}, err
		}
		for _, u := range users {
			in.Users[u.ID] = u
		}
	}
	texts := set.In(lang)
	v := View{ChannelID: ch.ID, Name: ch.Name, Color: set.Color, Language: lang, Texts: i18n.Texts(lang, "widget."), Now: now,
		WelcomeMessage: texts.WelcomeMessage, EmailPrompt: texts.EmailPrompt,
		IdentityVerification: set.IdentityVerification, Header: []Person{}, LiveURL: liveURL,
		Availability: chatavail.Show(set, decide(in, state), lang)}
	if texts.ConsentText != "" {
		v.Consent = &Consent{Text: texts.ConsentText, PrivacyURL: set.PrivacyURL}
	}
	var people []inbox.User
	seen := map[string]bool{}
	add := func(u inbox.User, ok bool) {
		if ok && !seen[u.ID] && u.Name != "" {
			seen[u.ID] = true
			people = append(people, u)
		}
	}
	for _, id := range headerUsers {
		u, ok := in.Users[id]
		add(u, ok)
	}
	for _, tid := range headerTeams {
		for _, id := range in.Teams[tid].UserIDs {
			u, ok := in.Users[id]
			add(u, ok)
		}
	}
	if len(people) > headerMax {
		rand.Shuffle(len(people), func(i, j int) { people[i], people[j] = people[j], people[i] })
		people = people[:headerMax]
	}
	for _, u := range people {
		v.Header = append(v.Header, Person{Name: u.Name, Initials: initials(u.Name)})
	}
	return v, nil
}

// decide is the chat's state: the engine's, or the forced one with its next opening.
func decide(in chatavail.Input, state chatavail.State) chatavail.Status {
	if state == "" {
		return chatavail.Decide(in)
	}
	st := chatavail.Status{State: state}
	if next, ok := chatavail.NextOpening(in.Settings.Availability, in.Now); ok && state == chatavail.Offline {
		st.Next = &next
	}
	return st
}

func uniq(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] && inbox.CheckID("id", id) == nil {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(r)
		if b.Len() >= 2 {
			break
		}
	}
	return strings.ToUpper(b.String())
}
