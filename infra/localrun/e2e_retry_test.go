package localrun_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

const retryInvoice = "%PDF-1.4\n% the invoice to resend\n"

// failedMMS has the demo SMS channel's customer write, replies with a text and an uploaded
// file (an MMS in the runner's outbox), then has Twilio's status callback report the MMS failed
// (30003, handset unreachable); it returns the conversation, the failed reply's id and the
// number of outbox entries so far.
func failedMMS(t *testing.T, e *session, from, sid string) (demo localrun.Demo, conv, msg string, sent int) {
	t.Helper()
	c := e.c
	demo, conv = e.demoSMS(t, from, "Can you send me the invoice?", sid)
	invoice := uploaded(t, c, demo.Token, "invoice.pdf", "application/pdf", []byte(retryInvoice))
	var m struct {
		ID string `json:"id"`
	}
	r := c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", demo.Token, map[string]any{"text": "Here it is.",
		"attachments": []map[string]string{invoice}})
	want(t, r, http.StatusAccepted)
	r.json(t, &m)
	e.idle()
	first := lastOutbox(t, e.r, inbox.ChannelSMS)
	if first.Body != "Here it is." || len(first.MediaURLs) != 1 {
		t.Fatalf("first send = %+v", first)
	}
	want(t, c.do(http.MethodPost, "/_local/outbox/"+first.SID+"/status", "", "application/x-www-form-urlencoded", []byte("status=failed&errorCode=30003"), nil), http.StatusOK)
	e.idle()
	if got := retryMessage(t, e, demo.Token, conv, m.ID); got.Status != "failed" || got.Error == nil {
		t.Fatalf("after the failed callback the reply = %+v", got)
	}
	return demo, conv, m.ID, len(e.r.Outbox.Entries())
}

type retriedReply struct {
	ID          string               `json:"id"`
	Text        string               `json:"text"`
	Status      string               `json:"status"`
	Attachments []inbox.Attachment   `json:"attachments"`
	Error       *inbox.ProviderError `json:"error"`
}

func retryMessage(t *testing.T, e *session, token, conv, id string) retriedReply {
	t.Helper()
	for _, m := range listOf[retriedReply](e.c, "/v1/conversations/"+conv+"/messages", token) {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no message %s in %s", id, conv)
	return retriedReply{}
}

// resentMMS checks that the outbox gained exactly one SMS since before: the reply's text with
// the same file, whose media URL serves the file's bytes.
func resentMMS(t *testing.T, e *session, before int) {
	t.Helper()
	var resent []localrun.OutboxEntry
	for _, o := range e.r.Outbox.Entries()[before:] {
		if o.Channel == inbox.ChannelSMS {
			resent = append(resent, o)
		}
	}
	if len(resent) != 1 || resent[0].Body != "Here it is." || len(resent[0].MediaURLs) != 1 {
		t.Fatalf("resent = %+v, want the text and its file once", resent)
	}
	if status, body := fetched(t, resent[0].MediaURLs[0]); status != http.StatusOK || body != retryInvoice {
		t.Fatalf("the resent media URL answered %d %q", status, body)
	}
}

// Retrying a failed MMS reply through the API (on DynamoDB Local) resends the same message with
// its own file, once, even when two retries race; what is not a failed reply, and another
// account's ids, are refused and change nothing.
func TestRetryFailedReplyEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c := e.c
	demo, conv, id, before := failedMMS(t, e, "+15550004444", "SMretry00000000000000000000000000001")
	failedSend := lastOutbox(t, e.r, inbox.ChannelSMS).SID
	path := "/v1/conversations/" + conv + "/messages/" + id + "/retry"

	// Refused before anything is written: another account's caller, an unknown message, and the
	// customer's own message.
	want(t, c.api(http.MethodPost, path, e.token("acct-other", "u-other", "admin"), nil), http.StatusNotFound)
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages/m-unknown/retry", demo.Token, nil), http.StatusNotFound)
	var inbound string
	for _, m := range c.messages("/v1/conversations/"+conv+"/messages", demo.Token).Items {
		if m.Direction == string(inbox.DirectionIn) {
			inbound = m.ID
		}
	}
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages/"+inbound+"/retry", demo.Token, nil), http.StatusConflict)
	if got := retryMessage(t, e, demo.Token, conv, id); got.Status != "failed" {
		t.Fatalf("after refused retries the reply = %+v", got)
	}

	// A double click: two retries at once queue the reply once.
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() { statuses[i] = c.api(http.MethodPost, path, demo.Token, nil).status })
	}
	wg.Wait()
	if (statuses[0] != http.StatusAccepted || statuses[1] != http.StatusConflict) && (statuses[0] != http.StatusConflict || statuses[1] != http.StatusAccepted) {
		t.Fatalf("two retries answered %v, want one 202 and one 409", statuses)
	}
	e.idle()
	resentMMS(t, e, before)
	got := retryMessage(t, e, demo.Token, conv, id)
	if got.Status != "sent" || got.Error != nil || got.Text != "Here it is." || len(got.Attachments) != 1 || got.Attachments[0].Name != "invoice.pdf" {
		t.Fatalf("the retried reply = %+v", got)
	}
	// Sent now: nothing to retry.
	want(t, c.api(http.MethodPost, path, demo.Token, nil), http.StatusConflict)

	// Twilio redelivers the failed send's callbacks late: they move the resent reply no more
	// (a "failed" would show it failed with Retry offered again); the new send's apply.
	resent := lastOutbox(t, e.r, inbox.ChannelSMS).SID
	for _, status := range []string{"status=delivered", "status=failed&errorCode=30003"} {
		want(t, c.do(http.MethodPost, "/_local/outbox/"+failedSend+"/status", "", "application/x-www-form-urlencoded", []byte(status), nil), http.StatusOK)
		e.idle()
		if got := retryMessage(t, e, demo.Token, conv, id); got.Status != "sent" || got.Error != nil {
			t.Fatalf("after the first send's late %s the resent reply = %+v", status, got)
		}
	}
	want(t, c.do(http.MethodPost, "/_local/outbox/"+resent+"/status", "", "application/x-www-form-urlencoded", []byte("status=delivered"), nil), http.StatusOK)
	e.idle()
	if got := retryMessage(t, e, demo.Token, conv, id); got.Status != "delivered" {
		t.Fatalf("after the new send's delivered callback the reply = %+v", got)
	}
}
