// Package oidctest is an OpenID Connect provider on an httptest server for tests, following the
// documented endpoints of a Cognito user pool and its hosted UI: the discovery document
// (/.well-known/openid-configuration), the signing keys (/.well-known/jwks.json), the
// authorization endpoint (/oauth2/authorize: the code flow, PKCE with S256 only, registered
// callback URLs only) and the token endpoint (/oauth2/token: grant_type=authorization_code with
// client_id, code, redirect_uri and code_verifier; errors as {"error": "invalid_grant"} and the
// like). ID tokens are RS256 JWTs with Cognito's claims. The hosted UI's login page is left out:
// the authorization endpoint signs in the user set with SignIn, as the hosted UI does for a
// browser that already has its session.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Provider is a running provider; its URL is the issuer.
type Provider struct {
	URL string

	srv *httptest.Server
	key *rsa.PrivateKey
	kid string

	mu      sync.Mutex
	clients map[string][]string // client id → callback URLs
	user    map[string]any
	aud     string
	codes   map[string]*grant
	refused []string
	issued  []string
}

type grant struct {
	clientID, redirectURI, challenge string
	claims                           map[string]any
	expires                          time.Time
}

// New starts a provider. Close stops it. It panics when no RSA key can be made.
func New() *Provider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p := &Provider{key: key, kid: randomHex(8), clients: map[string][]string{}, codes: map[string]*grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /.well-known/jwks.json", p.jwks)
	mux.HandleFunc("GET /oauth2/authorize", p.authorize)
	mux.HandleFunc("/oauth2/token", p.token)
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	return p
}

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// AuthorizeURL and TokenURL are the provider's OAuth 2.0 endpoints.
func (p *Provider) AuthorizeURL() string { return p.URL + "/oauth2/authorize" }

// TokenURL is the token endpoint.
func (p *Provider) TokenURL() string { return p.URL + "/oauth2/token" }

// AddClient registers a public app client (no secret) with its allowed callback URLs.
func (p *Provider) AddClient(id string, callbacks ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[id] = callbacks
}

// SignIn sets the user the hosted UI has a session for: the claims its ID tokens carry besides
// the standard ones (sub, custom:account_id, custom:role, email, name…).
func (p *Provider) SignIn(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = claims
}

// IssueForAudience makes ID tokens carry aud instead of the client's id (a token meant for
// another application); "" restores the client's id.
func (p *Provider) IssueForAudience(aud string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.aud = aud
}

// Refused returns the errors the token endpoint answered, in order ("invalid_grant", …).
func (p *Provider) Refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.refused)
}

// Issued returns the ID tokens the token endpoint issued, in order.
func (p *Provider) Issued() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.issued)
}

// IDToken signs an ID token for clientID with claims on top of Cognito's standard ones, valid
// for an hour from now.
func (p *Provider) IDToken(clientID string, claims map[string]any) string {
	now := time.Now()
	c := jwt.MapClaims{"iss": p.URL, "aud": clientID, "token_use": "id", "auth_time": now.Unix(),
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": randomHex(16), "email_verified": true}
	for k, v := range claims {
		c[k] = v
	}
	if _, ok := c["cognito:username"]; !ok {
		c["cognito:username"] = c["sub"]
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = p.kid
	s, err := tok.SignedString(p.key)
	if err != nil {
		panic(err)
	}
	return s
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": p.URL, "authorization_endpoint": p.AuthorizeURL(), "token_endpoint": p.TokenURL(),
		"jwks_uri": p.URL + "/.well-known/jwks.json", "userinfo_endpoint": p.URL + "/oauth2/userInfo",
		"response_types_supported": []string{"code", "token"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "scopes_supported": []string{"openid", "email", "phone", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kid": p.kid, "alg": "RS256", "kty": "RSA", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// authorize answers as the hosted UI's /oauth2/authorize: errors about the client or the
// redirect URI on a page of its own (never redirected to an unregistered URI), errors about the
// request as a redirect with error=, and otherwise a redirect with code and state.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	callbacks, known := p.clients[q.Get("client_id")]
	user := p.user
	p.mu.Unlock()
	redirect := q.Get("redirect_uri")
	if !known || !slices.Contains(callbacks, redirect) {
		http.Error(w, "redirect_mismatch", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(redirect)
	v := url.Values{}
	if s := q.Get("state"); s != "" {
		v.Set("state", s)
	}
	switch {
	case q.Get("response_type") != "code":
		v.Set("error", "unsupported_response_type")
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		// The app is a public client: it must send a PKCE challenge, and Cognito takes S256 only.
		v.Set("error", "invalid_request")
	case user == nil:
		v.Set("error", "access_denied")
	default:
		code := randomHex(16)
		p.mu.Lock()
		p.codes[code] = &grant{clientID: q.Get("client_id"), redirectURI: redirect, challenge: q.Get("code_challenge"),
			claims: user, expires: time.Now().Add(5 * time.Minute)}
		p.mu.Unlock()
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token answers as /oauth2/token for the authorization code grant of a public client. A code is
// good once, for the client and redirect URI it was issued to, with the verifier whose S256
// hash is its challenge.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	// Browsers call it from the app's origin (a simple request: no preflight).
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
	}
	if r.Method != http.MethodPost {
		p.refuse(w, http.StatusMethodNotAllowed, "invalid_request")
		return
	}
	if err := r.ParseForm(); err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		p.refuse(w, http.StatusBadRequest, "invalid_request")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		p.refuse(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	p.mu.Lock()
	_, known := p.clients[f.Get("client_id")]
	g := p.codes[f.Get("code")]
	delete(p.codes, f.Get("code"))
	aud := p.aud
	p.mu.Unlock()
	if !known {
		p.refuse(w, http.StatusBadRequest, "invalid_client")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if g == nil || time.Now().After(g.expires) || g.clientID != f.Get("client_id") || g.redirectURI != f.Get("redirect_uri") ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		p.refuse(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	if aud == "" {
		aud = g.clientID
	}
	id := p.IDToken(aud, g.claims)
	p.mu.Lock()
	p.issued = append(p.issued, id)
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id_token": id, "access_token": randomHex(32), "refresh_token": randomHex(32),
		"token_type": "Bearer", "expires_in": 3600})
}

func (p *Provider) refuse(w http.ResponseWriter, status int, code string) {
	p.mu.Lock()
	p.refused = append(p.refused, code)
	p.mu.Unlock()
	writeJSON(w, status, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
