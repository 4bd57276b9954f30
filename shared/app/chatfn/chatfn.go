// Package chatfn builds the website chat function: the widget's files and frame, and the public
// visitor API, which queues visitors' messages on the inbound queue. It links the store, the
// queue, S3 (visitors' files) and the chat packages, nothing else.
package chatfn

import (
	"context"
	"net/http"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/chatwidget"
	"github.com/openinbox/inbox/shared/s3store"
)

// Build builds the chat function's HTTP handler; MEDIA_BUCKET, when set, keeps visitors' files.
// It returns an error when the store or the inbound queue is not configured (app.Config.Store,
// INBOUND_QUEUE_URL).
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
	// Visitors' files (MEDIA_BUCKET): the widget PUTs them through presigned links, so the
	// frame's CSP allows the bucket's origin; without a bucket the widget has no attach button.
	var files chatapi.Files
	filesOrigin := ""
	if c.MediaBucket != "" {
		filesOrigin = s3store.Origin(c.AWS.Region, c.MediaBucket, c.S3Endpoint)
		// Built at the first visitor's file: most cold starts serve a config or a frame.
		files = s3store.Open(c.AWS, c.S3Endpoint, c.MediaBucket)
	}
	// The widget connects to the WebSocket API's own host (WS_ENDPOINT), which its frame's CSP
	// allows; the agents' app (AGENT_APP_ORIGINS) may frame it to preview a chat.
	widget := chatwidget.New(store, c.LiveURL(), filesOrigin, c.AgentAppOrigins)
	visitors := chatapi.New(chatapi.Config{Store: store, Queue: in, Now: c.Now, NewID: c.NewID, Log: c.Log, LiveURL: c.LiveURL(), Files: files})
	mux := http.NewServeMux()
	for _, p := range chatwidget.Routes {
		mux.Handle(p, widget)
	}
	for _, p := range chatapi.Routes {
		mux.Handle(p, visitors)
	}
	return mux, nil
}
