package localrun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mailparse"
	"github.com/openinbox/inbox/shared/realtime"
)

// TestChatEndToEnd is website chat (issue #11) through the runner's visitor API: the demo
// chat's config, a visitor token, a message (sent twice with one clientMessageId: stored once)
// that becomes a conversation the agent API lists, an agent's reply the visitor reads by
// cursor, identify with a wrong hash refused and a right one giving the verified visitor their
// history on another "device"; hostile requests are 4xx JSON and change nothing.
func TestChatEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demoChannel(t, demo, inbox.ChannelChat)
	if dc.ID != localrun.DemoChatChannel || !strings.Contains(dc.EmbedCode, `src="`+e.r.URL+`/chat/loader.js"`) || dc.DemoPageURL == "" {
		t.Fatalf("demo chat = %+v", dc)
	}
	api := "/chat/" + dc.ID
	var cfg chatapi.ConfigView
	res := c.do(http.MethodGet, api+"/config", "", "", nil, nil)
	want(t, res, http.StatusOK)
	res.json(t, &cfg)
	if cfg.Availability.State == "" || cfg.Color != chat.DefaultColor || cfg.WelcomeMessage == "" {
		t.Fatalf("config %+v", cfg)
	}
	// Hostile ground first: nothing below stores anything.
	want(t, c.do(http.MethodGet, "/chat/demo-sms/config", "", "", nil, nil), http.StatusNotFound)
	want(t, c.do(http.MethodGet, "/chat/nope/config", "", "", nil, nil), http.StatusNotFound)
	want(t, c.do(http.MethodGet, api+"/config", "", "", nil, map[string]string{"Origin": "https://evil.example"}), http.StatusForbidden)
	want(t, c.do(http.MethodPost, api+"/messages", "", "application/json", []byte(`{"clientMessageId":"a","text":"hi"}`), nil), http.StatusUnauthorized)
	want(t, c.do(http.MethodPost, api+"/messages", "vt1.forged.sig", "application/json", []byte(`{"clientMessageId":"a","text":"hi"}`), nil), http.StatusUnauthorized)

	var tok chatapi.TokenView
	res = c.do(http.MethodPost, api+"/visitors", "", "", nil, nil)
	want(t, res, http.StatusCreated)
	res.json(t, &tok)
	for _, bad := range []string{`{"clientMessageId":"","text":"hi"}`, `{"clientMessageId":"a","text":"  "}`, `{"clientMessageId":"a","text":"hi","extra":1}`, `not json`} {
		if r := c.do(http.MethodPost, api+"/messages", tok.Token, "application/json", []byte(bad), nil); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"error"`) {
			t.Fatalf("%s: %d %s", bad, r.status, r.body)
		}
	}
	long := `{"clientMessageId":"a","text":"` + strings.Repeat("x", chat.MaxText+1) + `"}`
	want(t, c.do(http.MethodPost, api+"/messages", tok.Token, "application/json", []byte(long), nil), http.StatusRequestEntityTooLarge)
	// Another chat's token is not this one's.
	want(t, c.do(http.MethodGet, "/chat/other/messages", tok.Token, "", nil, nil), http.StatusNotFound)
	idle()
	if n := len(c.conversations("/v1/conversations", demo.Token).Items); n != 0 {
		for _, cv := range c.conversations("/v1/conversations", demo.Token).Items {
			if cv.Channel.Type == "chat" {
				t.Fatalf("refused requests stored a chat conversation")
			}
		}
	}

	send := `{"clientMessageId":"m1","text":"Where is my order 1234?"}`
	want(t, c.do(http.MethodPost, api+"/messages", tok.Token, "application/json", []byte(send), nil), http.StatusAccepted)
	want(t, c.do(http.MethodPost, api+"/messages", tok.Token, "application/json", []byte(send), nil), http.StatusAccepted) // a retry
	idle()
	var conv string
	for _, cv := range c.conversations("/v1/conversations", demo.Token).Items {
		if cv.Channel.Type == "chat" {
			conv = cv.ID
		}
	}
	if conv == "" {
		t.Fatal("no chat conversation")
	}
	if msgs := c.messages("/v1/conversations/"+conv+"/messages", demo.Token); len(msgs.Items) != 1 || msgs.Items[0].Text != "Where is my order 1234?" {
		t.Fatalf("agent sees %+v", msgs.Items)
	}
	// Live: the visitor's token opens the realtime channel, which tells of the agent's reply.
	wsCtx, wsCancel := context.WithTimeout(e.ctx, time.Minute)
	defer wsCancel()
	live, _, err := websocket.Dial(wsCtx, "ws"+strings.TrimPrefix(e.r.URL, "http")+localrun.WebSocketPath+"?token="+url.QueryEscape(tok.Token), nil)
	if err != nil {
		t.Fatalf("the visitor's WebSocket: %v", err)
	}
	defer live.CloseNow()
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", demo.Token, map[string]string{"text": "It ships today!"}), http.StatusAccepted)
	for {
		_, b, err := live.Read(wsCtx)
		if err != nil {
			t.Fatalf("no live event of the reply: %v", err)
		}
		var f realtime.ServerFrame
		if json.Unmarshal(b, &f) == nil && f.Type == "event" && f.Event.Kind == realtime.KindMessage {
			if f.Event.ConversationID != conv {
				t.Fatalf("a visitor heard of another conversation: %+v", f.Event)
			}
			break
		}
	}
	idle()
	var h chatapi.HistoryView
	res = c.do(http.MethodGet, api+"/messages", tok.Token, "", nil, nil)
	want(t, res, http.StatusOK)
	res.json(t, &h)
	if h.ConversationID != conv || len(h.Items) != 2 || h.Items[0].ClientMessageID != "m1" || h.Items[1].Direction != inbox.DirectionOut || h.Items[1].Text != "It ships today!" {
		t.Fatalf("history %+v", h)
	}
	// The realtime backbone's visitor authoriser: the token's visitor hears their conversation.
	sub, err := chatapi.Authorise(e.ctx, e.r.Store, tok.Token, time.Now())
	if err != nil || sub.ConversationID != conv || sub.Account != localrun.DemoAccount || !chatapi.IsToken(tok.Token) || chatapi.IsToken(demo.Token) {
		t.Fatalf("authorise: %+v %v", sub, err)
	}
	if _, err := chatapi.Authorise(e.ctx, e.r.Store, tok.Token, time.Now().Add(chatapi.TokenTTL)); !inbox.IsCode(err, inbox.EUnauthorized) {
		t.Fatalf("expired token authorised: %v", err)
	}
	// After the cursor: nothing new.
	var after chatapi.HistoryView
	c.do(http.MethodGet, api+"/messages?after="+h.Cursor, tok.Token, "", nil, nil).json(t, &after)
	if len(after.Items) != 0 || after.Cursor != h.Cursor {
		t.Fatalf("after cursor: %+v", after)
	}

	// identify: a wrong hash is refused; the right one makes a verified visitor whose history
	// follows them to another device (a fresh anonymous token identified again).
	secret := dc.Secrets[chat.SecretIdentity]
	body := func(hash string) []byte {
		return []byte(`{"id":"cust-42","email":"zoe@customer.example","name":"Zoe Park","hash":"` + hash + `"}`)
	}
	want(t, c.do(http.MethodPost, api+"/identify", tok.Token, "application/json", body(strings.Repeat("0", 64)), nil), http.StatusForbidden)
	var verified chatapi.TokenView
	res = c.do(http.MethodPost, api+"/identify", tok.Token, "application/json", body(chatapi.IdentityHash(secret, "cust-42")), nil)
	want(t, res, http.StatusOK)
	res.json(t, &verified)
	if !verified.Verified {
		t.Fatal("identify: not verified")
	}
	want(t, c.do(http.MethodPost, api+"/messages", verified.Token, "application/json", []byte(`{"clientMessageId":"d1","text":"From my laptop"}`), nil), http.StatusAccepted)
	idle()
	var phone chatapi.TokenView
	c.do(http.MethodPost, api+"/visitors", "", "", nil, nil).json(t, &phone)
	c.do(http.MethodPost, api+"/identify", phone.Token, "application/json", body(chatapi.IdentityHash(secret, "cust-42")), nil).json(t, &phone)
	var other chatapi.HistoryView
	c.do(http.MethodGet, api+"/messages", phone.Token, "", nil, nil).json(t, &other)
	if len(other.Items) != 1 || other.Items[0].Text != "From my laptop" {
		t.Fatalf("history on another device: %+v", other)
	}

	// A visitor who leaves an email address (away's email capture) gets the agent's reply by
	// email from the inbox's team address, and their email answer threads back into the chat.
	customer := fmt.Sprintf("ann-%d@customer.example", time.Now().UnixNano())
	var away chatapi.TokenView
	c.do(http.MethodPost, api+"/visitors", "", "", nil, nil).json(t, &away)
	want(t, c.do(http.MethodPost, api+"/messages", away.Token, "application/json", []byte(`{"clientMessageId":"e1","text":"Anyone there?","email":"`+customer+`","name":"Ann"}`), nil), http.StatusAccepted)
	idle()
	var awayConv string
	for _, cv := range c.conversations("/v1/conversations", demo.Token).Items {
		if cv.Channel.Type == "chat" && cv.Preview == "Anyone there?" {
			awayConv = cv.ID
		}
	}
	want(t, c.api(http.MethodPost, "/v1/conversations/"+awayConv+"/messages", demo.Token, map[string]string{"text": "Back now: here is your answer."}), http.StatusAccepted)
	idle()
	sent := testenv.SentMailTo(t, customer)
	var m *mailparse.Message
	if len(sent) != 1 {
		t.Fatalf("SES got %d mails to the visitor", len(sent))
	}
	m, err = mailparse.Parse(bytes.NewReader(sent[0].RawData))
	if err != nil {
		t.Fatal(err)
	}
	replyTo := sent[0].Header("Reply-To")
	if m.From.Address != localrun.DemoEmailAddress || !strings.Contains(replyTo, "+"+awayConv+"@") {
		t.Fatalf("sent: from %v reply-to %q", m.From, replyTo)
	}
	to := strings.Trim(strings.TrimSpace(replyTo[strings.LastIndex(replyTo, "<")+1:]), "<>")
	raw := fmt.Sprintf("From: Ann <%s>\r\nTo: %s\r\nSubject: Re: chat\r\nMessage-ID: <chat-answer-%d@customer.example>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThanks by mail!\r\n", customer, to, time.Now().UnixNano(), m.MessageID)
	want(t, c.do(http.MethodPost, "/_local/email?to="+url.QueryEscape(to), "", "message/rfc822", []byte(raw), nil), http.StatusOK)
	idle()
	var mailed chatapi.HistoryView
	c.do(http.MethodGet, api+"/messages", away.Token, "", nil, nil).json(t, &mailed)
	if len(mailed.Items) != 3 || !strings.Contains(mailed.Items[2].Text, "Thanks by mail!") || mailed.Items[2].Direction != inbox.DirectionIn {
		t.Fatalf("the visitor's email answer did not thread back into the chat: %+v", mailed.Items)
	}

	// A visitor who left an address but is in the widget (connected to the live channel) gets
	// the reply there and no email; nor right after leaving (a reload is not leaving).
	present := fmt.Sprintf("pia-%d@customer.example", time.Now().UnixNano())
	var pia chatapi.TokenView
	c.do(http.MethodPost, api+"/visitors", "", "", nil, nil).json(t, &pia)
	want(t, c.do(http.MethodPost, api+"/messages", pia.Token, "application/json", []byte(`{"clientMessageId":"p1","text":"Still here","email":"`+present+`"}`), nil), http.StatusAccepted)
	idle()
	var piaConv string
	for _, cv := range c.conversations("/v1/conversations", demo.Token).Items {
		if cv.Channel.Type == "chat" && cv.Preview == "Still here" {
			piaConv = cv.ID
		}
	}
	piaLive, _, err := websocket.Dial(wsCtx, "ws"+strings.TrimPrefix(e.r.URL, "http")+localrun.WebSocketPath+"?token="+url.QueryEscape(pia.Token), nil)
	if err != nil {
		t.Fatalf("the visitor's WebSocket: %v", err)
	}
	want(t, c.api(http.MethodPost, "/v1/conversations/"+piaConv+"/messages", demo.Token, map[string]string{"text": "Answer while you read"}), http.StatusAccepted)
	idle()
	if err := piaLive.Close(websocket.StatusNormalClosure, "reload"); err != nil {
		t.Fatal(err)
	}
	want(t, c.api(http.MethodPost, "/v1/conversations/"+piaConv+"/messages", demo.Token, map[string]string{"text": "Answer after a reload"}), http.StatusAccepted)
	idle()
	if sent := testenv.SentMailTo(t, present); len(sent) != 0 {
		t.Fatalf("a visitor in the widget got %d replies by email", len(sent))
	}
	var piaHist chatapi.HistoryView
	c.do(http.MethodGet, api+"/messages", pia.Token, "", nil, nil).json(t, &piaHist)
	if len(piaHist.Items) != 3 || piaHist.Items[2].Text != "Answer after a reload" {
		t.Fatalf("the present visitor's history: %+v", piaHist.Items)
	}
}
