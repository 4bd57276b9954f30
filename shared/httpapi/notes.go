package httpapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

// MaxNote is the longest internal note, in characters.
const MaxNote = 10000

type noteInput struct {
	Text string `json:"text"`
}

// note stores an internal note in a conversation (POST /v1/conversations/{id}/notes): a message
// of direction "note" and status "stored", authored by the caller, that the team sees in the
// thread and the contact never does. Nothing is queued, so no channel can send it; the
// conversation's last-message time and preview do not move. Any user of the account may write
// one, in open and closed conversations alike.
func (a *api) note(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in noteInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if strings.TrimSpace(in.Text) == "" {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "a note needs text")
	}
	if utf8.RuneCountInString(in.Text) > MaxNote {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "a note has at most %d characters", MaxNote)
	}
	ctx := r.Context()
	c, err := a.Store.GetConversation(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	now := a.Now().UTC()
	m := inbox.Message{
		AccountID: p.AccountID, ConversationID: c.ID, ID: inbox.MessageID(now, a.NewID()),
		Direction: inbox.DirectionNote, Text: in.Text, CreatedAt: now, UpdatedAt: now,
		Status: inbox.MessageStored, AuthorID: p.UserID,
	}
	m.AuthorName, _, _ = agentNames(p)
	if _, err := a.Store.AppendNote(ctx, c, m); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, message(m), nil
}
