// Package stdwebhook signs and verifies webhooks the Standard Webhooks way
// (https://www.standardwebhooks.com, spec at github.com/standard-webhooks/standard-webhooks):
// three headers, webhook-id, webhook-timestamp (Unix seconds) and webhook-signature, a
// space-separated list of "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed by the bytes of
// the base64 part of a "whsec_" secret. Several signatures let a sender sign with an old and a
// new secret while a receiver rotates; one matching signature is enough.
package stdwebhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// The headers of a signed webhook.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every secret in its printed form.
const SecretPrefix = "whsec_"

// Tolerance is how far a webhook's timestamp may be from the receiver's clock, either way: an
// older one is a replay (or too late), a newer one a wrong clock.
const Tolerance = 5 * time.Minute

// NewSecret is the printed form of a secret made of key (24 to 64 random bytes, as the spec
// asks).
func NewSecret(key []byte) string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// key decodes a secret, with or without its prefix. It returns an EInvalid error when the rest
// is not base64.
func key(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(k) == 0 {
		return nil, inbox.Errorf(inbox.EInvalid, "the signing secret is not whsec_ and base64")
	}
	return k, nil
}

// Sign returns the signature of body sent as message id at ts with secret: "v1,<base64>". It
// returns an EInvalid error for a malformed secret.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	k, err := key(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(k, id, strconv.FormatInt(ts.Unix(), 10), body)), nil
}

// Headers sets the three headers on h for body sent as id at ts, signed with every secret given
// (the current one and, during a rotation, the previous one). It returns an EInvalid error for a
// malformed secret or when none is given.
func Headers(h http.Header, secrets []string, id string, ts time.Time, body []byte) error {
	var sigs []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		sig, err := Sign(s, id, ts, body)
		if err != nil {
			return err
		}
		sigs = append(sigs, sig)
	}
	if len(sigs) == 0 {
		return inbox.Errorf(inbox.EInvalid, "no signing secret")
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return nil
}

func mac(k []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks the headers of a webhook against its raw body, as received, with any of secrets
// (empty ones are skipped), at now. It returns the webhook's id and timestamp.
//
// Errors: EUnauthorized for a missing header, a timestamp outside Tolerance, or no v1
// signature that matches with any secret (compared in constant time); EInvalid when a secret
// is malformed (a configuration error, not the caller's).
func Verify(h http.Header, body []byte, secrets []string, now time.Time) (id string, ts time.Time, err error) {
	// API Gateway's payload 2.0 hands headers over as strings, and the Lambda adapter
	// (aws-lambda-go-api-proxy) splits every value on commas into several values: "v1,<sig>"
	// arrives as "v1" and "<sig>". Joining them again with commas restores the header.
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), strings.Join(h.Values(HeaderSignature), ",")
	if id == "" || tsText == "" || sigs == "" {
		return "", time.Time{}, inbox.Errorf(inbox.EUnauthorized, "webhook-id, webhook-timestamp and webhook-signature are required")
	}
	sec, perr := strconv.ParseInt(tsText, 10, 64)
	if perr != nil {
		return "", time.Time{}, inbox.Errorf(inbox.EUnauthorized, "webhook-timestamp is not Unix seconds")
	}
	ts = time.Unix(sec, 0)
	if d := now.Sub(ts); d >= Tolerance || d <= -Tolerance {
		return "", time.Time{}, inbox.Errorf(inbox.EUnauthorized, "webhook-timestamp is more than 5 minutes from now")
	}
	var keys [][]byte
	for _, s := range secrets {
		if s == "" {
			continue
		}
		k, err := key(s)
		if err != nil {
			return "", time.Time{}, err
		}
		keys = append(keys, k)
	}
	for _, k := range keys {
		want := mac(k, id, tsText, body)
		for _, sig := range strings.Fields(sigs) {
			version, b64, ok := strings.Cut(sig, ",")
			if !ok || version != "v1" {
				continue
			}
			got, err := base64.StdEncoding.DecodeString(b64)
			if err == nil && hmac.Equal(got, want) {
				return id, ts, nil
			}
		}
	}
	return "", time.Time{}, inbox.Errorf(inbox.EUnauthorized, "no webhook-signature matches the body")
}
