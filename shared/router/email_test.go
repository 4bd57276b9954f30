package router_test

import (
	"slices"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

const teamAddress = "support@example.com"

// emailFixture adds a team email channel to the router fixture.
func emailFixture(t *testing.T) (*fixture, inbox.Channel) {
	t.Helper()
	f := newFixture(t)
	ch := inbox.Channel{
		AccountID: acct, ID: "email1", InboxID: f.inbox.ID, Type: inbox.ChannelEmail, Name: "Support",
		ProviderKey: teamAddress, Email: &inbox.EmailConfig{Address: teamAddress, FromNameMode: inbox.FromNameCompany,
			CompanyName: "Example", ForwardedToOriginalSender: true},
		CreatedAt: base,
	}
	must(t, f.store.CreateChannel(f.ctx, ch))
	return f, ch
}

func mailEnvelope(ch inbox.Channel, id, from, subject string, at time.Time, edit func(*inbox.Envelope)) inbox.Envelope {
	env := inbox.Envelope{
		V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: ch.AccountID, ChannelID: ch.ID, ChannelType: ch.Type,
		ProviderMessageID: id, From: inbox.Sender{Email: from, Name: "Søren"}, To: teamAddress,
		Subject: subject, Text: "hello", ReceivedAt: at,
	}
	if edit != nil {
		edit(&env)
	}
	return env
}

func (f *fixture) convOf(t *testing.T, chID, providerID string) inbox.Conversation {
	t.Helper()
	convID, _, err := f.store.ProviderMessage(f.ctx, acct, chID, providerID)
	must(t, err)
	c, err := f.store.GetConversation(f.ctx, acct, convID)
	must(t, err)
	return c
}

// Threads hold: In-Reply-To, a References chain without In-Reply-To (Outlook), and the reply
// token all join the conversation, scoped to its contact; a new subject from the same person
// opens a new conversation.
func TestEmailThreads(t *testing.T) {
	t.Parallel()
	f, ch := emailFixture(t)
	f.handle(t, mailEnvelope(ch, "first@customer.example", "soren@customer.example", "Order 17", base, nil))
	first := f.convOf(t, ch.ID, "first@customer.example")
	if first.Subject != "Order 17" || first.ContactEmail != "soren@customer.example" || first.Status != inbox.StatusOpen {
		t.Fatalf("first conversation = %+v", first)
	}
	cases := []struct {
		name string
		edit func(*inbox.Envelope)
		same bool
	}{
		{"in-reply-to", func(e *inbox.Envelope) { e.InReplyTo = []string{"first@customer.example"} }, true},
		{"outlook references only", func(e *inbox.Envelope) {
			e.References = []string{"first@customer.example", "unknown@elsewhere.example"}
		}, true},
		{"reply token", func(e *inbox.Envelope) { e.ReplyToken = first.ID }, true},
		{"new subject", nil, false},
	}
	for i, tc := range cases {
		id := "reply" + string(rune('a'+i)) + "@customer.example"
		f.handle(t, mailEnvelope(ch, id, "soren@customer.example", "Re: Order 17", base.Add(time.Duration(i+1)*time.Minute), tc.edit))
		if got := f.convOf(t, ch.ID, id); (got.ID == first.ID) != tc.same {
			t.Errorf("%s: conversation %s, first %s, want same=%v", tc.name, got.ID, first.ID, tc.same)
		}
	}
	// Another sender quoting the thread does not join it.
	f.handle(t, mailEnvelope(ch, "intruder@other.example", "eve@other.example", "Re: Order 17", base.Add(time.Hour), func(e *inbox.Envelope) {
		e.InReplyTo = []string{"first@customer.example"}
	}))
	if got := f.convOf(t, ch.ID, "intruder@other.example"); got.ID == first.ID {
		t.Error("another contact's mail joined the thread")
	}
}

// A reply to a closed thread reopens it; an auto-reply joins without reopening, and outside any
// thread is dropped; spam is stored in a conversation of status spam; a bounce fails the reply
// it refers to.
func TestEmailAutomaticMailAndSpam(t *testing.T) {
	t.Parallel()
	f, ch := emailFixture(t)
	f.handle(t, mailEnvelope(ch, "a1@customer.example", "soren@customer.example", "Invoice", base, nil))
	conv := f.convOf(t, ch.ID, "a1@customer.example")
	_, err := f.store.SetStatus(f.ctx, acct, conv.ID, inbox.StatusClosed)
	must(t, err)

	f.handle(t, mailEnvelope(ch, "auto1@customer.example", "soren@customer.example", "Out of office", base.Add(time.Minute), func(e *inbox.Envelope) {
		e.InReplyTo = []string{"a1@customer.example"}
		e.Flags = []string{inbox.FlagAutoReply}
	}))
	if c := f.convOf(t, ch.ID, "auto1@customer.example"); c.ID != conv.ID || c.Status != inbox.StatusClosed {
		t.Fatalf("auto-reply: %+v, want it in the closed thread", c)
	}
	f.handle(t, mailEnvelope(ch, "auto2@customer.example", "soren@customer.example", "Out of office", base.Add(2*time.Minute), func(e *inbox.Envelope) {
		e.Flags = []string{inbox.FlagAutoReply}
	}))
	if _, _, err := f.store.ProviderMessage(f.ctx, acct, ch.ID, "auto2@customer.example"); !inbox.IsCode(err, inbox.ENotFound) {
		t.Fatalf("an auto-reply outside any thread was stored (%v)", err)
	}
	f.handle(t, mailEnvelope(ch, "a2@customer.example", "soren@customer.example", "Re: Invoice", base.Add(3*time.Minute), func(e *inbox.Envelope) {
		e.InReplyTo = []string{"a1@customer.example"}
	}))
	if c := f.convOf(t, ch.ID, "a2@customer.example"); c.ID != conv.ID || c.Status != inbox.StatusOpen {
		t.Fatalf("customer reply: %+v, want the thread reopened", c)
	}

	f.handle(t, mailEnvelope(ch, "spam1@spam.example", "win@spam.example", "You won", base.Add(4*time.Minute), func(e *inbox.Envelope) {
		e.Flags = []string{inbox.FlagSpam}
	}))
	if c := f.convOf(t, ch.ID, "spam1@spam.example"); c.Status != inbox.StatusSpam {
		t.Fatalf("spam conversation status = %q", c.Status)
	}
	open, _, err := f.store.ListConversations(f.ctx, acct, inbox.ConversationFilter{Limit: 100})
	must(t, err)
	for _, c := range open {
		if c.ContactEmail == "win@spam.example" {
			t.Fatal("spam is listed with open conversations")
		}
	}

	// Our reply, then its bounce.
	reply := inbox.Message{AccountID: acct, ConversationID: conv.ID, ID: inbox.MessageID(base.Add(5*time.Minute), "reply001"),
		Direction: inbox.DirectionOut, Text: "Paid", CreatedAt: base.Add(5 * time.Minute), UpdatedAt: base.Add(5 * time.Minute), Status: inbox.MessagePending}
	conv, err = f.store.GetConversation(f.ctx, acct, conv.ID)
	must(t, err)
	_, err = f.store.AppendMessage(f.ctx, conv, reply, "")
	must(t, err)
	_, _, err = f.store.UpdateDelivery(f.ctx, acct, conv.ID, reply.ID, inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "ours1@example.com"}, now)
	must(t, err)
	f.handle(t, mailEnvelope(ch, "dsn1@mx.example", "mailer-daemon@mx.example", "Undelivered Mail Returned to Sender", base.Add(6*time.Minute), func(e *inbox.Envelope) {
		e.InReplyTo = []string{"ours1@example.com"}
		e.Flags = []string{inbox.FlagBounce}
	}))
	m, err := f.store.GetMessage(f.ctx, acct, conv.ID, reply.ID)
	must(t, err)
	if m.Status != inbox.MessageFailed || m.Error == nil || m.Error.Code != "bounce" {
		t.Fatalf("bounced reply = %+v", m)
	}
}

// Mail whose sender SES could not authenticate never reaches the verified contact of its From
// address: it quotes the customer's thread (In-Reply-To, References, the reply token) and still
// opens a conversation of its own, flagged, under the unverified contact of that address; a
// forged bounce fails nothing; with a DMARC policy of quarantine or reject it is held as spam.
// The unverified contact's own threads hold, and the customer's verified mail never joins them.
func TestEmailUnverifiedSenderNeverJoinsTheContact(t *testing.T) {
	t.Parallel()
	f, ch := emailFixture(t)
	const customer = "soren@customer.example"
	f.handle(t, mailEnvelope(ch, "v1@customer.example", customer, "Order 17", base, nil))
	verified := f.convOf(t, ch.ID, "v1@customer.example")
	reply := inbox.Message{AccountID: acct, ConversationID: verified.ID, ID: inbox.MessageID(base.Add(time.Minute), "reply001"),
		Direction: inbox.DirectionOut, Text: "On its way", CreatedAt: base.Add(time.Minute), UpdatedAt: base.Add(time.Minute), Status: inbox.MessagePending}
	_, err := f.store.AppendMessage(f.ctx, verified, reply, "")
	must(t, err)
	_, _, err = f.store.UpdateDelivery(f.ctx, acct, verified.ID, reply.ID, inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "ours1@example.com"}, now)
	must(t, err)

	unverified := func(e *inbox.Envelope) {
		e.InReplyTo = []string{"ours1@example.com"}
		e.References = []string{"v1@customer.example", "ours1@example.com"}
		e.ReplyToken = verified.ID
		e.Flags = []string{inbox.FlagUnverifiedSender}
	}
	f.handle(t, mailEnvelope(ch, "forged1@attacker.example", customer, "Re: Order 17", base.Add(2*time.Minute), unverified))
	forged := f.convOf(t, ch.ID, "forged1@attacker.example")
	if forged.ID == verified.ID || forged.ContactID == verified.ContactID {
		t.Fatalf("forged mail joined the customer: conversation %s (verified %s), contact %s (verified %s)", forged.ID, verified.ID, forged.ContactID, verified.ContactID)
	}
	if !forged.UnverifiedSender || forged.Status != inbox.StatusOpen || forged.ContactEmail != customer {
		t.Fatalf("forged conversation = %+v, want open, unverifiedSender, contact email %s", forged, customer)
	}
	contact, err := f.store.GetContact(f.ctx, acct, forged.ContactID)
	must(t, err)
	if !contact.Unverified || contact.Email != customer {
		t.Fatalf("unverified contact = %+v", contact)
	}
	if real, err := f.store.GetContact(f.ctx, acct, verified.ContactID); err != nil || real.Unverified {
		t.Fatalf("verified contact = %+v, %v", real, err)
	}
	msgs, err := f.store.ListMessages(f.ctx, acct, forged.ID)
	must(t, err)
	if len(msgs) != 1 || !slices.Contains(msgs[0].Flags, inbox.FlagUnverifiedSender) {
		t.Fatalf("forged messages = %+v", msgs)
	}

	// A forged bounce of our reply: no failure, nothing filed in the customer's thread.
	f.handle(t, mailEnvelope(ch, "dsn-forged@attacker.example", "mailer-daemon@customer.example", "Undelivered", base.Add(3*time.Minute), func(e *inbox.Envelope) {
		e.InReplyTo = []string{"ours1@example.com"}
		e.Flags = []string{inbox.FlagAutoReply, inbox.FlagBounce, inbox.FlagUnverifiedSender}
	}))
	if m, err := f.store.GetMessage(f.ctx, acct, verified.ID, reply.ID); err != nil || m.Status != inbox.MessageSent {
		t.Fatalf("our reply after a forged bounce = %+v, %v", m, err)
	}

	// Unverified mail answering the unverified conversation joins it; the customer's verified
	// answer to it does not.
	f.handle(t, mailEnvelope(ch, "forged2@attacker.example", customer, "Re: Order 17", base.Add(4*time.Minute), func(e *inbox.Envelope) {
		e.InReplyTo = []string{"forged1@attacker.example"}
		e.Flags = []string{inbox.FlagUnverifiedSender}
	}))
	if c := f.convOf(t, ch.ID, "forged2@attacker.example"); c.ID != forged.ID {
		t.Errorf("unverified reply went to %s, want the unverified thread %s", c.ID, forged.ID)
	}
	f.handle(t, mailEnvelope(ch, "v2@customer.example", customer, "Re: Order 17", base.Add(5*time.Minute), func(e *inbox.Envelope) {
		e.InReplyTo = []string{"forged1@attacker.example"}
	}))
	if c := f.convOf(t, ch.ID, "v2@customer.example"); c.ID == forged.ID || c.ContactID != verified.ContactID || c.UnverifiedSender {
		t.Errorf("verified answer = %+v, want a conversation of the verified contact", c)
	}

	// The sender's domain asks for quarantine: held as spam, still apart from the customer.
	f.handle(t, mailEnvelope(ch, "forged3@attacker.example", customer, "Re: Order 17", base.Add(6*time.Minute), func(e *inbox.Envelope) {
		unverified(e)
		e.Flags = append(e.Flags, inbox.FlagDMARCQuarantine)
	}))
	if c := f.convOf(t, ch.ID, "forged3@attacker.example"); c.Status != inbox.StatusSpam || c.ContactID == verified.ContactID || !c.UnverifiedSender {
		t.Errorf("quarantined mail = %+v, want a spam conversation of the unverified contact", c)
	}
}
