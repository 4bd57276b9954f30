package dynamo

import (
	"reflect"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// TestChannelSettingsOfANewKind stores a channel of a type the store has never heard of, with
// its settings in the generic map and its secrets sealed: adding a channel changes no store code.
func TestChannelSettingsOfANewKind(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ch := inbox.Channel{
		AccountID: "acctA", ID: inbox.NewID(), InboxID: ib.ID, Type: "webchat", Name: "Site chat",
		ProviderKey: "site-" + inbox.NewID(), Settings: map[string]string{"origin": "https://shop.example"},
		Secrets: map[string]string{"widgetKey": "k1"}, CreatedAt: time.Now().UTC(),
	}
	must(t, f.store.CreateChannel(f.ctx, ch))
	got, err := f.store.GetChannel(f.ctx, "acctA", ch.ID)
	must(t, err)
	if !reflect.DeepEqual(got.Settings, ch.Settings) || got.Secrets["widgetKey"] != "k1" || got.Type != "webchat" {
		t.Errorf("GetChannel = %+v", got)
	}
	ch.Settings["origin"] = "https://www.shop.example"
	must(t, f.store.UpdateChannel(f.ctx, ch))
	if got, err = f.store.GetChannel(f.ctx, "acctA", ch.ID); err != nil || got.Settings["origin"] != "https://www.shop.example" {
		t.Errorf("after UpdateChannel: %+v, %v", got.Settings, err)
	}
	raw := f.raw(channelPK(ch.ID), skChannel)
	if _, ok := raw["settings"]; !ok {
		t.Errorf("no settings attribute in %v", raw)
	}
	if b, ok := raw["secrets"]; !ok || reflect.DeepEqual(b, "k1") {
		t.Errorf("secrets not sealed: %v", raw["secrets"])
	}
	wantCode(t, f.store.CreateChannel(f.ctx, inbox.Channel{AccountID: "acctA", ID: inbox.NewID(), InboxID: ib.ID, Type: "webchat",
		ProviderKey: ch.ProviderKey, CreatedAt: time.Now().UTC()}), inbox.EConflict)
}
