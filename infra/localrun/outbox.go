package localrun

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/twilio"
)

// OutboxEntry is one message that dispatch handed to a local stand-in of a provider: Twilio's
// Messages API (with the exact form it posted) or the Graph API (with the exact JSON).
type OutboxEntry struct {
	// Channel is sms, messenger, whatsapp or voice (a call placed through the Calls API, or a
	// TwiML answer of the voice function: Status "twiml", Body the TwiML, StatusCallback the
	// URL it answered).
	Channel inbox.ChannelType `json:"channel"`
	// SID is the provider's message id (Twilio SID, Messenger mid, WhatsApp wamid).
	SID            string     `json:"sid"`
	AccountSID     string     `json:"accountSid"`
	To             string     `json:"to"`
	From           string     `json:"from"`
	Body           string     `json:"body"`
	MediaURLs      []string   `json:"mediaUrls"`
	StatusCallback string     `json:"statusCallback"`
	Form           url.Values `json:"form"`
	At             time.Time  `json:"at"`
	Status         string     `json:"status"`
	// Payload is the JSON body sent to the Graph API; Business the page or phone number id.
	Payload   json.RawMessage `json:"payload,omitempty"`
	Business  string          `json:"business,omitempty"`
	authToken string
}

func (o *Outbox) add(e *OutboxEntry) {
	o.mu.Lock()
	o.entries = append(o.entries, e)
	o.mu.Unlock()
}

func (o *Outbox) setStatus(e *OutboxEntry, status string) {
	o.mu.Lock()
	e.Status = status
	o.mu.Unlock()
}

func (o *Outbox) find(id string) *OutboxEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, x := range o.entries {
		if x.SID == id {
			return x
		}
	}
	return nil
}

// Outbox records what would have left the deployment.
type Outbox struct {
	mu      sync.Mutex
	entries []*OutboxEntry
	log     *slog.Logger
}

func newOutbox(log *slog.Logger) *Outbox { return &Outbox{log: log} }

// Entries returns a copy of the recorded messages, oldest first.
func (o *Outbox) Entries() []OutboxEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]OutboxEntry, len(o.entries))
	for i, e := range o.entries {
		out[i] = *e
	}
	return out
}

// Twilio's magic test number that the real API refuses as invalid (error 21211); the local
// stand-in refuses it the same way so that failures can be tried out.
const invalidTestNumber = "+15005550001"

// twilioAPI serves the local Twilio REST API under /_local/twilio/2010-04-01/Accounts/{sid}/:
// POST Messages.json and Calls.json (basic auth with the account SID, form body, 201 with the
// resource) and GET Recordings/{sid}[.mp3].
func (o *Outbox) twilioAPI(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/_local/twilio"), "/"), "/")
	if len(parts) < 4 || parts[0] != "2010-04-01" || parts[1] != "Accounts" {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	switch {
	case r.Method == http.MethodGet && len(parts) == 5 && parts[3] == "Recordings":
		recordingFile(w, r, parts[2])
		return
	case r.Method != http.MethodPost || len(parts) != 4 || (parts[3] != "Messages.json" && parts[3] != "Calls.json"):
		twilioError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != parts[2] || pass == "" {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if parts[3] == "Calls.json" {
		o.calls(w, r, user, pass)
		return
	}
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 21601, "Invalid form body")
		return
	}
	f := r.PostForm
	if f.Get("To") == "" {
		twilioError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	}
	if f.Get("To") == invalidTestNumber {
		twilioError(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", invalidTestNumber))
		return
	}
	if f.Get("Body") == "" && len(f["MediaUrl"]) == 0 {
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	e := &OutboxEntry{
		Channel: inbox.ChannelSMS, SID: "SM" + hex.EncodeToString(b[:]), AccountSID: user, To: f.Get("To"), From: f.Get("From"),
		Body: f.Get("Body"), MediaURLs: f["MediaUrl"], StatusCallback: f.Get("StatusCallback"),
		Form: f, At: time.Now().UTC(), Status: "queued", authToken: pass,
	}
	o.add(e)
	now := e.At.Format(time.RFC1123Z)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"account_sid": user, "api_version": "2010-04-01", "body": e.Body, "date_created": now,
		"date_sent": nil, "date_updated": now, "direction": "outbound-api", "error_code": nil,
		"error_message": nil, "from": e.From, "messaging_service_sid": nil, "num_media": fmt.Sprint(len(e.MediaURLs)),
		"num_segments": "1", "price": nil, "price_unit": "USD", "sid": e.SID, "status": "queued",
		"subresource_uris": map[string]string{"media": "/2010-04-01/Accounts/" + user + "/Messages/" + e.SID + "/Media.json"},
		"to":               e.To, "uri": "/2010-04-01/Accounts/" + user + "/Messages/" + e.SID + ".json",
	})
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"code": code, "message": msg, "more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status,
	})
}

// twilioStatus is Twilio's signed status callback for an SMS in the outbox (Outbox.callback).
func twilioStatus(r *Runner, w http.ResponseWriter, req *http.Request, e *OutboxEntry, _ string) {
	r.Outbox.callback(w, req, e)
}

// callback posts a signed status callback for an outbox message, as Twilio does when the
// carrier reports: POST /_local/outbox/{sid}/status with form status=delivered (or
// undelivered/failed with errorCode).
func (o *Outbox) callback(w http.ResponseWriter, r *http.Request, e *OutboxEntry) {
	if e == nil {
		http.Error(w, `{"error":{"code":"not_found","message":"no such outbox message"}}`, http.StatusNotFound)
		return
	}
	_ = r.ParseForm()
	status := r.Form.Get("status")
	if status == "" {
		status = "delivered"
	}
	if e.StatusCallback == "" {
		http.Error(w, `{"error":{"code":"invalid","message":"the message asked for no status callback"}}`, http.StatusBadRequest)
		return
	}
	form := url.Values{
		"AccountSid": {e.AccountSID}, "ApiVersion": {"2010-04-01"}, "From": {e.From}, "To": {e.To},
		"MessageSid": {e.SID}, "SmsSid": {e.SID}, "SmsStatus": {status}, "MessageStatus": {status},
	}
	if c := r.Form.Get("errorCode"); c != "" {
		form.Set("ErrorCode", c)
	}
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, e.StatusCallback, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilio.Signature(e.authToken, e.StatusCallback, form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = resp.Body.Close()
	o.setStatus(e, status)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": e.SID, "status": status, "callbackStatus": resp.StatusCode})
}

var outboxPage = template.Must(template.New("outbox").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Local outbox</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}</style></head>
<body><h1>Local outbox</h1><p>Replies that dispatch sent to Twilio's Messages API stand-in and the Graph API stand-in, calls placed through Twilio's Calls API stand-in (body: the TwiML URL), and the TwiML the voice function answered to simulated calls (status <code>twiml</code>, "To" the number called). JSON: <a href="/_local/outbox.json">/_local/outbox.json</a>.</p>
<table><tr><th>When</th><th>Channel</th><th>Id</th><th>From</th><th>To</th><th>Body / payload</th><th>Status</th></tr>
{{range .}}<tr><td>{{.At.Format "15:04:05"}}</td><td>{{.Channel}}</td><td>{{.SID}}</td><td>{{.From}}{{.Business}}</td><td>{{.To}}</td><td>{{if .Payload}}<code>{{printf "%s" .Payload}}</code>{{else}}{{.Body}}{{end}}</td><td>{{.Status}}</td></tr>
{{else}}<tr><td colspan="7">Nothing sent yet.</td></tr>{{end}}</table></body></html>`))
