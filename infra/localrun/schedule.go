package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/openinbox/inbox/infra/samtemplate"
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/schedulefn"
	"github.com/openinbox/inbox/shared/lambdaschedule"
)

// ScheduleFunctions builds the per-tick handler of each template function an EventBridge
// schedule invokes.
var ScheduleFunctions = map[string]func(context.Context, app.Config) (func(context.Context, lambdaschedule.Tick) error, error){
	"ScheduleFunction": schedulefn.Build,
}

// scheduledJob is a function of the template with a Schedule event, ticked as EventBridge
// would: every Every (the template's rate, or Options.Tick) and on Runner.Tick.
type scheduledJob struct {
	function string
	every    time.Duration
	invoke   func(context.Context, events.CloudWatchEvent) error
	log      *slog.Logger
	// mu runs one tick at a time, so that a test sees whole ticks (in AWS, overlapping ticks are safe).
	mu sync.Mutex
	n  int
}

// startSchedule builds the handler of fn, which has Schedule events, and ticks it in the
// background unless o.Tick is negative.
func (r *Runner) startSchedule(ctx, runCtx context.Context, fn samtemplate.Function, cfg app.Config, o Options) error {
	build, ok := ScheduleFunctions[fn.LogicalID]
	if !ok {
		return fmt.Errorf("template function %s runs on a schedule but the runner has no handler for it", fn.LogicalID)
	}
	h, err := build(ctx, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", fn.LogicalID, err)
	}
	every := o.Tick
	if every == 0 {
		for _, expr := range fn.Schedules {
			d, err := rateOf(expr)
			if err != nil {
				return fmt.Errorf("%s: %w; give the runner a tick interval (-tick)", fn.LogicalID, err)
			}
			if every == 0 || d < every {
				every = d
			}
		}
	}
	every = max(every, 0) // negative: ticks on request only
	job := &scheduledJob{function: fn.LogicalID, every: every, invoke: lambdaschedule.Handler(h), log: o.Log}
	r.schedules = append(r.schedules, job)
	if every > 0 {
		r.wg.Add(1)
		go job.run(runCtx, &r.wg)
	}
	return nil
}

// run ticks the job every j.every until ctx ends. A failed tick is logged; the next one does
// the same work (Lambda's retries of an asynchronous invocation are left out).
func (j *scheduledJob) run(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	t := time.NewTicker(j.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := j.tick(ctx, now); err != nil && ctx.Err() == nil {
				j.log.Error("scheduled function failed", "function", j.function, "error", err)
			}
		}
	}
}

// tick invokes the function once with the event EventBridge sends for a tick at now.
func (j *scheduledJob) tick(ctx context.Context, now time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.n++
	ev := lambdaschedule.Event(fmt.Sprintf("local-%s-%d", j.function, j.n), now,
		"arn:aws:events:us-east-1:000000000000:rule/local-"+j.function)
	return j.invoke(ctx, ev)
}

// Tick invokes every scheduled function of the template once now, as its EventBridge schedule
// would, and returns their errors. Tests call it (or POST /_local/tick) instead of waiting
// for the next minute.
func (r *Runner) Tick(ctx context.Context) error {
	var errs []error
	for _, j := range r.schedules {
		if err := j.tick(ctx, time.Now()); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", j.function, err))
		}
	}
	return errors.Join(errs...)
}

// TickEvery returns how often the runner ticks the scheduled function id by itself (0: never).
func (r *Runner) TickEvery(id string) time.Duration {
	for _, j := range r.schedules {
		if j.function == id {
			return j.every
		}
	}
	return 0
}

// tickHandler serves POST /_local/tick: every scheduled function runs once now; 204, or 500
// with the error.
func (r *Runner) tickHandler(w http.ResponseWriter, req *http.Request) {
	if err := r.Tick(req.Context()); err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "internal", "message": err.Error()}})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// rateOf returns the interval of an EventBridge rate expression: "rate(1 minute)",
// "rate(5 minutes)", "rate(2 hours)", "rate(1 day)". Cron expressions are not read.
func rateOf(expr string) (time.Duration, error) {
	inner, isRate := strings.CutPrefix(strings.TrimSpace(expr), "rate(")
	inner, closed := strings.CutSuffix(inner, ")")
	if !isRate || !closed {
		return 0, fmt.Errorf("schedule %q is not a rate expression", expr)
	}
	value, unit, _ := strings.Cut(strings.TrimSpace(inner), " ")
	n, err := strconv.Atoi(value)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("schedule %q: the value must be a positive whole number", expr)
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	u, ok := units[strings.TrimSuffix(strings.TrimSpace(unit), "s")]
	if !ok {
		return 0, fmt.Errorf("schedule %q: unit must be minute(s), hour(s) or day(s)", expr)
	}
	return time.Duration(n) * u, nil
}
