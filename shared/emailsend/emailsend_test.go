package emailsend_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/emailsend"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake/email"
	"github.com/openinbox/inbox/shared/sesmail"
)

// history is the conversation's stored messages, as the store would list them.
type history struct {
	mu       sync.Mutex
	messages map[string][]inbox.Message
	calls    []string
}

func (h *history) ListMessages(_ context.Context, acct, convID string) ([]inbox.Message, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, acct+"/"+convID)
	if h.messages == nil {
		return nil, errors.New("store unavailable")
	}
	return slices.Clone(h.messages[convID]), nil
}

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func now() time.Time { return t0.Add(time.Hour) }

func newID() string { return "generated" }

// fixture is a conversation with a contact at a unique address, so that parallel tests find
// their own mail in the shared emulator.
type fixture struct {
	ch      inbox.Channel
	conv    inbox.Conversation
	contact inbox.Contact
	hist    *history
	cfg     emailsend.Config // what sender was built from
	sender  *emailsend.Sender
}

// withBlobs rebuilds the fixture's sender with stored attachments read from b.
func (f *fixture) withBlobs(b emailsend.Blobs) {
	f.cfg.Blobs = b
	f.sender = emailsend.New(f.cfg)
}

func newFixture(t *testing.T, msgs ...inbox.Message) *fixture {
	t.Helper()
	convID := inbox.NewID()
	contact := inbox.Contact{AccountID: "acct1", ID: "ct1", Name: "Zoë Client", Email: testenv.Unique("c") + "@customer.example"}
	for i := range msgs {
		msgs[i].AccountID, msgs[i].ConversationID = "acct1", convID
	}
	f := &fixture{
		ch: inbox.Channel{AccountID: "acct1", ID: "ch1", Type: inbox.ChannelEmail, Email: &inbox.EmailConfig{
			Address:      "support@acme.example",
			FromNameMode: inbox.FromNameAgentAndCompany,
			CompanyName:  "Acme",
			// As stored: the API sanitizes a signature when it is written.
			SignatureHTML: `<p>-- {{agent.fullName}} ({{agent.firstName}}/{{agent.lastName}}), Acme support</p>`,
		}},
		conv: inbox.Conversation{AccountID: "acct1", ID: convID, ChannelID: "ch1", ChannelType: inbox.ChannelEmail,
			ContactID: "ct1", ContactEmail: contact.Email, Subject: "Order 42"},
		contact: contact,
		hist:    &history{messages: map[string][]inbox.Message{convID: msgs}},
	}
	f.cfg = emailsend.Config{Raw: sesmail.New(testenv.SES(t)), History: f.hist, Now: now, NewID: newID, Domain: "in.acme.example"}
	f.sender = emailsend.New(f.cfg)
	return f
}

func in(id, providerID string, at time.Time, text string) inbox.Message {
	return inbox.Message{ID: id, Direction: inbox.DirectionIn, ProviderID: providerID, CreatedAt: at,
		Text: text, HTML: "<p>" + text + "</p>", Subject: "Order 42", Status: inbox.MessageReceived}
}

func out(id, providerID string, at time.Time, text string) inbox.Message {
	return inbox.Message{ID: id, Direction: inbox.DirectionOut, ProviderID: providerID, CreatedAt: at,
		Text: text, Status: inbox.MessageSent, AuthorName: "Bob Builder"}
}

func reply(id string) inbox.Message {
	return inbox.Message{ID: id, Direction: inbox.DirectionOut, CreatedAt: now(), Status: inbox.MessageSending,
		AuthorName: "Ada King Lovelace", Text: "It shipped today.", HTML: "<p>It shipped <b>today</b>.</p>",
		Attachments: []inbox.Attachment{{Type: inbox.AttachFile, URL: "https://files.acme.example/invoice-42.pdf", Name: "invoice-42.pdf"}}}
}

// sent returns the one message the emulator accepted for the fixture's contact.
func (f *fixture) sent(t *testing.T) testenv.SentEmail {
	t.Helper()
	got := testenv.SentMailTo(t, f.contact.Email)
	if len(got) != 1 {
		t.Fatalf("%d messages sent to %s, want 1", len(got), f.contact.Email)
	}
	return got[0]
}

func address(t *testing.T, header string) *mail.Address {
	t.Helper()
	a, err := mail.ParseAddress(header)
	if err != nil {
		t.Fatalf("address %q: %v", header, err)
	}
	return a
}

func TestReplyThreadsWithTheConversation(t *testing.T) {
	t.Parallel()
	m := reply("20261125T100000.000000Z-reply001")
	f := newFixture(t,
		in("20261125T090000.000000Z-in000001", "first@customer.example", t0, "Where is my order?"),
		in("20261125T090100.000000Z-noid0001", "ses:abc", t0.Add(time.Minute), "(a message without Message-ID)"),
		out("20261125T091000.000000Z-out00001", "20261125T091000.000000Z-out00001@acme.example", t0.Add(10*time.Minute), "We're looking."),
		in("20261125T092000.000000Z-in000002", "second@customer.example", t0.Add(20*time.Minute), "Any news, please?"),
		m,
		in("20261125T110000.000000Z-later001", "later@customer.example", t0.Add(2*time.Hour), "Newer than the reply"),
	)

	id, err := f.sender.Send(context.Background(), f.ch, f.conv, f.contact, m)
	if err != nil {
		t.Fatal(err)
	}
	wantID := "20261125T100000.000000Z-reply001@acme.example"
	if id != wantID {
		t.Errorf("provider id = %q, want %q", id, wantID)
	}
	if len(f.hist.calls) != 1 || f.hist.calls[0] != "acct1/"+f.conv.ID {
		t.Errorf("history read as %q", f.hist.calls)
	}
	e := f.sent(t)
	msg := e.Parse(t)
	h := msg.Header

	if from := address(t, h.Get("From")); from.Name != "Ada King Lovelace from Acme" || from.Address != "support@acme.example" {
		t.Errorf("From = %q (%q)", h.Get("From"), e.From)
	}
	if to := address(t, h.Get("To")); to.Address != f.contact.Email {
		t.Errorf("To = %q, want %s", h.Get("To"), f.contact.Email)
	}
	if rt := address(t, h.Get("Reply-To")); rt.Address != "support+"+f.conv.ID+"@acme.example" {
		t.Errorf("Reply-To = %q, want support+%s@acme.example", h.Get("Reply-To"), f.conv.ID)
	}
	if e.Subject != "Re: Order 42" {
		t.Errorf("Subject = %q", e.Subject)
	}
	if got := h.Get("Message-Id"); got != "<"+wantID+">" {
		t.Errorf("Message-ID = %q", got)
	}
	if got := h.Get("In-Reply-To"); got != "<second@customer.example>" {
		t.Errorf("In-Reply-To = %q, want the last inbound message's", got)
	}
	wantRefs := []string{"<first@customer.example>", "<20261125T091000.000000Z-out00001@acme.example>", "<second@customer.example>"}
	if got := strings.Fields(h.Get("References")); !slices.Equal(got, wantRefs) {
		t.Errorf("References = %q, want %q", got, wantRefs)
	}
	if got := h.Get(email.LoopHeader); got != m.ID || emailsend.LoopHeader != email.LoopHeader {
		t.Errorf("%s = %q, want %s", email.LoopHeader, got, m.ID)
	}

	for part, body := range map[string]string{"text": e.Body.Text, "html": e.Body.HTML} {
		if !strings.Contains(body, "It shipped") {
			t.Errorf("%s lacks the reply: %q", part, body)
		}
		if !strings.Contains(body, "Ada King Lovelace (Ada/King Lovelace), Acme support") {
			t.Errorf("%s lacks the signature with the agent's name: %q", part, body)
		}
		if !strings.Contains(body, "Any news, please?") {
			t.Errorf("%s lacks the quoted last inbound message: %q", part, body)
		}
		if strings.Contains(body, "Newer than the reply") {
			t.Errorf("%s quotes a message newer than the reply: %q", part, body)
		}
		if !strings.Contains(body, "https://files.acme.example/invoice-42.pdf") {
			t.Errorf("%s lacks the attachment's link: %q", part, body)
		}
		if strings.Index(body, "It shipped") > strings.Index(body, "Any news, please?") {
			t.Errorf("%s: the quote comes before the reply: %q", part, body)
		}
	}
	if len(e.Attachments) != 0 {
		t.Errorf("attachments = %d, want none (links only)", len(e.Attachments))
	}

	// A redelivered job sends the same Message-ID.
	again, err := f.sender.Send(context.Background(), f.ch, f.conv, f.contact, m)
	if err != nil || again != id {
		t.Fatalf("redelivery: %q, %v; want %q", again, err, id)
	}
	all := testenv.SentMailTo(t, f.contact.Email)
	if len(all) != 2 || all[1].Header("Message-ID") != all[0].Header("Message-ID") {
		t.Errorf("redelivery sent %d messages with Message-IDs %q", len(all), all[len(all)-1].Header("Message-ID"))
	}
}

func TestCompanyFromNameAndForwardingReplyTo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, in("20261125T090000.000000Z-in000001", "first@customer.example", t0, "Hello"))
	f.ch.Email.FromNameMode = inbox.FromNameCompany
	f.ch.Email.Address = "help@acme-mail.example"
	f.ch.Email.FromAddress = "help@acme-mail.example"
	f.ch.Email.Forwarding = true
	f.ch.Email.ForwardingAddress = "acme-3f2a@in.acme.example"
	f.ch.Email.SignatureHTML = ""
	f.conv.Subject = "" // the subject comes from the last inbound message
	m := reply("20261125T100000.000000Z-reply002")

	id, err := f.sender.Send(context.Background(), f.ch, f.conv, f.contact, m)
	if err != nil {
		t.Fatal(err)
	}
	e := f.sent(t)
	if from := address(t, e.Header("From")); from.Name != "Acme" || from.Address != "help@acme-mail.example" {
		t.Errorf("From = %q", e.Header("From"))
	}
	if rt := address(t, e.Header("Reply-To")); rt.Address != "acme-3f2a+"+f.conv.ID+"@in.acme.example" {
		t.Errorf("Reply-To = %q", e.Header("Reply-To"))
	}
	if e.Subject != "Re: Order 42" {
		t.Errorf("Subject = %q", e.Subject)
	}
	if id != "20261125T100000.000000Z-reply002@acme-mail.example" || e.Header("Message-ID") != "<"+id+">" {
		t.Errorf("id = %q, Message-ID = %q", id, e.Header("Message-ID"))
	}
	if e.Header("In-Reply-To") != "<first@customer.example>" || e.Header("References") != "<first@customer.example>" {
		t.Errorf("In-Reply-To = %q, References = %q", e.Header("In-Reply-To"), e.Header("References"))
	}
}

// A long thread's References keep the root and the most recent ids.
func TestReferencesAreCapped(t *testing.T) {
	t.Parallel()
	var msgs []inbox.Message
	for i := 0; i < 30; i++ {
		msgs = append(msgs, in(fmt.Sprintf("20261125T09%04d.000000Z-in%06d", i, i), fmt.Sprintf("m%02d@customer.example", i), t0.Add(time.Duration(i)*time.Second), "hi"))
	}
	f := newFixture(t, msgs...)
	if _, err := f.sender.Send(context.Background(), f.ch, f.conv, f.contact, reply("20261125T100000.000000Z-reply003")); err != nil {
		t.Fatal(err)
	}
	refs := strings.Fields(f.sent(t).Header("References"))
	want := []string{"<m00@customer.example>"}
	for i := 30 - (emailsend.MaxReferences - 1); i < 30; i++ {
		want = append(want, fmt.Sprintf("<m%02d@customer.example>", i))
	}
	if !slices.Equal(refs, want) {
		t.Errorf("References = %q,\nwant %q", refs, want)
	}
}

// A first message to a contact (no earlier mail) has no threading headers and no quote.
func TestFirstMessageOfAConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	contact := f.contact
	contact.Email, contact.Name = "", "" // the conversation's address is used
	if _, err := f.sender.Send(context.Background(), f.ch, f.conv, contact, reply("20261125T100000.000000Z-reply004")); err != nil {
		t.Fatal(err)
	}
	e := f.sent(t)
	if e.Header("In-Reply-To") != "" || e.Header("References") != "" || e.Subject != "Re: Order 42" {
		t.Errorf("In-Reply-To = %q, References = %q, Subject = %q", e.Header("In-Reply-To"), e.Header("References"), e.Subject)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sendErr := func(err error) *inbox.SendError {
		t.Helper()
		var se *inbox.SendError
		if !errors.As(err, &se) {
			t.Fatalf("err = %v (%T), want *inbox.SendError", err, err)
		}
		return se
	}

	f := newFixture(t)
	ch := f.ch
	ch.Email = nil
	_, err := f.sender.Send(ctx, ch, f.conv, f.contact, reply("r1"))
	if se := sendErr(err); se.Code != "misconfigured" || se.Temporary {
		t.Errorf("no email settings: %+v", se)
	}

	contact, conv := f.contact, f.conv
	contact.Email, conv.ContactEmail = "", ""
	_, err = f.sender.Send(ctx, f.ch, conv, contact, reply("r2"))
	if se := sendErr(err); se.Code != "no_recipient" || se.Temporary {
		t.Errorf("no recipient: %+v", se)
	}

	broken := emailsend.New(emailsend.Config{Raw: sesmail.New(testenv.SES(t)), History: &history{}, Now: now, NewID: newID, Domain: "in.acme.example"})
	_, err = broken.Send(ctx, f.ch, f.conv, f.contact, reply("r3"))
	if se := sendErr(err); !se.Temporary {
		t.Errorf("history unavailable: %+v, want temporary", se)
	}

	// SES unreachable: the RawSender's error comes back as it is.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	down := emailsend.New(emailsend.Config{Raw: sesmail.New(sesmail.NewClient(testenv.AWSConfig(), "http://"+addr)), History: f.hist, Now: now, NewID: newID, Domain: "in.acme.example"})
	_, err = down.Send(ctx, f.ch, f.conv, f.contact, reply("r4"))
	if se := sendErr(err); se.Code != "network" || !se.Temporary {
		t.Errorf("SES down: %+v", se)
	}
	if n := len(testenv.SentMailTo(t, f.contact.Email)); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

// TestWhatTheSenderAddsIsSafe checks the markup the sender writes itself around the stored,
// already sanitized HTML (inbox.Message.HTML and signatures are sanitized when written, so the
// dispatcher does not link the sanitizer): an agent's name in the signature is escaped, an
// attachment whose URL is not http(s) is listed as text, never as a link, and its name is
// escaped. The stored HTML is sent as it is.
func TestWhatTheSenderAddsIsSafe(t *testing.T) {
	t.Parallel()
	m := reply("20261125T100000.000000Z-reply009")
	m.HTML = `<p>It shipped <b>today</b>.</p>`
	m.AuthorName = `Ada "><script>alert(1)</script> Lovelace`
	m.Attachments = []inbox.Attachment{
		{Type: inbox.AttachFile, URL: "javascript:alert(3)", Name: "invoice.pdf"},
		{Type: inbox.AttachFile, URL: "https://files.acme.example/x.pdf", Name: `<img src=x onerror=alert(5)>.pdf`},
	}
	q := in("20261125T092000.000000Z-in000009", "q9@customer.example", t0, "Any news?")
	q.HTML = `<p>Any news?</p>`
	f := newFixture(t, q, m)
	if _, err := f.sender.Send(context.Background(), f.ch, f.conv, f.contact, m); err != nil {
		t.Fatal(err)
	}
	body := strings.ToLower(f.sent(t).Body.HTML)
	for _, bad := range []string{"<script", "<img", `href="javascript:`} {
		if strings.Contains(body, bad) {
			t.Errorf("sent HTML has %q:\n%s", bad, body)
		}
	}
	for _, good := range []string{"<p>it shipped <b>today</b>.</p>", "<p>any news?</p>", "invoice.pdf: javascript:alert(3)",
		`<a href="https://files.acme.example/x.pdf" rel="nofollow noreferrer">&lt;img`, "ada &#34;&gt;&lt;script&gt;"} {
		if !strings.Contains(body, good) {
			t.Errorf("sent HTML lacks %q:\n%s", good, body)
		}
	}
}
