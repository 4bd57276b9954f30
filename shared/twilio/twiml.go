package twilio

import (
	"encoding/xml"
)

// TwiML is a voice response: the verbs Twilio executes in order. It is built from the typed
// verbs below and serialized with encoding/xml, so every text and URL is escaped.
type TwiML struct {
	XMLName xml.Name `xml:"Response"`
	Verbs   []any
}

// Say speaks Text to the caller.
type Say struct {
	XMLName xml.Name `xml:"Say"`
	Text    string   `xml:",chardata"`
}

// Dial connects the caller to the first of up to ten Numbers to answer; Action receives the
// outcome (DialCallStatus) and answers the TwiML that follows.
type Dial struct {
	XMLName        xml.Name `xml:"Dial"`
	Action         string   `xml:"action,attr,omitempty"`
	Method         string   `xml:"method,attr,omitempty"`
	Timeout        int      `xml:"timeout,attr,omitempty"`
	AnswerOnBridge string   `xml:"answerOnBridge,attr,omitempty"`
	CallerID       string   `xml:"callerId,attr,omitempty"`
	// Record is "record-from-answer-dual" to record the conversation; its recording is
	// announced at RecordingStatusCallback.
	Record                       string   `xml:"record,attr,omitempty"`
	RecordingStatusCallback      string   `xml:"recordingStatusCallback,attr,omitempty"`
	RecordingStatusCallbackEvent string   `xml:"recordingStatusCallbackEvent,attr,omitempty"`
	Numbers                      []Number `xml:"Number"`
}

// Number is one phone a Dial rings. StatusCallback receives the StatusCallbackEvent events of
// that leg (who answered); URL is TwiML played to the person answering before the bridge.
type Number struct {
	StatusCallbackEvent  string `xml:"statusCallbackEvent,attr,omitempty"`
	StatusCallback       string `xml:"statusCallback,attr,omitempty"`
	StatusCallbackMethod string `xml:"statusCallbackMethod,attr,omitempty"`
	URL                  string `xml:"url,attr,omitempty"`
	Phone                string `xml:",chardata"`
}

// Record records a voicemail of at most MaxLength seconds after a beep; Action receives the
// recording when the caller stops (and answers what follows), RecordingStatusCallback when the
// file is ready, TranscribeCallback the transcript when Transcribe is "true".
type Record struct {
	XMLName                      xml.Name `xml:"Record"`
	Action                       string   `xml:"action,attr,omitempty"`
	Method                       string   `xml:"method,attr,omitempty"`
	MaxLength                    int      `xml:"maxLength,attr,omitempty"`
	PlayBeep                     string   `xml:"playBeep,attr,omitempty"`
	RecordingStatusCallback      string   `xml:"recordingStatusCallback,attr,omitempty"`
	RecordingStatusCallbackEvent string   `xml:"recordingStatusCallbackEvent,attr,omitempty"`
	Transcribe                   string   `xml:"transcribe,attr,omitempty"`
	TranscribeCallback           string   `xml:"transcribeCallback,attr,omitempty"`
}

// Start forks the call's audio while the next verbs run: here, to a live Transcription.
type Start struct {
	XMLName       xml.Name      `xml:"Start"`
	Transcription Transcription `xml:"Transcription"`
}

// Transcription transcribes the call in real time (Twilio's Real-Time Transcriptions, the
// <Start><Transcription> noun): each utterance is posted to StatusCallbackURL as a
// transcription-content event. Track is "both_tracks" to hear both sides.
type Transcription struct {
	StatusCallbackURL string `xml:"statusCallbackUrl,attr"`
	Track             string `xml:"track,attr,omitempty"`
	// PartialResults "false" posts only final utterances.
	PartialResults string `xml:"partialResults,attr,omitempty"`
}

// Hangup ends the call.
type Hangup struct {
	XMLName xml.Name `xml:"Hangup"`
}

// Bytes serializes the response with the XML declaration Twilio's examples carry. It never
// fails: every verb is one of this file's types.
func (t TwiML) Bytes() []byte {
	b, err := xml.Marshal(t)
	if err != nil {
		// Unreachable with this file's verbs; an empty response hangs up cleanly.
		return []byte(xml.Header + "<Response></Response>")
	}
	return append([]byte(xml.Header), b...)
}
