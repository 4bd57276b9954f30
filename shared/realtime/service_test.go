package realtime_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/realtime"
)

// conns keeps connections in memory (the store's behaviour is tested against DynamoDB Local in
// shared/dynamo); pushes records the frames each connection got.
type conns map[string]realtime.Connection

func (c conns) PutConnection(_ context.Context, x realtime.Connection) error { c[x.ID] = x; return nil }
func (c conns) GetConnection(_ context.Context, id string) (realtime.Connection, error) {
	if x, ok := c[id]; ok {
		return x, nil
	}
	return realtime.Connection{}, inbox.Errorf(inbox.ENotFound, "no such connection")
}
func (c conns) DeleteConnection(_ context.Context, id string) error { delete(c, id); return nil }
func (c conns) Audience(_ context.Context, acct, conv string) ([]realtime.Connection, error) {
	var out []realtime.Connection
	for _, x := range c {
		if x.Account == acct && (!x.Visitor || x.ConversationID == conv) {
			out = append(out, x)
		}
	}
	return out, nil
}

type pushes struct {
	mu     sync.Mutex
	frames map[string][]realtime.ServerFrame
}

func (p *pushes) Push(_ context.Context, id string, b []byte) error {
	var f realtime.ServerFrame
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frames[id] = append(p.frames[id], f)
	return nil
}

func (p *pushes) from(id string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, f := range p.frames[id] {
		out = append(out, f.Type+":"+f.From)
	}
	return out
}

// TestTyping: a visitor's typing reaches the account's agents as "visitor"; an agent's reaches
// the other agents with its user id and the conversation's visitor as "agent" (no internal id);
// nobody hears their own; a connection's notices within TypingGap of the last one passed on are
// dropped before any read of the store; a visitor cannot type in another conversation.
func TestTyping(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	cs := conns{
		"ann": {ID: "ann", Principal: realtime.Principal{Account: "a1", UserID: "u_ann"}},
		"bob": {ID: "bob", Principal: realtime.Principal{Account: "a1", UserID: "u_bob"}},
		"vis": {ID: "vis", Principal: realtime.Principal{Account: "a1", Visitor: true, VisitorID: "v1", ConversationID: "c1"}},
		"oth": {ID: "oth", Principal: realtime.Principal{Account: "a1", Visitor: true, VisitorID: "v2", ConversationID: "c2"}},
	}
	p := &pushes{frames: map[string][]realtime.ServerFrame{}}
	svc := &realtime.Service{Conns: cs, Pusher: p, Now: func() time.Time { return now }}
	typing := func(id, conv string) error {
		return svc.Receive(t.Context(), id, []byte(`{"action":"typing","conversationId":"`+conv+`"}`))
	}
	if err := typing("vis", "c1"); err != nil {
		t.Fatal(err)
	}
	if err := typing("ann", "c1"); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][]string{
		"ann": {"typing:visitor"}, "bob": {"typing:visitor", "typing:u_ann"}, "vis": {"typing:agent"}, "oth": nil,
	} {
		if got := p.from(id); !slices.Equal(got, want) {
			t.Errorf("%s heard %v, want %v", id, got, want)
		}
	}
	// Throttled: again within TypingGap, nothing; after it, once more.
	now = now.Add(realtime.TypingGap - 500*time.Millisecond)
	if err := typing("vis", "c1"); err != nil {
		t.Fatal(err)
	}
	if got := p.from("ann"); len(got) != 1 {
		t.Fatalf("a typing notice within the gap went out: %v", got)
	}
	now = now.Add(time.Second)
	if err := typing("vis", "c1"); err != nil {
		t.Fatal(err)
	}
	if got := p.from("ann"); len(got) != 2 {
		t.Fatalf("a typing notice after the gap was dropped: %v", got)
	}
	if err := typing("oth", "c1"); !inbox.IsCode(err, inbox.EForbidden) {
		t.Fatalf("a visitor typing in another conversation: %v", err)
	}
}
