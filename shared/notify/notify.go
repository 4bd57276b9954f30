// Package notify emails users of the inbox about what happened while they were away. So far it
// tells a contact owner that a new conversation of their contact went to the team (the routing
// rules' fallback) because they were away: Mailer implements assign.Notifier.
//
// The email (plain text and a simple HTML version, composed by package mail as an automatic
// notice: Auto-Submitted: auto-generated, so mail systems and the inbox's own email intake
// never answer or file it as a customer's message):
//   - From: the configured From address; To: the owner's email address.
//   - Subject: "New conversation from <contact> went to the team while you were away", where
//     <contact> is the contact's name, else phone, else email address.
//   - Language: the owner's (inbox.User.Language), from package i18n's catalogues; English
//     without one.
//   - Body: the contact's name, phone and email, the channel, and a link
//     <app URL>/conversations/<conversation id> when an app URL is configured (else the
//     conversation id).
//
// Exactly one email per conversation and owner: before sending, the Mailer claims a marker
// (Claims.ClaimNotice, kept for ClaimTTL); a conversation routed again (SQS redeliveries, queue
// drains) finds it claimed and sends nothing. When SES refuses the email for a temporary
// reason, the claim is released and the error returned, so the queue's retry sends it; a
// permanent refusal is logged and dropped (the claim stays: it is not tried again).
package notify

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mail"
)

// ClaimTTL is how long the marker of a sent notice is kept: within it, the same conversation
// never brings its owner a second email, however long it waits to be assigned.
const ClaimTTL = 365 * 24 * time.Hour

// RawSender sends a composed message: from is the bare envelope sender, to the envelope
// recipients. It returns the provider's message id; its refusals are *inbox.SendError, whose
// Temporary field says whether a retry may succeed. sesmail.Sender implements it.
type RawSender interface {
	SendRaw(ctx context.Context, from string, to []string, raw []byte) (string, error)
}

// Claims keeps the markers of sent notices; dynamo.Store implements it.
type Claims interface {
	// ClaimNotice returns true when this call claimed notice name of account acct (until ttl),
	// false when it was already claimed.
	ClaimNotice(ctx context.Context, acct, name string, ttl time.Time) (bool, error)
	// ReleaseNotice drops the claim on notice name of account acct.
	ReleaseNotice(ctx context.Context, acct, name string) error
}

// Config configures a Mailer.
type Config struct {
	// From is the sender of the notices, "notifications@example.com" or
	// "Acme Inbox <notifications@example.com>": an identity verified in SES. Empty: no notice
	// is sent (each one that would have been is logged).
	From string
	// AppURL is the base URL of the agents' web app ("https://inbox.example.com"); conversation
	// links are AppURL + "/conversations/" + id. Empty: the email names the conversation id.
	AppURL string
	Sender RawSender
	Claims Claims
	// Now dates the emails and the claims; time.Now when nil.
	Now func() time.Time
	// Log receives what was sent or skipped; slog.Default() when nil.
	Log *slog.Logger
}

// Errors of New.
var (
	// ErrInvalidFrom is returned by New when Config.From is not an email address.
	ErrInvalidFrom = errors.New("notify: the From address is not an email address")
	// ErrInvalidAppURL is returned by New when Config.AppURL is not an absolute http(s) URL.
	ErrInvalidAppURL = errors.New("notify: the app URL is not an absolute http(s) URL")
	// ErrMissing is returned by New when Config.Sender or Config.Claims is nil.
	ErrMissing = errors.New("notify: a sender and a claim store are required")
)

// Mailer emails contact owners who were passed over; see the package documentation.
type Mailer struct {
	from   *mail.Address
	appURL string
	sender RawSender
	claims Claims
	now    func() time.Time
	log    *slog.Logger
}

// New returns a Mailer for c. Errors (wrapped, test with errors.Is): ErrInvalidFrom,
// ErrInvalidAppURL, ErrMissing.
func New(c Config) (*Mailer, error) {
	if c.Sender == nil || c.Claims == nil {
		return nil, ErrMissing
	}
	m := &Mailer{sender: c.Sender, claims: c.Claims, now: c.Now, log: c.Log}
	if m.now == nil {
		m.now = time.Now
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	if from := strings.TrimSpace(c.From); from != "" {
		a, err := netmail.ParseAddress(from)
		if err != nil || strings.ContainsAny(a.Address, " \t\r\n<>,;\"") {
			return nil, fmt.Errorf("%w: %q", ErrInvalidFrom, from)
		}
		m.from = &mail.Address{Name: a.Name, Address: a.Address}
	}
	if app := strings.TrimRight(strings.TrimSpace(c.AppURL), "/"); app != "" {
		u, err := url.Parse(app)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%w: %q", ErrInvalidAppURL, app)
		}
		m.appURL = app
	}
	return m, nil
}

// noticeName is the claim of the notice about conversation convID to owner ownerID.
func noticeName(convID, ownerID string) string { return "owner-away:" + convID + ":" + ownerID }

// OwnerAway emails owner that conversation conv of their contact went to the team because they
// were away, once per conversation and owner however often it is called (see the package
// documentation). An owner without email address, or a Mailer without From address, sends
// nothing (logged). A permanent refusal of the sender is logged and dropped.
//
// Errors: the Claims' errors (the claim could not be taken or checked), and the sender's
// temporary refusals (*inbox.SendError with Temporary set, or any other error of the sender),
// after the claim was released: a retry sends the email.
func (m *Mailer) OwnerAway(ctx context.Context, owner inbox.User, conv inbox.Conversation) error {
	acct := conv.AccountID
	if acct == "" {
		acct = owner.AccountID
	}
	log := m.log.With("account", acct, "conversation", conv.ID, "owner", owner.ID)
	to := strings.TrimSpace(owner.Email)
	switch {
	case owner.ID == "":
		log.WarnContext(ctx, "away contact owner not notified: the owner is not a user of the account")
		return nil
	case to == "":
		log.InfoContext(ctx, "away contact owner not notified: the owner has no email address")
		return nil
	case m.from == nil:
		log.InfoContext(ctx, "away contact owner not notified: no From address configured (NOTIFY_FROM)")
		return nil
	}

	now := m.now()
	raw, err := mail.Compose(m.compose(owner, conv, now))
	if err != nil {
		// A malformed address of the owner: no retry can send this.
		log.WarnContext(ctx, "away contact owner not notified: the email could not be composed", "err", err)
		return nil
	}
	name := noticeName(conv.ID, owner.ID)
	claimed, err := m.claims.ClaimNotice(ctx, acct, name, now.Add(ClaimTTL))
	if err != nil {
		return err
	}
	if !claimed {
		log.DebugContext(ctx, "away contact owner already notified")
		return nil
	}
	id, err := m.sender.SendRaw(ctx, m.from.Address, []string{to}, raw)
	if err == nil {
		log.InfoContext(ctx, "away contact owner notified", "providerId", id)
		return nil
	}
	var se *inbox.SendError
	if errors.As(err, &se) && !se.Temporary {
		log.WarnContext(ctx, "away contact owner not notified: the email was refused", "code", se.Code, "err", err)
		return nil
	}
	// Released even when ctx is done (a timeout), so that the retry can send.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if rerr := m.claims.ReleaseNotice(rctx, acct, name); rerr != nil {
		log.ErrorContext(ctx, "notice claim not released: the retry will not send it", "err", rerr)
	}
	log.WarnContext(ctx, "away contact owner not notified yet: temporary failure, will retry", "err", err)
	return err
}

// compose writes the notice to owner about conv, in the owner's language (User.Language; the
// default catalogue's without one).
func (m *Mailer) compose(owner inbox.User, conv inbox.Conversation, now time.Time) mail.Reply {
	lang := owner.Language
	t := func(key string, args ...string) string { return i18n.T(lang, key, args...) }
	who := contactLabel(lang, conv)
	channel := channelLabel(lang, conv.ChannelType)
	link := ""
	if m.appURL != "" {
		link = m.appURL + "/conversations/" + url.PathEscape(conv.ID)
	}

	var details [][2]string
	for _, d := range [][2]string{
		{t("notify.field.contact"), oneLine(conv.ContactName)},
		{t("notify.field.phone"), oneLine(conv.ContactPhone)},
		{t("notify.field.email"), oneLine(conv.ContactEmail)},
		{t("notify.field.channel"), channel},
	} {
		if d[1] != "" {
			details = append(details, d)
		}
	}
	greeting := t("notify.ownerAway.greetingNoName")
	if n := strings.Fields(oneLine(owner.Name)); len(n) > 0 {
		greeting = t("notify.ownerAway.greeting", "name", n[0])
	}
	intro := t("notify.ownerAway.intro", "contact", who, "channel", channel)

	var text strings.Builder
	text.WriteString(greeting + "\n\n" + intro + "\n\n")
	for _, d := range details {
		text.WriteString(d[0] + ": " + d[1] + "\n")
	}
	if link != "" {
		text.WriteString("\n" + t("notify.ownerAway.open") + ": " + link + "\n")
	} else {
		text.WriteString(t("notify.ownerAway.conversation") + ": " + conv.ID + "\n")
	}
	text.WriteString("\n" + t("notify.ownerAway.why") + "\n")

	var h strings.Builder
	h.WriteString("<p>" + html.EscapeString(greeting) + "</p><p>" + html.EscapeString(intro) + "</p><p>")
	for i, d := range details {
		if i > 0 {
			h.WriteString("<br>")
		}
		h.WriteString("<strong>" + html.EscapeString(d[0]) + ":</strong> " + html.EscapeString(d[1]))
	}
	h.WriteString("</p>")
	if link != "" {
		h.WriteString(`<p><a href="` + html.EscapeString(link) + `">` + html.EscapeString(t("notify.ownerAway.open")) + `</a></p>`)
	} else {
		h.WriteString("<p><strong>" + html.EscapeString(t("notify.ownerAway.conversation")) + ":</strong> " + html.EscapeString(conv.ID) + "</p>")
	}
	h.WriteString("<p>" + html.EscapeString(t("notify.ownerAway.why")) + "</p>")

	return mail.Reply{
		From:      *m.from,
		To:        []mail.Address{{Name: oneLine(owner.Name), Address: strings.TrimSpace(owner.Email)}},
		Subject:   t("notify.ownerAway.subject", "contact", who),
		MessageID: idLocal(noticeName(conv.ID, owner.ID)) + "@" + domainOf(m.from.Address),
		Text:      text.String(),
		HTML:      h.String(),
		Date:      now,
		Notice:    true,
	}
}

// maxLabel is the most characters of the contact's name the subject shows.
const maxLabel = 80

// contactLabel names the contact: name, else phone, else email, else "a contact" in lang.
func contactLabel(lang string, conv inbox.Conversation) string {
	for _, s := range []string{conv.ContactName, conv.ContactPhone, conv.ContactEmail} {
		if s = oneLine(s); s != "" {
			if utf8.RuneCountInString(s) > maxLabel {
				s = string([]rune(s)[:maxLabel-1]) + "…"
			}
			return s
		}
	}
	return i18n.T(lang, "contact.unnamed")
}

// channelLabel is how people call a channel type in lang: the catalogue's word, else the
// channel registry's label (a kind added without its words yet).
func channelLabel(lang string, t inbox.ChannelType) string {
	if key := "channel." + string(t); i18n.T(lang, key) != key {
		return i18n.T(lang, key)
	}
	return channels.Label(t)
}

// oneLine joins the words of s with single spaces (no line breaks or control characters).
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// idLocal makes s usable as the local part of a Message-ID.
func idLocal(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_", r)) {
			return r
		}
		return '-'
	}, s)
}

// domainOf is the domain of an address ("localhost" without one).
func domainOf(address string) string {
	if at := strings.LastIndexByte(address, '@'); at >= 0 && at < len(address)-1 {
		return strings.ToLower(address[at+1:])
	}
	return "localhost"
}
