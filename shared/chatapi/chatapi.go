// Package chatapi is the public visitor API of website chat channels, which the widget calls:
// the chat's configuration and state, visitor tokens, identify, sending and reading messages.
// It is hostile ground: a browser Origin must be the deployment's own (the widget's iframe) or
// one of the channel's allowed origins, visitors and addresses are throttled, bodies and texts
// are bounded, sends are idempotent by the client's message id, every refusal is a 4xx JSON
// error that changes nothing, and an id of another channel or account is a 404.
//
// A visitor's message is queued on the inbound queue like a webhook's, so the router stores,
// routes and notifies it as any channel's; the visitor reads the conversation back from the
// store by cursor (GET messages?after=). Files (files.go) go straight from the browser to the
// media bucket through presigned links scoped to the visitor (POST uploads); a send names
// them and they are all checked before any is kept or the message queued; the history links
// them for FileLinkTTL.
package chatapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
)

// Store is what the visitor API reads.
type Store interface {
	ChannelByID(ctx context.Context, id string) (inbox.Channel, error)
	InboundState(ctx context.Context, acct, channelID, providerID, inboxID string, c inbox.Contact) (inbox.InboundState, error)
	GetConversation(ctx context.Context, acct, id string) (inbox.Conversation, error)
	LastClosedConversation(ctx context.Context, acct, inboxID, contactID string) (inbox.Conversation, error)
	ListMessages(ctx context.Context, acct, convID string) ([]inbox.Message, error)
	GetUsers(ctx context.Context, acct string, ids []string) ([]inbox.User, error)
	GetTeams(ctx context.Context, acct string, ids []string) ([]inbox.Team, error)
}

// Config is what the handler is built from. Store and Queue are required.
type Config struct {
	Store Store
	Queue intake.Publisher
	// Now is the clock of tokens, throttles and availability (tests inject theirs).
	Now func() time.Time
	// NewID makes visitor keys.
	NewID func() string
	Log   *slog.Logger
	// LiveURL is the live channel's WebSocket URL the config gives the widget (the WebSocket
	// API's stage, wss://…/live, app.Config.LiveURL); empty: /ws on the API's own host.
	LiveURL string
	// Files, when not nil, keeps visitors' files (the media bucket): without it the widget has
	// no attach button and uploads answer 503.
	Files Files
}

// Limits of the public API.
const (
	MaxBody = 16 << 10
	// Per visitor and per address, in Window: messages sent, tokens made.
	SendsPerVisitor = 30
	SendsPerIP      = 120
	TokensPerIP     = 30
	Window          = 10 * time.Minute
	maxClientID     = 64
	maxName         = 200
)

// Routes are the visitor API's routes.
var Routes = []string{
	"GET /chat/{channelId}/config", "POST /chat/{channelId}/visitors", "POST /chat/{channelId}/identify",
	"POST /chat/{channelId}/messages", "GET /chat/{channelId}/messages", "POST /chat/{channelId}/uploads", "OPTIONS /chat/{channelId}/{op}",
}

type api struct {
	Config
	in       intake.Config
	mu       sync.Mutex
	visitors map[string][]time.Time
}

// New returns the visitor API's handler (see the package documentation; openapi.yaml
// describes each route).
func New(c Config) http.Handler {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.NewID == nil {
		c.NewID = inbox.NewID
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	a := &api{Config: c, in: intake.Config{Queue: c.Queue, Now: c.Now, Log: c.Log}, visitors: map[string][]time.Time{}}
	r := chi.NewRouter()
	r.Get("/chat/{channelId}/config", a.handle(a.config))
	r.Post("/chat/{channelId}/visitors", a.handle(a.newVisitor))
	r.Post("/chat/{channelId}/identify", a.handle(a.identify))
	r.Post("/chat/{channelId}/messages", a.handle(a.send))
	r.Get("/chat/{channelId}/messages", a.handle(a.history))
	r.Post("/chat/{channelId}/uploads", a.handle(a.upload))
	r.Options("/chat/{channelId}/{op}", a.handle(func(*http.Request, *call) (int, any, error) { return http.StatusNoContent, nil, nil }))
	return r
}

// call is one request's checked channel and settings.
type call struct {
	ch  inbox.Channel
	set chat.Settings
	ip  string
	now time.Time
}

// handle finds the chat channel, checks the browser's Origin against the channel's, answers
// CORS for allowed origins only, and writes the op's answer or error as JSON.
func (a *api) handle(op func(*http.Request, *call) (int, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := a.call(w, r)
		if err != nil {
			httpjson.Error(w, r, a.Log, err)
			return
		}
		status, body, err := op(r, c)
		switch {
		case err != nil:
			httpjson.Error(w, r, a.Log, err)
		case body == nil:
			w.WriteHeader(status)
		default:
			w.Header().Set("Cache-Control", "no-store")
			httpjson.Write(w, status, body)
		}
	}
}

func (a *api) call(w http.ResponseWriter, r *http.Request) (*call, error) {
	id := chi.URLParam(r, "channelId")
	if inbox.CheckID("channel id", id) != nil {
		return nil, inbox.Errorf(inbox.ENotFound, "no such chat")
	}
	ch, err := a.Store.ChannelByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if ch.Type != inbox.ChannelChat {
		return nil, inbox.Errorf(inbox.ENotFound, "no such chat")
	}
	set, err := chat.Of(ch)
	if err != nil {
		return nil, err
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		own := sameOrigin(r, origin)
		if !own && !slices.Contains(set.AllowedOrigins, origin) {
			return nil, inbox.Errorf(inbox.EForbidden, "this site is not among the chat's allowed origins")
		}
		if !own {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Max-Age", "600")
		}
	}
	w.Header().Add("Vary", "Origin")
	ip := r.RemoteAddr
	if host, _, ok := strings.Cut(ip, ":"); ok && strings.Count(ip, ":") == 1 {
		ip = host
	}
	return &call{ch: ch, set: set, ip: ip, now: a.Now()}, nil
}

// sameOrigin reports whether origin is the deployment's own (the widget's iframe is served
// from it): the request's host, over http or https.
func sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host == r.Host && u.Path == ""
}

// allow counts a hit of key and reports whether it stays within max per Window. The counts live
// in the warm container: API Gateway's throttling bounds the total, these bound one visitor and
// one address.
func (a *api) allow(key string, max int, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.visitors) > 50000 {
		clear(a.visitors)
	}
	recent := slices.DeleteFunc(a.visitors[key], func(t time.Time) bool { return now.Sub(t) >= Window })
	if len(recent) >= max {
		a.visitors[key] = recent
		return false
	}
	a.visitors[key] = append(recent, now)
	return true
}

func tooMany(what string) error {
	return inbox.Errorf(inbox.ETooMany, "too many %s: try again in a few minutes", what)
}

// visitor checks the request's bearer visitor token against the channel.
func (a *api) visitor(r *http.Request, c *call) (Visitor, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return Visitor{}, inbox.Errorf(inbox.EUnauthorized, "a visitor token is required (Authorization: Bearer, from POST /chat/{channelId}/visitors)")
	}
	return Verify(c.ch, tok, c.now)
}
