package browser_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
)

// TestSmoke starts the browser, loads a page whose script changes the DOM after a click, and
// reads the result: the browser runs JavaScript and chromedp drives it.
func TestSmoke(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>smoke</title>
<button id="b" onclick="document.getElementById('out').textContent='clicked ' + navigator.userAgent.includes('Headless')">go</button>
<p id="out"></p>`))
	}))
	defer srv.Close()
	ctx := browser.New(t)
	browser.Do(t, ctx, "load and click", chromedp.Navigate(srv.URL), chromedp.Click(chromedp.ID("b")))
	title := browser.Run(t, ctx, "the title", chromedp.Title())
	out := browser.Run(t, ctx, "the result", chromedp.Text(chromedp.ID("out")))
	if title != "smoke" || out != "clicked true" {
		t.Fatalf("title %q, out %q; want smoke, clicked true", title, out)
	}
}
