package twilio

import (
	"encoding/xml"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

// The parameters of Twilio's Voice webhooks as documented in "Voice Webhooks"
// (https://www.twilio.com/docs/usage/webhooks/voice-webhooks), the <Dial> and <Record> verbs'
// action requests, <Number>'s statusCallback, and the recording and transcription callbacks.
var (
	incomingCall = url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "ApiVersion": {"2010-04-01"},
		"CallSid": {"CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"}, "CallStatus": {"ringing"},
		"Called": {"+15005550006"}, "Caller": {"+14155550100"}, "Direction": {"inbound"},
		"From": {"+14155550100"}, "FromCity": {"SAN FRANCISCO"}, "FromCountry": {"US"},
		"FromState": {"CA"}, "FromZip": {"94103"}, "To": {"+15005550006"}, "ToCountry": {"US"},
		"CallToken": {"%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9%22%7D"},
	}
	dialAction = url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "CallSid": {"CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"},
		"CallStatus": {"in-progress"}, "Direction": {"inbound"}, "From": {"+14155550100"}, "To": {"+15005550006"},
		"DialCallSid": {"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "DialCallStatus": {"no-answer"},
		"DialCallDuration": {"0"}, "DialBridged": {"false"},
	}
	statusCallback = url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "ApiVersion": {"2010-04-01"},
		"CallSid": {"CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"}, "CallStatus": {"completed"}, "CallDuration": {"48"},
		"Duration": {"1"}, "CallbackSource": {"call-progress-events"}, "Direction": {"inbound"},
		"From": {"+14155550100"}, "To": {"+15005550006"}, "SequenceNumber": {"3"},
		"Timestamp": {"Fri, 04 Dec 2026 08:00:48 +0000"},
	}
	agentAnswered = url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "CallSid": {"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		"ParentCallSid": {"CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"}, "CallStatus": {"in-progress"},
		"Direction": {"outbound-dial"}, "From": {"+14155550100"}, "To": {"+15005550111"},
		"CallbackSource": {"call-progress-events"}, "SequenceNumber": {"2"},
	}
	recordingCallback = url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "CallSid": {"CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"},
		"RecordingSid":    {"RE0123456789abcdef0123456789abcdef"},
		"RecordingUrl":    {"https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE0123456789abcdef0123456789abcdef"},
		"RecordingStatus": {"completed"}, "RecordingDuration": {"31"}, "RecordingChannels": {"1"},
		"RecordingSource": {"RecordVerb"}, "RecordingStartTime": {"Fri, 04 Dec 2026 08:00:12 +0000"},
	}
	transcriptionCallback = url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "CallSid": {"CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"},
		"TranscriptionSid": {"TR0123456789abcdef0123456789abcdef"}, "TranscriptionText": {"Hi, please call me back about my order."},
		"TranscriptionStatus": {"completed"}, "RecordingSid": {"RE0123456789abcdef0123456789abcdef"},
		"From": {"+14155550100"}, "To": {"+15005550006"}, "CallStatus": {"completed"}, "Direction": {"inbound"},
	}
)

// transcriptContent is a final utterance of Twilio's Real-Time Transcriptions
// (<Start><Transcription statusCallbackUrl>, https://www.twilio.com/docs/voice/twiml/transcription):
// the event, its SequenceId, the track and TranscriptionData's JSON.
func transcriptContent(seq, track, final string) url.Values {
	return url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "CallSid": {"CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"},
		"TranscriptionSid": {"GT0123456789abcdef0123456789abcdef"}, "Timestamp": {"2026-12-04T08:00:21.102Z"},
		"TranscriptionEvent": {"transcription-content"}, "LanguageCode": {"en-US"}, "Track": {track},
		"SequenceId": {seq}, "Final": {final}, "ProviderName": {"google"},
		"TranscriptionData": {`{"transcript":"Hi, my order is late.","confidence":0.9335}`},
	}
}

func TestParseVoice(t *testing.T) {
	t.Parallel()
	const sid = "CA5e2f3b1a0f9a4c4b9c4a3e2b1d0c9f8e"
	customer := url.Values{"customer": {"+14155550100"}}
	for _, tc := range []struct {
		name   string
		event  string
		params url.Values
		query  url.Values
		want   inbox.CallEvent
	}{
		{"incoming", "", incomingCall, nil, inbox.CallEvent{Sid: sid, Source: inbox.CallSourceIncoming, Seq: -1, Direction: inbox.DirectionIn, From: "+14155550100", To: "+15005550006", Status: inbox.CallRinging}},
		{"dial no answer", VoiceDial, dialAction, customer, inbox.CallEvent{Sid: sid, Source: inbox.CallSourceDial, Seq: -1, Direction: inbox.DirectionIn, Status: inbox.CallNoAnswer}},
		{"status", VoiceStatus, statusCallback, nil, inbox.CallEvent{Sid: sid, Source: inbox.CallSourceStatus, Seq: 3, Direction: inbox.DirectionIn, From: "+14155550100", To: "+15005550006", Status: inbox.CallCompleted, Duration: 48}},
		{"agent answered", VoiceAgent, agentAnswered, url.Values{"customer": {"+14155550100"}, "user": {"ada"}}, inbox.CallEvent{Sid: sid, Source: inbox.CallSourceAgent, Seq: -1, Direction: inbox.DirectionIn, Status: inbox.CallAnswered, AnsweredBy: "ada"}},
		{"voicemail recording", VoiceRecording, recordingCallback, url.Values{"customer": {"+14155550100"}, "of": {"voicemail"}}, inbox.CallEvent{Sid: sid, Source: inbox.CallSourceRecording, Seq: -1, Direction: inbox.DirectionIn, RecordingSid: "RE0123456789abcdef0123456789abcdef", RecordingURL: recordingCallback.Get("RecordingUrl") + ".mp3", RecordingOf: inbox.RecordingVoicemail}},
		{"transcription", VoiceTranscription, transcriptionCallback, customer, inbox.CallEvent{Sid: sid, Source: inbox.CallSourceTranscription, Seq: -1, Direction: inbox.DirectionIn, Transcript: "Hi, please call me back about my order."}},
		{"caller's utterance", VoiceTranscript, transcriptContent("2", "inbound_track", "true"), url.Values{"customer": {"+14155550100"}, "inbound": {"customer"}},
			inbox.CallEvent{Sid: sid, Source: inbox.CallSourceUtterance, Seq: 2, Direction: inbox.DirectionIn, Line: &inbox.TranscriptLine{Seq: 2, Speaker: inbox.SpeakerCustomer, Text: "Hi, my order is late."}}},
		{"agent's utterance", VoiceTranscript, transcriptContent("3", "outbound_track", "true"), url.Values{"customer": {"+14155550100"}, "inbound": {"customer"}},
			inbox.CallEvent{Sid: sid, Source: inbox.CallSourceUtterance, Seq: 3, Direction: inbox.DirectionIn, Line: &inbox.TranscriptLine{Seq: 3, Speaker: inbox.SpeakerAgent, Text: "Hi, my order is late."}}},
		{"placed call's agent", VoiceTranscript, transcriptContent("4", "inbound_track", "true"), url.Values{"customer": {"+14155550100"}, "inbound": {"agent"}},
			inbox.CallEvent{Sid: sid, Source: inbox.CallSourceUtterance, Seq: 4, Direction: inbox.DirectionIn, Line: &inbox.TranscriptLine{Seq: 4, Speaker: inbox.SpeakerAgent, Text: "Hi, my order is late."}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env, err := ParseVoice(tc.event, tc.params, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if env.Kind != inbox.KindCall || env.ProviderMessageID != sid || env.From.Phone != "+14155550100" || !reflect.DeepEqual(*env.Call, tc.want) {
				t.Errorf("got %+v %+v\nwant %+v", env, *env.Call, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		event  string
		params url.Values
	}{
		{"no CallSid", "", url.Values{"From": {"+14155550100"}}},
		{"unknown status", VoiceStatus, url.Values{"CallSid": {sid}, "From": {"+1415"}, "Direction": {"inbound"}, "CallStatus": {"exploded"}}},
		{"bad sequence", VoiceStatus, url.Values{"CallSid": {sid}, "From": {"+1415"}, "Direction": {"inbound"}, "CallStatus": {"ringing"}, "SequenceNumber": {"x"}}},
		{"no caller", "", url.Values{"CallSid": {sid}, "Direction": {"inbound"}}},
	} {
		if _, err := ParseVoice(tc.event, tc.params, nil); !inbox.IsCode(err, inbox.EInvalid) || IsIgnored(err) {
			t.Errorf("%s: %v, want EInvalid", tc.name, err)
		}
	}
	badData := transcriptContent("2", "inbound_track", "true")
	badData.Set("TranscriptionData", "{not json")
	noSeq := transcriptContent("2", "inbound_track", "true")
	noSeq.Del("SequenceId")
	for name, p := range map[string]url.Values{"TranscriptionData not JSON": badData, "no SequenceId": noSeq} {
		if _, err := ParseVoice(VoiceTranscript, p, customer); !inbox.IsCode(err, inbox.EInvalid) || IsIgnored(err) {
			t.Errorf("%s: %v, want EInvalid", name, err)
		}
	}
	started := transcriptContent("1", "both_tracks", "")
	started.Set("TranscriptionEvent", "transcription-started")
	for name, p := range map[string]url.Values{"partial result": transcriptContent("2", "inbound_track", "false"), "started": started} {
		if _, err := ParseVoice(VoiceTranscript, p, customer); !IsIgnored(err) {
			t.Errorf("%s: %v, want ignored", name, err)
		}
	}
	inProgress := url.Values{"CallSid": {sid}, "RecordingStatus": {"in-progress"}}
	if _, err := ParseVoice(VoiceRecording, inProgress, customer); !IsIgnored(err) {
		t.Errorf("recording in progress: %v, want ignored", err)
	}
	if _, err := ParseVoice("bogus", incomingCall, nil); !inbox.IsCode(err, inbox.ENotFound) {
		t.Errorf("unknown event: %v", err)
	}
}

// TestVerifySigned checks Twilio's default signature (the published vector) and the
// HMAC-SHA256 variant announced by X-Twilio-Webhooks-Signature-Settings.
func TestVerifySigned(t *testing.T) {
	t.Parallel()
	body := []byte(docsParams.Encode())
	keys := Keys{AuthToken: vectorToken, SharedKey: "shared-key-secret"}
	if _, err := VerifySigned(keys, "", vectorURL, formType, body, docsSignature); err != nil {
		t.Fatalf("published vector: %v", err)
	}
	sha256Sig := SignatureSHA256(keys.SharedKey, vectorURL, docsParams)
	settings := "key=KS0123456789abcdef0123456789abcdef,algorithm=HMAC_SHA256"
	if _, err := VerifySigned(keys, settings, vectorURL, formType, body, sha256Sig); err != nil {
		t.Fatalf("HMAC-SHA256: %v", err)
	}
	for name, tc := range map[string]struct {
		keys      Keys
		settings  string
		signature string
		body      []byte
	}{
		"sha256 signature without settings":   {keys, "", sha256Sig, body},
		"sha1 signature with sha256 settings": {keys, settings, docsSignature, body},
		"tampered body":                       {keys, settings, sha256Sig, []byte(strings.Replace(string(body), "1234", "1235", 1))},
		"no shared key":                       {Keys{AuthToken: vectorToken}, settings, sha256Sig, body},
		"unknown algorithm":                   {keys, "key=KS1,algorithm=HMAC_MD5", sha256Sig, body},
		"sha256 keyed with the auth token":    {keys, settings, SignatureSHA256(vectorToken, vectorURL, docsParams), body},
	} {
		if _, err := VerifySigned(tc.keys, tc.settings, vectorURL, formType, tc.body, tc.signature); !inbox.IsCode(err, inbox.EForbidden) {
			t.Errorf("%s: %v, want EForbidden", name, err)
		}
	}
}

// TestTwiMLEscapes checks that texts and URLs are escaped, so a greeting cannot inject verbs.
func TestTwiMLEscapes(t *testing.T) {
	t.Parallel()
	b := TwiML{Verbs: []any{Say{Text: `Hi </Say><Dial>+1900</Dial><Say>`}, Dial{Action: "https://x.test/a?b=1&c=2", Numbers: []Number{{Phone: "+14155550111"}}}}}.Bytes()
	if !strings.HasPrefix(string(b), xml.Header) || strings.Contains(string(b), "<Dial>+1900") || !strings.Contains(string(b), `action="https://x.test/a?b=1&amp;c=2"`) {
		t.Errorf("%s", b)
	}
	var doc struct {
		Says []string `xml:"Say"`
		Dial struct {
			Numbers []string `xml:"Number"`
		} `xml:"Dial"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil || len(doc.Says) != 1 || len(doc.Dial.Numbers) != 1 {
		t.Errorf("%v %+v", err, doc)
	}
}
