package localrun_test

import (
	"net/http"
	"strings"
	"testing"

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

func jsQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
