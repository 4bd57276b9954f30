package emailsend_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/emailsend"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mailparse"
	"github.com/openinbox/inbox/shared/s3store"
)

var invoice = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// mediaBucket returns a Store of a bucket in an in-process gofakes3 that holds objects.
func mediaBucket(t *testing.T, objects map[string][]byte) *s3store.Store {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("media"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	s := s3store.New(s3store.NewClient(testenv.AWSConfig(), srv.URL), "media")
	for key, data := range objects {
		if err := s.Put(context.Background(), key, "application/octet-stream", bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func uploaded(key, name, contentType string) inbox.Attachment {
	return inbox.Attachment{Type: inbox.AttachFile, Name: name, ContentType: contentType, StorageKey: key, MediaStatus: inbox.MediaStored}
}

func TestUploadedFilesAreAttached(t *testing.T) {
	t.Parallel()
	f := newFixture(t, in("20261125T090000.000000Z-in000001", "first@customer.example", t0, "Can I have the invoice?"))
	f.withBlobs(mediaBucket(t, map[string][]byte{
		"uploads/acct1/u1": invoice,
		"uploads/acct1/u2": []byte("col1,col2\n1,2\n"),
	}))
	m := reply("20261125T100000.000000Z-attach01")
	m.Attachments = []inbox.Attachment{
		uploaded("uploads/acct1/u1", "invoice-42.pdf", "application/pdf"),
		{Type: inbox.AttachFile, URL: "https://files.acme.example/terms.pdf", Name: "terms.pdf"},
		uploaded("uploads/acct1/u2", "", ""), // no name or type: "attachment", sniffed
	}

	if _, err := f.sender.Send(context.Background(), f.ch, f.conv, f.contact, m); err != nil {
		t.Fatal(err)
	}
	e := f.sent(t)
	got, err := mailparse.Parse(bytes.NewReader(e.RawData))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 2 {
		t.Fatalf("%d attachments, want 2: %+v", len(got.Attachments), got.Attachments)
	}
	if p := got.Attachments[0]; p.Name != "invoice-42.pdf" || p.ContentType != "application/pdf" || p.Inline || !bytes.Equal(p.Data, invoice) {
		t.Errorf("first part = %q %q inline=%v %q", p.Name, p.ContentType, p.Inline, p.Data)
	}
	if p := got.Attachments[1]; p.Name != "attachment" || p.ContentType != "text/plain" || string(p.Data) != "col1,col2\n1,2\n" {
		t.Errorf("second part = %q %q %q", p.Name, p.ContentType, p.Data)
	}
	// The attachment with only a URL is still a link; the attached ones are not linked.
	for part, body := range map[string]string{"text": got.Text, "html": got.HTML} {
		if !strings.Contains(body, "https://files.acme.example/terms.pdf") {
			t.Errorf("%s lacks the link: %q", part, body)
		}
		if strings.Contains(body, "invoice-42.pdf") || strings.Contains(body, "uploads/") {
			t.Errorf("%s links an attached file: %q", part, body)
		}
		if !strings.Contains(body, "It shipped") || !strings.Contains(body, "Can I have the invoice?") {
			t.Errorf("%s lacks the reply or the quote: %q", part, body)
		}
	}
	if len(e.Attachments) != 2 {
		t.Errorf("the SES emulator saw %d attachments", len(e.Attachments))
	}
}

func TestAttachmentErrors(t *testing.T) {
	t.Parallel()
	big := make([]byte, emailsend.MaxAttachment+1)
	seven := make([]byte, 3<<20) // three of them are over MaxAttachments
	blobs := mediaBucket(t, map[string][]byte{
		"uploads/acct1/big": big,
		"uploads/acct1/a":   seven, "uploads/acct1/b": seven, "uploads/acct1/c": seven,
		"uploads/acct1/max": make([]byte, emailsend.MaxAttachment),
	})
	for _, tc := range []struct {
		name      string
		atts      []inbox.Attachment
		noBlobs   bool
		code      string
		temporary bool
	}{
		{"a file over MaxAttachment", []inbox.Attachment{uploaded("uploads/acct1/big", "big.bin", "")}, false, "attachment_too_large", false},
		{"over MaxAttachments in all", []inbox.Attachment{uploaded("uploads/acct1/a", "a", ""), uploaded("uploads/acct1/b", "b", ""), uploaded("uploads/acct1/c", "c", "")}, false, "attachment_too_large", false},
		{"no longer stored", []inbox.Attachment{uploaded("uploads/acct1/gone", "gone.pdf", "application/pdf")}, false, "attachment_missing", false},
		{"no storage", []inbox.Attachment{uploaded("uploads/acct1/a", "a", "")}, true, "misconfigured", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if !tc.noBlobs {
				f.withBlobs(blobs)
			}
			m := reply("20261125T100000.000000Z-attach02")
			m.Attachments = tc.atts
			_, err := f.sender.Send(context.Background(), f.ch, f.conv, f.contact, m)
			var se *inbox.SendError
			if !errors.As(err, &se) || se.Code != tc.code || se.Temporary != tc.temporary {
				t.Fatalf("err = %v (%#v), want %s (temporary %v)", err, se, tc.code, tc.temporary)
			}
			if n := len(testenv.SentMailTo(t, f.contact.Email)); n != 0 {
				t.Errorf("%d messages sent", n)
			}
		})
	}

	// Storage down: temporary.
	f := newFixture(t)
	down := s3store.New(s3store.NewClient(testenv.AWSConfig(), "http://127.0.0.1:1"), "media")
	f.withBlobs(down)
	m := reply("20261125T100000.000000Z-attach03")
	m.Attachments = []inbox.Attachment{uploaded("uploads/acct1/a", "a", "")}
	var se *inbox.SendError
	if _, err := f.sender.Send(context.Background(), f.ch, f.conv, f.contact, m); !errors.As(err, &se) || se.Code != "attachment_unavailable" || !se.Temporary {
		t.Errorf("storage down: %v", err)
	}

	// Files adding up to exactly MaxAttachments are within the limits (this composes without
	// sending).
	f = newFixture(t)
	raw := &capture{}
	sender := emailsend.New(emailsend.Config{Raw: raw, History: f.hist, Blobs: blobs, Now: now, NewID: newID, Domain: "in.acme.example"})
	m = reply("20261125T100000.000000Z-attach04")
	m.Attachments = []inbox.Attachment{uploaded("uploads/acct1/a", "one.bin", "application/octet-stream"), uploaded("uploads/acct1/max", "two.bin", "application/octet-stream")}
	if _, err := sender.Send(context.Background(), f.ch, f.conv, f.contact, m); err != nil {
		t.Fatalf("MaxAttachments in two files: %v", err)
	}
	got, err := mailparse.Parse(bytes.NewReader(raw.raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 2 || len(got.Attachments[1].Data) != emailsend.MaxAttachment {
		t.Errorf("%d attachments", len(got.Attachments))
	}
}

// capture is a RawSender that keeps the message instead of sending it.
type capture struct{ raw []byte }

func (c *capture) SendRaw(_ context.Context, _ string, _ []string, raw []byte) (string, error) {
	c.raw = raw
	return "captured", nil
}
