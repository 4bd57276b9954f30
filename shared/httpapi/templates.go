package httpapi

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/inbox"
)

// Templates lists the approved message templates a WhatsApp Business Account can send
// (meta.Client.ApprovedTemplates). Errors: EInvalid (a malformed id, no token), EUpstream (Meta
// refused or could not be reached).
type Templates interface {
	ApprovedTemplates(ctx context.Context, wabaID, token string) ([]inbox.TemplateInfo, error)
}

// TemplatesTTL is how long a channel's templates are kept in memory: agents opening one closed
// WhatsApp conversation after another ask for the same list, while a template approved in
// WhatsApp Manager shows up within a minute.
const TemplatesTTL = time.Minute

// maxCachedChannels bounds the cache; past it, it starts again empty.
const maxCachedChannels = 1000

// templateCache holds channels' template lists for TemplatesTTL, by account and channel.
type templateCache struct {
	mu sync.Mutex
	m  map[string]cachedTemplates
}

type cachedTemplates struct {
	items []inbox.TemplateInfo
	until time.Time
}

func (c *templateCache) get(key string, now time.Time) ([]inbox.TemplateInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e.items, ok && now.Before(e.until)
}

func (c *templateCache) put(key string, items []inbox.TemplateInfo, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedChannels {
		c.m = map[string]cachedTemplates{}
	}
	c.m[key] = cachedTemplates{items: items, until: now.Add(TemplatesTTL)}
}

// listTemplates answers the approved templates of a WhatsApp channel of the caller's account
// (GET /v1/channels/{id}/templates), for the composer's template picker: read from the WhatsApp
// Business Management API with the channel's WABA id and access token, kept a minute.
func (a *api) listTemplates(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ctx := r.Context()
	ch, err := a.Store.GetChannel(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	if ch.Type != inbox.ChannelWhatsApp || ch.WhatsApp == nil {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp channels")
	}
	if ch.WhatsApp.WABAID == "" {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "the channel has no WhatsApp Business Account id: set whatsapp.wabaId")
	}
	if a.Templates == nil {
		return 0, nil, inbox.Errorf(inbox.EUnavailable, "templates cannot be listed: no Graph API is configured")
	}
	key, now := p.AccountID+"/"+ch.ID+"/"+ch.WhatsApp.WABAID, a.Now()
	items, ok := a.templates.get(key, now)
	if !ok {
		if items, err = a.Templates.ApprovedTemplates(ctx, ch.WhatsApp.WABAID, ch.Secrets[inbox.SecretAccessToken]); err != nil {
			return 0, nil, err
		}
		sort.SliceStable(items, func(i, j int) bool {
			if items[i].Name != items[j].Name {
				return items[i].Name < items[j].Name
			}
			return items[i].Language < items[j].Language
		})
		a.templates.put(key, items, now)
	}
	return http.StatusOK, list[inbox.TemplateInfo]{Items: items}, nil
}
