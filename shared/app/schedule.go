package app

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/lambdaschedule"
)

// ServeSchedule is the whole main of a function an EventBridge schedule invokes
// (asynchronously): it builds the per-tick handler once and fails the invocation when a tick
// fails, so that Lambda retries it and then sends the event to the function's dead-letter
// queue. It exits when the handler cannot be built.
func ServeSchedule(build func(context.Context, Config) (func(context.Context, lambdaschedule.Tick) error, error)) {
	ctx := context.Background()
	h, err := build(ctx, fromLambdaEnv(ctx))
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	lambda.Start(lambdaschedule.Handler(h))
}

// Schedule builds the schedule function's per-tick handler: it drains the waiting queues of
// every account that has waiting conversations, with the availability of the moment (working
// hours that have just begun), and forgets the accounts whose queues are then empty.
func Schedule(ctx context.Context, c Config) (func(context.Context, lambdaschedule.Tick) error, error) {
	c.defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	s := assign.NewScheduler(store, c.assigner(store), c.Log)
	return func(ctx context.Context, t lambdaschedule.Tick) error {
		res, err := s.Tick(ctx)
		if err != nil {
			c.Log.ErrorContext(ctx, "tick failed", "tick", t.ID, "scheduledAt", t.Time, "accounts", res.Accounts, "failed", res.Failed, "error", err)
		}
		return err
	}, nil
}
