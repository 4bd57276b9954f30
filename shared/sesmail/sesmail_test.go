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
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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

// SES's error answers, as the SDK returns them, are classified by code and HTTP status.
func TestSendErrorClassification(t *testing.T) {
	t.Parallel()
	answer := func(status int, code, msg string) error {
		var api error
		if code != "" {
			api = &smithy.GenericAPIError{Code: code, Message: msg}
		} else {
			api = errors.New(msg)
		}
		return &smithy.OperationError{ServiceID: "SES", OperationName: "SendRawEmail", Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: api},
			RequestID:     "req-1",
		}}
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
		{answer(503, "", "service unavailable"), "http_503", true},
		{answer(403, "", "forbidden"), "http_403", false},
		{context.DeadlineExceeded, "network", true},
	} {
		se := sesmail.SendError(c.err)
		if se.Code != c.code || se.Temporary != c.temporary || se.Message == "" {
			t.Errorf("%v: got %+v, want code %s temporary %v", c.err, se, c.code, c.temporary)
		}
	}
}
