// Package chat is the website chat channel kind: a widget the team's site embeds with one
// <script> tag, whose visitors' messages become conversations answered live from the inbox.
// Its settings (Settings: colour, header, welcome message, availability and what the visitor
// sees in each state, allowed origins, consent, identity verification) are kept as one JSON
// value; the identity secret is sealed with the channel's secrets. The availability engine is
// package chatavail, the visitor API package chatapi, the widget package chatwidget.
package chat

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/inbox"
)

// SettingChat is the key of the settings JSON in inbox.Channel.Settings.
const SettingChat = "chat"

// SecretIdentity is the secret of identity verification: a visitor's hash is
// HMAC-SHA256(id, secret), hex.
const SecretIdentity = "identitySecret"

// SecretVisitorKey signs the channel's visitor tokens; made with the channel, never shown.
const SecretVisitorKey = "visitorKey"

// MaxText is the most characters of one chat message, either way.
const MaxText = 5000

// Paths of the widget and the visitor API; {channelId} is the chat channel.
const (
	LoaderPath = "/chat/loader.js"
	FramePath  = "/chat/{channelId}/frame"
	APIPrefix  = "/chat/{channelId}"
)

// Kind is the website chat channel.
var Kind = channel.Kind{
	Type: inbox.ChannelChat, Label: "Website chat", SettingsField: "chat",
	Settings:        settings,
	DefaultName:     func(ch inbox.Channel) string { return "Website chat" },
	ProviderKeyName: "this chat",
	Reply:           reply,
	Threads:         channel.ThreadByContact,
	Sender:          channel.SenderChat,
	// Visitors who leave an address get replies by email and their answers thread back.
	EmailReplies: true,
	Embed:        Snippet,
}

// input is the settings object of the API: the settings, and a request for a new identity
// secret.
type input struct {
	Settings
	// NewIdentitySecret makes (or replaces) the identity secret, shown once in the answer.
	NewIdentitySecret bool `json:"newIdentitySecret"`
}

func settings(ch *inbox.Channel, raw json.RawMessage, env channel.Env) error {
	s, err := Of(*ch)
	if err != nil {
		return err
	}
	in := input{Settings: s}
	if raw != nil {
		if err := channel.Decode("chat", raw, &in); err != nil {
			return err
		}
	}
	s = in.Settings
	s.Color = strings.ToLower(s.Color)
	s.WelcomeMessage = strings.TrimSpace(s.WelcomeMessage)
	s.ConsentText = strings.TrimSpace(s.ConsentText)
	s.normalizeLanguages()
	if err := s.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return inbox.Wrap(err, inbox.EInternal, "chat settings could not be encoded")
	}
	if env.Creating {
		ch.ProviderKey = ch.ID
	}
	if ch.Settings == nil {
		ch.Settings = map[string]string{}
	}
	if ch.Secrets == nil {
		ch.Secrets = map[string]string{}
	}
	if ch.Secrets[SecretVisitorKey] == "" {
		if ch.Secrets[SecretVisitorKey], err = randomKey(env); err != nil {
			return err
		}
	}
	if in.NewIdentitySecret || (s.IdentityVerification && ch.Secrets[SecretIdentity] == "") {
		if ch.Secrets[SecretIdentity], err = randomKey(env); err != nil {
			return err
		}
		if env.Reveal != nil {
			env.Reveal(SecretIdentity, ch.Secrets[SecretIdentity])
		}
	}
	ch.Settings[SettingChat] = string(b)
	return nil
}

// randomKey makes a secret of at least 24 random bytes from the API's id generator. It returns
// an EInternal error when the generator gives too little.
func randomKey(env channel.Env) (string, error) {
	key, err := hex.DecodeString(env.NewID() + env.NewID())
	if err != nil || len(key) < 24 {
		return "", inbox.Errorf(inbox.EInternal, "no random key for the chat's secrets")
	}
	return base64.RawURLEncoding.EncodeToString(key), nil
}

func reply(c inbox.Conversation, r channel.Reply, _ time.Time) error {
	if r.Template != nil {
		return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
	}
	if channel.Blank(r.Text) && len(r.Attachments) == 0 {
		return inbox.Errorf(inbox.EInvalid, "text or an attachment is required")
	}
	if utf8.RuneCountInString(r.Text) > MaxText {
		return inbox.Errorf(inbox.EInvalid, "a chat message has at most %d characters", MaxText)
	}
	return nil
}

// Snippet is the embed code of chat channel ch served from base: one <script> tag.
func Snippet(base string, ch inbox.Channel) string {
	base = strings.TrimRight(base, "/")
	return `<script src="` + html.EscapeString(base+LoaderPath) + `" data-channel="` + html.EscapeString(ch.ID) + `" async></script>`
}
