package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

type readInput struct {
	Read *bool `json:"read"`
}

// setRead marks a conversation read or unread for the caller (PUT /v1/conversations/{id}/read
// {"read": true|false}) and answers the conversation as they now see it. Read means read up to
// the contact's last message as stored when marking; a later message makes it unread again.
// Markers are per user: another user's unread state is not touched.
func (a *api) setRead(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in readInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Read == nil {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "read must be true or false")
	}
	c, err := a.Store.SetRead(r.Context(), p.AccountID, chi.URLParam(r, "id"), p.UserID, *in.Read)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, conversation(c, p.UserID), nil
}
