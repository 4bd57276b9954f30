package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/sesmail"
)

// SES returns the functions' SES client (shared/sesmail) for the SES emulator (SES_ENDPOINT),
// aws-ses-v2-local: it accepts SendEmail and SendRawEmail and keeps every message it accepted,
// readable with SentMail.
func SES(t testing.TB) *sesmail.Client {
	t.Helper()
	return sesmail.NewClient(AWSConfig(), Endpoint(t, "SES_ENDPOINT"))
}

// SentEmail is one message the SES emulator accepted, as its GET /store returns it.
//
// The emulator fills the fields from the message it parsed (for a raw message: the From, Reply-To,
// To, Cc and Bcc headers, the subject, the text and HTML bodies and the attachments); the
// envelope (SendRawEmail's Source and Destinations) is not kept. Other headers (Message-ID,
// In-Reply-To, References…) are only in RawData, which infra/emulators/ses-server.js adds for
// raw messages; use Header or Parse to read them.
type SentEmail struct {
	// MessageID is the id SES answered SendEmail/SendRawEmail with ("ses-123456789"), not the
	// Message-ID header.
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	ReplyTo     []string `json:"replyTo"`
	Destination struct {
		To  []string `json:"to"`
		CC  []string `json:"cc"`
		BCC []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
	Attachments []SentAttachment `json:"attachments"`
	// Headers are the extra headers of a v2 simple SendEmail (not set for raw messages).
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	// At is when the emulator accepted the message, in Unix seconds.
	At int64 `json:"at"`
	// RawData is the raw MIME message exactly as SES received it (raw sends only).
	RawData []byte `json:"rawData"`
}

// SentAttachment is an attachment of a SentEmail, decoded by the emulator's MIME parser.
type SentAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	ContentID   string `json:"contentId"`
	Disposition string `json:"contentDisposition"`
	Content     []byte `json:"content"`
	Size        int    `json:"size"`
}

// Recipients returns the addresses (without display names) of To, Cc and Bcc, lowercased.
func (e SentEmail) Recipients() []string {
	var out []string
	for _, list := range [][]string{e.Destination.To, e.Destination.CC, e.Destination.BCC} {
		for _, s := range list {
			out = append(out, addresses(s)...)
		}
	}
	return out
}

// Parse parses RawData; it fails when the message was not sent raw.
func (e SentEmail) Parse(t testing.TB) *mail.Message {
	t.Helper()
	if len(e.RawData) == 0 {
		t.Fatalf("sent email %s has no raw data (not sent with SendRawEmail?)", e.MessageID)
	}
	m, err := mail.ReadMessage(bytes.NewReader(e.RawData))
	if err != nil {
		t.Fatalf("sent email %s: %v", e.MessageID, err)
	}
	return m
}

// Header returns the first value of the named header of the raw message ("" when absent or when
// the message was not sent raw). Encoded words are left as they are.
func (e SentEmail) Header(name string) string {
	if len(e.RawData) == 0 {
		return ""
	}
	m, err := mail.ReadMessage(bytes.NewReader(e.RawData))
	if err != nil {
		return ""
	}
	return m.Header.Get(name)
}

// SentMail returns every message the SES emulator has accepted, oldest first. Tests share one
// emulator and run in parallel: pick a test's own messages with SentMailTo (send to unique
// addresses), SentMailBySESID or SentMailWhere.
func SentMail(t testing.TB) []SentEmail {
	t.Helper()
	endpoint := Endpoint(t, "SES_ENDPOINT")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(endpoint, "/")+"/store", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("read the SES emulator's store: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("read the SES emulator's store: %s", resp.Status)
	}
	var store struct {
		Emails []SentEmail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatalf("decode the SES emulator's store: %v", err)
	}
	return store.Emails
}

// SentMailWhere returns the messages of SentMail for which keep is true, oldest first.
func SentMailWhere(t testing.TB, keep func(SentEmail) bool) []SentEmail {
	t.Helper()
	var out []SentEmail
	for _, e := range SentMail(t) {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// SentMailTo returns the messages sent to address (in To, Cc or Bcc; case-insensitive), oldest
// first.
func SentMailTo(t testing.TB, address string) []SentEmail {
	t.Helper()
	address = strings.ToLower(address)
	return SentMailWhere(t, func(e SentEmail) bool {
		for _, r := range e.Recipients() {
			if r == address {
				return true
			}
		}
		return false
	})
}

// SentMailBySESID returns the message SES accepted with the id sesMessageID (what SendRawEmail
// returned), failing the test when there is none.
func SentMailBySESID(t testing.TB, sesMessageID string) SentEmail {
	t.Helper()
	got := SentMailWhere(t, func(e SentEmail) bool { return e.MessageID == sesMessageID })
	if len(got) != 1 {
		t.Fatalf("the SES emulator has %d messages with id %q, want 1", len(got), sesMessageID)
	}
	return got[0]
}

// SentMailByMessageID returns the raw messages whose Message-ID header is <messageID> (given with
// or without angle brackets), oldest first.
func SentMailByMessageID(t testing.TB, messageID string) []SentEmail {
	t.Helper()
	want := "<" + strings.Trim(strings.TrimSpace(messageID), "<>") + ">"
	return SentMailWhere(t, func(e SentEmail) bool { return strings.TrimSpace(e.Header("Message-ID")) == want })
}

// addresses returns the lowercased addresses of an address list as the emulator prints it
// (`"Name" <a@b>, c@d`), falling back to the whole text when it does not parse.
func addresses(s string) []string {
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return []string{strings.ToLower(strings.TrimSpace(s))}
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = strings.ToLower(a.Address)
	}
	return out
}
