package channels_test

import (
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/inbox"
)

// TestEveryKindIsComplete checks what the API, the store and notifications count on from each
// registered kind: a unique type and settings field, a label, and the funcs they call.
func TestEveryKindIsComplete(t *testing.T) {
	t.Parallel()
	types, fields := map[inbox.ChannelType]bool{}, map[string]bool{}
	for _, k := range channels.All() {
		if k.Type == "" || types[k.Type] || k.SettingsField == "" || fields[k.SettingsField] {
			t.Errorf("kind %q: empty or repeated type or settings field %q", k.Type, k.SettingsField)
		}
		types[k.Type], fields[k.SettingsField] = true, true
		if k.Label == "" || k.ProviderKeyName == "" || k.Settings == nil || k.Reply == nil || k.DefaultName == nil {
			t.Errorf("kind %q lacks a label, provider key name, Settings, Reply or DefaultName", k.Type)
		}
		if k.WebhookPath != "" && !strings.Contains(k.WebhookPath, "{channelId}") {
			t.Errorf("kind %q: webhook path %q has no {channelId}", k.Type, k.WebhookPath)
		}
		if got, ok := channels.Lookup(k.Type); !ok || got.Type != k.Type {
			t.Errorf("Lookup(%q) does not find it", k.Type)
		}
	}
	if _, ok := channels.Lookup("fax"); ok {
		t.Error("Lookup found an unregistered type")
	}
	if channels.Label("") != "a channel" || channels.Label("fax") != "fax" || channels.Label(inbox.ChannelMessenger) != "Facebook Messenger" {
		t.Error("Label")
	}
}

// TestReplyRules checks each kind's limits and windows at their edges.
func TestReplyRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	recent := inbox.Conversation{LastInboundAt: now.Add(-time.Hour), ContactEmail: "zoe@customer.example"}
	old := inbox.Conversation{LastInboundAt: now.Add(-3 * 24 * time.Hour)}
	week := inbox.Conversation{LastInboundAt: now.Add(-7 * 24 * time.Hour)}
	text := func(n int) string { return strings.Repeat("é", n) }
	img := []inbox.AttachmentType{inbox.AttachImage}
	tmpl := &inbox.Template{Name: "order_update", Language: "en_US"}
	for _, tc := range []struct {
		name string
		t    inbox.ChannelType
		c    inbox.Conversation
		r    channel.Reply
		ok   bool
	}{
		{"sms at the limit", inbox.ChannelSMS, recent, channel.Reply{Text: text(1600)}, true},
		{"sms over the limit", inbox.ChannelSMS, recent, channel.Reply{Text: text(1601)}, false},
		{"mms of 10", inbox.ChannelSMS, recent, channel.Reply{Attachments: make([]inbox.AttachmentType, 10)}, true},
		{"mms of 11", inbox.ChannelSMS, recent, channel.Reply{Attachments: make([]inbox.AttachmentType, 11)}, false},
		{"sms template", inbox.ChannelSMS, recent, channel.Reply{Template: tmpl}, false},
		{"messenger text", inbox.ChannelMessenger, recent, channel.Reply{Text: "hi"}, true},
		{"messenger tagged", inbox.ChannelMessenger, old, channel.Reply{Text: "hi"}, true},
		{"messenger after 7 days", inbox.ChannelMessenger, week, channel.Reply{Text: "hi"}, false},
		{"messenger text and file", inbox.ChannelMessenger, recent, channel.Reply{Text: "hi", Attachments: img}, true},
		{"messenger two files", inbox.ChannelMessenger, recent, channel.Reply{Attachments: make([]inbox.AttachmentType, 2)}, false},
		{"messenger empty", inbox.ChannelMessenger, recent, channel.Reply{Text: " "}, false},
		{"messenger over 2000", inbox.ChannelMessenger, recent, channel.Reply{Text: text(2001)}, false},
		{"whatsapp in window", inbox.ChannelWhatsApp, recent, channel.Reply{Text: "hi", Attachments: img}, true},
		{"whatsapp out of window", inbox.ChannelWhatsApp, old, channel.Reply{Text: "hi"}, false},
		{"whatsapp template out of window", inbox.ChannelWhatsApp, old, channel.Reply{Template: tmpl}, true},
		{"whatsapp template with text", inbox.ChannelWhatsApp, recent, channel.Reply{Template: tmpl, Text: "hi"}, false},
		{"whatsapp audio caption", inbox.ChannelWhatsApp, recent, channel.Reply{Text: "hi", Attachments: []inbox.AttachmentType{inbox.AttachAudio}}, true},
		{"email html", inbox.ChannelEmail, recent, channel.Reply{HTML: "<p>hi</p>"}, true},
		{"email empty", inbox.ChannelEmail, recent, channel.Reply{Text: " "}, false},
		{"email without address", inbox.ChannelEmail, old, channel.Reply{Text: "hi"}, false},
	} {
		k, _ := channels.Lookup(tc.t)
		err := k.Reply(tc.c, tc.r, now)
		if (err == nil) != tc.ok || (err != nil && !inbox.IsCode(err, inbox.EInvalid)) {
			t.Errorf("%s: %v, want ok=%v (or EInvalid)", tc.name, err, tc.ok)
		}
	}
}

func TestIsE164(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"+14155550100": true, "+4930123456": true, "+1234567": true, "+123456": false,
		"14155550100": false, "+04155550100": false, "+1415555010012345": false, "+1415555O100": false, "": false, "+": false} {
		if channel.IsE164(s) != want {
			t.Errorf("IsE164(%q) = %v", s, !want)
		}
	}
}
