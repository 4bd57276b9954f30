// Package emailsend is the dispatch function's sender for team email channels
// (inbox.ChannelEmail): it composes an agent's reply as a MIME message that threads with the
// conversation in the customer's mail client and hands it to SES.
//
// The reply:
//   - From: the channel's from name (mail.FromName of its mode, the agent's name and the company)
//     at its FromAddress, or its Address.
//   - To: the contact's email (else the conversation's).
//   - Reply-To: the channel's receiving address (ForwardingAddress for forwarded mail, else
//     Address) plus-addressed with the conversation id, "support+<conversation id>@example.com":
//     the email intake reads the token back and the router threads the answer by it, even when
//     the customer's client drops In-Reply-To and References.
//   - Subject: the message's own (an agent's reply: "Re: " and the conversation's subject; a
//     form's acknowledgement: its settings'), else "Re: " and the conversation's subject (else
//     the last inbound message's).
//   - Message-ID: "<message id>@<domain of the From address>", derived from the stored message,
//     so a redelivered job sends the same Message-ID; it is also the returned provider id.
//   - In-Reply-To: the Message-ID of the last inbound message before this one; References: the
//     Message-IDs of the conversation's email messages before this one (inbound and ours), in
//     order, capped to the first and the most recent (MaxReferences in all).
//   - The signature (the channel's SignatureHTML, or its translation into the reply's language,
//     with the agent's name), then the last inbound message, quoted under "On {date}, {name}
//     wrote:" in the reply's language. The reply's language is the contact's, else the
//     channel's own, else i18n.Default (Language).
//   - X-Inbox-Message-Id: the message id, so that the email intake drops our own mail when it
//     loops back (email intake's LoopHeader).
//
// Attachments stored in the media bucket (a StorageKey: files agents uploaded) are read through
// Config.Blobs and attached, at most MaxAttachment bytes each and
// MaxAttachments in all; the other attachments that have a URL are listed as links below the
// text (and the HTML), and the rest are left out.
//
// Note that Amazon SES replaces the Message-ID header of the mail it sends with its own
// ("<SES message id>@<region>.amazonses.com"), so customers' answers to a reply sent through SES
// refer to that id, not to the returned one: with SES, such answers are threaded by the Reply-To
// token (and by the References the customer's client copies from earlier messages).
package emailsend

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mail"
)

// MaxReferences is how many Message-IDs the References header holds at most: the thread's
// first and the most recent ones, as the email intake keeps them.
const MaxReferences = 20

// LoopHeader is the header naming the inbox message an email carries; the email intake drops
// mail that has it (email intake's LoopHeader).
const LoopHeader = inbox.LoopHeader

// MaxAttachment is the largest file attached to a reply (4 MiB), MaxAttachments the most the
// attached files of one reply may weigh together (7 MiB).
const (
	MaxAttachment = 4 << 20
	// MaxAttachments keeps the encoded mail under SES SendRawEmail's 10 MB.
	MaxAttachments = 7 << 20
)

// Blobs reads stored files: Get opens the object key and returns its body and size (-1 when
// unknown); it returns an inbox ENotFound error when there is no such object. s3store.Store
// implements it.
type Blobs interface {
	Get(ctx context.Context, key string) (io.ReadCloser, int64, error)
}

// RawSender sends a composed message: from is the bare envelope sender, to the envelope
// recipients. It returns the provider's message id; its refusals are *inbox.SendError.
// sesmail.Sender implements it.
type RawSender interface {
	SendRaw(ctx context.Context, from string, to []string, raw []byte) (string, error)
}

// History lists the messages of a conversation, oldest first.
type History interface {
	ListMessages(ctx context.Context, acct, convID string) ([]inbox.Message, error)
}

// Sender sends the replies of email channels.
type Sender struct {
	sesMessageIDDomain string
	raw                RawSender
	history            History
	now                func() time.Time
	newID              func() string
	domain             string
	blobs              Blobs
}

// Config is what a Sender is built from. Raw and History are required.
type Config struct {
	// Raw sends the composed mail (SES).
	Raw RawSender
	// History reads the conversation's earlier messages (for the threading headers).
	History History
	// Blobs, when set, is where the message's stored attachments (those with a StorageKey) are
	// read to be attached. Without it, a reply with a stored attachment is refused
	// ("misconfigured").
	Blobs Blobs
	// Domain (the deployment's inbound email domain) is the domain of the Message-ID when the
	// From address has none.
	Domain string
	// SESRegion, when set, makes Send return the Message-ID that Amazon SES gives the mail it
	// sends, <SES message id>@<region>.amazonses.com, instead of the one the inbox wrote (which
	// SES replaces). Emulators keep the inbox's id, so local runs leave it empty.
	SESRegion string
	// Now dates the messages; time.Now when nil.
	Now func() time.Time
	// NewID names a message that has no id (never the case for stored messages); inbox.NewID
	// when nil.
	NewID func() string
}

// New returns a Sender built from c.
func New(c Config) *Sender {
	s := &Sender{raw: c.Raw, history: c.History, blobs: c.Blobs, now: c.Now, newID: c.NewID, domain: c.Domain}
	if c.SESRegion != "" {
		s.sesMessageIDDomain = c.SESRegion + ".amazonses.com"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = inbox.NewID
	}
	return s
}

// Send sends m, an agent's reply, to the conversation's contact and returns its Message-ID
// (without angle brackets). Errors are *inbox.SendError: the RawSender's refusals as they are;
// "misconfigured" for a channel without email settings or sending address; "no_recipient" for
// a contact without email; "history_unavailable" (temporary) when the conversation's messages
// could not be read; "compose_failed" when the message could not be built. For stored
// attachments: "attachment_too_large" when a file is over MaxAttachment or all of them over
// MaxAttachments, "attachment_missing" when one is no longer stored, "attachment_unavailable"
// (temporary) when one could not be read, and "misconfigured" when the Sender has no Blobs.
func (s *Sender) Send(ctx context.Context, ch inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error) {
	cfg := ch.Email
	if cfg == nil {
		return "", &inbox.SendError{Code: "misconfigured", Message: "the channel has no email settings"}
	}
	fromAddress := strings.TrimSpace(cfg.FromAddress)
	if fromAddress == "" {
		fromAddress = strings.TrimSpace(cfg.Address)
	}
	if fromAddress == "" {
		return "", &inbox.SendError{Code: "misconfigured", Message: "the channel has no sending address"}
	}
	to := mail.Address{Name: contact.Name, Address: strings.TrimSpace(contact.Email)}
	if to.Address == "" {
		to = mail.Address{Name: conv.ContactName, Address: strings.TrimSpace(conv.ContactEmail)}
	}
	if to.Address == "" {
		return "", &inbox.SendError{Code: "no_recipient", Message: "the contact has no email address"}
	}
	if to.Name == "" {
		to.Name = conv.ContactName
	}

	acct := conv.AccountID
	if acct == "" {
		acct = m.AccountID
	}
	history, err := s.history.ListMessages(ctx, acct, conv.ID)
	if err != nil {
		return "", &inbox.SendError{Code: "history_unavailable", Message: "the conversation's messages could not be read: " + inbox.ErrorMessage(err), Temporary: true}
	}
	history = before(history, m.ID)

	id := m.ID
	if id == "" {
		id = s.newID()
	}
	messageID := idLocal(id) + "@" + s.messageIDDomain(fromAddress)

	var refs []string
	var lastIn *inbox.Message
	for i := range history {
		h := &history[i]
		if isMessageID(h.ProviderID) && h.ProviderID != messageID {
			refs = append(refs, h.ProviderID)
		}
		if h.Direction == inbox.DirectionIn {
			lastIn = h
		}
	}
	r := mail.Reply{
		From:       mail.Address{Name: mail.FromName(cfg.FromNameMode, m.AuthorName, cfg.CompanyName), Address: fromAddress},
		To:         []mail.Address{to},
		ReplyTo:    replyTo(cfg, conv.ID),
		Subject:    subject(conv, lastIn, m),
		MessageID:  messageID,
		References: capReferences(refs),
		Text:       m.Text,
		// Sanitized when stored (the API, the email intake: inbox.Message.HTML is safe by
		// contract), so not again here: the sanitizer's package init would double the
		// dispatcher's cold start (issue #10).
		HTML:    m.HTML,
		Date:    s.now(),
		Headers: map[string]string{LoopHeader: m.ID},
		// The inbox's own automatic messages (a form's acknowledgement): the subject as it is,
		// and marked Auto-Submitted so that mail systems do not answer them automatically.
		Notice: slices.Contains(m.Flags, inbox.FlagAutoReply),
	}
	lang := Language(cfg, contact)
	if lastIn != nil {
		if isMessageID(lastIn.ProviderID) {
			r.InReplyTo = lastIn.ProviderID
		}
		r.Quoted = &mail.Quote{From: to, Date: lastIn.CreatedAt, Text: lastIn.Text, HTML: lastIn.HTML,
			Attribution: attribution(lang, to, lastIn.CreatedAt)}
	}
	if sig := cfg.SignatureFor(lang); strings.TrimSpace(sig) != "" {
		first, last := splitName(m.AuthorName)
		r.SignatureHTML = mail.FillSignature(sig, strings.TrimSpace(m.AuthorName), first, last)
	}
	r.Text, r.HTML = withLinks(r.Text, r.HTML, m.Attachments)
	if r.Attachments, err = s.files(ctx, m.Attachments); err != nil {
		return "", err
	}

	raw, err := mail.Compose(r)
	if err != nil {
		return "", &inbox.SendError{Code: "compose_failed", Message: err.Error()}
	}
	sesID, err := s.raw.SendRaw(ctx, fromAddress, []string{to.Address}, raw)
	if err != nil {
		return "", err
	}
	if s.sesMessageIDDomain != "" && sesID != "" {
		// Amazon SES replaces the Message-ID of what it sends with its own: the customer's reply
		// refers to that one, so it is the id threading must know.
		return sesID + "@" + s.sesMessageIDDomain, nil
	}
	return messageID, nil
}

// Language is the language of a reply to contact on an email channel with settings cfg: the
// contact's when it has one the product speaks, else the channel's own, else i18n.Default.
func Language(cfg *inbox.EmailConfig, contact inbox.Contact) string {
	for _, l := range []string{contact.Language, cfg.Language} {
		if l != "" && i18n.Supported(l) {
			return l
		}
	}
	return i18n.Default
}

// attribution is the line above the quoted message in lang: "On {date}, {name} wrote:".
func attribution(lang string, from mail.Address, at time.Time) string {
	who := mail.QuotedName(from)
	if who == "" {
		who = i18n.T(lang, "email.reply.someone")
	}
	if at.IsZero() {
		return i18n.T(lang, "email.reply.quoteNoDate", "name", who)
	}
	return i18n.T(lang, "email.reply.quote", "date", i18n.Date(lang, at), "name", who)
}

// before returns the messages of history that precede the message id: all of them when id is
// not among them.
func before(history []inbox.Message, id string) []inbox.Message {
	for i, h := range history {
		if id != "" && h.ID == id {
			return history[:i]
		}
	}
	return history
}

// replyTo plus-addresses the channel's receiving address with the conversation id. An address
// whose local part already has a '+' is used as it is, since the intake splits at the first '+'.
func replyTo(cfg *inbox.EmailConfig, convID string) string {
	base := strings.TrimSpace(cfg.Address)
	if cfg.Forwarding && strings.TrimSpace(cfg.ForwardingAddress) != "" {
		base = strings.TrimSpace(cfg.ForwardingAddress)
	}
	at := strings.LastIndexByte(base, '@')
	if at <= 0 || convID == "" || strings.ContainsRune(base[:at], '+') {
		return base
	}
	return base[:at] + "+" + convID + base[at:]
}

// subject is the message's own subject (an agent's reply has "Re: " and the conversation's; a
// form's acknowledgement, the one its settings give), else "Re: " and the conversation's
// subject, else the last inbound message's.
func subject(conv inbox.Conversation, lastIn *inbox.Message, m inbox.Message) string {
	if s := strings.TrimSpace(m.Subject); s != "" {
		return s
	}
	s := strings.TrimSpace(conv.Subject)
	if s == "" && lastIn != nil {
		s = strings.TrimSpace(lastIn.Subject)
	}
	// "Re: " in every language, never stacked on a reply prefix already there (mail.ReplySubject).
	return mail.ReplySubject(s)
}

// capReferences keeps the first id (the thread's root) and the most recent ones.
func capReferences(refs []string) []string {
	if len(refs) <= MaxReferences {
		return refs
	}
	return append([]string{refs[0]}, refs[len(refs)-(MaxReferences-1):]...)
}

// isMessageID reports whether id looks like a Message-ID (the email intake stores
// "ses:<SES id>" for mail without one).
func isMessageID(id string) bool {
	at := strings.LastIndexByte(id, '@')
	return at > 0 && at < len(id)-1 && !strings.ContainsAny(id, "<> \t\r\n")
}

// idLocal makes id usable as the local part of a Message-ID.
func idLocal(id string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_", r)) {
			return r
		}
		return '-'
	}, id)
}

func (s *Sender) messageIDDomain(address string) string {
	if at := strings.LastIndexByte(address, '@'); at >= 0 && at < len(address)-1 {
		return strings.ToLower(address[at+1:])
	}
	if s.domain != "" {
		return s.domain
	}
	return "localhost"
}

// splitName splits a full name into its first word and the rest.
func splitName(full string) (first, last string) {
	f := strings.Fields(full)
	if len(f) == 0 {
		return "", ""
	}
	return f[0], strings.Join(f[1:], " ")
}

// files reads the stored attachments of a reply (those with a StorageKey), in order.
func (s *Sender) files(ctx context.Context, atts []inbox.Attachment) ([]mail.Part, error) {
	var parts []mail.Part
	total := 0
	for _, a := range atts {
		if a.StorageKey == "" {
			continue
		}
		if s.blobs == nil {
			return nil, &inbox.SendError{Code: "misconfigured", Message: "the sender cannot read stored attachments"}
		}
		name := strings.TrimSpace(a.Name)
		if name == "" {
			name = "attachment"
		}
		data, err := s.read(ctx, a.StorageKey, name, min(MaxAttachment, MaxAttachments-total))
		if err != nil {
			return nil, err
		}
		total += len(data)
		ct := strings.TrimSpace(a.ContentType)
		if ct == "" {
			ct = http.DetectContentType(data)
		}
		parts = append(parts, mail.Part{Name: name, ContentType: ct, Data: data})
	}
	return parts, nil
}

// read returns the stored file key, of at most limit bytes.
func (s *Sender) read(ctx context.Context, key, name string, limit int) ([]byte, error) {
	tooLarge := func() error {
		return &inbox.SendError{Code: "attachment_too_large", Message: fmt.Sprintf(
			"%q makes the attachments too large: at most %d MiB a file and %d MiB in all", name, MaxAttachment>>20, MaxAttachments>>20)}
	}
	body, size, err := s.blobs.Get(ctx, key)
	if err != nil {
		if inbox.ErrorCodeOf(err) == inbox.ENotFound {
			return nil, &inbox.SendError{Code: "attachment_missing", Message: fmt.Sprintf("the attachment %q is no longer stored", name)}
		}
		return nil, &inbox.SendError{Code: "attachment_unavailable", Message: fmt.Sprintf("the attachment %q could not be read: %s", name, inbox.ErrorMessage(err)), Temporary: true}
	}
	defer body.Close()
	if size > int64(limit) {
		return nil, tooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(body, int64(limit)+1))
	if err != nil {
		return nil, &inbox.SendError{Code: "attachment_unavailable", Message: fmt.Sprintf("the attachment %q could not be read: %s", name, err), Temporary: true}
	}
	if len(data) > limit {
		return nil, tooLarge()
	}
	return data, nil
}

// withLinks lists the attachments that have a URL, and are not attached (no StorageKey), below
// the text and the HTML.
// webURL reports whether u is an absolute http or https URL, the only attachment links written
// as links: the reply's HTML is not sanitized again after they are added.
func webURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func withLinks(text, htmlBody string, atts []inbox.Attachment) (string, string) {
	var lines []string
	var items []string
	for _, a := range atts {
		if a.URL == "" || a.StorageKey != "" {
			continue
		}
		name := a.Name
		if name == "" {
			name = a.URL
		}
		lines = append(lines, "- "+name+": "+a.URL)
		if !webURL(a.URL) {
			// Not a link we vouch for (javascript:, data:…): its name and address as text.
			items = append(items, `<li>`+html.EscapeString(name+": "+a.URL)+`</li>`)
			continue
		}
		items = append(items, `<li><a href="`+html.EscapeString(a.URL)+`" rel="nofollow noreferrer">`+html.EscapeString(name)+`</a></li>`)
	}
	if len(lines) == 0 {
		return text, htmlBody
	}
	// Compose derives the text from the HTML when the text is empty: the links then come along.
	if text != "" || htmlBody == "" {
		text = strings.TrimRight(text, "\n") + "\n\nAttachments:\n" + strings.Join(lines, "\n") + "\n"
	}
	if htmlBody != "" {
		htmlBody += "<p>Attachments:</p><ul>" + strings.Join(items, "") + "</ul>"
	}
	return text, htmlBody
}
