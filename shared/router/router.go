// Package router turns inbound envelopes into stored conversations: it upserts the contact,
// finds the contact's open conversation in the channel's inbox or opens one, stores the message
// exactly once, and applies providers' delivery reports to outbound messages. A customer
// writing again shortly after their conversation was closed reopens it (ReopenWindow); email
// replies reopen their thread. With an Assigner, conversations are then routed by the
// channel's rules.
//
// Every step is idempotent, so an SQS redelivery or a platform retry that slipped past the FIFO
// deduplication window stores nothing twice.
package router

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/inbox"
)

// Store is what the router needs from the database.
type Store interface {
	GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error)
	ProviderMessage(ctx context.Context, acct, channelID, providerID string) (string, string, error)
	GetMessage(ctx context.Context, acct, convID, msgID string) (inbox.Message, error)
	UpsertContact(ctx context.Context, c inbox.Contact) (inbox.Contact, bool, error)
	CreateContact(ctx context.Context, c inbox.Contact, open inbox.OpenHint) (inbox.Contact, bool, error)
	FindOrOpenConversation(ctx context.Context, c inbox.Conversation) (inbox.Conversation, bool, error)
	OpenConversation(ctx context.Context, c inbox.Conversation, hint inbox.OpenHint) (inbox.Conversation, bool, error)
	OpenConversationToRoute(ctx context.Context, c inbox.Conversation, hint inbox.OpenHint) (inbox.Conversation, bool, error)
	FindOpenConversation(ctx context.Context, acct, inboxID, contactID string) (inbox.Conversation, error)
	LastClosedConversation(ctx context.Context, acct, inboxID, contactID string) (inbox.Conversation, error)
	GetConversation(ctx context.Context, acct, id string) (inbox.Conversation, error)
	SetStatus(ctx context.Context, acct, convID string, status inbox.ConversationStatus) (inbox.Conversation, error)
	ApplyWatermark(ctx context.Context, acct, convID string, status inbox.MessageStatus, watermark, now time.Time) (int, error)
	AppendMessage(ctx context.Context, conv inbox.Conversation, m inbox.Message, providerID string) (bool, error)
	ListUnrouted(ctx context.Context, acct, convID string) error
	AppendFirstMessage(ctx context.Context, conv inbox.Conversation, m inbox.Message, providerID string) (bool, error)
	InboundState(ctx context.Context, acct, channelID, providerID, inboxID string, c inbox.Contact) (inbox.InboundState, error)
	AppendToOpen(ctx context.Context, acct, convID, channelID string, m inbox.Message, providerID string) (inbox.Conversation, bool, error)
	SetOpenHint(ctx context.Context, acct, inboxID string, c inbox.Contact, convID, channelID string, named bool) error
	UpdateDelivery(ctx context.Context, acct, convID, msgID string, u inbox.DeliveryUpdate, now time.Time) (inbox.Message, bool, error)
	ApplyCall(ctx context.Context, acct, convID, msgID string, ev inbox.CallEvent, now time.Time) (inbox.Message, bool, error)
}

// Publisher sends a body to a queue.
type Publisher interface {
	Publish(ctx context.Context, group, dedup string, body []byte) error
}

// MediaJob asks the media fetcher to copy attachment Index of a stored message into the
// bucket. It travels as JSON on the media queue.
type MediaJob struct {
	V              int    `json:"v"`
	AccountID      string `json:"accountId"`
	ConversationID string `json:"conversationId"`
	MessageID      string `json:"messageId"`
	ChannelID      string `json:"channelId"`
	Index          int    `json:"index"`
}

// Assigner applies a channel's routing rules to a conversation (see shared/assign).
type Assigner interface {
	// Rules returns a channel's routing rules (ENotFound when the channel is gone), from what
	// the assigner keeps while the account's routing configuration is unchanged.
	Rules(ctx context.Context, acct, channelID string) (*inbox.RoutingRules, error)
	Route(ctx context.Context, acct, convID string) error
	RouteConversation(ctx context.Context, ch inbox.Channel, conv inbox.Conversation) error
	Reopen(ctx context.Context, acct string, conv inbox.Conversation) (inbox.Conversation, error)
	// TakeAnswered gives the conversation to the user who answered its customer's call when
	// nobody has it yet.
	TakeAnswered(ctx context.Context, acct, convID, userID string) error
}

// ReopenWindow is how long after its last message a closed conversation is reopened by the
// customer writing again (on every channel but email, whose replies find their thread by
// headers at any age). Past it, the customer's message opens a new conversation: a different
// matter, most likely.
const ReopenWindow = 7 * 24 * time.Hour

// Router processes inbound envelopes.
type Router struct {
	store    Store
	assign   Assigner
	media    Publisher
	outbound Publisher
	now      func() time.Time
	newID    func() string
	log      *slog.Logger
	channels *channelCache
}

// Config is what a Router is built from: its dependencies and settings. Store is required;
// the rest is optional, with the default each field names.
type Config struct {
	Store Store
	// Media, when not nil, receives a MediaJob for every inbound attachment that has provider
	// media to copy.
	Media Publisher
	// Outbound, when not nil, receives the inbox.OutboundJob of the acknowledgement a channel's
	// kind sends when a new conversation opens (channel.Kind.Acknowledge: web forms); nil sends
	// none.
	Outbound Publisher
	// Assigner, when not nil, applies routing rules to the conversations that inbound messages
	// land in (new, reopened, or still unassigned ones).
	Assigner Assigner
	// ChannelCacheTTL, when positive, makes the router keep the channels it reads for that long
	// in memory (a warm Lambda container handles many messages of few channels): a change to a
	// channel's settings reaches the router up to that much later. Routing rules are read for
	// each routing from the assigner (Assigner.Rules), not from here. Zero reads every channel from the store.
	ChannelCacheTTL time.Duration
	Now             func() time.Time // time.Now when nil
	NewID           func() string    // inbox.NewID when nil
	Log             *slog.Logger     // discarded when nil
}

// New returns a Router built from c.
func New(c Config) *Router {
	r := &Router{store: c.Store, media: c.Media, outbound: c.Outbound, assign: c.Assigner, now: c.Now, newID: c.NewID, log: c.Log}
	if r.now == nil {
		r.now = time.Now
	}
	if r.newID == nil {
		r.newID = inbox.NewID
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if c.ChannelCacheTTL > 0 {
		r.channels = newChannelCache(c.ChannelCacheTTL, r.now)
	}
	return r
}

// cachedChannel returns channel id of account acct, from the cache when it has one.
func (r *Router) cachedChannel(ctx context.Context, acct, id string) (inbox.Channel, error) {
	if r.channels == nil {
		return r.store.GetChannel(ctx, acct, id)
	}
	if ch, ok := r.channels.get(acct, id); ok {
		return ch, nil
	}
	ch, err := r.store.GetChannel(ctx, acct, id)
	if err == nil {
		r.channels.put(acct, id, ch)
	}
	return ch, err
}

// route applies the rules to conv when it is open and unassigned. Routing is idempotent, so a
// redelivered message routes again safely (and finishes what a failed attempt left).
func (r *Router) route(ctx context.Context, acct string, conv inbox.Conversation) error {
	return r.routeWith(ctx, acct, conv, nil)
}

// routeWith is route with the channel's rules read already when rules is not nil.
func (r *Router) routeWith(ctx context.Context, acct string, conv inbox.Conversation, rules *rulesRead) error {
	if r.assign == nil || conv.Status != inbox.StatusOpen || conv.AssigneeID != "" {
		return nil
	}
	// The conversation as just written or read, and the channel from the cache: routing reads
	// neither again; the rules come from the assigner, which checks that they are current.
	ch, err := r.cachedChannel(ctx, acct, conv.ChannelID)
	if err == nil {
		if rules != nil {
			ch.Routing = rules.rules
		} else {
			ch.Routing, err = r.assign.Rules(ctx, acct, conv.ChannelID)
		}
	}
	if inbox.IsCode(err, inbox.ENotFound) {
		return nil // disconnected since: no rules apply.
	}
	if err != nil {
		return err
	}
	err = r.assign.RouteConversation(ctx, ch, conv)
	if err != nil && conv.Unrouted {
		// In the unassigned list while the redeliveries retry: a conversation whose routing
		// never succeeds (its message in the dead-letter queue) is still seen by the team.
		if lerr := r.store.ListUnrouted(ctx, acct, conv.ID); lerr != nil {
			r.log.WarnContext(ctx, "could not list a conversation whose routing failed", "account", acct, "conversation", conv.ID, "err", lerr)
		}
	}
	return err
}

// StatusAttempts is how many deliveries a status report gets to find its message. A report may
// overtake the dispatcher's write of the provider id, so a miss is retried; after this many, the
// report is about a message the inbox did not send (another tool on the same number or page)
// and is dropped with a log line instead of filling the dead-letter queue.
const StatusAttempts = 3

// HandleBody decodes a queued envelope and handles it. A body that is not an envelope is an
// EInvalid error marked inbox.Permanent: no retry can parse it, so the queue consumer drops it
// with a log line and a metric instead of cycling it into the dead-letter queue.
func (r *Router) HandleBody(ctx context.Context, body []byte) error {
	return r.HandleRecord(ctx, body, 1)
}

// HandleRecord is HandleBody for the attempt-th delivery of the queued body; see
// StatusAttempts. Errors that no retry can heal are marked inbox.Permanent: EInvalid (a body or
// envelope that can never be understood) and a channel that no longer exists (deleted while
// its messages were queued). Everything else (the store's EUnavailable on throttling or 5xx,
// EInternal, a status that overtook its message) is temporary and retried by the queue.
func (r *Router) HandleRecord(ctx context.Context, body []byte, attempt int) error {
	var env inbox.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return inbox.Permanent(inbox.Wrap(err, inbox.EInvalid, "queued body is not an envelope"))
	}
	err := r.Handle(ctx, env)
	if (env.Kind == inbox.KindStatus || env.Kind == inbox.KindCall) && inbox.IsCode(err, inbox.ENotFound) && attempt >= StatusAttempts {
		r.log.WarnContext(ctx, "status for a message the inbox did not send; dropped",
			"account", env.AccountID, "channel", env.ChannelID, "providerMessageId", env.ProviderMessageID, "attempt", attempt)
		return nil
	}
	if inbox.IsCode(err, inbox.EInvalid) {
		return inbox.Permanent(err)
	}
	return err
}

// channel reads the envelope's channel. A channel that is gone (deleted while its messages were
// queued) is an ENotFound error marked inbox.Permanent: reads are strongly consistent, so it
// will not come back.
func (r *Router) channel(ctx context.Context, env inbox.Envelope) (inbox.Channel, error) {
	ch, err := r.cachedChannel(ctx, env.AccountID, env.ChannelID)
	if inbox.IsCode(err, inbox.ENotFound) {
		return ch, inbox.Permanent(err)
	}
	return ch, err
}

// Handle applies one envelope. It returns nil for duplicates; EInvalid for envelopes it cannot
// understand; ENotFound marked inbox.Permanent when the channel does not exist; ENotFound when
// the message a status is about does not exist (yet); and the store's errors otherwise.
func (r *Router) Handle(ctx context.Context, env inbox.Envelope) error {
	if err := env.Validate(); err != nil {
		return err
	}
	log := r.log.With("account", env.AccountID, "channel", env.ChannelID, "providerMessageId", env.ProviderMessageID, "kind", env.Kind)
	if env.Kind == inbox.KindStatus {
		if !env.Status.Watermark.IsZero() {
			return r.watermark(ctx, log, env)
		}
		return r.status(ctx, log, env)
	}
	if env.Kind == inbox.KindCall {
		return r.call(ctx, log, env)
	}
	return r.message(ctx, log, env)
}

func (r *Router) message(ctx context.Context, log *slog.Logger, env inbox.Envelope) error {
	ch, err := r.channel(ctx, env)
	if inbox.IsCode(err, inbox.ENotFound) {
		// A channel disconnected since: a redelivery of what it stored is still a duplicate.
		if convID, msgID, perr := r.store.ProviderMessage(ctx, env.AccountID, env.ChannelID, env.ProviderMessageID); perr == nil {
			return r.duplicate(ctx, log, env, convID, msgID)
		}
	}
	if err != nil {
		return err
	}
	if env.Kind == inbox.KindEcho && strings.HasPrefix(env.Payload, inbox.EchoMarker) {
		// The echo of one of our own replies, which is already stored: its status is ours to keep.
		log.InfoContext(ctx, "echo of our own reply ignored")
		return nil
	}
	if ch.Type == inbox.ChannelEmail {
		// Email threads by headers: the plain read of the provider marker, then the slow path.
		if convID, msgID, err := r.store.ProviderMessage(ctx, env.AccountID, env.ChannelID, env.ProviderMessageID); err == nil {
			return r.duplicate(ctx, log, env, convID, msgID)
		} else if !inbox.IsCode(err, inbox.ENotFound) {
			return err
		}
		return r.store_(ctx, log, env, ch, inbox.InboundState{})
	}
	// One read (two eventually consistent items) tells a duplicate, the sender and, most of the
	// time, the conversation the message joins.
	st, err := r.store.InboundState(ctx, env.AccountID, env.ChannelID, env.ProviderMessageID, ch.InboxID, r.address(ch, env))
	if err != nil {
		return err
	}
	if st.Duplicate {
		return r.duplicate(ctx, log, env, st.ConversationID, st.MessageID)
	}
	return r.store_(ctx, log, env, ch, st)
}

// duplicate handles a message already stored (as message msgID of conversation convID): it sends
// the media jobs of attachments still pending and routes the conversation again, both of which
// the delivery that stored it may have failed to do.
func (r *Router) duplicate(ctx context.Context, log *slog.Logger, env inbox.Envelope, convID, msgID string) error {
	log.InfoContext(ctx, "duplicate message ignored")
	if err := r.requeueMedia(ctx, env, convID, msgID); err != nil {
		return err
	}
	ack := r.acknowledges(env)
	if (r.assign != nil || ack) && env.Kind == inbox.KindMessage {
		conv, err := r.store.GetConversation(ctx, env.AccountID, convID)
		if err != nil {
			return err
		}
		if conv.Unrouted && r.assign != nil {
			// The delivery that opened it did not finish routing it: list it as unassigned
			// first, so that it shows whatever becomes of this routing (rules changed since,
			// or failing until the dead-letter queue).
			if err := r.store.ListUnrouted(ctx, env.AccountID, conv.ID); err != nil {
				return err
			}
			conv.Unrouted, conv.Version = false, conv.Version+1
		}
		if ack {
			// The delivery that stored the message may have failed before the acknowledgement
			// was queued: queue it (once: its message id is derived from the submission's).
			if err := r.acknowledge(ctx, log, env, conv); err != nil {
				return err
			}
		}
		return r.route(ctx, env.AccountID, conv)
	}
	return nil
}

// acknowledges says whether env's kind of channel may acknowledge a new conversation, so that
// only those pay for looking (the kind's channel settings say whether it does).
func (r *Router) acknowledges(env inbox.Envelope) bool {
	k, ok := channels.Lookup(env.ChannelType)
	return ok && k.Acknowledge != nil && r.outbound != nil
}

// acknowledge sends the acknowledgement of conversation conv, which env opened (each form
// submission opens its own), when the channel's kind has one: an outbound message stored in the
// conversation and queued for dispatch like an agent's reply, so that it goes out the way
// replies do (a form's: by email through the inbox's team email channel, with the reply token
// that threads the customer's answer back). Its id is derived from env's, so a redelivery
// stores nothing twice and queues the same job (dispatch sends a message once).
func (r *Router) acknowledge(ctx context.Context, log *slog.Logger, env inbox.Envelope, conv inbox.Conversation) error {
	if !r.acknowledges(env) || env.Kind != inbox.KindMessage || env.Thread == "" || conv.ThreadKey != inbox.ProviderThreadKey(env.Thread) {
		return nil
	}
	ch, err := r.cachedChannel(ctx, env.AccountID, env.ChannelID)
	if err != nil {
		return err
	}
	k, _ := channels.Lookup(ch.Type)
	// In the submitter's language: the submission's (the page's), else the form's own.
	subject, text, ok := k.Acknowledge(ch, env.From.Language)
	if !ok || conv.ContactEmail == "" && conv.ContactPhone == "" {
		return nil
	}
	at := env.ReceivedAt
	if at.IsZero() {
		at = conv.CreatedAt
	}
	at = at.Add(time.Millisecond) // after the message it acknowledges
	sum := sha256.Sum256([]byte("ack/" + env.ChannelID + "/" + env.ProviderMessageID))
	m := inbox.Message{
		AccountID: env.AccountID, ConversationID: conv.ID, ID: inbox.MessageID(at, hex.EncodeToString(sum[:4])),
		Direction: inbox.DirectionOut, Text: text, Subject: subject, CreatedAt: at, UpdatedAt: r.now(),
		Status: inbox.MessagePending, Flags: []string{inbox.FlagAutoReply},
	}
	if _, err := r.store.AppendMessage(ctx, conv, m, ""); err != nil && !inbox.IsCode(err, inbox.EConflict) {
		return err
	}
	job := inbox.OutboundJob{V: 1, AccountID: env.AccountID, ConversationID: conv.ID, MessageID: m.ID}
	body, _ := json.Marshal(job)
	if err := r.outbound.Publish(ctx, job.GroupKey(), job.DedupKey(), body); err != nil {
		return err
	}
	log.InfoContext(ctx, "acknowledgement queued", "conversation", conv.ID, "messageId", m.ID)
	return nil
}

// messageID is the id of the message stored for env: its time, then a suffix derived from the
// provider's id, so that a redelivery of the same envelope writes the same message (and finds
// it there) rather than a second one.
func (r *Router) messageID(env inbox.Envelope, received time.Time) string {
	if env.ReceivedAt.IsZero() || env.ProviderMessageID == "" {
		return inbox.MessageID(received, r.newID())
	}
	sum := sha256.Sum256([]byte(env.ChannelID + "/" + env.ProviderMessageID))
	return inbox.MessageID(received, hex.EncodeToString(sum[:4]))
}

// store_ stores a message that is not a duplicate: into the open conversation the hint in st
// names, when it is still open; else through the contact and conversation lookups.
func (r *Router) store_(ctx context.Context, log *slog.Logger, env inbox.Envelope, ch inbox.Channel, st inbox.InboundState) error {
	now := r.now()
	received := env.ReceivedAt
	if received.IsZero() {
		received = now
	}
	kind, _ := channels.Lookup(ch.Type)
	byReference := kind.Threads == channel.ThreadByReference
	unverified := slices.Contains(env.Flags, inbox.FlagUnverifiedSender)
	if byReference && slices.Contains(env.Flags, inbox.FlagBounce) && !unverified {
		// A forged bounce never marks our mail failed: unverified ones go the way of any
		// automatic mail of the unverified contact below.
		return r.bounce(ctx, log, env, received)
	}
	msg := inbox.Message{
		AccountID: env.AccountID,
		ID:        r.messageID(env, received),
		Direction: inbox.DirectionIn, Text: env.Text, Attachments: env.Attachments,
		Payload: env.Payload, ReplyTo: env.ReplyTo, Reaction: env.Reaction,
		Subject: env.Subject, HTML: env.HTML, Flags: env.Flags,
		CreatedAt: received, UpdatedAt: now, Status: inbox.MessageReceived,
	}
	if env.Call != nil {
		// The first event of a call logs it: a message that later events update (applyCall).
		call := inbox.NewCall(*env.Call)
		if _, rec := call.Apply(*env.Call); rec != nil {
			msg.Attachments = append(msg.Attachments, *rec)
		}
		call.ChannelID = env.ChannelID
		msg.Call, msg.Text, msg.Direction = &call, call.Summary(), call.Direction
	}
	if env.Kind == inbox.KindEcho {
		// The team wrote from elsewhere (the page's own inbox): an outbound message, already sent.
		msg.Direction, msg.Status = inbox.DirectionOut, inbox.MessageSent
	}
	for i := range msg.Attachments {
		if msg.Attachments[i].MediaID != "" || (msg.Direction == inbox.DirectionIn && msg.Attachments[i].URL != "" && hasMedia(msg.Attachments[i].Type)) {
			msg.Attachments[i].MediaStatus = inbox.MediaPending
		}
	}
	if st.OpenConversationID != "" && env.Thread == "" && (env.From.Name == "" || st.Named) &&
		(env.From.Language == "" || env.From.Language == st.Language) {
		// The common case: the sender's open conversation, known from the hint, and no name or
		// new language to record. The write checks that it is still open.
		msg.ConversationID = st.OpenConversationID
		conv, stored, err := r.store.AppendToOpen(ctx, env.AccountID, st.OpenConversationID, st.OpenChannelID, msg, env.ProviderMessageID)
		if err == nil {
			return r.stored(ctx, log, env, conv, msg, stored, nil)
		}
		if !errors.Is(err, inbox.ErrNotOpen) {
			return err
		}
		// Closed since the hint was written: look the conversation up.
	}
	// A sender the read found no contact for is new: write first, read only on a conflict.
	newSender := st.Checked && st.ContactID == ""
	convID := r.newID()
	var hint inbox.OpenHint
	if newSender && !byReference && env.Thread == "" && ch.Type != inbox.ChannelEmail {
		// The conversation a new contact's message opens (below, under convID) is the one its
		// next message joins: its hint is written with the contact's lookup item, not after.
		hint = inbox.OpenHint{InboxID: ch.InboxID, ConversationID: convID, ChannelID: ch.ID}
	}
	contact, created, err := r.upsertContact(ctx, ch, env, now, newSender, hint)
	if err != nil {
		return err
	}
	fresh := inbox.Conversation{
		AccountID: env.AccountID, ID: convID, InboxID: ch.InboxID, ChannelID: ch.ID,
		ChannelType: ch.Type, ContactID: contact.ID, ContactName: contact.Name,
		ContactPhone: contact.Phone, ContactEmail: contact.Email, Status: inbox.StatusOpen,
		LastMessageAt: received, CreatedAt: now, UnverifiedSender: contact.Unverified,
	}
	// A conversation opened for the message (whichever way below) is written showing it
	// already, so that the message needs no second conversation write (AppendFirstMessage).
	fresh.Preview = msg.Preview()
	if msg.Direction == inbox.DirectionIn {
		fresh.LastInboundAt = received
	}
	var conv inbox.Conversation
	opened := false
	var rules *rulesRead
	if byReference {
		var ok bool
		conv, opened, ok, err = r.emailThread(ctx, log, env, contact, fresh)
		if err != nil || !ok {
			return err
		}
	} else if env.Thread != "" {
		// The provider's thread: one conversation per thread of the contact (custom channels
		// threading by thread id, each form submission), found by its open marker.
		fresh.ThreadKey, fresh.Subject = inbox.ProviderThreadKey(env.Thread), env.Subject
		if conv, opened, err = r.store.FindOrOpenConversation(ctx, fresh); err != nil {
			return err
		}
	} else if created {
		// A new contact has no conversation to join or reopen.
		open := r.store.OpenConversation
		if r.routesAtOnce(env, msg) {
			// The rules are read before the conversation is written (routing would read them
			// just after): when they assign automatically, the conversation is written outside
			// the assignee lists, which its routing puts it in for less than moving it there.
			if rules, err = r.rules(ctx, env.AccountID, ch.ID); err != nil {
				return err
			}
			if rules.rules != nil && rules.rules.AutoAssign {
				open = r.store.OpenConversationToRoute
			}
		}
		// With the hint the contact was created with: its lookup item names the conversation
		// for search, which is then written without an entry in the contact's conversations.
		if conv, opened, err = open(ctx, fresh, hint); err != nil {
			return err
		}
	} else {
		// Before a conversation is reopened or opened for it, a redelivery of a message stored
		// already must be known as one (InboundState's read is eventually consistent).
		if convID, msgID, err := r.store.ProviderMessage(ctx, env.AccountID, env.ChannelID, env.ProviderMessageID); err == nil {
			return r.duplicate(ctx, log, env, convID, msgID)
		} else if !inbox.IsCode(err, inbox.ENotFound) {
			return err
		}
		if conv, opened, err = r.conversation(ctx, fresh, received); err != nil {
			return err
		}
	}
	msg.ConversationID = conv.ID
	scope := conv
	if env.Kind == inbox.KindCall {
		// A call is known by its CallSid on its own (voice) channel, whichever channel's
		// conversation it joined: its later callbacks look it up there.
		scope.ChannelID = env.ChannelID
	}
	var stored bool
	if opened {
		stored, err = r.store.AppendFirstMessage(ctx, scope, msg, env.ProviderMessageID)
	} else {
		stored, err = r.store.AppendMessage(ctx, scope, msg, env.ProviderMessageID)
	}
	if err != nil {
		return err
	}
	hinted := created && hint.ConversationID == conv.ID && conv.ChannelID == hint.ChannelID
	if ch.Type != inbox.ChannelEmail && conv.Status == inbox.StatusOpen && conv.ThreadKey == "" && !hinted {
		// The next message of the contact finds the conversation from InboundState's read
		// (written already when this message created the contact: its hint names conv).
		addr := r.address(ch, env)
		addr.Language = contact.Language
		if err := r.store.SetOpenHint(ctx, env.AccountID, ch.InboxID, addr, conv.ID, conv.ChannelID, contact.Name != ""); err != nil {
			return err
		}
	}
	return r.stored(ctx, log, env, conv, msg, stored, rules)
}

// rulesRead is a channel's routing rules as read (nil: none, or the channel is gone).
type rulesRead struct{ rules *inbox.RoutingRules }

// routesAtOnce says whether the router routes a new conversation for msg right after storing
// it: an inbound message (not a call, whose routing waits for its outcome) with an assigner.
func (r *Router) routesAtOnce(env inbox.Envelope, msg inbox.Message) bool {
	return r.assign != nil && env.Kind == inbox.KindMessage && msg.Direction == inbox.DirectionIn && msg.Call == nil
}

// rules reads the routing rules of channel channelID of account acct; a channel gone has none.
func (r *Router) rules(ctx context.Context, acct, channelID string) (*rulesRead, error) {
	rules, err := r.assign.Rules(ctx, acct, channelID)
	if inbox.IsCode(err, inbox.ENotFound) {
		return &rulesRead{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &rulesRead{rules: rules}, nil
}

// stored finishes an append of msg to conv: media jobs and routing when this delivery stored it;
// when it found the message stored already (a redelivery), what a duplicate gets. rules are the
// channel's rules when read already (nil: routing reads them).
func (r *Router) stored(ctx context.Context, log *slog.Logger, env inbox.Envelope, conv inbox.Conversation, msg inbox.Message, stored bool, rules *rulesRead) error {
	if !stored {
		scope := conv.ChannelID
		if env.Kind == inbox.KindCall {
			scope = env.ChannelID
		}
		convID, msgID, err := r.store.ProviderMessage(ctx, env.AccountID, scope, env.ProviderMessageID)
		if err != nil {
			log.InfoContext(ctx, "duplicate message ignored")
			return nil
		}
		if env.Kind == inbox.KindCall {
			// Another event of the call logged it first: this one updates it.
			return r.applyCall(ctx, log, env, convID, msgID)
		}
		return r.duplicate(ctx, log, env, convID, msgID)
	}
	log.InfoContext(ctx, "message stored", "conversation", conv.ID, "messageId", msg.ID, "direction", msg.Direction)
	if err := r.queueMedia(ctx, env, conv, msg); err != nil {
		return err
	}
	if env.Kind == inbox.KindCall {
		if err := r.takeAnswered(ctx, env, conv.ID, msg); err != nil {
			return err
		}
	}
	if err := r.acknowledge(ctx, log, env, conv); err != nil {
		return err
	}
	if msg.Direction == inbox.DirectionIn && (msg.Call == nil || msg.Call.Status.Missed()) {
		// A call that rings routes nothing yet (its agents are being rung); a missed one does.
		// conv may be as it was before the message (AppendMessage returns no conversation):
		// routing queues it from its latest message.
		if msg.CreatedAt.After(conv.LastMessageAt) {
			conv.LastMessageAt = msg.CreatedAt
		}
		return r.routeWith(ctx, env.AccountID, conv, rules)
	}
	return nil
}

// conversation returns the contact's open conversation in the inbox; else it reopens the one
// closed last when the customer writes within ReopenWindow of its last message; else it opens
// fresh (opened true).
func (r *Router) conversation(ctx context.Context, fresh inbox.Conversation, received time.Time) (conv inbox.Conversation, opened bool, err error) {
	open, err := r.store.FindOpenConversation(ctx, fresh.AccountID, fresh.InboxID, fresh.ContactID)
	if err == nil {
		return open, false, nil
	}
	if !inbox.IsCode(err, inbox.ENotFound) {
		return inbox.Conversation{}, false, err
	}
	last, err := r.store.LastClosedConversation(ctx, fresh.AccountID, fresh.InboxID, fresh.ContactID)
	switch {
	case err == nil && received.Sub(last.LastMessageAt) <= ReopenWindow:
		reopened, err := r.reopen(ctx, last)
		if err == nil {
			return reopened, false, nil
		}
		if !inbox.IsCode(err, inbox.EConflict) {
			return inbox.Conversation{}, false, err
		}
		// Another message of the contact opened a conversation meanwhile: join it below.
	case err != nil && !inbox.IsCode(err, inbox.ENotFound):
		return inbox.Conversation{}, false, err
	}
	return r.store.FindOrOpenConversation(ctx, fresh)
}

// reopen reopens closed conversation conv for its customer: through the assigner, which keeps
// the previous assignee only when still eligible; without one, as it was.
func (r *Router) reopen(ctx context.Context, conv inbox.Conversation) (inbox.Conversation, error) {
	if r.assign != nil {
		return r.assign.Reopen(ctx, conv.AccountID, conv)
	}
	return r.store.SetStatus(ctx, conv.AccountID, conv.ID, inbox.StatusOpen)
}

// emailThread finds the conversation an email belongs to: the one holding any message it
// answers (In-Reply-To, then References from the newest, then the reply token of a
// plus-addressed recipient), when that conversation is of the same contact and channel. A closed
// thread is reopened by a customer's reply. Without a thread, a new subject opens a new
// conversation — except auto-replies and bounces, which never open conversations (ok false:
// dropped), and spam or infected mail, and unverified mail whose domain's DMARC policy asks for
// quarantine, which are stored in a conversation of status spam. opened says whether the
// conversation was opened (as fresh, showing the message) by this call.
//
// Mail of an unverified sender comes with the unverified contact of its address (see
// upsertContact), so it can only ever join that contact's conversations, which are flagged
// too: never a thread of the verified contact, whatever ids it quotes.
func (r *Router) emailThread(ctx context.Context, log *slog.Logger, env inbox.Envelope, contact inbox.Contact, fresh inbox.Conversation) (conv inbox.Conversation, opened, ok bool, err error) {
	automatic := slices.Contains(env.Flags, inbox.FlagAutoReply) || slices.Contains(env.Flags, inbox.FlagBounce)
	spam := slices.Contains(env.Flags, inbox.FlagSpam) || slices.Contains(env.Flags, inbox.FlagVirus) ||
		slices.Contains(env.Flags, inbox.FlagDMARCQuarantine)
	if !spam {
		candidates := append([]string{}, env.InReplyTo...)
		for i := len(env.References) - 1; i >= 0; i-- {
			candidates = append(candidates, env.References[i])
		}
		seen := map[string]bool{}
		for _, id := range candidates {
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			convID, _, err := r.store.ProviderMessage(ctx, env.AccountID, env.ChannelID, id)
			if inbox.IsCode(err, inbox.ENotFound) {
				continue
			}
			if err != nil {
				return inbox.Conversation{}, false, false, err
			}
			conv, ok, err := r.sameThread(ctx, env, contact, convID, automatic)
			if err != nil || ok {
				return conv, false, ok, err
			}
		}
		if env.ReplyToken != "" {
			conv, ok, err := r.sameThread(ctx, env, contact, env.ReplyToken, automatic)
			if err != nil || ok {
				return conv, false, ok, err
			}
		}
	}
	switch {
	case automatic && !spam:
		log.InfoContext(ctx, "automatic mail outside any thread dropped", "flags", env.Flags)
		return inbox.Conversation{}, false, false, nil
	case spam:
		fresh.Status = inbox.StatusSpam
	}
	fresh.Subject = env.Subject
	fresh.ThreadKey = env.ProviderMessageID
	conv, opened, err = r.store.FindOrOpenConversation(ctx, fresh)
	return conv, opened, err == nil, err
}

// sameThread returns conversation convID when it is of the envelope's channel and contact,
// reopening it for a customer's reply (not for automatic mail).
func (r *Router) sameThread(ctx context.Context, env inbox.Envelope, contact inbox.Contact, convID string, automatic bool) (inbox.Conversation, bool, error) {
	conv, err := r.store.GetConversation(ctx, env.AccountID, convID)
	if inbox.IsCode(err, inbox.ENotFound) || inbox.IsCode(err, inbox.EInvalid) {
		return inbox.Conversation{}, false, nil
	}
	if err != nil {
		return inbox.Conversation{}, false, err
	}
	crossChannel := conv.ChannelID != env.ChannelID
	if (crossChannel && !r.answersBy(ctx, conv, env)) || !sameContact(conv, contact, crossChannel) || conv.Status == inbox.StatusSpam ||
		conv.UnverifiedSender != contact.Unverified {
		return inbox.Conversation{}, false, nil
	}
	if conv.Status == inbox.StatusClosed && !automatic {
		reopened, err := r.reopen(ctx, conv)
		switch {
		case err == nil:
			conv = reopened
		case !inbox.IsCode(err, inbox.EConflict):
			return inbox.Conversation{}, false, err
		}
	}
	return conv, true, nil
}

// sameContact reports whether contact, the sender of an email answer, is conv's: the same
// contact, or, for an answer by email to a conversation of a kind that replies by email, the
// contact whose address the reply went to (a chat visitor is a contact of their own, found by
// their visitor id, not by the address they left).
func sameContact(conv inbox.Conversation, contact inbox.Contact, crossChannel bool) bool {
	return conv.ContactID == contact.ID ||
		(crossChannel && contact.Email != "" && strings.EqualFold(conv.ContactEmail, contact.Email))
}

// answersBy reports whether conversation conv, of another channel, takes the customer's email
// answers arriving on env's channel: its kind replies by email (a web form) and env's channel is
// a team email channel of the same inbox.
func (r *Router) answersBy(ctx context.Context, conv inbox.Conversation, env inbox.Envelope) bool {
	k, ok := channels.Lookup(conv.ChannelType)
	if !ok || !k.EmailReplies || env.ChannelType != inbox.ChannelEmail {
		return false
	}
	ch, err := r.channel(ctx, env)
	return err == nil && ch.InboxID == conv.InboxID
}

// bounce files a delivery report (from a mailer daemon, not the customer) into the conversation
// of the mail that bounced, and marks that mail failed. A report about mail the inbox did not
// send is dropped: bounces never open conversations.
func (r *Router) bounce(ctx context.Context, log *slog.Logger, env inbox.Envelope, received time.Time) error {
	for _, id := range env.InReplyTo {
		convID, msgID, err := r.store.ProviderMessage(ctx, env.AccountID, env.ChannelID, id)
		if inbox.IsCode(err, inbox.ENotFound) {
			continue
		}
		if err != nil {
			return err
		}
		conv, err := r.store.GetConversation(ctx, env.AccountID, convID)
		if err != nil {
			return err
		}
		report := inbox.Message{
			AccountID: env.AccountID, ConversationID: conv.ID, ID: inbox.MessageID(received, r.newID()),
			Direction: inbox.DirectionIn, Text: env.Text, Subject: env.Subject, HTML: env.HTML, Flags: env.Flags,
			CreatedAt: received, UpdatedAt: r.now(), Status: inbox.MessageReceived,
		}
		stored, err := r.store.AppendMessage(ctx, conv, report, env.ProviderMessageID)
		if err != nil || !stored {
			return err
		}
		reason := &inbox.ProviderError{Code: "bounce", Message: strings.TrimSpace(env.Subject)}
		if _, _, err := r.store.UpdateDelivery(ctx, env.AccountID, convID, msgID, inbox.DeliveryUpdate{Status: inbox.MessageFailed, Error: reason, ReportedID: id}, r.now()); err != nil && !inbox.IsCode(err, inbox.EInvalid) {
			return err
		}
		log.InfoContext(ctx, "bounce filed", "conversation", conv.ID, "bounced", msgID)
		return nil
	}
	log.InfoContext(ctx, "bounce of mail the inbox did not send dropped")
	return nil
}

// queueMedia asks for a copy of each attachment with provider media. A failure here returns an
// error, so the envelope is retried: the message is already stored (the retry is a duplicate and
// stops early), so the jobs are sent again from the stored message's pending attachments.
func (r *Router) queueMedia(ctx context.Context, env inbox.Envelope, conv inbox.Conversation, msg inbox.Message) error {
	if r.media == nil {
		return nil
	}
	for i, a := range msg.Attachments {
		if a.MediaStatus != inbox.MediaPending {
			continue
		}
		job := MediaJob{V: 1, AccountID: env.AccountID, ConversationID: conv.ID, MessageID: msg.ID, ChannelID: env.ChannelID, Index: i}
		body, _ := json.Marshal(job)
		if err := r.media.Publish(ctx, job.AccountID+"/"+job.ConversationID, job.MessageID+"/"+strconv.Itoa(i), body); err != nil {
			return err
		}
	}
	return nil
}

// requeueMedia sends the media jobs of an already stored message again when some of its
// attachments are still pending: the delivery that stored it may have failed to queue them.
// The fetcher skips what is already stored.
func (r *Router) requeueMedia(ctx context.Context, env inbox.Envelope, convID, msgID string) error {
	if r.media == nil || len(env.Attachments) == 0 {
		return nil
	}
	m, err := r.store.GetMessage(ctx, env.AccountID, convID, msgID)
	if err != nil {
		return err
	}
	return r.queueMedia(ctx, env, inbox.Conversation{ID: convID}, m)
}

func hasMedia(t inbox.AttachmentType) bool {
	switch t {
	case inbox.AttachImage, inbox.AttachAudio, inbox.AttachVideo, inbox.AttachFile, inbox.AttachSticker:
		return true
	}
	return false
}

// contact upserts the sender: by PSID (scoped to the page) on Messenger, by phone otherwise
// (WhatsApp's wa_id is the phone number, so a customer on SMS and WhatsApp is one contact).
func (r *Router) contact(ctx context.Context, ch inbox.Channel, env inbox.Envelope, now time.Time) (inbox.Contact, error) {
	contact, _, err := r.upsertContact(ctx, ch, env, now, false, inbox.OpenHint{})
	return contact, err
}

// upsertContact is contact, creating first when the sender is known to be new (with hint as
// the new contact's open conversation, see the store's CreateContact); created says whether the
// contact was stored now.
func (r *Router) upsertContact(ctx context.Context, ch inbox.Channel, env inbox.Envelope, now time.Time, newSender bool, hint inbox.OpenHint) (inbox.Contact, bool, error) {
	c := r.address(ch, env)
	c.ID, c.Name, c.Language, c.CreatedAt = r.newID(), env.From.Name, env.From.Language, now
	if newSender {
		return r.store.CreateContact(ctx, c, hint)
	}
	return r.store.UpsertContact(ctx, c)
}

// address is the sender of env as a contact with only its addresses (the store looks contacts
// up by PSID, else phone, else email). The sender of mail flagged inbox.FlagUnverifiedSender is
// the Unverified contact of its address, never the verified one.
func (r *Router) address(ch inbox.Channel, env inbox.Envelope) inbox.Contact {
	c := inbox.Contact{AccountID: env.AccountID, Phone: env.From.Phone, Email: env.From.Email}
	if c.Email != "" && slices.Contains(env.Flags, inbox.FlagUnverifiedSender) {
		c.Unverified = true
	}
	if env.From.PSID != "" {
		c.PSID = psidKey(ch, env.From.PSID)
	}
	return c
}

// psidKey scopes a PSID to its page: PSIDs differ from page to page.
func psidKey(ch inbox.Channel, psid string) string {
	if ch.Messenger != nil {
		return ch.Messenger.PageID + ":" + psid
	}
	return ch.ID + ":" + psid
}

// watermark applies a Messenger delivery or read receipt to the outbound messages of the
// contact's open conversation sent up to the watermark.
func (r *Router) watermark(ctx context.Context, log *slog.Logger, env inbox.Envelope) error {
	ch, err := r.channel(ctx, env)
	if err != nil {
		return err
	}
	contact, err := r.contact(ctx, ch, env, r.now())
	if err != nil {
		return err
	}
	conv, err := r.store.FindOpenConversation(ctx, env.AccountID, ch.InboxID, contact.ID)
	if inbox.IsCode(err, inbox.ENotFound) {
		log.InfoContext(ctx, "receipt for no open conversation ignored")
		return nil
	}
	if err != nil {
		return err
	}
	n, err := r.store.ApplyWatermark(ctx, env.AccountID, conv.ID, env.Status.Status, env.Status.Watermark, r.now())
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "receipt applied", "conversation", conv.ID, "status", env.Status.Status, "messages", n)
	return nil
}

func (r *Router) status(ctx context.Context, log *slog.Logger, env inbox.Envelope) error {
	convID, msgID, err := r.store.ProviderMessage(ctx, env.AccountID, env.ChannelID, env.ProviderMessageID)
	if err != nil {
		// The report may overtake the dispatcher's write of the provider id: retry later.
		return err
	}
	u := inbox.DeliveryUpdate{Status: env.Status.Status, ReportedID: env.ProviderMessageID}
	if env.Status.ErrorCode != "" {
		u.Error = &inbox.ProviderError{Code: env.Status.ErrorCode, Message: env.Status.ErrorMessage}
	}
	_, changed, err := r.store.UpdateDelivery(ctx, env.AccountID, convID, msgID, u, r.now())
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "delivery status", "conversation", convID, "messageId", msgID, "status", u.Status, "applied", changed)
	return nil
}
