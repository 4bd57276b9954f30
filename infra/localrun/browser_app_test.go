package localrun_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
)

// appWait polls expr in the app's page until it is truthy, at most browser.Timeout.
func appWait(t testing.TB, ctx context.Context, what, expr string) {
	t.Helper()
	browser.Until(t, ctx, what, expr)
}

// TestAgentAppLoadsInTheBrowser is the agents' app in Debian's chromium against the runner: its
// modules load without a script error, the demo admin signs in, the list and the live channel
// come up, and settings show their sections.
func TestAgentAppLoadsInTheBrowser(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	ctx := browser.New(t)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	errs := make(chan string, 8)
	if err := chromedp.Listen(ctx, func(ev any) {
		if ex, ok := ev.(*runtime.EventExceptionThrown); ok {
			msg := ex.ExceptionDetails.Text
			if ex.ExceptionDetails.Exception != nil {
				msg += " " + ex.ExceptionDetails.Exception.Description
			}
			select {
			case errs <- msg:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.r.URL+"/app/")); err != nil {
		t.Fatal(err)
	}
	appWait(t, ctx, "the sign-in form", `document.querySelector('#signin-user option') !== null`)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById('signin-user').value = 'ada', document.getElementById('signin-form').requestSubmit(), true)`)); err != nil {
		t.Fatal(err)
	}
	appWait(t, ctx, "the inbox", `!document.getElementById('app').hidden && document.querySelector('#views a[aria-current=page]') !== null`)
	appWait(t, ctx, "the live channel", `document.getElementById('live').classList.contains('on')`)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(location.hash = '#/settings', true)`)); err != nil {
		t.Fatal(err)
	}
	appWait(t, ctx, "the settings sections", `['inboxes','routing','users','teams'].every(s => document.getElementById('settings-' + s))`)
	select {
	case msg := <-errs:
		t.Fatalf("script error: %s", msg)
	default:
	}
}
