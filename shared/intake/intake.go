// Package intake holds the webhook handlers of the intake functions: each verifies the
// provider's signature on the raw body, normalizes the event into an inbox.Envelope and answers
// 2xx only after the inbound queue accepted it, so that a failure makes the platform retry.
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

// MaxBody is the largest webhook body accepted; providers' messaging webhooks are a few KiB.
const MaxBody = 64 << 10

// Channels finds the channel a webhook URL names.
type Channels interface {
	ChannelByID(ctx context.Context, id string) (inbox.Channel, error)
}

// Publisher sends a body to the inbound FIFO queue and returns once the queue accepted it.
type Publisher interface {
	Publish(ctx context.Context, group, dedup string, body []byte) error
}

// Config is what every intake handler is built from: New<Provider>(Config). Channels and Queue
// are required; Providers by the intakes that find a channel by its provider key (Meta's,
// email's).
type Config struct {
	Channels Channels
	Queue    Publisher
	// Providers finds the channel of a provider key (a page id, a phone_number_id, an email
	// address).
	Providers ProviderChannels
	Now       func() time.Time
	Log       *slog.Logger
	// Files, when not nil, stores what public visitors upload (web forms' file fields); NewID
	// names the uploads (inbox.NewID when nil).
	Files Files
	NewID func() string
	// PublicBaseURL is the scheme and host the platforms call (for example a custom domain).
	// Empty means "https://" + the request's Host, which is what API Gateway receives.
	PublicBaseURL string
}

// PublicURL is the URL of r as the platform called it, which is what providers sign.
func (c Config) PublicURL(r *http.Request) string {
	base := strings.TrimRight(c.PublicBaseURL, "/")
	if base == "" {
		base = "https://" + r.Host
	}
	return base + r.URL.RequestURI()
}

// ReadBody reads the raw body of a webhook, for intakes in packages of their own; see readBody.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) { return readBody(w, r) }

// Channel returns the channel id'd in a webhook URL when it exists and is of type t, for
// intakes in packages of their own. Errors: ENotFound (none, or of another type), the store's.
func (c Config) Channel(ctx context.Context, id string, t inbox.ChannelType) (inbox.Channel, error) {
	return c.channel(ctx, id, t)
}

// Fail answers err as a JSON error (logging refused signatures), for intakes in packages of
// their own.
func (c Config) Fail(w http.ResponseWriter, r *http.Request, err error) { c.fail(w, r, err) }

// readBody reads the raw body, refusing more than MaxBody bytes with ETooLarge.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readLimited(w, r, MaxBody)
}

// readLimited reads the raw body, refusing more than limit bytes with ETooLarge.
func readLimited(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, inbox.Errorf(inbox.ETooLarge, "the body is larger than %d bytes", limit)
		}
		return nil, inbox.Wrap(err, inbox.EInvalid, "the body could not be read")
	}
	return b, nil
}

// channel returns the channel id'd in the URL when it exists and is of type t; ENotFound
// otherwise, so that a URL for another kind of channel reveals nothing.
func (c Config) channel(ctx context.Context, id string, t inbox.ChannelType) (inbox.Channel, error) {
	if inbox.CheckID("channel id", id) != nil {
		// Not an id at all (too long for the store's keys, '#'…): no channel has it, and the
		// store is not asked.
		return inbox.Channel{}, inbox.Errorf(inbox.ENotFound, "no such channel")
	}
	ch, err := c.Channels.ChannelByID(ctx, id)
	if err != nil {
		return inbox.Channel{}, err
	}
	if ch.Type != t {
		return inbox.Channel{}, inbox.Errorf(inbox.ENotFound, "no such channel")
	}
	return ch, nil
}

// Enqueue stamps env with its channel and publishes it, for intakes in packages of their own
// (email). It returns an EInternal error when env cannot be encoded, and the queue's error
// when the queue refuses it.
func (c Config) Enqueue(ctx context.Context, ch inbox.Channel, env inbox.Envelope) error {
	return c.enqueue(ctx, ch, env)
}

// enqueue stamps env with its channel and publishes it.
func (c Config) enqueue(ctx context.Context, ch inbox.Channel, env inbox.Envelope) error {
	env.V = inbox.EnvelopeVersion
	env.AccountID = ch.AccountID
	env.ChannelID = ch.ID
	env.ChannelType = ch.Type
	if env.ReceivedAt.IsZero() {
		env.ReceivedAt = c.Now().UTC()
	}
	body, err := json.Marshal(env)
	if err != nil {
		return inbox.Wrap(err, inbox.EInternal, "envelope could not be encoded")
	}
	if err := c.Queue.Publish(ctx, env.GroupKey(), env.DedupKey(), body); err != nil {
		return err
	}
	c.Log.InfoContext(ctx, "queued", "account", ch.AccountID, "channel", ch.ID, "kind", env.Kind, "providerMessageId", env.ProviderMessageID)
	return nil
}

func (c Config) fail(w http.ResponseWriter, r *http.Request, err error) {
	if code := inbox.ErrorCodeOf(err); code == inbox.EForbidden || code == inbox.EUnauthorized {
		c.Log.WarnContext(r.Context(), "webhook refused", "path", r.URL.Path, "err", err)
	}
	httpjson.Error(w, r, c.Log, err)
}
