package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

type teamInput struct {
	Name    *string   `json:"name"`
	UserIDs *[]string `json:"userIds"`
}

// checkUsers checks that ids are users of account acct: EInvalid for an id that cannot be one
// (before any store call), ENotFound for one that is not a user of the account.
func (a *api) checkUsers(ctx context.Context, acct string, ids []string) error {
	if err := bodyIDs("user id", ids...); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := a.People.GetUser(ctx, acct, id); err != nil {
			if inbox.IsCode(err, inbox.EInvalid) {
				return inbox.Errorf(inbox.ENotFound, "user %s not found", id)
			}
			return err
		}
	}
	return nil
}

func (a *api) createTeam(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in teamInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "name is required")
	}
	t := inbox.Team{AccountID: p.AccountID, ID: a.NewID(), Name: strings.TrimSpace(*in.Name), UserIDs: []string{}, CreatedAt: a.Now().UTC()}
	if in.UserIDs != nil {
		if err := a.checkUsers(r.Context(), p.AccountID, *in.UserIDs); err != nil {
			return 0, nil, err
		}
		t.UserIDs = slices.Clone(*in.UserIDs)
	}
	if err := a.People.CreateTeam(r.Context(), t); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, t, nil
}

func (a *api) listTeams(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ts, err := a.People.ListTeams(r.Context(), p.AccountID)
	if ts == nil {
		ts = []inbox.Team{}
	}
	return http.StatusOK, list[inbox.Team]{Items: ts}, err
}

func (a *api) patchTeam(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in teamInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	t, err := a.People.GetTeam(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	if in.Name != nil && strings.TrimSpace(*in.Name) != "" {
		t.Name = strings.TrimSpace(*in.Name)
	}
	if in.UserIDs != nil {
		if err := a.checkUsers(ctx, p.AccountID, *in.UserIDs); err != nil {
			return 0, nil, err
		}
		t.UserIDs = slices.Clone(*in.UserIDs)
	}
	if err := a.People.UpdateTeam(ctx, t); err != nil {
		return 0, nil, err
	}
	a.drain(ctx, p.AccountID)
	return http.StatusOK, t, nil
}
