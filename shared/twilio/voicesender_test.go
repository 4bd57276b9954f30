package twilio

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

// callCreatedBody is the documented 201 response of "Create a Call"
// (https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource), shortened.
const callCreatedBody = `{
  "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "api_version": "2010-04-01",
  "date_created": "Tue, 31 Aug 2010 20:36:28 +0000",
  "direction": "outbound-api",
  "from": "+15005550006",
  "parent_call_sid": null,
  "sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "status": "queued",
  "to": "+15005550111",
  "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Calls/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json"
}`

// TestVoiceSenderPlacesCall checks click to call's request to a stand-in of Twilio's Calls
// API: the agent's phone is called from the channel's number, with the connect TwiML URL and
// the status callback of every event; and Twilio's refusals become send errors.
func TestVoiceSenderPlacesCall(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got map[string][]string
	status, body := http.StatusCreated, callCreatedBody
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+testSID+"/Calls.json" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if user, pass, ok := r.BasicAuth(); !ok || user != testSID || pass != testToken {
			t.Errorf("basic auth = %q, %q, %v", user, pass, ok)
		}
		_ = r.ParseForm()
		mu.Lock()
		got = r.PostForm
		st, b := status, body
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		_, _ = w.Write([]byte(b))
	}))
	t.Cleanup(srv.Close)
	s := NewVoiceSender(NewClient(srv.URL, srv.Client()), "https://inbox.example.test/", func(inbox.Channel) int { return 25 })
	ch := inbox.Channel{ID: "vc1", Type: inbox.ChannelVoice, Twilio: &inbox.TwilioConfig{AccountSID: testSID, PhoneNumber: "+15005550006"},
		Secrets: map[string]string{inbox.SecretTwilioAuthToken: testToken}}
	m := inbox.Message{Call: &inbox.Call{Direction: inbox.DirectionOut, To: "+14155550100", AgentPhone: "+15005550111"}}
	sid, err := s.Send(context.Background(), ch, inbox.Conversation{}, inbox.Contact{}, m)
	if err != nil || sid != "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
		t.Fatalf("%q %v", sid, err)
	}
	want := map[string][]string{
		"To": {"+15005550111"}, "From": {"+15005550006"}, "Timeout": {"25"},
		"Url":                 {"https://inbox.example.test/webhooks/voice/vc1/connect?customer=%2B14155550100"},
		"StatusCallback":      {"https://inbox.example.test/webhooks/voice/vc1/status?customer=%2B14155550100"},
		"StatusCallbackEvent": {"initiated", "ringing", "answered", "completed"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("form %v\nwant %v", got, want)
	}
	for _, tc := range []struct {
		status    int
		body      string
		code      string
		temporary bool
	}{
		{http.StatusBadRequest, `{"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}`, "21211", false},
		{http.StatusTooManyRequests, error20429, "20429", true},
	} {
		mu.Lock()
		status, body = tc.status, tc.body
		mu.Unlock()
		_, err := s.Send(context.Background(), ch, inbox.Conversation{}, inbox.Contact{}, m)
		se, ok := err.(*inbox.SendError)
		if !ok || se.Code != tc.code || se.Temporary != tc.temporary {
			b, _ := json.Marshal(se)
			t.Errorf("%d: %v %s", tc.status, err, b)
		}
	}
	if _, err := s.Send(context.Background(), ch, inbox.Conversation{}, inbox.Contact{}, inbox.Message{Text: "hi"}); err == nil {
		t.Error("a message without a call was placed")
	}
}
