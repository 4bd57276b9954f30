package httpapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

func (a *api) listTickets(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	q := r.URL.Query()
	ts, err := a.People.ListTickets(r.Context(), p.AccountID, inbox.TicketFilter{Pipeline: q.Get("pipeline"), Stage: q.Get("stage")})
	if ts == nil {
		ts = []inbox.Ticket{}
	}
	return http.StatusOK, list[inbox.Ticket]{Items: ts}, err
}

func (a *api) getTicket(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	t, err := a.People.GetTicket(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	return http.StatusOK, t, err
}

func (a *api) patchTicket(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in struct {
		Stage string `json:"stage"`
	}
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if strings.TrimSpace(in.Stage) == "" {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "stage is required")
	}
	t, err := a.People.MoveTicket(r.Context(), p.AccountID, chi.URLParam(r, "id"), strings.TrimSpace(in.Stage), a.Now().UTC())
	return http.StatusOK, t, err
}
