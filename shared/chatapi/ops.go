package chatapi

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatavail"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

// ConfigView is GET config's answer: what the widget shows before the visitor does anything.
type ConfigView struct {
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
	Files *FilesView `json:"files,omitempty"`
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

func (a *api) config(r *http.Request, c *call) (int, any, error) {
	ctx := r.Context()
	in := chatavail.Input{Settings: c.set, Rules: c.ch.Routing, Now: c.now, Users: map[string]inbox.User{}, Teams: map[string]inbox.Team{}}
	var userIDs, teamIDs []string
	h := c.set.Header
	// An anonymous visitor has no owner: contact-owner headers show the new-visitor fallback.
	headerUsers, headerTeams := h.UserIDs, h.TeamIDs
	if h.Mode == chat.HeaderContactOwner {
		headerUsers, headerTeams = h.FallbackUserIDs, h.FallbackTeamIDs
	}
	userIDs, teamIDs = append(userIDs, headerUsers...), append(teamIDs, headerTeams...)
	if r := c.ch.Routing; r != nil {
		userIDs = append(append(userIDs, r.UserIDs...), r.FallbackUserIDs...)
		teamIDs = append(append(teamIDs, r.TeamIDs...), r.FallbackTeamIDs...)
	}
	acct := c.ch.AccountID
	if len(teamIDs) > 0 {
		teams, err := a.Store.GetTeams(ctx, acct, uniq(teamIDs))
		if err != nil {
			return 0, nil, err
		}
		for _, t := range teams {
			in.Teams[t.ID] = t
			userIDs = append(userIDs, t.UserIDs...)
		}
	}
	if len(userIDs) > 0 {
		users, err := a.Store.GetUsers(ctx, acct, uniq(userIDs))
		if err != nil {
			return 0, nil, err
		}
		for _, u := range users {
			in.Users[u.ID] = u
		}
	}
	lang := Language(c.set, r.URL.Query().Get("lang"))
	texts := c.set.In(lang)
	v := ConfigView{ChannelID: c.ch.ID, Name: c.ch.Name, Color: c.set.Color, Language: lang, Texts: i18n.Texts(lang, "widget."), Now: c.now,
		WelcomeMessage: texts.WelcomeMessage, EmailPrompt: texts.EmailPrompt,
		IdentityVerification: c.set.IdentityVerification, Header: []Person{}, LiveURL: a.LiveURL, Files: a.filesView(),
		Availability: chatavail.Show(c.set, chatavail.Decide(in), lang)}
	if texts.ConsentText != "" {
		v.Consent = &Consent{Text: texts.ConsentText, PrivacyURL: c.set.PrivacyURL}
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
	return http.StatusOK, v, nil
}

// maxLangs bounds the config's lang parameter (a few tags are all a browser has).
const maxLangs = 256

// Language is the language of a chat for a visitor whose preferences are prefs, best first
// (the widget's lang parameter: the embed option, the page's <html lang>, the browser's
// languages, comma-separated): the best one the product speaks, else the chat's own.
func Language(set chat.Settings, prefs string) string {
	if len(prefs) > maxLangs {
		prefs = prefs[:maxLangs]
	}
	if lang, ok := i18n.Pick(prefs); ok {
		return lang
	}
	return set.Language
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

// TokenView is the answer of visitors and identify: a visitor token and its expiry.
type TokenView struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	Verified  bool      `json:"verified"`
}

func (a *api) token(c *call, v Visitor) TokenView {
	exp := c.now.Add(TokenTTL).Truncate(time.Second)
	v.ChannelID, v.Expires = c.ch.ID, exp.Unix()
	return TokenView{Token: Sign(c.ch.Secrets[chat.SecretVisitorKey], v), ExpiresAt: exp.UTC(), Verified: v.Verified}
}

func (a *api) newVisitor(r *http.Request, c *call) (int, any, error) {
	if !a.allow("ip/"+c.ip, TokensPerIP, c.now) {
		return 0, nil, tooMany("new visitors from this address")
	}
	return http.StatusCreated, a.token(c, Visitor{Key: "v_" + a.NewID()}), nil
}

type identifyInput struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Hash  string `json:"hash"`
}

// visitorID reports whether id is a site's user id the widget may identify with: 1 to 128 of
// A–Z a–z 0–9 _ . @ : + -; a loop rather than a regexp compiled at the chat function's start.
func visitorID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || strings.ContainsRune("_.@:+-", c)) {
			return false
		}
	}
	return true
}

// identify links the visitor to the site's user id. A hash that verifies makes the visitor
// "u_<id>" on every device (their history follows them); a wrong hash is refused (403), and
// so is a missing one when the channel requires verification. Without a hash, on a channel
// that does not require one, the visitor stays anonymous and only lends the name and email.
func (a *api) identify(r *http.Request, c *call) (int, any, error) {
	v, err := a.visitor(r, c)
	if err != nil {
		return 0, nil, err
	}
	var in identifyInput
	if err := httpjson.Decode(nil, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if !visitorID(in.ID) {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "id is required: 1 to 128 letters, digits or _.@:+-")
	}
	if err := checkPerson(in.Email, in.Name); err != nil {
		return 0, nil, err
	}
	if !a.allow("ip/"+c.ip, TokensPerIP, c.now) {
		return 0, nil, tooMany("identify calls from this address")
	}
	secret := c.ch.Secrets[chat.SecretIdentity]
	switch {
	case in.Hash != "" && checkIdentity(secret, in.ID, in.Hash):
		v = Visitor{Key: "u_" + in.ID, Verified: true}
	case in.Hash != "" || c.set.IdentityVerification:
		a.Log.WarnContext(r.Context(), "chat identify refused", "channel", c.ch.ID)
		return 0, nil, inbox.Errorf(inbox.EForbidden, "the identity hash does not verify: hash = hex(HMAC-SHA256(id, the chat's identity secret))")
	}
	v.Email, v.Name = strings.ToLower(strings.TrimSpace(in.Email)), strings.TrimSpace(in.Name)
	return http.StatusOK, a.token(c, v), nil
}

func checkPerson(email, name string) error {
	if e := strings.TrimSpace(email); e != "" && (len(e) > 254 || strings.Count(e, "@") != 1 || strings.HasPrefix(e, "@") || strings.HasSuffix(e, "@") || strings.ContainsAny(e, " <>\r\n,;")) {
		return inbox.Errorf(inbox.EInvalid, "email is not an email address")
	}
	if utf8.RuneCountInString(name) > maxName || strings.ContainsAny(name, "\r\n") {
		return inbox.Errorf(inbox.EInvalid, "name has at most %d characters on one line", maxName)
	}
	return nil
}
