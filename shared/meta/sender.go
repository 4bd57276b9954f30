package meta

import (
	"context"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// Sender sends the replies of Messenger and WhatsApp channels through the Graph API; it is the
// dispatch function's sender for both channel types. It applies Meta's messaging windows at
// send time, from the conversation's last inbound message and its clock.
type Sender struct {
	client *Client
	now    func() time.Time
}

// NewSender returns a Sender using client and the clock now.
func NewSender(client *Client, now func() time.Time) *Sender {
	return &Sender{client: client, now: now}
}

// Parts returns the messages m goes out as on ch (see dispatch.PartSender): a Messenger text
// with a file, or a WhatsApp text with an audio file (WhatsApp audio carries no caption), is
// two Graph messages, the text first (the answered message, ReplyTo, on it); any other reply is
// one.
func (s *Sender) Parts(ch inbox.Channel, m inbox.Message) []inbox.Message {
	if m.Text == "" || len(m.Attachments) != 1 || m.Template != nil {
		return []inbox.Message{m}
	}
	if ch.Type != inbox.ChannelMessenger && !(ch.Type == inbox.ChannelWhatsApp && m.Attachments[0].Type == inbox.AttachAudio) {
		return []inbox.Message{m}
	}
	text, file := m, m
	text.Attachments = nil
	file.Text, file.ReplyTo = "", ""
	return []inbox.Message{text, file}
}

// Send sends m to the contact and returns Meta's message id (mid or wamid). A refusal is an
// *inbox.SendError: "window_closed" when Meta's rules forbid the message now, Graph's error code
// and message otherwise, Temporary for rate limits, outages and network failures.
func (s *Sender) Send(ctx context.Context, ch inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error) {
	var attachment *OutboundAttachment
	if len(m.Attachments) > 0 {
		a := m.Attachments[0]
		attachment = &OutboundAttachment{Type: a.Type, URL: a.URL, Name: a.Name}
	}
	switch ch.Type {
	case inbox.ChannelMessenger:
		if ch.Messenger == nil {
			return "", &inbox.SendError{Code: "misconfigured", Message: "the channel has no page settings"}
		}
		mt, tag, err := MessengerPolicy(conv.LastInboundAt, s.now())
		if err != nil {
			return "", &inbox.SendError{Code: "window_closed", Message: inbox.ErrorMessage(err)}
		}
		// Contacts keep "pageId:psid", since PSIDs are page-scoped.
		_, psid, _ := strings.Cut(contact.PSID, ":")
		if psid == "" {
			return "", &inbox.SendError{Code: "no_recipient", Message: "the contact has no Messenger id for this page"}
		}
		mid, err := s.client.SendMessenger(ctx, ch.Messenger.PageID, ch.Secrets[inbox.SecretPageAccessToken],
			MessengerMessage{PSID: psid, MessagingType: mt, Tag: tag, Text: m.Text, Attachment: attachment, Metadata: inbox.EchoMarker + m.ID})
		if err != nil {
			return "", AsSendError(err)
		}
		return mid, nil
	case inbox.ChannelWhatsApp:
		if ch.WhatsApp == nil {
			return "", &inbox.SendError{Code: "misconfigured", Message: "the channel has no WhatsApp settings"}
		}
		if m.Template == nil {
			if err := WhatsAppFreeForm(conv.LastInboundAt, s.now()); err != nil {
				return "", &inbox.SendError{Code: "window_closed", Message: inbox.ErrorMessage(err)}
			}
		}
		to := strings.TrimPrefix(contact.Phone, "+")
		if to == "" {
			to = strings.TrimPrefix(conv.ContactPhone, "+")
		}
		wamid, err := s.client.SendWhatsApp(ctx, ch.WhatsApp.PhoneNumberID, ch.Secrets[inbox.SecretAccessToken],
			WhatsAppMessage{To: to, Text: m.Text, Media: attachment, Template: m.Template, ReplyTo: m.ReplyTo})
		if err != nil {
			return "", AsSendError(err)
		}
		return wamid, nil
	}
	return "", &inbox.SendError{Code: "unsupported_channel", Message: "not a Meta channel"}
}
