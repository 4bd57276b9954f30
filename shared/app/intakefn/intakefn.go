// Package intakefn builds the webhook intake functions (Twilio, Messenger, WhatsApp, custom; forms
// are in formsfn, which links S3): each
// verifies and normalizes its provider's webhooks and queues them on the inbound queue. They
// link the store, the queue and the codecs, nothing else.
package intakefn

import (
	"context"
	"net/http"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/intake"
)

// Twilio builds the Twilio intake function's HTTP handler. Errors: see Handler.
func Twilio(ctx context.Context, c app.Config) (http.Handler, error) {
	return Handler(ctx, c, intake.NewTwilio)
}

// Messenger builds the Messenger intake function's HTTP handler. Errors: see Handler.
func Messenger(ctx context.Context, c app.Config) (http.Handler, error) {
	return Handler(ctx, c, intake.NewMessenger)
}

// WhatsApp builds the WhatsApp intake function's HTTP handler. Errors: see Handler.
func WhatsApp(ctx context.Context, c app.Config) (http.Handler, error) {
	return Handler(ctx, c, intake.NewWhatsApp)
}

// Custom builds the custom channels' intake function's HTTP handler. Errors: see Handler.
func Custom(ctx context.Context, c app.Config) (http.Handler, error) {
	return Handler(ctx, c, intake.NewCustom)
}

// Handler gives an intake its store (channels, provider keys) and the inbound queue. It returns
// an error when either is not configured (app.Config.Store, INBOUND_QUEUE_URL).
func Handler(ctx context.Context, c app.Config, build func(intake.Config) http.Handler) (http.Handler, error) {
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
