package mailparse

import (
	"mime"
	"net/textproto"
	"strings"

	"github.com/jhillyerd/enmime/v2"

	"github.com/openinbox/inbox/shared/mail"
)

// isDaemon reports addresses of mail systems: mailer-daemon@… and postmaster@….
func isDaemon(addr string) bool {
	local, _, ok := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	return ok && (local == "mailer-daemon" || local == "postmaster")
}

// isDeliveryReport reports a multipart/report; report-type=delivery-status header.
func isDeliveryReport(h textproto.MIMEHeader) bool {
	ct := headerValue(h, "Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil {
		return strings.EqualFold(mt, "multipart/report") && strings.EqualFold(strings.TrimSpace(params["report-type"]), "delivery-status")
	}
	l := strings.ToLower(ct)
	return strings.HasPrefix(strings.TrimSpace(l), "multipart/report") &&
		(strings.Contains(l, "report-type=delivery-status") || strings.Contains(l, `report-type="delivery-status"`))
}

func isDSNPart(p *enmime.Part) bool {
	ct := strings.ToLower(p.ContentType)
	return ct == "message/delivery-status" || ct == "message/global-delivery-status"
}

func hasDSN(root *enmime.Part) bool { return root.DepthMatchFirst(isDSNPart) != nil }

// findBounce reads a delivery status notification (RFC 3464): a multipart/report with
// report-type=delivery-status, or mail from mailer-daemon@/postmaster@ that carries a
// message/delivery-status part. It is a bounce when a recipient failed, or when no recipient
// status can be read; a notice that only reports delayed, delivered, relayed or expanded
// recipients is not (Parse flags it AutoReply instead).
//
// Recipient, Status and Diagnostic come from the first failed recipient's fields. The original
// Message-ID is read from the returned message (message/rfc822 or text/rfc822-headers), else
// from the DSN's X-Original-Message-ID / Original-Message-ID fields, else from the
// notification's own In-Reply-To/References.
func findBounce(env *enmime.Envelope, m *Message) *Bounce {
	dsn := env.Root.DepthMatchFirst(isDSNPart)
	if !isDeliveryReport(env.Root.Header) && !(dsn != nil && isDaemon(m.From.Address)) {
		return nil
	}
	b := &Bounce{}
	if dsn != nil {
		var perMessage []textproto.MIMEHeader
		var recipients []textproto.MIMEHeader
		for _, g := range readFieldGroups(string(dsn.Content)) {
			if g.Get("Final-Recipient") != "" || g.Get("Original-Recipient") != "" || g.Get("Action") != "" {
				recipients = append(recipients, g)
			} else {
				perMessage = append(perMessage, g)
			}
		}
		var chosen textproto.MIMEHeader
		for _, r := range recipients {
			if strings.EqualFold(headerToken(r.Get("Action")), "failed") {
				chosen = r
				break
			}
		}
		if chosen == nil && len(recipients) > 0 {
			for _, r := range recipients {
				switch headerToken(r.Get("Action")) {
				case "delayed", "delivered", "relayed", "expanded":
				default:
					chosen = r
				}
				if chosen != nil {
					break
				}
			}
			if chosen == nil {
				return nil // only delays or successes: not a bounce
			}
		}
		if chosen != nil {
			b.Recipient = dsnAddress(chosen.Get("Final-Recipient"))
			if b.Recipient == "" {
				b.Recipient = dsnAddress(chosen.Get("Original-Recipient"))
			}
			b.Status = headerToken(chosen.Get("Status"))
			b.Diagnostic = afterType(chosen.Get("Diagnostic-Code"))
		}
		for _, g := range perMessage {
			for _, k := range []string{"X-Original-Message-Id", "Original-Message-Id"} {
				if ids := parseIDs(g.Get(k)); b.OriginalMessageID == "" && len(ids) > 0 {
					b.OriginalMessageID = ids[0]
				}
			}
		}
	}
	if orig := env.Root.DepthMatchFirst(isReturnedMessage); orig != nil {
		h := readHeaderBlock(orig.Content)
		if ids := parseIDs(headerValue(h, "Message-Id")); len(ids) > 0 {
			b.OriginalMessageID = ids[0]
		}
	}
	if b.OriginalMessageID == "" && len(m.InReplyTo) > 0 {
		b.OriginalMessageID = m.InReplyTo[0]
	}
	if b.OriginalMessageID == "" && len(m.References) > 0 {
		b.OriginalMessageID = m.References[len(m.References)-1]
	}
	if b.Recipient == "" {
		if list := parseAddressList(m.Header("X-Failed-Recipients")); len(list) > 0 {
			b.Recipient = list[0].Address
		}
	}
	return b
}

func isReturnedMessage(p *enmime.Part) bool {
	switch strings.ToLower(p.ContentType) {
	case "message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers":
		return true
	}
	return false
}

// readFieldGroups reads DSN fields: header-like lines in groups separated by blank lines,
// tolerating damage (lines without a colon are skipped).
func readFieldGroups(s string) []textproto.MIMEHeader {
	var groups []textproto.MIMEHeader
	cur := textproto.MIMEHeader{}
	var lastKey string
	flush := func() {
		if len(cur) > 0 {
			groups = append(groups, cur)
			cur = textproto.MIMEHeader{}
		}
		lastKey = ""
	}
	for _, line := range strings.Split(mail.NormalizeNewlines(s), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && lastKey != "" {
			vs := cur[lastKey]
			vs[len(vs)-1] += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) == "" || strings.ContainsAny(strings.TrimSpace(k), " \t") {
			continue
		}
		lastKey = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(k))
		cur.Add(lastKey, strings.TrimSpace(v))
	}
	flush()
	return groups
}

// dsnAddress reads an address field "rfc822; user@example.com".
func dsnAddress(v string) string {
	v = afterType(v)
	return strings.Trim(strings.TrimSpace(v), "<>")
}

// afterType drops the "type;" prefix of a DSN field (rfc822;, smtp;, X-Postfix;) and collapses
// spaces.
func afterType(v string) string {
	if t, rest, ok := strings.Cut(v, ";"); ok && !strings.ContainsAny(strings.TrimSpace(t), " \t<@") {
		v = rest
	}
	return strings.Join(strings.Fields(v), " ")
}
