package dynamo

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/realtime"
)

// Connections are found by id and listed by audience: an account's agents hear about every
// conversation, a visitor only about its own; another account's connections never appear; a
// deleted connection is gone from both.
func TestConnectionsAndAudience(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acct, other := "acct-"+inbox.NewID(), "acct-"+inbox.NewID()
	conns := []realtime.Connection{
		{ID: "agentA=", Principal: realtime.Principal{Account: acct, UserID: "ann"}, ConnectedAt: base},
		{ID: "agentB=", Principal: realtime.Principal{Account: acct, UserID: "bob"}, ConnectedAt: base},
		{ID: "visitor1=", Principal: realtime.Principal{Account: acct, Visitor: true, VisitorID: "v1", ConversationID: "c1"}, ConnectedAt: base},
		{ID: "visitor2=", Principal: realtime.Principal{Account: acct, Visitor: true, VisitorID: "v2", ConversationID: "c2"}, ConnectedAt: base},
		{ID: "otherAgent=", Principal: realtime.Principal{Account: other, UserID: "ann"}, ConnectedAt: base},
	}
	for _, c := range conns {
		if err := f.store.PutConnection(f.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(cs []realtime.Connection) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		conv string
		want []string
	}{
		{"c1", []string{"agentA=", "agentB=", "visitor1="}},
		{"c3", []string{"agentA=", "agentB="}},
		{"", []string{"agentA=", "agentB="}},
	} {
		got, err := f.store.Audience(f.ctx, acct, tc.conv)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("Audience(%q) = %v, want %v", tc.conv, ids(got), tc.want)
		}
	}
	got, err := f.store.GetConnection(f.ctx, "visitor1=")
	if err != nil || got.Account != acct || !got.Visitor || got.ConversationID != "c1" || got.VisitorID != "v1" || !got.ConnectedAt.Equal(base) {
		t.Fatalf("GetConnection = %+v, %v", got, err)
	}
	if err := f.store.DeleteConnection(f.ctx, "agentA="); err != nil {
		t.Fatal(err)
	}
	if err := f.store.DeleteConnection(f.ctx, "agentA="); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if _, err := f.store.GetConnection(f.ctx, "agentA="); inbox.ErrorCodeOf(err) != inbox.ENotFound {
		t.Fatalf("deleted connection: %v", err)
	}
	if got, _ := f.store.Audience(f.ctx, acct, "c1"); !slices.Equal(ids(got), []string{"agentB=", "visitor1="}) {
		t.Errorf("after delete: %v", ids(got))
	}
	// Refused before any write.
	for _, bad := range []realtime.Connection{
		{ID: "x", Principal: realtime.Principal{Account: acct}},
		{ID: "x", Principal: realtime.Principal{Account: "a#b", UserID: "u"}},
		{ID: "", Principal: realtime.Principal{Account: acct, UserID: "u"}},
	} {
		if err := f.store.PutConnection(f.ctx, bad); inbox.ErrorCodeOf(err) != inbox.EInvalid {
			t.Errorf("PutConnection(%+v) = %v, want invalid", bad, err)
		}
	}
}

// The event log returns an account's events after a cursor, oldest first, and nothing of
// another account.
func TestEventsAfter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acct, other := "acct-"+inbox.NewID(), "acct-"+inbox.NewID()
	var evs []realtime.Event
	for i := range 30 { // more than one BatchWriteItem
		evs = append(evs, realtime.Event{Account: acct, Kind: realtime.KindMessage, ConversationID: "c1",
			MessageID: inbox.NewID(), Cursor: realtime.Cursor(base, i, "r"), At: base})
	}
	if err := f.store.AppendEvents(f.ctx, append(evs, realtime.Event{Account: other, Kind: realtime.KindConversation, Cursor: realtime.Cursor(base, 0, "z"), At: base})); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.EventsAfter(f.ctx, acct, evs[9].Cursor, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 || got[0] != evs[10] || got[19] != evs[29] {
		t.Fatalf("EventsAfter = %d events, first %+v, want %+v", len(got), got[0], evs[10])
	}
	if got, _ := f.store.EventsAfter(f.ctx, acct, "", 5); len(got) != 5 || got[0].Cursor != evs[0].Cursor {
		t.Fatalf("from the start: %+v", got)
	}
	if _, err := f.store.EventsAfter(f.ctx, acct, "", 0); inbox.ErrorCodeOf(err) != inbox.EInvalid {
		t.Fatalf("limit 0: %v", err)
	}
}

func TestChangeEvent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pk, sk string
		want   realtime.Event
		ok     bool
	}{
		{convPK("a1", "c1"), skConv, realtime.Event{Account: "a1", Kind: realtime.KindConversation, ConversationID: "c1"}, true},
		{convPK("a1", "c1"), messageSK("m1"), realtime.Event{Account: "a1", Kind: realtime.KindMessage, ConversationID: "c1", MessageID: "m1"}, true},
		{accountPK("a1"), ticketSK("c1"), realtime.Event{Account: "a1", Kind: realtime.KindTicket, ConversationID: "c1"}, true},
		{accountPK("a1"), userSK("u1"), realtime.Event{}, false},
		{contactPK("a1", "ct"), skContact, realtime.Event{}, false},
		{connectionPK("x"), skConnection, realtime.Event{}, false},
		{eventsPK("a1"), "2025#1", realtime.Event{}, false},
		{channelPK("ch"), skChannel, realtime.Event{}, false},
		{providerMsgPK("a1", "ch", "p"), skProviderMsg, realtime.Event{}, false},
	} {
		got, ok := ChangeEvent(tc.pk, tc.sk)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ChangeEvent(%q, %q) = %+v, %v; want %+v, %v", tc.pk, tc.sk, got, ok, tc.want, tc.ok)
		}
	}
}

// pushes records frames; the connections in gone answer 410.
type pushes struct {
	mu     sync.Mutex
	frames map[string][]string
	gone   map[string]bool
}

func (p *pushes) Push(_ context.Context, id string, frame []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone[id] {
		return realtime.ErrGone
	}
	p.frames[id] = append(p.frames[id], string(frame))
	return nil
}

// Publishing on the real store: events reach the account's agents and the conversation's
// visitor, a gone connection is forgotten, and the units of one pushed message are reported.
func TestPublishThroughTheStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acct := "acct-" + inbox.NewID()
	var wcu, rcu float64
	var mu sync.Mutex
	f.store.OnCapacity(func(op string, r, w float64) { mu.Lock(); rcu += r; wcu += w; mu.Unlock() })
	p := &pushes{frames: map[string][]string{}, gone: map[string]bool{}}
	tick := base
	svc := &realtime.Service{Conns: f.store, Events: f.store, Pusher: p, Now: func() time.Time { tick = tick.Add(time.Millisecond); return tick }}
	for _, c := range []realtime.Connection{
		{ID: "ann=", Principal: realtime.Principal{Account: acct, UserID: "ann"}},
		{ID: "gone=", Principal: realtime.Principal{Account: acct, UserID: "bob"}},
		{ID: "v=", Principal: realtime.Principal{Account: acct, Visitor: true, ConversationID: "c1"}},
		{ID: "v2=", Principal: realtime.Principal{Account: acct, Visitor: true, ConversationID: "c2"}},
	} {
		if err := f.store.PutConnection(f.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	units := func(ev realtime.Event) (float64, float64) {
		t.Helper()
		mu.Lock()
		rcu, wcu = 0, 0
		mu.Unlock()
		if err := svc.Publish(f.ctx, []realtime.Event{ev}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return rcu, wcu
	}
	r, w := units(realtime.Event{Account: acct, Kind: realtime.KindConversation, ConversationID: "c1"})
	t.Logf("DynamoDB units per pushed event (3 connections hear it): %.1f RCU + %.1f WCU", r, w)
	if r != 1 || w != 1 {
		t.Errorf("a pushed event costs %.1f RCU + %.1f WCU, want 1 + 1 (two eventually consistent queries, one log put)", r, w)
	}
	p.mu.Lock()
	p.gone["gone="] = true
	p.frames = map[string][]string{}
	p.mu.Unlock()
	r, w = units(realtime.Event{Account: acct, Kind: realtime.KindMessage, ConversationID: "c1", MessageID: "m1"})
	t.Logf("... with one of them gone (read and deleted): %.1f RCU + %.1f WCU", r, w)
	if len(p.frames["ann="]) != 1 || len(p.frames["v="]) != 1 || len(p.frames["v2="]) != 0 {
		t.Fatalf("frames = %v", p.frames)
	}
	if _, err := f.store.GetConnection(f.ctx, "gone="); inbox.ErrorCodeOf(err) != inbox.ENotFound {
		t.Fatalf("gone connection kept: %v", err)
	}
	evs, err := f.store.EventsAfter(f.ctx, acct, "", 10)
	if err != nil || len(evs) != 2 || evs[1].MessageID != "m1" {
		t.Fatalf("logged %+v, %v", evs, err)
	}
}

// A chat visitor is present while connected and for VisitorGrace after their connection ends
// (a reload is not leaving), then gone; agents' connections and another conversation's visitor
// do not count; an ended visitor connection hears no more pushes.
func TestVisitorOnline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var mu sync.Mutex
	now := base
	f.store.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	acct := "acct-" + inbox.NewID()
	online := func(conv string) bool {
		t.Helper()
		ok, err := f.store.VisitorOnline(f.ctx, acct, conv)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, c := range []realtime.Connection{
		{ID: "agent=", Principal: realtime.Principal{Account: acct, UserID: "ann"}, ConnectedAt: base},
		{ID: "visitor=", Principal: realtime.Principal{Account: acct, Visitor: true, VisitorID: "v1", ConversationID: "c1"}, ConnectedAt: base},
	} {
		if err := f.store.PutConnection(f.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if !online("c1") || online("c2") {
		t.Fatal("connected visitor of c1: want present in c1 only")
	}
	if err := f.store.DeleteConnection(f.ctx, "visitor="); err != nil {
		t.Fatal(err)
	}
	advance(VisitorGrace - time.Second)
	if !online("c1") {
		t.Fatal("a visitor gone for less than the grace counts as present")
	}
	if aud, err := f.store.Audience(f.ctx, acct, "c1"); err != nil || len(aud) != 1 || aud[0].ID != "agent=" {
		t.Fatalf("audience after the visitor left: %+v %v", aud, err)
	}
	advance(2 * time.Second)
	if online("c1") {
		t.Fatal("a visitor gone for longer than the grace is gone")
	}
	if _, err := f.store.VisitorOnline(f.ctx, acct, "a#b"); inbox.ErrorCodeOf(err) != inbox.EInvalid {
		t.Fatalf("malformed conversation id: %v", err)
	}
}
