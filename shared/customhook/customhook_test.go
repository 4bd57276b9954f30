package customhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/channels/custom"
	"github.com/openinbox/inbox/shared/customhook"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

var now = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

const (
	current  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	previous = "whsec_c2VjcmV0LW9mLWxhc3Qtd2Vlay0wMTIzNDU2Nzg5"
)

// receiver is the integrator's webhook: it verifies like a Standard Webhooks library with the
// secret it knows and answers what the test says.
type receiver struct {
	secret string
	status int
	answer string
	got    []customhook.Event
	ids    []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, _, err := stdwebhook.Verify(r.Header, body, []string{rc.secret}, now)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var ev customhook.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.got, rc.ids = append(rc.got, ev), append(rc.ids, id)
	w.WriteHeader(rc.status)
	_, _ = io.WriteString(w, rc.answer)
}

func channelFor(url string, rotating bool) inbox.Channel {
	ch := inbox.Channel{ID: "cust1", Type: inbox.ChannelCustom,
		Settings: map[string]string{custom.SettingWebhookURL: url, custom.SettingIdentifier: custom.IdentifierID},
		Secrets:  map[string]string{custom.SecretSigning: current}}
	if rotating {
		ch.Secrets[custom.SecretPreviousSigning] = previous
		ch.Settings[custom.SettingPreviousUntil] = now.Add(time.Hour).Format(time.RFC3339)
	}
	return ch
}

func TestSend(t *testing.T) {
	t.Parallel()
	conv := inbox.Conversation{ID: "conv1", ThreadKey: inbox.ProviderThreadKey("chat-42")}
	contact := inbox.Contact{Name: "Zoe Park", PSID: "cust1:u-77"}
	m := inbox.Message{ID: "20250314T092653.000000Z-ab", Text: "On its way!", AuthorID: "ada", AuthorName: "Ada",
		Payload: `{"chat":{"id":42}}`, CreatedAt: now,
		Attachments: []inbox.Attachment{{Type: inbox.AttachImage, URL: "https://media.example/x.png", ContentType: "image/png", Name: "x.png"}}}
	for _, tc := range []struct {
		name      string
		rc        receiver
		rotating  bool
		wantID    string
		wantErr   string // code of the *inbox.SendError; "" for none
		temporary bool
	}{
		{"2xx with the app's id", receiver{secret: current, status: 200, answer: `{"id":"tg-9"}`}, false, "tg-9", "", false},
		{"2xx without a body", receiver{secret: current, status: 204}, false, m.ID, "", false},
		{"rotation: a receiver still on the previous secret verifies", receiver{secret: previous, status: 202}, true, m.ID, "", false},
		{"receiver on the previous secret after the overlap", receiver{secret: previous, status: 202}, false, "", "401", false},
		{"4xx is final", receiver{secret: current, status: 422, answer: "unknown chat"}, false, "", "422", false},
		{"429 is retried", receiver{secret: current, status: 429}, false, "", "429", true},
		{"5xx is retried", receiver{secret: current, status: 503}, false, "", "503", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rc := tc.rc
			srv := httptest.NewServer(&rc)
			defer srv.Close()
			s := customhook.NewSender(srv.Client(), func() time.Time { return now })
			id, err := s.Send(context.Background(), channelFor(srv.URL, tc.rotating), conv, contact, m)
			if tc.wantErr != "" {
				var se *inbox.SendError
				if !errors.As(err, &se) || se.Code != tc.wantErr || se.Temporary != tc.temporary {
					t.Fatalf("Send error = %#v, want code %s temporary %v", err, tc.wantErr, tc.temporary)
				}
				return
			}
			if err != nil || id != tc.wantID {
				t.Fatalf("Send = %q, %v; want %q", id, err, tc.wantID)
			}
			want := customhook.Event{Type: "message", ChannelID: "cust1", ConversationID: "conv1", MessageID: m.ID,
				ThreadID: "chat-42", To: customhook.Person{ID: "u-77", Name: "Zoe Park"}, Text: "On its way!",
				Attachments: []customhook.Attachment{{Type: inbox.AttachImage, URL: "https://media.example/x.png", ContentType: "image/png", Name: "x.png"}},
				Metadata:    json.RawMessage(`{"chat":{"id":42}}`), Author: &customhook.Person{ID: "ada", Name: "Ada"}, CreatedAt: now}
			gotJSON, _ := json.Marshal(rc.got)
			wantJSON, _ := json.Marshal([]customhook.Event{want})
			if string(gotJSON) != string(wantJSON) || rc.ids[0] != "msg_"+m.ID {
				t.Errorf("webhook got %s (id %v), want %s", gotJSON, rc.ids, wantJSON)
			}
		})
	}
}

func TestSendRefusesWhatCannotBeSent(t *testing.T) {
	t.Parallel()
	s := customhook.NewSender(http.DefaultClient, func() time.Time { return now })
	for name, tc := range map[string]struct {
		ch      inbox.Channel
		contact inbox.Contact
		code    string
	}{
		"no webhook":            {inbox.Channel{ID: "c", Settings: map[string]string{}}, inbox.Contact{PSID: "c:u"}, "no_webhook"},
		"another channel's id":  {channelFor("https://x.example/h", false), inbox.Contact{PSID: "other:u"}, "no_recipient"},
		"unreachable (retried)": {channelFor("http://127.0.0.1:1/h", false), inbox.Contact{PSID: "cust1:u"}, "unreachable"},
	} {
		_, err := s.Send(context.Background(), tc.ch, inbox.Conversation{}, tc.contact, inbox.Message{ID: "m"})
		var se *inbox.SendError
		if !errors.As(err, &se) || se.Code != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
}
