package inbox_test

import (
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

// SQS FIFO drops a message whose deduplication id it accepted in the last five minutes, even
// after the first was received and deleted: an agent's retry of a reply that failed within five
// minutes must carry an id of its own, or it is silently dropped and the reply stays pending.
func TestOutboundJobDedupKey(t *testing.T) {
	t.Parallel()
	first := inbox.OutboundJob{V: 1, AccountID: "a1", ConversationID: "c1", MessageID: "m1"}
	retry := first
	retry.Retry = "1"
	again := first
	again.Retry = "2"
	for _, tc := range []struct {
		name string
		a, b inbox.OutboundJob
		same bool
	}{
		{"the same reply queued twice", first, first, true},
		{"the same retry queued twice", retry, retry, true},
		{"a retry after the first send", first, retry, false},
		{"a second retry", retry, again, false},
	} {
		if got := tc.a.DedupKey() == tc.b.DedupKey(); got != tc.same {
			t.Errorf("%s: keys %q and %q, same = %v, want %v", tc.name, tc.a.DedupKey(), tc.b.DedupKey(), got, tc.same)
		}
	}
	if first.GroupKey() != retry.GroupKey() {
		t.Error("a retry left its conversation's message group")
	}
}
