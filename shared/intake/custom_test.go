package intake_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

const customChannelID = "cust1"

// newCustomChannel stores a custom channel made by its kind from settings (JSON of the API's
// "custom" object) and returns it with its signing secret.
func newCustomChannel(t testing.TB, f *fixture, id, settings string) inbox.Channel {
	t.Helper()
	ch := inbox.Channel{AccountID: acct, ID: id, InboxID: "ib1", Type: inbox.ChannelCustom, Name: "Bridge",
		Secrets: map[string]string{}, CreatedAt: now}
	n := 0
	env := channel.Env{Creating: true, Now: now, NewID: func() string { n++; return strings.Repeat(strconv.Itoa(n%10), 32) }}
	must(t, custom.Kind.Settings(&ch, json.RawMessage(settings), env))
	must(t, f.store.CreateChannel(f.ctx, ch))
	return ch
}

// customPost posts body to the channel's ingest URL signed with secret at ts (no signature
// headers when secret is empty).
func customPost(cfg intake.Config, chID, secret, id string, ts time.Time, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/custom/"+chID, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if secret != "" {
		if err := stdwebhook.Headers(r.Header, []string{secret}, id, ts, []byte(body)); err != nil {
			panic(err)
		}
	}
	w := httptest.NewRecorder()
	intake.NewCustom(cfg).ServeHTTP(w, r)
	return w
}

const customMessage = `{"type":"message","id":"tg-1001","threadId":"chat-42","from":{"id":"u-77","name":"Zoe Park"},` +
	`"text":"Hi, is my order on its way?","attachments":[{"url":"https://files.bridge.example/a/1.jpg","contentType":"image/jpeg","name":"1.jpg","size":48213}],` +
	`"timestamp":"2025-03-14T09:26:50Z","metadata":{"chat":{"id":42, "kind":"private"}}}`

func TestCustomIngestQueuesEnvelopes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch := newCustomChannel(t, f, customChannelID, `{"webhookUrl":"https://bridge.example/hook","threading":"thread"}`)
	secret := ch.Secrets[custom.SecretSigning]
	for _, tc := range []struct {
		name, body string
		want       inbox.Envelope
	}{
		{"message", customMessage, inbox.Envelope{
			Kind: inbox.KindMessage, ProviderMessageID: "tg-1001", Thread: "chat-42",
			From: inbox.Sender{PSID: "u-77", Name: "Zoe Park"}, Text: "Hi, is my order on its way?",
			Attachments: []inbox.Attachment{{Type: inbox.AttachImage, URL: "https://files.bridge.example/a/1.jpg", ContentType: "image/jpeg", Name: "1.jpg"}},
			Payload:     `{"chat":{"id":42,"kind":"private"}}`, ReceivedAt: time.Date(2025, 3, 14, 9, 26, 50, 0, time.UTC),
		}},
		{"delivered", `{"type":"status","messageId":"out-1","status":"delivered"}`, inbox.Envelope{
			Kind: inbox.KindStatus, ProviderMessageID: "out-1", Status: &inbox.StatusUpdate{Status: inbox.MessageDelivered}, ReceivedAt: now,
			From: inbox.Sender{PSID: "status/out-1"},
		}},
		{"failed with a reason", `{"type":"status","messageId":"out-2","status":"failed","error":{"code":"blocked","message":"the user blocked the bot"}}`, inbox.Envelope{
			Kind: inbox.KindStatus, ProviderMessageID: "out-2", ReceivedAt: now, From: inbox.Sender{PSID: "status/out-2"},
			Status: &inbox.StatusUpdate{Status: inbox.MessageFailed, ErrorCode: "blocked", ErrorMessage: "the user blocked the bot"},
		}},
	} {
		w := customPost(f.cfg, ch.ID, secret, "msg_"+tc.name, now, tc.body)
		if w.Code != http.StatusAccepted {
			t.Fatalf("%s: status %d %s", tc.name, w.Code, w.Body)
		}
		got := f.queued(t)
		if len(got) != 1 {
			t.Fatalf("%s: %d queued", tc.name, len(got))
		}
		var env inbox.Envelope
		must(t, json.Unmarshal([]byte(*got[0].Body), &env))
		tc.want.V, tc.want.AccountID, tc.want.ChannelID, tc.want.ChannelType = inbox.EnvelopeVersion, acct, ch.ID, inbox.ChannelCustom
		wantJSON, _ := json.Marshal(tc.want)
		gotJSON, _ := json.Marshal(env)
		if string(wantJSON) != string(gotJSON) {
			t.Errorf("%s: queued\n%s\nwant\n%s", tc.name, gotJSON, wantJSON)
		}
	}
}

// TestCustomIngestRefuses checks that bad signatures are 401, bad events 400 naming the field,
// big bodies 413 and unknown channels 404, each with a JSON error and nothing queued.
func TestCustomIngestRefuses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch := newCustomChannel(t, f, customChannelID, `{"webhookUrl":"https://bridge.example/hook","identifier":"phone","maxText":20,"attachmentTypes":["image"],"maxAttachmentBytes":1000,"maxAttachments":1}`)
	secret := ch.Secrets[custom.SecretSigning]
	other := stdwebhook.NewSecret([]byte("0123456789abcdef0123456789abcdef"))
	msg := func(fields string) string {
		return `{"type":"message","id":"m1","from":{"id":"+14155550100"},"text":"Hello"` + fields + `}`
	}
	for _, tc := range []struct {
		name, chID, secret string
		ts                 time.Time
		body               string
		status             int
		message            string // part of the error message
	}{
		{"unsigned", ch.ID, "", now, msg(""), 401, "required"},
		{"wrong secret", ch.ID, other, now, msg(""), 401, "matches"},
		{"stale", ch.ID, secret, now.Add(-5*time.Minute - time.Second), msg(""), 401, "5 minutes"},
		{"from the future", ch.ID, secret, now.Add(6 * time.Minute), msg(""), 401, "5 minutes"},
		{"unknown channel", "nope", secret, now, msg(""), 404, ""},
		{"not json", ch.ID, secret, now, `{"type":`, 400, "not a custom channel event"},
		{"unknown field", ch.ID, secret, now, msg(`,"colour":"red"`), 400, "colour"},
		{"no type", ch.ID, secret, now, `{"id":"m1"}`, 400, "type"},
		{"no id", ch.ID, secret, now, `{"type":"message","from":{"id":"+14155550100"},"text":"Hi"}`, 400, "id is required"},
		{"no sender", ch.ID, secret, now, `{"type":"message","id":"m1","text":"Hi"}`, 400, "from is required"},
		{"sender not a phone", ch.ID, secret, now, `{"type":"message","id":"m1","from":{"id":"u-77"},"text":"Hi"}`, 400, "from.id"},
		{"text a number", ch.ID, secret, now, `{"type":"message","id":"m1","from":{"id":"+14155550100"},"text":5}`, 400, "text"},
		{"text too long", ch.ID, secret, now, `{"type":"message","id":"m1","from":{"id":"+14155550100"},"text":"` + strings.Repeat("a", 21) + `"}`, 400, "at most 20"},
		{"empty", ch.ID, secret, now, `{"type":"message","id":"m1","from":{"id":"+14155550100"}}`, 400, "text or attachments"},
		{"attachment type", ch.ID, secret, now, msg(`,"attachments":[{"url":"https://x.example/a.pdf","contentType":"application/pdf"}]`), 400, "file attachments"},
		{"attachment too big", ch.ID, secret, now, msg(`,"attachments":[{"url":"https://x.example/a.png","contentType":"image/png","size":1001}]`), 400, "size"},
		{"too many attachments", ch.ID, secret, now, msg(`,"attachments":[{"url":"https://x.example/a.png","contentType":"image/png"},{"url":"https://x.example/b.png","contentType":"image/png"}]`), 400, "at most 1"},
		{"attachment url", ch.ID, secret, now, msg(`,"attachments":[{"url":"ftp://x.example/a.png","contentType":"image/png"}]`), 400, "attachments[0].url"},
		{"metadata not an object", ch.ID, secret, now, msg(`,"metadata":[1]`), 400, "metadata"},
		{"unknown status", ch.ID, secret, now, `{"type":"status","messageId":"o1","status":"seen"}`, 400, "status must be"},
		{"failed without reason", ch.ID, secret, now, `{"type":"status","messageId":"o1","status":"failed"}`, 400, "error.message"},
		{"too large", ch.ID, secret, now, msg(`,"metadata":{"x":"` + strings.Repeat("a", intake.MaxCustomBody) + `"}`), 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := customPost(f.cfg, tc.chID, tc.secret, "msg_1", tc.ts, tc.body)
			var e struct {
				Error struct{ Code, Message string }
			}
			if w.Code != tc.status || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error.Code == "" || !strings.Contains(e.Error.Message, tc.message) {
				t.Fatalf("status %d %s, want %d with %q", w.Code, w.Body, tc.status, tc.message)
			}
		})
	}
	if q := f.queued(t); len(q) != 0 {
		t.Fatalf("%d queued after refused requests", len(q))
	}
}

// TestCustomSecretRotation checks the overlap: after a rotation both secrets verify until the
// overlap ends, then only the new one.
func TestCustomSecretRotation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch := newCustomChannel(t, f, customChannelID, `{"webhookUrl":"https://bridge.example/hook"}`)
	old := ch.Secrets[custom.SecretSigning]
	var revealed string
	env := channel.Env{Now: now, NewID: func() string { return "abcdef0123456789abcdef0123456789" },
		Reveal: func(name, v string) { revealed = v }}
	must(t, custom.Kind.Settings(&ch, json.RawMessage(`{"rotateSecret":true,"rotationOverlapSeconds":3600}`), env))
	must(t, f.store.UpdateChannel(f.ctx, ch))
	if revealed == "" || revealed == old || ch.Secrets[custom.SecretSigning] != revealed {
		t.Fatalf("rotation revealed %q (old %q)", revealed, old)
	}
	body := `{"type":"status","messageId":"o1","status":"read"}`
	at := func(d time.Duration) intake.Config {
		cfg := f.cfg
		cfg.Now = func() time.Time { return now.Add(d) }
		return cfg
	}
	for _, tc := range []struct {
		name   string
		secret string
		after  time.Duration
		status int
	}{
		{"new secret", revealed, 0, 202},
		{"old secret during the overlap", old, 59 * time.Minute, 202},
		{"old secret after the overlap", old, time.Hour, 401},
		{"new secret after the overlap", revealed, time.Hour, 202},
	} {
		w := customPost(at(tc.after), ch.ID, tc.secret, "msg_"+tc.name, now.Add(tc.after), body)
		if w.Code != tc.status {
			t.Errorf("%s: status %d %s, want %d", tc.name, w.Code, w.Body, tc.status)
		}
	}
}
