package router_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/dispatch"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/router"
)

// BenchmarkInboundCapacity measures the DynamoDB capacity units one inbound message costs the
// router, against DynamoDB Local with ReturnConsumedCapacity: a message that opens a new
// contact and conversation, one that joins an open conversation a millisecond after its last
// message, the same a minute after it ("-next-minute": the conversation moves up in the lists,
// whose order has a step of a quarter hour, with one message in 15), the same a quarter hour
// after it ("-next-quarter-hour": every message moves it, the most a message costs), and a
// duplicate (a redelivery). "new-conversation-routed" is "new-conversation" on a channel whose
// rules assign automatically among 5 agents (the assigner of shared/assign): the whole of a new
// conversation, routing included.
// Report: RCU/msg and WCU/msg.
func BenchmarkInboundCapacity(b *testing.B) {
	for _, mode := range []string{"new-conversation", "new-conversation-routed", "existing-conversation", "existing-conversation-next-minute", "existing-conversation-next-quarter-hour", "duplicate"} {
		b.Run(mode, func(b *testing.B) {
			f := newFixture(b)
			f.cacheChannels()
			if mode == "new-conversation-routed" {
				f.autoAssign(b, 5, nil)
			}
			var mu sync.Mutex
			var rcu, wcu float64
			ops := map[string]float64{}
			f.store.OnCapacity(func(op string, r, w float64) {
				mu.Lock()
				rcu, wcu = rcu+r, wcu+w
				ops[op] += r + w
				mu.Unlock()
			})
			first := f.message("SMfirst", phoneA, "hello", base)
			if err := f.router.Handle(f.ctx, first); err != nil {
				b.Fatal(err)
			}
			mu.Lock()
			rcu, wcu = 0, 0
			clear(ops)
			mu.Unlock()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				env := first
				switch mode {
				case "new-conversation", "new-conversation-routed":
					env = f.message(fmt.Sprintf("SMn%030d", i), fmt.Sprintf("+1555%07d", i), "hello", base.Add(time.Duration(i)*time.Millisecond))
				case "existing-conversation":
					env = f.message(fmt.Sprintf("SMe%030d", i), phoneA, "again", base.Add(time.Duration(i+1)*time.Millisecond))
				case "existing-conversation-next-minute":
					env = f.message(fmt.Sprintf("SMm%030d", i), phoneA, "later", base.Add(time.Duration(i+1)*time.Minute))
				case "existing-conversation-next-quarter-hour":
					env = f.message(fmt.Sprintf("SMq%030d", i), phoneA, "later", base.Add(time.Duration(i+1)*15*time.Minute))
				}
				if err := f.router.Handle(f.ctx, env); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(rcu/float64(b.N), "RCU/msg")
			b.ReportMetric(wcu/float64(b.N), "WCU/msg")
			if testing.Verbose() {
				for op, cu := range ops {
					b.Logf("%s: %.2f CU/msg", op, cu/float64(b.N))
				}
			}
		})
	}
}

// autoAssign gives the fixture's channel rules that assign automatically among n available
// agents (agent0…) of capacity (nil: no limit), and a router (caching channels) with the
// assigner of shared/assign; it returns the assigner.
func (f *fixture) autoAssign(t testing.TB, n int, capacity *int) *assign.Assigner {
	var ids []string
	for i := range n {
		id := fmt.Sprintf("agent%d", i)
		must(t, f.store.CreateUser(f.ctx, inbox.User{AccountID: acct, ID: id, Name: "Agent " + id, Role: inbox.RoleAgent,
			PaidSeat: true, Available: true, Capacity: capacity, TimeZone: "UTC", CreatedAt: base}))
		ids = append(ids, id)
	}
	must(t, f.store.SetRoutingRules(f.ctx, acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: ids, OnlyAvailable: true}))
	a := assign.New(assign.Config{Store: f.store, Now: func() time.Time { return now }})
	f.router = router.New(router.Config{Store: f.store, Assigner: a, ChannelCacheTTL: time.Minute, Now: func() time.Time { return now }})
	return a
}

// sentBy is a dispatch.Sender that accepts every message, as a provider would, with a fresh
// provider id: the benchmark measures the store's part of a reply, not a provider.
type sentBy struct{ n int }

func (s *sentBy) Send(context.Context, inbox.Channel, inbox.Conversation, inbox.Contact, inbox.Message) (string, error) {
	s.n++
	return fmt.Sprintf("SMreply%029d", s.n), nil
}

// BenchmarkReplyCapacity measures the DynamoDB capacity of an agent's reply, in AWS units, step
// by step: the API's write of the pending reply (the store call POST
// /v1/conversations/{id}/messages makes), the dispatcher's send (pending → sending → sent with the
// provider's id), and the provider's two status callbacks through the router (delivered, read).
// Report: RCU/… and WCU/… per step ("write", "send", "status" averaged over the two callbacks).
func BenchmarkReplyCapacity(b *testing.B) {
	f := newFixture(b)
	var rcu, wcu float64
	f.store.OnCapacity(func(op string, r, w float64) { rcu, wcu = rcu+r, wcu+w })
	if err := f.router.Handle(f.ctx, f.message("SMfirst", phoneA, "hello", base)); err != nil {
		b.Fatal(err)
	}
	conv, err := f.store.FindOpenConversation(f.ctx, acct, f.inbox.ID, contactOf(b, f, phoneA))
	if err != nil {
		b.Fatal(err)
	}
	sender := &sentBy{}
	d := dispatch.New(dispatch.Config{Store: f.store, Senders: map[inbox.ChannelType]dispatch.Sender{inbox.ChannelSMS: sender}, MaxAttempts: 4, Now: func() time.Time { return now }})
	steps := map[string][2]float64{}
	measure := func(step string, do func() error) {
		rcu, wcu = 0, 0
		if err := do(); err != nil {
			b.Fatal(err)
		}
		s := steps[step]
		steps[step] = [2]float64{s[0] + rcu, s[1] + wcu}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at := now.Add(time.Duration(i) * time.Millisecond)
		m := inbox.Message{AccountID: acct, ConversationID: conv.ID, ID: inbox.MessageID(at, inbox.NewID()),
			Direction: inbox.DirectionOut, Text: "Thanks, we are on it.", CreatedAt: at, UpdatedAt: at,
			Status: inbox.MessagePending, AuthorID: "ada"}
		measure("write", func() error { _, err := f.store.AppendMessage(f.ctx, conv, m, ""); return err })
		measure("send", func() error {
			return d.Handle(f.ctx, inbox.OutboundJob{V: 1, AccountID: acct, ConversationID: conv.ID, MessageID: m.ID}, 1)
		})
		sid := fmt.Sprintf("SMreply%029d", sender.n)
		for _, st := range []inbox.MessageStatus{inbox.MessageDelivered, inbox.MessageRead} {
			env := inbox.Envelope{V: inbox.EnvelopeVersion, Kind: inbox.KindStatus, AccountID: acct, ChannelID: f.ch.ID,
				ChannelType: f.ch.Type, ProviderMessageID: sid, From: inbox.Sender{Phone: phoneA}, Status: &inbox.StatusUpdate{Status: st}, ReceivedAt: now}
			measure("status", func() error { return f.router.Handle(f.ctx, env) })
		}
	}
	b.StopTimer()
	for _, step := range []string{"write", "send", "status"} {
		n := float64(b.N)
		if step == "status" {
			n *= 2
		}
		b.ReportMetric(steps[step][0]/n, "RCU/"+step)
		b.ReportMetric(steps[step][1]/n, "WCU/"+step)
	}
}

// contactOf returns the id of the contact with phone.
func contactOf(b *testing.B, f *fixture, phone string) string {
	c, _, err := f.store.UpsertContactByPhone(f.ctx, inbox.Contact{AccountID: acct, ID: inbox.NewID(), Phone: phone, CreatedAt: now})
	if err != nil {
		b.Fatal(err)
	}
	return c.ID
}
