package dispatch_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dispatch"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/router"
	"github.com/openinbox/inbox/shared/secretbox"
	"github.com/openinbox/inbox/shared/twilio"
)

const (
	acct          = "acct1"
	accountSID    = "AC0123456789abcdef0123456789abcdef"
	authToken     = "twilio-auth-token-1"
	channelNumber = "+15005550006"
	customer      = "+14155550100"
	publicBase    = "https://example.test"
	maxAttempts   = 4
)

// base is a fixed instant with whole microseconds, as the store keeps times.
var base = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

var now = base.Add(time.Hour)

// request is what the fake Twilio received.
type request struct {
	method, path, contentType string
	user, password            string
	basicAuth                 bool
	form                      url.Values
}

// twilioAPI is an httptest server speaking the Messages API's wire format: it records each
// request and answers with reply(n) for the n-th (from 1).
type twilioAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
}

func newTwilioAPI(t *testing.T, reply func(n int, w http.ResponseWriter, form url.Values)) *twilioAPI {
	t.Helper()
	api := &twilioAPI{}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read request: %v", err)
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			t.Errorf("request body is not a form: %q", b)
		}
		user, password, ok := r.BasicAuth()
		api.mu.Lock()
		api.requests = append(api.requests, request{
			method: r.Method, path: r.URL.Path, contentType: r.Header.Get("Content-Type"),
			user: user, password: password, basicAuth: ok, form: form,
		})
		n := len(api.requests)
		api.mu.Unlock()
		reply(n, w, form)
	}))
	t.Cleanup(api.Close)
	return api
}

func (a *twilioAPI) calls() []request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]request(nil), a.requests...)
}

// created answers like Twilio's 201 for a created message.
func created(sid string) func(int, http.ResponseWriter, url.Values) {
	return func(_ int, w http.ResponseWriter, form url.Values) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"account_sid": accountSID, "api_version": "2010-04-01", "body": form.Get("Body"),
			"date_created": "Fri, 14 Mar 2025 10:26:54 +0000", "date_sent": nil,
			"date_updated": "Fri, 14 Mar 2025 10:26:54 +0000", "direction": "outbound-api",
			"error_code": nil, "error_message": nil, "from": form.Get("From"),
			"messaging_service_sid": nil, "num_media": "0", "num_segments": "1", "price": nil,
			"price_unit": "USD", "sid": sid, "status": "queued",
			"subresource_uris": map[string]string{"media": "/2010-04-01/Accounts/" + accountSID + "/Messages/" + sid + "/Media.json"},
			"to":               form.Get("To"), "uri": "/2010-04-01/Accounts/" + accountSID + "/Messages/" + sid + ".json",
		})
	}
}

// refused answers like Twilio's error responses.
func refused(status, code int, message string) func(int, http.ResponseWriter, url.Values) {
	return func(_ int, w http.ResponseWriter, _ url.Values) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"code": code, "message": message, "more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
			"status": status,
		})
	}
}

// fixture is a store on a fresh table holding one conversation with one outbound reply.
type fixture struct {
	ctx   context.Context
	store *dynamo.Store
	ch    inbox.Channel
	conv  inbox.Conversation
	msg   inbox.Message
	job   inbox.OutboundJob
}

func newFixture(t *testing.T, reply inbox.Message) *fixture {
	t.Helper()
	client, table := testenv.DynamoDB(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ctx: context.Background(), store: dynamo.New(client, table, box)}
	must(t, f.store.CreateInbox(f.ctx, inbox.Inbox{AccountID: acct, ID: "ib1", Name: "Support", CreatedAt: base}))
	f.ch = inbox.Channel{
		AccountID: acct, ID: "ch1", InboxID: "ib1", Type: inbox.ChannelSMS, Name: "Main number",
		ProviderKey: channelNumber, Twilio: &inbox.TwilioConfig{AccountSID: accountSID, PhoneNumber: channelNumber},
		Secrets:   map[string]string{inbox.SecretTwilioAuthToken: authToken},
		CreatedAt: base,
	}
	must(t, f.store.CreateChannel(f.ctx, f.ch))
	contact, _, err := f.store.UpsertContactByPhone(f.ctx, inbox.Contact{AccountID: acct, ID: "ct1", Phone: customer, CreatedAt: base})
	must(t, err)
	f.conv, _, err = f.store.FindOrOpenConversation(f.ctx, inbox.Conversation{
		AccountID: acct, ID: "cv1", InboxID: "ib1", ChannelID: f.ch.ID, ChannelType: inbox.ChannelSMS,
		ContactID: contact.ID, ContactPhone: customer, Status: inbox.StatusOpen, LastMessageAt: base, CreatedAt: base,
	})
	must(t, err)
	at := base.Add(time.Minute)
	reply.ID = inbox.MessageID(at, "reply001")
	reply.Direction, reply.CreatedAt, reply.UpdatedAt, reply.AuthorID = inbox.DirectionOut, at, at, "u1"
	if reply.Status == "" {
		reply.Status = inbox.MessagePending
	}
	ok, err := f.store.AppendMessage(f.ctx, f.conv, reply, "")
	if err != nil || !ok {
		t.Fatalf("AppendMessage = %v, %v", ok, err)
	}
	reply.AccountID, reply.ConversationID = acct, f.conv.ID
	f.msg = reply
	f.job = inbox.OutboundJob{V: 1, AccountID: acct, ConversationID: f.conv.ID, MessageID: reply.ID}
	return f
}

func (f *fixture) dispatcher(twilioURL string) *dispatch.Dispatcher {
	sender := twilio.NewSender(twilio.NewClient(twilioURL, nil), publicBase)
	return dispatch.New(dispatch.Config{Store: f.store, Senders: map[inbox.ChannelType]dispatch.Sender{inbox.ChannelSMS: sender},
		MaxAttempts: maxAttempts, Now: func() time.Time { return now }})
}

func (f *fixture) message(t *testing.T) inbox.Message {
	t.Helper()
	m, err := f.store.GetMessage(f.ctx, acct, f.conv.ID, f.msg.ID)
	must(t, err)
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSendRequest(t *testing.T) {
	t.Parallel()
	const sid = "SM0123456789abcdef0123456789abcdef"
	tests := []struct {
		name     string
		reply    inbox.Message
		wantForm url.Values
	}{
		{
			name:  "sms",
			reply: inbox.Message{Text: "Yes, we are open until 6pm & on Sundays."},
			wantForm: url.Values{
				"To": {customer}, "From": {channelNumber}, "Body": {"Yes, we are open until 6pm & on Sundays."},
				"StatusCallback": {publicBase + "/webhooks/twilio/ch1/status"},
			},
		},
		{
			name: "mms",
			reply: inbox.Message{Text: "Here is the map", Attachments: []inbox.Attachment{
				{URL: "https://files.example.test/map.png", ContentType: "image/png"},
				{URL: "https://files.example.test/menu.pdf", ContentType: "application/pdf"},
			}},
			wantForm: url.Values{
				"To": {customer}, "From": {channelNumber}, "Body": {"Here is the map"},
				"MediaUrl":       {"https://files.example.test/map.png", "https://files.example.test/menu.pdf"},
				"StatusCallback": {publicBase + "/webhooks/twilio/ch1/status"},
			},
		},
		{
			name: "media only",
			reply: inbox.Message{Attachments: []inbox.Attachment{
				{URL: "https://files.example.test/map.png", ContentType: "image/png"},
			}},
			wantForm: url.Values{
				"To": {customer}, "From": {channelNumber}, "MediaUrl": {"https://files.example.test/map.png"},
				"StatusCallback": {publicBase + "/webhooks/twilio/ch1/status"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.reply)
			api := newTwilioAPI(t, created(sid))
			if err := f.dispatcher(api.URL).Handle(f.ctx, f.job, 1); err != nil {
				t.Fatalf("Handle = %v", err)
			}

			calls := api.calls()
			if len(calls) != 1 {
				t.Fatalf("%d requests to Twilio, want 1", len(calls))
			}
			want := request{
				method: http.MethodPost, path: "/2010-04-01/Accounts/" + accountSID + "/Messages.json",
				contentType: "application/x-www-form-urlencoded", user: accountSID, password: authToken,
				basicAuth: true, form: tt.wantForm,
			}
			if !reflect.DeepEqual(calls[0], want) {
				t.Errorf("request = %+v\nwant      %+v", calls[0], want)
			}

			m := f.message(t)
			if m.Status != inbox.MessageSent || m.ProviderID != sid || m.Error != nil || !m.UpdatedAt.Equal(now) {
				t.Errorf("message after send = %+v", m)
			}
			// The SID is registered, so that Twilio's status callbacks find the message.
			convID, msgID, err := f.store.ProviderMessage(f.ctx, acct, f.ch.ID, sid)
			if err != nil || convID != f.conv.ID || msgID != f.msg.ID {
				t.Errorf("ProviderMessage(%s) = %s, %s, %v", sid, convID, msgID, err)
			}
		})
	}
}

func TestSendOutcomes(t *testing.T) {
	t.Parallel()
	const sid = "SMfedcba9876543210fedcba9876543210"
	tests := []struct {
		name string
		// reply answers Twilio's requests; nil means the API cannot be reached (closed server).
		reply   func(int, http.ResponseWriter, url.Values)
		attempt int
		// wantRetry says Handle returns an error, so that the outbound queue redelivers the job.
		wantRetry  bool
		wantStatus inbox.MessageStatus
		wantError  *inbox.ProviderError
		wantSID    string
	}{
		{name: "created", reply: created(sid), attempt: 1, wantStatus: inbox.MessageSent, wantSID: sid},
		{name: "created at the last attempt", reply: created(sid), attempt: maxAttempts, wantStatus: inbox.MessageSent, wantSID: sid},
		{
			name:       "invalid To number is final",
			reply:      refused(400, 21211, "The 'To' number +14155550100 is not a valid phone number."),
			attempt:    1,
			wantStatus: inbox.MessageFailed,
			wantError:  &inbox.ProviderError{Code: "21211", Message: "The 'To' number +14155550100 is not a valid phone number."},
		},
		{
			name:       "unsubscribed recipient is final",
			reply:      refused(400, 21610, "Attempt to send to unsubscribed recipient"),
			attempt:    1,
			wantStatus: inbox.MessageFailed,
			wantError:  &inbox.ProviderError{Code: "21610", Message: "Attempt to send to unsubscribed recipient"},
		},
		{
			name:       "authentication failure is final",
			reply:      refused(401, 20003, "Authenticate"),
			attempt:    1,
			wantStatus: inbox.MessageFailed,
			wantError:  &inbox.ProviderError{Code: "20003", Message: "Authenticate"},
		},
		{
			name:       "rate limited is retried",
			reply:      refused(429, 20429, "Too Many Requests"),
			attempt:    1,
			wantRetry:  true,
			wantStatus: inbox.MessagePending,
		},
		{
			name:       "rate limited at the last attempt fails",
			reply:      refused(429, 20429, "Too Many Requests"),
			attempt:    maxAttempts,
			wantStatus: inbox.MessageFailed,
			wantError:  &inbox.ProviderError{Code: "20429", Message: "Too Many Requests"},
		},
		{
			name:       "server error before the last attempt is retried",
			reply:      refused(500, 20500, "An internal server error has occurred"),
			attempt:    maxAttempts - 1,
			wantRetry:  true,
			wantStatus: inbox.MessagePending,
		},
		{
			name:       "server error at the last attempt fails",
			reply:      refused(500, 20500, "An internal server error has occurred"),
			attempt:    maxAttempts,
			wantStatus: inbox.MessageFailed,
			wantError:  &inbox.ProviderError{Code: "20500", Message: "An internal server error has occurred"},
		},
		{
			name: "proxy error page at the last attempt fails with the HTTP status",
			reply: func(_ int, w http.ResponseWriter, _ url.Values) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
			},
			attempt:    maxAttempts,
			wantStatus: inbox.MessageFailed,
			wantError:  &inbox.ProviderError{Code: "http_502", Message: "Bad Gateway"},
		},
		{name: "network failure is retried", attempt: 1, wantRetry: true, wantStatus: inbox.MessagePending},
		{
			name:       "network failure at the last attempt fails",
			attempt:    maxAttempts,
			wantStatus: inbox.MessageFailed,
			wantError:  &inbox.ProviderError{Code: "network"},
		},
		{
			// Twilio most likely created the message: sending again could send it twice.
			name: "unreadable success response is not retried",
			reply: func(_ int, w http.ResponseWriter, _ url.Values) {
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, "{")
			},
			attempt:    1,
			wantStatus: inbox.MessageFailed,
			wantError:  &inbox.ProviderError{Code: "http_201", Message: "unreadable Twilio response"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, inbox.Message{Text: "Thanks, see you soon"})
			var api *twilioAPI
			var apiURL string
			if tt.reply != nil {
				api = newTwilioAPI(t, tt.reply)
				apiURL = api.URL
			} else {
				closed := httptest.NewServer(http.NotFoundHandler())
				apiURL = closed.URL
				closed.Close()
			}

			err := f.dispatcher(apiURL).Handle(f.ctx, f.job, tt.attempt)
			if gotRetry := err != nil; gotRetry != tt.wantRetry {
				t.Fatalf("Handle = %v, want retry %v", err, tt.wantRetry)
			}
			if api != nil {
				if n := len(api.calls()); n != 1 {
					t.Errorf("%d requests to Twilio, want 1", n)
				}
			}

			m := f.message(t)
			if m.Status != tt.wantStatus || m.ProviderID != tt.wantSID {
				t.Errorf("message status %q provider id %q, want %q %q", m.Status, m.ProviderID, tt.wantStatus, tt.wantSID)
			}
			switch {
			case tt.wantError == nil && m.Error != nil:
				t.Errorf("message error %+v, want none", m.Error)
			case tt.wantError == nil:
			case m.Error == nil:
				t.Errorf("message error none, want %+v", tt.wantError)
			case tt.wantError.Code == "network":
				// The transport's message names the address; only the code is stable.
				if m.Error.Code != "network" || m.Error.Message == "" {
					t.Errorf("message error %+v, want code network with a message", m.Error)
				}
			case *m.Error != *tt.wantError:
				t.Errorf("message error %+v, want %+v", m.Error, tt.wantError)
			}
		})
	}
}

// TestRetriedJobSendsOnce follows a job through a rate limit and its redelivery.
func TestRetriedJobSendsOnce(t *testing.T) {
	t.Parallel()
	const sid = "SM00000000000000000000000000000042"
	tests := []struct {
		name      string
		failures  int
		wantCalls int
	}{
		{name: "one rate limit", failures: 1, wantCalls: 2},
		{name: "rate limited until the last attempt", failures: maxAttempts - 1, wantCalls: maxAttempts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, inbox.Message{Text: "retry me"})
			api := newTwilioAPI(t, func(n int, w http.ResponseWriter, form url.Values) {
				if n <= tt.failures {
					refused(429, 20429, "Too Many Requests")(n, w, form)
					return
				}
				created(sid)(n, w, form)
			})
			d := f.dispatcher(api.URL)
			for attempt := 1; attempt <= tt.failures; attempt++ {
				if err := d.Handle(f.ctx, f.job, attempt); err == nil {
					t.Fatalf("attempt %d: Handle = nil, want an error to retry", attempt)
				}
			}
			if err := d.Handle(f.ctx, f.job, tt.failures+1); err != nil {
				t.Fatalf("attempt %d: Handle = %v", tt.failures+1, err)
			}
			// A redelivery after success sends nothing.
			if err := d.Handle(f.ctx, f.job, tt.failures+2); err != nil {
				t.Fatalf("redelivery: Handle = %v", err)
			}
			if n := len(api.calls()); n != tt.wantCalls {
				t.Errorf("%d requests to Twilio, want %d", n, tt.wantCalls)
			}
			if m := f.message(t); m.Status != inbox.MessageSent || m.ProviderID != sid || m.Error != nil {
				t.Errorf("message = %+v", m)
			}
		})
	}
}

func TestJobForHandledMessage(t *testing.T) {
	t.Parallel()
	unknown := &inbox.ProviderError{Code: "delivery_unknown", Message: "sending was interrupted; the message may or may not have been delivered"}
	prior := &inbox.ProviderError{Code: "21211", Message: "invalid number"}
	tests := []struct {
		name       string
		status     inbox.MessageStatus
		providerID string
		err        *inbox.ProviderError
		wantStatus inbox.MessageStatus
		wantError  *inbox.ProviderError
	}{
		{name: "sent", status: inbox.MessageSent, providerID: "SMsent", wantStatus: inbox.MessageSent},
		{name: "delivered", status: inbox.MessageDelivered, providerID: "SMdelivered", wantStatus: inbox.MessageDelivered},
		{name: "failed", status: inbox.MessageFailed, err: prior, wantStatus: inbox.MessageFailed, wantError: prior},
		// The function died mid-send: Twilio may have sent it, so it is not sent again.
		{name: "sending", status: inbox.MessageSending, wantStatus: inbox.MessageFailed, wantError: unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, inbox.Message{Text: "already handled"})
			if tt.status == inbox.MessageSending {
				must(t, f.store.TransitionMessage(f.ctx, acct, f.conv.ID, f.msg.ID, inbox.MessagePending, inbox.MessageSending, base))
			} else {
				_, _, err := f.store.UpdateDelivery(f.ctx, acct, f.conv.ID, f.msg.ID,
					inbox.DeliveryUpdate{Status: tt.status, ProviderID: tt.providerID, Error: tt.err}, base)
				must(t, err)
			}
			api := newTwilioAPI(t, created("SMsecond"))
			if err := f.dispatcher(api.URL).Handle(f.ctx, f.job, 2); err != nil {
				t.Fatalf("Handle = %v", err)
			}
			if n := len(api.calls()); n != 0 {
				t.Errorf("%d requests to Twilio, want none", n)
			}
			m := f.message(t)
			if m.Status != tt.wantStatus || m.ProviderID != tt.providerID {
				t.Errorf("message status %q provider id %q, want %q %q", m.Status, m.ProviderID, tt.wantStatus, tt.providerID)
			}
			if (m.Error == nil) != (tt.wantError == nil) || (m.Error != nil && *m.Error != *tt.wantError) {
				t.Errorf("message error %+v, want %+v", m.Error, tt.wantError)
			}
		})
	}
}

func TestJobErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		body       func(f *fixture) []byte
		senders    bool
		wantCode   inbox.ErrorCode
		wantStatus inbox.MessageStatus
		wantError  string
	}{
		{name: "undecodable job", body: func(*fixture) []byte { return []byte("not json") }, senders: true, wantCode: inbox.EInvalid, wantStatus: inbox.MessagePending},
		{
			name: "unknown message",
			body: func(f *fixture) []byte {
				job := f.job
				job.MessageID = inbox.MessageID(base, "missing1")
				return mustJSON(job)
			},
			// Nothing to send or to mark: logged and dropped rather than retried into the DLQ.
			senders: true, wantCode: "", wantStatus: inbox.MessagePending,
		},
		{
			name:       "no sender for the channel type",
			body:       func(f *fixture) []byte { return mustJSON(f.job) },
			wantStatus: inbox.MessageFailed, wantError: "unsupported_channel",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, inbox.Message{Text: "hello"})
			api := newTwilioAPI(t, created("SMx"))
			d := f.dispatcher(api.URL)
			if !tt.senders {
				d = dispatch.New(dispatch.Config{Store: f.store, MaxAttempts: maxAttempts, Now: func() time.Time { return now }})
			}
			err := d.HandleBody(f.ctx, tt.body(f), 1)
			if got := inbox.ErrorCodeOf(err); got != tt.wantCode {
				t.Fatalf("HandleBody = %v (code %q), want code %q", err, got, tt.wantCode)
			}
			if err != nil && !inbox.IsPermanent(err) {
				t.Errorf("HandleBody = %v; a job that can never be handled must be marked permanent, not retried", err)
			}
			if n := len(api.calls()); n != 0 {
				t.Errorf("%d requests to Twilio, want none", n)
			}
			m := f.message(t)
			if m.Status != tt.wantStatus || (tt.wantError == "") != (m.Error == nil) || (m.Error != nil && m.Error.Code != tt.wantError) {
				t.Errorf("message = %+v, want status %q error %q", m, tt.wantStatus, tt.wantError)
			}
		})
	}
}

// TestDispatchThenStatusCallback checks that the SID the dispatcher records is the one the
// router's status callbacks find.
func TestDispatchThenStatusCallback(t *testing.T) {
	t.Parallel()
	const sid = "SM11111111111111111111111111111111"
	tests := []struct {
		name     string
		statuses []string
		want     inbox.MessageStatus
	}{
		{name: "delivered", statuses: []string{"sent", "delivered"}, want: inbox.MessageDelivered},
		{name: "out of order", statuses: []string{"delivered", "queued", "sent"}, want: inbox.MessageDelivered},
		{name: "undelivered", statuses: []string{"sent", "undelivered"}, want: inbox.MessageUndelivered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, inbox.Message{Text: "tracked"})
			api := newTwilioAPI(t, created(sid))
			must(t, f.dispatcher(api.URL).Handle(f.ctx, f.job, 1))
			r := router.New(router.Config{Store: f.store, Now: func() time.Time { return now }})
			for _, s := range tt.statuses {
				env, err := twilio.ParseStatus(url.Values{
					"AccountSid": {accountSID}, "From": {channelNumber}, "To": {customer},
					"MessageSid": {sid}, "MessageStatus": {s}, "ApiVersion": {"2010-04-01"},
				})
				must(t, err)
				env.AccountID, env.ChannelID, env.ChannelType, env.ReceivedAt = acct, f.ch.ID, f.ch.Type, now
				must(t, r.Handle(f.ctx, env))
			}
			if m := f.message(t); m.Status != tt.want || m.ProviderID != sid {
				t.Errorf("message = %+v, want status %q", m, tt.want)
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

// TestOverlappingDeliveriesSendOnce delivers the same job again while Twilio is still answering
// the first delivery (a redelivery after the visibility timeout, or a double enqueue past the
// FIFO window): whatever the interleaving, Twilio is called once and the message ends sent.
func TestOverlappingDeliveriesSendOnce(t *testing.T) {
	t.Parallel()
	const sid = "SM22222222222222222222222222222222"
	tests := []struct {
		name string
		// midSend delivers the second job while the first one's request is held by Twilio.
		midSend    bool
		concurrent int
	}{
		{name: "redelivery while Twilio answers", midSend: true},
		{name: "five concurrent deliveries", concurrent: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, inbox.Message{Text: "once"})
			arrived, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			api := newTwilioAPI(t, func(n int, w http.ResponseWriter, form url.Values) {
				if tt.midSend {
					once.Do(func() { close(arrived) })
					<-release
				}
				created(sid)(n, w, form)
			})
			d := f.dispatcher(api.URL)
			var errs []error
			if tt.midSend {
				first := make(chan error, 1)
				go func() { first <- d.Handle(f.ctx, f.job, 1) }()
				<-arrived
				errs = append(errs, d.Handle(f.ctx, f.job, 2))
				close(release)
				errs = append(errs, <-first)
			} else {
				errs = make([]error, tt.concurrent)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range tt.concurrent {
					wg.Go(func() {
						<-start
						errs[i] = d.Handle(f.ctx, f.job, 1)
					})
				}
				close(start)
				wg.Wait()
			}
			// A delivery that finds the message mid-send asks to be retried (a conflict).
			for i, err := range errs {
				if err != nil && !inbox.IsCode(err, inbox.EConflict) {
					t.Errorf("delivery %d: Handle = %v", i, err)
				}
			}
			// The retry after the first delivery finished finds the message sent.
			if err := d.Handle(f.ctx, f.job, 3); err != nil {
				t.Errorf("retry: Handle = %v", err)
			}
			if n := len(api.calls()); n != 1 {
				t.Errorf("%d requests to Twilio, want exactly 1", n)
			}
			if m := f.message(t); m.Status != inbox.MessageSent || m.ProviderID != sid {
				t.Errorf("message = %+v, want sent with %s", m, sid)
			}
		})
	}
}

// A job that finds its message "sending" since less than SendingTimeout leaves it alone and asks
// to be retried: another delivery may still be waiting on Twilio.
func TestJobForMessageBeingSentIsRetriedLater(t *testing.T) {
	t.Parallel()
	f := newFixture(t, inbox.Message{Text: "in flight"})
	must(t, f.store.TransitionMessage(f.ctx, acct, f.conv.ID, f.msg.ID, inbox.MessagePending, inbox.MessageSending, now.Add(-dispatch.SendingTimeout/2)))
	api := newTwilioAPI(t, created("SMsecond"))
	err := f.dispatcher(api.URL).Handle(f.ctx, f.job, 2)
	if inbox.ErrorCodeOf(err) != inbox.EConflict {
		t.Fatalf("Handle = %v, want a conflict so that the job is retried", err)
	}
	if n := len(api.calls()); n != 0 {
		t.Errorf("%d requests to Twilio, want none", n)
	}
	if m := f.message(t); m.Status != inbox.MessageSending || m.Error != nil {
		t.Errorf("message = %+v, want it left sending", m)
	}
}

// A reply whose contact no longer exists is failed at once with a reason, instead of being
// retried until its job reaches the dead-letter queue while the message stays pending.
func TestJobForVanishedContactFailsTheMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, inbox.Message{Text: "to nobody"})
	conv := f.conv
	conv.ID = inbox.NewID()
	conv.ContactID = "vanished"
	conv.ContactPhone = "+14155550199"
	c, _, err := f.store.FindOrOpenConversation(f.ctx, conv)
	must(t, err)
	msg := inbox.Message{AccountID: acct, ConversationID: c.ID, ID: inbox.MessageID(base, "vanish01"), Direction: inbox.DirectionOut,
		Text: "to nobody", CreatedAt: base, UpdatedAt: base, Status: inbox.MessagePending}
	_, err = f.store.AppendMessage(f.ctx, c, msg, "")
	must(t, err)
	api := newTwilioAPI(t, created("SMnever"))
	job := inbox.OutboundJob{V: 1, AccountID: acct, ConversationID: c.ID, MessageID: msg.ID}
	if err := f.dispatcher(api.URL).Handle(f.ctx, job, 1); err != nil {
		t.Fatalf("Handle = %v, want the outcome recorded", err)
	}
	m, err := f.store.GetMessage(f.ctx, acct, c.ID, msg.ID)
	must(t, err)
	if m.Status != inbox.MessageFailed || m.Error == nil || m.Error.Code != "not_found" {
		t.Fatalf("message = %+v", m)
	}
	if n := len(api.calls()); n != 0 {
		t.Errorf("%d requests to Twilio, want none", n)
	}
}
