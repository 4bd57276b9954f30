package sesmail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/sesmail"
)

// rawMessage builds a multipart/alternative message with net/mail and mime/multipart, not with
// the package that composes replies, so that the adapter is tested on its own.
func rawMessage(t *testing.T, from, to, messageID string) []byte {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, p := range []struct{ ct, s string }{
		{"text/plain; charset=utf-8", "Hello Zoë,\r\nyour order shipped.\r\n"},
		{"text/html; charset=utf-8", "<p>Hello Zoë,<br>your order <b>shipped</b>.</p>"},
	} {
		pw, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {p.ct}, "Content-Transfer-Encoding": {"8bit"}})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(pw, p.s)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\n", (&mail.Address{Name: "Zoë from Acme", Address: from}).String())
	fmt.Fprintf(&msg, "To: %s\r\n", (&mail.Address{Address: to}).String())
	fmt.Fprintf(&msg, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", "Re: Votre commande n°42"))
	fmt.Fprintf(&msg, "Date: %s\r\n", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC).Format(time.RFC1123Z))
	fmt.Fprintf(&msg, "Message-ID: <%s>\r\n", messageID)
	fmt.Fprintf(&msg, "In-Reply-To: <in-1@mail.example.com>\r\n")
	fmt.Fprintf(&msg, "References: <in-1@mail.example.com>\r\n")
	fmt.Fprintf(&msg, "MIME-Version: 1.0\r\n")
	fmt.Fprintf(&msg, "Content-Type: multipart/alternative; boundary=%s\r\n\r\n", w.Boundary())
	msg.Write(body.Bytes())
	return msg.Bytes()
}

func TestSendRawReachesSES(t *testing.T) {
	t.Parallel()
	s := sesmail.New(testenv.SES(t))
	to := testenv.Unique("c") + "@example.com"
	msgID := testenv.Unique("m") + "@acme.example"
	raw := rawMessage(t, "support@acme.example", to, msgID)

	id, err := s.SendRaw(context.Background(), "support@acme.example", []string{to}, raw)
	if err != nil {
		t.Fatal(err)
	}
	if id == "" {
		t.Fatal("empty SES message id")
	}
	got := testenv.SentMailBySESID(t, id)
	if !bytes.Equal(got.RawData, raw) {
		t.Errorf("SES received other bytes than sent:\n%s", got.RawData)
	}
	if got.From != `"Zoë from Acme" <support@acme.example>` {
		t.Errorf("from = %q", got.From)
	}
	if len(got.Destination.To) != 1 || got.Destination.To[0] != to {
		t.Errorf("to = %q, want %s", got.Destination.To, to)
	}
	if got.Subject != "Re: Votre commande n°42" {
		t.Errorf("subject = %q", got.Subject)
	}
	if !strings.Contains(got.Body.Text, "your order shipped.") || !strings.Contains(got.Body.HTML, "<b>shipped</b>") {
		t.Errorf("body = %+v", got.Body)
	}
	if h := got.Header("Message-ID"); h != "<"+msgID+">" {
		t.Errorf("Message-ID = %q", h)
	}
	if h := got.Header("In-Reply-To"); h != "<in-1@mail.example.com>" {
		t.Errorf("In-Reply-To = %q", h)
	}
}

// A refusal by SES comes back as a permanent *inbox.SendError carrying SES's answer: here the
// emulator refuses a message that has no sender at all.
func TestSendRawRefusedIsPermanent(t *testing.T) {
	t.Parallel()
	s := sesmail.New(testenv.SES(t))
	raw := []byte("To: x@example.com\r\nSubject: no sender\r\n\r\nhi\r\n")
	_, err := s.SendRaw(context.Background(), "", []string{"x@example.com"}, raw)
	var se *inbox.SendError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want *inbox.SendError", err, err)
	}
	// The emulator answers 400 with a JSON body where SES would send an XML error document, so
	// the code is the HTTP status's.
	if se.Temporary || se.Code != "http_400" {
		t.Errorf("err = %+v, want a permanent http_400 refusal", se)
	}
}

func TestSendRawNetworkErrorIsTemporary(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there any more
	client := sesmail.NewClient(testenv.AWSConfig(), "http://"+addr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = sesmail.New(client).SendRaw(ctx, "a@example.com", []string{"b@example.com"}, []byte("Subject: x\r\n\r\nx"))
	var se *inbox.SendError
	if !errors.As(err, &se) || !se.Temporary || se.Code != "network" {
		t.Fatalf("err = %#v, want a temporary network SendError", err)
	}
}

// SES's error answers are classified by code and HTTP status.
func TestSendErrorClassification(t *testing.T) {
	t.Parallel()
	answer := func(status int, code, msg string) error {
		return fmt.Errorf("send: %w", &sesmail.Error{Status: status, Code: code, Message: msg})
	}
	for _, c := range []struct {
		err       error
		code      string
		temporary bool
	}{
		{answer(400, "Throttling", "Maximum sending rate exceeded."), "Throttling", true},
		{answer(400, "MaxSendingRateExceeded", "Maximum sending rate exceeded."), "MaxSendingRateExceeded", true},
		{answer(400, "Throttling", "Daily message quota exceeded."), "Throttling", false},
		{answer(400, "MessageRejected", "Email address is not verified."), "MessageRejected", false},
		{answer(400, "MailFromDomainNotVerifiedException", "not verified"), "MailFromDomainNotVerifiedException", false},
		{answer(400, "ConfigurationSetDoesNotExist", "no such set"), "ConfigurationSetDoesNotExist", false},
		{answer(400, "AccountSendingPausedException", "paused"), "AccountSendingPausedException", false},
		{answer(500, "InternalFailure", "oops"), "InternalFailure", true},
		{answer(503, "http_503", "service unavailable"), "http_503", true},
		{answer(403, "http_403", "forbidden"), "http_403", false},
		{context.DeadlineExceeded, "network", true},
	} {
		se := sesmail.SendError(c.err)
		if se.Code != c.code || se.Temporary != c.temporary || se.Message == "" {
			t.Errorf("%v: got %+v, want code %s temporary %v", c.err, se, c.code, c.temporary)
		}
	}
}

// ses is a stand-in for SES's endpoint answering SendRawEmail with the documented XML: first
// the error documents of refusals, then the message id. It checks each request is a signed
// SendRawEmail of the query protocol.
func ses(t *testing.T, refusals ...[2]any) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "SendRawEmail" || r.PostForm.Get("Version") != "2010-12-01" ||
			r.PostForm.Get("Destinations.member.1") != "b@example.com" || r.PostForm.Get("Source") != "a@example.com" ||
			r.PostForm.Get("RawMessage.Data") != "U3ViamVjdDogeA0KDQp4" {
			t.Errorf("request form %v (%v)", r.PostForm, err)
		}
		if auth := r.Header.Get("Authorization"); !strings.Contains(auth, "/ses/aws4_request") {
			t.Errorf("Authorization = %q, want SigV4 for ses", auth)
		}
		if i < len(refusals) {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(refusals[i][0].(int))
			fmt.Fprintf(w, `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r-%d</RequestId></ErrorResponse>`,
				refusals[i][1], "refused", i)
			return
		}
		fmt.Fprint(w, `<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>0100018c-ses-id</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SendRawEmailResponse>`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// SES's XML refusals: temporary ones are retried (three attempts in all), others are not.
func TestSendRawRetriesTemporaryRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		refusals  [][2]any
		wantID    string
		wantCode  string
		temporary bool
		requests  int32
	}{
		{name: "accepted", wantID: "0100018c-ses-id", requests: 1},
		{name: "throttled then accepted", refusals: [][2]any{{400, "Throttling"}, {500, "InternalFailure"}}, wantID: "0100018c-ses-id", requests: 3},
		{name: "throttled three times", refusals: [][2]any{{400, "Throttling"}, {400, "Throttling"}, {400, "Throttling"}}, wantCode: "Throttling", temporary: true, requests: 3},
		{name: "rejected", refusals: [][2]any{{400, "MessageRejected"}}, wantCode: "MessageRejected", requests: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, n := ses(t, tc.refusals...)
			id, err := sesmail.New(sesmail.NewClient(testenv.AWSConfig(), srv.URL)).SendRaw(context.Background(), "a@example.com", []string{"b@example.com"}, []byte("Subject: x\r\n\r\nx"))
			var se *inbox.SendError
			if tc.wantCode != "" && (!errors.As(err, &se) || se.Code != tc.wantCode || se.Temporary != tc.temporary || se.Message != "refused") {
				t.Errorf("err = %#v, want code %s temporary %v", err, tc.wantCode, tc.temporary)
			}
			if tc.wantCode == "" && (err != nil || id != tc.wantID) {
				t.Errorf("SendRaw = %q, %v; want %q", id, err, tc.wantID)
			}
			if n.Load() != tc.requests {
				t.Errorf("%d requests, want %d", n.Load(), tc.requests)
			}
		})
	}
}
