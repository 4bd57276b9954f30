package twilio

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/openinbox/inbox/shared/inbox"
)

// Voice callback events: the last path segment of the callback URLs the voice intake gives
// Twilio (…/webhooks/voice/{channelId}/{event}).
const (
	VoiceDial          = "dial"          // <Dial action>: the dial's outcome; answers TwiML
	VoiceStatus        = "status"        // the call's status callback (SequenceNumber)
	VoiceAgent         = "agent"         // an agent's <Number statusCallback> (who answered)
	VoiceRecording     = "recording"     // recordingStatusCallback (?of=voicemail for voicemails)
	VoiceVoicemail     = "voicemail"     // <Record action>: the caller finished the voicemail
	VoiceTranscription = "transcription" // <Record transcribeCallback>
	VoiceTranscript    = "transcript"    // <Start><Transcription statusCallbackUrl>: live utterances
	VoiceConnect       = "connect"       // click to call: TwiML once the agent answered
	VoiceNotice        = "notice"        // TwiML whispered to a called customer (consent notice)
)

// CallStatusFromTwilio maps Twilio's CallStatus or DialCallStatus value to the inbox's; it
// reports false for an unknown value. Twilio's in-progress and answered are CallAnswered,
// queued and initiated CallInitiated.
func CallStatusFromTwilio(s string) (inbox.CallStatus, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "queued", "initiated":
		return inbox.CallInitiated, true
	case "ringing":
		return inbox.CallRinging, true
	case "in-progress", "answered":
		return inbox.CallAnswered, true
	case "completed":
		return inbox.CallCompleted, true
	case "busy":
		return inbox.CallBusy, true
	case "no-answer":
		return inbox.CallNoAnswer, true
	case "failed":
		return inbox.CallFailed, true
	case "canceled":
		return inbox.CallCanceled, true
	}
	return "", false
}

// ParseVoice decodes a voice webhook's parameters (already signature-checked) into a call
// envelope. event is "" for the incoming-call webhook, else one of the Voice* events; query is
// the callback URL's own query (the voice intake puts the customer's number in "customer",
// the agent's user id in "user" and "of=voicemail" on voicemail recordings).
//
// The envelope's From.Phone is the customer's number (the FIFO group of the conversation):
// query "customer", else From for inbound calls, else To. Its ProviderMessageID is the
// customer's call: CallSid, or for an agent's leg its ParentCallSid.
//
// It returns an EInvalid error when CallSid is missing, the customer's number is unknown, a
// status is not one of Twilio's, or SequenceNumber or a duration is not a number.
func ParseVoice(event string, params, query url.Values) (inbox.Envelope, error) {
	sid := params.Get("CallSid")
	if event == VoiceAgent && params.Get("ParentCallSid") != "" {
		sid = params.Get("ParentCallSid")
	}
	if sid == "" {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "Twilio voice webhook without CallSid")
	}
	dir := inbox.DirectionIn
	if strings.HasPrefix(params.Get("Direction"), "outbound") && event != VoiceAgent {
		dir = inbox.DirectionOut
	}
	customer := query.Get("customer")
	if customer == "" {
		if dir == inbox.DirectionIn {
			customer = params.Get("From")
		} else {
			customer = params.Get("To")
		}
	}
	if customer == "" {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "Twilio voice webhook without the caller's number")
	}
	ev := inbox.CallEvent{Sid: sid, Seq: -1, Direction: dir}
	var err error
	switch event {
	case "":
		ev.Source, ev.Status = inbox.CallSourceIncoming, inbox.CallRinging
		ev.From, ev.To = params.Get("From"), params.Get("To")
	case VoiceDial:
		ev.Source = inbox.CallSourceDial
		if ev.Status, err = status(params.Get("DialCallStatus")); err == nil {
			ev.Duration, err = number(params, "DialCallDuration")
		}
	case VoiceStatus:
		ev.Source = inbox.CallSourceStatus
		if ev.Status, err = status(params.Get("CallStatus")); err == nil {
			ev.Duration, err = number(params, "CallDuration")
		}
		if err == nil {
			if ev.Seq, err = number(params, "SequenceNumber"); params.Get("SequenceNumber") == "" {
				ev.Seq = -1
			}
		}
		if dir == inbox.DirectionIn {
			ev.From, ev.To = params.Get("From"), params.Get("To")
		}
	case VoiceAgent:
		ev.Source, ev.AnsweredBy = inbox.CallSourceAgent, query.Get("user")
		ev.Status, err = status(params.Get("CallStatus"))
		if ev.Status != inbox.CallAnswered {
			ev.AnsweredBy = ""
		}
	case VoiceRecording, VoiceVoicemail:
		ev.Source = inbox.CallSourceRecording
		if params.Get("RecordingStatus") != "" && params.Get("RecordingStatus") != "completed" {
			return inbox.Envelope{}, errIgnoredVoice
		}
		ev.RecordingSid, ev.RecordingURL = params.Get("RecordingSid"), recordingURL(params.Get("RecordingUrl"))
		ev.RecordingOf = inbox.RecordingCall
		if event == VoiceVoicemail || query.Get("of") == "voicemail" {
			ev.RecordingOf = inbox.RecordingVoicemail
		}
	case VoiceTranscription:
		ev.Source = inbox.CallSourceTranscription
		if params.Get("TranscriptionStatus") != "completed" {
			return inbox.Envelope{}, errIgnoredVoice
		}
		ev.Transcript = strings.TrimSpace(params.Get("TranscriptionText"))
	case VoiceTranscript:
		ev.Source = inbox.CallSourceUtterance
		ev.Line, ev.Seq, err = utterance(params, query)
	default:
		return inbox.Envelope{}, inbox.Errorf(inbox.ENotFound, "no such voice callback %q", event)
	}
	if err != nil {
		return inbox.Envelope{}, err
	}
	return inbox.Envelope{
		V: inbox.EnvelopeVersion, Kind: inbox.KindCall, ProviderMessageID: sid,
		From: inbox.Sender{Phone: customer}, To: params.Get("To"), Call: &ev,
	}, nil
}

// utterance reads a live transcription's event: a final transcription-content event is a line
// of the transcript, numbered by SequenceId; the other events (transcription-started, -stopped,
// -error, partial results) carry nothing to record. Track inbound_track is what the call's own
// party said: query "inbound" names who that is (the customer on an incoming call, the agent
// on a placed one).
func utterance(params, query url.Values) (*inbox.TranscriptLine, int, error) {
	if params.Get("TranscriptionEvent") != "transcription-content" || params.Get("Final") != "true" {
		return nil, -1, errIgnoredVoice
	}
	var data struct {
		Transcript string `json:"transcript"`
	}
	if err := json.Unmarshal([]byte(params.Get("TranscriptionData")), &data); err != nil {
		return nil, -1, inbox.Errorf(inbox.EInvalid, "TranscriptionData is not JSON")
	}
	seq, err := number(params, "SequenceId")
	if err != nil || params.Get("SequenceId") == "" {
		return nil, -1, inbox.Errorf(inbox.EInvalid, "transcription-content without a SequenceId")
	}
	text := strings.TrimSpace(data.Transcript)
	if text == "" {
		return nil, -1, errIgnoredVoice
	}
	inbound := query.Get("inbound")
	if inbound != inbox.SpeakerAgent {
		inbound = inbox.SpeakerCustomer
	}
	speaker := inbound
	if params.Get("Track") == "outbound_track" {
		speaker = inbox.SpeakerCustomer
		if inbound == inbox.SpeakerCustomer {
			speaker = inbox.SpeakerAgent
		}
	}
	return &inbox.TranscriptLine{Seq: seq, Speaker: speaker, Text: text}, seq, nil
}

// errIgnoredVoice marks a well-formed callback that carries nothing to record (a recording
// still in progress or absent, a failed transcription).
var errIgnoredVoice = inbox.Errorf(inbox.EInvalid, "nothing to record")

// IsIgnored reports whether err is ParseVoice's "nothing to record": the callback is to be
// acknowledged, not refused.
func IsIgnored(err error) bool { return err == errIgnoredVoice }

func status(s string) (inbox.CallStatus, error) {
	if s == "" {
		return "", nil
	}
	st, ok := CallStatusFromTwilio(s)
	if !ok {
		return "", inbox.Errorf(inbox.EInvalid, "unknown Twilio call status %q", s)
	}
	return st, nil
}

func number(params url.Values, name string) (int, error) {
	s := params.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, inbox.Errorf(inbox.EInvalid, "invalid %s %q", name, s)
	}
	return n, nil
}

// recordingURL is the MP3 of a recording: Twilio serves RecordingUrl as WAV, and with ".mp3"
// appended as MP3, a tenth of the size.
func recordingURL(u string) string {
	if u == "" || strings.HasSuffix(u, ".mp3") || strings.HasSuffix(u, ".wav") {
		return u
	}
	return u + ".mp3"
}
