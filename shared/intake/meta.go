package intake

import (
	"context"
	"crypto/subtle"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channels/messenger"
	"github.com/openinbox/inbox/shared/channels/whatsapp"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/meta"
)

// MaxMetaBody is the largest Meta webhook body accepted: Meta batches up to 1,000 updates in
// one post, each a few hundred bytes.
const MaxMetaBody = 1 << 20

// eventReceived is what Meta's samples answer; any 2xx tells Meta the batch was taken.
const eventReceived = "EVENT_RECEIVED"

// ProviderChannels finds the channel of a page id or phone_number_id.
type ProviderChannels interface {
	ChannelByProviderKey(ctx context.Context, t inbox.ChannelType, key string) (inbox.Channel, error)
}

// MessengerRoutes and WhatsAppRoutes are the routes the Meta handlers serve.
var (
	MessengerRoutes = []string{"GET /webhooks/messenger/{channelId}", "POST /webhooks/messenger/{channelId}"}
	WhatsAppRoutes  = []string{"GET /webhooks/whatsapp/{channelId}", "POST /webhooks/whatsapp/{channelId}"}
)

// NewMessenger returns the handler of a Facebook Page channel's callback URL; see newMeta.
func NewMessenger(c Config) http.Handler {
	return c.newMeta(inbox.ChannelMessenger, messenger.Kind.WebhookPath, meta.ParseMessenger, c.Providers)
}

// NewWhatsApp returns the handler of a WhatsApp Business number channel's callback URL; see
// newMeta.
func NewWhatsApp(c Config) http.Handler {
	return c.newMeta(inbox.ChannelWhatsApp, whatsapp.Kind.WebhookPath, meta.ParseWhatsApp, c.Providers)
}

// newMeta serves Meta's verification handshake (GET: 200 with the bare hub.challenge, 403
// otherwise) and event posts (POST): X-Hub-Signature-256 is checked on the raw bytes with the
// channel's app secret (403, nothing queued, when wrong); every entry of a batch is routed by its
// page id / phone_number_id to the channel of that business — which must belong to the same
// account and Meta app as the URL's channel — and queued. Events for unknown businesses are
// acknowledged, logged and dropped, so that Meta does not disable the webhook. Answers 200 once
// everything is queued; 400 malformed JSON; 404 unknown channel; 413 body over MaxMetaBody; 503
// when the queue refused (Meta retries the batch; deduplication drops what was already queued).
func (c Config) newMeta(t inbox.ChannelType, pattern string, parse func([]byte) ([]meta.Event, error), providers ProviderChannels) http.Handler {
	r := chi.NewRouter()
	r.Get(pattern, func(w http.ResponseWriter, r *http.Request) {
		ch, err := c.channel(r.Context(), chi.URLParam(r, "channelId"), t)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		challenge, err := meta.Handshake(r.URL.Query(), verifyToken(ch))
		if err != nil {
			c.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(challenge))
	})
	r.Post(pattern, func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ch, err := c.channel(ctx, chi.URLParam(r, "channelId"), t)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		body, err := readLimited(w, r, MaxMetaBody)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if err := meta.VerifySignature(ch.Secrets[inbox.SecretAppSecret], body, r.Header.Get(meta.SignatureHeader)); err != nil {
			c.fail(w, r, err)
			return
		}
		events, err := parse(body)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		// Look each business up once per batch.
		targets := map[string]*inbox.Channel{}
		for _, ev := range events {
			target, seen := targets[ev.Business]
			if !seen {
				target, err = c.sameApp(ctx, providers, ch, t, ev.Business)
				if err != nil {
					// Not knowing is not "unknown": let Meta retry the batch.
					c.fail(w, r, inbox.Wrap(err, inbox.EUnavailable, "channel lookup failed"))
					return
				}
				targets[ev.Business] = target
			}
			if target == nil {
				continue
			}
			if err := c.enqueue(ctx, *target, ev.Envelope); err != nil {
				c.fail(w, r, err)
				return
			}
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(eventReceived))
	})
	return r
}

// sameApp returns the channel of business when it belongs to the account and Meta app of the
// channel whose URL was called, and nil (logged) otherwise: a signature proves only that the post
// comes from that app, so another account's page is never touched.
// It returns an error only when the lookup itself failed.
func (c Config) sameApp(ctx context.Context, providers ProviderChannels, called inbox.Channel, t inbox.ChannelType, business string) (*inbox.Channel, error) {
	if business == providerKey(called) {
		return &called, nil
	}
	target, err := providers.ChannelByProviderKey(ctx, t, business)
	switch {
	case inbox.IsCode(err, inbox.ENotFound) || inbox.IsCode(err, inbox.EInvalid):
		c.Log.WarnContext(ctx, "event for an unknown business acknowledged and dropped", "channel", called.ID, "business", business)
		return nil, nil
	case err != nil:
		return nil, err
	}
	if target.AccountID != called.AccountID ||
		subtle.ConstantTimeCompare([]byte(target.Secrets[inbox.SecretAppSecret]), []byte(called.Secrets[inbox.SecretAppSecret])) != 1 {
		c.Log.WarnContext(ctx, "event for another account's or app's business dropped", "channel", called.ID, "business", business)
		return nil, nil
	}
	return &target, nil
}

func providerKey(ch inbox.Channel) string {
	switch {
	case ch.Messenger != nil:
		return ch.Messenger.PageID
	case ch.WhatsApp != nil:
		return ch.WhatsApp.PhoneNumberID
	}
	return ch.ProviderKey
}

func verifyToken(ch inbox.Channel) string {
	switch {
	case ch.Messenger != nil:
		return ch.Messenger.VerifyToken
	case ch.WhatsApp != nil:
		return ch.WhatsApp.VerifyToken
	}
	return ""
}
