package router

import (
	"sync"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// ChannelCacheTTL is how long the router function keeps a channel it read: a disconnected
// channel or changed settings reach it at most this late (intake refuses a disconnected
// channel's webhooks at once).
const ChannelCacheTTL = 30 * time.Second

// channelCache keeps channels read by the router for a short time (see Config.ChannelCacheTTL).
type channelCache struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]cachedChannel
}

type cachedChannel struct {
	ch inbox.Channel
	at time.Time
}

// maxCachedChannels bounds the cache: past it, the cache starts over.
const maxCachedChannels = 1000

func newChannelCache(ttl time.Duration, now func() time.Time) *channelCache {
	return &channelCache{ttl: ttl, now: now, m: map[string]cachedChannel{}}
}

func (c *channelCache) get(acct, id string) (inbox.Channel, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[acct+"/"+id]
	if !ok || c.now().Sub(e.at) >= c.ttl || c.now().Before(e.at) {
		return inbox.Channel{}, false
	}
	return e.ch, true
}

func (c *channelCache) put(acct, id string, ch inbox.Channel) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedChannels {
		clear(c.m)
	}
	c.m[acct+"/"+id] = cachedChannel{ch: ch, at: c.now()}
}
