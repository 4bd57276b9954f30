package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/openinbox/inbox/shared/internal/sidebyside"
)

// BenchmarkWebhookCodec measures the CPU-only part of the Meta intakes, the codec:
// VerifySignature on the raw body and ParseMessenger / ParseWhatsApp of a documented text
// message. In the same loop, interleaved so that a busy machine slows both alike, it times the
// hand-written baseline on the same body: HMAC-SHA256 compared in constant time with the
// header's hex, and json.Unmarshal into a struct of just the fields a text message needs.
// Metrics: codec-ns/op, baseline-ns/op and baseline/codec, the codec's speed relative to the
// baseline.
func BenchmarkWebhookCodec(b *testing.B) {
	const secret = "app-secret"
	for _, tc := range []struct {
		name     string
		body     []byte
		parse    func([]byte) ([]Event, error)
		baseline any // a fresh value to decode into
	}{
		{"messenger", []byte(pageBody(docsTextMessage)), ParseMessenger, &struct {
			Object string `json:"object"`
			Entry  []struct {
				ID        string `json:"id"`
				Messaging []struct {
					Sender    struct{ ID string } `json:"sender"`
					Recipient struct{ ID string } `json:"recipient"`
					Timestamp int64               `json:"timestamp"`
					Message   struct {
						Mid  string `json:"mid"`
						Text string `json:"text"`
					} `json:"message"`
				} `json:"messaging"`
			} `json:"entry"`
		}{}},
		{"whatsapp", []byte(waBody(docsWAText)), ParseWhatsApp, &struct {
			Object string `json:"object"`
			Entry  []struct {
				ID      string `json:"id"`
				Changes []struct {
					Value struct {
						Metadata struct {
							PhoneNumberID string `json:"phone_number_id"`
						} `json:"metadata"`
						Contacts []struct {
							Profile struct{ Name string } `json:"profile"`
							WaID    string                `json:"wa_id"`
						} `json:"contacts"`
						Messages []struct {
							From      string `json:"from"`
							ID        string `json:"id"`
							Timestamp string `json:"timestamp"`
							Type      string `json:"type"`
							Text      struct {
								Body string `json:"body"`
							} `json:"text"`
						} `json:"messages"`
					} `json:"value"`
				} `json:"changes"`
			} `json:"entry"`
		}{}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			sig := Sign(secret, tc.body)
			codec := func() {
				if err := VerifySignature(secret, tc.body, sig); err != nil {
					b.Fatal(err)
				}
				if _, err := tc.parse(tc.body); err != nil {
					b.Fatal(err)
				}
			}
			baseline := func() {
				want, err := hex.DecodeString(sig[len("sha256="):])
				if err != nil {
					b.Fatal(err)
				}
				mac := hmac.New(sha256.New, []byte(secret))
				mac.Write(tc.body)
				if !hmac.Equal(mac.Sum(nil), want) {
					b.Fatal("baseline: signature mismatch")
				}
				v := reflect.New(reflect.TypeOf(tc.baseline).Elem()).Interface()
				if err := json.Unmarshal(tc.body, v); err != nil {
					b.Fatal(err)
				}
			}
			sidebyside.Codec(b, codec, baseline)
		})
	}
}
