package router_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/router"
)

// BenchmarkFormSubmissionCapacity measures the DynamoDB capacity of one web form submission
// through the router, in AWS units (shared/dynamo/capacity.go): a new contact, a known contact's
// new submission (each submission is a conversation of its own), a redelivery, and a known
// contact's submission to a form that acknowledges it (the acknowledgement's message write).
func BenchmarkFormSubmissionCapacity(b *testing.B) {
	for _, mode := range []string{"new-contact", "known-contact", "duplicate", "acknowledged"} {
		b.Run(mode, func(b *testing.B) {
			f := newFixture(b)
			f.cacheChannels() // as the router function runs
			out := &jobs{}
			if mode == "acknowledged" {
				f.router = router.New(router.Config{Store: f.store, Outbound: out, ChannelCacheTTL: time.Minute, Now: func() time.Time { return now }})
			}
			ch := formChannel(b, f, mode == "acknowledged")
			submission := func(id, email string, at time.Time) inbox.Envelope { return formSubmission(ch, id, email, at) }
			var mu sync.Mutex
			var rcu, wcu float64
			f.store.OnCapacity(func(_ string, r, w float64) {
				mu.Lock()
				rcu, wcu = rcu+r, wcu+w
				mu.Unlock()
			})
			first := submission("form-first", "zoe@customer.example", base)
			must(b, f.router.Handle(f.ctx, first))
			mu.Lock()
			rcu, wcu = 0, 0
			mu.Unlock()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				at := base.Add(time.Duration(i+1) * time.Millisecond)
				env := first
				switch mode {
				case "new-contact":
					env = submission(fmt.Sprintf("form-n-%d", i), fmt.Sprintf("c%d@customer.example", i), at)
				case "known-contact", "acknowledged":
					env = submission(fmt.Sprintf("form-k-%d", i), "zoe@customer.example", at)
				}
				must(b, f.router.Handle(f.ctx, env))
			}
			b.StopTimer()
			b.ReportMetric(rcu/float64(b.N), "RCU/msg")
			b.ReportMetric(wcu/float64(b.N), "WCU/msg")
		})
	}
}

// jobs records the outbound jobs the router queues; failing makes the next Publish fail.
type jobs struct {
	mu      sync.Mutex
	bodies  []string
	failing bool
}

func (j *jobs) Publish(_ context.Context, _, _ string, body []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.failing {
		j.failing = false
		return inbox.Errorf(inbox.EUnavailable, "queue down")
	}
	j.bodies = append(j.bodies, string(body))
	return nil
}

// formChannel is a form whose submissions are acknowledged by email when ack is true.
func formChannel(b testing.TB, f *fixture, ack bool) inbox.Channel {
	ch := inbox.Channel{AccountID: acct, ID: "form1", InboxID: f.inbox.ID, Type: inbox.ChannelForm, Name: "Contact us",
		ProviderKey: "form1", Settings: map[string]string{"fields": `[{"name":"email","type":"email","label":"Email","required":true}]`, "emailField": "email"},
		CreatedAt: base}
	if ack {
		ch.Settings["ackSubject"], ch.Settings["ackText"] = "We got it", "Thanks, we answer within a day."
	}
	must(b, f.store.CreateChannel(f.ctx, ch))
	return ch
}

func formSubmission(ch inbox.Channel, id, email string, at time.Time) inbox.Envelope {
	return inbox.Envelope{V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: acct, ChannelID: ch.ID, ChannelType: ch.Type,
		ProviderMessageID: id, Thread: id, From: inbox.Sender{Email: email, Name: "Zoe"}, Subject: ch.Name,
		Text: "Email: " + email + "\nMessage: hello", Payload: `{"answers":{"email":"` + email + `"}}`, ReceivedAt: at}
}

// TestFormAcknowledgement checks a form's acknowledgement: an outbound message stored after the
// submission and queued for dispatch; when queueing fails the delivery fails, and the
// redelivery (a duplicate of the stored submission) queues it without storing it twice; a form
// without one queues nothing.
func TestFormAcknowledgement(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out := &jobs{failing: true}
	f.router = router.New(router.Config{Store: f.store, Outbound: out, Now: func() time.Time { return now }})
	ch := formChannel(t, f, true)
	env := formSubmission(ch, "form-1", "zoe@customer.example", base)
	if err := f.router.Handle(f.ctx, env); err == nil {
		t.Fatal("a failed queueing of the acknowledgement did not fail the delivery")
	}
	must(t, f.router.Handle(f.ctx, env)) // the queue's redelivery
	must(t, f.router.Handle(f.ctx, env)) // and a later duplicate
	convs, _, err := f.store.ListConversations(f.ctx, acct, inbox.ConversationFilter{Limit: 10})
	must(t, err)
	if len(convs) != 1 {
		t.Fatalf("%d conversations", len(convs))
	}
	msgs, err := f.store.ListMessages(f.ctx, acct, convs[0].ID)
	must(t, err)
	if len(msgs) != 2 || msgs[1].Direction != inbox.DirectionOut || msgs[1].Subject != "We got it" || msgs[1].Status != inbox.MessagePending ||
		msgs[1].Text != "Thanks, we answer within a day." || !msgs[1].CreatedAt.After(msgs[0].CreatedAt) {
		t.Fatalf("messages %+v", msgs)
	}
	want := `{"v":1,"accountId":"` + acct + `","conversationId":"` + convs[0].ID + `","messageId":"` + msgs[1].ID + `"}`
	if len(out.bodies) != 2 || out.bodies[0] != want || out.bodies[1] != want {
		t.Fatalf("queued %v, want the same job twice (dispatch sends once): %s", out.bodies, want)
	}

	g := newFixture(t)
	quiet := &jobs{}
	g.router = router.New(router.Config{Store: g.store, Outbound: quiet, Now: func() time.Time { return now }})
	must(t, g.router.Handle(g.ctx, formSubmission(formChannel(t, g, false), "form-2", "ann@customer.example", base)))
	if len(quiet.bodies) != 0 {
		t.Fatalf("a form without an acknowledgement queued %v", quiet.bodies)
	}
}
