package intake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/meta"
	"github.com/openinbox/inbox/shared/stdwebhook"
	"github.com/openinbox/inbox/shared/twilio"
)

// BenchmarkTwilioIntake measures the Twilio webhook handler end to end on the real emulators:
// channel lookup in DynamoDB Local, signature check, normalization and the SQS send, with
// parallel clients. Report: ns/op (per request), req/s, and p50/p99 latency in ms.
func BenchmarkTwilioIntake(b *testing.B) {
	f := newFixture(b)
	h := intake.NewTwilio(f.cfg)
	path := "/webhooks/twilio/" + channelID
	measure(b, func(i int64) *httptest.ResponseRecorder {
		form := smsForm("benchmark")
		sid := fmt.Sprintf("SM%032d", i)
		form.Set("MessageSid", sid)
		form.Set("SmsSid", sid)
		form.Set("SmsMessageSid", sid)
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set(twilio.SignatureHeader, twilio.Signature(authToken, publicBase+path, form))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	})
}

// measure runs post in parallel b.N times and reports ns/op, req/s and p50/p99 latency in ms.
// post returns the HTTP status it got; anything but 2xx (or a form's 303) fails the benchmark.
func measure(b *testing.B, post func(i int64) *httptest.ResponseRecorder) {
	var n atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			w := post(n.Add(1))
			mine = append(mine, time.Since(t0))
			if w.Code/100 != 2 && w.Code != http.StatusSeeOther {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkMetaIntake measures the Messenger webhook handler end to end on the real emulators
// (channel lookup, X-Hub-Signature-256 check, parse, provider-key routing, SQS send), one text
// message per post, with parallel clients. Report: ns/op, req/s, p50/p99 latency in ms.
func BenchmarkMetaIntake(b *testing.B) {
	f := newFixture(b)
	const pageID, appSecret = "106540352242922", "bench-app-secret"
	must(b, f.store.CreateChannel(f.ctx, inbox.Channel{
		AccountID: acct, ID: "ms1", InboxID: "ib1", Type: inbox.ChannelMessenger, Name: "Page",
		ProviderKey: pageID, Messenger: &inbox.MessengerConfig{PageID: pageID, VerifyToken: "v"},
		Secrets:   map[string]string{inbox.SecretPageAccessToken: "t", inbox.SecretAppSecret: appSecret},
		CreatedAt: now,
	}))
	h := intake.NewMessenger(f.cfg)
	path := "/webhooks/messenger/ms1"
	measure(b, func(i int64) *httptest.ResponseRecorder {
		body := fmt.Sprintf(`{"object":"page","entry":[{"id":%q,"time":1458692752478,"messaging":[{"sender":{"id":"%d"},"recipient":{"id":%q},"timestamp":1458692752478,"message":{"mid":"m_bench%d","text":"hello, world!"}}]}]}`, pageID, 1000+i%50, pageID, i)
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(meta.SignatureHeader, meta.Sign(appSecret, []byte(body)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	})
}

// BenchmarkCustomIntake measures the custom channel ingest handler end to end on the real
// emulators (channel lookup, Standard Webhooks verification, event checks, SQS send), one text
// message per post, with parallel clients. Report: ns/op, req/s, p50/p99 latency in ms.
func BenchmarkCustomIntake(b *testing.B) {
	f := newFixture(b)
	ch := newCustomChannel(b, f, customChannelID, `{"webhookUrl":"https://bridge.example/hook"}`)
	secret := ch.Secrets[custom.SecretSigning]
	h := intake.NewCustom(f.cfg)
	measure(b, func(i int64) *httptest.ResponseRecorder {
		body := fmt.Sprintf(`{"type":"message","id":"bench-%d","from":{"id":"u-%d","name":"Zoe"},"text":"benchmark","metadata":{"chat":%d}}`, i, i%50, i)
		r := httptest.NewRequest(http.MethodPost, "/webhooks/custom/"+ch.ID, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if err := stdwebhook.Headers(r.Header, []string{secret}, fmt.Sprintf("msg_%d", i), now, []byte(body)); err != nil {
			b.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	})
}

// BenchmarkFormIntake measures the web form handler end to end on the real emulators (channel
// lookup, parse of an HTML form's post, checks of every field, SQS send), each post from its own
// address with its own answers, with parallel clients. Report: ns/op, req/s, p50/p99 in ms.
func BenchmarkFormIntake(b *testing.B) {
	f := newFixture(b)
	ch := newFormChannel(b, f, "form1", formFields)
	h := intake.NewForm(f.cfg)
	measure(b, func(i int64) *httptest.ResponseRecorder {
		body := answers("message", fmt.Sprintf("benchmark %d", i), "age", fmt.Sprint(i%90))
		return formPost(h, ch.ID, urlencoded, body, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), nil)
	})
}
