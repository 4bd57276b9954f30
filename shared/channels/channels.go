// Package channels is the registry of channel kinds: every kind of channel the deployment
// knows, looked up by its inbox.ChannelType. A new channel is one line in kinds below (and its
// package under shared/channels/<name>); see "Adding a channel" in the README.
package channels

import (
	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/channels/email"
	"github.com/openinbox/inbox/shared/channels/form"
	"github.com/openinbox/inbox/shared/channels/messenger"
	"github.com/openinbox/inbox/shared/channels/sms"
	"github.com/openinbox/inbox/shared/channels/voice"
	"github.com/openinbox/inbox/shared/channels/whatsapp"
	"github.com/openinbox/inbox/shared/inbox"
)

// kinds are the registered channel kinds, in the order the API lists them.
var kinds = []channel.Kind{
	sms.Kind,
	messenger.Kind,
	whatsapp.Kind,
	email.Kind,
	custom.Kind,
	form.Kind,
	voice.Kind,
	chat.Kind,
}

// Lookup returns the kind of channel type t; ok is false for a type nobody registered.
func Lookup(t inbox.ChannelType) (k channel.Kind, ok bool) {
	for _, k := range kinds {
		if k.Type == t {
			return k, true
		}
	}
	return channel.Kind{}, false
}

// All returns every registered kind.
func All() []channel.Kind { return append([]channel.Kind(nil), kinds...) }

// Label is how people call channel type t ("a channel" for none, the type itself when unknown).
func Label(t inbox.ChannelType) string {
	if k, ok := Lookup(t); ok {
		return k.Label
	}
	if t == "" {
		return "a channel"
	}
	return string(t)
}

// ByKind maps every registered kind to the part of its name among parts: name picks the kind's
// name for the part (its Sender, its Media), and parts are what the function built, one per
// provider, so that a kind served by a provider already built needs nothing else. Kinds without
// a name, or whose part was not built, are left out (their messages then fail as unsupported).
func ByKind[T any](parts map[string]T, name func(channel.Kind) string) map[inbox.ChannelType]T {
	out := make(map[inbox.ChannelType]T, len(kinds))
	for _, k := range kinds {
		if p, ok := parts[name(k)]; ok && name(k) != "" {
			out[k.Type] = p
		}
	}
	return out
}
