// Package chatsend delivers agents' replies to website chat visitors. The reply is already
// stored when dispatch runs, and the widget reads it from there (pushed by the realtime
// backbone from the committed write, or fetched by cursor after a reconnect), so delivering is
// marking it sent — and, when the visitor left an email address and is gone, mailing it
// through the inbox's team email channel, from which the visitor's answers thread back into the
// chat conversation.
//
// Gone means no widget of the conversation connected to the live channel now nor in the last
// few minutes (Presence; dynamo.VisitorGrace, 5 minutes): a visitor reading the chat, or one who
// just reloaded the page, gets the reply in the widget only and no email besides.
package chatsend

import (
	"context"
	"errors"

	"github.com/openinbox/inbox/shared/inbox"
)

// Mailer sends a reply by email (emailsend.ViaInbox).
type Mailer interface {
	Send(ctx context.Context, ch inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error)
}

// Presence tells whether the visitor of conversation convID has the widget open now, or had
// it a moment ago (dynamo.Store.VisitorOnline).
type Presence interface {
	VisitorOnline(ctx context.Context, acct, convID string) (bool, error)
}

// Sender is the dispatch.Sender of chat channels.
type Sender struct {
	// Mail sends replies to visitors who left an address (nil: never by email).
	Mail Mailer
	// Presence, when set, keeps replies to visitors in the widget out of their mailbox; nil
	// counts every visitor as gone, so a visitor who left an address gets every reply by mail.
	Presence Presence
}

// Send delivers m to the visitor and returns its provider id: "chat:" + the message id, or
// the mail's id when it went by email. Errors: Presence's and Mail's (a team email channel
// missing is not one: the reply stays in the widget), which dispatch retries or fails.
func (s Sender) Send(ctx context.Context, ch inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error) {
	if s.Mail == nil || contact.Email == "" {
		return "chat:" + m.ID, nil
	}
	if s.Presence != nil {
		online, err := s.Presence.VisitorOnline(ctx, conv.AccountID, conv.ID)
		if err != nil {
			return "", err
		}
		if online {
			return "chat:" + m.ID, nil
		}
	}
	id, err := s.Mail.Send(ctx, ch, conv, contact, m)
	var se *inbox.SendError
	if errors.As(err, &se) && se.Code == "no_email_channel" {
		return "chat:" + m.ID, nil
	}
	return id, err
}
