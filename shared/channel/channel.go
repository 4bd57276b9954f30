// Package channel is the seam of channel types: what only one kind of channel knows — its
// settings input and their validation, its secrets and provider key, its webhook URLs, its reply
// rules and limits, its display label and how its conversations thread — is a Kind, and every
// other package asks a channel's Kind (through the registry, package channels) instead of
// switching on its type.
//
// The package imports nothing but the domain, and neither do the kinds (shared/channels/<name>):
// every function links all of them, so they stay small, and heavy work (HTML sanitizing, for
// one) comes in through Env from the package that already links it.
package channel

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// Kind is everything only one type of channel knows. Funcs left nil mean "nothing to do".
type Kind struct {
	Type inbox.ChannelType
	// Label is how people call the type ("Facebook Messenger"), in sentences of notifications.
	Label string
	// SettingsField is the API field of the channel's settings object ("twilio" for sms).
	SettingsField string
	// Settings fills ch's settings, secrets and provider key from its settings object (nil when
	// the request has none). Creating, every setting the channel needs is required; editing,
	// what is left out is kept, and provider ids cannot change (a channel moves to another
	// number or page by being disconnected and connected again). It returns an EInvalid error
	// for a missing or malformed setting.
	Settings func(ch *inbox.Channel, in json.RawMessage, env Env) error
	// DefaultName is the channel's name when the admin gives none.
	DefaultName func(ch inbox.Channel) string
	// WebhookPath is the route of the provider's calls, with {channelId} ("" for none: email
	// arrives through SES); StatusPath the route of delivery status callbacks, if separate.
	WebhookPath string
	StatusPath  string
	// ProviderKeyName names the provider key in errors ("this Facebook page").
	ProviderKeyName string
	// Reply checks an agent's reply against what the channel can send now; the reply's
	// attachments have already been checked one by one. It returns an EInvalid error saying why
	// not.
	Reply func(c inbox.Conversation, r Reply, now time.Time) error
	// HTML says replies may carry HTML.
	HTML bool
	// AttachesFiles says the sender attaches uploaded files from storage; otherwise the
	// provider downloads them from a short-lived link.
	AttachesFiles bool
	// Threads is how inbound messages find their conversation.
	Threads Threading
	// ChannelRules says Reply needs the channel itself (Reply.Channel): its limits are the
	// channel's settings, not the kind's (custom channels declare their own).
	ChannelRules bool
	// Metadata says replies may carry the API client's metadata (Reply.Metadata), which the
	// sender hands on to the provider.
	Metadata bool
	// Start checks that agents may start a conversation on channel ch (POST /v1/conversations)
	// and that to, the contact's address (PSID holding the app's own id of the person), is one
	// the channel can send to; it returns the contact's addresses as the router stores them.
	// Nil means conversations start only when the customer writes. It returns an EInvalid error
	// saying why not.
	Start func(ch inbox.Channel, to inbox.Contact) (inbox.Contact, error)
	// EmailReplies says the channel has no way back of its own: replies go out by email through
	// the inbox's team email channel, and the customer's email answers (found by the reply
	// token) thread back into the channel's conversation (web forms).
	EmailReplies bool
	// Sender names the provider that sends the kind's replies (SenderTwilio…): the dispatch
	// function builds one sender per provider and finds a channel's through its kind, so a kind
	// served by a provider already there adds nothing to it. "" when replies cannot be sent.
	Sender string
	// Media names how the kind's inbound media is copied into storage (MediaURL…): the media
	// function builds one source per name and finds a message's through its kind. "" when the
	// kind's messages carry no provider media to copy.
	Media string
	// Preview shows what a reply by agent on channel ch would carry (email: the From name and
	// address and the signature), for the API's preview; nil for kinds without one. It returns
	// an EInvalid error when the channel cannot show one.
	Preview func(ch inbox.Channel, agent Agent, env Env) (Preview, error)
	// Embed is the code to paste into a website for channel ch served from base (chat: one
	// <script> tag), shown in the API's view of the channel; nil for kinds without one.
	Embed func(base string, ch inbox.Channel) string
	// Acknowledge is the message the router sends, as the conversation's first reply, when an
	// inbound message opens a new conversation on channel ch (a form's acknowledgement email);
	// ok is false when the channel sends none. lang is the language of the person it goes to
	// (a catalogue tag; "" when unknown). Nil for kinds that never do.
	Acknowledge func(ch inbox.Channel, lang string) (subject, text string, ok bool)
}

// Senders of replies, by provider (Kind.Sender).
const (
	// SenderTwilio sends through Twilio's Messages API.
	SenderTwilio = "twilio"
	// SenderTwilioCalls places calls through Twilio's Calls API (click to call on voice channels).
	SenderTwilioCalls = "twilio-calls"
	// SenderGraph sends through Meta's Graph API (Messenger's Send API, WhatsApp Cloud API).
	SenderGraph = "graph"
	// SenderSES sends mail through Amazon SES.
	SenderSES = "ses"
	// SenderWebhook posts replies, signed, to the channel's own webhook URL (custom channels).
	SenderWebhook = "webhook"
	// SenderInboxEmail sends replies by email through the inbox's team email channel (kinds
	// with EmailReplies: web forms).
	SenderInboxEmail = "inbox-email"
	// SenderChat delivers replies to a website chat's visitor: stored, pushed to the widget,
	// and mailed when the visitor left an address and is gone.
	SenderChat = "chat"
)

// Sources of inbound media (Kind.Media).
const (
	// MediaURL downloads the attachment's URL (Messenger's CDN links, custom channels' files).
	MediaURL = "url"
	// MediaWhatsApp looks the attachment's media id up in the Graph API, then downloads it with
	// the channel's token.
	MediaWhatsApp = "whatsapp"
	// MediaTwilio downloads a Twilio recording with the account's credentials (calls' recordings
	// and voicemails).
	MediaTwilio = "twilio"
)

// Agent is who a previewed reply is from: the names a signature may use.
type Agent struct {
	FullName, FirstName, LastName string
}

// Preview is what a reply would carry: the From name and address, and the signature (HTML,
// sanitized).
type Preview struct {
	FromName, FromAddress, SignatureHTML string
}

// Threading is how an inbound message finds its conversation.
type Threading int

const (
	// ThreadByContact keeps one open conversation per contact and channel (chat, SMS).
	ThreadByContact Threading = iota
	// ThreadByReference follows the message's references (mail's In-Reply-To and References):
	// each thread is its own conversation, and bounces find the message they bounce.
	ThreadByReference
)

// Env is what Settings may need from the API.
type Env struct {
	// Creating is true for a new channel, false for an edit.
	Creating bool
	// NewID makes a random id (verify tokens, forwarding addresses).
	NewID func() string
	// InboundEmailDomain is the deployment's SES receiving domain ("" for none).
	InboundEmailDomain string
	// SanitizeHTML makes user HTML safe to show (htmlsafe.Sanitize).
	SanitizeHTML func(string) string
	// FromName and RenderSignature make a mail's From name and signature for an agent
	// (mail.FromName, htmlsafe.RenderSignature), for Preview.
	FromName        func(mode, agentName, company string) string
	RenderSignature func(htmlSig, fullName, firstName, lastName string) string
	// Now is the time of the request (secret rotations count their overlap from it).
	Now time.Time
	// Reveal shows a secret the kind generated (a signing secret the integrator must copy) in
	// the answer to this request, and only there: secrets are never shown again. Nil drops it.
	Reveal func(name, value string)
}

// Reply is an agent's reply as the channel rules see it.
type Reply struct {
	Text        string
	HTML        string
	Attachments []inbox.AttachmentType
	Template    *inbox.Template
	// Metadata is the API client's metadata for the provider (kinds with Metadata).
	Metadata string
	// Channel is the conversation's channel, for kinds with ChannelRules (nil otherwise).
	Channel *inbox.Channel
}

// WebhookURL is the URL of path for channel id on base ("" when path is).
func WebhookURL(base, path, id string) string {
	if path == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + strings.Replace(path, "{channelId}", id, 1)
}

// Decode reads a settings object into v, refusing unknown fields like the rest of the API. It
// returns an EInvalid error naming field when in is not valid JSON for v.
func Decode(field string, in json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return inbox.Wrap(err, inbox.EInvalid, field+" is not valid JSON for this endpoint: "+err.Error())
	}
	return nil
}

// Required checks that a required setting is given and not too long, returning an EInvalid
// error naming field otherwise.
func Required(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return inbox.Errorf(inbox.EInvalid, "%s is required", field)
	}
	if len(v) > 4096 {
		return inbox.Errorf(inbox.EInvalid, "%s is too long", field)
	}
	return nil
}

// Secret stores secret name from field v: required when creating, kept when left out of an
// edit.
func Secret(ch *inbox.Channel, env Env, name, field, v string) error {
	if v == "" && !env.Creating {
		return nil
	}
	if err := Required(field, v); err != nil {
		return err
	}
	ch.Secrets[name] = v
	return nil
}

// Keep refuses a change of provider id field (old to v) in an edit.
func Keep(env Env, field, old, v string) error {
	if !env.Creating && v != "" && v != old {
		return inbox.Errorf(inbox.EInvalid, "%s cannot change: disconnect the channel and connect the new one", field)
	}
	return nil
}

// VerifyToken keeps the admin's verify token or makes one: it only has to match what is pasted
// into the provider's dashboard.
func VerifyToken(env Env, given string) string {
	if given != "" {
		return given
	}
	return env.NewID()
}

// IsE164 reports whether s is a phone number in E.164 form (+14155550100).
func IsE164(s string) bool {
	return len(s) >= 8 && len(s) <= 16 && s[0] == '+' && s[1] != '0' && IsDigits(s[1:], 15)
}

// IsTwilioAccountSID reports whether s is a Twilio account SID: AC and 32 hex digits (the SMS
// and voice channels' accountSid).
func IsTwilioAccountSID(s string) bool {
	if len(s) != 34 || s[:2] != "AC" {
		return false
	}
	for _, c := range s[2:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// IsDigits reports whether s is 1 to max ASCII digits.
func IsDigits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Blank reports whether s is empty or only white space.
func Blank(s string) bool { return strings.TrimSpace(s) == "" }
