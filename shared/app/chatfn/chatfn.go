// Package chatfn builds the website chat function: the widget's files and frame, and the public
// visitor API, which queues visitors' messages on the inbound queue. It links the store, the
// queue and the chat packages, nothing else.
package chatfn

import (
	"context"
	"net/http"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/chatwidget"
)

// Build builds the chat function's HTTP handler. It returns an error when the store or the
// inbound queue is not configured (app.Config.Store, INBOUND_QUEUE_URL).
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
	// The widget connects to the WebSocket API's own host (WS_ENDPOINT), which its frame's CSP
	// allows.
	widget := chatwidget.New(store, c.LiveURL())
	visitors := chatapi.New(chatapi.Config{Store: store, Queue: in, Now: c.Now, NewID: c.NewID, Log: c.Log, LiveURL: c.LiveURL()})
	mux := http.NewServeMux()
	for _, p := range chatwidget.Routes {
		mux.Handle(p, widget)
	}
	for _, p := range chatapi.Routes {
		mux.Handle(p, visitors)
	}
	return mux, nil
}
