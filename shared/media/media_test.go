package media_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/media"
	"github.com/openinbox/inbox/shared/s3store"
)

const (
	acct        = "acct1"
	convID      = "conv1"
	msgID       = "20250314T092653.589793Z-abcd1234"
	waToken     = "wa-access-token"
	maxAttempts = 3
	maxBytes    = 1024
	bucket      = "media"
)

var now = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// memStore is an in-memory media.Store holding one message and its channels.
type memStore struct {
	mu       sync.Mutex
	msg      inbox.Message
	channels map[string]inbox.Channel
	sets     int
}

func (s *memStore) GetMessage(_ context.Context, a, c, m string) (inbox.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a != s.msg.AccountID || c != s.msg.ConversationID || m != s.msg.ID {
		return inbox.Message{}, inbox.Errorf(inbox.ENotFound, "message not found")
	}
	msg := s.msg
	msg.Attachments = append([]inbox.Attachment(nil), s.msg.Attachments...)
	return msg, nil
}

func (s *memStore) GetChannel(_ context.Context, a, id string) (inbox.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	if !ok || a != ch.AccountID {
		return inbox.Channel{}, inbox.Errorf(inbox.ENotFound, "channel not found")
	}
	return ch, nil
}

func (s *memStore) SetAttachmentMedia(_ context.Context, a, c, m string, i int, att inbox.Attachment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a != s.msg.AccountID || c != s.msg.ConversationID || m != s.msg.ID || i >= len(s.msg.Attachments) {
		return inbox.Errorf(inbox.ENotFound, "attachment not found")
	}
	cur := &s.msg.Attachments[i]
	cur.MediaStatus, cur.StorageKey, cur.ContentType, cur.MediaError = att.MediaStatus, att.StorageKey, att.ContentType, att.MediaError
	s.sets++
	return nil
}

func (s *memStore) attachment(i int) (inbox.Attachment, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.msg.Attachments[i], s.sets
}

// newBlobs returns a Store of a bucket in an in-process gofakes3.
func newBlobs(t *testing.T) *s3store.Store {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return s3store.New(s3store.NewClient(testenv.AWSConfig(), srv.URL), bucket)
}

// get GETs link and returns the body and content type.
func get(t *testing.T, link string) ([]byte, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", link, resp.Status, b)
	}
	return b, resp.Header.Get("Content-Type")
}

func pending(a inbox.Attachment) inbox.Attachment {
	a.MediaStatus = inbox.MediaPending
	return a
}

func serveBytes(contentType string, b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		_, _ = w.Write(b)
	}
}

func serveStatus(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "nope", code) }
}

func TestHandle(t *testing.T) {
	t.Parallel()
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 300)...)
	big := bytes.Repeat([]byte("x"), maxBytes+1)
	exact := bytes.Repeat([]byte("y"), maxBytes)
	// {file} in an attachment's URL is the media server's file address.
	messengerImage := pending(inbox.Attachment{Type: inbox.AttachImage, URL: "{file}"})
	waAudio := pending(inbox.Attachment{Type: inbox.AttachAudio, MediaID: "wamid-media-1", ContentType: "audio/ogg; codecs=opus"})
	stored := func(key, ct string) inbox.Attachment {
		return inbox.Attachment{MediaStatus: inbox.MediaStored, StorageKey: key, ContentType: ct}
	}
	failed := func(ct, reason string) inbox.Attachment {
		return inbox.Attachment{MediaStatus: inbox.MediaFailed, ContentType: ct, MediaError: reason}
	}
	key0 := acct + "/" + convID + "/" + msgID + "/0"
	key1 := acct + "/" + convID + "/" + msgID + "/1"
	cases := []struct {
		name      string
		channel   string // "messenger", "whatsapp" or "sms" (no source)
		atts      []inbox.Attachment
		index     int
		serve     http.HandlerFunc
		attempt   int
		blobsDown bool
		wantErr   inbox.ErrorCode
		want      inbox.Attachment // media fields of the attachment afterwards
		wantBody  []byte           // the stored copy
		wantHits  int32
		wantSets  int
	}{
		{
			name: "messenger image is stored with its key and content type", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, serve: serveBytes("image/png", png), attempt: 1,
			want: stored(key0, "image/png"), wantBody: png, wantHits: 1, wantSets: 1,
		},
		{
			name: "whatsapp media id is looked up and downloaded with the token", channel: "whatsapp",
			atts: []inbox.Attachment{messengerImage, waAudio}, index: 1, serve: serveBytes("application/octet-stream", []byte("OggS-audio")), attempt: 1,
			want: stored(key1, "audio/ogg; codecs=opus"), wantBody: []byte("OggS-audio"), wantHits: 1, wantSets: 1,
		},
		{
			name: "content type is sniffed when nobody gives one", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, serve: serveBytes("", png), attempt: 1,
			want: stored(key0, "image/png"), wantBody: png, wantHits: 1, wantSets: 1,
		},
		{
			name: "a file of exactly the limit is stored", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, serve: serveBytes("text/plain", exact), attempt: 1,
			want: stored(key0, "text/plain"), wantBody: exact, wantHits: 1, wantSets: 1,
		},
		{
			name: "source 500 at the first attempt is retried", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, serve: serveStatus(500), attempt: 1,
			wantErr: inbox.EUnavailable, want: messengerImage, wantHits: 1,
		},
		{
			name: "source 500 at the last attempt is recorded failed", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, serve: serveStatus(500), attempt: maxAttempts,
			want: failed("", "the provider did not serve the file (HTTP 500)"), wantHits: 1, wantSets: 1,
		},
		{
			name: "whatsapp media failing past the last attempt keeps its content type", channel: "whatsapp",
			atts: []inbox.Attachment{waAudio}, serve: serveStatus(503), attempt: maxAttempts + 1,
			want: failed("audio/ogg; codecs=opus", "the provider did not serve the file (HTTP 503)"), wantHits: 1, wantSets: 1,
		},
		{
			name: "too large by Content-Length fails at once", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, serve: serveBytes("video/mp4", big), attempt: 1,
			want: failed("", "the file is larger than the 1 KB limit"), wantHits: 1, wantSets: 1,
		},
		{
			name: "too large while streaming fails at once", channel: "messenger",
			atts: []inbox.Attachment{messengerImage},
			serve: func(w http.ResponseWriter, _ *http.Request) {
				for range 3 {
					_, _ = w.Write(big[:maxBytes/2+1])
					w.(http.Flusher).Flush() // chunked: no Content-Length
				}
			},
			attempt: 1, want: failed("", "the file is larger than the 1 KB limit"), wantHits: 1, wantSets: 1,
		},
		{
			name: "404 at the provider fails at once", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, serve: serveStatus(404), attempt: 1,
			want: failed("", "the provider no longer has this file"), wantHits: 1, wantSets: 1,
		},
		{
			name: "already stored is not fetched again", channel: "messenger",
			atts:  []inbox.Attachment{stored(key0, "image/png")},
			serve: serveBytes("image/png", png), attempt: 1, want: stored(key0, "image/png"),
		},
		{
			name: "attachment without media is left alone", channel: "messenger",
			atts:  []inbox.Attachment{{Type: inbox.AttachLocation, Latitude: 1, Longitude: 2}},
			serve: serveBytes("image/png", png), attempt: 1, want: inbox.Attachment{},
		},
		{
			name: "channel type without a source fails at once", channel: "sms",
			atts: []inbox.Attachment{messengerImage}, serve: serveBytes("image/png", png), attempt: 1,
			want: failed("", "files from sms channels cannot be saved"), wantSets: 1,
		},
		{
			name: "storage down at the first attempt is retried", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, serve: serveBytes("image/png", png), attempt: 1, blobsDown: true,
			wantErr: inbox.EUnavailable, want: messengerImage, wantHits: 1,
		},
		{
			name: "storage down at the last attempt is recorded failed", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, serve: serveBytes("image/png", png), attempt: maxAttempts, blobsDown: true,
			want: failed("", "the file could not be saved to storage"), wantHits: 1, wantSets: 1,
		},
		{
			name: "an index the message does not have is invalid", channel: "messenger",
			atts: []inbox.Attachment{messengerImage}, index: 1, serve: serveBytes("image/png", png), attempt: 1,
			wantErr: inbox.EInvalid, want: messengerImage,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if strings.HasPrefix(r.URL.Path, "/wa/") && r.Header.Get("Authorization") != "Bearer "+waToken {
					t.Errorf("whatsapp download without the channel's token: %q", r.Header.Get("Authorization"))
				}
				tc.serve(w, r)
			}))
			t.Cleanup(srv.Close)

			atts := make([]inbox.Attachment, len(tc.atts))
			for i, a := range tc.atts {
				a.URL = strings.ReplaceAll(a.URL, "{file}", srv.URL+"/file")
				atts[i] = a
			}
			store := &memStore{
				msg: inbox.Message{AccountID: acct, ConversationID: convID, ID: msgID, Direction: inbox.DirectionIn, Attachments: atts},
				channels: map[string]inbox.Channel{
					"messenger": {AccountID: acct, ID: "messenger", Type: inbox.ChannelMessenger},
					"whatsapp":  {AccountID: acct, ID: "whatsapp", Type: inbox.ChannelWhatsApp, Secrets: map[string]string{inbox.SecretAccessToken: waToken}},
					"sms":       {AccountID: acct, ID: "sms", Type: inbox.ChannelSMS},
				},
			}
			lookup := func(_ context.Context, id, token string) (media.MediaRef, error) {
				if token != waToken {
					t.Errorf("lookup token = %q", token)
				}
				return media.MediaRef{URL: srv.URL + "/wa/" + id, MimeType: "audio/ogg; codecs=opus"}, nil
			}
			download := func(ctx context.Context, url, token string) (io.ReadCloser, string, error) {
				return media.Download(ctx, srv.Client(), url, token, 10*maxBytes)
			}
			sources := map[inbox.ChannelType]media.Source{
				inbox.ChannelMessenger: media.NewHTTPSource(srv.Client(), maxBytes),
				inbox.ChannelWhatsApp:  &media.WhatsAppSource{Lookup: lookup, Download: download},
			}
			blobs := newBlobs(t)
			var put media.Blobs = blobs
			if tc.blobsDown {
				put = s3store.New(s3store.NewClient(testenv.AWSConfig(), "http://127.0.0.1:1"), bucket)
			}
			f := media.New(media.Config{Store: store, Sources: sources, Blobs: put, MaxAttempts: maxAttempts, MaxBytes: maxBytes, Now: func() time.Time { return now }})
			job := media.Job{V: media.JobVersion, AccountID: acct, ConversationID: convID, MessageID: msgID, Index: tc.index, ChannelID: tc.channel}
			body, err := json.Marshal(job)
			if err != nil {
				t.Fatal(err)
			}

			err = f.HandleBody(context.Background(), body, tc.attempt)
			if got := inbox.ErrorCodeOf(err); got != tc.wantErr {
				t.Errorf("HandleBody = %v, want code %q", err, tc.wantErr)
			}
			// An invalid job cannot heal: dropped, not retried; everything else returned is retried.
			if perm := inbox.IsPermanent(err); perm != (tc.wantErr == inbox.EInvalid) {
				t.Errorf("IsPermanent(%v) = %v", err, perm)
			}
			if n := hits.Load(); n != tc.wantHits {
				t.Errorf("media server hits = %d, want %d", n, tc.wantHits)
			}
			i := tc.index
			if i >= len(atts) {
				i = 0
			}
			got, sets := store.attachment(i)
			if sets != tc.wantSets {
				t.Errorf("SetAttachmentMedia calls = %d, want %d", sets, tc.wantSets)
			}
			if got.MediaStatus != tc.want.MediaStatus || got.StorageKey != tc.want.StorageKey || got.ContentType != tc.want.ContentType || got.MediaError != tc.want.MediaError {
				t.Errorf("attachment media = {%q %q %q %q}, want {%q %q %q %q}",
					got.MediaStatus, got.StorageKey, got.ContentType, got.MediaError,
					tc.want.MediaStatus, tc.want.StorageKey, tc.want.ContentType, tc.want.MediaError)
			}
			if tc.wantBody != nil {
				linked := media.Link(context.Background(), blobs, got, 0)
				if linked.URL == got.URL {
					t.Fatalf("Link left the URL %q", got.URL)
				}
				b, ct := get(t, linked.URL)
				if !bytes.Equal(b, tc.wantBody) {
					t.Errorf("stored %d bytes, want %d", len(b), len(tc.wantBody))
				}
				if ct != tc.want.ContentType {
					t.Errorf("stored content type = %q, want %q", ct, tc.want.ContentType)
				}
			}
		})
	}
}

func TestHandleBodyRefusesBadJobs(t *testing.T) {
	t.Parallel()
	store := &memStore{msg: inbox.Message{AccountID: acct, ConversationID: convID, ID: msgID}}
	f := media.New(media.Config{Store: store})
	cases := []struct {
		name string
		body string
	}{
		{"not json", "{"},
		{"unknown version", `{"v":2,"accountId":"a","conversationId":"c","messageId":"m","channelId":"ch"}`},
		{"missing channel", `{"v":1,"accountId":"a","conversationId":"c","messageId":"m"}`},
		{"negative index", `{"v":1,"accountId":"a","conversationId":"c","messageId":"m","channelId":"ch","index":-1}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := f.HandleBody(context.Background(), []byte(tc.body), 1); !inbox.IsCode(err, inbox.EInvalid) || !inbox.IsPermanent(err) {
				t.Errorf("HandleBody = %v, want EInvalid marked permanent", err)
			}
		})
	}
}

func TestJobs(t *testing.T) {
	t.Parallel()
	m := inbox.Message{AccountID: acct, ConversationID: convID, ID: msgID, Attachments: []inbox.Attachment{
		{Type: inbox.AttachLocation},
		pending(inbox.Attachment{MediaID: "m1"}),
		{MediaStatus: inbox.MediaStored, StorageKey: "k", URL: "https://cdn/x"},
		pending(inbox.Attachment{URL: "https://cdn/y"}),
	}}
	got := media.Jobs(m, "ch1")
	want := []media.Job{
		{V: 1, AccountID: acct, ConversationID: convID, MessageID: msgID, Index: 1, ChannelID: "ch1"},
		{V: 1, AccountID: acct, ConversationID: convID, MessageID: msgID, Index: 3, ChannelID: "ch1"},
	}
	if len(got) != len(want) {
		t.Fatalf("Jobs = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Jobs[%d] = %+v, want %+v", i, got[i], want[i])
		}
		if err := got[i].Validate(); err != nil {
			t.Errorf("Jobs[%d].Validate = %v", i, err)
		}
	}
	if k := want[1].DedupKey(); k != acct+"/"+convID+"/"+msgID+"/3" || want[1].StorageKey() != k || want[1].GroupKey() != acct {
		t.Errorf("keys = %q %q %q", k, want[1].StorageKey(), want[1].GroupKey())
	}
	b, _ := json.Marshal(want[0])
	if string(b) != `{"v":1,"accountId":"acct1","conversationId":"conv1","messageId":"`+msgID+`","index":1,"channelId":"ch1"}` {
		t.Errorf("job JSON = %s", b)
	}
}

// failingPresigner fails every link.
type failingPresigner struct{}

func (failingPresigner) PresignGet(context.Context, string, time.Duration) (string, error) {
	return "", inbox.Errorf(inbox.EInternal, "no credentials")
}

func TestLink(t *testing.T) {
	t.Parallel()
	blobs := newBlobs(t)
	ctx := context.Background()
	if err := blobs.Put(ctx, "a/c/m/0", "image/jpeg", strings.NewReader("jpeg!"), 5); err != nil {
		t.Fatal(err)
	}
	storedAtt := inbox.Attachment{Type: inbox.AttachImage, URL: "https://cdn.example/old", MediaStatus: inbox.MediaStored, StorageKey: "a/c/m/0", ContentType: "image/jpeg"}
	cases := []struct {
		name     string
		p        media.Presigner
		a        inbox.Attachment
		ttl      time.Duration
		linked   bool
		wantTTL  string
		wantBody string
	}{
		{"stored media gets a 15-minute link by default", blobs, storedAtt, 0, true, "X-Amz-Expires=900", "jpeg!"},
		{"stored media with a given ttl", blobs, storedAtt, time.Minute, true, "X-Amz-Expires=60", "jpeg!"},
		{"pending media is unchanged", blobs, pending(inbox.Attachment{URL: "https://cdn.example/p"}), 0, false, "", ""},
		{"failed media is unchanged", blobs, inbox.Attachment{URL: "https://cdn.example/f", MediaStatus: inbox.MediaFailed, MediaError: "gone"}, 0, false, "", ""},
		{"a location is unchanged", blobs, inbox.Attachment{Type: inbox.AttachLocation, Latitude: 1}, 0, false, "", ""},
		{"a link that cannot be signed leaves the attachment", failingPresigner{}, storedAtt, 0, false, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := media.Link(ctx, tc.p, tc.a, tc.ttl)
			if !tc.linked {
				if got != tc.a {
					t.Errorf("Link = %+v, want unchanged %+v", got, tc.a)
				}
				return
			}
			if !strings.Contains(got.URL, tc.wantTTL) {
				t.Errorf("URL = %s, want %s", got.URL, tc.wantTTL)
			}
			if b, ct := get(t, got.URL); string(b) != tc.wantBody || ct != "image/jpeg" {
				t.Errorf("GET link = %q %q", b, ct)
			}
			got.URL = tc.a.URL
			if got != tc.a {
				t.Errorf("Link changed more than the URL: %+v", got)
			}
		})
	}

	t.Run("LinkMessage leaves the message's own attachments", func(t *testing.T) {
		t.Parallel()
		m := inbox.Message{Attachments: []inbox.Attachment{storedAtt, {Type: inbox.AttachLocation}}}
		got := media.LinkMessage(ctx, blobs, m, 0)
		if got.Attachments[0].URL == storedAtt.URL || got.Attachments[1] != m.Attachments[1] {
			t.Errorf("LinkMessage = %+v", got.Attachments)
		}
		if m.Attachments[0].URL != storedAtt.URL {
			t.Errorf("LinkMessage modified its argument: %s", m.Attachments[0].URL)
		}
	})
}
