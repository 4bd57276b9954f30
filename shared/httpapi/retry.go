package httpapi

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/inbox"
)

// retryReply sends a failed reply again: the same message (same id, text and stored files) goes
// back to pending and is queued as a new reply is, so the thread shows it move on from failed.
// Everything is checked before the one conditional write that claims the retry, so that a
// refused retry changes nothing and of two concurrent retries only one queues the reply.
//
// Answers: 202 with the message; 404 for an unknown (or another account's) conversation or
// message; 409 (conflict) for a message that is not a failed outbound reply, a call, or a
// reply part of which was sent; 400 when the channel cannot send it now (Messenger's 7 days,
// WhatsApp's window); 503 when the queue refuses it (the message is failed again).
func (a *api) retryReply(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ctx := r.Context()
	c, err := a.Store.GetConversation(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	m, err := a.Store.GetMessage(ctx, p.AccountID, c.ID, chi.URLParam(r, "messageId"))
	if err != nil {
		return 0, nil, err
	}
	switch {
	case m.Direction != inbox.DirectionOut || m.Call != nil:
		return 0, nil, inbox.Errorf(inbox.EConflict, "only a reply can be retried")
	case len(m.PartIDs) > 0:
		return 0, nil, inbox.Errorf(inbox.EConflict, "part of it was sent: retrying would send that part again")
	case m.Status != inbox.MessageFailed:
		return 0, nil, inbox.Errorf(inbox.EConflict, "only a failed reply can be retried; this one is %s", m.Status)
	}
	k, ok := channels.Lookup(c.ChannelType)
	if !ok {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "replies cannot be sent on %s conversations", c.ChannelType)
	}
	now := a.Now().UTC()
	reply := channel.Reply{Text: m.Text, HTML: m.HTML, Template: m.Template, Metadata: m.Payload}
	for _, at := range m.Attachments {
		reply.Attachments = append(reply.Attachments, at.Type)
	}
	if err := a.allows(ctx, k, c, reply, now); err != nil {
		return 0, nil, err
	}
	// The stored files go again, not re-uploaded; the providers that download them by URL get
	// a fresh link, the first one having expired perhaps (ReplyMediaTTL).
	var as []inbox.Attachment
	if !k.AttachesFiles && a.Blobs != nil {
		for _, at := range m.Attachments {
			if at.MediaStatus == inbox.MediaStored && at.StorageKey != "" {
				if at.URL, err = a.Blobs.PresignGet(ctx, at.StorageKey, ReplyMediaTTL); err != nil {
					return 0, nil, err
				}
			}
			as = append(as, at)
		}
	}
	if m, err = a.Store.RetryMessage(ctx, p.AccountID, c.ID, m.ID, m.ProviderID, as, now); err != nil {
		return 0, nil, err
	}
	job := inbox.OutboundJob{V: 1, AccountID: p.AccountID, ConversationID: c.ID, MessageID: m.ID,
		Retry: strconv.FormatInt(now.UnixNano(), 36)}
	if err := a.queue(ctx, job, now); err != nil {
		return 0, nil, err
	}
	m.Attachments = a.links(ctx, m.Attachments)
	return http.StatusAccepted, message(m), nil
}
