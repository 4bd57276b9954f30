package dynamo

import (
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

// TestUserLanguageReset checks that a user's language set back to "" (PATCH /v1/users/me
// {"language":""}: follow the browser) is gone from the stored user on DynamoDB Local and on
// the embedded store of `make run -data ”` alike: minidyn applied no REMOVE (see
// infra/minidynfix), so the old language stayed there.
func TestUserLanguageReset(t *testing.T) {
	t.Parallel()
	for name, newF := range storeBackends() {
		t.Run(name, func(t *testing.T) {
			f := newF(t)
			u := inbox.User{AccountID: "acctA", ID: "u1", Name: "Ada", Role: inbox.RoleAgent, Language: "da",
				Phone: "+4511111111", Capacity: intp(2), CreatedAt: base}
			must(t, f.store.CreateUser(f.ctx, u))
			got, err := f.store.GetUser(f.ctx, "acctA", "u1")
			must(t, err)
			got.Language, got.Phone, got.Capacity = "", "", nil
			stored, err := f.store.UpdateUser(f.ctx, got)
			must(t, err)
			again, err := f.store.GetUser(f.ctx, "acctA", "u1")
			must(t, err)
			for _, g := range []inbox.User{stored, again} {
				if g.Language != "" || g.Phone != "" || g.Capacity != nil || g.Version != 2 {
					t.Fatalf("after the reset: language %q, phone %q, capacity %v, version %d", g.Language, g.Phone, g.Capacity, g.Version)
				}
			}
		})
	}
}

// TestContactLanguageWrittenOnlyWhenChanged: a sender writing again in the language the
// contact has costs no write; a new language costs one.
func TestContactLanguageWrittenOnlyWhenChanged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Phone: "+4520000001", Language: "da", CreatedAt: base}
	_, created, err := f.store.UpsertContact(f.ctx, c)
	if err != nil || !created {
		t.Fatalf("UpsertContact = %v, %v", created, err)
	}
	var writes float64
	f.store.OnCapacity(func(_ string, _, w float64) { writes += w })
	again := c
	again.ID = inbox.NewID()
	got, _, err := f.store.UpsertContact(f.ctx, again)
	must(t, err)
	if got.ID != c.ID || got.Language != "da" || writes != 0 {
		t.Fatalf("same language: contact %+v, %v write units", got, writes)
	}
	again.Language = "en"
	got, _, err = f.store.UpsertContact(f.ctx, again)
	must(t, err)
	if got.Language != "en" || writes != 1 {
		t.Fatalf("new language: contact %+v, %v write units, want 1", got, writes)
	}
	if stored, err := f.store.GetContact(f.ctx, "acctA", c.ID); err != nil || stored.Language != "en" {
		t.Fatalf("GetContact = %+v, %v", stored, err)
	}
}
