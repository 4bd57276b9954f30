// Package whatsapp is the WhatsApp channel kind (a WhatsApp Business number): its settings,
// webhook route and reply rules, among them the 24-hour customer service window. The Cloud API
// codec and sender are in package meta.
package whatsapp

import (
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/inbox"
)

// MaxText is the longest WhatsApp text.
const MaxText = 4096

// Window is WhatsApp's customer service window: free-form messages are allowed for 24 hours
// after the customer's last message; approved templates at any time.
const Window = 24 * time.Hour

// Kind is the WhatsApp channel.
var Kind = channel.Kind{
	Type: inbox.ChannelWhatsApp, Label: "WhatsApp", SettingsField: "whatsapp",
	Settings:        settings,
	DefaultName:     func(ch inbox.Channel) string { return "WhatsApp " + ch.WhatsApp.DisplayNumber },
	WebhookPath:     "/webhooks/whatsapp/{channelId}",
	ProviderKeyName: "this WhatsApp phone number",
	Reply:           reply,
	Sender:          channel.SenderGraph,
	Media:           channel.MediaWhatsApp,
}

type input struct {
	WABAID        string `json:"wabaId"`
	PhoneNumberID string `json:"phoneNumberId"`
	DisplayNumber string `json:"displayNumber"`
	AccessToken   string `json:"accessToken"`
	AppSecret     string `json:"appSecret"`
	VerifyToken   string `json:"verifyToken"`
}

func settings(ch *inbox.Channel, raw json.RawMessage, env channel.Env) error {
	if raw == nil {
		if env.Creating {
			return inbox.Errorf(inbox.EInvalid, "whatsapp settings are required for a whatsapp channel")
		}
		return nil
	}
	var w input
	if err := channel.Decode("whatsapp", raw, &w); err != nil {
		return err
	}
	if env.Creating {
		if !channel.IsDigits(w.PhoneNumberID, 32) {
			return inbox.Errorf(inbox.EInvalid, "whatsapp.phoneNumberId must be the number's numeric id")
		}
		if !channel.IsDigits(w.WABAID, 32) {
			return inbox.Errorf(inbox.EInvalid, "whatsapp.wabaId must be the WhatsApp Business Account's numeric id")
		}
		if !channel.IsE164(w.DisplayNumber) {
			return inbox.Errorf(inbox.EInvalid, "whatsapp.displayNumber must be in E.164 form, like +14155550100")
		}
		ch.WhatsApp = &inbox.WhatsAppConfig{WABAID: w.WABAID, PhoneNumberID: w.PhoneNumberID, DisplayNumber: w.DisplayNumber, VerifyToken: channel.VerifyToken(env, w.VerifyToken)}
		ch.ProviderKey = w.PhoneNumberID
	}
	if err := channel.Keep(env, "whatsapp.phoneNumberId", ch.WhatsApp.PhoneNumberID, w.PhoneNumberID); err != nil {
		return err
	}
	if err := channel.Keep(env, "whatsapp.wabaId", ch.WhatsApp.WABAID, w.WABAID); err != nil {
		return err
	}
	if !env.Creating {
		if w.VerifyToken != "" {
			ch.WhatsApp.VerifyToken = w.VerifyToken
		}
		if w.DisplayNumber != "" {
			if !channel.IsE164(w.DisplayNumber) {
				return inbox.Errorf(inbox.EInvalid, "whatsapp.displayNumber must be in E.164 form, like +14155550100")
			}
			ch.WhatsApp.DisplayNumber = w.DisplayNumber
		}
	}
	if err := channel.Secret(ch, env, inbox.SecretAccessToken, "whatsapp.accessToken", w.AccessToken); err != nil {
		return err
	}
	return channel.Secret(ch, env, inbox.SecretAppSecret, "whatsapp.appSecret", w.AppSecret)
}

func reply(c inbox.Conversation, r channel.Reply, now time.Time) error {
	if r.Template != nil {
		if !channel.Blank(r.Text) || len(r.Attachments) > 0 {
			return inbox.Errorf(inbox.EInvalid, "a template is sent on its own, without text or attachments")
		}
		if channel.Blank(r.Template.Name) || channel.Blank(r.Template.Language) {
			return inbox.Errorf(inbox.EInvalid, "template.name and template.language are required")
		}
		return nil
	}
	if channel.Blank(r.Text) && len(r.Attachments) == 0 {
		return inbox.Errorf(inbox.EInvalid, "text or an attachment is required")
	}
	if len(r.Attachments) > 1 {
		return inbox.Errorf(inbox.EInvalid, "a WhatsApp message carries one attachment; its text becomes the caption")
	}
	// Audio carries no caption: a text with it goes first as its own message (meta.Sender.Parts).
	if utf8.RuneCountInString(r.Text) > MaxText {
		return inbox.Errorf(inbox.EInvalid, "a WhatsApp text has at most 4096 characters")
	}
	return FreeForm(c.LastInboundAt, now)
}

// FreeForm reports whether a free-form (non-template) WhatsApp message may be sent to a
// customer who last wrote at lastInbound: it returns nil within the 24-hour customer service
// window (open up to, but not at, 24 hours; a future lastInbound counts as just now).
//
// It returns an *inbox.Error with code EInvalid, saying an approved template is needed, when the
// window has closed or the customer never wrote (lastInbound is zero).
func FreeForm(lastInbound, now time.Time) error {
	if lastInbound.IsZero() || now.Sub(lastInbound) >= Window {
		return inbox.Errorf(inbox.EInvalid, "outside WhatsApp's 24-hour customer service window: send an approved template")
	}
	return nil
}
