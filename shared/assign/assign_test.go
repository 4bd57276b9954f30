package assign_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/secretbox"
)

var base = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

type fixture struct {
	ctx   context.Context
	store *dynamo.Store
	acct  string
	ch    inbox.Channel
}

// newStore is a store on a fresh table of DynamoDB Local, sealing with a random key.
func newStore(t testing.TB) *dynamo.Store {
	t.Helper()
	client, table := testenv.DynamoDB(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return dynamo.New(client, table, box)
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), store: newStore(t), acct: "acct1"}
	must(t, f.store.CreateInbox(f.ctx, inbox.Inbox{AccountID: f.acct, ID: "ib1", Name: "Support", CreatedAt: base}))
	f.ch = inbox.Channel{AccountID: f.acct, ID: "ch1", InboxID: "ib1", Type: inbox.ChannelSMS, Name: "SMS", ProviderKey: "+15005550006",
		Twilio:  &inbox.TwilioConfig{AccountSID: "AC00000000000000000000000000000001", PhoneNumber: "+15005550006"},
		Secrets: map[string]string{inbox.SecretTwilioAuthToken: "t"}, CreatedAt: base}
	must(t, f.store.CreateChannel(f.ctx, f.ch))
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) agents(t testing.TB, n, capacity int) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		c := capacity
		id := fmt.Sprintf("agent%d", i)
		must(t, f.store.CreateUser(f.ctx, inbox.User{AccountID: f.acct, ID: id, Name: id, Role: inbox.RoleAgent, PaidSeat: true,
			Capacity: &c, Available: true, CreatedAt: base}))
		ids = append(ids, id)
	}
	return ids
}

func (f *fixture) conversation(t testing.TB, i int) inbox.Conversation {
	t.Helper()
	return f.open(t, i, f.store.FindOrOpenConversation)
}

// conversationToRoute is conversation i as the router writes it when the rules assign
// automatically (OpenConversationToRoute: in no assignee list until routed).
func (f *fixture) conversationToRoute(t testing.TB, i int) inbox.Conversation {
	t.Helper()
	return f.open(t, i, func(ctx context.Context, c inbox.Conversation) (inbox.Conversation, bool, error) {
		return f.store.OpenConversationToRoute(ctx, c, inbox.OpenHint{})
	})
}

// open opens conversation i of a contact of its own with open.
func (f *fixture) open(t testing.TB, i int, open func(context.Context, inbox.Conversation) (inbox.Conversation, bool, error)) inbox.Conversation {
	t.Helper()
	at := base.Add(time.Duration(i) * time.Second)
	contact, _, err := f.store.UpsertContactByPhone(f.ctx, inbox.Contact{AccountID: f.acct, ID: fmt.Sprintf("contact%03d", i),
		Phone: fmt.Sprintf("+1415555%04d", i), CreatedAt: at})
	must(t, err)
	c, _, err := open(f.ctx, inbox.Conversation{AccountID: f.acct, ID: fmt.Sprintf("conv%03d", i), InboxID: "ib1",
		ChannelID: f.ch.ID, ChannelType: f.ch.Type, ContactID: contact.ID, Status: inbox.StatusOpen,
		LastMessageAt: at, CreatedAt: at})
	must(t, err)
	return c
}

func (f *fixture) loads(t *testing.T) map[string]int {
	t.Helper()
	us, err := f.store.ListUsers(f.ctx, f.acct)
	must(t, err)
	out := map[string]int{}
	for _, u := range us {
		out[u.ID] = u.Load
	}
	return out
}

// 200 conversations routed by 8 routers at once to 5 agents of capacity 10, each conversation
// twice (a redelivery), by routers that read it (Route) and routers that hold it as the router
// wrote it (RouteConversation, which writes without reading, and decides from the users its
// cache keeps, as the router function's assigner does): nobody goes above 10, 50 are
// assigned, 150 wait; agents then close conversations and the queue drains in
// arrival order, drained by 4 drains at once. Every run repeats it 3 times on fresh tables (and
// -count repeats that): capacity must never be exceeded.
func TestCapacityUnderConcurrentRouters(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		t.Run(fmt.Sprint("round ", round+1), func(t *testing.T) {
			t.Parallel()
			capacityUnderConcurrentRouters(t)
		})
	}
}

func capacityUnderConcurrentRouters(t *testing.T) {
	f := newFixture(t)
	agents := f.agents(t, 5, 10)
	must(t, f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: agents, OnlyAvailable: true}))
	convs := make([]inbox.Conversation, 200)
	for i := range convs {
		convs[i] = f.conversation(t, i)
	}
	ch, err := f.store.GetChannel(f.ctx, f.acct, f.ch.ID)
	must(t, err)
	log := slog.New(slog.DiscardHandler)
	work := make(chan inbox.Conversation)
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for r := 0; r < 8; r++ {
		// The routers that hold the conversation (the router function's) keep the people they
		// read, each its own cache, as warm containers do: loads a moment old must not matter.
		cfg := assign.Config{Store: f.store, Now: func() time.Time { return base.Add(time.Hour) }, Log: log}
		if r%2 == 0 {
			cfg.PeopleCacheTTL = assign.PeopleCacheTTL
		}
		a := assign.New(cfg)
		wg.Go(func() {
			for c := range work {
				var err error
				if r%2 == 0 {
					err = a.RouteConversation(f.ctx, ch, c)
				} else {
					err = a.Route(f.ctx, f.acct, c.ID)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range 400 {
		work <- convs[i%200]
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("route: %v", err)
	}
	loads := f.loads(t)
	total := 0
	for _, id := range agents {
		if loads[id] > 10 {
			t.Fatalf("%s has %d conversations, capacity 10", id, loads[id])
		}
		list, _, err := f.store.ListConversations(f.ctx, f.acct, inbox.ConversationFilter{AssigneeID: id, Limit: 100})
		must(t, err)
		if len(list) != loads[id] {
			t.Fatalf("%s: load %d but %d conversations assigned", id, loads[id], len(list))
		}
		total += loads[id]
	}
	waiting, err := f.store.ListWaiting(f.ctx, f.acct, f.ch.ID, 100)
	must(t, err)
	if total != 50 || len(waiting) != 100 {
		t.Fatalf("assigned %d (want 50), first waiting page %d (want 100)", total, len(waiting))
	}
	// Agents close 5 conversations each: the 25 oldest waiting ones are assigned, in order.
	for _, id := range agents {
		list, _, err := f.store.ListConversations(f.ctx, f.acct, inbox.ConversationFilter{AssigneeID: id, Limit: 5})
		must(t, err)
		for _, c := range list {
			_, err := f.store.SetStatus(f.ctx, f.acct, c.ID, inbox.StatusClosed)
			must(t, err)
		}
	}
	// Four drains at once, as when several agents close conversations at the same moment.
	drainErrs := make(chan error, 4)
	for range 4 {
		a := assign.New(assign.Config{Store: f.store, Now: func() time.Time { return base.Add(2 * time.Hour) }, Log: log})
		wg.Go(func() {
			if _, err := a.Drain(f.ctx, f.acct, f.ch.ID); err != nil {
				drainErrs <- err
			}
		})
	}
	wg.Wait()
	close(drainErrs)
	for err := range drainErrs {
		t.Fatalf("drain: %v", err)
	}
	total = 0
	for _, l := range f.loads(t) {
		total += l
	}
	if total != 50 {
		t.Fatalf("after draining %d assigned, want 50 (25 kept + 25 drained)", total)
	}
	after, err := f.store.ListWaiting(f.ctx, f.acct, f.ch.ID, 100)
	must(t, err)
	for i := 0; i < 25; i++ {
		c, err := f.store.GetConversation(f.ctx, f.acct, waiting[i].ConversationID)
		must(t, err)
		if c.AssigneeID == "" {
			t.Fatalf("waiting #%d (%s) was not assigned before later ones", i, c.ID)
		}
	}
	if len(after) == 0 || after[0].ConversationID != waiting[25].ConversationID {
		t.Fatalf("the queue does not resume at the 26th oldest: %+v", after[:1])
	}
	for id, l := range f.loads(t) {
		if l > 10 {
			t.Fatalf("%s above capacity after draining: %d", id, l)
		}
	}
}

// Auto-assignment off, nobody available, and tickets per conversation with a contact limit.
func TestRouteRulesAndTickets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	agents := f.agents(t, 2, 5)
	away, err := f.store.GetUser(f.ctx, f.acct, agents[0])
	must(t, err)
	away.Available = false
	_, err = f.store.UpdateUser(f.ctx, away)
	must(t, err)
	a := assign.New(assign.Config{Store: f.store, Now: func() time.Time { return base.Add(time.Hour) }})

	must(t, f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: false, Target: inbox.TargetUsersAndTeams, UserIDs: agents, OnlyAvailable: true}))
	c0 := f.conversation(t, 0)
	must(t, a.Route(f.ctx, f.acct, c0.ID))
	if got, _ := f.store.GetConversation(f.ctx, f.acct, c0.ID); got.AssigneeID != "" {
		t.Fatalf("auto-assignment off assigned %s", got.AssigneeID)
	}

	must(t, f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: agents[:1], OnlyAvailable: true,
		Tickets: &inbox.TicketSettings{Pipeline: "support", Stage: "new", MaxPerContact: 1}}))
	c1 := f.conversation(t, 1)
	must(t, a.Route(f.ctx, f.acct, c1.ID))
	got, err := f.store.GetConversation(f.ctx, f.acct, c1.ID)
	must(t, err)
	if got.AssigneeID != "" {
		t.Fatalf("an away agent got %s", c1.ID)
	}
	if w, _ := f.store.ListWaiting(f.ctx, f.acct, f.ch.ID, 10); len(w) != 1 || w[0].ConversationID != c1.ID {
		t.Fatalf("waiting = %+v", w)
	}
	tk, err := f.store.GetTicket(f.ctx, f.acct, c1.ID)
	must(t, err)
	if tk.Pipeline != "support" || tk.Stage != "new" {
		t.Fatalf("ticket = %+v", tk)
	}
	// The agent comes back: the waiting conversation is assigned.
	back, err := f.store.GetUser(f.ctx, f.acct, agents[0])
	must(t, err)
	back.Available = true
	_, err = f.store.UpdateUser(f.ctx, back)
	must(t, err)
	must(t, a.DrainAccount(f.ctx, f.acct))
	if got, _ := f.store.GetConversation(f.ctx, f.acct, c1.ID); got.AssigneeID != agents[0] {
		t.Fatalf("after availability: assignee %q", got.AssigneeID)
	}
	// Its ticket, opened while it waited without an owner, is owned by whoever took it.
	if tk, err := f.store.GetTicket(f.ctx, f.acct, c1.ID); err != nil || tk.OwnerUserID != agents[0] {
		t.Fatalf("ticket after the drain = %+v, %v; want owned by %s", tk, err, agents[0])
	}
	// Routing again (a redelivery) changes nothing and opens no second ticket.
	must(t, a.Route(f.ctx, f.acct, c1.ID))
	tickets, err := f.store.ListTickets(f.ctx, f.acct, inbox.TicketFilter{})
	must(t, err)
	if len(tickets) != 1 {
		t.Fatalf("%d tickets", len(tickets))
	}
	if got, _ := f.store.GetConversation(f.ctx, f.acct, c1.ID); got.TicketNotice != "" {
		t.Fatalf("a conversation with its ticket has a notice: %q", got.TicketNotice)
	}

	// The contact is at its limit (1): its next conversation gets no ticket, and says why.
	_, err = f.store.SetStatus(f.ctx, f.acct, c1.ID, inbox.StatusClosed)
	must(t, err)
	next, _, err := f.store.FindOrOpenConversation(f.ctx, inbox.Conversation{AccountID: f.acct, ID: "conv-next", InboxID: "ib1",
		ChannelID: f.ch.ID, ChannelType: f.ch.Type, ContactID: c1.ContactID, Status: inbox.StatusOpen,
		LastMessageAt: base.Add(time.Hour), CreatedAt: base.Add(time.Hour)})
	must(t, err)
	must(t, a.Route(f.ctx, f.acct, next.ID))
	must(t, a.Route(f.ctx, f.acct, next.ID)) // a redelivery: same notice, no error
	if _, err := f.store.GetTicket(f.ctx, f.acct, next.ID); !inbox.IsCode(err, inbox.ENotFound) {
		t.Fatalf("ticket beyond the contact's limit: %v", err)
	}
	got, err = f.store.GetConversation(f.ctx, f.acct, next.ID)
	must(t, err)
	if got.TicketNotice != "No ticket: the contact has reached its ticket limit (1)" {
		t.Fatalf("ticket notice = %q", got.TicketNotice)
	}
}

// BenchmarkRouteCapacity measures the DynamoDB capacity one routed conversation costs on
// DynamoDB Local, in AWS units, as the router routes it (RouteConversation: the conversation it
// has just written — outside the assignee lists, as it writes them when the rules assign
// (OpenConversationToRoute) — and the channel from its cache, neither read again), with the
// router function's people cache warm: the rules and the users the rules name, kept while the
// account's routing version (read twice, by Rules and by RouteConversation: 0.5 RCU each) is
// unchanged; then the assignment ("assigned"), or — after reading the users again, since the
// cache may hold old loads — the write that puts it in the waiting queue when nobody can take it
// ("waits"). "assigned-500-users" is "assigned" in an account of 500 users, the rule naming 5
// of them; "assigned-team-of-500" names one team of all 500: neither may grow with the
// account or the team.
func BenchmarkRouteCapacity(b *testing.B) {
	for _, bc := range []struct {
		name     string
		capacity int
		others   int
		team     bool
	}{{"assigned", 1 << 20, 0, false}, {"waits", 0, 0, false}, {"assigned-500-users", 1 << 20, 495, false}, {"assigned-team-of-500", 1 << 20, 495, true}} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b)
			agents := f.agents(b, 5, bc.capacity)
			for i := 0; i < bc.others; i++ {
				c := bc.capacity
				id := fmt.Sprintf("other%03d", i)
				must(b, f.store.CreateUser(f.ctx, inbox.User{AccountID: f.acct, ID: id, Name: "Someone with a longer name " + id,
					Role: inbox.RoleAgent, PaidSeat: true, Capacity: &c, Available: true, TimeZone: "Europe/Copenhagen", CreatedAt: base}))
			}
			rules := &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: agents, OnlyAvailable: true}
			if bc.team {
				all := slices.Clone(agents)
				for i := 0; i < bc.others; i++ {
					all = append(all, fmt.Sprintf("other%03d", i))
				}
				must(b, f.store.CreateTeam(f.ctx, inbox.Team{AccountID: f.acct, ID: "everyone", Name: "Everyone", UserIDs: all, CreatedAt: base}))
				rules = &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, TeamIDs: []string{"everyone"}, OnlyAvailable: true}
			}
			if err := f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, rules); err != nil {
				b.Fatal(err)
			}
			var rcu, wcu float64
			ops := map[string]float64{}
			f.store.OnCapacity(func(op string, r, w float64) { rcu, wcu = rcu+r, wcu+w; ops[op] += r + w })
			a := assign.New(assign.Config{Store: f.store, PeopleCacheTTL: assign.PeopleCacheTTL, Now: func() time.Time { return base.Add(time.Hour) }})
			ch, err := f.store.GetChannel(f.ctx, f.acct, f.ch.ID)
			must(b, err)
			// A first routing fills the cache, as the warm container's first message does.
			if ch.Routing, err = a.Rules(f.ctx, f.acct, ch.ID); err != nil {
				b.Fatal(err)
			}
			if err := a.RouteConversation(f.ctx, ch, f.conversationToRoute(b, 1<<20)); err != nil {
				b.Fatal(err)
			}
			convs := make([]inbox.Conversation, b.N)
			for i := range convs {
				convs[i] = f.conversationToRoute(b, i)
			}
			rcu, wcu = 0, 0
			clear(ops)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// The router asks the assigner for the rules for each routing (the rest of the
				// channel is cached).
				rules, err := a.Rules(f.ctx, f.acct, ch.ID)
				if err != nil {
					b.Fatal(err)
				}
				ch.Routing = rules
				if err := a.RouteConversation(f.ctx, ch, convs[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(rcu/float64(b.N), "RCU/conv")
			b.ReportMetric(wcu/float64(b.N), "WCU/conv")
			if testing.Verbose() {
				for op, cu := range ops {
					b.Logf("%s: %.2f CU/conv", op, cu/float64(b.N))
				}
			}
		})
	}
}

// The assigner's part of the router's routing reads neither the conversation the router has just
// written nor the channel it holds, and of the users only those the rules name: in an account of
// 5 + 100 users, one batch of 5 keys (2.5 RCU, eventually consistent), whatever the account's size.
func TestRouteConversationReadsOnlyNamedUsers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	agents := f.agents(t, 5, 10)
	for i := range 100 {
		c := 10
		must(t, f.store.CreateUser(f.ctx, inbox.User{AccountID: f.acct, ID: fmt.Sprintf("other%03d", i), Name: "Other",
			Role: inbox.RoleAgent, PaidSeat: true, Capacity: &c, Available: true, CreatedAt: base}))
	}
	must(t, f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: agents, OnlyAvailable: true}))
	ch, err := f.store.GetChannel(f.ctx, f.acct, f.ch.ID)
	must(t, err)
	conv := f.conversation(t, 1)
	var mu sync.Mutex
	reads := map[string]float64{}
	f.store.OnCapacity(func(op string, r, _ float64) {
		mu.Lock()
		defer mu.Unlock()
		if r > 0 {
			reads[op] += r
		}
	})
	a := assign.New(assign.Config{Store: f.store, Now: func() time.Time { return base.Add(time.Hour) }})
	must(t, a.RouteConversation(f.ctx, ch, conv))
	f.store.OnCapacity(nil)
	if len(reads) != 1 || reads["GetUsers/BatchGetItem"] != 2.5 {
		t.Errorf("reads = %v, want only GetUsers/BatchGetItem: 2.5", reads)
	}
	got, err := f.store.GetConversation(f.ctx, f.acct, conv.ID)
	must(t, err)
	if got.AssigneeID == "" {
		t.Error("not assigned")
	}
}
