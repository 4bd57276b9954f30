package apispec_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/chatwidget"
	"github.com/openinbox/inbox/shared/httpapi"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/intake/voice"
)

var (
	specOnce sync.Once
	spec     *apispec.Spec
	specErr  error
)

func load(t *testing.T) *apispec.Spec {
	t.Helper()
	specOnce.Do(func() { spec, specErr = apispec.Load() })
	if specErr != nil {
		t.Fatal(specErr)
	}
	return spec
}

func TestSpecLoadsAndIsValid(t *testing.T) {
	s := load(t)
	doc := s.Doc()
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if !strings.HasSuffix(s.Path(), "/openapi.yaml") {
		t.Errorf("Path() = %q", s.Path())
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			webhook := strings.HasPrefix(path, "/webhooks/")
			// Website chat's widget and visitor API are public too: visitor tokens, not JWTs.
			chat := strings.HasPrefix(path, "/chat/")
			switch {
			case (webhook || chat) && (op.Security == nil || len(*op.Security) != 0):
				t.Errorf("%s: a webhook or chat route must declare security: [] (signatures and visitor tokens replace JWTs)", name)
			case !webhook && !chat && op.Security != nil:
				t.Errorf("%s: must use the document's bearerAuth security", name)
			}
			want := []string{"403", "500"}
			if !webhook && !chat {
				want = append(want, "401")
			}
			// The calls that read no input: /v1/me, the widget's files, the chat's config, a new
			// visitor, the frame (a wrong host is 403) and a preflight.
			noInput := path == "/v1/me" || (chat && !strings.Contains(path, "{")) ||
				strings.HasSuffix(path, "/config") || strings.HasSuffix(path, "/visitors") || strings.HasSuffix(path, "/frame") || method == "OPTIONS"
			if chat && !strings.Contains(path, "{") {
				want = nil // static files
			}
			if !noInput {
				want = append(want, "400")
			}
			if op.RequestBody != nil {
				want = append(want, "413")
			}
			for _, code := range want {
				if op.Responses.Value(code) == nil {
					t.Errorf("%s: no %s response", name, code)
				}
			}
			if strings.Contains(path, "{") && op.Responses.Value("404") == nil {
				t.Errorf("%s: an id in the path but no 404 response", name)
			}
		}
	}
}

func TestLoadFileRefusesAnInvalidDescription(t *testing.T) {
	p := t.TempDir() + "/openapi.yaml"
	bad := "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n"
	if err := os.WriteFile(p, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := apispec.LoadFile(p); err == nil {
		t.Fatal("LoadFile accepted a description with a dangling $ref")
	}
}

// walk returns the "METHOD /pattern" routes a chi router serves.
func walk(t *testing.T, h http.Handler) []string {
	t.Helper()
	routes, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("%T is not a chi router", h)
	}
	var out []string
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, method+" "+strings.ReplaceAll(route, "/*/", "/"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestEveryRouteIsDescribed(t *testing.T) {
	ops := load(t).Operations()
	var v1, hooks, chats []string
	for _, op := range ops {
		switch _, path, _ := strings.Cut(op, " "); {
		case strings.HasPrefix(path, "/v1/"):
			v1 = append(v1, op)
		case strings.HasPrefix(path, "/webhooks/"):
			hooks = append(hooks, op)
		case strings.HasPrefix(path, "/chat/"):
			chats = append(chats, op)
		default:
			t.Errorf("%s: neither under /v1/, /webhooks/ nor /chat/", op)
		}
	}

	api := walk(t, httpapi.New(httpapi.Config{}))
	compare(t, "httpapi.New", api, v1)

	served := slices.Concat(
		walk(t, intake.NewTwilio(intake.Config{})),
		walk(t, intake.NewMessenger(intake.Config{})),
		walk(t, intake.NewWhatsApp(intake.Config{})),
		walk(t, intake.NewCustom(intake.Config{})),
		walk(t, intake.NewForm(intake.Config{})),
		walk(t, voice.New(intake.Config{}, nil)),
	)
	slices.Sort(served)
	compare(t, "intake.NewTwilio, NewMessenger, NewWhatsApp, NewCustom, NewForm and voice.New", served, hooks)
	declared := slices.Sorted(slices.Values(slices.Concat(intake.TwilioRoutes, intake.MessengerRoutes, intake.WhatsAppRoutes, intake.CustomRoutes, intake.FormRoutes, voice.Routes)))
	compare(t, "intake.TwilioRoutes, MessengerRoutes, WhatsAppRoutes, CustomRoutes, FormRoutes and voice.Routes", declared, hooks)

	chat := slices.Concat(walk(t, chatapi.New(chatapi.Config{})), walk(t, chatwidget.New(nil, "", "", nil)))
	slices.Sort(chat)
	compare(t, "chatapi.New and chatwidget.New", chat, chats)
	compare(t, "chatapi.Routes and chatwidget.Routes", slices.Sorted(slices.Values(slices.Concat(chatapi.Routes, chatwidget.Routes))), chats)
}

func compare(t *testing.T, server string, served, described []string) {
	t.Helper()
	if len(served) == 0 {
		t.Fatalf("%s serves no routes", server)
	}
	for _, r := range served {
		if !slices.Contains(described, r) {
			t.Errorf("%s serves %s, which openapi.yaml does not describe", server, r)
		}
	}
	for _, r := range described {
		if !slices.Contains(served, r) {
			t.Errorf("openapi.yaml describes %s, which %s does not serve", r, server)
		}
	}
}

// exchange is one request and the response it got, made by hand. Webhook requests carry the
// provider's signature header unless unsigned.
type exchange struct {
	method, target string
	contentType    string
	reqBody        string
	status         int
	respType       string
	respBody       string
	unsigned       bool
}

func (e exchange) build() (*http.Request, []byte, *http.Response, []byte) {
	req := httptest.NewRequest(e.method, e.target, strings.NewReader(e.reqBody))
	req.Header.Set("Authorization", "Bearer x.y.z")
	if e.contentType != "" {
		req.Header.Set("Content-Type", e.contentType)
	}
	if strings.HasPrefix(req.URL.Path, "/webhooks/") {
		req.Header.Del("Authorization")
		switch {
		case e.unsigned:
		case strings.HasPrefix(req.URL.Path, "/webhooks/twilio/"):
			req.Header.Set("X-Twilio-Signature", "c2lnbmF0dXJl")
		case strings.HasPrefix(req.URL.Path, "/webhooks/custom/"):
			req.Header.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
			req.Header.Set("webhook-timestamp", "1614265330")
			req.Header.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
		default:
			req.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("0f", 32))
		}
	}
	ct := e.respType
	if ct == "" {
		ct = "application/json"
	}
	resp := &http.Response{StatusCode: e.status, Header: http.Header{"Content-Type": {ct}}}
	if ct == "-" { // no body, no Content-Type
		resp.Header = http.Header{}
	}
	return req, []byte(e.reqBody), resp, []byte(e.respBody)
}

const (
	conv = `{"id":"c1","inboxId":"i1","status":"open","channel":{"id":"ch1","type":"sms"},` +
		`"contact":{"id":"k1","name":"","phone":"+14155550100","email":""},"assignee":%s,` +
		`"lastMessageAt":"2024-05-01T12:34:56.789123Z","preview":"hello","createdAt":"2024-05-01T12:00:00Z","version":3,"unread":false}`
	channel = `{"id":"ch1","inboxId":"i1","type":"sms","name":"SMS +14155550100",` +
		`"twilio":{"accountSid":"AC0123456789abcdef0123456789abcdef","phoneNumber":"+14155550100"},` +
		`"createdAt":"2024-05-01T12:00:00Z","webhookUrl":"https://api.example.com/webhooks/twilio/ch1",` +
		`"statusCallbackUrl":"https://api.example.com/webhooks/twilio/ch1/status"}`
	user = `{"id":"u2","name":"Ada","email":"ada@acme.example","role":"agent","paidSeat":true,"capacity":0,"available":true,` +
		`"timeZone":"Europe/Copenhagen","workingHours":[{"day":1,"start":"09:00","end":"24:00"}],"teamIds":["t1"],"load":0,` +
		`"lastAssignedAt":"0001-01-01T00:00:00Z","createdAt":"2024-05-01T12:00:00Z","version":1}`
	team    = `{"id":"t1","name":"Tier 1","userIds":["u2"],"createdAt":"2024-05-01T12:00:00Z"}`
	routing = `{"autoAssign":true,"target":"contact_owner","onlyAvailable":true,"fallback":"users_and_teams",` +
		`"fallbackUserIds":["u2"],"fallbackTeamIds":["t1"],"tickets":{"pipeline":"support","stage":"new","maxPerContact":5}}`
	contact = `{"id":"k1","name":"","phone":"+14155550100","email":"","ownerId":"u2","createdAt":"2024-05-01T12:00:00Z"}`
	ticket  = `{"id":"tk1","conversationId":"c1","contactId":"k1","pipeline":"support","stage":"new","ownerUserId":"",` +
		`"createdAt":"2024-05-01T12:00:00Z","updatedAt":"2024-05-01T12:00:00Z"}`
	twiml = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

	messengerChannel = `{"id":"ch2","inboxId":"i1","type":"messenger","name":"Acme on Facebook",` +
		`"messenger":{"pageId":"104857600123456","verifyToken":"0f8fad5bd9cb469fa16570867728950e"},` +
		`"createdAt":"2024-05-01T12:00:00Z","webhookUrl":"https://api.example.com/webhooks/messenger/ch2"}`
	whatsAppChannel = `{"id":"ch3","inboxId":"i1","type":"whatsapp","name":"WhatsApp +15550783881",` +
		`"whatsapp":{"wabaId":"102290129340398","phoneNumberId":"106540352242922","displayNumber":"+15550783881","verifyToken":"paste-me"},` +
		`"createdAt":"2024-05-01T12:00:00Z","webhookUrl":"https://api.example.com/webhooks/whatsapp/ch3"}`
	metaMessages = `{"items":[` +
		`{"id":"m1","direction":"in","text":"","attachments":[{"type":"image","url":"","contentType":"image/jpeg","mediaId":"1234567890","caption":"the receipt","mediaStatus":"pending"}],"createdAt":"2024-05-01T12:00:00Z","status":"received"},` +
		`{"id":"m2","direction":"in","text":"","attachments":[{"type":"file","url":"https://media-bucket.s3.amazonaws.com/a/c/m2/0?X-Amz-Signature=ab","contentType":"application/pdf","name":"invoice.pdf","mediaStatus":"stored"}],"createdAt":"2024-05-01T12:00:00Z","status":"received"},` +
		`{"id":"m3","direction":"in","text":"","attachments":[{"type":"audio","url":"","contentType":"audio/ogg","mediaId":"1","mediaStatus":"failed","mediaError":"the file is gone"}],"createdAt":"2024-05-01T12:00:00Z","status":"received"},` +
		`{"id":"m4","direction":"in","text":"","attachments":[{"type":"location","url":"","contentType":"","latitude":37.48,"longitude":-122.14,"name":"Head office","caption":"1 Hacker Way"}],"createdAt":"2024-05-01T12:00:00Z","status":"received"},` +
		`{"id":"m5","direction":"in","text":"","attachments":[{"type":"contacts","url":"","contentType":"","name":"Ann","data":"[{\"name\":{\"formatted_name\":\"Ann\"}}]"}],"createdAt":"2024-05-01T12:00:00Z","status":"received"},` +
		`{"id":"m6","direction":"in","text":"","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"received","replyTo":"wamid.1","reaction":""},` +
		`{"id":"m7","direction":"in","text":"Yes","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"received","payload":"confirm","replyTo":"wamid.2"},` +
		`{"id":"m8","direction":"out","text":"","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"read","authorId":"u1","template":{"name":"order_update","language":"en_US","parameters":["Ann"]}}]}`

	emailChannel = `{"id":"ch4","inboxId":"i1","type":"email","name":"Email support@acme.example",` +
		`"email":{"address":"support@acme.example","forwarding":false,"fromNameMode":"agent_and_company","companyName":"Acme",` +
		`"fromAddress":"support@acme.example","signatureHtml":"<p>{{agent.fullName}}</p>","forwardedToOriginalSender":true},` +
		`"createdAt":"2024-05-01T12:00:00Z"}`
	forwardingChannel = `{"id":"ch5","inboxId":"i1","type":"email","name":"Email help@elsewhere.example",` +
		`"email":{"address":"help@elsewhere.example","forwarding":true,"forwardingAddress":"inbox-0f8fad5bd9cb469f@in.example.com",` +
		`"fromNameMode":"company","companyName":"Acme","fromAddress":"help@elsewhere.example","signatureHtml":"","forwardedToOriginalSender":true},` +
		`"createdAt":"2024-05-01T12:00:00Z"}`
	customChannel = `{"id":"ch6","inboxId":"i1","type":"custom","name":"Telegram bridge","settings":{"webhookUrl":"https://bridge.example/hook",` +
		`"identifier":"id","threading":"thread","maxText":"4096","attachmentTypes":"image,file","maxAttachmentBytes":"26214400","maxAttachments":"10","agentsStart":"true"},` +
		`"createdAt":"2024-05-01T12:00:00Z","webhookUrl":"https://api.example.com/webhooks/custom/ch6","secrets":{"signingSecret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}`
	emailConv = `{"id":"c4","inboxId":"i1","status":"spam","channel":{"id":"ch4","type":"email"},` +
		`"contact":{"id":"k4","name":"Ann","phone":"","email":"ann@example.com"},"assignee":null,` +
		`"lastMessageAt":"2024-05-01T12:34:56.789123Z","preview":"Cheap watches","subject":"Cheap watches","createdAt":"2024-05-01T12:00:00Z","version":1,"unread":true}`
	emailMessages = `{"items":[` +
		`{"id":"e1","direction":"in","text":"Hello","attachments":[{"type":"image","url":"https://media-bucket.s3.amazonaws.com/email/a/e1/0?X-Amz-Signature=ab","contentType":"image/png","name":"logo.png","data":"cid:logo@acme","mediaStatus":"stored"}],` +
		`"createdAt":"2024-05-01T12:00:00Z","status":"received","subject":"Order 1234","html":"<p>Hello <img src=\"cid:logo@acme\"></p>","flags":["forwarded","auto_reply"]},` +
		`{"id":"e2","direction":"out","text":"","attachments":[],"createdAt":"2024-05-01T12:01:00Z","status":"sent","authorId":"u1","subject":"Re: Order 1234","html":"<p>Thanks!</p>"}]}`
)

func conversation(assignee string) string { return strings.Replace(conv, "%s", assignee, 1) }

var form = url.Values{
	"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "SmsSid": {"SM0123456789abcdef0123456789abcdef"},
	"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "From": {"+14155550100"}, "To": {"+14155550199"},
	"Body": {"hi"}, "NumMedia": {"1"}, "NumSegments": {"1"}, "ApiVersion": {"2010-04-01"},
	"MediaUrl0": {"https://api.twilio.com/2010-04-01/Accounts/AC…/Media/ME1"}, "MediaContentType0": {"image/jpeg"},
	"FromCountry": {"US"},
}

func formWithout(names ...string) string {
	v := url.Values{}
	for k, vs := range form {
		if !slices.Contains(names, k) {
			v[k] = vs
		}
	}
	return v.Encode()
}

func TestExamplesMatch(t *testing.T) {
	s := load(t)
	const formCT = "application/x-www-form-urlencoded"
	for name, e := range map[string]exchange{
		"me": {method: "GET", target: "http://127.0.0.1:8080/v1/me", status: 200,
			respBody: `{"accountId":"a1","userId":"u1","role":"agent"}`},
		"me without token, from the gateway": {method: "GET", target: "/v1/me", status: 401,
			respBody: `{"message":"Unauthorized"}`},
		"create inbox": {method: "POST", target: "http://localhost:3000/v1/inboxes", contentType: "application/json",
			reqBody: `{"name":"Support"}`, status: 201,
			respBody: `{"id":"i1","name":"Support","createdAt":"2024-05-01T12:00:00Z"}`},
		"inboxes": {method: "GET", target: "/v1/inboxes", status: 200,
			respBody: `{"items":[{"id":"i1","name":"Support","createdAt":"2024-05-01T12:00:00.123456789Z"}]}`},
		"agent creating an inbox": {method: "POST", target: "/v1/inboxes", contentType: "application/json",
			reqBody: `{"name":"Support"}`, status: 403,
			respBody: `{"error":{"code":"forbidden","message":"only admins can do this"}}`},
		"create channel": {method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"sms","inboxId":"i1","twilio":{"accountSid":"AC0123456789abcdef0123456789abcdef","authToken":"t","phoneNumber":"+14155550100"}}`,
			status:  201, respBody: channel},
		"channels": {method: "GET", target: "/v1/channels", status: 200, respBody: `{"items":[` + channel + `]}`},
		"unknown channel": {method: "GET", target: "/v1/channels/nope", status: 404,
			respBody: `{"error":{"code":"not_found","message":"no such channel"}}`},
		"conversations, last page": {method: "GET", target: "/v1/conversations?status=open&assignee=me&limit=10", status: 200,
			respBody: `{"items":[` + conversation(`null`) + `,` + conversation(`"u1"`) + `]}`},
		"conversations, more pages": {method: "GET", target: "/v1/conversations?inboxId=i1&assignee=none", status: 200,
			respBody: `{"items":[` + conversation(`null`) + `],"next":"eyJrIjoxfQ"}`},
		"bad status filter": {method: "GET", target: "/v1/conversations?status=pending", status: 400,
			respBody: `{"error":{"code":"invalid","message":"status must be open, closed or spam"}}`},
		"spam": {method: "GET", target: "/v1/conversations?status=spam", status: 200,
			respBody: `{"items":[` + emailConv + `]}`},
		"unassign": {method: "PATCH", target: "/v1/conversations/c1", contentType: "application/json",
			reqBody: `{"assignee":null,"status":"closed"}`, status: 200, respBody: conversation(`null`)},
		"reopen conflict": {method: "PATCH", target: "/v1/conversations/c1", contentType: "application/json",
			reqBody: `{"status":"open"}`, status: 409,
			respBody: `{"error":{"code":"conflict","message":"the contact has another open conversation"}}`},
		"messages": {method: "GET", target: "/v1/conversations/c1/messages", status: 200,
			respBody: `{"items":[` +
				`{"id":"m1","direction":"in","text":"","attachments":[{"url":"https://x/y","contentType":"image/jpeg"}],"createdAt":"2024-05-01T12:00:00Z","status":"received"},` +
				`{"id":"m2","direction":"out","text":"hi","attachments":[],"createdAt":"2024-05-01T12:01:00Z","status":"failed","authorId":"u1","error":{"code":"30003","message":"Unreachable destination handset"}}]}`},
		"reply": {method: "POST", target: "/v1/conversations/c1/messages", contentType: "application/json",
			reqBody: `{"text":"On it"}`, status: 202,
			respBody: `{"id":"20240501T120000.000000Z-abcdefgh","direction":"out","text":"On it","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"pending","authorId":"u1"}`},
		"reply not queued": {method: "POST", target: "/v1/conversations/c1/messages", contentType: "application/json",
			reqBody: `{"text":"On it"}`, status: 503,
			respBody: `{"error":{"code":"unavailable","message":"the queue did not accept the message"}}`},
		"reply too large": {method: "POST", target: "/v1/conversations/c1/messages", contentType: "application/json",
			reqBody: `{"text":"` + strings.Repeat("a", 70000) + `"}`, status: 413,
			respBody: `{"error":{"code":"too_large","message":"the request body is larger than 65536 bytes"}}`},
		"unknown property refused": {method: "POST", target: "/v1/conversations/c1/messages", contentType: "application/json",
			reqBody: `{"text":"x","markdown":"*x*"}`, status: 400,
			respBody: `{"error":{"code":"invalid","message":"the request body is not valid JSON for this endpoint"}}`},
		"html on sms refused": {method: "POST", target: "/v1/conversations/c1/messages", contentType: "application/json",
			reqBody: `{"text":"x","html":"<b>x</b>"}`, status: 400,
			respBody: `{"error":{"code":"invalid","message":"html is for email conversations"}}`},
		"create custom channel": {method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"custom","inboxId":"i1","name":"Telegram bridge","custom":{"webhookUrl":"https://bridge.example/hook","identifier":"id","threading":"thread","attachmentTypes":["image","file"],"agentsStart":true}}`,
			status:  201, respBody: customChannel},
		"rotate custom secret": {method: "PATCH", target: "/v1/channels/ch6", contentType: "application/json",
			reqBody: `{"custom":{"rotateSecret":true,"rotationOverlapSeconds":3600}}`, status: 200,
			respBody: strings.Replace(customChannel, `"agentsStart":"true"`, `"agentsStart":"true","previousSecretValidUntil":"2024-05-01T13:00:00Z"`, 1)},
		"start conversation": {method: "POST", target: "/v1/conversations", contentType: "application/json",
			reqBody: `{"channelId":"ch6","to":{"id":"u-77","name":"Zoe"},"threadId":"chat-42","text":"Your order shipped","metadata":{"chat":42}}`, status: 201,
			respBody: `{"conversation":{"id":"c6","inboxId":"i1","status":"open","channel":{"id":"ch6","type":"custom"},"contact":{"id":"k6","name":"Zoe","phone":"","email":""},` +
				`"assignee":"u1","lastMessageAt":"2024-05-01T12:00:00Z","preview":"","createdAt":"2024-05-01T12:00:00Z","version":1,"unread":false},` +
				`"message":{"id":"20240501T120000.000000Z-abcdefgh","direction":"out","text":"Your order shipped","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"pending","authorId":"u1","payload":"{\"chat\":42}"}}`},
		"custom message in": {method: "POST", target: "/webhooks/custom/ch6", contentType: "application/json",
			reqBody: `{"type":"message","id":"tg-1","threadId":"chat-42","from":{"id":"u-77","name":"Zoe"},"text":"Thanks","attachments":[{"url":"https://files.bridge.example/1.jpg","contentType":"image/jpeg","size":100}],"timestamp":"2024-05-01T12:00:00Z","metadata":{"chat":42}}`,
			status:  202, respBody: `{"status":"queued"}`},
		"custom status in": {method: "POST", target: "/webhooks/custom/ch6", contentType: "application/json",
			reqBody: `{"type":"status","messageId":"tg-2","status":"failed","error":{"code":"blocked","message":"the user blocked the bot"}}`,
			status:  202, respBody: `{"status":"queued"}`},
		"custom bad signature": {method: "POST", target: "/webhooks/custom/ch6", contentType: "application/json",
			reqBody: `{"type":"status","messageId":"tg-2","status":"read"}`, status: 401,
			respBody: `{"error":{"code":"unauthorized","message":"no webhook-signature matches the body"}}`},
		"create email channel": {method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"email","inboxId":"i1","email":{"address":"Support@Acme.example","companyName":"Acme","signatureHtml":"<p>{{agent.fullName}}</p><script>x()</script>"}}`,
			status:  201, respBody: emailChannel},
		"create forwarding channel": {method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"email","inboxId":"i1","email":{"forwarding":true,"address":"help@elsewhere.example","fromNameMode":"company","companyName":"Acme"}}`,
			status:  201, respBody: forwardingChannel},
		"forwarding without an inbound domain": {method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"email","inboxId":"i1","email":{"forwarding":true}}`, status: 400,
			respBody: `{"error":{"code":"invalid","message":"this deployment has no inbound email domain for forwarding addresses"}}`},
		"email address already connected": {method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"email","inboxId":"i1","email":{"address":"support@acme.example"}}`, status: 409,
			respBody: `{"error":{"code":"conflict","message":"this email is already connected to a channel"}}`},
		"edit email settings": {method: "PATCH", target: "/v1/channels/ch4", contentType: "application/json",
			reqBody: `{"email":{"address":"SUPPORT@acme.example","fromNameMode":"company","companyName":"Acme","signatureHtml":"","forwardedToOriginalSender":false}}`,
			status:  200, respBody: strings.Replace(emailChannel, `"forwardedToOriginalSender":true`, `"forwardedToOriginalSender":false`, 1)},
		"email channels": {method: "GET", target: "/v1/channels", status: 200,
			respBody: `{"items":[` + channel + `,` + emailChannel + `,` + forwardingChannel + `]}`},
		"email preview": {method: "GET", target: "/v1/channels/ch4/email-preview?name=Ada%20Lovelace", status: 200,
			respBody: `{"from":"\"Ada Lovelace from Acme\" <support@acme.example>","signatureHtml":"<p>Ada Lovelace</p>"}`},
		"email preview without a name": {method: "GET", target: "/v1/channels/ch5/email-preview", status: 200,
			respBody: `{"from":"<help@elsewhere.example>","signatureHtml":""}`},
		"email preview of an sms channel": {method: "GET", target: "/v1/channels/ch1/email-preview", status: 400,
			respBody: `{"error":{"code":"invalid","message":"not an email channel"}}`},
		"email messages": {method: "GET", target: "/v1/conversations/c4/messages", status: 200, respBody: emailMessages},
		"html reply": {method: "POST", target: "/v1/conversations/c4/messages", contentType: "application/json",
			reqBody: `{"html":"<p>Thanks!</p>"}`, status: 202,
			respBody: `{"id":"20240501T120000.000000Z-abcdefgh","direction":"out","text":"","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"pending","authorId":"u1","subject":"Re: Order 1234","html":"<p>Thanks!</p>"}`},
		"create messenger channel": {method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"messenger","inboxId":"i1","messenger":{"pageId":"104857600123456","pageAccessToken":"EAAG","appSecret":"s"}}`,
			status:  201, respBody: messengerChannel},
		"create whatsapp channel": {method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"whatsapp","inboxId":"i1","name":"Orders","whatsapp":{"wabaId":"102290129340398","phoneNumberId":"106540352242922",` +
				`"displayNumber":"+15550783881","accessToken":"EAAG","appSecret":"s","verifyToken":"paste-me"}}`,
			status: 201, respBody: whatsAppChannel},
		"page already connected": {method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"messenger","inboxId":"i1","messenger":{"pageId":"104857600123456","pageAccessToken":"EAAG","appSecret":"s"}}`,
			status:  409, respBody: `{"error":{"code":"conflict","message":"this page is already connected to a channel"}}`},
		"all channel types": {method: "GET", target: "/v1/channels", status: 200,
			respBody: `{"items":[` + channel + `,` + messengerChannel + `,` + whatsAppChannel + `]}`},
		"rotate a token": {method: "PATCH", target: "/v1/channels/ch3", contentType: "application/json",
			reqBody: `{"whatsapp":{"accessToken":"EAAH"}}`, status: 200, respBody: whatsAppChannel},
		"rename and move": {method: "PATCH", target: "/v1/channels/ch1", contentType: "application/json",
			reqBody: `{"type":"sms","name":"Front desk","inboxId":"i2"}`, status: 200, respBody: channel},
		"change the page refused": {method: "PATCH", target: "/v1/channels/ch2", contentType: "application/json",
			reqBody: `{"messenger":{"pageId":"1"}}`, status: 400,
			respBody: `{"error":{"code":"invalid","message":"messenger.pageId cannot change: disconnect the channel and connect the new one"}}`},
		"delete channel": {method: "DELETE", target: "/v1/channels/ch2", status: 204, respType: "-"},
		"delete another account's channel": {method: "DELETE", target: "/v1/channels/other", status: 404,
			respBody: `{"error":{"code":"not_found","message":"channel not found"}}`},
		"meta messages": {method: "GET", target: "/v1/conversations/c3/messages", status: 200, respBody: metaMessages},
		"template reply": {method: "POST", target: "/v1/conversations/c3/messages", contentType: "application/json",
			reqBody: `{"template":{"name":"order_update","language":"en_US","parameters":["Ann","#1234"]}}`, status: 202,
			respBody: `{"id":"20240501T120000.000000Z-abcdefgh","direction":"out","text":"","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"pending","authorId":"u1",` +
				`"template":{"name":"order_update","language":"en_US","parameters":["Ann","#1234"]}}`},
		"attachment reply": {method: "POST", target: "/v1/conversations/c3/messages", contentType: "application/json",
			reqBody: `{"text":"Here","attachments":[{"type":"file","url":"https://files.example.com/a.pdf","contentType":"application/pdf","name":"a.pdf"}]}`, status: 202,
			respBody: `{"id":"20240501T120000.000000Z-abcdefgh","direction":"out","text":"Here","attachments":[{"type":"file","url":"https://files.example.com/a.pdf","contentType":"application/pdf","name":"a.pdf"}],"createdAt":"2024-05-01T12:00:00Z","status":"pending","authorId":"u1"}`},
		"window closed": {method: "POST", target: "/v1/conversations/c3/messages", contentType: "application/json",
			reqBody: `{"text":"Still there?"}`, status: 400,
			respBody: `{"error":{"code":"invalid","message":"outside WhatsApp's 24-hour customer service window: send an approved template"}}`},
		"meta handshake": {method: "GET", target: "/webhooks/whatsapp/ch3?hub.mode=subscribe&hub.verify_token=paste-me&hub.challenge=1158201444",
			unsigned: true, status: 200, respType: "text/plain", respBody: "1158201444"},
		"meta handshake refused": {method: "GET", target: "/webhooks/messenger/ch2?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
			unsigned: true, status: 403, respBody: `{"error":{"code":"forbidden","message":"webhook verification refused"}}`},
		"messenger events": {method: "POST", target: "/webhooks/messenger/ch2", contentType: "application/json",
			reqBody: `{"object":"page","entry":[{"id":"1","time":1714564800000,"messaging":[{"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":"1714564800000","message":{"mid":"m_1","text":"hi"}}]}]}`,
			status:  200, respType: "text/plain", respBody: "EVENT_RECEIVED"},
		"whatsapp events": {method: "POST", target: "/webhooks/whatsapp/ch3", contentType: "application/json",
			reqBody: `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"2"},"statuses":[{"id":"wamid.1","status":"read","timestamp":"1714564800","recipient_id":"16505551234"}]}}]}]}`,
			status:  200, respType: "text/plain", respBody: "EVENT_RECEIVED"},
		"meta events, bad signature": {method: "POST", target: "/webhooks/whatsapp/ch3", contentType: "application/json",
			reqBody: `{"object":"whatsapp_business_account","entry":[]}`, status: 403,
			respBody: `{"error":{"code":"forbidden","message":"invalid X-Hub-Signature-256"}}`},
		"meta events, too large": {method: "POST", target: "/webhooks/messenger/ch2", contentType: "application/json",
			reqBody: `{"object":"page","entry":[]}`, status: 413,
			respBody: `{"error":{"code":"too_large","message":"the body is larger than 1048576 bytes"}}`},
		"incoming sms": {method: "POST", target: "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/twilio/ch1",
			contentType: formCT, reqBody: form.Encode(), status: 200, respType: "text/xml", respBody: twiml},
		"incoming sms, JSON body": {method: "POST", target: "/webhooks/twilio/ch1?bodySHA256=ab", contentType: "application/json",
			reqBody: `{"MessageSid":"SM1","From":"+14155550100","To":"+14155550199","Body":"hi"}`,
			status:  200, respType: "text/xml", respBody: twiml},
		"incoming sms without From refused": {method: "POST", target: "/webhooks/twilio/ch1", contentType: formCT,
			reqBody: formWithout("From"), status: 400,
			respBody: `{"error":{"code":"invalid","message":"Twilio message without From"}}`},
		"bad signature": {method: "POST", target: "/webhooks/twilio/ch1", contentType: formCT,
			reqBody: form.Encode(), status: 403,
			respBody: `{"error":{"code":"forbidden","message":"invalid Twilio signature"}}`},
		"status callback": {method: "POST", target: "/webhooks/twilio/ch1/status", contentType: formCT,
			reqBody: "MessageSid=SM1&MessageStatus=undelivered&ErrorCode=30003&AccountSid=AC1&From=%2B14155550199&To=%2B14155550100&ApiVersion=2010-04-01",
			status:  200, respType: "text/xml", respBody: twiml},
		"status callback, deprecated names": {method: "POST", target: "/webhooks/twilio/ch1/status", contentType: formCT,
			reqBody: "SmsSid=SM1&SmsStatus=delivered", status: 200, respType: "text/xml", respBody: twiml},
		"create user": {method: "POST", target: "/v1/users", contentType: "application/json",
			reqBody: `{"id":"u2","name":"Ada","email":"ada@acme.example","role":"agent","paidSeat":true,"capacity":0,` +
				`"timeZone":"Europe/Copenhagen","workingHours":[{"day":1,"start":"09:00","end":"24:00"}],"teamIds":["t1"]}`,
			status: 201, respBody: user},
		"users": {method: "GET", target: "/v1/users", status: 200,
			respBody: `{"items":[` + user + `,` + strings.Replace(user, `"capacity":0`, `"capacity":null`, 1) + `]}`},
		"user id taken": {method: "POST", target: "/v1/users", contentType: "application/json",
			reqBody: `{"id":"u2","name":"Ada"}`, status: 409,
			respBody: `{"error":{"code":"conflict","message":"a user with this id already exists"}}`},
		"me as a user": {method: "GET", target: "/v1/users/me", status: 200, respBody: user},
		"go away": {method: "PATCH", target: "/v1/users/me", contentType: "application/json",
			reqBody: `{"available":false,"unlimited":true}`, status: 200, respBody: user},
		"users not configured": {method: "GET", target: "/v1/users", status: 503,
			respBody: `{"error":{"code":"unavailable","message":"users and routing are not configured"}}`},
		"create team": {method: "POST", target: "/v1/teams", contentType: "application/json",
			reqBody: `{"name":"Tier 1","userIds":["u2"]}`, status: 201, respBody: team},
		"teams": {method: "GET", target: "/v1/teams", status: 200, respBody: `{"items":[` + team + `]}`},
		"rename team": {method: "PATCH", target: "/v1/teams/t1", contentType: "application/json",
			reqBody: `{"name":"Tier 2"}`, status: 200, respBody: team},
		"routing": {method: "PUT", target: "/v1/channels/ch1/routing", contentType: "application/json",
			reqBody: routing, status: 200, respBody: strings.Replace(channel, `"createdAt"`, `"routing":`+routing+`,"createdAt"`, 1)},
		"routing for an unknown user": {method: "PUT", target: "/v1/channels/ch1/routing", contentType: "application/json",
			reqBody: routing, status: 404, respBody: `{"error":{"code":"not_found","message":"user u2 not found"}}`},
		"contact": {method: "GET", target: "/v1/contacts/k1", status: 200, respBody: contact},
		"set contact owner": {method: "PATCH", target: "/v1/contacts/k1", contentType: "application/json",
			reqBody: `{"ownerId":"u2"}`, status: 200, respBody: contact},
		"remove contact owner": {method: "PATCH", target: "/v1/contacts/k1", contentType: "application/json",
			reqBody: `{"ownerId":null}`, status: 200, respBody: strings.Replace(contact, `"ownerId":"u2",`, ``, 1)},
		"tickets": {method: "GET", target: "/v1/tickets?pipeline=support&stage=new", status: 200, respBody: `{"items":[` + ticket + `]}`},
		"ticket":  {method: "GET", target: "/v1/tickets/tk1", status: 200, respBody: ticket},
		"move ticket": {method: "PATCH", target: "/v1/tickets/tk1", contentType: "application/json",
			reqBody: `{"stage":"done"}`, status: 200, respBody: ticket},
		"queue": {method: "GET", target: "/v1/queue", status: 200,
			respBody: `{"assigned":[` + conversation(`"u2"`) + `],"waiting":[` + conversation(`null`) + `]}`},
		"queue down": {method: "POST", target: "/webhooks/twilio/ch1/status", contentType: formCT,
			reqBody: "MessageSid=SM1&MessageStatus=sent", status: 503,
			respBody: `{"error":{"code":"unavailable","message":"the queue did not accept the message"}}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req, reqBody, resp, respBody := e.build()
			if err := s.Validate(req, reqBody, resp, respBody); err != nil {
				t.Error(err)
			}
			s.Check(t, req, reqBody, resp, respBody)
		})
	}
}

func TestDriftIsCaught(t *testing.T) {
	s := load(t)
	const formCT = "application/x-www-form-urlencoded"
	for name, c := range map[string]struct {
		e    exchange
		want string // in the error
	}{
		"unknown property": {exchange{method: "GET", target: "/v1/conversations/c1", status: 200,
			respBody: strings.Replace(conversation(`null`), `"version":3`, `"version":3,"assigneeId":""`, 1)}, "assigneeId"},
		"wrong type": {exchange{method: "GET", target: "/v1/conversations/c1", status: 200,
			respBody: strings.Replace(conversation(`null`), `"version":3`, `"version":"3"`, 1)}, "version"},
		"missing required property": {exchange{method: "GET", target: "/v1/conversations/c1", status: 200,
			respBody: strings.Replace(conversation(`null`), `"assignee":null,`, ``, 1)}, "assignee"},
		"not a timestamp": {exchange{method: "GET", target: "/v1/inboxes/i1", status: 200,
			respBody: `{"id":"i1","name":"Support","createdAt":"yesterday"}`}, "createdAt"},
		"attachments null": {exchange{method: "GET", target: "/v1/conversations/c1/messages", status: 200,
			respBody: `{"items":[{"id":"m1","direction":"in","text":"x","attachments":null,"createdAt":"2024-05-01T12:00:00Z","status":"received"}]}`}, "attachments"},
		"secret returned": {exchange{method: "GET", target: "/v1/channels/ch1", status: 200,
			respBody: strings.Replace(channel, `"phoneNumber"`, `"authToken":"s3cret","phoneNumber"`, 1)}, "authToken"},
		"empty next": {exchange{method: "GET", target: "/v1/conversations", status: 200,
			respBody: `{"items":[],"next":""}`}, "next"},
		"next on a list that is not paginated": {exchange{method: "GET", target: "/v1/inboxes", status: 200,
			respBody: `{"items":[],"next":"x"}`}, "next"},
		"error code for another status": {exchange{method: "GET", target: "/v1/inboxes/i1", status: 404,
			respBody: `{"error":{"code":"invalid","message":"no such inbox"}}`}, "not_found"},
		"error without message": {exchange{method: "GET", target: "/v1/inboxes/i1", status: 404,
			respBody: `{"error":{"code":"not_found"}}`}, "message"},
		"undeclared status": {exchange{method: "GET", target: "/v1/me", status: 404,
			respBody: `{"error":{"code":"not_found","message":"x"}}`}, "status 404 is not declared"},
		"undeclared content type": {exchange{method: "GET", target: "/v1/me", status: 200, respType: "text/plain",
			respBody: `hi`}, "text/plain"},
		"route missing": {exchange{method: "DELETE", target: "/v1/conversations/c1", status: 204}, "not described"},
		"path missing":  {exchange{method: "GET", target: "/v1/widgets", status: 200, respBody: `{}`}, "not described"},
		"accepted request with unknown property": {exchange{method: "POST", target: "/v1/inboxes", contentType: "application/json",
			reqBody: `{"name":"Support","color":"red"}`, status: 201,
			respBody: `{"id":"i1","name":"Support","createdAt":"2024-05-01T12:00:00Z"}`}, "color"},
		"accepted limit out of range": {exchange{method: "GET", target: "/v1/conversations?limit=500", status: 200,
			respBody: `{"items":[]}`}, "limit"},
		"accepted webhook without From": {exchange{method: "POST", target: "/webhooks/twilio/ch1", contentType: formCT,
			reqBody: formWithout("From"), status: 200, respType: "text/xml", respBody: twiml}, "From"},
		"accepted webhook with a bad NumMedia": {exchange{method: "POST", target: "/webhooks/twilio/ch1", contentType: formCT,
			reqBody: formWithout("NumMedia") + "&NumMedia=many", status: 200, respType: "text/xml", respBody: twiml}, "NumMedia"},
		"accepted status callback without status": {exchange{method: "POST", target: "/webhooks/twilio/ch1/status", contentType: formCT,
			reqBody: "MessageSid=SM1", status: 200, respType: "text/xml", respBody: twiml}, "anyOf"},
		"TwiML with an answer": {exchange{method: "POST", target: "/webhooks/twilio/ch1", contentType: formCT,
			reqBody: form.Encode(), status: 200, respType: "text/xml",
			respBody: `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks!</Message></Response>`}, "regular expression"},
		"messenger channel with a status callback": {exchange{method: "GET", target: "/v1/channels/ch2", status: 200,
			respBody: strings.Replace(messengerChannel, `"webhookUrl"`, `"statusCallbackUrl":"https://api.example.com/webhooks/messenger/ch2/status","webhookUrl"`, 1)}, "statusCallbackUrl"},
		"whatsapp channel on the twilio webhook": {exchange{method: "GET", target: "/v1/channels/ch3", status: 200,
			respBody: strings.Replace(whatsAppChannel, `/webhooks/whatsapp/`, `/webhooks/twilio/`, 1)}, "/webhookUrl"},
		"whatsapp channel with messenger settings": {exchange{method: "GET", target: "/v1/channels/ch3", status: 200,
			respBody: strings.Replace(whatsAppChannel, `"whatsapp":{`, `"messenger":{`, 1)}, "messenger"},
		"sms channel without status callback": {exchange{method: "GET", target: "/v1/channels/ch1", status: 200,
			respBody: strings.Replace(channel, `,"statusCallbackUrl":"https://api.example.com/webhooks/twilio/ch1/status"`, ``, 1)}, "statusCallbackUrl"},
		"app secret returned": {exchange{method: "GET", target: "/v1/channels/ch2", status: 200,
			respBody: strings.Replace(messengerChannel, `"verifyToken"`, `"appSecret":"s3cret","verifyToken"`, 1)}, "appSecret"},
		"verify token hidden": {exchange{method: "GET", target: "/v1/channels/ch2", status: 200,
			respBody: strings.Replace(messengerChannel, `,"verifyToken":"0f8fad5bd9cb469fa16570867728950e"`, ``, 1)}, "verifyToken"},
		"unknown channel type": {exchange{method: "GET", target: "/v1/channels/ch2", status: 200,
			respBody: strings.Replace(messengerChannel, `"type":"messenger"`, `"type":"instagram"`, 1)}, "discriminator"},
		"unknown attachment type": {exchange{method: "GET", target: "/v1/conversations/c3/messages", status: 200,
			respBody: strings.Replace(metaMessages, `"type":"contacts"`, `"type":"vcard"`, 1)}, "/items/4/attachments/0/type"},
		"unknown media status": {exchange{method: "GET", target: "/v1/conversations/c3/messages", status: 200,
			respBody: strings.Replace(metaMessages, `"mediaStatus":"pending"`, `"mediaStatus":"copying"`, 1)}, "mediaStatus"},
		"storage key leaked": {exchange{method: "GET", target: "/v1/conversations/c3/messages", status: 200,
			respBody: strings.Replace(metaMessages, `"mediaStatus":"stored"`, `"mediaStatus":"stored","storageKey":"a/c/m2/0"`, 1)}, "storageKey"},
		"template without language": {exchange{method: "GET", target: "/v1/conversations/c3/messages", status: 200,
			respBody: strings.Replace(metaMessages, `"language":"en_US",`, ``, 1)}, "language"},
		"reaction not a string": {exchange{method: "GET", target: "/v1/conversations/c3/messages", status: 200,
			respBody: strings.Replace(metaMessages, `"reaction":""`, `"reaction":null`, 1)}, "reaction"},
		"accepted messenger channel with a page name": {exchange{method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"messenger","inboxId":"i1","messenger":{"pageId":"acme","pageAccessToken":"EAAG","appSecret":"s"}}`,
			status:  201, respBody: messengerChannel}, "pageId"},
		"accepted channel with another type's settings": {exchange{method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"messenger","inboxId":"i1","twilio":{"accountSid":"AC0123456789abcdef0123456789abcdef","authToken":"t","phoneNumber":"+14155550100"}}`,
			status:  201, respBody: messengerChannel}, "messenger"},
		"accepted whatsapp channel without app secret": {exchange{method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"whatsapp","inboxId":"i1","whatsapp":{"wabaId":"1","phoneNumberId":"2","displayNumber":"+15550783881","accessToken":"EAAG"}}`,
			status:  201, respBody: whatsAppChannel}, "appSecret"},
		"accepted edit with another type's settings": {exchange{method: "PATCH", target: "/v1/channels/ch3", contentType: "application/json",
			reqBody: `{"type":"whatsapp","messenger":{"pageAccessToken":"EAAG"}}`, status: 200, respBody: whatsAppChannel}, "anyOf"},
		"delete answering a body": {exchange{method: "DELETE", target: "/v1/channels/ch2", status: 200,
			respBody: messengerChannel}, "status 200 is not declared"},
		"accepted reply with a sticker": {exchange{method: "POST", target: "/v1/conversations/c3/messages", contentType: "application/json",
			reqBody: `{"attachments":[{"type":"sticker","url":"https://files.example.com/s.webp"}]}`, status: 202,
			respBody: `{"id":"m9","direction":"out","text":"","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"pending","authorId":"u1"}`}, "/attachments/0/type"},
		"accepted reply with an ftp attachment": {exchange{method: "POST", target: "/v1/conversations/c3/messages", contentType: "application/json",
			reqBody: `{"attachments":[{"type":"image","url":"ftp://files.example.com/a.jpg"}]}`, status: 202,
			respBody: `{"id":"m9","direction":"out","text":"","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"pending","authorId":"u1"}`}, "/attachments/0/url"},
		"accepted empty reply": {exchange{method: "POST", target: "/v1/conversations/c3/messages", contentType: "application/json",
			reqBody: `{}`, status: 202,
			respBody: `{"id":"m9","direction":"out","text":"","attachments":[],"createdAt":"2024-05-01T12:00:00Z","status":"pending","authorId":"u1"}`}, "anyOf"},
		"accepted handshake without challenge": {exchange{method: "GET", target: "/webhooks/messenger/ch2?hub.mode=subscribe&hub.verify_token=v",
			unsigned: true, status: 200, respType: "text/plain", respBody: "x"}, "hub.challenge"},
		"handshake answering JSON": {exchange{method: "GET", target: "/webhooks/messenger/ch2?hub.mode=subscribe&hub.verify_token=v&hub.challenge=1",
			unsigned: true, status: 200, respBody: `{"challenge":"1"}`}, "application/json"},
		"accepted meta post without signature": {exchange{method: "POST", target: "/webhooks/whatsapp/ch3", contentType: "application/json",
			reqBody: `{"object":"whatsapp_business_account","entry":[]}`, unsigned: true, status: 200, respType: "text/plain",
			respBody: "EVENT_RECEIVED"}, "X-Hub-Signature-256"},
		"accepted meta post for another object": {exchange{method: "POST", target: "/webhooks/messenger/ch2", contentType: "application/json",
			reqBody: `{"object":"instagram","entry":[]}`, status: 200, respType: "text/plain", respBody: "EVENT_RECEIVED"}, "object"},
		"accepted meta post without entry": {exchange{method: "POST", target: "/webhooks/whatsapp/ch3", contentType: "application/json",
			reqBody: `{"object":"whatsapp_business_account"}`, status: 200, respType: "text/plain", respBody: "EVENT_RECEIVED"}, "entry"},
		"meta post answered with something else": {exchange{method: "POST", target: "/webhooks/messenger/ch2", contentType: "application/json",
			reqBody: `{"object":"page","entry":[]}`, status: 200, respType: "text/plain", respBody: "OK"}, "EVENT_RECEIVED"},
		"webhook answering JSON on success": {exchange{method: "POST", target: "/webhooks/twilio/ch1", contentType: formCT,
			reqBody: form.Encode(), status: 200, respBody: `{}`}, "application/json"},
		"email channel with a webhook URL": {exchange{method: "GET", target: "/v1/channels/ch4", status: 200,
			respBody: strings.Replace(emailChannel, `"createdAt"`, `"webhookUrl":"https://api.example.com/webhooks/email/ch4","createdAt"`, 1)}, "webhookUrl"},
		"email channel with a status callback": {exchange{method: "GET", target: "/v1/channels/ch4", status: 200,
			respBody: strings.Replace(emailChannel, `"createdAt"`, `"statusCallbackUrl":"https://api.example.com/webhooks/email/ch4/status","createdAt"`, 1)}, "statusCallbackUrl"},
		"email channel without its settings": {exchange{method: "GET", target: "/v1/channels/ch4", status: 200,
			respBody: `{"id":"ch4","inboxId":"i1","type":"email","name":"Email","createdAt":"2024-05-01T12:00:00Z"}`}, "email"},
		"forwarding address without forwarding": {exchange{method: "GET", target: "/v1/channels/ch5", status: 200,
			respBody: strings.Replace(forwardingChannel, `"forwarding":true`, `"forwarding":false`, 1)}, `at "/email"`},
		"forwarding channel without its address": {exchange{method: "GET", target: "/v1/channels/ch5", status: 200,
			respBody: strings.Replace(forwardingChannel, `"forwardingAddress":"inbox-0f8fad5bd9cb469f@in.example.com",`, ``, 1)}, `at "/email"`},
		"company mode without a company": {exchange{method: "GET", target: "/v1/channels/ch5", status: 200,
			respBody: strings.Replace(forwardingChannel, `"companyName":"Acme"`, `"companyName":""`, 1)}, `at "/email"`},
		"unknown from name mode": {exchange{method: "GET", target: "/v1/channels/ch4", status: 200,
			respBody: strings.Replace(emailChannel, `"agent_and_company"`, `"agent"`, 1)}, "fromNameMode"},
		"address not lowercased": {exchange{method: "GET", target: "/v1/channels/ch4", status: 200,
			respBody: strings.Replace(emailChannel, `"address":"support@acme.example"`, `"address":"Support@acme.example"`, 1)}, "address"},
		"storage key leaked on email": {exchange{method: "GET", target: "/v1/conversations/c4/messages", status: 200,
			respBody: strings.Replace(emailMessages, `"mediaStatus":"stored"`, `"mediaStatus":"stored","storageKey":"email/a/ch4/ses1/0-logo.png"`, 1)}, "storageKey"},
		"unknown flag": {exchange{method: "GET", target: "/v1/conversations/c4/messages", status: 200,
			respBody: strings.Replace(emailMessages, `"auto_reply"`, `"phishing"`, 1)}, "/items/0/flags/1"},
		"empty flags": {exchange{method: "GET", target: "/v1/conversations/c4/messages", status: 200,
			respBody: strings.Replace(emailMessages, `["forwarded","auto_reply"]`, `[]`, 1)}, "flags"},
		"empty subject shown": {exchange{method: "GET", target: "/v1/conversations/c4", status: 200,
			respBody: strings.Replace(emailConv, `"subject":"Cheap watches"`, `"subject":""`, 1)}, "subject"},
		"unknown conversation status": {exchange{method: "GET", target: "/v1/conversations/c4", status: 200,
			respBody: strings.Replace(emailConv, `"status":"spam"`, `"status":"junk"`, 1)}, "status"},
		"accepted spam status change": {exchange{method: "PATCH", target: "/v1/conversations/c4", contentType: "application/json",
			reqBody: `{"status":"spam"}`, status: 200, respBody: emailConv}, "status"},
		"accepted email channel without address": {exchange{method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"email","inboxId":"i1","email":{"companyName":"Acme"}}`, status: 201, respBody: emailChannel}, `at "/email"`},
		"accepted company mode without a company": {exchange{method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"email","inboxId":"i1","email":{"address":"support@acme.example","fromNameMode":"company"}}`, status: 201, respBody: emailChannel}, `at "/email"`},
		"accepted email channel with a webhook URL given": {exchange{method: "POST", target: "/v1/channels", contentType: "application/json",
			reqBody: `{"type":"email","inboxId":"i1","email":{"address":"support@acme.example","webhookUrl":"https://x"}}`, status: 201, respBody: emailChannel}, "webhookUrl"},
		"accepted signature over 32 KiB": {exchange{method: "PATCH", target: "/v1/channels/ch4", contentType: "application/json",
			reqBody: `{"email":{"signatureHtml":"` + strings.Repeat("x", 40000) + `"}}`, status: 200, respBody: emailChannel}, "signatureHtml"},
		"email preview with more": {exchange{method: "GET", target: "/v1/channels/ch4/email-preview", status: 200,
			respBody: `{"from":"<support@acme.example>","signatureHtml":"","replyTo":"x@acme.example"}`}, "replyTo"},
		"negative capacity accepted": {exchange{method: "PATCH", target: "/v1/users/u2", contentType: "application/json",
			reqBody: `{"capacity":-1}`, status: 200, respBody: user}, "capacity"},
		"user id changed": {exchange{method: "PATCH", target: "/v1/users/u2", contentType: "application/json",
			reqBody: `{"id":"u3"}`, status: 200, respBody: user}, "id"},
		"unknown routing target": {exchange{method: "PUT", target: "/v1/channels/ch1/routing", contentType: "application/json",
			reqBody: `{"target":"round_robin"}`, status: 200, respBody: channel}, "target"},
		"routing on a channel with an unknown property": {exchange{method: "GET", target: "/v1/channels/ch1", status: 200,
			respBody: strings.Replace(channel, `"createdAt"`, `"routing":{"target":"users_and_teams","priority":1},"createdAt"`, 1)}, "priority"},
		"queue without waiting": {exchange{method: "GET", target: "/v1/queue", status: 200,
			respBody: `{"assigned":[]}`}, "waiting"},
		"email preview without from": {exchange{method: "GET", target: "/v1/channels/ch4/email-preview", status: 200,
			respBody: `{"signatureHtml":""}`}, "from"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req, reqBody, resp, respBody := c.e.build()
			err := s.Validate(req, reqBody, resp, respBody)
			if err == nil {
				t.Fatal("Validate accepted the drifted exchange")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("the error does not mention %q:\n%v", c.want, err)
			}
			rec := &recorder{TB: t}
			s.Check(rec, req, reqBody, resp, respBody)
			if !rec.failed {
				t.Error("Check did not fail the test")
			}
		})
	}
}

// recorder is a testing.TB that records failures instead of failing the test.
type recorder struct {
	testing.TB
	failed bool
	msgs   []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, format)
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
}
