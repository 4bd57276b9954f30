// Package httpapi is the agents' and admins' REST API (/v1): inboxes and channels for admins;
// conversations, their messages, replies, assignment and close/reopen for agents, and the file
// uploads that replies attach. Every call is scoped to the account in the caller's verified JWT
// claims; another account's ids answer 404.
// The OpenAPI description is openapi.yaml at the repository root.
//
// New holds the one route table. Each resource has its own file: inboxes.go, channels.go
// (channels_email.go for the email channel's settings and preview), conversations.go,
// templates.go (a WhatsApp channel's approved templates), chatpreview.go (a chat widget's
// config for unsaved settings),
// messages.go (listing and replies), notes.go (internal notes), read.go (per-user read markers), uploads.go, users.go, teams.go, routing.go (a channel's
// routing rules), contacts.go, tickets.go, queue.go (the caller's work), events.go (the
// live channel's catch-up) savedreplies.go (the team's saved replies) and search.go
// (conversations by their contact).
package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/auth"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

// MaxBody is the largest request body the API reads.
const MaxBody = 64 << 10

// Store is what the API needs from the database.
type Store interface {
	CreateInbox(ctx context.Context, ib inbox.Inbox) error
	GetInbox(ctx context.Context, acct, id string) (inbox.Inbox, error)
	ListInboxes(ctx context.Context, acct string) ([]inbox.Inbox, error)
	RenameInbox(ctx context.Context, acct, id, name string) (inbox.Inbox, error)
	CreateChannel(ctx context.Context, ch inbox.Channel) error
	UpdateChannel(ctx context.Context, ch inbox.Channel) error
	DeleteChannel(ctx context.Context, acct, id string) error
	GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error)
	ListChannels(ctx context.Context, acct string) ([]inbox.Channel, error)
	GetConversation(ctx context.Context, acct, id string) (inbox.Conversation, error)
	ListConversations(ctx context.Context, acct string, f inbox.ConversationFilter) ([]inbox.Conversation, string, error)
	ListMessages(ctx context.Context, acct, convID string) ([]inbox.Message, error)
	AppendMessage(ctx context.Context, conv inbox.Conversation, m inbox.Message, providerID string) (bool, error)
	AppendNote(ctx context.Context, conv inbox.Conversation, m inbox.Message) (bool, error)
	SetRead(ctx context.Context, acct, convID, user string, read bool) (inbox.Conversation, error)
	SetAssignee(ctx context.Context, acct, convID, assigneeID string) (inbox.Conversation, error)
	SetStatus(ctx context.Context, acct, convID string, status inbox.ConversationStatus) (inbox.Conversation, error)
	UpdateDelivery(ctx context.Context, acct, convID, msgID string, u inbox.DeliveryUpdate, now time.Time) (inbox.Message, bool, error)
	GetMessage(ctx context.Context, acct, convID, msgID string) (inbox.Message, error)
	RetryMessage(ctx context.Context, acct, convID, msgID, failedSend string, as []inbox.Attachment, now time.Time) (inbox.Message, error)
	UpsertContact(ctx context.Context, c inbox.Contact) (inbox.Contact, bool, error)
	FindOrOpenConversation(ctx context.Context, c inbox.Conversation) (inbox.Conversation, bool, error)
}

// Publisher sends a body to the outbound FIFO queue.
type Publisher interface {
	Publish(ctx context.Context, group, dedup string, body []byte) error
}

// Blobs signs short-lived links to media copied into the bucket: PresignGet for providers that
// download a reply's file, PresignDownload for agents' browsers (served as inbox.Download says).
type Blobs interface {
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
	PresignDownload(ctx context.Context, key, name, contentType string, ttl time.Duration) (string, error)
}

// Files is Blobs that also stores and reads files: with it (s3store.Store is one), agents
// upload files (POST /v1/uploads) and attach them to replies by their uploadId.
type Files interface {
	Blobs
	Put(ctx context.Context, key, contentType string, body io.Reader, size int64) error
	Get(ctx context.Context, key string) (io.ReadCloser, int64, error)
	// Copy copies an object within storage; ENotFound when src does not exist.
	Copy(ctx context.Context, src, dst string) error
}

// MediaLinkTTL is how long an attachment link handed to agents stays valid.
const MediaLinkTTL = 15 * time.Minute

// MaxUpload is the largest file an agent uploads (4 MiB): API Gateway hands Lambda binary bodies
// base64-encoded, within Lambda's 6 MB synchronous payload.
const MaxUpload = 4 << 20

// ReplyMediaTTL is how long the link to an uploaded file sent on SMS, Messenger or WhatsApp stays
// valid: the provider downloads the file from it when the reply is sent.
const ReplyMediaTTL = time.Hour

// Config holds the API's dependencies.
type Config struct {
	Store    Store
	Outbound Publisher
	// Blobs, when set, turns stored media into presigned links; when it is also Files, it
	// stores uploads (else uploading answers 503).
	Blobs Blobs
	Now   func() time.Time
	NewID func() string
	Log   *slog.Logger
	// PublicBaseURL is the scheme and host webhooks are called on; empty means
	// "https://" + the request's Host (API Gateway's own domain).
	PublicBaseURL string
	// People serves users, teams, routing rules, contact owners, tickets and the agent's queue;
	// Drainer assigns waiting conversations after changes that free someone. Both optional:
	// without People those endpoints answer 503.
	People  People
	Drainer Drainer
	// InboundEmailDomain is the deployment's SES receiving domain, where forwarding addresses
	// of email channels are made; empty disables forwarding channels.
	InboundEmailDomain string
	// Events serves GET /v1/events (the live channel's catch-up); without it that answers 503.
	Events EventLog
	// Templates lists WhatsApp channels' approved templates (GET /v1/channels/{id}/templates);
	// without it that answers 503.
	Templates Templates
	// SavedReplies serves /v1/saved-replies (the team's saved replies); without it those
	// endpoints answer 503.
	SavedReplies SavedReplies
	// Search serves GET /v1/conversations?q= (conversations by their contact's name, email or
	// phone); without it that answers 503.
	Search Search
}

type api struct {
	Config
	// templates keeps channels' WhatsApp templates for TemplatesTTL (templates.go).
	templates templateCache
}

// New returns the API's handler.
func New(c Config) http.Handler {
	a := &api{Config: c}
	r := chi.NewRouter()
	// The one route table: every endpoint of /v1, by resource, with who may call it. Without
	// People its endpoints still exist (the API's shape does not depend on wiring) and answer 503.
	people := a.needPeople
	r.Route("/v1", func(r chi.Router) {
		r.Get("/me", a.handle(a.me))

		r.Get("/inboxes", a.handle(a.listInboxes))
		r.Post("/inboxes", a.admin(a.createInbox))
		r.Get("/inboxes/{id}", a.handle(a.getInbox))
		r.Patch("/inboxes/{id}", a.admin(a.patchInbox))

		r.Get("/channels", a.handle(a.listChannels))
		r.Post("/channels", a.admin(a.createChannel))
		r.Get("/channels/{id}", a.handle(a.getChannel))
		r.Patch("/channels/{id}", a.admin(a.patchChannel))
		r.Delete("/channels/{id}", a.admin(a.deleteChannel))
		r.Get("/channels/{id}/email-preview", a.handle(a.emailPreview))
		r.Get("/channels/{id}/templates", a.handle(a.listTemplates))
		r.Post("/channels/{id}/chat-preview", a.admin(a.chatPreview))
		r.Put("/channels/{id}/routing", a.admin(people(a.putRouting)))

		r.Get("/conversations", a.handle(a.listConversations))
		r.Post("/conversations", a.handle(a.startConversation))
		r.Get("/conversations/{id}", a.handle(a.getConversation))
		r.Patch("/conversations/{id}", a.handle(a.patchConversation))
		r.Get("/conversations/{id}/messages", a.handle(a.listMessages))
		r.Post("/conversations/{id}/messages", a.handle(a.reply))
		r.Post("/conversations/{id}/messages/{messageId}/retry", a.handle(a.retryReply))
		r.Post("/conversations/{id}/notes", a.handle(a.note))
		r.Put("/conversations/{id}/read", a.handle(a.setRead))
		r.Post("/conversations/{id}/calls", a.handle(people(a.placeCall)))

		r.Post("/uploads", a.handle(a.upload))

		r.Get("/users", a.handle(people(a.listUsers)))
		r.Post("/users", a.admin(people(a.createUser)))
		r.Get("/users/{id}", a.handle(people(a.getUser)))
		r.Patch("/users/{id}", a.handle(people(a.patchUser)))

		r.Get("/teams", a.handle(people(a.listTeams)))
		r.Post("/teams", a.admin(people(a.createTeam)))
		r.Patch("/teams/{id}", a.admin(people(a.patchTeam)))

		r.Get("/contacts/{id}", a.handle(people(a.getContact)))
		r.Patch("/contacts/{id}", a.handle(people(a.patchContact)))

		r.Get("/tickets", a.handle(people(a.listTickets)))
		r.Get("/tickets/{id}", a.handle(people(a.getTicket)))
		r.Patch("/tickets/{id}", a.handle(people(a.patchTicket)))

		r.Get("/queue", a.handle(people(a.myQueue)))

		// Saved replies: every agent reads them, admins manage them (one agent's edit changes
		// what the whole team sends).
		r.Get("/saved-replies", a.handle(a.needSavedReplies(a.listSavedReplies)))
		r.Post("/saved-replies", a.admin(a.needSavedReplies(a.createSavedReply)))
		r.Patch("/saved-replies/{id}", a.admin(a.needSavedReplies(a.patchSavedReply)))
		r.Delete("/saved-replies/{id}", a.admin(a.needSavedReplies(a.deleteSavedReply)))

		r.Get("/events", a.handle(a.events))
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
		if err := pathIDs(r); err != nil {
			httpjson.Error(w, r, a.Log, err)
			return
		}
		status, body, err := e(r, w, p)
		if err != nil {
			httpjson.Error(w, r, a.Log.With("account", p.AccountID, "user", p.UserID), err)
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		httpjson.Write(w, status, body)
	}
}

// pathIDs checks the ids in the request's path before any store call: an id that cannot be one
// (inbox.CheckID: too long for the store's keys, '#', control characters) names nothing, so it
// is an ENotFound error, the answer to any unknown id.
func pathIDs(r *http.Request) error {
	rc := chi.RouteContext(r.Context())
	if rc == nil {
		return nil
	}
	for i, v := range rc.URLParams.Values {
		if rc.URLParams.Keys[i] == "*" {
			continue
		}
		if inbox.CheckID("id", v) != nil {
			return inbox.Errorf(inbox.ENotFound, "no such %s", resource(rc.RoutePattern()))
		}
	}
	return nil
}

// resource names the resource of a route pattern such as /v1/channels/{id}/routing ("channel").
func resource(pattern string) string {
	parts := strings.Split(strings.Trim(pattern, "/"), "/")
	for i, part := range parts {
		if strings.HasPrefix(part, "{") && i > 0 {
			if r, ok := strings.CutSuffix(parts[i-1], "ies"); ok {
				return r + "y" // saved-replies
			}
			return strings.TrimSuffix(parts[i-1], "s")
		}
	}
	return "resource"
}

// bodyIDs checks ids given in a request body or query (field names them in the error) before
// any store call: EInvalid when one cannot be an id (inbox.CheckID).
func bodyIDs(field string, ids ...string) error {
	for _, id := range ids {
		if err := inbox.CheckID(field, id); err != nil {
			return err
		}
	}
	return nil
}

// needPeople answers 503 when the API was built without People.
func (a *api) needPeople(e endpoint) endpoint {
	return func(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
		if a.People == nil {
			return 0, nil, inbox.Errorf(inbox.EUnavailable, "users and routing are not configured")
		}
		return e(r, w, p)
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

// People is what the users, teams, rules, contacts and tickets endpoints need from the store.
type People interface {
	CreateUser(ctx context.Context, u inbox.User) error
	GetUser(ctx context.Context, acct, id string) (inbox.User, error)
	ListUsers(ctx context.Context, acct string) ([]inbox.User, error)
	UpdateUser(ctx context.Context, u inbox.User) (inbox.User, error)
	CreateTeam(ctx context.Context, t inbox.Team) error
	GetTeam(ctx context.Context, acct, id string) (inbox.Team, error)
	ListTeams(ctx context.Context, acct string) ([]inbox.Team, error)
	UpdateTeam(ctx context.Context, t inbox.Team) error
	SetRoutingRules(ctx context.Context, acct, channelID string, r *inbox.RoutingRules) error
	GetContact(ctx context.Context, acct, id string) (inbox.Contact, error)
	SetContactOwner(ctx context.Context, acct, contactID, ownerID string) (inbox.Contact, error)
	SetContactLanguage(ctx context.Context, acct, contactID, lang string) (inbox.Contact, error)
	GetTicket(ctx context.Context, acct, id string) (inbox.Ticket, error)
	ListTickets(ctx context.Context, acct string, f inbox.TicketFilter) ([]inbox.Ticket, error)
	MoveTicket(ctx context.Context, acct, id, stage string, now time.Time) (inbox.Ticket, error)
	ListWaiting(ctx context.Context, acct, channelID string, limit int) ([]inbox.Waiting, error)
}

// Drainer assigns waiting conversations after someone became available, freed capacity, or the
// rules changed.
type Drainer interface {
	DrainAccount(ctx context.Context, acct string) error
}
