package oidctest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The provider keeps the rules of Cognito's endpoints that the app's sign-in depends on: only
// registered callbacks, a PKCE S256 challenge required, a code good once with its verifier, for
// its client and redirect URI.
func TestProviderFollowsTheCodeFlowWithPKCE(t *testing.T) {
	t.Parallel()
	p := New()
	defer p.Close()
	const app = "https://inbox.example/app/"
	p.AddClient("web", app)
	p.SignIn(map[string]any{"sub": "ada", "custom:account_id": "acme", "custom:role": "admin"})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	authorize := func(q url.Values) (int, url.Values) {
		t.Helper()
		res, err := noRedirect.Get(p.AuthorizeURL() + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, _ := url.Parse(res.Header.Get("Location"))
		if res.StatusCode == http.StatusFound && !strings.HasPrefix(loc.String(), app) {
			t.Fatalf("redirected to %s", loc)
		}
		return res.StatusCode, loc.Query()
	}
	base := url.Values{"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {app}, "state": {"s1"},
		"scope": {"openid email profile"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range base {
			q[kk] = vv
		}
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	if st, _ := authorize(with("redirect_uri", "https://evil.example/app/")); st != http.StatusBadRequest {
		t.Errorf("unregistered callback: %d", st)
	}
	if st, q := authorize(with("code_challenge", "")); st != http.StatusFound || q.Get("error") != "invalid_request" || q.Get("state") != "s1" {
		t.Errorf("no challenge: %d %v", st, q)
	}
	if _, q := authorize(with("code_challenge_method", "plain")); q.Get("error") != "invalid_request" {
		t.Errorf("plain challenge: %v", q)
	}
	st, q := authorize(base)
	code := q.Get("code")
	if st != http.StatusFound || code == "" || q.Get("state") != "s1" {
		t.Fatalf("authorize: %d %v", st, q)
	}
	token := func(f url.Values) (int, map[string]any) {
		t.Helper()
		res, err := http.PostForm(p.TokenURL(), f)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"web"}, "code": {code}, "redirect_uri": {app}, "code_verifier": {"x" + verifier[1:]}}
	if st, out := token(form); st != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: %d %v", st, out)
	}
	// A refused attempt spends the code, as a stolen code must not be tried again.
	form.Set("code_verifier", verifier)
	if st, out := token(form); st != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("code used twice: %d %v", st, out)
	}
	_, q = authorize(base)
	form.Set("code", q.Get("code"))
	st, out := token(form)
	if st != http.StatusOK || out["id_token"] == nil || out["token_type"] != "Bearer" {
		t.Fatalf("token: %d %v", st, out)
	}
	if got := p.Refused(); len(got) != 2 {
		t.Errorf("refused %v", got)
	}
}
