// Package email is the intake of team email: an SES receipt rule stores inbound mail and invokes
// the email function with its receipt; the handler parses the stored MIME, keeps its attachments
// and queues one envelope per email channel addressed. It is a package of its own, apart from
// the webhook intakes, because it links the MIME parser and the HTML sanitizer, which the
// webhook functions must not carry.
package email

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/htmlsafe"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/lambdases"
	"github.com/openinbox/inbox/shared/mail"
	"github.com/openinbox/inbox/shared/mailparse"
)

// Limits of an email envelope. SQS refuses bodies over 256 KiB; JSON escaping (json.Marshal
// writes '<', '>' and '&' as six bytes) can inflate HTML a lot, so the encoded envelope is also
// held to MaxEmailEnvelope, shortening the HTML first and then the text. The whole message
// stays readable from RawKey.
const (
	// MaxEmailText and MaxEmailHTML cap the text and the sanitized HTML of a message.
	MaxEmailText = 64 << 10
	MaxEmailHTML = 128 << 10
	// MaxEmailEnvelope is the largest encoded email envelope queued.
	MaxEmailEnvelope = 200 << 10
	// MaxEmailAttachments is how many parts of one message are stored; the rest are logged
	// and dropped.
	MaxEmailAttachments = 100
	// MaxEmailReferences is how many References ids are kept: the first (the thread's root)
	// and the most recent ones.
	MaxEmailReferences = 20
	// MaxRawEmail is the largest raw message read; SES accepts up to 40 MB.
	MaxRawEmail = 48 << 20
)

// maxSubject and maxName cap a subject and a sender's display name.
const (
	maxSubject = 2 << 10
	maxName    = 256
)

// LoopHeader is inbox.LoopHeader, kept here for the intake's readers.
const LoopHeader = inbox.LoopHeader

// dateSkew is how far a message's Date may lie ahead of, and dateAge behind, the time SES
// received it for the Date to be believed.
const (
	dateSkew = 15 * time.Minute
	dateAge  = 7 * 24 * time.Hour
)

// RawStore reads the raw messages SES's receipt rule stored.
type RawStore interface {
	Get(ctx context.Context, key string) (io.ReadCloser, int64, error)
}

// Blobs stores the attachments of inbound mail (the media bucket).
type Blobs interface {
	Put(ctx context.Context, key, contentType string, body io.Reader, size int64) error
}

// Email is the intake of the team email channels: SES receives the mail of the inbound domain,
// stores the raw message in S3 and invokes the email function with a receipt, which Handle
// turns into one envelope per email channel the message is addressed to.
type Email struct {
	c         intake.Config
	raw       RawStore
	blobs     Blobs
	providers intake.ProviderChannels
	rawPrefix string
}

// DefaultRawPrefix is where SES's receipt rule stores raw mail when Config.RawPrefix is empty.
const DefaultRawPrefix = "inbound/"

// Config is what the email intake is built from. Every field but RawPrefix is required.
type Config struct {
	// Intake is the queue, clock and log; recipients are matched to channels through
	// Intake.Providers (the provider key of an email channel is the address it receives at,
	// lower case). Intake.Channels is not used.
	Intake intake.Config
	// Raw holds the raw messages, read at RawPrefix + the SES message id (the receipt rule's S3
	// action ObjectKeyPrefix; DefaultRawPrefix when empty).
	Raw       RawStore
	RawPrefix string
	// Blobs receives the attachments.
	Blobs Blobs
}

// New returns the email intake built from c.
func New(c Config) *Email {
	if c.RawPrefix == "" {
		c.RawPrefix = DefaultRawPrefix
	}
	return &Email{c: c.Intake, raw: c.Raw, blobs: c.Blobs, providers: c.Intake.Providers, rawPrefix: c.RawPrefix}
}

// emailTarget is a channel the message is addressed to, with the address it was received at
// and the reply token of a plus-addressed recipient.
type emailTarget struct {
	ch      inbox.Channel
	address string
	token   string
}

// Handle queues the message of r for every email channel among its recipients. The recipient
// "support+TOKEN@example.com" reaches the channel of "support@example.com" with the reply token
// TOKEN. Recipients without a channel are logged and ignored; a channel named by several
// recipients gets the message once. Mail the inbox sent itself (the LoopHeader header, or a
// sender that is the channel's own address) is logged and dropped. Mail whose sender SES could
// not authenticate (lambdases.Receipt.SenderUnverified) is flagged inbox.FlagUnverifiedSender,
// and inbox.FlagDMARCQuarantine too when its domain's DMARC policy is quarantine or reject.
//
// Handle is idempotent: attachments are written under keys derived from the SES message id and
// the envelope's deduplication id is the Message-ID (or "ses:" + the SES message id), so a
// retry within SQS's deduplication window queues nothing twice. It returns an error when the
// raw message, a channel lookup, an attachment write or the queue failed, so that the
// invocation is retried.
func (e *Email) Handle(ctx context.Context, r lambdases.Receipt) error {
	log := e.c.Log.With("sesMessageId", r.SESMessageID)
	rawKey := e.rawPrefix + r.SESMessageID
	raw, err := e.read(ctx, rawKey)
	if err != nil {
		return err
	}
	m, err := mailparse.Parse(bytes.NewReader(raw))
	if err != nil {
		return inbox.Wrap(err, inbox.EInternal, "the message could not be parsed")
	}
	if m.Header != nil && strings.TrimSpace(m.Header(LoopHeader)) != "" {
		log.InfoContext(ctx, "mail sent by the inbox came back; dropped", "inboxMessageId", m.Header(LoopHeader))
		return nil
	}
	targets, err := e.targets(ctx, log, r.Recipients)
	if err != nil {
		return err
	}
	for _, t := range targets {
		env, ok := e.envelope(ctx, log, r, rawKey, raw, m, t)
		if !ok {
			continue
		}
		if r.Virus != lambdases.VerdictFail {
			if env.Attachments, err = e.storeAttachments(ctx, log, t.ch, r.SESMessageID, m.Attachments); err != nil {
				return err
			}
		}
		if err := e.c.Enqueue(ctx, t.ch, fitEnvelope(env)); err != nil {
			return err
		}
	}
	return nil
}

// read returns the raw message stored at key.
func (e *Email) read(ctx context.Context, key string) ([]byte, error) {
	body, _, err := e.raw.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	raw, err := io.ReadAll(io.LimitReader(body, MaxRawEmail+1))
	if err != nil {
		return nil, inbox.Wrap(err, inbox.EUnavailable, "the raw message could not be read")
	}
	if len(raw) > MaxRawEmail {
		return nil, inbox.Errorf(inbox.ETooLarge, "the raw message %s is larger than %d bytes", key, MaxRawEmail)
	}
	return raw, nil
}

// targets finds the channel of every recipient, each channel once (a recipient with a reply
// token wins over one without).
func (e *Email) targets(ctx context.Context, log *slog.Logger, recipients []string) ([]emailTarget, error) {
	var out []emailTarget
	index := map[string]int{}
	for _, rcpt := range recipients {
		address, token := splitRecipient(rcpt)
		if address == "" {
			log.WarnContext(ctx, "malformed recipient ignored", "recipient", rcpt)
			continue
		}
		ch, found, err := e.lookup(ctx, address)
		if err != nil {
			return nil, err
		}
		if !found && token != "" {
			// An address that itself holds a '+'.
			address, token = strings.ToLower(strings.TrimSpace(rcpt)), ""
			if ch, found, err = e.lookup(ctx, address); err != nil {
				return nil, err
			}
		}
		if !found {
			log.WarnContext(ctx, "mail for an address without a channel ignored", "recipient", rcpt)
			continue
		}
		if i, seen := index[ch.ID]; seen {
			if out[i].token == "" && token != "" {
				out[i].token = token
			}
			continue
		}
		index[ch.ID] = len(out)
		out = append(out, emailTarget{ch: ch, address: address, token: token})
	}
	return out, nil
}

// lookup returns the email channel of address; found is false when there is none.
func (e *Email) lookup(ctx context.Context, address string) (inbox.Channel, bool, error) {
	ch, err := e.providers.ChannelByProviderKey(ctx, inbox.ChannelEmail, address)
	switch {
	case inbox.IsCode(err, inbox.ENotFound) || inbox.IsCode(err, inbox.EInvalid):
		return inbox.Channel{}, false, nil
	case err != nil:
		return inbox.Channel{}, false, inbox.Wrap(err, inbox.EUnavailable, "channel lookup failed")
	}
	return ch, true, nil
}

// splitRecipient lowercases rcpt and removes the "+token" of its local part.
func splitRecipient(rcpt string) (address, token string) {
	a := strings.ToLower(strings.TrimSpace(rcpt))
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 {
		return "", ""
	}
	local, domain := a[:at], a[at+1:]
	if plus := strings.IndexByte(local, '+'); plus >= 0 {
		local, token = local[:plus], local[plus+1:]
		if local == "" {
			return "", ""
		}
	}
	return local + "@" + domain, token
}

// envelope builds the envelope of m for target t, without attachments. ok is false (logged)
// when the message is to be dropped: mail from the channel's own address, or without a sender.
func (e *Email) envelope(ctx context.Context, log *slog.Logger, r lambdases.Receipt, rawKey string, raw []byte, m *mailparse.Message, t emailTarget) (inbox.Envelope, bool) {
	cfg := inbox.EmailConfig{ForwardedToOriginalSender: true}
	if t.ch.Email != nil {
		cfg = *t.ch.Email
	}
	own := ownAddresses(t.ch, cfg)
	env := inbox.Envelope{
		Kind:              inbox.KindMessage,
		ProviderMessageID: m.MessageID,
		To:                t.address,
		Subject:           capText(m.Subject, maxSubject),
		InReplyTo:         capReferences(m.InReplyTo),
		References:        capReferences(m.References),
		ReplyToken:        t.token,
		RawKey:            rawKey,
		ReceivedAt:        receivedAt(m.Date, r.Timestamp, e.c.Now),
	}
	if env.ProviderMessageID == "" {
		env.ProviderMessageID = "ses:" + r.SESMessageID
	}
	from := m.From
	if m.Forwarded != nil && cfg.ForwardedToOriginalSender && m.Forwarded.From.Address != "" {
		from = m.Forwarded.From
		env.Flags = append(env.Flags, inbox.FlagForwarded)
		if m.Forwarded.Subject != "" {
			env.Subject = capText(m.Forwarded.Subject, maxSubject)
		}
	}
	from.Address = strings.ToLower(strings.TrimSpace(from.Address))
	if own[from.Address] {
		// Lists that rewrite From to their own address for DMARC (Google Groups: "Ada via
		// Support <support@…>") keep the author in Reply-To.
		if author := firstForeign(m.ReplyTo, own); author.Address != "" {
			log.InfoContext(ctx, "mail from the channel's own address attributed to its Reply-To", "channel", t.ch.ID)
			from = author
		} else {
			log.InfoContext(ctx, "mail from the channel's own address dropped (loop)", "channel", t.ch.ID, "from", from.Address)
			return inbox.Envelope{}, false
		}
	}
	if from.Address == "" && m.Header != nil {
		from.Address = strings.ToLower(strings.Trim(strings.TrimSpace(m.Header("Return-Path")), "<>"))
	}
	if from.Address == "" {
		log.ErrorContext(ctx, "mail without a sender dropped; the raw message is kept", "channel", t.ch.ID, "rawKey", rawKey)
		return inbox.Envelope{}, false
	}
	env.From = inbox.Sender{Email: from.Address, Name: capText(strings.TrimSpace(from.Name), maxName)}

	env.Text, env.HTML = capText(m.Text, MaxEmailText), capHTML(m.HTML, MaxEmailHTML)
	if m.Malformed {
		// The parser keeps the raw body as text when it could decode nothing; with no text
		// at all, the whole raw message is shown.
		env.Flags = append(env.Flags, inbox.FlagMalformed)
		if strings.TrimSpace(env.Text) == "" && env.HTML == "" {
			env.Text = capText(readable(raw), MaxEmailText)
		}
		log.WarnContext(ctx, "malformed mail queued", "channel", t.ch.ID, "problems", m.Problems)
	}
	if r.Spam == lambdases.VerdictFail {
		env.Flags = append(env.Flags, inbox.FlagSpam)
	}
	if r.SenderUnverified() {
		// Anyone can write any From: mail SES could not authenticate is kept apart from the
		// verified contact of its address and from their threads (see the router).
		env.Flags = append(env.Flags, inbox.FlagUnverifiedSender)
		if r.Quarantine() {
			env.Flags = append(env.Flags, inbox.FlagDMARCQuarantine)
		}
		log.InfoContext(ctx, "mail from an unverified sender", "channel", t.ch.ID, "spf", r.SPF, "dkim", r.DKIM, "dmarc", r.DMARC, "dmarcPolicy", r.DMARCPolicy)
	}
	if r.Virus == lambdases.VerdictFail {
		env.Flags = append(env.Flags, inbox.FlagVirus)
		if len(m.Attachments) > 0 {
			log.WarnContext(ctx, "attachments of an infected mail not stored", "channel", t.ch.ID, "attachments", len(m.Attachments))
		}
	}
	if m.AutoReply {
		env.Flags = append(env.Flags, inbox.FlagAutoReply)
	}
	if m.Bounce != nil {
		env.Flags = append(env.Flags, inbox.FlagBounce)
		if id := m.Bounce.OriginalMessageID; id != "" {
			env.InReplyTo = []string{id}
		}
	}
	return env, true
}

// ownAddresses are the addresses mail of channel ch is sent from or received at.
func ownAddresses(ch inbox.Channel, cfg inbox.EmailConfig) map[string]bool {
	own := map[string]bool{}
	for _, a := range []string{ch.ProviderKey, cfg.Address, cfg.FromAddress, cfg.ForwardingAddress} {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			own[a] = true
		}
	}
	return own
}

// firstForeign is the first address of list that is not one of own, also once stripped of a
// "+token" (the reply addresses the inbox hands out).
func firstForeign(list []mail.Address, own map[string]bool) mail.Address {
	for _, a := range list {
		a.Address = strings.ToLower(strings.TrimSpace(a.Address))
		base, _ := splitRecipient(a.Address)
		if base != "" && !own[a.Address] && !own[base] {
			return a
		}
	}
	return mail.Address{}
}

// receivedAt is the message's Date when it is plausible, else when SES received it.
func receivedAt(date, received time.Time, now func() time.Time) time.Time {
	if received.IsZero() || received.Unix() <= 0 {
		received = now()
	}
	if !date.IsZero() && !date.After(received.Add(dateSkew)) && !date.Before(received.Add(-dateAge)) {
		return date.UTC()
	}
	return received.UTC()
}

// storeAttachments writes the parts of m to the media bucket and returns their attachments.
func (e *Email) storeAttachments(ctx context.Context, log *slog.Logger, ch inbox.Channel, sesID string, parts []mail.Part) ([]inbox.Attachment, error) {
	if len(parts) > MaxEmailAttachments {
		log.WarnContext(ctx, "attachments over the limit dropped", "channel", ch.ID, "attachments", len(parts), "kept", MaxEmailAttachments)
		parts = parts[:MaxEmailAttachments]
	}
	var out []inbox.Attachment
	for i, p := range parts {
		ct := strings.ToLower(strings.TrimSpace(p.ContentType))
		if ct == "" {
			ct = "application/octet-stream"
		}
		key := EmailAttachmentKey(ch.AccountID, ch.ID, sesID, i, p.Name)
		if err := e.blobs.Put(ctx, key, ct, bytes.NewReader(p.Data), int64(len(p.Data))); err != nil {
			return nil, err
		}
		a := inbox.Attachment{
			Type: inbox.AttachmentTypeOf(ct), Name: attachmentName(p.Name), ContentType: ct,
			StorageKey: key, MediaStatus: inbox.MediaStored,
		}
		if p.Inline && p.ContentID != "" {
			a.Data = "cid:" + p.ContentID
		}
		out = append(out, a)
	}
	return out, nil
}

// attachmentName is the sender's file name reduced to a safe base name (inbox.FileName), or
// "attachment" when nothing of it is left.
func attachmentName(name string) string {
	if n := inbox.FileName(name); n != "" {
		return n
	}
	return "attachment"
}

// EmailAttachmentKey is the media bucket key of part i, named name, of the message SES received
// as sesID for channel channelID of account acct.
func EmailAttachmentKey(acct, channelID, sesID string, i int, name string) string {
	return "email/" + acct + "/" + channelID + "/" + sesID + "/" + strconv.Itoa(i) + "-" + safeName(name)
}

// safeName keeps the letters, digits, '.', '-' and '_' of a file name (others become '_'), at
// most 100 bytes, never "", "." or "..".
func safeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if b.Len() >= 100 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), ".")
	if s == "" {
		return "part"
	}
	return s
}

func capReferences(refs []string) []string {
	if len(refs) <= MaxEmailReferences {
		return refs
	}
	out := append([]string{refs[0]}, refs[len(refs)-(MaxEmailReferences-1):]...)
	return out
}

// capText cuts s to at most n bytes on a rune boundary.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// capHTML cuts sanitized HTML to at most n bytes before a tag and sanitizes the rest again, so
// that no tag is left half written (the closing tags that adds are left room for).
func capHTML(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for limit := n - min(1<<10, n/8); limit > 0; limit -= max(limit/4, 1) {
		cut := capText(s, limit)
		if i := strings.LastIndexByte(cut, '<'); i >= 0 {
			cut = cut[:i]
		}
		if out := htmlsafe.Sanitize(cut); len(out) <= n {
			return out
		}
	}
	return ""
}

// readable is raw as text: valid UTF-8, LF line ends, no control characters but tabs.
func readable(raw []byte) string {
	s := strings.ToValidUTF8(string(raw), "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// fitEnvelope keeps the encoded envelope under MaxEmailEnvelope: shorter HTML first (dropped at
// worst), then shorter text.
func fitEnvelope(env inbox.Envelope) inbox.Envelope {
	size := func() int {
		b, _ := json.Marshal(env)
		return len(b)
	}
	if size() <= MaxEmailEnvelope {
		return env
	}
	for size() > MaxEmailEnvelope && env.HTML != "" {
		env.HTML = capHTML(env.HTML, len(env.HTML)/2)
	}
	for size() > MaxEmailEnvelope && env.Text != "" {
		env.Text = capText(env.Text, len(env.Text)/2)
	}
	return env
}
