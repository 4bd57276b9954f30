// Package emailfn builds the email function, which an SES receipt rule invokes for inbound
// team mail.
package emailfn

import (
	"context"
	"errors"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/intake/email"
	"github.com/openinbox/inbox/shared/lambdases"
	"github.com/openinbox/inbox/shared/s3store"
)

// Build builds the email function's per-receipt handler: it reads the raw mail SES stored in
// RAW_MAIL_BUCKET under RAW_MAIL_PREFIX (the receipt rule's ObjectKeyPrefix, default
// "inbound/"), writes the attachments to MEDIA_BUCKET and queues envelopes on the inbound
// queue. It returns an error when a bucket, the queue or the store is not configured.
func Build(ctx context.Context, c app.Config) (func(context.Context, lambdases.Receipt) error, error) {
	c.Defaults()
	if c.RawMailBucket == "" {
		return nil, errors.New("RAW_MAIL_BUCKET is not set")
	}
	if c.MediaBucket == "" {
		return nil, errors.New("MEDIA_BUCKET is not set")
	}
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	in, err := c.Queue(c.InboundQueueURL, "INBOUND_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	s3c := s3store.NewClient(c.AWS, c.S3Endpoint)
	e := email.New(email.Config{Intake: intake.Config{Channels: store, Providers: store, Queue: in, Now: c.Now, Log: c.Log},
		Raw: s3store.New(s3c, c.RawMailBucket), RawPrefix: c.RawMailPrefix, Blobs: s3store.New(s3c, c.MediaBucket)})
	return e.Handle, nil
}
