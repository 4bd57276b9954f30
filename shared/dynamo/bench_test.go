package dynamo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
)

// BenchmarkListCapacity measures the read capacity of one page (25) of the API's conversation
// lists on DynamoDB Local, over 100 open conversations each with a message: an inbox's
// ("inbox"), the unassigned ones ("unassigned"), and every open one ("all"). Report: RCU/page.
func BenchmarkListCapacity(b *testing.B) {
	client, table := testenv.DynamoDB(b)
	s := New(client, table, nil)
	ctx := context.Background()
	const acct = "acctA"
	for i := 0; i < 100; i++ {
		at := base.Add(time.Duration(i) * time.Minute)
		c := newConversation(acct, "ib1", "ch1", fmt.Sprintf("contact%03d", i), at)
		c.ContactName = "Ada Lovelace"
		if _, _, err := s.FindOrOpenConversation(ctx, c); err != nil {
			b.Fatal(err)
		}
		m := newMessage(inbox.DirectionIn, "Hello, my order #1234 has not arrived yet, can you check where it is?", at, inbox.MessageReceived)
		if _, err := s.AppendMessage(ctx, c, m, fmt.Sprintf("SM%032d", i)); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		f    inbox.ConversationFilter
	}{
		{"inbox", inbox.ConversationFilter{InboxID: "ib1"}},
		{"unassigned", inbox.ConversationFilter{Unassigned: true}},
		{"all", inbox.ConversationFilter{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var rcu float64
			s.OnCapacity(func(_ string, r, _ float64) { rcu += r })
			defer s.OnCapacity(nil)
			for i := 0; i < b.N; i++ {
				list, _, err := s.ListConversations(ctx, acct, bc.f)
				if err != nil || len(list) != defaultPageSize {
					b.Fatalf("%d conversations, %v", len(list), err)
				}
			}
			b.ReportMetric(rcu/float64(b.N), "RCU/page")
		})
	}
}
