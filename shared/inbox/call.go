package inbox

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CallStatus is where a phone call stands, as agents see it.
type CallStatus string

// Call statuses. A call rings (or, placed by an agent, is initiated first), is answered by an
// agent, and ends completed; or it ends busy, no_answer, failed or canceled without anyone
// talking; or the caller leaves a voicemail.
const (
	CallInitiated CallStatus = "initiated"
	CallRinging   CallStatus = "ringing"
	CallAnswered  CallStatus = "answered"
	CallCompleted CallStatus = "completed"
	CallBusy      CallStatus = "busy"
	CallNoAnswer  CallStatus = "no_answer"
	CallFailed    CallStatus = "failed"
	CallCanceled  CallStatus = "canceled"
	CallVoicemail CallStatus = "voicemail"
)

// Missed reports whether a call with this status reached nobody: the conversation then needs
// someone, as an unanswered message does.
func (s CallStatus) Missed() bool {
	switch s {
	case CallBusy, CallNoAnswer, CallFailed, CallCanceled, CallVoicemail:
		return true
	}
	return false
}

// Call sources: which of the provider's callbacks an event comes from.
const (
	// CallSourceIncoming is the incoming-call webhook (the call rings).
	CallSourceIncoming = "incoming"
	// CallSourceDial is the end of the dial to the agents (Twilio's <Dial> action).
	CallSourceDial = "dial"
	// CallSourceStatus is a status callback of the call itself, ordered by Seq.
	CallSourceStatus = "status"
	// CallSourceAgent is a status callback of one agent's leg (who answered).
	CallSourceAgent = "agent"
	// CallSourceRecording is a finished recording (of the conversation or a voicemail).
	CallSourceRecording = "recording"
	// CallSourceTranscription is a finished transcription of a voicemail.
	CallSourceTranscription = "transcription"
	// CallSourceUtterance is one final utterance of a talked call's live transcription.
	CallSourceUtterance = "utterance"
)

// Speakers of a call's transcript lines.
const (
	SpeakerCustomer = "customer"
	SpeakerAgent    = "agent"
)

// A talked call's transcript keeps at most MaxTranscriptLines utterances of at most
// MaxTranscriptLineBytes each, so that the message item stays far below DynamoDB's 400 KB
// (the lines and their text are both stored): about two hours of talk.
const (
	MaxTranscriptLines     = 250
	MaxTranscriptLineBytes = 400
)

// TranscriptLine is one utterance of a talked call: who said it and what, in the order the
// provider numbered it (Seq).
type TranscriptLine struct {
	Seq     int    `json:"seq"`
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
}

// Attachment names of call recordings.
const (
	RecordingCall      = "call-recording.mp3"
	RecordingVoicemail = "voicemail.mp3"
)

// Call is a phone call logged as a message. Its fields are facts gathered from the provider's
// callbacks, which arrive in any order and more than once: each fact only ever moves forward
// (Apply), so that the status derived from them never regresses.
type Call struct {
	// Sid is the provider's id of the call (Twilio's CallSid of the customer's leg).
	Sid string `json:"sid"`
	// ChannelID is the voice channel that carries the call, which may differ from the channel
	// of the conversation it is logged in (a call from a customer who wrote by SMS).
	ChannelID string     `json:"channelId"`
	Direction Direction  `json:"direction"`
	From      string     `json:"from"`
	To        string     `json:"to"`
	Status    CallStatus `json:"status"`
	// AnsweredBy is the user who answered (inbound) or placed (outbound) the call.
	AnsweredBy string `json:"answeredBy,omitempty"`
	// AgentPhone is the phone of the agent who placed an outbound call (Twilio rings it first).
	AgentPhone string `json:"agentPhone,omitempty"`
	// Rang lists the users whose phones rang, in the order offered.
	Rang []string `json:"rang,omitempty"`
	// Answered says someone talked: an agent took the inbound call, or the customer picked up.
	Answered bool `json:"answered"`
	// Outcome is the end of the dial (busy, no_answer, failed, canceled, completed), "" before.
	Outcome CallStatus `json:"outcome,omitempty"`
	// Ended says the call itself is over; Voicemail that a voicemail was recorded.
	Ended     bool `json:"ended"`
	Voicemail bool `json:"voicemail"`
	// Duration is the talk time in seconds (the dial's), or the call's length when nobody
	// talked: derived from Talk and Length, which the callbacks report separately.
	Duration   int    `json:"duration"`
	Talk       int    `json:"-"`
	Length     int    `json:"-"`
	Transcript string `json:"transcript,omitempty"`
	// Lines are the talked call's transcript, utterance by utterance in Seq order (live
	// transcription); Transcript then holds them as text, one "Speaker: text" per line.
	Lines []TranscriptLine `json:"lines,omitempty"`
	// Seq is 1 + the highest status-callback SequenceNumber applied (0: none yet).
	Seq int `json:"-"`
	// Recordings are the provider ids of the recordings attached, so that each is attached once.
	Recordings []string `json:"-"`
}

// CallEvent is one callback about a call, normalized.
type CallEvent struct {
	// Sid is the call the event is about (for an agent's leg: the customer's call, its parent).
	Sid    string `json:"sid"`
	Source string `json:"source"`
	// Seq is the status callback's SequenceNumber, -1 when the event has none.
	Seq       int       `json:"seq"`
	Direction Direction `json:"direction,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	// Status is what the event reports, in the inbox's terms ("" for nothing).
	Status     CallStatus `json:"status,omitempty"`
	AnsweredBy string     `json:"answeredBy,omitempty"`
	Rang       []string   `json:"rang,omitempty"`
	Duration   int        `json:"duration,omitempty"`
	// Recording is a finished recording: its provider id, its URL and which one it is
	// (RecordingCall or RecordingVoicemail).
	RecordingSid string `json:"recordingSid,omitempty"`
	RecordingURL string `json:"recordingUrl,omitempty"`
	RecordingOf  string `json:"recordingOf,omitempty"`
	Transcript   string `json:"transcript,omitempty"`
	// Line is an utterance of the live transcription (Source CallSourceUtterance; Seq is its
	// place in the transcript).
	Line *TranscriptLine `json:"line,omitempty"`
}

// Key names the event among the call's others, for queue deduplication: a retried callback
// has the same key.
func (e CallEvent) Key() string {
	k := e.Source + "/" + string(e.Status)
	switch {
	case e.Seq >= 0:
		k += fmt.Sprintf("/%d", e.Seq)
	case e.RecordingSid != "":
		k += "/" + e.RecordingSid
	case e.AnsweredBy != "":
		k += "/" + e.AnsweredBy
	}
	return k
}

// NewCall is the call as its first known event describes it.
func NewCall(e CallEvent) Call {
	c := Call{Sid: e.Sid, Direction: e.Direction, From: e.From, To: e.To}
	if c.Direction == "" {
		c.Direction = DirectionIn
	}
	c.Status = c.derive()
	return c
}

// Apply merges event e into c and reports whether anything changed, with the attachment of a
// recording to add (nil for none). A status callback whose Seq is not above the last applied
// one is old news and changes nothing; every other fact only moves forward, so events applied
// in any order, any number of times, give the same call.
func (c *Call) Apply(e CallEvent) (changed bool, recording *Attachment) {
	before := fmt.Sprint(*c)
	if e.Source == CallSourceStatus && e.Seq >= 0 {
		if e.Seq+1 <= c.Seq {
			return false, nil
		}
		c.Seq = e.Seq + 1
	}
	if c.Sid == "" {
		c.Sid = e.Sid // an outbound call learns its CallSid from its first callback
	}
	if c.From == "" {
		c.From = e.From
	}
	if c.To == "" {
		c.To = e.To
	}
	for _, id := range e.Rang {
		if !slices.Contains(c.Rang, id) {
			c.Rang = append(c.Rang, id)
		}
	}
	if e.AnsweredBy != "" && c.AnsweredBy == "" {
		c.AnsweredBy = e.AnsweredBy
	}
	switch e.Source {
	case CallSourceAgent:
		if e.Status == CallAnswered {
			c.Answered = true
		}
	case CallSourceDial:
		switch e.Status {
		case CallAnswered, CallCompleted:
			c.Answered = true
			c.Outcome = CallCompleted
		case "":
		default:
			if c.Outcome == "" {
				c.Outcome = e.Status
			}
		}
		c.Talk = max(c.Talk, e.Duration)
	case CallSourceStatus:
		if e.Status.Missed() || e.Status == CallCompleted {
			c.Ended = true
			if c.Outcome == "" && c.Direction == DirectionOut && e.Status != CallCompleted {
				// The agent's own phone was not answered: the customer was never dialled.
				c.Outcome = e.Status
			}
			c.Length = max(c.Length, e.Duration)
		}
	}
	if e.RecordingSid != "" && !slices.Contains(c.Recordings, e.RecordingSid) && e.RecordingURL != "" {
		c.Recordings = append(c.Recordings, e.RecordingSid)
		name := e.RecordingOf
		if name == "" {
			name = RecordingCall
		}
		if name == RecordingVoicemail {
			c.Voicemail = true
		}
		recording = &Attachment{Type: AttachAudio, URL: e.RecordingURL, ContentType: "audio/mpeg", Name: name, MediaStatus: MediaPending}
	}
	if e.Transcript != "" && c.Transcript == "" {
		c.Transcript = e.Transcript
	}
	if e.Line != nil && e.Line.Text != "" {
		c.addLine(*e.Line)
	}
	c.Status = c.derive()
	c.Duration = c.Length
	if c.Answered {
		c.Duration = c.Talk
	}
	return fmt.Sprint(*c) != before, recording
}

// addLine puts utterance l in its place among the call's lines, once, and renders the
// transcript again: utterances arrive in any order and more than once.
func (c *Call) addLine(l TranscriptLine) {
	if len(c.Lines) >= MaxTranscriptLines {
		return
	}
	if len(l.Text) > MaxTranscriptLineBytes {
		l.Text = strings.ToValidUTF8(l.Text[:MaxTranscriptLineBytes], "")
	}
	i, found := slices.BinarySearchFunc(c.Lines, l.Seq, func(x TranscriptLine, seq int) int { return x.Seq - seq })
	if found {
		return
	}
	c.Lines = slices.Insert(c.Lines, i, l)
	var b strings.Builder
	for i, x := range c.Lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(speakerName(x.Speaker))
		b.WriteString(": ")
		b.WriteString(x.Text)
	}
	c.Transcript = b.String()
}

func speakerName(s string) string {
	switch s {
	case SpeakerAgent:
		return "Agent"
	case SpeakerCustomer:
		return "Customer"
	}
	return s
}

// derive is the status the facts add up to.
func (c Call) derive() CallStatus {
	switch {
	case c.Voicemail:
		return CallVoicemail
	case c.Answered && c.Ended:
		return CallCompleted
	case c.Answered:
		return CallAnswered
	case c.Outcome != "" && c.Outcome != CallCompleted:
		return c.Outcome
	case c.Ended:
		return CallNoAnswer
	case c.Direction == DirectionOut && c.Seq == 0:
		return CallInitiated
	}
	return CallRinging
}

// Summary is the call in words, the message's text and the conversation's preview.
func (c Call) Summary() string {
	what := "Incoming call"
	if c.Direction == DirectionOut {
		what = "Outgoing call"
	}
	switch c.Status {
	case CallInitiated:
		return what + ": calling"
	case CallRinging:
		return what + ": ringing"
	case CallAnswered:
		return what + ": answered"
	case CallCompleted:
		return fmt.Sprintf("%s: %s", what, clock(c.Duration))
	case CallVoicemail:
		return "Voicemail"
	case CallNoAnswer:
		if c.Direction == DirectionIn {
			return "Missed call"
		}
		return what + ": no answer"
	}
	return fmt.Sprintf("%s: %s", what, c.Status)
}

// clock formats seconds as m:ss.
func clock(s int) string {
	d := time.Duration(s) * time.Second
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), s%60)
}
