package dispatch_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dispatch"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/meta"
	"github.com/openinbox/inbox/shared/router"
	"github.com/openinbox/inbox/shared/secretbox"
)

const (
	metaPageID  = "1067280970047460"
	metaPSID    = "6754512497952155"
	waNumberID  = "106540352242922"
	waCustomer  = "16505551234"
	waDisplay   = "15550783881"
	sentWAMID   = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
	sentMID     = "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"
	waSuccess   = `{"messaging_product":"whatsapp","contacts":[{"input":"` + waCustomer + `","wa_id":"` + waCustomer + `"}],"messages":[{"id":"` + sentWAMID + `"}]}`
	sendSuccess = `{"recipient_id":"` + metaPSID + `","message_id":"` + sentMID + `"}`
	// errRate130429 is the documented Graph error shape filled with WhatsApp's "Rate limit hit".
	errRate130429 = `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"AbCdEf130429"}}`
)

// graphStub is an httptest Graph API answering every call with status and body, counting calls.
type graphStub struct {
	*httptest.Server
	calls atomic.Int32
}

func newGraphStub(t *testing.T, status int, body string) *graphStub {
	t.Helper()
	g := &graphStub{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		g.calls.Add(1)
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/messages") || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			t.Errorf("unexpected Graph request %s %s", r.Method, r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(g.Close)
	return g
}

// metaFixture is a store on a fresh table holding a Messenger and a WhatsApp channel, each with a
// conversation opened by the router from the customer's message at lastInbound and a pending
// reply of the team.
type metaFixture struct {
	ctx    context.Context
	store  *dynamo.Store
	router *router.Router
	chans  map[inbox.ChannelType]inbox.Channel
	convs  map[inbox.ChannelType]inbox.Conversation
}

func newMetaFixture(t *testing.T, lastInbound time.Time) *metaFixture {
	t.Helper()
	client, table := testenv.DynamoDB(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	must(t, err)
	f := &metaFixture{
		ctx: context.Background(), store: dynamo.New(client, table, box),
		chans: map[inbox.ChannelType]inbox.Channel{}, convs: map[inbox.ChannelType]inbox.Conversation{},
	}
	f.router = router.New(router.Config{Store: f.store, Now: func() time.Time { return now }})
	must(t, f.store.CreateInbox(f.ctx, inbox.Inbox{AccountID: acct, ID: "ib1", Name: "Support", CreatedAt: base}))
	for _, ch := range []inbox.Channel{
		{
			AccountID: acct, ID: "chm", InboxID: "ib1", Type: inbox.ChannelMessenger, Name: "Page",
			ProviderKey: metaPageID, Messenger: &inbox.MessengerConfig{PageID: metaPageID, VerifyToken: "v"},
			Secrets:   map[string]string{inbox.SecretPageAccessToken: "EAAJB-page", inbox.SecretAppSecret: "s"},
			CreatedAt: base,
		},
		{
			AccountID: acct, ID: "chw", InboxID: "ib1", Type: inbox.ChannelWhatsApp, Name: "WhatsApp",
			ProviderKey: waNumberID,
			WhatsApp:    &inbox.WhatsAppConfig{WABAID: "102290129340398", PhoneNumberID: waNumberID, DisplayNumber: "+" + waDisplay, VerifyToken: "v"},
			Secrets:     map[string]string{inbox.SecretAccessToken: "EAAJB-system", inbox.SecretAppSecret: "s"},
			CreatedAt:   base,
		},
	} {
		must(t, f.store.CreateChannel(f.ctx, ch))
		f.chans[ch.Type] = ch
	}
	inbound := map[inbox.ChannelType]inbox.Envelope{
		inbox.ChannelMessenger: {
			Kind: inbox.KindMessage, ProviderMessageID: "m_customer", From: inbox.Sender{PSID: metaPSID},
			To: metaPageID, Text: "Is my order on its way?",
		},
		inbox.ChannelWhatsApp: {
			Kind: inbox.KindMessage, ProviderMessageID: "wamid.customer", From: inbox.Sender{Phone: "+" + waCustomer, Name: "Sheena Nelson"},
			To: "+" + waDisplay, Text: "Does it come in another color?",
		},
	}
	for typ, env := range inbound {
		ch := f.chans[typ]
		env.V, env.AccountID, env.ChannelID, env.ChannelType, env.ReceivedAt = inbox.EnvelopeVersion, acct, ch.ID, typ, lastInbound
		must(t, f.router.Handle(f.ctx, env))
		convID, _, err := f.store.ProviderMessage(f.ctx, acct, ch.ID, env.ProviderMessageID)
		must(t, err)
		f.convs[typ], err = f.store.GetConversation(f.ctx, acct, convID)
		must(t, err)
	}
	return f
}

// reply stores a pending reply in the conversation of channel type typ and returns its job.
func (f *metaFixture) reply(t *testing.T, typ inbox.ChannelType, m inbox.Message) inbox.OutboundJob {
	t.Helper()
	at := now.Add(-time.Minute)
	m.ID = inbox.MessageID(at, "reply001")
	m.Direction, m.Status, m.CreatedAt, m.UpdatedAt, m.AuthorID = inbox.DirectionOut, inbox.MessagePending, at, at, "u1"
	ok, err := f.store.AppendMessage(f.ctx, f.convs[typ], m, "")
	if err != nil || !ok {
		t.Fatalf("AppendMessage = %v, %v", ok, err)
	}
	return inbox.OutboundJob{V: 1, AccountID: acct, ConversationID: f.convs[typ].ID, MessageID: m.ID}
}

func (f *metaFixture) dispatcher(graphURL string) *dispatch.Dispatcher {
	s := meta.NewSender(meta.NewClient(graphURL, nil), func() time.Time { return now })
	return dispatch.New(dispatch.Config{Store: f.store, Senders: map[inbox.ChannelType]dispatch.Sender{inbox.ChannelMessenger: s, inbox.ChannelWhatsApp: s},
		MaxAttempts: maxAttempts, Now: func() time.Time { return now }})
}

func (f *metaFixture) message(t *testing.T, job inbox.OutboundJob) inbox.Message {
	t.Helper()
	m, err := f.store.GetMessage(f.ctx, acct, job.ConversationID, job.MessageID)
	must(t, err)
	return m
}

func TestMetaReplyOutsideWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		typ     inbox.ChannelType
		lastIn  time.Duration // how long before now the customer wrote
		msg     inbox.Message
		wantErr string // "" when the reply is sent
	}{
		{name: "whatsapp text after 25 hours", typ: inbox.ChannelWhatsApp, lastIn: 25 * time.Hour, msg: inbox.Message{Text: "Still there?"}, wantErr: "window_closed"},
		{name: "whatsapp image after 25 hours", typ: inbox.ChannelWhatsApp, lastIn: 25 * time.Hour, msg: inbox.Message{Attachments: []inbox.Attachment{{Type: inbox.AttachImage, URL: "https://files.example.test/a.jpg"}}}, wantErr: "window_closed"},
		{name: "whatsapp template after 25 hours", typ: inbox.ChannelWhatsApp, lastIn: 25 * time.Hour, msg: inbox.Message{Template: &inbox.Template{Name: "order_update", Language: "en_US", Parameters: []string{"#1234"}}}},
		{name: "messenger after 8 days", typ: inbox.ChannelMessenger, lastIn: 8 * 24 * time.Hour, msg: inbox.Message{Text: "Still there?"}, wantErr: "window_closed"},
		{name: "messenger after 3 days, tagged", typ: inbox.ChannelMessenger, lastIn: 72 * time.Hour, msg: inbox.Message{Text: "Your order shipped."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t, now.Add(-tt.lastIn))
			body := waSuccess
			if tt.typ == inbox.ChannelMessenger {
				body = sendSuccess
			}
			g := newGraphStub(t, http.StatusOK, body)
			job := f.reply(t, tt.typ, tt.msg)
			// A closed window is final: no retry, even at the first attempt.
			must(t, f.dispatcher(g.URL).Handle(f.ctx, job, 1))
			m := f.message(t, job)
			if tt.wantErr == "" {
				if m.Status != inbox.MessageSent || m.ProviderID == "" || m.Error != nil || g.calls.Load() != 1 {
					t.Errorf("message = %+v after %d Graph calls, want sent once", m, g.calls.Load())
				}
				return
			}
			if m.Status != inbox.MessageFailed || m.Error == nil || m.Error.Code != tt.wantErr || m.Error.Message == "" {
				t.Errorf("message = %+v (error %+v), want failed with %s", m, m.Error, tt.wantErr)
			}
			if n := g.calls.Load(); n != 0 {
				t.Errorf("%d Graph calls, want none", n)
			}
			// A redelivery of the job changes nothing.
			must(t, f.dispatcher(g.URL).Handle(f.ctx, job, 2))
			if again := f.message(t, job); again.Status != inbox.MessageFailed || g.calls.Load() != 0 {
				t.Errorf("after a redelivery: %+v, %d Graph calls", again, g.calls.Load())
			}
		})
	}
}

func TestMetaReplyRateLimited(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		attempt    int
		wantErr    bool
		wantStatus inbox.MessageStatus
	}{
		{name: "first attempt is retried", attempt: 1, wantErr: true, wantStatus: inbox.MessagePending},
		{name: "attempt below the last is retried", attempt: maxAttempts - 1, wantErr: true, wantStatus: inbox.MessagePending},
		{name: "last attempt fails the message", attempt: maxAttempts, wantStatus: inbox.MessageFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t, now.Add(-time.Hour))
			g := newGraphStub(t, http.StatusTooManyRequests, errRate130429)
			job := f.reply(t, inbox.ChannelWhatsApp, inbox.Message{Text: "It comes in blue."})
			err := f.dispatcher(g.URL).Handle(f.ctx, job, tt.attempt)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Handle = %v, want error %v", err, tt.wantErr)
			}
			m := f.message(t, job)
			if m.Status != tt.wantStatus || g.calls.Load() != 1 {
				t.Errorf("message = %+v after %d Graph calls, want %s after 1", m, g.calls.Load(), tt.wantStatus)
			}
			if tt.wantErr && (m.Error != nil || m.ProviderID != "") {
				t.Errorf("retried message carries %+v / %q", m.Error, m.ProviderID)
			}
			if !tt.wantErr && (m.Error == nil || m.Error.Code != "130429") {
				t.Errorf("error = %+v, want 130429", m.Error)
			}
		})
	}
	t.Run("a retry after the limit lifts sends", func(t *testing.T) {
		t.Parallel()
		f := newMetaFixture(t, now.Add(-time.Hour))
		limited := newGraphStub(t, http.StatusTooManyRequests, errRate130429)
		ok := newGraphStub(t, http.StatusOK, waSuccess)
		job := f.reply(t, inbox.ChannelWhatsApp, inbox.Message{Text: "It comes in blue."})
		if err := f.dispatcher(limited.URL).Handle(f.ctx, job, 1); err == nil {
			t.Fatal("first attempt: no error, want a retry")
		}
		must(t, f.dispatcher(ok.URL).Handle(f.ctx, job, 2))
		if m := f.message(t, job); m.Status != inbox.MessageSent || m.ProviderID != sentWAMID {
			t.Errorf("message = %+v, want sent as %s", m, sentWAMID)
		}
	})
}

// waStatusBody is the documented statuses webhook for sentWAMID with status.
func waStatusBody(status string) []byte {
	return []byte(`{
  "object": "whatsapp_business_account",
  "entry": [{
    "id": "102290129340398",
    "changes": [{
      "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "` + waDisplay + `", "phone_number_id": "` + waNumberID + `"},
        "statuses": [{
          "id": "` + sentWAMID + `",
          "status": "` + status + `",
          "timestamp": "1750030073",
          "recipient_id": "` + waCustomer + `",
          "conversation": {"id": "72b14d6bd5407799e66f64d1b338e567", "expiration_timestamp": "1750116480", "origin": {"type": "service"}},
          "pricing": {"billable": true, "pricing_model": "PMP", "type": "regular", "category": "service"}
        }]
      },
      "field": "messages"
    }]
  }]
}`)
}

func TestMetaReplyThenStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses []string
		want     inbox.MessageStatus
	}{
		{name: "delivered", statuses: []string{"sent", "delivered"}, want: inbox.MessageDelivered},
		{name: "read before delivered", statuses: []string{"read", "delivered", "sent"}, want: inbox.MessageRead},
		{name: "voice message played", statuses: []string{"delivered", "played"}, want: inbox.MessageRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t, now.Add(-time.Hour))
			g := newGraphStub(t, http.StatusOK, waSuccess)
			job := f.reply(t, inbox.ChannelWhatsApp, inbox.Message{Text: "It comes in blue."})
			must(t, f.dispatcher(g.URL).Handle(f.ctx, job, 1))
			if m := f.message(t, job); m.Status != inbox.MessageSent || m.ProviderID != sentWAMID {
				t.Fatalf("after dispatch: %+v, want sent with the wamid", m)
			}
			for _, s := range tt.statuses {
				events, err := meta.ParseWhatsApp(waStatusBody(s))
				must(t, err)
				if len(events) != 1 || events[0].Business != waNumberID {
					t.Fatalf("ParseWhatsApp(%s) = %+v", s, events)
				}
				env := events[0].Envelope
				env.AccountID, env.ChannelID, env.ChannelType = acct, "chw", inbox.ChannelWhatsApp
				must(t, f.router.Handle(f.ctx, env))
			}
			if m := f.message(t, job); m.Status != tt.want || m.ProviderID != sentWAMID {
				t.Errorf("message = %+v, want %s", m, tt.want)
			}
		})
	}
	t.Run("messenger read receipt", func(t *testing.T) {
		t.Parallel()
		f := newMetaFixture(t, now.Add(-time.Hour))
		g := newGraphStub(t, http.StatusOK, sendSuccess)
		job := f.reply(t, inbox.ChannelMessenger, inbox.Message{Text: "On its way."})
		must(t, f.dispatcher(g.URL).Handle(f.ctx, job, 1))
		if m := f.message(t, job); m.Status != inbox.MessageSent || m.ProviderID != sentMID {
			t.Fatalf("after dispatch: %+v, want sent with the mid", m)
		}
		body := `{"object":"page","entry":[{"id":"` + metaPageID + `","time":` + itoa(now.UnixMilli()) + `,"messaging":[{
  "sender":{"id":"` + metaPSID + `"},"recipient":{"id":"` + metaPageID + `"},"timestamp":` + itoa(now.UnixMilli()) + `,
  "read":{"watermark":` + itoa(now.UnixMilli()) + `}}]}]}`
		events, err := meta.ParseMessenger([]byte(body))
		must(t, err)
		if len(events) != 1 {
			t.Fatalf("ParseMessenger = %+v", events)
		}
		env := events[0].Envelope
		env.AccountID, env.ChannelID, env.ChannelType = acct, "chm", inbox.ChannelMessenger
		must(t, f.router.Handle(f.ctx, env))
		if m := f.message(t, job); m.Status != inbox.MessageRead {
			t.Errorf("message = %+v, want read", m)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
