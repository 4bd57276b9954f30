package notify_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mailparse"
	"github.com/openinbox/inbox/shared/notify"
	"github.com/openinbox/inbox/shared/sesmail"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func now() time.Time { return t0 }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is a store on a fresh DynamoDB Local table, the SES emulator, an owner with a unique
// address (parallel tests share the emulator) and a conversation of their contact.
type fixture struct {
	store *dynamo.Store
	ses   *sesmail.Sender
	owner inbox.User
	conv  inbox.Conversation
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	client, table := testenv.DynamoDB(t)
	acct := "acct-" + inbox.NewID()
	return &fixture{
		store: dynamo.New(client, table, nil),
		ses:   sesmail.New(testenv.SES(t)),
		owner: inbox.User{AccountID: acct, ID: "owen", Name: "Owen Owner", Email: testenv.Unique("owen") + "@acme.example", PaidSeat: true},
		conv: inbox.Conversation{AccountID: acct, ID: inbox.NewID(), InboxID: "ib1", ChannelID: "ch1", ChannelType: inbox.ChannelSMS,
			ContactID: "ct1", ContactName: "Zoë <Z> & Co", ContactPhone: "+14155550123", Status: inbox.StatusOpen, CreatedAt: t0},
	}
}

func (f *fixture) mailer(t *testing.T, from, appURL string, sender notify.RawSender) *notify.Mailer {
	t.Helper()
	m, err := notify.New(notify.Config{From: from, AppURL: appURL, Sender: sender, Claims: f.store, Now: now, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// deadSES is an SES client on a port nothing listens on: every send fails as a network error.
func deadSES(t *testing.T) *sesmail.Sender {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return sesmail.New(sesmail.NewClient(testenv.AWSConfig(), "http://"+addr))
}

func decodeSubject(t *testing.T, s string) string {
	t.Helper()
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		t.Fatalf("subject %q: %v", s, err)
	}
	return d
}

// Called three times in a row and three more at once, as redeliveries and queue drains do, the
// owner gets one email, with the contact, the channel and the link to the conversation.
func TestOwnerAwayEmailsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	m := f.mailer(t, "Acme Inbox <notifications@acme.example>", "https://app.acme.example/", f.ses)

	for range 3 {
		if err := m.OwnerAway(ctx, f.owner, f.conv); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.OwnerAway(ctx, f.owner, f.conv); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	got := testenv.SentMailTo(t, f.owner.Email)
	if len(got) != 1 {
		t.Fatalf("%d emails to the owner, want exactly 1", len(got))
	}
	e := got[0]
	msg := e.Parse(t)
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || from.Address != "notifications@acme.example" || from.Name != "Acme Inbox" {
		t.Errorf("From = %q (%v)", msg.Header.Get("From"), err)
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil || to.Address != f.owner.Email || to.Name != "Owen Owner" {
		t.Errorf("To = %q (%v)", msg.Header.Get("To"), err)
	}
	if s := decodeSubject(t, msg.Header.Get("Subject")); s != "New conversation from Zoë <Z> & Co went to the team while you were away" {
		t.Errorf("Subject = %q", s)
	}
	if a := msg.Header.Get("Auto-Submitted"); a != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", a)
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasSuffix(id, "@acme.example>") || !strings.Contains(id, f.conv.ID) {
		t.Errorf("Message-ID = %q", id)
	}
	link := "https://app.acme.example/conversations/" + f.conv.ID
	for _, want := range []string{"Hello Owen,", "Zoë <Z> & Co", "+14155550123", "SMS", "away", link} {
		if !strings.Contains(e.Body.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, e.Body.Text)
		}
	}
	for _, want := range []string{"Zoë &lt;Z&gt; &amp; Co", `href="` + link + `"`, "+14155550123"} {
		if !strings.Contains(e.Body.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, e.Body.HTML)
		}
	}
	// The inbox's own email intake would take it for automatic mail, never a customer's message.
	if parsed, err := mailparse.Parse(bytes.NewReader(e.RawData)); err != nil || !parsed.AutoReply {
		t.Errorf("parsed by the email intake's parser: AutoReply false (%v)", err)
	}
	if strings.Contains(e.Body.HTML, "<Z>") {
		t.Errorf("the contact's name reached the HTML unescaped:\n%s", e.Body.HTML)
	}

	// Another owner of the same conversation (the contact changed hands) gets their own email.
	other := f.owner
	other.ID, other.Email = "olga", testenv.Unique("olga")+"@acme.example"
	for range 2 {
		if err := m.OwnerAway(ctx, other, f.conv); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(testenv.SentMailTo(t, other.Email)); n != 1 {
		t.Errorf("%d emails to the second owner, want 1", n)
	}
}

// Without an app URL the email names the conversation; a contact known by email only is named
// by it; the channel is named as people say it.
func TestOwnerAwayWithoutAppURL(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.conv.ChannelType, f.conv.ContactName, f.conv.ContactPhone, f.conv.ContactEmail = inbox.ChannelWhatsApp, "", "", "zoe@customer.example"
	if err := f.mailer(t, "notifications@acme.example", "", f.ses).OwnerAway(context.Background(), f.owner, f.conv); err != nil {
		t.Fatal(err)
	}
	got := testenv.SentMailTo(t, f.owner.Email)
	if len(got) != 1 {
		t.Fatalf("%d emails, want 1", len(got))
	}
	e := got[0]
	if s := decodeSubject(t, e.Parse(t).Header.Get("Subject")); s != "New conversation from zoe@customer.example went to the team while you were away" {
		t.Errorf("Subject = %q", s)
	}
	if !strings.Contains(e.Body.Text, "Conversation: "+f.conv.ID) || strings.Contains(e.Body.Text, "/conversations/") {
		t.Errorf("text:\n%s", e.Body.Text)
	}
	if !strings.Contains(e.Body.Text, "WhatsApp") {
		t.Errorf("text does not name the channel:\n%s", e.Body.Text)
	}
}

// An owner who reads Danish gets the notice in Danish: subject, greeting, field names, the
// channel's name, the link's text.
func TestOwnerAwayInTheOwnersLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.owner.Language = "da"
	f.conv.ChannelType = inbox.ChannelEmail
	f.conv.ContactEmail = "zoe@customer.example"
	if err := f.mailer(t, "notifications@acme.example", "https://app.acme.example", f.ses).OwnerAway(context.Background(), f.owner, f.conv); err != nil {
		t.Fatal(err)
	}
	got := testenv.SentMailTo(t, f.owner.Email)
	if len(got) != 1 {
		t.Fatalf("%d emails, want 1", len(got))
	}
	e := got[0]
	if s := decodeSubject(t, e.Parse(t).Header.Get("Subject")); s != "Ny samtale fra Zoë <Z> & Co gik til teamet, mens du var væk" {
		t.Errorf("Subject = %q", s)
	}
	for _, want := range []string{"Hej Owen", "startede en ny samtale via e-mail, mens du var væk", "Telefon: +14155550123",
		"E-mail: zoe@customer.example", "Kanal: e-mail", "Åbn samtalen: https://app.acme.example/conversations/", "fordi du ejer denne kontakt"} {
		if !strings.Contains(e.Body.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, e.Body.Text)
		}
	}
	if !strings.Contains(e.Body.HTML, ">Åbn samtalen</a>") || strings.Contains(e.Body.Text, "Hello") {
		t.Errorf("HTML:\n%s", e.Body.HTML)
	}
}

// An owner without email address, an unusable address, or no From address: nothing is sent,
// nothing fails, and nothing is claimed (the email goes out once the owner has an address).
func TestOwnerAwayNothingToSend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	address := f.owner.Email
	noEmail := f.owner
	noEmail.Email = " "
	bad := f.owner
	bad.Email = "not an address"
	unknown := f.owner
	unknown.ID = ""

	m := f.mailer(t, "notifications@acme.example", "", f.ses)
	for _, owner := range []inbox.User{noEmail, bad, unknown} {
		if err := m.OwnerAway(ctx, owner, f.conv); err != nil {
			t.Errorf("owner %+v: %v", owner, err)
		}
	}
	if err := f.mailer(t, "", "", f.ses).OwnerAway(ctx, f.owner, f.conv); err != nil {
		t.Errorf("no From address: %v", err)
	}
	if n := len(testenv.SentMailTo(t, address)); n != 0 {
		t.Fatalf("%d emails sent, want none", n)
	}
	if n := len(testenv.SentMailTo(t, "not an address")); n != 0 {
		t.Fatalf("%d emails sent to a bad address", n)
	}
	if err := m.OwnerAway(ctx, f.owner, f.conv); err != nil {
		t.Fatal(err)
	}
	if n := len(testenv.SentMailTo(t, address)); n != 1 {
		t.Fatalf("%d emails once the owner has an address, want 1", n)
	}
}

// SES unreachable: the error comes back (the queue retries), the claim is released, and the
// retry sends the one email.
func TestOwnerAwaySendFailureReleasesClaim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	err := f.mailer(t, "notifications@acme.example", "", deadSES(t)).OwnerAway(ctx, f.owner, f.conv)
	var se *inbox.SendError
	if !errors.As(err, &se) || !se.Temporary {
		t.Fatalf("err = %v, want a temporary *inbox.SendError", err)
	}
	if n := len(testenv.SentMailTo(t, f.owner.Email)); n != 0 {
		t.Fatalf("%d emails sent while SES was down", n)
	}
	m := f.mailer(t, "notifications@acme.example", "", f.ses)
	for range 2 {
		if err := m.OwnerAway(ctx, f.owner, f.conv); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(testenv.SentMailTo(t, f.owner.Email)); n != 1 {
		t.Fatalf("%d emails after SES came back, want 1", n)
	}
}

// refusing stands in for the RawSender (our interface, not SES) with a permanent refusal, as
// sesmail reports SES's MessageRejected.
type refusing struct{ calls atomic.Int32 }

func (r *refusing) SendRaw(context.Context, string, []string, []byte) (string, error) {
	r.calls.Add(1)
	return "", &inbox.SendError{Code: "MessageRejected", Message: "Email address is not verified.", Temporary: false}
}

// A permanent refusal is logged and dropped: no error, and no second attempt later.
func TestOwnerAwayPermanentRefusalDropped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &refusing{}
	m := f.mailer(t, "notifications@acme.example", "", r)
	for range 3 {
		if err := m.OwnerAway(context.Background(), f.owner, f.conv); err != nil {
			t.Fatalf("permanent refusal: err = %v, want nil", err)
		}
	}
	if n := r.calls.Load(); n != 1 {
		t.Errorf("%d send attempts, want 1", n)
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, c := range []struct {
		cfg  notify.Config
		want error
	}{
		{notify.Config{From: "not an address", Sender: f.ses, Claims: f.store}, notify.ErrInvalidFrom},
		{notify.Config{From: "a@b.example", AppURL: "app.example.com", Sender: f.ses, Claims: f.store}, notify.ErrInvalidAppURL},
		{notify.Config{From: "a@b.example", AppURL: "ftp://app.example.com", Sender: f.ses, Claims: f.store}, notify.ErrInvalidAppURL},
		{notify.Config{From: "a@b.example", Claims: f.store}, notify.ErrMissing},
		{notify.Config{From: "a@b.example", Sender: f.ses}, notify.ErrMissing},
	} {
		if _, err := notify.New(c.cfg); !errors.Is(err, c.want) {
			t.Errorf("New(%+v) = %v, want %v", c.cfg, err, c.want)
		}
	}
	if _, err := notify.New(notify.Config{From: "Inbox <a@b.example>", AppURL: "http://localhost:3000/app/", Sender: f.ses, Claims: f.store}); err != nil {
		t.Errorf("valid config: %v", err)
	}
}
