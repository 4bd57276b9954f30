package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/httpapi"
	"github.com/openinbox/inbox/shared/inbox"
)

// channelStore keeps the inboxes and channels the channel endpoints read and write; the other
// Store methods are not called (the embedded nil interface would panic).
type channelStore struct {
	httpapi.Store
	mu       sync.Mutex
	channels map[string]inbox.Channel
}

func (s *channelStore) GetInbox(_ context.Context, acct, id string) (inbox.Inbox, error) {
	if acct == acct1 && id == "ib1" {
		return inbox.Inbox{AccountID: acct, ID: id, Name: "Support"}, nil
	}
	return inbox.Inbox{}, inbox.Errorf(inbox.ENotFound, "no such inbox")
}

func (s *channelStore) CreateChannel(_ context.Context, ch inbox.Channel) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[ch.ID] = ch
	return nil
}

func (s *channelStore) GetChannel(_ context.Context, acct, id string) (inbox.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.channels[id]; ok && ch.AccountID == acct {
		return ch, nil
	}
	return inbox.Channel{}, inbox.Errorf(inbox.ENotFound, "no such channel")
}

func (s *channelStore) UpdateChannel(_ context.Context, ch inbox.Channel) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[ch.ID] = ch
	return nil
}

var admin = map[string]string{"sub": "u-admin", "custom:account_id": acct1, "custom:role": "admin"}

func channelAPI(t *testing.T) (http.Handler, *channelStore) {
	t.Helper()
	st := &channelStore{channels: map[string]inbox.Channel{}}
	ids := 0
	return httpapi.New(httpapi.Config{Store: st, Outbound: queue{}, Now: func() time.Time { return now },
		Log: slog.New(slog.DiscardHandler), InboundEmailDomain: "in.example.com",
		NewID: func() string { ids++; return fmt.Sprintf("%032x", ids) }}), st
}

func callJSON(t *testing.T, api http.Handler, method, target, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, request(t, admin, method, target, "application/json", []byte(body)))
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: %d %q is not JSON", method, target, rec.Code, rec.Body)
	}
	return rec.Code, out
}

// TestChannelKindsThroughTheAPI connects one channel of each kind and checks what the kind
// decides: its settings, provider key, secrets, default name and webhook URLs.
func TestChannelKindsThroughTheAPI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body          string
		providerKey, dflt   string
		secrets             []string
		webhook, statusHook string
	}{
		{"sms", `{"type":"sms","inboxId":"ib1","twilio":{"accountSid":"AC0123456789abcdef0123456789abcdef","authToken":"tok","phoneNumber":"+14155550100"}}`,
			"+14155550100", "SMS +14155550100", []string{inbox.SecretTwilioAuthToken},
			"https://" + host + "/webhooks/twilio/%s", "https://" + host + "/webhooks/twilio/%s/status"},
		{"messenger", `{"type":"messenger","inboxId":"ib1","messenger":{"pageId":"1234567890","pageAccessToken":"EAAB","appSecret":"s"}}`,
			"1234567890", "Messenger 1234567890", []string{inbox.SecretPageAccessToken, inbox.SecretAppSecret},
			"https://" + host + "/webhooks/messenger/%s", ""},
		{"whatsapp", `{"type":"whatsapp","inboxId":"ib1","whatsapp":{"wabaId":"102290129340398","phoneNumberId":"106540352242922","displayNumber":"+15550783881","accessToken":"EAAJ","appSecret":"s"}}`,
			"106540352242922", "WhatsApp +15550783881", []string{inbox.SecretAccessToken, inbox.SecretAppSecret},
			"https://" + host + "/webhooks/whatsapp/%s", ""},
		{"email", `{"type":"email","inboxId":"ib1","email":{"address":"Support@Example.com","signatureHtml":"<p onclick=\"x()\">Ada</p>"}}`,
			"support@example.com", "Email support@example.com", nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api, st := channelAPI(t)
			code, out := callJSON(t, api, http.MethodPost, "/v1/channels", tc.body)
			if code != http.StatusCreated {
				t.Fatalf("create: %d %v", code, out)
			}
			id := out["id"].(string)
			ch := st.channels[id]
			if ch.ProviderKey != tc.providerKey || ch.Name != tc.dflt || len(ch.Secrets) != len(tc.secrets) {
				t.Errorf("stored key %q name %q secrets %d, want %q %q %d", ch.ProviderKey, ch.Name, len(ch.Secrets), tc.providerKey, tc.dflt, len(tc.secrets))
			}
			for _, s := range tc.secrets {
				if ch.Secrets[s] == "" {
					t.Errorf("secret %s not stored", s)
				}
			}
			want := func(pattern string) string {
				if pattern == "" {
					return ""
				}
				return fmt.Sprintf(pattern, id)
			}
			if got, _ := out["webhookUrl"].(string); got != want(tc.webhook) {
				t.Errorf("webhookUrl %q, want %q", got, want(tc.webhook))
			}
			if got, _ := out["statusCallbackUrl"].(string); got != want(tc.statusHook) {
				t.Errorf("statusCallbackUrl %q, want %q", got, want(tc.statusHook))
			}
			if strings.Contains(fmt.Sprint(out), "onclick") {
				t.Errorf("the signature is not sanitized: %v", out)
			}
			// An edit without settings keeps them, secrets included.
			if code, out := callJSON(t, api, http.MethodPatch, "/v1/channels/"+id, `{"name":"Renamed"}`); code != http.StatusOK {
				t.Fatalf("edit: %d %v", code, out)
			}
			if got := st.channels[id]; got.Name != "Renamed" || len(got.Secrets) != len(tc.secrets) || got.ProviderKey != tc.providerKey {
				t.Errorf("after the edit: %+v", got)
			}
		})
	}
}

// TestChannelRequestsRefused checks the refusals that the registry, not a kind, decides: an
// unknown type, another type's settings, an unknown field. Nothing is stored.
func TestChannelRequestsRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body, message string }{
		{"unknown type", `{"type":"fax","inboxId":"ib1"}`, "type must be sms, messenger, whatsapp, email, custom, form, voice or chat"},
		{"other type's settings", `{"type":"sms","inboxId":"ib1","email":{"address":"a@b.example"}}`, "only the settings of the channel's own type (sms) can be given"},
		{"unknown field", `{"type":"sms","inboxId":"ib1","fax":{}}`, `unknown field "fax"`},
		{"unknown setting", `{"type":"sms","inboxId":"ib1","twilio":{"accountSid":"AC0123456789abcdef0123456789abcdef","authToken":"t","phoneNumber":"+14155550100","pin":"1"}}`, `unknown field "pin"`},
		{"settings missing", `{"type":"whatsapp","inboxId":"ib1"}`, "whatsapp settings are required"},
		{"malformed number", `{"type":"sms","inboxId":"ib1","twilio":{"accountSid":"AC0123456789abcdef0123456789abcdef","authToken":"t","phoneNumber":"4155550100"}}`, "E.164"},
		{"type not a string", `{"type":1,"inboxId":"ib1"}`, "not valid JSON"},
		{"form file too large", formBody(`{"name":"cv","type":"file","label":"CV","maxBytes":20000000}`, ""), "form.fields[1].maxBytes is 1 to 10485760"},
		{"form file any type", formBody(`{"name":"cv","type":"file","label":"CV","accept":["*/*"]}`, ""), "form.fields[1].accept[0] must be a lowercase media type"},
		{"form maxBytes on text", formBody(`{"name":"cv","type":"text","label":"CV","maxBytes":10}`, ""), "maxBytes and accept are for file fields"},
		{"form tickets without stage", formBody("", `,"tickets":{"pipeline":"sales"}`), "form.tickets need a pipeline and a stage"},
		{"form tickets negative limit", formBody("", `,"tickets":{"pipeline":"sales","stage":"new","maxPerContact":-1}`), "form.tickets.maxPerContact must be 0 or more"},
		{"form acknowledgement without text", formBody("", `,"acknowledgement":{"subject":"Thanks"}`), "form.acknowledgement: give both subject and text"},
		{"form acknowledgement two lines", formBody("", `,"acknowledgement":{"subject":"Thanks\nBcc: x@y.example","text":"Hi"}`), "form.acknowledgement.subject: one line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api, st := channelAPI(t)
			code, out := callJSON(t, api, http.MethodPost, "/v1/channels", tc.body)
			if code != http.StatusBadRequest || !strings.Contains(fmt.Sprint(out), tc.message) {
				t.Errorf("%d %v, want 400 saying %q", code, out, tc.message)
			}
			if len(st.channels) != 0 {
				t.Errorf("a refused request stored %d channels", len(st.channels))
			}
		})
	}
}

// formBody is a form channel's creation with an email field, one more field (when given) and
// extra settings.
func formBody(field, extra string) string {
	if field != "" {
		field = "," + field
	}
	return `{"type":"form","inboxId":"ib1","form":{"fields":[{"name":"email","type":"email","label":"Email","required":true}` + field + `],"emailField":"email"` + extra + `}}`
}

// TestChatChannelThroughTheAPI: a chat channel with only its type gets every default, its
// embed code (one script tag) and, asked for, its identity secret shown once; a bad colour is a
// 400 naming the field and stores nothing.
func TestChatChannelThroughTheAPI(t *testing.T) {
	t.Parallel()
	api, st := channelAPI(t)
	code, out := callJSON(t, api, http.MethodPost, "/v1/channels", `{"type":"chat","inboxId":"ib1","chat":{"color":"red"}}`)
	if code != http.StatusBadRequest || !strings.Contains(fmt.Sprint(out), "chat.color") || len(st.channels) != 0 {
		t.Fatalf("bad colour: %d %v, %d stored", code, out, len(st.channels))
	}
	code, out = callJSON(t, api, http.MethodPost, "/v1/channels", `{"type":"chat","inboxId":"ib1","chat":{"newIdentitySecret":true}}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, out)
	}
	id := out["id"].(string)
	if out["embedCode"] != `<script src="https://`+host+`/chat/loader.js" data-channel="`+id+`" async></script>` {
		t.Errorf("embedCode %v", out["embedCode"])
	}
	secrets, _ := out["secrets"].(map[string]any)
	if ch := st.channels[id]; secrets["identitySecret"] == "" || secrets["identitySecret"] != ch.Secrets["identitySecret"] || ch.Name != "Website chat" ||
		!strings.Contains(ch.Settings["chat"], `"color":"#1f6feb"`) {
		t.Errorf("stored %+v, shown %v", ch, out)
	}
	if _, again := callJSON(t, api, http.MethodGet, "/v1/channels/"+id, ""); again["secrets"] != nil {
		t.Errorf("the identity secret is shown again: %v", again["secrets"])
	}
}
