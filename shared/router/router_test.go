package router_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/router"
	"github.com/openinbox/inbox/shared/secretbox"
	"github.com/openinbox/inbox/shared/twilio"
)

// The fixture's ids have the lengths production's have, so that the capacity the benchmarks and
// budget tests measure is what a deployment's items cost (DynamoDB bills writes per started KB):
// the account id a 36-character UUID (custom:account_id is whatever the administrator gives
// Cognito — the README's example is "acme" —, a generated one being a UUID), the inbox and channel
// ids 32 hex characters as inbox.NewID makes them, as the contact, conversation and user ids are
// (users are Cognito subs: agentID).
const (
	acct          = "3f1c9a5e-8b2d-4e6f-a7c1-9d0b2e4f6a8c"
	inboxID       = "5d41402abc4b2a76b9719d911017c592"
	channelID     = "7b8b965ad4bca0e41ab51de7b31363a1"
	channelNumber = "+15005550006"
	phoneA        = "+14155550100"
	phoneB        = "+14155550111"
)

// base is a fixed instant with whole microseconds, as the store keeps times.
var base = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

// now is the router's clock: later than every envelope's ReceivedAt.
var now = base.Add(time.Hour)

// fixture is a router over a store on a fresh DynamoDB Local table, with one inbox and one SMS
// channel.
type fixture struct {
	ctx    context.Context
	store  *dynamo.Store
	router *router.Router
	inbox  inbox.Inbox
	ch     inbox.Channel
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	client, table := testenv.DynamoDB(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ctx: context.Background(), store: dynamo.New(client, table, box)}
	f.inbox = inbox.Inbox{AccountID: acct, ID: inboxID, Name: "Support", CreatedAt: base}
	must(t, f.store.CreateInbox(f.ctx, f.inbox))
	f.ch = f.channel(t, acct, channelID, channelNumber)
	f.router = router.New(router.Config{Store: f.store, Now: func() time.Time { return now }})
	return f
}

// cacheChannels rebuilds the fixture's router keeping the channels it reads for a minute, as
// the router function runs.
func (f *fixture) cacheChannels() {
	f.router = router.New(router.Config{Store: f.store, ChannelCacheTTL: time.Minute, Now: func() time.Time { return now }})
}

func (f *fixture) channel(t testing.TB, account, id, number string) inbox.Channel {
	t.Helper()
	ch := inbox.Channel{
		AccountID: account, ID: id, InboxID: f.inbox.ID, Type: inbox.ChannelSMS, Name: "SMS " + number,
		ProviderKey: number, Twilio: &inbox.TwilioConfig{AccountSID: "AC" + strings.Repeat("0", 32), PhoneNumber: number},
		Secrets:   map[string]string{inbox.SecretTwilioAuthToken: "token-" + id},
		CreatedAt: base,
	}
	must(t, f.store.CreateChannel(f.ctx, ch))
	return ch
}

// message is the envelope the Twilio intake queues for an incoming SMS.
func (f *fixture) message(sid, phone, text string, at time.Time) inbox.Envelope {
	return inbox.Envelope{
		V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: f.ch.AccountID, ChannelID: f.ch.ID,
		ChannelType: f.ch.Type, ProviderMessageID: sid, From: inbox.Sender{Phone: phone},
		To: channelNumber, Text: text, ReceivedAt: at,
	}
}

// status is the envelope the Twilio intake queues for a documented status callback of outbound
// message sid sent to phone.
func (f *fixture) status(t *testing.T, sid, phone, twilioStatus, errorCode string) inbox.Envelope {
	t.Helper()
	form := url.Values{
		"AccountSid": {f.ch.Twilio.AccountSID}, "ApiVersion": {"2010-04-01"}, "From": {channelNumber},
		"MessageSid": {sid}, "MessageStatus": {twilioStatus}, "SmsSid": {sid}, "SmsStatus": {twilioStatus},
		"To": {phone},
	}
	if errorCode != "" {
		form.Set("ErrorCode", errorCode)
	}
	env, err := twilio.ParseStatus(form)
	if err != nil {
		t.Fatal(err)
	}
	env.AccountID, env.ChannelID, env.ChannelType, env.ReceivedAt = f.ch.AccountID, f.ch.ID, f.ch.Type, now
	return env
}

func (f *fixture) handle(t *testing.T, env inbox.Envelope) {
	t.Helper()
	if err := f.router.Handle(f.ctx, env); err != nil {
		t.Fatalf("Handle(%s %s) = %v", env.Kind, env.ProviderMessageID, err)
	}
}

// stored is a conversation with its messages.
type stored struct {
	conv     inbox.Conversation
	messages []inbox.Message
}

// all returns every conversation of the account, open and closed, with its messages.
func (f *fixture) all(t *testing.T) []stored {
	t.Helper()
	var out []stored
	for _, st := range []inbox.ConversationStatus{inbox.StatusOpen, inbox.StatusClosed} {
		list, next, err := f.store.ListConversations(f.ctx, acct, inbox.ConversationFilter{Status: st, Limit: 100})
		must(t, err)
		if next != "" {
			t.Fatal("more than 100 conversations")
		}
		for _, c := range list {
			msgs, err := f.store.ListMessages(f.ctx, acct, c.ID)
			must(t, err)
			out = append(out, stored{conv: c, messages: msgs})
		}
	}
	return out
}

// byProvider returns the conversation and message stored for provider message sid.
func (f *fixture) byProvider(t *testing.T, sid string) (inbox.Conversation, inbox.Message) {
	t.Helper()
	return f.byProviderOn(t, f.ch.ID, sid)
}

// byProviderOn is byProvider for a message of channel chID.
func (f *fixture) byProviderOn(t *testing.T, chID, sid string) (inbox.Conversation, inbox.Message) {
	t.Helper()
	convID, msgID, err := f.store.ProviderMessage(f.ctx, acct, chID, sid)
	must(t, err)
	conv, err := f.store.GetConversation(f.ctx, acct, convID)
	must(t, err)
	msg, err := f.store.GetMessage(f.ctx, acct, convID, msgID)
	must(t, err)
	return conv, msg
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code inbox.ErrorCode) {
	t.Helper()
	if got := inbox.ErrorCodeOf(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func TestNewContactOpensConversation(t *testing.T) {
	t.Parallel()
	jpeg := []inbox.Attachment{{URL: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", ContentType: "image/jpeg"}}
	tests := []struct {
		name        string
		env         func(f *fixture) inbox.Envelope
		wantPreview string
		wantName    string
		wantAt      time.Time
	}{
		{
			name:        "sms",
			env:         func(f *fixture) inbox.Envelope { return f.message("SM1", phoneA, "Hello, is the shop open?", base) },
			wantPreview: "Hello, is the shop open?",
			wantAt:      base,
		},
		{
			name: "multi-line text previews its first line",
			env: func(f *fixture) inbox.Envelope {
				return f.message("SM1", phoneA, "  First line\nsecond line", base)
			},
			wantPreview: "First line",
			wantAt:      base,
		},
		{
			name: "mms without text previews the attachment type",
			env: func(f *fixture) inbox.Envelope {
				env := f.message("MM1", phoneA, "", base)
				env.Attachments = jpeg
				return env
			},
			wantPreview: "[image/jpeg]",
			wantAt:      base,
		},
		{
			name: "profile name becomes the contact's name",
			env: func(f *fixture) inbox.Envelope {
				env := f.message("SM1", phoneA, "hi", base)
				env.From.Name = "Ada Lovelace"
				return env
			},
			wantPreview: "hi",
			wantName:    "Ada Lovelace",
			wantAt:      base,
		},
		{
			name: "no received time takes the router's clock",
			env: func(f *fixture) inbox.Envelope {
				return f.message("SM1", phoneA, "hi", time.Time{})
			},
			wantPreview: "hi",
			wantAt:      now,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			env := tt.env(f)
			f.handle(t, env)

			all := f.all(t)
			if len(all) != 1 || len(all[0].messages) != 1 {
				t.Fatalf("stored %+v, want one conversation with one message", all)
			}
			c, m := all[0].conv, all[0].messages[0]
			if c.Status != inbox.StatusOpen || c.AssigneeID != "" || c.Preview != tt.wantPreview ||
				c.ContactPhone != env.From.Phone || c.ContactName != tt.wantName || c.ContactID == "" ||
				c.InboxID != f.inbox.ID || c.ChannelID != f.ch.ID || c.ChannelType != inbox.ChannelSMS ||
				!c.LastMessageAt.Equal(tt.wantAt) || !c.CreatedAt.Equal(now) {
				t.Errorf("conversation = %+v", c)
			}
			if m.Direction != inbox.DirectionIn || m.Status != inbox.MessageReceived || m.Text != env.Text ||
				m.ProviderID != env.ProviderMessageID || !m.CreatedAt.Equal(tt.wantAt) ||
				!slices.Equal(m.Attachments, env.Attachments) || m.ConversationID != c.ID {
				t.Errorf("message = %+v", m)
			}
			if !strings.HasPrefix(m.ID, tt.wantAt.UTC().Format("20060102T150405.000000Z")+"-") {
				t.Errorf("message id %q does not sort by its received time %v", m.ID, tt.wantAt)
			}
			gotConv, gotMsg := f.byProvider(t, env.ProviderMessageID)
			if gotConv.ID != c.ID || gotMsg.ID != m.ID {
				t.Errorf("ProviderMessage = %s/%s, want %s/%s", gotConv.ID, gotMsg.ID, c.ID, m.ID)
			}
			// The conversation is listed as unassigned in its inbox.
			list, _, err := f.store.ListConversations(f.ctx, acct, inbox.ConversationFilter{InboxID: f.inbox.ID, Unassigned: true})
			must(t, err)
			if len(list) != 1 || list[0].ID != c.ID {
				t.Errorf("unassigned conversations of the inbox = %+v", list)
			}
		})
	}
}

func TestConversationThreading(t *testing.T) {
	t.Parallel()
	// step handles an incoming message, or closes the open conversation of phone.
	type step struct {
		sid, phone, text string
		close            bool
		// later delays the message past the reopen window.
		later bool
	}
	type want struct {
		phone  string
		status inbox.ConversationStatus
		texts  []string
	}
	tests := []struct {
		name  string
		steps []step
		want  []want
	}{
		{
			name:  "second message from the same phone joins the conversation",
			steps: []step{{sid: "SM1", phone: phoneA, text: "one"}, {sid: "SM2", phone: phoneA, text: "two"}},
			want:  []want{{phoneA, inbox.StatusOpen, []string{"one", "two"}}},
		},
		{
			name:  "a different phone opens another conversation",
			steps: []step{{sid: "SM1", phone: phoneA, text: "one"}, {sid: "SM2", phone: phoneB, text: "two"}},
			want: []want{
				{phoneA, inbox.StatusOpen, []string{"one"}},
				{phoneB, inbox.StatusOpen, []string{"two"}},
			},
		},
		{
			name: "a message within the reopen window reopens the closed conversation",
			steps: []step{
				{sid: "SM1", phone: phoneA, text: "one"}, {sid: "SM2", phone: phoneA, text: "two"},
				{phone: phoneA, close: true},
				{sid: "SM3", phone: phoneA, text: "three"}, {sid: "SM4", phone: phoneA, text: "four"},
			},
			want: []want{
				{phoneA, inbox.StatusOpen, []string{"one", "two", "three", "four"}},
			},
		},
		{
			name: "after the reopen window a new message opens a new conversation",
			steps: []step{
				{sid: "SM1", phone: phoneA, text: "one"}, {sid: "SM2", phone: phoneA, text: "two"},
				{phone: phoneA, close: true},
				{sid: "SM3", phone: phoneA, text: "three", later: true}, {sid: "SM4", phone: phoneA, text: "four", later: true},
			},
			want: []want{
				{phoneA, inbox.StatusOpen, []string{"three", "four"}},
				{phoneA, inbox.StatusClosed, []string{"one", "two"}},
			},
		},
		{
			name: "closing one contact's conversation leaves the other's open",
			steps: []step{
				{sid: "SM1", phone: phoneA, text: "a1"}, {sid: "SM2", phone: phoneB, text: "b1"},
				{phone: phoneA, close: true},
				{sid: "SM3", phone: phoneB, text: "b2"},
			},
			want: []want{
				{phoneB, inbox.StatusOpen, []string{"b1", "b2"}},
				{phoneA, inbox.StatusClosed, []string{"a1"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			last := map[string]string{} // phone → last sid
			for i, s := range tt.steps {
				if s.close {
					conv, _ := f.byProvider(t, last[s.phone])
					_, err := f.store.SetStatus(f.ctx, acct, conv.ID, inbox.StatusClosed)
					must(t, err)
					continue
				}
				at := base.Add(time.Duration(i) * time.Minute)
				if s.later {
					at = at.Add(router.ReopenWindow + time.Second)
				}
				f.handle(t, f.message(s.sid, s.phone, s.text, at))
				last[s.phone] = s.sid
			}

			var got []want
			for _, s := range f.all(t) {
				w := want{phone: s.conv.ContactPhone, status: s.conv.Status}
				for _, m := range s.messages {
					w.texts = append(w.texts, m.Text)
				}
				got = append(got, w)
				if p := s.messages[len(s.messages)-1].Preview(); s.conv.Preview != p {
					t.Errorf("conversation %s preview %q, want its last message's %q", s.conv.ID, s.conv.Preview, p)
				}
			}
			sortWants := func(ws []want) {
				slices.SortFunc(ws, func(a, b want) int {
					return strings.Compare(string(a.status)+a.phone+a.texts[0], string(b.status)+b.phone+b.texts[0])
				})
			}
			sortWants(got)
			wantSorted := slices.Clone(tt.want)
			sortWants(wantSorted)
			if !slices.EqualFunc(got, wantSorted, func(a, b want) bool {
				return a.phone == b.phone && a.status == b.status && slices.Equal(a.texts, b.texts)
			}) {
				t.Errorf("conversations = %+v, want %+v", got, wantSorted)
			}

			// One contact per phone, whatever the number of conversations.
			contacts := map[string]string{}
			for _, s := range f.all(t) {
				if id, ok := contacts[s.conv.ContactPhone]; ok && id != s.conv.ContactID {
					t.Errorf("phone %s has contacts %s and %s", s.conv.ContactPhone, id, s.conv.ContactID)
				}
				contacts[s.conv.ContactPhone] = s.conv.ContactID
			}
		})
	}
}

func TestEnvelopeHandledOnce(t *testing.T) {
	t.Parallel()
	const n = 5
	tests := []struct {
		name       string
		concurrent bool
		// restamp gives each delivery another ReceivedAt, as when Twilio retries a webhook after
		// the FIFO deduplication window and the intake queues a new envelope.
		restamp bool
		// body delivers the JSON body through HandleBody.
		body bool
		// twoMessages sends a second, different message of the same new contact along.
		twoMessages bool
	}{
		{name: "sequential"},
		{name: "concurrent", concurrent: true},
		{name: "sequential restamped", restamp: true},
		{name: "concurrent restamped", concurrent: true, restamp: true},
		{name: "concurrent bodies", concurrent: true, body: true},
		{name: "concurrent with another message of the new contact", concurrent: true, twoMessages: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var envs []inbox.Envelope
			for i := range n {
				at := base
				if tt.restamp {
					at = base.Add(time.Duration(i) * time.Second)
				}
				envs = append(envs, f.message("SM1", phoneA, "only once", at))
				if tt.twoMessages {
					envs = append(envs, f.message("SM2", phoneA, "also once", base.Add(time.Second)))
				}
			}
			handle := func(env inbox.Envelope) error {
				if tt.body {
					b, err := json.Marshal(env)
					if err != nil {
						return err
					}
					return f.router.HandleBody(f.ctx, b)
				}
				return f.router.Handle(f.ctx, env)
			}
			errs := make([]error, len(envs))
			if tt.concurrent {
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i, env := range envs {
					wg.Go(func() {
						<-start
						errs[i] = handle(env)
					})
				}
				close(start)
				wg.Wait()
			} else {
				for i, env := range envs {
					errs[i] = handle(env)
				}
			}
			for i, err := range errs {
				if err != nil {
					t.Errorf("delivery %d: %v", i, err)
				}
			}

			wantTexts := []string{"only once"}
			if tt.twoMessages {
				wantTexts = []string{"also once", "only once"}
			}
			all := f.all(t)
			if len(all) != 1 {
				t.Fatalf("%d conversations, want 1: %+v", len(all), all)
			}
			var texts []string
			for _, m := range all[0].messages {
				texts = append(texts, m.Text)
			}
			slices.Sort(texts)
			if !slices.Equal(texts, wantTexts) {
				t.Errorf("stored messages %q, want %q", texts, wantTexts)
			}
			conv, msg := f.byProvider(t, "SM1")
			if conv.ID != all[0].conv.ID || msg.Text != "only once" {
				t.Errorf("ProviderMessage(SM1) = %s %+v", conv.ID, msg)
			}
		})
	}
}

func TestStatusUpdatesOutboundMessage(t *testing.T) {
	t.Parallel()
	type callback struct{ status, errorCode string }
	tests := []struct {
		name      string
		callbacks []callback
		want      inbox.MessageStatus
		wantError *inbox.ProviderError
	}{
		{name: "delivered", callbacks: []callback{{status: "delivered"}}, want: inbox.MessageDelivered},
		{name: "late sent does not downgrade delivered", callbacks: []callback{{status: "delivered"}, {status: "sent"}}, want: inbox.MessageDelivered},
		{name: "late queued does not downgrade sent", callbacks: []callback{{status: "queued"}}, want: inbox.MessageSent},
		{name: "sent, delivered, read", callbacks: []callback{{status: "sent"}, {status: "delivered"}, {status: "read"}}, want: inbox.MessageRead},
		{name: "read then late delivered", callbacks: []callback{{status: "read"}, {status: "delivered"}}, want: inbox.MessageRead},
		{name: "same callback twice", callbacks: []callback{{status: "delivered"}, {status: "delivered"}}, want: inbox.MessageDelivered},
		{
			name:      "undelivered with Twilio's error",
			callbacks: []callback{{status: "undelivered", errorCode: "30003"}, {status: "delivered"}},
			want:      inbox.MessageUndelivered,
			wantError: &inbox.ProviderError{Code: "30003", Message: "Unreachable destination handset"},
		},
		{
			name:      "failed",
			callbacks: []callback{{status: "failed", errorCode: "30008"}},
			want:      inbox.MessageFailed,
			wantError: &inbox.ProviderError{Code: "30008", Message: "Unknown error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.handle(t, f.message("SMin", phoneA, "hello", base))
			conv, _ := f.byProvider(t, "SMin")

			// The reply the dispatcher sent: stored pending, then marked sent with Twilio's SID.
			reply := inbox.Message{
				ID: inbox.MessageID(base.Add(time.Minute), "reply001"), Direction: inbox.DirectionOut,
				Text: "Yes, until 6pm.", CreatedAt: base.Add(time.Minute), UpdatedAt: base.Add(time.Minute),
				Status: inbox.MessagePending, AuthorID: "u1",
			}
			ok, err := f.store.AppendMessage(f.ctx, conv, reply, "")
			if err != nil || !ok {
				t.Fatalf("AppendMessage = %v, %v", ok, err)
			}
			const sid = "SMout0000000000000000000000000001"
			_, applied, err := f.store.UpdateDelivery(f.ctx, acct, conv.ID, reply.ID,
				inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: sid}, base.Add(2*time.Minute))
			if err != nil || !applied {
				t.Fatalf("UpdateDelivery(sent) = %v, %v", applied, err)
			}

			for _, cb := range tt.callbacks {
				f.handle(t, f.status(t, sid, phoneA, cb.status, cb.errorCode))
			}

			got, err := f.store.GetMessage(f.ctx, acct, conv.ID, reply.ID)
			must(t, err)
			if got.Status != tt.want || got.ProviderID != sid {
				t.Errorf("reply status %q provider id %q, want %q %q", got.Status, got.ProviderID, tt.want, sid)
			}
			switch {
			case tt.wantError == nil && got.Error != nil:
				t.Errorf("reply error %+v, want none", got.Error)
			case tt.wantError != nil && (got.Error == nil || *got.Error != *tt.wantError):
				t.Errorf("reply error %+v, want %+v", got.Error, tt.wantError)
			}
			// Status callbacks store nothing new.
			if all := f.all(t); len(all) != 1 || len(all[0].messages) != 2 {
				t.Errorf("stored %+v, want the conversation with its two messages", all)
			}
		})
	}
}

func TestStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  func(t *testing.T, f *fixture) inbox.Envelope
		// wantCode is the code of Handle's error; "" for nil.
		wantCode inbox.ErrorCode
	}{
		{
			// The callback may overtake the dispatcher's write of the SID: SQS must retry it.
			name: "unknown SID",
			env: func(t *testing.T, f *fixture) inbox.Envelope {
				return f.status(t, "SMunknown", phoneA, "delivered", "")
			},
			wantCode: inbox.ENotFound,
		},
		{
			name: "SID known on another channel",
			env: func(t *testing.T, f *fixture) inbox.Envelope {
				other := f.channel(t, acct, "ch2", "+15005550007")
				env := f.status(t, "SMin", phoneA, "delivered", "")
				env.ChannelID = other.ID
				return env
			},
			wantCode: inbox.ENotFound,
		},
		{
			name: "SID of an inbound message is ignored",
			env: func(t *testing.T, f *fixture) inbox.Envelope {
				return f.status(t, "SMin", phoneA, "delivered", "")
			},
		},
		{
			name: "status that is not a delivery status",
			env: func(t *testing.T, f *fixture) inbox.Envelope {
				env := f.status(t, "SMin", phoneA, "delivered", "")
				env.Status.Status = inbox.MessageReceived
				return env
			},
			wantCode: inbox.EInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.handle(t, f.message("SMin", phoneA, "hello", base))
			err := f.router.Handle(f.ctx, tt.env(t, f))
			wantCode(t, err, tt.wantCode)
			_, m := f.byProvider(t, "SMin")
			if m.Status != inbox.MessageReceived || m.Error != nil {
				t.Errorf("inbound message changed: %+v", m)
			}
		})
	}
}

func TestRejectedEnvelopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     func(f *fixture) []byte
		wantCode inbox.ErrorCode
		// retry is true for what may heal (a status that overtook its message); anything else
		// is marked permanent, so the queue drops it instead of cycling it into the DLQ.
		retry bool
	}{
		{
			name: "newer version",
			body: func(f *fixture) []byte {
				env := f.message("SM1", phoneA, "from the future", base)
				env.V = inbox.EnvelopeVersion + 1
				return mustJSON(env)
			},
			wantCode: inbox.EInvalid,
		},
		{
			name: "no version",
			body: func(f *fixture) []byte {
				env := f.message("SM1", phoneA, "hi", base)
				env.V = 0
				return mustJSON(env)
			},
			wantCode: inbox.EInvalid,
		},
		{name: "undecodable body", body: func(*fixture) []byte { return []byte("Body=hi&From=%2B1415") }, wantCode: inbox.EInvalid},
		{name: "truncated JSON", body: func(f *fixture) []byte {
			b := mustJSON(f.message("SM1", phoneA, "hi", base))
			return b[:len(b)/2]
		}, wantCode: inbox.EInvalid},
		{name: "empty body", body: func(*fixture) []byte { return nil }, wantCode: inbox.EInvalid},
		{
			name: "unknown kind",
			body: func(f *fixture) []byte {
				env := f.message("SM1", phoneA, "hi", base)
				env.Kind = "reaction"
				return mustJSON(env)
			},
			wantCode: inbox.EInvalid,
		},
		{
			name:     "message without sender",
			body:     func(f *fixture) []byte { return mustJSON(f.message("SM1", "", "hi", base)) },
			wantCode: inbox.EInvalid,
		},
		{
			name:     "message without provider id",
			body:     func(f *fixture) []byte { return mustJSON(f.message("", phoneA, "hi", base)) },
			wantCode: inbox.EInvalid,
		},
		{
			name: "status without status",
			body: func(f *fixture) []byte {
				env := f.message("SM1", phoneA, "", base)
				env.Kind = inbox.KindStatus
				return mustJSON(env)
			},
			wantCode: inbox.EInvalid,
		},
		{
			name: "unknown channel",
			body: func(f *fixture) []byte {
				env := f.message("SM1", phoneA, "hi", base)
				env.ChannelID = "nosuchchannel"
				return mustJSON(env)
			},
			wantCode: inbox.ENotFound,
		},
		{
			name: "channel of another account",
			body: func(f *fixture) []byte {
				env := f.message("SM1", phoneA, "hi", base)
				env.AccountID = "acct2"
				return mustJSON(env)
			},
			wantCode: inbox.ENotFound,
		},
		{
			name: "status on an unknown channel",
			body: func(f *fixture) []byte {
				env := f.message("SM1", phoneA, "", base)
				env.Kind, env.ChannelID = inbox.KindStatus, "nosuchchannel"
				env.Status = &inbox.StatusUpdate{Status: inbox.MessageDelivered}
				return mustJSON(env)
			},
			wantCode: inbox.ENotFound,
			retry:    true,
		},
		{
			name: "channel id with the key separator",
			body: func(f *fixture) []byte {
				env := f.message("SM1", phoneA, "hi", base)
				env.ChannelID = f.ch.ID + "#x"
				return mustJSON(env)
			},
			wantCode: inbox.EInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			err := f.router.HandleBody(f.ctx, tt.body(f))
			wantCode(t, err, tt.wantCode)
			if inbox.IsPermanent(err) == tt.retry {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, inbox.IsPermanent(err), !tt.retry)
			}
			if all := f.all(t); len(all) != 0 {
				t.Errorf("stored %+v, want nothing", all)
			}
			if _, _, err := f.store.ProviderMessage(f.ctx, acct, f.ch.ID, "SM1"); !inbox.IsCode(err, inbox.ENotFound) {
				t.Errorf("ProviderMessage(SM1) = %v, want not found", err)
			}
		})
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// A status report for a message the inbox never sent is retried (it may have overtaken the
// dispatcher) and then dropped, instead of ending in the dead-letter queue.
func TestUnknownStatusIsDroppedAfterRetries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := f.status(t, "SM99999999999999999999999999999999", phoneA, "delivered", "")
	body := mustJSON(env)
	for attempt := 1; attempt < router.StatusAttempts; attempt++ {
		wantCode(t, f.router.HandleRecord(f.ctx, body, attempt), inbox.ENotFound)
	}
	if err := f.router.HandleRecord(f.ctx, body, router.StatusAttempts); err != nil {
		t.Fatalf("attempt %d: %v, want the report dropped", router.StatusAttempts, err)
	}
}

// staleState is the store with InboundState answering as an eventually consistent read may
// just after a write: the sender's contact, but neither the provider marker nor the hint.
type staleState struct{ *dynamo.Store }

func (s staleState) InboundState(ctx context.Context, acct, channelID, providerID, inboxID string, c inbox.Contact) (inbox.InboundState, error) {
	st, err := s.Store.InboundState(ctx, acct, channelID, providerID, inboxID, c)
	return inbox.InboundState{Checked: st.Checked, ContactID: st.ContactID, Named: st.Named}, err
}

// A redelivery of a message whose conversation was closed since, read by a stale InboundState,
// is still a duplicate: it neither reopens the conversation nor opens another one.
func TestRedeliveryDoesNotReopen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.handle(t, f.message("SMonce", phoneA, "thanks, that is all", base))
	conv, _ := f.byProvider(t, "SMonce")
	if _, err := f.store.SetStatus(f.ctx, acct, conv.ID, inbox.StatusClosed); err != nil {
		t.Fatal(err)
	}
	stale := router.New(router.Config{Store: staleState{f.store}, Now: func() time.Time { return now }})
	if err := stale.Handle(f.ctx, f.message("SMonce", phoneA, "thanks, that is all", base.Add(time.Second))); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.GetConversation(f.ctx, acct, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != inbox.StatusClosed {
		t.Errorf("the redelivery reopened the conversation: %+v", got)
	}
	if all := f.all(t); len(all) != 1 {
		t.Errorf("%d messages stored, want 1", len(all))
	}
}
