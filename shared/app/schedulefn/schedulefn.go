// Package schedulefn builds the schedule function, which EventBridge invokes every minute to
// drain the waiting queues.
package schedulefn

import (
	"context"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/assignment"
	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/lambdaschedule"
)

// Build builds the schedule function's per-tick handler: it drains the waiting queues of
// every account that has waiting conversations, with the availability of the moment (working
// hours that have just begun), and forgets the accounts whose queues are then empty. It returns
// an error when the store is not configured (app.Config.Store).
func Build(ctx context.Context, c app.Config) (func(context.Context, lambdaschedule.Tick) error, error) {
	c.Defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	s := assign.NewScheduler(assign.SchedulerConfig{Accounts: store, Drainer: assignment.New(&c, store), Log: c.Log})
	return func(ctx context.Context, t lambdaschedule.Tick) error {
		res, err := s.Tick(ctx)
		if err != nil {
			c.Log.ErrorContext(ctx, "tick failed", "tick", t.ID, "scheduledAt", t.Time, "accounts", res.Accounts, "failed", res.Failed, "error", err)
		}
		return err
	}, nil
}
