// Package voice is the calling channel kind (a Twilio number taking phone calls): its settings
// (recording with a consent notice, transcription, greeting, closed message, voicemail, ring
// timeout, opening hours), its webhook routes and its reply rule (calls are placed with
// POST /v1/conversations/{id}/calls, never sent as text). The Twilio Voice codec and TwiML are
// in package twilio, the webhook handler in package intake.
//
// A voice channel may use the number of an SMS channel: provider keys are unique per type, so
// the number's "A message comes in" webhook points at the SMS channel and its "A call comes in"
// webhook at the voice channel, and a customer's texts and calls meet in the same contact.
package voice

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/inbox"
)

// SecretSigningKey is the secret of a Twilio SharedKey: with a Webhooks Rule that signs this
// channel's URLs with HMAC-SHA256, Twilio signs with it instead of the auth token.
const SecretSigningKey = "twilioSigningKey"

// Defaults of the settings an admin leaves out.
const (
	DefaultConsentNotice = "This call may be recorded for quality and training purposes."
	DefaultClosedMessage = "Sorry, nobody can take your call right now. Please leave a message after the tone."
	DefaultRingTimeout   = 20
	// MaxRinging is how many agents' phones ring at once (Twilio's limit of <Number> nouns in
	// one <Dial>).
	MaxRinging = 10
	// maxSpoken is the longest text Twilio's <Say> is given.
	maxSpoken = 1000
)

// Kind is the calling channel.
var Kind = channel.Kind{
	Type: inbox.ChannelVoice, Label: "phone call", SettingsField: "voice",
	Settings:        settings,
	DefaultName:     func(ch inbox.Channel) string { return "Calls " + ch.Twilio.PhoneNumber },
	WebhookPath:     "/webhooks/voice/{channelId}",
	StatusPath:      "/webhooks/voice/{channelId}/status",
	ProviderKeyName: "this phone number",
	Sender:          channel.SenderTwilioCalls,
	Media:           channel.MediaTwilio,
	Reply: func(inbox.Conversation, channel.Reply, time.Time) error {
		return inbox.Errorf(inbox.EInvalid, "a calling channel takes no text replies: call the contact with POST /v1/conversations/{id}/calls")
	},
}

// Settings are a voice channel's call handling settings, with defaults applied.
type Settings struct {
	Recording     bool
	ConsentNotice string
	Transcription bool
	Greeting      string
	ClosedMessage string
	Voicemail     bool
	RingTimeout   int
	// TimeZone and Hours are the opening hours; no Hours: always open.
	TimeZone string
	Hours    []inbox.WorkingHours
}

// Read returns the settings stored on voice channel ch.
func Read(ch inbox.Channel) Settings {
	m := ch.Settings
	s := Settings{
		Recording: m["recording"] == "true", ConsentNotice: m["consentNotice"],
		Transcription: m["transcription"] == "true", Greeting: m["greeting"],
		ClosedMessage: m["closedMessage"], Voicemail: m["voicemail"] != "false",
		TimeZone: m["timeZone"], RingTimeout: DefaultRingTimeout,
	}
	if n, err := strconv.Atoi(m["ringTimeout"]); err == nil && n > 0 {
		s.RingTimeout = n
	}
	if s.ConsentNotice == "" {
		s.ConsentNotice = DefaultConsentNotice
	}
	if s.ClosedMessage == "" {
		s.ClosedMessage = DefaultClosedMessage
	}
	if h := m["hours"]; h != "" {
		_ = json.Unmarshal([]byte(h), &s.Hours)
	}
	return s
}

// Open reports whether the channel's opening hours include now: always without hours; else
// when now, on the wall clock of TimeZone (UTC when empty), falls in one of the ranges
// (start inclusive, end exclusive, "24:00" for the end of the day).
func (s Settings) Open(now time.Time) bool {
	if len(s.Hours) == 0 {
		return true
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	minute := local.Hour()*60 + local.Minute()
	for _, h := range s.Hours {
		start, ok1 := clock(h.Start)
		end, ok2 := clock(h.End)
		if ok1 && ok2 && h.Day == local.Weekday() && start <= minute && minute < end {
			return true
		}
	}
	return false
}

// clock parses "HH:MM" (up to "24:00") into minutes since midnight.
func clock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' || !channel.IsDigits(s[:2], 2) || !channel.IsDigits(s[3:], 2) {
		return 0, false
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

type input struct {
	AccountSID    string                `json:"accountSid"`
	AuthToken     string                `json:"authToken"`
	PhoneNumber   string                `json:"phoneNumber"`
	SigningKey    string                `json:"signingKey"`
	Recording     *bool                 `json:"recording"`
	ConsentNotice *string               `json:"consentNotice"`
	Transcription *bool                 `json:"transcription"`
	Greeting      *string               `json:"greeting"`
	ClosedMessage *string               `json:"closedMessage"`
	Voicemail     *bool                 `json:"voicemail"`
	RingTimeout   *int                  `json:"ringTimeout"`
	TimeZone      *string               `json:"timeZone"`
	Hours         *[]inbox.WorkingHours `json:"hours"`
}

func settings(ch *inbox.Channel, raw json.RawMessage, env channel.Env) error {
	if raw == nil {
		if env.Creating {
			return inbox.Errorf(inbox.EInvalid, "voice settings are required for a voice channel")
		}
		return nil
	}
	var in input
	if err := channel.Decode("voice", raw, &in); err != nil {
		return err
	}
	// Everything is checked before anything is set: a refused edit changes nothing.
	current := ""
	if ch.Twilio != nil {
		current = ch.Twilio.PhoneNumber
	}
	if err := in.check(env, current); err != nil {
		return err
	}
	if env.Creating {
		ch.Twilio = &inbox.TwilioConfig{AccountSID: in.AccountSID, PhoneNumber: in.PhoneNumber}
		ch.ProviderKey = in.PhoneNumber
	} else if in.AccountSID != "" {
		ch.Twilio.AccountSID = in.AccountSID
	}
	if ch.Settings == nil {
		ch.Settings = map[string]string{}
	}
	set := func(k string, v *string) {
		if v != nil {
			ch.Settings[k] = strings.TrimSpace(*v)
		}
	}
	flag := func(k string, v *bool) {
		if v != nil {
			ch.Settings[k] = strconv.FormatBool(*v)
		}
	}
	flag("recording", in.Recording)
	set("consentNotice", in.ConsentNotice)
	flag("transcription", in.Transcription)
	set("greeting", in.Greeting)
	set("closedMessage", in.ClosedMessage)
	flag("voicemail", in.Voicemail)
	if in.RingTimeout != nil {
		ch.Settings["ringTimeout"] = strconv.Itoa(*in.RingTimeout)
	}
	set("timeZone", in.TimeZone)
	if in.Hours != nil {
		b, _ := json.Marshal(*in.Hours)
		ch.Settings["hours"] = string(b)
		if len(*in.Hours) == 0 {
			delete(ch.Settings, "hours")
		}
	}
	if in.SigningKey != "" {
		ch.Secrets[SecretSigningKey] = in.SigningKey
	}
	return channel.Secret(ch, env, inbox.SecretTwilioAuthToken, "voice.authToken", in.AuthToken)
}

// check validates in without changing anything; phone is the channel's number when editing.
func (in input) check(env channel.Env, phone string) error {
	if env.Creating {
		if !channel.IsTwilioAccountSID(in.AccountSID) {
			return inbox.Errorf(inbox.EInvalid, "voice.accountSid must be AC followed by 32 hex digits")
		}
		if !channel.IsE164(in.PhoneNumber) {
			return inbox.Errorf(inbox.EInvalid, "voice.phoneNumber must be in E.164 form, like +14155550100")
		}
		if err := channel.Required("voice.authToken", in.AuthToken); err != nil {
			return err
		}
	} else {
		if err := channel.Keep(env, "voice.phoneNumber", phone, in.PhoneNumber); err != nil {
			return err
		}
		if in.AccountSID != "" && !channel.IsTwilioAccountSID(in.AccountSID) {
			return inbox.Errorf(inbox.EInvalid, "voice.accountSid must be AC followed by 32 hex digits")
		}
	}
	for name, v := range map[string]*string{"consentNotice": in.ConsentNotice, "greeting": in.Greeting, "closedMessage": in.ClosedMessage} {
		if v != nil && utf8.RuneCountInString(*v) > maxSpoken {
			return inbox.Errorf(inbox.EInvalid, "voice.%s has at most %d characters", name, maxSpoken)
		}
	}
	if in.RingTimeout != nil && (*in.RingTimeout < 5 || *in.RingTimeout > 60) {
		return inbox.Errorf(inbox.EInvalid, "voice.ringTimeout is 5 to 60 seconds")
	}
	if in.TimeZone != nil && *in.TimeZone != "" {
		if _, err := time.LoadLocation(*in.TimeZone); err != nil {
			return inbox.Errorf(inbox.EInvalid, "voice.timeZone %q is not an IANA time zone", *in.TimeZone)
		}
	}
	if in.Hours != nil {
		for _, h := range *in.Hours {
			start, ok1 := clock(h.Start)
			end, ok2 := clock(h.End)
			if h.Day < time.Sunday || h.Day > time.Saturday || !ok1 || !ok2 || start >= end || start == 24*60 {
				return inbox.Errorf(inbox.EInvalid, "voice.hours: each range is {day: 0 (Sunday) to 6, start: \"HH:MM\", end: \"HH:MM\" after start}")
			}
		}
	}
	if len(in.SigningKey) > 4096 {
		return inbox.Errorf(inbox.EInvalid, "voice.signingKey is too long")
	}
	return nil
}
