package mailparse

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding/htmlindex"

	"github.com/openinbox/inbox/shared/htmlsafe"
	"github.com/openinbox/inbox/shared/mail"
)

// parser is enmime configured to keep going on damaged mail: parts it cannot read are
// skipped (and reported), a multipart without a boundary is read as a single part, corrupt
// base64 in text parts keeps what could be decoded. HTML is turned into text here, from the
// sanitized HTML, rather than by enmime.
var parser = enmime.NewParser(
	enmime.SkipMalformedParts(true),
	enmime.MultipartWOBoundaryAsSinglePart(true),
	enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
	enmime.DisableTextConversion(true),
	enmime.MaxStoredPartErrors(20),
)

// maxProblems bounds Message.Problems.
const maxProblems = 50

func parse(r io.Reader) (*Message, error) {
	raw, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("mail: read message: %w", err)
	}
	bounded, raw, problems := boundMIME(raw)
	env, err := readEnvelope(bounded)
	if err != nil {
		return unreadable(raw, err.Error()), nil
	}
	if !looksLikeMail(env.Root.Header) {
		return unreadable(raw, "no message headers found"), nil
	}
	m := fromEnvelope(env, raw)
	for _, p := range problems {
		m.Malformed = true
		m.addProblem(p)
	}
	return m, nil
}

// readAll reads r whole, sizing the buffer up front when r tells its length (bytes.Reader,
// strings.Reader, bytes.Buffer, os.File) to avoid io.ReadAll's regrowth on large mail.
func readAll(r io.Reader) ([]byte, error) {
	var n int64 = -1
	switch v := r.(type) {
	case interface{ Len() int }:
		n = int64(v.Len())
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			n = fi.Size()
		}
	}
	if n < 0 || n > 1<<30 {
		return io.ReadAll(r)
	}
	var b bytes.Buffer
	b.Grow(int(n) + 512)
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// readEnvelope runs enmime, turning a panic on hostile input into an error.
func readEnvelope(raw []byte) (env *enmime.Envelope, err error) {
	defer func() {
		if p := recover(); p != nil {
			env, err = nil, fmt.Errorf("mime parser failed: %v", p)
		}
	}()
	env, err = parser.ReadEnvelope(bytes.NewReader(raw))
	if err == nil && (env == nil || env.Root == nil) {
		err = fmt.Errorf("mime parser returned no message")
	}
	return env, err
}

// looksLikeMail reports whether a header block has at least one header every mail has; enmime
// reads any bytes as a header block, so garbage would otherwise come back empty.
func looksLikeMail(h textproto.MIMEHeader) bool {
	for k := range h {
		switch strings.ToLower(k) {
		case "from", "to", "cc", "subject", "date", "message-id", "content-type", "mime-version",
			"received", "return-path", "sender", "reply-to":
			return true
		}
	}
	return false
}

// headerGetter returns Message.Header: the first value of a header by case-insensitive name,
// RFC 2047-decoded, trimmed, with its encoding repaired.
func headerGetter(h textproto.MIMEHeader) func(string) string {
	return func(name string) string {
		return mail.FixText(strings.TrimSpace(decodeHeader(headerValue(h, name))))
	}
}

// wordDecoder decodes RFC 2047 encoded words in any charset the WHATWG encoding standard
// knows (x/text's htmlindex), which also reads iso-8859-1 as windows-1252.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(strings.TrimSpace(charset))
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", charset)
	}
	return enc.NewDecoder().Reader(r), nil
}}

// decodeHeader decodes the encoded words of a header value; v unchanged when it cannot.
func decodeHeader(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// unreadable builds the Message of mail enmime cannot read: the raw bytes as text, plus
// whatever headers can be read.
func unreadable(raw []byte, problem string) *Message {
	h := readHeaderBlock(raw)
	m := &Message{
		Text:      rawText(raw),
		Malformed: true,
		Problems:  []string{"unreadable message: " + problem},
	}
	if looksLikeMail(h) {
		fillHeaders(m, h, headerGetter(h))
	} else {
		m.Header = func(string) string { return "" }
	}
	return m
}

// rawText makes raw bytes readable text: valid UTF-8 is kept, other bytes are read as
// Windows-1252 (see fixText), \n line ends, control characters other than tab and line feed
// removed.
func rawText(raw []byte) string {
	s := mail.NormalizeNewlines(mail.FixText(string(raw)))
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// readHeaderBlock reads the header block at the start of raw, tolerating damage.
func readHeaderBlock(raw []byte) textproto.MIMEHeader {
	h, err := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(raw)), discardErrors{})
	if err != nil || h == nil {
		return textproto.MIMEHeader{}
	}
	return h
}

type discardErrors struct{}

func (discardErrors) AddError(string, string, ...any)   {}
func (discardErrors) AddWarning(string, string, ...any) {}

func fromEnvelope(env *enmime.Envelope, raw []byte) *Message {
	m := &Message{}
	fillHeaders(m, env.Root.Header, headerGetter(env.Root.Header))

	// Problems and severity.
	for _, e := range env.Errors {
		if e == nil {
			continue
		}
		if e.Name == enmime.ErrorPlainTextFromHTML && !e.Severe {
			continue // an HTML-only mail is not a problem
		}
		m.addProblem(e.Error())
		if severe(e) {
			m.Malformed = true
		}
	}

	// Bodies.
	htmlSrc := bodyHTML(env)
	if strings.TrimSpace(htmlSrc) != "" {
		m.HTML = htmlsafe.Sanitize(mail.FixText(htmlSrc))
	}
	m.Text = cleanText(env.Text)
	if m.Text == "" && m.HTML != "" {
		m.Text = mail.HTMLToText(m.HTML)
	}

	m.Attachments = attachments(env, m.HTML)

	if m.Text == "" && m.HTML == "" && len(m.Attachments) == 0 {
		// Nothing could be decoded although there is a body (a multipart whose boundary never
		// appears, an unknown transfer encoding…): keep the raw body readable.
		if body := rawBody(raw); strings.TrimSpace(string(body)) != "" {
			m.Text = strings.TrimSpace(rawText(body))
			m.Malformed = true
			m.addProblem("no readable body part; the raw body is kept as text")
		}
	}

	m.Bounce = findBounce(env, m)
	if m.Bounce == nil && (isDaemon(m.From.Address) || hasDSN(env.Root)) {
		// Automated mail from a mail system (a delay notice, a non-standard bounce).
		m.AutoReply = true
	}
	m.Forwarded = findForwarded(env, m)
	return m
}

// severe tells the enmime problems that mean content may be missing.
func severe(e *enmime.Error) bool {
	switch e.Name {
	case enmime.ErrorMissingBoundary:
		return true
	case enmime.ErrorDataHasBoundary, enmime.ErrorMalformedHeader:
		return false
	}
	return e.Severe
}

func (m *Message) addProblem(p string) {
	if len(m.Problems) < maxProblems {
		m.Problems = append(m.Problems, p)
	}
}

// fillHeaders sets the header-derived fields of m.
func fillHeaders(m *Message, h textproto.MIMEHeader, get func(string) string) {
	m.Header = get
	m.Subject = mail.SingleLine(get("Subject"))
	if from := parseAddressList(headerValue(h, "From")); len(from) > 0 {
		m.From = from[0]
	}
	m.To = parseAddressList(headerValues(h, "To"))
	m.Cc = parseAddressList(headerValues(h, "Cc"))
	m.ReplyTo = parseAddressList(headerValues(h, "Reply-To"))
	m.Date = parseDate(get("Date"))
	if ids := parseIDs(headerValue(h, "Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = parseIDs(headerValues(h, "In-Reply-To"))
	m.References = parseIDs(headerValues(h, "References"))
	m.AutoReply = isAutoReply(get)
}

// headerValue is the first raw (undecoded) value of a header.
func headerValue(h textproto.MIMEHeader, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// headerValues joins all raw values of a header (some senders repeat To or References).
func headerValues(h textproto.MIMEHeader, name string) string {
	var vs []string
	for k, v := range h {
		if strings.EqualFold(k, name) {
			vs = append(vs, v...)
		}
	}
	if len(vs) == 1 {
		return vs[0]
	}
	return strings.Join(vs, ", ")
}

// reAngle finds <…> groups of ids.
var reAngle = regexp.MustCompile(`<([^<>]*)>`)

// parseIDs reads message ids: the <…> groups when there are any (ignoring comments and junk
// around them), else the whitespace- or comma-separated words; without angle brackets,
// trimmed, duplicates removed, in header order.
func parseIDs(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var raw []string
	if ms := reAngle.FindAllStringSubmatch(v, -1); len(ms) > 0 {
		for _, m := range ms {
			raw = append(raw, m[1])
		}
	} else {
		raw = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\r' || r == '\n' })
	}
	out := make([]string, 0, len(raw))
	seen := make(map[string]bool, len(raw))
	for _, id := range raw {
		id = strings.TrimSpace(strings.Trim(strings.TrimSpace(id), "<>"))
		if id == "" || seen[id] || strings.ContainsAny(id, " \t\r\n") {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// reAddrSpec finds a bare address in a header enmime and net/mail cannot parse.
var reAddrSpec = regexp.MustCompile(`[^\s<>"(),;:\[\]]+@[^\s<>"(),;:\[\]]+`)

// parseAddressList reads an address header (raw); names are RFC 2047-decoded. Lists net/mail
// refuses (semicolon separators, unquoted specials in names) are read leniently.
func parseAddressList(v string) []mail.Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if list, err := enmime.ParseAddressList(v); err == nil {
		out := make([]mail.Address, 0, len(list))
		for _, a := range list {
			if a == nil || strings.TrimSpace(a.Address) == "" {
				continue
			}
			out = append(out, newAddress(a.Name, a.Address))
		}
		if len(out) > 0 {
			return out
		}
	}
	var out []mail.Address
	for _, piece := range splitAddresses(v) {
		addr := reAddrSpec.FindString(piece)
		if addr == "" {
			continue
		}
		name := strings.Replace(piece, addr, "", 1)
		name = strings.NewReplacer("<>", "", "[mailto:]", "", "()", "").Replace(name)
		out = append(out, newAddress(decodeHeader(name), addr))
	}
	return out
}

// newAddress cleans a parsed address; a name that only repeats the address (Outlook's
// "a@b" <a@b>) is dropped.
func newAddress(name, addr string) mail.Address {
	a := mail.Address{Name: cleanName(name), Address: strings.TrimSpace(addr)}
	if strings.EqualFold(a.Name, a.Address) {
		a.Name = ""
	}
	return a
}

// splitAddresses splits a list on commas and semicolons outside quotes and angle brackets.
func splitAddresses(v string) []string {
	var out []string
	var quoted bool
	angle := 0
	start := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			angle++
		case c == '>' && !quoted && angle > 0:
			angle--
		case (c == ',' || c == ';') && !quoted && angle == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// cleanName trims a display name of spaces and surrounding quotes and fixes its encoding.
func cleanName(s string) string {
	s = strings.TrimSpace(s)
	for len(s) >= 2 && ((s[0] == '"' && s[len(s)-1] == '"') || (s[0] == '\'' && s[len(s)-1] == '\'')) {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	s = strings.Join(strings.Fields(s), " ")
	return mail.FixText(s)
}

// dateLayouts are tried, in order, for Date headers net/mail cannot read.
var dateLayouts = []string{
	time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 06 15:04:05 -0700", "Mon Jan 2 15:04:05 2006", "Mon Jan 2 15:04:05 -0700 2006",
	"Mon, 2 Jan 2006 15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05 -0700",
}

var reParenComment = regexp.MustCompile(`\([^()]*\)`)

// parseDate reads a Date header; the zero time when it cannot be read.
func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := netmail.ParseDate(v); err == nil {
		return t
	}
	v = strings.Join(strings.Fields(reParenComment.ReplaceAllString(v, "")), " ")
	v = strings.TrimSuffix(strings.TrimSuffix(v, " GMT"), " UT")
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// isAutoReply reports automatic mail from its headers (RFC 3834 and common practice); subjects
// such as "Out of office" are deliberately not enough:
//   - Auto-Submitted with any value other than "no" (auto-replied, auto-generated, auto-notified);
//   - Precedence: bulk, junk, list or auto_reply;
//   - X-Autoreply or X-Autorespond present (with a value other than no/false/0);
//   - X-Auto-Response-Suppress naming All, OOF or AutoReply: Exchange sets it on its own
//     out-of-office replies and notification senders (GitHub, GitLab, ticket systems) set it
//     on machine mail; DR/NDR/RN/NRN alone (receipt suppression) do not count.
func isAutoReply(get func(string) string) bool {
	if v := headerToken(get("Auto-Submitted")); v != "" && v != "no" {
		return true
	}
	switch headerToken(get("Precedence")) {
	case "bulk", "junk", "list", "auto_reply", "auto-reply":
		return true
	}
	for _, h := range []string{"X-Autoreply", "X-Autorespond"} {
		switch v := headerToken(get(h)); v {
		case "", "no", "false", "0":
		default:
			return true
		}
	}
	for _, tok := range strings.FieldsFunc(strings.ToLower(get("X-Auto-Response-Suppress")), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		switch tok {
		case "all", "oof", "autoreply":
			return true
		}
	}
	return false
}

// headerToken is the first word of a structured header value, lower-cased, without
// parameters or comments.
func headerToken(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexAny(v, ";( \t"); i >= 0 {
		v = v[:i]
	}
	return v
}

// bodyHTML is enmime's HTML body, followed by further HTML parts of the same multipart/mixed
// (Apple Mail splits the HTML around attachments placed in the text).
func bodyHTML(env *enmime.Envelope) string {
	p := env.Root.DepthMatchFirst(func(p *enmime.Part) bool { return isBodyPart(p) && p.ContentType == "text/html" })
	if p == nil {
		return env.HTML
	}
	out := string(p.Content)
	if p.Parent != nil && p.Parent.ContentType == "multipart/mixed" {
		for s := p.NextSibling; s != nil; s = s.NextSibling {
			if isBodyPart(s) && s.ContentType == "text/html" {
				out += string(s.Content)
			}
		}
	}
	return out
}

// isBodyPart tells the text parts that are the message's body rather than attachments.
func isBodyPart(p *enmime.Part) bool {
	if p.ContentType != "text/plain" && p.ContentType != "text/html" {
		return false
	}
	return p.FileName == "" && !strings.EqualFold(p.Disposition, "attachment")
}

// cleanText normalizes a decoded text body: valid UTF-8, \n line ends, no leading blank lines
// or trailing spaces.
func cleanText(s string) string {
	s = mail.NormalizeNewlines(mail.FixText(s))
	s = strings.TrimRight(s, " \t\n")
	return strings.TrimLeft(s, "\n")
}

var reCID = regexp.MustCompile(`(?i)cid:([^"'\s)>]+)`)

// attachments lists the parts that are not the body: attachments, inline parts (Inline when
// the HTML refers to their Content-ID) and attached messages. Delivery-status fields are
// left out (see Message.Bounce). mail.Part.Data shares enmime's decoded content, no copy.
func attachments(env *enmime.Envelope, sanitizedHTML string) []mail.Part {
	refs := map[string]bool{}
	for _, m := range reCID.FindAllStringSubmatch(sanitizedHTML, -1) {
		id := m[1]
		if u, err := url.PathUnescape(id); err == nil {
			id = u
		}
		refs[strings.ToLower(strings.Trim(id, "<>"))] = true
	}
	var out []mail.Part
	_ = env.Root.DepthMatchAll(func(p *enmime.Part) bool {
		ct := strings.ToLower(p.ContentType)
		if p.FirstChild != nil || strings.HasPrefix(ct, "multipart/") || isBodyPart(p) {
			return false
		}
		switch ct {
		case "message/delivery-status", "message/global-delivery-status", "text/rfc822-headers", "message/global-headers":
			return false
		}
		if p == env.Root && len(p.Content) == 0 {
			return false
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		cid := strings.TrimSpace(p.ContentID)
		part := mail.Part{
			Name:        mail.FixText(strings.TrimSpace(p.FileName)),
			ContentType: ct,
			ContentID:   cid,
			Inline:      cid != "" && refs[strings.ToLower(cid)],
			Data:        p.Content,
		}
		if part.Name == "" {
			part.Name = defaultName(ct, part.Inline)
		}
		out = append(out, part)
		return false
	})
	return out
}

// defaultName names an attachment that has no file name.
func defaultName(ct string, inline bool) string {
	base := "attachment"
	if inline {
		base = "inline"
	}
	switch ct {
	case "message/rfc822", "message/global":
		return "message.eml"
	case "image/jpeg":
		return base + ".jpg"
	case "image/png":
		return base + ".png"
	case "image/gif":
		return base + ".gif"
	case "application/pdf":
		return base + ".pdf"
	case "text/calendar":
		return "invite.ics"
	}
	if exts, err := mime.ExtensionsByType(ct); err == nil && len(exts) > 0 {
		return base + exts[0]
	}
	return base
}

// rawBody is what follows the header block of raw (the first blank line).
func rawBody(raw []byte) []byte {
	best, size := -1, 0
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(raw, sep); i >= 0 && (best < 0 || i < best) {
			best, size = i, len(sep)
		}
	}
	if best < 0 {
		return nil
	}
	return raw[best+size:]
}
