package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

// SavedReplies stores the team's saved replies (dynamo.Store is one).
type SavedReplies interface {
	CreateSavedReply(ctx context.Context, r inbox.SavedReply) (inbox.SavedReply, error)
	GetSavedReply(ctx context.Context, acct, id string) (inbox.SavedReply, error)
	ListSavedReplies(ctx context.Context, acct string) ([]inbox.SavedReply, error)
	UpdateSavedReply(ctx context.Context, oldShortcut string, r inbox.SavedReply) (inbox.SavedReply, error)
	DeleteSavedReply(ctx context.Context, acct, id string) error
}

// savedReplyInput is the body of POST and PATCH: absent fields keep their value on PATCH;
// inboxId "" removes the scope.
type savedReplyInput struct {
	Name     *string `json:"name"`
	Shortcut *string `json:"shortcut"`
	Text     *string `json:"text"`
	InboxID  *string `json:"inboxId"`
}

// apply copies the fields given in in onto r, normalised, and validates the result (the inbox
// too): everything is checked before the first write.
func (a *api) applySavedReply(ctx context.Context, acct string, in savedReplyInput, r *inbox.SavedReply) error {
	if in.Name != nil {
		r.Name = strings.TrimSpace(*in.Name)
	}
	if in.Shortcut != nil {
		r.Shortcut = inbox.NormalizeShortcut(*in.Shortcut)
	}
	if in.Text != nil {
		r.Text = *in.Text
	}
	if in.InboxID != nil {
		r.InboxID = strings.TrimSpace(*in.InboxID)
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if in.InboxID != nil && r.InboxID != "" {
		return a.checkInbox(ctx, acct, r.InboxID)
	}
	return nil
}

// needSavedReplies answers 503 when the API was built without SavedReplies.
func (a *api) needSavedReplies(e endpoint) endpoint {
	return func(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
		if a.SavedReplies == nil {
			return 0, nil, inbox.Errorf(inbox.EUnavailable, "saved replies are not configured")
		}
		return e(r, w, p)
	}
}

func (a *api) listSavedReplies(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	items, err := a.SavedReplies.ListSavedReplies(r.Context(), p.AccountID)
	if items == nil {
		items = []inbox.SavedReply{}
	}
	return http.StatusOK, list[inbox.SavedReply]{Items: items}, err
}

func (a *api) createSavedReply(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in savedReplyInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	now := a.Now().UTC()
	sr := inbox.SavedReply{AccountID: p.AccountID, ID: a.NewID(), CreatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	if err := a.applySavedReply(ctx, p.AccountID, in, &sr); err != nil {
		return 0, nil, err
	}
	// The cap keeps the picker's list one small read; a race past it by a few is harmless.
	existing, err := a.SavedReplies.ListSavedReplies(ctx, p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	if len(existing) >= inbox.MaxSavedReplies {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "an account has at most %d saved replies; delete one first", inbox.MaxSavedReplies)
	}
	out, err := a.SavedReplies.CreateSavedReply(ctx, sr)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func (a *api) patchSavedReply(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in savedReplyInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	sr, err := a.SavedReplies.GetSavedReply(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	old := sr.Shortcut
	if err := a.applySavedReply(ctx, p.AccountID, in, &sr); err != nil {
		return 0, nil, err
	}
	sr.UpdatedAt = a.Now().UTC()
	out, err := a.SavedReplies.UpdateSavedReply(ctx, old, sr)
	return http.StatusOK, out, err
}

func (a *api) deleteSavedReply(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	return http.StatusNoContent, nil, a.SavedReplies.DeleteSavedReply(r.Context(), p.AccountID, chi.URLParam(r, "id"))
}
