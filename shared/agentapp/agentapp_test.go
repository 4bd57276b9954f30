package agentapp

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The app's files are served gzip-encoded to browsers that accept it, revalidated by ETag, with
// the configuration the deployment gives; anything else is 404.
func TestHandler(t *testing.T) {
	t.Parallel()
	h := Handler(Config{LocalSignIn: "/_local/signin"})
	for _, tc := range []struct{ path, ct, contains string }{
		{"/app/", "text/html", `src="/app/app.js"`}, {"/app", "text/html", "<main"},
		{"/app/", "text/html", `<link rel="modulepreload" href="/app/js/settings/index.js">`},
		{"/app/app.js", "text/javascript", "./js/live.js"}, {"/app/js/live.js", "text/javascript", "/v1/events?after="},
		{"/app/app.css", "text/css", ".thread"}, {"/app/i18n/da.json", "application/json", `"language.name": "Dansk"`},
		{"/app/config.json", "application/json", `"localSignIn":"/_local/signin"`},
	} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.Header.Set("Accept-Encoding", "gzip, br")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), tc.ct) || w.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d %v", tc.path, w.Code, w.Header())
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		if !strings.Contains(string(b), tc.contains) {
			t.Errorf("%s lacks %q", tc.path, tc.contains)
		}
		req = httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.Header.Set("If-None-Match", w.Header().Get("ETag"))
		w = httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusNotModified {
			t.Errorf("%s revalidated: %d", tc.path, w.Code)
		}
	}
	for _, p := range []string{"/app/nope.js", "/app/../go.mod", "/app/i18n/xx.json", "/app/js/"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, p, nil))
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	raw, gz := FirstLoad()
	t.Logf("first load: %d bytes, %d gzipped", raw, gz)
}

// BenchmarkFirstLoad reports what a browser downloads on its first visit to the app (FirstLoad:
// index.html, the stylesheet, every module and the English catalogue), raw and gzip-encoded as
// the handler serves it, and how long building those files takes.
func BenchmarkFirstLoad(b *testing.B) {
	var raw, gz int
	for b.Loop() {
		raw, gz = FirstLoad()
	}
	b.ReportMetric(float64(raw), "bytes-raw")
	b.ReportMetric(float64(gz), "bytes-gzip")
}

// The chat settings' preview frames the widget from the chat's origin, which in AWS is the
// webhooks' API, not the app's: the app is told it (chatUrl) and its CSP lets it frame it.
func TestChatOriginMayBeFramed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ chatURL, config, frames string }{
		{"", `"languages"`, "frame-src 'self' about:;"},
		{"https://hooks.execute-api.eu-west-1.amazonaws.com", `"chatUrl":"https://hooks.execute-api.eu-west-1.amazonaws.com"`,
			"frame-src 'self' about: https://hooks.execute-api.eu-west-1.amazonaws.com;"},
	} {
		h := Handler(Config{ChatURL: tc.chatURL})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/app/", nil))
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, tc.frames) {
			t.Errorf("chat at %q: CSP %q lacks %q", tc.chatURL, csp, tc.frames)
		}
		w = httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/app/config.json", nil))
		if b := w.Body.String(); !strings.Contains(b, tc.config) || tc.chatURL == "" && strings.Contains(b, "chatUrl") {
			t.Errorf("chat at %q: config %s", tc.chatURL, b)
		}
	}
}
