package dynamo

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/inbox"
)

// waitingConversation opens a conversation on channel ch and queues it.
func (f *fixture) waitingConversation(ch inbox.Channel, at time.Time) inbox.Conversation {
	f.t.Helper()
	c, _, err := f.store.FindOrOpenConversation(f.ctx, newConversation(ch.AccountID, ch.InboxID, ch.ID, inbox.NewID(), at))
	must(f.t, err)
	must(f.t, f.store.AddWaiting(f.ctx, ch.AccountID, inbox.Waiting{ConversationID: c.ID, ChannelID: ch.ID, ArrivedAt: at}))
	return c
}

func (f *fixture) waitingAccounts() []string {
	f.t.Helper()
	got, err := f.store.ListWaitingAccounts(f.ctx)
	must(f.t, err)
	return got
}

func (f *fixture) forget(acct string) bool {
	f.t.Helper()
	removed, err := f.store.ForgetWaitingAccount(f.ctx, acct)
	must(f.t, err)
	return removed
}

// The marker of an account comes with its first waiting conversation, stays while any of its
// channels has one, and goes when they are all assigned, closed or removed.
func TestWaitingAccounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if got := f.waitingAccounts(); len(got) != 0 {
		t.Fatalf("fresh table: %v", got)
	}
	ibA := f.inbox("acctA")
	chA1, chA2 := f.channel("acctA", ibA.ID, "+15552220001"), f.channel("acctA", ibA.ID, "+15552220002")
	ibB := f.inbox("acctB")
	chB := f.channel("acctB", ibB.ID, "+15552220003")

	c1 := f.waitingConversation(chA1, base)
	marker := f.raw(pkWaitingAccounts, "A#acctA")
	var it waitingAccountItem
	must(t, unmarshal(marker, &it))
	if it.AccountID != "acctA" || it.Waits != 1 || !reflect.DeepEqual(it.Channels, []string{chA1.ID}) || it.LastWaitAt == "" {
		t.Fatalf("marker = %+v", it)
	}
	// A second add of the same conversation (a retry) keeps its place and renews the marker —
	// even a marker that is missing, as after a failure between the queueing and the mark.
	_, err := f.client.DeleteItem(f.ctx, &dynamodb.DeleteItemInput{TableName: aws.String(f.table), Key: key(pkWaitingAccounts, "A#acctA")})
	must(t, err)
	must(t, f.store.AddWaiting(f.ctx, "acctA", inbox.Waiting{ConversationID: c1.ID, ChannelID: chA1.ID, ArrivedAt: base.Add(time.Hour)}))
	if w, _ := f.store.ListWaiting(f.ctx, "acctA", chA1.ID, 10); len(w) != 1 || !w[0].ArrivedAt.Equal(base) {
		t.Fatalf("after a repeated add: %+v", w)
	}
	if got := f.waitingAccounts(); !reflect.DeepEqual(got, []string{"acctA"}) {
		t.Fatalf("ListWaitingAccounts after a retried add = %v", got)
	}
	// Another channel joins the marker.
	c2 := f.waitingConversation(chA2, base.Add(time.Second))
	must(t, unmarshal(f.raw(pkWaitingAccounts, "A#acctA"), &it))
	if it.Waits != 2 || len(it.Channels) != 2 {
		t.Fatalf("marker after a repeated add and a second channel = %+v", it)
	}
	cB := f.waitingConversation(chB, base)
	if got := f.waitingAccounts(); !reflect.DeepEqual(got, []string{"acctA", "acctB"}) {
		t.Fatalf("ListWaitingAccounts = %v", got)
	}

	// Kept while a channel still has a waiting conversation.
	if f.forget("acctA") {
		t.Fatal("forgot acctA while two conversations wait")
	}
	_, err = f.store.AssignWithinCapacity(f.ctx, "acctA", c1.ID, f.user("acctA", "u1", nil).ID, nil, base)
	must(t, err)
	if f.forget("acctA") {
		t.Fatal("forgot acctA while a conversation waits on its second channel")
	}
	_, err = f.store.SetStatus(f.ctx, "acctA", c2.ID, inbox.StatusClosed)
	must(t, err)
	if !f.forget("acctA") {
		t.Fatal("kept acctA with empty queues")
	}
	if f.raw(pkWaitingAccounts, "A#acctA") != nil {
		t.Fatal("marker of acctA still stored")
	}
	if f.forget("acctA") {
		t.Fatal("forgot a marker that does not exist")
	}
	if got := f.waitingAccounts(); !reflect.DeepEqual(got, []string{"acctB"}) {
		t.Fatalf("after forgetting acctA: %v", got)
	}
	// The next waiting conversation brings the marker back.
	f.waitingConversation(chA1, base.Add(time.Minute))
	if got := f.waitingAccounts(); !reflect.DeepEqual(got, []string{"acctA", "acctB"}) {
		t.Fatalf("after acctA waits again: %v", got)
	}

	// A deleted channel's queue counts no more: nothing would ever drain it.
	must(t, f.store.DeleteChannel(f.ctx, "acctB", chB.ID))
	if l, _ := f.store.ListWaiting(f.ctx, "acctB", chB.ID, 0); len(l) != 1 || l[0].ConversationID != cB.ID {
		t.Fatalf("queue of the deleted channel = %v", l)
	}
	if !f.forget("acctB") {
		t.Fatal("kept acctB, whose only waiting conversation is on a deleted channel")
	}
	_, err = f.store.ForgetWaitingAccount(f.ctx, "a#b")
	wantCode(t, err, inbox.EInvalid)
}

// A conversation queued between ForgetWaitingAccount's look at the queues and its delete keeps
// its account's marker.
func TestForgetWaitingAccountRace(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ch := f.channel("acctA", ib.ID, "+15552230001")
	c1 := f.waitingConversation(ch, base)
	must(t, f.store.RemoveWaiting(f.ctx, "acctA", ch.ID, c1.ID))
	var c2 inbox.Conversation
	removed, err := f.store.forgetWaitingAccount(f.ctx, "acctA", func() { c2 = f.waitingConversation(ch, base.Add(time.Second)) })
	must(t, err)
	if removed {
		t.Fatal("the marker was deleted under a concurrent AddWaiting")
	}
	if got := f.waitingAccounts(); !reflect.DeepEqual(got, []string{"acctA"}) {
		t.Fatalf("ListWaitingAccounts = %v", got)
	}
	if l, _ := f.store.ListWaiting(f.ctx, "acctA", ch.ID, 0); len(l) != 1 || l[0].ConversationID != c2.ID {
		t.Fatalf("queue = %v", l)
	}
	if f.forget("acctA") {
		t.Fatal("forgot acctA while its conversation waits")
	}
}

// ListWaitingAccounts pages through every marker.
func TestListWaitingAccountsPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var want []string
	for i := range 7 {
		acct := fmt.Sprintf("acct%02d", i)
		want = append(want, acct)
		must(t, f.store.markWaitingAccount(f.ctx, acct, "ch1"))
	}
	got, err := f.store.listWaitingAccounts(f.ctx, 2)
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pages of 2 = %v, want %v", got, want)
	}
	if got := f.waitingAccounts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("ListWaitingAccounts = %v", got)
	}
}
