package dynamo

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

func TestUpsertContactByPhone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Name: "Ada", Phone: "+15550000001", CreatedAt: base}

	got, created, err := f.store.UpsertContactByPhone(f.ctx, c)
	must(t, err)
	if !created || got.ID != c.ID {
		t.Fatalf("first upsert = %+v, %v", got, created)
	}
	again := c
	again.ID, again.Name = inbox.NewID(), "Someone else"
	got, created, err = f.store.UpsertContactByPhone(f.ctx, again)
	must(t, err)
	if created || got.ID != c.ID || got.Name != "Ada" || got.AccountID != "acctA" || !got.CreatedAt.Equal(base) {
		t.Fatalf("second upsert = %+v, %v; want the first contact", got, created)
	}
	stored, err := f.store.GetContact(f.ctx, "acctA", c.ID)
	must(t, err)
	if stored.Phone != c.Phone || stored.Name != c.Name {
		t.Errorf("GetContact = %+v", stored)
	}
	_, err = f.store.GetContact(f.ctx, "acctA", again.ID)
	wantCode(t, err, inbox.ENotFound)

	// The same phone in another account is another contact.
	other := c
	other.AccountID, other.ID = "acctB", inbox.NewID()
	got, created, err = f.store.UpsertContactByPhone(f.ctx, other)
	must(t, err)
	if !created || got.ID != other.ID {
		t.Fatalf("upsert in acctB = %+v, %v", got, created)
	}
	_, err = f.store.GetContact(f.ctx, "acctB", c.ID)
	wantCode(t, err, inbox.ENotFound)

	// A contact id that is taken under another phone.
	taken := c
	taken.Phone = "+15550000002"
	_, _, err = f.store.UpsertContactByPhone(f.ctx, taken)
	wantCode(t, err, inbox.EConflict)

	noPhone := c
	noPhone.ID, noPhone.Phone = inbox.NewID(), ""
	_, _, err = f.store.UpsertContactByPhone(f.ctx, noPhone)
	wantCode(t, err, inbox.EInvalid)
}

func TestUpsertContactConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 5
	var wg sync.WaitGroup
	results := make([]inbox.Contact, n)
	createdN := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			c := inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Phone: "+15550000003", CreatedAt: base}
			results[i], createdN[i], errs[i] = f.store.UpsertContactByPhone(f.ctx, c)
		})
	}
	wg.Wait()
	created := 0
	for i := range n {
		must(t, errs[i])
		if createdN[i] {
			created++
		}
		if results[i].ID != results[0].ID {
			t.Errorf("caller %d got contact %s, caller 0 got %s", i, results[i].ID, results[0].ID)
		}
	}
	if created != 1 {
		t.Errorf("%d callers created the contact, want 1", created)
	}
}

func TestFindOrOpenConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := newConversation("acctA", "ib1", "ch1", "ct1", base)
	got, created, err := f.store.FindOrOpenConversation(f.ctx, c)
	must(t, err)
	if !created || got.ID != c.ID || got.Version != 1 || got.Status != inbox.StatusOpen {
		t.Fatalf("first = %+v, %v", got, created)
	}
	stored, err := f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if stored.ContactName != "Ada" || stored.ChannelID != "ch1" || stored.Version != 1 || !stored.LastMessageAt.Equal(base) || !stored.CreatedAt.Equal(base) {
		t.Errorf("GetConversation = %+v", stored)
	}

	second := newConversation("acctA", "ib1", "ch1", "ct1", base.Add(time.Hour))
	got, created, err = f.store.FindOrOpenConversation(f.ctx, second)
	must(t, err)
	if created || got.ID != c.ID {
		t.Fatalf("second = %s, %v; want the open %s", got.ID, created, c.ID)
	}
	// Another inbox, or another account, is another conversation.
	for _, o := range []inbox.Conversation{
		newConversation("acctA", "ib2", "ch1", "ct1", base),
		newConversation("acctB", "ib1", "ch1", "ct1", base),
	} {
		got, created, err = f.store.FindOrOpenConversation(f.ctx, o)
		must(t, err)
		if !created || got.ID != o.ID {
			t.Errorf("FindOrOpen(%s, %s) = %s, %v", o.AccountID, o.InboxID, got.ID, created)
		}
	}
	// Once closed, the contact's next message opens a new conversation.
	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	got, created, err = f.store.FindOrOpenConversation(f.ctx, second)
	must(t, err)
	if !created || got.ID != second.ID {
		t.Errorf("after close = %s, %v; want new %s", got.ID, created, second.ID)
	}

	_, _, err = f.store.FindOrOpenConversation(f.ctx, inbox.Conversation{AccountID: "acctA", ID: "x", InboxID: "ib1", ContactID: "ct9", Status: inbox.StatusClosed})
	wantCode(t, err, inbox.EInvalid)
	_, err = f.store.GetConversation(f.ctx, "acctB", c.ID)
	wantCode(t, err, inbox.ENotFound)
}

func TestFindOrOpenConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 5
	var wg sync.WaitGroup
	got := make([]inbox.Conversation, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			got[i], created[i], errs[i] = f.store.FindOrOpenConversation(f.ctx, newConversation("acctA", "ib1", "ch1", "ct1", base))
		})
	}
	wg.Wait()
	nCreated := 0
	for i := range n {
		must(t, errs[i])
		if created[i] {
			nCreated++
		}
		if got[i].ID != got[0].ID {
			t.Errorf("caller %d got %s, caller 0 got %s", i, got[i].ID, got[0].ID)
		}
	}
	if nCreated != 1 {
		t.Errorf("%d conversations created, want 1", nCreated)
	}
	list, _, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{})
	must(t, err)
	if len(list) != 1 {
		t.Errorf("%d open conversations stored, want 1", len(list))
	}
}

func TestListConversationsPagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 30
	var want []string // newest first
	for i := range n {
		// Created out of order to show that the order is by lastMessageAt; a step of the
		// lists' order apart, so that the pages' order is exact (see
		// TestListConversationsPageOrder within a step).
		at := base.Add(time.Duration((i*7)%n) * listStep)
		c := f.conversation("acctA", "ib1", at)
		want = append(want, c.ID)
		_ = at
	}
	// Sort want by time, newest first: conversation i has step (i*7)%30, a permutation.
	byMinute := make([]string, n)
	for i, id := range want {
		byMinute[(i*7)%n] = id
	}
	want = want[:0]
	for m := n - 1; m >= 0; m-- {
		want = append(want, byMinute[m])
	}
	f.conversation("acctB", "ib1", base) // another account's conversation never shows.

	for _, filter := range []inbox.ConversationFilter{
		{Limit: 10},
		{Limit: 10, InboxID: "ib1"},
		{Limit: 10, Unassigned: true},
		{Limit: 10, Unassigned: true, InboxID: "ib1"},
		{Limit: 10, Status: inbox.StatusOpen},
	} {
		var got []string
		cursor := ""
		pages := 0
		for {
			filter.Cursor = cursor
			list, next, err := f.store.ListConversations(f.ctx, "acctA", filter)
			must(t, err)
			pages++
			if len(list) != 10 {
				t.Errorf("%+v page %d has %d conversations", filter, pages, len(list))
			}
			got = append(got, convIDs(list)...)
			if next == "" {
				break
			}
			if pages > 5 {
				t.Fatal("too many pages")
			}
			cursor = next
		}
		if pages != 3 {
			t.Errorf("%+v: %d pages, want 3", filter, pages)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%+v:\n got %v\nwant %v", filter, got, want)
		}
	}

	// The default page size is 25.
	list, next, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{})
	must(t, err)
	if len(list) != 25 || next == "" {
		t.Errorf("default page: %d conversations, next %q", len(list), next)
	}
	// A page that ends exactly at the end has no cursor.
	list, next, err = f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{Limit: 30})
	must(t, err)
	if len(list) != 30 || next != "" {
		t.Errorf("full page: %d conversations, next %q", len(list), next)
	}
}

func TestListConversationsFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a1 := f.conversation("acctA", "ib1", base.Add(1*time.Minute))
	a2 := f.conversation("acctA", "ib1", base.Add(2*time.Minute))
	b1 := f.conversation("acctA", "ib2", base.Add(3*time.Minute))
	b2 := f.conversation("acctA", "ib2", base.Add(4*time.Minute))
	closed := f.conversation("acctA", "ib1", base.Add(5*time.Minute))
	_, err := f.store.SetAssignee(f.ctx, "acctA", a1.ID, "u1")
	must(t, err)
	_, err = f.store.SetAssignee(f.ctx, "acctA", b2.ID, "u1")
	must(t, err)
	_, err = f.store.SetStatus(f.ctx, "acctA", closed.ID, inbox.StatusClosed)
	must(t, err)
	f.conversation("acctB", "ib1", base)

	tests := []struct {
		name   string
		filter inbox.ConversationFilter
		want   []string
	}{
		{"open", inbox.ConversationFilter{}, []string{b2.ID, b1.ID, a2.ID, a1.ID}},
		{"closed", inbox.ConversationFilter{Status: inbox.StatusClosed}, []string{closed.ID}},
		{"inbox", inbox.ConversationFilter{InboxID: "ib1"}, []string{a2.ID, a1.ID}},
		{"inbox closed", inbox.ConversationFilter{InboxID: "ib1", Status: inbox.StatusClosed}, []string{closed.ID}},
		{"assignee", inbox.ConversationFilter{AssigneeID: "u1"}, []string{b2.ID, a1.ID}},
		{"assignee in inbox", inbox.ConversationFilter{AssigneeID: "u1", InboxID: "ib2"}, []string{b2.ID}},
		{"unassigned", inbox.ConversationFilter{Unassigned: true}, []string{b1.ID, a2.ID}},
		{"unassigned in inbox", inbox.ConversationFilter{Unassigned: true, InboxID: "ib1"}, []string{a2.ID}},
		{"unknown inbox", inbox.ConversationFilter{InboxID: "nope"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list, next, err := f.store.ListConversations(f.ctx, "acctA", tt.filter)
			must(t, err)
			if got := convIDs(list); !slices.Equal(got, tt.want) || next != "" {
				t.Errorf("got %v next %q, want %v", got, next, tt.want)
			}
		})
	}

	t.Run("filtered pages are full", func(t *testing.T) {
		t.Parallel()
		// u1 has a1 (ib1) and b2 (ib2); with a filter on ib1 and limit 1, the first page must
		// hold a1 although b2 comes first in the index.
		list, next, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{AssigneeID: "u1", InboxID: "ib1", Limit: 1})
		must(t, err)
		if got := convIDs(list); !slices.Equal(got, []string{a1.ID}) || next != "" {
			t.Errorf("got %v next %q", got, next)
		}
	})
}

func TestListConversationsInvalid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for range 3 {
		f.conversation("acctA", "ib1", base)
		f.conversation("acctB", "ib1", base)
	}
	_, cursorA, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{Limit: 1})
	must(t, err)
	_, cursorB, err := f.store.ListConversations(f.ctx, "acctB", inbox.ConversationFilter{Limit: 1})
	must(t, err)
	if cursorA == "" || cursorB == "" {
		t.Fatal("no cursor")
	}
	forged := func(m map[string]string) string {
		b, _ := json.Marshal(m)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	var a map[string]string
	raw, _ := base64.RawURLEncoding.DecodeString(cursorA)
	must(t, json.Unmarshal(raw, &a))
	// acctA's cursor with acctB's index partition, as an attacker would write it.
	mixed := map[string]string{}
	for k, v := range a {
		mixed[k] = v
	}
	mixed["gsi3pk"] = convStatusPK("acctB", inbox.StatusOpen)

	tests := []struct {
		name   string
		filter inbox.ConversationFilter
	}{
		{"limit too large", inbox.ConversationFilter{Limit: 101}},
		{"negative limit", inbox.ConversationFilter{Limit: -1}},
		{"unknown status", inbox.ConversationFilter{Status: "snoozed"}},
		{"assignee and unassigned", inbox.ConversationFilter{AssigneeID: "u1", Unassigned: true}},
		{"malformed cursor", inbox.ConversationFilter{Cursor: "%%%"}},
		{"not json cursor", inbox.ConversationFilter{Cursor: base64.RawURLEncoding.EncodeToString([]byte("nope"))}},
		{"other account's cursor", inbox.ConversationFilter{Cursor: cursorB}},
		{"cursor of another list", inbox.ConversationFilter{Cursor: cursorA, InboxID: "ib1"}},
		{"cursor of other status", inbox.ConversationFilter{Cursor: cursorA, Status: inbox.StatusClosed}},
		{"mixed cursor", inbox.ConversationFilter{Cursor: forged(mixed)}},
		{"extra key", inbox.ConversationFilter{Cursor: forged(map[string]string{"pk": a["pk"], "sk": a["sk"], "gsi3pk": a["gsi3pk"], "lsk": a["lsk"], "x": "y"})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := f.store.ListConversations(f.ctx, "acctA", tt.filter)
			wantCode(t, err, inbox.EInvalid)
		})
	}
	t.Run("own cursor works", func(t *testing.T) {
		t.Parallel()
		list, _, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{Cursor: cursorA})
		must(t, err)
		if len(list) != 2 {
			t.Errorf("%d conversations after the cursor, want 2", len(list))
		}
	})
}

func TestSetAssignee(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)

	got, err := f.store.SetAssignee(f.ctx, "acctA", c.ID, "u1")
	must(t, err)
	if got.AssigneeID != "u1" || got.Version != 2 {
		t.Errorf("assign = %+v", got)
	}
	got, err = f.store.SetAssignee(f.ctx, "acctA", c.ID, "u1")
	must(t, err)
	if got.Version != 2 {
		t.Errorf("no-op assign changed the version to %d", got.Version)
	}
	got, err = f.store.SetAssignee(f.ctx, "acctA", c.ID, "")
	must(t, err)
	if got.AssigneeID != "" || got.Version != 3 {
		t.Errorf("unassign = %+v", got)
	}
	stored, err := f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if stored != got {
		t.Errorf("stored %+v, returned %+v", stored, got)
	}
	_, err = f.store.SetAssignee(f.ctx, "acctB", c.ID, "u1")
	wantCode(t, err, inbox.ENotFound)
	_, err = f.store.SetAssignee(f.ctx, "acctA", c.ID, "-")
	wantCode(t, err, inbox.EInvalid)

	// Concurrent assignments all land, one after the other.
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			_, err := f.store.SetAssignee(f.ctx, "acctA", c.ID, []string{"a", "b", "c", "d"}[i])
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	stored, err = f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if stored.Version < 4 || stored.Version > 7 {
		t.Errorf("version after concurrent assignments = %d", stored.Version)
	}
	list, _, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{AssigneeID: stored.AssigneeID})
	must(t, err)
	if !slices.Equal(convIDs(list), []string{c.ID}) {
		t.Errorf("assignee list = %v", convIDs(list))
	}
}

func TestSetStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)

	got, err := f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	if got.Status != inbox.StatusClosed || got.Version != 2 {
		t.Errorf("close = %+v", got)
	}
	if item := f.raw(openPK("acctA", "ib1", c.ContactID), skOpen); item != nil {
		t.Error("the open marker is still there after close")
	}
	got, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	if got.Version != 2 {
		t.Errorf("no-op close changed the version to %d", got.Version)
	}
	got, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusOpen)
	must(t, err)
	if got.Status != inbox.StatusOpen || got.Version != 3 {
		t.Errorf("reopen = %+v", got)
	}
	again, created, err := f.store.FindOrOpenConversation(f.ctx, newConversation("acctA", "ib1", "ch1", c.ContactID, base))
	must(t, err)
	if created || again.ID != c.ID {
		t.Errorf("after reopen FindOrOpen = %s, %v", again.ID, created)
	}

	// Reopening while the contact has another open conversation in the inbox.
	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	newer, created, err := f.store.FindOrOpenConversation(f.ctx, newConversation("acctA", "ib1", "ch1", c.ContactID, base))
	must(t, err)
	if !created {
		t.Fatal("no new conversation after close")
	}
	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusOpen)
	wantCode(t, err, inbox.EConflict)
	stored, err := f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if stored.Status != inbox.StatusClosed {
		t.Error("the refused reopen changed the status")
	}
	open, _, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{InboxID: "ib1"})
	must(t, err)
	if !slices.Equal(convIDs(open), []string{newer.ID}) {
		t.Errorf("open list = %v", convIDs(open))
	}

	_, err = f.store.SetStatus(f.ctx, "acctB", c.ID, inbox.StatusOpen)
	wantCode(t, err, inbox.ENotFound)
	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, "snoozed")
	wantCode(t, err, inbox.EInvalid)
}

// TestMessagesOfAQuarterHourWriteNoIndex checks what a message costs the conversation item:
// within the quarter hour of its last message (listStep), the conversation write alone (1 WCU:
// the lists hold keys only and lsk keeps its value); the first message of a later quarter hour
// moves the conversation up in the three lists (a delete and a put in each: 1 + 6 WCU), and the
// lists show it first.
func TestMessagesOfAQuarterHourWriteNoIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	start := time.Date(2025, 3, 14, 9, 15, 0, 0, time.UTC)
	c := f.conversation("acctA", "ib1", start)
	other := f.conversation("acctA", "ib1", start.Add(30*time.Second))
	var wcu float64
	f.store.OnCapacity(func(op string, _, w float64) {
		if strings.HasSuffix(op, "/UpdateItem") {
			wcu += w
		}
	})
	for i, tc := range []struct {
		at   time.Duration
		want float64
	}{{10 * time.Second, 1}, {3 * time.Minute, 1}, {14 * time.Minute, 1}, {16 * time.Minute, 7}, {20 * time.Minute, 1}} {
		wcu = 0
		f.append(c, newMessage(inbox.DirectionIn, "again", start.Add(tc.at), inbox.MessageReceived), fmt.Sprintf("SM%d", i))
		if wcu != tc.want {
			t.Errorf("message at +%v: conversation write %v WCU, want %v", tc.at, wcu, tc.want)
		}
	}
	list, _, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{InboxID: "ib1"})
	must(t, err)
	if got := convIDs(list); !slices.Equal(got, []string{c.ID, other.ID}) {
		t.Errorf("list = %v, want %v first", got, c.ID)
	}
}

// TestListConversationsPageOrder checks the order within a step of the lists (a quarter hour):
// the index holds one step's conversations in the order of their ids, the page shows them by
// their exact lastMessageAt, newest first, after the conversations of a later step.
func TestListConversationsPageOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	start := time.Date(2025, 3, 14, 9, 15, 0, 0, time.UTC)
	var want []string                                            // newest first
	later := f.conversation("acctA", "ib1", start.Add(listStep)) // the next step, its first second
	want = append(want, later.ID)
	var step []inbox.Conversation
	for i := range 6 {
		// The index lists a step's conversations by id, from the last (queried newest first):
		// here the oldest first, the reverse of the order wanted.
		at := start.Add(time.Duration(6-i) * time.Minute)
		c := newConversation("acctA", "ib1", "ch1", inbox.NewID(), at)
		c.ID = fmt.Sprintf("conv-order-%d", i)
		c, _, err := f.store.FindOrOpenConversation(f.ctx, c)
		must(t, err)
		step = append(step, c)
	}
	for _, c := range step {
		want = append(want, c.ID)
	}
	older := f.conversation("acctA", "ib1", start.Add(-time.Second))
	want = append(want, older.ID)
	for _, filter := range []inbox.ConversationFilter{{}, {InboxID: "ib1"}, {Unassigned: true}} {
		list, _, err := f.store.ListConversations(f.ctx, "acctA", filter)
		must(t, err)
		if got := convIDs(list); !slices.Equal(got, want) {
			t.Errorf("%+v:\n got %v\nwant %v", filter, got, want)
		}
	}
}

// TestRepliesDoNotReorderLists checks what orders the lists: the contact's last message
// (listTime). The team's reply an hour later leaves a conversation where it was, in every list
// and within a page, and writes none of the indexes; the contact's next message brings it up.
func TestRepliesDoNotReorderLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	start := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	a := f.conversation("acctR", "ibR", start)
	b := f.conversation("acctR", "ibR", start.Add(time.Minute))
	order := func(want ...string) {
		t.Helper()
		for _, filter := range []inbox.ConversationFilter{{}, {InboxID: "ibR"}, {Unassigned: true}} {
			list, _, err := f.store.ListConversations(f.ctx, "acctR", filter)
			must(t, err)
			if got := convIDs(list); !slices.Equal(got, want) {
				t.Errorf("%+v:\n got %v\nwant %v", filter, got, want)
			}
		}
	}
	order(b.ID, a.ID)
	lsk := f.raw(convPK("acctR", a.ID), skConv)["lsk"]
	f.append(a, newMessage(inbox.DirectionOut, "On its way", start.Add(time.Hour), inbox.MessagePending), "")
	order(b.ID, a.ID)
	if got := f.raw(convPK("acctR", a.ID), skConv)["lsk"]; !reflect.DeepEqual(got, lsk) {
		t.Errorf("the reply moved lsk from %v to %v", lsk, got)
	}
	f.append(a, newMessage(inbox.DirectionIn, "Thanks!", start.Add(time.Hour+time.Minute), inbox.MessageReceived), "SMthanks")
	order(a.ID, b.ID)
}
