package localrun_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/realtime"
)

// TestChatLiveInTheBrowser is the widget's live channel in chromium, with the WebSocket endpoint
// on a host of its own as AWS's WebSocket API is (the API's host serves no /ws): the widget finds
// it in its config (liveUrl) and its frame's CSP lets it connect. Typing goes both ways (the
// visitor's reaches an agent's connection as "visitor", an agent's shows in the widget), and a
// connection dropped while an agent replies loses nothing: after the reconnect the widget
// catches up by its cursor and shows the reply exactly once.
func TestChatLiveInTheBrowser(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, func(o *localrun.Options) { o.LiveOwnHost = true })
	c, idle := e.c, e.idle
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	var cfg chatapi.ConfigView
	c.do(http.MethodGet, "/chat/"+localrun.DemoChatChannel+"/config", "", "", nil, nil).json(t, &cfg)
	if !strings.HasPrefix(cfg.LiveURL, "ws://127.0.0.1:") || strings.HasPrefix(cfg.LiveURL, "ws"+strings.TrimPrefix(e.r.URL, "http")) {
		t.Fatalf("the chat config's liveUrl %q: want the live channel's own host", cfg.LiveURL)
	}
	want(t, c.do(http.MethodGet, localrun.WebSocketPath, "", "", nil, nil), http.StatusNotFound)

	ctx := browser.New(t)
	visit(t, ctx, e.r.URL+localrun.ChatDemoPath)
	waitFor(t, ctx, "the launcher", `!f.getElementById('launcher').hidden`)
	eval[bool](t, ctx, `(f.getElementById('launcher').click(), f.getElementById('text').value = 'Is anyone live?', f.getElementById('form').requestSubmit(), true)`)
	waitFor(t, ctx, "the message stored", `[...f.querySelectorAll('.m.in small')].some(s => s.textContent === 'Delivered')`)
	waitFor(t, ctx, "the widget's live connection", `f.documentElement.getAttribute('data-live') === 'on'`)
	idle()
	var conv string
	for _, cv := range c.conversations("/v1/conversations", demo.Token).Items {
		if cv.Channel.Type == string(inbox.ChannelChat) && cv.Preview == "Is anyone live?" {
			conv = cv.ID
		}
	}
	if conv == "" {
		t.Fatal("no chat conversation")
	}

	// An agent's connection to the same live channel.
	wsCtx, cancel := context.WithTimeout(e.ctx, browser.Timeout)
	defer cancel()
	agent, _, err := websocket.Dial(wsCtx, cfg.LiveURL+"?token="+url.QueryEscape(demo.Token), nil)
	if err != nil {
		t.Fatalf("the agent's WebSocket: %v", err)
	}
	defer agent.CloseNow()
	// The visitor types: the agent hears "visitor" typing in this conversation.
	eval[bool](t, ctx, `(f.getElementById('text').value = 'I have a quest', f.getElementById('text').dispatchEvent(new Event('input')), true)`)
	for {
		_, b, err := agent.Read(wsCtx)
		if err != nil {
			t.Fatalf("no typing notice of the visitor: %v", err)
		}
		var f realtime.ServerFrame
		if json.Unmarshal(b, &f) == nil && f.Type == "typing" {
			if f.From != realtime.FromVisitor || f.ConversationID != conv {
				t.Fatalf("typing notice %+v", f)
			}
			break
		}
	}
	// The agent types: the widget says so.
	if err := agent.Write(wsCtx, websocket.MessageText, []byte(`{"action":"typing","conversationId":"`+conv+`"}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the agent's typing in the widget", `f.getElementById('typing').textContent.endsWith('is typing…')`)

	// The live channel goes down; the agent replies meanwhile; it comes back (and the browser
	// says it is online again, as it does after a network change).
	e.r.SetLiveDown(true)
	waitFor(t, ctx, "the widget noticing the drop", `f.documentElement.getAttribute('data-live') === 'off'`)
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", demo.Token, map[string]string{"text": "Answered while you were offline"}), http.StatusAccepted)
	idle()
	e.r.SetLiveDown(false)
	eval[bool](t, ctx, `(fr.contentWindow.dispatchEvent(new Event('online')), true)`)
	waitFor(t, ctx, "the widget live again", `f.documentElement.getAttribute('data-live') === 'on'`)
	waitFor(t, ctx, "the reply missed while down", `[...f.querySelectorAll('.m.out')].some(m => m.firstChild.textContent === 'Answered while you were offline')`)
	// Caught up by cursor (a history read after the first message's id), and shown once.
	if n := eval[int](t, ctx, `fr.contentWindow.performance.getEntriesByType('resource').filter(e => /\/messages\?after=[^&]+/.test(e.name)).length`); n == 0 {
		t.Fatal("no catch-up by cursor")
	}
	if n := eval[int](t, ctx, `[...f.querySelectorAll('.m.out')].filter(m => m.firstChild.textContent === 'Answered while you were offline').length`); n != 1 {
		t.Fatalf("the reply is shown %d times", n)
	}
	if got := eval[string](t, ctx, `f.getElementById('typing').textContent`); got != "" {
		t.Fatalf("the typing notice outlived the agent's message: %q", got)
	}
}
