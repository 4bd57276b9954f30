package dynamo

import (
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

func TestLastInboundAt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	// FindOrOpenConversation keeps a given LastInboundAt.
	given := newConversation("acctA", "ib1", "ch1", "ct1", base)
	given.LastInboundAt = base
	got, created, err := f.store.FindOrOpenConversation(f.ctx, given)
	must(t, err)
	if !created || !got.LastInboundAt.Equal(base) {
		t.Fatalf("FindOrOpen = %+v, %v", got, created)
	}
	stored, err := f.store.GetConversation(f.ctx, "acctA", given.ID)
	must(t, err)
	if !stored.LastInboundAt.Equal(base) {
		t.Errorf("stored LastInboundAt = %v", stored.LastInboundAt)
	}

	c := f.conversation("acctA", "ib1", base)
	if !c.LastInboundAt.IsZero() {
		t.Fatalf("new LastInboundAt = %v", c.LastInboundAt)
	}
	if _, ok := f.raw(convPK("acctA", c.ID), skConv)["lastInboundAt"]; ok {
		t.Error("lastInboundAt stored before any inbound message")
	}
	f.append(c, newMessage(inbox.DirectionOut, "hi", base.Add(time.Minute), inbox.MessagePending), "")
	stored, err = f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if !stored.LastInboundAt.IsZero() {
		t.Errorf("after outbound: LastInboundAt = %v", stored.LastInboundAt)
	}
	in := base.Add(2 * time.Minute)
	f.append(c, newMessage(inbox.DirectionIn, "hello", in, inbox.MessageReceived), "mid.1")
	out := base.Add(3 * time.Minute)
	f.append(c, newMessage(inbox.DirectionOut, "reply", out, inbox.MessagePending), "")
	stored, err = f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if !stored.LastInboundAt.Equal(in) || !stored.LastMessageAt.Equal(out) || stored.Version != 4 {
		t.Errorf("after in and out: %+v", stored)
	}
	list, _, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{InboxID: "ib1"})
	must(t, err)
	for _, l := range list {
		if l.ID == c.ID && !l.LastInboundAt.Equal(in) {
			t.Errorf("listed LastInboundAt = %v", l.LastInboundAt)
		}
	}
}

func TestFindOpenConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.store.FindOpenConversation(f.ctx, "acctA", "ib1", "ct1")
	wantCode(t, err, inbox.ENotFound)

	c, _, err := f.store.FindOrOpenConversation(f.ctx, newConversation("acctA", "ib1", "ch1", "ct1", base))
	must(t, err)
	got, err := f.store.FindOpenConversation(f.ctx, "acctA", "ib1", "ct1")
	must(t, err)
	if got.ID != c.ID || got.Status != inbox.StatusOpen {
		t.Errorf("FindOpenConversation = %+v", got)
	}
	for name, k := range map[string][3]string{
		"other account": {"acctB", "ib1", "ct1"},
		"other inbox":   {"acctA", "ib2", "ct1"},
		"other contact": {"acctA", "ib1", "ct2"},
	} {
		_, err := f.store.FindOpenConversation(f.ctx, k[0], k[1], k[2])
		if inbox.ErrorCodeOf(err) != inbox.ENotFound {
			t.Errorf("%s: error = %v, want not found", name, err)
		}
	}
	_, err = f.store.FindOpenConversation(f.ctx, "acctA", "ib#1", "ct1")
	wantCode(t, err, inbox.EInvalid)

	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
	must(t, err)
	_, err = f.store.FindOpenConversation(f.ctx, "acctA", "ib1", "ct1")
	wantCode(t, err, inbox.ENotFound)
	_, err = f.store.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusOpen)
	must(t, err)
	got, err = f.store.FindOpenConversation(f.ctx, "acctA", "ib1", "ct1")
	must(t, err)
	if got.ID != c.ID {
		t.Errorf("after reopen = %+v", got)
	}
}

func TestMessageMetaFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	thumbs, removed := "👍", ""

	postback := newMessage(inbox.DirectionIn, "Get started", base.Add(time.Second), inbox.MessageReceived)
	postback.Payload = "GET_STARTED"
	postback.ReplyTo = "mid.0"
	reaction := newMessage(inbox.DirectionIn, "", base.Add(2*time.Second), inbox.MessageReceived)
	reaction.Reaction, reaction.ReplyTo = &thumbs, "mid.0"
	unreact := newMessage(inbox.DirectionIn, "", base.Add(3*time.Second), inbox.MessageReceived)
	unreact.Reaction, unreact.ReplyTo = &removed, "mid.0"
	tmpl := newMessage(inbox.DirectionOut, "", base.Add(4*time.Second), inbox.MessagePending)
	tmpl.Template = &inbox.Template{Name: "order_update", Language: "en_US", Parameters: []string{"Ada", "#42"}}
	bare := newMessage(inbox.DirectionOut, "", base.Add(5*time.Second), inbox.MessagePending)
	bare.Template = &inbox.Template{Name: "hello_world", Language: "en_US"}
	media := newMessage(inbox.DirectionIn, "", base.Add(6*time.Second), inbox.MessageReceived)
	media.Attachments = []inbox.Attachment{
		{
			Type: inbox.AttachImage, URL: "https://cdn/x.jpg", ContentType: "image/jpeg", MediaID: "m1",
			Name: "x.jpg", Caption: "look", MediaStatus: inbox.MediaStored, StorageKey: "acctA/x.jpg",
		},
		{Type: inbox.AttachLocation, Name: "Office", Caption: "1 Main St", Latitude: 48.8566, Longitude: -2.3522},
		{Type: inbox.AttachContacts, Data: `[{"name":"Bob"}]`},
		{Type: inbox.AttachAudio, MediaID: "m2", MediaStatus: inbox.MediaFailed, MediaError: "expired"},
	}
	plain := newMessage(inbox.DirectionIn, "plain", base.Add(7*time.Second), inbox.MessageReceived)

	want := []inbox.Message{postback, reaction, unreact, tmpl, bare, media, plain}
	for i := range want {
		want[i] = f.append(c, want[i], "")
	}
	list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
	must(t, err)
	if len(list) != len(want) {
		t.Fatalf("ListMessages = %d messages", len(list))
	}
	for i := range want {
		if !sameMessage(list[i], want[i]) {
			t.Errorf("message %d = %+v, want %+v", i, list[i], want[i])
		}
		got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, want[i].ID)
		must(t, err)
		if !sameMessage(got, want[i]) {
			t.Errorf("GetMessage %d = %+v, want %+v", i, got, want[i])
		}
	}
	if list[2].Reaction == nil || *list[2].Reaction != "" {
		t.Errorf("removed reaction = %v, want pointer to \"\"", list[2].Reaction)
	}
	if list[6].Reaction != nil || list[6].Template != nil {
		t.Errorf("plain message = %+v", list[6])
	}
}

func TestApplyWatermark(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	out := func(min int, st inbox.MessageStatus) inbox.Message {
		return f.append(c, newMessage(inbox.DirectionOut, "out", at(min), st), "")
	}
	sent := out(1, inbox.MessageSent)
	delivered := out(2, inbox.MessageDelivered)
	failed := out(3, inbox.MessageFailed)
	undelivered := out(4, inbox.MessageUndelivered)
	inbound := f.append(c, newMessage(inbox.DirectionIn, "in", at(5), inbox.MessageReceived), "")
	pending := out(6, inbox.MessagePending)
	sending := out(7, inbox.MessageSending)
	edge := out(8, inbox.MessageSent) // created exactly at the watermark
	later := out(9, inbox.MessageSent)
	watermark := at(8)
	now := at(30)

	status := func() map[string]inbox.MessageStatus {
		list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
		must(t, err)
		m := map[string]inbox.MessageStatus{}
		for _, msg := range list {
			m[msg.ID] = msg.Status
		}
		return m
	}
	check := func(step string, want map[string]inbox.MessageStatus) {
		t.Helper()
		got := status()
		for id, st := range want {
			if got[id] != st {
				t.Errorf("%s: message %s = %s, want %s", step, id, got[id], st)
			}
		}
	}

	n, err := f.store.ApplyWatermark(f.ctx, "acctA", c.ID, inbox.MessageDelivered, watermark, now)
	must(t, err)
	if n != 2 {
		t.Errorf("delivered watermark changed %d messages, want 2", n)
	}
	check("delivered", map[string]inbox.MessageStatus{
		sent.ID: inbox.MessageDelivered, delivered.ID: inbox.MessageDelivered, failed.ID: inbox.MessageFailed,
		undelivered.ID: inbox.MessageUndelivered, inbound.ID: inbox.MessageReceived,
		pending.ID: inbox.MessagePending, sending.ID: inbox.MessageSending, edge.ID: inbox.MessageDelivered,
		later.ID: inbox.MessageSent,
	})
	got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, sent.ID)
	must(t, err)
	if !got.UpdatedAt.Equal(now) {
		t.Errorf("UpdatedAt = %v, want %v", got.UpdatedAt, now)
	}

	n, err = f.store.ApplyWatermark(f.ctx, "acctA", c.ID, inbox.MessageRead, watermark, now)
	must(t, err)
	if n != 3 {
		t.Errorf("read watermark changed %d messages, want 3", n)
	}
	// A late delivery watermark never moves read messages back.
	n, err = f.store.ApplyWatermark(f.ctx, "acctA", c.ID, inbox.MessageDelivered, at(9), now)
	must(t, err)
	if n != 1 {
		t.Errorf("late delivered watermark changed %d messages, want 1 (the later one)", n)
	}
	check("read", map[string]inbox.MessageStatus{
		sent.ID: inbox.MessageRead, delivered.ID: inbox.MessageRead, edge.ID: inbox.MessageRead,
		later.ID: inbox.MessageDelivered, failed.ID: inbox.MessageFailed, pending.ID: inbox.MessagePending,
	})

	t.Run("errors", func(t *testing.T) {
		_, err := f.store.ApplyWatermark(f.ctx, "acctB", c.ID, inbox.MessageRead, watermark, now)
		wantCode(t, err, inbox.ENotFound)
		_, err = f.store.ApplyWatermark(f.ctx, "acctA", inbox.NewID(), inbox.MessageRead, watermark, now)
		wantCode(t, err, inbox.ENotFound)
		for _, st := range []inbox.MessageStatus{inbox.MessageSent, inbox.MessageFailed, inbox.MessageReceived, ""} {
			_, err = f.store.ApplyWatermark(f.ctx, "acctA", c.ID, st, watermark, now)
			wantCode(t, err, inbox.EInvalid)
		}
		_, err = f.store.ApplyWatermark(f.ctx, "acctA", c.ID, inbox.MessageRead, time.Time{}, now)
		wantCode(t, err, inbox.EInvalid)
		_, err = f.store.ApplyWatermark(f.ctx, "acctA", "x#y", inbox.MessageRead, watermark, now)
		wantCode(t, err, inbox.EInvalid)
	})
}

func TestApplyWatermarkConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	var msgs []inbox.Message
	for i := range 10 {
		msgs = append(msgs, f.append(c, newMessage(inbox.DirectionOut, "out", base.Add(time.Duration(i+1)*time.Second), inbox.MessageSent), ""))
	}
	watermark := base.Add(time.Minute)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range 6 {
		wg.Go(func() {
			st := inbox.MessageDelivered
			if i%2 == 1 {
				st = inbox.MessageRead
			}
			_, errs[i] = f.store.ApplyWatermark(f.ctx, "acctA", c.ID, st, watermark, base.Add(time.Hour))
		})
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
	must(t, err)
	for _, m := range list {
		if m.Status != inbox.MessageRead {
			t.Errorf("message %s = %s, want read", m.ID, m.Status)
		}
	}
}

func TestSetAttachmentMedia(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	m := newMessage(inbox.DirectionIn, "", base.Add(time.Minute), inbox.MessageReceived)
	m.Attachments = []inbox.Attachment{
		{Type: inbox.AttachImage, MediaID: "m1", MediaStatus: inbox.MediaPending},
		{Type: inbox.AttachVideo, MediaID: "m2", MediaStatus: inbox.MediaPending, Caption: "clip"},
	}
	m = f.append(c, m, "wamid.9")
	noAtt := f.append(c, newMessage(inbox.DirectionIn, "text", base.Add(2*time.Minute), inbox.MessageReceived), "")

	stored := m.Attachments[1]
	stored.MediaStatus, stored.StorageKey, stored.ContentType = inbox.MediaStored, "media/acctA/m2.mp4", "video/mp4"
	must(t, f.store.SetAttachmentMedia(f.ctx, "acctA", c.ID, m.ID, 1, stored))
	failed := m.Attachments[0]
	failed.MediaStatus, failed.MediaError = inbox.MediaFailed, "media expired"
	must(t, f.store.SetAttachmentMedia(f.ctx, "acctA", c.ID, m.ID, 0, failed))

	got, err := f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
	must(t, err)
	want := m
	want.Attachments = []inbox.Attachment{failed, stored}
	if !sameMessage(got, want) {
		t.Errorf("GetMessage = %+v, want %+v", got, want)
	}

	for name, call := range map[string]struct {
		acct, msgID string
		index       int
		code        inbox.ErrorCode
	}{
		"index past the end":  {"acctA", m.ID, 2, inbox.EInvalid},
		"negative index":      {"acctA", m.ID, -1, inbox.EInvalid},
		"no attachments":      {"acctA", noAtt.ID, 0, inbox.EInvalid},
		"missing message":     {"acctA", inbox.MessageID(base, "zz"), 0, inbox.ENotFound},
		"other account":       {"acctB", m.ID, 0, inbox.ENotFound},
		"separator in the id": {"acctA", "a#b", 0, inbox.EInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			wantCode(t, f.store.SetAttachmentMedia(f.ctx, call.acct, c.ID, call.msgID, call.index, stored), call.code)
		})
	}
	got, err = f.store.GetMessage(f.ctx, "acctA", c.ID, m.ID)
	must(t, err)
	if !sameMessage(got, want) {
		t.Errorf("after refused calls = %+v", got)
	}
	if _, err := f.store.GetMessage(f.ctx, "acctB", c.ID, m.ID); !inbox.IsCode(err, inbox.ENotFound) {
		t.Errorf("acctB GetMessage error = %v", err)
	}
}

// TestMetaCrossAccountIsolation checks that account B reaches nothing of account A's through the
// methods added for Meta channels, even knowing A's ids and provider keys.
func TestMetaCrossAccountIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ch := f.messengerChannel("acctA", ib.ID, "page77")
	conv := newConversation("acctA", ib.ID, ch.ID, "ct77", base)
	conv, _, err := f.store.FindOrOpenConversation(f.ctx, conv)
	must(t, err)
	m := newMessage(inbox.DirectionOut, "reply", base.Add(time.Minute), inbox.MessageSent)
	m.Attachments = []inbox.Attachment{{Type: inbox.AttachImage, MediaStatus: inbox.MediaPending}}
	m = f.append(conv, m, "mid.77")
	const b = "acctB"

	foreign := ch
	foreign.AccountID, foreign.Name = b, "Hijacked"
	notFound := map[string]func() error{
		"UpdateChannel": func() error { return f.store.UpdateChannel(f.ctx, foreign) },
		"DeleteChannel": func() error { return f.store.DeleteChannel(f.ctx, b, ch.ID) },
		"FindOpenConversation": func() error {
			_, err := f.store.FindOpenConversation(f.ctx, b, ib.ID, conv.ContactID)
			return err
		},
		"ApplyWatermark": func() error {
			_, err := f.store.ApplyWatermark(f.ctx, b, conv.ID, inbox.MessageRead, base.Add(time.Hour), base)
			return err
		},
		"SetAttachmentMedia": func() error {
			return f.store.SetAttachmentMedia(f.ctx, b, conv.ID, m.ID, 0, inbox.Attachment{MediaStatus: inbox.MediaStored})
		},
	}
	for name, call := range notFound {
		t.Run(name, func(t *testing.T) {
			wantCode(t, call(), inbox.ENotFound)
		})
	}
	// B's contact with A's page-scoped id is B's own.
	bc, created, err := f.store.UpsertContact(f.ctx, inbox.Contact{AccountID: b, ID: inbox.NewID(), PSID: "page77:u1", Name: "B"})
	must(t, err)
	ac, _, err := f.store.UpsertContact(f.ctx, inbox.Contact{AccountID: "acctA", ID: inbox.NewID(), PSID: "page77:u1"})
	must(t, err)
	if !created || bc.ID == ac.ID || ac.Name != "" {
		t.Errorf("contacts: B %+v (created %v), A %+v", bc, created, ac)
	}

	// A's data is untouched.
	gotCh, err := f.store.GetChannel(f.ctx, "acctA", ch.ID)
	must(t, err)
	sameChannel(t, "channel", gotCh, ch)
	got, err := f.store.GetMessage(f.ctx, "acctA", conv.ID, m.ID)
	must(t, err)
	if !sameMessage(got, m) {
		t.Errorf("message changed: %+v", got)
	}
}

// A message that arrives late (a provider's retry or reordering) is stored in its place but does
// not move the conversation's last activity, preview or last inbound time backwards.
func TestAppendMessageNeverRewindsTheConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acct-late")
	c := inbox.Conversation{AccountID: "acct-late", ID: inbox.NewID(), InboxID: ib.ID, ChannelID: "ch", ChannelType: inbox.ChannelWhatsApp,
		ContactID: "ct", Status: inbox.StatusOpen, LastMessageAt: base, CreatedAt: base}
	c, _, err := f.store.FindOrOpenConversation(f.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	msg := func(at time.Time, dir inbox.Direction, text string) inbox.Message {
		return inbox.Message{ID: inbox.MessageID(at, inbox.NewID()), Direction: dir, Text: text, CreatedAt: at, UpdatedAt: at, Status: inbox.MessageReceived}
	}
	steps := []struct {
		m                     inbox.Message
		wantLast, wantInbound time.Time
		wantPreview           string
	}{
		{msg(base.Add(2*time.Hour), inbox.DirectionIn, "newest"), base.Add(2 * time.Hour), base.Add(2 * time.Hour), "newest"},
		{msg(base.Add(time.Hour), inbox.DirectionIn, "late"), base.Add(2 * time.Hour), base.Add(2 * time.Hour), "newest"},
		{msg(base.Add(3*time.Hour), inbox.DirectionOut, "reply"), base.Add(3 * time.Hour), base.Add(2 * time.Hour), "reply"},
		// Older than the reply but newer than the last inbound: only the window moves.
		{msg(base.Add(150*time.Minute), inbox.DirectionIn, "in between"), base.Add(3 * time.Hour), base.Add(150 * time.Minute), "reply"},
	}
	for i, st := range steps {
		ok, err := f.store.AppendMessage(f.ctx, c, st.m, "wamid.late"+inbox.NewID())
		if err != nil || !ok {
			t.Fatalf("step %d: AppendMessage = %v, %v", i, ok, err)
		}
		got, err := f.store.GetConversation(f.ctx, "acct-late", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.LastMessageAt.Equal(st.wantLast) || !got.LastInboundAt.Equal(st.wantInbound) || got.Preview != st.wantPreview {
			t.Fatalf("step %d: last %v inbound %v preview %q; want %v %v %q", i, got.LastMessageAt, got.LastInboundAt, got.Preview, st.wantLast, st.wantInbound, st.wantPreview)
		}
	}
	ms, err := f.store.ListMessages(f.ctx, "acct-late", c.ID)
	if err != nil || len(ms) != 4 || ms[0].Text != "late" {
		t.Fatalf("messages = %v, %v", ms, err)
	}
}
