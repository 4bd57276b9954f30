package router_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// BenchmarkFormSubmissionCapacity measures the DynamoDB capacity of one web form submission
// through the router, in AWS units (shared/dynamo/capacity.go): a new contact, a known contact's
// new submission (each submission is a conversation of its own), and a redelivery.
func BenchmarkFormSubmissionCapacity(b *testing.B) {
	for _, mode := range []string{"new-contact", "known-contact", "duplicate"} {
		b.Run(mode, func(b *testing.B) {
			f := newFixture(b)
			f.cacheChannels() // as the router function runs
			ch := inbox.Channel{AccountID: acct, ID: "form1", InboxID: f.inbox.ID, Type: inbox.ChannelForm, Name: "Contact us",
				ProviderKey: "form1", Settings: map[string]string{"fields": `[{"name":"email","type":"email","label":"Email","required":true}]`, "emailField": "email"},
				CreatedAt: base}
			must(b, f.store.CreateChannel(f.ctx, ch))
			submission := func(id, email string, at time.Time) inbox.Envelope {
				return inbox.Envelope{V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: acct, ChannelID: ch.ID, ChannelType: ch.Type,
					ProviderMessageID: id, Thread: id, From: inbox.Sender{Email: email, Name: "Zoe"}, Subject: ch.Name,
					Text: "Email: " + email + "\nMessage: hello", Payload: `{"answers":{"email":"` + email + `"}}`, ReceivedAt: at}
			}
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
				case "known-contact":
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
