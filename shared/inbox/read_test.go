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
	} {
		c := Conversation{LastInboundAt: tc.inbound, ReadBy: NewReadMarkers(tc.marks)}
		if got := c.UnreadFor("sam"); got != tc.want {
			t.Errorf("%s: UnreadFor = %v, want %v (markers %q)", tc.name, got, tc.want, c.ReadBy)
		}
	}
}
