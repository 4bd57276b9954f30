package localrun_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/faultinject"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/sqsqueue"
)

// faultSession is a runner whose DynamoDB (DynamoDB Local) and SQS (the emulator) calls go
// through fault-injecting proxies.
type faultSession struct {
	*session
	ddb, sqs *faultinject.Proxy
	// long bounds the waits: faults and retries take longer than startSession's context allows
	// on a busy machine.
	long context.Context
}

// idle waits until the runner's queues are drained.
func (s *faultSession) idle() {
	s.t.Helper()
	if err := s.r.WaitIdle(s.long); err != nil {
		s.t.Fatal(err)
	}
}

// noDeadLetters checks that no queue dead-lettered anything.
func (s *faultSession) noDeadLetters() {
	s.t.Helper()
	for _, dlq := range []string{"InboundDLQ", "OutboundDLQ", "MediaDLQ"} {
		if n, err := s.r.DLQDepth(s.long, dlq); err != nil || n != 0 {
			s.t.Errorf("%s holds %d messages (%v); want none", dlq, n, err)
		}
	}
}

func startFaultSession(t *testing.T, tweak func(*localrun.Options)) *faultSession {
	t.Helper()
	ddb, err := faultinject.Start(testenv.Endpoint(t, "DYNAMODB_ENDPOINT"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ddb.Close)
	q, err := faultinject.Start(testenv.Endpoint(t, "SQS_ENDPOINT"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	s := startSession(t, false, func(o *localrun.Options) {
		o.DynamoDBEndpoint, o.SQSEndpoint = ddb.URL, q.URL
		if tweak != nil {
			tweak(o)
		}
	})
	long, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return &faultSession{session: s, ddb: ddb, sqs: q, long: long}
}

// smsAccount is an account with one SMS channel, set up through the API.
type smsAccount struct {
	id, admin, phone, channelID, hook string
}

const faultAuthToken = "0123456789abcdef0123456789abcdef"

func (s *session) smsAccount(name string, n int) smsAccount {
	s.t.Helper()
	a := smsAccount{id: fmt.Sprintf("%s-%d", name, time.Now().UnixNano())}
	a.admin = s.token(a.id, "ada", "admin")
	var ib inbox.Inbox
	res := s.c.api(http.MethodPost, "/v1/inboxes", a.admin, map[string]string{"name": name})
	want(s.t, res, http.StatusCreated)
	res.json(s.t, &ib)
	a.phone = fmt.Sprintf("+1628%03d%04d", n, time.Now().UnixNano()%10000)
	res = s.c.api(http.MethodPost, "/v1/channels", a.admin, map[string]any{"type": "sms", "inboxId": ib.ID,
		"twilio": map[string]string{"accountSid": "AC00000000000000000000000000000002", "authToken": faultAuthToken, "phoneNumber": a.phone}})
	want(s.t, res, http.StatusCreated)
	var ch struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhookUrl"`
	}
	res.json(s.t, &ch)
	a.channelID, a.hook = ch.ID, ch.WebhookURL
	return a
}

// deliver posts a signed SMS as Twilio does: again after any non-2xx answer. It returns how
// many answers were 5xx.
func (s *session) deliver(a smsAccount, from, text, sid string) int {
	s.t.Helper()
	errs := 0
	for try := 0; try < 20; try++ {
		res := s.c.sms(a.hook, faultAuthToken, from, a.phone, text, sid, nil)
		switch {
		case res.status == http.StatusOK:
			return errs
		case res.status >= 500:
			errs++
		default:
			s.t.Fatalf("webhook answered %d: %s", res.status, res.body)
		}
	}
	s.t.Fatalf("webhook kept failing")
	return errs
}

// conversationTexts returns, per contact phone, the texts of the account's conversations in the
// order the API lists them.
func (s *session) conversationTexts(a smsAccount) map[string][]string {
	s.t.Helper()
	out := map[string][]string{}
	path := "/v1/conversations?limit=100"
	for {
		list := s.c.conversations(path, a.admin)
		for _, cv := range list.Items {
			for _, m := range s.c.messages("/v1/conversations/"+cv.ID+"/messages?limit=100", a.admin).Items {
				out[cv.Contact.Phone] = append(out[cv.Contact.Phone], m.Text)
			}
		}
		if list.Next == nil || *list.Next == "" {
			return out
		}
		path = "/v1/conversations?limit=100&cursor=" + *list.Next
	}
}

// The scenario, with faults: while the router cannot receive (SQS 500s), three accounts
// get signed SMS from several numbers (with resent duplicates, and SQS refusing some sends, so
// the intake answers 5xx and the sender retries), a poison body lands in the middle of one
// conversation's group, and a fourth account's channel is deleted while its messages wait.
// DynamoDB then throttles and fails some of the router's calls. Every healthy message is stored
// exactly once, in order, nothing is dead-lettered, and the deleted channel's messages and the
// poison are dropped.
func TestFaultsHealthyMessagesStoredOnce(t *testing.T) {
	t.Parallel()
	s := startFaultSession(t, nil)
	healthy := []smsAccount{s.smsAccount("alpha", 1), s.smsAccount("beta", 2), s.smsAccount("gamma", 3)}
	doomed := s.smsAccount("delta", 4)

	holdRouter := s.sqs.Add(faultinject.Rule{Op: "ReceiveMessage", Fault: faultinject.Hold})
	// SQS refuses the inbound queue's sends for a while: three in a row outlast the SDK's
	// retries, so one webhook post fails with a 5xx and the sender posts again.
	s.sqs.Add(faultinject.Rule{Op: "SendMessage", Contains: "InboundQueue", Skip: 4, Times: 3, Fault: faultinject.SQSServerError})
	const contacts, perContact = 2, 3
	expected := map[string]map[string][]string{}
	fivexx := 0
	for i, a := range healthy {
		expected[a.id] = map[string][]string{}
		for k := 0; k < perContact; k++ {
			for c := 0; c < contacts; c++ {
				from := fmt.Sprintf("+1415555%02d%02d", i, c)
				text := fmt.Sprintf("%s contact %d message %d", a.id, c, k)
				sid := fmt.Sprintf("SM%030d", i*1000+c*100+k)
				fivexx += s.deliver(a, from, text, sid)
				if k%2 == 1 {
					// Twilio resends it: still one stored message.
					fivexx += s.deliver(a, from, text, sid)
				}
				expected[a.id][from] = append(expected[a.id][from], text)
			}
		}
		if i == 0 {
			// A poison body in the group of the first contact's conversation, between its messages.
			group := inbox.Envelope{AccountID: a.id, ChannelID: a.channelID, From: inbox.Sender{Phone: "+14155550000"}}.GroupKey()
			if err := sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), s.r.QueueURL("InboundQueue")).
				Publish(s.ctx, group, "poison-"+a.id, []byte("Body=not+an+envelope")); err != nil {
				t.Fatal(err)
			}
		}
	}
	for k := 0; k < 5; k++ {
		s.deliver(doomed, "+14155559999", fmt.Sprintf("doomed %d", k), fmt.Sprintf("SM%030d", 9000+k))
	}
	if fivexx == 0 {
		t.Fatal("no webhook post was answered 5xx although SQS refused sends")
	}
	want(t, s.c.api(http.MethodDelete, "/v1/channels/"+doomed.channelID, doomed.admin, nil), http.StatusNoContent)

	// DynamoDB throttles the router's writes and fails some reads; three in a row outlast the
	// SDK's retries, so some messages go back to the queue.
	s.ddb.Add(faultinject.Rule{Op: "TransactWriteItems", Skip: 2, Times: 3, Fault: faultinject.DynamoDBThrottle})
	s.ddb.Add(faultinject.Rule{Op: "PutItem", Skip: 5, Times: 3, Fault: faultinject.DynamoDBThrottle})
	s.ddb.Add(faultinject.Rule{Op: "GetItem", Skip: 10, Times: 4, Fault: faultinject.DynamoDBServerError})
	s.ddb.Add(faultinject.Rule{Op: "Query", Skip: 3, Times: 3, Fault: faultinject.DynamoDBServerError})
	holdRouter()
	s.idle()

	if s.ddb.Injected() == 0 || s.sqs.Injected() == 0 {
		t.Fatalf("faults injected: DynamoDB %d, SQS %d", s.ddb.Injected(), s.sqs.Injected())
	}
	for _, a := range healthy {
		got := s.conversationTexts(a)
		for from, texts := range expected[a.id] {
			if fmt.Sprint(got[from]) != fmt.Sprint(texts) {
				t.Errorf("%s from %s: stored %q, want %q", a.id, from, got[from], texts)
			}
		}
		if len(got) != len(expected[a.id]) {
			t.Errorf("%s: %d conversations, want %d", a.id, len(got), len(expected[a.id]))
		}
	}
	s.noDeadLetters()
}

// A reply is sent exactly once although DynamoDB throttles reads and Twilio's API answers 500
// and then drops the connection; a Messenger image is copied once although
// its URL answers 500 and then drops the connection.
func TestFaultsDispatchAndMedia(t *testing.T) {
	t.Parallel()
	provider, err := faultinject.Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer provider.Close()
	s := startFaultSession(t, func(o *localrun.Options) { o.TwilioAPIBase = provider.URL + "/_local/twilio" })
	if err := provider.SetTarget(s.r.URL); err != nil {
		t.Fatal(err)
	}
	a := s.smsAccount("replies", 5)
	s.deliver(a, "+14155550100", "Can you call me back?", "SM00000000000000000000000000000100")
	s.idle()
	convs := s.c.conversations("/v1/conversations", a.admin)
	if len(convs.Items) != 1 {
		t.Fatalf("conversations = %+v", convs)
	}
	conv := convs.Items[0].ID

	s.ddb.Add(faultinject.Rule{Op: "GetItem", Times: 2, Fault: faultinject.DynamoDBThrottle})
	provider.Add(faultinject.Rule{Op: "/Messages.json", Times: 1, Fault: faultinject.ServerError})
	provider.Add(faultinject.Rule{Op: "/Messages.json", Times: 1, Fault: faultinject.Drop})
	res := s.c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", a.admin, map[string]string{"text": "Sure, at 3pm."})
	if res.status != http.StatusAccepted {
		// The API's own read may have met the throttle: the client tries again, as a person would.
		res = s.c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", a.admin, map[string]string{"text": "Sure, at 3pm."})
	}
	want(t, res, http.StatusAccepted)
	s.idle()
	sent := 0
	for _, e := range s.r.Outbox.Entries() {
		if e.To == "+14155550100" && e.Body == "Sure, at 3pm." {
			sent++
		}
	}
	if sent != 1 || provider.Injected() != 2 {
		t.Fatalf("reply sent %d times after %d provider faults; want once after 2", sent, provider.Injected())
	}
	msgs := s.c.messages("/v1/conversations/"+conv+"/messages", a.admin).Items
	if last := msgs[len(msgs)-1]; last.Direction != "out" || last.Status != "sent" {
		t.Fatalf("reply = %+v", last)
	}

	// Media: a Messenger image whose URL fails with 500, then drops the connection (the media
	// function tries MEDIA_ATTEMPTS times).
	stamp := fmt.Sprint(time.Now().UnixNano())
	pageID := stamp[len(stamp)-15:]
	const appSecret = "app-secret-0123456789"
	var ib inbox.Inbox
	s.c.api(http.MethodPost, "/v1/inboxes", a.admin, map[string]string{"name": "Social"}).json(t, &ib)
	res = s.c.api(http.MethodPost, "/v1/channels", a.admin, map[string]any{"type": "messenger", "inboxId": ib.ID,
		"messenger": map[string]string{"pageId": pageID, "pageAccessToken": "EAAGpagetoken", "appSecret": appSecret}})
	want(t, res, http.StatusCreated)
	var ms struct {
		WebhookURL string `json:"webhookUrl"`
	}
	res.json(t, &ms)
	provider.Add(faultinject.Rule{Op: "/cdn/", Times: 1, Fault: faultinject.ServerError})
	provider.Add(faultinject.Rule{Op: "/cdn/", Times: 1, Fault: faultinject.Drop})
	now := time.Now()
	body := fmt.Sprintf(`{"object":"page","entry":[{"id":%q,"time":%d,"messaging":[{"sender":{"id":"2401234"},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":"m_img-%s","attachments":[{"type":"image","payload":{"url":%q}}]}}]}]}`,
		pageID, now.UnixMilli(), pageID, now.UnixMilli(), stamp, provider.URL+"/_local/graph/cdn/image.png")
	want(t, s.c.metaPost(ms.WebhookURL, appSecret, []byte(body)), http.StatusOK)
	s.idle()
	mconvs := s.c.conversations("/v1/conversations?inboxId="+ib.ID, a.admin)
	if len(mconvs.Items) != 1 {
		t.Fatalf("conversations = %+v", mconvs)
	}
	img := s.c.metaMessages(mconvs.Items[0].ID, a.admin)
	if len(img) != 1 || len(img[0].Attachments) != 1 || img[0].Attachments[0].MediaStatus != inbox.MediaStored {
		t.Fatalf("image message = %+v", img)
	}
	if provider.Injected() != 4 {
		t.Fatalf("provider faults = %d, want 4", provider.Injected())
	}
	s.noDeadLetters()
}

// The intake answers 5xx when SQS does not take the message (so the platform retries), and
// the retry is stored once.
func TestFaultsIntakeAnswers5xxWhenItCannotQueue(t *testing.T) {
	t.Parallel()
	s := startFaultSession(t, nil)
	a := s.smsAccount("intake", 6)
	remove := s.sqs.Add(faultinject.Rule{Op: "SendMessage", Contains: "InboundQueue", Fault: faultinject.SQSServerError})
	res := s.c.sms(a.hook, faultAuthToken, "+14155550111", a.phone, "Anyone there?", "SM00000000000000000000000000000111", nil)
	if res.status < 500 {
		t.Fatalf("webhook answered %d while SQS refused the message; want 5xx", res.status)
	}
	remove()
	// DynamoDB throttles the intake's channel read once: absorbed by the SDK's retries.
	s.ddb.Add(faultinject.Rule{Op: "GetItem", Times: 1, Fault: faultinject.DynamoDBThrottle})
	want(t, s.c.sms(a.hook, faultAuthToken, "+14155550111", a.phone, "Anyone there?", "SM00000000000000000000000000000111", nil), http.StatusOK)
	s.idle()
	got := s.conversationTexts(a)
	if fmt.Sprint(got["+14155550111"]) != "[Anyone there?]" {
		t.Fatalf("stored %q", got)
	}

	// The Meta intakes too: a Messenger post SQS does not take is a 5xx (Meta retries it).
	stamp := fmt.Sprint(time.Now().UnixNano())
	pageID := stamp[len(stamp)-15:]
	const appSecret = "app-secret-0123456789"
	var ib inbox.Inbox
	s.c.api(http.MethodPost, "/v1/inboxes", a.admin, map[string]string{"name": "Social"}).json(t, &ib)
	res = s.c.api(http.MethodPost, "/v1/channels", a.admin, map[string]any{"type": "messenger", "inboxId": ib.ID,
		"messenger": map[string]string{"pageId": pageID, "pageAccessToken": "EAAGpagetoken", "appSecret": appSecret}})
	want(t, res, http.StatusCreated)
	var ms struct {
		WebhookURL string `json:"webhookUrl"`
	}
	res.json(t, &ms)
	body := localrun.MessengerTextBody(pageID, "2401235", "m_fault-"+stamp, "Still there?", time.Now())
	remove = s.sqs.Add(faultinject.Rule{Op: "SendMessage", Contains: "InboundQueue", Fault: faultinject.SQSServerError})
	if res := s.c.metaPost(ms.WebhookURL, appSecret, body); res.status < 500 {
		t.Fatalf("messenger webhook answered %d while SQS refused the message; want 5xx", res.status)
	}
	remove()
	want(t, s.c.metaPost(ms.WebhookURL, appSecret, body), http.StatusOK)
	s.idle()
	mconvs := s.c.conversations("/v1/conversations?inboxId="+ib.ID, a.admin)
	if len(mconvs.Items) != 1 {
		t.Fatalf("conversations = %+v", mconvs)
	}
	if msgs := s.c.metaMessages(mconvs.Items[0].ID, a.admin); len(msgs) != 1 || msgs[0].Text != "Still there?" {
		t.Fatalf("messenger messages = %+v", msgs)
	}

	// WhatsApp: the same, with a signed Cloud API post.
	phoneID := stamp[len(stamp)-15:] + "1"
	var wib inbox.Inbox
	s.c.api(http.MethodPost, "/v1/inboxes", a.admin, map[string]string{"name": "WhatsApp"}).json(t, &wib)
	res = s.c.api(http.MethodPost, "/v1/channels", a.admin, map[string]any{"type": "whatsapp", "inboxId": wib.ID, "whatsapp": map[string]string{
		"wabaId": "102290129340398", "phoneNumberId": phoneID, "displayNumber": "+15550783881", "accessToken": "EAAGwatoken", "appSecret": appSecret, "verifyToken": "vt"}})
	want(t, res, http.StatusCreated)
	var wa struct {
		WebhookURL string `json:"webhookUrl"`
	}
	res.json(t, &wa)
	waBody := []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":%q},"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.fault-%s","timestamp":"%d","type":"text","text":{"body":"Hello?"}}]}}]}]}`,
		phoneID, stamp, time.Now().Unix()))
	remove = s.sqs.Add(faultinject.Rule{Op: "SendMessage", Contains: "InboundQueue", Fault: faultinject.SQSServerError})
	if res := s.c.metaPost(wa.WebhookURL, appSecret, waBody); res.status < 500 {
		t.Fatalf("whatsapp webhook answered %d while SQS refused the message; want 5xx", res.status)
	}
	remove()
	want(t, s.c.metaPost(wa.WebhookURL, appSecret, waBody), http.StatusOK)
	s.idle()
	wconvs := s.c.conversations("/v1/conversations?inboxId="+wib.ID, a.admin)
	if len(wconvs.Items) != 1 {
		t.Fatalf("whatsapp conversations = %+v", wconvs)
	}
	if msgs := s.c.metaMessages(wconvs.Items[0].ID, a.admin); len(msgs) != 1 || msgs[0].Text != "Hello?" {
		t.Fatalf("whatsapp messages = %+v", msgs)
	}

	// Email: the email function fails while SQS refuses, so SES would invoke it again (the
	// local drop answers 503); the retry is stored once.
	var eib inbox.Inbox
	s.c.api(http.MethodPost, "/v1/inboxes", a.admin, map[string]string{"name": "Email"}).json(t, &eib)
	team := "fault-" + stamp + "@acme.example"
	want(t, s.c.api(http.MethodPost, "/v1/channels", a.admin, map[string]any{"type": "email", "inboxId": eib.ID, "email": map[string]any{"address": team}}), http.StatusCreated)
	raw := []byte(fmt.Sprintf("From: Zoe <zoe-%s@customer.example>\r\nTo: %s\r\nSubject: Invoice\r\nMessage-ID: <fault-%s@customer.example>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\nWhere is my invoice?\r\n", stamp, team, stamp))
	remove = s.sqs.Add(faultinject.Rule{Op: "SendMessage", Contains: "InboundQueue", Fault: faultinject.SQSServerError})
	if res := s.c.do(http.MethodPost, "/_local/email", "", "message/rfc822", raw, nil); res.status < 500 {
		t.Fatalf("email drop answered %d while SQS refused the message; want 5xx (SES retries the function)", res.status)
	}
	remove()
	want(t, s.c.do(http.MethodPost, "/_local/email", "", "message/rfc822", raw, nil), http.StatusOK)
	s.idle()
	econvs := s.c.conversations("/v1/conversations?inboxId="+eib.ID, a.admin)
	if len(econvs.Items) != 1 {
		t.Fatalf("email conversations = %+v", econvs)
	}
	if msgs := s.c.emailMessages(econvs.Items[0].ID, a.admin); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Where is my invoice?") {
		t.Fatalf("email messages = %+v", msgs)
	}
}
