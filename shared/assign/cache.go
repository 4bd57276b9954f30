package assign

import (
	"context"
	"sync"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// PeopleCacheTTL is how long an Assigner built with it (Config.PeopleCacheTTL) keeps the
// routing rules, users and teams it read: the longest a change reaches the router's routing when
// the account's routing version misses it (a version count that failed after the change), and
// the longest a user's load, which no version counts, is taken from an earlier read.
const PeopleCacheTTL = 30 * time.Second

// peopleCache keeps what the router's routings decide from, per account, for as long as the
// account's routing version (Store.RoutingVersion) stays the same and at most ttl: the channels'
// rules, the users and the teams read so far. Loads change without a version: the cache counts
// the assignments this process makes, forgets a user whose assignment failed on capacity, and a
// routing that finds nobody in it decides again on fresh reads before the conversation waits —
// the capacity itself is the assignment's conditional write, never this cache.
type peopleCache struct {
	ttl      time.Duration
	mu       sync.Mutex
	accounts map[string]*accountCache
}

// accountCache is what peopleCache keeps of one account, read at routing version version.
type accountCache struct {
	version int64
	rules   map[string]entry[*inbox.RoutingRules]
	users   map[string]entry[inbox.User]
	teams   map[string]entry[inbox.Team]
}

// entry is a value read at at; found is false for an id the store does not know.
type entry[T any] struct {
	v     T
	found bool
	at    time.Time
}

// maxCachedAccounts bounds the cache: past it, it starts over.
const maxCachedAccounts = 1000

func newPeopleCache(ttl time.Duration) *peopleCache {
	return &peopleCache{ttl: ttl, accounts: map[string]*accountCache{}}
}

// account returns what the cache keeps of account acct at routing version version, starting
// over when the version changed.
func (c *peopleCache) account(acct string, version int64) *accountCache {
	c.mu.Lock()
	defer c.mu.Unlock()
	ac := c.accounts[acct]
	if ac == nil || ac.version != version {
		if len(c.accounts) >= maxCachedAccounts {
			clear(c.accounts)
		}
		ac = &accountCache{version: version, rules: map[string]entry[*inbox.RoutingRules]{},
			users: map[string]entry[inbox.User]{}, teams: map[string]entry[inbox.Team]{}}
		c.accounts[acct] = ac
	}
	return ac
}

// current returns the cache of account acct after reading its routing version.
func (a *Assigner) current(ctx context.Context, acct string) (*accountCache, error) {
	v, err := a.store.RoutingVersion(ctx, acct)
	if err != nil {
		return nil, err
	}
	return a.cache.account(acct, v), nil
}

// Rules returns the routing rules of channel channelID of account acct (nil: none). With a
// people cache (Config.PeopleCacheTTL) they come from it while the account's routing version
// is unchanged — one small read instead of the channel's — so a change of the rules applies to
// the next routing; without one they are read from the store.
//
// Errors: the store's (ENotFound when the channel is gone).
func (a *Assigner) Rules(ctx context.Context, acct, channelID string) (*inbox.RoutingRules, error) {
	if a.cache == nil {
		return a.store.RoutingRules(ctx, acct, channelID)
	}
	ac, err := a.current(ctx, acct)
	if err != nil {
		return nil, err
	}
	now := a.now()
	a.cache.mu.Lock()
	e, ok := ac.rules[channelID]
	a.cache.mu.Unlock()
	if ok && a.fresh(e.at, now) {
		return e.v, nil
	}
	rules, err := a.store.RoutingRules(ctx, acct, channelID)
	if err != nil {
		return nil, err
	}
	a.cache.mu.Lock()
	ac.rules[channelID] = entry[*inbox.RoutingRules]{v: rules, found: true, at: now}
	a.cache.mu.Unlock()
	return rules, nil
}

// fresh says whether a value read at at may still be used at now.
func (a *Assigner) fresh(at, now time.Time) bool {
	return !now.Before(at) && now.Sub(at) < a.cache.ttl
}

// cachedUsers returns the users of ids from ac, reading those it lacks (or keeps too long).
func (a *Assigner) cachedUsers(ctx context.Context, acct string, ac *accountCache, ids []string) (map[string]inbox.User, error) {
	return cached(ctx, a, ac.users, ids, func(ids []string) ([]inbox.User, error) { return a.store.GetUsers(ctx, acct, ids) },
		func(u inbox.User) string { return u.ID })
}

// cachedTeams is cachedUsers for teams.
func (a *Assigner) cachedTeams(ctx context.Context, acct string, ac *accountCache, ids []string) (map[string]inbox.Team, error) {
	return cached(ctx, a, ac.teams, ids, func(ids []string) ([]inbox.Team, error) { return a.store.GetTeams(ctx, acct, ids) },
		func(t inbox.Team) string { return t.ID })
}

// cached returns the values of ids found in m, after reading (read) the ids m lacks or keeps
// too long, and keeping what it read (ids not found too).
func cached[T any](_ context.Context, a *Assigner, m map[string]entry[T], ids []string, read func([]string) ([]T, error), id func(T) string) (map[string]T, error) {
	now := a.now()
	var missing []string
	a.cache.mu.Lock()
	for _, i := range ids {
		if e, ok := m[i]; !ok || !a.fresh(e.at, now) {
			missing = append(missing, i)
		}
	}
	a.cache.mu.Unlock()
	if len(missing) > 0 {
		got, err := read(missing)
		if err != nil {
			return nil, err
		}
		a.cache.mu.Lock()
		for _, i := range missing {
			m[i] = entry[T]{at: now}
		}
		for _, v := range got {
			m[id(v)] = entry[T]{v: v, found: true, at: now}
		}
		a.cache.mu.Unlock()
	}
	out := make(map[string]T, len(ids))
	a.cache.mu.Lock()
	defer a.cache.mu.Unlock()
	for _, i := range ids {
		if e, ok := m[i]; ok && e.found {
			out[i] = e.v
		}
	}
	return out, nil
}

// keep puts users and teams read fresh into the cache of account acct (when it is at the
// version read before them), so that the routings that follow use them.
func (a *Assigner) keep(ac *accountCache, users map[string]inbox.User, teams map[string]inbox.Team) {
	now := a.now()
	a.cache.mu.Lock()
	defer a.cache.mu.Unlock()
	for id, u := range users {
		ac.users[id] = entry[inbox.User]{v: u, found: true, at: now}
	}
	for id, t := range teams {
		ac.teams[id] = entry[inbox.Team]{v: t, found: true, at: now}
	}
}

// assigned counts an assignment of this process in the cached load of user userID of account
// acct, and its time, as routing.Decide orders candidates by them.
func (a *Assigner) assigned(acct, userID string, now time.Time) {
	if a.cache == nil {
		return
	}
	a.cache.mu.Lock()
	defer a.cache.mu.Unlock()
	if ac := a.cache.accounts[acct]; ac != nil {
		if e, ok := ac.users[userID]; ok && e.found {
			e.v.Load++
			e.v.LastAssignedAt = now
			ac.users[userID] = e
		}
	}
}

// forget drops user userID of account acct from the cache: their assignment failed (at
// capacity, as another router filled it), so the next routing reads their load.
func (a *Assigner) forget(acct, userID string) {
	if a.cache == nil {
		return
	}
	a.cache.mu.Lock()
	defer a.cache.mu.Unlock()
	if ac := a.cache.accounts[acct]; ac != nil {
		delete(ac.users, userID)
	}
}
