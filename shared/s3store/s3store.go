// Package s3store is the S3 adapter: it writes and reads the objects of one bucket and hands out
// short-lived presigned GET links to them, reporting failures as inbox errors. No AWS type appears in its
// methods' signatures, so services depend on a small interface of their own.
package s3store

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/openinbox/inbox/shared/inbox"
)

// Store reads and writes the objects of one bucket.
type Store struct {
	clients func() clients
	bucket  string
}

// clients are the S3 client of a Store and its presigner.
type clients struct {
	s3      *s3.Client
	presign *s3.PresignClient
}

// New returns a Store of bucket through client.
func New(client *s3.Client, bucket string) *Store {
	c := clients{s3: client, presign: s3.NewPresignClient(client)}
	return &Store{clients: func() clients { return c }, bucket: bucket}
}

// Open returns a Store of bucket whose S3 client (NewClient of cfg and endpoint) is built on
// the Store's first use, once, not here: building it resolves endpoints and middleware stacks,
// which a function that touches S3 only now and then (an agent's file, a form's upload) would
// otherwise pay at every cold start. Safe for concurrent use.
func Open(cfg aws.Config, endpoint, bucket string) *Store {
	return &Store{clients: sync.OnceValue(func() clients {
		client := NewClient(cfg, endpoint)
		return clients{s3: client, presign: s3.NewPresignClient(client)}
	}), bucket: bucket}
}

// NewClient returns an S3 client for cfg. When endpoint is not empty (an emulator) requests go
// there with path-style addressing (http://endpoint/bucket/key), which emulators expect.
func NewClient(cfg aws.Config, endpoint string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
	})
}

// Put writes body, of exactly size bytes, as the object key with the given content type,
// replacing any object of that key. body is read once; a body that cannot seek is sent with an
// unsigned payload (which also works over plain HTTP, for emulators). It returns an EInvalid error for a negative size and an EUnavailable
// error when S3 did not store the object.
func (s *Store) Put(ctx context.Context, key, contentType string, body io.Reader, size int64) error {
	if size < 0 {
		return inbox.Errorf(inbox.EInvalid, "the size of the object to store is unknown")
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          body,
		ContentLength: aws.Int64(size),
	}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	var opts []func(*s3.Options)
	if _, ok := body.(io.Seeker); !ok {
		// The payload hash would need a second pass over the body.
		opts = append(opts, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	}
	if _, err := s.clients().s3.PutObject(ctx, in, opts...); err != nil {
		return inbox.Wrap(err, inbox.EUnavailable, "the file could not be saved to storage")
	}
	return nil
}

// Get opens the object key and returns its body and size (-1 when S3 did not say); the caller
// closes the body. It returns an ENotFound error when there is no such object, and an
// EUnavailable error when S3 could not be read (also when the bucket does not exist).
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	out, err := s.clients().s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		var noKey *types.NoSuchKey
		if errors.As(err, &noKey) {
			return nil, 0, inbox.Wrap(err, inbox.ENotFound, "the file does not exist in storage")
		}
		return nil, 0, inbox.Wrap(err, inbox.EUnavailable, "the file could not be read from storage")
	}
	size := int64(-1)
	if out.ContentLength != nil {
		size = *out.ContentLength
	}
	return out.Body, size, nil
}

// Copy copies the object src to dst within the bucket, on S3's side (the file does not pass
// through the caller), replacing any object dst. It returns an ENotFound error when src does
// not exist and an EUnavailable error when S3 did not copy it.
func (s *Store) Copy(ctx context.Context, src, dst string) error {
	// CopySource is "bucket/key", URL-encoded; each path segment is escaped so that the
	// separators stay.
	parts := strings.Split(s.bucket+"/"+src, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	_, err := s.clients().s3.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(dst), CopySource: aws.String(strings.Join(parts, "/")),
	})
	if err != nil {
		// CopyObject has no modelled NoSuchKey error: the code says it.
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchKey" {
			return inbox.Wrap(err, inbox.ENotFound, "the file does not exist in storage")
		}
		return inbox.Wrap(err, inbox.EUnavailable, "the file could not be copied in storage")
	}
	return nil
}

// PresignDownload is PresignGet for a browser: the link makes S3 answer with the Content-Type
// and Content-Disposition of inbox.Download for a file named name of type contentType (an
// attachment served as application/octet-stream unless a raster image), whatever the object
// was stored with, so that a file an outsider sent never renders as a page of the bucket's
// origin. S3 cannot add X-Content-Type-Options; the octet-stream type leaves a browser nothing
// to sniff into a page. Errors are PresignGet's.
func (s *Store) PresignDownload(ctx context.Context, key, name, contentType string, ttl time.Duration) (string, error) {
	respType, disposition := inbox.Download(name, contentType)
	return s.presignGet(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key),
		ResponseContentType: aws.String(respType), ResponseContentDisposition: aws.String(disposition),
	}, ttl)
}

// PresignGet returns a URL that lets anyone holding it GET the object key for ttl. Presigning is
// computed locally (the object's existence is not checked); it returns an EInvalid error for a
// non-positive ttl and an EInternal error when the link cannot be signed (no credentials).
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	return s.presignGet(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}, ttl)
}

func (s *Store) presignGet(ctx context.Context, in *s3.GetObjectInput, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", inbox.Errorf(inbox.EInvalid, "a link must have a positive lifetime")
	}
	req, err := s.clients().presign.PresignGetObject(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", inbox.Wrap(err, inbox.EInternal, "a link to the file could not be signed")
	}
	return req.URL, nil
}

// PresignPut returns a URL that lets anyone holding it PUT the object key for ttl, and the
// headers the PUT must carry: the URL signs the content type, the exact size and the metadata,
// so that S3 refuses a file of another size or type than the one announced. It returns an
// EInvalid error for a non-positive ttl or size and an EInternal error when the link cannot be
// signed (no credentials).
func (s *Store) PresignPut(ctx context.Context, key, contentType string, size int64, metadata map[string]string, ttl time.Duration) (string, map[string]string, error) {
	if ttl <= 0 || size <= 0 {
		return "", nil, inbox.Errorf(inbox.EInvalid, "an upload link needs a positive lifetime and size")
	}
	in := &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key), ContentType: aws.String(contentType),
		ContentLength: aws.Int64(size), Metadata: metadata}
	req, err := s.clients().presign.PresignPutObject(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", nil, inbox.Wrap(err, inbox.EInternal, "an upload link could not be signed")
	}
	// One key per header, in canonical form: a browser's fetch joins the values of names that
	// differ only in case ("a, a"), which S3 would store as the metadata.
	headers := map[string]string{}
	for k, v := range req.SignedHeader {
		if strings.EqualFold(k, "host") || len(v) == 0 {
			continue
		}
		headers[http.CanonicalHeaderKey(k)] = v[0]
	}
	headers["Content-Type"] = contentType
	for k, v := range metadata {
		headers[http.CanonicalHeaderKey("x-amz-meta-"+k)] = v
	}
	return req.URL, headers, nil
}

// Origin is the scheme and host of the presigned links to bucket: endpoint's (an emulator,
// path-style links) when it is set, else S3's virtual-hosted one in region
// (https://{bucket}.s3.{region}.amazonaws.com, .amazonaws.com.cn in China's regions), as the
// SDK makes them. It is what a page that PUTs through the links must allow in its CSP
// connect-src, computed without a client so that a function's init needs none.
func Origin(region, bucket, endpoint string) string {
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" {
			return ""
		}
		return u.Scheme + "://" + u.Host
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix += ".cn"
	}
	return "https://" + bucket + ".s3." + region + "." + suffix
}

// Head reads the size, content type and metadata of the object key. It returns an ENotFound
// error when there is no such object and an EUnavailable error when S3 could not be asked.
func (s *Store) Head(ctx context.Context, key string) (size int64, contentType string, metadata map[string]string, err error) {
	out, err := s.clients().s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		var notFound *types.NotFound
		var apiErr smithy.APIError
		if errors.As(err, &notFound) || (errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound")) {
			return 0, "", nil, inbox.Wrap(err, inbox.ENotFound, "the file does not exist in storage")
		}
		return 0, "", nil, inbox.Wrap(err, inbox.EUnavailable, "the file could not be looked up in storage")
	}
	return aws.ToInt64(out.ContentLength), aws.ToString(out.ContentType), out.Metadata, nil
}
