package dynamo

import (
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

func intp(n int) *int { return &n }

func (f *fixture) user(acct, id string, capacity *int) inbox.User {
	f.t.Helper()
	u := inbox.User{AccountID: acct, ID: id, Name: "User " + id, Email: id + "@example.com", Role: inbox.RoleAgent,
		PaidSeat: true, Capacity: capacity, Available: true, TimeZone: "UTC", TeamIDs: []string{}, CreatedAt: base}
	must(f.t, f.store.CreateUser(f.ctx, u))
	got, err := f.store.GetUser(f.ctx, acct, id)
	must(f.t, err)
	return got
}

func (f *fixture) load(acct, id string) int {
	f.t.Helper()
	u, err := f.store.GetUser(f.ctx, acct, id)
	must(f.t, err)
	return u.Load
}

func TestUsers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u := inbox.User{AccountID: "acctA", ID: "u1", Name: "Ada", Email: "ada@example.com", Role: inbox.RoleAdmin,
		PaidSeat: true, Capacity: intp(3), Available: true, TimeZone: "Europe/Copenhagen",
		WorkingHours: []inbox.WorkingHours{{Day: time.Monday, Start: "09:00", End: "12:30"}},
		TeamIDs:      []string{"t1"}, Load: 7, CreatedAt: base}
	must(t, f.store.CreateUser(f.ctx, u))
	wantCode(t, f.store.CreateUser(f.ctx, u), inbox.EConflict)
	got, err := f.store.GetUser(f.ctx, "acctA", "u1")
	must(t, err)
	want := u
	want.Load, want.Version = 0, 1
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetUser = %+v\nwant %+v", got, want)
	}
	_, err = f.store.GetUser(f.ctx, "acctB", "u1")
	wantCode(t, err, inbox.ENotFound)
	_ = f.user("acctA", "u0", nil)
	_ = f.user("acctB", "u9", nil)
	list, err := f.store.ListUsers(f.ctx, "acctA")
	must(t, err)
	if ids := ids(list, func(u inbox.User) string { return u.ID }); !reflect.DeepEqual(ids, []string{"u0", "u1"}) {
		t.Fatalf("ListUsers = %v", ids)
	}

	// Assignment moves the load; UpdateUser never touches it.
	c := f.conversation("acctA", "ib1", base)
	now := base.Add(time.Hour)
	_, err = f.store.AssignWithinCapacity(f.ctx, "acctA", c.ID, "u1", got.Capacity, now)
	must(t, err)
	upd := got
	upd.Name, upd.Capacity, upd.Available, upd.TeamIDs, upd.WorkingHours = "Ada L.", nil, false, []string{"t1", "t2"}, nil
	upd.Load, upd.LastAssignedAt = 99, base
	stored, err := f.store.UpdateUser(f.ctx, upd)
	must(t, err)
	if stored.Version != 2 || stored.Load != 1 || !stored.LastAssignedAt.Equal(now) || stored.Capacity != nil ||
		stored.Name != "Ada L." || stored.Available || len(stored.WorkingHours) != 0 || !reflect.DeepEqual(stored.TeamIDs, []string{"t1", "t2"}) {
		t.Fatalf("UpdateUser = %+v", stored)
	}
	again, err := f.store.GetUser(f.ctx, "acctA", "u1")
	must(t, err)
	if !reflect.DeepEqual(again, stored) {
		t.Fatalf("GetUser after update = %+v\nwant %+v", again, stored)
	}
	_, err = f.store.UpdateUser(f.ctx, upd) // stale version
	wantCode(t, err, inbox.EConflict)
	other := upd
	other.AccountID = "acctB"
	_, err = f.store.UpdateUser(f.ctx, other)
	wantCode(t, err, inbox.ENotFound)
	wantCode(t, f.store.CreateUser(f.ctx, inbox.User{AccountID: "acctA", ID: "a#b"}), inbox.EInvalid)
}

func TestTeams(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tm := inbox.Team{AccountID: "acctA", ID: "t1", Name: "Support", UserIDs: []string{"u1", "u2"}, CreatedAt: base}
	must(t, f.store.CreateTeam(f.ctx, tm))
	wantCode(t, f.store.CreateTeam(f.ctx, tm), inbox.EConflict)
	must(t, f.store.CreateTeam(f.ctx, inbox.Team{AccountID: "acctB", ID: "t2", Name: "Other", CreatedAt: base}))
	got, err := f.store.GetTeam(f.ctx, "acctA", "t1")
	must(t, err)
	if !reflect.DeepEqual(got, tm) {
		t.Fatalf("GetTeam = %+v", got)
	}
	tm.Name, tm.UserIDs = "Sales", []string{"u3"}
	must(t, f.store.UpdateTeam(f.ctx, tm))
	list, err := f.store.ListTeams(f.ctx, "acctA")
	must(t, err)
	if len(list) != 1 || !reflect.DeepEqual(list[0], tm) {
		t.Fatalf("ListTeams = %+v", list)
	}
	_, err = f.store.GetTeam(f.ctx, "acctA", "t2")
	wantCode(t, err, inbox.ENotFound)
	wantCode(t, f.store.UpdateTeam(f.ctx, inbox.Team{AccountID: "acctA", ID: "t2", Name: "x"}), inbox.ENotFound)
	if _, err := f.store.GetTeam(f.ctx, "acctB", "t2"); err != nil {
		t.Fatal(err)
	}
}

func TestRoutingRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ch := f.channel("acctA", ib.ID, "+15551110001")
	r := &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetContactOwner, UserIDs: []string{"u1"},
		TeamIDs: []string{"t1"}, OnlyAvailable: true, Fallback: inbox.TargetUsersAndTeams,
		FallbackUserIDs: []string{"u2"}, FallbackTeamIDs: []string{"t2"},
		Tickets: &inbox.TicketSettings{Pipeline: "support", Stage: "new", OwnerUserID: "u3", MaxPerContact: 5}}
	must(t, f.store.SetRoutingRules(f.ctx, "acctA", ch.ID, r))
	wantCode(t, f.store.SetRoutingRules(f.ctx, "acctB", ch.ID, r), inbox.ENotFound)
	wantCode(t, f.store.SetRoutingRules(f.ctx, "acctA", "nope", r), inbox.ENotFound)
	got, err := f.store.GetChannel(f.ctx, "acctA", ch.ID)
	must(t, err)
	if !reflect.DeepEqual(got.Routing, r) {
		t.Fatalf("GetChannel routing = %+v", got.Routing)
	}
	byID, err := f.store.ChannelByID(f.ctx, ch.ID)
	must(t, err)
	list, err := f.store.ListChannels(f.ctx, "acctA")
	must(t, err)
	if !reflect.DeepEqual(byID.Routing, r) || len(list) != 1 || !reflect.DeepEqual(list[0].Routing, r) {
		t.Fatalf("ChannelByID/ListChannels routing = %+v / %+v", byID.Routing, list)
	}
	// UpdateChannel keeps the rules.
	upd := got
	upd.Name, upd.Routing = "Renamed", nil
	must(t, f.store.UpdateChannel(f.ctx, upd))
	got, err = f.store.GetChannel(f.ctx, "acctA", ch.ID)
	must(t, err)
	if got.Name != "Renamed" || !reflect.DeepEqual(got.Routing, r) {
		t.Fatalf("after UpdateChannel = %+v, %+v", got.Name, got.Routing)
	}
	must(t, f.store.SetRoutingRules(f.ctx, "acctA", ch.ID, nil))
	got, err = f.store.GetChannel(f.ctx, "acctA", ch.ID)
	must(t, err)
	if got.Routing != nil {
		t.Fatalf("routing after removal = %+v", got.Routing)
	}
}

func TestAssignWithinCapacity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.user("acctA", "u1", intp(1))
	c1 := f.conversation("acctA", "ib1", base)
	c2 := f.conversation("acctA", "ib1", base)
	must(t, f.store.AddWaiting(f.ctx, "acctA", inbox.Waiting{ConversationID: c1.ID, ChannelID: "ch1", ArrivedAt: base}))
	now := base.Add(time.Minute)
	got, err := f.store.AssignWithinCapacity(f.ctx, "acctA", c1.ID, "u1", intp(1), now)
	must(t, err)
	if got.AssigneeID != "u1" || got.Version != c1.Version+2 { // +1 AddWaiting, +1 assignment
		t.Fatalf("assigned = %+v", got)
	}
	stored, err := f.store.GetConversation(f.ctx, "acctA", c1.ID)
	must(t, err)
	if !reflect.DeepEqual(stored, got) {
		t.Fatalf("stored = %+v\nwant %+v", stored, got)
	}
	if w, err := f.store.ListWaiting(f.ctx, "acctA", "ch1", 0); err != nil || len(w) != 0 {
		t.Fatalf("waiting after assignment = %v, %v", w, err)
	}
	u, err := f.store.GetUser(f.ctx, "acctA", "u1")
	must(t, err)
	if u.Load != 1 || !u.LastAssignedAt.Equal(now) {
		t.Fatalf("user = %+v", u)
	}
	_, err = f.store.AssignWithinCapacity(f.ctx, "acctA", c2.ID, "u1", intp(1), now)
	wantCode(t, err, inbox.EConflict)
	if inbox.ErrorMessage(err) != msgAtCapacity {
		t.Fatalf("error = %v", err)
	}
	_, err = f.store.AssignWithinCapacity(f.ctx, "acctA", c1.ID, "u1", nil, now)
	wantCode(t, err, inbox.EConflict)
	if inbox.ErrorMessage(err) != msgAlreadyAssigned {
		t.Fatalf("error = %v", err)
	}
	_, err = f.store.AssignWithinCapacity(f.ctx, "acctA", c2.ID, "nobody", nil, now)
	wantCode(t, err, inbox.ENotFound)
	_, err = f.store.AssignWithinCapacity(f.ctx, "acctB", c2.ID, "u1", nil, now)
	wantCode(t, err, inbox.ENotFound)
	f.user("acctB", "u1", nil)
	_, err = f.store.AssignWithinCapacity(f.ctx, "acctB", c2.ID, "u1", nil, now)
	wantCode(t, err, inbox.ENotFound) // acctB's u1 cannot take acctA's conversation
	// No capacity: no limit.
	_, err = f.store.AssignWithinCapacity(f.ctx, "acctA", c2.ID, "u1", nil, now)
	must(t, err)
	if f.load("acctA", "u1") != 2 || f.load("acctB", "u1") != 0 {
		t.Fatal("loads")
	}
	// A closed conversation cannot be assigned.
	c3 := f.conversation("acctA", "ib1", base)
	_, err = f.store.SetStatus(f.ctx, "acctA", c3.ID, inbox.StatusClosed)
	must(t, err)
	_, err = f.store.AssignWithinCapacity(f.ctx, "acctA", c3.ID, "u1", nil, now)
	wantCode(t, err, inbox.EConflict)
}

func TestAssignWithinCapacityConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const users, capacity, convs, workers = 5, 10, 200, 8
	userIDs := []string{}
	for i := range users {
		id := "u" + string(rune('a'+i))
		f.user("acctA", id, intp(capacity))
		userIDs = append(userIDs, id)
	}
	queue := make(chan string, convs)
	for range convs {
		queue <- f.conversation("acctA", "ib1", base).ID
	}
	close(queue)
	var assigned atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for id := range queue {
			users:
				for _, u := range userIDs {
					for try := 0; ; try++ {
						_, err := f.store.AssignWithinCapacity(f.ctx, "acctA", id, u, intp(capacity), base)
						switch {
						case err == nil:
							assigned.Add(1)
							break users
						case inbox.IsCode(err, inbox.EConflict) && inbox.ErrorMessage(err) == msgAtCapacity:
							continue users
						case inbox.IsCode(err, inbox.EUnavailable) && try < 20:
							continue // contention: try the same user again.
						default:
							errs <- err
							return
						}
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if assigned.Load() != users*capacity {
		t.Fatalf("assigned %d, want %d", assigned.Load(), users*capacity)
	}
	for _, u := range userIDs {
		load := f.load("acctA", u)
		n := 0
		cursor := ""
		for {
			list, next, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{AssigneeID: u, Limit: 100, Cursor: cursor})
			must(t, err)
			n += len(list)
			if next == "" {
				break
			}
			cursor = next
		}
		if load > capacity || load != n {
			t.Errorf("user %s: load %d, %d conversations assigned", u, load, n)
		}
	}
}

func TestLoadOnTransitions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.user("acctA", "u1", nil)
	f.user("acctA", "u2", nil)
	c := f.conversation("acctA", "ib1", base)
	must(t, f.store.AddWaiting(f.ctx, "acctA", inbox.Waiting{ConversationID: c.ID, ChannelID: "ch1", ArrivedAt: base}))
	_, err := f.store.SetAssignee(f.ctx, "acctA", c.ID, "u1")
	must(t, err)
	if f.load("acctA", "u1") != 1 {
		t.Fatal("u1 load after assignment")
	}
	if w, _ := f.store.ListWaiting(f.ctx, "acctA", "ch1", 0); len(w) != 0 {
		t.Fatalf("waiting after manual assignment: %v", w)
	}
	_, err = f.store.SetAssignee(f.ctx, "acctA", c.ID, "u2")
	must(t, err)
	if f.load("acctA", "u1") != 0 || f.load("acctA", "u2") != 1 {
		t.Fatal("loads after reassignment")
	}
	u2, _ := f.store.GetUser(f.ctx, "acctA", "u2")
	if u2.LastAssignedAt.IsZero() {
		t.Fatal("lastAssignedAt not set on manual assignment")
	}
	// Assignees that are not users are not counted, and do not fail.
	_, err = f.store.SetAssignee(f.ctx, "acctA", c.ID, "agent-7")
	must(t, err)
	if f.load("acctA", "u2") != 0 {
		t.Fatal("u2 load after assigning to a non-user")
	}
	_, err = f.store.SetAssignee(f.ctx, "acctA", c.ID, "u1")
	must(t, err)
	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	if f.load("acctA", "u1") != 0 {
		t.Fatal("u1 load after close")
	}
	// Reassigning a closed conversation does not count.
	_, err = f.store.SetAssignee(f.ctx, "acctA", c.ID, "u2")
	must(t, err)
	if f.load("acctA", "u2") != 0 {
		t.Fatal("u2 load after assigning a closed conversation")
	}
	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusOpen)
	must(t, err)
	if f.load("acctA", "u2") != 1 {
		t.Fatal("u2 load after reopen")
	}
	_, err = f.store.SetAssignee(f.ctx, "acctA", c.ID, "")
	must(t, err)
	if f.load("acctA", "u2") != 0 {
		t.Fatal("u2 load after unassign")
	}
	// The load never goes below 0: force it to 0 while u1 holds an open conversation.
	_, err = f.store.SetAssignee(f.ctx, "acctA", c.ID, "u1")
	must(t, err)
	u1, _ := f.store.GetUser(f.ctx, "acctA", "u1")
	_, err = f.client.UpdateItem(f.ctx, updateLoad(f.table, "acctA", "u1", 0))
	must(t, err)
	_ = u1
	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	if f.load("acctA", "u1") != 0 {
		t.Fatal("u1 load went below 0")
	}
	// A conversation created assigned counts.
	nc := newConversation("acctA", "ib1", "ch1", inbox.NewID(), base)
	nc.AssigneeID = "u2"
	_, created, err := f.store.FindOrOpenConversation(f.ctx, nc)
	if err != nil || !created {
		t.Fatal(created, err)
	}
	if f.load("acctA", "u2") != 1 {
		t.Fatal("u2 load after creating an assigned conversation")
	}
}

func TestWaiting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var cs []inbox.Conversation
	for i := range 3 {
		c := f.conversation("acctA", "ib1", base)
		cs = append(cs, c)
		// Arrivals in reverse creation order.
		must(t, f.store.AddWaiting(f.ctx, "acctA", inbox.Waiting{ConversationID: c.ID, ChannelID: "ch1", ArrivedAt: base.Add(time.Duration(3-i) * time.Second)}))
	}
	// Idempotent: a second add keeps the first arrival.
	must(t, f.store.AddWaiting(f.ctx, "acctA", inbox.Waiting{ConversationID: cs[0].ID, ChannelID: "ch1", ArrivedAt: base}))
	list, err := f.store.ListWaiting(f.ctx, "acctA", "ch1", 10)
	must(t, err)
	got := ids(list, func(w inbox.Waiting) string { return w.ConversationID })
	if !reflect.DeepEqual(got, []string{cs[2].ID, cs[1].ID, cs[0].ID}) || !list[0].ArrivedAt.Equal(base.Add(time.Second)) || list[0].ChannelID != "ch1" {
		t.Fatalf("ListWaiting = %+v", list)
	}
	if l, _ := f.store.ListWaiting(f.ctx, "acctA", "ch1", 2); len(l) != 2 {
		t.Fatalf("limit 2: %d", len(l))
	}
	_, err = f.store.ListWaiting(f.ctx, "acctA", "ch1", 101)
	wantCode(t, err, inbox.EInvalid)
	if l, _ := f.store.ListWaiting(f.ctx, "acctB", "ch1", 0); len(l) != 0 {
		t.Fatalf("acctB sees %v", l)
	}
	wantCode(t, f.store.AddWaiting(f.ctx, "acctB", inbox.Waiting{ConversationID: cs[0].ID, ChannelID: "ch1", ArrivedAt: base}), inbox.ENotFound)
	wantCode(t, f.store.AddWaiting(f.ctx, "acctA", inbox.Waiting{ConversationID: cs[0].ID, ChannelID: "ch2", ArrivedAt: base}), inbox.EInvalid)
	wantCode(t, f.store.RemoveWaiting(f.ctx, "acctB", "ch1", cs[1].ID), inbox.ENotFound)
	must(t, f.store.RemoveWaiting(f.ctx, "acctA", "ch1", cs[1].ID))
	must(t, f.store.RemoveWaiting(f.ctx, "acctA", "ch1", cs[1].ID))
	_, err = f.store.SetStatus(f.ctx, "acctA", cs[2].ID, inbox.StatusClosed)
	must(t, err)
	list, err = f.store.ListWaiting(f.ctx, "acctA", "ch1", 0)
	must(t, err)
	if got := ids(list, func(w inbox.Waiting) string { return w.ConversationID }); !reflect.DeepEqual(got, []string{cs[0].ID}) {
		t.Fatalf("after remove and close: %v", got)
	}
}

func TestContactOwner(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Phone: "+15550000009", OwnerID: "u1", CreatedAt: base}
	_, _, err := f.store.UpsertContactByPhone(f.ctx, c)
	must(t, err)
	got, err := f.store.GetContact(f.ctx, "acctA", c.ID)
	must(t, err)
	if got.OwnerID != "u1" {
		t.Fatalf("owner = %q", got.OwnerID)
	}
	got, err = f.store.SetContactOwner(f.ctx, "acctA", c.ID, "u2")
	must(t, err)
	if got.OwnerID != "u2" || got.Phone != c.Phone {
		t.Fatalf("SetContactOwner = %+v", got)
	}
	got, err = f.store.SetContactOwner(f.ctx, "acctA", c.ID, "")
	must(t, err)
	if got.OwnerID != "" {
		t.Fatal("owner not cleared")
	}
	_, err = f.store.SetContactOwner(f.ctx, "acctB", c.ID, "u2")
	wantCode(t, err, inbox.ENotFound)
}

func TestTickets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	contact := inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Phone: "+15550000010", CreatedAt: base}
	_, _, err := f.store.UpsertContactByPhone(f.ctx, contact)
	must(t, err)
	var convs []inbox.Conversation
	for i := range 3 {
		c, _, err := f.store.FindOrOpenConversation(f.ctx, newConversation("acctA", "ib"+string(rune('1'+i)), "ch1", contact.ID, base))
		must(t, err)
		convs = append(convs, c)
	}
	mk := func(c inbox.Conversation, stage string, at time.Time) inbox.Ticket {
		return inbox.Ticket{AccountID: "acctA", ConversationID: c.ID, ContactID: contact.ID, Pipeline: "support", Stage: stage, OwnerUserID: "u1", CreatedAt: at}
	}
	t0, err := f.store.CreateTicket(f.ctx, mk(convs[0], "new", base), 2)
	must(t, err)
	if t0.ID != convs[0].ID || !t0.UpdatedAt.Equal(base) {
		t.Fatalf("CreateTicket = %+v", t0)
	}
	got, err := f.store.GetTicket(f.ctx, "acctA", t0.ID)
	must(t, err)
	if !reflect.DeepEqual(got, t0) {
		t.Fatalf("GetTicket = %+v\nwant %+v", got, t0)
	}
	_, err = f.store.CreateTicket(f.ctx, mk(convs[0], "new", base), 2)
	wantCode(t, err, inbox.EConflict)
	if errors.Is(err, inbox.ErrTicketLimit) || inbox.ErrorMessage(err) != "ticket exists" {
		t.Fatalf("duplicate ticket error = %v", err)
	}
	t1, err := f.store.CreateTicket(f.ctx, mk(convs[1], "open", base.Add(time.Hour)), 2)
	must(t, err)
	_, err = f.store.CreateTicket(f.ctx, mk(convs[2], "new", base), 2)
	wantCode(t, err, inbox.EConflict)
	if !errors.Is(err, inbox.ErrTicketLimit) || inbox.ErrorMessage(err) != "the contact has reached its ticket limit (2)" {
		t.Fatalf("limit error = %v", err)
	}
	// Other contact or account, missing conversation.
	bad := mk(convs[2], "new", base)
	bad.ContactID = "other"
	_, err = f.store.CreateTicket(f.ctx, bad, 0)
	wantCode(t, err, inbox.ENotFound)
	bad = mk(convs[2], "new", base)
	bad.AccountID = "acctB"
	_, err = f.store.CreateTicket(f.ctx, bad, 0)
	wantCode(t, err, inbox.ENotFound)
	bad = mk(convs[2], "new", base)
	bad.ID = "x"
	_, err = f.store.CreateTicket(f.ctx, bad, 0)
	wantCode(t, err, inbox.EInvalid)

	list, err := f.store.ListTickets(f.ctx, "acctA", inbox.TicketFilter{})
	must(t, err)
	if got := ids(list, func(t inbox.Ticket) string { return t.ID }); !reflect.DeepEqual(got, []string{t1.ID, t0.ID}) {
		t.Fatalf("ListTickets = %v", got)
	}
	list, err = f.store.ListTickets(f.ctx, "acctA", inbox.TicketFilter{Pipeline: "support", Stage: "new"})
	must(t, err)
	if len(list) != 1 || list[0].ID != t0.ID {
		t.Fatalf("ListTickets new = %+v", list)
	}
	if l, _ := f.store.ListTickets(f.ctx, "acctA", inbox.TicketFilter{Pipeline: "sales"}); len(l) != 0 {
		t.Fatalf("sales: %v", l)
	}
	if l, _ := f.store.ListTickets(f.ctx, "acctB", inbox.TicketFilter{}); len(l) != 0 {
		t.Fatalf("acctB: %v", l)
	}
	moved, err := f.store.MoveTicket(f.ctx, "acctA", t0.ID, "closed", base.Add(2*time.Hour))
	must(t, err)
	if moved.Stage != "closed" || !moved.UpdatedAt.Equal(base.Add(2*time.Hour)) || !moved.CreatedAt.Equal(base) {
		t.Fatalf("MoveTicket = %+v", moved)
	}
	_, err = f.store.MoveTicket(f.ctx, "acctB", t0.ID, "closed", base)
	wantCode(t, err, inbox.ENotFound)
	_, err = f.store.GetTicket(f.ctx, "acctB", t0.ID)
	wantCode(t, err, inbox.ENotFound)
}
