// Package apifn builds the api function: the agents' and admins' REST API (/v1) and their web
// app (/app/, shared/agentapp).
package apifn

import (
	"context"
	"net/http"
	"time"

	"github.com/openinbox/inbox/shared/agentapp"
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/assignment"
	"github.com/openinbox/inbox/shared/httpapi"
	"github.com/openinbox/inbox/shared/meta"
	"github.com/openinbox/inbox/shared/s3store"
)

// Build builds the api function's HTTP handler. It returns an error when the store or the
// outbound queue is not configured (app.Config.Store, OUTBOUND_QUEUE_URL).
func Build(ctx context.Context, c app.Config) (http.Handler, error) {
	c.Defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	out, err := c.Queue(c.OutboundQueueURL, "OUTBOUND_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	cfg := httpapi.Config{Store: store, Outbound: out, Now: c.Now, NewID: c.NewID, Log: c.Log, PublicBaseURL: c.PublicBaseURL,
		InboundEmailDomain: c.InboundEmailDomain, People: store, Drainer: assignment.New(&c, store), Events: store,
		SavedReplies: store, Search: store,
		// The composer's template picker waits for this answer: a short timeout, not dispatch's.
		Templates: meta.NewClient(c.GraphAPIBase, &http.Client{Timeout: 10 * time.Second})}
	if c.MediaBucket != "" {
		// Built on the first file: most requests (lists, threads, replies) need no S3 client.
		cfg.Blobs = s3store.Open(c.AWS, c.S3Endpoint, c.MediaBucket)
	}
	web := agentapp.Handler(appConfig(c))
	mux := http.NewServeMux()
	mux.Handle("/app", web)
	mux.Handle("/app/", web)
	mux.Handle("/", httpapi.New(cfg))
	return mux, nil
}

// appConfig is what the agents' web app is told: how to sign in (the OAuth 2.0 code flow of
// AUTH_AUTHORIZE_URL, AUTH_TOKEN_URL and AUTH_CLIENT_ID; locally, the demo sign-in), the live
// channel's URL (wss:// of WS_ENDPOINT) and where the chat widget is (PUBLIC_BASE_URL: in AWS
// the webhooks' API, another origin than the app's).
func appConfig(c app.Config) agentapp.Config {
	return agentapp.Config{LocalSignIn: c.AppLocalSignIn, WebSocketURL: c.LiveURL(), ChatURL: c.PublicBaseURL,
		AuthorizeURL: c.AuthAuthorizeURL, TokenURL: c.AuthTokenURL, ClientID: c.AuthClientID}
}
