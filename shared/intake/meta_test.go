package intake_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/meta"
	"github.com/openinbox/inbox/shared/sqsqueue"
)

// Meta businesses of the tests. Account acct (from intake_test.go) connects page metaPage (URL
// channel metaChannel), a second page metaPage2 of the same Meta app, a page metaPageOtherApp of
// another app, and the WhatsApp number waNumberID; account "acct2" connects metaPageB with the
// same app secret as acct.
const (
	metaChannel       = "chm1"
	metaChannel2      = "chm2"
	metaChannelApp    = "chm3"
	metaChannelB      = "chmb"
	waChannel         = "chw1"
	metaPage          = "1067280970047460"
	metaPage2         = "1067280970047461"
	metaPageOtherApp  = "1067280970047462"
	metaPageB         = "2067280970047460"
	waNumberID        = "106540352242922"
	waDisplay         = "15550783881"
	metaAppSecret     = "0123456789abcdef0123456789abcdef"
	metaOtherSecret   = "fedcba9876543210fedcba9876543210"
	metaVerifyToken   = "verify-me-please"
	waVerifyToken     = "verify-wa-please"
	metaPSID          = "6754512497952155"
	messengerPath     = "/webhooks/messenger/" + metaChannel
	whatsAppPath      = "/webhooks/whatsapp/" + waChannel
	metaTimestampMs   = 1741944413589
	waTimestampSecond = "1741944413"
)

// metaFixture is the Messenger and WhatsApp intake handlers over channels stored in DynamoDB
// Local and a FIFO queue of the SQS emulator.
type metaFixture struct {
	*fixture
	messenger, whatsapp http.Handler
}

func newMetaFixture(t *testing.T) *metaFixture {
	t.Helper()
	f := &metaFixture{fixture: newFixture(t)}
	page := func(acct, id, pageID, secret string) inbox.Channel {
		return inbox.Channel{
			AccountID: acct, ID: id, InboxID: "ib1", Type: inbox.ChannelMessenger, Name: "Page " + pageID,
			ProviderKey: pageID, Messenger: &inbox.MessengerConfig{PageID: pageID, VerifyToken: metaVerifyToken},
			Secrets:   map[string]string{inbox.SecretPageAccessToken: "EAAJB-" + id, inbox.SecretAppSecret: secret},
			CreatedAt: now,
		}
	}
	must(t, f.store.CreateInbox(f.ctx, inbox.Inbox{AccountID: "acct2", ID: "ib1", Name: "Other", CreatedAt: now}))
	for _, ch := range []inbox.Channel{
		page(acct, metaChannel, metaPage, metaAppSecret),
		page(acct, metaChannel2, metaPage2, metaAppSecret),
		page(acct, metaChannelApp, metaPageOtherApp, metaOtherSecret),
		page("acct2", metaChannelB, metaPageB, metaAppSecret),
		{
			AccountID: acct, ID: waChannel, InboxID: "ib1", Type: inbox.ChannelWhatsApp, Name: "WhatsApp",
			ProviderKey: waNumberID,
			WhatsApp:    &inbox.WhatsAppConfig{WABAID: "102290129340398", PhoneNumberID: waNumberID, DisplayNumber: "+" + waDisplay, VerifyToken: waVerifyToken},
			Secrets:     map[string]string{inbox.SecretAccessToken: "EAAJB-system", inbox.SecretAppSecret: metaAppSecret},
			CreatedAt:   now,
		},
	} {
		must(t, f.store.CreateChannel(f.ctx, ch))
	}
	f.messenger = intake.NewMessenger(f.cfg)
	f.whatsapp = intake.NewWhatsApp(f.cfg)
	return f
}

// serve sends r to the handler of its path.
func (f *metaFixture) serve(cfg *intake.Config, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h := f.messenger
	wa := strings.HasPrefix(r.URL.Path, "/webhooks/whatsapp/")
	if cfg != nil {
		h = intake.NewMessenger(*cfg)
		if wa {
			h = intake.NewWhatsApp(*cfg)
		}
	} else if wa {
		h = f.whatsapp
	}
	h.ServeHTTP(w, r)
	return w
}

// postMeta posts body to path with the X-Hub-Signature-256 header signature ("" for none).
func (f *metaFixture) postMeta(cfg *intake.Config, path string, body []byte, signature string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	if signature != "" {
		r.Header.Set(meta.SignatureHeader, signature)
	}
	return f.serve(cfg, r)
}

// signed posts body to path signed with the app secret, as Meta does.
func (f *metaFixture) signed(path string, body []byte) *httptest.ResponseRecorder {
	return f.postMeta(nil, path, body, meta.Sign(metaAppSecret, body))
}

// queuedEnvelopes receives every queued message and decodes its envelope.
func (f *metaFixture) queuedEnvelopes(t *testing.T) ([]inbox.Envelope, []sqstypes.Message) {
	t.Helper()
	msgs := f.queued(t)
	envs := make([]inbox.Envelope, len(msgs))
	for i, m := range msgs {
		must(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &envs[i]))
	}
	return envs, msgs
}

// messagingText is a Messenger "Text message" messaging item from psid to page.
func messagingText(page, psid, mid, text string) string {
	return fmt.Sprintf(`{
  "sender":{"id":%q},
  "recipient":{"id":%q},
  "timestamp":%d,
  "message":{"mid":%q,"text":%s}
}`, psid, page, metaTimestampMs, mid, text)
}

// pageEntry is one entry of the "Event Format" envelope.
func pageEntry(page string, items ...string) string {
	return fmt.Sprintf(`{"id":%q,"time":%d,"messaging":[%s]}`, page, metaTimestampMs+5, strings.Join(items, ","))
}

// pageWebhook is the Messenger webhook body with entries.
func pageWebhook(entries ...string) []byte {
	return []byte(`{"object":"page","entry":[` + strings.Join(entries, ",") + `]}`)
}

// messengerTextBody is a one-message Messenger webhook for page.
func messengerTextBody(page, mid, text string) []byte {
	return pageWebhook(pageEntry(page, messagingText(page, metaPSID, mid, text)))
}

// whatsAppTextBody is the documented "Text message" webhook from Sheena Nelson.
func whatsAppTextBody(phoneNumberID, wamid, text string) []byte {
	return []byte(`{
  "object": "whatsapp_business_account",
  "entry": [{
    "id": "102290129340398",
    "changes": [{
      "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "` + waDisplay + `", "phone_number_id": "` + phoneNumberID + `"},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "messages": [{
          "from": "16505551234",
          "id": "` + wamid + `",
          "timestamp": "` + waTimestampSecond + `",
          "type": "text",
          "text": {"body": ` + text + `}
        }]
      },
      "field": "messages"
    }]
  }]
}`)
}

const wamid1 = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="

func TestMetaHandshake(t *testing.T) {
	t.Parallel()
	f := newMetaFixture(t)
	query := func(mode, token string) string {
		return "?" + url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {"1158201444"}}.Encode()
	}
	tests := []struct {
		name       string
		url        string
		wantStatus int
		wantCode   inbox.ErrorCode
	}{
		{name: "messenger", url: messengerPath + query("subscribe", metaVerifyToken), wantStatus: 200},
		{name: "whatsapp", url: whatsAppPath + query("subscribe", waVerifyToken), wantStatus: 200},
		{name: "wrong token", url: messengerPath + query("subscribe", "not-the-token"), wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "another channel type's token", url: messengerPath + query("subscribe", waVerifyToken), wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "wrong mode", url: messengerPath + query("unsubscribe", metaVerifyToken), wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "unknown channel", url: "/webhooks/messenger/nosuchchannel" + query("subscribe", metaVerifyToken), wantStatus: 404, wantCode: inbox.ENotFound},
		{name: "whatsapp URL with a messenger channel", url: "/webhooks/whatsapp/" + metaChannel + query("subscribe", metaVerifyToken), wantStatus: 404, wantCode: inbox.ENotFound},
		{name: "messenger URL with a whatsapp channel", url: "/webhooks/messenger/" + waChannel + query("subscribe", waVerifyToken), wantStatus: 404, wantCode: inbox.ENotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := f.serve(nil, httptest.NewRequest(http.MethodGet, tt.url, nil))
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantCode == "" {
				if ct := w.Header().Get("Content-Type"); ct != "text/plain" {
					t.Errorf("content type %q, want text/plain", ct)
				}
				if w.Body.String() != "1158201444" {
					t.Errorf("body %q, want the bare challenge", w.Body)
				}
				return
			}
			var body httpjson.ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != tt.wantCode {
				t.Errorf("body %s (%v), want a JSON error with code %q", w.Body, err, tt.wantCode)
			}
			if strings.Contains(w.Body.String(), "1158201444") {
				t.Errorf("refusal %s echoes the challenge", w.Body)
			}
		})
	}
}

func TestMetaWebhookQueuesEnvelopes(t *testing.T) {
	t.Parallel()
	const mid = "m_1457764197618:41d102a3e1ae206a38"
	tests := []struct {
		name string
		path string
		body []byte
		// want is in queue order; within one message group FIFO order holds.
		want []inbox.Envelope
	}{
		{
			name: "messenger text",
			path: messengerPath,
			body: messengerTextBody(metaPage, mid, `"hello, world!"`),
			want: []inbox.Envelope{{
				V: 1, Kind: inbox.KindMessage, AccountID: acct, ChannelID: metaChannel, ChannelType: inbox.ChannelMessenger,
				ProviderMessageID: mid, From: inbox.Sender{PSID: metaPSID}, To: metaPage, Text: "hello, world!",
				ReceivedAt: time.UnixMilli(metaTimestampMs).UTC(),
			}},
		},
		{
			name: "non-ASCII text escaped as Meta sends it",
			path: messengerPath,
			body: messengerTextBody(metaPage, mid, `"\u00e9t\u00e9 \u2600\ufe0f \ud83d\udc4d"`),
			want: []inbox.Envelope{{
				V: 1, Kind: inbox.KindMessage, AccountID: acct, ChannelID: metaChannel, ChannelType: inbox.ChannelMessenger,
				ProviderMessageID: mid, From: inbox.Sender{PSID: metaPSID}, To: metaPage, Text: "été ☀️ 👍",
				ReceivedAt: time.UnixMilli(metaTimestampMs).UTC(),
			}},
		},
		{
			name: "whatsapp text with profile name",
			path: whatsAppPath,
			body: whatsAppTextBody(waNumberID, wamid1, `"Does it come in another color?"`),
			want: []inbox.Envelope{{
				V: 1, Kind: inbox.KindMessage, AccountID: acct, ChannelID: waChannel, ChannelType: inbox.ChannelWhatsApp,
				ProviderMessageID: wamid1, From: inbox.Sender{Phone: "+16505551234", Name: "Sheena Nelson"},
				To: "+" + waDisplay, Text: "Does it come in another color?", ReceivedAt: time.Unix(1741944413, 0).UTC(),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t)
			w := f.signed(tt.path, tt.body)
			if w.Code != http.StatusOK || w.Body.String() != "EVENT_RECEIVED" || w.Header().Get("Content-Type") != "text/plain" {
				t.Fatalf("response %d %q %q, want 200 text/plain EVENT_RECEIVED", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			envs, msgs := f.queuedEnvelopes(t)
			if len(envs) != len(tt.want) {
				t.Fatalf("%d envelopes queued, want %d: %+v", len(envs), len(tt.want), envs)
			}
			for i, got := range envs {
				want := tt.want[i]
				if !got.ReceivedAt.Equal(want.ReceivedAt) {
					t.Errorf("ReceivedAt = %v, want %v", got.ReceivedAt, want.ReceivedAt)
				}
				got.ReceivedAt = want.ReceivedAt
				if !reflect.DeepEqual(got, want) {
					t.Errorf("envelope = %+v\nwant       %+v", got, want)
				}
				attrs := msgs[i].Attributes
				if g := attrs[string(sqstypes.MessageSystemAttributeNameMessageGroupId)]; g != want.GroupKey() {
					t.Errorf("message group %q, want %q", g, want.GroupKey())
				}
				if d := attrs[string(sqstypes.MessageSystemAttributeNameMessageDeduplicationId)]; d != want.DedupKey() {
					t.Errorf("deduplication id %q, want %q", d, want.DedupKey())
				}
			}
		})
	}
}

func TestMetaWebhookBatch(t *testing.T) {
	t.Parallel()
	f := newMetaFixture(t)
	// Two entries (two pages of the same account and app) of two messaging items each, posted on
	// the first page's URL.
	body := pageWebhook(
		pageEntry(metaPage, messagingText(metaPage, "111", "m_a1", `"one"`), messagingText(metaPage, "222", "m_a2", `"two"`)),
		pageEntry(metaPage2, messagingText(metaPage2, "333", "m_b1", `"three"`), messagingText(metaPage2, "111", "m_b2", `"four"`)),
	)
	if w := f.signed(messengerPath, body); w.Code != http.StatusOK || w.Body.String() != "EVENT_RECEIVED" {
		t.Fatalf("response %d %q, want 200 EVENT_RECEIVED", w.Code, w.Body)
	}
	envs, msgs := f.queuedEnvelopes(t)
	if len(envs) != 4 {
		t.Fatalf("%d envelopes queued, want 4", len(envs))
	}
	want := map[string]struct{ channel, psid, text string }{
		"m_a1": {metaChannel, "111", "one"}, "m_a2": {metaChannel, "222", "two"},
		"m_b1": {metaChannel2, "333", "three"}, "m_b2": {metaChannel2, "111", "four"},
	}
	for i, env := range envs {
		w, ok := want[env.ProviderMessageID]
		if !ok {
			t.Errorf("unexpected envelope %+v", env)
			continue
		}
		delete(want, env.ProviderMessageID)
		if env.AccountID != acct || env.ChannelID != w.channel || env.From.PSID != w.psid || env.Text != w.text {
			t.Errorf("envelope %s = %+v, want channel %s psid %s text %q", env.ProviderMessageID, env, w.channel, w.psid, w.text)
		}
		if g := msgs[i].Attributes[string(sqstypes.MessageSystemAttributeNameMessageGroupId)]; g != acct+"/"+w.channel+"/"+w.psid {
			t.Errorf("message group %q, want %q", g, acct+"/"+w.channel+"/"+w.psid)
		}
	}
	if len(want) != 0 {
		t.Errorf("not queued: %v", want)
	}
}

func TestMetaWebhookRefused(t *testing.T) {
	t.Parallel()
	good := messengerTextBody(metaPage, "m_good", `"\u00e9t\u00e9"`)
	goodSig := meta.Sign(metaAppSecret, good)
	// The same payload as the UTF-8 a JSON re-serialisation produces: Meta signed the escapes.
	reserialised := []byte(strings.ReplaceAll(string(good), `\u00e9`, "é"))
	if string(reserialised) == string(good) {
		t.Fatal("test body has no escapes")
	}
	malformed := []byte(`{"object":"page","entry":[{"id":"` + metaPage + `",`)
	tooBig := []byte(`{"object":"page","entry":[],"pad":"` + strings.Repeat("a", intake.MaxMetaBody) + `"}`)
	tests := []struct {
		name       string
		path       string
		body       []byte
		signature  string
		wantStatus int
		wantCode   inbox.ErrorCode
	}{
		{name: "re-serialised UTF-8 body", path: messengerPath, body: reserialised, signature: goodSig, wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "missing signature", path: messengerPath, body: good, wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "wrong signature", path: messengerPath, body: good, signature: "sha256=" + strings.Repeat("0", 64), wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "sha1 signature header format", path: messengerPath, body: good, signature: "sha1=" + strings.TrimPrefix(goodSig, "sha256="), wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "signed with another app's secret", path: messengerPath, body: good, signature: meta.Sign(metaOtherSecret, good), wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "body changed after signing", path: messengerPath, body: []byte(strings.Replace(string(good), "m_good", "m_evil", 1)), signature: goodSig, wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "malformed JSON", path: messengerPath, body: malformed, signature: meta.Sign(metaAppSecret, malformed), wantStatus: 400, wantCode: inbox.EInvalid},
		{name: "whatsapp body on the messenger URL", path: messengerPath, body: whatsAppTextBody(waNumberID, wamid1, `"x"`), signature: meta.Sign(metaAppSecret, whatsAppTextBody(waNumberID, wamid1, `"x"`)), wantStatus: 400, wantCode: inbox.EInvalid},
		{name: "body over MaxMetaBody", path: messengerPath, body: tooBig, signature: meta.Sign(metaAppSecret, tooBig), wantStatus: 413, wantCode: inbox.ETooLarge},
		{name: "unknown channel", path: "/webhooks/messenger/nosuchchannel", body: good, signature: goodSig, wantStatus: 404, wantCode: inbox.ENotFound},
		{name: "whatsapp URL with a messenger channel", path: "/webhooks/whatsapp/" + metaChannel, body: good, signature: goodSig, wantStatus: 404, wantCode: inbox.ENotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t)
			w := f.postMeta(nil, tt.path, tt.body, tt.signature)
			if w.Code != tt.wantStatus {
				t.Errorf("status %d, want %d (body %s)", w.Code, tt.wantStatus, w.Body)
			}
			var body httpjson.ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != tt.wantCode {
				t.Errorf("body %s (%v), want a JSON error with code %q", w.Body, err, tt.wantCode)
			}
			if msgs := f.queued(t); len(msgs) != 0 {
				t.Errorf("%d messages queued, want none", len(msgs))
			}
		})
	}
	t.Run("the escaped original is accepted", func(t *testing.T) {
		t.Parallel()
		f := newMetaFixture(t)
		if w := f.postMeta(nil, messengerPath, good, goodSig); w.Code != http.StatusOK {
			t.Fatalf("status %d, want 200 (body %s)", w.Code, w.Body)
		}
		envs, _ := f.queuedEnvelopes(t)
		if len(envs) != 1 || envs[0].Text != "été" {
			t.Errorf("queued %+v, want one envelope with text été", envs)
		}
	})
}

// TestMetaWebhookForeignBusiness checks that entries are routed only to channels of the called
// channel's account and Meta app: others are acknowledged (so that Meta keeps the webhook) and
// dropped.
func TestMetaWebhookForeignBusiness(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		body []byte
	}{
		{name: "unknown page", path: messengerPath, body: messengerTextBody("999999999999999", "m_unknown", `"hi"`)},
		{name: "another account's page signed with the same app secret", path: messengerPath, body: messengerTextBody(metaPageB, "m_b", `"hi"`)},
		{name: "a page of the same account in another Meta app", path: messengerPath, body: messengerTextBody(metaPageOtherApp, "m_app", `"hi"`)},
		{name: "unknown whatsapp number", path: whatsAppPath, body: whatsAppTextBody("999999999999999", wamid1, `"hi"`)},
		{name: "a messenger page id on the whatsapp URL", path: whatsAppPath, body: whatsAppTextBody(metaPage, wamid1, `"hi"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t)
			w := f.signed(tt.path, tt.body)
			if w.Code != http.StatusOK || w.Body.String() != "EVENT_RECEIVED" {
				t.Errorf("response %d %q, want 200 EVENT_RECEIVED", w.Code, w.Body)
			}
			if envs, _ := f.queuedEnvelopes(t); len(envs) != 0 {
				t.Errorf("queued %+v, want nothing", envs)
			}
		})
	}
	t.Run("a foreign entry does not stop the others of the batch", func(t *testing.T) {
		t.Parallel()
		f := newMetaFixture(t)
		body := pageWebhook(
			pageEntry(metaPageB, messagingText(metaPageB, metaPSID, "m_foreign", `"no"`)),
			pageEntry(metaPage, messagingText(metaPage, metaPSID, "m_own", `"yes"`)),
		)
		if w := f.signed(messengerPath, body); w.Code != http.StatusOK {
			t.Fatalf("status %d, want 200", w.Code)
		}
		envs, _ := f.queuedEnvelopes(t)
		if len(envs) != 1 || envs[0].ProviderMessageID != "m_own" || envs[0].AccountID != acct || envs[0].ChannelID != metaChannel {
			t.Errorf("queued %+v, want only m_own on %s", envs, metaChannel)
		}
	})
}

func TestMetaWebhookRetriesQueueOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		body []byte
	}{
		{name: "messenger", path: messengerPath, body: messengerTextBody(metaPage, "m_again", `"again"`)},
		{name: "whatsapp", path: whatsAppPath, body: whatsAppTextBody(waNumberID, wamid1, `"again"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t)
			for i := range 5 {
				if w := f.signed(tt.path, tt.body); w.Code != http.StatusOK {
					t.Fatalf("post %d: status %d, want 200", i, w.Code)
				}
			}
			if msgs := f.queued(t); len(msgs) != 1 {
				t.Errorf("%d messages queued, want 1", len(msgs))
			}
		})
	}
}

func TestMetaWebhookQueueUnavailable(t *testing.T) {
	t.Parallel()
	for _, path := range []string{messengerPath, whatsAppPath} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t)
			gone, _ := testenv.FIFOQueue(t, f.sqs, 5, 30)
			_, err := f.sqs.DeleteQueue(f.ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(gone)})
			must(t, err)
			cfg := f.cfg
			cfg.Queue = sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), gone)
			cfg.Log = slog.New(slog.DiscardHandler)
			body := messengerTextBody(metaPage, "m_retry", `"retry"`)
			if path == whatsAppPath {
				body = whatsAppTextBody(waNumberID, wamid1, `"retry"`)
			}
			w := f.postMeta(&cfg, path, body, meta.Sign(metaAppSecret, body))
			if w.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503 so that Meta retries (body %s)", w.Code, w.Body)
			}
			var eb httpjson.ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Error.Code != inbox.EUnavailable {
				t.Errorf("body %s, want a JSON error with code unavailable", w.Body)
			}
		})
	}
}

// TestMetaWebhookLookupFailureIsRetried checks that a failed lookup of another page of the batch
// answers 503 (Meta retries the batch) instead of dropping the entry as unknown.
func TestMetaWebhookLookupFailureIsRetried(t *testing.T) {
	t.Parallel()
	f := newMetaFixture(t)
	// A store whose DynamoDB endpoint is closed: every lookup fails as the SDK reports it.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	client := dynamodb.NewFromConfig(testenv.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(dead.URL)
		o.RetryMaxAttempts = 1
	})
	unreachable := dynamo.New(client, "none", nil)
	cfg := f.cfg
	cfg.Providers = unreachable
	h := intake.NewMessenger(cfg)
	body := messengerTextBody(metaPage2, "m_lookup", `"hi"`)
	r := httptest.NewRequest(http.MethodPost, messengerPath, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(meta.SignatureHeader, meta.Sign(metaAppSecret, body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", w.Code, w.Body)
	}
	if envs, _ := f.queuedEnvelopes(t); len(envs) != 0 {
		t.Fatalf("queued %d envelopes, want none", len(envs))
	}
}
