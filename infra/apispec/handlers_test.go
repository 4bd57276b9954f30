package apispec_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/openinbox/inbox/shared/httpapi"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/meta"
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

func (s *memStore) RenameInbox(_ context.Context, acct, id, name string) (inbox.Inbox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ib, ok := s.inboxes[id]
	if !ok || ib.AccountID != acct {
		return inbox.Inbox{}, notFound()
	}
	ib.Name = name
	s.inboxes[id] = ib
	return ib, nil
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
		if c.Type == ch.Type && c.ProviderKey == ch.ProviderKey {
			return inbox.Errorf(inbox.EConflict, "this %s is already connected to a channel", ch.Type)
		}
	}
	s.channels[ch.ID] = ch
	return nil
}

func (s *memStore) UpdateChannel(_ context.Context, ch inbox.Channel) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.channels[ch.ID]
	if !ok || cur.AccountID != ch.AccountID {
		return notFound()
	}
	if ch.Type != cur.Type || ch.ProviderKey != cur.ProviderKey {
		return inbox.Errorf(inbox.EInvalid, "the type and provider key of a channel cannot change")
	}
	s.channels[ch.ID] = ch
	return nil
}

func (s *memStore) DeleteChannel(_ context.Context, acct, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.channels[id]; !ok || ch.AccountID != acct {
		return notFound()
	}
	delete(s.channels, id)
	return nil
}

func (s *memStore) ChannelByProviderKey(_ context.Context, t inbox.ChannelType, key string) (inbox.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.channels {
		if ch.Type == t && ch.ProviderKey == key {
			return ch, nil
		}
	}
	return inbox.Channel{}, notFound()
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
		if c.AccountID == acct && (f.AssigneeID == "" || c.AssigneeID == f.AssigneeID) && (f.Status == "" || c.Status == f.Status) {
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

func (s *memStore) AppendNote(ctx context.Context, conv inbox.Conversation, m inbox.Message) (bool, error) {
	return s.AppendMessage(ctx, conv, m, "")
}

func (s *memStore) SetRead(ctx context.Context, acct, convID, user string, read bool) (inbox.Conversation, error) {
	c, err := s.GetConversation(ctx, acct, convID)
	if err != nil {
		return c, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mark := inbox.ReadMarkedUnread
	if read {
		mark = inbox.SortableTime(c.LastInboundAt)
	}
	c.ReadBy = inbox.NewReadMarkers(map[string]string{user: mark})
	s.convs[convID] = c
	return c, nil
}

func (s *memStore) UpsertContact(_ context.Context, c inbox.Contact) (inbox.Contact, bool, error) {
	return c, true, nil
}

func (s *memStore) FindOrOpenConversation(_ context.Context, c inbox.Conversation) (inbox.Conversation, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Version = 1
	s.convs[c.ID] = c
	return c, true, nil
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

func (s *memStore) GetMessage(ctx context.Context, acct, convID, msgID string) (inbox.Message, error) {
	ms, err := s.ListMessages(ctx, acct, convID)
	if err != nil {
		return inbox.Message{}, err
	}
	for _, m := range ms {
		if m.ID == msgID {
			return m, nil
		}
	}
	return inbox.Message{}, notFound()
}

func (s *memStore) RetryMessage(_ context.Context, _, convID, msgID, _ string, as []inbox.Attachment, now time.Time) (inbox.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.msgs[convID] {
		if m.ID == msgID {
			if m.Direction != inbox.DirectionOut || m.Status != inbox.MessageFailed || len(m.PartIDs) > 0 {
				return inbox.Message{}, inbox.Errorf(inbox.EConflict, "not a failed reply")
			}
			m.Status, m.Error, m.UpdatedAt = inbox.MessagePending, nil, now
			if as != nil {
				m.Attachments = as
			}
			s.msgs[convID][i] = m
			return m, nil
		}
	}
	return inbox.Message{}, notFound()
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

// blobs signs links the way S3 presigning shapes them.
type blobs struct{}

func (blobs) PresignGet(_ context.Context, key string, ttl time.Duration) (string, error) {
	return fmt.Sprintf("https://media-bucket.s3.eu-west-1.amazonaws.com/%s?X-Amz-Expires=%d&X-Amz-Signature=0f1e2d", key, int(ttl.Seconds())), nil
}

func (b blobs) PresignDownload(ctx context.Context, key, name, contentType string, ttl time.Duration) (string, error) {
	link, err := b.PresignGet(ctx, key, ttl)
	respType, disposition := inbox.Download(name, contentType)
	return link + "&response-content-disposition=" + url.QueryEscape(disposition) + "&response-content-type=" + url.QueryEscape(respType), err
}

const (
	acct      = "acct1"
	authToken = "twilio-auth-token"
	host      = "api.example.com"
	appSecret = "meta-app-secret"
	pageID    = "104857600123456"
	wabaID    = "102290129340398"
	phoneID   = "106540352242922"
	teamEmail = "support@acme.example"
)

var (
	now   = time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)
	admin = map[string]string{"sub": "u-admin", "custom:account_id": acct, "custom:role": "admin"}
	agent = map[string]string{"sub": "u-agent", "custom:account_id": acct}
	// ada is an agent whose token carries her name, as Cognito ID tokens can.
	ada = map[string]string{"sub": "u-ada", "custom:account_id": acct, "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace"}
)

func seed() *memStore {
	s := newMemStore()
	s.inboxes["i1"] = inbox.Inbox{AccountID: acct, ID: "i1", Name: "Support", CreatedAt: now}
	s.channels["ch1"] = inbox.Channel{AccountID: acct, ID: "ch1", InboxID: "i1", Type: inbox.ChannelSMS, Name: "SMS +14155550199",
		ProviderKey: "+14155550199", Twilio: &inbox.TwilioConfig{AccountSID: "AC0123456789abcdef0123456789abcdef", PhoneNumber: "+14155550199"},
		Secrets: map[string]string{inbox.SecretTwilioAuthToken: authToken}, CreatedAt: now}
	s.inboxes["i2"] = inbox.Inbox{AccountID: acct, ID: "i2", Name: "Sales", CreatedAt: now}
	s.channels["ch2"] = inbox.Channel{AccountID: acct, ID: "ch2", InboxID: "i1", Type: inbox.ChannelMessenger, Name: "Acme on Facebook",
		ProviderKey: pageID, Messenger: &inbox.MessengerConfig{PageID: pageID, VerifyToken: "verify-messenger"},
		Secrets: map[string]string{inbox.SecretPageAccessToken: "page-token", inbox.SecretAppSecret: appSecret}, CreatedAt: now}
	s.channels["ch3"] = inbox.Channel{AccountID: acct, ID: "ch3", InboxID: "i1", Type: inbox.ChannelWhatsApp, Name: "WhatsApp +15550783881",
		ProviderKey: phoneID, WhatsApp: &inbox.WhatsAppConfig{WABAID: wabaID, PhoneNumberID: phoneID, DisplayNumber: "+15550783881", VerifyToken: "verify-whatsapp"},
		Secrets: map[string]string{inbox.SecretAccessToken: "wa-token", inbox.SecretAppSecret: appSecret}, CreatedAt: now}
	s.channels["ch9"] = inbox.Channel{AccountID: acct, ID: "ch9", InboxID: "i1", Type: inbox.ChannelSMS, Name: "Old number",
		ProviderKey: "+14155550177", Twilio: &inbox.TwilioConfig{AccountSID: "AC0123456789abcdef0123456789abcdef", PhoneNumber: "+14155550177"},
		Secrets: map[string]string{inbox.SecretTwilioAuthToken: authToken}, CreatedAt: now}
	s.channels["other"] = inbox.Channel{AccountID: "acct2", ID: "other", InboxID: "i9", Type: inbox.ChannelMessenger, Name: "Not ours",
		ProviderKey: "999", Messenger: &inbox.MessengerConfig{PageID: "999", VerifyToken: "v"},
		Secrets: map[string]string{inbox.SecretPageAccessToken: "t", inbox.SecretAppSecret: "another-app"}, CreatedAt: now}
	wa := func(id string, lastInbound time.Time) inbox.Conversation {
		return inbox.Conversation{AccountID: acct, ID: id, InboxID: "i1", ChannelID: "ch3", ChannelType: inbox.ChannelWhatsApp,
			ContactID: "k-" + id, ContactName: "Ann", ContactPhone: "+16505551234", Status: inbox.StatusOpen,
			LastMessageAt: lastInbound, LastInboundAt: lastInbound, Preview: "[image]", CreatedAt: lastInbound, Version: 2}
	}
	fb := func(id string, lastInbound time.Time) inbox.Conversation {
		return inbox.Conversation{AccountID: acct, ID: id, InboxID: "i1", ChannelID: "ch2", ChannelType: inbox.ChannelMessenger,
			ContactID: "k-" + id, ContactName: "Bo", Status: inbox.StatusOpen,
			LastMessageAt: lastInbound, LastInboundAt: lastInbound, Preview: "reacted ❤", CreatedAt: lastInbound, Version: 2}
	}
	s.convs["wa-open"] = wa("wa-open", now.Add(-2*time.Hour))          // inside the 24-hour window
	s.convs["wa-closed"] = wa("wa-closed", now.Add(-48*time.Hour))     // templates only
	s.convs["fb-tagged"] = fb("fb-tagged", now.Add(-72*time.Hour))     // HUMAN_AGENT tag
	s.convs["fb-expired"] = fb("fb-expired", now.Add(-8*24*time.Hour)) // no reply at all
	in := func(id string, m inbox.Message) inbox.Message {
		m.AccountID, m.ID, m.Direction, m.Status, m.CreatedAt, m.UpdatedAt = acct, id, inbox.DirectionIn, inbox.MessageReceived, now, now
		return m
	}
	removed, heart := "", "❤"
	s.msgs["wa-open"] = []inbox.Message{
		in("w1", inbox.Message{ConversationID: "wa-open", Attachments: []inbox.Attachment{
			{Type: inbox.AttachImage, ContentType: "image/jpeg", MediaID: "1234567890", Caption: "the receipt", MediaStatus: inbox.MediaPending}}}),
		in("w2", inbox.Message{ConversationID: "wa-open", Attachments: []inbox.Attachment{
			{Type: inbox.AttachFile, ContentType: "application/pdf", MediaID: "1234567891", Name: "invoice.pdf", MediaStatus: inbox.MediaStored,
				StorageKey: "acct1/wa-open/w2/0"}}}),
		in("w3", inbox.Message{ConversationID: "wa-open", Attachments: []inbox.Attachment{
			{Type: inbox.AttachAudio, ContentType: "audio/ogg", MediaID: "1234567892", MediaStatus: inbox.MediaFailed, MediaError: "the file is larger than 100 MB"}}}),
		in("w4", inbox.Message{ConversationID: "wa-open", Attachments: []inbox.Attachment{
			{Type: inbox.AttachLocation, URL: "https://maps.example.com/x", Latitude: 37.4847, Longitude: -122.1477, Name: "Head office", Caption: "1 Hacker Way"}}}),
		in("w5", inbox.Message{ConversationID: "wa-open", Attachments: []inbox.Attachment{
			{Type: inbox.AttachContacts, Name: "Ann Smith", Data: `[{"name":{"formatted_name":"Ann Smith"}}]`}}}),
		in("w6", inbox.Message{ConversationID: "wa-open", Reaction: &removed, ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"}),
		in("w7", inbox.Message{ConversationID: "wa-open", Text: "Yes", Payload: "confirm-order", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTYA"}),
		in("w8", inbox.Message{ConversationID: "wa-open", Attachments: []inbox.Attachment{
			{Type: inbox.AttachFallback, Caption: "unsupported/order"}}}),
		{AccountID: acct, ConversationID: "wa-open", ID: "w9", Direction: inbox.DirectionOut, CreatedAt: now, UpdatedAt: now,
			Status: inbox.MessageRead, AuthorID: "u-agent", ProviderID: "wamid.out",
			Template: &inbox.Template{Name: "order_update", Language: "en_US", Parameters: []string{"Ann", "#1234"}}},
	}
	s.msgs["fb-tagged"] = []inbox.Message{
		in("f1", inbox.Message{ConversationID: "fb-tagged", Text: "look", Attachments: []inbox.Attachment{
			{Type: inbox.AttachImage, URL: "https://scontent.xx.fbcdn.net/v/t1/abc.jpg", MediaStatus: inbox.MediaPending},
			{Type: inbox.AttachSticker, URL: "https://scontent.xx.fbcdn.net/v/t39/sticker.png", Data: "369239263222822"},
			{Type: inbox.AttachFallback, URL: "https://www.facebook.com/reel/1", Name: "A reel", Caption: "reel"}}}),
		in("f2", inbox.Message{ConversationID: "fb-tagged", Reaction: &heart, ReplyTo: "m_abc"}),
		{AccountID: acct, ConversationID: "fb-tagged", ID: "f3", Direction: inbox.DirectionOut, Text: "sent from the page", CreatedAt: now,
			UpdatedAt: now, Status: inbox.MessageSent, ProviderID: "m_def"},
	}
	s.channels["ch4"] = inbox.Channel{AccountID: acct, ID: "ch4", InboxID: "i1", Type: inbox.ChannelEmail, Name: "Email " + teamEmail,
		ProviderKey: teamEmail, Email: &inbox.EmailConfig{Address: teamEmail, FromNameMode: inbox.FromNameAgentAndCompany, CompanyName: "Acme",
			FromAddress: teamEmail, SignatureHTML: "<p>{{agent.fullName}}</p>", ForwardedToOriginalSender: true},
		Secrets: map[string]string{}, CreatedAt: now}
	em := func(id, subject string, status inbox.ConversationStatus) inbox.Conversation {
		return inbox.Conversation{AccountID: acct, ID: id, InboxID: "i1", ChannelID: "ch4", ChannelType: inbox.ChannelEmail,
			ContactID: "k-" + id, ContactName: "Ann", ContactEmail: "ann@example.com", Status: status, Subject: subject,
			LastMessageAt: now, LastInboundAt: now, Preview: "Hello", CreatedAt: now, Version: 1, ThreadKey: "<" + id + "@mail.example.com>"}
	}
	s.convs["em-open"] = em("em-open", "Order 1234", inbox.StatusOpen)
	s.convs["em-spam"] = em("em-spam", "Cheap watches", inbox.StatusSpam)
	noAddress := em("em-noaddr", "", inbox.StatusOpen)
	noAddress.ContactEmail = ""
	s.convs["em-noaddr"] = noAddress
	s.msgs["em-open"] = []inbox.Message{
		in("e1", inbox.Message{ConversationID: "em-open", Text: "Hello, where is my order?", Subject: "Order 1234",
			HTML: `<p>Hello, where is my order? <img src="cid:logo@acme.example"></p>`, ProviderID: "CAB123@mail.example.com",
			Flags: []string{inbox.FlagForwarded}, Attachments: []inbox.Attachment{
				{Type: inbox.AttachImage, ContentType: "image/png", Name: "logo.png", Data: "cid:logo@acme.example",
					MediaStatus: inbox.MediaStored, StorageKey: "email/acct1/ch4/ses1/0-logo.png"},
				{Type: inbox.AttachFile, ContentType: "application/pdf", Name: "order.pdf", MediaStatus: inbox.MediaStored,
					StorageKey: "email/acct1/ch4/ses1/1-order.pdf"}}}),
		in("e2", inbox.Message{ConversationID: "em-open", Text: "I am out of the office.", Subject: "Auto: Order 1234",
			ProviderID: "CAB124@mail.example.com", Flags: []string{inbox.FlagAutoReply}}),
	}
	s.msgs["em-spam"] = []inbox.Message{
		in("s1", inbox.Message{ConversationID: "em-spam", Text: "Cheap watches", Subject: "Cheap watches",
			ProviderID: "spam1@spam.example", Flags: []string{inbox.FlagSpam, inbox.FlagVirus}}),
	}
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
	status, _ := exchangeWith(t, h, claims, method, target, contentType, body)
	return status
}

// exchangeWith is call returning the response's body too.
func exchangeWith(t *testing.T, h http.Handler, claims map[string]string, method, target, contentType, body string) (int, []byte) {
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
	return resp.StatusCode, respBody
}

func TestHandlersMatchTheDescription(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	ids := 0
	store := seed()
	cfg := httpapi.Config{Store: store, Outbound: queue{}, Blobs: blobs{}, Now: func() time.Time { return now }, Log: log,
		NewID: func() string { ids++; return fmt.Sprintf("%016x%016x", ids, ids) }, InboundEmailDomain: "in.example.com"}
	api := httpapi.New(cfg)
	noInbound := cfg
	noInbound.InboundEmailDomain = ""
	apiNoInbound := httpapi.New(noInbound)
	cfg.Outbound = queue{err: inbox.Errorf(inbox.EUnavailable, "the queue did not accept the message")}
	apiQueueDown := httpapi.New(cfg)
	const js = "application/json"
	channel := `{"type":"sms","inboxId":"i1","twilio":{"accountSid":"AC0123456789abcdef0123456789abcdef","authToken":"t","phoneNumber":"+14155550142"}}`
	messenger := `{"type":"messenger","inboxId":"i1","name":"Acme Shop","messenger":{"pageId":"200000000000001","pageAccessToken":"EAAGm0PX4ZCps","appSecret":"s3cret"}}`
	whatsApp := `{"type":"whatsapp","inboxId":"i2","whatsapp":{"wabaId":"300000000000001","phoneNumberId":"300000000000002",` +
		`"displayNumber":"+15550100200","accessToken":"EAAGm0PX4ZCps","appSecret":"s3cret","verifyToken":"paste-me"}}`
	template := `{"template":{"name":"order_update","language":"en_US","parameters":["Ann","#1234"]}}`
	file := `{"type":"file","url":"https://files.example.com/invoice.pdf","contentType":"application/pdf","name":"invoice.pdf"}`
	image := `{"type":"image","url":"https://files.example.com/photo.jpg"}`
	email := `{"type":"email","inboxId":"i1","email":{"address":" Help@Acme.example "}}`

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
		{api, admin, "PATCH", "/v1/inboxes/i1", js, `{"name":" Support desk "}`, 200},
		{api, admin, "PATCH", "/v1/inboxes/i1", js, `{"name":""}`, 400},
		{api, admin, "PATCH", "/v1/inboxes/nope", js, `{"name":"Sales"}`, 404},
		{api, agent, "PATCH", "/v1/inboxes/i1", js, `{"name":"Sales"}`, 403},

		// Channels: create.
		{api, admin, "POST", "/v1/channels", js, channel, 201},
		{api, admin, "POST", "/v1/channels", js, channel, 409},
		{api, admin, "POST", "/v1/channels", js, `{"type":"sms","inboxId":"i1"}`, 400},
		{api, admin, "POST", "/v1/channels", js, messenger, 201},
		{api, admin, "POST", "/v1/channels", js, messenger, 409},
		{api, admin, "POST", "/v1/channels", js, strings.Replace(messenger, `"200000000000001"`, `"acme"`, 1), 400},
		{api, admin, "POST", "/v1/channels", js, strings.Replace(messenger, `"appSecret":"s3cret"`, `"appSecret":" "`, 1), 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"messenger","inboxId":"i1","twilio":{"accountSid":"AC0123456789abcdef0123456789abcdef","authToken":"t","phoneNumber":"+14155550143"}}`, 400},
		{api, admin, "POST", "/v1/channels", js, whatsApp, 201},
		{api, admin, "POST", "/v1/channels", js, whatsApp, 409},
		{api, admin, "POST", "/v1/channels", js, strings.Replace(whatsApp, `"+15550100200"`, `"15550100200"`, 1), 400},
		{api, admin, "POST", "/v1/channels", js, strings.Replace(whatsApp, `"accessToken":"EAAGm0PX4ZCps",`, ``, 1), 400},
		{api, admin, "POST", "/v1/channels", js, strings.Replace(whatsApp, `"i2"`, `"nope"`, 1), 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"telegram","inboxId":"i1"}`, 400},
		{api, agent, "POST", "/v1/channels", js, messenger, 403},
		// Channels: create email.
		{api, admin, "POST", "/v1/channels", js, email, 201},
		{api, admin, "POST", "/v1/channels", js, email, 409},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"address":"` + teamEmail + `"}}`, 409},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i2","name":"Sales mail","email":{"address":"sales@elsewhere.example","forwarding":true,` +
			`"fromNameMode":"company","companyName":"Acme Sales","fromAddress":"sales@acme.example","signatureHtml":"<p>{{agent.firstName}}, Acme Sales</p>","forwardedToOriginalSender":false}}`, 201},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"forwarding":true}}`, 201},
		{apiNoInbound, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"forwarding":true}}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"forwarding":false}}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1"}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"address":"Support <support@acme.example>"}}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"address":"a@acme.example","fromNameMode":"company"}}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"address":"a@acme.example","fromNameMode":"company","companyName":"  "}}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"address":"a@acme.example","fromNameMode":"agent"}}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"address":"a@acme.example","fromAddress":"nobody"}}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"address":"a@acme.example","signatureHtml":"` + strings.Repeat("x", 33<<10) + `"}}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"i1","email":{"address":"a@acme.example"},"twilio":{"authToken":"t"}}`, 400},
		{api, admin, "POST", "/v1/channels", js, `{"type":"email","inboxId":"nope","email":{"address":"a@acme.example"}}`, 400},
		{api, agent, "POST", "/v1/channels", js, email, 403},

		// Channels: read.
		{api, agent, "GET", "/v1/channels", "", "", 200},
		{api, agent, "GET", "/v1/channels/ch1", "", "", 200},
		{api, agent, "GET", "/v1/channels/ch2", "", "", 200},
		{api, agent, "GET", "/v1/channels/ch3", "", "", 200},
		{api, agent, "GET", "/v1/channels/ch4", "", "", 200},
		{api, agent, "GET", "/v1/channels/nope", "", "", 404},
		{api, agent, "GET", "/v1/channels/other", "", "", 404},

		// Channels: edit.
		{api, admin, "PATCH", "/v1/channels/ch2", js, `{"name":"Acme Support","messenger":{"pageAccessToken":"rotated","verifyToken":"new-verify"}}`, 200},
		{api, admin, "PATCH", "/v1/channels/ch2", js, `{"type":"messenger","messenger":{"pageId":"` + pageID + `"}}`, 200},
		{api, admin, "PATCH", "/v1/channels/ch2", js, `{"messenger":{"pageId":"200000000000009"}}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch2", js, `{"type":"whatsapp"}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch3", js, `{"inboxId":"i2","whatsapp":{"phoneNumberId":"` + phoneID + `","displayNumber":"+15550783882","accessToken":"rotated"}}`, 200},
		{api, admin, "PATCH", "/v1/channels/ch3", js, `{"whatsapp":{"phoneNumberId":"300000000000009"}}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch3", js, `{"whatsapp":{"displayNumber":"555"}}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch1", js, `{"twilio":{"authToken":"rotated"}}`, 200},
		{api, admin, "PATCH", "/v1/channels/ch1", js, `{"twilio":{"phoneNumber":"+14155550100"}}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch1", js, `{"inboxId":"nope"}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch1", js, `{"name":"x","color":"red"}`, 400},
		{api, admin, "PATCH", "/v1/channels/nope", js, `{"name":"x"}`, 404},
		{api, admin, "PATCH", "/v1/channels/other", js, `{"name":"x"}`, 404},
		{api, agent, "PATCH", "/v1/channels/ch1", js, `{"name":"x"}`, 403},
		{api, admin, "PATCH", "/v1/channels/ch4", js, `{"type":"email","email":{"address":"SUPPORT@acme.example","fromNameMode":"company","companyName":"Acme Inc"}}`, 200},
		{api, admin, "PATCH", "/v1/channels/ch4", js, `{"email":{"companyName":" "}}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch4", js, `{"email":{"fromNameMode":"agent_and_company","companyName":"Acme","forwardedToOriginalSender":false}}`, 200},
		{api, admin, "PATCH", "/v1/channels/ch4", js, `{"email":{"address":"help@acme.example"}}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch4", js, `{"email":{"fromAddress":"not an address"}}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch4", js, `{"messenger":{"verifyToken":"x"}}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch4", js, `{"type":"sms"}`, 400},
		{api, admin, "PATCH", "/v1/channels/ch4", js, `{"email":{"signature":"<p>x</p>"}}`, 400},

		// Email previews, for the caller or for ?name=.
		{api, ada, "GET", "/v1/channels/ch4/email-preview", "", "", 200},
		{api, agent, "GET", "/v1/channels/ch4/email-preview", "", "", 200},
		{api, agent, "GET", "/v1/channels/ch4/email-preview?name=Grace%20Hopper", "", "", 200},
		{api, agent, "GET", "/v1/channels/ch1/email-preview", "", "", 400},
		{api, agent, "GET", "/v1/channels/nope/email-preview", "", "", 404},
		{api, agent, "GET", "/v1/channels/other/email-preview", "", "", 404},
		{api, nil, "GET", "/v1/channels/ch4/email-preview", "", "", 401},

		// Channels: delete.
		{api, agent, "DELETE", "/v1/channels/ch9", "", "", 403},
		{api, admin, "DELETE", "/v1/channels/ch9", "", "", 204},
		{api, admin, "DELETE", "/v1/channels/ch9", "", "", 404},
		{api, admin, "DELETE", "/v1/channels/other", "", "", 404},

		{api, agent, "GET", "/v1/conversations", "", "", 200},
		{api, agent, "GET", "/v1/conversations?assignee=me&status=open", "", "", 200},
		{api, agent, "GET", "/v1/conversations?limit=1", "", "", 200},
		{api, agent, "GET", "/v1/conversations?limit=0", "", "", 400},
		{api, agent, "GET", "/v1/conversations?status=snoozed", "", "", 400},
		{api, agent, "GET", "/v1/conversations/c1", "", "", 200},
		{api, agent, "GET", "/v1/conversations/wa-open", "", "", 200},
		{api, agent, "GET", "/v1/conversations/fb-tagged", "", "", 200},
		{api, agent, "GET", "/v1/conversations/nope", "", "", 404},
		{api, agent, "PATCH", "/v1/conversations/c1", js, `{"assignee":"u-agent"}`, 200},
		{api, agent, "PATCH", "/v1/conversations/c1", js, `{"assignee":null,"status":"closed"}`, 200},
		{api, agent, "PATCH", "/v1/conversations/c1", js, `{"assignee":5}`, 400},
		{api, agent, "PATCH", "/v1/conversations/c1", js, `{"status":"snoozed"}`, 400},
		{api, agent, "GET", "/v1/conversations/c1/messages", "", "", 200},
		{api, agent, "GET", "/v1/conversations/wa-open/messages", "", "", 200},
		{api, agent, "GET", "/v1/conversations/fb-tagged/messages", "", "", 200},
		{api, agent, "GET", "/v1/conversations/nope/messages", "", "", 404},
		{api, agent, "GET", "/v1/conversations?status=spam", "", "", 200},
		{api, agent, "GET", "/v1/conversations?status=closed&inboxId=i1", "", "", 200},
		{api, agent, "GET", "/v1/conversations/em-open", "", "", 200},
		{api, agent, "GET", "/v1/conversations/em-spam", "", "", 200},
		{api, agent, "GET", "/v1/conversations/em-noaddr", "", "", 200},
		{api, agent, "GET", "/v1/conversations/em-open/messages", "", "", 200},
		{api, agent, "GET", "/v1/conversations/em-spam/messages", "", "", 200},
		{api, agent, "PATCH", "/v1/conversations/em-spam", js, `{"status":"spam"}`, 400},
		{api, agent, "PATCH", "/v1/conversations/em-noaddr", js, `{"status":"closed","assignee":"u-agent"}`, 200},

		// Replies: SMS.
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"text":"On it"}`, 202},
		{api, agent, "POST", "/v1/conversations/c1/notes", js, `{"text":"Refund approved"}`, 201},
		{api, agent, "PUT", "/v1/conversations/c1/read", js, `{"read":true}`, 200},
		{api, agent, "PUT", "/v1/conversations/c1/read", js, `{"read":false}`, 200},
		{api, agent, "PUT", "/v1/conversations/c1/read", js, `{}`, 400},
		{api, agent, "PUT", "/v1/conversations/nope/read", js, `{"read":true}`, 404},
		{api, agent, "POST", "/v1/conversations/c1/notes", js, `{"text":" "}`, 400},
		{api, agent, "POST", "/v1/conversations/nope/notes", js, `{"text":"x"}`, 404},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"text":"Photos","attachments":[` + image + `,` + file + `]}`, 202},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"text":"  "}`, 400},
		{api, agent, "POST", "/v1/conversations/nope/messages/m1/retry", "", "", 404},
		{api, agent, "POST", "/v1/conversations/c1/messages/nope/retry", "", "", 404},
		{api, agent, "POST", "/v1/conversations/wa-open/messages/w7/retry", "", "", 409},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"text":"` + strings.Repeat("a", 1601) + `"}`, 400},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, template, 400},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"attachments":[{"type":"image","url":"ftp://files.example.com/a.jpg"}]}`, 400},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"attachments":[{"type":"sticker","url":"https://files.example.com/a.png"}]}`, 400},
		{apiQueueDown, agent, "POST", "/v1/conversations/c1/messages", js, `{"text":"On it"}`, 503},
		// Replies: WhatsApp, inside and outside the 24-hour window.
		{api, agent, "POST", "/v1/conversations/wa-open/messages", js, template, 202},
		{api, agent, "POST", "/v1/conversations/wa-open/messages", js, `{"text":"Here it is","attachments":[` + file + `]}`, 202},
		{api, agent, "POST", "/v1/conversations/wa-open/messages", js, `{"attachments":[` + image + `,` + file + `]}`, 400},
		{api, agent, "POST", "/v1/conversations/wa-open/messages", js, `{"text":"Hi","template":{"name":"order_update","language":"en_US"}}`, 400},
		{api, agent, "POST", "/v1/conversations/wa-open/messages", js, `{"template":{"name":"order_update","language":" "}}`, 400},
		{api, agent, "POST", "/v1/conversations/wa-closed/messages", js, `{"text":"Still there?"}`, 400},
		{api, agent, "POST", "/v1/conversations/wa-closed/messages", js, `{"template":{"name":"hello_world","language":"en_US"}}`, 202},
		// Replies: Messenger, tagged HUMAN_AGENT after 24 hours, refused after 7 days.
		{api, agent, "POST", "/v1/conversations/fb-tagged/messages", js, `{"text":"Sorry for the wait"}`, 202},
		{api, agent, "POST", "/v1/conversations/fb-tagged/messages", js, `{"attachments":[` + image + `]}`, 202},
		{api, agent, "POST", "/v1/conversations/fb-tagged/messages", js, `{"text":"Photo","attachments":[` + image + `]}`, 202},
		{api, agent, "POST", "/v1/conversations/fb-tagged/messages", js, `{"text":"Photos","attachments":[` + image + `,` + image + `]}`, 400},
		{api, agent, "POST", "/v1/conversations/fb-tagged/messages", js, template, 400},
		{api, agent, "POST", "/v1/conversations/fb-expired/messages", js, `{"text":"Still there?"}`, 400},
		// Replies: email, text and/or sanitized HTML, to a contact with an address.
		{api, ada, "POST", "/v1/conversations/em-open/messages", js, `{"text":"It ships today."}`, 202},
		{api, ada, "POST", "/v1/conversations/em-open/messages", js, `{"text":"It ships today.","html":"<p>It ships <b>today</b>.</p>","attachments":[` + file + `]}`, 202},
		{api, agent, "POST", "/v1/conversations/em-open/messages", js, `{"text":"","html":" "}`, 400},
		{api, agent, "POST", "/v1/conversations/em-open/messages", js, `{"attachments":[` + file + `]}`, 400},
		{api, agent, "POST", "/v1/conversations/em-open/messages", js, template, 400},
		{api, agent, "POST", "/v1/conversations/em-noaddr/messages", js, `{"text":"Hello?"}`, 400},
		{api, agent, "POST", "/v1/conversations/c1/messages", js, `{"html":"<p>On it</p>"}`, 400},
		{api, agent, "POST", "/v1/conversations/wa-open/messages", js, `{"text":"On it","html":"<p>On it</p>"}`, 400},

		// Users, teams, rules, contacts, tickets and the queue: the store here has no People, so
		// they answer 503 (after the admin check where there is one).
		{api, agent, "GET", "/v1/users", "", "", 503},
		{api, admin, "POST", "/v1/users", js, `{"id":"u-new","name":"Ada","capacity":3}`, 503},
		{api, agent, "POST", "/v1/users", js, `{"id":"u-new","name":"Ada"}`, 403},
		{api, agent, "GET", "/v1/users/me", "", "", 503},
		{api, agent, "PATCH", "/v1/users/me", js, `{"available":false}`, 503},
		{api, agent, "GET", "/v1/teams", "", "", 503},
		{api, admin, "POST", "/v1/teams", js, `{"name":"Tier 1","userIds":["u-agent"]}`, 503},
		{api, agent, "POST", "/v1/teams", js, `{"name":"Tier 1"}`, 403},
		{api, admin, "PATCH", "/v1/teams/t1", js, `{"name":"Tier 2"}`, 503},
		{api, admin, "PUT", "/v1/channels/ch1/routing", js, `{"autoAssign":true,"target":"users_and_teams","userIds":["u-agent"],"onlyAvailable":true}`, 503},
		{api, agent, "PUT", "/v1/channels/ch1/routing", js, `{"autoAssign":false,"target":"users_and_teams"}`, 403},
		{api, agent, "GET", "/v1/contacts/k1", "", "", 503},
		{api, agent, "PATCH", "/v1/contacts/k1", js, `{"ownerId":null}`, 503},
		{api, agent, "GET", "/v1/tickets?pipeline=support&stage=new", "", "", 503},
		{api, agent, "GET", "/v1/tickets/t1", "", "", 503},
		{api, agent, "PATCH", "/v1/tickets/t1", js, `{"stage":"done"}`, 503},
		{api, agent, "GET", "/v1/queue", "", "", 503},
	} {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			if got := call(t, c.h, c.claims, c.method, c.target, c.ctype, c.body); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
		})
	}

	// Secrets left out of an edit are kept.
	ch2, _ := store.ChannelByID(context.Background(), "ch2")
	if ch2.Secrets[inbox.SecretAppSecret] != appSecret || ch2.Secrets[inbox.SecretPageAccessToken] != "rotated" || ch2.Messenger.VerifyToken != "new-verify" {
		t.Errorf("ch2 after edits: secrets %v, verify token %q", ch2.Secrets, ch2.Messenger.VerifyToken)
	}
	ch3, _ := store.ChannelByID(context.Background(), "ch3")
	if ch3.InboxID != "i2" || ch3.Secrets[inbox.SecretAppSecret] != appSecret || ch3.Secrets[inbox.SecretAccessToken] != "rotated" {
		t.Errorf("ch3 after edits: inbox %q, secrets %v", ch3.InboxID, ch3.Secrets)
	}
	ch4, _ := store.ChannelByID(context.Background(), "ch4")
	if e := ch4.Email; e.Address != teamEmail || e.CompanyName != "Acme" || e.FromNameMode != inbox.FromNameAgentAndCompany || e.ForwardedToOriginalSender {
		t.Errorf("ch4 after edits: %+v", *e)
	}

	testEmailBodies(t, api)
}

// emailChannelBody is the part of a channel response the email tests look at.
type emailChannelBody struct {
	Name       string            `json:"name"`
	WebhookURL *string           `json:"webhookUrl"`
	Email      inbox.EmailConfig `json:"email"`
}

// testEmailBodies checks what the email handlers answer, beyond its shape: defaults, the
// sanitizing of signatures and replies, rendered previews, the spam filter and media links.
func testEmailBodies(t *testing.T, api http.Handler) {
	const js = "application/json"
	decode := func(t *testing.T, body []byte, v any) {
		t.Helper()
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
	}
	do := func(t *testing.T, claims map[string]string, method, target, body string, want int) []byte {
		t.Helper()
		status, resp := exchangeWith(t, api, claims, method, target, js, body)
		if status != want {
			t.Fatalf("%s %s: status %d, want %d: %s", method, target, status, want, resp)
		}
		return resp
	}

	t.Run("email channel defaults", func(t *testing.T) {
		var ch emailChannelBody
		decode(t, do(t, admin, "POST", "/v1/channels", `{"type":"email","inboxId":"i1","email":{"address":"Billing@Acme.example"}}`, 201), &ch)
		want := inbox.EmailConfig{Address: "billing@acme.example", FromNameMode: inbox.FromNameAgentAndCompany,
			FromAddress: "billing@acme.example", ForwardedToOriginalSender: true}
		if !reflect.DeepEqual(ch.Email, want) || ch.Name != "Email billing@acme.example" || ch.WebhookURL != nil {
			t.Errorf("created %+v, want email %+v without webhookUrl", ch, want)
		}
	})
	t.Run("forwarding channel", func(t *testing.T) {
		var ch emailChannelBody
		decode(t, do(t, admin, "POST", "/v1/channels", `{"type":"email","inboxId":"i1","email":{"forwarding":true,"address":"info@elsewhere.example"}}`, 201), &ch)
		e := ch.Email
		if !e.Forwarding || !strings.HasPrefix(e.ForwardingAddress, "inbox-") || !strings.HasSuffix(e.ForwardingAddress, "@in.example.com") ||
			e.Address != "info@elsewhere.example" || e.FromAddress != e.Address {
			t.Errorf("forwarding channel %+v", e)
		}
	})
	t.Run("signature sanitized", func(t *testing.T) {
		sig := `<p>{{agent.firstName}} <a href="https://acme.example" onclick="steal()">Acme</a></p>` +
			`<img src="https://acme.example/logo.png" onerror="alert(1)"><script>alert(1)</script><a href="javascript:alert(1)">x</a>`
		body, _ := json.Marshal(map[string]any{"email": map[string]string{"signatureHtml": sig}})
		var ch emailChannelBody
		decode(t, do(t, admin, "PATCH", "/v1/channels/ch4", string(body), 200), &ch)
		got := ch.Email.SignatureHTML
		for _, bad := range []string{"<script", "alert(1)", "onerror", "onclick", "javascript:"} {
			if strings.Contains(got, bad) {
				t.Errorf("signature keeps %q: %s", bad, got)
			}
		}
		for _, good := range []string{"{{agent.firstName}}", `href="https://acme.example"`, `<img src="https://acme.example/logo.png"`} {
			if !strings.Contains(got, good) {
				t.Errorf("signature lost %q: %s", good, got)
			}
		}
	})
	t.Run("preview", func(t *testing.T) {
		type preview struct {
			From          string `json:"from"`
			SignatureHTML string `json:"signatureHtml"`
		}
		var p preview
		decode(t, do(t, ada, "GET", "/v1/channels/ch4/email-preview", "", 200), &p)
		if p.From != `"Ada Lovelace from Acme" <`+teamEmail+`>` || !strings.HasPrefix(p.SignatureHTML, "<p>Ada <a") {
			t.Errorf("preview for the caller: %+v", p)
		}
		decode(t, do(t, ada, "GET", "/v1/channels/ch4/email-preview?name=Grace%20Hopper", "", 200), &p)
		if p.From != `"Grace Hopper from Acme" <`+teamEmail+`>` || !strings.HasPrefix(p.SignatureHTML, "<p>Grace <a") {
			t.Errorf("preview for ?name=: %+v", p)
		}
		decode(t, do(t, ada, "GET", "/v1/channels/ch4/email-preview?name=%3Cb%3EEve%3C%2Fb%3E", "", 200), &p)
		if strings.Contains(p.SignatureHTML, "<b>") {
			t.Errorf("a name is rendered as HTML: %+v", p)
		}
	})
	t.Run("html reply", func(t *testing.T) {
		var m struct {
			Text    string `json:"text"`
			HTML    string `json:"html"`
			Subject string `json:"subject"`
		}
		decode(t, do(t, ada, "POST", "/v1/conversations/em-open/messages",
			`{"html":"<p onmouseover=\"x()\">Thanks, <a href=\"https://acme.example/track\">track it</a></p><script>x()</script>"}`, 202), &m)
		if m.Text != "" || m.Subject != "Re: Order 1234" || m.HTML != `<p>Thanks, <a href="https://acme.example/track" rel="nofollow noreferrer">track it</a></p>` {
			t.Errorf("reply %+v", m)
		}
	})
	t.Run("spam filter", func(t *testing.T) {
		var l struct {
			Items []struct {
				ID      string `json:"id"`
				Status  string `json:"status"`
				Subject string `json:"subject"`
			} `json:"items"`
		}
		decode(t, do(t, agent, "GET", "/v1/conversations?status=spam", "", 200), &l)
		if len(l.Items) != 1 || l.Items[0].ID != "em-spam" || l.Items[0].Status != "spam" || l.Items[0].Subject != "Cheap watches" {
			t.Errorf("spam list %+v", l.Items)
		}
	})
	t.Run("stored email attachments", func(t *testing.T) {
		body := do(t, agent, "GET", "/v1/conversations/em-open/messages", "", 200)
		if strings.Contains(string(body), "storageKey") {
			t.Errorf("storage keys leaked: %s", body)
		}
		var l struct {
			Items []struct {
				Flags       []string           `json:"flags"`
				Attachments []inbox.Attachment `json:"attachments"`
			} `json:"items"`
		}
		decode(t, body, &l)
		if len(l.Items) == 0 || len(l.Items[0].Attachments) != 2 || l.Items[0].Flags[0] != inbox.FlagForwarded {
			t.Fatalf("messages %s", body)
		}
		if u := l.Items[0].Attachments[0].URL; !strings.HasPrefix(u, "https://media-bucket.s3.eu-west-1.amazonaws.com/email/acct1/ch4/ses1/0-logo.png?") {
			t.Errorf("attachment url %q", u)
		}
		// An agent's browser shows the image in place and downloads everything else.
		for i, want := range []string{`inline; filename="logo.png"`, `attachment; filename="order.pdf"`} {
			u, err := url.Parse(l.Items[0].Attachments[i].URL)
			if err != nil || u.Query().Get("response-content-disposition") != want {
				t.Errorf("attachment %d link %q: want response-content-disposition %q", i, l.Items[0].Attachments[i].URL, want)
			}
		}
	})
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
	untracked := url.Values{"MessageSid": {"SM2"}, "MessageStatus": {"received"}}
	noStatus := url.Values{"MessageSid": {"SM2"}}

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
		{"untracked status acknowledged", hooks, "/webhooks/twilio/ch1/status", untracked, true, 200},
		{"no status", hooks, "/webhooks/twilio/ch1/status", noStatus, true, 400},
		{"queue down", down, "/webhooks/twilio/ch1", in, true, 503},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := post(t, c.h, c.path, c.params, c.sign); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
		})
	}
}

func TestMetaWebhooksMatchTheDescription(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	store := seed()
	clock := func() time.Time { return now }
	cfg := intake.Config{Channels: store, Providers: store, Queue: queue{}, Now: clock, Log: log}
	messenger, whatsApp := intake.NewMessenger(cfg), intake.NewWhatsApp(cfg)
	cfg.Queue = queue{err: inbox.Errorf(inbox.EUnavailable, "the queue did not accept the message")}
	messengerDown, whatsAppDown := intake.NewMessenger(cfg), intake.NewWhatsApp(cfg)

	send := func(t *testing.T, h http.Handler, method, target, body, signature string) int {
		t.Helper()
		req := httptest.NewRequest(method, "http://127.0.0.1:3000"+target, strings.NewReader(body))
		req.Host = host
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if signature != "" {
			req.Header.Set(meta.SignatureHeader, signature)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		respBody, _ := io.ReadAll(resp.Body)
		load(t).Check(t, req, []byte(body), resp, respBody)
		return resp.StatusCode
	}
	sign := func(body string) string { return meta.Sign(appSecret, []byte(body)) }

	page := `{"object":"page","entry":[{"id":"` + pageID + `","time":1714564800123,"messaging":[` +
		`{"sender":{"id":"6789012345678901"},"recipient":{"id":"` + pageID + `"},"timestamp":1714564800000,` +
		`"message":{"mid":"m_abc","text":"hello","attachments":[{"type":"image","payload":{"url":"https://scontent.xx.fbcdn.net/a.jpg"}}]}},` +
		`{"sender":{"id":"6789012345678901"},"recipient":{"id":"` + pageID + `"},"timestamp":1714564801000,` +
		`"reaction":{"mid":"m_abc","action":"react","reaction":"love","emoji":"\u2764"}},` +
		`{"sender":{"id":"6789012345678901"},"recipient":{"id":"` + pageID + `"},"timestamp":1714564802000,"read":{"watermark":1714564801000}}]},` +
		`{"id":"555000000000001","time":1714564800123,"messaging":[{"sender":{"id":"1"},"recipient":{"id":"555000000000001"},"timestamp":1714564800000,"message":{"mid":"m_x","text":"not ours"}}]}]}`
	wa := `{"object":"whatsapp_business_account","entry":[{"id":"` + wabaID + `","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"` + phoneID + `"},` +
		`"contacts":[{"profile":{"name":"Ann"},"wa_id":"16505551234"}],` +
		`"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdF","timestamp":"1714564800","type":"image",` +
		`"image":{"id":"1234567890","mime_type":"image/jpeg","sha256":"abc","caption":"the receipt"}}]}}]}]}`
	waStatus := `{"object":"whatsapp_business_account","entry":[{"id":"` + wabaID + `","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"` + phoneID + `"},` +
		`"statuses":[{"id":"wamid.out","status":"failed","timestamp":"1714564800","recipient_id":"16505551234",` +
		`"errors":[{"code":131047,"title":"Re-engagement message","error_data":{"details":"More than 24 hours have passed"}}]}]}}]}]}`
	handshake := func(token, challenge string) string {
		q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {token}}
		if challenge != "" {
			q.Set("hub.challenge", challenge)
		}
		return "?" + q.Encode()
	}
	huge := `{"object":"page","entry":[],"pad":"` + strings.Repeat("x", intake.MaxMetaBody) + `"}`

	for _, c := range []struct {
		name                         string
		h                            http.Handler
		method, target, body, signed string
		want                         int
	}{
		{"messenger handshake", messenger, "GET", "/webhooks/messenger/ch2" + handshake("verify-messenger", "1158201444"), "", "", 200},
		{"messenger handshake, wrong token", messenger, "GET", "/webhooks/messenger/ch2" + handshake("guess", "1158201444"), "", "", 403},
		{"messenger handshake, no challenge", messenger, "GET", "/webhooks/messenger/ch2" + handshake("verify-messenger", ""), "", "", 400},
		{"messenger handshake, unknown channel", messenger, "GET", "/webhooks/messenger/nope" + handshake("verify-messenger", "1"), "", "", 404},
		{"messenger handshake, whatsapp channel", messenger, "GET", "/webhooks/messenger/ch3" + handshake("verify-whatsapp", "1"), "", "", 404},
		{"whatsapp handshake", whatsApp, "GET", "/webhooks/whatsapp/ch3" + handshake("verify-whatsapp", "challenge-123"), "", "", 200},
		{"whatsapp handshake, wrong mode", whatsApp, "GET", "/webhooks/whatsapp/ch3?hub.mode=unsubscribe&hub.verify_token=verify-whatsapp&hub.challenge=1", "", "", 403},
		{"messenger events", messenger, "POST", "/webhooks/messenger/ch2", page, sign(page), 200},
		{"messenger events, unsigned", messenger, "POST", "/webhooks/messenger/ch2", page, "", 403},
		{"messenger events, wrong signature", messenger, "POST", "/webhooks/messenger/ch2", page, meta.Sign("another-app", []byte(page)), 403},
		{"messenger events, not a page webhook", messenger, "POST", "/webhooks/messenger/ch2", wa, sign(wa), 400},
		{"messenger events, malformed", messenger, "POST", "/webhooks/messenger/ch2", `{"object":`, sign(`{"object":`), 400},
		{"messenger events, too large", messenger, "POST", "/webhooks/messenger/ch2", huge, sign(huge), 413},
		{"messenger events, unknown channel", messenger, "POST", "/webhooks/messenger/nope", page, sign(page), 404},
		{"messenger events, queue down", messengerDown, "POST", "/webhooks/messenger/ch2", page, sign(page), 503},
		{"whatsapp message", whatsApp, "POST", "/webhooks/whatsapp/ch3", wa, sign(wa), 200},
		{"whatsapp status", whatsApp, "POST", "/webhooks/whatsapp/ch3", waStatus, sign(waStatus), 200},
		{"whatsapp, unsigned", whatsApp, "POST", "/webhooks/whatsapp/ch3", wa, "", 403},
		{"whatsapp, messenger channel", whatsApp, "POST", "/webhooks/whatsapp/ch2", wa, sign(wa), 404},
		{"whatsapp, queue down", whatsAppDown, "POST", "/webhooks/whatsapp/ch3", wa, sign(wa), 503},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := send(t, c.h, c.method, c.target, c.body, c.signed); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
		})
	}
}
