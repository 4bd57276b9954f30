package meta

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// graphCall is one request the recording Graph API received.
type graphCall struct {
	method, path, auth string
	body               map[string]any
}

// recordingGraph is an httptest Graph API that records every request and answers status and
// body.
type recordingGraph struct {
	*httptest.Server
	mu    sync.Mutex
	calls []graphCall
}

func newRecordingGraph(t *testing.T, status int, body string) *recordingGraph {
	t.Helper()
	g := &recordingGraph{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var b map[string]any
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Errorf("request body %q is not JSON: %v", raw, err)
		}
		g.mu.Lock()
		g.calls = append(g.calls, graphCall{method: r.Method, path: r.URL.Path, auth: r.Header.Get("Authorization"), body: b})
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *recordingGraph) recorded() []graphCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]graphCall(nil), g.calls...)
}

const (
	senderPSID    = "6754512497952155"
	senderWAMID   = "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"
	senderMID     = "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"
	senderCompany = "+16505551234"
)

// replyID is the id of the stored reply being sent; Messenger sends carry it as metadata so that
// their echoes are recognised.
const replyID = "20250314T092653.000000Z-reply001"

const echoMeta = inbox.EchoMarker + replyID

// senderNow is the sender's clock.
var senderNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func messengerChannel() inbox.Channel {
	return inbox.Channel{
		AccountID: "acct1", ID: "chm", Type: inbox.ChannelMessenger, ProviderKey: testPageID,
		Messenger: &inbox.MessengerConfig{PageID: testPageID, VerifyToken: "v"},
		Secrets:   map[string]string{inbox.SecretPageAccessToken: testPageToken, inbox.SecretAppSecret: "s"},
	}
}

func whatsAppChannel() inbox.Channel {
	return inbox.Channel{
		AccountID: "acct1", ID: "chw", Type: inbox.ChannelWhatsApp, ProviderKey: testPhoneID,
		WhatsApp: &inbox.WhatsAppConfig{WABAID: "102290129340398", PhoneNumberID: testPhoneID, DisplayNumber: "+15550783881", VerifyToken: "v"},
		Secrets:  map[string]string{inbox.SecretAccessToken: testWAToken, inbox.SecretAppSecret: "s"},
	}
}

func jsonMap(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("test JSON %s: %v", s, err)
	}
	return m
}

func TestSenderPayloads(t *testing.T) {
	t.Parallel()
	ago := func(d time.Duration) inbox.Conversation {
		return inbox.Conversation{LastInboundAt: senderNow.Add(-d), ContactPhone: senderCompany}
	}
	messengerContact := inbox.Contact{ID: "ct1", PSID: testPageID + ":" + senderPSID}
	waContact := inbox.Contact{ID: "ct2", Phone: senderCompany, Name: "Sheena Nelson"}
	tests := []struct {
		name     string
		ch       inbox.Channel
		conv     inbox.Conversation
		contact  inbox.Contact
		msg      inbox.Message
		wantPath string
		wantAuth string
		wantBody string
		wantID   string
	}{
		{
			name: "messenger within 24 hours", ch: messengerChannel(), conv: ago(time.Hour), contact: messengerContact,
			msg:      inbox.Message{Text: "Yes, we open at 10 on Sunday."},
			wantPath: "/" + testPageID + "/messages", wantAuth: "Bearer " + testPageToken,
			wantBody: `{"recipient":{"id":"` + senderPSID + `"},"messaging_type":"RESPONSE","message":{"metadata":"` + echoMeta + `","text":"Yes, we open at 10 on Sunday."}}`,
			wantID:   senderMID,
		},
		{
			name: "messenger just inside 24 hours", ch: messengerChannel(), conv: ago(24*time.Hour - time.Second), contact: messengerContact,
			msg:      inbox.Message{Text: "x"},
			wantPath: "/" + testPageID + "/messages", wantAuth: "Bearer " + testPageToken,
			wantBody: `{"recipient":{"id":"` + senderPSID + `"},"messaging_type":"RESPONSE","message":{"metadata":"` + echoMeta + `","text":"x"}}`,
			wantID:   senderMID,
		},
		{
			name: "messenger at 24 hours needs the human agent tag", ch: messengerChannel(), conv: ago(24 * time.Hour), contact: messengerContact,
			msg:      inbox.Message{Text: "x"},
			wantPath: "/" + testPageID + "/messages", wantAuth: "Bearer " + testPageToken,
			wantBody: `{"recipient":{"id":"` + senderPSID + `"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"metadata":"` + echoMeta + `","text":"x"}}`,
			wantID:   senderMID,
		},
		{
			name: "messenger after 3 days", ch: messengerChannel(), conv: ago(72 * time.Hour), contact: messengerContact,
			msg:      inbox.Message{Text: "Sorry for the delay: your order shipped."},
			wantPath: "/" + testPageID + "/messages", wantAuth: "Bearer " + testPageToken,
			wantBody: `{"recipient":{"id":"` + senderPSID + `"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"metadata":"` + echoMeta + `","text":"Sorry for the delay: your order shipped."}}`,
			wantID:   senderMID,
		},
		{
			name: "messenger image", ch: messengerChannel(), conv: ago(time.Hour), contact: messengerContact,
			msg:      inbox.Message{Attachments: []inbox.Attachment{{Type: inbox.AttachImage, URL: "https://files.example.test/a.png", ContentType: "image/png"}}},
			wantPath: "/" + testPageID + "/messages", wantAuth: "Bearer " + testPageToken,
			wantBody: `{"recipient":{"id":"` + senderPSID + `"},"messaging_type":"RESPONSE","message":{"metadata":"` + echoMeta + `","attachment":{"type":"image","payload":{"url":"https://files.example.test/a.png","is_reusable":true}}}}`,
			wantID:   senderMID,
		},
		{
			name: "whatsapp text within 24 hours", ch: whatsAppChannel(), conv: ago(time.Hour), contact: waContact,
			msg:      inbox.Message{Text: "It comes in blue and green."},
			wantPath: "/" + testPhoneID + "/messages", wantAuth: "Bearer " + testWAToken,
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"preview_url":false,"body":"It comes in blue and green."}}`,
			wantID:   senderWAMID,
		},
		{
			name: "whatsapp reply quoting the customer", ch: whatsAppChannel(), conv: ago(time.Hour), contact: waContact,
			msg:      inbox.Message{Text: "Yes", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},
			wantPath: "/" + testPhoneID + "/messages", wantAuth: "Bearer " + testWAToken,
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"preview_url":false,"body":"Yes"},"context":{"message_id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="}}`,
			wantID:   senderWAMID,
		},
		{
			name: "whatsapp to the conversation's phone when the contact has none", ch: whatsAppChannel(), conv: ago(time.Hour), contact: inbox.Contact{ID: "ct3"},
			msg:      inbox.Message{Text: "hi"},
			wantPath: "/" + testPhoneID + "/messages", wantAuth: "Bearer " + testWAToken,
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"preview_url":false,"body":"hi"}}`,
			wantID:   senderWAMID,
		},
		{
			name: "whatsapp template after 25 hours", ch: whatsAppChannel(), conv: ago(25 * time.Hour), contact: waContact,
			msg:      inbox.Message{Template: &inbox.Template{Name: "order_update", Language: "en_US", Parameters: []string{"Sheena", "#1234"}}},
			wantPath: "/" + testPhoneID + "/messages", wantAuth: "Bearer " + testWAToken,
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"Sheena"},{"type":"text","text":"#1234"}]}]}}`,
			wantID:   senderWAMID,
		},
		{
			name: "whatsapp template to a customer who never wrote", ch: whatsAppChannel(), conv: inbox.Conversation{}, contact: waContact,
			msg:      inbox.Message{Template: &inbox.Template{Name: "hello_world", Language: "en_US"}},
			wantPath: "/" + testPhoneID + "/messages", wantAuth: "Bearer " + testWAToken,
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`,
			wantID:   senderWAMID,
		},
		{
			name: "whatsapp image with caption", ch: whatsAppChannel(), conv: ago(time.Hour), contact: waContact,
			msg:      inbox.Message{Text: "Here is the blue one", Attachments: []inbox.Attachment{{Type: inbox.AttachImage, URL: "https://files.example.test/blue.jpg", ContentType: "image/jpeg"}}},
			wantPath: "/" + testPhoneID + "/messages", wantAuth: "Bearer " + testWAToken,
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"image","image":{"link":"https://files.example.test/blue.jpg","caption":"Here is the blue one"}}`,
			wantID:   senderWAMID,
		},
		{
			name: "whatsapp document with file name", ch: whatsAppChannel(), conv: ago(time.Hour), contact: waContact,
			msg:      inbox.Message{Attachments: []inbox.Attachment{{Type: inbox.AttachFile, URL: "https://files.example.test/r.pdf", Name: "receipt.pdf", ContentType: "application/pdf"}}},
			wantPath: "/" + testPhoneID + "/messages", wantAuth: "Bearer " + testWAToken,
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"document","document":{"link":"https://files.example.test/r.pdf","filename":"receipt.pdf"}}`,
			wantID:   senderWAMID,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reply := docsWAResponse
			if tt.ch.Type == inbox.ChannelMessenger {
				reply = `{"recipient_id":"` + senderPSID + `","message_id":"` + senderMID + `"}`
			}
			g := newRecordingGraph(t, http.StatusOK, reply)
			s := NewSender(NewClient(g.URL, g.Client()), func() time.Time { return senderNow })
			tt.msg.ID = replyID
			id, err := s.Send(context.Background(), tt.ch, tt.conv, tt.contact, tt.msg)
			if err != nil {
				t.Fatalf("Send = %v", err)
			}
			if id != tt.wantID {
				t.Errorf("id = %q, want %q", id, tt.wantID)
			}
			calls := g.recorded()
			if len(calls) != 1 {
				t.Fatalf("%d Graph calls, want 1", len(calls))
			}
			c := calls[0]
			if c.method != http.MethodPost || c.path != tt.wantPath || c.auth != tt.wantAuth {
				t.Errorf("request %s %s (%s), want POST %s (%s)", c.method, c.path, c.auth, tt.wantPath, tt.wantAuth)
			}
			if want := jsonMap(t, tt.wantBody); !reflect.DeepEqual(c.body, want) {
				got, _ := json.Marshal(c.body)
				t.Errorf("body = %s\nwant   %s", got, tt.wantBody)
			}
		})
	}
}

func TestSenderRefusesWithoutCalling(t *testing.T) {
	t.Parallel()
	ago := func(d time.Duration) inbox.Conversation {
		return inbox.Conversation{LastInboundAt: senderNow.Add(-d)}
	}
	messengerContact := inbox.Contact{ID: "ct1", PSID: testPageID + ":" + senderPSID}
	waContact := inbox.Contact{ID: "ct2", Phone: senderCompany}
	noPage := messengerChannel()
	noPage.Messenger = nil
	sms := inbox.Channel{AccountID: "acct1", ID: "chs", Type: inbox.ChannelSMS, ProviderKey: "+15005550006"}
	tests := []struct {
		name     string
		ch       inbox.Channel
		conv     inbox.Conversation
		contact  inbox.Contact
		msg      inbox.Message
		wantCode string
	}{
		{name: "messenger after 8 days", ch: messengerChannel(), conv: ago(8 * 24 * time.Hour), contact: messengerContact, msg: inbox.Message{Text: "x"}, wantCode: "window_closed"},
		{name: "messenger at 7 days", ch: messengerChannel(), conv: ago(7 * 24 * time.Hour), contact: messengerContact, msg: inbox.Message{Text: "x"}, wantCode: "window_closed"},
		{name: "messenger customer never wrote", ch: messengerChannel(), conv: inbox.Conversation{}, contact: messengerContact, msg: inbox.Message{Text: "x"}, wantCode: "window_closed"},
		{name: "messenger contact without a PSID", ch: messengerChannel(), conv: ago(time.Hour), contact: inbox.Contact{ID: "ct1", Phone: senderCompany}, msg: inbox.Message{Text: "x"}, wantCode: "no_recipient"},
		{name: "messenger channel without page settings", ch: noPage, conv: ago(time.Hour), contact: messengerContact, msg: inbox.Message{Text: "x"}, wantCode: "misconfigured"},
		{name: "whatsapp text after 25 hours", ch: whatsAppChannel(), conv: ago(25 * time.Hour), contact: waContact, msg: inbox.Message{Text: "x"}, wantCode: "window_closed"},
		{name: "whatsapp text at 24 hours", ch: whatsAppChannel(), conv: ago(24 * time.Hour), contact: waContact, msg: inbox.Message{Text: "x"}, wantCode: "window_closed"},
		{name: "whatsapp image after 25 hours", ch: whatsAppChannel(), conv: ago(25 * time.Hour), contact: waContact, msg: inbox.Message{Attachments: []inbox.Attachment{{Type: inbox.AttachImage, URL: "https://files.example.test/a.png"}}}, wantCode: "window_closed"},
		{name: "whatsapp customer never wrote", ch: whatsAppChannel(), conv: inbox.Conversation{}, contact: waContact, msg: inbox.Message{Text: "x"}, wantCode: "window_closed"},
		{name: "whatsapp without a number", ch: whatsAppChannel(), conv: ago(time.Hour), contact: inbox.Contact{ID: "ct2"}, msg: inbox.Message{Text: "x"}, wantCode: "misconfigured"},
		{name: "not a Meta channel", ch: sms, conv: ago(time.Hour), contact: waContact, msg: inbox.Message{Text: "x"}, wantCode: "unsupported_channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newRecordingGraph(t, http.StatusOK, docsWAResponse)
			s := NewSender(NewClient(g.URL, g.Client()), func() time.Time { return senderNow })
			id, err := s.Send(context.Background(), tt.ch, tt.conv, tt.contact, tt.msg)
			var se *inbox.SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send = %q, %v; want an *inbox.SendError", id, err)
			}
			if se.Code != tt.wantCode || se.Temporary || se.Message == "" {
				t.Errorf("SendError = %+v, want permanent code %q with a message", *se, tt.wantCode)
			}
			if calls := g.recorded(); len(calls) != 0 {
				t.Errorf("%d Graph calls, want none", len(calls))
			}
		})
	}
}

func TestSenderGraphErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		status        int
		body          string
		wantCode      string
		wantTemporary bool
	}{
		{name: "190 invalid token", status: http.StatusUnauthorized, body: errOAuth190, wantCode: "190"},
		{name: "4 app rate limit", status: http.StatusBadRequest, body: errRate4, wantCode: "4", wantTemporary: true},
		{name: "613 rate limit", status: http.StatusBadRequest, body: errRate613, wantCode: "613", wantTemporary: true},
		{name: "130429 throughput", status: http.StatusTooManyRequests, body: errRate130429, wantCode: "130429", wantTemporary: true},
		{name: "130429 throughput as a 400", status: http.StatusBadRequest, body: errRate130429, wantCode: "130429", wantTemporary: true},
		{name: "551 person unavailable", status: http.StatusBadRequest, body: errUnavail551, wantCode: "551"},
		{name: "131047 re-engagement", status: http.StatusBadRequest, body: errReengage, wantCode: "131047"},
		{name: "500 unknown error", status: http.StatusInternalServerError, body: errUnknown1, wantCode: "1", wantTemporary: true},
		{name: "500 without a Graph body", status: http.StatusInternalServerError, body: `<html>Internal Server Error</html>`, wantCode: "http_500", wantTemporary: true},
	}
	for _, tt := range tests {
		for _, ch := range []inbox.Channel{messengerChannel(), whatsAppChannel()} {
			t.Run(tt.name+"/"+string(ch.Type), func(t *testing.T) {
				t.Parallel()
				g := newRecordingGraph(t, tt.status, tt.body)
				s := NewSender(NewClient(g.URL, g.Client()), func() time.Time { return senderNow })
				conv := inbox.Conversation{LastInboundAt: senderNow.Add(-time.Hour)}
				contact := inbox.Contact{ID: "ct1", PSID: testPageID + ":" + senderPSID, Phone: senderCompany}
				id, err := s.Send(context.Background(), ch, conv, contact, inbox.Message{Text: "hello"})
				var se *inbox.SendError
				if !errors.As(err, &se) {
					t.Fatalf("Send = %q, %v; want an *inbox.SendError", id, err)
				}
				if se.Code != tt.wantCode || se.Temporary != tt.wantTemporary || se.Message == "" {
					t.Errorf("SendError = %+v, want code %q temporary %v", *se, tt.wantCode, tt.wantTemporary)
				}
				if id != "" {
					t.Errorf("id = %q, want none", id)
				}
				if n := len(g.recorded()); n != 1 {
					t.Errorf("%d Graph calls, want 1 (the sender does not retry itself)", n)
				}
			})
		}
	}
}
