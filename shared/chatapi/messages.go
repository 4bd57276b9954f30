package chatapi

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

type sendInput struct {
	// ClientMessageID is the widget's id of the message: a retry with the same id is stored once.
	ClientMessageID string `json:"clientMessageId"`
	Text            string `json:"text"`
	// Email and Name, when given (email capture), go with the message to the new contact.
	Email string `json:"email"`
	Name  string `json:"name"`
	// Consent says the visitor accepted the chat's consent text.
	Consent bool `json:"consent"`
	// Attachments are the uploadIds of files the visitor uploaded (POST uploads) for this
	// message, at most chat.MaxFiles.
	Attachments []string `json:"attachments"`
	// Language is the language the widget shows (a catalogue tag): it becomes the contact's.
	Language string `json:"language"`
}

// SendView is POST messages' answer.
type SendView struct {
	ClientMessageID string `json:"clientMessageId"`
	Status          string `json:"status"`
}

// providerID is the provider message id of a visitor's message: per visitor and client id, so
// that a retried send is one message (the router's exactly-once storage).
func providerID(v Visitor, client string) string { return "chat/" + v.Key + "/" + client }

func (a *api) send(r *http.Request, c *call) (int, any, error) {
	v, err := a.visitor(r, c)
	if err != nil {
		return 0, nil, err
	}
	var in sendInput
	if err := httpjson.Decode(nil, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	switch {
	case !inbox.ValidClientID(in.ClientMessageID):
		return 0, nil, inbox.Errorf(inbox.EInvalid, "clientMessageId is required: 1 to %d letters, digits, _ or -", maxClientID)
	case strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0:
		return 0, nil, inbox.Errorf(inbox.EInvalid, "text or an attachment is required")
	case len(in.Attachments) > chat.MaxFiles:
		return 0, nil, inbox.Errorf(inbox.EInvalid, "a message carries at most %d files", chat.MaxFiles)
	case utf8.RuneCountInString(in.Text) > chat.MaxText:
		return 0, nil, inbox.Errorf(inbox.ETooLarge, "text has at most %d characters", chat.MaxText)
	case c.set.IdentityVerification && !v.Verified:
		return 0, nil, inbox.Errorf(inbox.EForbidden, "this chat requires identify() with a verified hash before sending")
	case c.set.ConsentText != "" && !in.Consent:
		return 0, nil, inbox.Errorf(inbox.EInvalid, "consent is required: the visitor must accept the chat's consent text first")
	case in.Language != "" && !i18n.Supported(in.Language):
		return 0, nil, inbox.Errorf(inbox.EInvalid, "language must be one of %s (the widget's language)", strings.Join(i18n.Languages(), ", "))
	}
	if err := checkPerson(in.Email, in.Name); err != nil {
		return 0, nil, err
	}
	if !a.allow("v/"+c.ch.ID+"/"+v.Key, SendsPerVisitor, c.now) || !a.allow("ip/send/"+c.ip, SendsPerIP, c.now) {
		return 0, nil, tooMany("messages")
	}
	// Every file is checked (uploaded, this visitor's, within the limits) before any is kept
	// and before the message is queued: a refused send changes nothing.
	atts, err := a.attach(r.Context(), c, v, in.Attachments)
	if err != nil {
		return 0, nil, err
	}
	from := inbox.Sender{PSID: v.Key, Name: v.Name, Email: v.Email, Language: in.Language}
	if e := strings.ToLower(strings.TrimSpace(in.Email)); e != "" {
		from.Email = e
	}
	if n := strings.TrimSpace(in.Name); n != "" {
		from.Name = n
	}
	env := inbox.Envelope{Kind: inbox.KindMessage, ProviderMessageID: providerID(v, in.ClientMessageID),
		From: from, Text: in.Text, Attachments: atts, ReceivedAt: c.now.UTC()}
	if err := a.in.Enqueue(r.Context(), c.ch, env); err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, SendView{ClientMessageID: in.ClientMessageID, Status: "accepted"}, nil
}

// HistoryView is GET messages' answer: the visitor's conversation after the cursor.
type HistoryView struct {
	ConversationID string        `json:"conversationId,omitempty"`
	Items          []MessageView `json:"items"`
	// Cursor is the id of the last message: the next call's ?after=.
	Cursor string `json:"cursor"`
}

// MessageView is a message as the visitor sees it: no internal ids of people, no provider ids.
type MessageView struct {
	ID              string              `json:"id"`
	Direction       inbox.Direction     `json:"direction"`
	Text            string              `json:"text"`
	CreatedAt       time.Time           `json:"createdAt"`
	Status          inbox.MessageStatus `json:"status"`
	AuthorName      string              `json:"authorName,omitempty"`
	ClientMessageID string              `json:"clientMessageId,omitempty"`
	// Attachments are the message's files with download links valid for FileLinkTTL.
	Attachments []AttachmentView `json:"attachments,omitempty"`
}

func (a *api) history(r *http.Request, c *call) (int, any, error) {
	v, err := a.visitor(r, c)
	if err != nil {
		return 0, nil, err
	}
	after := r.URL.Query().Get("after")
	if len(after) > 64 {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "after is a message id from an earlier answer's cursor")
	}
	ctx, acct := r.Context(), c.ch.AccountID
	out := HistoryView{Items: []MessageView{}, Cursor: after}
	conv, err := conversationOf(ctx, a.Store, c.ch, v)
	if err != nil || conv.ID == "" {
		return http.StatusOK, out, err
	}
	msgs, err := a.Store.ListMessages(ctx, acct, conv.ID)
	if err != nil {
		return 0, nil, err
	}
	out.ConversationID = conv.ID
	prefix := "chat/" + v.Key + "/"
	for _, m := range msgs {
		if m.ID <= after || (m.Direction != inbox.DirectionIn && m.Direction != inbox.DirectionOut) || m.Call != nil {
			continue
		}
		mv := MessageView{ID: m.ID, Direction: m.Direction, Text: m.Text, CreatedAt: m.CreatedAt, Status: m.Status,
			Attachments: a.attachmentViews(ctx, m)}
		if m.Direction == inbox.DirectionOut {
			mv.AuthorName = firstName(m.AuthorName)
		} else {
			mv.ClientMessageID = strings.TrimPrefix(m.ProviderID, prefix)
		}
		out.Items = append(out.Items, mv)
		out.Cursor = m.ID
	}
	return http.StatusOK, out, nil
}

// firstName is what a visitor sees of an agent.
func firstName(n string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(n), " ")
	return f
}

// conversationOf finds visitor v's conversation on chat channel ch: their open one, else their
// last closed one; the zero Conversation when they have none yet. Errors: the store's.
func conversationOf(ctx context.Context, store Store, ch inbox.Channel, v Visitor) (inbox.Conversation, error) {
	acct := ch.AccountID
	st, err := store.InboundState(ctx, acct, ch.ID, "chat/history", ch.InboxID, inbox.Contact{AccountID: acct, PSID: ch.ID + ":" + v.Key})
	if err != nil || st.ContactID == "" {
		return inbox.Conversation{}, err
	}
	var conv inbox.Conversation
	if st.OpenConversationID != "" {
		conv, err = store.GetConversation(ctx, acct, st.OpenConversationID)
	}
	if st.OpenConversationID == "" || inbox.IsCode(err, inbox.ENotFound) || conv.ContactID != st.ContactID {
		conv, err = store.LastClosedConversation(ctx, acct, ch.InboxID, st.ContactID)
	}
	switch {
	case inbox.IsCode(err, inbox.ENotFound):
		return inbox.Conversation{}, nil
	case err != nil:
		return inbox.Conversation{}, err
	case conv.ContactID != st.ContactID || conv.ChannelID != ch.ID:
		return inbox.Conversation{}, nil
	}
	return conv, nil
}
