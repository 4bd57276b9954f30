package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/realtime"
)

// EventLog serves the live channel's catch-up (shared/dynamo.Store is one).
type EventLog interface {
	EventsAfter(ctx context.Context, acct, cursor string, limit int) ([]realtime.Event, error)
}

// events is GET /v1/events?after=&limit=: the caller's account's events after a cursor (the
// last one the client saw, live or here), oldest first, for the catch-up after a reconnect.
// cursor in the answer is where to continue from (the given one when nothing is new).
func (a *api) events(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	if a.Events == nil {
		return 0, nil, inbox.Errorf(inbox.EUnavailable, "live updates are not configured")
	}
	q := r.URL.Query()
	limit := 100
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "limit must be 1..500")
		}
		limit = n
	}
	after := q.Get("after")
	if len(after) > 100 {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "malformed cursor")
	}
	evs, err := a.Events.EventsAfter(r.Context(), p.AccountID, after, limit)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Events []realtime.Event `json:"events"`
		Cursor string           `json:"cursor"`
		More   bool             `json:"more"`
	}{Events: evs, Cursor: after, More: len(evs) == limit}
	if out.Events == nil {
		out.Events = []realtime.Event{}
	}
	if len(evs) > 0 {
		out.Cursor = evs[len(evs)-1].Cursor
	}
	return http.StatusOK, out, nil
}
