package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

type channelRef struct {
	ID   string            `json:"id"`
	Type inbox.ChannelType `json:"type"`
}

type contactRef struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// conversationView is the API's conversation shape.
type conversationView struct {
	ID            string                   `json:"id"`
	InboxID       string                   `json:"inboxId"`
	Status        inbox.ConversationStatus `json:"status"`
	Channel       channelRef               `json:"channel"`
	Contact       contactRef               `json:"contact"`
	Assignee      *string                  `json:"assignee"`
	LastMessageAt time.Time                `json:"lastMessageAt"`
	Preview       string                   `json:"preview"`
	Subject       string                   `json:"subject,omitempty"`
	TicketNotice  string                   `json:"ticketNotice,omitempty"`
	// UnverifiedSender: opened by mail whose sender SES could not authenticate.
	UnverifiedSender bool      `json:"unverifiedSender,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	Version          int64     `json:"version"`
	// Unread is for the caller (inbox.Conversation.UnreadFor).
	Unread bool `json:"unread"`
}

// conversation is c as user sees it (unread is theirs).
func conversation(c inbox.Conversation, user string) conversationView {
	v := conversationView{
		ID: c.ID, InboxID: c.InboxID, Status: c.Status,
		Channel:       channelRef{ID: c.ChannelID, Type: c.ChannelType},
		Contact:       contactRef{ID: c.ContactID, Name: c.ContactName, Phone: c.ContactPhone, Email: c.ContactEmail},
		LastMessageAt: c.LastMessageAt, Preview: c.Preview, Subject: c.Subject, TicketNotice: c.TicketNotice, CreatedAt: c.CreatedAt,
		Version: c.Version, UnverifiedSender: c.UnverifiedSender, Unread: c.UnreadFor(user),
	}
	if c.AssigneeID != "" {
		v.Assignee = &c.AssigneeID
	}
	return v
}

func (a *api) listConversations(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	q := r.URL.Query()
	if q.Has("q") {
		return a.searchConversations(r, p)
	}
	f := inbox.ConversationFilter{InboxID: q.Get("inboxId"), Status: inbox.ConversationStatus(q.Get("status")), Cursor: q.Get("cursor")}
	switch f.Status {
	case "", inbox.StatusOpen, inbox.StatusClosed, inbox.StatusSpam:
	default:
		return 0, nil, inbox.Errorf(inbox.EInvalid, "status must be open, closed or spam")
	}
	switch as := q.Get("assignee"); as {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		f.AssigneeID = p.UserID
	default:
		f.AssigneeID = as
	}
	if f.InboxID != "" {
		if err := bodyIDs("inboxId", f.InboxID); err != nil {
			return 0, nil, err
		}
	}
	if f.AssigneeID != "" {
		if err := bodyIDs("assignee", f.AssigneeID); err != nil {
			return 0, nil, err
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := parseLimit(l)
		if err != nil {
			return 0, nil, err
		}
		f.Limit = n
	}
	items, next, err := a.Store.ListConversations(r.Context(), p.AccountID, f)
	if err != nil {
		return 0, nil, err
	}
	out := list[conversationView]{Items: make([]conversationView, 0, len(items))}
	for _, c := range items {
		out.Items = append(out.Items, conversation(c, p.UserID))
	}
	if next != "" {
		out.Next = &next
	}
	return http.StatusOK, out, nil
}

func parseLimit(s string) (int, error) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1000 {
			return 0, inbox.Errorf(inbox.EInvalid, "limit must be a number from 1 to 100")
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > 100 {
		return 0, inbox.Errorf(inbox.EInvalid, "limit must be a number from 1 to 100")
	}
	return n, nil
}

func (a *api) getConversation(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	c, err := a.Store.GetConversation(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, conversation(c, p.UserID), nil
}

// patchInput changes status and/or assignee. "assignee": null unassigns; absent leaves it.
type patchInput struct {
	Status   *inbox.ConversationStatus `json:"status"`
	Assignee json.RawMessage           `json:"assignee"`
}

func (a *api) patchConversation(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in patchInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	id := chi.URLParam(r, "id")
	ctx := r.Context()
	// Validate everything before reading or changing anything.
	var user *string
	if in.Assignee != nil {
		var as *string
		if err := json.Unmarshal(in.Assignee, &as); err != nil {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "assignee must be a user id or null")
		}
		u := ""
		if as != nil {
			u = strings.TrimSpace(*as)
			// The store's rules for a user id ('#' separates key parts, "-" marks unassigned),
			// checked here so that a refused assignee leaves the status unchanged too.
			if u == "-" || inbox.CheckID("assignee", u) != nil {
				return 0, nil, inbox.Errorf(inbox.EInvalid, "assignee must be a user id or null")
			}
		}
		user = &u
	}
	if in.Status != nil && *in.Status != inbox.StatusOpen && *in.Status != inbox.StatusClosed {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "status must be open or closed")
	}
	c, err := a.Store.GetConversation(ctx, p.AccountID, id)
	if err != nil {
		return 0, nil, err
	}
	// Status first: reopening can be refused (409), and then nothing has changed.
	if in.Status != nil {
		if c, err = a.Store.SetStatus(ctx, p.AccountID, id, *in.Status); err != nil {
			return 0, nil, err
		}
	}
	if user != nil {
		if c, err = a.Store.SetAssignee(ctx, p.AccountID, id, *user); err != nil {
			return 0, nil, err
		}
	}
	// Closing or handing over frees capacity: waiting conversations may now find someone.
	a.drain(ctx, p.AccountID)
	return http.StatusOK, conversation(c, p.UserID), nil
}
