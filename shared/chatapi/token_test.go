package chatapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/inbox"
)

// TestToken: a token verifies on its own channel until it expires; a forged, altered, expired
// or other channel's token is EUnauthorized; the identity hash is HMAC-SHA256(id, secret).
func TestToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	ch := inbox.Channel{ID: "c1", Secrets: map[string]string{chat.SecretVisitorKey: "key-1"}}
	other := inbox.Channel{ID: "c2", Secrets: map[string]string{chat.SecretVisitorKey: "key-2"}}
	tok := chatapi.Sign("key-1", chatapi.Visitor{ChannelID: "c1", Key: "v_1", Expires: now.Add(time.Hour).Unix()})
	if v, err := chatapi.Verify(ch, tok, now); err != nil || v.Key != "v_1" {
		t.Fatalf("valid token: %+v %v", v, err)
	}
	if id, err := chatapi.ChannelOf(tok); err != nil || id != "c1" {
		t.Fatalf("ChannelOf: %q %v", id, err)
	}
	forged := chatapi.Sign("guess", chatapi.Visitor{ChannelID: "c1", Key: "u_admin", Verified: true, Expires: now.Add(time.Hour).Unix()})
	payload, sig, _ := strings.Cut(strings.TrimPrefix(tok, chatapi.TokenPrefix), ".")
	altered := chatapi.TokenPrefix + payload + "x." + sig
	for name, tc := range map[string]struct {
		ch  inbox.Channel
		tok string
		at  time.Time
	}{
		"forged":        {ch, forged, now},
		"altered":       {ch, altered, now},
		"expired":       {ch, tok, now.Add(time.Hour)},
		"other channel": {other, tok, now},
		"not a token":   {ch, "eyJhbGciOi.x.y", now},
		"empty":         {ch, "", now},
	} {
		if _, err := chatapi.Verify(tc.ch, tc.tok, tc.at); !inbox.IsCode(err, inbox.EUnauthorized) {
			t.Errorf("%s: %v, want EUnauthorized", name, err)
		}
	}
	// The documented example of HMAC-SHA256 (RFC 4231 test case 2): key "Jefe".
	if h := chatapi.IdentityHash("Jefe", "what do ya want for nothing?"); h != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Fatalf("identity hash %s", h)
	}
}
