package localrun

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/voice"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/twilio"
)

// The local stand-in of Twilio Voice: the Calls API that click to call uses (POST
// /_local/twilio/2010-04-01/Accounts/{sid}/Calls.json), recordings to download (GET
// …/Recordings/{sid}.mp3), and the caller's side of a call: POST /_local/voice/{channelId}/call
// plays an incoming call through the voice function the way Twilio would (the signed incoming
// webhook, then the callbacks the returned TwiML asks for), and POST /_local/outbox/{CallSid}/status
// plays a call placed by an agent. Every TwiML the voice function answered is in the outbox.

const demoVoiceChannel = "demo-voice"

func demoVoice(now time.Time) inbox.Channel {
	return inbox.Channel{
		AccountID: DemoAccount, ID: demoVoiceChannel, InboxID: demoInboxID, Type: inbox.ChannelVoice,
		Name: "Demo calls", ProviderKey: demoPhone,
		Twilio:    &inbox.TwilioConfig{AccountSID: demoTwilioSID, PhoneNumber: demoPhone},
		Settings:  map[string]string{"greeting": "Thanks for calling Demo Inc.", "recording": "true", "transcription": "true"},
		Secrets:   map[string]string{inbox.SecretTwilioAuthToken: demoAuthTokenPrefix + randomHex(8)},
		CreatedAt: now,
	}
}

func voiceDemoChannel(base string, ch inbox.Channel) DemoChannel {
	return DemoChannel{
		ID: ch.ID, Type: ch.Type, WebhookURL: channel.WebhookURL(base, voice.Kind.WebhookPath, ch.ID),
		StatusCallbackURL: channel.WebhookURL(base, voice.Kind.StatusPath, ch.ID), PhoneNumber: ch.Twilio.PhoneNumber,
		Secrets: map[string]string{"twilioAccountSid": ch.Twilio.AccountSID, "twilioAuthToken": ch.Secrets[inbox.SecretTwilioAuthToken]},
		Try:     "Play a call as Twilio would (the signed webhook, then the callbacks its TwiML asks for; the TwiML is in the outbox)",
		Curl:    fmt.Sprintf("curl -sS -X POST '%s/_local/voice/%s/call' -d from=%s -d outcome=voicemail   # or answered (agent=<user id>), missed", base, ch.ID, url.QueryEscape(demoCustomer)),
	}
}

// CallStep is one request the simulated Twilio made during a call, with the TwiML answered.
type CallStep struct {
	URL   string `json:"url"`
	Code  int    `json:"code"`
	TwiML string `json:"twiml,omitempty"`
}

// twimlDoc is what the simulation reads of a TwiML answer.
type twimlDoc struct {
	Start *struct {
		Transcription struct {
			StatusCallbackURL string `xml:"statusCallbackUrl,attr"`
		} `xml:"Transcription"`
	} `xml:"Start"`
	Dial *struct {
		Action                  string `xml:"action,attr"`
		RecordingStatusCallback string `xml:"recordingStatusCallback,attr"`
		Numbers                 []struct {
			StatusCallback string `xml:"statusCallback,attr"`
			Phone          string `xml:",chardata"`
		} `xml:"Number"`
	} `xml:"Dial"`
	Record *struct {
		Action                  string `xml:"action,attr"`
		RecordingStatusCallback string `xml:"recordingStatusCallback,attr"`
		TranscribeCallback      string `xml:"transcribeCallback,attr"`
	} `xml:"Record"`
}

// callSim plays one call against a voice channel: it signs each request with the channel's
// auth token, as Twilio does, and records every TwiML answer in the outbox.
type callSim struct {
	r     *Runner
	ch    inbox.Channel
	sid   string
	seq   int
	steps []CallStep
	err   error
}

func (s *callSim) post(ctx context.Context, u string, form url.Values) twimlDoc {
	var doc twimlDoc
	if s.err != nil || u == "" {
		return doc
	}
	if form.Get("AccountSid") == "" {
		form.Set("AccountSid", s.ch.Twilio.AccountSID)
	}
	form.Set("ApiVersion", "2010-04-01")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Signature(s.ch.Secrets[inbox.SecretTwilioAuthToken], u, form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.err = err
		return doc
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	step := CallStep{URL: u, Code: resp.StatusCode}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		step.TwiML = string(body)
		_ = xml.Unmarshal(body, &doc)
		s.r.Outbox.add(&OutboxEntry{Channel: inbox.ChannelVoice, SID: s.sid, AccountSID: s.ch.Twilio.AccountSID,
			From: form.Get("From"), To: form.Get("To"), Body: step.TwiML, StatusCallback: u, Form: form, At: time.Now().UTC(), Status: "twiml"})
	}
	if resp.StatusCode != http.StatusOK {
		s.err = fmt.Errorf("%s answered %d: %s", u, resp.StatusCode, body)
	}
	s.steps = append(s.steps, step)
	return doc
}

// status posts the call's status callback (the number's "Call status changes" URL, or the
// StatusCallback a placed call asked for) with the next SequenceNumber.
func (s *callSim) status(ctx context.Context, u string, form url.Values, status string, duration int) {
	f := cloneForm(form)
	f.Set("CallStatus", status)
	f.Set("CallbackSource", "call-progress-events")
	f.Set("SequenceNumber", strconv.Itoa(s.seq))
	f.Set("Timestamp", time.Now().UTC().Format(time.RFC1123Z))
	if duration > 0 {
		f.Set("CallDuration", strconv.Itoa(duration))
	}
	s.seq++
	s.post(ctx, u, f)
}

// transcript posts a talked call's live transcription as Twilio's Real-Time Transcriptions
// would, when the TwiML started one: started, one final utterance per side (inbound first,
// posted in reverse order and once more, as callbacks may come), stopped.
func (s *callSim) transcript(ctx context.Context, doc twimlDoc, inbound, outbound string) {
	if doc.Start == nil || doc.Start.Transcription.StatusCallbackURL == "" {
		return
	}
	u := doc.Start.Transcription.StatusCallbackURL
	tsid := "GT" + randomHex(16)
	event := func(name string, kv ...string) url.Values {
		f := url.Values{"CallSid": {s.sid}, "TranscriptionSid": {tsid}, "TranscriptionEvent": {name},
			"Timestamp": {time.Now().UTC().Format(time.RFC3339Nano)}, "ProviderName": {"google"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	utterance := func(seq int, track, text string) url.Values {
		data, _ := json.Marshal(map[string]any{"transcript": text, "confidence": 0.93})
		return event("transcription-content", "SequenceId", strconv.Itoa(seq), "Track", track, "Final", "true",
			"LanguageCode", "en-US", "TranscriptionData", string(data))
	}
	s.post(ctx, u, event("transcription-started", "SequenceId", "1", "Track", "both_tracks"))
	second := utterance(3, "outbound_track", outbound)
	s.post(ctx, u, second)
	s.post(ctx, u, utterance(2, "inbound_track", inbound))
	s.post(ctx, u, second)
	s.post(ctx, u, event("transcription-stopped", "SequenceId", "4"))
}

// recording posts a recording's callbacks: the <Record> action (when given) and the recording
// status callback, with a recording the local Twilio API serves.
func (s *callSim) recording(ctx context.Context, form url.Values, action, statusCallback string, duration int) string {
	rec := "RE" + randomHex(16)
	recURL := s.r.URL + "/_local/twilio/2010-04-01/Accounts/" + s.ch.Twilio.AccountSID + "/Recordings/" + rec
	f := cloneForm(form)
	f.Set("RecordingSid", rec)
	f.Set("RecordingUrl", recURL)
	f.Set("RecordingDuration", strconv.Itoa(duration))
	s.post(ctx, action, f)
	cb := url.Values{"AccountSid": {s.ch.Twilio.AccountSID}, "CallSid": {s.sid}, "RecordingSid": {rec}, "RecordingUrl": {recURL},
		"RecordingStatus": {"completed"}, "RecordingDuration": {strconv.Itoa(duration)}, "RecordingChannels": {"1"},
		"RecordingStartTime": {time.Now().UTC().Format(time.RFC1123Z)}}
	s.post(ctx, statusCallback, cb)
	return rec
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// simulateCall serves POST /_local/voice/{channelId}/call: from (the caller, default the demo
// customer), outcome answered (agent: the user who answers; default the first rung), missed
// (nobody answers, no voicemail) or voicemail (nobody answers, a voicemail is left).
func (r *Runner) simulateCall(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	ch, err := r.Store.ChannelByID(ctx, req.PathValue("channelId"))
	if err != nil || ch.Type != inbox.ChannelVoice || ch.Twilio == nil {
		http.Error(w, `{"error":{"code":"not_found","message":"no such voice channel"}}`, http.StatusNotFound)
		return
	}
	_ = req.ParseForm()
	from, outcome := req.Form.Get("from"), req.Form.Get("outcome")
	if from == "" {
		from = demoCustomer
	}
	s := &callSim{r: r, ch: ch, sid: "CA" + randomHex(16)}
	hook := channel.WebhookURL(r.URL, voice.Kind.WebhookPath, ch.ID)
	statusURL := channel.WebhookURL(r.URL, voice.Kind.StatusPath, ch.ID)
	call := url.Values{"CallSid": {s.sid}, "From": {from}, "Caller": {from}, "To": {ch.Twilio.PhoneNumber},
		"Called": {ch.Twilio.PhoneNumber}, "Direction": {"inbound"}, "FromCountry": {"US"}, "ToCountry": {"US"}}
	ringing := cloneForm(call)
	ringing.Set("CallStatus", "ringing")
	doc := s.post(ctx, hook, ringing)
	s.status(ctx, statusURL, call, "in-progress", 0)
	inProgress := cloneForm(call)
	inProgress.Set("CallStatus", "in-progress")
	talk := 0
	switch {
	case outcome == "answered" && doc.Dial != nil && len(doc.Dial.Numbers) > 0:
		n := doc.Dial.Numbers[0]
		for _, x := range doc.Dial.Numbers {
			if agent := req.Form.Get("agent"); agent != "" && strings.Contains(x.StatusCallback, "user="+url.QueryEscape(agent)) {
				n = x
			}
		}
		leg := "CA" + randomHex(16)
		s.post(ctx, n.StatusCallback, url.Values{"CallSid": {leg}, "ParentCallSid": {s.sid}, "CallStatus": {"in-progress"},
			"Direction": {"outbound-dial"}, "From": {from}, "To": {strings.TrimSpace(n.Phone)}, "CallbackSource": {"call-progress-events"}, "SequenceNumber": {"2"}})
		talk = 42
		dial := cloneForm(inProgress)
		dial.Set("DialCallSid", leg)
		dial.Set("DialCallStatus", "completed")
		dial.Set("DialCallDuration", strconv.Itoa(talk))
		dial.Set("DialBridged", "true")
		s.transcript(ctx, doc, "Hi, I am calling about my order.", "Sure, let me look it up for you.")
		s.post(ctx, doc.Dial.Action, dial)
		if doc.Dial.RecordingStatusCallback != "" {
			s.recording(ctx, call, "", doc.Dial.RecordingStatusCallback, talk)
		}
	default:
		if doc.Dial != nil {
			dial := cloneForm(inProgress)
			dial.Set("DialCallStatus", "no-answer")
			dial.Set("DialCallDuration", "0")
			doc = s.post(ctx, doc.Dial.Action, dial)
		}
		if outcome != "missed" && doc.Record != nil {
			talk = 31
			s.recording(ctx, inProgress, doc.Record.Action, doc.Record.RecordingStatusCallback, talk)
			if doc.Record.TranscribeCallback != "" {
				t := cloneForm(call)
				t.Set("CallStatus", "completed")
				t.Set("TranscriptionSid", "TR"+randomHex(16))
				t.Set("TranscriptionStatus", "completed")
				t.Set("TranscriptionText", "Hi, this is a test voicemail. Please call me back.")
				s.post(ctx, doc.Record.TranscribeCallback, t)
			}
		}
	}
	s.status(ctx, statusURL, call, "completed", talk+8)
	writeCallResult(w, s)
}

func writeCallResult(w http.ResponseWriter, s *callSim) {
	w.Header().Set("Content-Type", "application/json")
	if s.err != nil {
		w.WriteHeader(http.StatusBadGateway)
	}
	out := map[string]any{"callSid": s.sid, "steps": s.steps}
	if s.err != nil {
		out["error"] = s.err.Error()
	}
	_ = json.NewEncoder(w).Encode(out)
}

// calls serves POST /_local/twilio/2010-04-01/Accounts/{sid}/Calls.json as Twilio's Calls API
// does: the call is recorded in the outbox, to be played with POST /_local/outbox/{sid}/status.
func (o *Outbox) calls(w http.ResponseWriter, r *http.Request, account, authToken string) {
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 21601, "Invalid form body")
		return
	}
	f := r.PostForm
	switch {
	case f.Get("To") == "":
		twilioError(w, http.StatusBadRequest, 21201, "No 'To' number is specified")
		return
	case f.Get("Url") == "" && f.Get("Twiml") == "":
		twilioError(w, http.StatusBadRequest, 21205, "Url parameter is required.")
		return
	case f.Get("To") == invalidTestNumber:
		twilioError(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", invalidTestNumber))
		return
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	e := &OutboxEntry{Channel: inbox.ChannelVoice, SID: "CA" + hex.EncodeToString(b[:]), AccountSID: account, To: f.Get("To"),
		From: f.Get("From"), Body: f.Get("Url"), StatusCallback: f.Get("StatusCallback"), Form: f, At: time.Now().UTC(),
		Status: "queued", authToken: authToken}
	o.add(e)
	now := e.At.Format(time.RFC1123Z)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"account_sid": account, "api_version": "2010-04-01", "date_created": now, "date_updated": now,
		"direction": "outbound-api", "from": e.From, "to": e.To, "sid": e.SID, "status": "queued",
		"uri": "/2010-04-01/Accounts/" + account + "/Calls/" + e.SID + ".json",
	})
}

// recordingFile serves GET …/Accounts/{sid}/Recordings/{RecordingSid}[.mp3] to the account's
// credentials, as a Twilio account that protects its media does.
func recordingFile(w http.ResponseWriter, r *http.Request, account string) {
	if user, pass, ok := r.BasicAuth(); !ok || user != account || pass == "" {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	w.Header().Set("Content-Type", "audio/mpeg")
	// An MPEG audio frame header, then silence: enough for a player to recognize the type.
	_, _ = w.Write(append([]byte{0xFF, 0xFB, 0x90, 0x64}, make([]byte, 413)...))
}

// placedCall plays a call that dispatch placed through the Calls API: status completed (the
// agent answers, then the customer; they talk), or busy / no-answer / failed (the agent's
// phone is not answered).
// voiceStatus plays a placed call's progress (POST /_local/outbox/{id}/status with status
// completed, the default, busy, no-answer or failed); the TwiML answers in the outbox have none.
func voiceStatus(r *Runner, w http.ResponseWriter, req *http.Request, e *OutboxEntry, status string) {
	if e.Status == "twiml" {
		http.Error(w, `{"error":{"code":"not_found","message":"a TwiML answer has no status to report"}}`, http.StatusNotFound)
		return
	}
	if req.Form.Get("status") == "" {
		status = "completed"
	}
	r.placedCall(w, req, e, status)
}

func (r *Runner) placedCall(w http.ResponseWriter, req *http.Request, e *OutboxEntry, status string) {
	ctx := req.Context()
	ch, err := r.Store.ChannelByID(ctx, channelOfURL(e.Form.Get("Url")))
	if err != nil {
		http.Error(w, `{"error":{"code":"not_found","message":"the call's voice channel is gone"}}`, http.StatusNotFound)
		return
	}
	ch.Secrets[inbox.SecretTwilioAuthToken] = e.authToken
	s := &callSim{r: r, ch: ch, sid: e.SID}
	call := url.Values{"CallSid": {e.SID}, "From": {e.From}, "To": {e.To}, "Direction": {"outbound-api"}}
	s.status(ctx, e.StatusCallback, call, "initiated", 0)
	s.status(ctx, e.StatusCallback, call, "ringing", 0)
	talk := 0
	if status == "completed" {
		s.status(ctx, e.StatusCallback, call, "in-progress", 0)
		answered := cloneForm(call)
		answered.Set("CallStatus", "in-progress")
		doc := s.post(ctx, e.Form.Get("Url"), answered)
		if doc.Dial != nil {
			talk = 30
			dial := cloneForm(answered)
			dial.Set("DialCallSid", "CA"+randomHex(16))
			dial.Set("DialCallStatus", "completed")
			dial.Set("DialCallDuration", strconv.Itoa(talk))
			s.transcript(ctx, doc, "Hello, this is Ada from Demo Inc.", "Oh hi, thanks for calling back.")
			s.post(ctx, doc.Dial.Action, dial)
			if doc.Dial.RecordingStatusCallback != "" {
				s.recording(ctx, call, "", doc.Dial.RecordingStatusCallback, talk)
			}
		}
	}
	s.status(ctx, e.StatusCallback, call, status, talk+5)
	r.Outbox.setStatus(e, status)
	writeCallResult(w, s)
}

// channelOfURL is the channel id in a voice callback URL (…/webhooks/voice/{id}/…).
func channelOfURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	_, rest, ok := strings.Cut(p.Path, "/webhooks/voice/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}
