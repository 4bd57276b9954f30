package mailparse

import (
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/openinbox/inbox/shared/mail"
)

// reFwdSubject matches forward prefixes: Fwd:/Fw: (English, Gmail, Outlook), TR: (French
// Outlook), WG: (German Outlook), VS: (Danish Outlook), VB: (Swedish), VL: (Finnish), RV:
// (Spanish), ENC: (Portuguese), Videresend: (Norwegian), optionally in [brackets].
var reFwdSubject = regexp.MustCompile(`(?i)^\s*\[?\s*(fwd?|tr|wg|vs|vb|vl|rv|enc|videresend)\s*:`)

// reFwdSeparator matches the line that opens a forwarded or original-message block.
// It and reFwdField are compiled on first use: with their case folding of non-ASCII letters and
// Unicode classes they cost about two milliseconds, which every cold start of the email
// function would pay, while only forwarded mail needs them.
var reFwdSeparator = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(` +
		// Gmail, Thunderbird, Yahoo, Outlook: "---------- Forwarded message ---------".
		`-{2,}\s*(forwarded message|original message|videresendt meddelelse|oprindelig meddelelse|videresendt melding|opprinnelig melding|weitergeleitete nachricht|ursprüngliche nachricht|message transféré|message d'origine|mensaje reenviado|mensaje original|doorgestuurd bericht|oorspronkelijk bericht|vidarebefordrat meddelande|ursprungligt meddelande)\s*-{2,}` +
		// Apple Mail: "Begin forwarded message:".
		`|(begin forwarded message|start på videresendt besked|videresendt melding|anfang der weitergeleiteten nachricht|début du message réexpédié|début du message transféré|inicio del mensaje reenviado|begin doorgestuurd bericht|vidarebefordrat mejl)\s*:` +
		// Outlook on the web / 365: a line of underscores.
		`|_{20,}` +
		`)$`)
})

// reFwdField matches a "Key: value" line of a forwarded block, with Outlook's *bold* markers.
var reFwdField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\*?\s*([\p{L}][\p{L} .-]{0,24}?)\s*\*?\s*:\s*\*?\s*(.*?)\s*$`)
})

// Field names of forwarded blocks, lower case, in the languages of Gmail, Outlook and Apple
// Mail most likely to reach the inbox.
var (
	fwdFrom = map[string]bool{"from": true, "fra": true, "von": true, "de": true, "van": true,
		"från": true, "od": true, "da": true, "lähettäjä": true, "feladó": true, "от": true}
	fwdDate = map[string]bool{"date": true, "sent": true, "dato": true, "sendt": true,
		"gesendet": true, "datum": true, "envoyé": true, "enviado": true, "enviada": true,
		"verzonden": true, "skickat": true, "data": true, "inviato": true, "lähetetty": true,
		"päivämäärä": true, "sent at": true}
	fwdSubject = map[string]bool{"subject": true, "emne": true, "betreff": true, "objet": true,
		"asunto": true, "onderwerp": true, "ämne": true, "oggetto": true, "assunto": true,
		"aihe": true, "temat": true, "předmět": true}
	fwdOther = map[string]bool{"to": true, "til": true, "an": true, "à": true, "a": true,
		"para": true, "aan": true, "till": true, "cc": true, "kopi": true, "bcc": true,
		"reply-to": true, "svar til": true, "antwort an": true, "importance": true,
		"vigtighed": true, "wichtigkeit": true, "priority": true}
)

// findForwarded finds the original sender of a forwarded message (see Message.Forwarded):
// an attached message/rfc822 when the subject is a forward, else the first forwarded block
// of the text (anywhere when the subject is a forward, else only at its start), else the same
// in the text of the HTML.
func findForwarded(env *enmime.Envelope, m *Message) *Forwarded {
	if m.Bounce != nil {
		return nil
	}
	subjectFwd := reFwdSubject.MatchString(m.Subject)
	loc := time.UTC
	if !m.Date.IsZero() {
		loc = m.Date.Location()
	}
	if subjectFwd {
		if p := env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
			ct := strings.ToLower(p.ContentType)
			return ct == "message/rfc822" || ct == "message/global"
		}); p != nil {
			h := readHeaderBlock(p.Content)
			if from := parseAddressList(headerValue(h, "From")); len(from) > 0 {
				return &Forwarded{
					From:    from[0],
					Subject: mail.SingleLine(mail.FixText(decodeHeader(headerValue(h, "Subject")))),
					Date:    parseDate(headerValue(h, "Date")),
				}
			}
		}
	}
	if f := forwardBlock(m.Text, subjectFwd, loc); f != nil {
		return f
	}
	if m.HTML != "" {
		return forwardBlock(mail.HTMLToText(m.HTML), subjectFwd, loc)
	}
	return nil
}

// forwardBlock parses the first forwarded block of text; anywhere=false requires it to open
// the text.
func forwardBlock(text string, anywhere bool, loc *time.Location) *Forwarded {
	if text == "" {
		return nil
	}
	lines := strings.Split(mail.NormalizeNewlines(text), "\n")
	for i := range lines {
		lines[i] = unquoteLine(lines[i])
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		start := -1
		if reFwdSeparator().MatchString(line) {
			start = i + 1
		} else if key, _ := fwdField(line); fwdFrom[key] && blockHasDate(lines[i+1:]) {
			start = i
		}
		if start >= 0 {
			if f := readForwardFields(lines[start:], loc); f != nil {
				return f
			}
		}
		if !anywhere {
			return nil
		}
	}
	return nil
}

// unquoteLine drops "> " quote markers and surrounding spaces.
func unquoteLine(l string) string {
	l = strings.TrimSpace(l)
	for strings.HasPrefix(l, ">") {
		l = strings.TrimSpace(l[1:])
	}
	return l
}

// fwdField splits a "Key: value" line; key is lower case, "" when the line is not a field.
func fwdField(line string) (key, value string) {
	m := reFwdField().FindStringSubmatch(line)
	if m == nil {
		return "", ""
	}
	return strings.ToLower(strings.TrimSpace(m[1])), m[2]
}

// blockHasDate reports a date or subject field within the next few lines (Outlook blocks have
// no separator line: "From:" then "Sent:").
func blockHasDate(lines []string) bool {
	for i, l := range lines {
		if i >= 4 {
			break
		}
		k, _ := fwdField(l)
		if fwdDate[k] || fwdSubject[k] {
			return true
		}
	}
	return false
}

// readForwardFields reads the fields of a block: blank lines before it are skipped, it ends
// at the first blank line or non-field line after at least one field.
func readForwardFields(lines []string, loc *time.Location) *Forwarded {
	var f Forwarded
	var hasFrom bool
	seen := 0
	for _, l := range lines {
		if l == "" {
			if seen == 0 {
				continue
			}
			break
		}
		k, v := fwdField(l)
		switch {
		case fwdFrom[k] && !hasFrom:
			f.From, hasFrom = parseForwardFrom(v), true
		case fwdDate[k] && f.Date.IsZero():
			f.Date = parseLooseDate(v, loc)
		case fwdSubject[k] && f.Subject == "":
			f.Subject = mail.SingleLine(v)
		case fwdFrom[k] || fwdDate[k] || fwdSubject[k] || fwdOther[k]:
		case seen > 0 && k == "":
			// A continuation of a long To:/Cc: line, or the body.
			if !strings.Contains(l, "@") && !strings.HasSuffix(strings.TrimSpace(l), ",") && !strings.HasSuffix(strings.TrimSpace(l), ";") {
				if hasFrom {
					return &f
				}
				return nil
			}
		default:
			if seen == 0 {
				return nil
			}
			if hasFrom {
				return &f
			}
			return nil
		}
		seen++
		if seen > 20 {
			break
		}
	}
	if !hasFrom {
		return nil
	}
	return &f
}

var (
	reMailtoBracket = regexp.MustCompile(`(?i)\[mailto:([^\]]*)\]`)
	reMailtoAngle   = regexp.MustCompile(`(?i)<mailto:[^>]*>`)
	reOnBehalf      = regexp.MustCompile(`(?i)\s+on behalf of\s+.*$`)
)

// parseForwardFrom reads the From value of a forwarded block: "Name <a@b>", "Name [mailto:a@b]",
// "a@b<mailto:a@b>", "<a@b>", "a@b" or a bare name.
func parseForwardFrom(v string) mail.Address {
	v = reMailtoBracket.ReplaceAllString(v, "<$1>")
	v = reMailtoAngle.ReplaceAllString(v, "")
	v = reOnBehalf.ReplaceAllString(v, "")
	v = strings.ReplaceAll(v, "*", "")
	v = strings.TrimSpace(v)
	if list := parseAddressList(v); len(list) > 0 {
		return list[0]
	}
	return mail.Address{Name: cleanName(v)}
}

// looseLayouts are the date formats of forwarded blocks (Gmail, Outlook, Apple Mail, in
// English), tried after " at " and commas are removed.
var looseLayouts = []string{
	"Mon Jan 2 2006 3:04 PM",               // Gmail: Wed, Oct 27, 2021 at 9:31 AM
	"Monday January 2 2006 3:04 PM",        // Outlook: Thursday, October 28, 2021 12:46 PM
	"Monday January 2 2006 3:04:05 PM",     //
	"Monday 2 January 2006 15:04",          // new Outlook: Thursday, 28 October 2021 at 12:46
	"Monday 2 January 2006 15:04:05",       //
	"Mon 2 Jan 2006 15:04",                 // Gmail (en-GB): Wed, 27 Oct 2021 at 09:31
	"2 January 2006 15:04:05 MST",          // Apple Mail: 25 October 2021 at 11:17:21 EEST
	"2 January 2006 15:04",                 //
	"January 2 2006 3:04:05 PM MST",        // Apple Mail (US): October 25, 2021 at 11:17:21 AM EDT
	"January 2 2006 3:04 PM",               //
	"Mon Jan 2 2006 15:04",                 //
	"Mon 2 Jan 2006 15:04:05 -0700",        // RFC 5322 without commas
	"Monday January 2 2006 at 3:04:05 PM",  //
	"2006-01-02 15:04",                     //
	"1/2/2006 3:04 PM",                     //
	"Mon 1/2/2006 3:04 PM",                 //
	"Monday January 2 2006 3:04 PM -0700",  //
	"Monday 2 January 2006 15:04:05 -0700", //
}

// parseLooseDate reads the date of a forwarded block, in loc when it names no zone; the zero
// time when it cannot be read.
func parseLooseDate(v string, loc *time.Location) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := netmail.ParseDate(v); err == nil {
		return t
	}
	n := strings.ReplaceAll(v, ",", " ")
	n = strings.ReplaceAll(n, " at ", " ")
	n = strings.ReplaceAll(n, "\u202f", " ") // narrow no-break space before AM/PM
	n = strings.Join(strings.Fields(n), " ")
	for _, l := range looseLayouts {
		t, err := time.ParseInLocation(l, n, loc)
		if err != nil {
			continue
		}
		if name, off := t.Zone(); off == 0 && strings.Contains(l, "MST") && name != "UTC" && name != "GMT" && name != "Z" {
			// An abbreviation Go does not know ("EEST", "CEST") gets a made-up zero offset;
			// the forwarder's own zone is a better guess.
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
		}
		return t
	}
	return time.Time{}
}
