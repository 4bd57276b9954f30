package httpapi

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

type inboxInput struct {
	Name string `json:"name"`
}

// inboxName is an inbox's name from a request: trimmed, 1 to 100 characters (EInvalid otherwise).
func inboxName(in inboxInput) (string, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", inbox.Errorf(inbox.EInvalid, "name is required (at most 100 characters)")
	}
	return name, nil
}

func (a *api) createInbox(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in inboxInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	name, err := inboxName(in)
	if err != nil {
		return 0, nil, err
	}
	ib := inbox.Inbox{AccountID: p.AccountID, ID: a.NewID(), Name: name, CreatedAt: a.Now().UTC()}
	if err := a.Store.CreateInbox(r.Context(), ib); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, ib, nil
}

// patchInbox renames an inbox (its only editable field); the name is checked before the write.
func (a *api) patchInbox(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in inboxInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	name, err := inboxName(in)
	if err != nil {
		return 0, nil, err
	}
	ib, err := a.Store.RenameInbox(r.Context(), p.AccountID, chi.URLParam(r, "id"), name)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ib, nil
}

func (a *api) getInbox(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ib, err := a.Store.GetInbox(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	return http.StatusOK, ib, err
}

func (a *api) listInboxes(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	items, err := a.Store.ListInboxes(r.Context(), p.AccountID)
	if items == nil {
		items = []inbox.Inbox{}
	}
	return http.StatusOK, list[inbox.Inbox]{Items: items}, err
}

// checkInbox checks that id (a request's inboxId) names an inbox of account acct: EInvalid
// otherwise, for an id that cannot be one before any store call.
func (a *api) checkInbox(ctx context.Context, acct, id string) error {
	if err := bodyIDs("inboxId", id); err != nil {
		return err
	}
	if _, err := a.Store.GetInbox(ctx, acct, id); err != nil {
		if inbox.IsCode(err, inbox.ENotFound) || inbox.IsCode(err, inbox.EInvalid) {
			return inbox.Errorf(inbox.EInvalid, "inboxId does not name an inbox of this account")
		}
		return err
	}
	return nil
}
