// Package media copies inbound provider media (WhatsApp media ids, Messenger attachment URLs)
// into our bucket off the intake path, and turns stored copies into short-lived links for agents.
//
// The router stores an inbound message with its media attachments "pending" and enqueues one Job
// per attachment (see Jobs) on a standard queue. The Fetcher consumes them: it downloads the file
// from the channel's provider through a Source, writes it to the bucket under
// {account}/{conversation}/{message}/{index}, and records the attachment "stored" with its
// storage key and content type. A failed fetch returns an error so that the queue delivers the
// job again; at the last attempt, or at once for a permanent failure (too large, gone at the
// provider), the attachment is recorded "failed" with a reason fit for agents, so a file is
// never silently lost. The API shows stored media through Link.
package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// DefaultMaxBytes is the size limit New uses when given none: WhatsApp's largest media (documents).
const DefaultMaxBytes = 100 << 20

// DefaultMaxAttempts is the number of deliveries New uses when given none.
const DefaultMaxAttempts = 4

// Store is what the fetcher needs from the database.
type Store interface {
	GetMessage(ctx context.Context, acct, convID, msgID string) (inbox.Message, error)
	GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error)
	// SetAttachmentMedia replaces the media fields (MediaStatus, StorageKey, ContentType,
	// MediaError) of the index-th attachment of a message with a's.
	SetAttachmentMedia(ctx context.Context, acct, convID, msgID string, index int, a inbox.Attachment) error
}

// Source downloads an attachment's file from one kind of channel's provider. The caller closes
// body. contentType may be empty when the provider does not say. Errors should be *inbox.Error,
// where ENotFound (gone at the provider), ETooLarge and EInvalid are final and other codes are
// retried, or *inbox.SendError, final unless Temporary; any other error is retried. The message
// of either becomes the attachment's MediaError.
type Source interface {
	Fetch(ctx context.Context, ch inbox.Channel, a inbox.Attachment) (body io.ReadCloser, contentType string, err error)
}

// Presigner signs short-lived GET links to stored objects.
type Presigner interface {
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Blobs is the bucket media is copied into (shared/s3store.Store).
type Blobs interface {
	// Put writes body, of exactly size bytes, as the object key.
	Put(ctx context.Context, key, contentType string, body io.Reader, size int64) error
	Presigner
}

// Fetcher handles media jobs.
type Fetcher struct {
	store       Store
	sources     map[inbox.ChannelType]Source
	blobs       Blobs
	maxAttempts int
	maxBytes    int64
	now         func() time.Time
	log         *slog.Logger
}

// Config is what a Fetcher is built from. Store and Blobs are required.
type Config struct {
	Store Store
	// Sources maps each channel type to its provider's Source.
	Sources map[inbox.ChannelType]Source
	// Blobs is the bucket the media is copied into.
	Blobs Blobs
	// MaxAttempts is the number of deliveries of a job after which a failure is recorded (keep
	// it below the queue's maxReceiveCount so that the attachment is marked failed before the
	// job reaches the DLQ); DefaultMaxAttempts when ≤ 0.
	MaxAttempts int
	// MaxBytes is the largest file copied; DefaultMaxBytes when ≤ 0.
	MaxBytes int64
	Now      func() time.Time // time.Now when nil
	Log      *slog.Logger     // discarded when nil
}

// New returns a Fetcher built from c. Files are spooled through the temporary directory on
// their way to the bucket, so that their size is known and the limit enforced before anything
// is stored.
func New(c Config) *Fetcher {
	f := &Fetcher{store: c.Store, sources: c.Sources, blobs: c.Blobs, maxAttempts: c.MaxAttempts, maxBytes: c.MaxBytes, now: c.Now, log: c.Log}
	if f.maxAttempts <= 0 {
		f.maxAttempts = DefaultMaxAttempts
	}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	return f
}

// HandleBody decodes a queued Job and handles it; see Handle. A body that is not a valid job is
// an EInvalid error marked inbox.Permanent (dropped with a log line and a metric, not retried).
func (f *Fetcher) HandleBody(ctx context.Context, body []byte, attempt int) error {
	var job Job
	if err := json.Unmarshal(body, &job); err != nil {
		return inbox.Permanent(inbox.Wrap(err, inbox.EInvalid, "queued body is not a media job"))
	}
	return f.Handle(ctx, job, attempt)
}

// Handle copies the job's attachment into the bucket; attempt is the delivery count of the job
// (from 1). It returns nil when the outcome is recorded (stored, or failed with a reason) or there
// is nothing to do (already stored, no media), and an error when the job should be delivered
// again: a temporary failure below maxAttempts, or the store's errors. What no retry can heal
// is marked inbox.Permanent: an invalid job, or one naming an attachment the message does not
// have (EInvalid), and a message that does not exist (ENotFound: the router stores the message
// before it queues the job, and reads are strongly consistent).
func (f *Fetcher) Handle(ctx context.Context, job Job, attempt int) error {
	if err := job.Validate(); err != nil {
		return inbox.Permanent(err)
	}
	log := f.log.With("account", job.AccountID, "conversation", job.ConversationID, "messageId", job.MessageID, "index", job.Index)
	m, err := f.store.GetMessage(ctx, job.AccountID, job.ConversationID, job.MessageID)
	if inbox.IsCode(err, inbox.ENotFound) || inbox.IsCode(err, inbox.EInvalid) {
		return inbox.Permanent(err)
	}
	if err != nil {
		return err
	}
	if job.Index >= len(m.Attachments) {
		return inbox.Permanent(inbox.Errorf(inbox.EInvalid, "message has no attachment %d", job.Index))
	}
	a := m.Attachments[job.Index]
	switch {
	case a.MediaStatus == inbox.MediaStored:
		log.InfoContext(ctx, "media already stored")
		return nil
	case a.MediaID == "" && a.URL == "":
		log.InfoContext(ctx, "attachment has no provider media to fetch")
		return nil
	}
	ch, err := f.store.GetChannel(ctx, job.AccountID, job.ChannelID)
	if inbox.IsCode(err, inbox.ENotFound) {
		return f.fail(ctx, log, job, a, "the channel this file came from has been removed")
	}
	if err != nil {
		return err
	}
	start := f.now()
	key := job.StorageKey()
	contentType, size, err := f.copy(ctx, ch, a, key)
	if err != nil {
		if !final(err) && attempt < f.maxAttempts {
			log.WarnContext(ctx, "media fetch failed; will retry", "attempt", attempt, "err", err)
			return err
		}
		log.WarnContext(ctx, "media fetch failed", "attempt", attempt, "err", err)
		return f.fail(ctx, log, job, a, reason(err))
	}
	a.MediaStatus = inbox.MediaStored
	a.StorageKey = key
	a.ContentType = contentType
	a.MediaError = ""
	if err := f.store.SetAttachmentMedia(ctx, job.AccountID, job.ConversationID, job.MessageID, job.Index, a); err != nil {
		return err
	}
	log.InfoContext(ctx, "media stored", "key", key, "contentType", contentType, "bytes", size, "took", f.now().Sub(start))
	return nil
}

// fail records the attachment as failed with reason.
func (f *Fetcher) fail(ctx context.Context, log *slog.Logger, job Job, a inbox.Attachment, reason string) error {
	a.MediaStatus = inbox.MediaFailed
	a.StorageKey = ""
	a.MediaError = reason
	if err := f.store.SetAttachmentMedia(ctx, job.AccountID, job.ConversationID, job.MessageID, job.Index, a); err != nil {
		return err
	}
	log.InfoContext(ctx, "media marked failed", "reason", reason)
	return nil
}

// copy downloads a through its channel's source into a temporary file, then writes it to the
// bucket as key. It returns the content type and size stored.
func (f *Fetcher) copy(ctx context.Context, ch inbox.Channel, a inbox.Attachment, key string) (string, int64, error) {
	src, ok := f.sources[ch.Type]
	if !ok {
		return "", 0, inbox.Errorf(inbox.EInvalid, "files from %s channels cannot be saved", ch.Type)
	}
	body, contentType, err := src.Fetch(ctx, ch, a)
	if err != nil {
		return "", 0, err
	}
	defer body.Close()
	tmp, err := os.CreateTemp("", "media-*")
	if err != nil {
		return "", 0, inbox.Wrap(err, inbox.EInternal, "the file could not be buffered")
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(body, f.maxBytes+1))
	if err != nil {
		var ie *inbox.Error
		if errors.As(err, &ie) {
			return "", 0, err
		}
		return "", 0, inbox.Wrap(err, inbox.EUnavailable, "the download from the provider was interrupted")
	}
	if n > f.maxBytes {
		return "", 0, tooLarge(f.maxBytes)
	}
	contentType, err = pickContentType(tmp, contentType, a.ContentType)
	if err != nil {
		return "", 0, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", 0, inbox.Wrap(err, inbox.EInternal, "the file could not be buffered")
	}
	if err := f.blobs.Put(ctx, key, contentType, tmp, n); err != nil {
		return "", 0, err
	}
	return contentType, n, nil
}

// pickContentType is the provider's content type, else the one the webhook announced, else one
// sniffed from the first bytes of the spooled file.
func pickContentType(file io.ReadSeeker, fromProvider, announced string) (string, error) {
	for _, ct := range []string{fromProvider, announced} {
		if ct = strings.TrimSpace(ct); ct != "" && !strings.HasPrefix(ct, "application/octet-stream") {
			return ct, nil
		}
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return "", inbox.Wrap(err, inbox.EInternal, "the file could not be buffered")
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(file, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", inbox.Wrap(err, inbox.EInternal, "the file could not be buffered")
	}
	return http.DetectContentType(head[:n]), nil
}

// final reports whether err will not go away by trying again.
func final(err error) bool {
	var ie *inbox.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case inbox.ENotFound, inbox.ETooLarge, inbox.EInvalid:
			return true
		}
		return false
	}
	var se *inbox.SendError
	if errors.As(err, &se) {
		return !se.Temporary
	}
	return false
}

// reason is the people-facing text of a fetch failure.
func reason(err error) string {
	var ie *inbox.Error
	if errors.As(err, &ie) && ie.Code != inbox.EInternal {
		return ie.Message
	}
	var se *inbox.SendError
	if errors.As(err, &se) && se.Message != "" {
		if se.Temporary {
			return "the provider did not serve the file: " + se.Message
		}
		return "the provider refused to serve the file: " + se.Message
	}
	return "the file could not be copied from the provider"
}

func tooLarge(limit int64) error {
	return inbox.Errorf(inbox.ETooLarge, "the file is larger than the %s limit", formatBytes(limit))
}

// formatBytes writes n for people: 100 MB, 23.8 MB, 512 KB, 700 bytes.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
