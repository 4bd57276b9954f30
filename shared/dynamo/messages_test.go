package dynamo

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

func TestAppendMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)

	m1 := newMessage(inbox.DirectionIn, "hello\nsecond line", base.Add(time.Minute), inbox.MessageReceived)
	m1.Attachments = []inbox.Attachment{{URL: "https://x/1.jpg", ContentType: "image/jpeg"}}
	m1 = f.append(c, m1, "SM1")
	m2 := newMessage(inbox.DirectionOut, "", base.Add(2*time.Minute), inbox.MessagePending)
	m2.AuthorID = "u1"
	m2.Attachments = []inbox.Attachment{{URL: "https://x/2.pdf", ContentType: "application/pdf"}}
	m2 = f.append(c, m2, "")

	conv, err := f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if !conv.LastMessageAt.Equal(m2.CreatedAt) || conv.Preview != "[application/pdf]" || conv.Version != 3 {
		t.Errorf("conversation after appends = %+v", conv)
	}
	item := f.raw(convPK("acctA", c.ID), skConv)
	wantSK := inbox.SortableTime(m2.CreatedAt.Truncate(listStep)) + "#" + c.ID
	for _, k := range []string{"lsk"} {
		if got := dump(map[string]typesAV{k: item[k]}); !strings.Contains(got, wantSK) {
			t.Errorf("%s = %s, want %s", k, got, wantSK)
		}
	}

	list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("ListMessages = %d messages", len(list))
	}
	for i, want := range []inbox.Message{m1, m2} {
		if !sameMessage(list[i], want) {
			t.Errorf("message %d = %+v, want %+v", i, list[i], want)
		}
	}
	got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m1.ID)
	must(t, err)
	if !sameMessage(got, m1) || got.ProviderID != "SM1" {
		t.Errorf("GetMessage = %+v", got)
	}

	convID, msgID, err := f.store.ProviderMessage(f.ctx, "acctA", "ch1", "SM1")
	must(t, err)
	if convID != c.ID || msgID != m1.ID {
		t.Errorf("ProviderMessage = %s, %s", convID, msgID)
	}
	_, _, err = f.store.ProviderMessage(f.ctx, "acctA", "ch1", "SM2")
	wantCode(t, err, inbox.ENotFound)
	_, _, err = f.store.ProviderMessage(f.ctx, "acctB", "ch1", "SM1")
	wantCode(t, err, inbox.ENotFound)

	// The marker expires after 90 days.
	pm := f.raw(providerMsgPK("acctA", "ch1", "SM1"), skProviderMsg)
	if d := dump(pm); !strings.Contains(d, "ttl") {
		t.Errorf("marker without ttl: %s", d)
	}
	var marker providerMessageItem
	must(t, unmarshal(pm, &marker))
	if exp := time.Now().Add(markerTTL).Unix(); marker.TTL < exp-60 || marker.TTL > exp+60 {
		t.Errorf("marker ttl %d, want about %d", marker.TTL, exp)
	}

	t.Run("duplicate provider id", func(t *testing.T) {
		dup := newMessage(inbox.DirectionIn, "hello again", base.Add(3*time.Minute), inbox.MessageReceived)
		ok, err := f.store.AppendMessage(f.ctx, c, dup, "SM1")
		must(t, err)
		if ok {
			t.Error("duplicate stored")
		}
		_, err = f.store.GetMessage(f.ctx, "acctA", c.ID, dup.ID)
		wantCode(t, err, inbox.ENotFound)
		// The conversation is written before the marker (so that a failure in between leaves
		// nothing a redelivery takes for done): a duplicate under another id may have moved it.
		convID, msgID, err := f.store.ProviderMessage(f.ctx, "acctA", "ch1", "SM1")
		must(t, err)
		if convID != c.ID || msgID != m1.ID {
			t.Errorf("the duplicate took the provider id: %s, %s", convID, msgID)
		}
		list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
		must(t, err)
		if len(list) != 2 {
			t.Errorf("%d messages after the duplicate, want 2", len(list))
		}
	})
	t.Run("same provider id on another channel", func(t *testing.T) {
		other := f.conversation("acctA", "ib1", base)
		other.ChannelID = "ch2"
		must(t, f.setChannel(other))
		ok, err := f.store.AppendMessage(f.ctx, other, newMessage(inbox.DirectionIn, "x", base, inbox.MessageReceived), "SM1")
		must(t, err)
		if !ok {
			t.Error("not stored")
		}
	})
	t.Run("message id taken", func(t *testing.T) {
		_, err := f.store.AppendMessage(f.ctx, c, m1, "")
		wantCode(t, err, inbox.EConflict)
	})
	t.Run("missing conversation", func(t *testing.T) {
		missing := newConversation("acctA", "ib1", "ch1", "ct9", base)
		m := newMessage(inbox.DirectionIn, "x", base, inbox.MessageReceived)
		ok, err := f.store.AppendMessage(f.ctx, missing, m, "SM9")
		wantCode(t, err, inbox.ENotFound)
		if ok {
			t.Error("ok")
		}
		// Nothing was written: the provider id is still free.
		_, _, err = f.store.ProviderMessage(f.ctx, "acctA", "ch1", "SM9")
		wantCode(t, err, inbox.ENotFound)
	})
	t.Run("other account's conversation", func(t *testing.T) {
		forged := c
		forged.AccountID = "acctB"
		_, err := f.store.AppendMessage(f.ctx, forged, newMessage(inbox.DirectionIn, "x", base, inbox.MessageReceived), "")
		wantCode(t, err, inbox.ENotFound)
	})
	t.Run("missing conversation messages", func(t *testing.T) {
		_, err := f.store.ListMessages(f.ctx, "acctA", "nope")
		wantCode(t, err, inbox.ENotFound)
		_, err = f.store.ListMessages(f.ctx, "acctB", c.ID)
		wantCode(t, err, inbox.ENotFound)
		_, err = f.store.GetMessage(f.ctx, "acctB", c.ID, m1.ID)
		wantCode(t, err, inbox.ENotFound)
	})
	t.Run("empty conversation", func(t *testing.T) {
		e := f.conversation("acctA", "ib1", base)
		list, err := f.store.ListMessages(f.ctx, "acctA", e.ID)
		must(t, err)
		if list == nil || len(list) != 0 {
			t.Errorf("ListMessages = %#v", list)
		}
	})
}

// setChannel rewrites a conversation's channel id, for a test that needs two channels.
func (f *fixture) setChannel(c inbox.Conversation) error {
	av, err := marshal(newConversationItem(c))
	if err != nil {
		return err
	}
	_, err = f.client.PutItem(f.ctx, putInput(f.table, av))
	return err
}

func sameMessage(a, b inbox.Message) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) {
		return false
	}
	a.CreatedAt, a.UpdatedAt = b.CreatedAt, b.UpdatedAt
	return reflect.DeepEqual(a, b)
}

func TestAppendMessageConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	const n = 5
	var wg sync.WaitGroup
	stored := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			// Each delivery of the webhook gets its own message id, as the router makes them.
			m := newMessage(inbox.DirectionIn, "hi", base.Add(time.Minute), inbox.MessageReceived)
			stored[i], errs[i] = f.store.AppendMessage(f.ctx, c, m, "SMdup")
		})
	}
	wg.Wait()
	nStored := 0
	for i := range n {
		must(t, errs[i])
		if stored[i] {
			nStored++
		}
	}
	if nStored != 1 {
		t.Errorf("%d appends reported stored, want 1", nStored)
	}
	list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
	must(t, err)
	if len(list) != 1 {
		t.Errorf("%d messages stored, want 1", len(list))
	}
	conv, err := f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	// Each delivery writes the conversation before its marker tells it is a duplicate.
	if conv.Version < 2 || conv.Preview != "hi" || !conv.LastMessageAt.Equal(base.Add(time.Minute)) {
		t.Errorf("conversation after the duplicates = %+v", conv)
	}
}

func TestListMessagesOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	var want []string
	// Appended out of order; listed by message id, which sorts by time.
	for _, min := range []int{5, 1, 4, 2, 3} {
		m := f.append(c, newMessage(inbox.DirectionIn, "m", base.Add(time.Duration(min)*time.Minute), inbox.MessageReceived), "")
		want = append(want, m.ID)
	}
	sortStrings(want)
	list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
	must(t, err)
	if got := ids(list, func(m inbox.Message) string { return m.ID }); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func TestUpdateDelivery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	m := f.append(c, newMessage(inbox.DirectionOut, "reply", base, inbox.MessagePending), "")
	in := f.append(c, newMessage(inbox.DirectionIn, "hi", base, inbox.MessageReceived), "SMin")
	at := func(s int) time.Time { return base.Add(time.Duration(s) * time.Second) }

	steps := []struct {
		name    string
		u       inbox.DeliveryUpdate
		changed bool
		want    inbox.MessageStatus
	}{
		{"sending", inbox.DeliveryUpdate{Status: inbox.MessageSending}, true, inbox.MessageSending},
		{"sent with provider id", inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "SMout"}, true, inbox.MessageSent},
		{"delivered", inbox.DeliveryUpdate{Status: inbox.MessageDelivered, ProviderID: "SMout"}, true, inbox.MessageDelivered},
		{"late sent", inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "SMout"}, false, inbox.MessageDelivered},
		{"repeated delivered", inbox.DeliveryUpdate{Status: inbox.MessageDelivered}, false, inbox.MessageDelivered},
		{"failed", inbox.DeliveryUpdate{Status: inbox.MessageFailed, Error: &inbox.ProviderError{Code: "30003", Message: "unreachable"}}, true, inbox.MessageFailed},
		{"read after failed", inbox.DeliveryUpdate{Status: inbox.MessageRead}, false, inbox.MessageFailed},
		{"undelivered after failed", inbox.DeliveryUpdate{Status: inbox.MessageUndelivered}, false, inbox.MessageFailed},
	}
	for i, st := range steps {
		got, changed, err := f.store.UpdateDelivery(f.ctx, "acctA", c.ID, m.ID, st.u, at(i+1))
		must(t, err)
		if changed != st.changed || got.Status != st.want {
			t.Errorf("%s: changed %v status %s, want %v %s", st.name, changed, got.Status, st.changed, st.want)
		}
		stored, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
		must(t, err)
		if !sameMessage(stored, got) {
			t.Errorf("%s: stored %+v, returned %+v", st.name, stored, got)
		}
		if st.changed && !stored.UpdatedAt.Equal(at(i+1)) {
			t.Errorf("%s: updatedAt %v", st.name, stored.UpdatedAt)
		}
	}
	final, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
	must(t, err)
	if final.ProviderID != "SMout" || final.Error == nil || final.Error.Code != "30003" {
		t.Errorf("final message = %+v", final)
	}
	convID, msgID, err := f.store.ProviderMessage(f.ctx, "acctA", "ch1", "SMout")
	must(t, err)
	if convID != c.ID || msgID != m.ID {
		t.Errorf("ProviderMessage = %s %s", convID, msgID)
	}

	t.Run("provider id of another message", func(t *testing.T) {
		m2 := f.append(c, newMessage(inbox.DirectionOut, "r2", base, inbox.MessagePending), "")
		_, _, err := f.store.UpdateDelivery(f.ctx, "acctA", c.ID, m2.ID, inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "SMout"}, at(20))
		wantCode(t, err, inbox.EConflict)
		got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m2.ID)
		must(t, err)
		if got.Status != inbox.MessagePending || got.ProviderID != "" {
			t.Errorf("refused update changed the message: %+v", got)
		}
	})
	t.Run("inbound message", func(t *testing.T) {
		got, changed, err := f.store.UpdateDelivery(f.ctx, "acctA", c.ID, in.ID, inbox.DeliveryUpdate{Status: inbox.MessageDelivered}, at(30))
		must(t, err)
		if changed || got.Status != inbox.MessageReceived {
			t.Errorf("inbound message changed: %+v", got)
		}
	})
	t.Run("not a delivery status", func(t *testing.T) {
		_, _, err := f.store.UpdateDelivery(f.ctx, "acctA", c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageReceived}, at(30))
		wantCode(t, err, inbox.EInvalid)
	})
	t.Run("other account", func(t *testing.T) {
		_, _, err := f.store.UpdateDelivery(f.ctx, "acctB", c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageRead}, at(30))
		wantCode(t, err, inbox.ENotFound)
	})
}

func TestUpdateDeliveryConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	m := f.append(c, newMessage(inbox.DirectionOut, "reply", base, inbox.MessageSending), "")
	// Callbacks racing each other: whatever the order, the highest status wins.
	statuses := []inbox.MessageStatus{inbox.MessageSent, inbox.MessageDelivered, inbox.MessageRead, inbox.MessageSent, inbox.MessageDelivered}
	var wg sync.WaitGroup
	for _, st := range statuses {
		wg.Go(func() {
			_, _, err := f.store.UpdateDelivery(f.ctx, "acctA", c.ID, m.ID, inbox.DeliveryUpdate{Status: st, ProviderID: "SMx"}, base)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
	must(t, err)
	if got.Status != inbox.MessageRead || got.ProviderID != "SMx" {
		t.Errorf("final = %s %s, want read SMx", got.Status, got.ProviderID)
	}
}

func TestTransitionMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	m := f.append(c, newMessage(inbox.DirectionOut, "reply", base, inbox.MessagePending), "")
	now := base.Add(time.Hour)

	must(t, f.store.TransitionMessage(f.ctx, "acctA", c.ID, m.ID, inbox.MessagePending, inbox.MessageSending, now))
	got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
	must(t, err)
	if got.Status != inbox.MessageSending || !got.UpdatedAt.Equal(now) {
		t.Errorf("after transition = %+v", got)
	}
	tests := []struct {
		name          string
		acct, conv, m string
		code          inbox.ErrorCode
	}{
		{"not in from", "acctA", c.ID, m.ID, inbox.EConflict},
		{"missing message", "acctA", c.ID, "nope", inbox.ENotFound},
		{"missing conversation", "acctA", "nope", m.ID, inbox.ENotFound},
		{"other account", "acctB", c.ID, m.ID, inbox.ENotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.store.TransitionMessage(f.ctx, tt.acct, tt.conv, tt.m, inbox.MessagePending, inbox.MessageSending, now)
			wantCode(t, err, tt.code)
		})
	}
	// A missing message is not created by the attempt.
	_, err = f.store.GetMessage(f.ctx, "acctA", c.ID, "nope")
	wantCode(t, err, inbox.ENotFound)

	// Exactly one of concurrent claims wins.
	m2 := f.append(c, newMessage(inbox.DirectionOut, "r2", base, inbox.MessagePending), "")
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 5 {
		wg.Go(func() {
			err := f.store.TransitionMessage(f.ctx, "acctA", c.ID, m2.ID, inbox.MessagePending, inbox.MessageSending, now)
			mu.Lock()
			defer mu.Unlock()
			switch inbox.ErrorCodeOf(err) {
			case "":
				won++
			case inbox.EConflict:
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d claims won, want 1", won)
	}
}

// A redelivery after a failure between AppendMessage's writes writes the same message again
// (the router derives its id from the provider's): it completes what is missing, stores one
// message, and reports it as not stored by this call.
func TestAppendMessageReplay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	m := newMessage(inbox.DirectionIn, "hi", base.Add(time.Minute), inbox.MessageReceived)
	// The first delivery stored the message, then failed before the marker and the conversation.
	av, err := marshal(newMessageItem(inbox.Message{AccountID: "acctA", ConversationID: c.ID, ID: m.ID, Direction: m.Direction,
		Text: m.Text, Status: m.Status, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, ProviderID: "SMreplay"}, c.ChannelID))
	must(t, err)
	_, err = f.client.PutItem(f.ctx, putInput(f.table, av))
	must(t, err)
	stored, err := f.store.AppendMessage(f.ctx, c, m, "SMreplay")
	must(t, err)
	if stored {
		t.Error("a replay reported the message as stored by it")
	}
	list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
	must(t, err)
	if len(list) != 1 {
		t.Fatalf("%d messages", len(list))
	}
	got, err := f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if got.Preview != "hi" || !got.LastMessageAt.Equal(m.CreatedAt) || got.Version != 2 {
		t.Errorf("conversation not completed: preview %q, last %v, version %d", got.Preview, got.LastMessageAt, got.Version)
	}
	if convID, msgID, err := f.store.ProviderMessage(f.ctx, "acctA", c.ChannelID, "SMreplay"); err != nil || convID != c.ID || msgID != m.ID {
		t.Errorf("marker = %s %s %v", convID, msgID, err)
	}
	// Once complete, a further replay changes nothing.
	stored, err = f.store.AppendMessage(f.ctx, c, m, "SMreplay")
	must(t, err)
	if again, _ := f.store.GetConversation(f.ctx, "acctA", c.ID); stored || again.Version != 2 {
		t.Errorf("second replay: stored %v, version %d", stored, again.Version)
	}
}

// AppendToOpen writes nothing into a conversation closed since the hint was recorded.
func TestAppendToOpenClosed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	_, err := f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	m := newMessage(inbox.DirectionIn, "late", base.Add(time.Minute), inbox.MessageReceived)
	_, _, err = f.store.AppendToOpen(f.ctx, "acctA", c.ID, c.ChannelID, m, "SMclosed")
	if !errors.Is(err, inbox.ErrNotOpen) {
		t.Fatalf("error = %v, want ErrNotOpen", err)
	}
	list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
	must(t, err)
	if _, _, perr := f.store.ProviderMessage(f.ctx, "acctA", c.ChannelID, "SMclosed"); len(list) != 0 || !inbox.IsCode(perr, inbox.ENotFound) {
		t.Errorf("left behind: %d messages, marker %v", len(list), perr)
	}
}
