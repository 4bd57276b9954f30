// Package httpapi is the agents' and admins' REST API (/v1): inboxes and channels for admins;
// conversations, their messages, replies, assignment and close/reopen for agents. Every call is
// scoped to the account in the caller's verified JWT claims; another account's ids answer 404.
// The OpenAPI description is openapi.yaml at the repository root.
package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/auth"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

// MaxBody is the largest request body the API reads.
const MaxBody = 64 << 10

// MaxSMSText is the longest SMS reply Twilio accepts (1,600 characters).
const MaxSMSText = 1600

// Store is what the API needs from the database.
type Store interface {
	CreateInbox(ctx context.Context, ib inbox.Inbox) error
	GetInbox(ctx context.Context, acct, id string) (inbox.Inbox, error)
	ListInboxes(ctx context.Context, acct string) ([]inbox.Inbox, error)
	CreateChannel(ctx context.Context, ch inbox.Channel) error
	GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error)
	ListChannels(ctx context.Context, acct string) ([]inbox.Channel, error)
	GetConversation(ctx context.Context, acct, id string) (inbox.Conversation, error)
	ListConversations(ctx context.Context, acct string, f inbox.ConversationFilter) ([]inbox.Conversation, string, error)
	ListMessages(ctx context.Context, acct, convID string) ([]inbox.Message, error)
	AppendMessage(ctx context.Context, conv inbox.Conversation, m inbox.Message, providerID string) (bool, error)
	SetAssignee(ctx context.Context, acct, convID, assigneeID string) (inbox.Conversation, error)
	SetStatus(ctx context.Context, acct, convID string, status inbox.ConversationStatus) (inbox.Conversation, error)
	UpdateDelivery(ctx context.Context, acct, convID, msgID string, u inbox.DeliveryUpdate, now time.Time) (inbox.Message, bool, error)
}

// Publisher sends a body to the outbound FIFO queue.
type Publisher interface {
	Publish(ctx context.Context, group, dedup string, body []byte) error
}

// Config holds the API's dependencies.
type Config struct {
	Store    Store
	Outbound Publisher
	Now      func() time.Time
	NewID    func() string
	Log      *slog.Logger
	// PublicBaseURL is the scheme and host webhooks are called on; empty means
	// "https://" + the request's Host (API Gateway's own domain).
	PublicBaseURL string
}

type api struct{ Config }

// New returns the API's handler.
func New(c Config) http.Handler {
	a := &api{c}
	r := chi.NewRouter()
	r.Route("/v1", func(r chi.Router) {
		r.Get("/me", a.handle(a.me))
		r.Get("/inboxes", a.handle(a.listInboxes))
		r.Post("/inboxes", a.admin(a.createInbox))
		r.Get("/inboxes/{id}", a.handle(a.getInbox))
		r.Get("/channels", a.handle(a.listChannels))
		r.Post("/channels", a.admin(a.createChannel))
		r.Get("/channels/{id}", a.handle(a.getChannel))
		r.Get("/conversations", a.handle(a.listConversations))
		r.Get("/conversations/{id}", a.handle(a.getConversation))
		r.Patch("/conversations/{id}", a.handle(a.patchConversation))
		r.Get("/conversations/{id}/messages", a.handle(a.listMessages))
		r.Post("/conversations/{id}/messages", a.handle(a.reply))
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		httpjson.Error(w, r, c.Log, inbox.Errorf(inbox.ENotFound, "no such endpoint"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		httpjson.Error(w, r, c.Log, inbox.Errorf(inbox.ENotFound, "no such endpoint"))
	})
	return r
}

// endpoint handles one call for an authenticated principal and returns the status and body.
type endpoint func(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error)

func (a *api) handle(e endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := auth.Principal(r)
		if err != nil {
			httpjson.Error(w, r, a.Log, err)
			return
		}
		status, body, err := e(r, w, p)
		if err != nil {
			httpjson.Error(w, r, a.Log.With("account", p.AccountID, "user", p.UserID), err)
			return
		}
		httpjson.Write(w, status, body)
	}
}

func (a *api) admin(e endpoint) http.HandlerFunc {
	return a.handle(func(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
		if p.Role != inbox.RoleAdmin {
			return 0, nil, inbox.Errorf(inbox.EForbidden, "only admins can do this")
		}
		return e(r, w, p)
	})
}

func (a *api) baseURL(r *http.Request) string {
	if a.PublicBaseURL != "" {
		return strings.TrimRight(a.PublicBaseURL, "/")
	}
	return "https://" + r.Host
}

// list is the JSON shape of every collection.
type list[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next,omitempty"`
}

func (a *api) me(_ *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	return http.StatusOK, map[string]string{"accountId": p.AccountID, "userId": p.UserID, "role": string(p.Role)}, nil
}

// ---- inboxes

type inboxInput struct {
	Name string `json:"name"`
}

func (a *api) createInbox(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in inboxInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "name is required (at most 100 characters)")
	}
	ib := inbox.Inbox{AccountID: p.AccountID, ID: a.NewID(), Name: name, CreatedAt: a.Now().UTC()}
	if err := a.Store.CreateInbox(r.Context(), ib); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, ib, nil
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

// ---- channels

type channelInput struct {
	Type    inbox.ChannelType `json:"type"`
	InboxID string            `json:"inboxId"`
	Name    string            `json:"name"`
	Twilio  *struct {
		AccountSID  string `json:"accountSid"`
		AuthToken   string `json:"authToken"`
		PhoneNumber string `json:"phoneNumber"`
	} `json:"twilio"`
}

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	twilioSID = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
)

// channelView is a channel as the API shows it: settings, webhook URLs, never secrets.
type channelView struct {
	inbox.Channel
	WebhookURL        string `json:"webhookUrl"`
	StatusCallbackURL string `json:"statusCallbackUrl,omitempty"`
}

func (a *api) view(r *http.Request, ch inbox.Channel) channelView {
	v := channelView{Channel: ch}
	if ch.Type == inbox.ChannelSMS {
		v.WebhookURL = a.baseURL(r) + "/webhooks/twilio/" + ch.ID
		v.StatusCallbackURL = v.WebhookURL + "/status"
	}
	return v
}

func (a *api) createChannel(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in channelInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Type != inbox.ChannelSMS {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "type must be %q", inbox.ChannelSMS)
	}
	if in.Twilio == nil {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "twilio settings are required for an sms channel")
	}
	t := in.Twilio
	switch {
	case !twilioSID.MatchString(t.AccountSID):
		return 0, nil, inbox.Errorf(inbox.EInvalid, "twilio.accountSid must be AC followed by 32 hex digits")
	case strings.TrimSpace(t.AuthToken) == "":
		return 0, nil, inbox.Errorf(inbox.EInvalid, "twilio.authToken is required")
	case !e164.MatchString(t.PhoneNumber):
		return 0, nil, inbox.Errorf(inbox.EInvalid, "twilio.phoneNumber must be in E.164 form, like +14155550100")
	}
	if _, err := a.Store.GetInbox(r.Context(), p.AccountID, in.InboxID); err != nil {
		if inbox.IsCode(err, inbox.ENotFound) {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "inboxId does not name an inbox of this account")
		}
		return 0, nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = "SMS " + t.PhoneNumber
	}
	ch := inbox.Channel{
		AccountID: p.AccountID, ID: a.NewID(), InboxID: in.InboxID, Type: inbox.ChannelSMS, Name: name,
		ProviderKey: t.PhoneNumber,
		Twilio:      &inbox.TwilioConfig{AccountSID: t.AccountSID, PhoneNumber: t.PhoneNumber},
		Secrets:     map[string]string{inbox.SecretTwilioAuthToken: t.AuthToken},
		CreatedAt:   a.Now().UTC(),
	}
	if err := a.Store.CreateChannel(r.Context(), ch); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, a.view(r, ch), nil
}

func (a *api) getChannel(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ch, err := a.Store.GetChannel(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a.view(r, ch), nil
}

func (a *api) listChannels(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	chs, err := a.Store.ListChannels(r.Context(), p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	out := list[channelView]{Items: make([]channelView, 0, len(chs))}
	for _, ch := range chs {
		out.Items = append(out.Items, a.view(r, ch))
	}
	return http.StatusOK, out, nil
}

// ---- conversations

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
	CreatedAt     time.Time                `json:"createdAt"`
	Version       int64                    `json:"version"`
}

func conversation(c inbox.Conversation) conversationView {
	v := conversationView{
		ID: c.ID, InboxID: c.InboxID, Status: c.Status,
		Channel:       channelRef{ID: c.ChannelID, Type: c.ChannelType},
		Contact:       contactRef{ID: c.ContactID, Name: c.ContactName, Phone: c.ContactPhone, Email: c.ContactEmail},
		LastMessageAt: c.LastMessageAt, Preview: c.Preview, CreatedAt: c.CreatedAt, Version: c.Version,
	}
	if c.AssigneeID != "" {
		v.Assignee = &c.AssigneeID
	}
	return v
}

func (a *api) listConversations(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	q := r.URL.Query()
	f := inbox.ConversationFilter{InboxID: q.Get("inboxId"), Status: inbox.ConversationStatus(q.Get("status")), Cursor: q.Get("cursor")}
	switch f.Status {
	case "", inbox.StatusOpen, inbox.StatusClosed:
	default:
		return 0, nil, inbox.Errorf(inbox.EInvalid, "status must be open or closed")
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
		out.Items = append(out.Items, conversation(c))
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
	return http.StatusOK, conversation(c), nil
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
	c, err := a.Store.GetConversation(ctx, p.AccountID, id)
	if err != nil {
		return 0, nil, err
	}
	// Validate everything before changing anything.
	var user *string
	if in.Assignee != nil {
		var as *string
		if err := json.Unmarshal(in.Assignee, &as); err != nil {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "assignee must be a user id or null")
		}
		u := ""
		if as != nil {
			u = strings.TrimSpace(*as)
			if u == "" || len(u) > 128 {
				return 0, nil, inbox.Errorf(inbox.EInvalid, "assignee must be a user id or null")
			}
		}
		user = &u
	}
	if in.Status != nil && *in.Status != inbox.StatusOpen && *in.Status != inbox.StatusClosed {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "status must be open or closed")
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
	return http.StatusOK, conversation(c), nil
}

// messageView is the API's message shape.
type messageView struct {
	ID          string               `json:"id"`
	Direction   inbox.Direction      `json:"direction"`
	Text        string               `json:"text"`
	Attachments []inbox.Attachment   `json:"attachments"`
	CreatedAt   time.Time            `json:"createdAt"`
	Status      inbox.MessageStatus  `json:"status"`
	AuthorID    string               `json:"authorId,omitempty"`
	Error       *inbox.ProviderError `json:"error,omitempty"`
}

func message(m inbox.Message) messageView {
	v := messageView{ID: m.ID, Direction: m.Direction, Text: m.Text, Attachments: m.Attachments,
		CreatedAt: m.CreatedAt, Status: m.Status, AuthorID: m.AuthorID, Error: m.Error}
	if v.Attachments == nil {
		v.Attachments = []inbox.Attachment{}
	}
	return v
}

func (a *api) listMessages(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ms, err := a.Store.ListMessages(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	out := list[messageView]{Items: make([]messageView, 0, len(ms))}
	for _, m := range ms {
		out.Items = append(out.Items, message(m))
	}
	return http.StatusOK, out, nil
}

type replyInput struct {
	Text string `json:"text"`
}

func (a *api) reply(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in replyInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if strings.TrimSpace(in.Text) == "" {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "text is required")
	}
	ctx := r.Context()
	c, err := a.Store.GetConversation(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	if c.ChannelType == inbox.ChannelSMS && utf8.RuneCountInString(in.Text) > MaxSMSText {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "an SMS reply has at most %d characters", MaxSMSText)
	}
	now := a.Now().UTC()
	m := inbox.Message{
		AccountID: p.AccountID, ConversationID: c.ID, ID: inbox.MessageID(now, a.NewID()),
		Direction: inbox.DirectionOut, Text: in.Text, CreatedAt: now, UpdatedAt: now,
		Status: inbox.MessagePending, AuthorID: p.UserID,
	}
	if _, err := a.Store.AppendMessage(ctx, c, m, ""); err != nil {
		return 0, nil, err
	}
	job := inbox.OutboundJob{V: 1, AccountID: p.AccountID, ConversationID: c.ID, MessageID: m.ID}
	body, _ := json.Marshal(job)
	if err := a.Outbound.Publish(ctx, job.GroupKey(), job.DedupKey(), body); err != nil {
		// The message is stored: mark it failed so the agent sees it and can send again.
		pe := &inbox.ProviderError{Code: "queue_unavailable", Message: "the reply could not be queued for sending"}
		if _, _, uerr := a.Store.UpdateDelivery(ctx, p.AccountID, c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageFailed, Error: pe}, now); uerr != nil {
			a.Log.ErrorContext(ctx, "could not mark unqueued reply failed", "messageId", m.ID, "err", uerr)
		}
		return 0, nil, err
	}
	return http.StatusAccepted, message(m), nil
}
