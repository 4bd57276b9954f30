package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

// callInput is a click to call: optionally the voice channel to call from.
type callInput struct {
	ChannelID string `json:"channelId"`
}

// placeCall logs an outbound call from the caller to the conversation's contact and queues it:
// the dispatcher has Twilio ring the caller's phone first, then bridge to the contact. The
// call goes out through the conversation's channel when it is a voice channel, else through
// channelId or the first voice channel of the conversation's inbox. Everything is checked
// before the first write.
func (a *api) placeCall(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in callInput
	if r.ContentLength != 0 {
		if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
			return 0, nil, err
		}
		if in.ChannelID != "" {
			if err := bodyIDs("channelId", in.ChannelID); err != nil {
				return 0, nil, err
			}
		}
	}
	ctx := r.Context()
	c, err := a.Store.GetConversation(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	ch, err := a.voiceChannel(ctx, p.AccountID, c, in.ChannelID)
	if err != nil {
		return 0, nil, err
	}
	agent, err := a.People.GetUser(ctx, p.AccountID, p.UserID)
	if inbox.IsCode(err, inbox.ENotFound) || (err == nil && agent.Phone == "") {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "set your phone number in your profile first (PATCH /v1/users/{id} with phone)")
	}
	if err != nil {
		return 0, nil, err
	}
	customer := c.ContactPhone
	if customer == "" {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "the conversation's contact has no phone number")
	}
	now := a.Now().UTC()
	call := inbox.NewCall(inbox.CallEvent{Direction: inbox.DirectionOut, From: ch.Twilio.PhoneNumber, To: customer})
	call.ChannelID, call.AnsweredBy, call.AgentPhone = ch.ID, p.UserID, agent.Phone
	m := inbox.Message{
		AccountID: p.AccountID, ConversationID: c.ID, ID: inbox.MessageID(now, a.NewID()),
		Direction: inbox.DirectionOut, Text: call.Summary(), CreatedAt: now, UpdatedAt: now,
		Status: inbox.MessagePending, AuthorID: p.UserID, Call: &call,
	}
	// The call's message belongs to its voice channel: the dispatcher records the CallSid
	// there, where the call's callbacks look it up.
	scope := c
	scope.ChannelID = ch.ID
	if _, err := a.Store.AppendMessage(ctx, scope, m, ""); err != nil {
		return 0, nil, err
	}
	job := inbox.OutboundJob{V: 1, AccountID: p.AccountID, ConversationID: c.ID, MessageID: m.ID}
	body, _ := json.Marshal(job)
	if err := a.Outbound.Publish(ctx, job.GroupKey(), job.DedupKey(), body); err != nil {
		pe := &inbox.ProviderError{Code: "queue_unavailable", Message: "the call could not be queued"}
		if _, _, uerr := a.Store.UpdateDelivery(ctx, p.AccountID, c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageFailed, Error: pe}, now); uerr != nil {
			a.Log.ErrorContext(ctx, "could not mark unqueued call failed", "messageId", m.ID, "err", uerr)
		}
		return 0, nil, err
	}
	return http.StatusAccepted, message(m), nil
}

// voiceChannel is the voice channel a call from conversation c goes out on: id when given (of
// c's inbox), else c's own channel when it is a voice channel, else the first voice channel of
// c's inbox. Errors: ENotFound (id unknown), EInvalid (not a voice channel of the inbox, or
// none), the store's.
func (a *api) voiceChannel(ctx context.Context, acct string, c inbox.Conversation, id string) (inbox.Channel, error) {
	if id == "" && c.ChannelType == inbox.ChannelVoice {
		id = c.ChannelID
	}
	if id != "" {
		ch, err := a.Store.GetChannel(ctx, acct, id)
		if err != nil {
			return inbox.Channel{}, err
		}
		if ch.Type != inbox.ChannelVoice || ch.InboxID != c.InboxID || ch.Twilio == nil {
			return inbox.Channel{}, inbox.Errorf(inbox.EInvalid, "channelId must be a voice channel of the conversation's inbox")
		}
		return ch, nil
	}
	list, err := a.Store.ListChannels(ctx, acct)
	if err != nil {
		return inbox.Channel{}, err
	}
	for _, ch := range list {
		if ch.Type == inbox.ChannelVoice && ch.InboxID == c.InboxID && ch.Twilio != nil {
			return ch, nil
		}
	}
	return inbox.Channel{}, inbox.Errorf(inbox.EInvalid, "the conversation's inbox has no voice channel to call from")
}
