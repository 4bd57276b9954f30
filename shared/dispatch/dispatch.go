// Package dispatch sends stored outbound messages through their channel's provider and records
// the outcome on the message: sent with the provider's id, or failed with the provider's reason.
//
// A message moves pending → sending before the provider is called. Temporary provider errors put
// it back to pending and return an error so that the outbound queue retries; after maxAttempts
// the message is marked failed, so nothing waits forever unseen. A job that finds its message
// still "sending" (the function died mid-call) does not send again: the provider may already
// have sent it, and a double SMS is worse than an explicit failure the agent can retry. While the
// message has been "sending" for less than SendingTimeout, the job is retried later instead,
// since another delivery may still be waiting on the provider.
//
// A reply that the provider takes only as several messages (a PartSender's parts: a Messenger
// text and its file) is sent part by part, each part's provider id recorded on the message
// before the next is sent: a retry after a later part's temporary failure resumes after the
// parts already sent, so the customer never gets one twice, and a final failure leaves them
// listed on the failed message.
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// SendingTimeout is how long a message may stay "sending" before a later delivery of its job
// decides the send was interrupted. It is longer than the dispatch function's timeout, so a
// send still in progress is never declared lost.
const SendingTimeout = 2 * time.Minute

// Store is what the dispatcher needs from the database.
type Store interface {
	GetMessage(ctx context.Context, acct, convID, msgID string) (inbox.Message, error)
	GetConversation(ctx context.Context, acct, id string) (inbox.Conversation, error)
	GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error)
	GetContact(ctx context.Context, acct, id string) (inbox.Contact, error)
	TransitionMessage(ctx context.Context, acct, convID, msgID string, from, to inbox.MessageStatus, now time.Time) error
	UpdateDelivery(ctx context.Context, acct, convID, msgID string, u inbox.DeliveryUpdate, now time.Time) (inbox.Message, bool, error)
	RecordPart(ctx context.Context, acct, convID, msgID, channelID string, part int, providerID string, now time.Time) error
}

// Sender sends one message on one kind of channel to the conversation's contact and returns
// the provider's message id. Its errors are *inbox.SendError when the provider refused.
type Sender interface {
	Send(ctx context.Context, ch inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error)
}

// PartSender is a Sender whose channel takes some replies only as several provider messages.
// Parts returns the messages m goes out as on ch, in order, each one Send sends on its own
// (keeping m's id); a reply sent as one message is its only part.
type PartSender interface {
	Sender
	Parts(ch inbox.Channel, m inbox.Message) []inbox.Message
}

// Dispatcher sends outbound jobs.
type Dispatcher struct {
	store       Store
	senders     map[inbox.ChannelType]Sender
	now         func() time.Time
	maxAttempts int
	log         *slog.Logger
}

// DefaultMaxAttempts is the number of deliveries New uses when given none.
const DefaultMaxAttempts = 4

// Config is what a Dispatcher is built from. Store is required; a channel type without a Sender
// fails its replies as misconfigured.
type Config struct {
	Store Store
	// Senders maps each channel type to its provider.
	Senders map[inbox.ChannelType]Sender
	// MaxAttempts is the number of deliveries of a job after which a temporary failure becomes
	// final (keep it below the queue's maxReceiveCount so that the message is marked before the
	// job reaches the DLQ); DefaultMaxAttempts when ≤ 0.
	MaxAttempts int
	Now         func() time.Time // time.Now when nil
	Log         *slog.Logger     // discarded when nil
}

// New returns a Dispatcher built from c.
func New(c Config) *Dispatcher {
	d := &Dispatcher{store: c.Store, senders: c.Senders, now: c.Now, maxAttempts: c.MaxAttempts, log: c.Log}
	if d.maxAttempts <= 0 {
		d.maxAttempts = DefaultMaxAttempts
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d
}

// HandleBody decodes a queued job and handles it; see Handle. A body that is not a job is an
// EInvalid error marked inbox.Permanent: the queue consumer drops it (logged and counted)
// instead of retrying what can never be parsed.
func (d *Dispatcher) HandleBody(ctx context.Context, body []byte, attempt int) error {
	var job inbox.OutboundJob
	if err := json.Unmarshal(body, &job); err != nil {
		return inbox.Permanent(inbox.Wrap(err, inbox.EInvalid, "queued body is not an outbound job"))
	}
	return d.Handle(ctx, job, attempt)
}

// Handle sends the job's message. It returns nil when the outcome is recorded (sent or failed)
// and an error when the job should be retried: a temporary provider error or a store error below
// maxAttempts. A channel or contact that no longer exists fails the message at once; any other
// error at the last attempt fails it too, so that no reply stays "pending" unseen while its job
// sits in the dead-letter queue. A job naming its message with malformed ids is an EInvalid
// error marked inbox.Permanent (dropped, not retried).
func (d *Dispatcher) Handle(ctx context.Context, job inbox.OutboundJob, attempt int) error {
	err := d.handle(ctx, job, attempt)
	if err == nil || inbox.IsCode(err, inbox.EConflict) {
		return err
	}
	if inbox.IsCode(err, inbox.EInvalid) {
		return inbox.Permanent(err)
	}
	var reason *inbox.ProviderError
	switch {
	case inbox.IsCode(err, inbox.ENotFound):
		reason = &inbox.ProviderError{Code: "not_found", Message: "the conversation's channel or contact no longer exists: " + inbox.ErrorMessage(err)}
	case attempt >= d.maxAttempts:
		reason = &inbox.ProviderError{Code: "dispatch_error", Message: "the reply could not be sent: " + inbox.ErrorMessage(err)}
	default:
		return err
	}
	if ferr := d.fail(ctx, job, reason); ferr != nil {
		if inbox.IsCode(ferr, inbox.ENotFound) {
			// The message itself is gone: nothing left to send or to show.
			return nil
		}
		return ferr
	}
	return nil
}

func (d *Dispatcher) handle(ctx context.Context, job inbox.OutboundJob, attempt int) error {
	log := d.log.With("account", job.AccountID, "conversation", job.ConversationID, "messageId", job.MessageID)
	m, err := d.store.GetMessage(ctx, job.AccountID, job.ConversationID, job.MessageID)
	if err != nil {
		return err
	}
	switch m.Status {
	case inbox.MessagePending:
	case inbox.MessageSending:
		if d.now().Sub(m.UpdatedAt) < SendingTimeout {
			// Another delivery of this job may still be waiting on the provider: look again later
			// rather than guess.
			return inbox.Errorf(inbox.EConflict, "message is being sent by another delivery")
		}
		log.WarnContext(ctx, "message found mid-send; not sending twice")
		return d.fail(ctx, job, &inbox.ProviderError{Code: "delivery_unknown",
			Message: "sending was interrupted; the message may or may not have been delivered"})
	default:
		log.InfoContext(ctx, "message already handled", "status", m.Status)
		return nil
	}
	conv, err := d.store.GetConversation(ctx, job.AccountID, job.ConversationID)
	if err != nil {
		return err
	}
	chID := conv.ChannelID
	if m.Call != nil && m.Call.ChannelID != "" {
		// A call goes out through its voice channel, whatever channel the conversation is on.
		chID = m.Call.ChannelID
	}
	ch, err := d.store.GetChannel(ctx, job.AccountID, chID)
	if err != nil {
		return err
	}
	sender, ok := d.senders[ch.Type]
	if !ok {
		return d.fail(ctx, job, &inbox.ProviderError{Code: "unsupported_channel", Message: "replies on " + string(ch.Type) + " channels are not supported"})
	}
	contact, err := d.store.GetContact(ctx, job.AccountID, conv.ContactID)
	if err != nil {
		return err
	}
	if err := d.store.TransitionMessage(ctx, job.AccountID, job.ConversationID, job.MessageID, inbox.MessagePending, inbox.MessageSending, d.now()); err != nil {
		if inbox.IsCode(err, inbox.EConflict) {
			// Another delivery of this job got there first.
			return nil
		}
		return err
	}
	providerID, err := d.send(ctx, log, job, sender, ch, conv, contact, m)
	if err == nil {
		_, changed, err := d.store.UpdateDelivery(ctx, job.AccountID, job.ConversationID, job.MessageID,
			inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: providerID, ChannelID: ch.ID}, d.now())
		if err != nil {
			return err
		}
		if !changed {
			log.WarnContext(ctx, "message sent, but its status had already moved on", "providerId", providerID)
			return nil
		}
		log.InfoContext(ctx, "message sent", "providerId", providerID)
		return nil
	}
	var si *sendInterrupted
	if errors.As(err, &si) {
		return si.err
	}
	var se *inbox.SendError
	if !errors.As(err, &se) {
		se = &inbox.SendError{Code: "send_error", Message: "the provider could not be reached", Temporary: true}
	}
	if se.Temporary && attempt < d.maxAttempts {
		log.WarnContext(ctx, "temporary send failure; will retry", "attempt", attempt, "err", err)
		if terr := d.store.TransitionMessage(ctx, job.AccountID, job.ConversationID, job.MessageID, inbox.MessageSending, inbox.MessagePending, d.now()); terr != nil {
			return terr
		}
		return err
	}
	log.WarnContext(ctx, "send failed", "attempt", attempt, "code", se.Code)
	return d.fail(ctx, job, &inbox.ProviderError{Code: se.Code, Message: se.Message})
}

// send sends m's parts not yet sent (those after m.PartIDs), recording each part's provider id
// before sending the next, and returns the last part's id. Its errors are Send's, and the
// store's when a part's id could not be recorded: the message then stays "sending", which a
// later delivery reads as interrupted rather than send the part again.
func (d *Dispatcher) send(ctx context.Context, log *slog.Logger, job inbox.OutboundJob, sender Sender, ch inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error) {
	ps, ok := sender.(PartSender)
	if !ok {
		return sender.Send(ctx, ch, conv, contact, m)
	}
	parts := ps.Parts(ch, m)
	if len(parts) <= 1 {
		return sender.Send(ctx, ch, conv, contact, m)
	}
	var providerID string
	if n := len(m.PartIDs); n > 0 {
		providerID = m.PartIDs[n-1]
	}
	for i := len(m.PartIDs); i < len(parts); i++ {
		id, err := sender.Send(ctx, ch, conv, contact, parts[i])
		var se *inbox.SendError
		if err != nil && i > 0 && errors.As(err, &se) {
			// The agent reads the reason on the failed reply: say that its text did go.
			partial := *se
			partial.Message = "the text was sent, the rest of the reply was not: " + se.Message
			return "", &partial
		}
		if err != nil {
			return "", err
		}
		if i == len(parts)-1 {
			return id, nil
		}
		if err := d.store.RecordPart(ctx, job.AccountID, job.ConversationID, job.MessageID, ch.ID, i, id, d.now()); err != nil {
			log.ErrorContext(ctx, "part sent, but its id could not be recorded", "part", i, "providerId", id, "err", err)
			return "", &sendInterrupted{err}
		}
		log.InfoContext(ctx, "part sent", "part", i, "providerId", id)
		providerID = id
	}
	// An earlier delivery recorded every part (the parts of m changed in between): nothing is
	// left to send.
	return providerID, nil
}

// sendInterrupted is a store error met between two parts of a send: the job is retried
// while the message stays "sending".
type sendInterrupted struct{ err error }

func (e *sendInterrupted) Error() string { return e.err.Error() }
func (e *sendInterrupted) Unwrap() error { return e.err }

func (d *Dispatcher) fail(ctx context.Context, job inbox.OutboundJob, pe *inbox.ProviderError) error {
	_, _, err := d.store.UpdateDelivery(ctx, job.AccountID, job.ConversationID, job.MessageID,
		inbox.DeliveryUpdate{Status: inbox.MessageFailed, Error: pe}, d.now())
	return err
}
