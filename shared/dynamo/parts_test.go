package dynamo

import (
	"slices"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// TestRecordPart records the parts of a reply sent as several provider messages, on DynamoDB
// Local and on the embedded store that make run uses: each part once, in order, only while the
// message is being sent, and kept when the message goes back to pending for a retry.
func TestRecordPart(t *testing.T) {
	t.Parallel()
	for name, newF := range storeBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newF(t)
			c := f.conversation("acctA", "ib1", base)
			m := f.append(c, newMessage(inbox.DirectionOut, "reply", base, inbox.MessagePending), "")
			now := base.Add(time.Hour)

			// Only a message being sent takes a part.
			wantCode(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, 0, "mid.text", now), inbox.EConflict)
			must(t, f.store.TransitionMessage(f.ctx, "acctA", c.ID, m.ID, inbox.MessagePending, inbox.MessageSending, now))
			must(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, 0, "mid.text", now.Add(time.Second)))
			// The same part again, or one out of order, changes nothing.
			wantCode(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, 0, "mid.again", now), inbox.EConflict)
			wantCode(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, 2, "mid.later", now), inbox.EConflict)
			must(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, 1, "mid.second", now.Add(2*time.Second)))
			got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
			must(t, err)
			if !slices.Equal(got.PartIDs, []string{"mid.text", "mid.second"}) || got.Status != inbox.MessageSending || !got.UpdatedAt.Equal(now.Add(2*time.Second)) {
				t.Errorf("after two parts: %s, parts %v, updated %v", got.Status, got.PartIDs, got.UpdatedAt)
			}
			// Back to pending for a retry, the parts stay; the final record keeps them too.
			must(t, f.store.TransitionMessage(f.ctx, "acctA", c.ID, m.ID, inbox.MessageSending, inbox.MessagePending, now))
			wantCode(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, 2, "mid.third", now), inbox.EConflict)
			got, _, err = f.store.UpdateDelivery(f.ctx, "acctA", c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "mid.last"}, now)
			must(t, err)
			if !slices.Equal(got.PartIDs, []string{"mid.text", "mid.second"}) || got.ProviderID != "mid.last" {
				t.Errorf("sent: parts %v, provider id %q", got.PartIDs, got.ProviderID)
			}

			for _, tt := range []struct {
				name          string
				acct, conv, m string
				part          int
				id            string
				code          inbox.ErrorCode
			}{
				{"missing message", "acctA", c.ID, "nope", 0, "x", inbox.ENotFound},
				{"other account", "acctB", c.ID, m.ID, 0, "x", inbox.ENotFound},
				{"no provider id", "acctA", c.ID, m.ID, 0, "", inbox.EInvalid},
				{"negative part", "acctA", c.ID, m.ID, -1, "x", inbox.EInvalid},
			} {
				wantCode(t, f.store.RecordPart(f.ctx, tt.acct, tt.conv, tt.m, tt.part, tt.id, now), tt.code)
			}
		})
	}
}
