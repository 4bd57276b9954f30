package meta

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

const (
	// GitHub's published X-Hub-Signature-256 test values ("Validating webhook deliveries",
	// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries), the same
	// header and algorithm Meta uses ("Validating Payloads",
	// https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads).
	githubSecret    = "It's a Secret to Everybody"
	githubPayload   = "Hello, World!"
	githubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

	// Meta signs "an escaped unicode version of the payload, with lowercase hex digits": été is
	// sent as \u00e9t\u00e9. Both vectors were computed independently with
	// printf '%s' BODY | openssl dgst -sha256 -hmac app-secret.
	unicodeSecret    = "app-secret"
	escapedBody      = `{"text":"\u00e9t\u00e9"}`
	escapedSignature = "sha256=06c2568082f7240cb8b460cbca8f7f1a90025085cb1e5cad662e0beb7eae2ac5"
	utf8Signature    = "sha256=a33d8339a09ae18cf45926d115b2b7e64d24772f7e558688195eadc10d00df92" // {"text":"été"}
)

func TestSign(t *testing.T) {
	t.Parallel()
	if got := Sign(githubSecret, []byte(githubPayload)); got != githubSignature {
		t.Errorf("Sign(GitHub vector) = %s, want %s", got, githubSignature)
	}
	if got := Sign(unicodeSecret, []byte(escapedBody)); got != escapedSignature {
		t.Errorf("Sign(escaped body) = %s, want %s", got, escapedSignature)
	}
	if got := Sign(unicodeSecret, []byte(`{"text":"été"}`)); got != utf8Signature {
		t.Errorf("Sign(UTF-8 body) = %s, want %s", got, utf8Signature)
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	upper := "sha256=" + strings.ToUpper(strings.TrimPrefix(githubSignature, "sha256="))
	tests := []struct {
		name   string
		secret string
		body   string
		header string
		want   inbox.ErrorCode
	}{
		{name: "published vector", secret: githubSecret, body: githubPayload, header: githubSignature},
		{name: "uppercase hex digits", secret: githubSecret, body: githubPayload, header: upper},
		{name: "escaped unicode as sent", secret: unicodeSecret, body: escapedBody, header: escapedSignature},

		{name: "tampered body", secret: githubSecret, body: "Hello, World?", header: githubSignature, want: inbox.EForbidden},
		{name: "wrong secret", secret: "another secret", body: githubPayload, header: githubSignature, want: inbox.EForbidden},
		{name: "missing header", secret: githubSecret, body: githubPayload, header: "", want: inbox.EForbidden},
		{name: "prefix only", secret: githubSecret, body: githubPayload, header: "sha256=", want: inbox.EForbidden},
		{name: "no prefix", secret: githubSecret, body: githubPayload, header: strings.TrimPrefix(githubSignature, "sha256="), want: inbox.EForbidden},
		{name: "sha1 header", secret: githubSecret, body: githubPayload, header: "sha1=" + strings.TrimPrefix(githubSignature, "sha256="), want: inbox.EForbidden},
		{name: "not hex", secret: githubSecret, body: githubPayload, header: "sha256=" + strings.Repeat("zz", 32), want: inbox.EForbidden},
		{name: "truncated", secret: githubSecret, body: githubPayload, header: githubSignature[:len(githubSignature)-2], want: inbox.EForbidden},
		{name: "empty secret never verifies", secret: "", body: githubPayload, header: Sign("", []byte(githubPayload)), want: inbox.EInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := VerifySignature(tt.secret, []byte(tt.body), tt.header)
			if got := inbox.ErrorCodeOf(err); got != tt.want {
				t.Fatalf("VerifySignature = %v, want code %q", err, tt.want)
			}
		})
	}
}

// TestVerifySignatureReserialised shows why the raw body must be verified: the same JSON
// re-serialised (Go writes été as UTF-8) is not what Meta signed.
func TestVerifySignatureReserialised(t *testing.T) {
	t.Parallel()
	var v map[string]string
	if err := json.Unmarshal([]byte(escapedBody), &v); err != nil {
		t.Fatal(err)
	}
	if v["text"] != "été" {
		t.Fatalf("decoded text = %q", v["text"])
	}
	reserialised, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(reserialised) != `{"text":"été"}` {
		t.Fatalf("re-serialised = %s", reserialised)
	}
	if err := VerifySignature(unicodeSecret, []byte(escapedBody), escapedSignature); err != nil {
		t.Fatalf("raw body: %v", err)
	}
	if err := VerifySignature(unicodeSecret, reserialised, escapedSignature); !inbox.IsCode(err, inbox.EForbidden) {
		t.Fatalf("re-serialised body verified: %v", err)
	}
}

func TestHandshake(t *testing.T) {
	t.Parallel()
	// The sample verification request of "Getting Started" (Graph API webhooks):
	// hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock.
	docs := func(edit func(url.Values)) url.Values {
		q := url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1158201444"}, "hub.verify_token": {"meatyhamhock"}}
		if edit != nil {
			edit(q)
		}
		return q
	}
	tests := []struct {
		name  string
		q     url.Values
		token string
		want  string
		err   inbox.ErrorCode
	}{
		{name: "documented request", q: docs(nil), token: "meatyhamhock", want: "1158201444"},
		{name: "wrong token", q: docs(nil), token: "meatyhamhock2", err: inbox.EForbidden},
		{name: "token prefix", q: docs(func(q url.Values) { q.Set("hub.verify_token", "meaty") }), token: "meatyhamhock", err: inbox.EForbidden},
		{name: "missing token", q: docs(func(q url.Values) { q.Del("hub.verify_token") }), token: "meatyhamhock", err: inbox.EForbidden},
		{name: "other mode", q: docs(func(q url.Values) { q.Set("hub.mode", "unsubscribe") }), token: "meatyhamhock", err: inbox.EForbidden},
		{name: "missing mode", q: docs(func(q url.Values) { q.Del("hub.mode") }), token: "meatyhamhock", err: inbox.EForbidden},
		{name: "missing challenge", q: docs(func(q url.Values) { q.Del("hub.challenge") }), token: "meatyhamhock", err: inbox.EInvalid},
		{name: "unconfigured token", q: docs(func(q url.Values) { q.Set("hub.verify_token", "") }), token: "", err: inbox.EInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Handshake(tt.q, tt.token)
			if code := inbox.ErrorCodeOf(err); code != tt.err {
				t.Fatalf("Handshake error = %v, want code %q", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Handshake = %q, want %q", got, tt.want)
			}
		})
	}
}
