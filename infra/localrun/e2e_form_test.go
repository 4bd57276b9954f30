package localrun_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mailparse"
)

// TestFormEndToEnd is the web form of issue #13 through the runner: the demo form's page, a
// no-JavaScript post (303) → a conversation holding the answers and a ticket (the form's
// tickets setting) → the form's acknowledgement email → an agent's reply by email through the inbox's team email channel → the
// customer's email answer threads back into the same conversation; the same post again is
// stored once; bad posts are 4xx JSON and store nothing.
func TestFormEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	r, c, idle := e.r, e.c, e.idle
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demoChannel(t, demo, inbox.ChannelForm)
	if dc.WebhookURL != r.URL+"/webhooks/form/"+dc.ID {
		t.Fatalf("demo form = %+v", dc)
	}
	tok := demo.Token
	page := c.do(http.MethodGet, dc.WebhookURL, "", "", nil, nil)
	if page.status != http.StatusOK || !bytes.Contains(page.body, []byte(`name="message"`)) {
		t.Fatalf("form page: %d %s", page.status, page.body)
	}

	// A browser posts the form (no JavaScript): 303 to the redirect.
	customer := fmt.Sprintf("zoe-%d@customer.example", time.Now().UnixNano())
	post := url.Values{"name": {"Zoe Park"}, "email": {customer}, "topic": {"Order"}, "message": {"Where is my order 1234?"}, "_consent": {"yes"}, "_hp": {""}}
	nojs := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(v url.Values) *http.Response {
		t.Helper()
		res, err := nojs.PostForm(dc.WebhookURL, v)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := send(post); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "https://demo.example/thanks" {
		t.Fatalf("post: %d %v", res.StatusCode, res.Header)
	}
	send(post) // pressed twice
	idle()
	var conv string
	for _, cv := range c.conversations("/v1/conversations", tok).Items {
		if cv.Channel.Type == "form" {
			conv = cv.ID
		}
	}
	if conv == "" {
		t.Fatal("no form conversation")
	}
	msgs := c.emailMessages(conv, tok)
	if len(msgs) != 2 || !strings.Contains(msgs[0].Text, "Message: Where is my order 1234?") || !strings.Contains(msgs[0].Text, "Topic: Order") {
		t.Fatalf("form messages %+v", msgs)
	}
	// The form's acknowledgement: the conversation's first reply, sent once (the post pressed
	// twice is one submission) by email through the inbox's team email channel.
	if msgs[1].Direction != "out" || msgs[1].Status != "sent" || !strings.HasPrefix(msgs[1].Text, "Thank you for writing to Demo Inc.") {
		t.Fatalf("acknowledgement %+v", msgs[1])
	}
	acks := testenv.SentMailTo(t, customer)
	if len(acks) != 1 {
		t.Fatalf("SES got %d acknowledgements", len(acks))
	}
	ack, err := mailparse.Parse(bytes.NewReader(acks[0].RawData))
	if err != nil {
		t.Fatal(err)
	}
	if ack.From.Address != localrun.DemoEmailAddress || ack.Subject != "We received your message" || !strings.Contains(acks[0].Header("Reply-To"), "+"+conv+"@") {
		t.Fatalf("acknowledgement mail: from %v subject %q reply-to %q", ack.From, ack.Subject, acks[0].Header("Reply-To"))
	}
	tickets := listOf[struct {
		ID       string `json:"id"`
		Pipeline string `json:"pipeline"`
	}](c, "/v1/tickets?pipeline=support", tok)
	found := false
	for _, tk := range tickets {
		found = found || tk.ID == conv
	}
	if !found {
		t.Fatalf("no ticket for the submission: %+v", tickets)
	}

	// The agent answers: by email, from the inbox's team address, with the reply token.
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", tok, map[string]string{"text": "It ships today."}), http.StatusAccepted)
	idle()
	sent := testenv.SentMailTo(t, customer)[1:]
	if len(sent) != 1 {
		t.Fatalf("SES got %d replies to the customer", len(sent))
	}
	m, err := mailparse.Parse(bytes.NewReader(sent[0].RawData))
	if err != nil {
		t.Fatal(err)
	}
	replyTo := sent[0].Header("Reply-To")
	if m.From.Address != localrun.DemoEmailAddress || !strings.Contains(replyTo, "+"+conv+"@") || m.Subject != "Re: Contact us" {
		t.Fatalf("sent: from %v reply-to %q subject %q", m.From, replyTo, m.Subject)
	}
	if st := c.emailMessages(conv, tok); st[len(st)-1].Status != "sent" {
		t.Fatalf("reply %+v", st[len(st)-1])
	}

	// The customer answers the reply, then the acknowledgement (to its Reply-To, from a client
	// that drops In-Reply-To): both thread back into the form's conversation.
	to := strings.Trim(strings.TrimSpace(replyTo[strings.LastIndex(replyTo, "<")+1:]), "<>")
	raw := fmt.Sprintf("From: Zoe Park <%s>\r\nTo: %s\r\nSubject: Re: Contact us\r\nMessage-ID: <answer-%d@customer.example>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGreat, thanks!\r\n", customer, to, time.Now().UnixNano(), m.MessageID)
	want(t, c.do(http.MethodPost, "/_local/email?to="+url.QueryEscape(to), "", "message/rfc822", []byte(raw), nil), http.StatusOK)
	ackTo := acks[0].Header("Reply-To")
	ackTo = strings.Trim(strings.TrimSpace(ackTo[strings.LastIndex(ackTo, "<")+1:]), "<>")
	raw = fmt.Sprintf("From: Zoe Park <%s>\r\nTo: %s\r\nSubject: RE: We received your message\r\nMessage-ID: <ack-answer-%d@customer.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAlso: order 1235.\r\n", customer, ackTo, time.Now().UnixNano())
	want(t, c.do(http.MethodPost, "/_local/email?to="+url.QueryEscape(ackTo), "", "message/rfc822", []byte(raw), nil), http.StatusOK)
	idle()
	msgs = c.emailMessages(conv, tok)
	if len(msgs) != 5 || !strings.Contains(msgs[3].Text, "Great, thanks!") || msgs[3].Direction != "in" || !strings.Contains(msgs[4].Text, "Also: order 1235.") {
		t.Fatalf("the customer's answers did not thread back: %+v", msgs)
	}

	// Bad posts: 4xx JSON, nothing stored.
	before := len(c.conversations("/v1/conversations", tok).Items)
	for _, tc := range []struct {
		ct, body string
		hook     string
		status   int
	}{
		{"application/x-www-form-urlencoded", "name=Zoe&_consent=yes", dc.WebhookURL, http.StatusBadRequest},
		{"application/json", `{"name":"Zoe","email":"zoe","message":"x","_consent":"yes"}`, dc.WebhookURL, http.StatusBadRequest},
		{"application/json", `{"name":"Zoe","email":"z@x.example","message":"` + strings.Repeat("a", 70<<10) + `"}`, dc.WebhookURL, http.StatusRequestEntityTooLarge},
		{"application/json", `{"name":"Zoe"}`, r.URL + "/webhooks/form/nope", http.StatusNotFound},
	} {
		res := c.do(http.MethodPost, tc.hook, "", tc.ct, []byte(tc.body), nil)
		if res.status != tc.status || !bytes.Contains(res.body, []byte(`"error"`)) {
			t.Errorf("bad post: %d %s, want %d JSON", res.status, res.body, tc.status)
		}
	}
	idle()
	if after := len(c.conversations("/v1/conversations", tok).Items); after != before {
		t.Errorf("bad posts opened %d conversations", after-before)
	}
}
