package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/httpapi"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/s3store"
)

// store keeps the conversations and messages the reply path reads and writes; the other Store
// methods are not called (the embedded nil interface would panic).
type store struct {
	httpapi.Store
	mu    sync.Mutex
	convs map[string]inbox.Conversation
	msgs  map[string][]inbox.Message
}

func (s *store) GetConversation(_ context.Context, acct, id string) (inbox.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.convs[id]; ok && c.AccountID == acct {
		return c, nil
	}
	return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "no such conversation")
}

func (s *store) AppendMessage(_ context.Context, c inbox.Conversation, m inbox.Message, _ string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs[c.ID] = append(s.msgs[c.ID], m)
	return true, nil
}

func (s *store) stored(t *testing.T, convID string) inbox.Message {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.msgs[convID]); n != 1 {
		t.Fatalf("%d messages stored in %s, want 1", n, convID)
	}
	return s.msgs[convID][0]
}

type queue struct{}

func (queue) Publish(context.Context, string, string, []byte) error { return nil }

const (
	acct1 = "acct1"
	host  = "api.example.com"
)

var (
	now   = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	agent = map[string]string{"sub": "u-agent", "custom:account_id": acct1}
	other = map[string]string{"sub": "u-other", "custom:account_id": "acct2"}
	pdf   = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	png   = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
)

// fixture is the API over an in-memory store and a real s3store on an in-process gofakes3.
type fixture struct {
	api   http.Handler
	store *store
	blobs *s3store.Store
	s3    *s3mem.Backend // the bucket's objects, to expire uploads as the lifecycle does
}

func newFixture(t *testing.T, withBlobs bool) *fixture {
	t.Helper()
	st := &store{convs: map[string]inbox.Conversation{}, msgs: map[string][]inbox.Message{}}
	for _, c := range []inbox.Conversation{
		{AccountID: acct1, ID: "email1", ChannelID: "ch-email", ChannelType: inbox.ChannelEmail, ContactEmail: "zoe@customer.example", Subject: "Order 42"},
		{AccountID: acct1, ID: "sms1", ChannelID: "ch-sms", ChannelType: inbox.ChannelSMS, ContactPhone: "+14155550100"},
		{AccountID: acct1, ID: "wa1", ChannelID: "ch-wa", ChannelType: inbox.ChannelWhatsApp, LastInboundAt: now.Add(-time.Hour)},
		{AccountID: "acct2", ID: "email2", ChannelID: "ch-email2", ChannelType: inbox.ChannelEmail, ContactEmail: "max@customer.example"},
	} {
		st.convs[c.ID] = c
	}
	f := &fixture{store: st}
	ids := 0
	cfg := httpapi.Config{Store: st, Outbound: queue{}, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler),
		NewID: func() string { ids++; return fmt.Sprintf("%032x", ids) }}
	if withBlobs {
		backend := s3mem.New()
		if err := backend.CreateBucket("media"); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(gofakes3.New(backend).Server())
		t.Cleanup(srv.Close)
		f.blobs, f.s3 = s3store.New(s3store.NewClient(testenv.AWSConfig(), srv.URL), "media"), backend
		cfg.Blobs = f.blobs
	}
	f.api = httpapi.New(cfg)
	return f
}

// call runs one request through the API as API Gateway hands it to the function: a binary body
// base64-encoded, the verified claims in the request context (nil: no authorizer).
func (f *fixture) call(t *testing.T, claims map[string]string, method, target, contentType string, body []byte) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, request(t, claims, method, target, contentType, body))
	return rec.Code, rec.Body.Bytes()
}

func request(t *testing.T, claims map[string]string, method, target, contentType string, body []byte) *http.Request {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: u.Path, RawQueryString: u.RawQuery,
		Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true,
		Headers: map[string]string{"host": host},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: host,
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: u.Path},
		},
	}
	if contentType != "" {
		ev.Headers["content-type"] = contentType
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	req, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

type upload struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

func (f *fixture) upload(t *testing.T, claims map[string]string, target, contentType string, body []byte) upload {
	t.Helper()
	status, resp := f.call(t, claims, "POST", target, contentType, body)
	if status != http.StatusCreated {
		t.Fatalf("upload: %d %s", status, resp)
	}
	var u upload
	if err := json.Unmarshal(resp, &u); err != nil {
		t.Fatalf("upload answer %s: %v", resp, err)
	}
	return u
}

func get(t *testing.T, link string) []byte {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", link, resp.Status, b)
	}
	return b
}

func TestUploadStoresTheFileUnderTheAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	u := f.upload(t, agent, "/v1/uploads?name=invoice-42.pdf", "application/pdf", pdf)
	if u.ID != fmt.Sprintf("%032x", 1) || u.Name != "invoice-42.pdf" || u.ContentType != "application/pdf" || u.Size != int64(len(pdf)) {
		t.Errorf("answer = %+v", u)
	}
	if !strings.Contains(u.URL, "/media/uploads/acct1/"+u.ID+"?") || !strings.Contains(u.URL, "X-Amz-Expires=900") {
		t.Errorf("url = %s, want a 15-minute presigned link to uploads/acct1/%s", u.URL, u.ID)
	}
	if got := get(t, u.URL); !bytes.Equal(got, pdf) {
		t.Errorf("the link serves %q", got)
	}
	body, size, err := f.blobs.Get(context.Background(), "uploads/acct1/"+u.ID)
	if err != nil {
		t.Fatal(err)
	}
	body.Close()
	if size != int64(len(pdf)) {
		t.Errorf("stored size = %d", size)
	}

	// Without a name or a type: "attachment", application/octet-stream; a path keeps its file name.
	if u := f.upload(t, agent, "/v1/uploads", "", []byte("data")); u.Name != "attachment" || u.ContentType != "application/octet-stream" {
		t.Errorf("defaults: %+v", u)
	}
	if u := f.upload(t, agent, "/v1/uploads?name="+url.QueryEscape(`C:\Users\zoë\photo 1.png`), "image/png", png); u.Name != "photo 1.png" {
		t.Errorf("name = %q", u.Name)
	}
}

func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	for _, tc := range []struct {
		name        string
		claims      map[string]string
		target, ct  string
		body        []byte
		status      int
		wantMessage string
	}{
		{"no token", nil, "/v1/uploads", "image/png", png, http.StatusUnauthorized, ""},
		{"empty", agent, "/v1/uploads", "image/png", nil, http.StatusBadRequest, "empty"},
		{"over 4 MiB", agent, "/v1/uploads", "application/pdf", make([]byte, httpapi.MaxUpload+1), http.StatusRequestEntityTooLarge, "4 MiB"},
		{"bad content type", agent, "/v1/uploads", "image/", png, http.StatusBadRequest, "Content-Type"},
		{"bad name", agent, "/v1/uploads?name=a%00b", "image/png", png, http.StatusBadRequest, "name"},
		{"GET", agent, "/v1/uploads", "", nil, http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if tc.name == "GET" {
				method = "GET"
			}
			status, body := f.call(t, tc.claims, method, tc.target, tc.ct, tc.body)
			if status != tc.status || !strings.Contains(string(body), tc.wantMessage) {
				t.Errorf("%d %s, want %d with %q", status, body, tc.status, tc.wantMessage)
			}
		})
	}
	// A body of unknown length is cut at MaxUpload.
	req := request(t, agent, "POST", "/v1/uploads", "application/pdf", nil)
	req.ContentLength, req.Body = -1, io.NopCloser(bytes.NewReader(make([]byte, httpapi.MaxUpload+1)))
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("streamed body over MaxUpload: %d %s", rec.Code, rec.Body)
	}
	// Exactly MaxUpload is taken.
	if u := f.upload(t, agent, "/v1/uploads", "application/pdf", make([]byte, httpapi.MaxUpload)); u.Size != httpapi.MaxUpload {
		t.Errorf("size = %d", u.Size)
	}

	// Without storage, uploads and replies with uploads are unavailable.
	none := newFixture(t, false)
	if status, body := none.call(t, agent, "POST", "/v1/uploads", "image/png", png); status != http.StatusServiceUnavailable {
		t.Errorf("no storage: %d %s", status, body)
	}
	if status, body := none.call(t, agent, "POST", "/v1/conversations/email1/messages", "application/json",
		[]byte(`{"text":"hi","attachments":[{"uploadId":"00000000000000000000000000000001"}]}`)); status != http.StatusServiceUnavailable {
		t.Errorf("reply without storage: %d %s", status, body)
	}
}

type message struct {
	ID          string `json:"id"`
	Attachments []struct {
		Type        string `json:"type"`
		URL         string `json:"url"`
		ContentType string `json:"contentType"`
		Name        string `json:"name"`
		MediaStatus string `json:"mediaStatus"`
		StorageKey  string `json:"storageKey"`
	} `json:"attachments"`
}

func (f *fixture) reply(t *testing.T, claims map[string]string, conv, body string) (int, message, []byte) {
	t.Helper()
	status, resp := f.call(t, claims, "POST", "/v1/conversations/"+conv+"/messages", "application/json", []byte(body))
	var m message
	if status == http.StatusAccepted {
		if err := json.Unmarshal(resp, &m); err != nil {
			t.Fatalf("reply answer %s: %v", resp, err)
		}
	}
	return status, m, resp
}

func TestEmailReplyCarriesTheUploadedFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	u := f.upload(t, agent, "/v1/uploads?name=invoice.pdf", "application/pdf", pdf)

	// No contentType given: it is found from the file; the name given is kept.
	status, m, resp := f.reply(t, agent, "email1", `{"text":"Your invoice.","attachments":[{"uploadId":"`+u.ID+`","name":"invoice-42.pdf"}]}`)
	if status != http.StatusAccepted {
		t.Fatalf("reply: %d %s", status, resp)
	}
	stored := f.store.stored(t, "email1")
	want := inbox.Attachment{Type: inbox.AttachFile, ContentType: "application/pdf", Name: "invoice-42.pdf", Size: int64(len(pdf)),
		StorageKey: "files/acct1/" + u.ID, MediaStatus: inbox.MediaStored}
	if len(stored.Attachments) != 1 || stored.Attachments[0] != want {
		t.Errorf("stored attachments = %+v,\nwant [%+v] (no URL: email attaches the file from storage)", stored.Attachments, want)
	}
	// The reply keeps its own copy: the upload expiring (the bucket's lifecycle) leaves it.
	if _, err := f.s3.DeleteObject("media", "uploads/acct1/"+u.ID); err != nil {
		t.Fatal(err)
	}
	// The answer shows a short-lived link, never the storage key.
	if len(m.Attachments) != 1 || m.Attachments[0].StorageKey != "" || strings.Contains(string(resp), "storageKey") ||
		m.Attachments[0].MediaStatus != "stored" || m.Attachments[0].Type != "file" || !strings.Contains(m.Attachments[0].URL, "X-Amz-Expires=900") {
		t.Errorf("answer = %s", resp)
	} else if got := get(t, m.Attachments[0].URL); !bytes.Equal(got, pdf) {
		t.Errorf("the answer's link serves %q", got)
	}
}

func TestSMSAndWhatsAppRepliesLinkTheUploadedFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	img := f.upload(t, agent, "/v1/uploads?name=map.png", "image/png", png)
	voice := f.upload(t, agent, "/v1/uploads?name=note.ogg", "audio/ogg", []byte("OggS voice"))

	status, _, resp := f.reply(t, agent, "sms1", `{"text":"Here is the map","attachments":[{"uploadId":"`+img.ID+`","contentType":"image/png","name":"map.png"}]}`)
	if status != http.StatusAccepted {
		t.Fatalf("sms reply: %d %s", status, resp)
	}
	at := f.store.stored(t, "sms1").Attachments
	if len(at) != 1 || at[0].Type != inbox.AttachImage || at[0].StorageKey != "files/acct1/"+img.ID || at[0].MediaStatus != inbox.MediaStored {
		t.Fatalf("stored attachments = %+v", at)
	}
	// Twilio downloads the file from a link valid for an hour.
	if !strings.Contains(at[0].URL, "/media/files/acct1/"+img.ID+"?") || !strings.Contains(at[0].URL, "X-Amz-Expires=3600") {
		t.Errorf("stored url = %s, want a 1-hour presigned link", at[0].URL)
	}
	if got := get(t, at[0].URL); !bytes.Equal(got, png) {
		t.Errorf("the stored link serves %q", got)
	}

	// WhatsApp takes one file a message.
	status, _, resp = f.reply(t, agent, "wa1", `{"attachments":[{"uploadId":"`+voice.ID+`","contentType":"audio/ogg"},{"uploadId":"`+img.ID+`","contentType":"image/png"}]}`)
	if status != http.StatusBadRequest || !strings.Contains(string(resp), "one attachment") {
		t.Errorf("whatsapp reply with two files: %d %s", status, resp)
	}
	// The refused reply kept no copy of its file.
	if _, _, err := f.blobs.Get(context.Background(), "files/acct1/"+voice.ID); inbox.ErrorCodeOf(err) != inbox.ENotFound {
		t.Errorf("a refused reply copied its upload: %v", err)
	}
	// The type comes from the content type; audio takes no caption, so the dispatcher sends the
	// text before it (meta.Sender.Parts).
	status, _, resp = f.reply(t, agent, "wa1", `{"text":"listen","attachments":[{"uploadId":"`+voice.ID+`","contentType":"audio/ogg"}]}`)
	if status != http.StatusAccepted {
		t.Fatalf("whatsapp reply: %d %s", status, resp)
	}
	if m := f.store.stored(t, "wa1"); m.Text != "listen" {
		t.Errorf("whatsapp text = %q", m.Text)
	}
	if at := f.store.stored(t, "wa1").Attachments; len(at) != 1 || at[0].Type != inbox.AttachAudio || at[0].Name != "attachment" || !strings.Contains(at[0].URL, "X-Amz-Expires=3600") {
		t.Errorf("whatsapp attachments = %+v", at)
	}
}

func TestReplyWithAnUnknownUploadIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	theirs := f.upload(t, other, "/v1/uploads?name=secret.pdf", "application/pdf", pdf)
	for name, att := range map[string]string{
		"another account's upload": `{"uploadId":"` + theirs.ID + `"}`,
		"never uploaded":           `{"uploadId":"ffffffffffffffffffffffffffffffff"}`,
		"a path":                   `{"uploadId":"../acct2/` + theirs.ID + `"}`,
	} {
		status, _, resp := f.reply(t, agent, "email1", `{"text":"hi","attachments":[`+att+`]}`)
		if status != http.StatusBadRequest || !strings.Contains(string(resp), "unknown upload") {
			t.Errorf("%s: %d %s, want 400 unknown upload", name, status, resp)
		}
	}
	status, _, resp := f.reply(t, agent, "email1", `{"text":"hi","attachments":[{"uploadId":"`+theirs.ID+`","url":"https://files.example/a.pdf"}]}`)
	if status != http.StatusBadRequest || !strings.Contains(string(resp), "not both") {
		t.Errorf("url and uploadId: %d %s", status, resp)
	}
	if status, _, resp := f.reply(t, agent, "email1", `{"text":"hi","attachments":[{"type":"file"}]}`); status != http.StatusBadRequest {
		t.Errorf("neither url nor uploadId: %d %s", status, resp)
	}
	f.store.mu.Lock()
	n := len(f.store.msgs)
	f.store.mu.Unlock()
	if n != 0 {
		t.Errorf("%d conversations got messages", n)
	}
	// The owner can send it.
	if status, _, resp := f.reply(t, other, "email2", `{"text":"hi","attachments":[{"uploadId":"`+theirs.ID+`"}]}`); status != http.StatusAccepted {
		t.Errorf("owner's reply: %d %s", status, resp)
	}
}

// Inline images of an email point at their attachments' short-lived links.
func TestInlineImagesUseAttachmentLinks(t *testing.T) {
	t.Parallel()
	got := httpapi.InlineImagesForTest(`<p>Logo:</p><img src="cid:logo@acme" alt="logo"><img src="cid:missing@x">`,
		[]inbox.Attachment{{Data: "cid:logo@acme", URL: "https://s3.example/k?X-Amz-Signature=a&b=c"}})
	want := `<p>Logo:</p><img src="https://s3.example/k?X-Amz-Signature=a&amp;b=c" alt="logo"><img src="cid:missing@x">`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
