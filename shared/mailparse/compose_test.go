package mailparse

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/htmlsafe"
	"github.com/openinbox/inbox/shared/mail"
)

// Replies composed by shared/mail read back as they were written.

func baseReply() mail.Reply {
	return mail.Reply{
		From:      mail.Address{Name: "Ada Lovelace from Acme", Address: "support@acme.example"},
		To:        []mail.Address{{Name: "Søren Ærø Ågård", Address: "soren@example.dk"}, {Address: "cc@example.dk"}},
		ReplyTo:   "Acme Support <reply+abc@inbox.acme.example>",
		Subject:   "Spørgsmål om lækage",
		MessageID: "out-1@inbox.acme.example",
		InReplyTo: "5f0c3b1e@example.dk",
		References: []string{
			"first-4411@inbox.acme.example", "<CAorig4411@customer.example>", "second-4411@inbox.acme.example",
			"third-4411@inbox.acme.example", "5f0c3b1e@example.dk",
		},
		HTML:          `<p>Hej Søren,</p><p>Vi kommer <b>mandag</b> – “kl. 10”.</p><img src="cid:logo@acme"><script>alert(1)</script>`,
		SignatureHTML: htmlsafe.RenderSignature(`<p>Venlig hilsen<br>{{agent.fullName}}</p>`, "Ada Lovelace", "Ada", "Lovelace"),
		Quoted: &mail.Quote{
			From: mail.Address{Name: "Søren Ærø Ågård", Address: "soren@example.dk"},
			Date: time.Date(2024, 6, 3, 12, 15, 0, 0, time.FixedZone("", 2*3600)),
			Text: "Vores køkken er vådt.\n> older quote",
		},
		Attachments: []mail.Part{
			{Name: "Tilbud æøå.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n" + strings.Repeat("x", 200) + "\n%%EOF\n")},
			{Name: "logo.png", ContentType: "image/png", ContentID: "logo@acme", Inline: true, Data: []byte("\x89PNG\r\n\x1a\nfake")},
		},
		Date:    time.Date(2024, 6, 3, 13, 0, 0, 0, time.UTC),
		Headers: map[string]string{"X-Inbox-Message-Id": "msg_01HZX"},
	}
}

func TestComposeRoundTrip(t *testing.T) {
	t.Parallel()
	r := baseReply()
	raw, err := mail.Compose(r)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Malformed {
		t.Fatalf("composed mail parsed as malformed: %v\n%s", m.Problems, raw)
	}
	eq(t, "MessageID", m.MessageID, "out-1@inbox.acme.example")
	eq(t, "InReplyTo", m.InReplyTo, []string{"5f0c3b1e@example.dk"})
	eq(t, "References", m.References, []string{"first-4411@inbox.acme.example", "CAorig4411@customer.example", "second-4411@inbox.acme.example", "third-4411@inbox.acme.example", "5f0c3b1e@example.dk"})
	eq(t, "Subject", m.Subject, "Re: Spørgsmål om lækage")
	eq(t, "From", m.From, r.From)
	eq(t, "To", m.To, r.To)
	eq(t, "ReplyTo", m.ReplyTo, []mail.Address{{Name: "Acme Support", Address: "reply+abc@inbox.acme.example"}})
	eq(t, "Date", m.Date.Equal(r.Date), true)
	eq(t, "Header(X-Inbox-Message-Id)", m.Header("X-Inbox-Message-Id"), "msg_01HZX")
	eq(t, "Header(Auto-Submitted)", m.Header("Auto-Submitted"), "")
	eq(t, "AutoReply", m.AutoReply, false)

	wantText := "Hej Søren,\n\nVi kommer mandag – “kl. 10”.\n\nVenlig hilsen\nAda Lovelace\n\n" +
		"On Mon, 3 Jun 2024 at 12:15, Søren Ærø Ågård <soren@example.dk> wrote:\n> Vores køkken er vådt.\n>> older quote"
	eq(t, "Text", m.Text, wantText)
	contains(t, "HTML", m.HTML, "<p>Hej Søren,</p><p>Vi kommer <b>mandag</b> – “kl. 10”.</p>")
	contains(t, "HTML", m.HTML, `<img src="cid:logo@acme"/>`)
	contains(t, "HTML", m.HTML, "<p>Venlig hilsen<br/>Ada Lovelace</p>")
	contains(t, "HTML", m.HTML, "On Mon, 3 Jun 2024 at 12:15, Søren Ærø Ågård &lt;soren@example.dk&gt; wrote:")
	contains(t, "HTML", m.HTML, `<blockquote type="cite">`)
	notContains(t, "HTML", m.HTML, "<script")

	if len(m.Attachments) != 2 {
		t.Fatalf("Attachments = %+v, want 2", m.Attachments)
	}
	byName := map[string]mail.Part{}
	for _, a := range m.Attachments {
		byName[a.Name] = a
	}
	for _, want := range r.Attachments {
		got, ok := byName[want.Name]
		if !ok {
			t.Errorf("attachment %q missing from %+v", want.Name, m.Attachments)
			continue
		}
		eq(t, want.Name+" ContentType", got.ContentType, want.ContentType)
		eq(t, want.Name+" ContentID", got.ContentID, want.ContentID)
		eq(t, want.Name+" Inline", got.Inline, want.Inline)
		eq(t, want.Name+" Data", got.Data, want.Data)
	}
}

func TestComposeStructure(t *testing.T) {
	t.Parallel()
	r := baseReply()
	raw, err := mail.Compose(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	head, _, _ := strings.Cut(s, "\r\n\r\n")
	for _, want := range []string{
		"\r\nSubject: =?utf-8?q?Re:_Sp=C3=B8rgsm=C3=A5l_om_l=C3=A6kage?=\r\n",
		"\r\nMessage-ID: <out-1@inbox.acme.example>\r\n",
		"\r\nIn-Reply-To: <5f0c3b1e@example.dk>\r\n",
		"\r\nReferences: <first-4411@inbox.acme.example> <CAorig4411@customer.example>\r\n <second-4411@inbox.acme.example>",
		"\r\nDate: Mon, 03 Jun 2024 13:00:00 +0000\r\n",
		"\r\nMIME-Version: 1.0\r\n",
		"\r\nX-Inbox-Message-Id: msg_01HZX\r\n",
		"\r\nReply-To: \"Acme Support\" <reply+abc@inbox.acme.example>\r\n",
		"\r\nContent-Type: multipart/mixed; boundary=",
	} {
		contains(t, "header", "\r\n"+head+"\r\n", want)
	}
	if !strings.HasPrefix(s, "From: \"Ada Lovelace from Acme\" <support@acme.example>\r\n") {
		t.Errorf("message starts %q", s[:60])
	}
	notContains(t, "header", head, "Auto-Submitted")
	for _, l := range strings.Split(head, "\r\n") {
		if len(l) > 78 && strings.Contains(l[1:], " ") {
			t.Errorf("header line not folded (%d chars): %q", len(l), l)
		}
	}
	unfolded := strings.ReplaceAll(s, "\r\n ", " ")
	for _, want := range []string{
		"Content-Type: multipart/related; boundary=",
		"Content-Type: multipart/alternative; boundary=",
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
		"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
		"Content-Disposition: attachment; filename*=utf-8''Tilbud%20%C3%A6%C3%B8%C3%A5.pdf\r\n",
		"Content-ID: <logo@acme>\r\nContent-Disposition: inline; filename=logo.png\r\n",
		"Hej S=C3=B8ren",
	} {
		contains(t, "body", unfolded, want)
	}
	for _, l := range strings.Split(s, "\r\n") {
		if len(l) > 998 {
			t.Errorf("line longer than 998 octets: %.80q", l)
		}
	}
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Error("bare LF in the message")
	}
}

func TestComposeMinimal(t *testing.T) {
	t.Parallel()
	raw, err := mail.Compose(mail.Reply{
		From:      mail.Address{Address: "support@acme.example"},
		To:        []mail.Address{{Address: "ann@example.com"}},
		Subject:   "Hello",
		MessageID: "<m-2@inbox.acme.example>",
		Text:      "Plain <answer> & more\nline two",
	})
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	notContains(t, "message", s, "multipart/mixed")
	notContains(t, "message", s, "multipart/related")
	notContains(t, "message", s, "In-Reply-To")
	notContains(t, "message", s, "References")
	notContains(t, "message", s, "Reply-To")
	contains(t, "message", s, "Content-Type: multipart/alternative;")
	contains(t, "message", s, "Subject: Re: Hello\r\n")
	contains(t, "message", s, "Message-ID: <m-2@inbox.acme.example>\r\n")
	m, err := Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Text", m.Text, "Plain <answer> & more\nline two")
	contains(t, "HTML", m.HTML, "Plain &lt;answer&gt; &amp; more<br/>")
	eq(t, "Date is set", m.Date.IsZero(), false)
}

func TestComposeTextFromHTML(t *testing.T) {
	t.Parallel()
	raw, err := mail.Compose(mail.Reply{
		From: mail.Address{Address: "support@acme.example"}, To: []mail.Address{{Address: "ann@example.com"}},
		MessageID: "m-3@x", HTML: `<p>First</p><ul><li>one</li><li>two</li></ul>`,
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Text", m.Text, "First\n\n- one\n- two")
	eq(t, "Subject", m.Subject, "Re:")
}

func TestComposeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(r *mail.Reply)
		want   error
	}{
		{"no message id", func(r *mail.Reply) { r.MessageID = " " }, mail.ErrNoMessageID},
		{"no from", func(r *mail.Reply) { r.From.Address = "" }, mail.ErrNoFrom},
		{"no to", func(r *mail.Reply) { r.To = []mail.Address{{Name: "x"}} }, mail.ErrNoTo},
		{"id with line break", func(r *mail.Reply) { r.MessageID = "a@b\r\nBcc: x@y" }, nil},
		{"reference with space", func(r *mail.Reply) { r.References = []string{"a b@c"} }, nil},
		{"in-reply-to with angle", func(r *mail.Reply) { r.InReplyTo = "a<b@c" }, nil},
		{"header name with colon", func(r *mail.Reply) { r.Headers = map[string]string{"X-A: b\r\nBcc": "x"} }, nil},
		{"reserved header", func(r *mail.Reply) { r.Headers = map[string]string{"Content-Type": "text/plain"} }, nil},
		{"reserved header case", func(r *mail.Reply) { r.Headers = map[string]string{"bcc": "x@y"} }, nil},
		{"bad to address", func(r *mail.Reply) { r.To = []mail.Address{{Address: "a@b>, <c@d"}} }, nil},
		{"bad reply-to", func(r *mail.Reply) { r.ReplyTo = "not an address" }, nil},
		{"bad content id", func(r *mail.Reply) {
			r.Attachments = []mail.Part{{Name: "a.png", Inline: true, ContentID: "a b", Data: []byte("x")}}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := baseReply()
			tt.modify(&r)
			raw, err := mail.Compose(r)
			if err == nil {
				t.Fatalf("mail.Compose succeeded:\n%s", raw)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestComposeHeaderValuesStayOnOneLine(t *testing.T) {
	t.Parallel()
	r := baseReply()
	r.Subject = "Hi\r\nBcc: victim@example.com"
	r.Headers = map[string]string{"X-Note": "a\r\nBcc: victim@example.com", "X-Name": "Ærø"}
	r.From.Name = "Ada\nBcc: victim@example.com"
	raw, err := mail.Compose(r)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(strings.ToLower(l), "bcc:") {
			t.Errorf("header injection: %q", l)
		}
	}
	contains(t, "header", head, "X-Name: =?utf-8?q?=C3=86r=C3=B8?=")
}
