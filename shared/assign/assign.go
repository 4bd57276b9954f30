// Package assign applies a channel's routing rules: it assigns a new conversation to the best
// eligible user within capacity (routing.Decide orders the candidates), or queues it to wait in
// arrival order; it drains the waiting queue when someone becomes available or frees capacity;
// and it opens tickets for channels that treat conversations as tickets.
//
// Capacity holds under concurrency because every assignment is one conditional transaction in
// the store (the user's load below capacity, the conversation still unassigned): a router that
// loses a race moves on to the next candidate.
package assign

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/routing"
)

// Store is what assignment needs from the database.
type Store interface {
	GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error)
	ListChannels(ctx context.Context, acct string) ([]inbox.Channel, error)
	GetConversation(ctx context.Context, acct, id string) (inbox.Conversation, error)
	GetContact(ctx context.Context, acct, id string) (inbox.Contact, error)
	GetUsers(ctx context.Context, acct string, ids []string) ([]inbox.User, error)
	GetUser(ctx context.Context, acct, id string) (inbox.User, error)
	Reopen(ctx context.Context, acct, convID, assigneeID string, capacity *int) (inbox.Conversation, error)
	GetTeams(ctx context.Context, acct string, ids []string) ([]inbox.Team, error)
	RoutingRules(ctx context.Context, acct, channelID string) (*inbox.RoutingRules, error)
	RoutingVersion(ctx context.Context, acct string) (int64, error)
	AssignWithinCapacity(ctx context.Context, acct, convID, userID string, capacity *int, now time.Time) (inbox.Conversation, error)
	AssignNew(ctx context.Context, conv inbox.Conversation, userID string, capacity *int, now time.Time) (inbox.Conversation, error)
	AddWaiting(ctx context.Context, acct string, w inbox.Waiting) error
	ListWaiting(ctx context.Context, acct, channelID string, limit int) ([]inbox.Waiting, error)
	RemoveWaiting(ctx context.Context, acct, channelID, convID string) error
	CreateTicket(ctx context.Context, t inbox.Ticket, maxPerContact int) (inbox.Ticket, error)
	SetTicketNotice(ctx context.Context, acct, convID, notice string) error
	FillTicketOwner(ctx context.Context, acct, id, ownerID string, now time.Time) error
}

// DefaultTicketLimit is a contact's ticket-association limit when the channel sets none.
const DefaultTicketLimit = 100

// Notifier tells a contact owner that a conversation of their contact went elsewhere (the
// rules' fallback) because they were away. Implementations must be idempotent per
// conversation: Route runs again on redeliveries.
type Notifier interface {
	OwnerAway(ctx context.Context, owner inbox.User, conv inbox.Conversation) error
}

// Assigner routes conversations.
type Assigner struct {
	store  Store
	notify Notifier
	now    func() time.Time
	log    *slog.Logger
	cache  *peopleCache
}

// Config is what an Assigner is built from. Store is required.
type Config struct {
	Store Store
	// Notifier, when not nil, tells away contact owners about the conversations the fallback
	// took. Without one, they are only logged.
	Notifier Notifier
	// PeopleCacheTTL, when positive, makes Rules and RouteConversation (the router's routing)
	// keep the rules, users and teams they read for at most that long, while the account's
	// routing version (Store.RoutingVersion, one small read per call) stays the same: a change
	// of availability, capacity, working hours, teams or rules applies to the next routing,
	// and routing reads no longer grow with the users the rules name. Loads, which no version
	// counts, may be that old (see peopleCache); capacity still holds, as the assignment's
	// write checks it. Route and Drain always read. Zero keeps nothing (PeopleCacheTTL is the
	// router function's).
	PeopleCacheTTL time.Duration
	Now            func() time.Time // time.Now when nil
	Log            *slog.Logger     // discarded when nil
}

// New returns an Assigner built from c.
func New(c Config) *Assigner {
	a := &Assigner{store: c.Store, notify: c.Notifier, now: c.Now, log: c.Log}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if c.PeopleCacheTTL > 0 {
		a.cache = newPeopleCache(c.PeopleCacheTTL)
	}
	return a
}

// Route applies the rules of the conversation's channel to conversation convID when it is open
// and unassigned: it assigns it, or queues it to wait; then opens its ticket when the channel
// makes tickets. It is idempotent (a redelivery routes nothing twice). A conversation whose
// channel was disconnected meanwhile is left as it is. Errors: the store's.
func (a *Assigner) Route(ctx context.Context, acct, convID string) error {
	conv, err := a.store.GetConversation(ctx, acct, convID)
	if err != nil {
		return err
	}
	if conv.Status != inbox.StatusOpen {
		return nil
	}
	ch, err := a.store.GetChannel(ctx, acct, conv.ChannelID)
	if inbox.IsCode(err, inbox.ENotFound) {
		// Disconnected since the message came in: no rules apply (retrying would not help).
		a.log.InfoContext(ctx, "conversation of a disconnected channel not routed", "account", acct, "conversation", conv.ID)
		return nil
	}
	if err != nil {
		return err
	}
	return a.route(ctx, ch, conv, false)
}

// RouteConversation is Route for conversation conv of channel ch as the caller holds them (the
// router, which has just written the conversation and keeps channels a moment): nothing is
// read again. The assignment's write checks that conv is still open, unassigned and not
// waiting; when it is not, the conversation is read and routed as it is. With a people cache
// (Config.PeopleCacheTTL) it decides from the users and teams kept there; when they name
// nobody who can take it, it reads them again before the conversation waits. Errors: the
// store's.
func (a *Assigner) RouteConversation(ctx context.Context, ch inbox.Channel, conv inbox.Conversation) error {
	if conv.Status != inbox.StatusOpen {
		return nil
	}
	return a.route(ctx, ch, conv, true)
}

// route applies ch's rules to conv; held says conv is as its caller wrote it (see
// RouteConversation).
func (a *Assigner) route(ctx context.Context, ch inbox.Channel, conv inbox.Conversation, held bool) error {
	acct := conv.AccountID
	rules := ch.Routing
	if rules == nil {
		return nil
	}
	if conv.AssigneeID == "" && rules.AutoAssign {
		var ac *accountCache
		if held && a.cache != nil {
			var err error
			if ac, err = a.current(ctx, acct); err != nil {
				return err
			}
		}
		assigned, err := a.assign(ctx, acct, *rules, conv, true, held, ac, ac != nil)
		if err != nil {
			return err
		}
		if assigned != nil {
			conv = *assigned
		}
	}
	if rules.Tickets != nil {
		return a.ticket(ctx, acct, *rules.Tickets, conv)
	}
	return nil
}

// assign tries the candidates of the rules for conv; without one it queues conv (when queue is
// true). It returns the assigned conversation, or nil. ac is the people cache of the account
// (nil: none); cached says to decide from it first (see RouteConversation), else what is read
// is kept in it.
func (a *Assigner) assign(ctx context.Context, acct string, rules inbox.RoutingRules, conv inbox.Conversation, queue, held bool, ac *accountCache, cached bool) (*inbox.Conversation, error) {
	owner := ""
	if rules.Target == inbox.TargetContactOwner {
		contact, err := a.store.GetContact(ctx, acct, conv.ContactID)
		if err != nil && !inbox.IsCode(err, inbox.ENotFound) {
			return nil, err
		}
		owner = contact.OwnerID
	}
	users, teams, err := a.people(ctx, acct, rules, owner, ac, cached)
	if err != nil {
		return nil, err
	}
	now := a.now()
	d := routing.Decide(rules, owner, users, teams, now)
	if cached && len(d.Candidates) == 0 {
		// Nobody in what the cache keeps (loads may be older than the store's): read again
		// before the conversation waits.
		return a.assign(ctx, acct, rules, conv, queue, held, ac, false)
	}
	if d.NotifyOwner != "" {
		a.log.InfoContext(ctx, "contact owner away; fallback applied", "account", acct, "conversation", conv.ID, "owner", d.NotifyOwner)
		if a.notify != nil {
			// A failed notice fails the delivery: the retry routes again (idempotently) and the
			// notifier sends once.
			if err := a.notify.OwnerAway(ctx, users[d.NotifyOwner], conv); err != nil {
				return nil, err
			}
		}
	}
	for _, u := range d.Candidates {
		var assigned inbox.Conversation
		if held {
			// The first try writes without reading the conversation again; a failed one reads.
			assigned, err = a.store.AssignNew(ctx, conv, u.ID, u.Capacity, now)
			held = false
		} else {
			assigned, err = a.store.AssignWithinCapacity(ctx, acct, conv.ID, u.ID, u.Capacity, now)
		}
		if err == nil {
			a.log.InfoContext(ctx, "conversation assigned", "account", acct, "conversation", conv.ID, "user", u.ID)
			a.assigned(acct, u.ID, now)
			return &assigned, nil
		}
		if !inbox.IsCode(err, inbox.EConflict) {
			return nil, err
		}
		a.forget(acct, u.ID)
		// At capacity (another router got there first) or already assigned: look again.
		current, gerr := a.store.GetConversation(ctx, acct, conv.ID)
		if gerr != nil {
			return nil, gerr
		}
		if current.AssigneeID != "" || current.Status != inbox.StatusOpen {
			return &current, nil
		}
	}
	if cached {
		// Every candidate the cache offered was taken meanwhile: decide on fresh reads.
		return a.assign(ctx, acct, rules, conv, queue, held, ac, false)
	}
	if queue {
		a.log.InfoContext(ctx, "conversation waits", "account", acct, "conversation", conv.ID, "reason", d.Reason)
		// It waits from its latest message: for a new conversation that is its first one, for a
		// reopened one the message that reopened it (not its creation, long ago).
		arrived := conv.LastMessageAt
		if arrived.IsZero() {
			arrived = conv.CreatedAt
		}
		return nil, a.store.AddWaiting(ctx, acct, inbox.Waiting{ConversationID: conv.ID, ChannelID: conv.ChannelID, ArrivedAt: arrived})
	}
	return nil, nil
}

// TakeAnswered gives open conversation convID to userID, who answered its customer's phone
// call, when nobody has it yet: whoever talked to the customer owns what follows, whatever the
// routing rules would choose. The user's load grows by one without a capacity check (the call
// is taken already) and the conversation leaves the waiting queue. Nothing changes when the
// conversation has an assignee or is not open, or userID is not a user of the account.
//
// Errors: the store's (EUnavailable, EInternal).
func (a *Assigner) TakeAnswered(ctx context.Context, acct, convID, userID string) error {
	_, err := a.store.AssignWithinCapacity(ctx, acct, convID, userID, nil, a.now())
	switch {
	case err == nil:
		a.log.InfoContext(ctx, "conversation assigned to who answered the call", "account", acct, "conversation", convID, "user", userID)
		return nil
	case inbox.IsCode(err, inbox.EConflict), inbox.IsCode(err, inbox.ENotFound):
		return nil
	}
	return err
}

// Reopen reopens closed conversation conv for its customer's new message. Its previous assignee
// keeps it when still eligible: a user with a paid seat, available (unless the channel's rules
// ignore availability) and below capacity — capacity is checked in the same write, so it holds
// against concurrent routers. Otherwise it is reopened unassigned, and Route then applies the
// rules to it like to a new conversation (it waits in the queue when nobody can take it). An
// assignee who is not a user of the account (assignees need not be) keeps it: there is
// nothing to check. A conversation that is open already is returned as it is.
//
// Errors: EConflict when the contact has another open conversation in the inbox (the caller
// opens or joins that one instead), and the store's.
func (a *Assigner) Reopen(ctx context.Context, acct string, conv inbox.Conversation) (inbox.Conversation, error) {
	keep, capacity, err := a.keeper(ctx, acct, conv)
	if err != nil {
		return inbox.Conversation{}, err
	}
	reopened, err := a.store.Reopen(ctx, acct, conv.ID, keep, capacity)
	if keep != "" && errors.Is(err, inbox.ErrAtCapacity) {
		keep = ""
		reopened, err = a.store.Reopen(ctx, acct, conv.ID, "", nil)
	}
	if err != nil {
		return inbox.Conversation{}, err
	}
	a.log.InfoContext(ctx, "conversation reopened by the customer", "account", acct, "conversation", conv.ID,
		"previousAssignee", conv.AssigneeID, "assignee", reopened.AssigneeID)
	return reopened, nil
}

// keeper says whether conv's previous assignee may keep it on reopening, and within which
// capacity.
func (a *Assigner) keeper(ctx context.Context, acct string, conv inbox.Conversation) (string, *int, error) {
	if conv.AssigneeID == "" {
		return "", nil, nil
	}
	u, err := a.store.GetUser(ctx, acct, conv.AssigneeID)
	if inbox.IsCode(err, inbox.ENotFound) {
		return conv.AssigneeID, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	onlyAvailable := true
	ch, err := a.store.GetChannel(ctx, acct, conv.ChannelID)
	switch {
	case err == nil && ch.Routing != nil:
		onlyAvailable = ch.Routing.OnlyAvailable
	case err != nil && !inbox.IsCode(err, inbox.ENotFound):
		return "", nil, err
	}
	if !u.PaidSeat || (onlyAvailable && !routing.AvailableAt(u, a.now())) || routing.AtCapacity(u) {
		return "", nil, nil
	}
	return u.ID, u.Capacity, nil
}

// people reads the users and teams that rules name (and the contact owner, when owner is not
// ""), never the whole account: routing costs the same in an account of 5 users or 500. When
// cached, they come from ac (the people cache at the account's current routing version) as far
// as it has them; otherwise they are read, and kept in ac when there is one.
func (a *Assigner) people(ctx context.Context, acct string, rules inbox.RoutingRules, owner string, ac *accountCache, cached bool) (map[string]inbox.User, map[string]inbox.Team, error) {
	readTeams := func(ids []string) (map[string]inbox.Team, error) {
		ts, err := a.store.GetTeams(ctx, acct, ids)
		teams := make(map[string]inbox.Team, len(ts))
		for _, t := range ts {
			teams[t.ID] = t
		}
		return teams, err
	}
	readUsers := func(ids []string) (map[string]inbox.User, error) {
		us, err := a.store.GetUsers(ctx, acct, ids)
		users := make(map[string]inbox.User, len(us))
		for _, u := range us {
			users[u.ID] = u
		}
		return users, err
	}
	if cached {
		readTeams = func(ids []string) (map[string]inbox.Team, error) { return a.cachedTeams(ctx, acct, ac, ids) }
		readUsers = func(ids []string) (map[string]inbox.User, error) { return a.cachedUsers(ctx, acct, ac, ids) }
	}
	teams := map[string]inbox.Team{}
	if teamIDs := slices.Concat(rules.TeamIDs, rules.FallbackTeamIDs); len(teamIDs) > 0 {
		var err error
		if teams, err = readTeams(teamIDs); err != nil {
			return nil, nil, err
		}
	}
	ids := slices.Concat(rules.UserIDs, rules.FallbackUserIDs)
	for _, id := range slices.Concat(rules.TeamIDs, rules.FallbackTeamIDs) {
		// In the order the rules name the teams, as the store returns them.
		if t, ok := teams[id]; ok {
			ids = append(ids, t.UserIDs...)
		}
	}
	if owner != "" {
		ids = append(ids, owner)
	}
	users, err := readUsers(ids)
	if err != nil {
		return nil, nil, err
	}
	if ac != nil && !cached {
		a.keep(ac, users, teams)
	}
	return users, teams, nil
}

// ticket opens the conversation's ticket (one per conversation). A contact at its limit gets
// none, and the conversation says why (its ticket notice).
func (a *Assigner) ticket(ctx context.Context, acct string, s inbox.TicketSettings, conv inbox.Conversation) error {
	owner := s.OwnerUserID
	if owner == "" {
		owner = conv.AssigneeID
	}
	limit := s.MaxPerContact
	if limit <= 0 {
		limit = DefaultTicketLimit
	}
	now := a.now()
	_, err := a.store.CreateTicket(ctx, inbox.Ticket{
		AccountID: acct, ID: conv.ID, ConversationID: conv.ID, ContactID: conv.ContactID,
		Pipeline: s.Pipeline, Stage: s.Stage, OwnerUserID: owner, CreatedAt: now, UpdatedAt: now,
	}, limit)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, inbox.ErrTicketLimit):
		a.log.WarnContext(ctx, "no ticket: the contact is at its ticket limit", "account", acct, "conversation", conv.ID, "limit", limit)
		return a.store.SetTicketNotice(ctx, acct, conv.ID, "No ticket: "+inbox.ErrorMessage(err))
	case inbox.IsCode(err, inbox.EConflict):
		// The conversation has its ticket already (opened while it waited, perhaps).
		return a.fillTicketOwner(ctx, acct, s, conv)
	}
	return err
}

// fillTicketOwner gives the ticket of conv, opened while conv waited without an assignee, to
// its assignee, when the rules leave the ticket owner to the conversation.
func (a *Assigner) fillTicketOwner(ctx context.Context, acct string, s inbox.TicketSettings, conv inbox.Conversation) error {
	if s.OwnerUserID != "" || conv.AssigneeID == "" {
		return nil
	}
	return a.store.FillTicketOwner(ctx, acct, conv.ID, conv.AssigneeID, a.now())
}

// Drain assigns the waiting conversations of channel channelID in arrival order, and stops at
// the first one nobody can take (later ones would not find anyone either: same rules). It returns
// how many it found assigned on its way (a concurrent drain may have assigned some of them).
// Errors: the store's.
func (a *Assigner) Drain(ctx context.Context, acct, channelID string) (int, error) {
	ch, err := a.store.GetChannel(ctx, acct, channelID)
	if err != nil {
		return 0, err
	}
	if ch.Routing == nil || !ch.Routing.AutoAssign {
		return 0, nil
	}
	n := 0
	for {
		waiting, err := a.store.ListWaiting(ctx, acct, channelID, 25)
		if err != nil || len(waiting) == 0 {
			return n, err
		}
		progress := false
		for _, w := range waiting {
			conv, err := a.store.GetConversation(ctx, acct, w.ConversationID)
			if inbox.IsCode(err, inbox.ENotFound) || (err == nil && (conv.Status != inbox.StatusOpen || conv.AssigneeID != "")) {
				if err := a.store.RemoveWaiting(ctx, acct, channelID, w.ConversationID); err != nil {
					return n, err
				}
				progress = true
				continue
			}
			if err != nil {
				return n, err
			}
			assigned, err := a.assign(ctx, acct, *ch.Routing, conv, false, false, nil, false)
			if err != nil {
				return n, err
			}
			if assigned == nil {
				return n, nil
			}
			if t := ch.Routing.Tickets; t != nil {
				if err := a.fillTicketOwner(ctx, acct, *t, *assigned); err != nil {
					return n, err
				}
			}
			n++
			progress = true
		}
		if !progress {
			return n, nil
		}
	}
}

// DrainAccount drains every channel of the account with auto-assignment: after someone became
// available, freed capacity, or the rules changed. A channel that fails does not keep the
// others from draining. Errors: the store's (joined, one per failed channel).
func (a *Assigner) DrainAccount(ctx context.Context, acct string) error {
	chs, err := a.store.ListChannels(ctx, acct)
	if err != nil {
		return err
	}
	var errs []error
	for _, ch := range chs {
		if ch.Routing == nil || !ch.Routing.AutoAssign {
			continue
		}
		if _, err := a.Drain(ctx, acct, ch.ID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
