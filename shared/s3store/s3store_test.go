package s3store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/s3store"
)

const bucket = "media"

// newStore returns a Store of a bucket in an in-process gofakes3, and the fake's URL.
func newStore(t *testing.T) (*s3store.Store, string) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return s3store.New(s3store.NewClient(testenv.AWSConfig(), srv.URL), bucket), srv.URL
}

func TestPutThenPresignedGetReturnsTheObject(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		key         string
		contentType string
		body        []byte
		seekable    bool
	}{
		{"image from a seekable body", "acct1/c1/m1/0", "image/jpeg", bytes.Repeat([]byte{0xff, 0xd8, 0x00}, 5000), true},
		{"document from a stream", "acct1/c1/m2/3", "application/pdf", []byte("%PDF-1.7 hello"), false},
		{"empty file", "acct1/c1/m3/0", "text/plain", []byte{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, base := newStore(t)
			ctx := context.Background()
			var body io.Reader = bytes.NewReader(tc.body)
			if !tc.seekable {
				body = io.MultiReader(body) // hides Seek
			}
			if err := s.Put(ctx, tc.key, tc.contentType, body, int64(len(tc.body))); err != nil {
				t.Fatalf("Put: %v", err)
			}
			link, err := s.PresignGet(ctx, tc.key, 15*time.Minute)
			if err != nil {
				t.Fatalf("PresignGet: %v", err)
			}
			if !strings.HasPrefix(link, base+"/"+bucket+"/"+tc.key+"?") || !strings.Contains(link, "X-Amz-Signature=") || !strings.Contains(link, "X-Amz-Expires=900") {
				t.Errorf("link = %s, want a path-style presigned URL valid 900s", link)
			}
			resp, err := http.Get(link)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET presigned link: %s %s", resp.Status, got)
			}
			if !bytes.Equal(got, tc.body) {
				t.Errorf("body = %d bytes, want %d", len(got), len(tc.body))
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", ct, tc.contentType)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	down := s3store.New(s3store.NewClient(testenv.AWSConfig(), "http://127.0.0.1:1"), bucket)
	missing := s3store.New(s3store.NewClient(testenv.AWSConfig(), mustURL(t, s)), "no-such-bucket")
	ctx := context.Background()
	cases := []struct {
		name string
		err  func() error
		want inbox.ErrorCode
	}{
		{"unknown size", func() error { return s.Put(ctx, "k", "text/plain", strings.NewReader("x"), -1) }, inbox.EInvalid},
		{"S3 unreachable", func() error { return down.Put(ctx, "k", "text/plain", strings.NewReader("x"), 1) }, inbox.EUnavailable},
		{"no such bucket", func() error { return missing.Put(ctx, "k", "text/plain", strings.NewReader("x"), 1) }, inbox.EUnavailable},
		{"non-positive ttl", func() error { _, err := s.PresignGet(ctx, "k", 0); return err }, inbox.EInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.err()
			var ie *inbox.Error
			if !errors.As(err, &ie) || ie.Code != tc.want {
				t.Errorf("err = %v, want code %s", err, tc.want)
			}
		})
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	s, base := newStore(t)
	ctx := context.Background()
	body := bytes.Repeat([]byte("From: a@example.com\r\n\r\nhello\r\n"), 1000)
	if err := s.Put(ctx, "inbound/msg1", "", bytes.NewReader(body), int64(len(body))); err != nil {
		t.Fatal(err)
	}
	rc, size, err := s.Get(ctx, "inbound/msg1")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	got, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body) || size != int64(len(body)) {
		t.Errorf("Get = %d bytes, size %d; want %d", len(got), size, len(body))
	}

	down := s3store.New(s3store.NewClient(testenv.AWSConfig(), "http://127.0.0.1:1"), bucket)
	missingBucket := s3store.New(s3store.NewClient(testenv.AWSConfig(), base), "no-such-bucket")
	cases := []struct {
		name  string
		store *s3store.Store
		key   string
		want  inbox.ErrorCode
	}{
		{"missing key", s, "inbound/nope", inbox.ENotFound},
		{"no such bucket", missingBucket, "inbound/msg1", inbox.EUnavailable},
		{"S3 unreachable", down, "inbound/msg1", inbox.EUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rc, _, err := tc.store.Get(ctx, tc.key)
			if rc != nil {
				_ = rc.Close()
			}
			var ie *inbox.Error
			if !errors.As(err, &ie) || ie.Code != tc.want {
				t.Errorf("err = %v, want code %s", err, tc.want)
			}
		})
	}
}

// mustURL returns the endpoint of s's fake, found through a presigned link.
func mustURL(t *testing.T, s *s3store.Store) string {
	t.Helper()
	link, err := s.PresignGet(context.Background(), "x", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return link[:strings.Index(link, "/"+bucket+"/")]
}

// A link for an agent's browser serves an outsider's HTML or SVG as a download of no renderable
// type, and a raster image inline, whatever type the object was stored with.
func TestPresignDownloadServesUntrustedFilesAsAttachments(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, stored, wantType, wantDisposition string
	}{
		{"../../evil.html", "text/html", "application/octet-stream", `attachment; filename="evil.html"`},
		{"x.svg", "image/svg+xml", "application/octet-stream", `attachment; filename="x.svg"`},
		{"photo.jpg", "image/jpeg", "image/jpeg", `inline; filename="photo.jpg"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newStore(t)
			ctx := context.Background()
			if err := s.Put(ctx, "k", tc.stored, strings.NewReader("<svg onload=alert(1)>"), 21); err != nil {
				t.Fatal(err)
			}
			link, err := s.PresignDownload(ctx, "k", tc.name, tc.stored, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(link)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET: %s", resp.Status)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tc.wantType)
			}
			if got := resp.Header.Get("Content-Disposition"); got != tc.wantDisposition {
				t.Errorf("Content-Disposition = %q, want %q", got, tc.wantDisposition)
			}
		})
	}
}

// Copy duplicates an object on S3's side under another key, with its content type; the source
// stays; a missing source is ENotFound.
func TestCopy(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	data := []byte("%PDF-1.7 invoice")
	if err := s.Put(ctx, "uploads/acct1/u 1", "application/pdf", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if err := s.Copy(ctx, "uploads/acct1/u 1", "files/acct1/u 1"); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	for _, key := range []string{"uploads/acct1/u 1", "files/acct1/u 1"} {
		body, _, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get %s: %v", key, err)
		}
		got, _ := io.ReadAll(body)
		body.Close()
		if !bytes.Equal(got, data) {
			t.Errorf("%s = %q, want %q", key, got, data)
		}
	}
	if err := s.Copy(ctx, "uploads/acct1/missing", "files/acct1/missing"); inbox.ErrorCodeOf(err) != inbox.ENotFound {
		t.Errorf("Copy of a missing object: %v, want %s", err, inbox.ENotFound)
	}
}

// TestPresignPutHeadersOnce: each header a PUT must carry is named once, whatever its case: a
// browser's fetch would join two spellings' values ("a, a") and S3 store that as metadata.
func TestPresignPutHeadersOnce(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	_, headers, err := s.PresignPut(context.Background(), "uploads/a/1", "application/pdf", 10, map[string]string{"filename": "a.pdf", "scope": "visitor%2Fv_1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for k := range headers {
		if seen[strings.ToLower(k)] {
			t.Errorf("header %s named twice: %v", k, headers)
		}
		seen[strings.ToLower(k)] = true
	}
	if headers["X-Amz-Meta-Scope"] != "visitor%2Fv_1" || headers["Content-Type"] != "application/pdf" {
		t.Errorf("headers %v", headers)
	}
}

// TestOrigin: the origin computed for a bucket is the one of the SDK's presigned links, in AWS
// (virtual-hosted, per region) and on an emulator (path-style, the endpoint's).
func TestOrigin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ region, endpoint string }{{"eu-west-1", ""}, {"us-east-1", ""}, {"cn-north-1", ""}, {"us-east-1", "http://127.0.0.1:4566"}} {
		cfg := testenv.AWSConfig()
		cfg.Region = tc.region
		link, _, err := s3store.New(s3store.NewClient(cfg, tc.endpoint), "inbox-media-1a2b").PresignPut(context.Background(), "uploads/a/1", "application/pdf", 1, nil, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(link)
		if got, want := s3store.Origin(tc.region, "inbox-media-1a2b", tc.endpoint), u.Scheme+"://"+u.Host; got != want {
			t.Errorf("%s %s: %s, links go to %s", tc.region, tc.endpoint, got, want)
		}
	}
}
