// Package mail is the outbound side of the MIME codec of the team email channel: it names the
// sender (FromName, FormatAddress), converts between HTML and text (HTMLToText, FixText) and composes replies
// and notices (Compose). Parsing inbound mail is shared/mailparse, so that the functions that
// only send mail (dispatch, notices from the router, schedule and api) do not link the MIME
// parser (enmime, its charset tables and text renderers).
//
// Sanitizing user HTML is shared/htmlsafe's, kept apart so that the functions sending only
// notices do not initialise bluemonday. The package has no state and is safe for concurrent
// use.
package mail

import (
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

// Quote is the message a reply quotes below it. Text or HTML may be empty (each is derived
// from the other); HTML is sanitized by Compose.
type Quote struct {
	From Address
	Date time.Time
	Text string
	HTML string
	// Attribution, when set, is the line above the quote as it is (the sender writes it in
	// the reader's language: "Den fre. 4. dec. 2026 kl. 17.30 skrev Ada <ada@example.com>:");
	// else Compose writes the English "On <date>, <from> wrote:".
	Attribution string
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
	// Text and HTML are the agent's reply; HTML must be safe (htmlsafe.Sanitize: Compose
	// writes it as it is) and Text is derived from HTML when empty.
	Text, HTML string
	// SignatureHTML is the rendered, safe signature (htmlsafe.RenderSignature); it is
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
