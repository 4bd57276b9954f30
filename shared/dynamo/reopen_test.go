package dynamo

import (
	"errors"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

func TestReopen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.user("acctA", "u1", intp(1))
	c, err := f.store.SetAssignee(f.ctx, "acctA", f.conversation("acctA", "ib1", base).ID, "u1")
	must(t, err)
	_, err = f.store.LastClosedConversation(f.ctx, "acctA", "ib1", c.ContactID)
	wantCode(t, err, inbox.ENotFound) // still open
	closed, err := f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	last, err := f.store.LastClosedConversation(f.ctx, "acctA", "ib1", c.ContactID)
	must(t, err)
	if last.ID != c.ID || last.AssigneeID != "u1" || last.Status != inbox.StatusClosed {
		t.Fatalf("last closed = %+v", last)
	}
	_, err = f.store.LastClosedConversation(f.ctx, "acctB", "ib1", c.ContactID)
	wantCode(t, err, inbox.ENotFound)

	// Kept by its assignee, within capacity.
	got, err := f.store.Reopen(f.ctx, "acctA", c.ID, "u1", intp(1))
	must(t, err)
	if got.Status != inbox.StatusOpen || got.AssigneeID != "u1" || got.Version != closed.Version+1 || f.load("acctA", "u1") != 1 {
		t.Fatalf("reopened = %+v, load %d", got, f.load("acctA", "u1"))
	}
	if open, err := f.store.FindOpenConversation(f.ctx, "acctA", "ib1", c.ContactID); err != nil || open.ID != c.ID {
		t.Fatalf("open conversation = %+v, %v", open, err)
	}
	_, err = f.store.LastClosedConversation(f.ctx, "acctA", "ib1", c.ContactID)
	wantCode(t, err, inbox.ENotFound) // reopened

	// The assignee filled up meanwhile: inbox.ErrAtCapacity, nothing changed; then reopened unassigned.
	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	other, err := f.store.SetAssignee(f.ctx, "acctA", f.conversation("acctA", "ib1", base).ID, "u1")
	must(t, err)
	_, err = f.store.Reopen(f.ctx, "acctA", c.ID, "u1", intp(1))
	wantCode(t, err, inbox.EConflict)
	if !errors.Is(err, inbox.ErrAtCapacity) {
		t.Fatalf("error = %v, want inbox.ErrAtCapacity", err)
	}
	if now, _ := f.store.GetConversation(f.ctx, "acctA", c.ID); now.Status != inbox.StatusClosed {
		t.Fatalf("after a refused reopen: %+v", now)
	}
	_, err = f.store.Reopen(f.ctx, "acctA", c.ID, "someone-else", nil)
	wantCode(t, err, inbox.EInvalid)
	got, err = f.store.Reopen(f.ctx, "acctA", c.ID, "", nil)
	must(t, err)
	if got.AssigneeID != "" || got.Status != inbox.StatusOpen || f.load("acctA", "u1") != 1 {
		t.Fatalf("reopened unassigned = %+v, load %d", got, f.load("acctA", "u1"))
	}
	list, _, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{Unassigned: true, Status: inbox.StatusOpen})
	must(t, err)
	if len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("unassigned open list = %+v", list)
	}
	// Reopening what is open changes nothing; another account's id is not found.
	again, err := f.store.Reopen(f.ctx, "acctA", c.ID, "", nil)
	must(t, err)
	if again.Version != got.Version {
		t.Fatalf("second reopen changed the conversation: %+v", again)
	}
	_, err = f.store.Reopen(f.ctx, "acctB", other.ID, "", nil)
	wantCode(t, err, inbox.ENotFound)
}
