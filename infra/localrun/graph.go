package localrun

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/messenger"
	"github.com/openinbox/inbox/shared/channels/whatsapp"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/meta"
)

// Magic recipients the Graph stand-in refuses, as Meta would, so that failures can be tried:
// the Messenger PSID "1000000000000000" is unavailable (551), the PSID "1000000000000001" takes
// texts but no file (100/2018008, the file cannot be fetched), and the WhatsApp number
// 15005550001 cannot be delivered to (131026).
const (
	unavailablePSID       = "1000000000000000"
	noFilesPSID           = "1000000000000001"
	undeliverableWhatsApp = "15005550001"
)

// graph stands in for the Graph API: Messenger's Send API, WhatsApp's /messages, media URL
// lookup and download. It records what was sent in the outbox, with the exact JSON payload.
type graph struct {
	outbox *Outbox
	store  *dynamo.Store
	base   string
}

func graphError(w http.ResponseWriter, status, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "code": code, "fbtrace_id": "A" + randomHex(11),
	}})
}

// demoTemplates is the stand-in's answer to GET /{WABA-ID}/message_templates?status=APPROVED,
// in the WhatsApp Business Management API's format: one template in English and Danish with
// two body parameters, one without parameters, and one with named parameters (which the inbox
// cannot send, so the API leaves it out).
const demoTemplates = `{"data":[
{"name":"order_update","parameter_format":"POSITIONAL","language":"en_US","status":"APPROVED","category":"UTILITY","id":"900000000000001",
 "components":[{"type":"HEADER","format":"TEXT","text":"Your order"},{"type":"BODY","text":"Hi {{1}}, your order {{2}} has shipped.","example":{"body_text":[["Pablo","1042"]]}},{"type":"FOOTER","text":"Reply STOP to opt out"}]},
{"name":"order_update","parameter_format":"POSITIONAL","language":"da","status":"APPROVED","category":"UTILITY","id":"900000000000002",
 "components":[{"type":"BODY","text":"Hej {{1}}, din ordre {{2}} er sendt.","example":{"body_text":[["Pablo","1042"]]}}]},
{"name":"follow_up","parameter_format":"POSITIONAL","language":"en_US","status":"APPROVED","category":"UTILITY","id":"900000000000003",
 "components":[{"type":"BODY","text":"Hello again! We have an answer to your question: reply to this message to continue."}]},
{"name":"reservation_confirmation","parameter_format":"NAMED","language":"en_US","status":"APPROVED","category":"UTILITY","id":"900000000000004",
 "components":[{"type":"BODY","text":"Your reservation for {{number_of_guests}} on {{day}} is confirmed.","example":{"body_text_named_params":[{"param_name":"number_of_guests","example":"4"},{"param_name":"day","example":"Saturday"}]}}]}
],"paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"}}}`

// media is a tiny PNG served for every media id.
var media = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")

func (g *graph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, "/_local/graph"), "/")
	parts := strings.Split(rest, "/")
	// /_local/graph/cdn/{name}: a public file, as Messenger attachment URLs are.
	if r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "cdn" {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(media)
		return
	}
	// /_local/graph/media/{id}: the download URL of a WhatsApp media id (token required).
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") || len(r.Header.Get("Authorization")) < len("Bearer x") {
		graphError(w, http.StatusUnauthorized, 190, "OAuthException", "Invalid OAuth access token - Cannot parse access token")
		return
	}
	switch {
	case r.Method == http.MethodGet && len(parts) == 3 && parts[2] == "message_templates":
		// /_local/graph/v21.0/{waba}/message_templates: the demo's approved templates.
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, demoTemplates)
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "media":
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(media)
	case r.Method == http.MethodGet && len(parts) == 2:
		sum := sha256.Sum256(media)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"messaging_product": "whatsapp", "url": g.base + "/_local/graph/media/" + parts[1],
			"mime_type": "image/png", "sha256": hex.EncodeToString(sum[:]), "file_size": len(media), "id": parts[1],
		})
	case r.Method == http.MethodPost && len(parts) == 3 && parts[2] == "messages":
		g.send(w, r, parts[1])
	default:
		graphError(w, http.StatusBadRequest, 100, "GraphMethodException", "Unsupported request - method type: "+strings.ToLower(r.Method))
	}
}

func (g *graph) send(w http.ResponseWriter, r *http.Request, business string) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var msg struct {
		MessagingProduct string `json:"messaging_product"`
		To               string `json:"to"`
		Recipient        struct {
			ID string `json:"id"`
		} `json:"recipient"`
		Message struct {
			Attachment json.RawMessage `json:"attachment"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		graphError(w, http.StatusBadRequest, 100, "OAuthException", "(#100) The parameter body is not valid JSON")
		return
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	e := &OutboxEntry{At: time.Now().UTC(), Status: "sent", Payload: json.RawMessage(body), Business: business}
	w.Header().Set("Content-Type", "application/json")
	if msg.MessagingProduct == "whatsapp" {
		if msg.To == undeliverableWhatsApp {
			graphError(w, http.StatusBadRequest, 131026, "OAuthException", "(#131026) Message undeliverable")
			return
		}
		e.Channel, e.To, e.SID = inbox.ChannelWhatsApp, msg.To, "wamid.HBgL"+strings.ToUpper(hex.EncodeToString(b[:]))
		_ = json.NewEncoder(w).Encode(map[string]any{
			"messaging_product": "whatsapp", "contacts": []map[string]string{{"input": msg.To, "wa_id": msg.To}},
			"messages": []map[string]string{{"id": e.SID}},
		})
	} else {
		if msg.Recipient.ID == unavailablePSID {
			graphError(w, http.StatusBadRequest, 551, "OAuthException", "(#551) This person isn't available right now.")
			return
		}
		if msg.Recipient.ID == noFilesPSID && msg.Message.Attachment != nil {
			graphError(w, http.StatusBadRequest, 100, "OAuthException", "(#100) Failed to fetch the file from the url")
			return
		}
		e.Channel, e.To, e.SID = inbox.ChannelMessenger, msg.Recipient.ID, "m_"+hex.EncodeToString(b[:])
		_ = json.NewEncoder(w).Encode(map[string]any{"recipient_id": msg.Recipient.ID, "message_id": e.SID})
	}
	g.outbox.add(e)
}

// whatsappStatus posts WhatsApp's signed status webhook for outbox entry e, as Meta does when
// the message is delivered or read (or failed).
func whatsappStatus(r *Runner, w http.ResponseWriter, req *http.Request, e *OutboxEntry, status string) {
	ch, ok := r.graph.channel(w, req, inbox.ChannelWhatsApp, e)
	if !ok {
		return
	}
	st := map[string]any{"id": e.SID, "status": status, "timestamp": fmt.Sprint(time.Now().Unix()), "recipient_id": e.To}
	if status == "failed" {
		st["errors"] = []map[string]any{{"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable"}}
	}
	payload := map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": ch.WhatsApp.WABAID, "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]string{"display_phone_number": strings.TrimPrefix(ch.WhatsApp.DisplayNumber, "+"), "phone_number_id": ch.WhatsApp.PhoneNumberID},
			"statuses":          []any{st},
		}}},
	}}}
	r.graph.post(w, req, e, status, ch, channel.WebhookURL(r.graph.base, whatsapp.Kind.WebhookPath, ch.ID), payload)
}

// messengerStatus posts Messenger's signed delivery (or read) receipt for outbox entry e.
func messengerStatus(r *Runner, w http.ResponseWriter, req *http.Request, e *OutboxEntry, status string) {
	ch, ok := r.graph.channel(w, req, inbox.ChannelMessenger, e)
	if !ok {
		return
	}
	now := time.Now()
	event := map[string]any{"sender": map[string]string{"id": e.To}, "recipient": map[string]string{"id": ch.Messenger.PageID}, "timestamp": now.UnixMilli()}
	if status == "read" {
		event["read"] = map[string]any{"watermark": now.UnixMilli()}
	} else {
		event["delivery"] = map[string]any{"mids": []string{e.SID}, "watermark": now.UnixMilli()}
	}
	payload := map[string]any{"object": "page", "entry": []any{map[string]any{"id": ch.Messenger.PageID, "time": now.UnixMilli(), "messaging": []any{event}}}}
	r.graph.post(w, req, e, status, ch, channel.WebhookURL(r.graph.base, messenger.Kind.WebhookPath, ch.ID), payload)
}

// channel finds the channel of type t of the business an outbox entry was sent from; it answers
// 404 itself when there is none.
func (g *graph) channel(w http.ResponseWriter, r *http.Request, t inbox.ChannelType, e *OutboxEntry) (inbox.Channel, bool) {
	ch, err := g.store.ChannelByProviderKey(r.Context(), t, e.Business)
	if err != nil {
		http.Error(w, `{"error":{"code":"not_found","message":"no channel for this business"}}`, http.StatusNotFound)
		return inbox.Channel{}, false
	}
	return ch, true
}

// post sends payload to hook signed with ch's app secret, as Meta does, and marks e.
func (g *graph) post(w http.ResponseWriter, r *http.Request, e *OutboxEntry, status string, ch inbox.Channel, hook string, payload any) {
	body, _ := json.Marshal(payload)
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, hook, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(meta.SignatureHeader, meta.Sign(ch.Secrets[inbox.SecretAppSecret], body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = resp.Body.Close()
	g.outbox.setStatus(e, status)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": e.SID, "status": status, "callbackStatus": resp.StatusCode})
}
