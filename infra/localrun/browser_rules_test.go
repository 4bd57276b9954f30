package localrun_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

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

// openConversation shows conversation id of the All view in the app and waits for its composer.
func (p *appPage) openConversation(id string) {
	p.t.Helper()
	pageEval[bool](p, `(location.hash = '#/all', true)`)
	row := `document.getElementById('row-` + id + `')`
	p.wait("the conversation's row", row+` !== null`)
	pageEval[bool](p, `(`+row+`.click(), true)`)
	p.wait("the conversation's thread", row+`.getAttribute('aria-selected') === 'true' && document.querySelector('#messages li.in') !== null && document.getElementById('composer') !== null`)
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
	// Notes are still possible there.
	pageEval[bool](p, `(document.getElementById('compose-note').click(), true)`)
	p.wait("the note mode, enabled", `!document.getElementById('send').disabled && !document.getElementById('composer').disabled`)
	p.noScriptErrors()
}
