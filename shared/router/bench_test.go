package router_test

import (
	"context"
	"fmt"
	"strings"
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
// conversation, routing included. The ids have production's lengths (router_test.go), every
// message is longer than a preview, and the existing conversation is named, assigned and read by
// three agents (f.realistic): a conversation item as large as a real one.
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
			first := f.message("SMfirst", phoneA, longText, base)
			if strings.HasPrefix(mode, "existing-") {
				f.realistic(b, "SMfirst", phoneA, base)
			} else if err := f.router.Handle(f.ctx, first); err != nil {
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
					env = f.message(fmt.Sprintf("SMn%030d", i), fmt.Sprintf("+1555%07d", i), longText, base.Add(time.Duration(i)*time.Millisecond))
				case "existing-conversation":
					env = f.message(fmt.Sprintf("SMe%030d", i), phoneA, longText, base.Add(time.Duration(i+1)*time.Millisecond))
				case "existing-conversation-next-minute":
					env = f.message(fmt.Sprintf("SMm%030d", i), phoneA, longText, base.Add(time.Duration(i+1)*time.Minute))
				case "existing-conversation-next-quarter-hour":
					env = f.message(fmt.Sprintf("SMq%030d", i), phoneA, longText, base.Add(time.Duration(i+1)*15*time.Minute))
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

// agentID is the id of the fixture's agent i: a Cognito sub, as production's user ids are.
func agentID(i int) string { return fmt.Sprintf("9b2e4f6a-8c3f-4c9a-9e8b-2d4e6fa7c%03d", i) }

// longText is a message as contacts write them, longer than the 140 characters a preview keeps
// (inbox.Message.Preview), so that the conversation item is as large as a real one's.
const longText = "Hi, I ordered the blue running shoes last Tuesday (order 48213) and the tracking page " +
	"still says label created. Could you check whether they have shipped? Thanks!"

// contactName is a contact's name of realistic length, as WhatsApp's profile names and the
// agents' edits give them.
const contactName = "Maria Fernanda Oliveira"

// realistic makes the conversation of the contact with phone as large as a real one of an
// assigned conversation: named (the first message of a new contact carries the name), assigned
// to an agent and read by three (f.readByThree).
func (f *fixture) realistic(t testing.TB, sid, phone string, at time.Time) {
	t.Helper()
	env := f.message(sid, phone, longText, at)
	env.From.Name = contactName
	if err := f.router.Handle(f.ctx, env); err != nil {
		t.Fatal(err)
	}
	convID, _, err := f.store.ProviderMessage(f.ctx, acct, f.ch.ID, sid)
	if err != nil {
		t.Fatal(err)
	}
	f.readByThree(t, convID, true)
}

// readByThree assigns conversation convID to an agent (when assign) and sets the read markers of
// three agents on it (each a map entry in the conversation item, about 70 bytes).
func (f *fixture) readByThree(t testing.TB, convID string, assign bool) {
	t.Helper()
	if assign {
		must(t, f.store.CreateUser(f.ctx, inbox.User{AccountID: acct, ID: agentID(900), Name: "Agent", Role: inbox.RoleAgent,
			PaidSeat: true, Available: true, TimeZone: "UTC", CreatedAt: base}))
		if _, err := f.store.SetAssignee(f.ctx, acct, convID, agentID(900)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 900; i < 903; i++ {
		if _, err := f.store.SetRead(f.ctx, acct, convID, agentID(i), true); err != nil {
			t.Fatal(err)
		}
	}
}

// autoAssign gives the fixture's channel rules that assign automatically among n available
// agents (agent0…) of capacity (nil: no limit), and a router (caching channels) with the
// assigner of shared/assign keeping the people it reads, as the router function's; it returns
// the assigner.
func (f *fixture) autoAssign(t testing.TB, n int, capacity *int) *assign.Assigner {
	var ids []string
	for i := range n {
		id := agentID(i)
		must(t, f.store.CreateUser(f.ctx, inbox.User{AccountID: acct, ID: id, Name: "Agent " + id, Role: inbox.RoleAgent,
			PaidSeat: true, Available: true, Capacity: capacity, TimeZone: "UTC", CreatedAt: base}))
		ids = append(ids, id)
	}
	must(t, f.store.SetRoutingRules(f.ctx, acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: ids, OnlyAvailable: true}))
	a := assign.New(assign.Config{Store: f.store, PeopleCacheTTL: assign.PeopleCacheTTL, Now: func() time.Time { return now }})
	f.router = router.New(router.Config{Store: f.store, Assigner: a, ChannelCacheTTL: time.Minute, Now: func() time.Time { return now }})
	return a
}

// sentBy is a dispatch.Sender that accepts every message, as a provider would, with a fresh
// provider id: the benchmark measures the store's part of a reply, not a provider.
type sentBy struct{ n int }

// Parts sends a reply's text and its file as two messages, as Messenger takes them.
func (s *sentBy) Parts(_ inbox.Channel, m inbox.Message) []inbox.Message {
	if m.Text == "" || len(m.Attachments) == 0 {
		return []inbox.Message{m}
	}
	text, file := m, m
	text.Attachments, file.Text = nil, ""
	return []inbox.Message{text, file}
}

func (s *sentBy) Send(context.Context, inbox.Channel, inbox.Conversation, inbox.Contact, inbox.Message) (string, error) {
	s.n++
	return fmt.Sprintf("SMreply%029d", s.n), nil
}

// BenchmarkReplyCapacity measures the DynamoDB capacity of an agent's reply, in AWS units, one
// status step per sub-benchmark: "api", what POST /v1/conversations/{id}/messages does in the
// store (read the conversation, write the pending reply and the conversation's last-message
// fields, a moment after its last message); "api-next-quarter-hour", the same a quarter hour
// after it (which moved the conversation up in its three lists, 6 WCU more, until the lists
// were ordered by the contact's messages only); "sending", the
// dispatcher's reads and its claim (pending → sending); "part", its record of a text's id
// before it sends the text's file (a reply of a text and a file sent as two provider messages,
// as on Messenger); "sent", its record of the provider's
// acceptance with the provider's id; "delivered" and "read", the provider's status callbacks
// through the router. Each runs the whole reply and counts its own step.
// Report: RCU/step and WCU/step.
func BenchmarkReplyCapacity(b *testing.B) {
	for _, step := range []string{"api", "api-next-quarter-hour", "sending", "part", "sent", "delivered", "read"} {
		b.Run(step, func(b *testing.B) {
			r := newReplies(b)
			gap := time.Millisecond
			if strings.HasSuffix(step, "-next-quarter-hour") {
				gap = 15 * time.Minute
			}
			var rcu, wcu float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var files []inbox.Attachment
				if step == "part" {
					files = append(files, mapFile)
				}
				cu := r.reply(b, now.Add(time.Duration(i+1)*gap), files...)[strings.TrimSuffix(step, "-next-quarter-hour")]
				rcu, wcu = rcu+cu.read, wcu+cu.write
			}
			b.StopTimer()
			b.ReportMetric(rcu/float64(b.N), "RCU/step")
			b.ReportMetric(wcu/float64(b.N), "WCU/step")
		})
	}
}

// replies sends agents' replies in one conversation, through the store as the API writes them,
// the dispatcher and the router's status callbacks, counting each step's capacity.
type replies struct {
	f       *fixture
	d       *dispatch.Dispatcher
	sender  *sentBy
	convID  string
	current string
	steps   map[string]units
}

// units are the capacity units of a step, in AWS's accounting.
type units struct{ read, write float64 }

// newReplies opens a conversation with an inbound message and sends a first reply, which moves
// the conversation to the quarter hour of now: the replies that follow a moment later do not.
func newReplies(t testing.TB) *replies {
	f := newFixture(t)
	f.cacheChannels()
	r := &replies{f: f, sender: &sentBy{}}
	f.store.OnCapacity(func(op string, read, write float64) {
		st := r.current
		if st == "send" {
			// The dispatcher's reads and claim are the step to sending; its record of the
			// provider's id and acceptance the step to sent.
			st = "sending"
			switch {
			case strings.HasPrefix(op, "UpdateDelivery/"):
				st = "sent"
			case strings.HasPrefix(op, "RecordPart/"):
				// The record of a text's id before its file is sent.
				st = "part"
			}
		}
		if r.steps != nil && st != "" {
			r.steps[st] = units{r.steps[st].read + read, r.steps[st].write + write}
		}
	})
	f.realistic(t, "SMfirst", phoneA, base)
	convID, _, err := f.store.ProviderMessage(f.ctx, acct, f.ch.ID, "SMfirst")
	if err != nil {
		t.Fatal(err)
	}
	r.convID = convID
	r.d = dispatch.New(dispatch.Config{Store: f.store, Senders: map[inbox.ChannelType]dispatch.Sender{inbox.ChannelSMS: r.sender}, MaxAttempts: 4, Now: func() time.Time { return now }})
	r.reply(t, now)
	return r
}

// reply sends one reply created at, delivered and read, and returns the capacity of each step
// ("api", "sending", "part" when it has files, "sent", "delivered", "read").
func (r *replies) reply(t testing.TB, at time.Time, files ...inbox.Attachment) map[string]units {
	f := r.f
	r.steps = map[string]units{}
	defer func() { r.current = "" }()
	r.current = "api"
	conv, err := f.store.GetConversation(f.ctx, acct, r.convID)
	if err != nil {
		t.Fatal(err)
	}
	m := inbox.Message{AccountID: acct, ConversationID: conv.ID, ID: inbox.MessageID(at, inbox.NewID()),
		Direction: inbox.DirectionOut, Text: replyText, CreatedAt: at, UpdatedAt: at,
		Status: inbox.MessagePending, AuthorID: "ada", Attachments: files}
	if _, err := f.store.AppendMessage(f.ctx, conv, m, ""); err != nil {
		t.Fatal(err)
	}
	r.current = "send"
	if err := r.d.Handle(f.ctx, inbox.OutboundJob{V: 1, AccountID: acct, ConversationID: conv.ID, MessageID: m.ID}, 1); err != nil {
		t.Fatal(err)
	}
	sid := fmt.Sprintf("SMreply%029d", r.sender.n)
	for _, st := range []inbox.MessageStatus{inbox.MessageDelivered, inbox.MessageRead} {
		r.current = string(st)
		env := inbox.Envelope{V: inbox.EnvelopeVersion, Kind: inbox.KindStatus, AccountID: acct, ChannelID: f.ch.ID,
			ChannelType: f.ch.Type, ProviderMessageID: sid, From: inbox.Sender{Phone: phoneA}, Status: &inbox.StatusUpdate{Status: st}, ReceivedAt: now}
		if err := f.router.Handle(f.ctx, env); err != nil {
			t.Fatal(err)
		}
	}
	r.current = ""
	if got, err := f.store.GetMessage(f.ctx, acct, conv.ID, m.ID); err != nil || got.Status != inbox.MessageRead || got.ProviderID != sid {
		t.Fatalf("reply ended %s (provider id %q), %v; want read, %s", got.Status, got.ProviderID, err, sid)
	}
	return r.steps
}

// mapFile is a reply's file.
var mapFile = inbox.Attachment{Type: inbox.AttachImage, URL: "https://files.example.test/media/files/acct1/map.png", Name: "map.png", ContentType: "image/png"}

// replyText is an agent's reply of realistic length (over the 140 characters of a preview).
const replyText = "Hi Maria, thanks for your patience. Your order 48213 left our warehouse this morning; " +
	"the carrier updates tracking by tonight. Delivery is expected on Friday."

// contactOf returns the id of the contact with phone.
func contactOf(b *testing.B, f *fixture, phone string) string {
	c, _, err := f.store.UpsertContactByPhone(f.ctx, inbox.Contact{AccountID: acct, ID: inbox.NewID(), Phone: phone, CreatedAt: now})
	if err != nil {
		b.Fatal(err)
	}
	return c.ID
}

// TestReplyStepsWithinBudget checks issue #10's budget of an agent's reply on DynamoDB Local: at
// most 4 WCU for each status step — the API's write, the dispatcher's claim (sending) and its
// record of the provider's acceptance (sent), each status callback — where a transaction of the
// message and its provider marker made the sent step 4 WCU and a read before every status
// update made each callback 2 RCU. The figures are exact (units, not time): a change that adds
// a write shows here. The conversation is named, assigned and read by three agents, the reply
// longer than a preview (f.realistic): the API's write was 1 + 3 while such an item was over
// 1 KB.
func TestReplyStepsWithinBudget(t *testing.T) {
	t.Parallel()
	r := newReplies(t)
	want := map[string]units{"api": {1, 2}, "sending": {4, 1}, "sent": {0, 2}, "delivered": {1, 1}, "read": {1, 1}}
	// A moment after the conversation's last message, then a quarter hour later: a reply never
	// moves the conversation in its lists (they follow the contact's messages), at any time.
	for _, at := range []time.Duration{time.Second, 20 * time.Minute} {
		got := r.reply(t, now.Add(at))
		for step, w := range want {
			if g := got[step]; g != w {
				t.Errorf("%s after %v: %v RCU + %v WCU, want %v + %v", step, at, g.read, g.write, w.read, w.write)
			}
		}
	}
	// A text with a file sent as two provider messages: the text's id is recorded (1 WCU) before
	// the file is sent, so that a retry does not send the text again, and its provider marker
	// (1 WCU), so that the text's status callbacks find the reply instead of being retried and
	// dropped.
	got := r.reply(t, now.Add(time.Hour), mapFile)
	want["part"] = units{0, 2}
	for step, w := range want {
		if g := got[step]; g != w {
			t.Errorf("text and file, %s: %v RCU + %v WCU, want %v + %v", step, g.read, g.write, w.read, w.write)
		}
	}
}
