package testenv

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
)

// The SES emulator accepts SendRawEmail from the SDK and gives the message back, raw MIME
// included, at /store.
func TestSESEmulatorKeepsRawMail(t *testing.T) {
	t.Parallel()
	to := Unique("c") + "@example.com"
	raw := "From: Team <team@example.org>\r\n" +
		"To: " + to + "\r\n" +
		"Subject: Hello\r\n" +
		"Message-ID: <m1@example.org>\r\n" +
		"References: <a@x> <b@y>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Hi there\r\n"
	// The SDK's client, so that the emulator is checked apart from the functions' (SES).
	client := ses.NewFromConfig(AWSConfig(), func(o *ses.Options) { o.BaseEndpoint = aws.String(Endpoint(t, "SES_ENDPOINT")) })
	out, err := client.SendRawEmail(context.Background(), &ses.SendRawEmailInput{
		Source:       aws.String("team@example.org"),
		Destinations: []string{to},
		RawMessage:   &sestypes.RawMessage{Data: []byte(raw)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := SentMailTo(t, strings.ToUpper(to))
	if len(got) != 1 {
		t.Fatalf("sent to %s: %d messages, want 1", to, len(got))
	}
	e := got[0]
	if e.MessageID != aws.ToString(out.MessageId) || SentMailBySESID(t, e.MessageID).Subject != "Hello" {
		t.Errorf("messageId = %q, SES answered %q", e.MessageID, aws.ToString(out.MessageId))
	}
	if string(e.RawData) != raw {
		t.Errorf("raw data = %q, want what was sent", e.RawData)
	}
	if e.Header("References") != "<a@x> <b@y>" || strings.TrimSpace(e.Body.Text) != "Hi there" {
		t.Errorf("references = %q, text = %q", e.Header("References"), e.Body.Text)
	}
	if len(e.Attachments) != 0 {
		t.Errorf("attachments = %+v, want none", e.Attachments)
	}
	if n := len(SentMailByMessageID(t, "m1@example.org")); n < 1 {
		t.Errorf("by Message-ID: %d messages", n)
	}
}
