package localrun_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// A Messenger reply of a text and a file, as the agent app sends it (one POST), goes to the
// runner's Graph stand-in as two Send API messages, the text first, and the reply ends sent
// (on the embedded store, whose RecordPart keeps the text's id between the two). To a customer
// whose files Meta cannot take, the text goes once and the reply fails, saying the text was
// sent; the API says so (sentParts) and the app offers no Retry, which would send the text again.
func TestMessengerTextAndFileEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demoChannel(t, demo, inbox.ChannelMessenger)
	page := messengerSettings(t, c, demo.Token, dc)
	want(t, c.metaPost(dc.WebhookURL, dc.Secrets["appSecret"], localrun.MessengerTextBody(page.PageID, "2400000000000077", "m_parts77", "Can I have the invoice?", time.Now().Add(-time.Hour))), http.StatusOK)
	e.idle()
	conv := conversationsByText(c, demo.Token)["Can I have the invoice?"]
	if conv == "" {
		t.Fatal("no conversation with the customer's message")
	}
	invoice := uploaded(t, c, demo.Token, "invoice.pdf", "application/pdf", []byte("%PDF-1.4 the invoice"))
	before := len(e.r.Outbox.Entries())
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", demo.Token, map[string]any{"text": "Here it is.",
		"attachments": []map[string]string{invoice}}), http.StatusAccepted)
	e.idle()

	var sent []localrun.OutboxEntry
	for _, o := range e.r.Outbox.Entries()[before:] {
		if o.Channel == inbox.ChannelMessenger {
			sent = append(sent, o)
		}
	}
	type sendAPI struct {
		Message struct {
			Text       string `json:"text"`
			Attachment *struct {
				Type    string `json:"type"`
				Payload struct {
					URL string `json:"url"`
				} `json:"payload"`
			} `json:"attachment"`
		} `json:"message"`
	}
	var got []sendAPI
	for _, o := range sent {
		var s sendAPI
		if err := json.Unmarshal(o.Payload, &s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if len(got) != 2 || got[0].Message.Text != "Here it is." || got[0].Message.Attachment != nil ||
		got[1].Message.Text != "" || got[1].Message.Attachment == nil || got[1].Message.Attachment.Type != "file" || got[1].Message.Attachment.Payload.URL == "" {
		t.Fatalf("the Graph stand-in received %+v, want the text, then the file", got)
	}
	type reply struct {
		Text        string             `json:"text"`
		Direction   string             `json:"direction"`
		Status      string             `json:"status"`
		Attachments []inbox.Attachment `json:"attachments"`
		SentParts   int                `json:"sentParts"`
		Error       *inbox.ProviderError
	}
	lastReply := func(conv string) reply {
		msgs := listOf[reply](c, "/v1/conversations/"+conv+"/messages", demo.Token)
		return msgs[len(msgs)-1]
	}
	if last := lastReply(conv); last.Direction != "out" || last.Text != "Here it is." || len(last.Attachments) != 1 || last.Status != "sent" || last.SentParts != 1 {
		t.Fatalf("the reply = %+v, want one message, sent, with its text and file", last)
	}

	// The runner's Graph takes no file for this customer (a permanent refusal).
	want(t, c.metaPost(dc.WebhookURL, dc.Secrets["appSecret"], localrun.MessengerTextBody(page.PageID, "1000000000000001", "m_parts01", "And the receipt?", time.Now().Add(-time.Hour))), http.StatusOK)
	e.idle()
	noFiles := conversationsByText(c, demo.Token)["And the receipt?"]
	receipt := uploaded(t, c, demo.Token, "receipt.pdf", "application/pdf", []byte("%PDF-1.4 the receipt"))
	before = len(e.r.Outbox.Entries())
	want(t, c.api(http.MethodPost, "/v1/conversations/"+noFiles+"/messages", demo.Token, map[string]any{"text": "Here is the receipt.",
		"attachments": []map[string]string{receipt}}), http.StatusAccepted)
	e.idle()
	if n := len(e.r.Outbox.Entries()) - before; n != 1 {
		t.Fatalf("the Graph stand-in took %d messages, want the text once", n)
	}
	failed := lastReply(noFiles)
	if failed.Status != "failed" || failed.SentParts != 1 || failed.Error == nil || failed.Error.Code != "100" ||
		failed.Error.Message != "the text was sent, the rest of the reply was not: (#100) Failed to fetch the file from the url" {
		t.Fatalf("the reply = %+v (error %+v), want failed with its text sent", failed, failed.Error)
	}

	p := openApp(t, e)
	p.signIn("ada")
	p.openConversation(noFiles)
	p.wait("the failed reply, without Retry", `[...document.querySelectorAll('#messages li.out')].some(li => li.dataset.status === 'failed' &&
		li.textContent.includes('the text was sent, the rest of the reply was not') && li.querySelector('button.retry') === null)`)
	p.noScriptErrors()
}
