// Package mail is the MIME codec of the team email channel: it parses inbound mail (Parse),
// sanitizes HTML (SanitizeHTML), renders signatures (RenderSignature) and composes replies
// (Compose).
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

// Forwarded is the original sender of a forwarded message.
type Forwarded struct {
	From    Address
	Subject string
	Date    time.Time
}

// Bounce is a delivery status notification (RFC 3464) about a message the team sent.
type Bounce struct {
	// OriginalMessageID is the Message-ID (without angle brackets) of the message that
	// bounced, Recipient the final recipient, Status the DSN status ("5.1.1") and Diagnostic
	// the remote server's diagnostic text.
	OriginalMessageID, Recipient, Status, Diagnostic string
}

// Message is a parsed inbound email.
type Message struct {
	MessageID  string   // without angle brackets; "" when absent
	InReplyTo  []string // ids without angle brackets
	References []string // in header order, without angle brackets
	Subject    string
	From       Address
	To         []Address
	Cc         []Address
	ReplyTo    []Address
	Date       time.Time
	Text       string // plain text (from text/plain, else derived from HTML)
	HTML       string // sanitized with SanitizeHTML; "" when the mail has no HTML part
	// Attachments holds attachments and inline (cid:) parts, Inline=true for the latter.
	Attachments []Part
	// AutoReply reports an automatic message; see Parse for the headers considered.
	AutoReply bool
	// Bounce is set for delivery status notifications; see Parse.
	Bounce *Bounce
	// Forwarded is the original sender of a forwarded message; see Parse.
	Forwarded *Forwarded
	// Malformed reports a message that could not be read or was severely broken; Problems
	// lists what went wrong (enmime's errors and warnings).
	Malformed bool
	Problems  []string
	// Header returns the first value of a header, decoded (RFC 2047); never nil after Parse.
	Header func(string) string `json:"-"`
}

// Parse reads an email. It fails only when r fails; see the package documentation of the
// rules in parse.go.
func Parse(r io.Reader) (*Message, error) {
	return parse(r)
}

// Quote is the message a reply quotes.
type Quote struct {
	From Address
	Date time.Time
	Text string
	HTML string
}

// Reply is an outbound email; see Compose.
type Reply struct {
	From    Address
	To      []Address
	ReplyTo string
	// Subject gets "Re: " unless it already starts with Re:/RE:/Aw:.
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
	Quoted      *Quote
	Attachments []Part
	Date        time.Time
	// Headers are extra headers (for example "X-Inbox-Message-Id").
	Headers map[string]string
}
