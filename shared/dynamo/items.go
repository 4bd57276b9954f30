package dynamo

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/dynamodb/attributevalue"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// The item structs below are the stored form of the domain types. Their dynamodbav tags are
// the attribute names of the table; the domain types carry no storage tags.

type inboxItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	AccountID string    `dynamodbav:"accountId"`
	ID        string    `dynamodbav:"id"`
	Name      string    `dynamodbav:"name"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
}

func newInboxItem(ib inbox.Inbox) inboxItem {
	return inboxItem{
		PK: accountPK(ib.AccountID), SK: inboxSK(ib.ID),
		AccountID: ib.AccountID, ID: ib.ID, Name: ib.Name, CreatedAt: ib.CreatedAt.UTC(),
	}
}

func (it inboxItem) domain() inbox.Inbox {
	return inbox.Inbox{AccountID: it.AccountID, ID: it.ID, Name: it.Name, CreatedAt: it.CreatedAt}
}

type twilioItem struct {
	AccountSID  string `dynamodbav:"accountSid"`
	PhoneNumber string `dynamodbav:"phoneNumber"`
}

type messengerItem struct {
	PageID      string `dynamodbav:"pageId"`
	VerifyToken string `dynamodbav:"verifyToken"`
}

type whatsAppItem struct {
	WABAID        string `dynamodbav:"wabaId"`
	PhoneNumberID string `dynamodbav:"phoneNumberId"`
	DisplayNumber string `dynamodbav:"displayNumber"`
	VerifyToken   string `dynamodbav:"verifyToken"`
}

type channelItem struct {
	PK          string         `dynamodbav:"pk"`
	SK          string         `dynamodbav:"sk"`
	GSI1PK      string         `dynamodbav:"gsi1pk"`
	GSI1SK      string         `dynamodbav:"gsi1sk"`
	AccountID   string         `dynamodbav:"accountId"`
	ID          string         `dynamodbav:"id"`
	InboxID     string         `dynamodbav:"inboxId"`
	Type        string         `dynamodbav:"channelType"`
	Name        string         `dynamodbav:"name"`
	ProviderKey string         `dynamodbav:"providerKey"`
	Twilio      *twilioItem    `dynamodbav:"twilio,omitempty"`
	Messenger   *messengerItem `dynamodbav:"messenger,omitempty"`
	WhatsApp    *whatsAppItem  `dynamodbav:"whatsapp,omitempty"`
	Email       *emailItem     `dynamodbav:"email,omitempty"`
	// Settings holds the public settings of kinds without a typed config (inbox.Channel.Settings).
	Settings map[string]string `dynamodbav:"settings,omitempty"`
	// Routing is the channel's routing rules, written by SetRoutingRules only.
	Routing *routingItem `dynamodbav:"routing,omitempty"`
	// RoutingRev counts SetRoutingRules writes, so that UpdateChannel, which rewrites the whole
	// item with the rules it read, never puts back rules replaced meanwhile.
	RoutingRev int64 `dynamodbav:"routingRev,omitempty"`
	// Secrets is the sealed JSON of the channel's secrets, never the clear values.
	Secrets   []byte    `dynamodbav:"secrets,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
}

type emailItem struct {
	Address                   string `dynamodbav:"address"`
	Forwarding                bool   `dynamodbav:"forwarding"`
	ForwardingAddress         string `dynamodbav:"forwardingAddress,omitempty"`
	FromNameMode              string `dynamodbav:"fromNameMode"`
	CompanyName               string `dynamodbav:"companyName"`
	FromAddress               string `dynamodbav:"fromAddress"`
	SignatureHTML             string `dynamodbav:"signatureHtml"`
	ForwardedToOriginalSender bool   `dynamodbav:"forwardedToOriginalSender"`
	// Language is inbox.EmailConfig.Language; Signatures the SignatureHTML of each of its
	// Translations, by language.
	Language   string            `dynamodbav:"language,omitempty"`
	Signatures map[string]string `dynamodbav:"signatures,omitempty"`
}

// emailItemOf is the stored form of an email channel's settings.
func emailItemOf(e *inbox.EmailConfig) *emailItem {
	it := &emailItem{Address: e.Address, Forwarding: e.Forwarding, ForwardingAddress: e.ForwardingAddress,
		FromNameMode: e.FromNameMode, CompanyName: e.CompanyName, FromAddress: e.FromAddress,
		SignatureHTML: e.SignatureHTML, ForwardedToOriginalSender: e.ForwardedToOriginalSender, Language: e.Language}
	for lang, t := range e.Translations {
		if it.Signatures == nil {
			it.Signatures = map[string]string{}
		}
		it.Signatures[lang] = t.SignatureHTML
	}
	return it
}

// domain is the email channel's settings stored as it.
func (it *emailItem) domain() *inbox.EmailConfig {
	e := &inbox.EmailConfig{Address: it.Address, Forwarding: it.Forwarding, ForwardingAddress: it.ForwardingAddress,
		FromNameMode: it.FromNameMode, CompanyName: it.CompanyName, FromAddress: it.FromAddress,
		SignatureHTML: it.SignatureHTML, ForwardedToOriginalSender: it.ForwardedToOriginalSender, Language: it.Language}
	for lang, sig := range it.Signatures {
		if e.Translations == nil {
			e.Translations = map[string]inbox.EmailTexts{}
		}
		e.Translations[lang] = inbox.EmailTexts{SignatureHTML: sig}
	}
	return e
}

type providerKeyItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	AccountID string `dynamodbav:"accountId"`
	ChannelID string `dynamodbav:"channelId"`
}

type contactItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	AccountID string    `dynamodbav:"accountId"`
	ID        string    `dynamodbav:"id"`
	Name      string    `dynamodbav:"name"`
	Phone     string    `dynamodbav:"phone"`
	Email     string    `dynamodbav:"email"`
	PSID      string    `dynamodbav:"psid,omitempty"`
	OwnerID   string    `dynamodbav:"ownerId,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	// TicketCount is how many tickets the contact has, kept by CreateTicket.
	TicketCount int `dynamodbav:"ticketCount,omitempty"`
	// Unverified marks the contact of unauthenticated mail (inbox.Contact.Unverified).
	Unverified bool `dynamodbav:"unverified,omitempty"`
	// Language is inbox.Contact.Language.
	Language string `dynamodbav:"language,omitempty"`
}

func newContactItem(c inbox.Contact) contactItem {
	return contactItem{
		PK: contactPK(c.AccountID, c.ID), SK: skContact,
		AccountID: c.AccountID, ID: c.ID, Name: c.Name, Phone: c.Phone, Email: c.Email,
		PSID: c.PSID, OwnerID: c.OwnerID, Unverified: c.Unverified, Language: c.Language, CreatedAt: c.CreatedAt.UTC(),
	}
}

func (it contactItem) domain() inbox.Contact {
	return inbox.Contact{
		AccountID: it.AccountID, ID: it.ID, Name: it.Name, Phone: it.Phone, Email: it.Email,
		PSID: it.PSID, OwnerID: it.OwnerID, Unverified: it.Unverified, Language: it.Language, CreatedAt: it.CreatedAt,
	}
}

// lookupItem maps a contact's address (phone, email or page-scoped id) to the contact.
type lookupItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	ContactID string `dynamodbav:"contactId"`
	// Named, Language and the attributes open#{inboxId} are SetOpenHint's hints for
	// InboundState.
	Named    bool   `dynamodbav:"named,omitempty"`
	Language string `dynamodbav:"language,omitempty"`
	// FirstConv is the conversation the contact was created with (CreateContact's hint), which
	// is written without an entry in gsi5: search finds it here. Never changed.
	FirstConv string `dynamodbav:"firstConv,omitempty"`
}

// conversationItem is the stored conversation. Every write of a conversation is billed per
// started KB of the item, so it is kept small (issue #10; TestConversationItemSize): the account
// and conversation ids are read from the key, not stored again; the names of the attributes no
// condition or index names are short; the last message's time is its sortable form (lastSort,
// to the microsecond) and the nanoseconds past it (lmn); the contact's last message's time is
// compactTime's 13 characters (lis), which each read marker copies, under the user's 8-character
// key (inbox.ReadKey). Items written before (with accountId, id, channelId, channelType,
// contactName, contactPhone, contactEmail, lastMessageAt, lastInboundAt, lastInboundSort,
// preview, createdAt, markers under user ids) read the same: the Old fields hold those
// attributes, and every later write of one of them writes the new form and removes the old
// (touchConversation, SetRead).
type conversationItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	// GSI2PK (assignee), GSI3PK (status) and GSI4PK (inbox) are the conversation's lists; LSK
	// their shared sort key (listSK); LastSort the exact time of the last message, which only
	// moves forward. GSI2PK is absent from a conversation opened to be routed
	// (OpenConversationToRoute) until its routing lists it.
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI3PK string `dynamodbav:"gsi3pk"`
	GSI4PK string `dynamodbav:"gsi4pk"`
	LSK    string `dynamodbav:"lsk"`
	// GSI5PK and GSI5SK list the conversation among its contact's (gsi5, name search): set
	// when it is written first, never changed, so that later writes never write the index.
	GSI5PK   string `dynamodbav:"gsi5pk,omitempty"`
	GSI5SK   string `dynamodbav:"gsi5sk,omitempty"`
	LastSort string `dynamodbav:"lastSort"`
	// LastNanos is the nanoseconds of the last message's time past LastSort's microsecond.
	LastNanos int `dynamodbav:"lmn,omitempty"`
	// InboxID keeps its name: gsi2 projects it (template.yaml).
	InboxID string `dynamodbav:"inboxId"`
	// ContactID keeps its name: CreateTicket's condition names it.
	ContactID    string `dynamodbav:"contactId"`
	ChannelID    string `dynamodbav:"ch,omitempty"`
	ChannelType  string `dynamodbav:"ty,omitempty"`
	ContactName  string `dynamodbav:"cn,omitempty"`
	ContactPhone string `dynamodbav:"cp,omitempty"`
	ContactEmail string `dynamodbav:"ce,omitempty"`
	Status       string `dynamodbav:"status"`
	// AssigneeID is written when empty too: the assignment's conditions compare it with "".
	AssigneeID string `dynamodbav:"assigneeId"`
	// InboundSort is the time of the contact's last message (compactTime), which only moves
	// forward; absent until the contact writes. Read markers are copies of it (SetRead).
	InboundSort  string `dynamodbav:"lis,omitempty"`
	Preview      string `dynamodbav:"pv,omitempty"`
	Subject      string `dynamodbav:"subject,omitempty"`
	ThreadKey    string `dynamodbav:"threadKey,omitempty"`
	TicketNotice string `dynamodbav:"ticketNotice,omitempty"`
	// UnverifiedSender: opened by unauthenticated mail (inbox.Conversation.UnverifiedSender).
	UnverifiedSender bool `dynamodbav:"unverifiedSender,omitempty"`
	// WaitSK is the sort key of the conversation's waiting item, absent when it is not waiting.
	WaitSK string `dynamodbav:"waitSK,omitempty"`
	// CreatedAt is absent when GSI5SK holds the creation time (to the microsecond) and
	// CreatedNanos the nanoseconds past it.
	CreatedAt    *time.Time `dynamodbav:"ca,omitempty"`
	CreatedNanos int        `dynamodbav:"cns,omitempty"`
	Version      int64      `dynamodbav:"version"`
	// ReadBy is each user's read marker (SetRead); absent until someone reads.
	ReadBy map[string]string `dynamodbav:"readBy,omitempty"`

	// The attributes of items written before: read, never written.
	OldAccountID     string     `dynamodbav:"accountId,omitempty"`
	OldID            string     `dynamodbav:"id,omitempty"`
	OldChannelID     string     `dynamodbav:"channelId,omitempty"`
	OldChannelType   string     `dynamodbav:"channelType,omitempty"`
	OldContactName   string     `dynamodbav:"contactName,omitempty"`
	OldContactPhone  string     `dynamodbav:"contactPhone,omitempty"`
	OldContactEmail  string     `dynamodbav:"contactEmail,omitempty"`
	OldLastMessageAt *time.Time `dynamodbav:"lastMessageAt,omitempty"`
	OldLastInboundAt *time.Time `dynamodbav:"lastInboundAt,omitempty"`
	// OldInboundSort is SortableTime of the contact's last message (lastInboundAt, which items
	// written before hold beside it, is exact and wins).
	OldInboundSort string     `dynamodbav:"lastInboundSort,omitempty"`
	OldPreview     *string    `dynamodbav:"preview,omitempty"`
	OldCreatedAt   *time.Time `dynamodbav:"createdAt,omitempty"`
}

// Attribute names of a conversation item that its updates name, the new (short) ones and the
// ones of items written before, which an update of the value removes.
const (
	attrConvLastNanos        = "lmn"
	attrConvInboundSort      = "lis"
	attrConvPreview          = "pv"
	attrConvOldLastMessageAt = "lastMessageAt"
	attrConvOldLastInboundAt = "lastInboundAt"
	attrConvOldInboundSort   = "lastInboundSort"
	attrConvOldPreview       = "preview"
)

// compactTime is t as 13 base-36 digits of its Unix nanoseconds: it sorts as the time does (to
// the year 7000), in half the bytes of SortableTime, and is exact to the nanosecond. The time of
// the contact's last message and every read marker (a copy of it) are stored so. Times before
// 1970 (the zero time of a message without one) are all 13 zeros, which sort first.
func compactTime(t time.Time) string {
	if t.Before(time.Unix(0, 0)) {
		return strings.Repeat("0", compactTimeLen)
	}
	s := strconv.FormatInt(t.UnixNano(), 36)
	if len(s) < compactTimeLen {
		s = strings.Repeat("0", compactTimeLen-len(s)) + s
	}
	return s
}

const compactTimeLen = 13

// compactAt is the time compactTime made s of; the zero time when s is not one, or is 13 zeros.
func compactAt(s string) time.Time {
	n, err := strconv.ParseInt(s, 36, 64)
	if err != nil || len(s) != compactTimeLen || n <= 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// indexKeys are the partition keys of a conversation in its lists (gsi2..gsi4) and their
// shared sort key.
type indexKeys struct{ gsi2pk, gsi3pk, gsi4pk, sk string }

func convIndexKeys(c inbox.Conversation) indexKeys {
	return indexKeys{
		gsi2pk: convAssigneePK(c.AccountID, c.AssigneeID, c.Status),
		gsi3pk: convStatusPK(c.AccountID, c.Status),
		gsi4pk: convInboxPK(c.AccountID, c.InboxID, c.Status),
		sk:     listSK(listTime(c), c.ID),
	}
}

// subMicro is the nanoseconds of t past its microsecond, which SortableTime leaves out.
func subMicro(t time.Time) int { return t.Nanosecond() % 1000 }

// sortableAt is the time SortableTime(t) was made of, plus nanos; the zero time for "" and for
// what does not parse.
func sortableAt(s string, nanos int) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.000000Z", s)
	if err != nil || t.Equal(time.Time{}) {
		return time.Time{}
	}
	return t.Add(time.Duration(nanos))
}

func newConversationItem(c inbox.Conversation) conversationItem {
	k := convIndexKeys(c)
	created := c.CreatedAt.UTC()
	it := conversationItem{
		PK: convPK(c.AccountID, c.ID), SK: skConv,
		GSI2PK: k.gsi2pk, GSI3PK: k.gsi3pk, GSI4PK: k.gsi4pk, LSK: k.sk,
		LastSort: inbox.SortableTime(c.LastMessageAt), LastNanos: subMicro(c.LastMessageAt),
		InboxID: c.InboxID, ChannelID: c.ChannelID,
		ChannelType: string(c.ChannelType), ContactID: c.ContactID, ContactName: c.ContactName,
		ContactPhone: c.ContactPhone, ContactEmail: c.ContactEmail, Status: string(c.Status),
		AssigneeID: c.AssigneeID, Preview: c.Preview,
		Subject: c.Subject, ThreadKey: c.ThreadKey, TicketNotice: c.TicketNotice, CreatedAt: &created, Version: c.Version,
		UnverifiedSender: c.UnverifiedSender,
	}
	if !c.LastInboundAt.IsZero() {
		it.InboundSort = compactTime(c.LastInboundAt)
	}
	if c.ContactID != "" {
		it.GSI5PK, it.GSI5SK = contactConvsPK(c.AccountID, c.ContactID), inbox.SortableTime(c.CreatedAt)+"#"+c.ID
		it.CreatedAt, it.CreatedNanos = nil, subMicro(created)
	}
	return it
}

// unlisted returns it without its entry in gsi5 when first: the conversation its contact was
// created with, which the contact's lookup item and name words name instead (FirstConv).
func (it conversationItem) unlisted(first bool) conversationItem {
	if first {
		if it.CreatedAt == nil {
			created := it.createdFromGSI5()
			it.CreatedAt, it.CreatedNanos = &created, 0
		}
		it.GSI5PK, it.GSI5SK = "", ""
	}
	return it
}

// createdFromGSI5 is the creation time that GSI5SK ({SortableTime(createdAt)}#{convId}) and
// CreatedNanos hold; the zero time without GSI5SK.
func (it conversationItem) createdFromGSI5() time.Time {
	at, _, ok := strings.Cut(it.GSI5SK, "#")
	if !ok {
		return time.Time{}
	}
	return sortableAt(at, it.CreatedNanos)
}

// or is s, or old when s is empty (the attribute of an item written before).
func or(s, old string) string {
	if s != "" {
		return s
	}
	return old
}

func (it conversationItem) domain() inbox.Conversation {
	acct, id := convKeyIDs(it.PK)
	c := inbox.Conversation{
		AccountID: or(acct, it.OldAccountID), ID: or(id, it.OldID), InboxID: it.InboxID,
		ChannelID: or(it.ChannelID, it.OldChannelID), ChannelType: inbox.ChannelType(or(it.ChannelType, it.OldChannelType)),
		ContactID: it.ContactID, ContactName: or(it.ContactName, it.OldContactName),
		ContactPhone: or(it.ContactPhone, it.OldContactPhone), ContactEmail: or(it.ContactEmail, it.OldContactEmail),
		Status: inbox.ConversationStatus(it.Status), AssigneeID: it.AssigneeID,
		LastMessageAt: sortableAt(it.LastSort, it.LastNanos), Preview: it.Preview,
		Version: it.Version, Subject: it.Subject, ThreadKey: it.ThreadKey, TicketNotice: it.TicketNotice,
		UnverifiedSender: it.UnverifiedSender, Unrouted: it.GSI2PK == "",
	}
	// The attributes of an item written before win: a write of the new form removes them.
	if it.OldLastMessageAt != nil {
		c.LastMessageAt = *it.OldLastMessageAt
	}
	switch {
	case it.OldLastInboundAt != nil:
		c.LastInboundAt = *it.OldLastInboundAt
	case it.InboundSort != "":
		c.LastInboundAt = compactAt(it.InboundSort)
	case it.OldInboundSort != "":
		c.LastInboundAt = sortableAt(it.OldInboundSort, 0)
	}
	c.ReadBy = readMarkers(it.ReadBy)
	if it.OldPreview != nil {
		c.Preview = *it.OldPreview
	}
	switch {
	case it.CreatedAt != nil:
		c.CreatedAt = *it.CreatedAt
	case it.OldCreatedAt != nil:
		c.CreatedAt = *it.OldCreatedAt
	default:
		c.CreatedAt = it.createdFromGSI5()
	}
	return c
}

// readMarkers are the stored read markers as the domain has them: SortableTime of the contact's
// last message the user saw, "0" or inbox.ReadMarkedUnread. SetRead stores the first as a copy of
// the conversation's lis (compactTime); markers written before are SortableTime already.
func readMarkers(stored map[string]string) inbox.ReadMarkers {
	if len(stored) == 0 {
		return ""
	}
	byUser := make(map[string]string, len(stored))
	for u, mark := range stored {
		if len(mark) == compactTimeLen {
			mark = inbox.SortableTime(compactAt(mark))
		}
		byUser[u] = mark
	}
	return inbox.NewReadMarkers(byUser)
}

// convKeyIDs are the account and conversation ids of a conversation item's key
// (A#{acct}#CV#{convId}), "" when pk is not one.
func convKeyIDs(pk string) (acct, id string) {
	rest, ok := strings.CutPrefix(pk, "A#")
	if !ok {
		return "", ""
	}
	acct, id, ok = strings.Cut(rest, "#CV#")
	if !ok {
		return "", ""
	}
	return acct, id
}

type openItem struct {
	PK             string `dynamodbav:"pk"`
	SK             string `dynamodbav:"sk"`
	ConversationID string `dynamodbav:"conversationId"`
}

// lastClosedItem names the conversation of a contact and inbox that was closed last.
type lastClosedItem struct {
	PK             string `dynamodbav:"pk"`
	SK             string `dynamodbav:"sk"`
	ConversationID string `dynamodbav:"conversationId"`
	TTL            int64  `dynamodbav:"ttl"`
}

type attachmentItem struct {
	Type        string  `dynamodbav:"type,omitempty"`
	URL         string  `dynamodbav:"url"`
	ContentType string  `dynamodbav:"contentType"`
	MediaID     string  `dynamodbav:"mediaId,omitempty"`
	Name        string  `dynamodbav:"name,omitempty"`
	Caption     string  `dynamodbav:"caption,omitempty"`
	Size        int64   `dynamodbav:"size,omitempty"`
	Latitude    float64 `dynamodbav:"lat,omitempty"`
	Longitude   float64 `dynamodbav:"lon,omitempty"`
	Data        string  `dynamodbav:"data,omitempty"`
	MediaStatus string  `dynamodbav:"mediaStatus,omitempty"`
	StorageKey  string  `dynamodbav:"storageKey,omitempty"`
	MediaError  string  `dynamodbav:"mediaError,omitempty"`
}

func newAttachmentItem(a inbox.Attachment) attachmentItem {
	return attachmentItem{Type: string(a.Type), URL: a.URL, ContentType: a.ContentType, MediaID: a.MediaID,
		Name: a.Name, Caption: a.Caption, Size: a.Size, Latitude: a.Latitude, Longitude: a.Longitude, Data: a.Data,
		MediaStatus: string(a.MediaStatus), StorageKey: a.StorageKey, MediaError: a.MediaError}
}

func (a attachmentItem) domain() inbox.Attachment {
	return inbox.Attachment{Type: inbox.AttachmentType(a.Type), URL: a.URL, ContentType: a.ContentType, MediaID: a.MediaID,
		Name: a.Name, Caption: a.Caption, Size: a.Size, Latitude: a.Latitude, Longitude: a.Longitude, Data: a.Data,
		MediaStatus: inbox.MediaStatus(a.MediaStatus), StorageKey: a.StorageKey, MediaError: a.MediaError}
}

type providerErrorItem struct {
	Code    string `dynamodbav:"code"`
	Message string `dynamodbav:"message"`
}

type templateItem struct {
	Name       string   `dynamodbav:"name"`
	Language   string   `dynamodbav:"language"`
	Parameters []string `dynamodbav:"parameters,omitempty"`
}

func newTemplateItem(t *inbox.Template) *templateItem {
	if t == nil {
		return nil
	}
	return &templateItem{Name: t.Name, Language: t.Language, Parameters: slices.Clone(t.Parameters)}
}

func (t *templateItem) domain() *inbox.Template {
	if t == nil {
		return nil
	}
	d := &inbox.Template{Name: t.Name, Language: t.Language}
	if len(t.Parameters) > 0 {
		d.Parameters = t.Parameters
	}
	return d
}

// messageItem is the stored message. Its account, conversation and message ids are read from
// its key (pk A#{acct}#CV#{convId}, sk M#{msgId}); items written before also hold them as
// accountId, conversationId and id, which new items leave out to stay small (a write is billed
// per started KB).
type messageItem struct {
	PK             string `dynamodbav:"pk"`
	SK             string `dynamodbav:"sk"`
	AccountID      string `dynamodbav:"accountId,omitempty"`
	ConversationID string `dynamodbav:"conversationId,omitempty"`
	// ChannelID is the conversation's channel, kept so that a delivery update can write the
	// provider message marker without reading the conversation.
	ChannelID   string           `dynamodbav:"channelId,omitempty"`
	ID          string           `dynamodbav:"id,omitempty"`
	Direction   string           `dynamodbav:"direction"`
	Text        string           `dynamodbav:"text"`
	Attachments []attachmentItem `dynamodbav:"attachments,omitempty"`
	CreatedAt   time.Time        `dynamodbav:"createdAt"`
	Status      string           `dynamodbav:"status"`
	AuthorID    string           `dynamodbav:"authorId,omitempty"`
	Payload     string           `dynamodbav:"payload,omitempty"`
	ReplyTo     string           `dynamodbav:"replyTo,omitempty"`
	// Reaction is absent for a message that is not a reaction, and "" for a removed reaction.
	Reaction   *string            `dynamodbav:"reaction,omitempty"`
	Template   *templateItem      `dynamodbav:"template,omitempty"`
	ProviderID string             `dynamodbav:"providerId,omitempty"`
	PartIDs    []string           `dynamodbav:"partIds,omitempty"`
	Error      *providerErrorItem `dynamodbav:"error,omitempty"`
	UpdatedAt  time.Time          `dynamodbav:"updatedAt"`
	Subject    string             `dynamodbav:"subject,omitempty"`
	HTML       string             `dynamodbav:"html,omitempty"`
	Flags      []string           `dynamodbav:"flags,omitempty,stringset"`
	AuthorName string             `dynamodbav:"authorName,omitempty"`
	// Call logs a phone call; CallRev counts its changes (ApplyCall's optimistic lock).
	Call    *callItem `dynamodbav:"call,omitempty"`
	CallRev int64     `dynamodbav:"callRev,omitempty"`
}

func newMessageItem(m inbox.Message, channelID string) messageItem {
	it := messageItem{
		PK: convPK(m.AccountID, m.ConversationID), SK: messageSK(m.ID), ChannelID: channelID,
		Direction: string(m.Direction), Text: m.Text, CreatedAt: m.CreatedAt.UTC(),
		Status: string(m.Status), AuthorID: m.AuthorID, Payload: m.Payload, ReplyTo: m.ReplyTo,
		Reaction: copyString(m.Reaction), Template: newTemplateItem(m.Template), ProviderID: m.ProviderID, PartIDs: m.PartIDs,
		Error: newProviderErrorItem(m.Error), UpdatedAt: m.UpdatedAt.UTC(),
		Subject: m.Subject, HTML: m.HTML, Flags: m.Flags, AuthorName: m.AuthorName,
		Call: newCallItem(m.Call),
	}
	for _, a := range m.Attachments {
		it.Attachments = append(it.Attachments, newAttachmentItem(a))
	}
	return it
}

func copyString(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func newProviderErrorItem(e *inbox.ProviderError) *providerErrorItem {
	if e == nil {
		return nil
	}
	return &providerErrorItem{Code: e.Code, Message: e.Message}
}

func (it messageItem) domain() inbox.Message {
	acct, convID := convKeyIDs(it.PK)
	id, _ := strings.CutPrefix(it.SK, prefixMessage)
	m := inbox.Message{
		AccountID: or(acct, it.AccountID), ConversationID: or(convID, it.ConversationID), ID: or(id, it.ID),
		Direction: inbox.Direction(it.Direction), Text: it.Text, CreatedAt: it.CreatedAt,
		Status: inbox.MessageStatus(it.Status), AuthorID: it.AuthorID, Payload: it.Payload,
		ReplyTo: it.ReplyTo, Reaction: copyString(it.Reaction), Template: it.Template.domain(),
		ProviderID: it.ProviderID, PartIDs: it.PartIDs, UpdatedAt: it.UpdatedAt,
		Subject: it.Subject, HTML: it.HTML, Flags: it.Flags, AuthorName: it.AuthorName,
		Call: it.Call.domain(),
	}
	for _, a := range it.Attachments {
		m.Attachments = append(m.Attachments, a.domain())
	}
	if it.Error != nil {
		m.Error = &inbox.ProviderError{Code: it.Error.Code, Message: it.Error.Message}
	}
	return m
}

type providerMessageItem struct {
	PK             string `dynamodbav:"pk"`
	SK             string `dynamodbav:"sk"`
	ConversationID string `dynamodbav:"conversationId"`
	MessageID      string `dynamodbav:"messageId"`
	// TTL is the expiry in Unix seconds: DynamoDB deletes the marker some time after it.
	TTL int64 `dynamodbav:"ttl"`
}

func marshal(v any) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, internal(err, "encode item")
	}
	return av, nil
}

func unmarshal(av map[string]types.AttributeValue, v any) error {
	if err := attributevalue.UnmarshalMap(av, v); err != nil {
		return internal(err, "decode item")
	}
	return nil
}

// value marshals one expression value.
func value(v any) types.AttributeValue {
	av, err := attributevalue.Marshal(v)
	if err != nil {
		// Only called with strings, numbers, times and tagged structs, which always marshal.
		panic(err)
	}
	return av
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
