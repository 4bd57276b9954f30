package localrun

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/channels/form"
	"github.com/openinbox/inbox/shared/channels/messenger"
	"github.com/openinbox/inbox/shared/channels/sms"
	"github.com/openinbox/inbox/shared/channels/whatsapp"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/meta"
	"github.com/openinbox/inbox/shared/twilio"
)

// Demo is what `make run` seeds and GET /_local/demo returns.
type Demo struct {
	Token     string        `json:"token"`
	AccountID string        `json:"accountId"`
	UserID    string        `json:"userId"`
	InboxID   string        `json:"inboxId"`
	Channels  []DemoChannel `json:"channels"`
	OutboxURL string        `json:"outboxUrl"`
	// EmailOutboxURL is the SES emulator's viewer of sent mail (/store has it as JSON).
	EmailOutboxURL string `json:"emailOutboxUrl"`
}

// DemoChannel is a seeded channel with its test secrets, so that requests can be signed.
type DemoChannel struct {
	ID   string            `json:"id"`
	Type inbox.ChannelType `json:"type"`
	// Label is how people call the channel's kind (the registry's label).
	Label string `json:"label"`
	// WebhookURL is where the provider posts; empty for kinds without a webhook (email
	// arrives through SES's receipt rule).
	WebhookURL        string            `json:"webhookUrl,omitempty"`
	StatusCallbackURL string            `json:"statusCallbackUrl,omitempty"`
	PhoneNumber       string            `json:"phoneNumber,omitempty"`
	Secrets           map[string]string `json:"secrets"`
	// Curl sends a test message to the channel, as the provider would: signed when the
	// provider signs; Try says what it does.
	Curl string `json:"curl"`
	Try  string `json:"try"`
	// VerifyCurl performs Meta's verification handshake (Meta channels).
	VerifyCurl string `json:"verifyCurl,omitempty"`
	// Address is an email channel's team address.
	Address string `json:"address,omitempty"`
	// EmbedCode is what a site pastes (chat), and DemoPageURL a page of this runner with it.
	EmbedCode   string `json:"embedCode,omitempty"`
	DemoPageURL string `json:"demoPageUrl,omitempty"`
}

// Demo account values. The phone number is Twilio's magic "valid" test number.
const (
	DemoAccount         = "demo"
	DemoUser            = "admin"
	demoPhone           = "+15005550006"
	demoCustomer        = "+14155550100"
	demoTwilioSID       = "AC00000000000000000000000000000001"
	demoTokenTTL        = 30 * 24 * time.Hour
	demoInboxID         = "demo-inbox"
	demoSMSChannel      = "demo-sms"
	demoAuthTokenPrefix = "demo-auth-token-"
)

func seed(ctx context.Context, store *dynamo.Store, base string, key []byte) (Demo, error) {
	now := time.Now().UTC()
	tok, err := MintNamed(key, DemoAccount, DemoUser, "admin", "Ada Lovelace", demoTokenTTL, now)
	if err != nil {
		return Demo{}, err
	}
	d := Demo{Token: tok, AccountID: DemoAccount, UserID: DemoUser, InboxID: demoInboxID, OutboxURL: base + "/_local/outbox"}
	if err := store.CreateInbox(ctx, inbox.Inbox{AccountID: DemoAccount, ID: demoInboxID, Name: "Support", CreatedAt: now}); err != nil && !inbox.IsCode(err, inbox.EConflict) {
		return Demo{}, err
	}
	for _, kind := range channels.All() {
		k, ok := demoKinds[kind.Type]
		if !ok {
			continue
		}
		ch := k.channel(now)
		if err := store.CreateChannel(ctx, ch); err != nil {
			if !inbox.IsCode(err, inbox.EConflict) {
				return Demo{}, err
			}
			// A persistent table from an earlier run: keep its channel and secrets.
			if ch, err = store.GetChannel(ctx, DemoAccount, ch.ID); err != nil {
				return Demo{}, err
			}
		}
		if k.rebase != nil && k.rebase(base, &ch) {
			if err := store.UpdateChannel(ctx, ch); err != nil {
				return Demo{}, err
			}
		}
		dc := k.show(base, ch)
		dc.Label = channels.Label(ch.Type)
		d.Channels = append(d.Channels, dc)
	}
	return d, nil
}

// demoKind is the demo channel of one channel kind: the channel `make run` seeds, and how the
// banner and GET /_local/demo show it (webhook, test secrets, a signed curl).
type demoKind struct {
	channel func(now time.Time) inbox.Channel
	show    func(base string, ch inbox.Channel) DemoChannel
	// rebase, when set, points the channel at this runner's address (base), which can change
	// from run to run; it reports whether the channel changed.
	rebase func(base string, ch *inbox.Channel) bool
	// status, when set, is the provider stand-in's delivery report on a reply of the kind in
	// the outbox (POST /_local/outbox/{id}/status): the provider's signed status webhook.
	status func(r *Runner, w http.ResponseWriter, req *http.Request, e *OutboxEntry, status string)
}

// demoKinds are the seeded channels and their providers' stand-ins, one line per kind, looked up
// by type (a test checks that every registered kind has one).
var demoKinds = map[inbox.ChannelType]demoKind{
	inbox.ChannelSMS:       {channel: demoSMS, show: smsDemoChannel, status: twilioStatus},
	inbox.ChannelMessenger: {channel: demoMessenger, show: messengerDemoChannel, status: messengerStatus},
	inbox.ChannelWhatsApp:  {channel: demoWhatsApp, show: whatsappDemoChannel, status: whatsappStatus},
	inbox.ChannelEmail:     {channel: demoEmail, show: emailDemoChannel},
	inbox.ChannelCustom:    {channel: demoCustom, show: customDemoChannel, rebase: customDemoRebase},
	inbox.ChannelForm:      {channel: demoForm, show: formDemoChannel},
	inbox.ChannelVoice:     {channel: demoVoice, show: voiceDemoChannel, status: voiceStatus},
	inbox.ChannelChat:      {channel: demoChat, show: chatDemoChannel},
}

func demoSMS(now time.Time) inbox.Channel {
	return inbox.Channel{
		AccountID: DemoAccount, ID: demoSMSChannel, InboxID: demoInboxID, Type: inbox.ChannelSMS,
		Name: "Demo SMS", ProviderKey: demoPhone,
		Twilio:    &inbox.TwilioConfig{AccountSID: demoTwilioSID, PhoneNumber: demoPhone},
		Secrets:   map[string]string{inbox.SecretTwilioAuthToken: demoAuthTokenPrefix + randomHex(8)},
		CreatedAt: now,
	}
}

func smsDemoChannel(base string, ch inbox.Channel) DemoChannel {
	hook := channel.WebhookURL(base, sms.Kind.WebhookPath, ch.ID)
	authToken := ch.Secrets[inbox.SecretTwilioAuthToken]
	return DemoChannel{
		ID: ch.ID, Type: ch.Type, WebhookURL: hook, StatusCallbackURL: channel.WebhookURL(base, sms.Kind.StatusPath, ch.ID),
		PhoneNumber: demoPhone, Secrets: map[string]string{"twilioAccountSid": demoTwilioSID, "twilioAuthToken": authToken},
		Curl: TwilioCurl(hook, authToken, demoTwilioSID, demoCustomer, demoPhone, "Hello from the demo!"),
		Try:  "Send a test SMS, signed as Twilio signs it",
	}
}

func emailDemoChannel(base string, ch inbox.Channel) DemoChannel {
	return DemoChannel{ID: ch.ID, Type: ch.Type, Address: ch.Email.Address,
		Curl: "curl -sS -X POST '" + base + "/_local/email' --data-binary @infra/local/hello.eml",
		Try: "Drop a test mail in as SES's receipt rule delivers it (nothing to sign: SES invokes the email function; " +
			"?spam= ?virus= ?spf= ?dkim= ?dmarc= set its verdicts)"}
}

// DemoEmailAddress is the seeded team email channel's address.
const DemoEmailAddress = "support@demo.example"

func demoEmail(now time.Time) inbox.Channel {
	return inbox.Channel{
		AccountID: DemoAccount, ID: "demo-email", InboxID: demoInboxID, Type: inbox.ChannelEmail,
		Name: "Demo team email", ProviderKey: DemoEmailAddress,
		Email: &inbox.EmailConfig{Address: DemoEmailAddress, FromAddress: DemoEmailAddress, FromNameMode: inbox.FromNameAgentAndCompany,
			CompanyName: "Demo Inc", SignatureHTML: `<p>{{agent.fullName}}<br><a href="https://demo.example">Demo Inc</a> support</p>`,
			ForwardedToOriginalSender: true},
		CreatedAt: now,
	}
}

// Demo Meta businesses: a Facebook Page and a WhatsApp Business number.
const (
	demoPageID        = "100000000000001"
	demoPhoneNumberID = "100000000000002"
	demoWABAID        = "100000000000003"
	demoWhatsAppFrom  = "+15550783881"
	demoCustomerPSID  = "2000000000000001"
)

func demoMessenger(now time.Time) inbox.Channel {
	return inbox.Channel{
		AccountID: DemoAccount, ID: "demo-messenger", InboxID: demoInboxID, Type: inbox.ChannelMessenger,
		Name: "Demo Page", ProviderKey: demoPageID,
		Messenger: &inbox.MessengerConfig{PageID: demoPageID, VerifyToken: "demo-verify-" + randomHex(4)},
		Secrets:   map[string]string{inbox.SecretPageAccessToken: "EAAdemo" + randomHex(8), inbox.SecretAppSecret: randomHex(16)},
		CreatedAt: now,
	}
}

func demoWhatsApp(now time.Time) inbox.Channel {
	return inbox.Channel{
		AccountID: DemoAccount, ID: "demo-whatsapp", InboxID: demoInboxID, Type: inbox.ChannelWhatsApp,
		Name: "Demo WhatsApp", ProviderKey: demoPhoneNumberID,
		WhatsApp:  &inbox.WhatsAppConfig{WABAID: demoWABAID, PhoneNumberID: demoPhoneNumberID, DisplayNumber: demoWhatsAppFrom, VerifyToken: "demo-verify-" + randomHex(4)},
		Secrets:   map[string]string{inbox.SecretAccessToken: "EAAdemo" + randomHex(8), inbox.SecretAppSecret: randomHex(16)},
		CreatedAt: now,
	}
}

func messengerDemoChannel(base string, ch inbox.Channel) DemoChannel {
	body := MessengerTextBody(ch.Messenger.PageID, demoCustomerPSID, "m_"+randomHex(16), "Hello from Messenger!", time.Now())
	dc := metaDemoChannel(ch, channel.WebhookURL(base, messenger.Kind.WebhookPath, ch.ID), ch.Messenger.VerifyToken, body)
	dc.Secrets["pageAccessToken"] = ch.Secrets[inbox.SecretPageAccessToken]
	return dc
}

func whatsappDemoChannel(base string, ch inbox.Channel) DemoChannel {
	body := WhatsAppTextBody(ch.WhatsApp.WABAID, ch.WhatsApp.PhoneNumberID, ch.WhatsApp.DisplayNumber, "16315551181", "Kerry Fisher", "wamid."+randomHex(16), "Hello from WhatsApp!", time.Now())
	dc := metaDemoChannel(ch, channel.WebhookURL(base, whatsapp.Kind.WebhookPath, ch.ID), ch.WhatsApp.VerifyToken, body)
	dc.PhoneNumber = ch.WhatsApp.DisplayNumber
	dc.Secrets["accessToken"] = ch.Secrets[inbox.SecretAccessToken]
	return dc
}

// metaDemoChannel is what Messenger's and WhatsApp's demo channels share: the webhook hook,
// Meta's handshake with verifyToken, and body posted signed with the app secret.
func metaDemoChannel(ch inbox.Channel, hook, verifyToken string, body []byte) DemoChannel {
	return DemoChannel{ID: ch.ID, Type: ch.Type, WebhookURL: hook,
		Secrets:    map[string]string{"appSecret": ch.Secrets[inbox.SecretAppSecret], "verifyToken": verifyToken},
		Curl:       MetaCurl(hook, ch.Secrets[inbox.SecretAppSecret], body),
		Try:        "Send a test message, signed as Meta signs it (X-Hub-Signature-256)",
		VerifyCurl: fmt.Sprintf("curl -sS '%s?hub.mode=subscribe&hub.verify_token=%s&hub.challenge=1158201444'", hook, verifyToken),
	}
}

// MetaCurl returns a curl command that posts body to hook signed with appSecret, exactly as
// Meta does (X-Hub-Signature-256 over the raw bytes).
func MetaCurl(hook, appSecret string, body []byte) string {
	return fmt.Sprintf("curl -sS -X POST '%s' -H 'Content-Type: application/json' -H '%s: %s' --data-binary '%s'",
		hook, meta.SignatureHeader, meta.Sign(appSecret, body), strings.ReplaceAll(string(body), "'", `'\''`))
}

// MessengerTextBody is the webhook Meta posts for a text message from psid to a page.
func MessengerTextBody(pageID, psid, mid, text string, at time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"object": "page", "entry": []any{map[string]any{
		"id": pageID, "time": at.UnixMilli(), "messaging": []any{map[string]any{
			"sender": map[string]string{"id": psid}, "recipient": map[string]string{"id": pageID},
			"timestamp": at.UnixMilli(), "message": map[string]string{"mid": mid, "text": text},
		}},
	}}})
	return b
}

// WhatsAppTextBody is the webhook Meta posts for a text message from waID to a business number.
func WhatsAppTextBody(wabaID, phoneNumberID, display, waID, name, wamid, text string, at time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": wabaID, "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]string{"display_phone_number": strings.TrimPrefix(display, "+"), "phone_number_id": phoneNumberID},
			"contacts":          []any{map[string]any{"profile": map[string]string{"name": name}, "wa_id": waID}},
			"messages": []any{map[string]any{"from": waID, "id": wamid, "timestamp": fmt.Sprint(at.Unix()),
				"type": "text", "text": map[string]string{"body": text}}},
		}}},
	}}})
	return b
}

// TwilioCurl returns a curl command that posts an incoming SMS to hook signed with authToken,
// exactly as Twilio would.
func TwilioCurl(hook, authToken, accountSID, from, to, body string) string {
	form := TwilioSMSForm(accountSID, from, to, body, "SM"+randomHex(16))
	sig := twilio.Signature(authToken, hook, form)
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "curl -sS -X POST '%s' -H 'X-Twilio-Signature: %s'", hook, sig)
	for _, k := range keys {
		fmt.Fprintf(&b, " --data-urlencode '%s=%s'", k, strings.ReplaceAll(form.Get(k), "'", `'\''`))
	}
	return b.String()
}

// TwilioSMSForm is the form Twilio posts for an incoming SMS.
func TwilioSMSForm(accountSID, from, to, body, sid string) url.Values {
	return url.Values{
		"ToCountry": {"US"}, "ToState": {"CA"}, "SmsMessageSid": {sid}, "NumMedia": {"0"},
		"ToCity": {""}, "FromZip": {""}, "SmsSid": {sid}, "FromState": {"CA"}, "SmsStatus": {"received"},
		"FromCity": {""}, "Body": {body}, "FromCountry": {"US"}, "To": {to}, "ToZip": {""},
		"NumSegments": {"1"}, "MessageSid": {sid}, "AccountSid": {accountSID}, "From": {from}, "ApiVersion": {"2010-04-01"},
	}
}

func (r *Runner) localRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/demo", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Demo)
	})
	mux.HandleFunc("GET "+ChatDemoPath, chatDemoPage)
	mux.HandleFunc("GET /_local/outbox", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = outboxPage.Execute(w, r.Outbox.Entries())
	})
	mux.HandleFunc("GET /_local/outbox.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": r.Outbox.Entries()})
	})
	mux.HandleFunc("POST /_local/outbox/{sid}/status", func(w http.ResponseWriter, req *http.Request) {
		e := r.Outbox.find(req.PathValue("sid"))
		var k demoKind
		if e != nil {
			k = demoKinds[e.Channel]
		}
		if k.status == nil {
			http.Error(w, `{"error":{"code":"not_found","message":"no such outbox message"}}`, http.StatusNotFound)
			return
		}
		_ = req.ParseForm()
		status := req.Form.Get("status")
		if status == "" {
			status = "delivered"
		}
		k.status(r, w, req, e, status)
	})
	mux.Handle("/_local/graph/", r.graph)
	r.Receiver.routes(mux)
	mux.HandleFunc("POST /_local/email", r.dropEmail)
	mux.HandleFunc("POST /_local/tick", r.tickHandler)
	mux.HandleFunc("GET /_local/idle", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 30*time.Second)
		defer cancel()
		if err := r.WaitIdle(ctx); err != nil {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/_local/twilio/", r.Outbox.twilioAPI)
	mux.HandleFunc("POST /_local/voice/{channelId}/call", r.simulateCall)
	return mux
}

// Banner is what make run prints: what to open and a ready curl for each channel.
func (r *Runner) Banner() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nConversations inbox running on %s\n\n", r.URL)
	fmt.Fprintf(&b, "Admin token (account %q, user %q):\n  export TOKEN=%s\n\n", r.Demo.AccountID, r.Demo.UserID, r.Demo.Token)
	fmt.Fprintf(&b, "Demo as JSON:      curl -s %s/_local/demo\n", r.URL)
	fmt.Fprintf(&b, "Outbox (replies):  %s  (email: %s; custom channels: %s/_local/custom)\n", r.Demo.OutboxURL, r.Demo.EmailOutboxURL, r.URL)
	fmt.Fprintf(&b, "Conversations:     curl -s -H \"Authorization: Bearer $TOKEN\" %s/v1/conversations\n\n", r.URL)
	for _, c := range r.Demo.Channels {
		// Only what is true of the kind: email has an address and no webhook, and what its
		// curl drops in is not signed.
		fmt.Fprintf(&b, "Channel %s (%s)", c.ID, c.Label)
		if c.WebhookURL != "" {
			fmt.Fprintf(&b, ", webhook URL %s", c.WebhookURL)
		}
		if c.Address != "" {
			fmt.Fprintf(&b, ", address %s", c.Address)
		}
		fmt.Fprintf(&b, "\n%s:\n  %s\n", c.Try, c.Curl)
		if c.VerifyCurl != "" {
			fmt.Fprintf(&b, "Meta's verification handshake:\n  %s\n", c.VerifyCurl)
		}
		fmt.Fprintln(&b)
	}
	fmt.Fprintf(&b, "Reply:  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{\"text\":\"Hi!\"}' %s/v1/conversations/<id>/messages\n", r.URL)
	fmt.Fprintf(&b, "Tokens: go run ./infra/local token -account A -user U -role admin|agent\n")
	return b.String()
}

// DemoCustomChannel is the seeded custom channel's id; its webhook is the local receiver.
const DemoCustomChannel = "demo-custom"

func demoCustom(now time.Time) inbox.Channel {
	ch := inbox.Channel{AccountID: DemoAccount, ID: DemoCustomChannel, InboxID: demoInboxID, Type: inbox.ChannelCustom,
		Name: "Demo custom channel", Secrets: map[string]string{}, CreatedAt: now}
	// The kind makes the settings and the secret, as the API does; the webhook URL is set by
	// show, which knows the runner's address.
	env := channel.Env{Creating: true, Now: now, NewID: func() string { return randomHex(16) }}
	if err := custom.Kind.Settings(&ch, json.RawMessage(`{"webhookUrl":"http://localhost/_local/custom/`+DemoCustomChannel+`","agentsStart":true}`), env); err != nil {
		panic(err)
	}
	return ch
}

// customDemoRebase points the demo custom channel's webhook at this runner's local receiver.
func customDemoRebase(base string, ch *inbox.Channel) bool {
	hook := base + "/_local/custom/" + ch.ID
	if ch.Settings[custom.SettingWebhookURL] == hook {
		return false
	}
	ch.Settings[custom.SettingWebhookURL] = hook
	return true
}

func customDemoChannel(base string, ch inbox.Channel) DemoChannel {
	hook := channel.WebhookURL(base, custom.Kind.WebhookPath, ch.ID)
	secret := ch.Secrets[custom.SecretSigning]
	return DemoChannel{ID: ch.ID, Type: ch.Type, WebhookURL: hook,
		Secrets: map[string]string{custom.SecretSigning: secret, "receiver": base + "/_local/custom"},
		Curl:    CustomCurl(hook, secret, "demo-user-1", "Dana Demo", "Hello from the custom channel!"),
		Try:     "Send a test message, signed as Standard Webhooks sign it (by openssl, as the curl runs)"}
}

// DemoFormChannel is the seeded web form's channel id; its page is GET /webhooks/form/demo-form.
const DemoFormChannel = "demo-form"

// demoForm makes a ticket of each submission (pipeline "support") and acknowledges it by email.
func demoForm(now time.Time) inbox.Channel {
	ch := inbox.Channel{AccountID: DemoAccount, ID: DemoFormChannel, InboxID: demoInboxID, Type: inbox.ChannelForm,
		Name: "Contact us", Secrets: map[string]string{}, CreatedAt: now}
	env := channel.Env{Creating: true, Now: now, NewID: func() string { return randomHex(16) }}
	if err := form.Kind.Settings(&ch, json.RawMessage(`{"fields":[
		{"name":"name","type":"text","label":"Your name","required":true},
		{"name":"email","type":"email","label":"Email","required":true},
		{"name":"topic","type":"select","label":"Topic","options":["Order","Billing","Other"]},
		{"name":"message","type":"textarea","label":"Message","required":true}],
		"emailField":"email","consentText":"I agree that Demo Inc stores my answers to reply to me.",
		"privacyUrl":"https://demo.example/privacy","redirectUrl":"https://demo.example/thanks","submitSecret":true,
		"tickets":{"pipeline":"support","stage":"new"},
		"acknowledgement":{"subject":"We received your message","text":"Thank you for writing to Demo Inc. We will answer within one working day; you can reply to this email to add anything."}}`), env); err != nil {
		panic(err)
	}
	return ch
}

func formDemoChannel(base string, ch inbox.Channel) DemoChannel {
	page := channel.WebhookURL(base, form.Kind.WebhookPath, ch.ID)
	return DemoChannel{ID: ch.ID, Type: ch.Type, WebhookURL: page,
		Secrets: map[string]string{form.SecretSubmit: ch.Secrets[form.SecretSubmit], "page": page},
		Curl: "curl -sS -i -X POST '" + page + "' --data-urlencode 'name=Zoe Park' --data-urlencode 'email=zoe@customer.example' " +
			"--data-urlencode 'topic=Order' --data-urlencode 'message=Where is my order 1234?' --data-urlencode '_consent=yes'",
		Try: "Post the form as a visitor's browser does (a public form: nothing to sign)"}
}
