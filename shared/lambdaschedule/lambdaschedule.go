// Package lambdaschedule adapts the events of an EventBridge schedule (SAM `Type: Schedule`) to
// a per-tick handler. The aws-lambda-go event types stay in this package: handlers see a Tick.
//
// EventBridge invokes the function asynchronously: an error fails the invocation, Lambda
// retries it twice and then sends the event to the function's dead-letter queue.
package lambdaschedule

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The documented values of a scheduled event.
const (
	DetailType = "Scheduled Event"
	Source     = "aws.events"
)

// Tick is one scheduled event, as a handler sees it.
type Tick struct {
	// ID is EventBridge's id of the event (the same on Lambda's retries of it).
	ID string
	// Time is when the schedule fired. Handlers that judge "now" (working hours) use their own
	// clock: a retried tick arrives minutes after this time.
	Time time.Time
	// Rule is the ARN of the schedule's rule, when the event names one.
	Rule string
}

// TickOf returns the tick of a scheduled event. Errors: an event of another source or detail
// type (the function is wired to something it does not expect).
func TickOf(ev events.CloudWatchEvent) (Tick, error) {
	if ev.Source != Source || ev.DetailType != DetailType {
		return Tick{}, fmt.Errorf("not a scheduled event: source %q, detail-type %q", ev.Source, ev.DetailType)
	}
	t := Tick{ID: ev.ID, Time: ev.Time.UTC()}
	if len(ev.Resources) > 0 {
		t.Rule = ev.Resources[0]
	}
	return t, nil
}

// Event returns the scheduled event EventBridge would send for a tick at t: for local runs and
// tests.
func Event(id string, t time.Time, rule string) events.CloudWatchEvent {
	ev := events.CloudWatchEvent{
		Version: "0", ID: id, DetailType: DetailType, Source: Source, Time: t.UTC().Truncate(time.Second),
		Detail: []byte("{}"), Resources: []string{},
	}
	if rule != "" {
		ev.Resources = []string{rule}
	}
	return ev
}

// Handler returns the Lambda handler of a schedule's events: each tick goes to h, whose error
// fails the invocation (so Lambda retries it). An event that is not a scheduled event fails
// without calling h.
func Handler(h func(context.Context, Tick) error) func(context.Context, events.CloudWatchEvent) error {
	return func(ctx context.Context, ev events.CloudWatchEvent) error {
		t, err := TickOf(ev)
		if err != nil {
			return err
		}
		return h(ctx, t)
	}
}
