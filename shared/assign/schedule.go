package assign

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// WaitingAccounts is what the scheduled drain needs from the database: the accounts that may
// have waiting conversations, and a way to drop an account once its queues are empty.
// *dynamo.Store implements it.
type WaitingAccounts interface {
	// ListWaitingAccounts returns the ids of every account that may have waiting conversations.
	ListWaitingAccounts(ctx context.Context) ([]string, error)
	// ForgetWaitingAccount drops the account from that list when none of its queues holds a
	// conversation, safely against a conversation queued meanwhile, and reports whether it did.
	ForgetWaitingAccount(ctx context.Context, acct string) (bool, error)
}

// AccountDrainer assigns the waiting conversations of one account; *Assigner is one.
type AccountDrainer interface {
	DrainAccount(ctx context.Context, acct string) error
}

// Scheduler drains the waiting queues on a clock: nothing happens in the database when a user's
// working hours begin, so a job runs every minute (the schedule function, EventBridge) and
// drains every account with waiting conversations, each with the rules and the availability of
// that moment (the drainer's clock). Accounts whose queues are empty afterwards are forgotten,
// so an idle deployment costs one query a tick.
type Scheduler struct {
	accounts WaitingAccounts
	drainer  AccountDrainer
	log      *slog.Logger
	workers  int
}

// DefaultScheduleWorkers is how many accounts a tick drains at once.
const DefaultScheduleWorkers = 4

// SchedulerConfig is what a Scheduler is built from. Accounts and Drainer are required.
type SchedulerConfig struct {
	// Accounts lists the accounts with waiting conversations and forgets those without.
	Accounts WaitingAccounts
	// Drainer drains one account's waiting queues (the Assigner).
	Drainer AccountDrainer
	// Workers is how many accounts a tick drains at once; DefaultScheduleWorkers when ≤ 0.
	Workers int
	Log     *slog.Logger // discarded when nil
}

// NewScheduler returns a Scheduler built from c.
func NewScheduler(c SchedulerConfig) *Scheduler {
	s := &Scheduler{accounts: c.Accounts, drainer: c.Drainer, log: c.Log, workers: c.Workers}
	if s.workers <= 0 {
		s.workers = DefaultScheduleWorkers
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// TickResult is what one tick did.
type TickResult struct {
	// Accounts is how many accounts had waiting conversations; Forgotten how many of them had
	// none left after the drain; Failed how many could not be drained or forgotten.
	Accounts, Forgotten, Failed int
}

// Tick drains every account with waiting conversations once, then forgets those whose queues
// are empty. An account that fails is logged and does not stop the others; Tick then returns
// an error naming how many failed (with the first errors), so that the invocation is retried:
// draining and forgetting are idempotent. The error of listing the accounts is returned as it
// is. ctx ending stops the accounts not yet started.
func (s *Scheduler) Tick(ctx context.Context) (TickResult, error) {
	accounts, err := s.accounts.ListWaitingAccounts(ctx)
	if err != nil {
		return TickResult{}, err
	}
	res := TickResult{Accounts: len(accounts)}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	work := make(chan string)
	for range min(s.workers, len(accounts)) {
		wg.Go(func() {
			for acct := range work {
				forgotten, err := s.account(ctx, acct)
				mu.Lock()
				if err != nil {
					res.Failed++
					errs = append(errs, fmt.Errorf("account %s: %w", acct, err))
				} else if forgotten {
					res.Forgotten++
				}
				mu.Unlock()
			}
		})
	}
	for _, acct := range accounts {
		if ctx.Err() != nil {
			mu.Lock()
			res.Failed++
			errs = append(errs, fmt.Errorf("account %s: %w", acct, ctx.Err()))
			mu.Unlock()
			continue
		}
		work <- acct
	}
	close(work)
	wg.Wait()
	level := slog.LevelInfo
	if res.Accounts == 0 {
		level = slog.LevelDebug // the usual minute: nothing waits
	}
	s.log.Log(ctx, level, "scheduled drain", "accounts", res.Accounts, "forgotten", res.Forgotten, "failed", res.Failed)
	if len(errs) > 0 {
		return res, fmt.Errorf("scheduled drain: %d of %d accounts failed: %w", res.Failed, res.Accounts, errors.Join(errs[:min(len(errs), 3)]...))
	}
	return res, nil
}

// account drains one account and forgets it when its queues are empty.
func (s *Scheduler) account(ctx context.Context, acct string) (bool, error) {
	if err := s.drainer.DrainAccount(ctx, acct); err != nil {
		s.log.ErrorContext(ctx, "scheduled drain failed", "account", acct, "error", err)
		return false, err
	}
	forgotten, err := s.accounts.ForgetWaitingAccount(ctx, acct)
	if err != nil {
		s.log.ErrorContext(ctx, "forgetting a drained account failed", "account", acct, "error", err)
	}
	return forgotten, err
}
