// Package meta is the Meta adapter for Facebook Messenger and the WhatsApp Cloud API: it
// verifies webhook signatures and subscription handshakes, decodes the Messenger ("page") and
// WhatsApp ("whatsapp_business_account") webhooks into inbox envelopes, applies Meta's messaging
// windows, and talks to the Graph API (Send API, WhatsApp /messages, media). It uses the
// standard library only.
package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/openinbox/inbox/shared/inbox"
)

// SignatureHeader is the HTTP header in which Meta sends a webhook's signature.
const SignatureHeader = "X-Hub-Signature-256"

// signaturePrefix starts every X-Hub-Signature-256 value.
const signaturePrefix = "sha256="

// Sign returns the X-Hub-Signature-256 value of body: "sha256=" followed by the lowercase hex
// HMAC-SHA256 of the raw bytes keyed with appSecret. Meta signs the payload exactly as sent,
// which escapes non-ASCII characters as \uXXXX, so body must be the raw request body and never a
// re-serialization of it. It never fails.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks that header (the X-Hub-Signature-256 value) is Meta's signature of the
// raw body with appSecret, comparing the MACs in constant time.
//
// It returns an *inbox.Error with code EForbidden ("invalid X-Hub-Signature-256") when the header
// is missing, lacks the "sha256=" prefix, is not 64 hex digits, or does not match; and EInternal
// when appSecret is empty, since an empty key would let anyone forge signatures: that is a
// configuration error, never a successful check.
func VerifySignature(appSecret string, body []byte, header string) error {
	if appSecret == "" {
		return inbox.Errorf(inbox.EInternal, "Meta app secret is not configured")
	}
	h := strings.TrimSpace(header)
	if len(h) <= len(signaturePrefix) || !strings.EqualFold(h[:len(signaturePrefix)], signaturePrefix) {
		return errBadSignature()
	}
	got, err := hex.DecodeString(h[len(signaturePrefix):])
	if err != nil || len(got) != sha256.Size {
		return errBadSignature()
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), got) {
		return errBadSignature()
	}
	return nil
}

func errBadSignature() error {
	return inbox.Errorf(inbox.EForbidden, "invalid X-Hub-Signature-256")
}

// Handshake answers Meta's webhook verification request (GET with hub.mode, hub.verify_token and
// hub.challenge): when hub.mode is "subscribe" and hub.verify_token equals verifyToken (compared
// in constant time) it returns hub.challenge, which the endpoint must echo as the response body.
//
// It returns an *inbox.Error with code EForbidden when the mode or token does not match, EInvalid
// when hub.challenge is missing, and EInternal when verifyToken is empty (an empty token would
// accept a request without one).
func Handshake(q url.Values, verifyToken string) (string, error) {
	if verifyToken == "" {
		return "", inbox.Errorf(inbox.EInternal, "webhook verify token is not configured")
	}
	modeOK := q.Get("hub.mode") == "subscribe"
	tokenOK := subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(verifyToken)) == 1
	if !modeOK || !tokenOK {
		return "", inbox.Errorf(inbox.EForbidden, "webhook verification refused")
	}
	challenge := q.Get("hub.challenge")
	if challenge == "" {
		return "", inbox.Errorf(inbox.EInvalid, "webhook verification without hub.challenge")
	}
	return challenge, nil
}
