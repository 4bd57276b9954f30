package localrun

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/customhook"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

// ReceivedHook is one webhook the local receiver of custom channels got: what dispatch posted
// to a custom channel's webhook URL, whether its signature verified with the channel's secret,
// and the id the receiver answered with (which status callbacks name).
type ReceivedHook struct {
	ChannelID  string           `json:"channelId"`
	ExternalID string           `json:"externalId"`
	WebhookID  string           `json:"webhookId"`
	Signature  string           `json:"signature"`
	Verified   bool             `json:"verified"`
	Answer     int              `json:"answer"`
	Event      customhook.Event `json:"event"`
	Body       json.RawMessage  `json:"body"`
	At         time.Time        `json:"at"`
	Status     string           `json:"status"`
}

// receiver stands in for the integrator of custom channels: POST /_local/custom/{channelId}
// records what the channel's webhook got and answers like an integrator ({"id": …}; a
// recipient id starting "fail-4xx"/"fail-5xx" is answered with that status, to try failures),
// and POST /_local/custom/messages/{externalId}/status posts the signed status back.
type receiver struct {
	mu    sync.Mutex
	hooks []*ReceivedHook
	store *dynamo.Store
	base  string
	n     int
}

// Hooks returns a copy of what the receiver got, oldest first.
func (rc *receiver) Hooks() []ReceivedHook {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]ReceivedHook, len(rc.hooks))
	for i, h := range rc.hooks {
		out[i] = *h
	}
	return out
}

func (rc *receiver) hook(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	ch, err := rc.store.ChannelByID(r.Context(), r.PathValue("channelId"))
	if err != nil || ch.Type != inbox.ChannelCustom {
		http.Error(w, "no such custom channel", http.StatusNotFound)
		return
	}
	now := time.Now()
	id, _, verr := stdwebhook.Verify(r.Header, body, []string{ch.Secrets[custom.SecretSigning]}, now)
	h := &ReceivedHook{ChannelID: ch.ID, WebhookID: id, Signature: r.Header.Get(stdwebhook.HeaderSignature),
		Verified: verr == nil, Body: json.RawMessage(body), At: now, Answer: http.StatusOK}
	_ = json.Unmarshal(body, &h.Event)
	switch to := h.Event.To.ID; {
	case !h.Verified:
		h.Answer = http.StatusUnauthorized
	case strings.HasPrefix(to, "fail-"):
		_, _ = fmt.Sscanf(strings.TrimPrefix(to, "fail-"), "%d", &h.Answer)
	}
	rc.mu.Lock()
	rc.n++
	if h.Answer < 300 {
		h.ExternalID, h.Status = fmt.Sprintf("cx-%d-%s", rc.n, randomHex(3)), "sent"
	}
	rc.hooks = append(rc.hooks, h)
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(h.Answer)
	if h.Answer < 300 {
		_ = json.NewEncoder(w).Encode(map[string]string{"id": h.ExternalID})
		return
	}
	_, _ = fmt.Fprintf(w, `{"error":"the local receiver answers %d (recipient %s)"}`, h.Answer, h.Event.To.ID)
}

// status posts a signed status event for the received message externalId to its channel's
// ingest URL (form field status, delivered by default; reason for failed).
func (rc *receiver) status(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	rc.mu.Lock()
	var h *ReceivedHook
	for _, x := range rc.hooks {
		if x.ExternalID != "" && x.ExternalID == r.PathValue("externalId") {
			h = x
		}
	}
	rc.mu.Unlock()
	if h == nil {
		http.Error(w, `{"error":{"code":"not_found","message":"no such received message"}}`, http.StatusNotFound)
		return
	}
	ch, err := rc.store.ChannelByID(r.Context(), h.ChannelID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	status := r.Form.Get("status")
	if status == "" {
		status = "delivered"
	}
	ev := map[string]any{"type": "status", "messageId": h.ExternalID, "status": status}
	if status == "failed" {
		ev["error"] = map[string]string{"code": "local", "message": r.Form.Get("reason") + " (local receiver)"}
	}
	body, _ := json.Marshal(ev)
	code, err := PostCustom(r.Context(), channel.WebhookURL(rc.base, custom.Kind.WebhookPath, ch.ID), ch.Secrets[custom.SecretSigning], body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	rc.mu.Lock()
	h.Status = status
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"externalId": h.ExternalID, "status": status, "callbackStatus": code})
}

// PostCustom posts body to a custom channel's ingest URL signed with secret, as an integrator
// does, and returns the answer's status.
func PostCustom(ctx context.Context, hook, secret string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if err := stdwebhook.Headers(req.Header, []string{secret}, "msg_"+randomHex(12), time.Now(), body); err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// CustomCurl is a shell command that posts a message event from person to a custom channel's
// ingest URL, signed at the moment it runs (openssl computes the Standard Webhooks signature),
// so that it works whenever it is pasted, not only within 5 minutes of being printed.
func CustomCurl(hook, secret, person, name, text string) string {
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, stdwebhook.SecretPrefix))
	body := fmt.Sprintf(`{"type":"message","id":"demo-'"$ts$$"'","from":{"id":"%s","name":"%s"},"text":"%s"}`, person, name, text)
	return `ts=$(date +%s); id=msg_$ts$$; body='` + body + `'; ` +
		`sig=$(printf '%s' "$id.$ts.$body" | openssl dgst -sha256 -mac HMAC -macopt hexkey:` + hex.EncodeToString(key) + ` -binary | base64); ` +
		`curl -sS -X POST '` + hook + `' -H 'Content-Type: application/json' -H "webhook-id: $id" -H "webhook-timestamp: $ts" -H "webhook-signature: v1,$sig" --data-binary "$body"`
}

var receiverPage = template.Must(template.New("receiver").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Local custom channel receiver</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}</style></head>
<body><h1>Local custom channel receiver</h1><p>What dispatch posted to custom channels' webhooks, signature checked. JSON: <a href="/_local/custom.json">/_local/custom.json</a>.
Send a status back: <code>curl -X POST localhost:3000/_local/custom/messages/&lt;externalId&gt;/status -d status=delivered</code>.</p>
<table><tr><th>When</th><th>Channel</th><th>External id</th><th>To</th><th>Text</th><th>Signature</th><th>Answer</th><th>Status</th></tr>
{{range .}}<tr><td>{{.At.Format "15:04:05"}}</td><td>{{.ChannelID}}</td><td>{{.ExternalID}}</td><td>{{.Event.To.ID}}</td><td>{{.Event.Text}}</td><td>{{if .Verified}}verified{{else}}BAD{{end}}</td><td>{{.Answer}}</td><td>{{.Status}}</td></tr>
{{end}}</table></body></html>`))

func (rc *receiver) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /_local/custom/{channelId}", rc.hook)
	mux.HandleFunc("POST /_local/custom/messages/{externalId}/status", rc.status)
	mux.HandleFunc("GET /_local/custom", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = receiverPage.Execute(w, rc.Hooks())
	})
	mux.HandleFunc("GET /_local/custom.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": rc.Hooks()})
	})
}
