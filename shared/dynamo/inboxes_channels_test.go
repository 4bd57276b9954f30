package dynamo

import (
	"reflect"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

func TestInboxes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a1 := f.inbox("acctA")
	a2 := f.inbox("acctA")
	f.inbox("acctB")

	got, err := f.store.GetInbox(f.ctx, "acctA", a1.ID)
	must(t, err)
	if got.ID != a1.ID || got.AccountID != "acctA" || got.Name != a1.Name || !got.CreatedAt.Equal(a1.CreatedAt) {
		t.Errorf("GetInbox = %+v, want %+v", got, a1)
	}
	wantCode(t, f.store.CreateInbox(f.ctx, a1), inbox.EConflict)

	list, err := f.store.ListInboxes(f.ctx, "acctA")
	must(t, err)
	gotIDs := ids(list, func(i inbox.Inbox) string { return i.ID })
	if len(list) != 2 || !(contains(gotIDs, a1.ID) && contains(gotIDs, a2.ID)) {
		t.Errorf("ListInboxes(acctA) = %v, want %s and %s", gotIDs, a1.ID, a2.ID)
	}
	empty, err := f.store.ListInboxes(f.ctx, "acctC")
	must(t, err)
	if empty == nil || len(empty) != 0 {
		t.Errorf("ListInboxes(acctC) = %#v, want empty non-nil", empty)
	}

	tests := []struct {
		name     string
		acct, id string
		code     inbox.ErrorCode
	}{
		{"missing", "acctA", "nope", inbox.ENotFound},
		{"other account", "acctB", a1.ID, inbox.ENotFound},
		{"separator in id", "acctA", "x#y", inbox.EInvalid},
		{"empty account", "", a1.ID, inbox.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.store.GetInbox(f.ctx, tt.acct, tt.id)
			wantCode(t, err, tt.code)
		})
	}
}

// TestRenameInbox renames an inbox in place (id, account and creation time kept) and never
// creates one: a missing or another account's inbox is ENotFound, nothing written.
func TestRenameInbox(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.inbox("acctA")
	got, err := f.store.RenameInbox(f.ctx, "acctA", a.ID, "Sales")
	must(t, err)
	if got.ID != a.ID || got.AccountID != "acctA" || got.Name != "Sales" || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("RenameInbox = %+v, want %s named Sales", got, a.ID)
	}
	stored, err := f.store.GetInbox(f.ctx, "acctA", a.ID)
	must(t, err)
	if stored.Name != "Sales" {
		t.Errorf("stored name = %q, want Sales", stored.Name)
	}
	for _, tt := range []struct {
		name, acct, id string
		code           inbox.ErrorCode
	}{
		{"missing", "acctA", "nope", inbox.ENotFound},
		{"other account", "acctB", a.ID, inbox.ENotFound},
		{"separator in id", "acctA", "x#y", inbox.EInvalid},
	} {
		_, err := f.store.RenameInbox(f.ctx, tt.acct, tt.id, "X")
		wantCode(t, err, tt.code)
	}
	if _, err := f.store.GetInbox(f.ctx, "acctB", a.ID); !inbox.IsCode(err, inbox.ENotFound) {
		t.Errorf("renaming another account's inbox created one: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestChannels(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ch := f.channel("acctA", ib.ID, "+15551230001")
	ch2 := f.channel("acctA", ib.ID, "+15551230002")

	for name, get := range map[string]func() (inbox.Channel, error){
		"GetChannel":  func() (inbox.Channel, error) { return f.store.GetChannel(f.ctx, "acctA", ch.ID) },
		"ChannelByID": func() (inbox.Channel, error) { return f.store.ChannelByID(f.ctx, ch.ID) },
	} {
		got, err := get()
		must(t, err)
		if !got.CreatedAt.Equal(ch.CreatedAt) {
			t.Errorf("%s CreatedAt = %v, want %v", name, got.CreatedAt, ch.CreatedAt)
		}
		got.CreatedAt = ch.CreatedAt
		if !reflect.DeepEqual(got, ch) {
			t.Errorf("%s = %+v, want %+v", name, got, ch)
		}
	}

	list, err := f.store.ListChannels(f.ctx, "acctA")
	must(t, err)
	if got := ids(list, func(c inbox.Channel) string { return c.ID }); len(got) != 2 || !contains(got, ch.ID) || !contains(got, ch2.ID) {
		t.Errorf("ListChannels = %v", got)
	}
	if list[0].Secrets[inbox.SecretTwilioAuthToken] == "" {
		t.Error("ListChannels does not open secrets")
	}

	t.Run("other account", func(t *testing.T) {
		_, err := f.store.GetChannel(f.ctx, "acctB", ch.ID)
		wantCode(t, err, inbox.ENotFound)
		list, err := f.store.ListChannels(f.ctx, "acctB")
		must(t, err)
		if len(list) != 0 {
			t.Errorf("ListChannels(acctB) = %d channels", len(list))
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := f.store.ChannelByID(f.ctx, inbox.NewID())
		wantCode(t, err, inbox.ENotFound)
		_, err = f.store.GetChannel(f.ctx, "acctA", inbox.NewID())
		wantCode(t, err, inbox.ENotFound)
	})
	t.Run("provider key taken", func(t *testing.T) {
		dup := ch
		dup.ID, dup.AccountID = inbox.NewID(), "acctB"
		err := f.store.CreateChannel(f.ctx, dup)
		wantCode(t, err, inbox.EConflict)
		if !strings.Contains(inbox.ErrorMessage(err), "phone number is already connected") {
			t.Errorf("message = %q", inbox.ErrorMessage(err))
		}
		// Nothing of the refused channel was written.
		_, err = f.store.ChannelByID(f.ctx, dup.ID)
		wantCode(t, err, inbox.ENotFound)
	})
	t.Run("channel id taken", func(t *testing.T) {
		dup := ch
		dup.ProviderKey = "+15559999999"
		wantCode(t, f.store.CreateChannel(f.ctx, dup), inbox.EConflict)
		// The provider key of the refused channel is still free.
		ok := dup
		ok.ID = inbox.NewID()
		must(t, f.store.CreateChannel(f.ctx, ok))
	})
	t.Run("invalid", func(t *testing.T) {
		bad := ch
		bad.ID, bad.ProviderKey = inbox.NewID(), ""
		wantCode(t, f.store.CreateChannel(f.ctx, bad), inbox.EInvalid)
	})
}

func TestChannelSecretsSealed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch := f.channel("acctA", "ib1", "+15551230009")
	token := ch.Secrets[inbox.SecretTwilioAuthToken]

	item := f.raw(channelPK(ch.ID), skChannel)
	if _, ok := item["secrets"].(*types.AttributeValueMemberB); !ok {
		t.Fatalf("secrets attribute = %T, want binary", item["secrets"])
	}
	if s := dump(item); strings.Contains(s, token) || strings.Contains(s, "tok-") {
		t.Fatalf("the stored channel contains the clear token: %s", s)
	}

	// Sealed for this account and channel: copied onto another channel, it does not open.
	other := f.channel("acctA", "ib1", "+15551230010")
	_, err := f.client.UpdateItem(f.ctx, updateSecrets(f.table, other.ID, item["secrets"]))
	must(t, err)
	_, err = f.store.ChannelByID(f.ctx, other.ID)
	wantCode(t, err, inbox.EInternal)

	// A store without a sealer refuses secrets rather than storing them in clear.
	plain := New(f.client, f.table, nil)
	c := ch
	c.ID, c.ProviderKey = inbox.NewID(), "+15551230011"
	wantCode(t, plain.CreateChannel(f.ctx, c), inbox.EInternal)
	c.Secrets = nil
	must(t, plain.CreateChannel(f.ctx, c))
	got, err := plain.ChannelByID(f.ctx, c.ID)
	must(t, err)
	if got.Secrets != nil {
		t.Errorf("Secrets = %v, want nil", got.Secrets)
	}
}
