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

	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
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
}

// DemoChannel is a seeded channel with its test secrets, so that requests can be signed.
type DemoChannel struct {
	ID                string            `json:"id"`
	Type              inbox.ChannelType `json:"type"`
	WebhookURL        string            `json:"webhookUrl"`
	StatusCallbackURL string            `json:"statusCallbackUrl"`
	PhoneNumber       string            `json:"phoneNumber"`
	Secrets           map[string]string `json:"secrets"`
	// Curl sends a correctly signed test message to the channel.
	Curl string `json:"curl"`
}

// Demo account values. The phone number is Twilio's magic "valid" test number.
const (
	DemoAccount     = "demo"
	DemoUser        = "admin"
	demoPhone       = "+15005550006"
	demoCustomer    = "+14155550100"
	demoTwilioSID   = "AC00000000000000000000000000000001"
	demoTokenTTL    = 30 * 24 * time.Hour
	demoInboxID     = "demo-inbox"
	demoSMSChannel  = "demo-sms"
	demoAuthTokenKB = "demo-auth-token-"
)

func seed(ctx context.Context, store *dynamo.Store, base string, key []byte) (Demo, error) {
	now := time.Now().UTC()
	tok, err := Mint(key, DemoAccount, DemoUser, "admin", demoTokenTTL, now)
	if err != nil {
		return Demo{}, err
	}
	d := Demo{Token: tok, AccountID: DemoAccount, UserID: DemoUser, InboxID: demoInboxID, OutboxURL: base + "/_local/outbox"}
	if err := store.CreateInbox(ctx, inbox.Inbox{AccountID: DemoAccount, ID: demoInboxID, Name: "Support", CreatedAt: now}); err != nil && !inbox.IsCode(err, inbox.EConflict) {
		return Demo{}, err
	}
	authToken := demoAuthTokenKB + randomHex(8)
	ch := inbox.Channel{
		AccountID: DemoAccount, ID: demoSMSChannel, InboxID: demoInboxID, Type: inbox.ChannelSMS,
		Name: "Demo SMS", ProviderKey: demoPhone,
		Twilio:    &inbox.TwilioConfig{AccountSID: demoTwilioSID, PhoneNumber: demoPhone},
		Secrets:   map[string]string{inbox.SecretTwilioAuthToken: authToken},
		CreatedAt: now,
	}
	if err := store.CreateChannel(ctx, ch); err != nil {
		if !inbox.IsCode(err, inbox.EConflict) {
			return Demo{}, err
		}
		// A persistent table from an earlier run: keep its token.
		old, err := store.GetChannel(ctx, DemoAccount, demoSMSChannel)
		if err != nil {
			return Demo{}, err
		}
		authToken = old.Secrets[inbox.SecretTwilioAuthToken]
	}
	hook := base + "/webhooks/twilio/" + demoSMSChannel
	d.Channels = append(d.Channels, DemoChannel{
		ID: demoSMSChannel, Type: inbox.ChannelSMS, WebhookURL: hook, StatusCallbackURL: hook + "/status",
		PhoneNumber: demoPhone, Secrets: map[string]string{"twilioAccountSid": demoTwilioSID, "twilioAuthToken": authToken},
		Curl: TwilioCurl(hook, authToken, demoTwilioSID, demoCustomer, demoPhone, "Hello from the demo!"),
	})
	return d, nil
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
	mux.HandleFunc("GET /_local/outbox", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = outboxPage.Execute(w, r.Outbox.Entries())
	})
	mux.HandleFunc("GET /_local/outbox.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": r.Outbox.Entries()})
	})
	mux.HandleFunc("POST /_local/outbox/{sid}/status", func(w http.ResponseWriter, req *http.Request) {
		r.Outbox.callback(w, req, r.Outbox.find(req.PathValue("sid")))
	})
	mux.HandleFunc("GET /_local/idle", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 30*time.Second)
		defer cancel()
		if err := r.WaitIdle(ctx); err != nil {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/_local/twilio/", r.Outbox.messages)
	return mux
}

// Banner is what make run prints: what to open and a ready curl for each channel.
func (r *Runner) Banner() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nConversations inbox running on %s\n\n", r.URL)
	fmt.Fprintf(&b, "Admin token (account %q, user %q):\n  export TOKEN=%s\n\n", r.Demo.AccountID, r.Demo.UserID, r.Demo.Token)
	fmt.Fprintf(&b, "Demo as JSON:      curl -s %s/_local/demo\n", r.URL)
	fmt.Fprintf(&b, "Outbox (replies):  %s\n", r.Demo.OutboxURL)
	fmt.Fprintf(&b, "Conversations:     curl -s -H \"Authorization: Bearer $TOKEN\" %s/v1/conversations\n\n", r.URL)
	for _, c := range r.Demo.Channels {
		fmt.Fprintf(&b, "Channel %s (%s), webhook URL %s\nSend a signed test SMS:\n  %s\n\n", c.ID, c.Type, c.WebhookURL, c.Curl)
	}
	fmt.Fprintf(&b, "Reply:  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{\"text\":\"Hi!\"}' %s/v1/conversations/<id>/messages\n", r.URL)
	fmt.Fprintf(&b, "Tokens: go run ./infra/local token -account A -user U -role admin|agent\n")
	return b.String()
}
