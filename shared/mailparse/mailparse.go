// Package mailparse parses inbound mail for the email intake (Parse): headers, bodies (HTML
// sanitized with htmlsafe.Sanitize), attachments, bounces and forwards. It is its own package
// so that only the functions that read mail link the MIME parser
// (github.com/jhillyerd/enmime/v2); composing replies is shared/mail. The package has no state
// and is safe for concurrent use.
package mailparse

import (
	"io"
	"time"

	"github.com/openinbox/inbox/shared/mail"
)

// Forwarded is the original sender of a forwarded message (see Parse).
type Forwarded struct {
	From    mail.Address
	Subject string
	Date    time.Time
}

// Bounce is a delivery failure notification (RFC 3464 DSN) about a message the team sent.
type Bounce struct {
	// OriginalMessageID is the Message-ID, without angle brackets, of the message that bounced:
	// read from the returned message (message/rfc822 or text/rfc822-headers), else the DSN's
	// X-Original-Message-ID, else the notification's In-Reply-To or last Reference; "" when
	// none. Note that a sender may have replaced the Message-ID on the way out; the returned
	// message stays in Message.Attachments for other headers.
	OriginalMessageID string
	// Recipient is the failed recipient's address (Final-Recipient, Original-Recipient or
	// X-Failed-Recipients), Status its status code ("5.1.1") and Diagnostic the remote
	// server's text ("550 5.1.1 user unknown"), each "" when absent.
	Recipient, Status, Diagnostic string
}

// Message is a parsed inbound email. All strings are valid UTF-8 with \n line ends.
type Message struct {
	MessageID  string         // without angle brackets; "" when absent
	InReplyTo  []string       // ids without angle brackets
	References []string       // in header order, without angle brackets
	Subject    string         // decoded, trimmed
	From       mail.Address   // the first From address; zero when absent
	To         []mail.Address // also Cc and Reply-To: decoded names, repeated headers joined
	Cc         []mail.Address
	ReplyTo    []mail.Address
	Date       time.Time // zero when absent or unreadable
	// Text is the plain text body (the text/plain parts), else the text of the HTML; for mail
	// that cannot be read, the raw bytes (see Parse).
	Text string
	// HTML is the HTML body sanitized with htmlsafe.Sanitize (cid: image sources are kept); "" when
	// the mail has no HTML part.
	HTML string
	// Attachments holds attachments, attached messages (message/rfc822) and inline parts;
	// Inline is true for parts the HTML shows through a cid: URL.
	Attachments []mail.Part
	// AutoReply reports an automatic message (out-of-office, notification, list mail, mail
	// system notice); see Parse for the headers considered.
	AutoReply bool
	// Bounce is set for delivery failure notifications; see Parse.
	Bounce *Bounce
	// Forwarded is the original sender of a forwarded message; see Parse.
	Forwarded *Forwarded
	// Malformed reports a message whose content may be incomplete or undecoded; Problems
	// lists what was found (enmime's errors and warnings, and this package's notes), at most
	// 50. See Parse.
	Malformed bool
	Problems  []string
	// Header returns the first value of a header by case-insensitive name, RFC 2047-decoded
	// and trimmed; "" when absent. Never nil after Parse.
	Header func(string) string `json:"-"`
}

// Parse reads an email (RFC 5322/MIME) from r. It never fails on bad mail: the only error is
// r's read error. Parsing runs enmime.Parser.ReadEnvelope, configured to skip the parts it
// cannot read and to keep the readable part of corrupt base64 text.
//
// Decoding: quoted-printable and base64 bodies; charsets as declared (enmime), with two
// repairs: bytes that are not valid UTF-8 and C1 controls (mail declared ISO-8859-1 but written
// in Windows-1252: curly quotes, €) are read as Windows-1252; RFC 2047 encoded words in
// Subject, names and any header; RFC 2231 file names.
//
// Bodies: Text comes from the text/plain parts, else from the sanitized HTML; HTML from the
// first text/html part (and the further HTML parts of the same multipart/mixed, as Apple Mail
// writes them around attachments). Text and HTML parts without a file name are the body;
// every other leaf part is in Attachments (delivery-status fields excepted).
//
// Ids: Message-ID, In-Reply-To and References lose their angle brackets and spaces; the
// <…> groups are taken when present (comments and junk around them ignored), else the
// whitespace- or comma-separated words, in header order, without duplicates.
//
// Damage: a message enmime cannot read at all, or with no header a mail has, is returned
// with Malformed, a Problem and Text = the raw bytes as readable text (invalid UTF-8 read as
// Windows-1252, control characters removed) and the headers that could be read. Otherwise
// Malformed is set when content may be missing: a part enmime had to skip, base64 content it
// had to drop, a multipart without its closing boundary (truncated mail), or no decodable body
// at all (the raw body is then kept as Text). Header and charset warnings only go to Problems.
//
// AutoReply: Auto-Submitted other than "no"; Precedence bulk, junk, list or auto_reply;
// X-Autoreply or X-Autorespond; X-Auto-Response-Suppress naming All, OOF or AutoReply (Exchange
// out-of-office replies and machine senders set it; DR/NDR/RN/NRN alone do not count); mail
// from mailer-daemon@/postmaster@ or carrying a delivery status that is not a bounce. Subjects
// ("Out of office", "Automatisk svar") are never enough.
//
// Bounce: a multipart/report; report-type=delivery-status, or mail from mailer-daemon@ or
// postmaster@ with a message/delivery-status part, that reports a failed recipient (delay and
// success notices are not bounces). See Bounce for its fields.
//
// Forwarded: when the subject starts with a forward prefix (Fwd:, Fw:, TR:, WG:, and Outlook's
// VS:, VB:, VL:, RV:, ENC:, Videresend:, any case, optionally in brackets): an attached
// message/rfc822's From, Subject and Date, else the first forwarded block of the text. Without
// such a subject, only a block that opens the body counts. Blocks: Gmail's "----------
// Forwarded message ---------", Outlook's "-----Original Message-----", its line of
// underscores, or a bare "From:" followed by "Sent:"/"Date:"/"Subject:", Apple Mail's "Begin
// forwarded message:" (also quoted with "> "), with field names in English and the Nordic,
// German, Dutch, French, Spanish and Italian variants. From may be a bare name (mail.Address "")
// when the block shows no address; Date is zero when unreadable and read in the zone of the
// message's own Date when the block names none. Bounces are never forwards.
//
// Memory: r is read whole once (sized up front when r tells its length); attachment Data
// shares enmime's decoded buffers. A 25 MB mail with five attachments peaks at about 60 MB
// of heap above the raw bytes and keeps about the attachments' size.
func Parse(r io.Reader) (*Message, error) {
	return parse(r)
}
