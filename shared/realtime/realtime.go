// Package realtime is the live channel of the inbox: small notifications (Events) pushed over
// WebSocket connections to an account's agents and to the visitors of one conversation, made
// from committed writes of the store, so that every writer is covered. It has no AWS import:
// the API Gateway WebSocket API (functions/ws, functions/realtime) and the local runner's /ws
// endpoint both drive the Service below with their own Pusher.
//
// Clients read details through the API: an Event names what changed (a message, a
// conversation) and carries a Cursor, monotonic per account, with which a client catches up
// after a reconnect (GET /v1/events?after=<cursor> for agents, the visitor history endpoint for
// visitors). No frame comes near API Gateway's 32 KB frame limit.
//
// Frames, server to client: {"type":"event","event":{...}} and {"type":"typing",...}
// ({"type":"pong"} answers a ping); client to server: {"action":"typing","conversationId":...}
// and {"action":"ping"}. A typing notice's "from" is the typing agent's user id for agents,
// FromAgent for visitors (who never see users' ids), and FromVisitor when the visitor types;
// at most one per connection every TypingGap is passed on.
package realtime

import (
	"context"
	"errors"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// Kinds of events.
const (
	KindMessage      = "message"      // a message was added or changed (delivery state)
	KindConversation = "conversation" // a conversation was created or changed (status, assignee)
	KindTicket       = "ticket"       // a conversation's ticket was created or changed
	KindTyping       = "typing"       // someone is replying (never stored, never caught up)
)

// Who a typing notice is from, besides an agent's user id.
const (
	FromVisitor = "visitor" // the conversation's chat visitor
	FromAgent   = "agent"   // an agent, as visitors are told
)

// Event is one notification. Cursor orders the events of an account; At is when it was made.
// From names who is typing (a user id, or "visitor") for KindTyping.
type Event struct {
	Account        string    `json:"-"`
	Kind           string    `json:"kind"`
	ConversationID string    `json:"conversationId,omitempty"`
	MessageID      string    `json:"messageId,omitempty"`
	Cursor         string    `json:"cursor,omitempty"`
	From           string    `json:"from,omitempty"`
	At             time.Time `json:"at"`
}

// Principal is who a connection belongs to: an agent of Account (UserID), or a chat visitor
// (Visitor true) who hears only about ConversationID.
type Principal struct {
	Account        string
	UserID         string
	Visitor        bool
	VisitorID      string
	ConversationID string
}

// Authoriser checks the token a client passes when it connects (?token=, since browsers set no
// headers on a WebSocket). Accepts tells, without I/O, whether token is of its kind (an agent
// JWT, a chat visitor token); Authorise returns its principal, or EUnauthorized.
type Authoriser interface {
	Accepts(token string) bool
	Authorise(ctx context.Context, token string) (Principal, error)
}

// VisitorAuth is the authoriser of chat visitors' tokens, which the chat channel implements.
// Its principals have Visitor set and name their account and conversation.
type VisitorAuth = Authoriser

// Connection is one open WebSocket connection and whom it belongs to.
type Connection struct {
	ID string
	Principal
	ConnectedAt time.Time
}

// Connections keeps the open connections (shared/dynamo implements it, with a TTL).
type Connections interface {
	// PutConnection records c. Errors: EInvalid, EUnavailable.
	PutConnection(ctx context.Context, c Connection) error
	// GetConnection returns connection id. Errors: ENotFound, EUnavailable.
	GetConnection(ctx context.Context, id string) (Connection, error)
	// DeleteConnection forgets connection id; an unknown id is not an error. Errors: EUnavailable.
	DeleteConnection(ctx context.Context, id string) error
	// Audience lists the connections that hear about conversation convID of account acct: the
	// account's agents and the conversation's visitors. Errors: EInvalid, EUnavailable.
	Audience(ctx context.Context, acct, convID string) ([]Connection, error)
}

// Log keeps recent events for the catch-up after a reconnect (shared/dynamo, with a TTL).
type Log interface {
	// AppendEvents stores events. Errors: EUnavailable.
	AppendEvents(ctx context.Context, events []Event) error
	// EventsAfter returns up to limit events of acct after cursor, oldest first. Errors:
	// EInvalid, EUnavailable.
	EventsAfter(ctx context.Context, acct, cursor string, limit int) ([]Event, error)
}

// ErrGone is returned by a Pusher when the connection no longer exists (API Gateway's 410).
var ErrGone = errors.New("connection gone")

// Pusher sends one frame to one connection: API Gateway's PostToConnection in AWS, the
// runner's WebSocket server locally. It returns ErrGone (wrapped or not) for a connection that
// is gone.
type Pusher interface {
	Push(ctx context.Context, connectionID string, frame []byte) error
}

// unauthorized is the error of a refused connection.
func unauthorized(msg string) error { return inbox.Errorf(inbox.EUnauthorized, "%s", msg) }
