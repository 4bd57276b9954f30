package assign_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/inbox"
)

// notices records the away-owner notices an assigner gives (shared/notify sends them as
// emails, once per conversation; its tests cover that).
type notices struct {
	mu   sync.Mutex
	sent []string // owner/conversation
}

func (n *notices) OwnerAway(_ context.Context, owner inbox.User, conv inbox.Conversation) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, owner.ID+"/"+conv.ID)
	return nil
}

// An owner who is merely full when the conversation arrives is not told; when the queue later
// drains to the fallback because the owner is now away, the owner is told then.
func TestDrainNotifiesAwayOwner(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	agents := f.agents(t, 2, 1) // agent0 owns the contact, agent1 is the fallback
	n := &notices{}
	a := assign.New(assign.Config{Store: f.store, Notifier: n, Now: func() time.Time { return base.Add(time.Hour) }})
	must(t, f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetContactOwner,
		OnlyAvailable: true, Fallback: inbox.TargetUsersAndTeams, FallbackUserIDs: agents[1:]}))
	// Both are full.
	for i, id := range agents {
		_, err := f.store.SetAssignee(f.ctx, f.acct, f.conversation(t, 10+i).ID, id)
		must(t, err)
	}
	c := f.conversation(t, 0)
	_, err := f.store.SetContactOwner(f.ctx, f.acct, c.ContactID, agents[0])
	must(t, err)
	must(t, a.Route(f.ctx, f.acct, c.ID))
	if w, _ := f.store.ListWaiting(f.ctx, f.acct, f.ch.ID, 10); len(w) != 1 || len(n.sent) != 0 {
		t.Fatalf("waiting %+v, notices %v: want it waiting and nobody told", w, n.sent)
	}
	// The owner goes away; the fallback closes a conversation: the drain gives it to the
	// fallback and tells the owner.
	owner, err := f.store.GetUser(f.ctx, f.acct, agents[0])
	must(t, err)
	owner.Available = false
	_, err = f.store.UpdateUser(f.ctx, owner)
	must(t, err)
	_, err = f.store.SetStatus(f.ctx, f.acct, "conv011", inbox.StatusClosed)
	must(t, err)
	must(t, a.DrainAccount(f.ctx, f.acct))
	got, err := f.store.GetConversation(f.ctx, f.acct, c.ID)
	must(t, err)
	if got.AssigneeID != agents[1] {
		t.Fatalf("assignee %q, want the fallback %s", got.AssigneeID, agents[1])
	}
	if len(n.sent) != 1 || n.sent[0] != agents[0]+"/"+c.ID {
		t.Fatalf("notices = %v, want one to %s about %s", n.sent, agents[0], c.ID)
	}
}
