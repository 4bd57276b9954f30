package router_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/router"
)

// measure returns the capacity units, in AWS's accounting, that handling env costs the store.
func (f *fixture) measure(t *testing.T, env inbox.Envelope) units {
	t.Helper()
	var mu sync.Mutex
	var got units
	f.store.OnCapacity(func(_ string, r, w float64) {
		mu.Lock()
		got.read, got.write = got.read+r, got.write+w
		mu.Unlock()
	})
	defer f.store.OnCapacity(nil)
	f.handle(t, env)
	mu.Lock()
	defer mu.Unlock()
	return got
}

// TestNewConversationWithinBudget checks issue #10's budget of a message from a new contact on
// DynamoDB Local: at most 1 RCU + 10 WCU for the contact, its conversation and the message. It
// is 1 + 9: the hint of the open conversation rides on the new contact's lookup item instead of
// a write of its own after the conversation (which made it 11), and that lookup item names the
// conversation for search instead of an entry in gsi5 (10). The contact's next message joins the
// conversation by the hint (1 + 3: a hint missing or naming nothing costs more). Routed
// automatically among 5 agents, the whole of it 2 + 14 (was 2 + 16). The figures are exact
// (units, not time): a change that adds a write shows here. The ids have production's lengths,
// the messages are longer than a preview, and the conversation is assigned and read by three
// agents before the next message: the item at a real size, which stays under 1 KB (the next
// message was 1 + 4 while it did not: every write of an item over 1 KB costs 2 WCU).
func TestNewConversationWithinBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		routed      bool
		first, next units
	}{
		{"unrouted", false, units{1, 9}, units{1, 3}},
		{"routed", true, units{2, 14}, units{1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.cacheChannels()
			if tc.routed {
				f.autoAssign(t, 5, nil)
			}
			// The channel in the router's cache, as in a warm container; the messages at the
			// router's time (a conversation is listed by its creation or its contact's last
			// message, whichever is later: a message from before the creation moves it).
			f.handle(t, f.message("SMwarm", phoneB, "hi", now))
			if got := f.measure(t, f.message("SMfirst", phoneA, longText, now)); got != tc.first {
				t.Errorf("new contact + conversation: %v RCU + %v WCU, want %v + %v", got.read, got.write, tc.first.read, tc.first.write)
			}
			// Assigned (by its routing, else by an agent) and read by three agents, as a
			// conversation is by the time its contact writes again: the item at a real size.
			conv, _ := f.byProvider(t, "SMfirst")
			f.readByThree(t, conv.ID, !tc.routed)
			if got := f.measure(t, f.message("SMnext", phoneA, longText, now.Add(time.Second))); got != tc.next {
				t.Errorf("the contact's next message: %v RCU + %v WCU, want %v + %v", got.read, got.write, tc.next.read, tc.next.write)
			}
			first, _ := f.byProvider(t, "SMfirst")
			next, _ := f.byProvider(t, "SMnext")
			if first.ID != next.ID {
				t.Errorf("the next message opened conversation %s, want %s", next.ID, first.ID)
			}
		})
	}
}

// failingOpen is the store failing the first OpenConversation after the contact is written, as
// a process that dies at that point leaves it: the new contact's lookup item names, as its open
// conversation, a conversation that is not written.
type failingOpen struct {
	*dynamo.Store
	once sync.Once
}

func (s *failingOpen) OpenConversation(ctx context.Context, c inbox.Conversation, hint inbox.OpenHint) (inbox.Conversation, bool, error) {
	first := false
	s.once.Do(func() { first = true })
	if first {
		return inbox.Conversation{}, false, inbox.Errorf(inbox.EUnavailable, "injected failure")
	}
	return s.Store.OpenConversation(ctx, c, hint)
}

// A new contact's lookup item names its conversation before the conversation is written. When
// the delivery fails in between, the hint names nothing: the redelivery and the contact's next
// message find no open conversation under it, store each message once in one conversation, and
// the hint is set right (the message after that joins by it, 1 + 3).
func TestNewContactHintWithoutConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.cacheChannels()
	dying := router.New(router.Config{Store: &failingOpen{Store: f.store}, Now: func() time.Time { return now }})
	first := f.message("SMfirst", phoneA, "hello", now)
	if err := dying.Handle(f.ctx, first); err == nil {
		t.Fatal("the injected failure did not reach OpenConversation")
	}
	st, err := f.store.InboundState(f.ctx, acct, f.ch.ID, "SMfirst", f.inbox.ID, inbox.Contact{Phone: phoneA})
	must(t, err)
	if st.ContactID == "" || st.OpenConversationID == "" || st.OpenChannelID != f.ch.ID {
		t.Fatalf("after the failure: %+v, want the contact and the hint of its conversation", st)
	}
	if _, err := f.store.GetConversation(f.ctx, acct, st.OpenConversationID); !inbox.IsCode(err, inbox.ENotFound) {
		t.Fatalf("the hinted conversation: %v, want none written", err)
	}
	f.handle(t, first)
	f.handle(t, first)
	f.handle(t, f.message("SMsecond", phoneA, "anyone?", now.Add(time.Second)))
	if got := f.measure(t, f.message("SMthird", phoneA, "hello?", now.Add(2*time.Second))); got != (units{1, 3}) {
		t.Errorf("the message after: %v RCU + %v WCU, want 1 + 3 (by the hint)", got.read, got.write)
	}
	all := f.all(t)
	if len(all) != 1 || len(all[0].messages) != 3 {
		t.Fatalf("%d conversations (%+v), want 1 with 3 messages", len(all), all)
	}
}

// TestNewThreadWithinBudget checks that a conversation opened for a new thread — here a web form
// submission, each a conversation of its own, of a new contact and of a known one — is written
// once, showing its first message (AppendFirstMessage), as a new contact's conversation is: the
// submission of a known contact costs 4 RCU + 8 WCU (the open marker 1, the conversation 1 + 4
// index entries, the message 1, its provider marker 1), where a second write of the
// conversation for its first message made it 9; a new contact's 2 + 11 (the contact, its
// lookup item and its name's word: 3 more). The figures are exact (units, not time).
func TestNewThreadWithinBudget(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.cacheChannels()
	ch := formChannel(t, f, false)
	f.handle(t, formSubmission(ch, "form-warm", "zoe@customer.example", now))
	for _, tc := range []struct {
		name, id, email string
		want            units
	}{
		{"known contact", "form-known", "zoe@customer.example", units{4, 8}},
		{"new contact", "form-new", "new@customer.example", units{2, 11}},
	} {
		if got := f.measure(t, formSubmission(ch, tc.id, tc.email, now.Add(time.Second))); got != tc.want {
			t.Errorf("%s: %v RCU + %v WCU, want %v + %v", tc.name, got.read, got.write, tc.want.read, tc.want.write)
		}
		conv, msg := f.byProviderOn(t, ch.ID, tc.id)
		if conv.Preview != msg.Preview() || !conv.LastInboundAt.Equal(msg.CreatedAt) || !conv.LastMessageAt.Equal(msg.CreatedAt) {
			t.Errorf("%s: the conversation does not show its message: %+v", tc.name, conv)
		}
	}
}
