// Package apigwws pushes frames to API Gateway WebSocket connections with the management API's
// PostToConnection, the realtime.Pusher of AWS.
package apigwws

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"

	"github.com/openinbox/inbox/shared/realtime"
)

// Pusher posts to the connections of one WebSocket API stage.
type Pusher struct {
	client *apigatewaymanagementapi.Client
}

// New returns a Pusher for the stage at endpoint, https://{api-id}.execute-api.{region}.amazonaws.com/{stage}.
func New(cfg aws.Config, endpoint string) *Pusher {
	return &Pusher{client: apigatewaymanagementapi.NewFromConfig(cfg, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})}
}

// Push sends frame to connection id. Errors: realtime.ErrGone (410 GoneException), others as
// the API returns them.
func (p *Pusher) Push(ctx context.Context, id string, frame []byte) error {
	_, err := p.client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: frame})
	var gone *types.GoneException
	if errors.As(err, &gone) {
		return fmt.Errorf("%w: %s", realtime.ErrGone, id)
	}
	return err
}
