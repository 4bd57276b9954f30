package dynamo

import (
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// TestRetryMessage puts a failed reply back to pending for an agent's retry, on DynamoDB Local
// and on the embedded store: once (a second retry, or one of a reply not failed, not outbound or
// partly sent, changes nothing), with its error gone and its files' fresh links stored.
func TestRetryMessage(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *fixture) {
		c := f.conversation("acctA", "ib1", base)
		now := base.Add(time.Hour)
		failed := func(text string) inbox.Message {
			m := newMessage(inbox.DirectionOut, text, base, inbox.MessagePending)
			m.Attachments = []inbox.Attachment{{Type: inbox.AttachFile, Name: "a.pdf", URL: "https://old", StorageKey: "files/a.pdf", MediaStatus: inbox.MediaStored}}
			m = f.append(c, m, "")
			_, _, err := f.store.UpdateDelivery(f.ctx, "acctA", c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageFailed,
				Error: &inbox.ProviderError{Code: "30003", Message: "unreachable"}}, now)
			must(t, err)
			return m
		}
		m := failed("reply")
		fresh := []inbox.Attachment{{Type: inbox.AttachFile, Name: "a.pdf", URL: "https://fresh", StorageKey: "files/a.pdf", MediaStatus: inbox.MediaStored}}
		got, err := f.store.RetryMessage(f.ctx, "acctA", c.ID, m.ID, "", fresh, now.Add(time.Minute))
		must(t, err)
		if got.Status != inbox.MessagePending || got.Error != nil || got.Text != "reply" || len(got.Attachments) != 1 ||
			got.Attachments[0].URL != "https://fresh" || got.Attachments[0].StorageKey != "files/a.pdf" || !got.UpdatedAt.Equal(now.Add(time.Minute)) {
			t.Errorf("retried: %+v", got)
		}
		_, err = f.store.RetryMessage(f.ctx, "acctA", c.ID, m.ID, "", nil, now)
		wantCode(t, err, inbox.EConflict)

		// A reply that failed after its first part was sent is not sent again.
		parts := newMessage(inbox.DirectionOut, "text and file", base, inbox.MessagePending)
		parts = f.append(c, parts, "")
		must(t, f.store.TransitionMessage(f.ctx, "acctA", c.ID, parts.ID, inbox.MessagePending, inbox.MessageSending, now))
		must(t, f.store.RecordPart(f.ctx, "acctA", c.ID, parts.ID, c.ChannelID, 0, "mid.text", now))
		_, _, err = f.store.UpdateDelivery(f.ctx, "acctA", c.ID, parts.ID, inbox.DeliveryUpdate{Status: inbox.MessageFailed}, now)
		must(t, err)
		in := f.append(c, newMessage(inbox.DirectionIn, "hello", base, inbox.MessageReceived), "")
		other := failed("other")

		for _, tt := range []struct {
			name          string
			acct, conv, m string
			code          inbox.ErrorCode
		}{
			{"partly sent", "acctA", c.ID, parts.ID, inbox.EConflict},
			{"inbound", "acctA", c.ID, in.ID, inbox.EConflict},
			{"missing message", "acctA", c.ID, "nope", inbox.ENotFound},
			{"other account", "acctB", c.ID, other.ID, inbox.ENotFound},
			{"malformed id", "acctA", c.ID, "a#b", inbox.EInvalid},
		} {
			_, err := f.store.RetryMessage(f.ctx, tt.acct, tt.conv, tt.m, "", nil, now)
			if !inbox.IsCode(err, tt.code) {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
		}
		if got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, other.ID); err != nil || got.Status != inbox.MessageFailed || got.Error == nil {
			t.Errorf("the other account's retry changed %+v (%v)", got, err)
		}
	})
}

// TestRetriedSendsReportsAreNotApplied: once an agent retried a reply whose send the provider
// reported failed, that send's late or redelivered status callbacks (UpdateDelivery with its id
// as ReportedID) move the message no more, whether it waits (pending: a "sent" would keep the
// dispatcher from claiming it, and it would never go out), is being sent, or went out again;
// the new send's callbacks apply. The retry names the failed send's provider id, and a retry
// that read another (the message changed meanwhile) changes nothing.
func TestRetriedSendsReportsAreNotApplied(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *fixture) {
		c := f.conversation("acctA", "ib1", base)
		now := base.Add(time.Hour)
		m := f.append(c, newMessage(inbox.DirectionOut, "reply", base, inbox.MessagePending), "")
		must(t, f.store.TransitionMessage(f.ctx, "acctA", c.ID, m.ID, inbox.MessagePending, inbox.MessageSending, now))
		update := func(u inbox.DeliveryUpdate) bool {
			t.Helper()
			_, applied, err := f.store.UpdateDelivery(f.ctx, "acctA", c.ID, m.ID, u, now)
			must(t, err)
			return applied
		}
		status := func() inbox.MessageStatus {
			t.Helper()
			got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
			must(t, err)
			return got.Status
		}
		update(inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "SM-first", ChannelID: c.ChannelID})
		if !update(inbox.DeliveryUpdate{Status: inbox.MessageFailed, ReportedID: "SM-first", Error: &inbox.ProviderError{Code: "30003"}}) {
			t.Fatal("the first send's failure was not applied")
		}
		_, err := f.store.RetryMessage(f.ctx, "acctA", c.ID, m.ID, "", nil, now)
		wantCode(t, err, inbox.EConflict) // read before the provider id was recorded
		_, err = f.store.RetryMessage(f.ctx, "acctA", c.ID, m.ID, "SM-other", nil, now)
		wantCode(t, err, inbox.EConflict)
		got, err := f.store.RetryMessage(f.ctx, "acctA", c.ID, m.ID, "SM-first", nil, now)
		must(t, err)
		if got.Status != inbox.MessagePending || got.ProviderID != "" {
			t.Fatalf("retried: %+v", got)
		}

		late := []inbox.MessageStatus{inbox.MessageSent, inbox.MessageDelivered, inbox.MessageRead, inbox.MessageFailed}
		for _, want := range []inbox.MessageStatus{inbox.MessagePending, inbox.MessageSending} {
			if want == inbox.MessageSending {
				must(t, f.store.TransitionMessage(f.ctx, "acctA", c.ID, m.ID, inbox.MessagePending, inbox.MessageSending, now))
			}
			for _, st := range late {
				if update(inbox.DeliveryUpdate{Status: st, ReportedID: "SM-first"}) || status() != want {
					t.Fatalf("a late %s of the retried send moved the %s message to %s", st, want, status())
				}
			}
		}
		if !update(inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "SM-second", ChannelID: c.ChannelID}) {
			t.Fatal("the new send was not recorded")
		}
		for _, st := range late {
			if update(inbox.DeliveryUpdate{Status: st, ReportedID: "SM-first"}) || status() != inbox.MessageSent {
				t.Fatalf("a late %s of the retried send moved the resent message to %s", st, status())
			}
		}
		if !update(inbox.DeliveryUpdate{Status: inbox.MessageDelivered, ReportedID: "SM-second"}) || status() != inbox.MessageDelivered {
			t.Fatalf("the new send's delivery: %s", status())
		}
	})
}
