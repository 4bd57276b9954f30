package localrun_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// TestAgentAppAccessibility runs axe-core (infra/browser/package.json pins it) in the agents'
// app in chromium on each main screen — sign-in, the list, a thread, settings, the help
// overlay — and fails on any serious or critical violation, naming the rule and the elements.
func TestAgentAppAccessibility(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	var demo localrun.Demo
	e.c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	sms := demoChannel(t, demo, inbox.ChannelSMS)
	want(t, e.c.sms(sms.WebhookURL, sms.Secrets["twilioAuthToken"], "+15550003434", sms.PhoneNumber, "Can I change my order?", "SMa11y00000000000000000000000000001", nil), http.StatusOK)
	e.idle()

	p := openApp(t, e)
	check := func(screen string) {
		t.Helper()
		vs, err := browser.Axe(p.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) > 0 {
			var b strings.Builder
			for _, v := range vs {
				b.WriteString("\n  " + v.String())
			}
			t.Errorf("%s: %d serious or critical accessibility violations:%s", screen, len(vs), b.String())
		}
	}
	check("sign-in")
	p.signIn("ada")
	pageEval[bool](p, `(location.hash = '#/all', true)`)
	p.wait("a conversation in the list", `document.querySelector('#conversations .row') !== null`)
	check("list")
	pageEval[bool](p, `(document.querySelector('#conversations .row').click(), true)`)
	p.wait("the thread", `document.getElementById('composer') !== null && document.querySelector('#messages li') !== null`)
	check("thread")
	pageEval[bool](p, `(document.getElementById('help-btn').click(), true)`)
	p.wait("the help overlay", `!document.getElementById('help').hidden`)
	check("help overlay")
	pageEval[bool](p, `(document.getElementById('help-close').click(), location.hash = '#/settings', true)`)
	p.wait("the settings sections", `document.getElementById('settings-routing') !== null && document.getElementById('settings-teams') !== null`)
	check("settings")
	p.noScriptErrors()
}
