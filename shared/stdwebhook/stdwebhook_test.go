package stdwebhook_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

// The Standard Webhooks reference test vector, as published in the spec's libraries
// (standard-webhooks/standard-webhooks, libraries/go/webhook_test.go, TestWebhookSign, and the
// same values in every other language's tests).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	// otherSignature is the "invalid signature" of the reference tests.
	otherSignature = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
)

func TestSignReproducesThePublishedVector(t *testing.T) {
	t.Parallel()
	for _, secret := range []string{vectorSecret, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
		got, err := stdwebhook.Sign(secret, vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody))
		if err != nil {
			t.Fatal(err)
		}
		if got != vectorSignature {
			t.Errorf("Sign(%q) = %s, want %s", secret, got, vectorSignature)
		}
	}
}

func headers(id string, ts int64, sig string) http.Header {
	h := http.Header{}
	h.Set(stdwebhook.HeaderID, id)
	h.Set(stdwebhook.HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(stdwebhook.HeaderSignature, sig)
	return h
}

// split splits the signature header on commas as aws-lambda-go-api-proxy does with the
// headers of API Gateway's payload 2.0 events.
func split(h http.Header) http.Header {
	v := h.Get(stdwebhook.HeaderSignature)
	h.Del(stdwebhook.HeaderSignature)
	for _, part := range strings.Split(v, ",") {
		h.Add(stdwebhook.HeaderSignature, strings.TrimSpace(part))
	}
	return h
}

// TestVerify runs the reference library's verification cases on the published vector: valid,
// missing headers, a wrong signature, too old and too new, several signatures, plus a tampered
// body, a wrong secret and a rotation's two secrets.
func TestVerify(t *testing.T) {
	t.Parallel()
	at := time.Unix(vectorTimestamp, 0)
	newer := stdwebhook.NewSecret([]byte("0123456789abcdef0123456789abcdef"))
	for _, tc := range []struct {
		name    string
		h       http.Header
		body    string
		secrets []string
		now     time.Time
		ok      bool
	}{
		{"valid", headers(vectorID, vectorTimestamp, vectorSignature), vectorBody, []string{vectorSecret}, at, true},
		{"valid a little later", headers(vectorID, vectorTimestamp, vectorSignature), vectorBody, []string{vectorSecret}, at.Add(4 * time.Minute), true},
		{"valid a little earlier (sender's clock ahead)", headers(vectorID, vectorTimestamp, vectorSignature), vectorBody, []string{vectorSecret}, at.Add(-4 * time.Minute), true},
		{"missing id", headers("", vectorTimestamp, vectorSignature), vectorBody, []string{vectorSecret}, at, false},
		{"missing signature", headers(vectorID, vectorTimestamp, ""), vectorBody, []string{vectorSecret}, at, false},
		{"invalid signature", headers(vectorID, vectorTimestamp, otherSignature), vectorBody, []string{vectorSecret}, at, false},
		{"old timestamp (stale, or a replay)", headers(vectorID, vectorTimestamp, vectorSignature), vectorBody, []string{vectorSecret}, at.Add(stdwebhook.Tolerance), false},
		{"new timestamp", headers(vectorID, vectorTimestamp, vectorSignature), vectorBody, []string{vectorSecret}, at.Add(-stdwebhook.Tolerance - time.Second), false},
		{"valid multi sig", headers(vectorID, vectorTimestamp, otherSignature+" v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "+vectorSignature+" "+otherSignature), vectorBody, []string{vectorSecret}, at, true},
		{"tampered body", headers(vectorID, vectorTimestamp, vectorSignature), `{"test": 2432232315}`, []string{vectorSecret}, at, false},
		{"tampered id", headers("msg_other", vectorTimestamp, vectorSignature), vectorBody, []string{vectorSecret}, at, false},
		{"timestamp changed within tolerance", headers(vectorID, vectorTimestamp+1, vectorSignature), vectorBody, []string{vectorSecret}, at, false},
		{"wrong secret", headers(vectorID, vectorTimestamp, vectorSignature), vectorBody, []string{newer}, at, false},
		{"rotation: old secret still accepted beside the new one", headers(vectorID, vectorTimestamp, vectorSignature), vectorBody, []string{newer, vectorSecret}, at, true},
		{"split on commas, as the Lambda adapter hands it over", split(headers(vectorID, vectorTimestamp, otherSignature+" "+vectorSignature)), vectorBody, []string{vectorSecret}, at, true},
		{"not a number", headers(vectorID, 0, vectorSignature), vectorBody, []string{vectorSecret}, at, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "not a number" {
				tc.h.Set(stdwebhook.HeaderTimestamp, "16142653x0")
			}
			id, ts, err := stdwebhook.Verify(tc.h, []byte(tc.body), tc.secrets, tc.now)
			if tc.ok {
				if err != nil || id != vectorID || ts.Unix() != vectorTimestamp {
					t.Fatalf("Verify = %q, %v, %v; want the vector's id and time", id, ts, err)
				}
				return
			}
			if !inbox.IsCode(err, inbox.EUnauthorized) {
				t.Fatalf("Verify error = %v, want unauthorized", err)
			}
		})
	}
}

// TestHeadersSignWithEverySecret checks that a sender rotating its secret signs with both, and
// that a receiver knowing either verifies.
func TestHeadersSignWithEverySecret(t *testing.T) {
	t.Parallel()
	now := time.Unix(vectorTimestamp, 0)
	newer := stdwebhook.NewSecret([]byte("0123456789abcdef0123456789abcdef"))
	h := http.Header{}
	if err := stdwebhook.Headers(h, []string{newer, vectorSecret}, vectorID, now, []byte(vectorBody)); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{newer, vectorSecret} {
		if _, _, err := stdwebhook.Verify(h, []byte(vectorBody), []string{s}, now); err != nil {
			t.Errorf("a receiver with %s: %v", s, err)
		}
	}
	if err := stdwebhook.Headers(http.Header{}, nil, vectorID, now, nil); !inbox.IsCode(err, inbox.EInvalid) {
		t.Errorf("Headers without a secret = %v, want invalid", err)
	}
}
