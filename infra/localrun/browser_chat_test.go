package localrun_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// frameJS runs inside the widget's iframe from the host page (both are served by the runner,
// so the page may reach into the frame's document): f is the frame's document.
func frameJS(expr string) string {
	return `(() => { const fr = document.querySelector('iframe'); const f = fr && fr.contentDocument; if (!f || !f.getElementById('panel')) return false; return (` + expr + `); })()`
}

// waitFor polls expr (in the frame) until it is truthy, failing the test with what it waited
// for after browser.Timeout (a hang guard, not a timing threshold).
func waitFor(t testing.TB, ctx context.Context, what, expr string) {
	t.Helper()
	browser.Until(t, ctx, what, frameJS(expr))
}

// eval evaluates expr in the frame, within browser.Timeout.
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	return browser.Run(t, ctx, expr, chromedp.Evaluate[T](frameJS(expr)))
}

// visit loads url in the tab of ctx, within browser.Timeout.
func visit(t testing.TB, ctx context.Context, url string, before ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browser.Do(t, ctx, "load "+url, append(before, chromedp.Navigate(url))...)
}

// TestChatInTheBrowser is the widget in Debian's chromium against the runner: the demo page
// loads the widget with one request (the config) and stores nothing in the browser; the
// visitor opens the launcher and sends a message, the agent sees it through the API and
// replies, and the reply appears in the widget; identify with a wrong hash is refused.
func TestChatInTheBrowser(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	ctx := browser.New(t)
	visit(t, ctx, e.r.URL+localrun.ChatDemoPath)
	waitFor(t, ctx, "the launcher", `!f.getElementById('launcher').hidden && f.documentElement.getAttribute('data-state') === 'available'`)
	// Before any interaction: the config is the only request to the API, and nothing is stored.
	calls := eval[[]string](t, ctx, `fr.contentWindow.performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => /^\/chat\/[^/]+\/(?!frame)/.test(p))`)
	if len(calls) != 1 || !strings.HasSuffix(calls[0], "/config") {
		t.Fatalf("requests before interaction: %v", calls)
	}
	if stored := eval[int](t, ctx, `f.cookie.length + fr.contentWindow.localStorage.length + fr.contentWindow.sessionStorage.length + document.cookie.length`); stored != 0 {
		t.Fatalf("the widget stored %d bytes in the browser", stored)
	}

	eval[bool](t, ctx, `(f.getElementById('launcher').click(), true)`)
	waitFor(t, ctx, "the open panel", `!f.getElementById('panel').hidden && f.activeElement === f.getElementById('text')`)
	eval[bool](t, ctx, `(f.getElementById('text').value = 'Hello from the browser', f.getElementById('form').requestSubmit(), true)`)
	waitFor(t, ctx, "the message sent", `[...f.querySelectorAll('.m.in small')].some(s => s.textContent === 'Sent' || s.textContent === 'Delivered')`)
	idle()
	var conv string
	for _, cv := range c.conversations("/v1/conversations", demo.Token).Items {
		if cv.Channel.Type == string(inbox.ChannelChat) && cv.Preview == "Hello from the browser" {
			conv = cv.ID
		}
	}
	if conv == "" {
		t.Fatal("the agent API lists no chat conversation with the message")
	}
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", demo.Token, map[string]string{"text": "Hi! An agent here."}), http.StatusAccepted)
	waitFor(t, ctx, "the agent's reply in the widget", `[...f.querySelectorAll('.m.out')].some(m => m.textContent.startsWith('Hi! An agent here.'))`)
	waitFor(t, ctx, "the visitor's message delivered", `[...f.querySelectorAll('.m.in small')].some(s => s.textContent === 'Delivered')`)

	// identify() from the host page's JS API with a wrong hash: refused, said in the widget.
	browser.Run(t, ctx, "identify from the host page", chromedp.Evaluate[chromedp.Void](`InboxChat.identify({id: 'cust-1', name: 'Mallory', hash: '00'.repeat(32)})`))
	waitFor(t, ctx, "identify refused", `!!f.querySelector('[data-identify-error]')`)
}

// TestChatAvailabilityInTheBrowser puts office hours with two intervals a day and a holiday
// under the runner's injected chat clock: closed, the widget says when it opens next (in the
// browser's time zone, Copenhagen here); a chat set to hide its launcher when closed shows none; open, it shows
// the reply time; with everyone full, the waiting message. A consent gate holds the composer until accepted.
func TestChatAvailabilityInTheBrowser(t *testing.T) {
	t.Parallel()
	var now atomic.Value
	now.Store(time.Date(2026, 12, 2, 11, 30, 0, 0, time.UTC)) // Wednesday 12:30 in Copenhagen: lunch
	e := startSession(t, false, func(o *localrun.Options) { o.ChatClock = func() time.Time { return now.Load().(time.Time) } })
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	hours := `"availability":{"mode":"office_hours","timeZone":"Europe/Copenhagen","holidays":["2026-12-25"],"hours":[` +
		`{"day":3,"start":"09:00","end":"12:00"},{"day":3,"start":"13:00","end":"17:00"},{"day":5,"start":"09:00","end":"17:00"}]}`
	create := func(settings string) string {
		var ch struct {
			ID string `json:"id"`
		}
		res := c.do(http.MethodPost, "/v1/channels", demo.Token, "application/json",
			[]byte(`{"type":"chat","inboxId":"`+demo.InboxID+`","chat":{`+settings+`}}`), nil)
		want(t, res, http.StatusCreated)
		res.json(t, &ch)
		return ch.ID
	}
	next := create(hours + `,"consentText":"We store this chat to answer you.","privacyUrl":"https://demo.example/privacy"`)
	hide := create(hours + `,"display":{"offline":{"show":"hide_launcher"}}`)
	ctx := browser.New(t)
	browser.Do(t, ctx, "the time-zone override (Europe/Copenhagen)", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Copenhagen"})
		return err
	}))
	open := func(id string) {
		t.Helper()
		visit(t, ctx, e.r.URL+localrun.ChatDemoPath+"?channel="+id)
		waitFor(t, ctx, "the widget", `!!f.documentElement.getAttribute('data-state')`)
	}

	open(next)
	if st := eval[string](t, ctx, `f.documentElement.getAttribute('data-state')`); st != "offline" {
		t.Fatalf("lunch break: %s", st)
	}
	eval[bool](t, ctx, `(f.getElementById('launcher').click(), true)`)
	// 13:00 Copenhagen is 12:00 UTC; the browser (in Copenhagen) writes it in its own zone.
	waitFor(t, ctx, "the next opening", `f.getElementById('status').textContent === "We're closed – back today at 1:00 PM."`)
	// Consent gate: shown, and the composer sends nothing before it is accepted.
	if !eval[bool](t, ctx, `!f.getElementById('gate').hidden && f.getElementById('consenttext').textContent.startsWith('We store this chat')`) {
		t.Fatal("no consent gate")
	}
	eval[bool](t, ctx, `(f.getElementById('text').value = 'before consent', f.getElementById('form').requestSubmit(), true)`)
	if n := eval[int](t, ctx, `f.querySelectorAll('.m.in').length`); n != 0 || eval[string](t, ctx, `f.activeElement.id`) != "accept" {
		t.Fatalf("sent before consent (%d messages)", n)
	}
	eval[bool](t, ctx, `(f.getElementById('accept').click(), f.getElementById('form').requestSubmit(), true)`)
	waitFor(t, ctx, "the message sent after consent", `[...f.querySelectorAll('.m.in small')].some(s => s.textContent === 'Sent' || s.textContent === 'Delivered')`)

	// At capacity: the only agent of the channel's routing rule is available but full (capacity
	// 0): the waiting message; the header shows them.
	want(t, c.api(http.MethodPost, "/v1/users", demo.Token, map[string]any{"id": "cap", "name": "Cara Full", "paidSeat": true, "capacity": 0}), http.StatusCreated)
	full := create(`"header":{"mode":"users_and_teams","userIds":["cap"]},"display":{"atCapacity":{"show":"waiting_message","message":"All of us are busy: you are in the queue."}}`)
	want(t, c.api(http.MethodPut, "/v1/channels/"+full+"/routing", demo.Token, map[string]any{"autoAssign": true, "target": "users_and_teams", "userIds": []string{"cap"}, "onlyAvailable": true}), http.StatusOK)
	open(full)
	eval[bool](t, ctx, `(f.getElementById('launcher').click(), true)`)
	if st := eval[string](t, ctx, `f.documentElement.getAttribute('data-state') + ' | ' + f.getElementById('status').textContent + ' | ' + f.getElementById('people').textContent`); st != "at_capacity | All of us are busy: you are in the queue. | CF" {
		t.Fatalf("at capacity: %s", st)
	}

	// Hide launcher when closed: on the holiday (a Friday) there is none.
	now.Store(time.Date(2026, 12, 25, 10, 0, 0, 0, time.UTC))
	open(hide)
	if st := eval[string](t, ctx, `f.documentElement.getAttribute('data-state') + ' ' + f.getElementById('launcher').hidden + ' ' + document.querySelector('iframe').style.display`); st != "offline true none" {
		t.Fatalf("holiday, hide launcher: %s", st)
	}
	// In the afternoon interval of a Wednesday: available, with the reply time.
	now.Store(time.Date(2026, 12, 9, 13, 0, 0, 0, time.UTC))
	open(hide)
	if st := eval[string](t, ctx, `f.documentElement.getAttribute('data-state') + ' ' + f.getElementById('launcher').hidden + ' ' + f.getElementById('status').textContent`); st != "available false Typically replies in a few minutes" {
		t.Fatalf("afternoon: %s", st)
	}
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// BenchmarkChatReplyToRender measures, in chromium against the runner, the time from an agent's
// reply (POST /v1/conversations/{id}/messages answered) to its bubble in the widget: the reply
// goes through the outbound queue and dispatch, and the widget hears of it live (the runner's
// /ws, as the WebSocket API in AWS).
func BenchmarkChatReplyToRender(b *testing.B) {
	e := startSession(b, false, nil)
	c := e.c
	// Without /ws the widget would fall back to a poll every 2 s, and measure that instead.
	if res := c.do(http.MethodGet, "/ws", "", "", nil, nil); res.status == http.StatusNotFound {
		b.Fatal("the runner serves no /ws: the widget would measure its 2 s poll, not the live channel")
	}
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(b, &demo)
	ctx := browser.New(b)
	visit(b, ctx, e.r.URL+localrun.ChatDemoPath)
	waitFor(b, ctx, "the launcher", `!f.getElementById('launcher').hidden`)
	eval[bool](b, ctx, `(f.getElementById('launcher').click(), f.getElementById('text').value = 'bench', f.getElementById('form').requestSubmit(), true)`)
	waitFor(b, ctx, "delivered", `[...f.querySelectorAll('.m.in small')].some(s => s.textContent === 'Delivered')`)
	var conv string
	for _, cv := range c.conversations("/v1/conversations", demo.Token).Items {
		if cv.Channel.Type == string(inbox.ChannelChat) {
			conv = cv.ID
		}
	}
	i := 0
	for b.Loop() {
		i++
		text := "reply " + strconv.Itoa(i)
		want(b, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", demo.Token, map[string]string{"text": text}), http.StatusAccepted)
		waitFor(b, ctx, "the reply", `[...f.querySelectorAll('.m.out')].some(m => m.firstChild.textContent === `+jsString(text)+`)`)
	}
}

// TestChatKeyboardAndPhone uses the widget on a phone-sized screen with the keyboard only: the
// launcher opens with Enter, the panel fills the screen and is a labelled dialog whose thread is
// a live region, Enter sends, Escape closes and gives the focus back to the launcher.
func TestChatKeyboardAndPhone(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	ctx := browser.New(t)
	visit(t, ctx, e.r.URL+localrun.ChatDemoPath, chromedp.EmulateViewport(375, 700))
	waitFor(t, ctx, "the launcher", `!f.getElementById('launcher').hidden && f.documentElement.getAttribute('data-state')`)
	eval[bool](t, ctx, `(fr.focus(), f.getElementById('launcher').focus(), true)`)
	browser.Do(t, ctx, "keys", chromedp.KeyEvent("\r"))
	waitFor(t, ctx, "the panel, focus in the composer", `!f.getElementById('panel').hidden && f.activeElement === f.getElementById('text')`)
	if got := eval[string](t, ctx, `fr.getBoundingClientRect().width + ' ' + f.getElementById('panel').getAttribute('role') + ' ' + f.getElementById('log').getAttribute('role') + ' ' + f.getElementById('log').getAttribute('aria-live') + ' ' + !!f.querySelector('label[for=text]')`); got != "375 dialog log polite true" {
		t.Fatalf("phone panel: %s", got)
	}
	browser.Do(t, ctx, "keys", chromedp.KeyEvent("Typed on a phone"), chromedp.KeyEvent("\r"))
	waitFor(t, ctx, "the message sent with Enter", `[...f.querySelectorAll('.m.in')].some(m => m.firstChild.textContent === 'Typed on a phone')`)
	browser.Do(t, ctx, "keys", chromedp.KeyEvent("\x1b"))
	waitFor(t, ctx, "closed, focus on the launcher", `f.getElementById('panel').hidden && f.activeElement === f.getElementById('launcher')`)
}
