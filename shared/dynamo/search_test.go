package dynamo

import (
	"slices"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// contactConversation stores contact c (through UpsertContact, as the router does) and opens a
// conversation for it at minute m; it returns the conversation's id.
func (f *fixture) contactConversation(c inbox.Contact, inboxID string, m int) (inbox.Contact, string) {
	f.t.Helper()
	stored, _, err := f.store.UpsertContact(f.ctx, c)
	if err != nil {
		f.t.Fatal(err)
	}
	at := base.Add(time.Duration(m) * time.Minute)
	conv := newConversation(c.AccountID, inboxID, "ch1", stored.ID, at)
	conv.ContactName, conv.ContactPhone, conv.ContactEmail = stored.Name, stored.Phone, stored.Email
	conv, _, err = f.store.FindOrOpenConversation(f.ctx, conv)
	if err != nil {
		f.t.Fatal(err)
	}
	return stored, conv.ID
}

func TestSearchConversations(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acme")
	contact := func(name, phone, email string) inbox.Contact {
		return inbox.Contact{AccountID: "acme", ID: inbox.NewID(), Name: name, Phone: phone, Email: email, CreatedAt: base}
	}
	var writes float64
	f.store.OnCapacity(func(op string, _, w float64) {
		if op == "UpsertContact/names/BatchWriteItem" {
			writes += w
		}
	})
	_, anne := f.contactConversation(contact("Anne Sørensen", "+4511111111", ""), ib.ID, 1)
	if writes != 2 {
		t.Errorf("the words of a two-word name cost %v WCU, want 2", writes)
	}
	_, ann := f.contactConversation(contact("Sørensen, Ann", "", "ann@example.com"), ib.ID, 2)
	_, bob := f.contactConversation(contact("Bob Annersen", "+4522222222", ""), ib.ID, 3)
	writes = 0
	unnamed, unnamedConv := f.contactConversation(contact("", "+4533333333", ""), ib.ID, 4)
	if writes != 0 {
		t.Errorf("a contact without a name wrote %v WCU of words", writes)
	}
	// The same person in another account is never found from this one.
	other := f.inbox("other")
	f.contactConversation(inbox.Contact{AccountID: "other", ID: inbox.NewID(), Name: "Anne Other", Phone: "+4511111111", CreatedAt: base}, other.ID, 5)

	find := func(q string) []string {
		t.Helper()
		cq, err := inbox.ParseContactQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		list, err := f.store.SearchConversations(f.ctx, "acme", cq, 25)
		if err != nil {
			t.Fatal(err)
		}
		return ids(list, func(c inbox.Conversation) string { return c.ID })
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"ann", []string{bob, ann, anne}}, // newest first; "Annersen" begins with "ann" too
		{"ANNE", []string{bob, anne}},     // "Annersen" too
		{"sorensen", []string{ann, anne}},
		{"sør ann", []string{ann, anne}},
		{"Sørensen, Ann", []string{ann, anne}},
		{"anne sorensen", []string{anne}},
		{"annersen", []string{bob}},
		{"nne", nil}, // prefixes of words, not substrings
		{"zed", nil},
		{"+45 11 11 11 11", []string{anne}},
		{"+4533333333", []string{unnamedConv}},
		{"ANN@example.com", []string{ann}},
		{"nobody@example.com", nil},
	} {
		if got := find(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
		}
	}

	// A name stored later (a provider's profile name) makes the contact findable.
	named := unnamed
	named.ID, named.Name = inbox.NewID(), "Zed Later"
	if _, _, err := f.store.UpsertContact(f.ctx, named); err != nil {
		t.Fatal(err)
	}
	if got := find("zed"); !slices.Equal(got, []string{unnamedConv}) {
		t.Errorf("after naming: search zed = %v", got)
	}

	var reads float64
	f.store.OnCapacity(func(op string, r, _ float64) { reads += r })
	cq, _ := inbox.ParseContactQuery("sorensen")
	if _, err := f.store.SearchConversations(f.ctx, "acme", cq, 25); err != nil {
		t.Fatal(err)
	}
	// Query of the words 0.5 + one Query of gsi5 per contact 2 × 0.5 + batch read 2 × 0.5.
	t.Logf("one name search finding 2 contacts with a conversation each: %.1f RCU", reads)
	if reads > 2.5 {
		t.Errorf("a search cost %.1f RCU, want at most 2.5", reads)
	}
}

// TestSearchFindsTheConversationAContactWasCreatedWith checks, on DynamoDB Local and on the
// embedded store of `make run`, that the conversation a contact was created with (CreateContact
// and OpenConversation with the same hint, as the router writes a new sender's), written
// without an entry in gsi5, is still found by phone, by name, and by a name filled in later, also
// once closed and beside the contact's later conversations; and that a hint naming another
// conversation is refused.
func TestSearchFindsTheConversationAContactWasCreatedWith(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *fixture) {
		// first opens the conversation contact c is created with, as the router does.
		first := func(c inbox.Contact, m int) string {
			t.Helper()
			at := base.Add(time.Duration(m) * time.Minute)
			conv := newConversation("acme", "ib1", "ch1", c.ID, at)
			hint := inbox.OpenHint{InboxID: "ib1", ConversationID: conv.ID, ChannelID: "ch1"}
			if _, created, err := f.store.CreateContact(f.ctx, c, hint); err != nil || !created {
				t.Fatalf("CreateContact = %v, %v", created, err)
			}
			got, created, err := f.store.OpenConversation(f.ctx, conv, hint)
			if err != nil || !created || got.ID != conv.ID {
				t.Fatalf("OpenConversation = %s, %v, %v", got.ID, created, err)
			}
			av, err := f.store.getItem(f.ctx, "test", key(convPK("acme", conv.ID), skConv))
			must(t, err)
			if _, ok := av["gsi5pk"]; ok {
				t.Errorf("the contact's first conversation has an entry in gsi5")
			}
			return conv.ID
		}
		find := func(q string) []string {
			t.Helper()
			cq, err := inbox.ParseContactQuery(q)
			must(t, err)
			list, err := f.store.SearchConversations(f.ctx, "acme", cq, 25)
			must(t, err)
			return ids(list, func(c inbox.Conversation) string { return c.ID })
		}
		anne := inbox.Contact{AccountID: "acme", ID: inbox.NewID(), Name: "Anne Sørensen", Phone: "+4511111111", CreatedAt: base}
		anneFirst := first(anne, 1)
		unnamed := inbox.Contact{AccountID: "acme", ID: inbox.NewID(), Phone: "+4533333333", CreatedAt: base}
		unnamedFirst := first(unnamed, 2)
		if _, err := f.store.SetStatus(f.ctx, "acme", anneFirst, inbox.StatusClosed); err != nil {
			t.Fatal(err)
		}
		// A later conversation of Anne's, in gsi5 as every other.
		later, created, err := f.store.FindOrOpenConversation(f.ctx, newConversation("acme", "ib1", "ch1", anne.ID, base.Add(3*time.Minute)))
		if err != nil || !created {
			t.Fatalf("FindOrOpenConversation = %v, %v", created, err)
		}
		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"anne", []string{later.ID, anneFirst}},
			{"+45 11 11 11 11", []string{later.ID, anneFirst}},
			{"+4533333333", []string{unnamedFirst}},
		} {
			if got := find(tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
			}
		}
		// A name filled in later finds the first conversation too.
		named := unnamed
		named.ID, named.Name = inbox.NewID(), "Zed Later"
		if _, _, err := f.store.UpsertContact(f.ctx, named); err != nil {
			t.Fatal(err)
		}
		if got := find("zed"); !slices.Equal(got, []string{unnamedFirst}) {
			t.Errorf("after naming: search zed = %v, want %v", got, []string{unnamedFirst})
		}
		c := newConversation("acme", "ib1", "ch1", inbox.NewID(), base)
		if _, _, err := f.store.OpenConversation(f.ctx, c, inbox.OpenHint{InboxID: "ib1", ConversationID: inbox.NewID(), ChannelID: "ch1"}); !inbox.IsCode(err, inbox.EInvalid) {
			t.Errorf("OpenConversation with another conversation's hint = %v, want EInvalid", err)
		}
	})
}
