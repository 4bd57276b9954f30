package localrun_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/oidctest"
)

// issuerTab opens the agents' app in a fresh tab of browser ctx (its own sessionStorage) on the
// sign-in screen of the deployment's issuer, runs prepare in the page, and presses "Sign in
// with your organisation".
func issuerTab(t *testing.T, ctx context.Context, base, prepare string) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	// The tab's first call opens it and must not run under a shorter context (it would close
	// the tab when done); the page's own waits are bounded.
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/app/")); err != nil {
		t.Fatal(err)
	}
	appWait(t, tab, "the organisation's sign-in button", `document.querySelector('#signin-form button.primary') !== null && !document.getElementById('signin-user')`)
	if prepare != "" {
		tabEval[bool](t, tab, "("+prepare+", true)")
	}
	tabEval[bool](t, tab, `(document.querySelector('#signin-form button.primary').click(), true)`)
	return tab
}

// untilAfterRedirects is appWait for a page that is navigating (to the issuer and back): a poll
// whose page went away is polled again on the next one, within browser.Timeout in all. expr
// must not throw on a page of another origin (or none yet).
func untilAfterRedirects(t *testing.T, tab context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(browser.Timeout)
	ctx, cancel := context.WithDeadline(tab, deadline)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond),
			chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("browser: waiting for %s: still not there after %s (this bound only stops a hang): %v", what, browser.Timeout, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "context") && !strings.Contains(msg, "navigated") {
			t.Fatalf("browser: waiting for %s: %v", what, err)
		}
	}
}

// Signing in as in AWS, from outside: the runner trusts an OpenID Connect provider that follows
// Cognito's documented endpoints (infra/oidctest) as the stack trusts its user pool. In chromium
// the app sends the agent to the provider's /oauth2/authorize (code flow, S256 challenge),
// comes back to /app/ with the code, trades it at /oauth2/token with its verifier, and lists the
// conversations of the account in the ID token as that user, live channel included. A verifier
// that is not the tab's (the provider refuses: invalid_grant) and a token for another client
// (the API answers 401) each end on the sign-in screen with a sentence saying what went wrong.
func TestAgentSignsInWithTheIssuerInTheBrowser(t *testing.T) {
	t.Parallel()
	idp := oidctest.New()
	t.Cleanup(idp.Close)
	const client = "inbox-web-app"
	e := startSession(t, true, func(o *localrun.Options) {
		o.SignIn = &localrun.SignIn{Issuer: idp.URL, Audience: "inbox-srp," + client,
			AuthorizeURL: idp.AuthorizeURL(), TokenURL: idp.TokenURL(), ClientID: client}
	})
	idp.AddClient(client, e.r.URL+"/app/")
	idp.SignIn(map[string]any{"sub": "lee", "email": "lee@demo.example", "name": "Lee Park",
		"custom:account_id": localrun.DemoAccount, "custom:role": "agent"})

	c := e.c
	_, conv := e.demoSMS(t, "+15550003333", "Can I sign in?", "SMsignin00000000000000000000000001")

	ctx := browser.New(t)
	tab := issuerTab(t, ctx, e.r.URL, "")
	untilAfterRedirects(t, tab, "the inbox as lee", `(document.getElementById('app') || {}).hidden === false && (document.getElementById('who') || {}).textContent?.startsWith('lee ')`)
	tabEval[bool](t, tab, `(location.hash = '#/unassigned', true)`)
	appWait(t, tab, "the conversation in the list of unassigned ones", `document.getElementById('row-`+conv+`') !== null`)
	appWait(t, tab, "the live channel", `document.getElementById('live').classList.contains('on')`)
	if got := tabEval[string](t, tab, `location.pathname + location.search`); got != "/app/" {
		t.Errorf("after sign-in the address is %s, want /app/ (no code left in it)", got)
	}
	issued := idp.Issued()
	if len(issued) != 1 || tabEval[string](t, tab, `sessionStorage.getItem('inbox.token')`) != issued[0] {
		t.Fatalf("the provider issued %d ID tokens; the tab holds another", len(issued))
	}
	var me struct {
		UserID    string `json:"userId"`
		AccountID string `json:"accountId"`
		Role      string `json:"role"`
	}
	c.do(http.MethodGet, "/v1/me", issued[0], "", nil, nil).json(t, &me)
	if me.UserID != "lee" || me.AccountID != localrun.DemoAccount || me.Role != "agent" {
		t.Errorf("GET /v1/me with the issued token = %+v", me)
	}

	// The tab's stored verifier is not the one its challenge was made from.
	tamper := `(() => { const set = Storage.prototype.setItem; Storage.prototype.setItem = function (k, v) {
		if (k === 'inbox.pkce') { const p = JSON.parse(v); p.verifier = p.verifier.split('').reverse().join(''); v = JSON.stringify(p); }
		return set.call(this, k, v); }; })()`
	bad := issuerTab(t, ctx, e.r.URL, tamper)
	untilAfterRedirects(t, bad, "the sign-in error", `(document.getElementById('signin-error') || {}).textContent?.includes('invalid_grant')`)
	if got := tabEval[string](t, bad, `(sessionStorage.getItem('inbox.token') || '') + location.search`); got != "" {
		t.Errorf("after a refused code the tab keeps %q", got)
	}
	if r := idp.Refused(); !slices.Equal(r, []string{"invalid_grant"}) {
		t.Errorf("the provider refused %v, want [invalid_grant]", r)
	}

	// A token for another client: API Gateway's authorizer (here the runner's) answers 401.
	idp.IssueForAudience("another-app")
	other := issuerTab(t, ctx, e.r.URL, "")
	untilAfterRedirects(t, other, "the refusal", `(document.getElementById('signin-error') || {}).getAttribute?.('role') === 'alert'`)
	if msg := tabEval[string](t, other, `document.getElementById('signin-error').textContent`); !strings.Contains(msg, "did not accept") {
		t.Errorf("sign-in error %q", msg)
	}
	if tabEval[bool](t, other, `!document.getElementById('app').hidden || !!sessionStorage.getItem('inbox.token')`) {
		t.Error("the app kept a token the API refused")
	}
	// The error is announced (role=alert) and the screen stays accessible.
	vs, err := browser.Axe(other)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("sign-in error screen: %s", v)
	}
	issued = idp.Issued()
	want(t, c.do(http.MethodGet, "/v1/conversations", issued[len(issued)-1], "", nil, nil), http.StatusUnauthorized)
}
