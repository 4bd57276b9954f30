package form

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidFieldName checks the loop against the regular expression it replaced.
func TestValidFieldName(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_-]{0,63}$`)
	for _, s := range []string{"", "a", "Z", "email", "first_name", "x-1", "1abc", "_hp", "-a", "a b", "a.b", "é", "aé",
		"a" + strings.Repeat("b", 63), "a" + strings.Repeat("b", 64), "order#", "a\n"} {
		if got, want := validFieldName(s), re.MatchString(s); got != want {
			t.Errorf("validFieldName(%q) = %v, want %v", s, got, want)
		}
	}
}
