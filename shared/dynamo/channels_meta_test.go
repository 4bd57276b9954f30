package dynamo

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

func (f *fixture) messengerChannel(acct, inboxID, pageID string) inbox.Channel {
	f.t.Helper()
	ch := inbox.Channel{
		AccountID: acct, ID: inbox.NewID(), InboxID: inboxID, Type: inbox.ChannelMessenger, Name: "Page " + pageID,
		ProviderKey: pageID, Messenger: &inbox.MessengerConfig{PageID: pageID, VerifyToken: "vt-" + pageID},
		Secrets: map[string]string{
			inbox.SecretPageAccessToken: "pat-" + inbox.NewID(), inbox.SecretAppSecret: "as-" + inbox.NewID(),
		},
		CreatedAt: base,
	}
	must(f.t, f.store.CreateChannel(f.ctx, ch))
	return ch
}

func (f *fixture) whatsAppChannel(acct, inboxID, phoneNumberID string) inbox.Channel {
	f.t.Helper()
	ch := inbox.Channel{
		AccountID: acct, ID: inbox.NewID(), InboxID: inboxID, Type: inbox.ChannelWhatsApp, Name: "WhatsApp",
		ProviderKey: phoneNumberID,
		WhatsApp: &inbox.WhatsAppConfig{
			WABAID: "waba1", PhoneNumberID: phoneNumberID, DisplayNumber: "+15550001111", VerifyToken: "vt-wa",
		},
		Secrets:   map[string]string{inbox.SecretAccessToken: "at-" + inbox.NewID()},
		CreatedAt: base.Add(time.Second),
	}
	must(f.t, f.store.CreateChannel(f.ctx, ch))
	return ch
}

// sameChannel compares channels, times by instant.
func sameChannel(t *testing.T, name string, got, want inbox.Channel) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("%s CreatedAt = %v, want %v", name, got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt = want.CreatedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %+v, want %+v", name, got, want)
	}
}

func TestMetaChannelsRoundTrip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ms := f.messengerChannel("acctA", ib.ID, "page1")
	wa := f.whatsAppChannel("acctA", ib.ID, "pn1")

	for _, want := range []inbox.Channel{ms, wa} {
		got, err := f.store.GetChannel(f.ctx, "acctA", want.ID)
		must(t, err)
		sameChannel(t, "GetChannel", got, want)
		got, err = f.store.ChannelByID(f.ctx, want.ID)
		must(t, err)
		sameChannel(t, "ChannelByID", got, want)
		got, err = f.store.ChannelByProviderKey(f.ctx, want.Type, want.ProviderKey)
		must(t, err)
		sameChannel(t, "ChannelByProviderKey", got, want)
	}
	list, err := f.store.ListChannels(f.ctx, "acctA")
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("ListChannels = %d channels", len(list))
	}
	sameChannel(t, "ListChannels[0]", list[0], ms)
	sameChannel(t, "ListChannels[1]", list[1], wa)

	// The public settings are maps on the channel item; secrets stay sealed.
	item := f.raw(channelPK(ms.ID), skChannel)
	if _, ok := item["messenger"].(*types.AttributeValueMemberM); !ok {
		t.Errorf("messenger attribute = %T, want a map", item["messenger"])
	}
	if d := dump(item); strings.Contains(d, ms.Secrets[inbox.SecretPageAccessToken]) {
		t.Errorf("clear page access token in the item: %s", d)
	}
	if _, ok := f.raw(channelPK(wa.ID), skChannel)["whatsapp"].(*types.AttributeValueMemberM); !ok {
		t.Error("whatsapp attribute is not a map")
	}

	t.Run("provider key lookups", func(t *testing.T) {
		_, err := f.store.ChannelByProviderKey(f.ctx, inbox.ChannelWhatsApp, "page1")
		wantCode(t, err, inbox.ENotFound)
		_, err = f.store.ChannelByProviderKey(f.ctx, inbox.ChannelMessenger, "page-unknown")
		wantCode(t, err, inbox.ENotFound)
		_, err = f.store.ChannelByProviderKey(f.ctx, inbox.ChannelMessenger, "")
		wantCode(t, err, inbox.EInvalid)
		_, err = f.store.ChannelByProviderKey(f.ctx, "", "page1")
		wantCode(t, err, inbox.EInvalid)
		_, err = f.store.ChannelByProviderKey(f.ctx, "messenger#x", "page1")
		wantCode(t, err, inbox.EInvalid)
	})
	t.Run("page taken", func(t *testing.T) {
		dup := ms
		dup.ID, dup.AccountID = inbox.NewID(), "acctB"
		err := f.store.CreateChannel(f.ctx, dup)
		wantCode(t, err, inbox.EConflict)
		if !strings.Contains(inbox.ErrorMessage(err), "Facebook page") {
			t.Errorf("message = %q", inbox.ErrorMessage(err))
		}
	})
}

func TestUpdateChannel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ib2 := f.inbox("acctA")
	ch := f.messengerChannel("acctA", ib.ID, "page10")
	other := f.messengerChannel("acctA", ib.ID, "page11")

	up := ch
	up.Name, up.InboxID = "Renamed", ib2.ID
	up.Messenger = &inbox.MessengerConfig{PageID: "page10", VerifyToken: "new-token"}
	up.Secrets = map[string]string{inbox.SecretPageAccessToken: "pat-new"}
	up.CreatedAt = base.Add(time.Hour) // ignored: the creation time stays
	must(t, f.store.UpdateChannel(f.ctx, up))
	got, err := f.store.GetChannel(f.ctx, "acctA", ch.ID)
	must(t, err)
	want := up
	want.CreatedAt = ch.CreatedAt
	sameChannel(t, "after update", got, want)
	if got, err := f.store.ChannelByProviderKey(f.ctx, inbox.ChannelMessenger, "page10"); err != nil || got.Name != "Renamed" {
		t.Errorf("ChannelByProviderKey = %+v, %v", got, err)
	}

	t.Run("move provider key", func(t *testing.T) {
		mv := want
		mv.ProviderKey = "page12"
		mv.Messenger = &inbox.MessengerConfig{PageID: "page12", VerifyToken: "new-token"}
		must(t, f.store.UpdateChannel(f.ctx, mv))
		got, err := f.store.ChannelByProviderKey(f.ctx, inbox.ChannelMessenger, "page12")
		must(t, err)
		sameChannel(t, "by new key", got, mv)
		_, err = f.store.ChannelByProviderKey(f.ctx, inbox.ChannelMessenger, "page10")
		wantCode(t, err, inbox.ENotFound)
		// The old key is free again.
		free := f.messengerChannel("acctB", "ibB", "page10")
		if got, err := f.store.ChannelByProviderKey(f.ctx, inbox.ChannelMessenger, "page10"); err != nil || got.ID != free.ID {
			t.Errorf("page10 after reuse = %+v, %v", got, err)
		}

		// A key held by another channel is refused and nothing changes.
		taken := mv
		taken.ProviderKey, taken.Name = other.ProviderKey, "Thief"
		err = f.store.UpdateChannel(f.ctx, taken)
		wantCode(t, err, inbox.EConflict)
		got, err = f.store.GetChannel(f.ctx, "acctA", ch.ID)
		must(t, err)
		sameChannel(t, "after refused move", got, mv)
		if got, err := f.store.ChannelByProviderKey(f.ctx, inbox.ChannelMessenger, other.ProviderKey); err != nil || got.ID != other.ID {
			t.Errorf("other's key = %+v, %v", got, err)
		}

		// An empty provider key keeps the current one; nil secrets remove them.
		keep := mv
		keep.ProviderKey, keep.Secrets, keep.Name = "", nil, "No secrets"
		must(t, f.store.UpdateChannel(f.ctx, keep))
		got, err = f.store.ChannelByProviderKey(f.ctx, inbox.ChannelMessenger, "page12")
		must(t, err)
		if got.Name != "No secrets" || got.Secrets != nil || got.ProviderKey != "page12" {
			t.Errorf("after keep = %+v", got)
		}
		if _, ok := f.raw(channelPK(ch.ID), skChannel)["secrets"]; ok {
			t.Error("secrets attribute still stored")
		}
	})

	t.Run("refused", func(t *testing.T) {
		missing := ch
		missing.ID = inbox.NewID()
		wantCode(t, f.store.UpdateChannel(f.ctx, missing), inbox.ENotFound)
		foreign := ch
		foreign.AccountID, foreign.Name = "acctB", "Hijacked"
		wantCode(t, f.store.UpdateChannel(f.ctx, foreign), inbox.ENotFound)
		retyped := other
		retyped.Type = inbox.ChannelWhatsApp
		wantCode(t, f.store.UpdateChannel(f.ctx, retyped), inbox.EInvalid)
		noInbox := other
		noInbox.InboxID = ""
		wantCode(t, f.store.UpdateChannel(f.ctx, noInbox), inbox.EInvalid)
		got, err := f.store.GetChannel(f.ctx, "acctA", other.ID)
		must(t, err)
		sameChannel(t, "other after refusals", got, other)
	})
}

func TestDeleteChannel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ch := f.whatsAppChannel("acctA", ib.ID, "pn20")
	keep := f.whatsAppChannel("acctA", ib.ID, "pn21")
	conv := newConversation("acctA", ib.ID, ch.ID, "ct1", base)
	conv.ChannelType = inbox.ChannelWhatsApp
	conv, _, err := f.store.FindOrOpenConversation(f.ctx, conv)
	must(t, err)
	m := f.append(conv, newMessage(inbox.DirectionIn, "hola", base.Add(time.Minute), inbox.MessageReceived), "wamid.1")

	// Another account cannot delete it.
	wantCode(t, f.store.DeleteChannel(f.ctx, "acctB", ch.ID), inbox.ENotFound)
	_, err = f.store.GetChannel(f.ctx, "acctA", ch.ID)
	must(t, err)

	must(t, f.store.DeleteChannel(f.ctx, "acctA", ch.ID))
	_, err = f.store.GetChannel(f.ctx, "acctA", ch.ID)
	wantCode(t, err, inbox.ENotFound)
	_, err = f.store.ChannelByID(f.ctx, ch.ID)
	wantCode(t, err, inbox.ENotFound)
	_, err = f.store.ChannelByProviderKey(f.ctx, inbox.ChannelWhatsApp, "pn20")
	wantCode(t, err, inbox.ENotFound)
	if item := f.raw(providerKeyPK(inbox.ChannelWhatsApp, "pn20"), skProviderKey); len(item) != 0 {
		t.Errorf("provider key claim left behind: %s", dump(item))
	}
	list, err := f.store.ListChannels(f.ctx, "acctA")
	must(t, err)
	if got := ids(list, func(c inbox.Channel) string { return c.ID }); len(got) != 1 || got[0] != keep.ID {
		t.Errorf("ListChannels after delete = %v", got)
	}
	wantCode(t, f.store.DeleteChannel(f.ctx, "acctA", ch.ID), inbox.ENotFound)
	wantCode(t, f.store.DeleteChannel(f.ctx, "acctA", "x#y"), inbox.EInvalid)

	// The conversations of the deleted channel stay readable.
	got, err := f.store.GetConversation(f.ctx, "acctA", conv.ID)
	must(t, err)
	if got.ChannelID != ch.ID {
		t.Errorf("conversation = %+v", got)
	}
	msgs, err := f.store.ListMessages(f.ctx, "acctA", conv.ID)
	must(t, err)
	if len(msgs) != 1 || msgs[0].ID != m.ID {
		t.Errorf("messages = %+v", msgs)
	}

	// The number can be connected again.
	again := f.whatsAppChannel("acctB", "ibB", "pn20")
	if got, err := f.store.ChannelByProviderKey(f.ctx, inbox.ChannelWhatsApp, "pn20"); err != nil || got.ID != again.ID || got.AccountID != "acctB" {
		t.Errorf("pn20 after reconnect = %+v, %v", got, err)
	}
}
