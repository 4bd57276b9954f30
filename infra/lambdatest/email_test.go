//go:build linux

package lambdatest

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"gopkg.in/yaml.v3"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake/email"
)

// emails is the folder of the intake's sample messages.
const emails = "../../shared/intake/email/testdata/email"

// sesTimestamp is how SES writes times in its events: UTC, milliseconds.
const sesTimestamp = "2006-01-02T15:04:05.000Z"

// mailDrop is where the S3 action of the receipt rule that invokes a function stores the raw
// mail, in a deployment.
type mailDrop struct {
	Bucket, Prefix string
}

// receiptRuleDrop returns where SES stores the mail before it invokes function id: the bucket
// and object key prefix of the S3 action that precedes id's Lambda action in a receipt rule of
// the template. It fails the test when no receipt rule stores the mail before invoking id.
func receiptRuleDrop(t testing.TB, d *deployment, id string) mailDrop {
	t.Helper()
	r, err := raw()
	if err != nil {
		t.Fatal(err)
	}
	for _, rid := range sortedKeys(r.Resources) {
		res := r.Resources[rid]
		if res.Type != "AWS::SES::ReceiptRule" {
			continue
		}
		var stored *mailDrop
		for _, a := range res.Properties.Rule.Actions {
			if s3 := a.S3Action; s3 != nil {
				bn := s3.BucketName
				bucket, ok := d.Buckets[bn.Value]
				if bn.Tag != "!Ref" || !ok {
					t.Fatalf("%s: S3Action BucketName %s %s is not !Ref to a bucket of the template", rid, bn.Tag, bn.Value)
				}
				stored = &mailDrop{Bucket: bucket, Prefix: s3.ObjectKeyPrefix}
			}
			if l := a.LambdaAction; l != nil && refersTo(l.FunctionArn, id) {
				if stored == nil {
					t.Fatalf("%s invokes %s before any S3 action stored the mail: the event carries no body", rid, id)
				}
				return *stored
			}
		}
	}
	t.Fatalf("no receipt rule of template.yaml invokes %s", id)
	return mailDrop{}
}

// refersTo reports whether n is !GetAtt id.Arn or !Ref id.
func refersTo(n yaml.Node, id string) bool {
	return n.Kind == yaml.ScalarNode && (n.Tag == "!GetAtt" && n.Value == id+".Arn" || n.Tag == "!Ref" && n.Value == id)
}

// storeMail puts raw where the receipt rule invoking function id stores mail, under the SES
// message id sesID, as the rule's S3 action does, and returns its key.
func storeMail(t testing.TB, d *deployment, id, sesID string, raw []byte) string {
	t.Helper()
	drop := receiptRuleDrop(t, d, id)
	key := drop.Prefix + sesID
	if _, err := d.s3.PutObject(drop.Bucket, key, map[string]string{}, bytes.NewReader(raw), int64(len(raw)), nil); err != nil {
		t.Fatal(err)
	}
	return key
}

// sampleMail reads one of the intake's sample messages.
func sampleMail(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(emails, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sesEvent is the event of an SES receipt rule's Lambda action invoking function id for the
// message sesID received at received for recipients: ses/lambda_action_event.json (verdicts
// PASS) with the message id, recipients, timestamps and function ARN replaced. The headers are
// the fixture's: the function reads the raw copy only.
func sesEvent(t testing.TB, id, sesID string, received time.Time, recipients ...string) map[string]any {
	t.Helper()
	ev := fixture(t, "ses/lambda_action_event.json")
	recs, ok := ev["Records"].([]any)
	if !ok || len(recs) != 1 {
		t.Fatal("ses/lambda_action_event.json: want one record")
	}
	rec, ok := recs[0].(map[string]any)
	if !ok {
		t.Fatal("ses/lambda_action_event.json: record is not an object")
	}
	ses := object(t, rec, "ses")
	mail, receipt := object(t, ses, "mail"), object(t, ses, "receipt")
	ts := received.UTC().Format(sesTimestamp)
	rcpts := make([]any, 0, len(recipients))
	for _, r := range recipients {
		rcpts = append(rcpts, r)
	}
	mail["messageId"], mail["timestamp"], mail["destination"] = sesID, ts, rcpts
	receipt["recipients"], receipt["timestamp"] = rcpts, ts
	object(t, receipt, "action")["functionArn"] = "arn:aws:lambda:us-east-1:000000000000:function:" + id
	return ev
}

// emailChannel creates an email channel receiving at address in d's table through the store, as
// an admin would through the API.
func emailChannel(t testing.TB, d *deployment, acct, address string) inbox.Channel {
	t.Helper()
	return connect(t, d, inbox.Channel{
		AccountID: acct, Type: inbox.ChannelEmail, Name: "Support email", ProviderKey: address,
		Email: &inbox.EmailConfig{Address: address, FromAddress: address, FromNameMode: inbox.FromNameCompany,
			CompanyName: "Acme", ForwardedToOriginalSender: true},
	})
}

// TestEmailFunction stores mail where the template's receipt rule has SES store it and invokes
// the email function with the receipt rule's Lambda event: mail for a channel is queued on the
// inbound queue, once though Lambda retries the event, with its attachments in the media bucket;
// mail for nobody is dropped; a receipt whose raw mail is missing is a function error, so that
// Lambda retries it and then parks it in the dead-letter queue.
func TestEmailFunction(t *testing.T) {
	t.Parallel()
	const address = "support@acme.test"
	d := newDeployment(t)
	ch := emailChannel(t, d, "acct-"+inbox.NewID()[:8], address)
	fn := start(t, "EmailFunction", d)
	inbound := d.queue(t, "InboundQueue")
	media := d.Buckets["MediaBucket"]

	// attachment.eml is dated 09:28:00; SES received it five seconds later.
	sesID := strings.ToLower(inbox.NewID())
	rawKey := storeMail(t, d, "EmailFunction", sesID, sampleMail(t, "attachment.eml"))
	received := time.Date(2025, 3, 14, 9, 28, 5, 0, time.UTC)
	event := sesEvent(t, "EmailFunction", sesID, received, "Support@Acme.test", "nobody@acme.test")

	// Lambda retries an asynchronous event that failed (or seemed to): the second delivery
	// comes before the router consumed the first. (SQS drops a copy for five minutes, even once
	// the first is deleted; the SQS emulator only while it is in the queue, hence this order.)
	t.Run("mail for a channel is queued once though Lambda retries the event", func(t *testing.T) {
		for range 2 {
			if resp := fn.invoke(t, event); string(resp) != "null" {
				t.Fatalf("response = %s, want null (an asynchronous handler returns nothing)", resp)
			}
		}
		msgs := receiveAll(t, d, inbound)
		if len(msgs) != 1 {
			t.Fatalf("queued %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		var env inbox.Envelope
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
			t.Fatalf("queued body %s: %v", aws.ToString(m.Body), err)
		}
		if err := env.Validate(); err != nil {
			t.Errorf("envelope does not validate: %v", err)
		}
		keys := []string{
			email.EmailAttachmentKey(ch.AccountID, ch.ID, sesID, 0, "photo.png"),
			email.EmailAttachmentKey(ch.AccountID, ch.ID, sesID, 1, "Invoice March 2025.pdf"),
		}
		want := inbox.Envelope{
			V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: ch.AccountID, ChannelID: ch.ID,
			ChannelType: inbox.ChannelEmail, ProviderMessageID: "att-1@customer.test",
			From: inbox.Sender{Email: "ada@customer.test", Name: "Ada Lovelace"}, To: address,
			Subject: "Invoice and photo", Text: "See the photo and the invoice.", HTML: env.HTML,
			Attachments: []inbox.Attachment{
				{Type: inbox.AttachImage, Name: "photo.png", ContentType: "image/png", StorageKey: keys[0],
					MediaStatus: inbox.MediaStored, Data: "cid:photo1@customer.test"},
				{Type: inbox.AttachFile, Name: "Invoice March 2025.pdf", ContentType: "application/pdf", StorageKey: keys[1],
					MediaStatus: inbox.MediaStored},
			},
			RawKey:     rawKey,
			ReceivedAt: time.Date(2025, 3, 14, 9, 28, 0, 0, time.UTC),
		}
		env.Text = strings.TrimSpace(env.Text)
		if !reflect.DeepEqual(env, want) {
			t.Errorf("envelope:\n got %+v\nwant %+v", env, want)
		}
		if !strings.Contains(env.HTML, "cid:photo1@customer.test") {
			t.Errorf("html = %q, want the inline image by its content id", env.HTML)
		}
		if g := m.Attributes[string(sqstypes.MessageSystemAttributeNameMessageGroupId)]; g != want.GroupKey() {
			t.Errorf("message group = %q, want %q", g, want.GroupKey())
		}
		for i, magic := range []string{"\x89PNG", "%PDF"} {
			obj, err := d.s3.GetObject(media, keys[i], nil)
			if err != nil {
				t.Fatalf("media bucket %s: %v", keys[i], err)
			}
			b, err := io.ReadAll(obj.Contents)
			_ = obj.Contents.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte(magic)) {
				t.Errorf("%s holds %q…, want the decoded part", keys[i], b[:min(len(b), 8)])
			}
		}
		// Deleted, as the router's event source mapping would after success.
		if _, err := d.SQS.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(inbound), ReceiptHandle: m.ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("mail for an address without a channel is dropped", func(t *testing.T) {
		id := strings.ToLower(inbox.NewID())
		storeMail(t, d, "EmailFunction", id, sampleMail(t, "plain.eml"))
		if resp := fn.invoke(t, sesEvent(t, "EmailFunction", id, time.Now(), "sales@acme.test")); string(resp) != "null" {
			t.Fatalf("response = %s", resp)
		}
		if msgs := receiveAll(t, d, inbound); len(msgs) != 0 {
			t.Fatalf("queued %d messages, want none", len(msgs))
		}
	})

	t.Run("raw mail missing from the bucket is a function error", func(t *testing.T) {
		id := strings.ToLower(inbox.NewID())
		_, err := fn.tryInvoke(sesEvent(t, "EmailFunction", id, time.Now(), address))
		if err == nil || !strings.Contains(err.Error(), "function error") || !strings.Contains(err.Error(), id) {
			t.Fatalf("error = %v, want a function error naming SES message %s", err, id)
		}
		if msgs := receiveAll(t, d, inbound); len(msgs) != 0 {
			t.Fatalf("queued %d messages, want none", len(msgs))
		}
		// The function is still up for the next event.
		if resp := fn.invoke(t, event); string(resp) != "null" {
			t.Fatalf("response after a failed event = %s", resp)
		}
	})
}
