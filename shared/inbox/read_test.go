package inbox

import (
	"testing"
	"time"
)

func TestUnreadFor(t *testing.T) {
	t.Parallel()
	in := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	before, at := SortableTime(in.Add(-time.Minute)), SortableTime(in)
	for _, tc := range []struct {
		name    string
		inbound time.Time
		marks   map[string]string
		want    bool
	}{
		{"never read, contact wrote", in, nil, true},
		{"never read, contact never wrote", time.Time{}, nil, false},
		{"read up to the last message", in, map[string]string{"sam": at}, false},
		{"read before the last message", in, map[string]string{"sam": before}, true},
		{"read before the contact ever wrote", in, map[string]string{"sam": "0"}, true},
		{"marked unread", in, map[string]string{"sam": ReadMarkedUnread}, true},
		{"marked unread, contact never wrote", time.Time{}, map[string]string{"sam": ReadMarkedUnread}, true},
		{"someone else read it", in, map[string]string{"kim": at}, true},
		{"both read", in, map[string]string{"kim": at, "sam": at}, false},
		{"read, under the short key", in, map[string]string{ReadKey("sam"): at}, false},
		{"someone else read it, under the short key", in, map[string]string{ReadKey("kim"): at}, true},
		{"the short key's marker wins over the old one", in, map[string]string{"sam": before, ReadKey("sam"): at}, false},
		{"marked unread since, under the short key", in, map[string]string{"sam": at, ReadKey("sam"): ReadMarkedUnread}, true},
	} {
		c := Conversation{LastInboundAt: tc.inbound, ReadBy: NewReadMarkers(tc.marks)}
		if got := c.UnreadFor("sam"); got != tc.want {
			t.Errorf("%s: UnreadFor = %v, want %v (markers %q)", tc.name, got, tc.want, c.ReadBy)
		}
	}
}

// TestReadKey checks that a read marker's key is short (the conversation item holds one per
// user who read it) and differs between users.
func TestReadKey(t *testing.T) {
	t.Parallel()
	a, b := ReadKey("9b2e4f6a-8c3f-4c9a-9e8b-2d4e6fa7c100"), ReadKey("9b2e4f6a-8c3f-4c9a-9e8b-2d4e6fa7c101")
	if len(a) != 8 || a == b || a != ReadKey("9b2e4f6a-8c3f-4c9a-9e8b-2d4e6fa7c100") {
		t.Errorf("ReadKey = %q and %q, want 8 characters, stable, different users apart", a, b)
	}
}
