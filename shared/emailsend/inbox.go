package emailsend

import (
	"context"

	"github.com/openinbox/inbox/shared/inbox"
)

// Channels lists an account's channels (the store).
type Channels interface {
	ListChannels(ctx context.Context, acct string) ([]inbox.Channel, error)
}

// ViaInbox sends the replies of channels without a way back of their own (web forms) by email,
// through the team email channel of the conversation's inbox: the mail is what an email
// conversation's reply would be (From, Reply-To token, signature), so the customer's answer
// threads back into the conversation.
type ViaInbox struct {
	Email    *Sender
	Channels Channels
}

// Send sends m through the first team email channel of conv's inbox. Errors: a final
// *inbox.SendError (no_email_channel) when the inbox has none; the store's errors (retried);
// otherwise Sender.Send's.
func (v ViaInbox) Send(ctx context.Context, _ inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error) {
	chs, err := v.Channels.ListChannels(ctx, conv.AccountID)
	if err != nil {
		return "", err
	}
	for _, ch := range chs {
		if ch.Type == inbox.ChannelEmail && ch.InboxID == conv.InboxID && ch.Email != nil {
			return v.Email.Send(ctx, ch, conv, contact, m)
		}
	}
	return "", &inbox.SendError{Code: "no_email_channel", Message: "the inbox has no team email channel to send the reply from: connect one"}
}
