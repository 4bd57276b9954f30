// Package agentapp serves the agents' web app (static/: index.html, app.js, app.css; plain
// JavaScript modules and CSS, no build step, nothing from a CDN) under /app/, same origin as the
// API, from the api function. The app signs in (Config), reads and acts through /v1 and listens
// to the live channel (shared/realtime) with its catch-up (GET /v1/events).
package agentapp

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// Config is what the app is told at /app/config.json: how people sign in and where the live
// channel is. All optional.
type Config struct {
	// LocalSignIn is the local runner's demo sign-in (make run): GET lists the demo users, POST
	// {"userId"} returns {"token"}.
	LocalSignIn string `json:"localSignIn,omitempty"`
	// AuthorizeURL, TokenURL and ClientID are the OAuth 2.0 code flow with PKCE of the user
	// pool's hosted UI (or the configured OIDC issuer); the redirect URI is {origin}/app/.
	AuthorizeURL string `json:"authorizeUrl,omitempty"`
	TokenURL     string `json:"tokenUrl,omitempty"`
	ClientID     string `json:"clientId,omitempty"`
	// WebSocketURL is the live channel (wss://…/live); empty means {origin}/ws (make run).
	WebSocketURL string `json:"webSocketUrl,omitempty"`
}

type file struct {
	body, gz    []byte
	contentType string
	etag        string
}

// Handler serves the app: /app and /app/ (index.html), /app/app.js, /app/app.css and
// /app/config.json; gzip-encoded for clients that accept it, revalidated by ETag.
func Handler(c Config) http.Handler {
	files := map[string]file{}
	for name, ct := range map[string]string{"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"} {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			panic(err) // embedded at build time
		}
		files[name] = newFile(b, ct)
	}
	cfg, _ := json.Marshal(c)
	files["config.json"] = newFile(cfg, "application/json")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, `{"error":{"code":"not_found","message":"no such endpoint"}}`, http.StatusNotFound)
			return
		}
		name := path.Base(r.URL.Path)
		if r.URL.Path == "/app" || strings.HasSuffix(r.URL.Path, "/app/") {
			name = "index.html"
		}
		f, ok := files[name]
		if !ok {
			http.Error(w, `{"error":{"code":"not_found","message":"no such file"}}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		w.Header().Set("ETag", f.etag)
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Vary", "Accept-Encoding")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if name == "index.html" {
			// Everything the app loads is its own; email HTML is shown in sandboxed frames.
			w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss: https:; img-src 'self' https: data:; frame-src 'self' about:; frame-ancestors 'none'; base-uri 'none'")
		}
		if r.Header.Get("If-None-Match") == f.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := f.body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			body = f.gz
		}
		_, _ = w.Write(body)
	})
}

func newFile(b []byte, ct string) file {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	sum := sha256.Sum256(b)
	return file{body: b, gz: buf.Bytes(), contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// FirstLoad returns the bytes a browser downloads on first load (index.html, app.js, app.css),
// raw and gzip-encoded.
func FirstLoad() (raw, gz int) {
	for _, n := range []string{"index.html", "app.js", "app.css"} {
		b, _ := static.ReadFile("static/" + n)
		f := newFile(b, "")
		raw += len(f.body)
		gz += len(f.gz)
	}
	return raw, gz
}
