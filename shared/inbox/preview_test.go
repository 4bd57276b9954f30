package inbox

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPreviewCappedInBytes checks that a preview never takes more than PreviewMaxBytes, whatever
// the script (the conversation item that holds it must stay under 1 KB), and is cut at a
// character.
func TestPreviewCappedInBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text, want string
	}{
		{"short", "Hi, is the shop open on Sunday?", "Hi, is the shop open on Sunday?"},
		{"first line only", "Hello\nsecond line", "Hello"},
		{"exactly the cap", strings.Repeat("a", PreviewMaxBytes), strings.Repeat("a", PreviewMaxBytes)},
		{"Latin over the cap", strings.Repeat("a", 141), strings.Repeat("a", PreviewMaxBytes-3) + "…"},
		{"Chinese (3 bytes a character)", strings.Repeat("你", 60), strings.Repeat("你", 32) + "…"},
		{"emoji (4 bytes)", strings.Repeat("🙂", 30), strings.Repeat("🙂", 24) + "…"},
		{"accents", strings.Repeat("é", 60), strings.Repeat("é", 48) + "…"},
	} {
		got := Message{Text: tc.text}.Preview()
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if len(got) > PreviewMaxBytes || !utf8.ValidString(got) {
			t.Errorf("%s: %d bytes (valid UTF-8: %v), want at most %d", tc.name, len(got), utf8.ValidString(got), PreviewMaxBytes)
		}
	}
}
