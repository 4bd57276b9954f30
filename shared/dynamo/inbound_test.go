package dynamo

import (
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

// TestCreateContactWritesTheHint checks, on DynamoDB Local and on the embedded store of `make
// run`, that CreateContact with an open-conversation hint writes it with the new contact's
// lookup item (with named and language, as SetOpenHint), so that InboundState reads it back
// without a write of its own (2 WCU for the contact and its lookup item, as without a hint);
// that a contact created without one has none; and that CreateContact of an address taken
// already leaves that contact's hint as it was.
func TestCreateContactWritesTheHint(t *testing.T) {
	t.Parallel()
	for name, newF := range storeBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newF(t)
			var writes float64
			f.store.OnCapacity(func(_ string, _, w float64) { writes += w })
			c := inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Phone: "+4520000001", Language: "da", CreatedAt: base}
			hint := inbox.OpenHint{InboxID: "ib1", ConversationID: "conv1", ChannelID: "ch1"}
			got, created, err := f.store.CreateContact(f.ctx, c, hint)
			if err != nil || !created || got.ID != c.ID {
				t.Fatalf("CreateContact = %+v, %v, %v", got, created, err)
			}
			if name == "dynamodb-local" && writes != 2 {
				t.Errorf("CreateContact with a hint: %v WCU, want 2", writes)
			}
			want := inbox.InboundState{Checked: true, ContactID: c.ID, OpenConversationID: "conv1", OpenChannelID: "ch1", Language: "da"}
			st, err := f.store.InboundState(f.ctx, "acctA", "ch1", "SM1", "ib1", inbox.Contact{Phone: c.Phone})
			if must(t, err); st != want {
				t.Errorf("InboundState = %+v, want %+v", st, want)
			}
			// Another inbox: no hint there.
			st, err = f.store.InboundState(f.ctx, "acctA", "ch2", "SM1", "ib2", inbox.Contact{Phone: c.Phone})
			if must(t, err); st.OpenConversationID != "" || st.ContactID != c.ID {
				t.Errorf("InboundState of another inbox = %+v", st)
			}

			// The address is taken: the existing contact and its hint stay.
			other := inbox.OpenHint{InboxID: "ib1", ConversationID: "conv2", ChannelID: "ch1"}
			got, created, err = f.store.CreateContact(f.ctx, inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Phone: c.Phone, CreatedAt: base}, other)
			if err != nil || created || got.ID != c.ID {
				t.Fatalf("CreateContact of a taken address = %+v, %v, %v", got, created, err)
			}
			if st, err := f.store.InboundState(f.ctx, "acctA", "ch1", "SM1", "ib1", inbox.Contact{Phone: c.Phone}); err != nil || st != want {
				t.Errorf("after CreateContact of a taken address: InboundState = %+v, %v, want %+v", st, err, want)
			}

			// A named contact: named with its hint; without a hint, nothing but the contact.
			named, _, err := f.store.CreateContact(f.ctx, inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Phone: "+4520000002", Name: "Bo", CreatedAt: base}, hint)
			must(t, err)
			st, err = f.store.InboundState(f.ctx, "acctA", "ch1", "SM1", "ib1", inbox.Contact{Phone: "+4520000002"})
			if must(t, err); st != (inbox.InboundState{Checked: true, ContactID: named.ID, OpenConversationID: "conv1", OpenChannelID: "ch1", Named: true}) {
				t.Errorf("InboundState of a named contact = %+v", st)
			}
			plain, _, err := f.store.CreateContact(f.ctx, inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Phone: "+4520000004", Name: "Cy", CreatedAt: base}, inbox.OpenHint{})
			must(t, err)
			st, err = f.store.InboundState(f.ctx, "acctA", "ch1", "SM1", "ib1", inbox.Contact{Phone: "+4520000004"})
			if must(t, err); st != (inbox.InboundState{Checked: true, ContactID: plain.ID}) {
				t.Errorf("InboundState without a hint = %+v", st)
			}
			if _, _, err := f.store.CreateContact(f.ctx, inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), Phone: "+4520000003", CreatedAt: base},
				inbox.OpenHint{InboxID: "ib#1", ConversationID: "conv3", ChannelID: "ch1"}); !inbox.IsCode(err, inbox.EInvalid) {
				t.Errorf("CreateContact with a malformed hint = %v, want EInvalid", err)
			}
		})
	}
}
