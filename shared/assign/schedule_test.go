package assign_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
)

var copenhagen = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err)
	}
	return l
}()

// monday is Monday 23 November 2026 at hh:mm:ss in Copenhagen (CET, UTC+1).
func monday(hh, mm, ss int) time.Time { return time.Date(2026, 11, 23, hh, mm, ss, 0, copenhagen) }

// clock is a settable clock shared by the assigner of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// scheduleEnv is a store on a fresh table with an assigner and a scheduler on one clock.
type scheduleEnv struct {
	t        *testing.T
	ctx      context.Context
	store    *dynamo.Store
	clock    *clock
	assigner *assign.Assigner
	n        int
}

func newScheduleEnv(t *testing.T) *scheduleEnv {
	t.Helper()
	e := &scheduleEnv{t: t, ctx: context.Background(), store: newStore(t), clock: &clock{}}
	e.assigner = assign.New(assign.Config{Store: e.store, Now: e.clock.Now})
	return e
}

// account creates an inbox and an SMS channel whose rules give conversations to user "ada" when
// she is available, and Ada: available, working Mondays 09:00–17:00 in Copenhagen, or always
// when hours is false.
func (e *scheduleEnv) account(acct string, hours bool) inbox.Channel {
	e.t.Helper()
	e.n++
	created := monday(8, 0, 0)
	must(e.t, e.store.CreateInbox(e.ctx, inbox.Inbox{AccountID: acct, ID: "ib1", Name: "Support", CreatedAt: created}))
	phone := fmt.Sprintf("+1500555%04d", e.n)
	ch := inbox.Channel{AccountID: acct, ID: "ch-" + acct, InboxID: "ib1", Type: inbox.ChannelSMS, Name: "SMS", ProviderKey: phone,
		Twilio:  &inbox.TwilioConfig{AccountSID: "AC00000000000000000000000000000001", PhoneNumber: phone},
		Secrets: map[string]string{inbox.SecretTwilioAuthToken: "t"}, CreatedAt: created}
	must(e.t, e.store.CreateChannel(e.ctx, ch))
	must(e.t, e.store.SetRoutingRules(e.ctx, acct, ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams,
		UserIDs: []string{"ada"}, OnlyAvailable: true}))
	ada := inbox.User{AccountID: acct, ID: "ada", Name: "Ada", Role: inbox.RoleAgent, PaidSeat: true, Available: true,
		TimeZone: "Europe/Copenhagen", CreatedAt: created}
	if hours {
		ada.WorkingHours = []inbox.WorkingHours{{Day: time.Monday, Start: "09:00", End: "17:00"}}
	}
	must(e.t, e.store.CreateUser(e.ctx, ada))
	return ch
}

// arrive opens a conversation on ch at the clock's time and routes it as the router does.
func (e *scheduleEnv) arrive(ch inbox.Channel) string {
	e.t.Helper()
	e.n++
	at := e.clock.Now()
	c, _, err := e.store.FindOrOpenConversation(e.ctx, inbox.Conversation{AccountID: ch.AccountID, ID: fmt.Sprintf("conv%03d", e.n),
		InboxID: ch.InboxID, ChannelID: ch.ID, ChannelType: ch.Type, ContactID: fmt.Sprintf("contact%03d", e.n),
		Status: inbox.StatusOpen, LastMessageAt: at, CreatedAt: at})
	must(e.t, err)
	must(e.t, e.assigner.Route(e.ctx, ch.AccountID, c.ID))
	return c.ID
}

func (e *scheduleEnv) assignee(acct, convID string) string {
	e.t.Helper()
	c, err := e.store.GetConversation(e.ctx, acct, convID)
	must(e.t, err)
	return c.AssigneeID
}

func (e *scheduleEnv) waitingAccounts() []string {
	e.t.Helper()
	l, err := e.store.ListWaitingAccounts(e.ctx)
	must(e.t, err)
	return l
}

// A conversation that arrives before Ada's working hours waits; the tick of 08:59 leaves it
// waiting, the tick of 09:00 gives it to her. An account whose waiting conversation was closed
// meanwhile is forgotten at the first tick.
func TestScheduledDrainWhenWorkingHoursBegin(t *testing.T) {
	t.Parallel()
	e := newScheduleEnv(t)
	s := assign.NewScheduler(assign.SchedulerConfig{Accounts: e.store, Drainer: e.assigner})
	ch := e.account("acct1", true)
	closed := e.account("acct2", true)

	e.clock.Set(monday(8, 55, 0))
	conv := e.arrive(ch)
	gone := e.arrive(closed)
	if a := e.assignee("acct1", conv); a != "" {
		t.Fatalf("assigned to %q before working hours", a)
	}
	if got := e.waitingAccounts(); !reflect.DeepEqual(got, []string{"acct1", "acct2"}) {
		t.Fatalf("waiting accounts = %v", got)
	}
	_, err := e.store.SetStatus(e.ctx, "acct2", gone, inbox.StatusClosed)
	must(t, err)

	e.clock.Set(monday(8, 59, 59))
	res, err := s.Tick(e.ctx)
	must(t, err)
	if want := (assign.TickResult{Accounts: 2, Forgotten: 1}); res != want {
		t.Fatalf("tick at 08:59:59 = %+v, want %+v", res, want)
	}
	if a := e.assignee("acct1", conv); a != "" {
		t.Fatalf("assigned to %q at 08:59:59", a)
	}
	if got := e.waitingAccounts(); !reflect.DeepEqual(got, []string{"acct1"}) {
		t.Fatalf("waiting accounts after 08:59:59 = %v (acct2's queue is empty)", got)
	}

	e.clock.Set(monday(9, 0, 0))
	res, err = s.Tick(e.ctx)
	must(t, err)
	if want := (assign.TickResult{Accounts: 1, Forgotten: 1}); res != want {
		t.Fatalf("tick at 09:00 = %+v, want %+v", res, want)
	}
	if a := e.assignee("acct1", conv); a != "ada" {
		t.Fatalf("assignee at 09:00 = %q, want ada", a)
	}
	if got := e.waitingAccounts(); len(got) != 0 {
		t.Fatalf("waiting accounts after the drain = %v", got)
	}
	if l, _ := e.store.ListWaiting(e.ctx, "acct1", ch.ID, 0); len(l) != 0 {
		t.Fatalf("still waiting: %v", l)
	}
	// Nothing waits: a tick is one query and does nothing.
	e.clock.Set(monday(9, 1, 0))
	res, err = s.Tick(e.ctx)
	must(t, err)
	if res != (assign.TickResult{}) {
		t.Fatalf("idle tick = %+v", res)
	}
}

// failing drains like the assigner except for one account, whose drain fails.
type failing struct {
	assign.AccountDrainer
	acct string
}

var errDrain = errors.New("drain failed")

func (f failing) DrainAccount(ctx context.Context, acct string) error {
	if acct == f.acct {
		return errDrain
	}
	return f.AccountDrainer.DrainAccount(ctx, acct)
}

// An account whose drain fails does not hold up the others; the tick fails (so that Lambda
// retries it) and the failed account stays listed for the next tick.
func TestScheduledDrainIsolatesFailures(t *testing.T) {
	t.Parallel()
	e := newScheduleEnv(t)
	log := slog.New(slog.DiscardHandler)
	var chs []inbox.Channel
	for _, acct := range []string{"acct-a", "acct-b", "acct-c"} {
		chs = append(chs, e.account(acct, true))
	}
	e.clock.Set(monday(7, 0, 0))
	var convs []string
	for _, ch := range chs {
		convs = append(convs, e.arrive(ch))
	}
	e.clock.Set(monday(9, 30, 0))
	res, err := assign.NewScheduler(assign.SchedulerConfig{Accounts: e.store, Drainer: failing{e.assigner, "acct-b"}, Log: log}).Tick(e.ctx)
	if !errors.Is(err, errDrain) || !strings.Contains(err.Error(), "acct-b") {
		t.Fatalf("tick error = %v, want acct-b's", err)
	}
	if want := (assign.TickResult{Accounts: 3, Forgotten: 2, Failed: 1}); res != want {
		t.Fatalf("tick = %+v, want %+v", res, want)
	}
	for i, acct := range []string{"acct-a", "acct-b", "acct-c"} {
		want := "ada"
		if acct == "acct-b" {
			want = ""
		}
		if a := e.assignee(acct, convs[i]); a != want {
			t.Errorf("%s: assignee %q, want %q", acct, a, want)
		}
	}
	if got := e.waitingAccounts(); !reflect.DeepEqual(got, []string{"acct-b"}) {
		t.Fatalf("waiting accounts = %v", got)
	}
	// The retry (or the next tick) drains it.
	res, err = assign.NewScheduler(assign.SchedulerConfig{Accounts: e.store, Drainer: e.assigner, Log: log}).Tick(e.ctx)
	must(t, err)
	if res != (assign.TickResult{Accounts: 1, Forgotten: 1}) || e.assignee("acct-b", convs[1]) != "ada" {
		t.Fatalf("retry = %+v, assignee %q", res, e.assignee("acct-b", convs[1]))
	}
}
