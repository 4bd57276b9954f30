package intake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

// CustomRoutes are the routes the custom channel handler serves.
var CustomRoutes = []string{"POST /webhooks/custom/{channelId}"}

// MaxCustomBody is the largest event an integrator may post: a message with its metadata and
// attachment links (files travel by URL, not in the body).
const MaxCustomBody = 256 << 10

// NewCustom returns the handler of custom channels' ingest URL, POST /webhooks/custom/{channelId}:
// the integrator's messages and delivery statuses, signed the Standard Webhooks way with the
// channel's signing secret (or, during a rotation's overlap, the previous one). Answers: 202
// {"status":"queued"} once queued; 404 unknown channel; 401 missing, tampered, stale or
// wrong-secret signature (nothing queued); 400 a malformed event, naming the field; 413 body over
// MaxCustomBody; 503 when the queue refused (the integrator retries).
func NewCustom(c Config) http.Handler {
	r := chi.NewRouter()
	r.Post(custom.Kind.WebhookPath, c.custom)
	return r
}

// customEvent is what an integrator posts: a message from a person, or a status of a reply.
type customEvent struct {
	Type        string             `json:"type"`
	ID          string             `json:"id"`
	ThreadID    string             `json:"threadId"`
	From        *customPerson      `json:"from"`
	Text        string             `json:"text"`
	Attachments []customAttachment `json:"attachments"`
	Timestamp   *time.Time         `json:"timestamp"`
	Metadata    json.RawMessage    `json:"metadata"`
	MessageID   string             `json:"messageId"`
	Status      string             `json:"status"`
	Error       *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type customPerson struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

type customAttachment struct {
	URL         string `json:"url"`
	ContentType string `json:"contentType"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
}

func (c Config) custom(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ch, err := c.channel(ctx, chi.URLParam(r, "channelId"), inbox.ChannelCustom)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	body, err := readLimited(w, r, MaxCustomBody)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	now := c.Now()
	if _, _, err := stdwebhook.Verify(r.Header, body, custom.Secrets(ch, now), now); err != nil {
		if !inbox.IsCode(err, inbox.EUnauthorized) {
			// A secret that cannot be decoded is ours to fix, not the caller's.
			err = inbox.Wrap(err, inbox.EInternal, "the channel's signing secret is unusable")
		}
		c.fail(w, r, err)
		return
	}
	env, err := ParseCustom(ch, body, now)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.enqueue(ctx, ch, env); err != nil {
		c.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusAccepted, map[string]string{"status": "queued"})
}

// ParseCustom reads a verified custom channel event into an envelope, checked against the
// channel's settings (identifier type, threading, text length, attachments). It returns an
// EInvalid error naming the first field in error.
func ParseCustom(ch inbox.Channel, body []byte, now time.Time) (inbox.Envelope, error) {
	var ev customEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return inbox.Envelope{}, inbox.Wrap(err, inbox.EInvalid, "the body is not a custom channel event: "+err.Error())
	}
	switch ev.Type {
	case "message":
		return customMessage(ch, ev, now)
	case "status":
		return customStatus(ev)
	}
	return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "type must be message or status")
}

func customMessage(ch inbox.Channel, ev customEvent, now time.Time) (inbox.Envelope, error) {
	if err := customID("id", ev.ID); err != nil {
		return inbox.Envelope{}, err
	}
	if ev.From == nil {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "from is required")
	}
	env := inbox.Envelope{Kind: inbox.KindMessage, ProviderMessageID: ev.ID, Text: ev.Text}
	name := strings.TrimSpace(ev.From.Name)
	if utf8.RuneCountInString(name) > 200 {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "from.name has at most 200 characters")
	}
	env.From.Name = name
	switch ch.Settings[custom.SettingIdentifier] {
	case custom.IdentifierPhone:
		if !channel.IsE164(ev.From.ID) {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "from.id must be a phone number in E.164 form on this channel")
		}
		env.From.Phone = ev.From.ID
	case custom.IdentifierEmail:
		addr := strings.ToLower(strings.TrimSpace(ev.From.ID))
		if !isEmail(addr) {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "from.id must be an email address on this channel")
		}
		env.From.Email = addr
	default:
		if err := custom.CheckID(ev.From.ID); err != nil {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "from.id: %s", inbox.ErrorMessage(err))
		}
		env.From.PSID = ev.From.ID
	}
	if ch.Settings[custom.SettingThreading] == custom.ThreadByThread {
		if err := customID("threadId", ev.ThreadID); err != nil {
			return inbox.Envelope{}, err
		}
		env.Thread = ev.ThreadID
	}
	l := custom.LimitsOf(ch)
	if utf8.RuneCountInString(ev.Text) > l.MaxText {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "text has at most %d characters on this channel", l.MaxText)
	}
	var types []inbox.AttachmentType
	for i, a := range ev.Attachments {
		u, err := url.Parse(a.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(a.URL) > 2048 {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "attachments[%d].url must be an http(s) URL", i)
		}
		if a.ContentType == "" || len(a.ContentType) > 200 {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "attachments[%d].contentType is required", i)
		}
		if a.Size < 0 || a.Size > l.MaxAttachmentBytes {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "attachments[%d].size is over this channel's %d bytes", i, l.MaxAttachmentBytes)
		}
		t := inbox.AttachmentTypeOf(a.ContentType)
		types = append(types, t)
		env.Attachments = append(env.Attachments, inbox.Attachment{Type: t, URL: a.URL, ContentType: a.ContentType, Name: a.Name})
	}
	if err := l.CheckAttachments(types); err != nil {
		return inbox.Envelope{}, err
	}
	if channel.Blank(ev.Text) && len(ev.Attachments) == 0 {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "text or attachments are required")
	}
	if len(ev.Metadata) > 0 && string(ev.Metadata) != "null" {
		if len(ev.Metadata) > custom.MaxMetadata || ev.Metadata[0] != '{' {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "metadata must be a JSON object of at most %d bytes", custom.MaxMetadata)
		}
		var compact bytes.Buffer
		_ = json.Compact(&compact, ev.Metadata)
		env.Payload = compact.String()
	}
	env.ReceivedAt = now.UTC()
	if ev.Timestamp != nil {
		if ev.Timestamp.After(now.Add(stdwebhook.Tolerance)) {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "timestamp is in the future")
		}
		env.ReceivedAt = ev.Timestamp.UTC()
	}
	return env, nil
}

func customStatus(ev customEvent) (inbox.Envelope, error) {
	if err := customID("messageId", ev.MessageID); err != nil {
		return inbox.Envelope{}, err
	}
	u := &inbox.StatusUpdate{}
	switch ev.Status {
	case "sent":
		u.Status = inbox.MessageSent
	case "delivered":
		u.Status = inbox.MessageDelivered
	case "read":
		u.Status = inbox.MessageRead
	case "failed":
		u.Status = inbox.MessageFailed
		if ev.Error == nil || channel.Blank(ev.Error.Message) {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "a failed status needs error.message, the reason")
		}
		u.ErrorCode, u.ErrorMessage = truncate(ev.Error.Code, 100), truncate(ev.Error.Message, 1000)
	default:
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "status must be sent, delivered, read or failed")
	}
	// A status names no person, only the reply. Its FIFO group is the reply's (From is the
	// group's key): a reply's statuses stay in order, and one that waits for its reply to be
	// marked sent holds back no other conversation's.
	return inbox.Envelope{Kind: inbox.KindStatus, ProviderMessageID: ev.MessageID, Status: u,
		From: inbox.Sender{PSID: "status/" + ev.MessageID}}, nil
}

// customID checks an integrator's id: 1 to 256 characters without spaces.
func customID(field, id string) error {
	if custom.CheckID(id) != nil {
		return inbox.Errorf(inbox.EInvalid, "%s is required: 1 to 256 characters without spaces", field)
	}
	return nil
}

func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(s, " <>\t\r\n") && len(s) <= 254
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
