package localrun_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
)

// appPage is the agents' app open in a fresh headless chromium against a runner, with the
// page's script errors collected.
type appPage struct {
	t    testing.TB
	ctx  context.Context
	base string
	errs chan string
}

// openApp starts a browser, collects its script errors and opens the app of e's runner at
// /app/ on the sign-in screen.
func openApp(t testing.TB, e *session) *appPage {
	t.Helper()
	ctx := browser.New(t)
	ctx, cancel := context.WithTimeout(ctx, sessionTimeout)
	t.Cleanup(cancel)
	p := &appPage{t: t, ctx: ctx, base: e.r.URL, errs: make(chan string, 8)}
	if err := chromedp.Listen(ctx, func(ev any) {
		if ex, ok := ev.(*runtime.EventExceptionThrown); ok {
			msg := ex.ExceptionDetails.Text
			if ex.ExceptionDetails.Exception != nil {
				msg += " " + ex.ExceptionDetails.Exception.Description
			}
			select {
			case p.errs <- msg:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.r.URL+"/app/")); err != nil {
		t.Fatal(err)
	}
	p.wait("the sign-in form", `document.querySelector('#signin-user option') !== null`)
	return p
}

// wait polls expr in the page until it is truthy, failing the test with what it waited for
// after browserWait (or a script error the page threw meanwhile).
func (p *appPage) wait(what, expr string) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingTimeout(browserWait), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		p.t.Fatalf("waiting for %s (%s): %v%s\npage: %s", what, expr, err, p.scriptErrors(), p.snapshot())
	}
}

// snapshot is the page's address and visible text, to say where a failed wait stood.
func (p *appPage) snapshot() string {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText.slice(0, 2000)`))
	if err != nil {
		return err.Error()
	}
	return s
}

// pageEval runs expr in the page and returns its value.
func pageEval[T any](p *appPage, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v%s", expr, err, p.scriptErrors())
	}
	return v
}

// do runs browser actions (clicks, keys) and fails the test when one fails.
func (p *appPage) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v%s", what, err, p.scriptErrors())
	}
}

// signIn signs in as the local sign-in's user id and waits for the inbox and its live channel.
func (p *appPage) signIn(user string) {
	p.t.Helper()
	p.wait("the sign-in form", `document.querySelector('#signin-user option') !== null`)
	pageEval[bool](p, fmt.Sprintf(`(document.getElementById('signin-user').value = %q, document.getElementById('signin-form').requestSubmit(), true)`, user))
	p.wait("the inbox", `!document.getElementById('app').hidden && document.querySelector('#views a[aria-current=page]') !== null`)
	p.wait("the live channel", `document.getElementById('live').classList.contains('on')`)
}

// scriptErrors is what the page threw so far, for a failure's message.
func (p *appPage) scriptErrors() string {
	s := ""
	for {
		select {
		case msg := <-p.errs:
			s += "\nscript error: " + msg
		default:
			return s
		}
	}
}

// noScriptErrors fails the test when the page threw.
func (p *appPage) noScriptErrors() {
	p.t.Helper()
	if s := p.scriptErrors(); s != "" {
		p.t.Fatal(s)
	}
}

// createDemoUser has the local sign-in create demo user id (it does on first sign-in), so
// that others can assign to them before they ever signed in.
func createDemoUser(t testing.TB, e *session, id string) {
	t.Helper()
	want(t, e.c.do(http.MethodPost, localrun.SignInPath, "", "application/json", []byte(`{"userId":"`+id+`"}`), nil), http.StatusOK)
}
