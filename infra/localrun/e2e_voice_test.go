package localrun_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

type callMessage struct {
	ID          string             `json:"id"`
	Direction   string             `json:"direction"`
	Text        string             `json:"text"`
	AuthorID    string             `json:"authorId"`
	Attachments []inbox.Attachment `json:"attachments"`
	Call        *inbox.Call        `json:"call"`
}

// simulate plays a call through the runner's Twilio stand-in and returns its steps.
func (c *client) simulate(path string, form url.Values) (callSid string, steps []struct {
	URL   string `json:"url"`
	TwiML string `json:"twiml"`
}) {
	c.t.Helper()
	res := c.do(http.MethodPost, path, "", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	want(c.t, res, http.StatusOK)
	var out struct {
		CallSid string `json:"callSid"`
		Steps   []struct {
			URL   string `json:"url"`
			TwiML string `json:"twiml"`
		} `json:"steps"`
	}
	res.json(c.t, &out)
	return out.CallSid, out.Steps
}

// callOf returns the message of conversation conv logging call sid (or the only outbound call).
func callOf(t *testing.T, c *client, conv, token, sid string) callMessage {
	t.Helper()
	for _, m := range listOf[callMessage](c, "/v1/conversations/"+conv+"/messages", token) {
		if m.Call != nil && (m.Call.Sid == sid || (sid == "" && m.Direction == "out")) {
			return m
		}
	}
	t.Fatalf("no call %s in conversation %s", sid, conv)
	return callMessage{}
}

// playable downloads a's short-lived link and checks that it is the MP3 the stand-in served.
func playable(t *testing.T, a inbox.Attachment) {
	t.Helper()
	if a.MediaStatus != inbox.MediaStored || a.URL == "" {
		t.Fatalf("recording not stored: %+v", a)
	}
	resp, err := http.Get(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || len(b) < 4 || b[0] != 0xFF || b[1] != 0xFB {
		t.Fatalf("recording link: %d, %d bytes", resp.StatusCode, len(b))
	}
}

// TestCallsEndToEnd goes through make run's runner: an incoming call rings the two available
// agents and not the away one and is answered and recorded; a missed call with a voicemail
// lands in the conversation with a playable recording and its transcript; click to call logs
// an outbound call; every TwiML answer is in the outbox.
func TestCallsEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	acct := "calls-" + fmt.Sprint(time.Now().UnixNano())
	admin, ada := e.token(acct, "admin", "admin"), e.token(acct, "ada", "agent")
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Support"}).json(t, &ib)
	number := fmt.Sprintf("+1628%07d", time.Now().UnixNano()%10000000)
	var ch struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhookUrl"`
	}
	want(t, c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "voice", "inboxId": ib.ID,
		"voice": map[string]any{"accountSid": "AC00000000000000000000000000000004", "authToken": "calls-auth-token",
			"phoneNumber": number, "recording": true, "transcription": true, "greeting": "Hello!"}}), http.StatusCreated)
	list := listOf[struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		WebhookURL string `json:"webhookUrl"`
	}](c, "/v1/channels", admin)
	for _, x := range list {
		if x.Type == "voice" {
			ch.ID, ch.WebhookURL = x.ID, x.WebhookURL
		}
	}
	for _, u := range []map[string]any{
		{"id": "ada", "name": "Ada", "paidSeat": true, "available": true, "phone": "+15005550111"},
		{"id": "bob", "name": "Bob", "paidSeat": true, "available": true, "phone": "+15005550112"},
		{"id": "cy", "name": "Cy", "paidSeat": true, "available": false, "phone": "+15005550113"},
	} {
		want(t, c.api(http.MethodPost, "/v1/users", admin, u), http.StatusCreated)
	}
	want(t, c.api(http.MethodPatch, "/v1/users/me", ada, map[string]any{"phone": "415-555"}), http.StatusBadRequest)

	// An incoming call rings ada and bob, not cy (away); bob answers; the call is recorded.
	caller := "+14155550100"
	sid, steps := c.simulate("/_local/voice/"+ch.ID+"/call", url.Values{"from": {caller}, "outcome": {"answered"}, "agent": {"bob"}})
	var answer struct {
		Numbers []string `xml:"Dial>Number"`
	}
	if err := xml.Unmarshal([]byte(steps[0].TwiML), &answer); err != nil || !slices.Equal(answer.Numbers, []string{"+15005550111", "+15005550112"}) {
		t.Fatalf("rang %v (%v): %s", answer.Numbers, err, steps[0].TwiML)
	}
	idle()
	convs := c.conversations("/v1/conversations?inboxId="+ib.ID, admin)
	if len(convs.Items) != 1 {
		t.Fatalf("conversations: %+v", convs)
	}
	conv := convs.Items[0].ID
	// Who answered the call owns the new conversation it opened.
	if a := convs.Items[0].Assignee; a == nil || *a != "bob" {
		t.Fatalf("conversation of the answered call: assignee %v, want bob", a)
	}
	m := callOf(t, c, conv, admin, sid)
	if m.Call.Status != inbox.CallCompleted || m.Call.AnsweredBy != "bob" || !slices.Equal(m.Call.Rang, []string{"ada", "bob"}) ||
		m.Call.Duration != 42 || len(m.Attachments) != 1 || m.Attachments[0].Name != inbox.RecordingCall {
		t.Fatalf("answered call: %+v %+v", m, m.Call)
	}
	playable(t, m.Attachments[0])
	// Transcribed live: each side's utterance once, in order, though posted out of order and twice.
	if m.Call.Transcript != "Customer: Hi, I am calling about my order.\nAgent: Sure, let me look it up for you." || len(m.Call.Lines) != 2 {
		t.Fatalf("answered call's transcript %q %+v", m.Call.Transcript, m.Call.Lines)
	}

	// The same caller calls again and leaves a voicemail: in the same conversation.
	sid2, _ := c.simulate("/_local/voice/"+ch.ID+"/call", url.Values{"from": {caller}, "outcome": {"voicemail"}})
	idle()
	vm := callOf(t, c, conv, admin, sid2)
	if vm.Call.Status != inbox.CallVoicemail || vm.Text != "Voicemail" || !strings.Contains(vm.Call.Transcript, "call me back") ||
		len(vm.Attachments) != 1 || vm.Attachments[0].Name != inbox.RecordingVoicemail {
		t.Fatalf("voicemail: %+v %+v", vm, vm.Call)
	}
	playable(t, vm.Attachments[0])

	// Click to call: Twilio rings ada's phone, then bridges to the customer.
	res := c.api(http.MethodPost, "/v1/conversations/"+conv+"/calls", ada, nil)
	want(t, res, http.StatusAccepted)
	idle()
	var placed []struct {
		SID     string `json:"sid"`
		Channel string `json:"channel"`
		To      string `json:"to"`
		Status  string `json:"status"`
	}
	var outbox struct {
		Items json.RawMessage `json:"items"`
	}
	c.do(http.MethodGet, "/_local/outbox.json", "", "", nil, nil).json(t, &outbox)
	_ = json.Unmarshal(outbox.Items, &placed)
	callSid, twimls := "", 0
	for _, p := range placed {
		switch {
		case p.Channel == "voice" && p.Status == "twiml":
			twimls++
		case p.Channel == "voice" && p.To == "+15005550111":
			callSid = p.SID
		}
	}
	if callSid == "" || twimls < 8 {
		t.Fatalf("outbox: call %q, %d TwiML answers: %s", callSid, twimls, outbox.Items)
	}
	want(t, c.do(http.MethodPost, "/_local/outbox/"+callSid+"/status", "", "application/x-www-form-urlencoded", []byte("status=completed"), nil), http.StatusOK)
	idle()
	out := callOf(t, c, conv, admin, callSid)
	if out.Direction != "out" || out.AuthorID != "ada" || out.Call.Status != inbox.CallCompleted || out.Call.AnsweredBy != "ada" ||
		out.Call.To != caller || out.Call.Duration != 30 {
		t.Fatalf("outbound call: %+v %+v", out, out.Call)
	}
	// A placed call's own party is the agent: the inbound track is theirs.
	if out.Call.Transcript != "Agent: Hello, this is Ada from Demo Inc.\nCustomer: Oh hi, thanks for calling back." {
		t.Fatalf("outbound call's transcript %q", out.Call.Transcript)
	}
	// A conversation's inbox without a voice channel, or an agent without a phone, is refused.
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/calls", e.token(acct, "cy2", "agent"), nil), http.StatusBadRequest)
}
