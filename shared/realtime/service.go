package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// Service runs the live channel: it authorises and records connections, answers their frames
// and pushes events to their audiences. The ws function and the local /ws endpoint call
// Connect, Disconnect and Receive; the realtime function and the local change hook call
// Publish.
type Service struct {
	Conns  Connections
	Events Log
	Pusher Pusher
	// Auth are tried in order: the first that Accepts a token authorises it.
	Auth []Authoriser
	Now  func() time.Time
	// NewID makes the random part of cursors.
	NewID func() string
	Log   *slog.Logger

	typingMu sync.Mutex
	typing   map[string]time.Time // connection id → when its last typing notice went out
}

// TypingGap is the least time between two typing notices of one connection that are passed
// on: clients send one every few seconds while someone types (the widget and the app every 3 s),
// and a client sending more costs the store and the others' connections nothing more.
const TypingGap = 2 * time.Second

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Authorise returns the principal of token. Errors: EUnauthorized (no token, of no known kind,
// or refused by its authoriser), and what the authoriser returns (EUnavailable…).
func (s *Service) Authorise(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, unauthorized("a token is required")
	}
	for _, a := range s.Auth {
		if a.Accepts(token) {
			return a.Authorise(ctx, token)
		}
	}
	return Principal{}, unauthorized("the token is of no known kind")
}

// Connect authorises token and records connection id. A refused connection records nothing.
// Errors: EUnauthorized, EInvalid, EUnavailable.
func (s *Service) Connect(ctx context.Context, id, token string) (Principal, error) {
	p, err := s.Authorise(ctx, token)
	if err != nil {
		return Principal{}, err
	}
	if p.Account == "" || (!p.Visitor && p.UserID == "") {
		return Principal{}, unauthorized("the token names no account or user")
	}
	return p, s.Conns.PutConnection(ctx, Connection{ID: id, Principal: p, ConnectedAt: s.now()})
}

// Disconnect forgets connection id. Errors: EUnavailable.
func (s *Service) Disconnect(ctx context.Context, id string) error {
	return s.Conns.DeleteConnection(ctx, id)
}

// ClientFrame is what a client sends: {"action":"typing","conversationId":...} or
// {"action":"ping"}.
type ClientFrame struct {
	Action         string `json:"action"`
	ConversationID string `json:"conversationId,omitempty"`
}

// ServerFrame is what a client receives.
type ServerFrame struct {
	Type           string `json:"type"` // "event", "typing", "pong"
	Event          *Event `json:"event,omitempty"`
	ConversationID string `json:"conversationId,omitempty"`
	From           string `json:"from,omitempty"`
}

// maxClientFrame bounds what a client may send: its frames are a few dozen bytes.
const maxClientFrame = 4 << 10

// Receive handles one frame from connection id: a ping is answered with a pong, a typing
// notice goes to the others who hear about that conversation (a visitor may only type in its
// own). Errors: EInvalid (malformed or unknown frame), ENotFound (unknown connection),
// EForbidden (a visitor typing elsewhere), EUnavailable.
func (s *Service) Receive(ctx context.Context, id string, body []byte) error {
	if len(body) > maxClientFrame {
		return inbox.Errorf(inbox.EInvalid, "frame too large")
	}
	var f ClientFrame
	if err := json.Unmarshal(body, &f); err != nil {
		return inbox.Errorf(inbox.EInvalid, "a frame is a JSON object with an action")
	}
	switch f.Action {
	case "ping":
		return s.push(ctx, id, ServerFrame{Type: "pong"})
	case "typing":
	default:
		return inbox.Errorf(inbox.EInvalid, "unknown action %q", f.Action)
	}
	if f.ConversationID == "" || strings.Contains(f.ConversationID, "#") {
		return inbox.Errorf(inbox.EInvalid, "typing needs a conversationId")
	}
	if !s.typingDue(id) {
		return nil
	}
	c, err := s.Conns.GetConnection(ctx, id)
	if err != nil {
		return err
	}
	from := c.UserID
	if c.Visitor {
		if c.ConversationID != f.ConversationID {
			return inbox.Errorf(inbox.EForbidden, "a visitor types only in its own conversation")
		}
		from = FromVisitor
	}
	aud, err := s.Conns.Audience(ctx, c.Account, f.ConversationID)
	if err != nil {
		return err
	}
	frame := ServerFrame{Type: "typing", ConversationID: f.ConversationID, From: from}
	// Visitors learn that an agent types, never which user (no internal ids reach them).
	toVisitor := ServerFrame{Type: "typing", ConversationID: f.ConversationID, From: FromAgent}
	for _, to := range aud {
		if to.ID == id || (to.Visitor && c.Visitor) {
			continue
		}
		fr := frame
		if to.Visitor {
			fr = toVisitor
		}
		if err := s.push(ctx, to.ID, fr); err != nil {
			s.log().WarnContext(ctx, "typing push failed", "connection", to.ID, "error", err)
		}
	}
	return nil
}

// typingDue reports whether a typing notice of connection id may go out now (TypingGap), and
// notes it. The notes live in the warm container, as throttles do; a handful of bytes per
// connection, cleared when they grow past what a container serves.
func (s *Service) typingDue(id string) bool {
	now := s.now()
	s.typingMu.Lock()
	defer s.typingMu.Unlock()
	if s.typing == nil || len(s.typing) > 10000 {
		s.typing = map[string]time.Time{}
	}
	if last, ok := s.typing[id]; ok && now.Sub(last) < TypingGap && !now.Before(last) {
		return false
	}
	s.typing[id] = now
	return true
}

// Publish gives events their cursors, logs them for the catch-up and pushes each to its
// audience. A push that fails does not hold back the others; a connection that is gone is
// forgotten. It returns an error only when the events could not be logged or an audience not
// read, so that the caller retries the batch (clients may then see an event twice).
func (s *Service) Publish(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	now := s.now()
	for i := range events {
		if events[i].At.IsZero() {
			events[i].At = now
		}
		events[i].Cursor = Cursor(now, i, s.newID())
	}
	if err := s.Events.AppendEvents(ctx, events); err != nil {
		return err
	}
	type key struct{ acct, conv string }
	audiences := map[key][]Connection{}
	for _, e := range events {
		k := key{e.Account, e.ConversationID}
		aud, ok := audiences[k]
		if !ok {
			var err error
			if aud, err = s.Conns.Audience(ctx, e.Account, e.ConversationID); err != nil {
				return err
			}
			audiences[k] = aud
		}
		ev := e
		for _, c := range aud {
			if err := s.push(ctx, c.ID, ServerFrame{Type: "event", Event: &ev}); err != nil {
				s.log().WarnContext(ctx, "push failed", "account", e.Account, "connection", c.ID, "error", err)
			}
		}
	}
	return nil
}

// push sends frame to connection id and forgets the connection when it is gone.
func (s *Service) push(ctx context.Context, id string, frame ServerFrame) error {
	b, err := json.Marshal(frame)
	if err != nil {
		return err
	}
	err = s.Pusher.Push(ctx, id, b)
	if errors.Is(err, ErrGone) {
		if derr := s.Conns.DeleteConnection(ctx, id); derr != nil {
			return fmt.Errorf("forget gone connection: %w", derr)
		}
		return nil
	}
	return err
}

func (s *Service) newID() string {
	if s.NewID == nil {
		return inbox.NewID()
	}
	return s.NewID()
}

// Cursor is the cursor of the i-th event published at t: sortable time, the position in its
// batch, and a random part (nothing a URL's query must escape) so that two publishers at the same instant never collide. Cursors
// of one publisher only grow; those of publishers running side by side may interleave within
// moments, so that clients catching up ask from a little before their last cursor (the agent
// app asks from ten seconds before it) and drop the events they have seen.
func Cursor(t time.Time, i int, random string) string {
	if len(random) > 8 {
		random = random[:8]
	}
	return fmt.Sprintf("%s-%04d%s", inbox.SortableTime(t), i, random)
}
