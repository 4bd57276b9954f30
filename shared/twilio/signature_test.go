package twilio

import (
	"net/url"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

const (
	vectorToken = "12345"
	vectorURL   = "https://mycompany.com/myapp.php?foo=1&bar=2"

	// docsSignature is the worked example of Twilio's "Webhooks security" page
	// (https://www.twilio.com/docs/usage/webhooks/webhooks-security): token 12345, vectorURL and
	// docsParams.
	docsSignature = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

	// The vectors below come from the official libraries' tests, which share token, URL and
	// parameter names with the docs but use other phone numbers (libParams):
	// twilio-python tests/unit/test_request_validator.py and
	// twilio-go client/request_validator_test.go.
	libSignature         = "RSOYDt4T1cUTdK1PDd93/VVr8B8=" // vectorURL as is
	libSignatureHTTPS443 = "kvajT1Ptam85bY51eRf/AJRuM3w=" // https://mycompany.com:443/…
	libSignatureHTTP80   = "0ZXoZLH/DfblKGATFgpif+LLRf4=" // http://mycompany.com:80/…
	libSignatureHTTP1234 = "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=" // http://mycompany.com:1234/…

	// twilio-python test_compute_signature_duplicate_*: Sid=CA123&SidAccount=AC123&Digits=5678&
	// Digits=1234 (and, in newer versions, a second Digits=1234) signed on vectorURL.
	duplicateSignature = "IK+Dwps556ElfBT0I3Rgjkr1wJU="

	// JSON bodies, from twilio-python test_validation_of_body_succeeds and twilio-go
	// TestRequestValidator_ValidateBody: the body, its SHA-256 and the signatures of the URL
	// carrying it.
	jsonBody           = `{"property": "value", "boolean": true}`
	jsonBodyHash       = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
	jsonSignature      = "a9nBmqA0ju/hNViExpshrM61xv4=" // vectorURL + "&bodySHA256=" + hash
	jsonSignatureAlone = "y77kIzt2vzLz71DgmJGsen2scGs=" // https://mycompany.com/myapp.php?bodySHA256=<hash>

	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

var (
	docsParams = url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+12349013030"},
		"Digits":  {"1234"},
		"From":    {"+12349013030"},
		"To":      {"+18005551212"},
	}
	libParams = url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+14158675309"},
		"Digits":  {"1234"},
		"From":    {"+14158675309"},
		"To":      {"+18005551212"},
	}
)

func TestSignature(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		url    string
		params url.Values
		want   string
	}{
		{"docs example", vectorURL, docsParams, docsSignature},
		{"library example", vectorURL, libParams, libSignature},
		{"https with default port", "https://mycompany.com:443/myapp.php?foo=1&bar=2", libParams, libSignatureHTTPS443},
		{"http with default port", "http://mycompany.com:80/myapp.php?foo=1&bar=2", libParams, libSignatureHTTP80},
		{"http with other port", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", libParams, libSignatureHTTP1234},
		{"repeated keys sorted", vectorURL, url.Values{"Sid": {"CA123"}, "SidAccount": {"AC123"}, "Digits": {"5678", "1234"}}, duplicateSignature},
		{"repeated values once", vectorURL, url.Values{"Sid": {"CA123"}, "SidAccount": {"AC123"}, "Digits": {"5678", "1234", "1234"}}, duplicateSignature},
		{"json body URL", vectorURL + "&bodySHA256=" + jsonBodyHash, nil, jsonSignature},
		{"json body URL alone", "https://mycompany.com/myapp.php?bodySHA256=" + jsonBodyHash, nil, jsonSignatureAlone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Signature(vectorToken, tt.url, tt.params); got != tt.want {
				t.Errorf("Signature = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateRequest(t *testing.T) {
	t.Parallel()
	libBody := []byte(libParams.Encode())
	tampered := url.Values{}
	for k, v := range libParams {
		tampered[k] = v
	}
	tampered.Set("Digits", "9999")

	tests := []struct {
		name        string
		token       string
		url         string
		contentType string
		body        []byte
		signature   string
		want        inbox.ErrorCode // "" for success
	}{
		{"docs example", vectorToken, vectorURL, formType, []byte(docsParams.Encode()), docsSignature, ""},
		{"library example", vectorToken, vectorURL, formType, libBody, libSignature, ""},
		{"content type with charset", vectorToken, vectorURL, formType + "; charset=utf-8", libBody, libSignature, ""},
		// Port variants, as twilio-python test_validation_{removes,adds}_port_on_{https,http}.
		{"https port removed", vectorToken, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", formType, libBody, libSignature, ""},
		{"http port kept", vectorToken, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", formType, libBody, libSignatureHTTP1234, ""},
		{"https 443 added", vectorToken, vectorURL, formType, libBody, libSignatureHTTPS443, ""},
		{"http 80 added", vectorToken, "http://mycompany.com/myapp.php?foo=1&bar=2", formType, libBody, libSignatureHTTP80, ""},
		{"https 443 removed", vectorToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", formType, libBody, libSignature, ""},
		{"repeated keys", vectorToken, vectorURL, formType, []byte("Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234"), duplicateSignature, ""},
		{"GET webhook without body", vectorToken, vectorURL, "", nil, Signature(vectorToken, vectorURL, nil), ""},
		{"json body", vectorToken, vectorURL + "&bodySHA256=" + jsonBodyHash, jsonType, []byte(jsonBody), jsonSignature, ""},
		{"json body alone", vectorToken, "https://mycompany.com/myapp.php?bodySHA256=" + jsonBodyHash, jsonType, []byte(jsonBody), jsonSignatureAlone, ""},
		{"json body https 443 added", vectorToken, vectorURL + "&bodySHA256=" + jsonBodyHash, jsonType, []byte(jsonBody),
			Signature(vectorToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256="+jsonBodyHash, nil), ""},

		{"tampered param", vectorToken, vectorURL, formType, []byte(tampered.Encode()), libSignature, inbox.EForbidden},
		{"extra param", vectorToken, vectorURL, formType, append(libBody, "&Extra=1"...), libSignature, inbox.EForbidden},
		{"other URL", vectorToken, "https://mycompany.com/myapp.php?foo=1&bar=3", formType, libBody, libSignature, inbox.EForbidden},
		{"other host", vectorToken, "https://attacker.example/myapp.php?foo=1&bar=2", formType, libBody, libSignature, inbox.EForbidden},
		{"wrong token", "54321", vectorURL, formType, libBody, libSignature, inbox.EForbidden},
		{"missing signature", vectorToken, vectorURL, formType, libBody, "", inbox.EForbidden},
		{"garbage signature", vectorToken, vectorURL, formType, libBody, "WRONG SIGNATURE", inbox.EForbidden},
		{"json tampered body", vectorToken, vectorURL + "&bodySHA256=" + jsonBodyHash, jsonType, []byte(`{"property": "value", "boolean": false}`), jsonSignature, inbox.EForbidden},
		{"json without bodySHA256", vectorToken, vectorURL, jsonType, []byte(jsonBody), libSignature, inbox.EForbidden},
		{"json wrong signature", vectorToken, vectorURL + "&bodySHA256=" + jsonBodyHash, jsonType, []byte(jsonBody), libSignature, inbox.EForbidden},

		{"unparsable form", vectorToken, vectorURL, formType, []byte("a=%zz"), libSignature, inbox.EInvalid},
		{"unparsable content type", vectorToken, vectorURL, "application/", libBody, libSignature, inbox.EInvalid},
		{"unsupported content type", vectorToken, vectorURL, "text/plain", libBody, libSignature, inbox.EInvalid},
		{"unparsable URL", vectorToken, "https://my company.com/%zz", formType, libBody, libSignature, inbox.EInvalid},
		{"empty token", "", vectorURL, formType, libBody, libSignature, inbox.EInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateRequest(tt.token, tt.url, tt.contentType, tt.body, tt.signature)
			if got := inbox.ErrorCodeOf(err); got != tt.want {
				t.Fatalf("ValidateRequest error = %v (code %q), want code %q", err, got, tt.want)
			}
			if tt.want == inbox.EForbidden && inbox.ErrorMessage(err) != "invalid Twilio signature" {
				t.Errorf("message = %q", inbox.ErrorMessage(err))
			}
		})
	}
}

func TestURLVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"https://a.example/p?q=1", []string{"https://a.example/p?q=1", "https://a.example:443/p?q=1"}},
		{"http://a.example", []string{"http://a.example", "http://a.example:80"}},
		{"https://a.example:8443/p", []string{"https://a.example:8443/p", "https://a.example/p"}},
		{"https://u:p@a.example/p", []string{"https://u:p@a.example/p", "https://u:p@a.example:443/p"}},
		// The path and query keep their original escaping; only the port changes.
		{"https://a.example/a%2Fb?x=%27y%27", []string{"https://a.example/a%2Fb?x=%27y%27", "https://a.example:443/a%2Fb?x=%27y%27"}},
		{"ftp://a.example/p", []string{"ftp://a.example/p"}},
		{"/relative", []string{"/relative"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got := urlVariants(tt.in)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("urlVariants(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
