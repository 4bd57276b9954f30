package localrun_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// demoChannel is the seeded channel of type typ.
func demoChannel(t testing.TB, demo localrun.Demo, typ inbox.ChannelType) localrun.DemoChannel {
	t.Helper()
	for _, dc := range demo.Channels {
		if dc.Type == typ {
			return dc
		}
	}
	t.Fatalf("no demo %s channel in %+v", typ, demo.Channels)
	return localrun.DemoChannel{}
}

// noAxeViolations fails the test when axe-core finds a serious or critical accessibility
// violation on the page as it is now (screen names it).
func (p *appPage) noAxeViolations(screen string) {
	p.t.Helper()
	vs, err := browser.Axe(p.ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	for _, v := range vs {
		p.t.Errorf("%s: accessibility: %s", screen, v.String())
	}
}

// openConversation shows conversation id of the All view in the app and waits for its composer.
func (p *appPage) openConversation(id string) {
	p.t.Helper()
	pageEval[bool](p, `(location.hash = '#/all', true)`)
	row := `document.getElementById('row-` + id + `')`
	p.wait("the conversation's row", row+` !== null`)
	pageEval[bool](p, `(`+row+`.click(), true)`)
	p.wait("the conversation's thread", row+`.getAttribute('aria-selected') === 'true' && document.querySelector('#messages li.in') !== null && document.getElementById('composer-form') !== null`)
}

// Messenger's windows made visible in chromium: a customer who wrote two days ago gets the
// notice that the reply goes with the HUMAN_AGENT tag and until when (a relative time), the
// reply is sent and reaches the Graph stand-in tagged; a customer who wrote eight days ago gets
// "no reply can be sent" with Send and the text box disabled (a note is still possible). The
// header shows the signed-in user's capacity in words, never "capacity —", and the views'
// Inboxes heading is not boxed like an input.
func TestAgentAppMessengerTagNotice(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demoChannel(t, demo, inbox.ChannelMessenger)
	var ch struct {
		Messenger inbox.MessengerConfig `json:"messenger"`
	}
	c.api(http.MethodGet, "/v1/channels/"+dc.ID, demo.Token, nil).json(t, &ch)
	now := time.Now()
	for _, m := range []struct {
		psid, text string
		age        time.Duration
	}{{"2400000000000002", "Still there?", 48 * time.Hour}, {"2400000000000008", "Hello from last week", 8 * 24 * time.Hour}} {
		want(t, c.metaPost(dc.WebhookURL, dc.Secrets["appSecret"], localrun.MessengerTextBody(ch.Messenger.PageID, m.psid, "m_rules"+m.psid, m.text, now.Add(-m.age))), http.StatusOK)
	}
	e.idle()
	convs := c.conversations("/v1/conversations?status=open", demo.Token).Items
	byText := map[string]string{}
	for _, cv := range convs {
		for _, m := range c.metaMessages(cv.ID, demo.Token) {
			byText[m.Text] = cv.ID
		}
	}
	tagged, expired := byText["Still there?"], byText["Hello from last week"]
	if tagged == "" || expired == "" {
		t.Fatalf("conversations = %+v", convs)
	}

	p := openApp(t, e)
	p.signIn("ada")
	if capacity := pageEval[string](p, `document.getElementById('capacity').textContent`); !regexp.MustCompile(`^capacity (unlimited|\d+ of \d+)$`).MatchString(capacity) {
		t.Fatalf("the header's capacity = %q", capacity)
	}
	// The views' "Inboxes" heading is a label, not drawn as a box like an input.
	if style := pageEval[string](p, `getComputedStyle(document.querySelector('#views li.group')).borderTopStyle`); style != "none" {
		t.Fatalf("the Inboxes heading has a %s border", style)
	}

	p.openConversation(tagged)
	notice := pageEval[string](p, `document.getElementById('rules').textContent`)
	// Five days left (from two days ago to seven days after): "in 5 days".
	if !strings.Contains(notice, "HUMAN_AGENT") || !strings.Contains(notice, "in 5 days") || pageEval[bool](p, `document.getElementById('send').disabled`) {
		t.Fatalf("the tag window's notice = %q (send disabled: %v)", notice, pageEval[bool](p, `document.getElementById('send').disabled`))
	}
	pageEval[bool](p, `(document.getElementById('composer').value = 'Sorry for the wait: it shipped today.', document.getElementById('send').click(), true)`)
	p.wait("the reply in the thread", `[...document.querySelectorAll('#messages li.out')].some(li => li.textContent.includes('it shipped today'))`)
	e.idle()
	var sent struct {
		MessagingType string `json:"messaging_type"`
		Tag           string `json:"tag"`
		Message       struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.Unmarshal(lastOutbox(t, e.r, inbox.ChannelMessenger).Payload, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.MessagingType != "MESSAGE_TAG" || sent.Tag != "HUMAN_AGENT" || sent.Message.Text != "Sorry for the wait: it shipped today." {
		t.Fatalf("sent = %+v", sent)
	}

	p.openConversation(expired)
	notice = pageEval[string](p, `document.getElementById('rules').textContent`)
	if !strings.Contains(notice, "more than 7 days") || !pageEval[bool](p, `document.getElementById('send').disabled && document.getElementById('composer').disabled`) {
		t.Fatalf("the ended window's notice = %q, send and text box must be disabled", notice)
	}
	p.noAxeViolations("the ended Messenger window")
	// Notes are still possible there.
	pageEval[bool](p, `(document.getElementById('compose-note').click(), true)`)
	p.wait("the note mode, enabled", `!document.getElementById('send').disabled && !document.getElementById('composer').disabled`)
	p.noScriptErrors()
}

// The WhatsApp template picker in chromium: a customer who wrote two days ago is outside the
// 24-hour window, so the composer offers the channel's approved templates (the runner's Graph
// stand-in; the named-parameter one left out) instead of free text; sending without the
// parameters says so; with them filled the preview shows the text the customer reads, and the
// template reaches the Graph stand-in with its language and body parameters, shown in the
// thread as the template sent.
func TestAgentAppSendsWhatsAppTemplate(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demoChannel(t, demo, inbox.ChannelWhatsApp)
	var ch struct {
		WhatsApp inbox.WhatsAppConfig `json:"whatsapp"`
	}
	c.api(http.MethodGet, "/v1/channels/"+dc.ID, demo.Token, nil).json(t, &ch)
	body := localrun.WhatsAppTextBody(ch.WhatsApp.WABAID, ch.WhatsApp.PhoneNumberID, ch.WhatsApp.DisplayNumber, "4915112345678", "Pablo Diaz",
		"wamid.HBgLNDkxNTExMjM0NTY3OBUCABIYFjNFQjBDMDRBMkVGRDQ5QjlBNkZBAA==", "Where is my order?", time.Now().Add(-48*time.Hour))
	want(t, c.metaPost(dc.WebhookURL, dc.Secrets["appSecret"], body), http.StatusOK)
	e.idle()
	conv := c.conversations("/v1/conversations?status=open", demo.Token).Items[0].ID

	p := openApp(t, e)
	p.signIn("ada")
	p.openConversation(conv)
	if notice := pageEval[string](p, `document.getElementById('rules').textContent`); !strings.Contains(notice, "only a template") {
		t.Fatalf("the closed window's notice = %q", notice)
	}
	p.wait("the templates", `document.getElementById('template-select') !== null && document.getElementById('composer') === null`)
	if opts := pageEval[string](p, `[...document.querySelectorAll('#template-select option')].slice(1).map(o => o.textContent).join(' | ')`); opts != "follow_up · en_US | order_update · da | order_update · en_US" {
		t.Fatalf("templates offered: %s", opts)
	}
	pageEval[bool](p, `(() => { const s = document.getElementById('template-select');
		s.value = [...s.options].find(o => o.textContent === 'order_update · en_US').value; s.dispatchEvent(new Event('change')); return true; })()`)
	p.wait("the template's two parameters", `document.getElementById('template-param-2') !== null && document.getElementById('template-param-3') === null`)
	pageEval[bool](p, `(document.getElementById('send').click(), true)`)
	p.wait("the missing parameters' message", `document.getElementById('send-error').textContent.includes('Fill in every parameter')`)
	pageEval[bool](p, `(() => { for (const [n, v] of [[1, 'Pablo'], [2, '1042']]) { const i = document.getElementById('template-param-' + n); i.value = v; i.dispatchEvent(new Event('input')); } return true; })()`)
	p.wait("the preview", `document.getElementById('template-preview').textContent.includes('Hi Pablo, your order 1042 has shipped.')`)
	p.noAxeViolations("the template picker")
	pageEval[bool](p, `(document.getElementById('send').click(), true)`)
	p.wait("the template in the thread", `[...document.querySelectorAll('#messages li.out')].some(li => li.textContent.includes('order_update') && li.textContent.includes('Pablo · 1042'))`)
	e.idle()
	var sent struct {
		Type     string `json:"type"`
		To       string `json:"to"`
		Template struct {
			Name     string `json:"name"`
			Language struct {
				Code string `json:"code"`
			} `json:"language"`
			Components []struct {
				Type       string `json:"type"`
				Parameters []struct {
					Text string `json:"text"`
				} `json:"parameters"`
			} `json:"components"`
		} `json:"template"`
	}
	if err := json.Unmarshal(lastOutbox(t, e.r, inbox.ChannelWhatsApp).Payload, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Type != "template" || sent.To != "4915112345678" || sent.Template.Name != "order_update" || sent.Template.Language.Code != "en_US" ||
		len(sent.Template.Components) != 1 || len(sent.Template.Components[0].Parameters) != 2 || sent.Template.Components[0].Parameters[1].Text != "1042" {
		t.Fatalf("sent = %+v", sent)
	}
	p.noScriptErrors()
}
