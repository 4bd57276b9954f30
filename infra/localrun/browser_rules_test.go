package localrun_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// messengerSettings returns the settings of Messenger channel dc (the page id its webhooks name).
func messengerSettings(t testing.TB, c *client, token string, dc localrun.DemoChannel) inbox.MessengerConfig {
	t.Helper()
	var ch struct {
		Messenger inbox.MessengerConfig `json:"messenger"`
	}
	c.api(http.MethodGet, "/v1/channels/"+dc.ID, token, nil).json(t, &ch)
	return ch.Messenger
}

// conversationsByText maps the text of each message of the open conversations to its
// conversation's id.
func conversationsByText(c *client, token string) map[string]string {
	byText := map[string]string{}
	for _, cv := range c.conversations("/v1/conversations?status=open", token).Items {
		for _, m := range c.metaMessages(cv.ID, token) {
			byText[m.Text] = cv.ID
		}
	}
	return byText
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
	page := messengerSettings(t, c, demo.Token, dc)
	now := time.Now()
	for _, m := range []struct {
		psid, text string
		age        time.Duration
	}{{"2400000000000002", "Still there?", 48 * time.Hour}, {"2400000000000008", "Hello from last week", 8 * 24 * time.Hour}} {
		want(t, c.metaPost(dc.WebhookURL, dc.Secrets["appSecret"], localrun.MessengerTextBody(page.PageID, m.psid, "m_rules"+m.psid, m.text, now.Add(-m.age))), http.StatusOK)
	}
	e.idle()
	byText := conversationsByText(c, demo.Token)
	tagged, expired := byText["Still there?"], byText["Hello from last week"]
	if tagged == "" || expired == "" {
		t.Fatalf("conversations by text = %v", byText)
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

// fakeClock, evaluated in the app's page, moves the page's clock by hand: Date.now runs
// window.testClock.offset ms ahead, and testClock.advance(ms) adds ms to it and runs once each
// interval registered from then on (setInterval) whose period is at most ms, as that much
// time passing would.
const fakeClock = `(() => {
	const realNow = Date.now.bind(Date), realInterval = window.setInterval.bind(window);
	const c = window.testClock = { offset: 0, intervals: [] };
	Date.now = () => realNow() + c.offset;
	window.setInterval = (f, ms, ...args) => { c.intervals.push({ f, ms }); return realInterval(f, ms, ...args); };
	c.advance = ms => { c.offset += ms; for (const i of c.intervals) if (i.ms <= ms) i.f(); return true; };
	return true;
})()`

// The composer's channel notice follows the clock in chromium, without the composer being
// redrawn (its form and the draft in it stay): Messenger's HUMAN_AGENT window counts down and,
// past 7 days, says no reply can be sent with Send disabled and the draft kept; WhatsApp's
// 24-hour window counts down and then says only a template can be sent.
func TestWindowNoticesFollowTheClock(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	fb, wa := demoChannel(t, demo, inbox.ChannelMessenger), demoChannel(t, demo, inbox.ChannelWhatsApp)
	page := messengerSettings(t, c, demo.Token, fb)
	var number struct {
		WhatsApp inbox.WhatsAppConfig `json:"whatsapp"`
	}
	c.api(http.MethodGet, "/v1/channels/"+wa.ID, demo.Token, nil).json(t, &number)
	now := time.Now()
	want(t, c.metaPost(fb.WebhookURL, fb.Secrets["appSecret"], localrun.MessengerTextBody(page.PageID, "2400000000000048", "m_clock48", "Any news?", now.Add(-48*time.Hour))), http.StatusOK)
	want(t, c.metaPost(wa.WebhookURL, wa.Secrets["appSecret"], localrun.WhatsAppTextBody(number.WhatsApp.WABAID, number.WhatsApp.PhoneNumberID, number.WhatsApp.DisplayNumber,
		"4915112340023", "Lea Weber", "wamid.HBgLNDkxNTExMjM0MDAyMxUCABIYFjNFQjBDMDRBMkVGRDQ5QjlBNkZCAA==", "Is it in stock?", now.Add(-23*time.Hour))), http.StatusOK)
	e.idle()
	byText := conversationsByText(c, demo.Token)
	tagged, open := byText["Any news?"], byText["Is it in stock?"]
	if tagged == "" || open == "" {
		t.Fatalf("conversations by text = %v", byText)
	}

	p := openApp(t, e)
	p.signIn("ada")
	pageEval[bool](p, fakeClock)
	const notice = `document.getElementById('rules').textContent`
	keep := func(draft string) string {
		pageEval[bool](p, `(window.keptForm = document.getElementById('composer-form'), document.getElementById('composer').value = `+jsQuote(draft)+`, true)`)
		return `document.getElementById('composer-form') === window.keptForm && document.getElementById('composer').value === ` + jsQuote(draft)
	}
	advance := func(d time.Duration) {
		pageEval[bool](p, `window.testClock.advance(`+strconv.FormatInt(d.Milliseconds(), 10)+`)`)
	}

	p.openConversation(tagged)
	if got := pageEval[string](p, notice); !strings.Contains(got, "HUMAN_AGENT") || !strings.Contains(got, "in 5 days") {
		t.Fatalf("the tag window's notice = %q", got)
	}
	kept := keep("We are looking into it")
	advance(2 * 24 * time.Hour)
	p.wait("three days left", notice+`.includes('in 3 days') && `+kept)
	advance(66 * time.Hour)
	p.wait("six hours left", notice+`.includes('in 6 hours') && `+kept+` && !document.getElementById('send').disabled`)
	advance(7 * time.Hour)
	p.wait("no reply possible, the draft kept", notice+`.includes('more than 7 days') && document.getElementById('rules').classList.contains('warn') && `+
		`document.getElementById('send').disabled && document.getElementById('composer').disabled && `+kept)

	// Back to the real time for the WhatsApp customer, who wrote 23 hours ago.
	pageEval[bool](p, `(window.testClock.offset = 0, true)`)
	p.openConversation(open)
	if got := pageEval[string](p, notice); !strings.Contains(got, "free-form replies") || !strings.Contains(got, "in 60 minutes") {
		t.Fatalf("the open window's notice = %q", got)
	}
	kept = keep("Yes, in blue and red")
	advance(30 * time.Minute)
	p.wait("half an hour left", notice+`.includes('in 30 minutes') && !document.getElementById('rules').classList.contains('warn') && `+kept)
	advance(31 * time.Minute)
	p.wait("the window closed, the draft kept", notice+`.includes('only a template') && document.getElementById('rules').classList.contains('warn') && `+kept)
	p.noScriptErrors()
}
