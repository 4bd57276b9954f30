package inbox_test

import (
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

func TestCheckID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"0f8fad5bd9cb469fa16570867728950e", true},
		{"ada@example.com", true},
		{"søren", true},
		{strings.Repeat("x", inbox.MaxIDLength), true},
		{strings.Repeat("x", inbox.MaxIDLength+1), false},
		{strings.Repeat("x", 3000), false},
		{"", false},
		{"a#b", false},
		{"a\nb", false},
		{"a\x00b", false},
		{"\xff", false},
	} {
		err := inbox.CheckID("id", tc.id)
		if (err == nil) != tc.ok || (err != nil && !inbox.IsCode(err, inbox.EInvalid)) {
			t.Errorf("CheckID(%.20q) = %v, want ok %v", tc.id, err, tc.ok)
		}
	}
}
