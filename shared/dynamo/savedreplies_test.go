package dynamo

import (
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

func savedReply(acct, shortcut string) inbox.SavedReply {
	return inbox.SavedReply{AccountID: acct, ID: inbox.NewID(), Name: "Thanks " + shortcut, Shortcut: shortcut,
		Text: "Thanks, {contact.firstName}!", CreatedBy: "ada", CreatedAt: base, UpdatedAt: base}
}

func TestSavedReplies(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var writes float64
	f.store.OnCapacity(func(_ string, _, w float64) { writes += w })

	a, err := f.store.CreateSavedReply(f.ctx, savedReply("acme", "thanks"))
	if err != nil || a.Version != 1 {
		t.Fatalf("CreateSavedReply = %+v, %v", a, err)
	}
	// A transaction of two small puts: 2 × 2 WCU as AWS prices it.
	if writes != 4 {
		t.Errorf("create wrote %v WCU, want 4", writes)
	}
	if _, err := f.store.CreateSavedReply(f.ctx, savedReply("acme", "thanks")); !inbox.IsCode(err, inbox.EConflict) {
		t.Fatalf("duplicate shortcut: err = %v, want conflict", err)
	}
	// Shortcuts are per account.
	if _, err := f.store.CreateSavedReply(f.ctx, savedReply("other", "thanks")); err != nil {
		t.Fatalf("same shortcut in another account: %v", err)
	}
	b, err := f.store.CreateSavedReply(f.ctx, savedReply("acme", "bye"))
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.store.ListSavedReplies(f.ctx, "acme")
	if err != nil || len(list) != 2 {
		t.Fatalf("ListSavedReplies = %+v, %v", list, err)
	}
	if _, err := f.store.GetSavedReply(f.ctx, "other", a.ID); !inbox.IsCode(err, inbox.ENotFound) {
		t.Fatalf("another account's reply: err = %v, want not found", err)
	}

	// Text only: one conditional put (1 WCU).
	writes = 0
	a.Text = "Thank you!"
	a2, err := f.store.UpdateSavedReply(f.ctx, "thanks", a)
	if err != nil || a2.Version != 2 || writes != 1 {
		t.Fatalf("UpdateSavedReply(text) = %+v, %v (%v WCU)", a2, err, writes)
	}
	// A stale version is refused.
	if _, err := f.store.UpdateSavedReply(f.ctx, "thanks", a); !inbox.IsCode(err, inbox.EConflict) {
		t.Fatalf("stale update: err = %v, want conflict", err)
	}
	// Moving to a taken shortcut is refused and changes nothing.
	moved := a2
	moved.Shortcut = "bye"
	if _, err := f.store.UpdateSavedReply(f.ctx, "thanks", moved); !inbox.IsCode(err, inbox.EConflict) {
		t.Fatalf("taken shortcut: err = %v, want conflict", err)
	}
	if got, _ := f.store.GetSavedReply(f.ctx, "acme", a.ID); got.Shortcut != "thanks" || got.Version != 2 {
		t.Fatalf("after a refused move: %+v", got)
	}
	// Moving to a free shortcut frees the old one.
	moved.Shortcut = "thank-you"
	if _, err := f.store.UpdateSavedReply(f.ctx, "thanks", moved); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.CreateSavedReply(f.ctx, savedReply("acme", "thanks")); err != nil {
		t.Fatalf("the old shortcut is not free again: %v", err)
	}
	// Deleting frees the shortcut too.
	if err := f.store.DeleteSavedReply(f.ctx, "acme", b.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.store.DeleteSavedReply(f.ctx, "acme", b.ID); !inbox.IsCode(err, inbox.ENotFound) {
		t.Fatalf("second delete: err = %v, want not found", err)
	}
	if _, err := f.store.CreateSavedReply(f.ctx, savedReply("acme", "bye")); err != nil {
		t.Fatalf("a deleted reply's shortcut is not free: %v", err)
	}
	if err := f.store.DeleteSavedReply(f.ctx, "other", a.ID); !inbox.IsCode(err, inbox.ENotFound) {
		t.Fatalf("delete from another account: err = %v, want not found", err)
	}

	bad := savedReply("acme", "Not ok!")
	if _, err := f.store.CreateSavedReply(f.ctx, bad); !inbox.IsCode(err, inbox.EInvalid) {
		t.Fatalf("bad shortcut: err = %v, want invalid", err)
	}
}
