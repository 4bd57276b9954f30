package assign_test

import (
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/inbox"
)

// A customer writing again to a closed conversation reopens it with its previous assignee when
// that user is still eligible; otherwise the rules route it again (or it waits).
func TestReopenKeepsEligibleAssignee(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		onlyAvailable bool
		// change is applied to the previous assignee (agent0) after closing.
		change func(u *inbox.User)
		// busy gives agent0 another open conversation (capacity 1).
		busy       bool
		otherAway  bool
		assignee   string
		wantAssign string
		wantWait   bool
	}{
		{name: "eligible: kept", onlyAvailable: true, wantAssign: "agent0"},
		{name: "away: routed to the other agent", onlyAvailable: true, change: func(u *inbox.User) { u.Available = false }, wantAssign: "agent1"},
		{name: "away but availability ignored: kept", onlyAvailable: false, change: func(u *inbox.User) { u.Available = false }, wantAssign: "agent0"},
		{name: "outside working hours: routed again", onlyAvailable: true,
			change: func(u *inbox.User) {
				u.TimeZone = "Europe/Copenhagen" // base+1h is 11:00 there, a Wednesday
				u.WorkingHours = []inbox.WorkingHours{{Day: time.Wednesday, Start: "13:00", End: "17:00"}}
			}, wantAssign: "agent1"},
		{name: "no paid seat any more: routed again", onlyAvailable: true, change: func(u *inbox.User) { u.PaidSeat = false }, wantAssign: "agent1"},
		{name: "at capacity: routed again", onlyAvailable: true, busy: true, wantAssign: "agent1"},
		{name: "nobody else: waits unassigned", onlyAvailable: true, change: func(u *inbox.User) { u.Available = false }, otherAway: true, wantWait: true},
		{name: "an assignee who is not a user: kept", onlyAvailable: true, assignee: "outside-helper", wantAssign: "outside-helper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			agents := f.agents(t, 2, 1)
			a := assign.New(assign.Config{Store: f.store, Now: func() time.Time { return base.Add(time.Hour) }})
			must(t, f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true,
				Target: inbox.TargetUsersAndTeams, UserIDs: agents, OnlyAvailable: tt.onlyAvailable}))
			prev := tt.assignee
			if prev == "" {
				prev = agents[0]
			}
			c, err := f.store.SetAssignee(f.ctx, f.acct, f.conversation(t, 0).ID, prev)
			must(t, err)
			c, err = f.store.SetStatus(f.ctx, f.acct, c.ID, inbox.StatusClosed)
			must(t, err)
			if tt.change != nil {
				u, err := f.store.GetUser(f.ctx, f.acct, agents[0])
				must(t, err)
				tt.change(&u)
				_, err = f.store.UpdateUser(f.ctx, u)
				must(t, err)
			}
			if tt.busy {
				_, err := f.store.SetAssignee(f.ctx, f.acct, f.conversation(t, 1).ID, agents[0])
				must(t, err)
			}
			if tt.otherAway {
				u, err := f.store.GetUser(f.ctx, f.acct, agents[1])
				must(t, err)
				u.Available = false
				_, err = f.store.UpdateUser(f.ctx, u)
				must(t, err)
			}
			before := f.loads(t)

			reopened, err := a.Reopen(f.ctx, f.acct, c)
			must(t, err)
			if reopened.Status != inbox.StatusOpen {
				t.Fatalf("reopened = %+v", reopened)
			}
			// The customer's message that reopened it (the router stores it before routing).
			wrote := base.Add(2 * time.Hour)
			ok, err := f.store.AppendMessage(f.ctx, reopened, inbox.Message{ID: inbox.MessageID(wrote, "m1"), Direction: inbox.DirectionIn,
				Text: "me again", CreatedAt: wrote, UpdatedAt: wrote, Status: inbox.MessageReceived}, "")
			if err != nil || !ok {
				t.Fatalf("append = %v, %v", ok, err)
			}
			must(t, a.Route(f.ctx, f.acct, c.ID))
			got, err := f.store.GetConversation(f.ctx, f.acct, c.ID)
			must(t, err)
			if got.AssigneeID != tt.wantAssign {
				t.Fatalf("assignee = %q, want %q", got.AssigneeID, tt.wantAssign)
			}
			w, err := f.store.ListWaiting(f.ctx, f.acct, f.ch.ID, 10)
			must(t, err)
			if waits := len(w) == 1 && w[0].ConversationID == c.ID; waits != tt.wantWait {
				t.Fatalf("waiting = %+v, want waiting %v", w, tt.wantWait)
			}
			if tt.wantWait && !w[0].ArrivedAt.Equal(wrote) {
				t.Errorf("waits since %v, want the reopening message's time %v (not its creation)", w[0].ArrivedAt, wrote)
			}
			after := f.loads(t)
			for id, l := range after {
				want := before[id]
				if id == tt.wantAssign {
					want++
				}
				if l != want {
					t.Errorf("load of %s = %d, want %d", id, l, want)
				}
				if l > 1 {
					t.Errorf("%s above capacity: %d", id, l)
				}
			}
		})
	}
}

// A conversation whose channel was disconnected before it was routed is left unrouted, without
// an error that would only send the message to the dead-letter queue.
func TestRouteAfterChannelDisconnected(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	agents := f.agents(t, 1, 1)
	must(t, f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true,
		Target: inbox.TargetUsersAndTeams, UserIDs: agents, OnlyAvailable: true}))
	c := f.conversation(t, 0)
	must(t, f.store.DeleteChannel(f.ctx, f.acct, f.ch.ID))
	a := assign.New(assign.Config{Store: f.store, Now: func() time.Time { return base.Add(time.Hour) }})
	must(t, a.Route(f.ctx, f.acct, c.ID))
	if got, _ := f.store.GetConversation(f.ctx, f.acct, c.ID); got.AssigneeID != "" {
		t.Fatalf("routed on a disconnected channel to %s", got.AssigneeID)
	}
}
