package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// From-name modes, the values of inbox.FromNameAgentAndCompany and inbox.FromNameCompany
// (repeated here so that this package does not depend on the domain package).
const (
	fromNameAgentAndCompany = "agent_and_company"
	fromNameCompany         = "company"
)

// FromName is the display name of an outbound message for an email channel's from-name mode:
// with inbox.FromNameAgentAndCompany it is "Ada Lovelace from Acme", or the agent alone when
// company is empty, or the company alone when agentName is empty; with inbox.FromNameCompany
// it is company. An unknown mode is treated as inbox.FromNameAgentAndCompany. Spaces are
// trimmed.
func FromName(mode, agentName, company string) string {
	agentName = strings.Join(strings.Fields(agentName), " ")
	company = strings.Join(strings.Fields(company), " ")
	if mode == fromNameCompany {
		return company
	}
	switch {
	case agentName == "":
		return company
	case company == "":
		return agentName
	}
	return agentName + " from " + company
}

// FormatAddress formats a for a header: "Name <address>" with the name quoted or, when it is not
// ASCII, RFC 2047-encoded (net/mail's Address.String); "<address>" without a name. Line breaks
// in the name are replaced by spaces.
func FormatAddress(a Address) string {
	return (&netmail.Address{Name: oneLine(a.Name), Address: strings.TrimSpace(a.Address)}).String()
}

// oneLine replaces line breaks and tabs by spaces and trims.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\t' || r == 0 {
			return ' '
		}
		return r
	}, s))
}

// Errors of Compose.
var (
	ErrNoMessageID = errors.New("mail: reply has no message id")
	ErrNoFrom      = errors.New("mail: reply has no from address")
	ErrNoTo        = errors.New("mail: reply has no recipient")
)

// reserved headers cannot be set through Reply.Headers.
var reserved = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "reply-to": true, "subject": true,
	"date": true, "message-id": true, "in-reply-to": true, "references": true,
	"mime-version": true, "content-type": true, "content-transfer-encoding": true,
	"content-disposition": true, "sender": true, "return-path": true,
}

// Compose builds the RFC 5322 bytes of a reply (CRLF line ends):
//
//	multipart/mixed                 (only with attachments)
//	└ multipart/related             (only with inline parts: Part.Inline with a ContentID)
//	  └ multipart/alternative
//	    ├ text/plain; charset=utf-8 (quoted-printable)
//	    └ text/html; charset=utf-8  (quoted-printable)
//
// The HTML is r.HTML (or r.Text as HTML), then the signature, then the quoted message in a
// <blockquote type="cite">: r.HTML, r.SignatureHTML and r.Quoted.HTML are written as they are,
// so HTML from users must be made safe first (htmlsafe.Sanitize, htmlsafe.RenderSignature);
// this package does not link the sanitizer, whose package init is heavy, so that notices
// (whose HTML the inbox writes itself) cost their functions nothing of it; the text is r.Text (or the text of the HTML),
// the signature's text, then "On <date>, <from> wrote:" and the quoted text in "> " lines.
// Headers: From, To, Reply-To (when set), Subject ("Re: " added unless it starts with Re:, Aw:
// or SV:; RFC 2047 when not ASCII), Date (now when zero), Message-ID, In-Reply-To, References
// (folded), MIME-Version and r.Headers (names must be header tokens; the headers above and
// Content-* are refused; values that are not ASCII are RFC 2047-encoded). Auto-Submitted is
// never set for replies, which are written by people; a Notice gets its Subject as it is and
// Auto-Submitted: auto-generated (then not settable through Headers).
//
// Errors: ErrNoMessageID, ErrNoFrom, ErrNoTo, or an error naming an id, address or header
// that cannot be written safely (line breaks, spaces or angle brackets in ids, bad names).
func Compose(r Reply) ([]byte, error) {
	if strings.TrimSpace(r.MessageID) == "" {
		return nil, ErrNoMessageID
	}
	if strings.TrimSpace(r.From.Address) == "" {
		return nil, ErrNoFrom
	}
	var to []string
	for _, a := range r.To {
		if strings.TrimSpace(a.Address) == "" {
			continue
		}
		if err := checkAddress(a.Address); err != nil {
			return nil, err
		}
		to = append(to, FormatAddress(a))
	}
	if len(to) == 0 {
		return nil, ErrNoTo
	}
	if err := checkAddress(r.From.Address); err != nil {
		return nil, err
	}
	msgID, err := formatID(r.MessageID)
	if err != nil {
		return nil, err
	}
	var inReplyTo string
	if strings.TrimSpace(r.InReplyTo) != "" {
		if inReplyTo, err = formatID(r.InReplyTo); err != nil {
			return nil, err
		}
	}
	var refs []string
	for _, id := range r.References {
		if strings.TrimSpace(id) == "" {
			continue
		}
		f, err := formatID(id)
		if err != nil {
			return nil, err
		}
		refs = append(refs, f)
	}
	var replyTo string
	if strings.TrimSpace(r.ReplyTo) != "" {
		list, err := netmail.ParseAddressList(oneLine(r.ReplyTo))
		if err != nil {
			return nil, fmt.Errorf("mail: reply-to %q: %w", r.ReplyTo, err)
		}
		parts := make([]string, 0, len(list))
		for _, a := range list {
			parts = append(parts, FormatAddress(Address{Name: a.Name, Address: a.Address}))
		}
		replyTo = strings.Join(parts, ", ")
	}
	extra := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		if !isToken(k) {
			return nil, fmt.Errorf("mail: invalid header name %q", k)
		}
		if reserved[strings.ToLower(k)] || strings.HasPrefix(strings.ToLower(k), "content-") ||
			(r.Notice && strings.EqualFold(k, "Auto-Submitted")) {
			return nil, fmt.Errorf("mail: header %q cannot be set through Headers", k)
		}
		extra = append(extra, k)
	}
	sort.Strings(extra)

	textBody, htmlBody := replyBodies(r)

	date := r.Date
	if date.IsZero() {
		date = time.Now()
	}

	var b bytes.Buffer
	writeHeader(&b, "From", FormatAddress(r.From))
	writeHeader(&b, "To", strings.Join(to, ", "))
	if replyTo != "" {
		writeHeader(&b, "Reply-To", replyTo)
	}
	subject := replySubject(r.Subject)
	if r.Notice {
		subject = oneLine(r.Subject)
	}
	writeHeader(&b, "Subject", encodeWords(subject))
	writeHeader(&b, "Date", date.Format(time.RFC1123Z))
	writeHeader(&b, "Message-ID", msgID)
	if inReplyTo != "" {
		writeHeader(&b, "In-Reply-To", inReplyTo)
	}
	if len(refs) > 0 {
		writeHeader(&b, "References", strings.Join(refs, " "))
	}
	for _, k := range extra {
		writeHeader(&b, k, encodeWords(oneLine(r.Headers[k])))
	}
	if r.Notice {
		writeHeader(&b, "Auto-Submitted", "auto-generated")
	}
	writeHeader(&b, "MIME-Version", "1.0")

	var inline, attached []Part
	for _, p := range r.Attachments {
		if p.Inline && strings.TrimSpace(p.ContentID) != "" {
			inline = append(inline, p)
		} else {
			attached = append(attached, p)
		}
	}

	alternative := func(w *bytes.Buffer) error {
		return writeMultipart(w, "alternative", []func(*bytes.Buffer) error{
			func(w *bytes.Buffer) error { return writeTextPart(w, "text/plain", textBody) },
			func(w *bytes.Buffer) error { return writeTextPart(w, "text/html", htmlBody) },
		})
	}
	body := alternative
	if len(inline) > 0 {
		parts := []func(*bytes.Buffer) error{alternative}
		for _, p := range inline {
			parts = append(parts, func(w *bytes.Buffer) error { return writeBinaryPart(w, p) })
		}
		body = func(w *bytes.Buffer) error { return writeMultipart(w, "related", parts) }
	}
	if len(attached) > 0 {
		parts := []func(*bytes.Buffer) error{body}
		for _, p := range attached {
			parts = append(parts, func(w *bytes.Buffer) error { return writeBinaryPart(w, p) })
		}
		if err := writeMultipart(&b, "mixed", parts); err != nil {
			return nil, err
		}
	} else if err := body(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// replySubject is ReplySubject, "Re:" for an empty subject.
func replySubject(s string) string {
	if s = ReplySubject(s); s == "" {
		return "Re:"
	}
	return s
}

// replyPrefixes are the reply prefixes mail clients write: Re: (English, and what most
// clients write in every language, Danish Gmail and Apple Mail included), Aw: (German
// Outlook), SV: (Danish, Norwegian and Swedish Outlook), Antw: (Dutch).
var replyPrefixes = []string{"re", "aw", "sv", "antw"}

// ReplySubject is the subject of a reply to a message with subject s: "Re: " and s, in every
// language (RFC 5322 section 3.6.5's "Re: " is Latin, not English, and what Danish clients other than Outlook
// write too), unless s already starts with a reply prefix (Re:, Aw:, SV:, Antw:, in any case,
// also numbered as "Re[2]:"), which is kept as it is: replies never stack "Re: Re:" or "Re: SV:",
// and a run of prefixes is cut to its first ("Re: Re: SV: Tilbud" → "Re: Tilbud"). Line
// breaks become spaces; an empty s stays empty.
func ReplySubject(s string) string {
	s = oneLine(s)
	first, rest := "", s
	for {
		p, r, ok := cutReplyPrefix(rest)
		if !ok {
			break
		}
		if first == "" {
			first = p
		}
		rest = r
	}
	switch {
	case first != "" && rest == "":
		return first
	case first != "":
		return first + " " + rest
	case s == "":
		return ""
	}
	return "Re: " + s
}

// cutReplyPrefix cuts one reply prefix ("Re:", "SV:", "Re[2]:") and the spaces after it off s.
func cutReplyPrefix(s string) (prefix, rest string, ok bool) {
	for _, p := range replyPrefixes {
		if len(s) <= len(p) || !strings.EqualFold(s[:len(p)], p) {
			continue
		}
		i := len(p)
		if s[i] == '[' {
			j := strings.IndexByte(s[i:], ']')
			if j < 2 || strings.Trim(s[i+1:i+j], "0123456789") != "" {
				continue
			}
			i += j + 1
		}
		if i < len(s) && s[i] == ':' {
			return s[:i+1], strings.TrimLeft(s[i+1:], " \t"), true
		}
	}
	return "", "", false
}

// replyBodies builds the text and HTML bodies of r.
func replyBodies(r Reply) (string, string) {
	htmlBody := strings.TrimSpace(r.HTML)
	textBody := strings.TrimRight(NormalizeNewlines(r.Text), " \t\n")
	if textBody == "" && htmlBody != "" {
		textBody = HTMLToText(htmlBody)
	}
	if htmlBody == "" && textBody != "" {
		htmlBody = textToHTML(textBody)
	}
	if sig := strings.TrimSpace(r.SignatureHTML); sig != "" {
		htmlBody += "\n<br>\n<div class=\"signature\">" + sig + "</div>"
		if st := HTMLToText(sig); st != "" {
			if textBody != "" {
				textBody += "\n\n"
			}
			textBody += st
		}
	}
	if q := r.Quoted; q != nil {
		attribution := quoteAttribution(q)
		qText := strings.TrimRight(NormalizeNewlines(q.Text), " \t\n")
		qHTML := strings.TrimSpace(q.HTML)
		if qText == "" && qHTML != "" {
			qText = HTMLToText(qHTML)
		}
		if qHTML == "" && qText != "" {
			qHTML = textToHTML(qText)
		}
		var tb strings.Builder
		if textBody != "" {
			tb.WriteString(textBody)
			tb.WriteString("\n\n")
		}
		tb.WriteString(attribution)
		tb.WriteString("\n")
		for _, l := range strings.Split(qText, "\n") {
			if strings.HasPrefix(l, ">") {
				tb.WriteString(">" + l + "\n")
			} else if l == "" {
				tb.WriteString(">\n")
			} else {
				tb.WriteString("> " + l + "\n")
			}
		}
		textBody = strings.TrimRight(tb.String(), "\n")
		htmlBody += "\n<br>\n<div class=\"quote\"><div>" + html.EscapeString(attribution) +
			"</div>\n<blockquote type=\"cite\" style=\"margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex\">" +
			qHTML + "</blockquote></div>"
	}
	return textBody, htmlBody
}

// QuotedName is how the line above a quote names its author: "Ada <ada@example.com>", the
// address alone, or "" when neither is known.
func QuotedName(a Address) string {
	who := oneLine(a.Name)
	switch {
	case who != "" && a.Address != "":
		who += " <" + a.Address + ">"
	case who == "":
		who = a.Address
	}
	return who
}

// quoteAttribution is q.Attribution, else "On Mon, 2 Jan 2006 at 15:04, Ada <ada@example.com> wrote:".
func quoteAttribution(q *Quote) string {
	if a := oneLine(q.Attribution); a != "" {
		return a
	}
	who := QuotedName(q.From)
	if who == "" {
		who = "someone"
	}
	if q.Date.IsZero() {
		return who + " wrote:"
	}
	return "On " + q.Date.Format("Mon, 2 Jan 2006 at 15:04") + ", " + who + " wrote:"
}

// checkAddress refuses addresses that would break the header.
func checkAddress(a string) error {
	if strings.ContainsAny(a, "\r\n<>,;\" \t") || !strings.Contains(a, "@") {
		return fmt.Errorf("mail: invalid address %q", a)
	}
	return nil
}

// formatID writes a message id in angle brackets, refusing ids that would break the header.
func formatID(id string) (string, error) {
	id = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">"))
	if id == "" || strings.ContainsAny(id, "<> \t\r\n\x00") || !isASCII(id) {
		return "", fmt.Errorf("mail: invalid message id %q", id)
	}
	return "<" + id + ">", nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] < 0x20 {
			return false
		}
	}
	return true
}

// isToken reports a valid header field name (RFC 5322 ftext).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// encodeWords RFC 2047-encodes s (UTF-8, Q or B, whichever mime picks) when it is not ASCII.
func encodeWords(s string) string {
	if isASCII(s) {
		return s
	}
	return mime.QEncoding.Encode("utf-8", s)
}

// writeHeader writes "Name: value" folded at spaces so that lines stay within 78 characters
// where possible.
func writeHeader(w *bytes.Buffer, name, value string) {
	line := name + ":"
	lineLen := len(line)
	w.WriteString(line)
	for i, word := range strings.Split(value, " ") {
		if word == "" && i > 0 {
			continue
		}
		if lineLen+1+len(word) > 78 && lineLen > len(name)+1 {
			w.WriteString("\r\n")
			lineLen = 0
		}
		w.WriteString(" ")
		w.WriteString(word)
		lineLen += 1 + len(word)
	}
	w.WriteString("\r\n")
}

func newBoundary() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "=_inbox_" + hex.EncodeToString(b[:])
}

// writeMultipart writes the Content-Type header of a multipart, the blank line and its parts.
func writeMultipart(w *bytes.Buffer, subtype string, parts []func(*bytes.Buffer) error) error {
	boundary := newBoundary()
	writeHeader(w, "Content-Type", mime.FormatMediaType("multipart/"+subtype, map[string]string{"boundary": boundary}))
	w.WriteString("\r\n")
	for _, p := range parts {
		w.WriteString("--" + boundary + "\r\n")
		if err := p(w); err != nil {
			return err
		}
		w.WriteString("\r\n")
	}
	w.WriteString("--" + boundary + "--\r\n")
	return nil
}

// writeTextPart writes a UTF-8 quoted-printable text part.
func writeTextPart(w *bytes.Buffer, ct, body string) error {
	writeHeader(w, "Content-Type", ct+"; charset=utf-8")
	writeHeader(w, "Content-Transfer-Encoding", "quoted-printable")
	w.WriteString("\r\n")
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, strings.ToValidUTF8(body, "\uFFFD")); err != nil {
		return err
	}
	return qp.Close()
}

// writeBinaryPart writes an attachment or inline part in base64.
func writeBinaryPart(w *bytes.Buffer, p Part) error {
	ct := strings.TrimSpace(p.ContentType)
	if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
		ct = "application/octet-stream"
	}
	name := oneLine(p.Name)
	params := map[string]string{}
	if name != "" {
		params["name"] = name
	}
	mt, existing, _ := mime.ParseMediaType(ct)
	for k, v := range existing {
		if k != "name" {
			params[k] = v
		}
	}
	writeHeader(w, "Content-Type", mime.FormatMediaType(mt, params))
	writeHeader(w, "Content-Transfer-Encoding", "base64")
	disposition := "attachment"
	if p.Inline && strings.TrimSpace(p.ContentID) != "" {
		disposition = "inline"
		id, err := formatID(p.ContentID)
		if err != nil {
			return fmt.Errorf("mail: attachment %q: invalid content id %q", p.Name, p.ContentID)
		}
		writeHeader(w, "Content-ID", id)
	}
	dparams := map[string]string{}
	if name != "" {
		dparams["filename"] = name
	}
	writeHeader(w, "Content-Disposition", mime.FormatMediaType(disposition, dparams))
	w.WriteString("\r\n")
	const chunk = 57 // 76 base64 characters a line
	line := make([]byte, base64.StdEncoding.EncodedLen(chunk))
	for data := p.Data; len(data) > 0; {
		n := min(chunk, len(data))
		base64.StdEncoding.Encode(line, data[:n])
		w.Write(line[:base64.StdEncoding.EncodedLen(n)])
		w.WriteString("\r\n")
		data = data[n:]
	}
	return nil
}
