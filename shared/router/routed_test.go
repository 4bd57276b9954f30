package router_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/router"
)

// failOnce is the assigner of shared/assign whose first RouteConversation fails, as a routing
// would on a store error after the conversation was written.
type failOnce struct {
	*assign.Assigner
	failed bool
}

func (a *failOnce) RouteConversation(ctx context.Context, ch inbox.Channel, conv inbox.Conversation) error {
	if !a.failed {
		a.failed = true
		return errors.New("routing failed")
	}
	return a.Assigner.RouteConversation(ctx, ch, conv)
}

// New conversations on a channel whose rules assign automatically are written outside the
// assignee lists (dynamo.OpenConversationToRoute) and listed by their routing: the first
// contact's in agent0's list (capacity 1), the second's, which waits, in the unassigned list;
// a third whose routing failed is listed by the redelivery of its message.
func TestNewConversationsListedByRouting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.autoAssign(t, 1, func(n int) *int { return &n }(1))
	f.handle(t, f.message("SMfirst00000000000000000000000001", phoneA, "hello", base))
	f.handle(t, f.message("SMsecond0000000000000000000000002", phoneB, "hello", base.Add(time.Second)))
	flaky := &failOnce{Assigner: a}
	f.router = router.New(router.Config{Store: f.store, Assigner: flaky, ChannelCacheTTL: time.Minute, Now: func() time.Time { return now }})
	third := f.message("SMthird00000000000000000000000003", "+14155550003", "hello", base.Add(2*time.Second))
	if err := f.router.Handle(f.ctx, third); err == nil {
		t.Fatal("the failing routing did not fail the delivery")
	}
	f.handle(t, third) // the redelivery

	list := func(filter inbox.ConversationFilter) []string {
		t.Helper()
		l, _, err := f.store.ListConversations(f.ctx, acct, filter)
		must(t, err)
		var phones []string
		for _, c := range l {
			phones = append(phones, c.ContactPhone)
		}
		slices.Sort(phones)
		return phones
	}
	if got := list(inbox.ConversationFilter{AssigneeID: agentID(0)}); !slices.Equal(got, []string{phoneA}) {
		t.Errorf("the agent's list = %v, want %v", got, phoneA)
	}
	if got, want := list(inbox.ConversationFilter{Unassigned: true}), []string{"+14155550003", phoneB}; !slices.Equal(got, want) {
		t.Errorf("unassigned list = %v, want %v", got, want)
	}
}

// failing is the assigner of shared/assign whose RouteConversation always fails, as a routing
// does whose every delivery meets a store error until the message goes to the dead-letter queue.
type failing struct{ *assign.Assigner }

func (failing) RouteConversation(context.Context, inbox.Channel, inbox.Conversation) error {
	return errors.New("routing failed")
}

// A new conversation on a channel whose rules assign automatically is written outside the
// assignee lists; when its routing fails, it is listed as unassigned at once, so that it shows
// also when every delivery fails (dead-letter queue); and a redelivery of a message whose
// conversation the first delivery left unlisted (the function stopped mid-way) lists it before
// routing, so that rules changed meanwhile to not assigning leave it listed too.
func TestUnroutedConversationsListed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.autoAssign(t, 1, nil)
	unassigned := func() []string {
		t.Helper()
		l, _, err := f.store.ListConversations(f.ctx, acct, inbox.ConversationFilter{Unassigned: true})
		must(t, err)
		var phones []string
		for _, c := range l {
			phones = append(phones, c.ContactPhone)
		}
		slices.Sort(phones)
		return phones
	}
	f.router = router.New(router.Config{Store: f.store, Assigner: failing{a}, ChannelCacheTTL: time.Minute, Now: func() time.Time { return now }})
	msg := f.message("SMdlq0000000000000000000000000001", phoneA, "hello", base)
	for range 3 { // every delivery the queue makes before the dead-letter queue
		if err := f.router.Handle(f.ctx, msg); err == nil {
			t.Fatal("the failing routing did not fail the delivery")
		}
	}
	if got := unassigned(); !slices.Equal(got, []string{phoneA}) {
		t.Fatalf("unassigned list = %v, want %v", got, []string{phoneA})
	}

	// The first delivery stops after the conversation (the router function times out before
	// routing: no error path runs); its redelivery finds rules that no longer assign.
	stops := &stopsBeforeRouting{Assigner: a}
	f.router = router.New(router.Config{Store: f.store, Assigner: stops, ChannelCacheTTL: time.Minute, Now: func() time.Time { return now }})
	second := f.message("SMdlq0000000000000000000000000002", phoneB, "hello", base.Add(time.Second))
	f.handle(t, second)
	if got := unassigned(); !slices.Equal(got, []string{phoneA}) {
		t.Fatalf("before the redelivery: unassigned list = %v, want %v", got, []string{phoneA})
	}
	must(t, f.store.SetRoutingRules(f.ctx, acct, f.ch.ID, nil)) // nobody assigns any more
	f.handle(t, second)                                         // the redelivery
	if got, want := unassigned(), []string{phoneA, phoneB}; !slices.Equal(got, want) {
		t.Fatalf("unassigned list = %v, want %v", got, want)
	}
}

// stopsBeforeRouting is the assigner of shared/assign whose first RouteConversation does
// nothing, as a router function that timed out before routing: the conversation is stored,
// unrouted, and the message is delivered again.
type stopsBeforeRouting struct {
	*assign.Assigner
	stopped bool
}

func (a *stopsBeforeRouting) RouteConversation(ctx context.Context, ch inbox.Channel, conv inbox.Conversation) error {
	if !a.stopped {
		a.stopped = true
		return nil
	}
	return a.Assigner.RouteConversation(ctx, ch, conv)
}
