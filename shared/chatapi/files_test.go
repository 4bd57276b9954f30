package chatapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/s3store"
	"github.com/openinbox/inbox/shared/sqsqueue"
)

// channels is the one chat channel the visitor API looks up; no other Store method is called
// by uploads and sends (the embedded nil interface would panic).
type channels struct {
	chatapi.Store
	ch inbox.Channel
}

func (c channels) ChannelByID(_ context.Context, id string) (inbox.Channel, error) {
	if id == c.ch.ID {
		return c.ch, nil
	}
	return inbox.Channel{}, inbox.Errorf(inbox.ENotFound, "no such channel")
}

// filesFixture is the visitor API over the SQS emulator (the inbound queue) and an in-process
// S3 (the media bucket).
type filesFixture struct {
	srv      *httptest.Server
	sqs      *sqs.Client
	queueURL string
	s3       *s3store.Store
}

func newFilesFixture(t *testing.T, files bool) *filesFixture {
	t.Helper()
	ch := inbox.Channel{ID: "chat1", AccountID: "acct1", InboxID: "ib1", Type: inbox.ChannelChat}
	var n atomic.Int64
	env := channel.Env{Creating: true, NewID: func() string { return fmt.Sprintf("%032x", n.Add(1)) }}
	if err := chat.Kind.Settings(&ch, []byte(`{}`), env); err != nil {
		t.Fatal(err)
	}
	f := &filesFixture{sqs: testenv.SQS(t)}
	f.queueURL, _ = testenv.FIFOQueue(t, f.sqs, 3, 30)
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3srv.Close)
	client := s3store.NewClient(testenv.AWSConfig(), s3srv.URL)
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("media")}); err != nil {
		t.Fatal(err)
	}
	f.s3 = s3store.New(client, "media")
	cfg := chatapi.Config{Store: channels{ch: ch}, Queue: sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), f.queueURL),
		NewID: func() string { return fmt.Sprintf("id%d", n.Add(1)) }}
	if files {
		cfg.Files = f.s3
	}
	f.srv = httptest.NewServer(chatapi.New(cfg))
	t.Cleanup(f.srv.Close)
	return f
}

type answer struct {
	status int
	body   []byte
}

func (f *filesFixture) call(t *testing.T, method, path, token string, body any) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.srv.URL+"/chat/chat1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, b}
}

func (f *filesFixture) visitor(t *testing.T) string {
	t.Helper()
	var tv chatapi.TokenView
	a := f.call(t, http.MethodPost, "/visitors", "", nil)
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &tv) != nil {
		t.Fatalf("new visitor: %d %s", a.status, a.body)
	}
	return tv.Token
}

// upload asks for a link for file and PUTs it there as a browser does; it returns the uploadId.
func (f *filesFixture) upload(t *testing.T, token, name, contentType string, file []byte) string {
	t.Helper()
	a := f.call(t, http.MethodPost, "/uploads", token, map[string]any{"name": name, "contentType": contentType, "size": len(file)})
	var tk struct {
		UploadID string            `json:"uploadId"`
		Method   string            `json:"method"`
		URL      string            `json:"url"`
		Headers  map[string]string `json:"headers"`
	}
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &tk) != nil || tk.Method != http.MethodPut {
		t.Fatalf("upload link: %d %s", a.status, a.body)
	}
	req, _ := http.NewRequest(tk.Method, tk.URL, bytes.NewReader(file))
	for k, v := range tk.Headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %d", res.StatusCode)
	}
	return tk.UploadID
}

// queued receives every envelope on the inbound queue.
func (f *filesFixture) queued(t *testing.T) []inbox.Envelope {
	t.Helper()
	var all []inbox.Envelope
	for {
		out, err := f.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(f.queueURL), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return all
		}
		for _, m := range out.Messages {
			var env inbox.Envelope
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
				t.Fatal(err)
			}
			all = append(all, env)
		}
	}
}

// TestVisitorFiles: a visitor's upload link, the file PUT to it, and a send naming it → one
// queued message carrying the file (name, type, size, kept under files/). Refused, with a 4xx
// JSON error and nothing queued or kept: a link without a token, for a type not accepted or
// over the size limit; a send naming an unknown upload, another visitor's, the same one twice,
// too many, or a good one beside a bad one.
func TestVisitorFiles(t *testing.T) {
	t.Parallel()
	f := newFilesFixture(t, true)
	if a := f.call(t, http.MethodGet, "/config", "", nil); a.status != http.StatusOK || !strings.Contains(string(a.body), `"files":{"maxBytes":10485760,"maxFiles":5,"types":["image/png"`) {
		t.Fatalf("config: %d %s", a.status, a.body)
	}
	zoe, max := f.visitor(t), f.visitor(t)
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 300)...)
	mine := f.upload(t, zoe, `C:\Users\zoe\invoice.pdf`, "application/pdf", pdf)
	theirs := f.upload(t, max, "max.png", "image/png", []byte("\x89PNG\r\n\x1a\n"))

	for _, tc := range []struct {
		name, token string
		body        map[string]any
		status      int
	}{
		{"no token", "", map[string]any{"name": "a.pdf", "contentType": "application/pdf", "size": 10}, http.StatusUnauthorized},
		{"type not accepted", zoe, map[string]any{"name": "a.html", "contentType": "text/html", "size": 10}, http.StatusBadRequest},
		{"svg", zoe, map[string]any{"name": "a.svg", "contentType": "image/svg+xml", "size": 10}, http.StatusBadRequest},
		{"too large", zoe, map[string]any{"name": "a.pdf", "contentType": "application/pdf", "size": chat.MaxFileBytes + 1}, http.StatusRequestEntityTooLarge},
		{"no size", zoe, map[string]any{"name": "a.pdf", "contentType": "application/pdf"}, http.StatusBadRequest},
	} {
		if a := f.call(t, http.MethodPost, "/uploads", tc.token, tc.body); a.status != tc.status || !bytes.Contains(a.body, []byte(`"error"`)) {
			t.Errorf("upload link, %s: %d %s, want %d", tc.name, a.status, a.body, tc.status)
		}
	}
	send := func(cid string, ids ...string) map[string]any {
		return map[string]any{"clientMessageId": cid, "text": "see attached", "attachments": ids}
	}
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"unknown upload", send("m1", "nope"), http.StatusBadRequest},
		{"a path for an id", send("m2", "../"+mine), http.StatusBadRequest},
		{"another visitor's upload", send("m3", theirs), http.StatusBadRequest},
		{"a good one beside another's", send("m4", mine, theirs), http.StatusBadRequest},
		{"the same one twice", send("m5", mine, mine), http.StatusBadRequest},
		{"too many", send("m6", "a", "b", "c", "d", "e", "f"), http.StatusBadRequest},
		{"no text, no file", map[string]any{"clientMessageId": "m7", "text": " "}, http.StatusBadRequest},
	} {
		if a := f.call(t, http.MethodPost, "/messages", zoe, tc.body); a.status != tc.status || !bytes.Contains(a.body, []byte(`"error"`)) {
			t.Errorf("send, %s: %d %s, want %d", tc.name, a.status, a.body, tc.status)
		}
	}
	if q := f.queued(t); len(q) != 0 {
		t.Fatalf("refused sends queued %d messages", len(q))
	}
	if _, _, _, err := f.s3.Head(context.Background(), "files/acct1/"+mine); !inbox.IsCode(err, inbox.ENotFound) {
		t.Fatalf("a refused send kept the file: %v", err)
	}

	// The visitor's own file, with no text: queued with the file, kept under files/.
	if a := f.call(t, http.MethodPost, "/messages", zoe, map[string]any{"clientMessageId": "m8", "attachments": []string{mine}}); a.status != http.StatusAccepted {
		t.Fatalf("send: %d %s", a.status, a.body)
	}
	q := f.queued(t)
	if len(q) != 1 || len(q[0].Attachments) != 1 {
		t.Fatalf("queued %+v", q)
	}
	at := q[0].Attachments[0]
	if at.Name != "invoice.pdf" || at.ContentType != "application/pdf" || at.Size != int64(len(pdf)) || at.MediaStatus != inbox.MediaStored ||
		at.StorageKey != "files/acct1/"+mine || at.Type != inbox.AttachmentTypeOf("application/pdf") {
		t.Fatalf("attachment %+v", at)
	}
	if size, _, _, err := f.s3.Head(context.Background(), at.StorageKey); err != nil || size != int64(len(pdf)) {
		t.Fatalf("kept file: %d %v", size, err)
	}
}

// TestVisitorFilesNeedStorage: without a bucket the config offers no files, upload links are
// 503 and a send naming an upload is refused.
func TestVisitorFilesNeedStorage(t *testing.T) {
	t.Parallel()
	f := newFilesFixture(t, false)
	tok := f.visitor(t)
	if a := f.call(t, http.MethodGet, "/config", "", nil); a.status != http.StatusOK || strings.Contains(string(a.body), `"files"`) {
		t.Fatalf("config: %d %s", a.status, a.body)
	}
	if a := f.call(t, http.MethodPost, "/uploads", tok, map[string]any{"name": "a.pdf", "contentType": "application/pdf", "size": 10}); a.status != http.StatusServiceUnavailable {
		t.Fatalf("upload link: %d %s", a.status, a.body)
	}
	if a := f.call(t, http.MethodPost, "/messages", tok, map[string]any{"clientMessageId": "m1", "attachments": []string{"id1"}}); a.status != http.StatusServiceUnavailable {
		t.Fatalf("send: %d %s", a.status, a.body)
	}
	if q := f.queued(t); len(q) != 0 {
		t.Fatalf("queued %d", len(q))
	}
}
