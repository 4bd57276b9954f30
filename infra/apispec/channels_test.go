package apispec_test

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openinbox/inbox/shared/channels"
)

// Every kind of the channel registry is described as the code shows it: a Channel schema of
// its type carrying its settings object (the kind's SettingsField, or the string map
// `settings` that kinds without typed settings fill), webhookUrl exactly when the kind has a
// webhook route and statusCallbackUrl exactly when it has a status route; a request schema to
// connect it with its settings object; its type in ChannelType.
func TestEveryChannelKindIsDescribed(t *testing.T) {
	t.Parallel()
	doc := load(t).Doc()
	schemas := doc.Components.Schemas
	mapped := func(name, typ string) *openapi3.Schema {
		t.Helper()
		s := schemas[name]
		if s == nil || s.Value.Discriminator == nil {
			t.Fatalf("%s has no discriminator", name)
		}
		ref, ok := s.Value.Discriminator.Mapping[typ]
		if !ok {
			t.Errorf("%s: no schema for type %q", name, typ)
			return nil
		}
		for _, one := range s.Value.OneOf {
			if one.Ref == ref.Ref {
				return one.Value
			}
		}
		t.Errorf("%s: %q maps to %s, which is not one of its schemas", name, typ, ref.Ref)
		return nil
	}
	enum := schemas["ChannelType"].Value.Enum
	for _, k := range channels.All() {
		typ := string(k.Type)
		if !slices.Contains(enum, any(typ)) {
			t.Errorf("ChannelType has no %q", typ)
		}
		if ch := mapped("Channel", typ); ch != nil {
			_, typed := ch.Properties[k.SettingsField]
			_, generic := ch.Properties["settings"]
			if !typed && !generic {
				t.Errorf("Channel %q shows neither %q nor settings", typ, k.SettingsField)
			}
			for prop, has := range map[string]bool{"webhookUrl": k.WebhookPath != "", "statusCallbackUrl": k.StatusPath != ""} {
				if _, described := ch.Properties[prop]; described != has {
					t.Errorf("Channel %q: %s described %v, the kind has it %v", typ, prop, described, has)
				}
				if required := slices.Contains(ch.Required, prop); required != has {
					t.Errorf("Channel %q: %s required %v, the kind always has it %v", typ, prop, required, has)
				}
			}
		}
		if req := mapped("CreateChannelRequest", typ); req != nil {
			if _, ok := req.Properties[k.SettingsField]; !ok {
				t.Errorf("CreateChannelRequest %q has no settings object %q", typ, k.SettingsField)
			}
		}
	}
}
