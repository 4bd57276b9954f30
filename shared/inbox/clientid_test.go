package inbox

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidClientID checks the loop against the regular expression it replaced.
func TestValidClientID(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	for _, s := range []string{"", "a", "20261125T100000.000000Z-abc", "abc-DEF_09", "../acct2/x", "a/b", "a b", "é",
		strings.Repeat("x", 64), strings.Repeat("x", 65), "a\x00"} {
		if got, want := ValidClientID(s), re.MatchString(s); got != want {
			t.Errorf("ValidClientID(%q) = %v, want %v", s, got, want)
		}
	}
}
