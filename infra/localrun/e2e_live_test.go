package localrun_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/realtime"
)

// The live channel on make run: /ws on the API's port refuses a bad token before the upgrade;
// an agent's connection answers pings, gets the event of an SMS as the router commits it
// (pushed from the commit hook by the realtime function's code), another agent's typing, and
// after a reconnect the missed events come from GET /v1/events?after=.
func TestLiveChannel(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	ctx, r, c := e.ctx, e.r, e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	wsURL := "ws" + strings.TrimPrefix(r.URL, "http") + localrun.WebSocketPath

	for _, bad := range []string{"", "not-a-token", demo.Token[:len(demo.Token)-4] + "AAAA"} {
		_, res, err := websocket.Dial(ctx, wsURL+"?token="+bad, nil)
		if err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("token %q: %v, %v", bad, res, err)
		}
	}

	dial := func() *websocket.Conn {
		t.Helper()
		conn, _, err := websocket.Dial(ctx, wsURL+"?token="+demo.Token, nil)
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}
	read := func(conn *websocket.Conn, typ string) realtime.ServerFrame {
		t.Helper()
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(b) > 32<<10 {
				t.Fatalf("frame of %d bytes", len(b))
			}
			var f realtime.ServerFrame
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			if f.Type == typ {
				return f
			}
		}
	}
	send := func(conn *websocket.Conn, v any) {
		t.Helper()
		b, _ := json.Marshal(v)
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	conn := dial()
	send(conn, map[string]string{"action": "ping"})
	read(conn, "pong")

	dc := demo.Channels[0]
	want(t, c.sms(dc.WebhookURL, dc.Secrets["twilioAuthToken"], "+15557654321", dc.PhoneNumber, "Live?", "SMlive00000000000000000000000000001", nil), http.StatusOK)
	// A new conversation: its creation and its first message, in commit order.
	f := read(conn, "event")
	for f.Event.Kind == realtime.KindConversation {
		f = read(conn, "event")
	}
	if f.Event.Kind != realtime.KindMessage || f.Event.ConversationID == "" || f.Event.MessageID == "" || f.Event.Cursor == "" {
		t.Fatalf("event = %+v", f.Event)
	}
	conv := f.Event.ConversationID
	msgs := c.messages("/v1/conversations/"+conv+"/messages", demo.Token)
	if len(msgs.Items) == 0 || msgs.Items[len(msgs.Items)-1].ID != f.Event.MessageID {
		t.Fatalf("the event's message is not the conversation's last: %+v", msgs.Items)
	}

	// Typing reaches the other connections, not the typist.
	other := dial()
	send(other, map[string]string{"action": "ping"})
	read(other, "pong")
	send(other, map[string]string{"action": "typing", "conversationId": conv})
	if tf := read(conn, "typing"); tf.ConversationID != conv || tf.From != demo.UserID {
		t.Fatalf("typing = %+v", tf)
	}
	other.CloseNow()

	// Disconnected: what happens meanwhile is caught up through the API.
	cursor := f.Event.Cursor
	conn.Close(websocket.StatusNormalClosure, "")
	res := c.api(http.MethodPatch, "/v1/conversations/"+conv, demo.Token, map[string]string{"status": "closed"})
	want(t, res, http.StatusOK)
	var missed struct {
		Events []realtime.Event `json:"events"`
		Cursor string           `json:"cursor"`
	}
	closed := false
	for !closed {
		// The push is asynchronous, as the stream's is: wait for the commit to be published.
		select {
		case <-ctx.Done():
			t.Fatal("the closing never reached the event log")
		case <-time.After(20 * time.Millisecond):
		}
		c.api(http.MethodGet, "/v1/events?after="+cursor, demo.Token, nil).json(t, &missed)
		for _, e := range missed.Events {
			if e.Cursor <= cursor {
				t.Fatalf("event %+v not after %s", e, cursor)
			}
			closed = closed || (e.Kind == realtime.KindConversation && e.ConversationID == conv)
		}
		cursor = missed.Cursor
	}
	want(t, c.api(http.MethodGet, "/v1/events?limit=0", demo.Token, nil), http.StatusBadRequest)
}
