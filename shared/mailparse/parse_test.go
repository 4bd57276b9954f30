package mailparse

import (
	"bytes"
	"errors"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/openinbox/inbox/shared/mail"
)

func parseFile(t *testing.T, name string) *Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if m.Header == nil {
		t.Fatalf("Parse(%s): Header is nil", name)
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) || !utf8.ValidString(m.Subject) {
		t.Fatalf("Parse(%s): invalid UTF-8 in text, HTML or subject", name)
	}
	return m
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func contains(t *testing.T, what, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%s = %q, want it to contain %q", what, s, sub)
	}
}

func notContains(t *testing.T, what, s, sub string) {
	t.Helper()
	if strings.Contains(strings.ToLower(s), strings.ToLower(sub)) {
		t.Errorf("%s = %q, must not contain %q", what, s, sub)
	}
}

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	cest := time.FixedZone("", 2*3600)
	tests := []struct {
		file  string
		check func(t *testing.T, m *Message)
	}{
		{"danish_latin1.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Spørgsmål om lækage – køkkenet er vådt")
			eq(t, "From", m.From, mail.Address{Name: "Søren Ærø Ågård", Address: "soren@example.dk"})
			eq(t, "To", m.To, []mail.Address{{Name: "Acme Support", Address: "support@acme.example"}})
			eq(t, "MessageID", m.MessageID, "5f0c3b1e-1a2b-4c3d-9e8f-0a1b2c3d4e5f@example.dk")
			eq(t, "Date", m.Date.Equal(time.Date(2024, 6, 3, 12, 15, 0, 0, cest)), true)
			contains(t, "Text", m.Text, "Vores køkken er vådt efter jeres besøg i går.")
			contains(t, "Text", m.Text, "længere end 76 tegn, æøå ÆØÅ.\n\nMed venlig hilsen\nSøren")
			eq(t, "HTML", m.HTML, "")
			eq(t, "Malformed", m.Malformed, false)
			eq(t, "AutoReply", m.AutoReply, false)
			eq(t, "Header(Content-Language)", m.Header("Content-Language"), "da")
			eq(t, "Header(subject)", m.Header("subject"), m.Subject)
		}},
		{"windows1252.eml", func(t *testing.T, m *Message) {
			want := "The invoice says “€ 1.250” – but we agreed on € 1.000. It’s wrong."
			contains(t, "Text", m.Text, want)
			contains(t, "HTML", m.HTML, want)
			notContains(t, "HTML", m.HTML, "<style")
			notContains(t, "HTML", m.HTML, "color:red")
			eq(t, "To", m.To, []mail.Address{{Address: "support@acme.example"}})
			eq(t, "InReplyTo", len(m.InReplyTo), 0)
		}},
		{"latin1_declared_cp1252.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "Prisen er “€ 99” for køkkenet.")
		}},
		{"mixed_pdf.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Faktura vedhæftet")
			eq(t, "From", m.From, mail.Address{Name: "Hansen, Peter", Address: "peter.hansen@example.dk"})
			eq(t, "Text", m.Text, "Hej,\n\nFakturaen er vedhæftet.\n\nPeter")
			contains(t, "HTML", m.HTML, "<div>Fakturaen er vedhæftet.</div>")
			if len(m.Attachments) != 1 {
				t.Fatalf("Attachments = %d, want 1", len(m.Attachments))
			}
			a := m.Attachments[0]
			eq(t, "Name", a.Name, "Faktura 2024-001.pdf")
			eq(t, "ContentType", a.ContentType, "application/pdf")
			eq(t, "Inline", a.Inline, false)
			if !bytes.HasPrefix(a.Data, []byte("%PDF-1.4")) || !bytes.Contains(a.Data, []byte("%%EOF")) {
				t.Errorf("PDF data not decoded: %q", a.Data)
			}
		}},
		{"related_cid.eml", func(t *testing.T, m *Message) {
			contains(t, "HTML", m.HTML, `src="cid:image001.png@01DAB8C4.5A0B1C20"`)
			notContains(t, "HTML", m.HTML, "onerror")
			notContains(t, "HTML", m.HTML, "style=")
			if len(m.Attachments) != 2 {
				t.Fatalf("Attachments = %+v, want 2", m.Attachments)
			}
			img := m.Attachments[0]
			eq(t, "ContentID", img.ContentID, "image001.png@01DAB8C4.5A0B1C20")
			eq(t, "Inline", img.Inline, true)
			eq(t, "Name", img.Name, "image001.png")
			eq(t, "ContentType", img.ContentType, "image/png")
			if !bytes.HasPrefix(img.Data, []byte("\x89PNG")) {
				t.Errorf("PNG data not decoded: %q", img.Data)
			}
			// An inline part the HTML does not show is listed as an attachment.
			eq(t, "unused Inline", m.Attachments[1].Inline, false)
			eq(t, "unused Name", m.Attachments[1].Name, "attachment.png")
		}},
		{"gmail_forward.eml", func(t *testing.T, m *Message) {
			if m.Forwarded == nil {
				t.Fatal("Forwarded = nil")
			}
			eq(t, "Forwarded.From", m.Forwarded.From, mail.Address{Name: "Karen Jensen", Address: "karen.jensen@example.dk"})
			eq(t, "Forwarded.Subject", m.Forwarded.Subject, "Problem med levering")
			// The block's local time is read in the zone of the forward's own Date.
			eq(t, "Forwarded.Date", m.Forwarded.Date.Equal(time.Date(2021, 10, 27, 9, 31, 0, 0, cest)), true)
			eq(t, "From", m.From.Address, "anders@gmail.example")
		}},
		{"outlook_forward.eml", func(t *testing.T, m *Message) {
			if m.Forwarded == nil {
				t.Fatal("Forwarded = nil")
			}
			eq(t, "Forwarded.From", m.Forwarded.From, mail.Address{Name: "Peter Hansen", Address: "peter@customer.example"})
			eq(t, "Forwarded.Subject", m.Forwarded.Subject, "Order 4411")
			eq(t, "Forwarded.Date", m.Forwarded.Date.Equal(time.Date(2021, 10, 28, 12, 46, 0, 0, time.UTC)), true)
		}},
		{"outlook_reply_references.eml", func(t *testing.T, m *Message) {
			eq(t, "MessageID", m.MessageID, "VI1PR07MB6399F0E1D2C3B4A5@VI1PR07MB6399.eurprd07.prod.outlook.com")
			eq(t, "InReplyTo", len(m.InReplyTo), 0)
			eq(t, "References", m.References, []string{"first-4411@inbox.acme.example", "CAorig4411@customer.example", "second-4411@inbox.acme.example"})
			eq(t, "From", m.From, mail.Address{Name: "Lars Møller", Address: "lars@customer.example"})
			eq(t, "Subject", m.Subject, "SV: Din henvendelse #4411")
			// A reply quoting the team's message is not a forward.
			eq(t, "Forwarded", m.Forwarded, (*Forwarded)(nil))
		}},
		{"vacation.eml", func(t *testing.T, m *Message) {
			eq(t, "AutoReply", m.AutoReply, true)
			eq(t, "Subject", m.Subject, "Automatisk svar: Din henvendelse #4411")
			eq(t, "InReplyTo", m.InReplyTo, []string{"second-4411@inbox.acme.example"})
			eq(t, "Bounce", m.Bounce, (*Bounce)(nil))
		}},
		{"bounce.eml", func(t *testing.T, m *Message) {
			eq(t, "Bounce", m.Bounce, &Bounce{
				OriginalMessageID: "reply-123@inbox.acme.example",
				Recipient:         "nobody@example.dk",
				Status:            "5.1.1",
				Diagnostic:        "550-5.1.1 The email account that you tried to reach does not exist.",
			})
			contains(t, "Text", m.Text, "Address not found")
			eq(t, "Forwarded", m.Forwarded, (*Forwarded)(nil))
			// The returned message stays available (e.g. for its X-Inbox-Message-Id).
			if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "message/rfc822" {
				t.Fatalf("Attachments = %+v, want the returned message/rfc822", m.Attachments)
			}
			contains(t, "returned message", string(m.Attachments[0].Data), "X-Inbox-Message-Id: msg_01HZX")
		}},
		{"malformed_boundary.eml", func(t *testing.T, m *Message) {
			eq(t, "Malformed", m.Malformed, true)
			if len(m.Problems) == 0 {
				t.Error("Problems is empty")
			}
			contains(t, "Text", m.Text, "Please call me back on 12345678 æøå.")
			eq(t, "Subject", m.Subject, "Broken")
			eq(t, "From", m.From.Address, "broken@example.com")
		}},
		{"garbage.eml", func(t *testing.T, m *Message) {
			eq(t, "Malformed", m.Malformed, true)
			if len(m.Problems) == 0 {
				t.Error("Problems is empty")
			}
			contains(t, "Text", m.Text, "This is not a mail")
			contains(t, "Text", m.Text, "but keep it readable")
			eq(t, "Header(From)", m.Header("From"), "")
		}},
		{"html_only_xss.eml", func(t *testing.T, m *Message) {
			for _, bad := range []string{"<script", "alert", "onerror", "onload", "onclick", "javascript:", "<iframe", "<form", "<input", "style", "display:none"} {
				notContains(t, "HTML", m.HTML, bad)
			}
			contains(t, "HTML", m.HTML, `<a href="https://example.com/help" rel="nofollow noreferrer">help</a>`)
			contains(t, "HTML", m.HTML, `<table width="600" cellpadding="0">`)
			contains(t, "HTML", m.HTML, `<td align="center" bgcolor="#ffffff">cell</td>`)
			// Text is derived from the sanitized HTML.
			contains(t, "Text", m.Text, "Hello team,")
			notContains(t, "Text", m.Text, "alert")
			eq(t, "Problems", len(m.Problems), 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			tt.check(t, parseFile(t, tt.file))
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseReadError(t *testing.T) {
	t.Parallel()
	if _, err := Parse(failingReader{}); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("Parse(failing reader) error = %v, want the read error", err)
	}
}

func TestParseHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string
		check  func(t *testing.T, m *Message)
	}{
		{"ids with spaces and junk", "Message-ID:  < abc@x >  \r\nIn-Reply-To: <p@x> (Your message of Mon)\r\nReferences: <a@x>\r\n\t<b@x>,<c@x>  <a@x>\r\n", func(t *testing.T, m *Message) {
			eq(t, "MessageID", m.MessageID, "abc@x")
			eq(t, "InReplyTo", m.InReplyTo, []string{"p@x"})
			eq(t, "References", m.References, []string{"a@x", "b@x", "c@x"})
		}},
		{"ids without brackets", "Message-ID: bare@x\r\nReferences: one@x two@x\r\n", func(t *testing.T, m *Message) {
			eq(t, "MessageID", m.MessageID, "bare@x")
			eq(t, "References", m.References, []string{"one@x", "two@x"})
		}},
		{"no message id", "Subject: x\r\n", func(t *testing.T, m *Message) {
			eq(t, "MessageID", m.MessageID, "")
			eq(t, "InReplyTo", m.InReplyTo, []string(nil))
		}},
		{"semicolon address list", "To: Ann <ann@x.example>; \"Bo, B\" <bo@x.example>\r\nCc: =?utf-8?q?J=C3=B8rgen?= <j@x.example>\r\n", func(t *testing.T, m *Message) {
			eq(t, "To", m.To, []mail.Address{{Name: "Ann", Address: "ann@x.example"}, {Name: "Bo, B", Address: "bo@x.example"}})
			eq(t, "Cc", m.Cc, []mail.Address{{Name: "Jørgen", Address: "j@x.example"}})
		}},
		{"reply-to", "Reply-To: Help Desk <help@x.example>\r\n", func(t *testing.T, m *Message) {
			eq(t, "ReplyTo", m.ReplyTo, []mail.Address{{Name: "Help Desk", Address: "help@x.example"}})
		}},
		{"bad date", "Date: sometime last week\r\n", func(t *testing.T, m *Message) {
			eq(t, "Date.IsZero", m.Date.IsZero(), true)
		}},
		{"date with comment", "Date: Wed, 12 Jun 2024 09:30:00 -0700 (PDT)\r\n", func(t *testing.T, m *Message) {
			eq(t, "Date", m.Date.UTC(), time.Date(2024, 6, 12, 16, 30, 0, 0, time.UTC))
		}},
		{"encoded subject words", "Subject: =?utf-8?B?w6bDuMOl?= and =?iso-8859-1?q?=C6=D8=C5?=\r\n", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "æøå and ÆØÅ")
		}},
		{"encoded words in other charsets", "Subject: =?windows-1252?Q?=93Hi=94_=80?= =?iso-8859-1?q?=93x=94?= a=b\r\n", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "“Hi” €“x” a=b")
		}},
		{"subject of encoded line breaks is one line", "Subject: =?utf-8?q?Invoice=0D=0ABcc:_x@evil.example=0A=09due?=\r\n", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Invoice Bcc: x@evil.example due")
		}},
		{"header access", "X-Custom: =?utf-8?q?v=C3=A6rdi?=\r\nX-Custom: second\r\n", func(t *testing.T, m *Message) {
			eq(t, "Header", m.Header("x-custom"), "værdi")
			eq(t, "Header(missing)", m.Header("X-Missing"), "")
			eq(t, "Header(from)", m.Header("from"), "a@x.example")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := "From: a@x.example\r\n" + tt.header + "Content-Type: text/plain\r\n\r\nbody\r\n"
			m, err := Parse(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, m)
		})
	}
}

func TestParseAutoReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"Auto-Submitted: no\r\n", false},
		{"Auto-Submitted: No (human)\r\n", false},
		{"Auto-Submitted: auto-replied\r\n", true},
		{"Auto-Submitted: auto-generated\r\n", true},
		{"Auto-Submitted: auto-notified; owner-email=\"a@b\"\r\n", true},
		{"Precedence: bulk\r\n", true},
		{"Precedence: junk\r\n", true},
		{"Precedence: list\r\n", true},
		{"Precedence: first-class\r\n", false},
		{"X-Autoreply: yes\r\n", true},
		{"X-Autorespond: Out of office\r\n", true},
		{"X-Auto-Response-Suppress: All\r\n", true},
		{"X-Auto-Response-Suppress: DR, OOF, AutoReply\r\n", true},
		{"X-Auto-Response-Suppress: DR, RN, NRN\r\n", false},
		{"Subject: Out of Office: away until Monday\r\n", false}, // subjects are not enough
		{"Subject: Automatic reply: Ticket 1\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(strings.NewReader("From: a@x.example\r\nTo: b@x.example\r\n" + tt.header + "\r\nbody\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "AutoReply", m.AutoReply, tt.want)
		})
	}
}

func TestParseBounceVariants(t *testing.T) {
	t.Parallel()
	report := func(from, ctype, fields, original string) string {
		return "From: " + from + "\r\nTo: support@acme.example\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: " + ctype + "; boundary=\"b1\"\r\n\r\n" +
			"--b1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n" +
			"--b1\r\nContent-Type: message/delivery-status\r\n\r\n" + fields +
			"--b1\r\n" + original + "--b1--\r\n"
	}
	const perMessage = "Reporting-MTA: dns; mx.example.net\r\n\r\n"
	tests := []struct {
		name string
		raw  string
		want *Bounce
		auto bool
	}{
		{"postfix with headers only", report("MAILER-DAEMON@mx.example.net (Mail Delivery System)", "multipart/report; report-type=delivery-status",
			perMessage+"Final-Recipient: rfc822; gone@example.org\r\nOriginal-Recipient: rfc822;gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: X-Postfix; host mx[192.0.2.1] said: 550 5.1.1\r\n    <gone@example.org>: Recipient address rejected\r\n\r\n",
			"Content-Type: text/rfc822-headers\r\n\r\nFrom: support@acme.example\r\nMessage-ID: <out-9@inbox.acme.example>\r\n\r\n"),
			&Bounce{OriginalMessageID: "out-9@inbox.acme.example", Recipient: "gone@example.org", Status: "5.1.1", Diagnostic: "host mx[192.0.2.1] said: 550 5.1.1 <gone@example.org>: Recipient address rejected"}, false},
		{"several recipients, the failed one is reported", report("postmaster@example.net", "multipart/report; report-type=\"delivery-status\"",
			perMessage+"Final-Recipient: rfc822; ok@example.org\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\nFinal-Recipient: rfc822; <bad@example.org>\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 mailbox full\r\n\r\n",
			"Content-Type: message/rfc822\r\n\r\nMessage-ID: <out-10@inbox.acme.example>\r\nSubject: x\r\n\r\nbody\r\n"),
			&Bounce{OriginalMessageID: "out-10@inbox.acme.example", Recipient: "bad@example.org", Status: "5.2.2", Diagnostic: "552 mailbox full"}, false},
		{"delay notice is not a bounce", report("mailer-daemon@example.net", "multipart/report; report-type=delivery-status",
			perMessage+"Final-Recipient: rfc822; slow@example.org\r\nAction: delayed\r\nStatus: 4.4.7\r\n\r\n",
			"Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out-11@inbox.acme.example>\r\n\r\n"),
			nil, true},
		{"daemon DSN in multipart/mixed, id from X-Original-Message-ID", report("Mail Delivery System <MAILER-DAEMON@example.net>", "multipart/mixed",
			"Reporting-MTA: dns; mx.example.net\r\nX-Original-Message-ID: <out-12@inbox.acme.example>\r\n\r\nFinal-Recipient: rfc822; x@example.org\r\nAction: failed\r\nStatus: 5.0.0\r\n\r\n",
			"Content-Type: text/plain\r\n\r\nnothing\r\n"),
			&Bounce{OriginalMessageID: "out-12@inbox.acme.example", Recipient: "x@example.org", Status: "5.0.0"}, false},
		{"DSN part without daemon sender or report type is not a bounce", report("someone@example.net", "multipart/mixed",
			perMessage+"Final-Recipient: rfc822; x@example.org\r\nAction: failed\r\nStatus: 5.0.0\r\n\r\n",
			"Content-Type: text/plain\r\n\r\nnothing\r\n"),
			nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(strings.NewReader(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "Bounce", m.Bounce, tt.want)
			if tt.want == nil {
				eq(t, "AutoReply", m.AutoReply, tt.auto)
			}
		})
	}
}

func TestForwardBlocks(t *testing.T) {
	t.Parallel()
	utc := time.UTC
	tests := []struct {
		name     string
		text     string
		anywhere bool
		want     *Forwarded
	}{
		{"gmail", "Note\n\n---------- Forwarded message ---------\nFrom: John Doe <john.doe@acme.com>\nDate: Wed, Oct 27, 2021 at 9:31 AM\nSubject: Integer consequat\nTo: <bessie@acme.com>\n\nbody", true,
			&Forwarded{From: mail.Address{Name: "John Doe", Address: "john.doe@acme.com"}, Subject: "Integer consequat", Date: time.Date(2021, 10, 27, 9, 31, 0, 0, utc)}},
		{"gmail danish", "---------- Forwarded message ---------\nFra: John Doe <john.doe@acme.com>\nDate: ons. 27. okt. 2021 kl. 09.31\nSubject: Integer consequat\nTo: <bessie@acme.com>\n\nbody", false,
			&Forwarded{From: mail.Address{Name: "John Doe", Address: "john.doe@acme.com"}, Subject: "Integer consequat"}},
		{"apple mail quoted", "> Begin forwarded message:\n>\n> From: John Doe <john.doe@acme.com>\n> Subject: Integer consequat\n> Date: 25 October 2021 at 11:17:21 EEST\n> To: bessie@acme.com\n>\n> body", false,
			&Forwarded{From: mail.Address{Name: "John Doe", Address: "john.doe@acme.com"}, Subject: "Integer consequat", Date: time.Date(2021, 10, 25, 11, 17, 21, 0, utc)}},
		{"new outlook without separator", "From: John Doe <john.doe@acme.com>\nDate: Thursday, 28 October 2021 at 12:46\nTo: bessie@acme.com <bessie@acme.com>\nSubject: Integer consequat\nbody text", false,
			&Forwarded{From: mail.Address{Name: "John Doe", Address: "john.doe@acme.com"}, Subject: "Integer consequat", Date: time.Date(2021, 10, 28, 12, 46, 0, 0, utc)}},
		{"outlook 365 underscores, mailto links, bold", "FYI\n\n________________________________\n*From:* John Doe <john.doe@acme.com<mailto:john.doe@acme.com>>\n*Sent:* Thursday, October 28, 2021 12:46 PM\n*To:* Bessie <bessie@acme.com<mailto:bessie@acme.com>>\n*Subject:* Integer consequat\n\nbody", true,
			&Forwarded{From: mail.Address{Name: "John Doe", Address: "john.doe@acme.com"}, Subject: "Integer consequat", Date: time.Date(2021, 10, 28, 12, 46, 0, 0, utc)}},
		{"outlook danish", "________________________________\nFra: Jens Hansen <jens@example.dk>\nSendt: 28. oktober 2021 12:46\nTil: Support <support@acme.example>\nEmne: Faktura\n\nbody", false,
			&Forwarded{From: mail.Address{Name: "Jens Hansen", Address: "jens@example.dk"}, Subject: "Faktura"}},
		{"outlook on behalf of", "-----Original Message-----\nFrom: list <list-bounces@example.org> On Behalf Of Jane\nSent: Tuesday, August 20, 2019 8:23 PM\nSubject: hi\n", false,
			&Forwarded{From: mail.Address{Name: "list", Address: "list-bounces@example.org"}, Subject: "hi", Date: time.Date(2019, 8, 20, 20, 23, 0, 0, utc)}},
		{"name only", "-----Original Message-----\nFrom: John Doe\nSent: Tuesday, August 20, 2019 8:23 PM\nSubject: hi\n", false,
			&Forwarded{From: mail.Address{Name: "John Doe"}, Subject: "hi", Date: time.Date(2019, 8, 20, 20, 23, 0, 0, utc)}},
		{"block not at the start without forward subject", "Thanks!\n\n---------- Forwarded message ---------\nFrom: John <j@acme.com>\n", false, nil},
		{"plain text mentioning from", "From: the start I said so.\nAnd more text.", false, nil},
		{"separator without fields", "---------- Forwarded message ---------\n\nno fields here", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := forwardBlock(tt.text, tt.anywhere, utc)
			if got != nil && tt.want != nil && got.Date.Equal(tt.want.Date) {
				got.Date = tt.want.Date // compare instants, not locations
			}
			eq(t, "forwardBlock", got, tt.want)
		})
	}
}

func TestParseForwardedAttachment(t *testing.T) {
	t.Parallel()
	raw := "From: Anna <anna@acme.example>\r\nTo: support@acme.example\r\nSubject: WG: Anfrage\r\n" +
		"Date: Mon, 3 Jun 2024 10:00:00 +0200\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n" +
		"--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSiehe Anhang.\r\n" +
		"--x\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"Anfrage.eml\"\r\n\r\n" +
		"From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <juergen@kunde.example>\r\nSubject: Anfrage\r\nDate: Fri, 31 May 2024 16:00:00 +0200\r\n\r\nHallo!\r\n" +
		"--x--\r\n"
	m, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Forwarded == nil {
		t.Fatal("Forwarded = nil")
	}
	eq(t, "Forwarded.From", m.Forwarded.From, mail.Address{Name: "Jürgen Müller", Address: "juergen@kunde.example"})
	eq(t, "Forwarded.Subject", m.Forwarded.Subject, "Anfrage")
	eq(t, "Forwarded.Date", m.Forwarded.Date.UTC(), time.Date(2024, 5, 31, 14, 0, 0, 0, time.UTC))
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "Anfrage.eml" {
		t.Errorf("Attachments = %+v, want the attached message", m.Attachments)
	}
}

func TestParseHTMLOnlyForward(t *testing.T) {
	t.Parallel()
	raw := "From: a@acme.example\r\nTo: support@acme.example\r\nSubject: Fwd: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<div dir="ltr"><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">Karen</strong> <span dir="auto">&lt;<a href="mailto:karen@example.dk">karen@example.dk</a>&gt;</span><br>Date: Wed, Oct 27, 2021 at 9:31 AM<br>Subject: hi<br></div><br>Hello</div></div>`
	m, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Forwarded == nil {
		t.Fatalf("Forwarded = nil; text %q", m.Text)
	}
	eq(t, "Forwarded.From", m.Forwarded.From, mail.Address{Name: "Karen", Address: "karen@example.dk"})
}

func TestParseTruncatedMultipart(t *testing.T) {
	t.Parallel()
	raw := "From: a@acme.example\r\nTo: support@acme.example\r\nSubject: cut\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe first part arrived.\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>The first"
	m, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Malformed", m.Malformed, true)
	contains(t, "Text", m.Text, "The first part arrived.")
	if len(m.Problems) == 0 {
		t.Error("Problems is empty")
	}
}

func TestParseCorruptBase64Attachment(t *testing.T) {
	t.Parallel()
	raw := "From: a@acme.example\r\nTo: support@acme.example\r\nSubject: pdf\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
		"--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0x!!!!***\r\n--b--\r\n"
	m, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Text", m.Text, "See attached.")
	if len(m.Problems) == 0 {
		t.Error("Problems is empty")
	}
}

func TestFixText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain ascii", "plain ascii"},
		{"æøå – “ok”", "æøå – “ok”"},
		{"caf\xe9 \x80", "café €"},                  // Latin-1/Windows-1252 bytes in "UTF-8"
		{"\u0093quoted\u0094 \u0080", "“quoted” €"}, // ISO-8859-1 decoded Windows-1252
		{"nul\x00byte", "nulbyte"},
	}
	for _, tt := range tests {
		eq(t, "mail.FixText("+tt.in+")", mail.FixText(tt.in), tt.want)
	}
}

// Long bodies go through enmime's charset detection (100 runes and more); the declared or
// detected charset must not garble Danish letters, curly quotes or the euro sign.
func TestParseLongCharsetBodies(t *testing.T) {
	t.Parallel()
	danish := strings.Repeat("Vores køkken er vådt efter jeres besøg, og gulvet i gangen er ødelagt. Ærgerligt! ", 8)
	quotes := strings.Repeat("The invoice says “€ 1.250” – but we agreed on € 1.000… It’s wrong. ", 8)
	tests := []struct {
		name, charset, cte string
		enc                *charmap.Charmap
		text               string
	}{
		{"latin1 qp danish", "ISO-8859-1", "quoted-printable", charmap.ISO8859_1, danish},
		{"latin1 8bit danish", "iso-8859-1", "8bit", charmap.ISO8859_1, danish},
		{"cp1252 qp quotes", "windows-1252", "quoted-printable", charmap.Windows1252, quotes},
		{"cp1252 8bit quotes", "Windows-1252", "8bit", charmap.Windows1252, quotes},
		{"cp1252 declared latin1", "iso-8859-1", "8bit", charmap.Windows1252, quotes},
		{"cp1252 danish", "windows-1252", "8bit", charmap.Windows1252, danish + quotes},
		{"utf-8 qp", "utf-8", "quoted-printable", nil, danish + quotes},
		{"utf-8 declared, latin1 written", "utf-8", "8bit", charmap.ISO8859_1, danish},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := []byte(tt.text)
			if tt.enc != nil {
				var err error
				if body, err = tt.enc.NewEncoder().Bytes(body); err != nil {
					t.Fatal(err)
				}
			}
			if tt.cte == "quoted-printable" {
				var b bytes.Buffer
				w := quotedprintable.NewWriter(&b)
				_, _ = w.Write(body)
				_ = w.Close()
				body = b.Bytes()
			}
			raw := "From: a@x.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=" + tt.charset +
				"\r\nContent-Transfer-Encoding: " + tt.cte + "\r\n\r\n" + string(body)
			m, err := Parse(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "Text", m.Text, strings.TrimSpace(tt.text))
		})
	}
}
