// Package voice is the webhook intake of calling channels (Twilio Voice): it answers incoming
// calls with TwiML and queues the calls' events. It is a package of its own so that the other
// intakes do not link the routing rules it reads.
package voice

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channels/voice"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/routing"
	"github.com/openinbox/inbox/shared/twilio"
)

// People is what the voice intake reads to decide whose phones ring.
type People interface {
	ListUsers(ctx context.Context, acct string) ([]inbox.User, error)
	ListTeams(ctx context.Context, acct string) ([]inbox.Team, error)
	// ContactByPhone returns the contact with phone number phone; ENotFound when none.
	ContactByPhone(ctx context.Context, acct, phone string) (inbox.Contact, error)
}

// Routes are the routes the voice handler serves.
var Routes = []string{"POST /webhooks/voice/{channelId}", "POST /webhooks/voice/{channelId}/{event}"}

// voicemailMaxLength is the longest voicemail recorded, in seconds.
const voicemailMaxLength = 120

// New returns the handler of Twilio's Voice webhooks for voice channels:
//
//   - POST /webhooks/voice/{channelId}: a call comes in. It answers TwiML at once: within the
//     channel's opening hours, with eligible agents (routing.Ring over the channel's rules),
//     greeting, consent notice when recording, and a <Dial> ringing up to ten agents' phones
//     at once (the first to answer takes the call); otherwise the closed message and, with
//     voicemail on, a <Record>. The call is queued to be logged in the contact's conversation.
//   - POST /webhooks/voice/{channelId}/{event}: the callbacks that TwiML and click to call ask
//     for (twilio.Voice* events): dial outcome (answers the voicemail TwiML when nobody took
//     the call), call status, an agent's answer, recordings, transcriptions, and the TwiML of
//     click to call once the agent picked up.
//
// Requests are signed as Twilio signs SMS webhooks, or with a SharedKey and HMAC-SHA256
// (twilio.VerifySigned). Answers: 200 TwiML; 404 unknown channel or event; 403 bad or missing
// signature (nothing queued); 400 malformed body; 413 body over intake.MaxBody; 503 when the queue
// refused a callback. The TwiML that a caller on the line waits for (the incoming call, the dial
// outcome, the voicemail) is answered even when the queue refused, with an error logged: the
// call matters more than its log line, and any later callback of the call logs it.
func New(c intake.Config, people People) http.Handler {
	v := voiceHandler{c: c, people: people}
	r := chi.NewRouter()
	r.Post(voice.Kind.WebhookPath, v.serve)
	r.Post(voice.Kind.WebhookPath+"/{event}", v.serve)
	return r
}

type voiceHandler struct {
	c      intake.Config
	people People
}

func (v voiceHandler) serve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ch, err := v.c.Channel(ctx, chi.URLParam(r, "channelId"), inbox.ChannelVoice)
	if err != nil {
		v.c.Fail(w, r, err)
		return
	}
	event := chi.URLParam(r, "event")
	body, err := intake.ReadBody(w, r)
	if err != nil {
		v.c.Fail(w, r, err)
		return
	}
	keys := twilio.Keys{AuthToken: ch.Secrets[inbox.SecretTwilioAuthToken], SharedKey: ch.Secrets[voice.SecretSigningKey]}
	params, err := twilio.VerifySigned(keys, r.Header.Get(twilio.SignatureSettingsHeader), v.c.PublicURL(r), r.Header.Get("Content-Type"), body, r.Header.Get(twilio.SignatureHeader))
	if err != nil {
		v.c.Fail(w, r, err)
		return
	}
	settings := voice.Read(ch)
	cb := v.callbacks(r, ch)
	query := r.URL.Query()
	switch event {
	case twilio.VoiceConnect:
		writeTwiML(w, cb.connect(settings, ch, query.Get("customer")))
		return
	case twilio.VoiceNotice:
		writeTwiML(w, twilio.TwiML{Verbs: []any{twilio.Say{Text: settings.ConsentNotice}}})
		return
	}
	env, err := twilio.ParseVoice(event, params, query)
	switch {
	case twilio.IsIgnored(err):
		writeTwiML(w, twilio.TwiML{})
		return
	case err != nil:
		v.c.Fail(w, r, err)
		return
	}
	var answer twilio.TwiML
	onTheLine := true
	switch event {
	case "":
		agents, err := v.ring(ctx, ch, settings, env.From.Phone)
		if err != nil {
			// Nobody can be chosen without the directory: the caller still gets the voicemail.
			v.c.Log.ErrorContext(ctx, "agents to ring could not be read", "channel", ch.ID, "err", err)
		}
		answer = cb.incoming(settings, agents, customer(env))
		for _, a := range agents {
			env.Call.Rang = append(env.Call.Rang, a.ID)
		}
	case twilio.VoiceDial:
		answer = twilio.TwiML{Verbs: []any{twilio.Hangup{}}}
		if env.Call.Status != inbox.CallAnswered && env.Call.Status != inbox.CallCompleted && env.Call.Direction == inbox.DirectionIn {
			answer = cb.closed(settings, customer(env))
		}
	case twilio.VoiceVoicemail:
		answer = twilio.TwiML{Verbs: []any{twilio.Hangup{}}}
	default:
		onTheLine = false
	}
	if err := v.c.Enqueue(ctx, ch, env); err != nil {
		if !onTheLine {
			v.c.Fail(w, r, err)
			return
		}
		v.c.Log.ErrorContext(ctx, "call event not queued; the call goes on", "channel", ch.ID, "callSid", env.ProviderMessageID, "err", err)
	}
	writeTwiML(w, answer)
}

func customer(env inbox.Envelope) string { return env.From.Phone }

// ring returns the agents whose phones ring for a call from phone, none outside the channel's
// opening hours.
func (v voiceHandler) ring(ctx context.Context, ch inbox.Channel, s voice.Settings, phone string) ([]inbox.User, error) {
	if !s.Open(v.c.Now()) {
		return nil, nil
	}
	rules := ch.Routing
	list, err := v.people.ListUsers(ctx, ch.AccountID)
	if err != nil {
		return nil, err
	}
	users := make(map[string]inbox.User, len(list))
	for _, u := range list {
		users[u.ID] = u
	}
	teams := map[string]inbox.Team{}
	if rules != nil && (len(rules.TeamIDs) > 0 || len(rules.FallbackTeamIDs) > 0) {
		ts, err := v.people.ListTeams(ctx, ch.AccountID)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			teams[t.ID] = t
		}
	}
	owner := ""
	if rules != nil && rules.Target == inbox.TargetContactOwner {
		c, err := v.people.ContactByPhone(ctx, ch.AccountID, phone)
		if err != nil && !inbox.IsCode(err, inbox.ENotFound) {
			return nil, err
		}
		owner = c.OwnerID
	}
	return routing.Ring(rules, owner, users, teams, v.c.Now(), voice.MaxRinging), nil
}

// callbacks builds the URLs of a channel's voice callbacks.
type callbacks struct{ base string }

func (v voiceHandler) callbacks(r *http.Request, ch inbox.Channel) callbacks {
	base := strings.TrimRight(v.c.PublicBaseURL, "/")
	if base == "" {
		base = "https://" + r.Host
	}
	return callbacks{base: base + strings.Replace(voice.Kind.WebhookPath, "{channelId}", ch.ID, 1)}
}

// url is the callback URL of event with query parameters kv (name, value, …).
func (cb callbacks) url(event string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	u := cb.base + "/" + event
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// incoming is the answer to a ringing call: the agents' phones, else the closed message.
func (cb callbacks) incoming(s voice.Settings, agents []inbox.User, customer string) twilio.TwiML {
	if len(agents) == 0 {
		return cb.closed(s, customer)
	}
	var t twilio.TwiML
	if s.Greeting != "" {
		t.Verbs = append(t.Verbs, twilio.Say{Text: s.Greeting})
	}
	if s.Recording || s.Transcription {
		t.Verbs = append(t.Verbs, twilio.Say{Text: s.ConsentNotice})
	}
	if s.Transcription {
		t.Verbs = append(t.Verbs, cb.transcribe(customer, inbox.SpeakerCustomer))
	}
	dial := cb.dial(s, customer)
	for _, a := range agents {
		dial.Numbers = append(dial.Numbers, twilio.Number{
			Phone: a.Phone, StatusCallbackEvent: "answered",
			StatusCallback: cb.url(twilio.VoiceAgent, "customer", customer, "user", a.ID),
		})
	}
	t.Verbs = append(t.Verbs, dial)
	return t
}

// dial is a <Dial> whose outcome and recording come back to this channel.
func (cb callbacks) dial(s voice.Settings, customer string) twilio.Dial {
	d := twilio.Dial{Action: cb.url(twilio.VoiceDial, "customer", customer), Method: "POST", Timeout: s.RingTimeout, AnswerOnBridge: "true"}
	if s.Recording {
		d.Record = "record-from-answer-dual"
		d.RecordingStatusCallback = cb.url(twilio.VoiceRecording, "customer", customer)
		d.RecordingStatusCallbackEvent = "completed"
	}
	return d
}

// transcribe starts the live transcription of the call's both sides; inbound is who the call's
// own party is (the customer who called, or the agent whose phone a placed call rang first).
func (cb callbacks) transcribe(customer, inbound string) twilio.Start {
	return twilio.Start{Transcription: twilio.Transcription{
		StatusCallbackURL: cb.url(twilio.VoiceTranscript, "customer", customer, "inbound", inbound),
		Track:             "both_tracks", PartialResults: "false",
	}}
}

// closed is the closed message, then a voicemail when the channel takes them.
func (cb callbacks) closed(s voice.Settings, customer string) twilio.TwiML {
	t := twilio.TwiML{Verbs: []any{twilio.Say{Text: s.ClosedMessage}}}
	if !s.Voicemail {
		t.Verbs = append(t.Verbs, twilio.Hangup{})
		return t
	}
	rec := twilio.Record{
		Action: cb.url(twilio.VoiceVoicemail, "customer", customer), Method: "POST",
		MaxLength: voicemailMaxLength, PlayBeep: "true",
		RecordingStatusCallback:      cb.url(twilio.VoiceRecording, "customer", customer, "of", "voicemail"),
		RecordingStatusCallbackEvent: "completed",
	}
	if s.Transcription {
		rec.Transcribe, rec.TranscribeCallback = "true", cb.url(twilio.VoiceTranscription, "customer", customer)
	}
	return twilio.TwiML{Verbs: append(t.Verbs, rec)}
}

// connect is click to call's TwiML once the agent answered: dial the customer from the
// channel's number, whispering the consent notice to them when calls are recorded.
func (cb callbacks) connect(s voice.Settings, ch inbox.Channel, customer string) twilio.TwiML {
	if customer == "" {
		return twilio.TwiML{Verbs: []any{twilio.Hangup{}}}
	}
	d := cb.dial(s, customer)
	d.AnswerOnBridge = ""
	if ch.Twilio != nil {
		d.CallerID = ch.Twilio.PhoneNumber
	}
	n := twilio.Number{Phone: customer}
	if s.Recording || s.Transcription {
		n.URL = cb.url(twilio.VoiceNotice)
	}
	d.Numbers = []twilio.Number{n}
	if s.Transcription {
		return twilio.TwiML{Verbs: []any{cb.transcribe(customer, inbox.SpeakerAgent), d}}
	}
	return twilio.TwiML{Verbs: []any{d}}
}

func writeTwiML(w http.ResponseWriter, t twilio.TwiML) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(t.Bytes())
}
