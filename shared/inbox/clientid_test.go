package httpapi

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidUploadID checks the loop against the regular expression it replaced.
func TestValidUploadID(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	for _, s := range []string{"", "a", "20261125T100000.000000Z-abc", "abc-DEF_09", "../acct2/x", "a/b", "a b", "é",
		strings.Repeat("x", 64), strings.Repeat("x", 65), "a\x00"} {
		if got, want := validUploadID(s), re.MatchString(s); got != want {
			t.Errorf("validUploadID(%q) = %v, want %v", s, got, want)
		}
	}
}
