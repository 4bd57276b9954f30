// Package mail is the MIME codec of the team email channel: it parses inbound mail (Parse),
// sanitizes HTML (SanitizeHTML), renders signatures (RenderSignature), names the sender
// (FromName, FormatAddress) and composes replies (Compose).
//
// Parsing uses github.com/jhillyerd/enmime/v2; sanitizing uses an allowlist over
// golang.org/x/net/html modelled on bluemonday's UGCPolicy. The package has no state and is
// safe for concurrent use.
package mail

import (
	"io"
	"time"
)

// Address is a mailbox: a display name (decoded, may be empty) and an address.
type Address struct{ Name, Address string }

// Part is an attachment or an inline part of a message.
type Part struct {
	// Name is the file name (decoded), ContentType the media type without parameters and
	// ContentID the Content-ID without angle brackets ("" when absent).
	Name, ContentType, ContentID string
	// Inline is true for parts referenced from the HTML by cid: (multipart/related or
	// Content-Disposition: inline with a Content-ID).
	Inline bool
	// Data is the decoded content.
	Data []byte
}

// Forwarded is the original sender of a forwarded message (see Parse).
type Forwarded struct {
	From    Address
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
	MessageID  string    // without angle brackets; "" when absent
	InReplyTo  []string  // ids without angle brackets
	References []string  // in header order, without angle brackets
	Subject    string    // decoded, trimmed
	From       Address   // the first From address; zero when absent
	To         []Address // also Cc and Reply-To: decoded names, repeated headers joined
	Cc         []Address
	ReplyTo    []Address
	Date       time.Time // zero when absent or unreadable
	// Text is the plain text body (the text/plain parts), else the text of the HTML; for mail
	// that cannot be read, the raw bytes (see Parse).
	Text string
	// HTML is the HTML body sanitized with SanitizeHTML (cid: image sources are kept); "" when
	// the mail has no HTML part.
	HTML string
	// Attachments holds attachments, attached messages (message/rfc822) and inline parts;
	// Inline is true for parts the HTML shows through a cid: URL.
	Attachments []Part
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
// German, Dutch, French, Spanish and Italian variants. From may be a bare name (Address "")
// when the block shows no address; Date is zero when unreadable and read in the zone of the
// message's own Date when the block names none. Bounces are never forwards.
//
// Memory: r is read whole once (sized up front when r tells its length); attachment Data
// shares enmime's decoded buffers. A 25 MB mail with five attachments peaks at about 60 MB
// of heap above the raw bytes and keeps about the attachments' size.
func Parse(r io.Reader) (*Message, error) {
	return parse(r)
}

// Quote is the message a reply quotes below it. Text or HTML may be empty (each is derived
// from the other); HTML is sanitized by Compose.
type Quote struct {
	From Address
	Date time.Time
	Text string
	HTML string
}

// Reply is an outbound email; see Compose.
type Reply struct {
	From Address
	To   []Address
	// ReplyTo is an address list ("Team <reply+x@inbox.example>"), "" for none.
	ReplyTo string
	// Subject gets "Re: " unless it already starts with Re:, Aw: or SV: (any case).
	Subject string
	// MessageID is required, without angle brackets.
	MessageID  string
	InReplyTo  string   // without angle brackets
	References []string // without angle brackets
	// Text and HTML are the agent's reply; HTML is sanitized by Compose and Text is derived
	// from HTML when empty.
	Text, HTML string
	// SignatureHTML is the rendered signature (see RenderSignature); it is sanitized and
	// appended to HTML and, as text, to Text.
	SignatureHTML string
	// Quoted is the message replied to, quoted below the reply.
	Quoted *Quote
	// Attachments are attached, or inline (multipart/related) when Inline is set and
	// ContentID names them (the HTML refers to them as cid:ContentID).
	Attachments []Part
	// Date is the Date header; now when zero.
	Date time.Time
	// Headers are extra headers (for example "X-Inbox-Message-Id"); Compose never sets
	// Auto-Submitted itself for replies (they are written by people).
	Headers map[string]string
	// Notice marks a message the inbox writes by itself (a notification to a user, not a reply):
	// the Subject is used as it is, without "Re: ", and Auto-Submitted: auto-generated
	// (RFC 3834) is set, so that mail systems do not answer it automatically.
	Notice bool
}
