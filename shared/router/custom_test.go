package router_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/inbox"
)

// customChannel stores a custom channel threading by identifier or by thread.
func (f *fixture) customChannel(t testing.TB, id, threading string) inbox.Channel {
	t.Helper()
	ch := inbox.Channel{
		AccountID: acct, ID: id, InboxID: f.inbox.ID, Type: inbox.ChannelCustom, Name: "Bridge", ProviderKey: id,
		Settings: map[string]string{custom.SettingWebhookURL: "https://bridge.example/hook", custom.SettingIdentifier: custom.IdentifierID,
			custom.SettingThreading: threading},
		Secrets: map[string]string{custom.SecretSigning: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, CreatedAt: base,
	}
	must(t, f.store.CreateChannel(f.ctx, ch))
	return ch
}

// customMessage is the envelope the custom intake queues for a message of person in thread.
func customMessage(ch inbox.Channel, id, person, thread, text string, at time.Time) inbox.Envelope {
	return inbox.Envelope{V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: ch.AccountID, ChannelID: ch.ID,
		ChannelType: ch.Type, ProviderMessageID: id, From: inbox.Sender{PSID: person, Name: "Zoe"}, Thread: thread,
		Text: text, ReceivedAt: at}
}

// TestCustomThreading checks both threading modes of custom channels: by identifier, one open
// conversation per person; by thread, one per thread id of the person; a repeated external id
// is stored once; the person's id is scoped to the channel.
func TestCustomThreading(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	byPerson := f.customChannel(t, "cust1", custom.ThreadByIdentifier)
	byThread := f.customChannel(t, "cust2", custom.ThreadByThread)
	steps := []inbox.Envelope{
		customMessage(byPerson, "p-1", "u-77", "", "one", base),
		customMessage(byPerson, "p-2", "u-77", "", "two", base.Add(time.Second)),
		customMessage(byPerson, "p-2", "u-77", "", "two again", base.Add(2*time.Second)),
		customMessage(byThread, "t-1", "u-77", "chat-1", "first thread", base.Add(3*time.Second)),
		customMessage(byThread, "t-2", "u-77", "chat-2", "second thread", base.Add(4*time.Second)),
		customMessage(byThread, "t-3", "u-77", "chat-1", "first thread again", base.Add(5*time.Second)),
	}
	for _, env := range steps {
		must(t, f.router.Handle(f.ctx, env))
	}
	convs, _, err := f.store.ListConversations(f.ctx, acct, inbox.ConversationFilter{Status: inbox.StatusOpen, Limit: 10})
	must(t, err)
	texts := map[string][]string{}
	threads := map[string]string{}
	contacts := map[string]bool{}
	for _, c := range convs {
		ms, err := f.store.ListMessages(f.ctx, acct, c.ID)
		must(t, err)
		for _, m := range ms {
			texts[c.ChannelID+"/"+inbox.ProviderThread(c)] = append(texts[c.ChannelID+"/"+inbox.ProviderThread(c)], m.Text)
		}
		threads[c.ID] = inbox.ProviderThread(c)
		contacts[c.ContactID] = true
	}
	want := map[string][]string{
		"cust1/":       {"one", "two"},
		"cust2/chat-1": {"first thread", "first thread again"},
		"cust2/chat-2": {"second thread"},
	}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Errorf("conversations %v, want %v", texts, want)
	}
	// The same id on two channels is two people: ids are scoped to their channel.
	if len(contacts) != 2 {
		t.Errorf("%d contacts, want 2 (u-77 of each channel)", len(contacts))
	}
}

// BenchmarkCustomInboundCapacity measures the DynamoDB capacity of one custom channel message
// through the router, in AWS units (shared/dynamo/capacity.go): a new person, a person's open
// conversation, a new thread of a known person and a known thread (threading by thread), and a
// redelivered message.
func BenchmarkCustomInboundCapacity(b *testing.B) {
	for _, mode := range []string{"new-conversation", "existing-conversation", "new-thread", "existing-thread", "duplicate"} {
		b.Run(mode, func(b *testing.B) {
			f := newFixture(b)
			f.cacheChannels()
			threading := custom.ThreadByIdentifier
			thread := ""
			if mode == "new-thread" || mode == "existing-thread" {
				threading, thread = custom.ThreadByThread, "chat-0"
			}
			ch := f.customChannel(b, "cust1", threading)
			var mu sync.Mutex
			var rcu, wcu float64
			f.store.OnCapacity(func(_ string, r, w float64) {
				mu.Lock()
				rcu, wcu = rcu+r, wcu+w
				mu.Unlock()
			})
			first := customMessage(ch, "first", "u-0", thread, "hello", base)
			must(b, f.router.Handle(f.ctx, first))
			mu.Lock()
			rcu, wcu = 0, 0
			mu.Unlock()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				at := base.Add(time.Duration(i+1) * time.Millisecond)
				env := first
				switch mode {
				case "new-conversation":
					env = customMessage(ch, fmt.Sprintf("n-%d", i), fmt.Sprintf("u-new-%d", i), "", "hello", at)
				case "existing-conversation", "existing-thread":
					env = customMessage(ch, fmt.Sprintf("e-%d", i), "u-0", thread, "again", at)
				case "new-thread":
					env = customMessage(ch, fmt.Sprintf("t-%d", i), "u-0", fmt.Sprintf("chat-%d", i+1), "new topic", at)
				}
				must(b, f.router.Handle(f.ctx, env))
			}
			b.StopTimer()
			b.ReportMetric(rcu/float64(b.N), "RCU/msg")
			b.ReportMetric(wcu/float64(b.N), "WCU/msg")
		})
	}
}
