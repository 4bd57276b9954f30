package httpapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

// startInput starts a conversation: the channel, the contact by the channel's identifier, an
// optional thread id of the provider, and the first message.
type startInput struct {
	ChannelID string `json:"channelId"`
	To        struct {
		ID    string `json:"id"`
		Phone string `json:"phone"`
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"to"`
	ThreadID string `json:"threadId"`
	replyInput
}

// startConversation is POST /v1/conversations: an agent writes first, on a channel whose kind
// lets agents start conversations (Kind.Start). The conversation is the contact's open one in
// the channel's inbox (or thread) when there is one, else a new one assigned to the caller; the
// message is queued like a reply. Everything is checked before the first write.
func (a *api) startConversation(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in startInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	if err := bodyIDs("channelId", in.ChannelID); err != nil {
		return 0, nil, err
	}
	ch, err := a.Store.GetChannel(ctx, p.AccountID, in.ChannelID)
	if err != nil {
		return 0, nil, err
	}
	k, ok := channels.Lookup(ch.Type)
	if !ok || k.Start == nil {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "conversations on %s channels start when the customer writes", channels.Label(ch.Type))
	}
	name := strings.TrimSpace(in.To.Name)
	if utf8.RuneCountInString(name) > 200 {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "to.name has at most 200 characters")
	}
	to, err := k.Start(ch, inbox.Contact{PSID: in.To.ID, Phone: in.To.Phone, Email: in.To.Email, Name: name})
	if err != nil {
		return 0, nil, err
	}
	if in.ThreadID != "" && (len(in.ThreadID) > 256 || strings.ContainsAny(in.ThreadID, " \t\r\n")) {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "threadId has 1 to 256 characters without spaces")
	}
	now := a.Now().UTC()
	conv := inbox.Conversation{
		AccountID: p.AccountID, ID: a.NewID(), InboxID: ch.InboxID, ChannelID: ch.ID, ChannelType: ch.Type,
		Status: inbox.StatusOpen, AssigneeID: p.UserID, LastMessageAt: now, CreatedAt: now,
	}
	if in.ThreadID != "" {
		conv.ThreadKey = inbox.ProviderThreadKey(in.ThreadID)
	}
	if err := a.uploaded(ctx, p.AccountID, in.Attachments); err != nil {
		return 0, nil, err
	}
	if err := a.validate(ctx, in.replyInput, conv, now); err != nil {
		return 0, nil, err
	}
	to.AccountID, to.ID, to.CreatedAt = p.AccountID, a.NewID(), now
	contact, _, err := a.Store.UpsertContact(ctx, to)
	if err != nil {
		return 0, nil, err
	}
	conv.ContactID, conv.ContactName, conv.ContactPhone, conv.ContactEmail = contact.ID, contact.Name, contact.Phone, contact.Email
	conv, _, err = a.Store.FindOrOpenConversation(ctx, conv)
	if err != nil {
		return 0, nil, err
	}
	m, err := a.send(ctx, p, conv, in.replyInput, now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, startView{Conversation: conversation(conv, p.UserID), Message: message(m)}, nil
}

// startView is the answer of POST /v1/conversations: the conversation and its first message.
type startView struct {
	Conversation conversationView `json:"conversation"`
	Message      messageView      `json:"message"`
}
