package localrun_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// TestAgentWorksAConversationInTheBrowser is an agent's day in Debian's chromium against the
// runner: the admin signs in; an SMS sent to the demo channel (Twilio's signed webhook) appears
// in the list live, without a reload; she opens it, replies, the reply is in the local outbox
// and shows delivered after Twilio's status callback; she assigns it, closes and reopens it.
// Then an agent signs in and is refused the admin settings.
func TestAgentWorksAConversationInTheBrowser(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	var demo localrun.Demo
	e.c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	sms := demoChannel(t, demo, inbox.ChannelSMS)
	createDemoUser(t, e, "sam")

	p := openApp(t, e)
	p.signIn("ada")
	// A mark on this page's window: a reload would lose it.
	pageEval[bool](p, `(location.hash = '#/all', window.sameLoad = true)`)
	p.wait("the all-open view", `document.querySelector('#views a[href="#/all"][aria-current=page]') !== null`)

	const from, text = "+15550001212", "Hello from the browser test"
	want(t, e.c.sms(sms.WebhookURL, sms.Secrets["twilioAuthToken"], from, sms.PhoneNumber, text, "SMbrowser000000000000000000000001", nil), http.StatusOK)
	p.wait("the SMS in the list", fmt.Sprintf(`[...document.querySelectorAll('#conversations .row')].some(r => r.textContent.includes(%q))`, text))
	if !pageEval[bool](p, `window.sameLoad === true`) {
		t.Fatal("the page reloaded to show the new conversation")
	}
	conv := pageEval[string](p, fmt.Sprintf(`[...document.querySelectorAll('#conversations .row')].find(r => r.textContent.includes(%q)).dataset.id`, text))

	// Open it and reply.
	p.do("open the conversation", chromedp.Click("#row-"+conv))
	p.wait("the thread", fmt.Sprintf(`document.querySelector('#thread-title') !== null && [...document.querySelectorAll('#messages li.in')].some(m => m.textContent.includes(%q))`, text))
	const reply = "Thanks, we are on it"
	p.do("write the reply", chromedp.SendKeys("#composer", reply), chromedp.Click("#send"))
	p.wait("the reply in the thread", fmt.Sprintf(`[...document.querySelectorAll('#messages li.out')].some(m => m.textContent.includes(%q))`, reply))
	e.idle()
	var sent *localrun.OutboxEntry
	for _, o := range e.r.Outbox.Entries() {
		if o.Body == reply && o.To == from {
			sent = &o
		}
	}
	if sent == nil {
		t.Fatalf("the reply is not in the outbox: %+v", e.r.Outbox.Entries())
	}
	want(t, e.c.do(http.MethodPost, "/_local/outbox/"+sent.SID+"/status", "", "application/x-www-form-urlencoded", []byte("status=delivered"), nil), http.StatusOK)
	p.wait("the delivered mark", fmt.Sprintf(`[...document.querySelectorAll('#messages li.out')].some(m => m.textContent.includes(%q) && m.dataset.status === 'delivered')`, reply))

	// Assign to Sam, close, reopen: each shown and stored.
	stored := func(field, value string) {
		t.Helper()
		c := get[map[string]any](e.c, "/v1/conversations/"+conv, demo.Token)
		if fmt.Sprint(c[field]) != value {
			t.Fatalf("conversation %s = %v, want %s", field, c[field], value)
		}
	}
	p.wait("Sam among the assignees", `document.querySelector('#assign option[value=sam]') !== null`)
	pageEval[bool](p, `(s => (s.value = 'sam', s.dispatchEvent(new Event('change')), true))(document.getElementById('assign'))`)
	p.wait("the assignment beside the thread", `document.getElementById('assign').value === 'sam' && document.getElementById('side').textContent.includes('Sam Agent')`)
	stored("assignee", "sam")
	p.do("close", chromedp.Click("#close-btn"))
	p.wait("the closed conversation", `document.getElementById('composer').disabled && document.getElementById('send').disabled`)
	stored("status", "closed")
	p.do("reopen", chromedp.Click("#close-btn"))
	p.wait("the reopened conversation", `!document.getElementById('composer').disabled && !document.getElementById('send').disabled`)
	stored("status", "open")

	p.noScriptErrors()

	// An agent cannot open the admin settings (in a browser of their own).
	sam := openApp(t, e)
	sam.signIn("sam")
	pageEval[bool](sam, `(location.hash = '#/settings', true)`)
	sam.wait("the refusal", `document.getElementById('settings-denied') !== null`)
	if pageEval[bool](sam, `document.querySelector('#settings section[id^=settings-]') !== null`) {
		t.Fatal("an agent sees settings sections")
	}
	sam.noScriptErrors()
}
