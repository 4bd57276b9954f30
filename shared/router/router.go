// Package router turns inbound envelopes into stored conversations: it upserts the contact,
// finds the contact's open conversation in the channel's inbox or opens one, stores the message
// exactly once, and applies providers' delivery reports to outbound messages.
//
// Every step is idempotent, so an SQS redelivery or a platform retry that slipped past the FIFO
// deduplication window stores nothing twice. Conversations are left unassigned; routing rules
// come later.
package router

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// Store is what the router needs from the database.
type Store interface {
	GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error)
	ProviderMessage(ctx context.Context, acct, channelID, providerID string) (string, string, error)
	UpsertContactByPhone(ctx context.Context, c inbox.Contact) (inbox.Contact, bool, error)
	FindOrOpenConversation(ctx context.Context, c inbox.Conversation) (inbox.Conversation, bool, error)
	AppendMessage(ctx context.Context, conv inbox.Conversation, m inbox.Message, providerID string) (bool, error)
	UpdateDelivery(ctx context.Context, acct, convID, msgID string, u inbox.DeliveryUpdate, now time.Time) (inbox.Message, bool, error)
}

// Router processes inbound envelopes.
type Router struct {
	store Store
	now   func() time.Time
	newID func() string
	log   *slog.Logger
}

// New returns a Router over store, with an injected clock and id generator.
func New(store Store, now func() time.Time, newID func() string, log *slog.Logger) *Router {
	return &Router{store: store, now: now, newID: newID, log: log}
}

// HandleBody decodes a queued envelope and handles it. A body that is not an envelope is an
// EInvalid error: it is retried and then lands in the dead-letter queue, where people can see it.
func (r *Router) HandleBody(ctx context.Context, body []byte) error {
	var env inbox.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return inbox.Wrap(err, inbox.EInvalid, "queued body is not an envelope")
	}
	return r.Handle(ctx, env)
}

// Handle applies one envelope. It returns nil for duplicates; EInvalid for envelopes it cannot
// understand; ENotFound when the channel, or the message a status is about, does not exist (yet);
// and the store's errors otherwise. Any error sends the message back to the queue.
func (r *Router) Handle(ctx context.Context, env inbox.Envelope) error {
	if err := env.Validate(); err != nil {
		return err
	}
	log := r.log.With("account", env.AccountID, "channel", env.ChannelID, "providerMessageId", env.ProviderMessageID, "kind", env.Kind)
	if env.Kind == inbox.KindStatus {
		return r.status(ctx, log, env)
	}
	return r.message(ctx, log, env)
}

func (r *Router) message(ctx context.Context, log *slog.Logger, env inbox.Envelope) error {
	// A cheap read first: most redeliveries stop here without writing anything.
	if _, _, err := r.store.ProviderMessage(ctx, env.AccountID, env.ChannelID, env.ProviderMessageID); err == nil {
		log.InfoContext(ctx, "duplicate message ignored")
		return nil
	} else if !inbox.IsCode(err, inbox.ENotFound) {
		return err
	}
	ch, err := r.store.GetChannel(ctx, env.AccountID, env.ChannelID)
	if err != nil {
		return err
	}
	now := r.now()
	received := env.ReceivedAt
	if received.IsZero() {
		received = now
	}
	contact, _, err := r.store.UpsertContactByPhone(ctx, inbox.Contact{
		AccountID: env.AccountID, ID: r.newID(), Name: env.From.Name,
		Phone: env.From.Phone, Email: env.From.Email, CreatedAt: now,
	})
	if err != nil {
		return err
	}
	conv, _, err := r.store.FindOrOpenConversation(ctx, inbox.Conversation{
		AccountID: env.AccountID, ID: r.newID(), InboxID: ch.InboxID, ChannelID: ch.ID,
		ChannelType: ch.Type, ContactID: contact.ID, ContactName: contact.Name,
		ContactPhone: contact.Phone, ContactEmail: contact.Email, Status: inbox.StatusOpen,
		LastMessageAt: received, CreatedAt: now,
	})
	if err != nil {
		return err
	}
	msg := inbox.Message{
		AccountID: env.AccountID, ConversationID: conv.ID,
		ID:        inbox.MessageID(received, r.newID()),
		Direction: inbox.DirectionIn, Text: env.Text, Attachments: env.Attachments,
		CreatedAt: received, UpdatedAt: now, Status: inbox.MessageReceived,
	}
	stored, err := r.store.AppendMessage(ctx, conv, msg, env.ProviderMessageID)
	if err != nil {
		return err
	}
	if stored {
		log.InfoContext(ctx, "message stored", "conversation", conv.ID, "messageId", msg.ID)
	} else {
		log.InfoContext(ctx, "duplicate message ignored")
	}
	return nil
}

func (r *Router) status(ctx context.Context, log *slog.Logger, env inbox.Envelope) error {
	convID, msgID, err := r.store.ProviderMessage(ctx, env.AccountID, env.ChannelID, env.ProviderMessageID)
	if err != nil {
		// The report may overtake the dispatcher's write of the provider id: retry later.
		return err
	}
	u := inbox.DeliveryUpdate{Status: env.Status.Status}
	if env.Status.ErrorCode != "" {
		u.Error = &inbox.ProviderError{Code: env.Status.ErrorCode, Message: env.Status.ErrorMessage}
	}
	_, changed, err := r.store.UpdateDelivery(ctx, env.AccountID, convID, msgID, u, r.now())
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "delivery status", "conversation", convID, "messageId", msgID, "status", u.Status, "applied", changed)
	return nil
}
