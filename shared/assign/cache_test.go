package assign_test

import (
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/inbox"
)

// The router function's assigner keeps the rules and the users the rules name while the
// account's routing version is unchanged: a routing then reads 1 RCU (the version, by Rules
// and by RouteConversation) whatever the rules name. A change of availability, of the rules or
// of a user's capacity applies to the very next routing; loads it keeps are counted by its own
// assignments, and a user another router filled is read again.
func TestPeopleCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	agents := f.agents(t, 3, 2)
	must(t, f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: agents, OnlyAvailable: true}))
	a := assign.New(assign.Config{Store: f.store, PeopleCacheTTL: assign.PeopleCacheTTL, Now: func() time.Time { return base.Add(time.Hour) }})
	var mu sync.Mutex
	var reads map[string]float64
	f.store.OnCapacity(func(op string, r, _ float64) {
		mu.Lock()
		defer mu.Unlock()
		if r > 0 && reads != nil {
			reads[op] += r
		}
	})
	n := 0
	// route routes a new conversation as the router does, and returns its assignee and the reads.
	route := func() (string, map[string]float64) {
		t.Helper()
		ch, err := f.store.GetChannel(f.ctx, f.acct, f.ch.ID)
		must(t, err)
		conv := f.conversationToRoute(t, n)
		n++
		mu.Lock()
		reads = map[string]float64{}
		mu.Unlock()
		if ch.Routing, err = a.Rules(f.ctx, f.acct, f.ch.ID); err != nil {
			t.Fatal(err)
		}
		must(t, a.RouteConversation(f.ctx, ch, conv))
		mu.Lock()
		r := reads
		reads = nil
		mu.Unlock()
		got, err := f.store.GetConversation(f.ctx, f.acct, conv.ID)
		must(t, err)
		return got.AssigneeID, r
	}
	user := func(id string) inbox.User {
		u, err := f.store.GetUser(f.ctx, f.acct, id)
		must(t, err)
		return u
	}

	// The first routing reads the users; the next ones only the version, and take turns by the
	// loads the cache counts.
	first, r := route()
	if r["GetUsers/BatchGetItem"] == 0 {
		t.Fatalf("first routing read no users: %v", r)
	}
	second, r := route()
	if len(r) != 1 || r["RoutingVersion/GetItem"] != 1 {
		t.Fatalf("second routing reads %v, want only RoutingVersion/GetItem: 1", r)
	}
	third, _ := route()
	if first == second || second == third || first == third {
		t.Fatalf("assignees %s, %s, %s: the cached loads should make them take turns", first, second, third)
	}

	// Unavailable: not chosen by the next routing.
	u := user("agent0")
	u.Available = false
	_, err := f.store.UpdateUser(f.ctx, u)
	must(t, err)
	for range 2 {
		if got, _ := route(); got == "agent0" {
			t.Fatal("an unavailable agent was chosen from the cache")
		}
	}
	// agent1 and agent2 are now at capacity (2): agent0 back with room for one is the only choice.
	u = user("agent0")
	u.Available = true
	_, err = f.store.UpdateUser(f.ctx, u)
	must(t, err)
	if got, _ := route(); got != "agent0" {
		t.Fatalf("assigned to %q, want agent0", got)
	}
	// Everyone is at capacity now; another router's view does not matter: the next waits.
	if got, _ := route(); got != "" {
		t.Fatalf("assigned to %q past everyone's capacity", got)
	}
	for id, l := range f.loads(t) {
		if l > 2 {
			t.Fatalf("%s has load %d, capacity 2", id, l)
		}
	}
	// A capacity raised applies at once, although the cache counted the users full.
	u = user("agent2")
	u.Capacity = func(n int) *int { return &n }(3)
	_, err = f.store.UpdateUser(f.ctx, u)
	must(t, err)
	if got, _ := route(); got != "agent2" {
		t.Fatalf("assigned to %q, want agent2 (capacity raised)", got)
	}
	// Rules naming someone else apply at once too.
	f.agentNamed(t, "agent9")
	must(t, f.store.SetRoutingRules(f.ctx, f.acct, f.ch.ID, &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: []string{"agent9"}, OnlyAvailable: true}))
	if got, _ := route(); got != "agent9" {
		t.Fatalf("assigned to %q, want agent9 (rules changed)", got)
	}
}

// agentNamed creates an available agent id without a capacity.
func (f *fixture) agentNamed(t *testing.T, id string) {
	t.Helper()
	must(t, f.store.CreateUser(f.ctx, inbox.User{AccountID: f.acct, ID: id, Name: id, Role: inbox.RoleAgent, PaidSeat: true, Available: true, CreatedAt: base}))
}
