package dynamo

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

// TestOpenConversationToRoute checks what a conversation opened to be routed costs and where
// it is listed: in no assignee list until routed (the inbox list shows it), then in its
// assignee's list after AssignNew, whose transaction writes gsi2 once (a put, 2 WCU) instead of
// moving it from the unassigned list (a delete and a put, 4): 2 + 2 + 2 = 6 WCU. One nobody can
// take enters the unassigned list with AddWaiting.
func TestOpenConversationToRoute(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.user("acctA", "ada", intp(5))
	open := func(contact string) inbox.Conversation {
		t.Helper()
		c, created, err := f.store.OpenConversationToRoute(f.ctx, newConversation("acctA", "ib1", "ch1", contact, base), inbox.OpenHint{})
		if err != nil || !created {
			t.Fatalf("OpenConversationToRoute = %v, %v", created, err)
		}
		return c
	}
	list := func(filter inbox.ConversationFilter) []string {
		t.Helper()
		l, _, err := f.store.ListConversations(f.ctx, "acctA", filter)
		must(t, err)
		return convIDs(l)
	}
	assigned, waits := open("contact-1"), open("contact-2")
	if got := list(inbox.ConversationFilter{Unassigned: true}); len(got) != 0 {
		t.Errorf("unassigned list before routing = %v, want none", got)
	}
	if got := list(inbox.ConversationFilter{InboxID: "ib1"}); len(got) != 2 {
		t.Errorf("inbox list = %v, want both", got)
	}

	var mu sync.Mutex
	wcu := map[string]float64{}
	f.store.OnCapacity(func(op string, _, w float64) {
		mu.Lock()
		wcu[strings.SplitN(op, "/", 2)[0]] += w
		mu.Unlock()
	})
	_, err := f.store.AssignNew(f.ctx, assigned, "ada", intp(5), base)
	must(t, err)
	must(t, f.store.AddWaiting(f.ctx, "acctA", inbox.Waiting{ConversationID: waits.ID, ChannelID: waits.ChannelID, ArrivedAt: base}))
	f.store.OnCapacity(nil)
	if wcu["AssignNew"] != 6 {
		t.Errorf("AssignNew: %v WCU, want 6", wcu["AssignNew"])
	}
	if got := list(inbox.ConversationFilter{AssigneeID: "ada"}); !slices.Equal(got, []string{assigned.ID}) {
		t.Errorf("ada's list = %v, want %v", got, assigned.ID)
	}
	if got := list(inbox.ConversationFilter{Unassigned: true}); !slices.Equal(got, []string{waits.ID}) {
		t.Errorf("unassigned list = %v, want %v", got, waits.ID)
	}
	if f.load("acctA", "ada") != 1 {
		t.Errorf("load = %d, want 1", f.load("acctA", "ada"))
	}
}
