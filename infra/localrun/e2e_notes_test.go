package localrun_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
)

// Internal notes on make run: an agent's note is stored in the thread with its author, leaves
// the conversation's preview and time as they were, and is never sent (the outbox stays as it
// was, also after the queues drained); blank, too long, other accounts' and unknown
// conversations are refused with nothing stored.
func TestInternalNotesAreNeverSent(t *testing.T) {
	t.Parallel()
	// On DynamoDB Local: the store's note write as in AWS.
	e := startSession(t, false, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demo.Channels[0]
	want(t, c.sms(dc.WebhookURL, dc.Secrets["twilioAuthToken"], "+15550001111", dc.PhoneNumber, "Where is my order?", "SMnote0000000000000000000000000001", nil), http.StatusOK)
	e.idle()
	convs := c.conversations("/v1/conversations?status=open", demo.Token)
	if len(convs.Items) != 1 {
		t.Fatalf("conversations = %+v", convs.Items)
	}
	conv := convs.Items[0]
	before := get[struct {
		Preview       string    `json:"preview"`
		LastMessageAt time.Time `json:"lastMessageAt"`
	}](c, "/v1/conversations/"+conv.ID, demo.Token)
	sent := len(e.r.Outbox.Entries())

	sam := e.token(demo.AccountID, "sam", "agent", "Sam Agent")
	var note struct {
		ID, Direction, Status, Text, AuthorID, AuthorName string
	}
	res := c.api(http.MethodPost, "/v1/conversations/"+conv.ID+"/notes", sam, map[string]string{"text": "Refund approved by Kim."})
	want(t, res, http.StatusCreated)
	res.json(t, &note)
	if note.Direction != "note" || note.Status != "stored" || note.AuthorID != "sam" || note.AuthorName != "Sam Agent" || note.Text != "Refund approved by Kim." {
		t.Fatalf("note = %+v", note)
	}

	for _, bad := range []struct {
		token, conv, body string
		status            int
	}{
		{sam, conv.ID, `{"text":"  "}`, http.StatusBadRequest},
		{sam, conv.ID, `{}`, http.StatusBadRequest},
		{sam, conv.ID, `{"text":"` + strings.Repeat("x", 10001) + `"}`, http.StatusBadRequest},
		{sam, conv.ID, `{"text":"hi","internal":true}`, http.StatusBadRequest},
		{e.token("other-account", "olga", "admin"), conv.ID, `{"text":"hi"}`, http.StatusNotFound},
		{sam, "no-such-conversation", `{"text":"hi"}`, http.StatusNotFound},
	} {
		want(t, c.do(http.MethodPost, "/v1/conversations/"+bad.conv+"/notes", bad.token, "application/json", []byte(bad.body), nil), bad.status)
	}

	e.idle()
	if got := e.r.Outbox.Entries(); len(got) != sent {
		t.Fatalf("the note was sent: outbox %+v", got[sent:])
	}
	msgs := c.messages("/v1/conversations/"+conv.ID+"/messages", demo.Token)
	notes := 0
	for _, m := range msgs.Items {
		if m.Direction == "note" {
			notes++
		}
	}
	if last := msgs.Items[len(msgs.Items)-1]; last.ID != note.ID || notes != 1 {
		t.Fatalf("messages = %+v", msgs.Items)
	}
	after := get[struct {
		Preview       string    `json:"preview"`
		LastMessageAt time.Time `json:"lastMessageAt"`
	}](c, "/v1/conversations/"+conv.ID, demo.Token)
	if after != before {
		t.Fatalf("the note moved the conversation: %+v, was %+v", after, before)
	}
}
