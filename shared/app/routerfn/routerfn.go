// Package routerfn builds the router function: it stores the inbound queue's messages and
// routes their conversations.
package routerfn

import (
	"context"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/assignment"
	"github.com/openinbox/inbox/shared/lambdasqs"
	"github.com/openinbox/inbox/shared/router"
)

// Build builds the router function's per-message handler; MEDIA_QUEUE_URL, when set, receives
// the copies of inbound media to make, and OUTBOUND_QUEUE_URL the acknowledgements of new
// conversations (web forms' acknowledgement emails). It returns an error when the store is not configured
// (app.Config.Store).
func Build(ctx context.Context, c app.Config) (lambdasqs.Handler, error) {
	c.Defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	var media router.Publisher
	if c.MediaQueueURL != "" {
		media = c.StandardQueue(c.MediaQueueURL)
	}
	var outbound router.Publisher
	if c.OutboundQueueURL != "" {
		if outbound, err = c.Queue(c.OutboundQueueURL, "OUTBOUND_QUEUE_URL"); err != nil {
			return nil, err
		}
	}
	r := router.New(router.Config{Store: store, Media: media, Outbound: outbound, Assigner: assignment.New(&c, store), ChannelCacheTTL: router.ChannelCacheTTL,
		Now: c.Now, NewID: c.NewID, Log: c.Log})
	return func(ctx context.Context, rec lambdasqs.Record) error {
		return r.HandleRecord(ctx, rec.Body, rec.ReceiveCount)
	}, nil
}
