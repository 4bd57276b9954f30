package jwtauth

import (
	"context"
	"testing"

	"github.com/openinbox/inbox/infra/oidctest"
	"github.com/openinbox/inbox/shared/inbox"
)

// Tokens are checked as API Gateway's JWT authorizer checks them: the issuer's keys, the issuer,
// and an audience among those configured (the stack's user pool has two clients, so the ws
// function is given both, comma-separated).
func TestOIDCVerify(t *testing.T) {
	t.Parallel()
	p := oidctest.New()
	defer p.Close()
	claims := map[string]any{"sub": "ada", "custom:account_id": "acme", "custom:role": "agent"}
	other := oidctest.New()
	defer other.Close()
	for _, tc := range []struct {
		name, audience, token string
		want                  inbox.ErrorCode
	}{
		{"one audience", "web", p.IDToken("web", claims), ""},
		{"second of two", "srp, web", p.IDToken("web", claims), ""},
		{"first of two", "srp,web", p.IDToken("srp", claims), ""},
		{"another client", "srp,web", p.IDToken("elsewhere", claims), inbox.EUnauthorized},
		{"empty entries match nothing", ",", p.IDToken("", claims), inbox.EUnauthorized},
		{"another issuer's key", "web", other.IDToken("web", claims), inbox.EUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &OIDC{Issuer: p.URL, Audience: tc.audience}
			got, err := o.Verify(context.Background(), tc.token)
			if inbox.ErrorCodeOf(err) != tc.want {
				t.Fatalf("error %v, want code %q", err, tc.want)
			}
			if err == nil && (got["sub"] != "ada" || got["custom:account_id"] != "acme") {
				t.Errorf("claims %v", got)
			}
		})
	}
}
