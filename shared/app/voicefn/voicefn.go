// Package voicefn builds the voice function, the Twilio Voice intake of calling channels: it
// links the routing rules (to choose whose phones ring) that the other intakes do not.
package voicefn

import (
	"context"
	"net/http"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/intake/voice"
)

// Build builds the voice function's HTTP handler over the store (channels, and the users,
// teams and contacts that decide whose phones ring) and the inbound queue. It returns an error
// when either is not configured (app.Config.Store, INBOUND_QUEUE_URL).
func Build(ctx context.Context, c app.Config) (http.Handler, error) {
	c.Defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	in, err := c.Queue(c.InboundQueueURL, "INBOUND_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	ic := intake.Config{Channels: store, Queue: in, Now: c.Now, Log: c.Log, PublicBaseURL: c.PublicBaseURL}
	return voice.New(ic, store), nil
}
