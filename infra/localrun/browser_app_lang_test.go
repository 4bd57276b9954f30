package localrun_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
)

// pageText polls, in the app's page, until expr (a string) equals want; the failure says what
// it was. Bounded by browserWait.
func pageText(t testing.TB, ctx context.Context, what, expr, want string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, browserWait)
	defer cancel()
	for {
		_, err := chromedp.Run(wctx, chromedp.Poll[chromedp.Void](`(`+expr+`) === `+jsString(want), chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil {
			return
		}
		// The page may reload meanwhile (the language picker does), which ends a poll with
		// "navigated or closed" or "cannot find context": poll the new page.
		if msg := strings.ToLower(err.Error()); wctx.Err() != nil || !strings.Contains(msg, "navigated or closed") && !strings.Contains(msg, "cannot find context") {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
			t.Fatalf("%s: %q, want %q (%v)", what, got, want, err)
		}
	}
}

// appAsync is the string a promise of the app's page resolves to.
func appAsync(t testing.TB, ctx context.Context, expr string) string {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(wctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// browserLanguages makes the browser's languages (navigator.languages and Accept-Language) langs.
func browserLanguages(t testing.TB, ctx context.Context, langs string) {
	t.Helper()
	ua, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`))
	if err != nil {
		t.Fatal(err)
	}
	within(t, ctx, "browser languages "+langs, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: langs})
		return err
	}))
}

// appLabels are words of the app's screen: the language, the sign-out button, the views, the
// search's placeholder, the empty thread, the shortcuts' title.
const appLabels = `[document.documentElement.lang, document.getElementById('signout')?.textContent,
	[...document.querySelectorAll('#views a')].slice(0, 3).map(a => a.textContent).join(', '),
	document.getElementById('search')?.placeholder, document.querySelector('#thread p')?.textContent,
	document.getElementById('help-title')?.textContent].join(' | ')`

// TestAgentAppLanguagesInTheBrowser is the agents' app in both languages in chromium: a Danish
// browser gets the sign-in and the app in Danish; the user picks English in the app, which is
// saved as their setting (PATCH /v1/users/me) and followed over the browser's language after a
// reload; picking the browser's language again returns to Danish. Relative times and dates are
// the browser's Intl in the chosen language.
func TestAgentAppLanguagesInTheBrowser(t *testing.T) {
	t.Parallel()
	// On DynamoDB Local: the embedded minidyn keeps a removed language (REMOVE of the
	// attribute is not applied), so "the browser's language again" would not come back.
	e := startSession(t, false, nil)
	ctx := browser.New(t)
	within(t, ctx, "the app in an English browser", chromedp.Navigate(e.r.URL+"/app/"))
	pageText(t, ctx, "English sign-in", `document.getElementById('signin-title').textContent + ' | ' + (document.querySelector('#signin-form button') || {}).textContent`,
		"Sign in to the inbox | Sign in")

	browserLanguages(t, ctx, "da-DK,da,en")
	within(t, ctx, "the app in a Danish browser", chromedp.Reload())
	pageText(t, ctx, "Danish sign-in", `document.getElementById('signin-title').textContent + ' | ' + (document.querySelector('#signin-form button') || {}).textContent`,
		"Log ind i indbakken | Log ind")
	within(t, ctx, "sign in as Sam", chromedp.Evaluate[chromedp.Void](`(document.getElementById('signin-user').value = 'sam', document.getElementById('signin-form').requestSubmit())`))
	const (
		danish  = "da | Log ud | Mine, Ikke tildelt, Alle åbne | Søg navn, e-mail, telefon (/) | Vælg en samtale. | Tastaturgenveje"
		english = "en | Sign out | Mine, Unassigned, All open | Search name, email, phone (/) | Select a conversation. | Keyboard shortcuts"
	)
	pageText(t, ctx, "the app in the browser's Danish", appLabels, danish)
	// Intl in the app's language: five minutes ago, and a date.
	if got := appAsync(t, ctx, `import('/app/js/i18n.js').then(m => m.ago(Date.now() - 5 * 60e3) + ' | ' + m.dateTime('2026-12-07T08:00:00Z'))`); got != "5 min. siden | 07.12.2026, 08.00" {
		t.Errorf("Danish times: %q", got)
	}

	// The picker: English, saved on the user, followed over the browser's Danish.
	within(t, ctx, "pick English", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('language'); s.value = 'en'; s.dispatchEvent(new Event('change')); })()`))
	pageText(t, ctx, "the app in the chosen English", appLabels, english)
	var me struct {
		Language string `json:"language"`
	}
	e.c.do(http.MethodGet, "/v1/users/me", e.token(localrun.DemoAccount, "sam", "agent"), "", nil, nil).json(t, &me)
	if me.Language != "en" {
		t.Fatalf("the user's language after the picker: %q", me.Language)
	}
	if got := appAsync(t, ctx, `import('/app/js/i18n.js').then(m => m.ago(Date.now() - 5 * 60e3) + ' | ' + m.dateTime('2026-12-07T08:00:00Z'))`); got != "5 min. ago | 12/7/26, 8:00 AM" {
		t.Errorf("English times: %q", got)
	}
	within(t, ctx, "the browser's language again", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('language'); s.value = ''; s.dispatchEvent(new Event('change')); })()`))
	pageText(t, ctx, "back to the browser's Danish", appLabels, danish)
}
