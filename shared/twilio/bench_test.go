package twilio_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
	"testing"

	"github.com/openinbox/inbox/shared/twilio"

	"github.com/openinbox/inbox/shared/internal/sidebyside"
)

// BenchmarkInboundCodec measures the CPU-only part of the intake, the codec: Verify (signature
// check on the raw body, which also parses it) and ParseInbound (normalization) of a documented
// incoming-SMS form. In the same loop, interleaved so that a busy machine slows both alike, it
// times the hand-written baseline: parse the same form, HMAC-SHA1 the URL and the sorted
// parameters, base64, compare in constant time. Metrics: codec-ns/op, baseline-ns/op, and
// baseline/codec, the codec's speed relative to the baseline (the goal is at least 0.6).
func BenchmarkInboundCodec(b *testing.B) {
	const token, hook = "12345", "https://inbox.example.com/webhooks/twilio/ch1"
	form := url.Values{
		"MessageSid": {"SM1342fe1b2c904d1ab04f0fc7a58abca9"}, "SmsSid": {"SM1342fe1b2c904d1ab04f0fc7a58abca9"},
		"AccountSid": {"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}, "From": {"+14017122661"}, "To": {"+15558675310"},
		"Body": {"Ahoy! Let's build something amazing."}, "NumMedia": {"0"}, "NumSegments": {"1"},
		"FromCountry": {"US"}, "ToCountry": {"US"}, "ApiVersion": {"2010-04-01"},
	}
	body := []byte(form.Encode())
	sig := twilio.Signature(token, hook, form)
	codec := func() {
		v, err := twilio.Verify(token, hook, "application/x-www-form-urlencoded", body, sig)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := twilio.ParseInbound(v); err != nil {
			b.Fatal(err)
		}
	}
	baseline := func() {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			b.Fatal(err)
		}
		mac := hmac.New(sha1.New, []byte(token))
		mac.Write([]byte(hook))
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range v {
				if !yield(k) {
					return
				}
			}
		}) {
			mac.Write([]byte(k))
			mac.Write([]byte(v.Get(k)))
		}
		got := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(got), []byte(sig)) {
			b.Fatal("baseline: signature mismatch")
		}
	}
	sidebyside.Codec(b, codec, baseline)
}
