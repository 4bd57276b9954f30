// Package custom is the custom channel kind: any messaging app an integrator bridges through
// the API (Telegram, LINE, Slack, an in-house chat). The integrator posts messages and delivery
// statuses to the channel's ingest URL and receives replies at its own webhook URL, both signed
// the Standard Webhooks way (package stdwebhook) with the channel's signing secret; the channel
// declares what the app can carry (identifier, threading, text length, attachments) and whether
// agents may start conversations. The intake is in package intake, the sender in customhook.
package custom

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/inbox"
)

// Secret names of a custom channel: the signing secret, and during a rotation the previous one
// (with the time its overlap ends in the settings, SettingPreviousUntil).
const (
	SecretSigning         = "signingSecret"
	SecretPreviousSigning = "previousSigningSecret"
)

// Public settings of a custom channel, kept in inbox.Channel.Settings.
const (
	SettingWebhookURL         = "webhookUrl"
	SettingIdentifier         = "identifier"
	SettingThreading          = "threading"
	SettingMaxText            = "maxText"
	SettingAttachmentTypes    = "attachmentTypes"
	SettingMaxAttachmentBytes = "maxAttachmentBytes"
	SettingMaxAttachments     = "maxAttachments"
	SettingAgentsStart        = "agentsStart"
	SettingPreviousUntil      = "previousSecretValidUntil"
)

// Identifier types: how the app names a person.
const (
	IdentifierPhone = "phone"
	IdentifierEmail = "email"
	IdentifierID    = "id"
)

// Threading modes: one open conversation per person, or one per thread id of the app.
const (
	ThreadByIdentifier = "identifier"
	ThreadByThread     = "thread"
)

// Defaults and bounds of the capabilities.
const (
	DefaultMaxText            = 4096
	MaxMaxText                = 65536
	DefaultMaxAttachmentBytes = 25 << 20
	MaxMaxAttachmentBytes     = 100 << 20
	DefaultMaxAttachments     = 10
	MaxMaxAttachments         = 20
	// DefaultOverlap is how long the previous signing secret keeps verifying after a rotation;
	// MaxOverlap bounds what the admin may ask.
	DefaultOverlap = 24 * time.Hour
	MaxOverlap     = 7 * 24 * time.Hour
)

// allTypes are the attachment types a custom channel may carry.
var allTypes = []string{string(inbox.AttachImage), string(inbox.AttachAudio), string(inbox.AttachVideo), string(inbox.AttachFile)}

// Kind is the custom channel.
var Kind = channel.Kind{
	Type: inbox.ChannelCustom, Label: "Custom channel", SettingsField: "custom",
	Settings:        settings,
	DefaultName:     func(ch inbox.Channel) string { return "Custom channel" },
	WebhookPath:     "/webhooks/custom/{channelId}",
	ProviderKeyName: "this custom channel",
	Reply:           reply,
	ChannelRules:    true,
	Metadata:        true,
	Start:           start,
	Sender:          channel.SenderWebhook,
	Media:           channel.MediaURL,
}

type input struct {
	WebhookURL         *string  `json:"webhookUrl"`
	Identifier         string   `json:"identifier"`
	Threading          string   `json:"threading"`
	MaxText            *int     `json:"maxText"`
	AttachmentTypes    []string `json:"attachmentTypes"`
	MaxAttachmentBytes *int64   `json:"maxAttachmentBytes"`
	MaxAttachments     *int     `json:"maxAttachments"`
	AgentsStart        *bool    `json:"agentsStart"`
	// RotateSecret makes a new signing secret; the current one keeps verifying (and outbound
	// webhooks carry both signatures) for RotationOverlapSeconds (default a day).
	RotateSecret           bool `json:"rotateSecret"`
	RotationOverlapSeconds *int `json:"rotationOverlapSeconds"`
}

func settings(ch *inbox.Channel, raw json.RawMessage, env channel.Env) error {
	var in input
	if raw != nil {
		if err := channel.Decode("custom", raw, &in); err != nil {
			return err
		}
	}
	if env.Creating {
		if in.RotateSecret {
			return inbox.Errorf(inbox.EInvalid, "custom.rotateSecret is for existing channels")
		}
		ch.Settings = map[string]string{
			SettingIdentifier: IdentifierID, SettingThreading: ThreadByIdentifier,
			SettingMaxText: strconv.Itoa(DefaultMaxText), SettingAttachmentTypes: strings.Join(allTypes, ","),
			SettingMaxAttachmentBytes: strconv.Itoa(DefaultMaxAttachmentBytes),
			SettingMaxAttachments:     strconv.Itoa(DefaultMaxAttachments), SettingAgentsStart: "false",
		}
		// The channel id is unique: it is the channel's key at its "provider", the integrator.
		ch.ProviderKey = ch.ID
	}
	if ch.Settings == nil {
		ch.Settings = map[string]string{}
	}
	// Validate everything into a copy before changing the channel: a refused edit changes nothing.
	s := map[string]string{}
	for k, v := range ch.Settings {
		s[k] = v
	}
	if in.WebhookURL != nil {
		u := strings.TrimSpace(*in.WebhookURL)
		if u != "" && !IsWebhookURL(u) {
			return inbox.Errorf(inbox.EInvalid, "custom.webhookUrl must be an http(s) URL of at most 2048 characters")
		}
		s[SettingWebhookURL] = u
	}
	if env.Creating && s[SettingWebhookURL] == "" {
		return inbox.Errorf(inbox.EInvalid, "custom.webhookUrl is required: replies are posted there")
	}
	if !env.Creating && in.Identifier != "" && in.Identifier != s[SettingIdentifier] {
		return inbox.Errorf(inbox.EInvalid, "custom.identifier cannot change: contacts are known by it")
	}
	switch in.Identifier {
	case "":
	case IdentifierPhone, IdentifierEmail, IdentifierID:
		s[SettingIdentifier] = in.Identifier
	default:
		return inbox.Errorf(inbox.EInvalid, "custom.identifier must be phone, email or id")
	}
	switch in.Threading {
	case "":
	case ThreadByIdentifier, ThreadByThread:
		s[SettingThreading] = in.Threading
	default:
		return inbox.Errorf(inbox.EInvalid, "custom.threading must be identifier or thread")
	}
	if in.MaxText != nil {
		if *in.MaxText < 1 || *in.MaxText > MaxMaxText {
			return inbox.Errorf(inbox.EInvalid, "custom.maxText must be 1 to %d characters", MaxMaxText)
		}
		s[SettingMaxText] = strconv.Itoa(*in.MaxText)
	}
	if in.AttachmentTypes != nil {
		for _, t := range in.AttachmentTypes {
			if !slices.Contains(allTypes, t) {
				return inbox.Errorf(inbox.EInvalid, "custom.attachmentTypes may hold image, audio, video and file")
			}
		}
		s[SettingAttachmentTypes] = strings.Join(in.AttachmentTypes, ",")
	}
	if in.MaxAttachmentBytes != nil {
		if *in.MaxAttachmentBytes < 1 || *in.MaxAttachmentBytes > MaxMaxAttachmentBytes {
			return inbox.Errorf(inbox.EInvalid, "custom.maxAttachmentBytes must be 1 to %d", MaxMaxAttachmentBytes)
		}
		s[SettingMaxAttachmentBytes] = strconv.FormatInt(*in.MaxAttachmentBytes, 10)
	}
	if in.MaxAttachments != nil {
		if *in.MaxAttachments < 0 || *in.MaxAttachments > MaxMaxAttachments {
			return inbox.Errorf(inbox.EInvalid, "custom.maxAttachments must be 0 to %d", MaxMaxAttachments)
		}
		s[SettingMaxAttachments] = strconv.Itoa(*in.MaxAttachments)
	}
	if in.AgentsStart != nil {
		s[SettingAgentsStart] = strconv.FormatBool(*in.AgentsStart)
	}
	overlap := DefaultOverlap
	if in.RotationOverlapSeconds != nil {
		if !in.RotateSecret {
			return inbox.Errorf(inbox.EInvalid, "custom.rotationOverlapSeconds goes with rotateSecret")
		}
		overlap = time.Duration(*in.RotationOverlapSeconds) * time.Second
		if overlap < 0 || overlap > MaxOverlap {
			return inbox.Errorf(inbox.EInvalid, "custom.rotationOverlapSeconds must be 0 to %d", int(MaxOverlap/time.Second))
		}
	}
	secret := ""
	if env.Creating || in.RotateSecret {
		key, err := hex.DecodeString(env.NewID() + env.NewID())
		if err != nil || len(key) < 24 {
			return inbox.Errorf(inbox.EInternal, "no random key for the signing secret")
		}
		secret = "whsec_" + base64.StdEncoding.EncodeToString(key)
	}
	ch.Settings = s
	if secret == "" {
		return nil
	}
	if !env.Creating {
		ch.Secrets[SecretPreviousSigning] = ch.Secrets[SecretSigning]
		ch.Settings[SettingPreviousUntil] = env.Now.UTC().Add(overlap).Format(time.RFC3339)
	}
	ch.Secrets[SecretSigning] = secret
	if env.Reveal != nil {
		env.Reveal(SecretSigning, secret)
	}
	return nil
}

// IsWebhookURL reports whether s can be the integrator's webhook: an absolute http(s) URL.
func IsWebhookURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && len(s) <= 2048 && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// Secrets are the signing secrets that verify at now: the current one, and the previous one
// while its overlap lasts.
func Secrets(ch inbox.Channel, now time.Time) []string {
	out := []string{ch.Secrets[SecretSigning]}
	if prev := ch.Secrets[SecretPreviousSigning]; prev != "" {
		if until, err := time.Parse(time.RFC3339, ch.Settings[SettingPreviousUntil]); err == nil && now.Before(until) {
			out = append(out, prev)
		}
	}
	return out
}

// Limits are a channel's capabilities as numbers.
type Limits struct {
	MaxText            int
	AttachmentTypes    []inbox.AttachmentType
	MaxAttachmentBytes int64
	MaxAttachments     int
}

// LimitsOf reads ch's capabilities, with the defaults for settings it lacks.
func LimitsOf(ch inbox.Channel) Limits {
	l := Limits{MaxText: DefaultMaxText, MaxAttachmentBytes: DefaultMaxAttachmentBytes, MaxAttachments: DefaultMaxAttachments}
	if n, err := strconv.Atoi(ch.Settings[SettingMaxText]); err == nil {
		l.MaxText = n
	}
	if n, err := strconv.ParseInt(ch.Settings[SettingMaxAttachmentBytes], 10, 64); err == nil {
		l.MaxAttachmentBytes = n
	}
	if n, err := strconv.Atoi(ch.Settings[SettingMaxAttachments]); err == nil {
		l.MaxAttachments = n
	}
	types, ok := ch.Settings[SettingAttachmentTypes]
	if !ok {
		types = strings.Join(allTypes, ",")
	}
	for _, t := range strings.Split(types, ",") {
		if t != "" {
			l.AttachmentTypes = append(l.AttachmentTypes, inbox.AttachmentType(t))
		}
	}
	return l
}

// CheckAttachments checks attachments of the given types against l. It returns an EInvalid
// error naming the first one refused.
func (l Limits) CheckAttachments(types []inbox.AttachmentType) error {
	if len(types) > l.MaxAttachments {
		return inbox.Errorf(inbox.EInvalid, "this channel carries at most %d attachments", l.MaxAttachments)
	}
	for _, t := range types {
		if !slices.Contains(l.AttachmentTypes, t) {
			return inbox.Errorf(inbox.EInvalid, "this channel does not carry %s attachments", t)
		}
	}
	return nil
}

func reply(_ inbox.Conversation, r channel.Reply, _ time.Time) error {
	if r.Template != nil {
		return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
	}
	if channel.Blank(r.Text) && len(r.Attachments) == 0 {
		return inbox.Errorf(inbox.EInvalid, "text or an attachment is required")
	}
	if r.Channel == nil {
		return inbox.Errorf(inbox.EInternal, "the channel's limits are unknown")
	}
	l := LimitsOf(*r.Channel)
	if utf8.RuneCountInString(r.Text) > l.MaxText {
		return inbox.Errorf(inbox.EInvalid, "a text on this channel has at most %d characters", l.MaxText)
	}
	if len(r.Metadata) > MaxMetadata {
		return inbox.Errorf(inbox.EInvalid, "metadata is larger than %d bytes", MaxMetadata)
	}
	return l.CheckAttachments(r.Attachments)
}

// MaxMetadata is the largest metadata object (as JSON) a message carries either way.
const MaxMetadata = 4 << 10

// start lets agents start a conversation when the channel allows it, with a contact address of
// the channel's identifier type.
func start(ch inbox.Channel, to inbox.Contact) (inbox.Contact, error) {
	if ch.Settings[SettingAgentsStart] != "true" {
		return inbox.Contact{}, inbox.Errorf(inbox.EInvalid, "this custom channel does not let agents start conversations (custom.agentsStart)")
	}
	out := inbox.Contact{Name: to.Name}
	switch ch.Settings[SettingIdentifier] {
	case IdentifierPhone:
		if !channel.IsE164(to.Phone) {
			return inbox.Contact{}, inbox.Errorf(inbox.EInvalid, "to.phone must be in E.164 form on this channel")
		}
		out.Phone = to.Phone
	case IdentifierEmail:
		addr := strings.ToLower(strings.TrimSpace(to.Email))
		if local, domain, ok := strings.Cut(addr, "@"); !ok || local == "" || !strings.Contains(domain, ".") {
			return inbox.Contact{}, inbox.Errorf(inbox.EInvalid, "to.email must be an email address on this channel")
		}
		out.Email = addr
	default:
		if err := CheckID(to.PSID); err != nil {
			return inbox.Contact{}, inbox.Errorf(inbox.EInvalid, "to.id: %s", inbox.ErrorMessage(err))
		}
		out.PSID = ContactID(ch, to.PSID)
	}
	return out, nil
}

// ContactID is how the router stores an app's person id (Contact.PSID): scoped to the channel,
// since two apps may use the same ids. PersonID reverses it ("" for another channel's).
func ContactID(ch inbox.Channel, id string) string { return ch.ID + ":" + id }

// PersonID is the app's person id of a contact's stored id, "" when it is not this channel's.
func PersonID(ch inbox.Channel, stored string) string {
	id, ok := strings.CutPrefix(stored, ch.ID+":")
	if !ok {
		return ""
	}
	return id
}

// CheckID checks an app's opaque person id: 1 to 256 printable characters without spaces. It
// returns an EInvalid error otherwise.
func CheckID(id string) error {
	if id == "" || len(id) > 256 || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return inbox.Errorf(inbox.EInvalid, "the person's id must be 1 to 256 characters without spaces")
	}
	return nil
}
