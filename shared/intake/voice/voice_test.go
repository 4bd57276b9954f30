package voice_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/intake/voice"
	"github.com/openinbox/inbox/shared/secretbox"
	"github.com/openinbox/inbox/shared/sqsqueue"
	"github.com/openinbox/inbox/shared/twilio"
)

const (
	acct       = "acct1"
	authToken  = "voice-auth-token-1"
	number     = "+15005550006"
	caller     = "+14155550100"
	publicBase = "https://inbox.example.test"
	callSid    = "CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"
)

// monday 10:00 in Copenhagen, inside the test channel's opening hours.
var now = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type fixture struct {
	ctx      context.Context
	store    *dynamo.Store
	sqs      *sqs.Client
	queueURL string
	handler  http.Handler
}

// newFixture stores voice channels ("open" with hours, "closed" without agents' hours, and
// one without voicemail) and users: ada and bob available with phones, cy away, dee without a
// phone, eve without a paid seat.
func newFixture(t testing.TB, clock func() time.Time) *fixture {
	t.Helper()
	client, table := testenv.DynamoDB(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ctx: context.Background(), store: dynamo.New(client, table, box), sqs: testenv.SQS(t)}
	must(t, f.store.CreateInbox(f.ctx, inbox.Inbox{AccountID: acct, ID: "ib1", Name: "Support", CreatedAt: now}))
	hours := `[{"day":1,"start":"09:00","end":"17:00"}]`
	for id, settings := range map[string]map[string]string{
		"open":    {"greeting": "Welcome to Acme.", "recording": "true", "hours": hours, "timeZone": "Europe/Copenhagen", "ringTimeout": "15", "transcription": "true"},
		"nightly": {"hours": `[{"day":0,"start":"00:00","end":"01:00"}]`},
		"novm":    {"voicemail": "false", "closedMessage": "We are closed.", "hours": `[{"day":0,"start":"00:00","end":"01:00"}]`},
	} {
		must(t, f.store.CreateChannel(f.ctx, inbox.Channel{
			AccountID: acct, ID: id, InboxID: "ib1", Type: inbox.ChannelVoice, Name: id,
			ProviderKey: "+1500555" + id, Twilio: &inbox.TwilioConfig{AccountSID: "AC0123456789abcdef0123456789abcdef", PhoneNumber: number},
			Settings: settings, Secrets: map[string]string{inbox.SecretTwilioAuthToken: authToken, "twilioSigningKey": "shared-key-secret"},
			CreatedAt: now,
		}))
	}
	must(t, f.store.CreateChannel(f.ctx, inbox.Channel{
		AccountID: acct, ID: "sms", InboxID: "ib1", Type: inbox.ChannelSMS, Name: "sms", ProviderKey: number,
		Twilio:  &inbox.TwilioConfig{AccountSID: "AC0123456789abcdef0123456789abcdef", PhoneNumber: number},
		Secrets: map[string]string{inbox.SecretTwilioAuthToken: authToken}, CreatedAt: now,
	}))
	for _, u := range []inbox.User{
		{ID: "ada", Phone: "+15005550111", Available: true, PaidSeat: true},
		{ID: "bob", Phone: "+15005550112", Available: true, PaidSeat: true},
		{ID: "cy", Phone: "+15005550113", Available: false, PaidSeat: true},
		{ID: "dee", Available: true, PaidSeat: true},
		{ID: "eve", Phone: "+15005550115", Available: true},
	} {
		u.AccountID, u.Name, u.Role, u.CreatedAt, u.TeamIDs = acct, u.ID, inbox.RoleAgent, now, []string{}
		must(t, f.store.CreateUser(f.ctx, u))
	}
	f.queueURL, _ = testenv.FIFOQueue(t, f.sqs, 5, 30)
	cfg := intake.Config{Channels: f.store, Queue: sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), f.queueURL), Now: clock, Log: slog.New(slog.DiscardHandler), PublicBaseURL: publicBase}
	f.handler = voice.New(cfg, f.store)
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// post sends form to path, signed with signature (none when ""), with extra headers.
func (f *fixture) post(path string, form url.Values, signature string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		r.Header.Set(twilio.SignatureHeader, signature)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	return w
}

func (f *fixture) signed(path string, form url.Values) *httptest.ResponseRecorder {
	return f.post(path, form, twilio.Signature(authToken, publicBase+path, form))
}

// queued returns the envelopes in the queue.
func (f *fixture) queued(t *testing.T) []inbox.Envelope {
	t.Helper()
	var all []inbox.Envelope
	for {
		out, err := f.sqs.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(f.queueURL), MaxNumberOfMessages: 10})
		must(t, err)
		if len(out.Messages) == 0 {
			return all
		}
		for _, m := range out.Messages {
			var env inbox.Envelope
			must(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &env))
			all = append(all, env)
		}
	}
}

// node is a TwiML element, to compare answers element by element.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

// el builds an expected element: name, attributes as name=value pairs, then text or children.
func el(name string, attrs []string, kids ...any) node {
	n := node{XMLName: xml.Name{Local: name}}
	for i := 0; i+1 < len(attrs); i += 2 {
		n.Attrs = append(n.Attrs, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	for _, k := range kids {
		switch k := k.(type) {
		case string:
			n.Text = k
		case node:
			n.Children = append(n.Children, k)
		}
	}
	return n
}

// twiml parses an answer and checks its envelope: 200, text/xml, an XML declaration.
func twiml(t *testing.T, w *httptest.ResponseRecorder) node {
	t.Helper()
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/xml") || !strings.HasPrefix(w.Body.String(), "<?xml") {
		t.Fatalf("answer %d %s: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	var n node
	must(t, xml.Unmarshal(w.Body.Bytes(), &n))
	return n
}

func sameTwiML(t *testing.T, got, want node) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := xml.MarshalIndent(got, "", " ")
		w, _ := xml.MarshalIndent(want, "", " ")
		t.Errorf("TwiML:\n%s\nwant:\n%s", g, w)
	}
}

const base = publicBase + "/webhooks/voice/"

// incoming is Twilio's documented incoming-call request (Voice Webhooks).
func incoming() url.Values {
	return url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "ApiVersion": {"2010-04-01"},
		"CallSid": {callSid}, "CallStatus": {"ringing"}, "Called": {number}, "Caller": {caller},
		"Direction": {"inbound"}, "From": {caller}, "FromCity": {"SAN FRANCISCO"}, "FromCountry": {"US"},
		"FromState": {"CA"}, "FromZip": {"94103"}, "To": {number}, "ToCountry": {"US"},
	}
}

// TestIncomingCallRingsAvailableAgents checks the answer to a call in opening hours: greeting,
// consent notice, and a <Dial> ringing ada and bob (available, paid seat, a phone) and nobody
// else, with their answer callbacks; the call is queued with who rang.
func TestIncomingCallRingsAvailableAgents(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func() time.Time { return now })
	got := twiml(t, f.signed("/webhooks/voice/open", incoming()))
	q := "?customer=%2B14155550100"
	sameTwiML(t, got, el("Response", nil,
		el("Say", nil, "Welcome to Acme."),
		el("Say", nil, "This call may be recorded for quality and training purposes."),
		el("Start", nil, el("Transcription", []string{"statusCallbackUrl", base + "open/transcript" + q + "&inbound=customer", "track", "both_tracks", "partialResults", "false"})),
		el("Dial", []string{"action", base + "open/dial" + q, "method", "POST", "timeout", "15", "answerOnBridge", "true",
			"record", "record-from-answer-dual", "recordingStatusCallback", base + "open/recording" + q, "recordingStatusCallbackEvent", "completed"},
			el("Number", []string{"statusCallbackEvent", "answered", "statusCallback", base + "open/agent" + q + "&user=ada"}, "+15005550111"),
			el("Number", []string{"statusCallbackEvent", "answered", "statusCallback", base + "open/agent" + q + "&user=bob"}, "+15005550112"),
		),
	))
	envs := f.queued(t)
	if len(envs) != 1 || envs[0].Kind != inbox.KindCall || envs[0].ProviderMessageID != callSid || envs[0].From.Phone != caller ||
		!reflect.DeepEqual(envs[0].Call.Rang, []string{"ada", "bob"}) || envs[0].Call.Status != inbox.CallRinging || envs[0].ChannelID != "open" {
		t.Fatalf("queued %+v", envs)
	}
}

// TestClosedCallTakesVoicemail checks the answers outside opening hours and when nobody
// answers: the closed message and a <Record> with its callbacks; without voicemail, a hang-up.
func TestClosedCallTakesVoicemail(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func() time.Time { return now })
	q := "?customer=%2B14155550100"
	record := func(ch string, transcribe bool) node {
		attrs := []string{"action", base + ch + "/voicemail" + q, "method", "POST", "maxLength", "120", "playBeep", "true",
			"recordingStatusCallback", base + ch + "/recording" + q + "&of=voicemail", "recordingStatusCallbackEvent", "completed"}
		if transcribe {
			attrs = append(attrs, "transcribe", "true", "transcribeCallback", base+ch+"/transcription"+q)
		}
		return el("Record", attrs)
	}
	closed := el("Say", nil, "Sorry, nobody can take your call right now. Please leave a message after the tone.")
	sameTwiML(t, twiml(t, f.signed("/webhooks/voice/nightly", incoming())), el("Response", nil, closed, record("nightly", false)))
	sameTwiML(t, twiml(t, f.signed("/webhooks/voice/novm", incoming())), el("Response", nil, el("Say", nil, "We are closed."), el("Hangup", nil)))

	// The dial's outcome: nobody answered → voicemail; answered → hang up when the agent does.
	dial := url.Values{"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "CallSid": {callSid}, "CallStatus": {"in-progress"},
		"Direction": {"inbound"}, "From": {caller}, "To": {number}, "DialCallSid": {"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		"DialCallStatus": {"no-answer"}, "DialCallDuration": {"0"}}
	sameTwiML(t, twiml(t, f.signed("/webhooks/voice/open/dial"+q, dial)), el("Response", nil, closed, record("open", true)))
	dial.Set("DialCallStatus", "completed")
	dial.Set("DialCallDuration", "125")
	sameTwiML(t, twiml(t, f.signed("/webhooks/voice/open/dial"+q, dial)), el("Response", nil, el("Hangup", nil)))
	if envs := f.queued(t); len(envs) != 4 {
		t.Errorf("queued %d events, want 4", len(envs))
	}
}

// TestVoiceRefusals checks that unsigned, tampered and wrongly keyed requests get 403 and
// queue nothing, unknown channels (or an SMS channel's id) 404, and that the HMAC-SHA256
// variant is accepted.
func TestVoiceRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func() time.Time { return now })
	path := "/webhooks/voice/open"
	form := incoming()
	sig := twilio.Signature(authToken, publicBase+path, form)
	tampered := incoming()
	tampered.Set("From", "+19005550199")
	settings := "key=KS0123456789abcdef0123456789abcdef,algorithm=HMAC_SHA256"
	for name, tc := range map[string]struct {
		path    string
		form    url.Values
		sig     string
		headers []string
		code    int
	}{
		"unsigned":              {path, form, "", nil, http.StatusForbidden},
		"tampered":              {path, tampered, sig, nil, http.StatusForbidden},
		"other token":           {path, form, twilio.Signature("another-token", publicBase+path, form), nil, http.StatusForbidden},
		"sha1 as sha256":        {path, form, sig, []string{twilio.SignatureSettingsHeader, settings}, http.StatusForbidden},
		"unknown channel":       {"/webhooks/voice/nope", form, twilio.Signature(authToken, publicBase+"/webhooks/voice/nope", form), nil, http.StatusNotFound},
		"sms channel":           {"/webhooks/voice/sms", form, twilio.Signature(authToken, publicBase+"/webhooks/voice/sms", form), nil, http.StatusNotFound},
		"unknown event":         {path + "/bogus", form, twilio.Signature(authToken, publicBase+path+"/bogus", form), nil, http.StatusNotFound},
		"status without status": {path + "/status", url.Values{"CallSid": {callSid}, "From": {caller}, "Direction": {"inbound"}, "CallStatus": {"exploded"}}, "", nil, http.StatusForbidden},
	} {
		if w := f.post(tc.path, tc.form, tc.sig, tc.headers...); w.Code != tc.code {
			t.Errorf("%s: %d %s, want %d", name, w.Code, w.Body, tc.code)
		}
	}
	if envs := f.queued(t); len(envs) != 0 {
		t.Fatalf("refused requests queued %d events", len(envs))
	}
	w := f.post(path, form, twilio.SignatureSHA256("shared-key-secret", publicBase+path, form), twilio.SignatureSettingsHeader, settings)
	if w.Code != http.StatusOK || len(f.queued(t)) != 1 {
		t.Errorf("HMAC-SHA256 signed call: %d %s", w.Code, w.Body)
	}
}

// BenchmarkIncomingCallAnswer times the incoming-call handler end to end against the
// emulators (signature, channel, users, queue, TwiML): it is on the caller's ring time.
func BenchmarkIncomingCallAnswer(b *testing.B) {
	f := newFixture(b, func() time.Time { return now })
	path := "/webhooks/voice/open"
	form := incoming()
	sig := twilio.Signature(authToken, publicBase+path, form)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if w := f.post(path, form, sig); w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
