package dynamo

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// TestCrossAccountIsolation checks that account B reaches nothing of account A's through any
// method, even knowing A's ids.
func TestCrossAccountIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ch := f.channel("acctA", ib.ID, "+15557770001")
	c := f.conversation("acctA", ib.ID, base)
	m := f.append(c, newMessage(inbox.DirectionOut, "secret reply", base, inbox.MessagePending), "SMa")
	_, err := f.store.SetAssignee(f.ctx, "acctA", c.ID, "u1")
	must(t, err)
	const b = "acctB"

	notFound := map[string]func() error{
		"GetInbox":     func() error { _, err := f.store.GetInbox(f.ctx, b, ib.ID); return err },
		"GetChannel":   func() error { _, err := f.store.GetChannel(f.ctx, b, ch.ID); return err },
		"GetContact":   func() error { _, err := f.store.GetContact(f.ctx, b, c.ContactID); return err },
		"GetConv":      func() error { _, err := f.store.GetConversation(f.ctx, b, c.ID); return err },
		"ListMessages": func() error { _, err := f.store.ListMessages(f.ctx, b, c.ID); return err },
		"GetMessage":   func() error { _, err := f.store.GetMessage(f.ctx, b, c.ID, m.ID); return err },
		"SetAssignee":  func() error { _, err := f.store.SetAssignee(f.ctx, b, c.ID, "u2"); return err },
		"SetStatus":    func() error { _, err := f.store.SetStatus(f.ctx, b, c.ID, inbox.StatusClosed); return err },
		"UpdateDelivery": func() error {
			_, _, err := f.store.UpdateDelivery(f.ctx, b, c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageSent}, base)
			return err
		},
		"TransitionMessage": func() error {
			return f.store.TransitionMessage(f.ctx, b, c.ID, m.ID, inbox.MessagePending, inbox.MessageSending, base)
		},
		"ProviderMessage": func() error { _, _, err := f.store.ProviderMessage(f.ctx, b, ch.ID, "SMa"); return err },
	}
	for name, call := range notFound {
		t.Run(name, func(t *testing.T) {
			wantCode(t, call(), inbox.ENotFound)
		})
	}
	for _, filter := range []inbox.ConversationFilter{{}, {InboxID: ib.ID}, {AssigneeID: "u1"}, {Unassigned: true}} {
		list, _, err := f.store.ListConversations(f.ctx, b, filter)
		must(t, err)
		if len(list) != 0 {
			t.Errorf("ListConversations(acctB, %+v) = %v", filter, convIDs(list))
		}
	}
	inboxes, err := f.store.ListInboxes(f.ctx, b)
	must(t, err)
	channels, err := f.store.ListChannels(f.ctx, b)
	must(t, err)
	if len(inboxes)+len(channels) != 0 {
		t.Errorf("acctB lists %d inboxes and %d channels", len(inboxes), len(channels))
	}
	// A's data is untouched by B's attempts.
	got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
	must(t, err)
	conv, err := f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if got.Status != inbox.MessagePending || conv.AssigneeID != "u1" || conv.Status != inbox.StatusOpen {
		t.Errorf("acctA's data changed: %+v %+v", got, conv)
	}
}

func TestInvalidIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	calls := map[string]func() error{
		"account with separator": func() error { _, err := f.store.GetConversation(f.ctx, "a#CV#x", "y"); return err },
		"empty conversation":     func() error { _, err := f.store.ListMessages(f.ctx, "a", ""); return err },
		"inbox with separator": func() error {
			_, _, err := f.store.ListConversations(f.ctx, "a", inbox.ConversationFilter{InboxID: "x#open"})
			return err
		},
		"assignee with separator": func() error { _, err := f.store.SetAssignee(f.ctx, "a", "c", "u#1"); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantCode(t, call(), inbox.EInvalid)
		})
	}
}

func TestOnCapacity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var mu sync.Mutex
	read, write := map[string]float64{}, map[string]float64{}
	f.store.OnCapacity(func(op string, r, w float64) {
		mu.Lock()
		defer mu.Unlock()
		read[op] += r
		write[op] += w
	})
	c := f.conversation("acctA", "ib1", base)
	f.append(c, newMessage(inbox.DirectionIn, "hi", base, inbox.MessageReceived), "SM1")
	_, err := f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	_, _, err = f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{})
	must(t, err)

	mu.Lock()
	defer mu.Unlock()
	for _, op := range []string{"FindOrOpenConversation/PutItem", "AppendMessage/PutItem", "AppendMessage/UpdateItem"} {
		if write[op] <= 0 || read[op] != 0 {
			t.Errorf("%s: read %v write %v", op, read[op], write[op])
		}
	}
	for _, op := range []string{"FindOrOpenConversation/GetItem", "GetConversation/GetItem", "ListConversations/Query"} {
		if read[op] <= 0 || write[op] != 0 {
			t.Errorf("%s: read %v write %v", op, read[op], write[op])
		}
	}
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	client := dynamodb.NewFromConfig(testenv.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String("http://127.0.0.1:1")
		o.RetryMaxAttempts = 1
	})
	s := New(client, "nope", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.GetConversation(ctx, "a", "c")
	wantCode(t, err, inbox.EUnavailable)
	_, err = s.AppendMessage(ctx, newConversation("a", "ib", "ch", "ct", base), newMessage(inbox.DirectionIn, "x", base, inbox.MessageReceived), "SM")
	wantCode(t, err, inbox.EUnavailable)
	wantCode(t, s.CreateInbox(ctx, inbox.Inbox{AccountID: "a", ID: "i"}), inbox.EUnavailable)
}

func TestMissingTableIsInternal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := New(f.client, "no-such-table", nil)
	_, err := s.GetConversation(f.ctx, "a", "c")
	wantCode(t, err, inbox.EInternal)
}

// TestTransactionUnits checks that transactions are reported in the units AWS documents (2 per
// item write and per index write), not in DynamoDB Local's over-reported ones (see DESIGN's
// cost budget: one plain put 4, one put with an index 8, a put and an update moving three
// indexes' sort keys 32 on DynamoDB Local).
func TestTransactionUnits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var got float64
	f.store.OnCapacity(func(op string, r, w float64) { got = w })
	put := func(pk string, attrs ...string) types.TransactWriteItem {
		it := map[string]types.AttributeValue{attrPK: str(pk), attrSK: str("x")}
		for i := 0; i+1 < len(attrs); i += 2 {
			it[attrs[i]] = str(attrs[i+1])
		}
		return types.TransactWriteItem{Put: &types.Put{Item: it}}
	}
	move := types.TransactWriteItem{Update: &types.Update{Key: key("indexed", "x"),
		UpdateExpression:          aws.String("SET gsi1sk = :v, lsk = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": str("2")}}}
	for _, tc := range []struct {
		name  string
		items []types.TransactWriteItem
		want  float64
	}{
		{"one plain put", []types.TransactWriteItem{put("a")}, 2},
		{"two plain puts", []types.TransactWriteItem{put("b"), put("c")}, 4},
		{"a put in one index", []types.TransactWriteItem{put("d", "gsi1pk", "g", "gsi1sk", "1")}, 4},
		{"a put in three indexes", []types.TransactWriteItem{put("indexed", "gsi1pk", "g", "gsi1sk", "1", "gsi2pk", "g", "gsi3pk", "g", "lsk", "1")}, 8},
		{"a plain put and an update moving three sort keys", []types.TransactWriteItem{put("e"), move}, 2 + 2 + 3*4},
		{"a 1.5 KB put", []types.TransactWriteItem{put("f", "body", strings.Repeat("x", 1500))}, 4},
	} {
		must(t, f.store.transact(f.ctx, "test", tc.items))
		if got != tc.want {
			t.Errorf("%s: %v WCU, want %v", tc.name, got, tc.want)
		}
	}
}

// Ids past DynamoDB's key size limits (2,048 bytes of partition key, 1,024 of sort key) are
// the caller's bad input, never a storage fault: EInvalid (400), not EInternal (500).
func TestIDsPastKeyLimitsAreInvalid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	long := strings.Repeat("x", 3000)
	ops := map[string]func() error{
		"GetConversation": func() error { _, err := f.store.GetConversation(f.ctx, "acctA", long); return err },
		"GetChannel":      func() error { _, err := f.store.GetChannel(f.ctx, "acctA", long); return err },
		"GetContact":      func() error { _, err := f.store.GetContact(f.ctx, "acctA", long); return err },
		"GetInbox":        func() error { _, err := f.store.GetInbox(f.ctx, long, "ib1"); return err },
		"SetStatus": func() error {
			_, err := f.store.SetStatus(f.ctx, "acctA", long, inbox.StatusClosed)
			return err
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wantCode(t, op(), inbox.EInvalid)
		})
	}
}
