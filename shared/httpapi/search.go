package httpapi

import (
	"context"
	"net/http"

	"github.com/openinbox/inbox/shared/inbox"
)

// Search finds conversations by their contact (dynamo.Store is one).
type Search interface {
	SearchConversations(ctx context.Context, acct string, q inbox.ContactQuery, limit int) ([]inbox.Conversation, error)
}

// searchConversations serves GET /v1/conversations?q=: the conversations of the contacts q
// finds by name, email or phone, of every status and inbox.
func (a *api) searchConversations(r *http.Request, p inbox.Principal) (int, any, error) {
	params := r.URL.Query()
	for _, f := range []string{"inboxId", "status", "assignee", "cursor"} {
		if params.Has(f) {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "q cannot be combined with %s", f)
		}
	}
	cq, err := inbox.ParseContactQuery(params.Get("q"))
	if err != nil {
		return 0, nil, err
	}
	limit := defaultSearchLimit
	if l := params.Get("limit"); l != "" {
		if limit, err = parseLimit(l); err != nil {
			return 0, nil, err
		}
	}
	if a.Search == nil {
		return 0, nil, inbox.Errorf(inbox.EUnavailable, "search is not configured")
	}
	items, err := a.Search.SearchConversations(r.Context(), p.AccountID, cq, limit)
	if err != nil {
		return 0, nil, err
	}
	out := list[conversationView]{Items: make([]conversationView, 0, len(items))}
	for _, c := range items {
		out.Items = append(out.Items, conversation(c, p.UserID))
	}
	return http.StatusOK, out, nil
}

// defaultSearchLimit is how many conversations a search returns without a limit.
const defaultSearchLimit = 25
