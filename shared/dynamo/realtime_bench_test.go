package dynamo

import (
	"context"
	"sync"
	"testing"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/realtime"
)

// BenchmarkChatPushCapacity measures, on DynamoDB Local, the units the live channel spends per
// chat message, with one agent and the visitor connected: the realtime function publishing the
// stream batch of a stored message (its message and conversation events: two log puts, and the
// audience read once for both), and, for an agent's reply, also dispatch's presence check
// before it would mail the visitor (VisitorOnline) and the batch of the reply marked sent.
// Report: RCU/msg, WCU/msg (the router's and the API's own writes are measured elsewhere).
func BenchmarkChatPushCapacity(b *testing.B) {
	client, table := testenv.DynamoDB(b)
	s := New(client, table, nil)
	ctx := context.Background()
	var mu sync.Mutex
	var rcu, wcu float64
	s.OnCapacity(func(_ string, r, w float64) { mu.Lock(); rcu += r; wcu += w; mu.Unlock() })
	const acct, conv = "acctChat", "conv1"
	pusher := realtime.Pusher(nopPusher{})
	svc := &realtime.Service{Conns: s, Events: s, Pusher: pusher}
	for _, c := range []realtime.Connection{
		{ID: "agent=", Principal: realtime.Principal{Account: acct, UserID: "ann"}, ConnectedAt: base},
		{ID: "visitor=", Principal: realtime.Principal{Account: acct, Visitor: true, VisitorID: "v1", ConversationID: conv}, ConnectedAt: base},
	} {
		if err := s.PutConnection(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	stored := func() []realtime.Event { // a new message and its conversation's change, one batch
		return []realtime.Event{
			{Account: acct, Kind: realtime.KindMessage, ConversationID: conv, MessageID: "m1"},
			{Account: acct, Kind: realtime.KindConversation, ConversationID: conv},
		}
	}
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"visitor-message", func() error { return svc.Publish(ctx, stored()) }},
		{"agent-reply", func() error {
			if err := svc.Publish(ctx, stored()); err != nil {
				return err
			}
			if _, err := s.VisitorOnline(ctx, acct, conv); err != nil {
				return err
			}
			return svc.Publish(ctx, []realtime.Event{{Account: acct, Kind: realtime.KindMessage, ConversationID: conv, MessageID: "m1"}})
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			mu.Lock()
			rcu, wcu = 0, 0
			mu.Unlock()
			n := 0
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
				n++
			}
			mu.Lock()
			defer mu.Unlock()
			b.ReportMetric(rcu/float64(n), "RCU/msg")
			b.ReportMetric(wcu/float64(n), "WCU/msg")
		})
	}
}

type nopPusher struct{}

func (nopPusher) Push(context.Context, string, []byte) error { return nil }
