package app

import (
	"context"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/openinbox/inbox/shared/lambdaschedule"
	"github.com/openinbox/inbox/shared/lambdases"
	"github.com/openinbox/inbox/shared/lambdasqs"
)

// ServeWebSocket is the whole main of the ws function, which the WebSocket API's routes
// ($connect, $disconnect, $default) invoke: it builds the route handler once and serves the
// events. It exits when the handler cannot be built.
func ServeWebSocket(build func(context.Context, Config) (func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error), error)) {
	h, err := build(context.Background(), fromLambdaEnv())
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	lambda.Start(h)
}

// ServeStream is the whole main of a DynamoDB Stream consumer (the realtime function): it
// builds the batch handler once and serves the stream's batches. It exits when the handler
// cannot be built.
func ServeStream(build func(context.Context, Config) (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), error)) {
	h, err := build(context.Background(), fromLambdaEnv())
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	lambda.Start(h)
}

// ServeHTTP is the whole main of an HTTP function: it reads the AWS configuration and the
// function's environment, builds the handler once (at cold start) and serves API Gateway
// payload 2.0 events with it. It exits when the handler cannot be built.
func ServeHTTP(build func(context.Context, Config) (http.Handler, error)) {
	ctx := context.Background()
	h, err := build(ctx, fromLambdaEnv())
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}

// ServeQueue is the whole main of a queue consumer: it builds the per-message handler once and
// serves SQS events with partial batch failures (ReportBatchItemFailures). It exits when the
// handler cannot be built.
func ServeQueue(build func(context.Context, Config) (lambdasqs.Handler, error)) {
	ctx := context.Background()
	h, err := build(ctx, fromLambdaEnv())
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	lambda.Start(lambdasqs.Handle(slog.New(slog.NewJSONHandler(os.Stderr, nil)), h))
}

// fromLambdaEnv reads the AWS configuration (AWSFromEnv) and the function's environment; a malformed
// setting ends the process, so that Lambda reports a failed init.
func fromLambdaEnv() Config {
	awsCfg, err := AWSFromEnv()
	if err != nil {
		log.Fatalf("aws config: %v", err)
	}
	c, err := FromEnv(awsCfg)
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	return c
}

// ServeEmail is the whole main of the email function, which an SES receipt rule invokes
// asynchronously (InvocationType Event): it builds the per-receipt handler once and fails the
// invocation when a receipt fails, so that Lambda retries it and then sends the event to the
// function's dead-letter queue. It exits when the handler cannot be built.
func ServeEmail(build func(context.Context, Config) (func(context.Context, lambdases.Receipt) error, error)) {
	ctx := context.Background()
	h, err := build(ctx, fromLambdaEnv())
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	lambda.Start(lambdases.Handler(h))
}

// ServeSchedule is the whole main of a function an EventBridge schedule invokes
// (asynchronously): it builds the per-tick handler once and fails the invocation when a tick
// fails, so that Lambda retries it and then sends the event to the function's dead-letter
// queue. It exits when the handler cannot be built.
func ServeSchedule(build func(context.Context, Config) (func(context.Context, lambdaschedule.Tick) error, error)) {
	ctx := context.Background()
	h, err := build(ctx, fromLambdaEnv())
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	lambda.Start(lambdaschedule.Handler(h))
}
