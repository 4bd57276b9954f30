package router

import (
	"context"
	"log/slog"

	"github.com/openinbox/inbox/shared/inbox"
)

// call handles an event of a phone call. A call already logged (its CallSid's provider marker
// names its message) gets the event merged in (applyCall). Otherwise the event of an inbound
// call logs it, as a message of the contact's conversation found, reopened or opened as for any
// inbound message; whichever of the call's callbacks comes first does, so a lost incoming-call
// event loses nothing. An outbound call's message is written by the API before the call is
// placed: an event that finds no marker overtook the dispatcher's write of the CallSid, and is
// an ENotFound error, retried (and dropped after StatusAttempts).
func (r *Router) call(ctx context.Context, log *slog.Logger, env inbox.Envelope) error {
	ch, err := r.channel(ctx, env)
	if err != nil {
		return err
	}
	convID, msgID, err := r.store.ProviderMessage(ctx, env.AccountID, env.ChannelID, env.ProviderMessageID)
	switch {
	case err == nil:
		return r.applyCall(ctx, log, env, convID, msgID)
	case !inbox.IsCode(err, inbox.ENotFound) || env.Call.Direction == inbox.DirectionOut:
		return err
	}
	return r.store_(ctx, log, env, ch, inbox.InboundState{})
}

// takeAnswered gives the conversation to the agent who answered an inbound call, on the event
// that says who answered (so that the call's other events cost nothing more).
func (r *Router) takeAnswered(ctx context.Context, env inbox.Envelope, convID string, m inbox.Message) error {
	if r.assign == nil || env.Call.Source != inbox.CallSourceAgent || m.Direction != inbox.DirectionIn || m.Call == nil || m.Call.AnsweredBy == "" {
		return nil
	}
	return r.assign.TakeAnswered(ctx, env.AccountID, convID, m.Call.AnsweredBy)
}

// applyCall merges the event into the call of message msgID, copies a new recording to the
// bucket, and routes the conversation when the call was missed (nobody answered, or a
// voicemail), as an inbound message would be.
func (r *Router) applyCall(ctx context.Context, log *slog.Logger, env inbox.Envelope, convID, msgID string) error {
	m, changed, err := r.store.ApplyCall(ctx, env.AccountID, convID, msgID, *env.Call, r.now())
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "call event", "conversation", convID, "messageId", msgID, "source", env.Call.Source, "status", m.Call.Status, "applied", changed)
	// Also when nothing changed: a delivery that applied the event may have failed to queue.
	if err := r.queueMedia(ctx, env, inbox.Conversation{ID: convID}, m); err != nil {
		return err
	}
	if err := r.takeAnswered(ctx, env, convID, m); err != nil {
		return err
	}
	if m.Direction != inbox.DirectionIn || !m.Call.Status.Missed() || r.assign == nil {
		return nil
	}
	conv, err := r.store.GetConversation(ctx, env.AccountID, convID)
	if err != nil {
		return err
	}
	return r.route(ctx, env.AccountID, conv)
}
