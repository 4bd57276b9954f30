package localrun_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
)

// The chat settings' preview in chromium shows the settings being edited before they are
// saved, in the availability state chosen with the switch: an unsaved away message shows in the
// framed widget in the Away state, an unsaved waiting message At capacity, the reply time when
// Available; the widget marks the state it shows, and nothing is saved.
func TestChatPreviewShowsUnsavedSettingsPerState(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	p := openApp(t, e)
	p.signIn("ada")
	pageEval[bool](p, `(location.hash = '#/settings', true)`)
	p.wait("the chat channel", `document.getElementById('channel-demo-chat') !== null`)
	pageEval[bool](p, `(document.getElementById('channel-demo-chat').open = true, true)`)
	const frame = `document.getElementById('chat-preview-demo-chat-frame').contentDocument`
	p.wait("the widget in the preview", `(() => { const d = `+frame+`; return d && d.getElementById('title') && d.getElementById('title').textContent === 'Demo Inc' && d.documentElement.dataset.state; })()`)
	edit := func(field, value string) {
		p.t.Helper()
		pageEval[bool](p, `(() => { const el = document.getElementById('channel-demo-chat-`+field+`'); el.value = `+jsQuote(value)+`; el.dispatchEvent(new Event('input', { bubbles: true })); return true; })()`)
	}
	state := func(s string) {
		pageEval[bool](p, `(document.getElementById('chat-preview-demo-chat-state-`+s+`').click(), true)`)
	}
	shows := func(what, state, text string) {
		p.t.Helper()
		p.wait(what, `(() => { const d = `+frame+`; return d.documentElement.dataset.preview === 'true' && d.documentElement.dataset.state === '`+state+`' && d.getElementById('status').textContent.includes(`+jsQuote(text)+`); })()`)
	}
	edit("display-away-message", "Back at nine: leave us a note!")
	state("away")
	shows("the unsaved away message, away", "away", "Back at nine: leave us a note!")
	edit("display-atCapacity-message", "Everyone is busy, hold on a minute.")
	state("at_capacity")
	shows("the unsaved waiting message, at capacity", "at_capacity", "Everyone is busy, hold on a minute.")
	p.noAxeViolations("the chat settings' preview")
	state("available")
	shows("the reply time, available", "available", "")
	p.noScriptErrors()

	var demo localrun.Demo
	e.c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	res := e.c.api(http.MethodGet, "/v1/channels/"+localrun.DemoChatChannel, demo.Token, nil)
	want(t, res, http.StatusOK)
	if strings.Contains(string(res.body), "Back at nine") || strings.Contains(string(res.body), "hold on a minute") {
		t.Fatalf("the preview saved the settings: %s", res.body)
	}
}

// Each redraw of the settings draws the chat preview anew; the page keeps one message listener
// for the previews, not one more each time (the old frames' listeners stayed on window), and
// the preview drawn last still shows the unsaved settings.
func TestChatPreviewRedrawsKeepOneListener(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	p := openApp(t, e)
	p.signIn("ada")
	// Count the message listeners added to window from now on.
	pageEval[bool](p, `(() => { window.messageListeners = 0; const add = window.addEventListener;
		window.addEventListener = function (type, ...rest) { if (type === 'message') window.messageListeners++; return add.call(this, type, ...rest); };
		return true; })()`)
	const frame = `document.getElementById('chat-preview-demo-chat-frame').contentDocument`
	for i := range 3 {
		pageEval[bool](p, `(window.oldChat = document.getElementById('channel-demo-chat'), location.hash = '#/all', true)`)
		p.wait("the inbox", `document.getElementById('settings').hidden`)
		pageEval[bool](p, `(location.hash = '#/settings', true)`)
		p.wait("the chat channel drawn anew", `document.getElementById('channel-demo-chat') !== null && document.getElementById('channel-demo-chat') !== window.oldChat`)
		pageEval[bool](p, `(document.getElementById('channel-demo-chat').open = true, true)`)
		p.wait("the widget in the preview", `(() => { const d = `+frame+`; return d && d.getElementById('title') && d.getElementById('title').textContent === 'Demo Inc'; })()`)
		if n := pageEval[float64](p, `window.messageListeners`); n != 1 {
			t.Fatalf("after %d visits to the settings: %v message listeners added to window, want 1", i+1, n)
		}
	}
	pageEval[bool](p, `(() => { const el = document.getElementById('channel-demo-chat-display-away-message'); el.value = 'Back at nine'; el.dispatchEvent(new Event('input', { bubbles: true })); return true; })()`)
	pageEval[bool](p, `(document.getElementById('chat-preview-demo-chat-state-away').click(), true)`)
	p.wait("the unsaved away message", `(() => { const d = `+frame+`; return d.documentElement.dataset.state === 'away' && d.getElementById('status').textContent.includes('Back at nine'); })()`)
	p.noScriptErrors()
}

func jsQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// A site that embeds the chat cannot make the widget show a config of its own: the demo page,
// opened on another origin of the runner (127.0.0.1 instead of localhost, allowed to embed the
// chat; the widget's frame stays on localhost), posts a preview to the widget and then closes
// it; the widget closes (it says so to the page) but ignores the preview (a preview it shows, it
// announces).
func TestChatPreviewRefusedFromOtherOrigins(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	var demo localrun.Demo
	e.c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	other := strings.Replace(e.r.URL, "localhost", "127.0.0.1", 1)
	if other == e.r.URL {
		t.Fatalf("the runner is not on localhost: %s", e.r.URL)
	}
	want(t, e.c.api(http.MethodPatch, "/v1/channels/"+localrun.DemoChatChannel, demo.Token, map[string]any{"chat": map[string]any{"allowedOrigins": []string{other}}}), http.StatusOK)
	ctx, cancel := context.WithTimeout(browser.New(t), sessionTimeout)
	defer cancel()
	browser.Do(t, ctx, "opening the demo page on another origin", chromedp.Navigate(other+localrun.ChatDemoPath))
	// The site's own frame of the widget, from the deployment's origin (localhost) on the site's
	// page (127.0.0.1), as the loader makes it on a customer's site.
	browser.Run(t, ctx, "framing the widget", chromedp.Evaluate[bool](`(() => {
		const f = document.createElement('iframe');
		f.id = 'site-frame';
		f.src = `+jsQuote(e.r.URL+"/chat/"+localrun.DemoChatChannel+"/frame?host=")+` + encodeURIComponent(location.origin);
		document.body.append(f);
		return true;
	})()`))
	browser.Run(t, ctx, "listening to the widget", chromedp.Evaluate[bool](`(window.__seen = [], addEventListener('message', e => window.__seen.push(e.data && e.data.type)), true)`))
	// Asked until it answers: the widget listens once its script ran and its config came.
	browser.Until(t, ctx, "the widget opened", `window.__seen.includes('open') || (document.getElementById('site-frame').contentWindow.postMessage({ type: 'open' }, '*'), false)`)
	browser.Run(t, ctx, "posting a preview, then closing", chromedp.Evaluate[bool](`(() => {
		const f = document.getElementById('site-frame').contentWindow;
		f.postMessage({ type: 'preview', config: { name: 'Injected', color: '#000000', language: 'en', texts: {}, header: [], welcomeMessage: 'INJECTED',
			availability: { state: 'away', hideLauncher: false, emailCapture: false, text: 'INJECTED' } } }, '*');
		f.postMessage({ type: 'close' }, '*');
		return true;
	})()`))
	browser.Until(t, ctx, "the widget closed after the preview", `window.__seen.includes('close')`)
	if seen := browser.Run(t, ctx, "what the widget said", chromedp.Evaluate[[]string](`window.__seen.filter(Boolean)`)); slices.Contains(seen, "preview") {
		t.Fatalf("the widget took a preview from another origin: %v", seen)
	}
}

// In AWS the agents' app (/v1, /app) and the chat widget are on two HTTP APIs, two origins: the
// preview frames the widget from the chat's origin, which lets the app, and only the
// deployment's pages, preview settings in it. The runner serves them so (AppOwnOrigin: the app
// on localhost, the widget on 127.0.0.1): the preview's frame comes from the chat's origin and
// shows the unsaved away message in the Away state (the widget tells the app what it
// previews), and the channel's embed code names the chat's origin, not the app's.
func TestChatPreviewFromTheAppsOwnOrigin(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, func(o *localrun.Options) { o.AppOwnOrigin = true })
	chat := strings.Replace(e.r.URL, "localhost", "127.0.0.1", 1)
	if chat == e.r.URL {
		t.Fatalf("the runner is not on localhost: %s", e.r.URL)
	}
	var demo localrun.Demo
	e.c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	res := e.c.api(http.MethodGet, "/v1/channels/"+localrun.DemoChatChannel, demo.Token, nil)
	want(t, res, http.StatusOK)
	var ch struct{ EmbedCode string }
	res.json(t, &ch)
	if !strings.Contains(ch.EmbedCode, `src="`+chat+`/chat/loader.js"`) {
		t.Errorf("embed code %q does not name the chat's origin %s", ch.EmbedCode, chat)
	}

	p := openApp(t, e)
	p.signIn("ada")
	pageEval[bool](p, `(window.__previews = [], addEventListener('message', e => { if (e.data && e.data.type === 'preview') window.__previews.push(e.origin + ' ' + e.data.state); }), true)`)
	pageEval[bool](p, `(location.hash = '#/settings', true)`)
	p.wait("the chat channel", `document.getElementById('channel-demo-chat') !== null`)
	pageEval[bool](p, `(document.getElementById('channel-demo-chat').open = true, true)`)
	p.wait("the preview framing the chat's origin", `document.getElementById('chat-preview-demo-chat-frame').src.startsWith(`+jsQuote(chat+"/chat/demo-chat/frame?host=")+`)`)
	pageEval[bool](p, `(() => { const el = document.getElementById('channel-demo-chat-display-away-message'); el.value = 'Back at nine: leave us a note!'; el.dispatchEvent(new Event('input', { bubbles: true })); return true; })()`)
	pageEval[bool](p, `(document.getElementById('chat-preview-demo-chat-state-away').click(), true)`)
	p.wait("the widget previewing the away state", `window.__previews.includes(`+jsQuote(chat+" away")+`)`)
	p.noScriptErrors()
}
