package localrun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/samtemplate"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/twilio"
)

// client drives the runner's HTTP surface and checks every API exchange against openapi.yaml.
type client struct {
	t    testing.TB
	base string
	spec *apispec.Spec
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (c *client) do(method, path, token, contentType string, body []byte, header map[string]string) response {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = c.base + path
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.HasPrefix(req.URL.Path, "/v1/") || strings.HasPrefix(req.URL.Path, "/webhooks/") || strings.HasPrefix(req.URL.Path, "/chat/") {
		check, _ := http.NewRequest(method, u, bytes.NewReader(body))
		check.Header = req.Header.Clone()
		c.spec.Check(c.t, check, body, resp, b)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (c *client) api(method, path, token string, body any) response {
	c.t.Helper()
	var b []byte
	ct := ""
	if body != nil {
		b, _ = json.Marshal(body)
		ct = "application/json"
	}
	return c.do(method, path, token, ct, b, nil)
}

// sms posts a Twilio incoming-message webhook signed with authToken.
func (c *client) sms(hook, authToken, from, to, text, sid string, extra url.Values) response {
	c.t.Helper()
	form := localrun.TwilioSMSForm("AC00000000000000000000000000000002", from, to, text, sid)
	for k, v := range extra {
		form[k] = v
	}
	return c.do(http.MethodPost, hook, "", "application/x-www-form-urlencoded", []byte(form.Encode()),
		map[string]string{"X-Twilio-Signature": twilio.Signature(authToken, hook, form)})
}

// get reads a JSON document from the API into a fresh T.
func get[T any](c *client, path, token string) (v T) {
	c.t.Helper()
	res := c.api(http.MethodGet, path, token, nil)
	want(c.t, res, http.StatusOK)
	res.json(c.t, &v)
	return v
}

// listOf reads the items of a list endpoint.
func listOf[T any](c *client, path, token string) []T {
	c.t.Helper()
	return get[struct {
		Items []T `json:"items"`
	}](c, path, token).Items
}

func (c *client) conversations(path, token string) conversationList {
	c.t.Helper()
	return get[conversationList](c, path, token)
}

func (c *client) messages(path, token string) messageList {
	c.t.Helper()
	return get[messageList](c, path, token)
}

func want(t testing.TB, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
}

type conversationList struct {
	Items []struct {
		ID       string  `json:"id"`
		InboxID  string  `json:"inboxId"`
		Status   string  `json:"status"`
		Assignee *string `json:"assignee"`
		Preview  string  `json:"preview"`
		Channel  struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"channel"`
		Contact struct {
			ID    string `json:"id"`
			Phone string `json:"phone"`
		} `json:"contact"`
	} `json:"items"`
	Next *string `json:"next"`
}

type messageList struct {
	Items []struct {
		ID          string             `json:"id"`
		Direction   string             `json:"direction"`
		Text        string             `json:"text"`
		Status      string             `json:"status"`
		Attachments []inbox.Attachment `json:"attachments"`
		Error       *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"items"`
}

// sessionTimeout bounds one end-to-end session. It is generous: it only ends a hung test, and
// two `make test` at once on two cores make a session several times slower than usual.
const sessionTimeout = 6 * time.Minute

func repoRoot(t testing.TB) string {
	t.Helper()
	p, err := samtemplate.Find()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(p)
}

// The whole backbone through the runner's HTTP surface: demo seed, tokens, admin set-up, signed
// SMS intake, routing, the inbox API, replies through the outbox, status callbacks, and the bad
// inputs of the issue. It runs on DynamoDB Local and on the embedded store of `make run`.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	spec, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range []string{"dynamodb-local", "embedded"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ddb := ""
			if backend == "dynamodb-local" {
				ddb = testenv.Endpoint(t, "DYNAMODB_ENDPOINT")
			}
			ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
			defer cancel()
			r, err := localrun.Start(ctx, localrun.Options{
				Addr: "127.0.0.1:0", DynamoDBEndpoint: ddb, SQSEndpoint: testenv.Endpoint(t, "SQS_ENDPOINT"),
				RetryAfter: time.Second, SendAttempts: 2, Root: repoRoot(t),
			})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			endToEnd(t, ctx, r, &client{t: t, base: r.URL, spec: spec})
		})
	}
}

func endToEnd(t *testing.T, ctx context.Context, r *localrun.Runner, c *client) {
	idle := func() {
		t.Helper()
		if err := r.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// 2. The demo: token, account, inbox and a connected SMS channel, as JSON.
	var demo localrun.Demo
	res := c.do(http.MethodGet, "/_local/demo", "", "", nil, nil)
	want(t, res, http.StatusOK)
	res.json(t, &demo)
	if demo.Token == "" || demo.AccountID == "" || demo.InboxID == "" || len(demo.Channels) != len(channels.All()) {
		t.Fatalf("demo = %+v", demo)
	}
	dc := demo.Channels[0]
	if dc.Type != inbox.ChannelSMS || dc.WebhookURL != r.URL+"/webhooks/twilio/"+dc.ID || dc.Secrets["twilioAuthToken"] == "" {
		t.Fatalf("demo channel = %+v", dc)
	}
	// The printed curl works as it is.
	out, err := exec.CommandContext(ctx, "sh", "-c", dc.Curl).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "<Response></Response>") {
		t.Fatalf("demo curl: %v %s", err, out)
	}
	idle()
	var convs conversationList
	c.api(http.MethodGet, "/v1/conversations", demo.Token, nil).json(t, &convs)
	if len(convs.Items) != 1 || convs.Items[0].Preview != "Hello from the demo!" {
		t.Fatalf("demo conversation = %+v", convs)
	}

	// Tokens for any account come from the token command.
	// The command is built once: three `go run`s on a loaded machine took longer than the test.
	local := filepath.Join(t.TempDir(), "local")
	build := exec.CommandContext(ctx, "go", "build", "-o", local, "./infra/local")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the token command: %v\n%s", err, out)
	}
	mint := func(account, user, role string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, local, "token", "-account", account, "-user", user, "-role", role)
		cmd.Dir = repoRoot(t)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("token command: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	acct := "acme-" + fmt.Sprint(time.Now().UnixNano())
	admin := mint(acct, "ada", "admin")
	agent := mint(acct, "bob", "agent")
	other := mint("other-"+acct, "eve", "admin")
	want(t, c.api(http.MethodGet, "/v1/conversations", "", nil), http.StatusUnauthorized)
	want(t, c.api(http.MethodGet, "/v1/conversations", "not-a-token", nil), http.StatusUnauthorized)

	// 3. Connect an SMS channel.
	var ib inbox.Inbox
	want(t, c.api(http.MethodPost, "/v1/inboxes", agent, map[string]string{"name": "Sales"}), http.StatusForbidden)
	res = c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Sales"})
	want(t, res, http.StatusCreated)
	res.json(t, &ib)
	const authToken = "0123456789abcdef0123456789abcdef"
	phone := fmt.Sprintf("+1415%07d", time.Now().UnixNano()%10000000)
	chIn := map[string]any{"type": "sms", "inboxId": ib.ID, "name": "Sales SMS",
		"twilio": map[string]string{"accountSid": "AC00000000000000000000000000000002", "authToken": authToken, "phoneNumber": phone}}
	res = c.api(http.MethodPost, "/v1/channels", admin, chIn)
	want(t, res, http.StatusCreated)
	if bytes.Contains(res.body, []byte(authToken)) {
		t.Fatal("the auth token is returned by the API")
	}
	var ch struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhookUrl"`
	}
	res.json(t, &ch)
	if ch.WebhookURL != r.URL+"/webhooks/twilio/"+ch.ID {
		t.Fatalf("webhookUrl = %q", ch.WebhookURL)
	}
	want(t, c.api(http.MethodPost, "/v1/channels", admin, chIn), http.StatusConflict)
	want(t, c.api(http.MethodGet, "/v1/channels/"+ch.ID, other, nil), http.StatusNotFound)
	res = c.api(http.MethodGet, "/v1/channels/"+ch.ID, agent, nil)
	want(t, res, http.StatusOK)
	if bytes.Contains(res.body, []byte(authToken)) {
		t.Fatal("the auth token is returned by the API")
	}

	// 4–5. Receive: signed SMS and MMS, routed into one conversation of the contact.
	const customer = "+14155550123"
	want(t, c.sms(ch.WebhookURL, authToken, customer, phone, "Do you ship to Lisbon?", "SM00000000000000000000000000000001", nil), http.StatusOK)
	mms := url.Values{"NumMedia": {"1"}, "MediaUrl0": {"https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"}, "MediaContentType0": {"image/jpeg"}}
	want(t, c.sms(ch.WebhookURL, authToken, customer, phone, "Here is the label", "MM00000000000000000000000000000002", mms), http.StatusOK)
	// Twilio retries the same message: 5 deliveries, one stored message.
	for i := 0; i < 5; i++ {
		want(t, c.sms(ch.WebhookURL, authToken, "+14155550999", phone, "Hello?", "SM00000000000000000000000000000003", nil), http.StatusOK)
	}
	idle()
	convs = c.conversations("/v1/conversations?inboxId="+ib.ID, agent)
	if len(convs.Items) != 2 {
		t.Fatalf("conversations = %+v", convs)
	}
	// Newest activity first (the store's tests check the order): both wrote within a moment.
	if convs.Items[0].Contact.Phone == customer {
		convs.Items[0], convs.Items[1] = convs.Items[1], convs.Items[0]
	}
	if convs.Items[0].Contact.Phone != "+14155550999" || convs.Items[1].Contact.Phone != customer {
		t.Fatalf("conversations = %+v", convs.Items)
	}
	conv := convs.Items[1]
	if conv.Status != "open" || conv.Assignee != nil || conv.Channel.ID != ch.ID || conv.Channel.Type != "sms" || conv.Preview != "Here is the label" {
		t.Fatalf("conversation = %+v", conv)
	}
	var msgs messageList
	msgs = c.messages("/v1/conversations/"+convs.Items[0].ID+"/messages", agent)
	if len(msgs.Items) != 1 {
		t.Fatalf("5 deliveries of one MessageSid stored %d messages", len(msgs.Items))
	}
	msgs = c.messages("/v1/conversations/"+conv.ID+"/messages", agent)
	if len(msgs.Items) != 2 || msgs.Items[0].Text != "Do you ship to Lisbon?" || msgs.Items[0].Direction != "in" ||
		len(msgs.Items[1].Attachments) != 1 || msgs.Items[1].Attachments[0].ContentType != "image/jpeg" {
		t.Fatalf("messages = %+v", msgs)
	}

	// An SQS redelivery (same envelope, past the FIFO dedup window) stores nothing twice.
	env := inbox.Envelope{V: 1, Kind: inbox.KindMessage, AccountID: acct, ChannelID: ch.ID, ChannelType: inbox.ChannelSMS,
		ProviderMessageID: "SM00000000000000000000000000000001", From: inbox.Sender{Phone: customer}, Text: "Do you ship to Lisbon?", ReceivedAt: time.Now()}
	body, _ := json.Marshal(env)
	q := testenv.SQS(t)
	for i := 0; i < 2; i++ {
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(r.QueueURL("InboundQueue")), MessageBody: aws.String(string(body)),
			MessageGroupId: aws.String(env.GroupKey()), MessageDeduplicationId: aws.String(fmt.Sprintf("redelivery-%d-%d", i, time.Now().UnixNano()))}); err != nil {
			t.Fatal(err)
		}
	}
	idle()
	msgs = c.messages("/v1/conversations/"+conv.ID+"/messages", agent)
	if len(msgs.Items) != 2 {
		t.Fatalf("a redelivered envelope was stored again: %d messages", len(msgs.Items))
	}

	// Bad input: nothing queued, clear errors.
	form := localrun.TwilioSMSForm("AC1", customer, phone, "forged", "SM00000000000000000000000000000009")
	forged := []byte(form.Encode())
	want(t, c.do(http.MethodPost, ch.WebhookURL, "", "application/x-www-form-urlencoded", forged, map[string]string{"X-Twilio-Signature": twilio.Signature("wrong", ch.WebhookURL, form)}), http.StatusForbidden)
	want(t, c.do(http.MethodPost, ch.WebhookURL, "", "application/x-www-form-urlencoded", forged, nil), http.StatusForbidden)
	want(t, c.sms(r.URL+"/webhooks/twilio/nochannel", authToken, customer, phone, "x", "SM00000000000000000000000000000010", nil), http.StatusNotFound)
	bad := []byte("Body=%zz&From=" + url.QueryEscape(customer))
	want(t, c.do(http.MethodPost, ch.WebhookURL, "", "application/x-www-form-urlencoded", bad, map[string]string{"X-Twilio-Signature": twilio.Signature(authToken, ch.WebhookURL, url.Values{})}), http.StatusBadRequest)
	huge := url.Values{"Body": {strings.Repeat("x", 70<<10)}, "From": {customer}, "MessageSid": {"SM00000000000000000000000000000011"}}
	want(t, c.do(http.MethodPost, ch.WebhookURL, "", "application/x-www-form-urlencoded", []byte(huge.Encode()), map[string]string{"X-Twilio-Signature": twilio.Signature(authToken, ch.WebhookURL, huge)}), http.StatusRequestEntityTooLarge)
	want(t, c.do(http.MethodPost, "/v1/inboxes", admin, "application/json", []byte(`{"name":`), nil), http.StatusBadRequest)
	want(t, c.do(http.MethodPost, "/v1/inboxes", admin, "application/json", []byte(`{"name":"`+strings.Repeat("x", 70<<10)+`"}`), nil), http.StatusRequestEntityTooLarge)
	idle()
	msgs = c.messages("/v1/conversations/"+conv.ID+"/messages", agent)
	if len(msgs.Items) != 2 {
		t.Fatalf("refused requests stored messages: %d", len(msgs.Items))
	}
	// Another account's ids are 404.
	want(t, c.api(http.MethodGet, "/v1/conversations/"+conv.ID, other, nil), http.StatusNotFound)
	want(t, c.api(http.MethodGet, "/v1/conversations/"+conv.ID+"/messages", other, nil), http.StatusNotFound)
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv.ID+"/messages", other, map[string]string{"text": "hi"}), http.StatusNotFound)
	want(t, c.api(http.MethodPatch, "/v1/conversations/"+conv.ID, other, map[string]string{"status": "closed"}), http.StatusNotFound)
	var none conversationList
	none = c.conversations("/v1/conversations", other)
	if len(none.Items) != 0 {
		t.Fatalf("account B sees %d conversations of account A", len(none.Items))
	}

	// 6. Work the inbox: filters and cursor pagination.
	var page conversationList
	page = c.conversations("/v1/conversations?inboxId="+ib.ID+"&status=open&assignee=none&limit=1", agent)
	if len(page.Items) != 1 || page.Next == nil {
		t.Fatalf("page 1 = %+v", page)
	}
	first := page.Items[0].ID
	page = c.conversations("/v1/conversations?inboxId="+ib.ID+"&status=open&assignee=none&limit=1&cursor="+url.QueryEscape(*page.Next), agent)
	if len(page.Items) != 1 || page.Items[0].ID == first || page.Next != nil {
		t.Fatalf("page 2 = %+v", page)
	}
	want(t, c.api(http.MethodGet, "/v1/conversations?limit=0", agent, nil), http.StatusBadRequest)
	want(t, c.api(http.MethodGet, "/v1/conversations?cursor=garbage", agent, nil), http.StatusBadRequest)

	// Reply: queued, sent through Twilio's Messages API (the outbox), then delivered.
	res = c.api(http.MethodPost, "/v1/conversations/"+conv.ID+"/messages", agent, map[string]string{"text": "Yes, in 3 days."})
	want(t, res, http.StatusAccepted)
	idle()
	var sent *localrun.OutboxEntry
	for _, e := range r.Outbox.Entries() {
		if e.To == customer && e.From == phone {
			e := e
			sent = &e
		}
	}
	if sent == nil || sent.Body != "Yes, in 3 days." || sent.AccountSID != "AC00000000000000000000000000000002" ||
		sent.StatusCallback != r.URL+"/webhooks/twilio/"+ch.ID+"/status" {
		t.Fatalf("outbox = %+v", r.Outbox.Entries())
	}
	msgs = c.messages("/v1/conversations/"+conv.ID+"/messages", agent)
	if last := msgs.Items[len(msgs.Items)-1]; last.Direction != "out" || last.Status != "sent" {
		t.Fatalf("reply = %+v", last)
	}
	want(t, c.do(http.MethodPost, "/_local/outbox/"+sent.SID+"/status", "", "application/x-www-form-urlencoded", []byte("status=delivered"), nil), http.StatusOK)
	idle()
	msgs = c.messages("/v1/conversations/"+conv.ID+"/messages", agent)
	if last := msgs.Items[len(msgs.Items)-1]; last.Status != "delivered" {
		t.Fatalf("after the status callback: %+v", last)
	}
	// A late "sent" callback does not move it back.
	want(t, c.do(http.MethodPost, "/_local/outbox/"+sent.SID+"/status", "", "application/x-www-form-urlencoded", []byte("status=sent"), nil), http.StatusOK)
	idle()
	msgs = c.messages("/v1/conversations/"+conv.ID+"/messages", agent)
	if last := msgs.Items[len(msgs.Items)-1]; last.Status != "delivered" {
		t.Fatalf("a late callback downgraded the status: %+v", last)
	}

	// A provider refusal lands on the message with Twilio's reason.
	want(t, c.sms(ch.WebhookURL, authToken, "+15005550001", phone, "call me", "SM00000000000000000000000000000012", nil), http.StatusOK)
	idle()
	convs = c.conversations("/v1/conversations?inboxId="+ib.ID, agent)
	// The newest conversation: looked up by its contact.
	bad0001 := convs.Items[0]
	for _, c := range convs.Items {
		if c.Contact.Phone == "+15005550001" {
			bad0001 = c
		}
	}
	want(t, c.api(http.MethodPost, "/v1/conversations/"+bad0001.ID+"/messages", agent, map[string]string{"text": "hi"}), http.StatusAccepted)
	idle()
	msgs = c.messages("/v1/conversations/"+bad0001.ID+"/messages", agent)
	if last := msgs.Items[len(msgs.Items)-1]; last.Status != "failed" || last.Error == nil || last.Error.Code != "21211" {
		t.Fatalf("refused reply = %+v", last)
	}
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv.ID+"/messages", agent, map[string]string{"text": " "}), http.StatusBadRequest)

	// Assign, close, reopen.
	res = c.api(http.MethodPatch, "/v1/conversations/"+conv.ID, agent, map[string]any{"assignee": "bob"})
	want(t, res, http.StatusOK)
	page = c.conversations("/v1/conversations?assignee=me", agent)
	if len(page.Items) != 1 || page.Items[0].ID != conv.ID {
		t.Fatalf("assignee=me = %+v", page)
	}
	want(t, c.api(http.MethodPatch, "/v1/conversations/"+conv.ID, agent, map[string]any{"status": "closed"}), http.StatusOK)
	page = c.conversations("/v1/conversations?status=closed&inboxId="+ib.ID, agent)
	if len(page.Items) != 1 || page.Items[0].Status != "closed" || *page.Items[0].Assignee != "bob" {
		t.Fatalf("closed = %+v", page)
	}
	// The customer writes again: the closed conversation reopens, with its assignee ("bob" is
	// no user of the account's routing, so there is nothing that could make him ineligible).
	want(t, c.sms(ch.WebhookURL, authToken, customer, phone, "One more thing", "SM00000000000000000000000000000013", nil), http.StatusOK)
	idle()
	res = c.api(http.MethodGet, "/v1/conversations/"+conv.ID, agent, nil)
	var reopened struct {
		Status   string  `json:"status"`
		Assignee *string `json:"assignee"`
		Preview  string  `json:"preview"`
	}
	res.json(t, &reopened)
	if reopened.Status != "open" || reopened.Assignee == nil || *reopened.Assignee != "bob" || reopened.Preview != "One more thing" {
		t.Fatalf("after the customer wrote again: %+v", reopened)
	}
	page = c.conversations("/v1/conversations?inboxId="+ib.ID, agent)
	for _, it := range page.Items {
		if it.Contact.Phone == customer && it.ID != conv.ID {
			t.Fatalf("a second open conversation %s for the customer", it.ID)
		}
	}
	// Closing and reopening by hand still work.
	want(t, c.api(http.MethodPatch, "/v1/conversations/"+conv.ID, agent, map[string]any{"status": "closed"}), http.StatusOK)
	want(t, c.api(http.MethodPatch, "/v1/conversations/"+conv.ID, agent, map[string]any{"status": "open", "assignee": nil}), http.StatusOK)

	// Nothing ended in a dead-letter queue.
	for _, dlq := range []string{"InboundDLQ", "OutboundDLQ"} {
		if n, err := r.DLQDepth(ctx, dlq); err != nil || n != 0 {
			t.Fatalf("%s holds %d messages (%v)", dlq, n, err)
		}
	}
}

// Every HTTP route of template.yaml reaches a function that serves it: the runner's gateway
// answers {"message":"Not Found"} only for paths no route matches, and the functions answer
// {"error":…} bodies, so a route that no handler serves shows up as the gateway's or the
// router's "no such endpoint".
func TestEveryTemplateRouteIsServed(t *testing.T) {
	t.Parallel()
	tpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := localrun.Start(ctx, localrun.Options{Addr: "127.0.0.1:0", SQSEndpoint: testenv.Endpoint(t, "SQS_ENDPOINT"), Root: repoRoot(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The api function's catch-all route serves every operation of the spec under /v1.
	var paths [][2]string
	for _, rt := range routes {
		if strings.Contains(rt.Path, "{proxy+}") {
			prefix := strings.TrimSuffix(rt.Path, "{proxy+}")
			for _, op := range spec.Operations() {
				method, p, _ := strings.Cut(op, " ")
				if strings.HasPrefix(p, prefix) {
					paths = append(paths, [2]string{method, strings.NewReplacer("{id}", "x").Replace(p)})
				}
			}
			continue
		}
		paths = append(paths, [2]string{rt.Method, strings.NewReplacer("{channelId}", r.Demo.Channels[0].ID).Replace(rt.Path)})
	}
	if len(paths) < 10 {
		t.Fatalf("only %d routes", len(paths))
	}
	for _, p := range paths {
		req, _ := http.NewRequest(p[0], r.URL+p[1], strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer "+r.Demo.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `"Not Found"`) || strings.Contains(string(b), "no such endpoint") {
			t.Errorf("%s %s is not served: %d %s", p[0], p[1], resp.StatusCode, b)
		}
	}
}
