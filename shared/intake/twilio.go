package intake

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channels/sms"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/twilio"
)

// emptyTwiML tells Twilio the message was taken and nothing is to be answered automatically.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// TwilioRoutes are the routes the Twilio handler serves.
var TwilioRoutes = []string{"POST /webhooks/twilio/{channelId}", "POST /webhooks/twilio/{channelId}/status"}

// NewTwilio returns the handler of Twilio's messaging webhooks: incoming SMS/MMS on
// POST /webhooks/twilio/{channelId} and delivery status callbacks on
// POST /webhooks/twilio/{channelId}/status. Answers: 200 empty TwiML once queued; 404 unknown
// channel; 403 bad or missing X-Twilio-Signature (nothing queued); 400 malformed body; 413 body
// over MaxBody; 503 when the queue refused (Twilio retries).
func NewTwilio(c Config) http.Handler {
	r := chi.NewRouter()
	r.Post(sms.Kind.WebhookPath, c.twilio(twilio.ParseInbound))
	r.Post(sms.Kind.StatusPath, c.twilio(parseStatus))
	return r
}

func (c Config) twilio(parse func(url.Values) (inbox.Envelope, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ch, err := c.channel(ctx, chi.URLParam(r, "channelId"), inbox.ChannelSMS)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		body, err := readBody(w, r)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		// Verify parses the body once, for the signature and for the envelope.
		params, err := twilio.Verify(ch.Secrets[inbox.SecretTwilioAuthToken], c.PublicURL(r), r.Header.Get("Content-Type"), body, r.Header.Get(twilio.SignatureHeader))
		if err != nil {
			c.fail(w, r, err)
			return
		}
		env, err := parse(params)
		switch {
		case errors.Is(err, errIgnored):
			c.Log.WarnContext(ctx, "Twilio status not tracked; acknowledged", "channel", ch.ID, "status", params.Get("MessageStatus"))
		case err != nil:
			c.fail(w, r, err)
			return
		default:
			if err := c.enqueue(ctx, ch, env); err != nil {
				c.fail(w, r, err)
				return
			}
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(emptyTwiML))
	}
}

// errIgnored marks a well-formed callback that carries nothing to store.
var errIgnored = errors.New("ignored")

// parseStatus parses a status callback. A status this code does not track (Twilio adds some
// over time, such as partially_delivered) is acknowledged rather than refused: Twilio does not
// retry a 4xx, so refusing would only lose the callback noisily.
func parseStatus(v url.Values) (inbox.Envelope, error) {
	env, err := twilio.ParseStatus(v)
	if err != nil && v.Get("MessageSid") != "" && v.Get("MessageStatus") != "" {
		if _, known := twilio.StatusFromTwilio(v.Get("MessageStatus")); !known {
			return inbox.Envelope{}, errIgnored
		}
	}
	return env, err
}
