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
	eachStore(t, func(t *testing.T, f *fixture) {
		c := f.conversation("acctA", "ib1", base)
		m := f.append(c, newMessage(inbox.DirectionOut, "reply", base, inbox.MessagePending), "")
		now := base.Add(time.Hour)

		// Only a message being sent takes a part.
		wantCode(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, c.ChannelID, 0, "mid.text", now), inbox.EConflict)
		must(t, f.store.TransitionMessage(f.ctx, "acctA", c.ID, m.ID, inbox.MessagePending, inbox.MessageSending, now))
		must(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, c.ChannelID, 0, "mid.text", now.Add(time.Second)))
		// The same part again, or one out of order, changes nothing.
		wantCode(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, c.ChannelID, 0, "mid.again", now), inbox.EConflict)
		wantCode(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, c.ChannelID, 2, "mid.later", now), inbox.EConflict)
		must(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, c.ChannelID, 1, "mid.second", now.Add(2*time.Second)))
		got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
		must(t, err)
		if !slices.Equal(got.PartIDs, []string{"mid.text", "mid.second"}) || got.Status != inbox.MessageSending || !got.UpdatedAt.Equal(now.Add(2*time.Second)) {
			t.Errorf("after two parts: %s, parts %v, updated %v", got.Status, got.PartIDs, got.UpdatedAt)
		}
		// Back to pending for a retry, the parts stay; the final record keeps them too.
		must(t, f.store.TransitionMessage(f.ctx, "acctA", c.ID, m.ID, inbox.MessageSending, inbox.MessagePending, now))
		wantCode(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, c.ChannelID, 2, "mid.third", now), inbox.EConflict)
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
			wantCode(t, f.store.RecordPart(f.ctx, tt.acct, tt.conv, tt.m, c.ChannelID, tt.part, tt.id, now), tt.code)
		}
	})
}

// TestEarlierPartsReports: the status callbacks of an earlier part of a reply (its text, sent
// before its audio) find the message through the part's marker, as the customer's answer
// quoting the text does; its "sent", "delivered" and "read" move nothing, while the later part
// waits or after it went, and its failure fails the reply (the customer never got the text),
// saying it was the text.
func TestEarlierPartsReports(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *fixture) {
		c := f.conversation("acctA", "ib1", base)
		now := base.Add(time.Hour)
		reply := func() inbox.Message {
			m := f.append(c, newMessage(inbox.DirectionOut, "listen to this", base, inbox.MessagePending), "")
			must(t, f.store.TransitionMessage(f.ctx, "acctA", c.ID, m.ID, inbox.MessagePending, inbox.MessageSending, now))
			return m
		}
		report := func(m inbox.Message, id string, st inbox.MessageStatus) (inbox.MessageStatus, bool) {
			t.Helper()
			convID, msgID, err := f.store.ProviderMessage(f.ctx, "acctA", c.ChannelID, id)
			must(t, err)
			if convID != c.ID || msgID != m.ID {
				t.Fatalf("%s names %s/%s, want %s/%s", id, convID, msgID, c.ID, m.ID)
			}
			got, applied, err := f.store.UpdateDelivery(f.ctx, "acctA", c.ID, m.ID, inbox.DeliveryUpdate{Status: st, ReportedID: id}, now)
			must(t, err)
			return got.Status, applied
		}
		m := reply()
		must(t, f.store.RecordPart(f.ctx, "acctA", c.ID, m.ID, c.ChannelID, 0, "wamid.text", now))
		progress := []inbox.MessageStatus{inbox.MessageSent, inbox.MessageDelivered, inbox.MessageRead}
		for _, st := range progress {
			if got, applied := report(m, "wamid.text", st); applied || got != inbox.MessageSending {
				t.Fatalf("the text's %s moved the reply waiting for its audio to %s", st, got)
			}
		}
		_, _, err := f.store.UpdateDelivery(f.ctx, "acctA", c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "wamid.audio", ChannelID: c.ChannelID}, now)
		must(t, err)
		for _, st := range progress[1:] {
			if got, applied := report(m, "wamid.text", st); applied || got != inbox.MessageSent {
				t.Fatalf("the text's %s moved the sent reply to %s", st, got)
			}
		}
		if got, applied := report(m, "wamid.audio", inbox.MessageDelivered); !applied || got != inbox.MessageDelivered {
			t.Fatalf("the audio's delivery: %s (applied %v)", got, applied)
		}

		failing := reply()
		must(t, f.store.RecordPart(f.ctx, "acctA", c.ID, failing.ID, c.ChannelID, 0, "wamid.text2", now))
		convID, msgID, err := f.store.ProviderMessage(f.ctx, "acctA", c.ChannelID, "wamid.text2")
		must(t, err)
		got, applied, err := f.store.UpdateDelivery(f.ctx, "acctA", convID, msgID, inbox.DeliveryUpdate{Status: inbox.MessageFailed,
			ReportedID: "wamid.text2", Error: &inbox.ProviderError{Code: "131026", Message: "Message undeliverable"}}, now)
		must(t, err)
		if !applied || got.Status != inbox.MessageFailed || got.Error == nil || got.Error.Code != "131026" ||
			got.Error.Message != "the text was not delivered: Message undeliverable" {
			t.Fatalf("the text's failure: %s, %+v (applied %v)", got.Status, got.Error, applied)
		}
		// The audio's failure, when the text went: the provider's words as they are.
		audio := reply()
		must(t, f.store.RecordPart(f.ctx, "acctA", c.ID, audio.ID, c.ChannelID, 0, "wamid.text3", now))
		_, _, err = f.store.UpdateDelivery(f.ctx, "acctA", c.ID, audio.ID, inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "wamid.audio3", ChannelID: c.ChannelID}, now)
		must(t, err)
		got, applied, err = f.store.UpdateDelivery(f.ctx, "acctA", c.ID, audio.ID, inbox.DeliveryUpdate{Status: inbox.MessageFailed,
			ReportedID: "wamid.audio3", Error: &inbox.ProviderError{Code: "131053", Message: "Media upload error"}}, now)
		must(t, err)
		if !applied || got.Error == nil || got.Error.Message != "Media upload error" {
			t.Fatalf("the audio's failure: %s, %+v (applied %v)", got.Status, got.Error, applied)
		}
	})
}
