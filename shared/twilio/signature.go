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
	"maps"
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
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	for _, k := range slices.Sorted(maps.Keys(params)) {
		values := slices.Clone(params[k])
		slices.Sort(values)
		for _, v := range slices.Compact(values) {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidateRequest checks that a webhook request was signed by Twilio with authToken.
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
// signature is missing or does not match, EInvalid when the content type, URL or form body
// cannot be parsed, and EInternal when authToken is empty (an empty key would make any
// signature forgeable, so it is a configuration error rather than a valid check).
func ValidateRequest(authToken, fullURL, contentType string, body []byte, signature string) error {
	if authToken == "" {
		return inbox.Errorf(inbox.EInternal, "Twilio auth token is not configured")
	}
	if signature == "" {
		return errBadSignature()
	}
	mediaType := ""
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return inbox.Wrap(err, inbox.EInvalid, "unparsable content type")
		}
		mediaType = mt
	}
	u, err := url.Parse(fullURL)
	if err != nil {
		return inbox.Wrap(err, inbox.EInvalid, "unparsable request URL")
	}

	switch mediaType {
	case "", "application/x-www-form-urlencoded":
		params, err := url.ParseQuery(string(body))
		if err != nil {
			return inbox.Wrap(err, inbox.EInvalid, "unparsable form body")
		}
		if !signatureMatches(authToken, fullURL, params, signature) {
			return errBadSignature()
		}
		return nil
	case "application/json":
		want := u.Query().Get("bodySHA256")
		if want == "" {
			// Twilio always adds bodySHA256 to JSON webhooks; without it the body is unsigned.
			return errBadSignature()
		}
		sum := sha256.Sum256(body)
		got := hex.EncodeToString(sum[:])
		// Both checks run before deciding so that the time taken does not say which one failed.
		sigOK := signatureMatches(authToken, fullURL, nil, signature)
		bodyOK := hmac.Equal([]byte(got), []byte(strings.ToLower(want)))
		if !sigOK || !bodyOK {
			return errBadSignature()
		}
		return nil
	default:
		return inbox.Errorf(inbox.EInvalid, "unsupported webhook content type %q", mediaType)
	}
}

func errBadSignature() error {
	return inbox.Errorf(inbox.EForbidden, "invalid Twilio signature")
}

// signatureMatches compares in constant time against every URL form Twilio may have signed.
func signatureMatches(authToken, fullURL string, params url.Values, signature string) bool {
	ok := false
	for _, candidate := range urlVariants(fullURL) {
		if hmac.Equal([]byte(Signature(authToken, candidate, params)), []byte(signature)) {
			ok = true
		}
	}
	return ok
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
