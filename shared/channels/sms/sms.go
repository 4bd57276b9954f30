// Package sms is the SMS channel kind (Twilio numbers): its settings, webhook routes and reply
// limits. The Twilio codec and sender are in package twilio.
package sms

import (
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/inbox"
)

// MaxText is the longest SMS reply Twilio accepts (1,600 characters).
const MaxText = 1600

// MaxMedia is how many attachments one MMS carries.
const MaxMedia = 10

// Kind is the SMS channel.
var Kind = channel.Kind{
	Type: inbox.ChannelSMS, Label: "SMS", SettingsField: "twilio",
	Settings:        settings,
	DefaultName:     func(ch inbox.Channel) string { return "SMS " + ch.Twilio.PhoneNumber },
	WebhookPath:     "/webhooks/twilio/{channelId}",
	StatusPath:      "/webhooks/twilio/{channelId}/status",
	ProviderKeyName: "this phone number",
	Reply:           reply,
	Sender:          channel.SenderTwilio,
}

type input struct {
	AccountSID  string `json:"accountSid"`
	AuthToken   string `json:"authToken"`
	PhoneNumber string `json:"phoneNumber"`
}

func settings(ch *inbox.Channel, raw json.RawMessage, env channel.Env) error {
	if raw == nil {
		if env.Creating {
			return inbox.Errorf(inbox.EInvalid, "twilio settings are required for an sms channel")
		}
		return nil
	}
	var t input
	if err := channel.Decode("twilio", raw, &t); err != nil {
		return err
	}
	if env.Creating {
		if !channel.IsTwilioAccountSID(t.AccountSID) {
			return inbox.Errorf(inbox.EInvalid, "twilio.accountSid must be AC followed by 32 hex digits")
		}
		if !channel.IsE164(t.PhoneNumber) {
			return inbox.Errorf(inbox.EInvalid, "twilio.phoneNumber must be in E.164 form, like +14155550100")
		}
		ch.Twilio = &inbox.TwilioConfig{AccountSID: t.AccountSID, PhoneNumber: t.PhoneNumber}
		ch.ProviderKey = t.PhoneNumber
	}
	if err := channel.Keep(env, "twilio.phoneNumber", ch.Twilio.PhoneNumber, t.PhoneNumber); err != nil {
		return err
	}
	if !env.Creating && t.AccountSID != "" {
		if !channel.IsTwilioAccountSID(t.AccountSID) {
			return inbox.Errorf(inbox.EInvalid, "twilio.accountSid must be AC followed by 32 hex digits")
		}
		ch.Twilio.AccountSID = t.AccountSID
	}
	return channel.Secret(ch, env, inbox.SecretTwilioAuthToken, "twilio.authToken", t.AuthToken)
}

func reply(_ inbox.Conversation, r channel.Reply, _ time.Time) error {
	if r.Template != nil {
		return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
	}
	if channel.Blank(r.Text) && len(r.Attachments) == 0 {
		return inbox.Errorf(inbox.EInvalid, "text is required")
	}
	if utf8.RuneCountInString(r.Text) > MaxText {
		return inbox.Errorf(inbox.EInvalid, "an SMS reply has at most %d characters", MaxText)
	}
	if len(r.Attachments) > MaxMedia {
		return inbox.Errorf(inbox.EInvalid, "an MMS carries at most 10 attachments")
	}
	return nil
}
