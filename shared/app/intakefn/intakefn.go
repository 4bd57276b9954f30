// Package intakefn builds the webhook intake functions (Twilio, Messenger, WhatsApp, custom, forms): each
// verifies and normalizes its provider's webhooks and queues them on the inbound queue. They
// link the store, the queue and the codecs, nothing else.
package intakefn

import (
	"context"
	"net/http"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/s3store"
)

// Twilio builds the Twilio intake function's HTTP handler. Errors: see handler.
func Twilio(ctx context.Context, c app.Config) (http.Handler, error) {
	return handler(ctx, c, intake.NewTwilio)
}

// Messenger builds the Messenger intake function's HTTP handler. Errors: see handler.
func Messenger(ctx context.Context, c app.Config) (http.Handler, error) {
	return handler(ctx, c, intake.NewMessenger)
}

// WhatsApp builds the WhatsApp intake function's HTTP handler. Errors: see handler.
func WhatsApp(ctx context.Context, c app.Config) (http.Handler, error) {
	return handler(ctx, c, intake.NewWhatsApp)
}

// Custom builds the custom channels' intake function's HTTP handler. Errors: see handler.
func Custom(ctx context.Context, c app.Config) (http.Handler, error) {
	return handler(ctx, c, intake.NewCustom)
}

// Forms builds the web form function's HTTP handler (form pages, upload links and submissions);
// MEDIA_BUCKET, when set, holds the files of file fields. Errors: see handler.
func Forms(ctx context.Context, c app.Config) (http.Handler, error) {
	return handler(ctx, c, func(ic intake.Config) http.Handler {
		if c.MediaBucket != "" {
			// File fields: visitors upload through presigned links into the media bucket.
			ic.Files = s3store.New(s3store.NewClient(c.AWS, c.S3Endpoint), c.MediaBucket)
		}
		ic.NewID = c.NewID
		return intake.NewForm(ic)
	})
}

// handler gives an intake its store (channels, provider keys) and the inbound queue. It returns
// an error when either is not configured (app.Config.Store, INBOUND_QUEUE_URL).
func handler(ctx context.Context, c app.Config, build func(intake.Config) http.Handler) (http.Handler, error) {
	c.Defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	in, err := c.Queue(c.InboundQueueURL, "INBOUND_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	return build(intake.Config{Channels: store, Providers: store, Queue: in, Now: c.Now, Log: c.Log, PublicBaseURL: c.PublicBaseURL}), nil
}
