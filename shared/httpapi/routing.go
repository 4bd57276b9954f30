package httpapi

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/routing"
)

// putRouting sets a channel's automation settings: users and teams of this account only (404
// otherwise), users with a paid seat only (400 otherwise); then drains the waiting queue.
func (a *api) putRouting(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	// "Only available users" is on unless the request turns it off: an omitted onlyAvailable
	// must not hand conversations to away agents.
	in := inbox.RoutingRules{OnlyAvailable: true}
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	for field, ids := range map[string][]string{"userIds": in.UserIDs, "teamIds": in.TeamIDs,
		"fallbackUserIds": in.FallbackUserIDs, "fallbackTeamIds": in.FallbackTeamIDs} {
		if err := bodyIDs(field, ids...); err != nil {
			return 0, nil, err
		}
	}
	ctx := r.Context()
	ch, err := a.Store.GetChannel(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	users, err := a.People.ListUsers(ctx, p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	teams, err := a.People.ListTeams(ctx, p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	um := map[string]inbox.User{}
	for _, u := range users {
		um[u.ID] = u
	}
	tm := map[string]inbox.Team{}
	for _, t := range teams {
		tm[t.ID] = t
	}
	if err := routing.ValidateRules(in, um, tm); err != nil {
		return 0, nil, err
	}
	if err := a.checkTickets(ctx, p.AccountID, "tickets", in.Tickets); err != nil {
		return 0, nil, err
	}
	if err := a.People.SetRoutingRules(ctx, p.AccountID, ch.ID, &in); err != nil {
		return 0, nil, err
	}
	a.drain(ctx, p.AccountID)
	ch.Routing = &in
	return http.StatusOK, a.view(r, ch), nil
}

// checkTickets checks ticket rule t (nil: none) given as field: its own fields, and an owner
// that is a user of account acct (404 otherwise).
func (a *api) checkTickets(ctx context.Context, acct, field string, t *inbox.TicketSettings) error {
	if t == nil {
		return nil
	}
	if err := t.Check(field); err != nil {
		return err
	}
	if t.OwnerUserID != "" {
		return a.checkUsers(ctx, acct, []string{t.OwnerUserID})
	}
	return nil
}

// drain runs after changes that can free an assignment; a failure is logged, not returned:
// the change itself succeeded, and the next change or message drains again.
func (a *api) drain(ctx context.Context, acct string) {
	if a.Drainer == nil {
		return
	}
	if err := a.Drainer.DrainAccount(ctx, acct); err != nil {
		a.Log.ErrorContext(ctx, "waiting queue not drained", "account", acct, "err", err)
	}
}
