package chatapi

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatconfig"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

// ConfigView is GET config's answer (chatconfig.View), Person and Consent its parts.
type (
	ConfigView = chatconfig.View
	Person     = chatconfig.Person
	Consent    = chatconfig.Consent
)

func (a *api) config(r *http.Request, c *call) (int, any, error) {
	v, err := chatconfig.Build(r.Context(), a.Store, c.ch, c.set, Language(c.set, r.URL.Query().Get("lang")), c.now, a.LiveURL, "")
	if err != nil {
		return 0, nil, err
	}
	v.Files = a.filesView()
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
