package inbox

import (
	"strings"
	"time"
)

// EnvelopeVersion is the version of the inbound envelope this code writes. Readers accept this
// version and refuse newer ones (they go to the DLQ rather than being misread).
const EnvelopeVersion = 1

// EnvelopeKind says what an inbound envelope carries.
type EnvelopeKind string

// Envelope kinds.
const (
	// KindMessage is a message from the contact.
	KindMessage EnvelopeKind = "message"
	// KindEcho is a message the team sent from elsewhere (the page's own inbox, another tool):
	// recorded as outbound, never as the customer's.
	KindEcho EnvelopeKind = "echo"
	// KindStatus is a delivery report on outbound messages: by provider id, or up to a
	// watermark.
	KindStatus EnvelopeKind = "status"
	// KindCall is an event of a phone call (Call): the first one logs the call as a message of
	// the contact's conversation, the later ones update it.
	KindCall EnvelopeKind = "call"
)

// LoopHeader names, on every mail the inbox sends, the inbox message it carries: mail that
// comes back with it is ours and is dropped by the email intake.
const LoopHeader = "X-Inbox-Message-Id"

// EchoMarker starts the metadata the inbox attaches to the messages it sends where a platform
// echoes them back (Messenger's message_echoes): an echo whose Payload starts with it is one of
// our own replies, already stored, and is skipped.
const EchoMarker = "inbox:"

// Sender is who sent an inbound message, as the provider names them.
type Sender struct {
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
	// PSID is the page-scoped id of a Messenger user.
	PSID string `json:"psid,omitempty"`
	// Language is the catalogue tag of the language the sender wrote from (the chat widget's,
	// a form page's), "" when the channel does not know it: it becomes the contact's language.
	Language string `json:"language,omitempty"`
}

// StatusUpdate is a provider's report on an outbound message.
type StatusUpdate struct {
	Status       MessageStatus `json:"status"`
	ErrorCode    string        `json:"errorCode,omitempty"`
	ErrorMessage string        `json:"errorMessage,omitempty"`
	// Watermark, when set, applies the status to every outbound message of the contact's
	// conversation sent up to that instant (Messenger delivery and read receipts).
	Watermark time.Time `json:"watermark,omitempty"`
}

// Envelope is the normalized form in which every channel's intake hands an event to the router
// through the inbound queue. It is versioned (V) so that routers can be deployed before or after
// intakes.
type Envelope struct {
	V           int          `json:"v"`
	Kind        EnvelopeKind `json:"kind"`
	AccountID   string       `json:"accountId"`
	ChannelID   string       `json:"channelId"`
	ChannelType ChannelType  `json:"channelType"`
	// ProviderMessageID is the provider's id of the message the envelope is about (Twilio's
	// MessageSid): the key of exactly-once storage.
	ProviderMessageID string       `json:"providerMessageId"`
	From              Sender       `json:"from"`
	To                string       `json:"to,omitempty"`
	Text              string       `json:"text,omitempty"`
	Attachments       []Attachment `json:"attachments,omitempty"`
	Payload           string       `json:"payload,omitempty"`
	// Email: Subject, sanitized HTML, the threading ids (without angle brackets), the reply
	// token found in a plus-addressed recipient, flags, and the S3 key of the raw message.
	Subject    string        `json:"subject,omitempty"`
	HTML       string        `json:"html,omitempty"`
	InReplyTo  []string      `json:"inReplyTo,omitempty"`
	References []string      `json:"references,omitempty"`
	ReplyToken string        `json:"replyToken,omitempty"`
	Flags      []string      `json:"flags,omitempty"`
	RawKey     string        `json:"rawKey,omitempty"`
	ReplyTo    string        `json:"replyTo,omitempty"`
	Reaction   *string       `json:"reaction,omitempty"`
	ReceivedAt time.Time     `json:"receivedAt"`
	Status     *StatusUpdate `json:"status,omitempty"`
	// Thread is the provider's own thread id, for channels that thread by it (custom channels
	// set to threading "thread"): each thread of a contact is its own conversation.
	Thread string     `json:"thread,omitempty"`
	Call   *CallEvent `json:"call,omitempty"`
}

// ContactAddress is the sender's address on the channel (phone, email…), the part of the
// conversation key that is known before the router has looked anything up.
func (e Envelope) ContactAddress() string {
	switch {
	case e.From.PSID != "":
		return e.From.PSID
	case e.From.Phone != "":
		return e.From.Phone
	}
	return strings.ToLower(e.From.Email)
}

// For echoes and watermark receipts, From is the contact (the recipient of the team's
// messages), so that they share the contact's message group.

// GroupKey is the FIFO message group of the envelope: every event between one contact address
// and one channel is processed in order, and different conversations in parallel.
func (e Envelope) GroupKey() string {
	return e.AccountID + "/" + e.ChannelID + "/" + e.ContactAddress()
}

// DedupKey is the FIFO deduplication id: the provider's own id of the event, so that a
// platform's retry within SQS's five-minute window is dropped by the queue itself.
func (e Envelope) DedupKey() string {
	key := string(e.Kind) + "/" + e.ChannelID + "/" + e.ProviderMessageID + statusSuffix(e.Status)
	if e.Call != nil {
		key += "/" + e.Call.Key()
	}
	return key
}

func statusSuffix(s *StatusUpdate) string {
	if s == nil {
		return ""
	}
	if !s.Watermark.IsZero() {
		return "/" + string(s.Status) + "/" + s.Watermark.UTC().Format(time.RFC3339Nano)
	}
	return "/" + string(s.Status)
}

// Validate reports an EInvalid error when a required field is missing or the version is
// unknown.
func (e Envelope) Validate() error {
	switch {
	case e.V != EnvelopeVersion:
		return Errorf(EInvalid, "unsupported envelope version %d", e.V)
	case e.AccountID == "" || e.ChannelID == "":
		return Errorf(EInvalid, "envelope without account or channel")
	case e.ProviderMessageID == "" && !(e.Kind == KindStatus && e.Status != nil && !e.Status.Watermark.IsZero()):
		return Errorf(EInvalid, "envelope without provider message id")
	case (e.Kind == KindMessage || e.Kind == KindEcho) && e.ContactAddress() == "":
		return Errorf(EInvalid, "message envelope without sender")
	case e.Kind == KindStatus && e.Status == nil:
		return Errorf(EInvalid, "status envelope without status")
	case e.Kind == KindStatus && !e.Status.Watermark.IsZero() && e.ContactAddress() == "":
		return Errorf(EInvalid, "watermark status without contact")
	case e.Kind == KindCall && (e.Call == nil || e.ContactAddress() == ""):
		return Errorf(EInvalid, "call envelope without call or contact")
	case e.Kind != KindMessage && e.Kind != KindStatus && e.Kind != KindEcho && e.Kind != KindCall:
		return Errorf(EInvalid, "unknown envelope kind %q", e.Kind)
	}
	return nil
}

// OutboundJob asks the dispatch function to send one stored outbound message.
type OutboundJob struct {
	V              int    `json:"v"`
	AccountID      string `json:"accountId"`
	ConversationID string `json:"conversationId"`
	MessageID      string `json:"messageId"`
	// Retry is set on the job of an agent's retry of a failed reply (the retry's time): the
	// same message queued again must not be taken for a double enqueue of the first job.
	Retry string `json:"retry,omitempty"`
}

// GroupKey keeps the replies of one conversation in order.
func (j OutboundJob) GroupKey() string { return j.AccountID + "/" + j.ConversationID }

// DedupKey makes a double enqueue of the same reply (or of the same retry) a no-op.
func (j OutboundJob) DedupKey() string {
	if j.Retry != "" {
		return j.MessageID + "/retry/" + j.Retry
	}
	return j.MessageID
}

// ProviderThreadKey is the conversation thread key (Conversation.ThreadKey) of a provider's
// thread id; ProviderThread reverses it.
func ProviderThreadKey(thread string) string { return providerThreadPrefix + thread }

// ProviderThread is the provider's thread id of a conversation ("" when it threads otherwise).
func ProviderThread(c Conversation) string {
	if t, ok := strings.CutPrefix(c.ThreadKey, providerThreadPrefix); ok {
		return t
	}
	return ""
}

const providerThreadPrefix = "thread/"
