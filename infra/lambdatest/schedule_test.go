//go:build linux

package lambdatest

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// scheduledEvent is the documented event of an EventBridge schedule, byte for byte.
func scheduledEvent(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../../shared/lambdaschedule/testdata/scheduled_event.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestScheduleFunction seeds a waiting conversation and an available user through the store,
// then invokes the schedule function with EventBridge's scheduled event: the conversation is
// assigned and the account leaves the list of accounts with waiting conversations.
func TestScheduleFunction(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	ctx := t.Context()
	acct := "acct-" + inbox.NewID()[:8]
	ch := smsChannel(t, d, acct)
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Store.SetRoutingRules(ctx, acct, ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams,
		UserIDs: []string{"ada"}, OnlyAvailable: true}))
	conv, _, err := d.Store.FindOrOpenConversation(ctx, inbox.Conversation{AccountID: acct, ID: "conv-" + inbox.NewID()[:8],
		InboxID: ch.InboxID, ChannelID: ch.ID, ChannelType: ch.Type, ContactID: "contact-1", ContactPhone: customerPhone,
		Status: inbox.StatusOpen, LastMessageAt: now, CreatedAt: now})
	must(err)
	// It waited while nobody was there; now Ada is, and nothing has told the queue.
	must(d.Store.AddWaiting(ctx, acct, inbox.Waiting{ConversationID: conv.ID, ChannelID: ch.ID, ArrivedAt: now}))
	must(d.Store.CreateUser(ctx, inbox.User{AccountID: acct, ID: "ada", Name: "Ada", Role: inbox.RoleAgent, PaidSeat: true,
		Available: true, TimeZone: "UTC", CreatedAt: now}))
	waiting := func() []string {
		t.Helper()
		l, err := d.Store.ListWaitingAccounts(ctx)
		must(err)
		return l
	}
	assignee := func() string {
		t.Helper()
		c, err := d.Store.GetConversation(ctx, acct, conv.ID)
		must(err)
		return c.AssigneeID
	}
	if got := waiting(); !slices.Equal(got, []string{acct}) {
		t.Fatalf("waiting accounts = %v", got)
	}
	fn := start(t, "ScheduleFunction", d)

	// Wired to anything but a schedule, it fails (and drains nothing).
	if _, err := fn.tryInvoke([]byte(`{"version":"0","id":"x","detail-type":"Object Created","source":"aws.s3","detail":{}}`)); err == nil ||
		!strings.Contains(err.Error(), "not a scheduled event") {
		t.Fatalf("S3 event: error %v, want a function error", err)
	}
	if a := assignee(); a != "" {
		t.Fatalf("assigned to %q by a refused event", a)
	}

	if resp := fn.invoke(t, scheduledEvent(t)); string(resp) != "null" {
		t.Fatalf("response = %s, want null (an asynchronous handler returns nothing)", resp)
	}
	if a := assignee(); a != "ada" {
		t.Fatalf("assignee after the tick = %q, want ada", a)
	}
	if got := waiting(); len(got) != 0 {
		t.Fatalf("waiting accounts after the tick = %v", got)
	}
	u, err := d.Store.GetUser(ctx, acct, "ada")
	must(err)
	if u.Load != 1 {
		t.Fatalf("Ada's load = %d, want 1", u.Load)
	}
	// The next minute: nothing waits, nothing happens.
	if resp := fn.invoke(t, scheduledEvent(t)); string(resp) != "null" {
		t.Fatalf("idle tick response = %s", resp)
	}
}
