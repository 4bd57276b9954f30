package localrun_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/meta"
)

// metaPost posts body to hook signed with appSecret as Meta does.
func (c *client) metaPost(hook, appSecret string, body []byte) response {
	c.t.Helper()
	return c.do(http.MethodPost, hook, "", "application/json", body, map[string]string{meta.SignatureHeader: meta.Sign(appSecret, body)})
}

type metaMessage struct {
	ID          string             `json:"id"`
	Direction   string             `json:"direction"`
	Text        string             `json:"text"`
	Status      string             `json:"status"`
	Payload     string             `json:"payload"`
	Attachments []inbox.Attachment `json:"attachments"`
	Error       *struct {
		Code string `json:"code"`
	} `json:"error"`
}

func (c *client) metaMessages(conv, token string) []metaMessage {
	return listOf[metaMessage](c, "/v1/conversations/"+conv+"/messages", token)
}

// Messenger and WhatsApp through the runner's HTTP surface: connect, verify, signed intake of
// every kind of post, media copied to the bucket, replies inside and outside Meta's windows with
// the exact Graph payloads in the outbox, status webhooks, and the bad inputs of the issue.
func TestMetaEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, func(o *localrun.Options) { o.SESEndpoint, o.SendAttempts = "", 2 })
	ctx, r, c, idle := e.ctx, e.r, e.c, e.idle
	mint := func(account, user, role string) string { return e.token(account, user, role) }
	stamp := fmt.Sprint(time.Now().UnixNano())
	acct, other := "meta-"+stamp, "rival-"+stamp
	admin, rival := mint(acct, "ada", "admin"), mint(other, "eve", "admin")

	var ib inbox.Inbox
	res := c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Social"})
	want(t, res, http.StatusCreated)
	res.json(t, &ib)
	var rivalInbox inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", rival, map[string]string{"name": "Rival"}).json(t, &rivalInbox)

	// 1. Connect a page and a number; secrets never come back; the same page twice is a 409.
	pageID := stamp[len(stamp)-15:]
	phoneID := "9" + stamp[len(stamp)-14:]
	const appSecret, pageToken, waToken = "app-secret-0123456789", "EAAGpagetoken", "EAAGwatoken"
	msIn := map[string]any{"type": "messenger", "inboxId": ib.ID, "messenger": map[string]string{"pageId": pageID, "pageAccessToken": pageToken, "appSecret": appSecret}}
	res = c.api(http.MethodPost, "/v1/channels", admin, msIn)
	want(t, res, http.StatusCreated)
	for _, s := range []string{appSecret, pageToken} {
		if strings.Contains(string(res.body), s) {
			t.Fatalf("a secret is returned: %s", res.body)
		}
	}
	var ms struct {
		ID         string                `json:"id"`
		WebhookURL string                `json:"webhookUrl"`
		Messenger  inbox.MessengerConfig `json:"messenger"`
	}
	res.json(t, &ms)
	if ms.WebhookURL != r.URL+"/webhooks/messenger/"+ms.ID || ms.Messenger.VerifyToken == "" {
		t.Fatalf("messenger channel = %+v", ms)
	}
	want(t, c.api(http.MethodPost, "/v1/channels", admin, msIn), http.StatusConflict)
	waIn := map[string]any{"type": "whatsapp", "inboxId": ib.ID, "whatsapp": map[string]string{"wabaId": "102290129340398", "phoneNumberId": phoneID,
		"displayNumber": "+15550783881", "accessToken": waToken, "appSecret": appSecret, "verifyToken": "my-verify-token"}}
	res = c.api(http.MethodPost, "/v1/channels", admin, waIn)
	want(t, res, http.StatusCreated)
	var wa struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhookUrl"`
	}
	res.json(t, &wa)
	want(t, c.api(http.MethodPost, "/v1/channels", admin, waIn), http.StatusConflict)

	// 2. Meta's verification handshake.
	res = c.do(http.MethodGet, wa.WebhookURL+"?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444", "", "", nil, nil)
	want(t, res, http.StatusOK)
	if string(res.body) != "1158201444" {
		t.Fatalf("challenge = %q", res.body)
	}
	want(t, c.do(http.MethodGet, wa.WebhookURL+"?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1", "", "", nil, nil), http.StatusForbidden)
	want(t, c.do(http.MethodGet, ms.WebhookURL+"?hub.mode=subscribe&hub.verify_token="+ms.Messenger.VerifyToken+"&hub.challenge=42", "", "", nil, nil), http.StatusOK)

	// 3. Receive on Messenger: text (five deliveries of one mid), an image, a postback, an echo.
	const psid = "24012345678901234"
	now := time.Now()
	text := localrun.MessengerTextBody(pageID, psid, "m_text-"+stamp, "Hi, is the blue one in stock?", now.Add(-3*time.Hour))
	for i := 0; i < 5; i++ {
		want(t, c.metaPost(ms.WebhookURL, appSecret, text), http.StatusOK)
	}
	batch := fmt.Sprintf(`{"object":"page","entry":[{"id":%q,"time":%d,"messaging":[{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":"m_img-%s","attachments":[{"type":"image","payload":{"url":%q}}]}}]},{"id":%q,"time":%d,"messaging":[{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"postback":{"mid":"m_pb-%s","title":"Talk to sales","payload":"SALES"}},{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":"m_echo-%s","is_echo":true,"app_id":1517776481860111,"text":"Sent from the page inbox"}}]}]}`,
		pageID, now.UnixMilli(), psid, pageID, now.Add(-2*time.Hour).UnixMilli(), stamp, r.URL+"/_local/graph/cdn/image.png",
		pageID, now.UnixMilli(), psid, pageID, now.Add(-time.Hour).UnixMilli(), stamp, pageID, psid, now.Add(-50*time.Minute).UnixMilli(), stamp)
	want(t, c.metaPost(ms.WebhookURL, appSecret, []byte(batch)), http.StatusOK)
	idle()
	convs := c.conversations("/v1/conversations?inboxId="+ib.ID, admin)
	if len(convs.Items) != 1 || convs.Items[0].Channel.Type != "messenger" {
		t.Fatalf("conversations = %+v", convs)
	}
	msConv := convs.Items[0].ID
	msgs := c.metaMessages(msConv, admin)
	if len(msgs) != 4 || msgs[0].Text != "Hi, is the blue one in stock?" || msgs[2].Payload != "SALES" || msgs[3].Direction != "out" || msgs[3].Status != "sent" {
		t.Fatalf("messenger messages = %+v", msgs)
	}
	img := msgs[1].Attachments
	if len(img) != 1 || img[0].Type != inbox.AttachImage || img[0].MediaStatus != inbox.MediaStored {
		t.Fatalf("image attachment = %+v", img)
	}
	// The agent's link is a short-lived link to our own copy.
	resp, err := http.Get(img[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(b), "\x89PNG") || strings.Contains(img[0].URL, "/_local/graph/") {
		t.Fatalf("media link %s: %d %q", img[0].URL, resp.StatusCode, b)
	}

	// 5. Reply on Messenger inside 24 h: RESPONSE; the outbox has the exact Send API payload.
	want(t, c.api(http.MethodPost, "/v1/conversations/"+msConv+"/messages", admin, map[string]string{"text": "Yes, it is!"}), http.StatusAccepted)
	idle()
	sent := lastOutbox(t, r, inbox.ChannelMessenger)
	var sendAPI map[string]any
	if err := json.Unmarshal(sent.Payload, &sendAPI); err != nil {
		t.Fatal(err)
	}
	if sendAPI["messaging_type"] != "RESPONSE" || sendAPI["recipient"].(map[string]any)["id"] != psid || sendAPI["message"].(map[string]any)["text"] != "Yes, it is!" {
		t.Fatalf("Send API payload = %s", sent.Payload)
	}
	meta0, _ := sendAPI["message"].(map[string]any)["metadata"].(string)
	if !strings.HasPrefix(meta0, inbox.EchoMarker) {
		t.Fatalf("Send API payload without our echo marker: %s", sent.Payload)
	}
	// The page echoes our own reply back: it is not stored a second time.
	before := len(c.metaMessages(msConv, admin))
	echo := fmt.Sprintf(`{"object":"page","entry":[{"id":%q,"time":%d,"messaging":[{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":%q,"is_echo":true,"metadata":%q,"text":"Yes, it is!"}}]}]}`,
		pageID, now.UnixMilli(), pageID, psid, time.Now().UnixMilli(), "m_echo2-"+stamp, meta0)
	want(t, c.metaPost(ms.WebhookURL, appSecret, []byte(echo)), http.StatusOK)
	idle()
	if after := len(c.metaMessages(msConv, admin)); after != before {
		t.Fatalf("the echo of our own reply was stored: %d → %d messages", before, after)
	}
	// Delivery and read receipts (watermarks) move the reply forward.
	for _, status := range []string{"delivered", "read"} {
		want(t, c.do(http.MethodPost, "/_local/outbox/"+sent.SID+"/status", "", "application/x-www-form-urlencoded", []byte("status="+status), nil), http.StatusOK)
		idle()
		msgs = c.metaMessages(msConv, admin)
		if last := msgs[len(msgs)-1]; last.Status != status {
			t.Fatalf("after the %s receipt: %+v", status, last)
		}
	}

	// WhatsApp: a text 2 days old and an image by media id, in one signed post.
	const waID = "16315551181"
	old := now.Add(-48 * time.Hour)
	waBody := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":%q},"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":%q}],"messages":[{"from":%q,"id":"wamid.text-%s","timestamp":"%d","type":"text","text":{"body":"Where is my order? \u00e9t\u00e9"}},{"from":%q,"id":"wamid.img-%s","timestamp":"%d","type":"image","image":{"id":"1003383421387256","mime_type":"image/jpeg","sha256":"abc","caption":"the box"}}]}}]}]}`,
		phoneID, waID, waID, stamp, old.Unix(), waID, stamp, old.Add(time.Second).Unix())
	// Meta signs the escaped bytes: the same JSON re-serialised in UTF-8 does not verify.
	unescaped := strings.ReplaceAll(waBody, `\u00e9`, "é")
	want(t, c.do(http.MethodPost, wa.WebhookURL, "", "application/json", []byte(unescaped), map[string]string{meta.SignatureHeader: meta.Sign(appSecret, []byte(waBody))}), http.StatusForbidden)
	want(t, c.metaPost(wa.WebhookURL, appSecret, []byte(waBody)), http.StatusOK)
	want(t, c.metaPost(wa.WebhookURL, appSecret, []byte(waBody)), http.StatusOK)
	idle()
	convs = c.conversations("/v1/conversations?inboxId="+ib.ID, admin)
	var waConv string
	for _, it := range convs.Items {
		if it.Channel.Type == "whatsapp" {
			waConv = it.ID
			if it.Contact.Phone != "+"+waID {
				t.Fatalf("whatsapp contact = %+v", it.Contact)
			}
		}
	}
	msgs = c.metaMessages(waConv, admin)
	if len(msgs) != 2 || msgs[0].Text != "Where is my order? été" || msgs[1].Attachments[0].MediaStatus != inbox.MediaStored {
		t.Fatalf("whatsapp messages = %+v", msgs)
	}

	// Outside the 24-hour window WhatsApp needs a template.
	res = c.api(http.MethodPost, "/v1/conversations/"+waConv+"/messages", admin, map[string]string{"text": "Hello again"})
	want(t, res, http.StatusBadRequest)
	if !strings.Contains(string(res.body), "template") {
		t.Fatalf("refusal does not say a template is needed: %s", res.body)
	}
	want(t, c.api(http.MethodPost, "/v1/conversations/"+waConv+"/messages", admin, map[string]any{
		"template": map[string]any{"name": "order_update", "language": "en_US", "parameters": []string{"Kerry", "#1234"}}}), http.StatusAccepted)
	idle()
	sent = lastOutbox(t, r, inbox.ChannelWhatsApp)
	var waAPI struct {
		MessagingProduct string `json:"messaging_product"`
		To               string `json:"to"`
		Type             string `json:"type"`
		Template         struct {
			Name     string `json:"name"`
			Language struct {
				Code string `json:"code"`
			} `json:"language"`
			Components []struct {
				Type       string `json:"type"`
				Parameters []struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"parameters"`
			} `json:"components"`
		} `json:"template"`
	}
	if err := json.Unmarshal(sent.Payload, &waAPI); err != nil {
		t.Fatal(err)
	}
	if waAPI.MessagingProduct != "whatsapp" || waAPI.To != waID || waAPI.Type != "template" || waAPI.Template.Name != "order_update" ||
		waAPI.Template.Language.Code != "en_US" || len(waAPI.Template.Components) != 1 || waAPI.Template.Components[0].Parameters[1].Text != "#1234" {
		t.Fatalf("WhatsApp payload = %s", sent.Payload)
	}
	want(t, c.do(http.MethodPost, "/_local/outbox/"+sent.SID+"/status", "", "application/x-www-form-urlencoded", []byte("status=delivered"), nil), http.StatusOK)
	idle()
	if last := c.metaMessages(waConv, admin); last[len(last)-1].Status != "delivered" {
		t.Fatalf("after the WhatsApp status: %+v", last[len(last)-1])
	}
	want(t, c.do(http.MethodPost, "/_local/outbox/"+sent.SID+"/status", "", "application/x-www-form-urlencoded", []byte("status=failed"), nil), http.StatusOK)
	idle()
	if last := c.metaMessages(waConv, admin); last[len(last)-1].Status != "failed" || last[len(last)-1].Error == nil || last[len(last)-1].Error.Code != "131026" {
		t.Fatalf("after the failed status: %+v", last[len(last)-1])
	}

	// Bad input: wrong signature, malformed JSON, an event for another account's page.
	want(t, c.do(http.MethodPost, ms.WebhookURL, "", "application/json", text, map[string]string{meta.SignatureHeader: meta.Sign("wrong", text)}), http.StatusForbidden)
	want(t, c.do(http.MethodPost, ms.WebhookURL, "", "application/json", text, nil), http.StatusForbidden)
	want(t, c.metaPost(ms.WebhookURL, appSecret, []byte(`{"object":"page","entry":[`)), http.StatusBadRequest)
	rivalPage := "8" + stamp[len(stamp)-14:]
	want(t, c.api(http.MethodPost, "/v1/channels", rival, map[string]any{"type": "messenger", "inboxId": rivalInbox.ID,
		"messenger": map[string]string{"pageId": rivalPage, "pageAccessToken": "x", "appSecret": appSecret}}), http.StatusCreated)
	want(t, c.metaPost(ms.WebhookURL, appSecret, localrun.MessengerTextBody(rivalPage, psid, "m_rival-"+stamp, "intrusion", now)), http.StatusOK)
	idle()
	if n := len(c.conversations("/v1/conversations", rival).Items); n != 0 {
		t.Fatalf("an event posted to account A's URL reached account B: %d conversations", n)
	}
	if n := len(c.metaMessages(msConv, admin)); n != 5 {
		t.Fatalf("messenger messages after bad input = %d", n)
	}

	// Edit and disconnect.
	res = c.api(http.MethodPatch, "/v1/channels/"+ms.ID, admin, map[string]any{"name": "Shop page", "messenger": map[string]string{"pageAccessToken": "EAAGnewtoken"}})
	want(t, res, http.StatusOK)
	want(t, c.api(http.MethodPatch, "/v1/channels/"+ms.ID, admin, map[string]any{"messenger": map[string]string{"pageId": "123"}}), http.StatusBadRequest)
	want(t, c.api(http.MethodPatch, "/v1/channels/"+ms.ID, admin, map[string]any{"twilio": map[string]string{"authToken": "x"}}), http.StatusBadRequest)
	want(t, c.api(http.MethodPatch, "/v1/channels/"+wa.ID, admin, map[string]any{"whatsapp": map[string]string{"wabaId": "1"}}), http.StatusBadRequest)
	want(t, c.api(http.MethodDelete, "/v1/channels/"+wa.ID, rival, nil), http.StatusNotFound)
	want(t, c.api(http.MethodDelete, "/v1/channels/"+wa.ID, admin, nil), http.StatusNoContent)
	want(t, c.api(http.MethodGet, "/v1/channels/"+wa.ID, admin, nil), http.StatusNotFound)
	want(t, c.metaPost(wa.WebhookURL, appSecret, []byte(waBody)), http.StatusNotFound)
	for _, dlq := range []string{"InboundDLQ", "OutboundDLQ", "MediaDLQ"} {
		if n, err := r.DLQDepth(ctx, dlq); err != nil || n != 0 {
			t.Fatalf("%s holds %d messages (%v)", dlq, n, err)
		}
	}
}

func lastOutbox(t *testing.T, r *localrun.Runner, ch inbox.ChannelType) localrun.OutboxEntry {
	t.Helper()
	var last *localrun.OutboxEntry
	for _, e := range r.Outbox.Entries() {
		if e.Channel == ch {
			e := e
			last = &e
		}
	}
	if last == nil {
		t.Fatalf("nothing sent on %s: %+v", ch, r.Outbox.Entries())
	}
	return *last
}
