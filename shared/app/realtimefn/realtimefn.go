// Package realtimefn builds the live channel's functions: ws (the WebSocket API's routes) and
// realtime (the table's stream → pushes). The local runner builds the same Service with its
// own Pusher (infra/localrun).
package realtimefn

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/openinbox/inbox/shared/apigwws"
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/jwtauth"
	"github.com/openinbox/inbox/shared/lambdaws"
	"github.com/openinbox/inbox/shared/realtime"
)

// Service returns the live channel's service on store, pushing with pusher and authorising
// agents' tokens with verify and chat visitors' tokens (chatapi.Visitors) against the store.
func Service(c *app.Config, store *dynamo.Store, pusher realtime.Pusher, verify jwtauth.VerifyFunc) *realtime.Service {
	c.Defaults()
	svc := &realtime.Service{Conns: store, Events: store, Pusher: pusher, Now: c.Now, NewID: c.NewID, Log: c.Log,
		Auth: []realtime.Authoriser{jwtauth.Agents(verify), chatapi.Visitors{Store: store, Now: c.Now}}}
	return svc
}

func build(ctx context.Context, c *app.Config) (*realtime.Service, error) {
	c.Defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	if c.WebSocketEndpoint == "" {
		return nil, errors.New("WS_ENDPOINT is not set")
	}
	oidc := &jwtauth.OIDC{Issuer: c.JWTIssuer, Audience: c.JWTAudience, Now: c.Now}
	return Service(c, store, apigwws.New(c.AWS, c.WebSocketEndpoint), oidc.Verify), nil
}

// WS builds the ws function's route handler. It returns an error when the store, WS_ENDPOINT
// or the token issuer (JWT_ISSUER, JWT_AUDIENCE) is not configured.
func WS(ctx context.Context, c app.Config) (func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error), error) {
	if c.JWTIssuer == "" || c.JWTAudience == "" {
		return nil, errors.New("JWT_ISSUER and JWT_AUDIENCE must be set")
	}
	svc, err := build(ctx, &c)
	if err != nil {
		return nil, err
	}
	return lambdaws.Routes(c.Log, svc), nil
}

// Stream builds the realtime function's stream batch handler. It returns an error when the
// store or WS_ENDPOINT is not configured.
func Stream(ctx context.Context, c app.Config) (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), error) {
	svc, err := build(ctx, &c)
	if err != nil {
		return nil, err
	}
	return lambdaws.Stream(c.Log, svc, dynamo.ChangeEvent), nil
}
