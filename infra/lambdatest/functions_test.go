//go:build linux

package lambdatest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/openinbox/inbox/shared/inbox"
)

// Test numbers: Twilio's magic "valid" sender and a customer.
const (
	channelPhone  = "+15005550006"
	customerPhone = "+14155550100"
)

// smsChannel creates an SMS channel with Twilio settings and an auth token in d's table through
// the store, as an admin would through the API.
func smsChannel(t testing.TB, d *deployment, acct string) inbox.Channel {
	t.Helper()
	return connect(t, d, inbox.Channel{
		AccountID: acct, Type: inbox.ChannelSMS, Name: "SMS", ProviderKey: channelPhone,
		Twilio:  &inbox.TwilioConfig{AccountSID: "AC" + inbox.NewID(), PhoneNumber: channelPhone},
		Secrets: map[string]string{inbox.SecretTwilioAuthToken: inbox.NewID()},
	})
}

// connect stores channel ch (given its account, type and settings) in a new inbox of its
// account in d's table, and returns it with its ids and creation time.
func connect(t testing.TB, d *deployment, ch inbox.Channel) inbox.Channel {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC()
	ib := inbox.Inbox{AccountID: ch.AccountID, ID: "inbox-" + inbox.NewID()[:8], Name: "Support", CreatedAt: now}
	if err := d.Store.CreateInbox(ctx, ib); err != nil {
		t.Fatal(err)
	}
	ch.ID, ch.InboxID, ch.CreatedAt = "ch-"+inbox.NewID()[:12], ib.ID, now
	if err := d.Store.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	return ch
}

// receiveAll receives every visible message of queueURL, without waiting.
func receiveAll(t testing.TB, d *deployment, queueURL string) []sqstypes.Message {
	t.Helper()
	out, err := d.SQS.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(queueURL),
		MaxNumberOfMessages:         10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		// The SQS emulator reads only the older, deprecated name of the same parameter.
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// TestTwilioFunction posts Twilio webhooks through API Gateway's event to the Twilio intake and
// checks the answers Twilio gets and what reaches the inbound queue.
func TestTwilioFunction(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	ch := smsChannel(t, d, "acct-"+inbox.NewID()[:8])
	token := ch.Secrets[inbox.SecretTwilioAuthToken]
	fn := start(t, "TwilioFunction", d)

	twiml := httpResponse(t, mustJSON(t, fixture(t, "apigw/v2_response_twilio_empty_twiml.json")))
	good := twilioForm(ch.Twilio.AccountSID, customerPhone, channelPhone, "Hello, is the shop open?")
	goodHook := newTwilioWebhook(t, ch.ID, good)

	cases := []struct {
		name       string
		event      func() map[string]any
		deliveries int // times Twilio posts the event; 0 means 1
		wantStatus int
		wantQueued int
	}{
		{
			name: "bad signature is refused and nothing is queued",
			event: func() map[string]any {
				f := twilioForm(ch.Twilio.AccountSID, customerPhone, channelPhone, "forged")
				return newTwilioWebhook(t, ch.ID, f).signed("not-the-auth-token", f)
			},
			wantStatus: http.StatusForbidden,
		},
		{
			name: "signature over another body is refused",
			event: func() map[string]any {
				f := twilioForm(ch.Twilio.AccountSID, customerPhone, channelPhone, "original")
				w := newTwilioWebhook(t, ch.ID, f)
				ev := w.signed(token, f)
				f.Set("Body", "tampered")
				ev["body"] = newTwilioWebhook(t, ch.ID, f).Event["body"]
				return ev
			},
			wantStatus: http.StatusForbidden,
		},
		{
			name: "unknown channel",
			event: func() map[string]any {
				f := twilioForm(ch.Twilio.AccountSID, customerPhone, channelPhone, "hi")
				return newTwilioWebhook(t, "no-such-channel", f).signed(token, f)
			},
			wantStatus: http.StatusNotFound,
		},
		{
			// Twilio retries when it gets no answer in time: the FIFO queue drops the copy.
			name:       "signed message is queued once though Twilio retries",
			event:      func() map[string]any { return goodHook.signed(token, good) },
			deliveries: 2,
			wantStatus: http.StatusOK,
			wantQueued: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for range max(c.deliveries, 1) {
				r := httpResponse(t, fn.invoke(t, c.event()))
				if r.StatusCode != c.wantStatus {
					t.Fatalf("status = %d, want %d; body %s", r.StatusCode, c.wantStatus, r.Body)
				}
				if c.wantStatus == http.StatusOK {
					if r.Body != twiml.Body || header(r, "Content-Type") != header(twiml, "Content-Type") {
						t.Errorf("response = %q (%s), want %q (%s)", r.Body, header(r, "Content-Type"), twiml.Body, header(twiml, "Content-Type"))
					}
				} else if !strings.Contains(header(r, "Content-Type"), "json") {
					t.Errorf("error answered with content type %q, want JSON", header(r, "Content-Type"))
				}
			}
			msgs := receiveAll(t, d, d.queue(t, "InboundQueue"))
			if len(msgs) != c.wantQueued {
				t.Fatalf("queued %d messages, want %d", len(msgs), c.wantQueued)
			}
			for _, m := range msgs {
				var env inbox.Envelope
				if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
					t.Fatalf("queued body %s: %v", aws.ToString(m.Body), err)
				}
				want := inbox.Envelope{
					V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: ch.AccountID,
					ChannelID: ch.ID, ChannelType: inbox.ChannelSMS, ProviderMessageID: good.Get("MessageSid"),
					From: inbox.Sender{Phone: customerPhone}, To: channelPhone, Text: good.Get("Body"),
					ReceivedAt: env.ReceivedAt,
				}
				if !reflect.DeepEqual(env, want) {
					t.Errorf("envelope = %+v\nwant       %+v", env, want)
				}
				if age := time.Since(env.ReceivedAt); age < 0 || age > time.Minute {
					t.Errorf("receivedAt = %v", env.ReceivedAt)
				}
				if g := m.Attributes[string(sqstypes.MessageSystemAttributeNameMessageGroupId)]; g != want.GroupKey() {
					t.Errorf("message group = %q, want %q", g, want.GroupKey())
				}
				// Deleted, as the router's event source mapping would after success.
				if _, err := d.SQS.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(d.queue(t, "InboundQueue")), ReceiptHandle: m.ReceiptHandle}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestApiFunction calls the REST API through API Gateway's event with the JWT authorizer's
// claims, as an admin, an agent and an anonymous caller.
func TestApiFunction(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	fn := start(t, "ApiFunction", d)
	acct := "acct-" + inbox.NewID()[:8]
	admin := claims("admin-1", acct, inbox.RoleAdmin)
	agent := claims("agent-1", acct, inbox.RoleAgent)

	var created inbox.Inbox
	cases := []struct {
		name, method, path, body string
		claims                   map[string]any
		wantStatus               int
		check                    func(t *testing.T, body string)
	}{
		{
			name: "me", method: "GET", path: "/v1/me", claims: admin, wantStatus: http.StatusOK,
			check: func(t *testing.T, body string) {
				var me map[string]string
				decode(t, body, &me)
				want := map[string]string{"accountId": acct, "userId": "admin-1", "role": "admin"}
				if !reflect.DeepEqual(me, want) {
					t.Errorf("me = %v, want %v", me, want)
				}
			},
		},
		{
			name: "no inboxes yet", method: "GET", path: "/v1/inboxes", claims: admin, wantStatus: http.StatusOK,
			check: func(t *testing.T, body string) {
				if strings.TrimSpace(body) != `{"items":[]}` {
					t.Errorf("body = %s", body)
				}
			},
		},
		{
			name: "admin creates an inbox", method: "POST", path: "/v1/inboxes", body: `{"name":"Support"}`,
			claims: admin, wantStatus: http.StatusCreated,
			check: func(t *testing.T, body string) {
				decode(t, body, &created)
				if created.ID == "" || created.Name != "Support" || created.CreatedAt.IsZero() {
					t.Errorf("created = %+v", created)
				}
			},
		},
		{
			name: "agent lists the inbox", method: "GET", path: "/v1/inboxes", claims: agent, wantStatus: http.StatusOK,
			check: func(t *testing.T, body string) {
				var l struct{ Items []inbox.Inbox }
				decode(t, body, &l)
				if len(l.Items) != 1 || l.Items[0].ID != created.ID || l.Items[0].Name != "Support" {
					t.Errorf("items = %+v, want the created inbox %+v", l.Items, created)
				}
			},
		},
		{
			name: "agent may not create inboxes", method: "POST", path: "/v1/inboxes", body: `{"name":"Sales"}`,
			claims: agent, wantStatus: http.StatusForbidden,
		},
		{
			name: "other account sees nothing", method: "GET", path: "/v1/inboxes", claims: claims("u", "acct-other", inbox.RoleAdmin),
			wantStatus: http.StatusOK,
			check: func(t *testing.T, body string) {
				if strings.TrimSpace(body) != `{"items":[]}` {
					t.Errorf("body = %s", body)
				}
			},
		},
		{name: "no authorizer", method: "GET", path: "/v1/inboxes", wantStatus: http.StatusUnauthorized},
		{name: "no authorizer on POST", method: "POST", path: "/v1/inboxes", body: `{"name":"X"}`, wantStatus: http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httpResponse(t, fn.invoke(t, apiRequest(t, c.method, c.path, c.claims, c.body)))
			if r.StatusCode != c.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.StatusCode, c.wantStatus, r.Body)
			}
			if ct := header(r, "Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type = %q", ct)
			}
			if !json.Valid([]byte(r.Body)) {
				t.Fatalf("body is not JSON: %q", r.Body)
			}
			if c.check != nil {
				c.check(t, r.Body)
			}
		})
	}
}

// TestRouterFunction hands the router a FIFO batch with an undecodable message in the middle and
// then a redelivery, and checks the partial batch responses and what was stored.
func TestRouterFunction(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	acct := "acct-" + inbox.NewID()[:8]
	ch := smsChannel(t, d, acct)
	fn := start(t, "RouterFunction", d)

	received := time.Now().UTC().Truncate(time.Millisecond)
	envelope := func(sid, text string) inbox.Envelope {
		return inbox.Envelope{
			V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: acct, ChannelID: ch.ID,
			ChannelType: inbox.ChannelSMS, ProviderMessageID: sid, From: inbox.Sender{Phone: customerPhone},
			To: channelPhone, Text: text, ReceivedAt: received,
		}
	}
	message := func(env inbox.Envelope) sqsMessage {
		return sqsMessage{ID: inbox.NewID(), Body: string(mustJSON(t, env)), Group: env.GroupKey(), Dedup: env.DedupKey()}
	}
	first := envelope("SM"+inbox.NewID(), "Hello, is the shop open?")
	third := envelope("SM"+inbox.NewID(), "Also, do you deliver?")
	m1, m3 := message(first), message(third)
	m2 := sqsMessage{ID: inbox.NewID(), Body: `{"v":1,"kind":"message",`, Group: first.GroupKey(), Dedup: "broken"}

	cases := []struct {
		name         string
		msgs         []sqsMessage
		wantFailures []string
	}{
		// A body that can never be parsed is dropped (logged and counted), not retried into the
		// DLQ, and the later record of its group is stored.
		{"undecodable body is dropped and its group goes on", []sqsMessage{m1, m2, m3}, []string{}},
		{"redelivery of the stored message", []sqsMessage{{ID: m1.ID, Body: m1.Body, Group: m1.Group, Dedup: m1.Dedup, ReceiveCount: 2}}, []string{}},
		{"empty batch", nil, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := fn.invoke(t, sqsEvent(t, d.queue(t, "InboundQueue"), c.msgs...))
			got := batchResponse(t, raw)
			if ids := failureIDs(got); !slices.Equal(ids, c.wantFailures) {
				t.Errorf("batchItemFailures = %v, want %v", ids, c.wantFailures)
			}
			if len(c.wantFailures) == 0 && string(raw) != `{"batchItemFailures":[]}` {
				t.Errorf("success response = %s, want the documented empty list", raw)
			}
			convs, _, err := d.Store.ListConversations(t.Context(), acct, inbox.ConversationFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(convs) != 1 {
				t.Fatalf("%d conversations, want 1", len(convs))
			}
			cv := convs[0]
			if cv.ChannelID != ch.ID || cv.InboxID != ch.InboxID || cv.ContactPhone != customerPhone || cv.Status != inbox.StatusOpen {
				t.Errorf("conversation = %+v", cv)
			}
			msgs, err := d.Store.ListMessages(t.Context(), acct, cv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 2 {
				t.Fatalf("%d messages, want exactly 2: %+v", len(msgs), msgs)
			}
			for _, env := range []inbox.Envelope{first, third} {
				i := slices.IndexFunc(msgs, func(m inbox.Message) bool { return m.ProviderID == env.ProviderMessageID })
				if i < 0 {
					t.Fatalf("message %s not stored: %+v", env.ProviderMessageID, msgs)
				}
				if m := msgs[i]; m.Text != env.Text || m.Direction != inbox.DirectionIn || m.Status != inbox.MessageReceived || !m.CreatedAt.Equal(received) {
					t.Errorf("message = %+v", m)
				}
			}
		})
	}
}

// twilioAPI is a stand-in for Twilio's Messages API that follows its wire format: POST
// /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP basic auth and a form, answered
// with 201 and the created message resource.
type twilioAPI struct {
	accountSID, authToken string

	mu       sync.Mutex
	requests []url.Values
	sids     []string
}

func (a *twilioAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	want := "/2010-04-01/Accounts/" + a.accountSID + "/Messages.json"
	if r.Method != http.MethodPost || r.URL.Path != want {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"code":20404,"message":"The requested resource ` + r.URL.Path + ` was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`))
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != a.accountSID || p != a.authToken {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":20001,"message":"unexpected content type","status":400}`))
		return
	}
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	sid := "SM" + inbox.NewID()
	a.mu.Lock()
	a.requests = append(a.requests, r.PostForm)
	a.sids = append(a.sids, sid)
	a.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC1123Z)
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"account_sid": a.accountSID, "api_version": "2010-04-01", "body": r.PostForm.Get("Body"),
		"date_created": now, "date_sent": nil, "date_updated": now, "direction": "outbound-api",
		"error_code": nil, "error_message": nil, "from": r.PostForm.Get("From"),
		"messaging_service_sid": nil, "num_media": "0", "num_segments": "1", "price": nil,
		"price_unit": "USD", "sid": sid, "status": "queued", "to": r.PostForm.Get("To"),
		"subresource_uris": map[string]string{"media": "/2010-04-01/Accounts/" + a.accountSID + "/Messages/" + sid + "/Media.json"},
		"uri":              "/2010-04-01/Accounts/" + a.accountSID + "/Messages/" + sid + ".json",
	})
}

func (a *twilioAPI) seen() ([]url.Values, []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.requests), slices.Clone(a.sids)
}

// TestDispatchFunction has the dispatcher send a pending reply through a Twilio stand-in and
// checks the request Twilio got and the message's final state; a redelivery sends nothing.
func TestDispatchFunction(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	acct := "acct-" + inbox.NewID()[:8]
	ch := smsChannel(t, d, acct)
	api := &twilioAPI{accountSID: ch.Twilio.AccountSID, authToken: ch.Secrets[inbox.SecretTwilioAuthToken]}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	d.TwilioAPIBase = srv.URL

	ctx := t.Context()
	now := time.Now().UTC()
	contact, _, err := d.Store.UpsertContactByPhone(ctx, inbox.Contact{AccountID: acct, ID: inbox.NewID(), Phone: customerPhone, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	conv, _, err := d.Store.FindOrOpenConversation(ctx, inbox.Conversation{
		AccountID: acct, ID: inbox.NewID(), InboxID: ch.InboxID, ChannelID: ch.ID, ChannelType: ch.Type,
		ContactID: contact.ID, ContactPhone: contact.Phone, Status: inbox.StatusOpen,
		LastMessageAt: now, CreatedAt: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := inbox.Message{
		ID: inbox.MessageID(now, inbox.NewID()), Direction: inbox.DirectionOut, Text: "Yes, open until 6pm.",
		Status: inbox.MessagePending, AuthorID: "agent-1", CreatedAt: now, UpdatedAt: now,
	}
	if _, err := d.Store.AppendMessage(ctx, conv, msg, ""); err != nil {
		t.Fatal(err)
	}
	job := inbox.OutboundJob{V: 1, AccountID: acct, ConversationID: conv.ID, MessageID: msg.ID}
	sqsMsg := sqsMessage{ID: inbox.NewID(), Body: string(mustJSON(t, job)), Group: job.GroupKey(), Dedup: job.DedupKey()}

	fn := start(t, "DispatchFunction", d)
	for i, name := range []string{"pending reply is sent", "redelivery sends nothing"} {
		t.Run(name, func(t *testing.T) {
			m := sqsMsg
			m.ReceiveCount = i + 1
			got := batchResponse(t, fn.invoke(t, sqsEvent(t, d.queue(t, "OutboundQueue"), m)))
			if len(got.BatchItemFailures) != 0 {
				t.Fatalf("batchItemFailures = %v", failureIDs(got))
			}
			reqs, sids := api.seen()
			if len(reqs) != 1 {
				t.Fatalf("Twilio got %d requests, want 1", len(reqs))
			}
			want := url.Values{"To": {customerPhone}, "From": {channelPhone}, "Body": {msg.Text}}
			if !reflect.DeepEqual(reqs[0], want) {
				t.Errorf("form = %v, want %v", reqs[0], want)
			}
			stored, err := d.Store.GetMessage(t.Context(), acct, conv.ID, msg.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Status != inbox.MessageSent || stored.ProviderID != sids[0] || stored.Error != nil {
				t.Errorf("message = %+v, want sent with providerId %s", stored, sids[0])
			}
		})
	}
}

func failureIDs(r events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range r.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
}
