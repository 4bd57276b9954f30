package localrun

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/openinbox/inbox/shared/auth"
	"github.com/openinbox/inbox/shared/jwtauth"
)

// Issuer and Audience of local tokens; API Gateway's JWT authorizer checks the same two.
const (
	Issuer   = "inbox-local"
	Audience = "inbox-local"
)

// KeyFile is where the local signing key lives, so that tokens minted by one process (the token
// command) are accepted by another (make run). LOCAL_JWT_KEY overrides it.
func KeyFile(root string) string { return filepath.Join(root, ".local", "jwt.key") }

// LoadKey returns the local token signing key, creating it on first use.
func LoadKey(root string) ([]byte, error) {
	if k := os.Getenv("LOCAL_JWT_KEY"); k != "" {
		return []byte(k), nil
	}
	p := KeyFile(root)
	if b, err := os.ReadFile(p); err == nil && len(b) >= 32 {
		return b, nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	key := []byte(hex.EncodeToString(b[:]))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	// Written aside and linked into place, so that processes starting at once (two test runs)
	// all end up with the one key that won, never a half-written file.
	tmp, err := os.CreateTemp(filepath.Dir(p), "jwt.key.*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key); err != nil {
		_ = tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), p); err != nil {
		if b, rerr := os.ReadFile(p); rerr == nil && len(b) >= 32 {
			return b, nil
		}
		// A short key file left by hand is replaced.
		if err := os.Rename(tmp.Name(), p); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// Mint returns an HS256 token for user in account with role, valid for ttl, carrying the same
// claims as a Cognito ID token of the deployed stack.
func Mint(key []byte, account, user, role string, ttl time.Duration, now time.Time) (string, error) {
	return MintNamed(key, account, user, role, "", ttl, now)
}

// MintNamed is Mint with the user's display name in the standard "name", "given_name" and
// "family_name" claims (used for email From names and signatures).
func MintNamed(key []byte, account, user, role, name string, ttl time.Duration, now time.Time) (string, error) {
	if account == "" || user == "" {
		return "", errors.New("account and user are required")
	}
	if role != "admin" && role != "agent" {
		return "", fmt.Errorf("role must be admin or agent, not %q", role)
	}
	claims := jwt.MapClaims{
		"iss": Issuer, "aud": Audience, "sub": user,
		auth.ClaimAccount: account, auth.ClaimRole: role,
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	}
	if name = strings.TrimSpace(name); name != "" {
		claims["name"] = name
		given, family, _ := strings.Cut(name, " ")
		claims["given_name"], claims["family_name"] = given, family
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
}

// Verify checks a bearer token as API Gateway's JWT authorizer would (signature, issuer,
// audience, expiry) and returns its claims as API Gateway passes them: every value a string,
// arrays as "[a b]".
func Verify(key []byte, authorization string, now time.Time) (map[string]string, error) {
	raw, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok {
		raw = authorization
	}
	if raw == "" {
		return nil, errors.New("no token")
	}
	tok, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(Issuer), jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return nil, err
	}
	mc, _ := tok.Claims.(jwt.MapClaims)
	return jwtauth.StringClaims(mc), nil
}
