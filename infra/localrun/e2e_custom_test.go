package localrun_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

// customPost posts a custom channel event signed with secret (unsigned when secret is empty).
func (c *client) customPost(hook, secret string, ts time.Time, body string) response {
	c.t.Helper()
	h := http.Header{}
	if secret != "" {
		if err := stdwebhook.Headers(h, []string{secret}, "msg_"+strings.ReplaceAll(ts.Format(time.RFC3339Nano), ":", ""), ts, []byte(body)); err != nil {
			c.t.Fatal(err)
		}
	}
	hdr := map[string]string{}
	for k := range h {
		hdr[k] = h.Get(k)
	}
	return c.do(http.MethodPost, hook, "", "application/json", []byte(body), hdr)
}

// TestCustomChannelEndToEnd is the custom channel of issue #13 through the runner: the demo's
// signed curl → a conversation; an agent's reply posted signed to the local receiver with its
// metadata; the receiver's "delivered" back, which a late "sent" does not undo; the same
// external id twice stored once; agents starting conversations, with a refusal and a failing
// webhook ending `failed` with the reason after the retries; a rotation whose old secret still
// verifies; and refused requests that store nothing.
func TestCustomChannelEndToEnd(t *testing.T) {
	t.Parallel()
	spec, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	r, err := localrun.Start(ctx, localrun.Options{
		Addr: "127.0.0.1:0", DynamoDBEndpoint: testenv.Endpoint(t, "DYNAMODB_ENDPOINT"), SQSEndpoint: testenv.Endpoint(t, "SQS_ENDPOINT"),
		RetryAfter: time.Second, SendAttempts: 2, Root: repoRoot(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := &client{t: t, base: r.URL, spec: spec}
	idle := func() {
		t.Helper()
		if err := r.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demoChannel(t, demo, inbox.ChannelCustom)
	secret := dc.Secrets[custom.SecretSigning]
	if dc.WebhookURL != r.URL+"/webhooks/custom/"+dc.ID || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("demo custom channel = %+v", dc)
	}
	tok := demo.Token
	if stored, err := r.Store.ChannelByID(ctx, dc.ID); err != nil || stored.Secrets[custom.SecretSigning] != secret {
		t.Fatalf("stored %v %v, demo %s", stored.Secrets, err, secret)
	}

	// 1. The printed curl (signed by openssl when it runs) → a conversation.
	out, err := exec.CommandContext(ctx, "sh", "-c", dc.Curl).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"queued"`) {
		t.Fatalf("demo curl: %v %s\n%s\n%s", err, out, dc.Curl, secret)
	}
	idle()
	convs := c.conversations("/v1/conversations", tok)
	var convID string
	for _, cv := range convs.Items {
		if cv.Channel.Type == "custom" && cv.Preview == "Hello from the custom channel!" {
			convID = cv.ID
		}
	}
	if convID == "" {
		t.Fatalf("no custom conversation in %+v", convs)
	}

	// 2. The same external id twice, with metadata: stored once.
	msg := `{"type":"message","id":"ext-2","from":{"id":"demo-user-1"},"text":"My order is 1234","metadata":{"chat":{"id":42}}}`
	for i := 0; i < 2; i++ {
		want(t, c.customPost(dc.WebhookURL, secret, time.Now(), msg), http.StatusAccepted)
	}
	idle()
	ms := c.messages("/v1/conversations/"+convID+"/messages", tok)
	if len(ms.Items) != 2 || ms.Items[1].Text != "My order is 1234" {
		t.Fatalf("messages after a duplicate = %+v", ms.Items)
	}

	// 3. A reply with metadata → posted signed to the receiver → sent with the receiver's id.
	res := c.api(http.MethodPost, "/v1/conversations/"+convID+"/messages", tok, map[string]any{"text": "Shipped today", "metadata": map[string]any{"ticket": 7}})
	want(t, res, http.StatusAccepted)
	idle()
	hooks := r.Receiver.Hooks()
	if len(hooks) != 1 || !hooks[0].Verified || hooks[0].Event.To.ID != "demo-user-1" || hooks[0].Event.Text != "Shipped today" ||
		string(hooks[0].Event.Metadata) != `{"ticket":7}` || hooks[0].Event.ConversationID != convID {
		t.Fatalf("receiver got %+v", hooks)
	}
	ext := hooks[0].ExternalID
	statusOf := func(conv, text string) (string, string) {
		t.Helper()
		for _, m := range c.messages("/v1/conversations/"+conv+"/messages", tok).Items {
			if m.Text == text {
				reason := ""
				if m.Error != nil {
					reason = m.Error.Message
				}
				return m.Status, reason
			}
		}
		t.Fatalf("no message %q", text)
		return "", ""
	}
	if st, _ := statusOf(convID, "Shipped today"); st != "sent" {
		t.Fatalf("reply status %s, want sent", st)
	}

	// 4. Statuses from the integrator move forward only.
	want(t, c.do(http.MethodPost, "/_local/custom/messages/"+ext+"/status", "", "application/x-www-form-urlencoded", []byte("status=delivered"), nil), http.StatusOK)
	idle()
	want(t, c.customPost(dc.WebhookURL, secret, time.Now(), `{"type":"status","messageId":"`+ext+`","status":"sent"}`), http.StatusAccepted)
	idle()
	if st, _ := statusOf(convID, "Shipped today"); st != "delivered" {
		t.Fatalf("after delivered then a late sent: %s", st)
	}

	// 5. Agents start conversations; a 4xx fails at once, a 5xx after the retries, with reasons.
	start := func(to, text string) string {
		t.Helper()
		res := c.api(http.MethodPost, "/v1/conversations", tok, map[string]any{"channelId": dc.ID, "to": map[string]string{"id": to, "name": "New person"}, "text": text})
		want(t, res, http.StatusCreated)
		var out struct {
			Conversation struct{ ID string } `json:"conversation"`
		}
		res.json(t, &out)
		return out.Conversation.ID
	}
	okConv := start("new-person-9", "Hi from the team")
	badConv := start("fail-422", "To nobody")
	downConv := start("fail-503", "While they are down")
	idle()
	if st, _ := statusOf(okConv, "Hi from the team"); st != "sent" {
		t.Errorf("started conversation's message: %s", st)
	}
	if st, why := statusOf(badConv, "To nobody"); st != "failed" || !strings.Contains(why, "422") {
		t.Errorf("422: %s %q", st, why)
	}
	if st, why := statusOf(downConv, "While they are down"); st != "failed" || !strings.Contains(why, "503") {
		t.Errorf("503 after retries: %s %q", st, why)
	}
	if n := len(r.Receiver.Hooks()); n != 1+1+1+2 {
		t.Errorf("receiver got %d posts, want 5 (the 503 tried twice)", n)
	}
	res = c.api(http.MethodPost, "/v1/conversations", tok, map[string]any{"channelId": "demo-sms", "to": map[string]string{"phone": "+14155550123"}, "text": "x"})
	want(t, res, http.StatusBadRequest)

	// 6. Rotation: the new secret is shown once; the old one verifies during the overlap, and
	// replies carry both signatures (the receiver checks with the new one).
	res = c.api(http.MethodPatch, "/v1/channels/"+dc.ID, tok, map[string]any{"custom": map[string]any{"rotateSecret": true}})
	want(t, res, http.StatusOK)
	var rotated struct {
		Secrets map[string]string `json:"secrets"`
	}
	res.json(t, &rotated)
	newer := rotated.Secrets[custom.SecretSigning]
	if newer == "" || newer == secret {
		t.Fatalf("rotation answered %s", res.body)
	}
	want(t, c.customPost(dc.WebhookURL, secret, time.Now(), `{"type":"message","id":"ext-3","from":{"id":"demo-user-1"},"text":"old secret"}`), http.StatusAccepted)
	want(t, c.customPost(dc.WebhookURL, newer, time.Now(), `{"type":"message","id":"ext-4","from":{"id":"demo-user-1"},"text":"new secret"}`), http.StatusAccepted)
	idle()
	want(t, c.api(http.MethodPost, "/v1/conversations/"+convID+"/messages", tok, map[string]any{"text": "after the rotation"}), http.StatusAccepted)
	idle()
	hooks = r.Receiver.Hooks()
	if last := hooks[len(hooks)-1]; !last.Verified || len(strings.Fields(last.Signature)) != 2 {
		t.Errorf("reply after rotation: verified %v, signatures %q", last.Verified, last.Signature)
	}

	// 7. Refused: nothing stored.
	before := len(c.messages("/v1/conversations/"+convID+"/messages", tok).Items)
	bad := `{"type":"message","id":"ext-5","from":{"id":"demo-user-1"},"text":"refused"}`
	for _, tc := range []struct {
		hook, secret string
		ts           time.Time
		body         string
		status       int
	}{
		{dc.WebhookURL, "", time.Now(), bad, http.StatusUnauthorized},
		{dc.WebhookURL, stdwebhook.NewSecret([]byte("another-secret-of-24-bytes!!")), time.Now(), bad, http.StatusUnauthorized},
		{dc.WebhookURL, newer, time.Now().Add(-10 * time.Minute), bad, http.StatusUnauthorized},
		{r.URL + "/webhooks/custom/nope", newer, time.Now(), bad, http.StatusNotFound},
		{dc.WebhookURL, newer, time.Now(), `{"type":"message","id":"ext-5","from":{"id":"demo-user-1"},"text":7}`, http.StatusBadRequest},
		{dc.WebhookURL, newer, time.Now(), `{"type":"message","id":"ext-5","text":"no sender"}`, http.StatusBadRequest},
		{dc.WebhookURL, newer, time.Now(), `{"type":"message","id":"ext-5","from":{"id":"demo-user-1"},"text":"` + strings.Repeat("a", 300<<10) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		res := c.customPost(tc.hook, tc.secret, tc.ts, tc.body)
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		if res.status != tc.status || json.Unmarshal(res.body, &e) != nil || e.Error.Code == "" {
			t.Errorf("refused request: %d %s, want %d with a JSON error", res.status, res.body, tc.status)
		}
	}
	// A tampered body: signed, then changed.
	h := http.Header{}
	_ = stdwebhook.Headers(h, []string{newer}, "msg_tampered", time.Now(), []byte(bad))
	want(t, c.do(http.MethodPost, dc.WebhookURL, "", "application/json", []byte(strings.Replace(bad, "refused", "tampered", 1)),
		map[string]string{"webhook-id": h.Get("webhook-id"), "webhook-timestamp": h.Get("webhook-timestamp"), "webhook-signature": h.Get("webhook-signature")}), http.StatusUnauthorized)
	idle()
	if after := len(c.messages("/v1/conversations/"+convID+"/messages", tok).Items); after != before {
		t.Errorf("refused requests stored %d messages", after-before)
	}
}
