package localrun_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
)

// browserWait bounds every wait of the language tests: a hang fails the test instead of
// holding the run (it is no measure of speed: the waits end as soon as the page is ready).
const browserWait = browser.Timeout

// within runs actions on ctx with browserWait as their deadline.
func within(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browser.Do(t, ctx, what, actions...)
}

// frameText polls, in the widget's frame, until expr (a string) equals want; the failure says
// what it was.
func frameText(t testing.TB, ctx context.Context, what, expr, want string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, browserWait)
	defer cancel()
	_, err := chromedp.Run(wctx, chromedp.Poll[chromedp.Void](frameJS(`(`+expr+`) === `+jsString(want)), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		t.Fatalf("%s: %q, want %q (%v)", what, eval[string](t, ctx, expr), want, err)
	}
}

// labels are the widget's words a visitor sees and hears, joined: the launcher's and the
// close button's labels, the composer's placeholder and button, the status line, the welcome.
const labels = `[f.documentElement.lang, f.getElementById('launcher').getAttribute('aria-label'), f.getElementById('close').getAttribute('aria-label'),
	f.getElementById('text').placeholder, f.querySelector('.send').textContent, f.getElementById('status').textContent,
	(f.getElementById('welcome') || {}).textContent].join(' | ')`

// TestChatLanguagesInTheBrowser renders the widget in Danish and English in chromium, for a
// visitor in London of a chat whose office hours are in Copenhagen: on a Friday evening the
// chat is closed, and the widget says when it is back in the visitor's own time and language
// (Monday 09:00 in Copenhagen is 08:00 in London: "back Monday at 8:00 AM", "tilbage mandag
// kl. 08.00"), with "tomorrow" / "i morgen" on a Thursday evening. The language comes from
// the embed option over the page's <html lang> over the browser's languages, then the chat's
// own; InboxChat.setLanguage switches it; the team's Danish welcome is used for Danish
// visitors, its own text for the others.
func TestChatLanguagesInTheBrowser(t *testing.T) {
	t.Parallel()
	var now atomic.Value
	now.Store(time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)) // Friday 19:00 in Copenhagen
	e := startSession(t, false, func(o *localrun.Options) { o.ChatClock = func() time.Time { return now.Load().(time.Time) } })
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	var ch struct {
		ID string `json:"id"`
	}
	res := c.do(http.MethodPost, "/v1/channels", demo.Token, "application/json", []byte(`{"type":"chat","inboxId":"`+demo.InboxID+`","chat":{
		"welcomeMessage":"Welcome to the shop!","translations":{"da":{"welcomeMessage":"Velkommen i butikken!"}},
		"availability":{"mode":"office_hours","timeZone":"Europe/Copenhagen","hours":[`+
		`{"day":1,"start":"09:00","end":"17:00"},{"day":2,"start":"09:00","end":"17:00"},{"day":3,"start":"09:00","end":"17:00"},`+
		`{"day":4,"start":"09:00","end":"17:00"},{"day":5,"start":"09:00","end":"17:00"}]}}}`), nil)
	want(t, res, http.StatusCreated)
	res.json(t, &ch)

	ctx := browser.New(t)
	browser.Do(t, ctx, "the visitor in London", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/London"})
		return err
	}))
	open := func(query string) {
		t.Helper()
		browser.Do(t, ctx, "the demo page "+query, chromedp.Navigate(e.r.URL+localrun.ChatDemoPath+"?channel="+ch.ID+query))
		waitFor(t, ctx, "the widget "+query+" offline", `f.documentElement.getAttribute('data-state') === 'offline'`)
	}
	const (
		english = "en | Open chat | Close chat | Write a message… | Send | We're closed – back Monday at 8:00 AM. | Welcome to the shop!"
		danish  = "da | Åbn chatten | Luk chatten | Skriv en besked… | Send | Vi har lukket – tilbage mandag kl. 08.00. | Velkommen i butikken!"
	)
	open("&lang=da")
	frameText(t, ctx, "the page in Danish", labels, danish)
	open("")
	frameText(t, ctx, "the page in English", labels, english)
	open("&lang=en-GB&widgetLang=da")
	frameText(t, ctx, "the embed option over the page", labels, danish)
	browser.Do(t, ctx, "InboxChat.setLanguage('en') on the host page", chromedp.Evaluate[chromedp.Void](`InboxChat.setLanguage('en')`))
	frameText(t, ctx, "setLanguage('en')", labels, english)
	if got := eval[string](t, ctx, `document.querySelector('iframe').title`); got != "Chat" {
		t.Errorf("frame title %q", got)
	}

	// Thursday evening: back tomorrow, said as the visitor's language says it.
	now.Store(time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC))
	open("&lang=da")
	frameText(t, ctx, "tomorrow in Danish", `f.getElementById('status').textContent`, "Vi har lukket – tilbage i morgen kl. 08.00.")
	open("&lang=en-US")
	frameText(t, ctx, "tomorrow in English", `f.getElementById('status').textContent`, "We're closed – back tomorrow at 8:00 AM.")

	// A page and a browser in French: the chat's own language, Danish once the team sets it.
	ua := browser.Run(t, ctx, "the browser's user agent", chromedp.Evaluate[string](`navigator.userAgent`))
	browser.Do(t, ctx, "a French browser", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: "fr-FR,fr"})
		return err
	}))
	open("&lang=fr")
	frameText(t, ctx, "French: the chat's English", `f.documentElement.lang + ' ' + f.getElementById('status').textContent`, "en We're closed – back tomorrow at 8:00 AM.")
	want(t, c.api(http.MethodPatch, "/v1/channels/"+ch.ID, demo.Token, map[string]any{"chat": map[string]any{"language": "da"}}), http.StatusOK)
	open("&lang=fr")
	frameText(t, ctx, "French: the chat's Danish", `f.documentElement.lang + ' ' + f.getElementById('status').textContent + ' ' + f.getElementById('welcome').textContent`,
		"da Vi har lukket – tilbage i morgen kl. 08.00. Velkommen i butikken!")
}
