// Package messenger is the Facebook Messenger channel kind (a Facebook page): its settings,
// webhook route and reply rules, among them Messenger's messaging windows. The Graph API codec
// and sender are in package meta.
package messenger

import (
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/inbox"
)

// MaxText is the longest Messenger text.
const MaxText = 2000

// Kind is the Messenger channel.
var Kind = channel.Kind{
	Type: inbox.ChannelMessenger, Label: "Facebook Messenger", SettingsField: "messenger",
	Settings:        settings,
	DefaultName:     func(ch inbox.Channel) string { return "Messenger " + ch.Messenger.PageID },
	WebhookPath:     "/webhooks/messenger/{channelId}",
	ProviderKeyName: "this Facebook page",
	Reply:           reply,
	Sender:          channel.SenderGraph,
	Media:           channel.MediaURL,
}

type input struct {
	PageID          string `json:"pageId"`
	PageAccessToken string `json:"pageAccessToken"`
	AppSecret       string `json:"appSecret"`
	VerifyToken     string `json:"verifyToken"`
}

func settings(ch *inbox.Channel, raw json.RawMessage, env channel.Env) error {
	if raw == nil {
		if env.Creating {
			return inbox.Errorf(inbox.EInvalid, "messenger settings are required for a messenger channel")
		}
		return nil
	}
	var m input
	if err := channel.Decode("messenger", raw, &m); err != nil {
		return err
	}
	if env.Creating {
		if !channel.IsDigits(m.PageID, 32) {
			return inbox.Errorf(inbox.EInvalid, "messenger.pageId must be the page's numeric id")
		}
		ch.Messenger = &inbox.MessengerConfig{PageID: m.PageID, VerifyToken: channel.VerifyToken(env, m.VerifyToken)}
		ch.ProviderKey = m.PageID
	}
	if err := channel.Keep(env, "messenger.pageId", ch.Messenger.PageID, m.PageID); err != nil {
		return err
	}
	if !env.Creating && m.VerifyToken != "" {
		ch.Messenger.VerifyToken = m.VerifyToken
	}
	if err := channel.Secret(ch, env, inbox.SecretPageAccessToken, "messenger.pageAccessToken", m.PageAccessToken); err != nil {
		return err
	}
	return channel.Secret(ch, env, inbox.SecretAppSecret, "messenger.appSecret", m.AppSecret)
}

func reply(c inbox.Conversation, r channel.Reply, now time.Time) error {
	if r.Template != nil {
		return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
	}
	// A text with its file goes to Messenger as two messages, the text first (meta.Sender.Parts).
	if channel.Blank(r.Text) && len(r.Attachments) == 0 {
		return inbox.Errorf(inbox.EInvalid, "text or an attachment is required")
	}
	if len(r.Attachments) > 1 {
		return inbox.Errorf(inbox.EInvalid, "a Messenger reply carries at most one attachment")
	}
	if utf8.RuneCountInString(r.Text) > MaxText {
		return inbox.Errorf(inbox.EInvalid, "a Messenger text has at most 2000 characters")
	}
	_, _, err := Policy(c.LastInboundAt, now)
	return err
}

// Messenger's messaging windows, counted from the customer's last message.
const (
	// StandardWindow is Messenger's standard messaging window: free-form replies are allowed
	// for 24 hours.
	StandardWindow = 24 * time.Hour
	// HumanAgentWindow is how long Messenger accepts a reply tagged HUMAN_AGENT.
	HumanAgentWindow = 7 * 24 * time.Hour
)

// Messenger messaging types and tags (https://developers.facebook.com/docs/messenger-platform/send-messages#messaging_types).
const (
	MessagingTypeResponse = "RESPONSE"
	MessagingTypeTag      = "MESSAGE_TAG"
	TagHumanAgent         = "HUMAN_AGENT"
)

// Policy says how a reply to a Messenger customer must be sent, given when the customer last
// wrote (lastInbound) and the current time: within 24 hours it is a plain response
// ("RESPONSE", ""); from 24 hours up to 7 days it needs the human agent tag ("MESSAGE_TAG",
// "HUMAN_AGENT"). Each window is open up to, but not at, its end, so that a reply computed at
// the boundary is not refused by Meta a moment later. A lastInbound in the future (clock skew)
// counts as just now.
//
// It returns an *inbox.Error with code EInvalid when the customer's last message is 7 days old
// or more, or when the customer never wrote (lastInbound is zero): Messenger then allows no
// reply at all.
func Policy(lastInbound, now time.Time) (messagingType, tag string, err error) {
	if lastInbound.IsZero() {
		return "", "", inbox.Errorf(inbox.EInvalid, "the customer has not written to the page: Messenger allows no reply")
	}
	switch age := now.Sub(lastInbound); {
	case age < StandardWindow:
		return MessagingTypeResponse, "", nil
	case age < HumanAgentWindow:
		return MessagingTypeTag, TagHumanAgent, nil
	}
	return "", "", inbox.Errorf(inbox.EInvalid, "the customer's last message is more than 7 days old: Messenger allows no reply")
}
