package apispec_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/openinbox/inbox/shared/httpapi"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/twilio"
)

// These tests run the real handlers over an in-memory store and check every exchange, so that
// a change of a handler's output that the description does not follow fails here.

type memStore struct {
	mu       sync.Mutex
	inboxes  map[string]inbox.Inbox
	channels map[string]inbox.Channel
	convs    map[string]inbox.Conversation
	msgs     map[string][]inbox.Message
}

func newMemStore() *memStore {
	return &memStore{inboxes: map[string]inbox.Inbox{}, channels: map[string]inbox.Channel{},
		convs: map[string]inbox.Conversation{}, msgs: map[string][]inbox.Message{}}
}

func notFound() error { return inbox.Errorf(inbox.ENotFound, "not found") }

func (s *memStore) CreateInbox(_ context.Context, ib inbox.Inbox) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inboxes[ib.ID] = ib
	return nil
}

func (s *memStore) GetInbox(_ context.Context, acct, id string) (inbox.Inbox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ib, ok := s.inboxes[id]; ok && ib.AccountID == acct {
		return ib, nil
	}
	return inbox.Inbox{}, notFound()
}

func (s *memStore) ListInboxes(_ context.Context, acct string) ([]inbox.Inbox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []inbox.Inbox
	for _, ib := range s.inboxes {
		if ib.AccountID == acct {
			out = append(out, ib)
		}
	}
	return out, nil
}

func (s *memStore) CreateChannel(_ context.Context, ch inbox.Channel) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.channels {
		if c.ProviderKey == ch.ProviderKey {
			return inbox.Errorf(inbox.EConflict, "this phone number is already connected to a channel")
		}
	}
	s.channels[ch.ID] = ch
	return nil
}

func (s *memStore) GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error) {
	ch, err := s.ChannelByID(ctx, id)
	if err != nil || ch.AccountID != acct {
		return inbox.Channel{}, notFound()
	}
	return ch, nil
}

func (s *memStore) ChannelByID(_ context.Context, id string) (inbox.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.channels[id]; ok {
		return ch, nil
	}
	return inbox.Channel{}, notFound()
}

func (s *memStore) ListChannels(_ context.Context, acct string) ([]inbox.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []inbox.Channel
	for _, ch := range s.channels {
		if ch.AccountID == acct {
			out = append(out, ch)
		}
	}
	return out, nil
}

func (s *memStore) GetConversation(_ context.Context, acct, id string) (inbox.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.convs[id]; ok && c.AccountID == acct {
		return c, nil
	}
	return inbox.Conversation{}, notFound()
}

func (s *memStore) ListConversations(_ context.Context, acct string, f inbox.ConversationFilter) ([]inbox.Conversation, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []inbox.Conversation
	for _, c := range s.convs {
		if c.AccountID == acct && (f.AssigneeID == "" || c.AssigneeID == f.AssigneeID) {
			out = append(out, c)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		return out[:f.Limit], "next-page", nil
	}
	return out, "", nil
}

func (s *memStore) ListMessages(ctx context.Context, acct, convID string) ([]inbox.Message, error) {
	if _, err := s.GetConversation(ctx, acct, convID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.msgs[convID], nil
}

func (s *memStore) AppendMessage(_ context.Context, conv inbox.Conversation, m inbox.Message, _ string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs[conv.ID] = append(s.msgs[conv.ID], m)
	return true, nil
}

func (s *memStore) SetAssignee(_ context.Context, acct, convID, assigneeID string) (inbox.Conversation, error) {
	return s.update(acct, convID, func(c *inbox.Conversation) { c.AssigneeID = assigneeID })
}

func (s *memStore) SetStatus(_ context.Context, acct, convID string, status inbox.ConversationStatus) (inbox.Conversation, error) {
	return s.update(acct, convID, func(c *inbox.Conversation) { c.Status = status })
}

func (s *memStore) update(acct, convID string, f func(*inbox.Conversation)) (inbox.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.convs[convID]
	if !ok || c.AccountID != acct {
		return inbox.Conversation{}, notFound()
	}
	f(&c)
	c.Version++
	s.convs[convID] = c
	return c, nil
}

func (s *memStore) UpdateDelivery(_ context.Context, _, convID, msgID string, u inbox.DeliveryUpdate, now time.Time) (inbox.Message, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.msgs[convID] {
		if m.ID == msgID {
			m.Status, m.Error, m.UpdatedAt = u.Status, u.Error, now
			s.msgs[convID][i] = m
			return m, true, nil
		}
	}
	return inbox.Message{}, false, notFound()
}

type queue struct{ err error }

func (q queue) Publish(context.Context, string, string, []byte) error { return q.err }

const (
	acct      = "acct1"
	authToken = "twilio-auth-token"
	host      = "api.example.com"
)

var (
	now   = time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)
	admin = map[string]string{"sub": "u-admin", "custom:account_id": acct, "custom:role": "admin"}
	agent = map[string]string{"sub": "u-agent", "custom:account_id": acct}
)

func seed() *memStore {
	s := newMemStore()
	s.inboxes["i1"] = inbox.Inbox{AccountID: acct, ID: "i1", Name: "Support", CreatedAt: now}
	s.channels["ch1"] = inbox.Channel{AccountID: acct, ID: "ch1", InboxID: "i1", Type: inbox.ChannelSMS, Name: "SMS +14155550199",
		ProviderKey: "+14155550199", Twilio: &inbox.TwilioConfig{AccountSID: "AC0123456789abcdef0123456789abcdef", PhoneNumber: "+14155550199"},
		Secrets: map[string]string{inbox.SecretTwilioAuthToken: authToken}, CreatedAt: now}
	s.convs["c1"] = inbox.Conversation{AccountID: acct, ID: "c1", InboxID: "i1", ChannelID: "ch1", ChannelType: inbox.ChannelSMS,
		ContactID: "k1", ContactPhone: "+14155550100", Status: inbox.StatusOpen, LastMessageAt: now, Preview: "[image/jpeg]",
		CreatedAt: now, Version: 1}
	s.convs["c2"] = inbox.Conversation{AccountID: acct, ID: "c2", InboxID: "i1", ChannelID: "ch1", ChannelType: inbox.ChannelSMS,
		ContactID: "k2", ContactName: "Ann", ContactPhone: "+14155550101", Status: inbox.StatusOpen, AssigneeID: "u-agent",
		LastMessageAt: now, Preview: "hello", CreatedAt: now, Version: 4}
	s.msgs["c1"] = []inbox.Message{
		{AccountID: acct, ConversationID: "c1", ID: "m1", Direction: inbox.DirectionIn, CreatedAt: now, UpdatedAt: now,
			Status: inbox.MessageReceived, Attachments: []inbox.Attachment{{URL: "https://api.twilio.com/m/ME1", ContentType: "image/jpeg"}}},
		{AccountID: acct, ConversationID: "c1", ID: "m2", Direction: inbox.DirectionOut, Text: "hi", CreatedAt: now, UpdatedAt: now,
			Status: inbox.MessageUndelivered, AuthorID: "u-agent", ProviderID: "SM2", Error: &inbox.ProviderError{Code: "30003", Message: "Unreachable destination handset"}},
	}
	return s
}

// call runs one request through h as API Gateway would hand it to the function (claims nil: no
// authorizer) and checks the exchange.
func call(t *testing.T, h http.Handler, claims map[string]string, method, target, contentType, body string) int {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: u.Path, RawQueryString: u.RawQuery, Body: body,
		Headers: map[string]string{"host": host, "authorization": "Bearer header.payload.signature"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: host,
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: u.Path},
		},
	}
	if contentType != "" {
		ev.Headers["content-type"] = contentType
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	req, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	respBody, _ := io.ReadAll(resp.Body)
	load(t).Check(t, req, []byte(body), resp, respBody)
	return resp.StatusCode
}

func TestHandlersMatchTheDescription(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	ids := 0
	cfg := httpapi.Config{Store: seed(), Outbound: queue{}, Now: func() time.Time { return now }, Log: log,
		NewID: func() string { ids++; return fmt.Sprintf("%032x", ids) }}
	api := httpapi.New(cfg)
	cfg.Outbound = queue{err: inbox.Errorf(inbox.EUnavailable, "the queue did not accept the message")}
	apiQueueDown := httpapi.New(cfg)
	const js = "application/json"
	channel := `{"type":"sms","inboxId":"i1","twilio":{"accountSid":"AC0123456789abcdef0123456789abcdef","authToken":"t","phoneNumber":"+14155550142"}}`

	for _, c := range []struct {
		h                           http.Handler
		claims                      map[string]string
		method, target, ctype, body string
		want                        int
	}{
		{api, agent, "GET", "/v1/me", "", "", 200},
		{api, nil, "GET", "/v1/me", "", "", 401},
		{api, map[string]string{"sub": "u", "custom:account_id": acct, "custom:role": "owner"}, "GET", "/v1/me", "", "", 403},
		{api, agent, "GET", "/v1/inboxes", "", "", 200},
		{api, agent, "GET", "/v1/inboxes/i1", "", "", 200},
		{api, agent, "GET", "/v1/inboxes/nope", "", "", 404},
		{api, admin, "POST", "/v1/inboxes", js, `{"name":" Sales "}`, 201},
		{api, admin, "POST", "/v1/inboxes", js, `{"name":""}`, 400},
		{api, admin, "POST", "/v1/inboxes", js, `{"name":"x","extra":1}`, 400},
		{api, admin, "POST", "/v1/inboxes", js, `{"name":"` + strings.Repeat("x", 70000) + `"}`, 413},
		{api, agent, "POST", "/v1/inboxes", js, `{"name":"Sales"}`, 403},
		{api, admin, "POST", "/v1/channels", js, channel, 201},
		{api, admin, "POST", "/v1/channels", js, channel, 409},
		{api, admin, "POST", "/v1/channels", js, `{"type":"sms","inboxId":"i1"}`, 400},
		{api, agent, "GET", "/v1/channels", "", "", 200},
		{api, agent, "GET", "/v1/channels/ch1", "", "", 200},
		{api, agent, "GET", "/v1/channels/nope", "", "", 404},
		{api, agent, "GET", "/v1/conversations", "", "", 200},
		{api, agent, "GET", "/v1/conversations?assignee=me&status=open", "", "", 200},
		{api, agent, "GET", "/v1/conversations?limit=1", "", "", 200},
		{api, agent, "GET", "/v1/conversations?limit=0", "", "", 400},
		{api, agent, "GET", "/v1/conversations?status=snoozed", "", "", 400},
		{api, agent, "GET", "/v1/conversations/c1", "", "", 200},
		{api, agent, "GET", "/v1/conversations/nope", "", "", 404},
		{api, agent, "PATCH", "/v1/conversations/c1", js, `{"assignee":"u-agent"}`, 200},
		{api, agent, "PATCH", "/v1/conversations/c1", js, `{"assignee":null,"status":"closed"}`, 200},
		{api, agent, "PATCH", "/v1/conversations/c1", js, `{"assignee":5}`, 400},
		{api, agent, "PATCH", "/v1/conversations/c1", js, `{"status":"snoozed"}`, 400},
		{api, agent, "GET", "/v1/conversations/c1/messages", "", "", 200},
		{api, agent, "GET", "/v1/conversations/nope/messages", "", "", 404},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"text":"On it"}`, 202},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"text":"  "}`, 400},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"text":"` + strings.Repeat("a", 1601) + `"}`, 400},
		{apiQueueDown, agent, "POST", "/v1/conversations/c1/messages", js, `{"text":"On it"}`, 503},
	} {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			if got := call(t, c.h, c.claims, c.method, c.target, c.ctype, c.body); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
		})
	}
}

func TestWebhooksMatchTheDescription(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	store := seed()
	clock := func() time.Time { return now }
	hooks := intake.NewTwilio(intake.Config{Channels: store, Queue: queue{}, Now: clock, Log: log})
	down := intake.NewTwilio(intake.Config{Channels: store, Queue: queue{err: inbox.Errorf(inbox.EUnavailable, "the queue did not accept the message")}, Now: clock, Log: log})
	const formCT = "application/x-www-form-urlencoded"

	post := func(t *testing.T, h http.Handler, path string, params url.Values, sign bool) int {
		t.Helper()
		body := params.Encode()
		req := httptest.NewRequest("POST", "http://127.0.0.1:3000"+path, strings.NewReader(body))
		req.Host = host
		req.Header.Set("Content-Type", formCT)
		if sign {
			req.Header.Set("X-Twilio-Signature", twilio.Signature(authToken, "https://"+host+path, params))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		respBody, _ := io.ReadAll(resp.Body)
		load(t).Check(t, req, []byte(body), resp, respBody)
		return resp.StatusCode
	}
	in := url.Values{"MessageSid": {"SM1"}, "SmsSid": {"SM1"}, "SmsMessageSid": {"SM1"}, "AccountSid": {"AC1"},
		"From": {"+14155550100"}, "To": {"+14155550199"}, "Body": {"hello"}, "NumMedia": {"1"}, "NumSegments": {"1"},
		"MediaUrl0": {"https://api.twilio.com/m/ME1"}, "MediaContentType0": {"image/jpeg"}, "ApiVersion": {"2010-04-01"}}
	status := url.Values{"MessageSid": {"SM2"}, "MessageStatus": {"delivered"}, "SmsStatus": {"delivered"},
		"AccountSid": {"AC1"}, "From": {"+14155550199"}, "To": {"+14155550100"}, "ApiVersion": {"2010-04-01"}}
	noFrom := url.Values{"MessageSid": {"SM3"}, "Body": {"x"}}
	badStatus := url.Values{"MessageSid": {"SM2"}, "MessageStatus": {"received"}}

	for _, c := range []struct {
		name   string
		h      http.Handler
		path   string
		params url.Values
		sign   bool
		want   int
	}{
		{"incoming", hooks, "/webhooks/twilio/ch1", in, true, 200},
		{"status", hooks, "/webhooks/twilio/ch1/status", status, true, 200},
		{"unsigned", hooks, "/webhooks/twilio/ch1", in, false, 403},
		{"unknown channel", hooks, "/webhooks/twilio/nope", in, true, 404},
		{"no From", hooks, "/webhooks/twilio/ch1", noFrom, true, 400},
		{"inbound status", hooks, "/webhooks/twilio/ch1/status", badStatus, true, 400},
		{"queue down", down, "/webhooks/twilio/ch1", in, true, 503},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := post(t, c.h, c.path, c.params, c.sign); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
		})
	}
}
