// Package jwtauth checks agents' bearer tokens where API Gateway's JWT authorizer cannot: on
// the WebSocket API, whose $connect carries the token in the query string. It verifies them as
// that authorizer does (signature from the issuer's JSON Web Key Set, issuer, audience, expiry)
// and hands the claims to shared/auth as API Gateway would, so that a WebSocket connection gets
// the same principal as an HTTP request with the same token.
package jwtauth

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/openinbox/inbox/shared/auth"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/realtime"
)

// VerifyFunc checks a token and returns its claims as API Gateway passes them (strings).
type VerifyFunc func(ctx context.Context, token string) (map[string]string, error)

// OIDC verifies RS256 tokens of an OpenID Connect issuer (a Cognito user pool's is
// https://cognito-idp.{region}.amazonaws.com/{poolId}): the keys are read from the issuer's
// discovery document's jwks_uri once and again when a token names an unknown key id (rotation).
type OIDC struct {
	Issuer string
	// Audience is the client id tokens must be for, or several, comma-separated (the stack's
	// user pool has two clients: the web app's and the one for SRP sign-in).
	Audience string
	Client   *http.Client
	Now      func() time.Time

	mu   sync.Mutex
	keys map[string]*rsa.PublicKey
	// fetched limits refetches on unknown key ids to one a minute.
	fetched time.Time
}

// Verify checks token; see VerifyFunc. Errors: EUnauthorized (bad token), EUnavailable (the
// issuer's keys cannot be read).
func (o *OIDC) Verify(ctx context.Context, token string) (map[string]string, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	var keyErr error
	tok, err := jwt.Parse(token, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, err := o.key(ctx, kid, now())
		keyErr = err
		return k, err
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(o.Issuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(now))
	if keyErr != nil && inbox.ErrorCodeOf(keyErr) == inbox.EUnavailable {
		return nil, keyErr
	}
	if err != nil {
		return nil, inbox.Wrap(err, inbox.EUnauthorized, "invalid token")
	}
	claims := StringClaims(tok.Claims.(jwt.MapClaims))
	// As API Gateway's authorizer: the audience is in aud (ID tokens) or client_id (access tokens).
	if !audienceMatches(tok.Claims.(jwt.MapClaims), o.Audience) {
		return nil, inbox.Errorf(inbox.EUnauthorized, "the token is for another audience")
	}
	return claims, nil
}

func audienceMatches(c jwt.MapClaims, audiences string) bool {
	aud, _ := c.GetAudience()
	cid, _ := c["client_id"].(string)
	for want := range strings.SplitSeq(audiences, ",") {
		if want = strings.TrimSpace(want); want == "" {
			continue
		}
		if slices.Contains(aud, want) || cid == want {
			return true
		}
	}
	return false
}

func (o *OIDC) key(ctx context.Context, kid string, now time.Time) (*rsa.PublicKey, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if k, ok := o.keys[kid]; ok {
		return k, nil
	}
	if o.keys != nil && now.Sub(o.fetched) < time.Minute {
		return nil, inbox.Errorf(inbox.EUnauthorized, "unknown key id")
	}
	keys, err := o.fetch(ctx)
	if err != nil {
		return nil, inbox.Wrap(err, inbox.EUnavailable, "cannot read the issuer's keys")
	}
	o.keys, o.fetched = keys, now
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, inbox.Errorf(inbox.EUnauthorized, "unknown key id")
}

func (o *OIDC) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	var disc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := o.getJSON(ctx, strings.TrimSuffix(o.Issuer, "/")+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, err
	}
	if disc.JWKSURI == "" {
		return nil, errors.New("the discovery document has no jwks_uri")
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Kty string `json:"kty"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := o.getJSON(ctx, disc.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) > 4 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return keys, nil
}

func (o *OIDC) getJSON(ctx context.Context, url string, v any) error {
	c := o.Client
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return json.NewDecoder(http.MaxBytesReader(nil, res.Body, 1<<20)).Decode(v)
}

// StringClaims renders claims as API Gateway passes them to a function: every value a string,
// numbers without decimals, arrays "[a b]".
func StringClaims(mc jwt.MapClaims) map[string]string {
	out := make(map[string]string, len(mc))
	for k, v := range mc {
		switch x := v.(type) {
		case string:
			out[k] = x
		case float64:
			out[k] = fmt.Sprintf("%.0f", x)
		case []any:
			parts := make([]string, len(x))
			for i, p := range x {
				parts[i] = fmt.Sprint(p)
			}
			out[k] = "[" + strings.Join(parts, " ") + "]"
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

// Agents is the realtime authoriser of agents' JWTs, checked by verify.
func Agents(verify VerifyFunc) realtime.Authoriser { return agents{verify} }

type agents struct{ verify VerifyFunc }

// Accepts takes tokens shaped as a JWT whose header names an algorithm.
func (agents) Accepts(token string) bool {
	head, _, ok := strings.Cut(token, ".")
	if !ok || strings.Count(token, ".") != 2 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
	}
	return json.Unmarshal(b, &h) == nil && h.Alg != ""
}

func (a agents) Authorise(ctx context.Context, token string) (realtime.Principal, error) {
	claims, err := a.verify(ctx, token)
	if err != nil {
		if inbox.ErrorCodeOf(err) == inbox.EUnavailable {
			return realtime.Principal{}, err
		}
		return realtime.Principal{}, inbox.Wrap(err, inbox.EUnauthorized, "invalid token")
	}
	p, err := auth.FromClaims(claims)
	if err != nil {
		return realtime.Principal{}, err
	}
	return realtime.Principal{Account: p.AccountID, UserID: p.UserID}, nil
}
