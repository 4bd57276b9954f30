package dynamo

import (
	"fmt"
	"sync"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

func TestUpsertContact(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	newContact := func(acct string) inbox.Contact {
		return inbox.Contact{AccountID: acct, ID: inbox.NewID(), CreatedAt: base}
	}

	t.Run("psid, name filled once", func(t *testing.T) {
		c := newContact("acctA")
		c.PSID = "page1:psid1"
		got, created, err := f.store.UpsertContact(f.ctx, c)
		must(t, err)
		if !created || got.ID != c.ID || got.Name != "" {
			t.Fatalf("first = %+v, %v", got, created)
		}
		stored, err := f.store.GetContact(f.ctx, "acctA", c.ID)
		must(t, err)
		if stored.PSID != "page1:psid1" {
			t.Errorf("stored PSID = %q", stored.PSID)
		}

		named := newContact("acctA")
		named.PSID, named.Name = c.PSID, "Ada Lovelace"
		got, created, err = f.store.UpsertContact(f.ctx, named)
		must(t, err)
		if created || got.ID != c.ID || got.Name != "Ada Lovelace" || got.PSID != c.PSID || !got.CreatedAt.Equal(base) {
			t.Fatalf("named = %+v, %v", got, created)
		}
		renamed := named
		renamed.ID, renamed.Name = inbox.NewID(), "Someone else"
		got, created, err = f.store.UpsertContact(f.ctx, renamed)
		must(t, err)
		if created || got.ID != c.ID || got.Name != "Ada Lovelace" {
			t.Fatalf("renamed = %+v, %v; the name must stay", got, created)
		}
		stored, err = f.store.GetContact(f.ctx, "acctA", c.ID)
		must(t, err)
		if stored.Name != "Ada Lovelace" {
			t.Errorf("stored name = %q", stored.Name)
		}

		// PSIDs are page-scoped: another page's user is another contact.
		otherPage := newContact("acctA")
		otherPage.PSID = "page2:psid1"
		got, created, err = f.store.UpsertContact(f.ctx, otherPage)
		must(t, err)
		if !created || got.ID != otherPage.ID {
			t.Errorf("other page = %+v, %v", got, created)
		}
	})

	t.Run("psid preferred over phone", func(t *testing.T) {
		byPhone := newContact("acctA")
		byPhone.Phone = "+15550009001"
		_, _, err := f.store.UpsertContact(f.ctx, byPhone)
		must(t, err)
		both := newContact("acctA")
		both.PSID, both.Phone = "page1:psid9", "+15550009001"
		got, created, err := f.store.UpsertContact(f.ctx, both)
		must(t, err)
		if !created || got.ID != both.ID {
			t.Errorf("psid and phone = %+v, %v; want a new contact keyed by psid", got, created)
		}
	})

	t.Run("phone, shared with UpsertContactByPhone", func(t *testing.T) {
		c := newContact("acctA")
		c.Phone = "+15550009002"
		first, created, err := f.store.UpsertContactByPhone(f.ctx, c)
		must(t, err)
		if !created {
			t.Fatal("not created")
		}
		// UpsertContactByPhone never changes an existing contact.
		named := newContact("acctA")
		named.Phone, named.Name = c.Phone, "Grace"
		got, _, err := f.store.UpsertContactByPhone(f.ctx, named)
		must(t, err)
		if got.ID != first.ID || got.Name != "" {
			t.Errorf("UpsertContactByPhone = %+v", got)
		}
		got, created, err = f.store.UpsertContact(f.ctx, named)
		must(t, err)
		if created || got.ID != first.ID || got.Name != "Grace" {
			t.Errorf("UpsertContact by phone = %+v, %v", got, created)
		}
	})

	t.Run("email, without case", func(t *testing.T) {
		c := newContact("acctA")
		c.Email = "Ada@Example.com"
		got, created, err := f.store.UpsertContact(f.ctx, c)
		must(t, err)
		if !created || got.Email != "Ada@Example.com" {
			t.Fatalf("first = %+v, %v", got, created)
		}
		again := newContact("acctA")
		again.Email = "ada@example.COM"
		got, created, err = f.store.UpsertContact(f.ctx, again)
		must(t, err)
		if created || got.ID != c.ID {
			t.Errorf("again = %+v, %v", got, created)
		}
		if item := f.raw(emailPK("acctA", "ada@example.com"), skEmail); len(item) == 0 {
			t.Error("no email lookup item")
		}
	})

	t.Run("other account", func(t *testing.T) {
		a := newContact("acctA")
		a.PSID = "page1:psid3"
		_, _, err := f.store.UpsertContact(f.ctx, a)
		must(t, err)
		b := newContact("acctB")
		b.PSID, b.Name = a.PSID, "Bob"
		got, created, err := f.store.UpsertContact(f.ctx, b)
		must(t, err)
		if !created || got.ID != b.ID {
			t.Errorf("acctB = %+v, %v", got, created)
		}
		_, err = f.store.GetContact(f.ctx, "acctB", a.ID)
		wantCode(t, err, inbox.ENotFound)
		stored, err := f.store.GetContact(f.ctx, "acctA", a.ID)
		must(t, err)
		if stored.Name != "" {
			t.Errorf("acctB's upsert named acctA's contact: %+v", stored)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		_, _, err := f.store.UpsertContact(f.ctx, newContact("acctA"))
		wantCode(t, err, inbox.EInvalid)
		bad := newContact("a#b")
		bad.PSID = "p:1"
		_, _, err = f.store.UpsertContact(f.ctx, bad)
		wantCode(t, err, inbox.EInvalid)
	})

	t.Run("id taken", func(t *testing.T) {
		c := newContact("acctA")
		c.PSID = "page1:psid4"
		_, _, err := f.store.UpsertContact(f.ctx, c)
		must(t, err)
		dup := c
		dup.PSID = "page1:psid5"
		_, _, err = f.store.UpsertContact(f.ctx, dup)
		wantCode(t, err, inbox.EConflict)
	})
}

func TestUpsertContactConcurrentNames(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), PSID: "page1:psid7", CreatedAt: base}
	_, _, err := f.store.UpsertContact(f.ctx, first)
	must(t, err)

	const n = 6
	var wg sync.WaitGroup
	results := make([]inbox.Contact, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			c := inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), PSID: first.PSID, Name: fmt.Sprintf("Name %d", i), CreatedAt: base}
			results[i], _, errs[i] = f.store.UpsertContact(f.ctx, c)
		})
	}
	wg.Wait()
	stored, err := f.store.GetContact(f.ctx, "acctA", first.ID)
	must(t, err)
	if stored.Name == "" {
		t.Fatal("no name stored")
	}
	for i := range n {
		must(t, errs[i])
		if results[i].ID != first.ID || results[i].Name != stored.Name {
			t.Errorf("caller %d got %+v, stored name %q", i, results[i], stored.Name)
		}
	}
}
