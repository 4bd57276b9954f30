// Package customhook sends replies of custom channels: each message is posted as JSON to the
// integrator's webhook URL, signed the Standard Webhooks way (package stdwebhook) with the
// channel's signing secret, and with the previous one too while a rotation's overlap lasts.
package customhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

// Sender posts replies to custom channels' webhooks.
type Sender struct {
	client *http.Client
	now    func() time.Time
}

// NewSender returns a Sender posting through client (give it a timeout) at the time now gives.
func NewSender(client *http.Client, now func() time.Time) *Sender {
	return &Sender{client: client, now: now}
}

// Event is what the integrator's webhook receives for a message to send.
type Event struct {
	Type           string          `json:"type"`
	ChannelID      string          `json:"channelId"`
	ConversationID string          `json:"conversationId"`
	MessageID      string          `json:"messageId"`
	ThreadID       string          `json:"threadId,omitempty"`
	To             Person          `json:"to"`
	Text           string          `json:"text,omitempty"`
	Attachments    []Attachment    `json:"attachments,omitempty"`
	Metadata       json.RawMessage `json:"metadata,omitempty"`
	Author         *Person         `json:"author,omitempty"`
	CreatedAt      time.Time       `json:"createdAt"`
}

// Person is the recipient (by the channel's identifier) or the agent who wrote.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Attachment is a file of a reply, at a short-lived link.
type Attachment struct {
	Type        inbox.AttachmentType `json:"type"`
	URL         string               `json:"url"`
	ContentType string               `json:"contentType,omitempty"`
	Name        string               `json:"name,omitempty"`
}

// answer is what the integrator may answer: the app's own id of the message.
type answer struct {
	ID string `json:"id"`
}

// Send posts m to the channel's webhook and returns the app's id of the message when the 2xx
// answer carries one ({"id": …}), else the inbox's message id: delivery statuses name the
// message by it.
//
// Errors (*inbox.SendError): temporary for network errors, timeouts, 408, 429 and 5xx answers;
// final for other answers (the reason holds the HTTP status and the start of the body), for a
// channel without a webhook URL or signing secret, and for a contact without the channel's
// identifier.
func (s *Sender) Send(ctx context.Context, ch inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error) {
	hook := ch.Settings[custom.SettingWebhookURL]
	if !custom.IsWebhookURL(hook) {
		return "", &inbox.SendError{Code: "no_webhook", Message: "the channel has no webhook URL"}
	}
	to, err := recipient(ch, contact)
	if err != nil {
		return "", err
	}
	ev := Event{Type: "message", ChannelID: ch.ID, ConversationID: conv.ID, MessageID: m.ID,
		ThreadID: inbox.ProviderThread(conv), To: to, Text: m.Text, CreatedAt: m.CreatedAt.UTC()}
	if m.Payload != "" {
		ev.Metadata = json.RawMessage(m.Payload)
	}
	if m.AuthorID != "" {
		ev.Author = &Person{ID: m.AuthorID, Name: m.AuthorName}
	}
	for _, a := range m.Attachments {
		ev.Attachments = append(ev.Attachments, Attachment{Type: a.Type, URL: a.URL, ContentType: a.ContentType, Name: a.Name})
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return "", &inbox.SendError{Code: "encode", Message: "the message could not be encoded"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return "", &inbox.SendError{Code: "no_webhook", Message: "the webhook URL is not usable"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "conversations-inbox")
	// The webhook id is the message's: the same on every retry, as the spec asks, so that the
	// integrator can drop a retry of a message it already has.
	if err := stdwebhook.Headers(req.Header, custom.Secrets(ch, s.now()), "msg_"+m.ID, s.now(), body); err != nil {
		return "", &inbox.SendError{Code: "no_secret", Message: "the channel's signing secret is unusable"}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", &inbox.SendError{Code: "unreachable", Message: "the webhook could not be reached", Temporary: true}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		var a answer
		if json.Unmarshal(data, &a) == nil && a.ID != "" && custom.CheckID(a.ID) == nil {
			return a.ID, nil
		}
		return m.ID, nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return "", &inbox.SendError{Code: fmt.Sprint(code), Message: reason(code, data), Temporary: true}
	default:
		return "", &inbox.SendError{Code: fmt.Sprint(code), Message: reason(code, data)}
	}
}

// recipient is the contact as the channel's identifier names them.
func recipient(ch inbox.Channel, c inbox.Contact) (Person, error) {
	p := Person{Name: c.Name}
	switch ch.Settings[custom.SettingIdentifier] {
	case custom.IdentifierPhone:
		p.ID = c.Phone
	case custom.IdentifierEmail:
		p.ID = c.Email
	default:
		p.ID = custom.PersonID(ch, c.PSID)
	}
	if p.ID == "" {
		return Person{}, &inbox.SendError{Code: "no_recipient", Message: "the contact has no address on this channel"}
	}
	return p, nil
}

// reason is the integrator's refusal as agents see it: the status and the start of the body.
func reason(code int, body []byte) string {
	text := strings.TrimSpace(string(body))
	if len([]rune(text)) > 300 {
		text = string([]rune(text)[:300]) + "…"
	}
	if text == "" {
		return fmt.Sprintf("the webhook answered HTTP %d", code)
	}
	return fmt.Sprintf("the webhook answered HTTP %d: %s", code, text)
}
