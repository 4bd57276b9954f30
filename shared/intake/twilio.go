package intake

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

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
	r.Post("/webhooks/twilio/{channelId}", c.twilio(twilio.ParseInbound))
	r.Post("/webhooks/twilio/{channelId}/status", c.twilio(twilio.ParseStatus))
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
		ct := r.Header.Get("Content-Type")
		if err := twilio.ValidateRequest(ch.Secrets[inbox.SecretTwilioAuthToken], c.PublicURL(r), ct, body, r.Header.Get("X-Twilio-Signature")); err != nil {
			c.fail(w, r, err)
			return
		}
		params, err := twilioParams(ct, body)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		env, err := parse(params)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if err := c.enqueue(ctx, ch, env); err != nil {
			c.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(emptyTwiML))
	}
}

// twilioParams reads the webhook parameters from a form body or, for Twilio's JSON-body
// webhooks (signed with bodySHA256), from a flat JSON object.
func twilioParams(contentType string, body []byte) (url.Values, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/json" {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, inbox.Wrap(err, inbox.EInvalid, "the body is not valid JSON")
		}
		v := url.Values{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			}
		}
		return v, nil
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, inbox.Wrap(err, inbox.EInvalid, "the body is not a valid form")
	}
	return v, nil
}
