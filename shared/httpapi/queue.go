package httpapi

import (
	"net/http"
	"slices"

	"github.com/openinbox/inbox/shared/inbox"
)

// myQueue is the caller's work: open conversations assigned to them, and the conversations
// waiting in the channels whose rules can give them work.
func (a *api) myQueue(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ctx := r.Context()
	mine, _, err := a.Store.ListConversations(ctx, p.AccountID, inbox.ConversationFilter{AssigneeID: p.UserID, Limit: 100})
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Assigned []conversationView `json:"assigned"`
		Waiting  []conversationView `json:"waiting"`
	}{Assigned: []conversationView{}, Waiting: []conversationView{}}
	for _, c := range mine {
		out.Assigned = append(out.Assigned, conversation(c, p.UserID))
	}
	chs, err := a.Store.ListChannels(ctx, p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	teams, err := a.People.ListTeams(ctx, p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	for _, ch := range chs {
		if ch.Routing == nil || !names(*ch.Routing, teams, p.UserID) {
			continue
		}
		ws, err := a.People.ListWaiting(ctx, p.AccountID, ch.ID, 100)
		if err != nil {
			return 0, nil, err
		}
		for _, wt := range ws {
			c, err := a.Store.GetConversation(ctx, p.AccountID, wt.ConversationID)
			if err != nil || c.AssigneeID != "" || c.Status != inbox.StatusOpen {
				continue
			}
			out.Waiting = append(out.Waiting, conversation(c, p.UserID))
		}
	}
	return http.StatusOK, out, nil
}

// names reports whether rules can give user work: named directly or through a team, or any
// contact-owner rule (owners are anyone).
func names(r inbox.RoutingRules, teams []inbox.Team, user string) bool {
	if r.Target == inbox.TargetContactOwner {
		return true
	}
	ids := append(append([]string{}, r.UserIDs...), r.FallbackUserIDs...)
	if slices.Contains(ids, user) {
		return true
	}
	tids := append(append([]string{}, r.TeamIDs...), r.FallbackTeamIDs...)
	for _, t := range teams {
		if slices.Contains(tids, t.ID) && slices.Contains(t.UserIDs, user) {
			return true
		}
	}
	return false
}
