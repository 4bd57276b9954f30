//go:build screenshots

package localrun_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// TestScreenshots writes the screenshots of the README (docs/screenshots/*.png) from the runner
// with demo data: the list, a thread with a delivered reply, the admin settings and the website
// chat widget. `make screenshots` runs it; it is not part of make test (build tag screenshots).
func TestScreenshots(t *testing.T) {
	e := startSession(t, false, nil)
	var demo localrun.Demo
	e.c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	sms, chat := demoChannel(t, demo, inbox.ChannelSMS), demoChannel(t, demo, inbox.ChannelChat)
	eml, err := os.ReadFile(filepath.Join(repoRoot(t), "infra", "local", "hello.eml"))
	if err != nil {
		t.Fatal(err)
	}
	want(t, e.c.do(http.MethodPost, "/_local/email", "", "message/rfc822", eml, nil), http.StatusOK)
	for i, text := range []string{"Hi, is the blue jacket back in stock in size M?", "My parcel says delivered but it is not here", "Can I change the delivery address of order 1042?"} {
		want(t, e.c.sms(sms.WebhookURL, sms.Secrets["twilioAuthToken"], fmt.Sprintf("+1555010%04d", i), sms.PhoneNumber, text, fmt.Sprintf("SMshot%029d", i), nil), http.StatusOK)
	}
	e.idle()
	createDemoUser(t, e, "sam")
	createDemoUser(t, e, "kim")

	p := openApp(t, e)
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(repoRoot(t), "docs", "screenshots", name+".png")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", out)
	}
	p.signIn("ada")
	pageEval[bool](p, `(location.hash = '#/all', true)`)
	p.wait("the conversations", `document.querySelectorAll('#conversations .row').length >= 4`)
	shot("list")

	row := pageEval[string](p, `[...document.querySelectorAll('#conversations .row')].find(r => r.textContent.includes('order 1042')).dataset.id`)
	p.do("open", chromedp.Click("#row-"+row))
	p.wait("the thread", `document.getElementById('composer') !== null`)
	const reply = "Yes — send me the new address and I will update order 1042 before it ships."
	p.do("reply", chromedp.SendKeys("#composer", reply), chromedp.Click("#send"))
	p.wait("the reply", `document.querySelector('#messages li.out') !== null`)
	e.idle()
	for _, o := range e.r.Outbox.Entries() {
		if o.Body == reply {
			want(t, e.c.do(http.MethodPost, "/_local/outbox/"+o.SID+"/status", "", "application/x-www-form-urlencoded", []byte("status=delivered"), nil), http.StatusOK)
		}
	}
	p.wait("the delivered mark", `document.querySelector('#messages li.out[data-status=delivered]') !== null`)
	pageEval[bool](p, `(s => (s.value = 'sam', s.dispatchEvent(new Event('change')), true))(document.getElementById('assign'))`)
	p.wait("the assignment", `document.getElementById('side').textContent.includes('Sam Agent') && document.getElementById('row-`+row+`').textContent.includes('Sam Agent')`)
	shot("thread")

	pageEval[bool](p, `(location.hash = '#/settings', true)`)
	p.wait("the settings", `document.getElementById('settings-teams') !== null`)
	shot("settings")

	p.do("the chat demo page", chromedp.Navigate(chat.DemoPageURL))
	p.wait("the chat launcher", frameJS(`!f.getElementById('launcher').hidden`))
	pageEval[bool](p, frameJS(`(f.getElementById('launcher').click(), true)`))
	p.wait("the open chat", frameJS(`!f.getElementById('panel').hidden`))
	shot("chat")
	p.noScriptErrors()
}
