// Package twilio is the Twilio SMS/MMS adapter: it verifies webhook signatures, decodes the
// incoming-message and status-callback webhooks into inbox envelopes, and sends messages through
// the Messages API. It uses the standard library only.
package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/openinbox/inbox/shared/inbox"
)

// SignatureHeader is the HTTP header in which Twilio sends a webhook's signature.
const SignatureHeader = "X-Twilio-Signature"

// Signature returns Twilio's signature of a request: base64(HMAC-SHA1(authToken, fullURL
// followed by every POST parameter as key+value, sorted by key)). Repeated keys contribute each
// distinct value once, in sorted order, as twilio-node and twilio-python do. It never fails.
func Signature(authToken, fullURL string, params url.Values) string {
	return base64.StdEncoding.EncodeToString(signatureMAC(sha1.New, authToken, fullURL, params))
}

// SignatureSHA256 is Signature with HMAC-SHA256 and a SharedKey's secret: how Twilio signs the
// webhooks that a Webhooks Rule gives a signing key with algorithm HMAC_SHA256 (announced by
// the X-Twilio-Webhooks-Signature-Settings header). It never fails.
func SignatureSHA256(sharedKey, fullURL string, params url.Values) string {
	return base64.StdEncoding.EncodeToString(signatureMAC(sha256.New, sharedKey, fullURL, params))
}

// signatureMAC returns the raw HMAC-SHA1 of Signature. The signed text is assembled in one
// buffer and hashed with a single Write: a Write per key and value costs an interface call and
// a conversion each.
func signatureMAC(newHash func() hash.Hash, authToken, fullURL string, params url.Values) []byte {
	keys := make([]string, 0, len(params))
	n := len(fullURL)
	for k, vs := range params {
		keys = append(keys, k)
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	slices.Sort(keys)
	buf := make([]byte, 0, n)
	buf = append(buf, fullURL...)
	for _, k := range keys {
		values := params[k]
		if len(values) > 1 {
			values = slices.Compact(slices.Sorted(slices.Values(values)))
		}
		for _, v := range values {
			buf = append(buf, k...)
			buf = append(buf, v...)
		}
	}
	mac := hmac.New(newHash, []byte(authToken))
	mac.Write(buf)
	return mac.Sum(nil)
}

// ValidateRequest checks that a webhook request was signed by Twilio with authToken; Verify
// does the same and also returns the request's parameters. It returns Verify's errors.
func ValidateRequest(authToken, fullURL, contentType string, body []byte, signature string) error {
	_, err := Verify(authToken, fullURL, contentType, body, signature)
	return err
}

// Verify checks that a webhook request was signed by Twilio with authToken and returns its
// parameters, parsed once for both the check and the caller: the form body's, or for a JSON
// body the string members of its top-level object.
//
// fullURL is the URL exactly as Twilio requested it (scheme, host, path and query), signature
// the X-Twilio-Signature header. Form bodies (application/x-www-form-urlencoded, or no content
// type, as for GET webhooks) are signed with their parameters. JSON bodies are signed over the
// URL alone, which must carry a bodySHA256 query parameter equal to the hex SHA-256 of body.
// Because Twilio may sign the URL with or without the port, the URL is also tried with the
// default port added (when it has none) or its port removed (when it has one), as Twilio's
// libraries do.
//
// It returns an *inbox.Error with code EForbidden ("invalid Twilio signature") when the
// signature is missing or does not match, EInvalid when the content type, URL or body cannot be
// parsed, and EInternal when authToken is empty (an empty key would make any signature
// forgeable, so it is a configuration error rather than a valid check).
func Verify(authToken, fullURL, contentType string, body []byte, signature string) (url.Values, error) {
	return verify(sha1.New, authToken, fullURL, contentType, body, signature)
}

// SignatureSettingsHeader is the header with which Twilio announces that a webhook is signed
// with a SharedKey rather than the auth token: "key=<KeySid>,algorithm=HMAC_SHA256".
const SignatureSettingsHeader = "X-Twilio-Webhooks-Signature-Settings"

// Keys are the secrets a channel's webhooks may be signed with: the account's auth token
// (HMAC-SHA1, Twilio's default) and, when a Webhooks Rule signs the channel's URLs, the
// secret of its SharedKey.
type Keys struct {
	AuthToken string
	SharedKey string
}

// VerifySigned is Verify for webhooks that may be signed with a SharedKey: without a
// settings header (SignatureSettingsHeader's value), with keys.AuthToken and HMAC-SHA1;
// with one, with keys.SharedKey and the algorithm it names (HMAC_SHA256 or HMAC_SHA1). The
// signed text is the same in both cases, only the hash and key change.
//
// It returns Verify's errors, and EForbidden when the header names an unknown algorithm or
// the channel has no SharedKey secret (a request signed with a key nobody configured is not
// one to trust).
func VerifySigned(keys Keys, settings, fullURL, contentType string, body []byte, signature string) (url.Values, error) {
	if settings == "" {
		return Verify(keys.AuthToken, fullURL, contentType, body, signature)
	}
	algorithm := ""
	for _, part := range strings.Split(settings, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && strings.EqualFold(k, "algorithm") {
			algorithm = strings.ToUpper(strings.TrimSpace(v))
		}
	}
	if keys.SharedKey == "" {
		return nil, inbox.Errorf(inbox.EForbidden, "the webhook is signed with a shared key this channel does not have")
	}
	switch algorithm {
	case "HMAC_SHA256":
		return verify(sha256.New, keys.SharedKey, fullURL, contentType, body, signature)
	case "HMAC_SHA1":
		return verify(sha1.New, keys.SharedKey, fullURL, contentType, body, signature)
	}
	return nil, inbox.Errorf(inbox.EForbidden, "unsupported Twilio signature algorithm %q", algorithm)
}

func verify(newHash func() hash.Hash, authToken, fullURL, contentType string, body []byte, signature string) (url.Values, error) {
	if authToken == "" {
		return nil, inbox.Errorf(inbox.EInternal, "Twilio auth token is not configured")
	}
	if signature == "" {
		return nil, errBadSignature()
	}
	mediaType, err := formOrMediaType(contentType)
	if err != nil {
		return nil, err
	}
	switch mediaType {
	case "", formContentType:
		if _, err := url.Parse(fullURL); err != nil {
			return nil, inbox.Wrap(err, inbox.EInvalid, "unparsable request URL")
		}
		params, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, inbox.Wrap(err, inbox.EInvalid, "unparsable form body")
		}
		if !signatureMatches(newHash, authToken, fullURL, params, signature) {
			return nil, errBadSignature()
		}
		return params, nil
	case "application/json":
		u, err := url.Parse(fullURL)
		if err != nil {
			return nil, inbox.Wrap(err, inbox.EInvalid, "unparsable request URL")
		}
		want := u.Query().Get("bodySHA256")
		if want == "" {
			// Twilio always adds bodySHA256 to JSON webhooks; without it the body is unsigned.
			return nil, errBadSignature()
		}
		sum := sha256.Sum256(body)
		got := hex.EncodeToString(sum[:])
		// Both checks run before deciding so that the time taken does not say which one failed.
		sigOK := signatureMatches(newHash, authToken, fullURL, nil, signature)
		bodyOK := hmac.Equal([]byte(got), []byte(strings.ToLower(want)))
		if !sigOK || !bodyOK {
			return nil, errBadSignature()
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, inbox.Wrap(err, inbox.EInvalid, "the body is not valid JSON")
		}
		v := url.Values{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			}
		}
		return v, nil
	default:
		return nil, inbox.Errorf(inbox.EInvalid, "unsupported webhook content type %q", mediaType)
	}
}

// formContentType is the content type of Twilio's form webhooks.
const formContentType = "application/x-www-form-urlencoded"

// formOrMediaType returns the media type of contentType, lower case; the exact form type Twilio
// sends skips mime.ParseMediaType, which allocates a parameter map on every request.
func formOrMediaType(contentType string) (string, error) {
	if contentType == "" || contentType == formContentType {
		return contentType, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", inbox.Wrap(err, inbox.EInvalid, "unparsable content type")
	}
	return mt, nil
}

func errBadSignature() error {
	return inbox.Errorf(inbox.EForbidden, "invalid Twilio signature")
}

// signatureMatches compares in constant time against every URL form Twilio may have signed:
// the URL as requested first, then, only when it does not match, the same URL with its port
// toggled. Stopping at the first match tells nothing about the token, only which form Twilio
// signed, and spares a second HMAC on every request.
func signatureMatches(newHash func() hash.Hash, authToken, fullURL string, params url.Values, signature string) bool {
	want, err := base64.StdEncoding.Strict().DecodeString(signature)
	if err != nil {
		return false
	}
	if hmac.Equal(signatureMAC(newHash, authToken, fullURL, params), want) {
		return true
	}
	for _, candidate := range urlVariants(fullURL)[1:] {
		if hmac.Equal(signatureMAC(newHash, authToken, candidate, params), want) {
			return true
		}
	}
	return false
}

// urlVariants returns raw and raw with its port toggled: removed when it has one, the scheme's
// default added when it has none. Twilio's back end is inconsistent about the port it signs
// (twilio-go, twilio-python and twilio-node all try both). The authority is edited in the
// original string rather than re-serialized through url.URL, which could re-escape the path or
// query and so change the signed bytes.
func urlVariants(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return []string{raw}
	}
	i := strings.Index(raw, "://")
	if i < 0 {
		return []string{raw}
	}
	start := i + len("://")
	end := len(raw)
	if j := strings.IndexAny(raw[start:], "/?#"); j >= 0 {
		end = start + j
	}
	authority := raw[start:end]
	userinfo, hostport := "", authority
	if k := strings.LastIndex(authority, "@"); k >= 0 {
		userinfo, hostport = authority[:k+1], authority[k+1:]
	}

	var alt string
	if port := u.Port(); port != "" {
		alt = strings.TrimSuffix(hostport, ":"+port)
	} else {
		switch strings.ToLower(u.Scheme) {
		case "https":
			alt = hostport + ":443"
		case "http":
			alt = hostport + ":80"
		default:
			return []string{raw}
		}
	}
	return []string{raw, raw[:start] + userinfo + alt + raw[end:]}
}
