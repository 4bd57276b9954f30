package router_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/router"
	"github.com/openinbox/inbox/shared/sqsqueue"
	"github.com/openinbox/inbox/shared/twilio"
)

const callSid = "CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"

// voiceChannel adds a voice channel on the SMS channel's number, in the same inbox.
func (f *fixture) voiceChannel(t testing.TB) inbox.Channel {
	t.Helper()
	ch := inbox.Channel{
		AccountID: acct, ID: "voice1", InboxID: f.inbox.ID, Type: inbox.ChannelVoice, Name: "Calls",
		ProviderKey: channelNumber, Twilio: &inbox.TwilioConfig{AccountSID: "AC" + strings.Repeat("0", 32), PhoneNumber: channelNumber},
		Settings: map[string]string{}, Secrets: map[string]string{inbox.SecretTwilioAuthToken: "token-voice1"}, CreatedAt: base,
	}
	must(t, f.store.CreateChannel(f.ctx, ch))
	return ch
}

// callEvents are the envelopes the voice intake queues for a call from phone that nobody
// answered and that left a transcribed voicemail: Twilio's documented parameters of each
// callback through twilio.ParseVoice.
func callEvents(t testing.TB, ch inbox.Channel, sid, phone string, at time.Time) []inbox.Envelope {
	t.Helper()
	common := url.Values{"AccountSid": {ch.Twilio.AccountSID}, "CallSid": {sid}, "Direction": {"inbound"}, "From": {phone}, "To": {channelNumber}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range common {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	q := url.Values{"customer": {phone}}
	calls := []struct {
		event  string
		params url.Values
		query  url.Values
	}{
		{"", with("CallStatus", "ringing", "ApiVersion", "2010-04-01"), nil},
		{twilio.VoiceStatus, with("CallStatus", "in-progress", "SequenceNumber", "1", "CallbackSource", "call-progress-events"), nil},
		{twilio.VoiceDial, with("CallStatus", "in-progress", "DialCallStatus", "no-answer", "DialCallSid", "CA"+strings.Repeat("a", 32), "DialCallDuration", "0"), q},
		{twilio.VoiceVoicemail, with("RecordingSid", "RE"+strings.Repeat("1", 32), "RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE"+strings.Repeat("1", 32), "RecordingDuration", "31"), q},
		{twilio.VoiceRecording, url.Values{"AccountSid": {ch.Twilio.AccountSID}, "CallSid": {sid}, "RecordingSid": {"RE" + strings.Repeat("1", 32)},
			"RecordingUrl": {"https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + strings.Repeat("1", 32)}, "RecordingStatus": {"completed"},
			"RecordingDuration": {"31"}, "RecordingSource": {"RecordVerb"}}, url.Values{"customer": {phone}, "of": {"voicemail"}}},
		{twilio.VoiceTranscription, with("TranscriptionStatus", "completed", "TranscriptionText", "Please call me back.", "TranscriptionSid", "TR1"), q},
		{twilio.VoiceStatus, with("CallStatus", "completed", "CallDuration", "48", "SequenceNumber", "3", "CallbackSource", "call-progress-events"), nil},
	}
	var envs []inbox.Envelope
	for i, c := range calls {
		env, err := twilio.ParseVoice(c.event, c.params, c.query)
		if err != nil {
			t.Fatalf("%s: %v", c.event, err)
		}
		env.AccountID, env.ChannelID, env.ChannelType = acct, ch.ID, ch.Type
		env.ReceivedAt = at.Add(time.Duration(i) * time.Second)
		envs = append(envs, env)
	}
	return envs
}

// mediaQueue is a media queue of the SQS emulator, and a func returning the jobs in it.
func mediaQueue(t *testing.T, f *fixture) (router.Publisher, func() []router.MediaJob) {
	t.Helper()
	client := testenv.SQS(t)
	q, err := client.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.Unique("media"))})
	must(t, err)
	t.Cleanup(func() { _, _ = client.DeleteQueue(f.ctx, &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl}) })
	return sqsqueue.NewStandard(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), aws.ToString(q.QueueUrl)), func() []router.MediaJob {
		var jobs []router.MediaJob
		for {
			out, err := client.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
			must(t, err)
			if len(out.Messages) == 0 {
				return jobs
			}
			for _, m := range out.Messages {
				var j router.MediaJob
				must(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &j))
				jobs = append(jobs, j)
			}
		}
	}
}

// contactID returns the id of the contact with phone.
func contactID(t testing.TB, f *fixture, phone string) string {
	t.Helper()
	c, err := f.store.ContactByPhone(f.ctx, acct, phone)
	must(t, err)
	return c.ID
}

// routes counts the assigner's routings per conversation.
type routes struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *routes) Route(_ context.Context, _, convID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[convID]++
	return nil
}

func (r *routes) RouteConversation(ctx context.Context, _ inbox.Channel, conv inbox.Conversation) error {
	return r.Route(ctx, conv.AccountID, conv.ID)
}

func (r *routes) TakeAnswered(context.Context, string, string, string) error { return nil }

// Rules says the channel has none: the test counts routings, whatever they decide.
func (r *routes) Rules(context.Context, string, string) (*inbox.RoutingRules, error) { return nil, nil }

func (r *routes) Reopen(context.Context, string, inbox.Conversation) (inbox.Conversation, error) {
	return inbox.Conversation{}, inbox.Errorf(inbox.EInternal, "not expected")
}

// TestCallCallbacksInAnyOrder delivers a missed call's callbacks in shuffled order, with
// duplicates, into the contact's open SMS conversation: one call message, a voicemail with
// its recording queued for copying and its transcript, the conversation routed as for an
// inbound message.
func TestCallCallbacksInAnyOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	media, jobs := mediaQueue(t, f)
	assigner := &routes{}
	f.router = router.New(router.Config{Store: f.store, Media: media, Assigner: assigner, Now: func() time.Time { return now }})
	voice := f.voiceChannel(t)
	f.handle(t, f.message("SMfirst", phoneA, "Hello by text", base))
	envs := callEvents(t, voice, callSid, phoneA, base.Add(time.Minute))
	rng := rand.New(rand.NewPCG(7, 11))
	order := append(append([]inbox.Envelope(nil), envs...), envs[2], envs[4], envs[6])
	rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	for _, env := range order {
		f.handle(t, env)
	}
	conv, err := f.store.FindOpenConversation(f.ctx, acct, f.inbox.ID, contactID(t, f, phoneA))
	must(t, err)
	msgs, err := f.store.ListMessages(f.ctx, acct, conv.ID)
	must(t, err)
	if len(msgs) != 2 || msgs[0].Text != "Hello by text" {
		t.Fatalf("messages: %+v", msgs)
	}
	m := msgs[1]
	c := m.Call
	if c == nil || c.Sid != callSid || c.Status != inbox.CallVoicemail || c.Transcript != "Please call me back." || c.Duration != 48 ||
		m.Direction != inbox.DirectionIn || m.Text != "Voicemail" || c.From != phoneA || c.To != channelNumber {
		t.Fatalf("call message: %+v %+v", m, c)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Name != inbox.RecordingVoicemail || m.Attachments[0].MediaStatus != inbox.MediaPending ||
		!strings.HasSuffix(m.Attachments[0].URL, ".mp3") {
		t.Fatalf("recording: %+v", m.Attachments)
	}
	if js := jobs(); len(js) == 0 || js[0].MessageID != m.ID || js[0].Index != 0 || js[0].ChannelID != voice.ID {
		t.Errorf("media jobs for the recording: %+v", js)
	}
	if assigner.n[conv.ID] == 0 {
		t.Error("the missed call did not route the conversation")
	}
	if conv, err = f.store.GetConversation(f.ctx, acct, conv.ID); err != nil || conv.Preview != "Voicemail" {
		t.Errorf("conversation preview %q (%v)", conv.Preview, err)
	}
}

// TestCallOpensConversation checks that a call from a new number opens a conversation (on
// the voice channel) and that a ringing call routes nothing until it is missed.
func TestCallOpensConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	assigner := &routes{}
	f.router = router.New(router.Config{Store: f.store, Assigner: assigner, Now: func() time.Time { return now }})
	voice := f.voiceChannel(t)
	envs := callEvents(t, voice, callSid, phoneB, base)
	f.handle(t, envs[0])
	conv, err := f.store.FindOpenConversation(f.ctx, acct, f.inbox.ID, contactID(t, f, phoneB))
	must(t, err)
	if conv.ChannelID != voice.ID || conv.ChannelType != inbox.ChannelVoice || conv.Preview != "Incoming call: ringing" || assigner.n[conv.ID] != 0 {
		t.Fatalf("conversation %+v, routed %d", conv, assigner.n[conv.ID])
	}
	f.handle(t, envs[2]) // the dial: no answer
	if assigner.n[conv.ID] != 1 {
		t.Errorf("missed call routed %d times", assigner.n[conv.ID])
	}
	// An outbound call's event before its message exists (the dispatcher has not recorded the
	// CallSid yet) is retried: not found.
	out := envs[1]
	out.ProviderMessageID, out.Call = "CAunknown", &inbox.CallEvent{Sid: "CAunknown", Source: inbox.CallSourceStatus, Seq: 0, Direction: inbox.DirectionOut, Status: inbox.CallRinging}
	if err := f.router.Handle(f.ctx, out); !inbox.IsCode(err, inbox.ENotFound) {
		t.Errorf("outbound event without its call: %v", err)
	}
}

// BenchmarkCallCapacity measures the DynamoDB capacity units of a missed call with a
// transcribed voicemail in an existing conversation: its seven callbacks through the router.
// Report: RCU/call and WCU/call.
func BenchmarkCallCapacity(b *testing.B) {
	f := newFixture(b)
	f.router = router.New(router.Config{Store: f.store, ChannelCacheTTL: time.Minute, Now: func() time.Time { return now }})
	voice := f.voiceChannel(b)
	var mu sync.Mutex
	var rcu, wcu float64
	ops := map[string]float64{}
	f.store.OnCapacity(func(op string, r, w float64) {
		mu.Lock()
		rcu, wcu = rcu+r, wcu+w
		ops[op] += w
		mu.Unlock()
	})
	if err := f.router.Handle(f.ctx, f.message("SMfirst", phoneA, "hello", base)); err != nil {
		b.Fatal(err)
	}
	rcu, wcu = 0, 0
	clear(ops)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, env := range callEvents(b, voice, fmt.Sprintf("CA%032d", i), phoneA, base.Add(time.Duration(i+1)*time.Minute)) {
			if err := f.router.Handle(f.ctx, env); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(rcu/float64(b.N), "RCU/call")
	b.ReportMetric(wcu/float64(b.N), "WCU/call")
	if testing.Verbose() {
		for op, cu := range ops {
			b.Logf("%s: %.2f WCU/call", op, cu/float64(b.N))
		}
	}
}
