package browser

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds every step a browser test waits on (a page load, a poll for a state, a script),
// so that a regression fails the test with what it waited for instead of hanging it until go
// test's own deadline. It is generous because the machine may be shared: a guard against hangs,
// not a timing threshold (speed is measured by benchmarks).
const Timeout = 2 * time.Minute

// StartTimeout bounds a browser's start. Several tests start one at once on a machine that may
// be shared, so that a start can take minutes (seen: over a minute at load 56); only a start
// that never ends fails.
const StartTimeout = 5 * time.Minute

// Do runs steps in the tab of ctx within Timeout and fails t, naming what it was doing, when
// they fail or do not finish. Never for the first call on a new tab's context: that one starts
// the browser (New does it).
func Do(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %s: %v", what, explain(ctx, err))
	}
}

// Run runs action in the tab of ctx within Timeout and returns its result; see Do.
func Run[T any](t testing.TB, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("browser: %s: %v", what, explain(ctx, err))
	}
	return v
}

// Until polls the JavaScript expression in the tab of ctx until it is truthy, at most Timeout,
// and fails t with what it waited for when it never is.
func Until(t testing.TB, ctx context.Context, what, expr string) {
	t.Helper()
	Do(t, ctx, "waiting for "+what, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(Timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
}

// explain says that a step ran out of time, so that the failure reads as the hang guard it is.
func explain(ctx context.Context, err error) error {
	if errors.Is(err, chromedp.ErrPollingTimeout) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("still not there after %s (the page never got there; this bound only stops a hang): %w", Timeout, err)
	}
	return err
}
