package localrun_test

import (
	"context"
	"testing"

	"github.com/openinbox/inbox/infra/browser"
)

// appWait polls expr in the app's page until it is truthy, at most browser.Timeout.
func appWait(t testing.TB, ctx context.Context, what, expr string) {
	t.Helper()
	browser.Until(t, ctx, what, expr)
}

// TestAgentAppLoadsInTheBrowser is the agents' app in Debian's chromium against the runner: its
// modules load without a script error, the demo admin signs in, the list, the inbox links and
// the live channel come up, and settings show their sections.
func TestAgentAppLoadsInTheBrowser(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	p := openApp(t, e)
	p.signIn("ada")
	p.wait("the demo inbox's link", `document.querySelector('#views a[href^="#/inbox/"]') !== null`)
	pageEval[bool](p, `(location.hash = '#/settings', true)`)
	p.wait("the settings sections", `['inboxes','routing','users','teams'].every(s => document.getElementById('settings-' + s))`)
	p.noScriptErrors()
}
