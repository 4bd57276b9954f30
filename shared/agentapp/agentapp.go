// Package agentapp serves the agents' web app (static/: index.html, app.css, app.js starting
// the ES modules under js/ — core, i18n, sign-in, list, thread, composer, live, keys, and
// settings/ with one module per settings section; no build step, nothing from a CDN) under /app/, same origin as the
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
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/openinbox/inbox/shared/i18n"
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
	// ChatURL is the scheme and host the chat widget is served on (the webhooks' API, which is
	// not the app's in AWS), where the chat settings' preview frames it from; empty means the
	// app's own origin (make run).
	ChatURL string `json:"chatUrl,omitempty"`
	// Languages are the languages the app speaks, for its picker: Handler fills them from
	// shared/i18n's catalogues.
	Languages []Language `json:"languages"`
}

// Language is a language of the app: its tag ("da") and its name in itself ("Dansk").
type Language struct {
	Tag  string `json:"tag"`
	Name string `json:"name"`
}

type file struct {
	body, gz    []byte
	contentType string
	etag        string
}

// Handler serves the app under /app/: index.html at /app and /app/, every file of static/ by
// its path (app.js, js/…, app.css), /app/config.json, and the message catalogue of each
// language at /app/i18n/<lang>.json (shared/i18n); gzip-encoded for clients that accept it,
// revalidated by ETag. Anything else is 404. The files are read and compressed on the first
// request, not when the handler is built: the api function builds it at start, and most of
// its cold starts answer /v1 calls, not the app.
func Handler(c Config) http.Handler {
	all := sync.OnceValue(func() map[string]file {
		files := staticFiles()
		c.Languages = nil
		for _, lang := range i18n.Languages() {
			c.Languages = append(c.Languages, Language{Tag: lang, Name: i18n.T(lang, "language.name")})
		}
		cfg, _ := json.Marshal(c)
		files["config.json"] = newFile(cfg, "application/json")
		for _, lang := range i18n.Languages() {
			b, _ := i18n.JSON(lang)
			files["i18n/"+lang+".json"] = newFile(b, "application/json")
		}
		return files
	})
	// Everything the app loads is its own; email HTML is shown in sandboxed frames. It calls
	// the API, the live channel and the issuer's token endpoint (named: an issuer reached over
	// plain http, as in tests, is not covered by https:).
	connect := "'self' ws: wss: https:"
	if u, err := url.Parse(c.TokenURL); err == nil && u.Scheme == "http" && u.Host != "" {
		connect += " http://" + u.Host
	}
	// The chat preview frames the widget from its own origin (ChatURL).
	frames := "'self' about:"
	if u, err := url.Parse(c.ChatURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		frames += " " + u.Scheme + "://" + u.Host
	}
	csp := "default-src 'self'; connect-src " + connect + "; img-src 'self' https: data:; frame-src " + frames + "; frame-ancestors 'none'; base-uri 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, `{"error":{"code":"not_found","message":"no such endpoint"}}`, http.StatusNotFound)
			return
		}
		name, _ := strings.CutPrefix(r.URL.Path, "/app/")
		if r.URL.Path == "/app" || name == "" {
			name = "index.html"
		}
		f, ok := all()[name]
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
			w.Header().Set("Content-Security-Policy", csp)
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

// contentTypes are the types of the files the app is made of, by extension.
var contentTypes = map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml"}

// staticFiles reads static/ into files by path. index.html preloads every module (a
// <link rel="modulepreload"> per .js file, written where it says <!--modules-->), so the
// browser fetches the app's modules in one round instead of one import level at a time.
func staticFiles() map[string]file {
	files := map[string]file{}
	var modules []string
	_ = fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		b, _ := static.ReadFile(p)
		files[name] = newFile(b, contentTypes[path.Ext(name)])
		if path.Ext(name) == ".js" && name != "app.js" {
			modules = append(modules, name)
		}
		return nil
	})
	sort.Strings(modules)
	var links strings.Builder
	for _, m := range modules {
		links.WriteString(`<link rel="modulepreload" href="/app/` + m + `">` + "\n")
	}
	index := bytes.Replace(files["index.html"].body, []byte("<!--modules-->\n"), []byte(links.String()), 1)
	files["index.html"] = newFile(index, contentTypes[".html"])
	return files
}

func newFile(b []byte, ct string) file {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	sum := sha256.Sum256(b)
	return file{body: b, gz: buf.Bytes(), contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// FirstLoad returns the bytes a browser downloads on first load (index.html, the stylesheet,
// every module and the English catalogue), raw and gzip-encoded.
func FirstLoad() (raw, gz int) {
	files := staticFiles()
	b, _ := i18n.JSON(i18n.Default)
	files["i18n/en.json"] = newFile(b, "")
	for _, f := range files {
		raw += len(f.body)
		gz += len(f.gz)
	}
	return raw, gz
}
