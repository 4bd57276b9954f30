package inbox

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// answeredCall is the events of an inbound call answered by ada, recorded and transcribed live,
// as the voice intake normalizes Twilio's callbacks.
var answeredCall = []CallEvent{
	{Sid: "CA1", Source: CallSourceIncoming, Seq: -1, Direction: DirectionIn, From: "+14155550100", To: "+15005550006", Status: CallRinging, Rang: []string{"ada", "bob"}},
	{Sid: "CA1", Source: CallSourceStatus, Seq: 0, Direction: DirectionIn, Status: CallRinging},
	{Sid: "CA1", Source: CallSourceStatus, Seq: 1, Direction: DirectionIn, Status: CallAnswered},
	{Sid: "CA1", Source: CallSourceAgent, Seq: -1, Direction: DirectionIn, Status: CallAnswered, AnsweredBy: "ada"},
	{Sid: "CA1", Source: CallSourceDial, Seq: -1, Direction: DirectionIn, Status: CallCompleted, Duration: 125},
	{Sid: "CA1", Source: CallSourceStatus, Seq: 2, Direction: DirectionIn, Status: CallCompleted, Duration: 140},
	{Sid: "CA1", Source: CallSourceRecording, Seq: -1, Direction: DirectionIn, RecordingSid: "RE1", RecordingURL: "https://api.twilio.com/r/RE1.mp3", RecordingOf: RecordingCall},
	{Sid: "CA1", Source: CallSourceUtterance, Seq: 2, Direction: DirectionIn, Line: &TranscriptLine{Seq: 2, Speaker: SpeakerCustomer, Text: "Hi, my order is late."}},
	{Sid: "CA1", Source: CallSourceUtterance, Seq: 3, Direction: DirectionIn, Line: &TranscriptLine{Seq: 3, Speaker: SpeakerAgent, Text: "Let me look it up."}},
}

// missedCall is a call nobody answered, with a transcribed voicemail.
var missedCall = []CallEvent{
	{Sid: "CA2", Source: CallSourceIncoming, Seq: -1, Direction: DirectionIn, From: "+14155550100", To: "+15005550006", Status: CallRinging, Rang: []string{"ada"}},
	{Sid: "CA2", Source: CallSourceDial, Seq: -1, Direction: DirectionIn, Status: CallNoAnswer},
	{Sid: "CA2", Source: CallSourceRecording, Seq: -1, Direction: DirectionIn, RecordingSid: "RE2", RecordingURL: "https://api.twilio.com/r/RE2.mp3", RecordingOf: RecordingVoicemail},
	{Sid: "CA2", Source: CallSourceTranscription, Seq: -1, Direction: DirectionIn, Transcript: "Please call me back."},
	{Sid: "CA2", Source: CallSourceStatus, Seq: 3, Direction: DirectionIn, Status: CallCompleted, Duration: 48},
}

// replay applies events in order, from the call the first one creates, and returns the call
// and the recordings it attached.
func replay(events []CallEvent) (Call, []Attachment) {
	c := NewCall(events[0])
	var recs []Attachment
	for _, e := range events {
		if _, rec := c.Apply(e); rec != nil {
			recs = append(recs, *rec)
		}
	}
	return c, recs
}

// TestCallEventsInAnyOrder applies a call's callbacks in order, then shuffled and with
// duplicates, many times: the call record is the same each time.
func TestCallEventsInAnyOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		events     []CallEvent
		status     CallStatus
		answeredBy string
		duration   int
		recordings int
		summary    string
		transcript string
	}{
		{"answered", answeredCall, CallCompleted, "ada", 125, 1, "Incoming call: 2:05", "Customer: Hi, my order is late.\nAgent: Let me look it up."},
		{"voicemail", missedCall, CallVoicemail, "", 48, 1, "Voicemail", "Please call me back."},
		{"missed", missedCall[:2], CallNoAnswer, "", 0, 0, "Missed call", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want, recs := replay(tc.events)
			if want.Status != tc.status || want.AnsweredBy != tc.answeredBy || want.Duration != tc.duration || len(recs) != tc.recordings || want.Summary() != tc.summary || want.Transcript != tc.transcript {
				t.Fatalf("in order: %+v (%d recordings, %q)", want, len(recs), want.Summary())
			}
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range 200 {
				events := append([]CallEvent(nil), tc.events...)
				events = append(events, events[rng.IntN(len(events))], events[rng.IntN(len(events))])
				rng.Shuffle(len(events), func(a, b int) { events[a], events[b] = events[b], events[a] })
				// The first stored event creates the call, whichever it is.
				got, gotRecs := replay(events)
				got.Rang, want.Rang = nil, nil
				if !reflect.DeepEqual(got, want) || len(gotRecs) != len(recs) {
					t.Fatalf("shuffle %d: %+v\nwant %+v", i, got, want)
				}
			}
		})
	}
}

// TestCallStatusNeverRegresses checks that an older status callback (lower SequenceNumber)
// changes nothing once a later one is applied.
func TestCallStatusNeverRegresses(t *testing.T) {
	t.Parallel()
	c := NewCall(CallEvent{Sid: "CA3", Direction: DirectionOut, Source: CallSourceStatus, Seq: -1})
	if c.Status != CallInitiated {
		t.Fatalf("new outbound call: %s", c.Status)
	}
	c.Apply(CallEvent{Sid: "CA3", Source: CallSourceStatus, Seq: 1, Status: CallRinging})
	c.Apply(CallEvent{Sid: "CA3", Source: CallSourceDial, Seq: -1, Status: CallCompleted, Duration: 30})
	c.Apply(CallEvent{Sid: "CA3", Source: CallSourceStatus, Seq: 3, Status: CallCompleted, Duration: 35})
	if changed, _ := c.Apply(CallEvent{Sid: "CA3", Source: CallSourceStatus, Seq: 2, Status: CallAnswered}); changed {
		t.Error("an older SequenceNumber changed the call")
	}
	if changed, _ := c.Apply(CallEvent{Sid: "CA3", Source: CallSourceStatus, Seq: 3, Status: CallCompleted}); changed {
		t.Error("a duplicate changed the call")
	}
	if c.Status != CallCompleted || c.Duration != 30 || !c.Answered {
		t.Errorf("outbound call: %+v", c)
	}
	if !CallVoicemail.Missed() || CallCompleted.Missed() || CallAnswered.Missed() {
		t.Error("Missed")
	}
}
