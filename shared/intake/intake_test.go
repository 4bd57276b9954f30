package intake_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/secretbox"
	"github.com/openinbox/inbox/shared/sqsqueue"
	"github.com/openinbox/inbox/shared/twilio"
)

const (
	acct          = "acct1"
	channelID     = "ch1"
	accountSID    = "AC0123456789abcdef0123456789abcdef"
	authToken     = "channel-auth-token-1"
	channelNumber = "+15005550006"
	customer      = "+14155550100"
	publicBase    = "https://inbox.example.test"
	emptyTwiML    = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`
)

var now = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

// fixture is the Twilio intake handler over a channel stored in DynamoDB Local and a FIFO queue
// of the SQS emulator.
type fixture struct {
	ctx      context.Context
	store    *dynamo.Store
	sqs      *sqs.Client
	queueURL string
	cfg      intake.Config
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	client, table := testenv.DynamoDB(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ctx: context.Background(), store: dynamo.New(client, table, box), sqs: testenv.SQS(t)}
	must(t, f.store.CreateInbox(f.ctx, inbox.Inbox{AccountID: acct, ID: "ib1", Name: "Support", CreatedAt: now}))
	must(t, f.store.CreateChannel(f.ctx, inbox.Channel{
		AccountID: acct, ID: channelID, InboxID: "ib1", Type: inbox.ChannelSMS, Name: "Main number",
		ProviderKey: channelNumber, Twilio: &inbox.TwilioConfig{AccountSID: accountSID, PhoneNumber: channelNumber},
		Secrets:   map[string]string{inbox.SecretTwilioAuthToken: authToken},
		CreatedAt: now,
	}))
	f.queueURL, _ = testenv.FIFOQueue(t, f.sqs, 5, 30)
	f.cfg = intake.Config{
		Channels: f.store, Providers: f.store, Queue: sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), f.queueURL), Now: func() time.Time { return now },
		Log: slog.New(slog.DiscardHandler), PublicBaseURL: publicBase,
	}
	return f
}

// post sends a webhook request with a form body to the handler.
func (f *fixture) post(cfg intake.Config, host, path, body, signature string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if host != "" {
		r.Host = host
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		r.Header.Set(twilio.SignatureHeader, signature)
	}
	w := httptest.NewRecorder()
	intake.NewTwilio(cfg).ServeHTTP(w, r)
	return w
}

// signedPost posts form to path signed as Twilio does, over the public URL.
func (f *fixture) signedPost(path string, form url.Values) *httptest.ResponseRecorder {
	return f.post(f.cfg, "", path, form.Encode(), twilio.Signature(authToken, publicBase+path, form))
}

// queued receives every message of the queue.
func (f *fixture) queued(t *testing.T) []sqstypes.Message {
	t.Helper()
	var all []sqstypes.Message
	for {
		out, err := f.sqs.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(f.queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
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

const (
	smsPath    = "/webhooks/twilio/" + channelID
	statusPath = "/webhooks/twilio/" + channelID + "/status"
	sid        = "SM0123456789abcdef0123456789abcdef"
)

// smsForm is the form Twilio posts for an incoming SMS.
func smsForm(body string) url.Values {
	return localrun.TwilioSMSForm(accountSID, customer, channelNumber, body, sid)
}

// mmsForm is the form Twilio posts for an incoming MMS with two pictures.
func mmsForm() url.Values {
	const mms = "MM0123456789abcdef0123456789abcdef"
	form := localrun.TwilioSMSForm(accountSID, customer, channelNumber, "Look at these", mms)
	form.Set("NumMedia", "2")
	form.Set("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/"+accountSID+"/Messages/"+mms+"/Media/ME00000000000000000000000000000000")
	form.Set("MediaContentType0", "image/jpeg")
	form.Set("MediaUrl1", "https://api.twilio.com/2010-04-01/Accounts/"+accountSID+"/Messages/"+mms+"/Media/ME00000000000000000000000000000001")
	form.Set("MediaContentType1", "image/png")
	return form
}

// statusForm is the form of a status callback for outbound message sid.
func statusForm(sid, status, errorCode string) url.Values {
	form := url.Values{
		"AccountSid": {accountSID}, "ApiVersion": {"2010-04-01"}, "From": {channelNumber},
		"MessageSid": {sid}, "MessageStatus": {status}, "SmsSid": {sid}, "SmsStatus": {status},
		"To": {customer},
	}
	if errorCode != "" {
		form.Set("ErrorCode", errorCode)
	}
	return form
}

func TestTwilioWebhookQueuesEnvelope(t *testing.T) {
	t.Parallel()
	const out = "SMfedcba9876543210fedcba9876543210"
	stamp := func(e inbox.Envelope) inbox.Envelope {
		e.V, e.AccountID, e.ChannelID, e.ChannelType, e.ReceivedAt = inbox.EnvelopeVersion, acct, channelID, inbox.ChannelSMS, now
		return e
	}
	tests := []struct {
		name string
		path string
		form url.Values
		// signedURL is the URL the signature covers; publicBase+path when empty.
		signedURL string
		// host is the request's Host when the config has no PublicBaseURL.
		host      string
		want      inbox.Envelope
		wantDedup string
	}{
		{
			name: "sms",
			path: smsPath,
			form: smsForm("Hello! Are you open on Sunday? ☀️"),
			want: stamp(inbox.Envelope{
				Kind: inbox.KindMessage, ProviderMessageID: sid, From: inbox.Sender{Phone: customer},
				To: channelNumber, Text: "Hello! Are you open on Sunday? ☀️",
			}),
			wantDedup: "message/" + channelID + "/" + sid,
		},
		{
			name: "mms with two pictures",
			path: smsPath,
			form: mmsForm(),
			want: stamp(inbox.Envelope{
				Kind: inbox.KindMessage, ProviderMessageID: "MM0123456789abcdef0123456789abcdef",
				From: inbox.Sender{Phone: customer}, To: channelNumber, Text: "Look at these",
				Attachments: []inbox.Attachment{
					{URL: mmsForm().Get("MediaUrl0"), ContentType: "image/jpeg"},
					{URL: mmsForm().Get("MediaUrl1"), ContentType: "image/png"},
				},
			}),
			wantDedup: "message/" + channelID + "/MM0123456789abcdef0123456789abcdef",
		},
		{
			name:      "signed with the default port",
			path:      smsPath,
			form:      smsForm("port"),
			signedURL: "https://inbox.example.test:443" + smsPath,
			want: stamp(inbox.Envelope{
				Kind: inbox.KindMessage, ProviderMessageID: sid, From: inbox.Sender{Phone: customer},
				To: channelNumber, Text: "port",
			}),
			wantDedup: "message/" + channelID + "/" + sid,
		},
		{
			name:      "no public base URL: the request's host",
			path:      smsPath,
			form:      smsForm("via API Gateway"),
			host:      "abc123.execute-api.us-east-1.amazonaws.com",
			signedURL: "https://abc123.execute-api.us-east-1.amazonaws.com" + smsPath,
			want: stamp(inbox.Envelope{
				Kind: inbox.KindMessage, ProviderMessageID: sid, From: inbox.Sender{Phone: customer},
				To: channelNumber, Text: "via API Gateway",
			}),
			wantDedup: "message/" + channelID + "/" + sid,
		},
		{
			name: "status callback",
			path: statusPath,
			form: statusForm(out, "delivered", ""),
			want: stamp(inbox.Envelope{
				Kind: inbox.KindStatus, ProviderMessageID: out, From: inbox.Sender{Phone: customer},
				To: channelNumber, Status: &inbox.StatusUpdate{Status: inbox.MessageDelivered},
			}),
			wantDedup: "status/" + channelID + "/" + out + "/delivered",
		},
		{
			name: "status callback with an error",
			path: statusPath,
			form: statusForm(out, "undelivered", "30003"),
			want: stamp(inbox.Envelope{
				Kind: inbox.KindStatus, ProviderMessageID: out, From: inbox.Sender{Phone: customer},
				To: channelNumber, Status: &inbox.StatusUpdate{
					Status: inbox.MessageUndelivered, ErrorCode: "30003", ErrorMessage: "Unreachable destination handset",
				},
			}),
			wantDedup: "status/" + channelID + "/" + out + "/undelivered",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			cfg := f.cfg
			if tt.host != "" {
				cfg.PublicBaseURL = ""
			}
			signed := tt.signedURL
			if signed == "" {
				signed = publicBase + tt.path
			}
			w := f.post(cfg, tt.host, tt.path, tt.form.Encode(), twilio.Signature(authToken, signed, tt.form))
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/xml" || w.Body.String() != emptyTwiML {
				t.Fatalf("response %d %q %q, want 200 text/xml empty TwiML", w.Code, w.Header().Get("Content-Type"), w.Body)
			}

			msgs := f.queued(t)
			if len(msgs) != 1 {
				t.Fatalf("%d messages queued, want 1", len(msgs))
			}
			var got inbox.Envelope
			must(t, json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &got))
			if !got.ReceivedAt.Equal(tt.want.ReceivedAt) {
				t.Errorf("ReceivedAt = %v, want %v", got.ReceivedAt, tt.want.ReceivedAt)
			}
			got.ReceivedAt = tt.want.ReceivedAt
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("envelope = %+v\nwant       %+v", got, tt.want)
			}
			if got.Status != nil && tt.want.Status != nil && *got.Status != *tt.want.Status {
				t.Errorf("status = %+v, want %+v", *got.Status, *tt.want.Status)
			}
			attrs := msgs[0].Attributes
			if g := attrs[string(sqstypes.MessageSystemAttributeNameMessageGroupId)]; g != tt.want.GroupKey() || g != acct+"/"+channelID+"/"+customer {
				t.Errorf("message group %q, want %q", g, tt.want.GroupKey())
			}
			if d := attrs[string(sqstypes.MessageSystemAttributeNameMessageDeduplicationId)]; d != tt.wantDedup || d != tt.want.DedupKey() {
				t.Errorf("deduplication id %q, want %q", d, tt.wantDedup)
			}
		})
	}
}

func TestTwilioWebhookRefused(t *testing.T) {
	t.Parallel()
	good := smsForm("hello")
	goodSig := twilio.Signature(authToken, publicBase+smsPath, good)
	malformed := "Body=hi&From=%zz&MessageSid=" + sid
	malformedParams, _ := url.ParseQuery(malformed)
	tests := []struct {
		name, path, body, signature string
		wantStatus                  int
		// wantCode is the JSON error's code; "" for a 200 acknowledgement.
		wantCode inbox.ErrorCode
	}{
		{name: "wrong signature", path: smsPath, body: good.Encode(), signature: "dGhpcyBpcyBub3QgYSBzaWduYXR1cmU=", wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "missing signature", path: smsPath, body: good.Encode(), wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "signed with another token", path: smsPath, body: good.Encode(), signature: twilio.Signature("another-token", publicBase+smsPath, good), wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "signed for another URL", path: smsPath, body: good.Encode(), signature: twilio.Signature(authToken, "http://inbox.example.test"+smsPath, good), wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "signature of a message replayed on the status URL", path: statusPath, body: good.Encode(), signature: goodSig, wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "body changed after signing", path: smsPath, body: strings.Replace(good.Encode(), "hello", "hellp", 1), signature: goodSig, wantStatus: 403, wantCode: inbox.EForbidden},
		{name: "unknown channel", path: "/webhooks/twilio/nosuchchannel", body: good.Encode(), signature: twilio.Signature(authToken, publicBase+"/webhooks/twilio/nosuchchannel", good), wantStatus: 404, wantCode: inbox.ENotFound},
		{name: "unknown channel's status", path: "/webhooks/twilio/nosuchchannel/status", body: good.Encode(), wantStatus: 404, wantCode: inbox.ENotFound},
		{
			name: "body over MaxBody", path: smsPath,
			body:       good.Encode() + "&Pad=" + strings.Repeat("a", intake.MaxBody),
			signature:  goodSig,
			wantStatus: 413, wantCode: inbox.ETooLarge,
		},
		{name: "malformed form", path: smsPath, body: malformed, signature: twilio.Signature(authToken, publicBase+smsPath, malformedParams), wantStatus: 400, wantCode: inbox.EInvalid},
		{
			name: "media announced but missing", path: smsPath,
			body:       withSet(good, "NumMedia", "1").Encode(),
			signature:  twilio.Signature(authToken, publicBase+smsPath, withSet(good, "NumMedia", "1")),
			wantStatus: 400, wantCode: inbox.EInvalid,
		},
		{
			name: "message without MessageSid", path: smsPath,
			body:       without(good, "MessageSid", "SmsSid", "SmsMessageSid").Encode(),
			signature:  twilio.Signature(authToken, publicBase+smsPath, without(good, "MessageSid", "SmsSid", "SmsMessageSid")),
			wantStatus: 400, wantCode: inbox.EInvalid,
		},
		{
			name: "status callback without a status", path: statusPath,
			body:       without(statusForm(sid, "sent", ""), "MessageStatus", "SmsStatus").Encode(),
			signature:  twilio.Signature(authToken, publicBase+statusPath, without(statusForm(sid, "sent", ""), "MessageStatus", "SmsStatus")),
			wantStatus: 400, wantCode: inbox.EInvalid,
		},
		{
			// Twilio does not retry a 4xx: a status this code does not track is acknowledged.
			name: "untracked status is acknowledged", path: statusPath,
			body:       statusForm(sid, "partially_delivered", "").Encode(),
			signature:  twilio.Signature(authToken, publicBase+statusPath, statusForm(sid, "partially_delivered", "")),
			wantStatus: 200,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			w := f.post(f.cfg, "", tt.path, tt.body, tt.signature)
			if w.Code != tt.wantStatus {
				t.Errorf("status %d, want %d (body %s)", w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantCode == "" {
				if w.Body.String() != emptyTwiML {
					t.Errorf("body %q, want empty TwiML", w.Body)
				}
			} else {
				var body httpjson.ErrorBody
				if ct := w.Header().Get("Content-Type"); ct != "application/json" {
					t.Errorf("content type %q, want application/json", ct)
				}
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != tt.wantCode || body.Error.Message == "" {
					t.Errorf("body %s (%v), want a JSON error with code %q", w.Body, err, tt.wantCode)
				}
			}
			if msgs := f.queued(t); len(msgs) != 0 {
				t.Errorf("%d messages queued, want none", len(msgs))
			}
		})
	}
}

func clone(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

func withSet(v url.Values, key, value string) url.Values {
	c := clone(v)
	c.Set(key, value)
	return c
}

func without(v url.Values, keys ...string) url.Values {
	c := clone(v)
	for _, k := range keys {
		c.Del(k)
	}
	return c
}

func TestTwilioRetriesQueueOnce(t *testing.T) {
	t.Parallel()
	const n = 5
	type post struct {
		path string
		form url.Values
	}
	repeat := func(p post) []post {
		var ps []post
		for range n {
			ps = append(ps, p)
		}
		return ps
	}
	tests := []struct {
		name       string
		posts      []post
		concurrent bool
		want       int
	}{
		{name: "same SMS five times", posts: repeat(post{smsPath, smsForm("again")}), want: 1},
		{name: "same SMS five times at once", posts: repeat(post{smsPath, smsForm("again")}), concurrent: true, want: 1},
		{name: "same MMS five times", posts: repeat(post{smsPath, mmsForm()}), want: 1},
		{name: "same status callback five times", posts: repeat(post{statusPath, statusForm(sid, "delivered", "")}), want: 1},
		{
			name: "each status of a message is kept",
			posts: []post{
				{statusPath, statusForm(sid, "sent", "")}, {statusPath, statusForm(sid, "delivered", "")},
				{statusPath, statusForm(sid, "sent", "")}, {statusPath, statusForm(sid, "delivered", "")},
			},
			want: 2,
		},
		{
			name:  "different messages are all kept",
			posts: []post{{smsPath, smsForm("one")}, {smsPath, withSet(smsForm("two"), "MessageSid", "SM2")}, {smsPath, withSet(smsForm("three"), "MessageSid", "SM3")}},
			want:  3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			codes := make([]int, len(tt.posts))
			if tt.concurrent {
				var wg sync.WaitGroup
				for i, p := range tt.posts {
					wg.Go(func() { codes[i] = f.signedPost(p.path, p.form).Code })
				}
				wg.Wait()
			} else {
				for i, p := range tt.posts {
					codes[i] = f.signedPost(p.path, p.form).Code
				}
			}
			for i, c := range codes {
				if c != http.StatusOK {
					t.Errorf("post %d: status %d, want 200", i, c)
				}
			}
			if msgs := f.queued(t); len(msgs) != tt.want {
				t.Errorf("%d messages queued, want %d", len(msgs), tt.want)
			}
		})
	}
}

func TestTwilioQueueUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		queue func(t *testing.T, f *fixture) intake.Publisher
	}{
		{
			name: "deleted queue",
			queue: func(t *testing.T, f *fixture) intake.Publisher {
				gone, _ := testenv.FIFOQueue(t, f.sqs, 5, 30)
				_, err := f.sqs.DeleteQueue(f.ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(gone)})
				must(t, err)
				return sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), gone)
			},
		},
		{
			name: "nothing listening",
			queue: func(t *testing.T, f *fixture) intake.Publisher {
				closed := httptest.NewServer(http.NotFoundHandler())
				endpoint := closed.URL
				closed.Close()
				return sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), endpoint), f.queueURL)
			},
		},
	}
	for _, tt := range tests {
		for _, p := range []struct{ path string }{{smsPath}, {statusPath}} {
			t.Run(tt.name+" "+strconv.Quote(p.path), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				cfg := f.cfg
				cfg.Queue = tt.queue(t, f)
				form := smsForm("will be retried")
				if p.path == statusPath {
					form = statusForm(sid, "delivered", "")
				}
				w := f.post(cfg, "", p.path, form.Encode(), twilio.Signature(authToken, publicBase+p.path, form))
				if w.Code != http.StatusServiceUnavailable {
					t.Fatalf("status %d, want 503 so that Twilio retries (body %s)", w.Code, w.Body)
				}
				var body httpjson.ErrorBody
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != inbox.EUnavailable {
					t.Errorf("body %s, want a JSON error with code unavailable", w.Body)
				}
				if strings.Contains(w.Body.String(), "127.0.0.1") || strings.Contains(w.Body.String(), "NonExistentQueue") {
					t.Errorf("body %s leaks the queue's error", w.Body)
				}
			})
		}
	}
}
