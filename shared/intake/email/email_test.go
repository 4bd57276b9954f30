package email_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/intake/email"
	"github.com/openinbox/inbox/shared/lambdases"
	"github.com/openinbox/inbox/shared/s3store"
	"github.com/openinbox/inbox/shared/secretbox"
	"github.com/openinbox/inbox/shared/sqsqueue"
)

const (
	emAcct       = "acct1"
	emTeam       = "chteam" // support@acme.test, forwarded mail logged to its original sender
	emFwd        = "chfwd"  // help@other.test forwarded to fwd-abc@in.inbox.test, toggle off
	emTeamAddr   = "support@acme.test"
	emFwdAddr    = "fwd-abc@in.inbox.test"
	emRawPrefix  = "inbound/"
	emRawBucket  = "raw-mail"
	emBlobBucket = "media"
)

var emNow = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// emailFixture is the email intake over channels stored in DynamoDB Local, a FIFO queue of the
// SQS emulator, and raw and media buckets in gofakes3.
type emailFixture struct {
	ctx     context.Context
	store   *dynamo.Store
	queue   *queueReader
	raw     *s3store.Store
	blobs   *s3store.Store
	backend *s3mem.Backend
	email   *email.Email
	cfg     email.Config // what email was built from
}

// queueReader drains a queue of the SQS emulator.
type queueReader struct {
	ctx      context.Context
	sqs      *sqs.Client
	queueURL string
}

// queued receives every message of the queue.
func (q *queueReader) queued(t *testing.T) []sqstypes.Message {
	t.Helper()
	var all []sqstypes.Message
	for {
		out, err := q.sqs.ReceiveMessage(q.ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
			// The SQS emulator reads the older AttributeNames; SQS reads either.
			AttributeNames:              []sqstypes.QueueAttributeName{sqstypes.QueueAttributeName(sqstypes.MessageSystemAttributeNameAll)},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		must(t, err)
		if len(out.Messages) == 0 {
			return all
		}
		all = append(all, out.Messages...)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newEmailFixture(t *testing.T) *emailFixture {
	t.Helper()
	client, table := testenv.DynamoDB(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	must(t, err)
	ctx := context.Background()
	store := dynamo.New(client, table, box)
	must(t, store.CreateInbox(ctx, inbox.Inbox{AccountID: emAcct, ID: "ib1", Name: "Support", CreatedAt: emNow}))
	configs := map[string]*inbox.EmailConfig{
		emTeam: {Address: emTeamAddr, FromAddress: emTeamAddr, FromNameMode: inbox.FromNameCompany, CompanyName: "Acme", ForwardedToOriginalSender: true},
		emFwd:  {Address: "help@other.test", Forwarding: true, ForwardingAddress: emFwdAddr, FromNameMode: inbox.FromNameCompany, CompanyName: "Other"},
	}
	for id, addr := range map[string]string{emTeam: emTeamAddr, emFwd: emFwdAddr} {
		must(t, store.CreateChannel(ctx, inbox.Channel{
			AccountID: emAcct, ID: id, InboxID: "ib1", Type: inbox.ChannelEmail, Name: id,
			ProviderKey: addr, Email: configs[id], CreatedAt: emNow,
		}))
	}

	backend := s3mem.New()
	must(t, backend.CreateBucket(emRawBucket))
	must(t, backend.CreateBucket(emBlobBucket))
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	s3 := s3store.NewClient(testenv.AWSConfig(), srv.URL)

	sqsClient := testenv.SQS(t)
	queueURL, _ := testenv.FIFOQueue(t, sqsClient, 5, 30)
	f := &emailFixture{
		ctx: ctx, store: store, backend: backend,
		queue: &queueReader{ctx: ctx, sqs: sqsClient, queueURL: queueURL},
		raw:   s3store.New(s3, emRawBucket), blobs: s3store.New(s3, emBlobBucket),
	}
	f.cfg = email.Config{
		Intake: intake.Config{
			Channels: store, Providers: store, Queue: sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), queueURL),
			Now: func() time.Time { return emNow }, Log: slog.New(slog.NewTextHandler(testLog{t}, nil)),
		},
		Raw: f.raw, Blobs: f.blobs, RawPrefix: emRawPrefix,
	}
	f.email = email.New(f.cfg)
	return f
}

// deliver stores testdata/email/name as SES's S3 action would and returns a receipt for it.
func (f *emailFixture) deliver(t *testing.T, name, sesID string, recipients ...string) lambdases.Receipt {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "email", name))
	must(t, err)
	return f.deliverRaw(t, raw, sesID, recipients...)
}

// deliverRaw stores raw as SES's S3 action would and returns a receipt for it.
func (f *emailFixture) deliverRaw(t *testing.T, raw []byte, sesID string, recipients ...string) lambdases.Receipt {
	t.Helper()
	must(t, f.raw.Put(f.ctx, emRawPrefix+sesID, "", bytes.NewReader(raw), int64(len(raw))))
	return lambdases.Receipt{
		SESMessageID: sesID, Recipients: recipients,
		Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS",
		Timestamp: emReceived,
	}
}

// envelopes receives every envelope queued.
func (q *queueReader) envelopes(t *testing.T) []inbox.Envelope {
	t.Helper()
	var out []inbox.Envelope
	for _, m := range q.queued(t) {
		var env inbox.Envelope
		must(t, json.Unmarshal([]byte(*m.Body), &env))
		must(t, env.Validate())
		out = append(out, env)
	}
	return out
}

// one receives the single envelope queued.
func (q *queueReader) one(t *testing.T) inbox.Envelope {
	t.Helper()
	got := q.envelopes(t)
	if len(got) != 1 {
		t.Fatalf("queued %d envelopes, want 1: %+v", len(got), got)
	}
	return got[0]
}

// received is the time SES received the test messages.
var emReceived = emNow.Add(-time.Minute)

func TestEmailQueuesEnvelope(t *testing.T) {
	t.Parallel()
	base := func(e inbox.Envelope) inbox.Envelope {
		e.V, e.Kind, e.AccountID, e.ChannelType = inbox.EnvelopeVersion, inbox.KindMessage, emAcct, inbox.ChannelEmail
		if e.ChannelID == "" {
			e.ChannelID, e.To = emTeam, emTeamAddr
		}
		return e
	}
	ada := inbox.Sender{Email: "ada@customer.test", Name: "Ada Lovelace"}
	cases := []struct {
		name       string
		file       string
		recipients []string
		spam       string
		verdicts   func(*lambdases.Receipt)
		want       inbox.Envelope
	}{
		{
			name: "plain mail to the team address", file: "plain.eml", recipients: []string{emTeamAddr},
			want: base(inbox.Envelope{
				ProviderMessageID: "plain-1@customer.test", From: ada, Subject: "Where is my order?",
				Text:       "Hello, order 1234 has not arrived yet. Could you check?\n\nAda",
				ReceivedAt: time.Date(2025, 3, 14, 9, 20, 0, 0, time.UTC),
			}),
		},
		{
			name: "plus-addressed reply", file: "reply.eml", recipients: []string{"Support+t0k3n@Acme.test"},
			want: base(inbox.Envelope{
				ProviderMessageID: "reply-1@customer.test", From: ada, Subject: "Re: Your order",
				Text: "Thanks, that works.", ReplyToken: "t0k3n",
				InReplyTo: []string{"out-1@acme.test"}, References: []string{"root-1@acme.test", "out-1@acme.test"},
				ReceivedAt: time.Date(2025, 3, 14, 9, 21, 0, 0, time.UTC),
			}),
		},
		{
			name: "spam verdict", file: "plain.eml", recipients: []string{emTeamAddr}, spam: "FAIL",
			want: base(inbox.Envelope{
				ProviderMessageID: "plain-1@customer.test", From: ada, Subject: "Where is my order?",
				Text:       "Hello, order 1234 has not arrived yet. Could you check?\n\nAda",
				Flags:      []string{inbox.FlagSpam},
				ReceivedAt: time.Date(2025, 3, 14, 9, 20, 0, 0, time.UTC),
			}),
		},
		{
			name: "DMARC failed (p=none): unverified sender", file: "reply.eml", recipients: []string{"Support+t0k3n@Acme.test"},
			verdicts: func(r *lambdases.Receipt) { r.SPF, r.DKIM, r.DMARC, r.DMARCPolicy = "FAIL", "GRAY", "FAIL", "none" },
			want: base(inbox.Envelope{
				ProviderMessageID: "reply-1@customer.test", From: ada, Subject: "Re: Your order",
				Text: "Thanks, that works.", ReplyToken: "t0k3n",
				InReplyTo: []string{"out-1@acme.test"}, References: []string{"root-1@acme.test", "out-1@acme.test"},
				Flags:      []string{inbox.FlagUnverifiedSender},
				ReceivedAt: time.Date(2025, 3, 14, 9, 21, 0, 0, time.UTC),
			}),
		},
		{
			name: "DMARC failed (p=reject): unverified and quarantined", file: "plain.eml", recipients: []string{emTeamAddr},
			verdicts: func(r *lambdases.Receipt) { r.SPF, r.DKIM, r.DMARC, r.DMARCPolicy = "PASS", "FAIL", "FAIL", "reject" },
			want: base(inbox.Envelope{
				ProviderMessageID: "plain-1@customer.test", From: ada, Subject: "Where is my order?",
				Text:       "Hello, order 1234 has not arrived yet. Could you check?\n\nAda",
				Flags:      []string{inbox.FlagUnverifiedSender, inbox.FlagDMARCQuarantine},
				ReceivedAt: time.Date(2025, 3, 14, 9, 20, 0, 0, time.UTC),
			}),
		},
		{
			name: "SPF and DKIM failed, no DMARC: unverified sender", file: "plain.eml", recipients: []string{emTeamAddr},
			verdicts: func(r *lambdases.Receipt) { r.SPF, r.DKIM, r.DMARC, r.DMARCPolicy = "FAIL", "FAIL", "GRAY", "" },
			want: base(inbox.Envelope{
				ProviderMessageID: "plain-1@customer.test", From: ada, Subject: "Where is my order?",
				Text:       "Hello, order 1234 has not arrived yet. Could you check?\n\nAda",
				Flags:      []string{inbox.FlagUnverifiedSender},
				ReceivedAt: time.Date(2025, 3, 14, 9, 20, 0, 0, time.UTC),
			}),
		},
		{
			name: "SPF failed but DKIM passed: verified", file: "plain.eml", recipients: []string{emTeamAddr},
			verdicts: func(r *lambdases.Receipt) { r.SPF, r.DKIM, r.DMARC = "FAIL", "PASS", "PASS" },
			want: base(inbox.Envelope{
				ProviderMessageID: "plain-1@customer.test", From: ada, Subject: "Where is my order?",
				Text:       "Hello, order 1234 has not arrived yet. Could you check?\n\nAda",
				ReceivedAt: time.Date(2025, 3, 14, 9, 20, 0, 0, time.UTC),
			}),
		},
		{
			name: "forwarded mail logged to its original sender", file: "forwarded.eml", recipients: []string{emTeamAddr},
			want: base(inbox.Envelope{
				ProviderMessageID: "fwd-1@acme.test", From: inbox.Sender{Email: "carol@client.test", Name: "Carol Client"},
				Subject: "Broken blender", Flags: []string{inbox.FlagForwarded},
				ReceivedAt: time.Date(2025, 3, 14, 9, 23, 0, 0, time.UTC),
			}),
		},
		{
			name: "forwarded mail kept from the forwarder", file: "forwarded.eml", recipients: []string{emFwdAddr},
			want: base(inbox.Envelope{
				ChannelID: emFwd, To: emFwdAddr,
				ProviderMessageID: "fwd-1@acme.test", From: inbox.Sender{Email: "bob@acme.test", Name: "Bob Agent"},
				Subject: "Fwd: Broken blender", ReceivedAt: time.Date(2025, 3, 14, 9, 23, 0, 0, time.UTC),
			}),
		},
		{
			name: "bounce threads to the mail that bounced", file: "bounce.eml", recipients: []string{emTeamAddr},
			want: base(inbox.Envelope{
				ProviderMessageID: "dsn-1@mx.customer.test",
				From:              inbox.Sender{Email: "mailer-daemon@mx.customer.test", Name: "Mail Delivery Subsystem"},
				Subject:           "Delivery Status Notification (Failure)",
				InReplyTo:         []string{"out-3@acme.test"},
				Flags:             []string{inbox.FlagAutoReply, inbox.FlagBounce},
				ReceivedAt:        time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC),
			}),
		},
		{
			name: "auto-reply", file: "auto_reply.eml", recipients: []string{emTeamAddr},
			want: base(inbox.Envelope{
				ProviderMessageID: "ooo-1@customer.test", From: ada, Subject: "Out of office: Re: Your order",
				Text: "I am away until Monday.", Flags: []string{inbox.FlagAutoReply},
				ReceivedAt: time.Date(2025, 3, 14, 9, 27, 0, 0, time.UTC),
			}),
		},
		{
			name: "malformed mail kept readable", file: "malformed.eml", recipients: []string{emTeamAddr},
			want: base(inbox.Envelope{
				ProviderMessageID: "broken-1@customer.test", From: ada, Subject: "Broken",
				Text:       "Hello, my mail client is broken\nbut this text should still be readable.",
				Flags:      []string{inbox.FlagMalformed},
				ReceivedAt: time.Date(2025, 3, 14, 9, 29, 0, 0, time.UTC),
			}),
		},
		{
			name: "list that rewrites From to the team address", file: "list_rewrites_from.eml", recipients: []string{emTeamAddr},
			want: base(inbox.Envelope{
				ProviderMessageID: "group-1@customer.test", From: ada, Subject: "Via the group",
				Text:       "Posted through a group that rewrites From.",
				ReceivedAt: time.Date(2025, 3, 14, 9, 29, 30, 0, time.UTC),
			}),
		},
		{
			name: "no Message-ID", file: "no_message_id.eml", recipients: []string{emTeamAddr},
			want: base(inbox.Envelope{
				ProviderMessageID: "ses:ses-no-message-id", From: inbox.Sender{Email: "ada@customer.test"},
				Subject: "no id", Text: "A message without a Message-ID.",
				ReceivedAt: time.Date(2025, 3, 14, 9, 22, 0, 0, time.UTC),
			}),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newEmailFixture(t)
			sesID := "ses-" + strings.TrimSuffix(strings.ReplaceAll(tc.file, "_", "-"), ".eml")
			r := f.deliver(t, tc.file, sesID, tc.recipients...)
			if tc.spam != "" {
				r.Spam = tc.spam
			}
			if tc.verdicts != nil {
				tc.verdicts(&r)
			}
			must(t, f.email.Handle(f.ctx, r))
			got := f.queue.one(t)
			want := tc.want
			want.RawKey = emRawPrefix + sesID
			// The bodies of forwards and reports are the parser's business.
			if want.Text == "" {
				if got.Text == "" {
					t.Error("no text")
				}
				want.Text = got.Text
			}
			got.Text = strings.TrimSpace(strings.ReplaceAll(got.Text, "\r\n", "\n"))
			want.Text = strings.TrimSpace(want.Text)
			want.HTML = got.HTML
			if !reflect.DeepEqual(got, want) {
				t.Errorf("envelope:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestEmailAttachmentsAreStored(t *testing.T) {
	t.Parallel()
	f := newEmailFixture(t)
	must(t, f.email.Handle(f.ctx, f.deliver(t, "attachment.eml", "ses-att", emTeamAddr)))
	env := f.queue.one(t)
	if !strings.Contains(env.HTML, "cid:photo1@customer.test") || !strings.Contains(env.Text, "See the photo") {
		t.Errorf("text %q, html %q", env.Text, env.HTML)
	}
	prefix := "email/" + emAcct + "/" + emTeam + "/ses-att/"
	want := []inbox.Attachment{
		{Type: inbox.AttachImage, Name: "photo.png", ContentType: "image/png", MediaStatus: inbox.MediaStored, Data: "cid:photo1@customer.test"},
		{Type: inbox.AttachFile, Name: "Invoice March 2025.pdf", ContentType: "application/pdf", MediaStatus: inbox.MediaStored},
	}
	keys := []string{prefix + "0-photo.png", prefix + "1-Invoice_March_2025.pdf"}
	// The envelope carries where each attachment is, so that the router stores it.
	for i := range want {
		want[i].StorageKey = keys[i]
	}
	if !reflect.DeepEqual(env.Attachments, want) {
		t.Errorf("attachments:\n got %+v\nwant %+v", env.Attachments, want)
	}
	for i, key := range keys {
		rc, _, err := f.blobs.Get(f.ctx, key)
		if err != nil {
			t.Errorf("attachment %d not stored at %s: %v", i, key, err)
			continue
		}
		b, _ := io.ReadAll(rc)
		_ = rc.Close()
		if len(b) == 0 {
			t.Errorf("attachment %s is empty", key)
		}
	}
	if pdf, _, err := f.blobs.Get(f.ctx, keys[1]); err == nil {
		b, _ := io.ReadAll(pdf)
		_ = pdf.Close()
		if !bytes.HasPrefix(b, []byte("%PDF-1.4")) {
			t.Errorf("pdf = %q", b)
		}
	}
}

// A sender's path in a file name and encoded line breaks in a subject do not reach the
// conversation: the name is its base name, the subject one line.
func TestEmailHostileNameAndSubject(t *testing.T) {
	t.Parallel()
	f := newEmailFixture(t)
	raw := "From: Ada <ada@customer.test>\r\nTo: support@acme.test\r\n" +
		"Subject: =?utf-8?q?Invoice=0D=0ABcc:_eve@evil.example?=\r\nMessage-ID: <hostile-1@customer.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
		"--b\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=\"../../evil.html\"\r\n\r\n<script>alert(1)</script>\r\n" +
		"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"..\"\r\n\r\ndots\r\n--b--\r\n"
	must(t, f.email.Handle(f.ctx, f.deliverRaw(t, []byte(raw), "ses-hostile", emTeamAddr)))
	env := f.queue.one(t)
	if env.Subject != "Invoice Bcc: eve@evil.example" {
		t.Errorf("subject %q", env.Subject)
	}
	if len(env.Attachments) != 2 || env.Attachments[0].Name != "evil.html" || env.Attachments[1].Name != "attachment" {
		t.Fatalf("attachments %+v", env.Attachments)
	}
}

func TestEmailVirusStoresNoAttachment(t *testing.T) {
	t.Parallel()
	f := newEmailFixture(t)
	r := f.deliver(t, "attachment.eml", "ses-virus", emTeamAddr)
	r.Virus = "FAIL"
	must(t, f.email.Handle(f.ctx, r))
	env := f.queue.one(t)
	if !slices.Contains(env.Flags, inbox.FlagVirus) || len(env.Attachments) != 0 {
		t.Errorf("flags %v, attachments %+v", env.Flags, env.Attachments)
	}
	list, err := f.backend.ListBucket(emBlobBucket, nil, gofakes3.ListBucketPage{})
	must(t, err)
	if len(list.Contents) != 0 {
		t.Errorf("%d objects stored for an infected mail", len(list.Contents))
	}
}

func TestEmailDropsWhatIsNotForAChannel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		file       string
		recipients []string
	}{
		{"our own mail, by its header", "loop_header.eml", []string{emTeamAddr}},
		{"mail from the channel's address", "loop_from.eml", []string{emTeamAddr}},
		{"mail from the channel's address, replies to a reply address", "loop_reply_to.eml", []string{emTeamAddr}},
		{"recipient without a channel", "plain.eml", []string{"nobody@acme.test", "sales+x@acme.test"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newEmailFixture(t)
			must(t, f.email.Handle(f.ctx, f.deliver(t, tc.file, "ses-drop", tc.recipients...)))
			if got := f.queue.envelopes(t); len(got) != 0 {
				t.Errorf("queued %+v, want nothing", got)
			}
		})
	}
}

func TestEmailOneEnvelopePerChannel(t *testing.T) {
	t.Parallel()
	f := newEmailFixture(t)
	// Two recipients of the team channel, one of the other, one unknown.
	r := f.deliver(t, "plain.eml", "ses-multi", emTeamAddr, "nobody@acme.test", "support+tok@acme.test", emFwdAddr)
	must(t, f.email.Handle(f.ctx, r))
	got := f.queue.envelopes(t)
	byChannel := map[string]inbox.Envelope{}
	for _, e := range got {
		byChannel[e.ChannelID] = e
	}
	if len(got) != 2 || len(byChannel) != 2 {
		t.Fatalf("queued %+v, want one envelope for each of the two channels", got)
	}
	if tok := byChannel[emTeam].ReplyToken; tok != "tok" {
		t.Errorf("team reply token = %q, want tok", tok)
	}
}

func TestEmailSameReceiptTwiceQueuesOnce(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"plain.eml", "no_message_id.eml"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			f := newEmailFixture(t)
			r := f.deliver(t, file, "ses-twice", emTeamAddr)
			must(t, f.email.Handle(f.ctx, r))
			must(t, f.email.Handle(f.ctx, r))
			if got := f.queue.envelopes(t); len(got) != 1 {
				t.Errorf("queued %d envelopes, want 1", len(got))
			}
		})
	}
}

func TestEmailFailuresAreRetried(t *testing.T) {
	t.Parallel()
	f := newEmailFixture(t)
	r := f.deliver(t, "attachment.eml", "ses-fail", emTeamAddr)

	missing := r
	missing.SESMessageID = "ses-not-stored"
	if err := f.email.Handle(f.ctx, missing); !inbox.IsCode(err, inbox.ENotFound) {
		t.Errorf("missing raw mail: err = %v, want ENotFound", err)
	}

	down := s3store.New(s3store.NewClient(testenv.AWSConfig(), "http://127.0.0.1:1"), emBlobBucket)
	cfg := f.cfg
	cfg.Blobs = down
	if err := email.New(cfg).Handle(f.ctx, r); err == nil {
		t.Error("attachment write failed, yet no error")
	}

	cfg = f.cfg
	cfg.Intake.Queue = failingQueue{}
	if err := email.New(cfg).Handle(f.ctx, r); !inbox.IsCode(err, inbox.EUnavailable) {
		t.Errorf("queue down: err = %v, want EUnavailable", err)
	}

	cfg = f.cfg
	cfg.Intake.Providers = failingChannels{}
	if err := email.New(cfg).Handle(f.ctx, r); !inbox.IsCode(err, inbox.EUnavailable) {
		t.Errorf("lookup failed: err = %v, want EUnavailable", err)
	}
	if got := f.queue.envelopes(t); len(got) != 0 {
		t.Errorf("queued %+v", got)
	}
}

// testLog shows the intake's log with the test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Every sample of the mail package (real clients' forwards and replies, charsets, bounces,
// damaged mail) is handled without error and becomes a valid envelope, except mail without any
// sender, which is dropped.
func TestEmailMailSamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "mailparse", "testdata", "*.eml"))
	must(t, err)
	if len(files) == 0 {
		t.Fatal("the mail package has no samples")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			f := newEmailFixture(t)
			raw, err := os.ReadFile(file)
			must(t, err)
			must(t, f.email.Handle(f.ctx, f.deliverRaw(t, raw, "ses-sample", emTeamAddr)))
			got := f.queue.envelopes(t) // each is validated
			if len(got) > 1 {
				t.Fatalf("queued %d envelopes", len(got))
			}
			for _, env := range got {
				t.Logf("from %+v subject %q flags %v inReplyTo %v attachments %d text %d html %d", env.From, env.Subject, env.Flags, env.InReplyTo, len(env.Attachments), len(env.Text), len(env.HTML))
				if env.Text == "" && env.HTML == "" && len(env.Attachments) == 0 {
					t.Error("empty envelope")
				}
			}
			if len(got) == 0 {
				t.Log("dropped")
			}
		})
	}
}

// A huge mail becomes an envelope SQS takes: text and HTML capped, and the whole encoded
// envelope (where JSON escapes '<' in six bytes) held under the limit.
func TestEmailHugeMailFitsTheQueue(t *testing.T) {
	t.Parallel()
	f := newEmailFixture(t)
	var b strings.Builder
	b.WriteString("From: ada@customer.test\r\nTo: support@acme.test\r\nSubject: huge\r\n" +
		"Message-ID: <huge-1@customer.test>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	for range 5000 {
		b.WriteString("<é> a line of text that goes on & on\r\n")
	}
	b.WriteString("\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>")
	for range 8000 {
		b.WriteString("<p><b>x</b> &lt;&amp;&gt;</p>\r\n")
	}
	b.WriteString("</div>\r\n--b--\r\n")
	must(t, f.email.Handle(f.ctx, f.deliverRaw(t, []byte(b.String()), "ses-huge", emTeamAddr)))
	msgs := f.queue.queued(t)
	if len(msgs) != 1 {
		t.Fatalf("queued %d, want 1", len(msgs))
	}
	body := *msgs[0].Body
	var env inbox.Envelope
	must(t, json.Unmarshal([]byte(body), &env))
	if len(body) > email.MaxEmailEnvelope || len(env.Text) > email.MaxEmailText || len(env.HTML) > email.MaxEmailHTML {
		t.Errorf("envelope %d bytes, text %d, html %d", len(body), len(env.Text), len(env.HTML))
	}
	if !strings.HasPrefix(env.HTML, "<div><p><b>x</b>") || !strings.HasSuffix(env.HTML, "</div>") {
		t.Errorf("html: %q…%q", env.HTML[:min(40, len(env.HTML))], env.HTML[max(0, len(env.HTML)-40):])
	}
	if !strings.HasPrefix(env.Text, "<é> a line") || !utf8.ValidString(env.Text) {
		t.Errorf("text starts %q", env.Text[:40])
	}
}

type failingQueue struct{}

func (failingQueue) Publish(context.Context, string, string, []byte) error {
	return inbox.Errorf(inbox.EUnavailable, "queue down")
}

type failingChannels struct{}

func (failingChannels) ChannelByProviderKey(context.Context, inbox.ChannelType, string) (inbox.Channel, error) {
	return inbox.Channel{}, inbox.Errorf(inbox.EUnavailable, "table down")
}
