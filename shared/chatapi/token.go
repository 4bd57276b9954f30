package chatapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/inbox"
)

// TokenPrefix starts every visitor token, so that a WebSocket $connect can tell a visitor's
// token from an agent's JWT.
const TokenPrefix = "vt1."

// TokenTTL is how long a visitor token is good for; the widget asks for a new one after.
const TokenTTL = 24 * time.Hour

// Visitor is who a visitor token names.
type Visitor struct {
	ChannelID string `json:"c"`
	// Key is the visitor's address on the channel: "v_<random>" for an anonymous visitor,
	// "u_<id>" for one verified by identify (the same on every device).
	Key string `json:"k"`
	// Verified says the visitor's id was signed with the channel's identity secret.
	Verified bool   `json:"v,omitempty"`
	Email    string `json:"e,omitempty"`
	Name     string `json:"n,omitempty"`
	Expires  int64  `json:"x"`
}

// Sign makes the token of v with the channel's visitor key.
func Sign(key string, v Visitor) string {
	b, _ := json.Marshal(v)
	body := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return body + "." + base64.RawURLEncoding.EncodeToString(mac(key, body))
}

func mac(key, body string) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(body))
	return m.Sum(nil)
}

// ChannelOf reads the channel id a token claims, unverified: the caller looks the channel up
// and then calls Verify with its key. It returns an EUnauthorized error for a malformed token.
func ChannelOf(token string) (string, error) {
	v, _, _, err := parse(token)
	return v.ChannelID, err
}

func parse(token string) (Visitor, string, []byte, error) {
	bad := inbox.Errorf(inbox.EUnauthorized, "the visitor token is malformed: ask for a new one")
	rest, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok || len(token) > 2048 {
		return Visitor{}, "", nil, bad
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return Visitor{}, "", nil, bad
	}
	b, err1 := base64.RawURLEncoding.DecodeString(payload)
	s, err2 := base64.RawURLEncoding.DecodeString(sig)
	var v Visitor
	if err1 != nil || err2 != nil || json.Unmarshal(b, &v) != nil || v.ChannelID == "" || v.Key == "" {
		return Visitor{}, "", nil, bad
	}
	return v, TokenPrefix + payload, s, nil
}

// Verify checks token against chat channel ch (its signature with the channel's visitor key,
// its channel, its expiry) and returns its visitor. Errors: EUnauthorized (malformed, forged,
// another channel's, expired).
func Verify(ch inbox.Channel, token string, now time.Time) (Visitor, error) {
	v, body, sig, err := parse(token)
	if err != nil {
		return Visitor{}, err
	}
	key := ch.Secrets[chat.SecretVisitorKey]
	if key == "" || v.ChannelID != ch.ID || !hmac.Equal(sig, mac(key, body)) {
		return Visitor{}, inbox.Errorf(inbox.EUnauthorized, "the visitor token is not valid for this chat")
	}
	if now.Unix() >= v.Expires {
		return Visitor{}, inbox.Errorf(inbox.EUnauthorized, "the visitor token has expired: ask for a new one")
	}
	return v, nil
}

// IdentityHash is what a site computes for identify(): hex(HMAC-SHA256(id, secret)).
func IdentityHash(secret, id string) string {
	return hex.EncodeToString(mac(secret, id))
}

// checkIdentity compares hash with the identity hash of id, in constant time.
func checkIdentity(secret, id, hash string) bool {
	got, err := hex.DecodeString(strings.ToLower(hash))
	return err == nil && secret != "" && hmac.Equal(got, mac(secret, id))
}
