package inbox

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"slices"
	"strings"
	"time"
)

// Role is what a user may do in an account.
type Role string

// Roles. Admins manage inboxes and channels; agents work conversations.
const (
	RoleAdmin Role = "admin"
	RoleAgent Role = "agent"
)

// Principal is the authenticated caller of the API, taken from the JWT claims.
type Principal struct {
	AccountID string
	UserID    string
	Role      Role
	// Name, GivenName and FamilyName come from the token's standard claims, when present.
	Name       string
	GivenName  string
	FamilyName string
}

// Inbox groups the channels a team answers together.
type Inbox struct {
	AccountID string    `json:"-"`
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// ChannelType names a kind of channel.
type ChannelType string

// Channel types.
const (
	ChannelSMS       ChannelType = "sms"
	ChannelMessenger ChannelType = "messenger"
	ChannelWhatsApp  ChannelType = "whatsapp"
	ChannelEmail     ChannelType = "email"
	ChannelCustom    ChannelType = "custom"
	ChannelForm      ChannelType = "form"
	// ChannelVoice is a Twilio number taking phone calls (it may be an SMS channel's number too).
	ChannelVoice ChannelType = "voice"
	// ChannelChat is a website chat widget.
	ChannelChat ChannelType = "chat"
)

// Secret names of a channel. Secret values are kept sealed at rest and never returned by the API.
const (
	SecretTwilioAuthToken = "twilioAuthToken"
	// SecretPageAccessToken is a Messenger page's access token for the Send API.
	SecretPageAccessToken = "pageAccessToken"
	// SecretAccessToken is a WhatsApp Business system-user access token for the Cloud API.
	SecretAccessToken = "accessToken"
	// SecretAppSecret is the Meta app's secret, the key of X-Hub-Signature-256.
	SecretAppSecret = "appSecret"
)

// Channel is one connection of an inbox to a provider: a Twilio number, a Facebook page…
type Channel struct {
	AccountID string      `json:"-"`
	ID        string      `json:"id"`
	InboxID   string      `json:"inboxId"`
	Type      ChannelType `json:"type"`
	Name      string      `json:"name"`
	// ProviderKey identifies the channel at its provider (a phone number for SMS); one provider
	// key belongs to one channel in the whole deployment.
	ProviderKey string           `json:"-"`
	Twilio      *TwilioConfig    `json:"twilio,omitempty"`
	Messenger   *MessengerConfig `json:"messenger,omitempty"`
	WhatsApp    *WhatsAppConfig  `json:"whatsapp,omitempty"`
	Email       *EmailConfig     `json:"email,omitempty"`
	// Settings holds the public settings of channel kinds that have no typed config above: a
	// new kind keeps its settings here (its Settings func fills them), so that adding a channel
	// changes neither this type nor the store.
	Settings map[string]string `json:"settings,omitempty"`
	// Routing holds the channel's automation settings (assignment rules, tickets).
	Routing *RoutingRules `json:"routing,omitempty"`
	// Secrets holds the clear secrets in memory only; stores seal them at rest.
	Secrets   map[string]string `json:"-"`
	CreatedAt time.Time         `json:"createdAt"`
}

// TwilioConfig is the public part of a Twilio channel's settings.
type TwilioConfig struct {
	AccountSID  string `json:"accountSid"`
	PhoneNumber string `json:"phoneNumber"`
}

// MessengerConfig is the public part of a Facebook Page channel's settings.
type MessengerConfig struct {
	PageID string `json:"pageId"`
	// VerifyToken is what the Meta app dashboard sends back in the webhook handshake; it is
	// shown so that it can be pasted there.
	VerifyToken string `json:"verifyToken"`
}

// WhatsAppConfig is the public part of a WhatsApp Business number channel's settings.
type WhatsAppConfig struct {
	WABAID        string `json:"wabaId"`
	PhoneNumberID string `json:"phoneNumberId"`
	DisplayNumber string `json:"displayNumber"`
	VerifyToken   string `json:"verifyToken"`
}

// From-name modes of an email channel.
const (
	// FromNameAgentAndCompany shows "Ada Lovelace from Acme".
	FromNameAgentAndCompany = "agent_and_company"
	// FromNameCompany shows the company text only.
	FromNameCompany = "company"
)

// EmailConfig is a team email channel's settings.
type EmailConfig struct {
	// Address is the team address customers write to (its domain verified in SES), or, for mail
	// hosted elsewhere, the address the user forwards to (then Forwarding is true and
	// ForwardingAddress is the generated address on the deployment's inbound domain).
	Address           string `json:"address"`
	Forwarding        bool   `json:"forwarding"`
	ForwardingAddress string `json:"forwardingAddress,omitempty"`
	// FromNameMode is FromNameAgentAndCompany or FromNameCompany; CompanyName is the company
	// text; FromAddress is the sending address (default Address).
	FromNameMode string `json:"fromNameMode"`
	CompanyName  string `json:"companyName"`
	FromAddress  string `json:"fromAddress"`
	// SignatureHTML is the team signature, sanitized, with the tokens {{agent.fullName}},
	// {{agent.firstName}} and {{agent.lastName}}.
	SignatureHTML string `json:"signatureHtml"`
	// ForwardedToOriginalSender logs a forwarded message to its original sender (default on).
	ForwardedToOriginalSender bool `json:"forwardedToOriginalSender"`
	// Language is the channel's own language (a catalogue tag; "" is the product's default):
	// the language of SignatureHTML, and of replies to contacts whose language is unknown.
	Language string `json:"language,omitempty"`
	// Translations are the team's texts in other languages, by language tag (the shape of a
	// chat's translations); a text missing there is the one above.
	Translations map[string]EmailTexts `json:"translations,omitempty"`
}

// EmailTexts are the team-written texts of an email channel in one language.
type EmailTexts struct {
	// SignatureHTML is EmailConfig.SignatureHTML in this language, sanitized, with the same
	// tokens.
	SignatureHTML string `json:"signatureHtml,omitempty"`
}

// SignatureFor is the signature of a reply to a contact reading lang: the team's translation
// into lang where it has one, else SignatureHTML.
func (e *EmailConfig) SignatureFor(lang string) string {
	if t, ok := e.Translations[lang]; ok && strings.TrimSpace(t.SignatureHTML) != "" {
		return t.SignatureHTML
	}
	return e.SignatureHTML
}

// Message flags.
const (
	FlagSpam      = "spam"
	FlagVirus     = "virus"
	FlagMalformed = "malformed"
	FlagAutoReply = "auto_reply"
	FlagBounce    = "bounce"
	FlagForwarded = "forwarded"
	// FlagUnverifiedSender marks mail whose From SES could not authenticate: DMARC failed, or
	// SPF or DKIM failed and neither passed. It never joins a verified contact or their threads.
	FlagUnverifiedSender = "unverified_sender"
	// FlagDMARCQuarantine marks unverified mail whose domain's DMARC policy asks receivers to
	// quarantine or reject what fails it: its conversation is held with status spam.
	FlagDMARCQuarantine = "dmarc_quarantine"
)

// Contact is a customer who wrote to the team.
type Contact struct {
	AccountID string `json:"-"`
	ID        string `json:"id"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	Email     string `json:"email"`
	// OwnerID is the user who owns the contact (contact-owner routing).
	OwnerID string `json:"ownerId,omitempty"`
	// PSID is the contact's page-scoped id on Messenger (with the page's id: PSIDs differ per page).
	PSID string `json:"psid,omitempty"`
	// Unverified marks the contact of mail whose sender SES could not authenticate
	// (FlagUnverifiedSender): a contact of its own, apart from the verified contact of the same
	// address, so that forged mail never reaches that contact's conversations.
	Unverified bool `json:"unverified,omitempty"`
	// Language is the catalogue tag ("da", "en") of the language the contact reads: the chat
	// widget's language when they last wrote, a form page's, or what an agent set through the
	// API; "" when unknown (replies then use the channel's default language).
	Language  string    `json:"language,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// ConversationStatus is open or closed.
type ConversationStatus string

// Conversation statuses.
const (
	StatusOpen   ConversationStatus = "open"
	StatusClosed ConversationStatus = "closed"
	// StatusSpam holds mail that SES judged spam or infected: stored, never routed.
	StatusSpam ConversationStatus = "spam"
)

// Conversation is a thread between a contact and the team on one channel.
type Conversation struct {
	AccountID     string             `json:"-"`
	ID            string             `json:"id"`
	InboxID       string             `json:"inboxId"`
	ChannelID     string             `json:"channelId"`
	ChannelType   ChannelType        `json:"channelType"`
	ContactID     string             `json:"contactId"`
	ContactName   string             `json:"contactName"`
	ContactPhone  string             `json:"contactPhone"`
	ContactEmail  string             `json:"contactEmail"`
	Status        ConversationStatus `json:"status"`
	AssigneeID    string             `json:"assigneeId"`
	LastMessageAt time.Time          `json:"lastMessageAt"`
	// LastInboundAt is when the contact last wrote: Meta's messaging windows run from it.
	LastInboundAt time.Time `json:"lastInboundAt"`
	Preview       string    `json:"preview"`
	// Subject is an email conversation's subject.
	Subject string `json:"subject,omitempty"`
	// TicketNotice says why the channel's rules opened no ticket for the conversation (the
	// contact is at its ticket limit); empty otherwise.
	TicketNotice string `json:"ticketNotice,omitempty"`
	// UnverifiedSender is set on a conversation opened by mail whose sender SES could not
	// authenticate (its contact is Unverified).
	UnverifiedSender bool      `json:"unverifiedSender,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	Version          int64     `json:"version"`
	// ThreadKey, when set, scopes the open-conversation marker to one thread: a contact can have
	// several open email threads in an inbox, one per subject.
	ThreadKey string `json:"-"`
	// Unrouted is set on a conversation opened to be routed that is in no assignee list yet
	// (the store's OpenConversationToRoute): its routing lists it.
	Unrouted bool `json:"-"`
	// ReadBy holds each user's read marker: the SortableTime of the contact's last message the
	// user has seen, or ReadMarkedUnread when the user marked the conversation unread.
	ReadBy ReadMarkers `json:"-"`
}

// ReadMarkedUnread is the read marker of a user who marked a conversation unread.
const ReadMarkedUnread = "-"

// ReadMarkers are users' read markers of a conversation, encoded in one string (so that a
// Conversation stays comparable): user, unit separator, marker, record separator, … sorted by user.
// User ids never hold control characters (CheckID).
type ReadMarkers string

// NewReadMarkers encodes markers by user.
func NewReadMarkers(byUser map[string]string) ReadMarkers {
	users := make([]string, 0, len(byUser))
	for u := range byUser {
		users = append(users, u)
	}
	slices.Sort(users)
	var b strings.Builder
	for _, u := range users {
		b.WriteString(u + "\x1f" + byUser[u] + "\x1e")
	}
	return ReadMarkers(b.String())
}

// ReadKey is the key user's read marker is stored under: 8 characters (48 bits) of a hash of
// the user id, a 36-character Cognito sub, so that each marker keeps the conversation item small
// (it is billed per started KB); two users of an account share a key with a chance of about one
// in 10^8 for 2,000 users. Markers stored under the whole user id before are still read (Of).
func ReadKey(user string) string {
	sum := sha256.Sum256([]byte(user))
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}

// Of is user's marker, and whether they have one: the one under ReadKey(user), else one stored
// under the user id itself (before ReadKey).
func (r ReadMarkers) Of(user string) (string, bool) {
	k := ReadKey(user)
	old, found := "", false
	for rec := range strings.SplitSeq(string(r), "\x1e") {
		u, mark, ok := strings.Cut(rec, "\x1f")
		switch {
		case ok && u == k:
			return mark, true
		case ok && u == user:
			old, found = mark, true
		}
	}
	return old, found
}

// UnreadFor says whether the conversation has something user has not read: they marked it
// unread, or the contact wrote after the last message they saw (never seen: unread as soon as
// the contact has written).
func (c Conversation) UnreadFor(user string) bool {
	mark, ok := c.ReadBy.Of(user)
	if mark == ReadMarkedUnread {
		return true
	}
	if c.LastInboundAt.IsZero() {
		return false
	}
	return !ok || mark < SortableTime(c.LastInboundAt)
}

// Direction of a message.
type Direction string

// Directions: in from the contact, out from the team.
const (
	DirectionIn  Direction = "in"
	DirectionOut Direction = "out"
	// DirectionNote is an internal note: written by an agent for the team, shown in the thread,
	// never sent to the contact (no channel sees it, visitors' APIs leave it out).
	DirectionNote Direction = "note"
)

// MessageStatus is where a message stands. Inbound messages are "received"; outbound ones move
// pending → sending → sent → delivered → read, or end in failed / undelivered.
type MessageStatus string

// Message statuses.
const (
	MessageReceived    MessageStatus = "received"
	MessagePending     MessageStatus = "pending"
	MessageSending     MessageStatus = "sending"
	MessageSent        MessageStatus = "sent"
	MessageDelivered   MessageStatus = "delivered"
	MessageRead        MessageStatus = "read"
	MessageFailed      MessageStatus = "failed"
	MessageUndelivered MessageStatus = "undelivered"
	// MessageStored is an internal note's status: it is stored and goes nowhere else.
	MessageStored MessageStatus = "stored"
)

// Rank orders delivery statuses so that a late callback never moves a message backwards.
// Terminal failures rank highest.
func (s MessageStatus) Rank() int {
	switch s {
	case MessagePending:
		return 1
	case MessageSending:
		return 2
	case MessageSent:
		return 3
	case MessageDelivered:
		return 4
	case MessageRead:
		return 5
	case MessageFailed, MessageUndelivered:
		return 6
	}
	return 0
}

// AttachmentType says what an attachment is.
type AttachmentType string

// Attachment types, as the channels name them.
const (
	AttachImage    AttachmentType = "image"
	AttachAudio    AttachmentType = "audio"
	AttachVideo    AttachmentType = "video"
	AttachFile     AttachmentType = "file"
	AttachSticker  AttachmentType = "sticker"
	AttachLocation AttachmentType = "location"
	AttachContacts AttachmentType = "contacts"
	AttachFallback AttachmentType = "fallback"
)

// MediaStatus is where an inbound media file stands: the provider's copy is fetched into our
// bucket off the intake path.
type MediaStatus string

// Media statuses.
const (
	MediaPending MediaStatus = "pending"
	MediaStored  MediaStatus = "stored"
	MediaFailed  MediaStatus = "failed"
)

// Attachment is a file, place or card carried by a message.
type Attachment struct {
	Type        AttachmentType `json:"type,omitempty"`
	URL         string         `json:"url"`
	ContentType string         `json:"contentType"`
	// MediaID is the provider's media id (WhatsApp), to fetch the file from the Graph API.
	MediaID string `json:"mediaId,omitempty"`
	Name    string `json:"name,omitempty"`
	Caption string `json:"caption,omitempty"`
	// Size is the file's size in bytes, when known (files visitors and agents upload).
	Size int64 `json:"size,omitempty"`
	// Latitude and Longitude are set for locations; Title/Address may be in Name/Caption.
	Latitude  float64 `json:"latitude,omitempty"`
	Longitude float64 `json:"longitude,omitempty"`
	// Data holds small structured content (shared contacts as JSON).
	Data string `json:"data,omitempty"`
	// MediaStatus and StorageKey track the copy of provider media in our bucket.
	MediaStatus MediaStatus `json:"mediaStatus,omitempty"`
	// StorageKey is where our copy is in the media bucket; it travels in envelopes but the API
	// never shows it (agents get a short-lived link instead).
	StorageKey string `json:"storageKey,omitempty"`
	MediaError string `json:"mediaError,omitempty"`
}

// ProviderError is the reason a provider gave for not delivering a message.
type ProviderError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// TextNotDelivered is the error of a reply whose text, sent as a message of its own before the
// reply's file, the provider reported failed: e's (nil when the report gave none), saying that it
// was the text.
func TextNotDelivered(e *ProviderError) *ProviderError {
	out := ProviderError{Message: "the text was not delivered"}
	if e != nil {
		out = *e
		out.Message = "the text was not delivered: " + e.Message
	}
	return &out
}

// Message is one message of a conversation.
type Message struct {
	AccountID      string        `json:"-"`
	ConversationID string        `json:"conversationId"`
	ID             string        `json:"id"`
	Direction      Direction     `json:"direction"`
	Text           string        `json:"text"`
	Attachments    []Attachment  `json:"attachments"`
	CreatedAt      time.Time     `json:"createdAt"`
	Status         MessageStatus `json:"status"`
	AuthorID       string        `json:"authorId,omitempty"`
	// Payload is the machine part of a button press: a postback or quick reply payload, or an
	// interactive button / list row id.
	Payload string `json:"payload,omitempty"`
	// ReplyTo is the provider id of the message this one answers or reacts to.
	ReplyTo string `json:"replyTo,omitempty"`
	// Reaction is the emoji of a reaction message ("" removes a reaction).
	Reaction *string `json:"reaction,omitempty"`
	// Template is an approved WhatsApp template sent as this message.
	Template   *Template `json:"template,omitempty"`
	ProviderID string    `json:"providerId,omitempty"`
	// PartIDs are the provider's ids of the parts already sent of a reply that goes to the
	// provider as several messages (a Messenger text and its file; a WhatsApp text and its
	// audio), in order, the last part excepted: its id is ProviderID. The dispatcher records each
	// before sending the next, so that a retry resumes after them instead of sending them again.
	PartIDs   []string       `json:"partIds,omitempty"`
	Error     *ProviderError `json:"error,omitempty"`
	UpdatedAt time.Time      `json:"updatedAt"`
	// Subject and HTML (sanitized) are set on email messages; ProviderID is then the RFC 5322
	// Message-ID (without angle brackets).
	Subject string `json:"subject,omitempty"`
	HTML    string `json:"html,omitempty"`
	// Flags mark spam, virus, malformed, auto-reply, bounce, forwarded and unverified-sender
	// messages.
	Flags []string `json:"flags,omitempty"`
	// AuthorName is the sending agent's name, for email From names and signatures.
	AuthorName string `json:"authorName,omitempty"`
	// Call is set on the message logging a phone call.
	Call *Call `json:"call,omitempty"`
}

// Template is an approved WhatsApp message template with its body parameters.
type Template struct {
	Name       string   `json:"name"`
	Language   string   `json:"language"`
	Parameters []string `json:"parameters,omitempty"`
}

// TemplateInfo is an approved WhatsApp message template as an agent picks it: its name and
// language (what a Template names), its category, the texts of its header, body and footer, and
// how many body parameters ({{1}}…{{n}}) it takes.
type TemplateInfo struct {
	Name       string `json:"name"`
	Language   string `json:"language"`
	Category   string `json:"category,omitempty"`
	Header     string `json:"header,omitempty"`
	Body       string `json:"body"`
	Footer     string `json:"footer,omitempty"`
	Parameters int    `json:"parameters"`
}

// PreviewMaxBytes is the most a preview takes in UTF-8: the lists show one line of it, and the
// conversation item, which holds it, must stay under 1 KB (DynamoDB bills a write per started
// KB of the item): 100 bytes are 100 characters of Latin text, a third as many of Chinese.
const PreviewMaxBytes = 100

// Preview is the text shown for a conversation in lists: the first line of the message, at most
// PreviewMaxBytes (cut at a character, "…" included), or the kind of attachment when there is no
// text.
func (m Message) Preview() string {
	t := strings.TrimSpace(m.Text)
	if t == "" && m.Reaction != nil {
		return "reacted " + *m.Reaction
	}
	if t == "" && m.Template != nil {
		return "[template " + m.Template.Name + "]"
	}
	if t == "" && len(m.Attachments) > 0 {
		a := m.Attachments[0]
		if a.Type != "" {
			return "[" + string(a.Type) + "]"
		}
		return "[" + a.ContentType + "]"
	}
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		t = t[:i]
	}
	return capBytes(t, PreviewMaxBytes)
}

// capBytes returns t when it has at most n bytes, else its longest prefix of whole characters
// that leaves room for "…", and "…".
func capBytes(t string, n int) string {
	if len(t) <= n {
		return t
	}
	const ellipsis = "…"
	cut := 0
	for i := range t {
		if i > n-len(ellipsis) {
			break
		}
		cut = i
	}
	return t[:cut] + ellipsis
}

// NewID returns a random 128-bit identifier in hex. Services take an id generator so that tests
// can be deterministic; this is the production one.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// MessageID returns an identifier that sorts by time: a fixed-width UTC timestamp with
// microseconds, then (up to 8 characters of) a random suffix, so that the messages of a
// conversation come back in order.
func MessageID(t time.Time, random string) string {
	if len(random) > 8 {
		random = random[:8]
	}
	return t.UTC().Format("20060102T150405.000000Z") + "-" + random
}

// SortableTime formats t for use in sort keys: fixed width, UTC, lexicographic = chronological.
func SortableTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// SendError is a provider's refusal to send a message. Temporary ones (rate limits, outages,
// network errors) are retried by the outbound queue; others fail the message with this reason.
type SendError struct {
	Code      string
	Message   string
	Temporary bool
}

// Error implements error.
func (e *SendError) Error() string {
	return "provider error " + e.Code + ": " + e.Message
}

// AttachmentTypeOf is the attachment type of a media type: image, audio, video, else file.
func AttachmentTypeOf(contentType string) AttachmentType {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.HasPrefix(mt, "image/"):
		return AttachImage
	case strings.HasPrefix(mt, "audio/"):
		return AttachAudio
	case strings.HasPrefix(mt, "video/"):
		return AttachVideo
	}
	return AttachFile
}

// ValidClientID reports whether id is 1 to 64 of A-Z a-z 0-9 _ -: the ids handed to clients
// (upload ids) and taken from them (a chat message's clientMessageId), checked before they
// become part of a key. A loop, not a regexp: `^[A-Za-z0-9_-]{1,64}$` compiles to 64 copies of
// the class (860 allocations) at the package init of every function linking it.
func ValidClientID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
