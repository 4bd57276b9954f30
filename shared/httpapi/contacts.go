package httpapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

func (a *api) getContact(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	c, err := a.People.GetContact(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	return http.StatusOK, c, err
}

func (a *api) patchContact(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in struct {
		OwnerID *string `json:"ownerId"`
	}
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	owner := ""
	if in.OwnerID != nil {
		owner = strings.TrimSpace(*in.OwnerID)
	}
	if owner != "" {
		if err := bodyIDs("ownerId", owner); err != nil {
			return 0, nil, err
		}
	}
	if _, err := a.People.GetContact(ctx, p.AccountID, chi.URLParam(r, "id")); err != nil {
		return 0, nil, err
	}
	if owner != "" {
		if err := a.checkUsers(ctx, p.AccountID, []string{owner}); err != nil {
			return 0, nil, err
		}
	}
	c, err := a.People.SetContactOwner(ctx, p.AccountID, chi.URLParam(r, "id"), owner)
	return http.StatusOK, c, err
}
