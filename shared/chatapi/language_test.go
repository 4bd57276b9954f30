package chatapi_test

import (
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatapi"
)

// TestLanguage: the widget's language is the first of the visitor's preferences (embed
// option, page, browser) the product speaks, else the chat's own.
func TestLanguage(t *testing.T) {
	t.Parallel()
	en, da := chat.Defaults(), chat.Defaults()
	da.Language = "da"
	for _, tc := range []struct {
		set   chat.Settings
		prefs string
		want  string
	}{
		{en, "da", "da"},                             // the embed option
		{en, "da-DK,en-US,en", "da"},                 // the page's region-tagged lang first
		{da, "en-GB,da", "en"},                       // page English, browser Danish: the page wins
		{da, "fr,de-DE", "da"},                       // nothing the product speaks: the chat's
		{en, "fr", "en"},                             // likewise, an English chat
		{da, "", "da"},                               // no preferences
		{da, "not a tag!,", "da"},                    // garbage
		{en, strings.Repeat("x", 300) + ",da", "en"}, // bounded: the tail is not read
		{en, "nb-NO", "da"},                          // Norwegian readers are served Danish (x/text's matcher)
	} {
		if got := chatapi.Language(tc.set, tc.prefs); got != tc.want {
			t.Errorf("chat %s, prefs %q: %s, want %s", tc.set.Language, tc.prefs, got, tc.want)
		}
	}
}
