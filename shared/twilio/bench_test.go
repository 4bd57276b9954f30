package twilio_test

import (
	"net/url"
	"testing"

	"github.com/openinbox/inbox/shared/twilio"
)

// BenchmarkInboundCodec measures the CPU-only part of the intake: signature check on the raw
// body and normalization of a documented incoming-SMS form.
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
	b.ReportAllocs()
	for b.Loop() {
		if err := twilio.ValidateRequest(token, hook, "application/x-www-form-urlencoded", body, sig); err != nil {
			b.Fatal(err)
		}
		v, _ := url.ParseQuery(string(body))
		if _, err := twilio.ParseInbound(v); err != nil {
			b.Fatal(err)
		}
	}
}
