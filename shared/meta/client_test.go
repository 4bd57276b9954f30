package meta

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

const (
	testPageID    = "1067280970047460"
	testPageToken = "EAAJB-page-token"
	testPhoneID   = "106540352242922"
	testWAToken   = "EAAJB-system-token"

	// Send API "Sample Request" response
	// (https://developers.facebook.com/docs/messenger-platform/reference/send-api).
	docsSendAPIResponse = `{"recipient_id": "PAGE-SCOPED-ID", "message_id": "AG5Hz2U..."}`

	// Interactive reply buttons messages, "Example Response" (the documented /messages answer).
	docsWAResponse = `{
  "messaging_product": "whatsapp",
  "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
  "messages": [{"id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"}]
}`

	// Graph API "Handling Errors" common error response
	// (https://developers.facebook.com/docs/graph-api/guides/error-handling).
	errOAuth190 = `{"error": {"message": "Message describing the error", "type": "OAuthException", "code": 190, "error_subcode": 460, "error_user_title": "A title", "error_user_msg": "A message", "fbtrace_id": "EJplcsCHuLu"}}`

	// The same documented shape filled with the Graph codes "API Too Many Calls" (4), Messenger's
	// rate limit (613) and "person isn't available" (551/1545041), WhatsApp's "Rate limit hit"
	// (130429), "Re-engagement message" (131047, with error_data.details), "Message Undeliverable"
	// (131026) and "API Unknown" (1) from the error code references.
	errRate4      = `{"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "is_transient": true, "code": 4, "fbtrace_id": "AbCdEf4"}}`
	errRate613    = `{"error": {"message": "(#613) Calls to this api have exceeded the rate limit.", "type": "OAuthException", "code": 613, "fbtrace_id": "AbCdEf613"}}`
	errUnavail551 = `{"error": {"message": "(#551) This person isn't available right now.", "type": "OAuthException", "code": 551, "error_subcode": 1545041, "fbtrace_id": "AbCdEf551"}}`
	errRate130429 = `{"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429, "error_data": {"messaging_product": "whatsapp", "details": "Cloud API message throughput has been reached."}, "fbtrace_id": "AbCdEf130429"}}`
	errReengage   = `{"error": {"message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047, "error_data": {"messaging_product": "whatsapp", "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}, "fbtrace_id": "AbCdEf131047"}}`
	errUndeliv    = `{"error": {"message": "(#131026) Message Undeliverable", "type": "OAuthException", "code": 131026, "error_data": {"messaging_product": "whatsapp", "details": "Message Undeliverable."}, "fbtrace_id": "AbCdEf131026"}}`
	errUnknown1   = `{"error": {"message": "An unknown error has occurred.", "type": "OAuthException", "is_transient": true, "code": 1, "fbtrace_id": "AbCdEf1"}}`
)

// graphAPI is a fake Graph API endpoint that checks each request against the documented wire
// format (method, path, Bearer token, JSON body) and answers status and body.
func graphAPI(t *testing.T, method, path, token, wantBody string, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			t.Errorf("method = %s, want %s", r.Method, method)
		}
		if r.URL.Path != path {
			t.Errorf("path = %s, want %s", r.URL.Path, path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+token {
			t.Errorf("Authorization = %q", got)
		}
		if r.URL.Query().Has("access_token") {
			t.Error("token sent in the URL")
		}
		if wantBody != "" {
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var got, want any
			raw, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Errorf("request body %s: %v", raw, err)
			}
			if err := json.Unmarshal([]byte(wantBody), &want); err != nil {
				t.Fatalf("test body: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("request body = %s\nwant %s", raw, wantBody)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSendMessenger(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		msg      MessengerMessage
		wantBody string
	}{
		{
			name: "text response",
			msg:  MessengerMessage{PSID: "1254459154682919", MessagingType: "RESPONSE", Text: "hello, world"},
			wantBody: `{"recipient":{"id":"1254459154682919"},"messaging_type":"RESPONSE",
				"message":{"text":"hello, world"}}`,
		},
		{
			name: "human agent tag",
			msg:  MessengerMessage{PSID: "1254459154682919", MessagingType: "MESSAGE_TAG", Tag: "HUMAN_AGENT", Text: "Sorry for the wait"},
			wantBody: `{"recipient":{"id":"1254459154682919"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT",
				"message":{"text":"Sorry for the wait"}}`,
		},
		{
			name: "empty messaging type is a response",
			msg:  MessengerMessage{PSID: "1254459154682919", Text: "hi"},
			wantBody: `{"recipient":{"id":"1254459154682919"},"messaging_type":"RESPONSE",
				"message":{"text":"hi"}}`,
		},
		{
			// Send API "Attachment" shape: {"type":…,"payload":{"url":…,"is_reusable":true}}.
			name: "file attachment",
			msg:  MessengerMessage{PSID: "1254459154682919", MessagingType: "RESPONSE", Attachment: &OutboundAttachment{Type: inbox.AttachFile, URL: "https://files.example/receipt.pdf"}},
			wantBody: `{"recipient":{"id":"1254459154682919"},"messaging_type":"RESPONSE",
				"message":{"attachment":{"type":"file","payload":{"url":"https://files.example/receipt.pdf","is_reusable":true}}}}`,
		},
		{
			name: "image attachment",
			msg:  MessengerMessage{PSID: "1254459154682919", MessagingType: "RESPONSE", Attachment: &OutboundAttachment{Type: inbox.AttachImage, URL: "https://files.example/a.png"}},
			wantBody: `{"recipient":{"id":"1254459154682919"},"messaging_type":"RESPONSE",
				"message":{"attachment":{"type":"image","payload":{"url":"https://files.example/a.png","is_reusable":true}}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := graphAPI(t, http.MethodPost, "/v21.0/"+testPageID+"/messages", testPageToken, tt.wantBody, http.StatusOK, docsSendAPIResponse)
			id, err := NewClient(srv.URL+"/v21.0", srv.Client()).SendMessenger(context.Background(), testPageID, testPageToken, tt.msg)
			if err != nil {
				t.Fatalf("SendMessenger: %v", err)
			}
			if id != "AG5Hz2U..." {
				t.Errorf("message id = %q", id)
			}
		})
	}
}

func TestSendWhatsApp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		msg      WhatsAppMessage
		wantBody string
	}{
		{
			name: "text",
			msg:  WhatsAppMessage{To: "+16505551234", Text: "Does it come in another color?"},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
				"type":"text","text":{"preview_url":false,"body":"Does it come in another color?"}}`,
		},
		{
			name: "text reply",
			msg:  WhatsAppMessage{To: "16505551234", Text: "Yes, in blue.", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
				"context":{"message_id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},
				"type":"text","text":{"preview_url":false,"body":"Yes, in blue."}}`,
		},
		{
			// Image messages request: {"type":"image","image":{"link":…,"caption":…}}.
			name: "image with caption",
			msg:  WhatsAppMessage{To: "+16505551234", Text: "The best succulent ever?", Media: &OutboundAttachment{Type: inbox.AttachImage, URL: "https://www.luckyshrub.com/assets/succulents/aloe.png"}},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
				"type":"image","image":{"link":"https://www.luckyshrub.com/assets/succulents/aloe.png","caption":"The best succulent ever?"}}`,
		},
		{
			name: "audio",
			msg:  WhatsAppMessage{To: "+16505551234", Media: &OutboundAttachment{Type: inbox.AttachAudio, URL: "https://files.example/note.ogg"}},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
				"type":"audio","audio":{"link":"https://files.example/note.ogg"}}`,
		},
		{
			name: "video",
			msg:  WhatsAppMessage{To: "+16505551234", Media: &OutboundAttachment{Type: inbox.AttachVideo, URL: "https://files.example/v.mp4"}},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
				"type":"video","video":{"link":"https://files.example/v.mp4"}}`,
		},
		{
			name: "file as document",
			msg:  WhatsAppMessage{To: "+16505551234", Text: "my receipt", Media: &OutboundAttachment{Type: inbox.AttachFile, URL: "https://files.example/r.pdf", Name: "receipt.pdf"}},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
				"type":"document","document":{"link":"https://files.example/r.pdf","caption":"my receipt","filename":"receipt.pdf"}}`,
		},
		{
			name: "template with body parameters",
			msg: WhatsAppMessage{To: "+16505551234", Text: "ignored", Template: &inbox.Template{
				Name: "order_confirmation", Language: "en_US", Parameters: []string{"Pablo", "860198-230332"},
			}},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
				"type":"template","template":{"name":"order_confirmation","language":{"code":"en_US"},
				"components":[{"type":"body","parameters":[{"type":"text","text":"Pablo"},{"type":"text","text":"860198-230332"}]}]}}`,
		},
		{
			name: "template without parameters",
			msg:  WhatsAppMessage{To: "+16505551234", Template: &inbox.Template{Name: "hello_world", Language: "en_US"}},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
				"type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := graphAPI(t, http.MethodPost, "/v21.0/"+testPhoneID+"/messages", testWAToken, tt.wantBody, http.StatusOK, docsWAResponse)
			id, err := NewClient(srv.URL+"/v21.0/", srv.Client()).SendWhatsApp(context.Background(), testPhoneID, testWAToken, tt.msg)
			if err != nil {
				t.Fatalf("SendWhatsApp: %v", err)
			}
			if id != "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA" {
				t.Errorf("message id = %q", id)
			}
		})
	}
}

// TestSendErrors runs Graph's documented error shapes through both senders and checks the
// decoded error, its class and its inbox.SendError.
func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		want      GraphError
		sendError inbox.SendError
	}{
		{
			name: "190 invalid token (401)", status: http.StatusUnauthorized, body: errOAuth190,
			want:      GraphError{HTTPStatus: 401, Code: 190, Subcode: 460, Type: "OAuthException", Message: "Message describing the error", TraceID: "EJplcsCHuLu"},
			sendError: inbox.SendError{Code: "190", Message: "Message describing the error"},
		},
		{
			name: "190 invalid token (400)", status: http.StatusBadRequest, body: errOAuth190,
			want:      GraphError{HTTPStatus: 400, Code: 190, Subcode: 460, Type: "OAuthException", Message: "Message describing the error", TraceID: "EJplcsCHuLu"},
			sendError: inbox.SendError{Code: "190", Message: "Message describing the error"},
		},
		{
			name: "4 app rate limit", status: http.StatusBadRequest, body: errRate4,
			want:      GraphError{HTTPStatus: 400, Code: 4, Type: "OAuthException", Message: "(#4) Application request limit reached", TraceID: "AbCdEf4", Temporary: true},
			sendError: inbox.SendError{Code: "4", Message: "(#4) Application request limit reached", Temporary: true},
		},
		{
			name: "613 Messenger rate limit", status: http.StatusBadRequest, body: errRate613,
			want:      GraphError{HTTPStatus: 400, Code: 613, Type: "OAuthException", Message: "(#613) Calls to this api have exceeded the rate limit.", TraceID: "AbCdEf613", Temporary: true},
			sendError: inbox.SendError{Code: "613", Message: "(#613) Calls to this api have exceeded the rate limit.", Temporary: true},
		},
		{
			name: "130429 WhatsApp throughput", status: http.StatusTooManyRequests, body: errRate130429,
			want: GraphError{HTTPStatus: 429, Code: 130429, Type: "OAuthException", Message: "(#130429) Rate limit hit",
				Details: "Cloud API message throughput has been reached.", TraceID: "AbCdEf130429", Temporary: true},
			sendError: inbox.SendError{Code: "130429", Message: "(#130429) Rate limit hit: Cloud API message throughput has been reached.", Temporary: true},
		},
		{
			name: "551 person unavailable", status: http.StatusBadRequest, body: errUnavail551,
			want:      GraphError{HTTPStatus: 400, Code: 551, Subcode: 1545041, Type: "OAuthException", Message: "(#551) This person isn't available right now.", TraceID: "AbCdEf551"},
			sendError: inbox.SendError{Code: "551", Message: "(#551) This person isn't available right now."},
		},
		{
			name: "131047 re-engagement", status: http.StatusBadRequest, body: errReengage,
			want: GraphError{HTTPStatus: 400, Code: 131047, Type: "OAuthException", Message: "(#131047) Re-engagement message",
				Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.", TraceID: "AbCdEf131047"},
			sendError: inbox.SendError{Code: "131047", Message: "(#131047) Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
		},
		{
			name: "131026 undeliverable", status: http.StatusBadRequest, body: errUndeliv,
			want: GraphError{HTTPStatus: 400, Code: 131026, Type: "OAuthException", Message: "(#131026) Message Undeliverable",
				Details: "Message Undeliverable.", TraceID: "AbCdEf131026"},
			sendError: inbox.SendError{Code: "131026", Message: "(#131026) Message Undeliverable: Message Undeliverable."},
		},
		{
			name: "500 unknown", status: http.StatusInternalServerError, body: errUnknown1,
			want:      GraphError{HTTPStatus: 500, Code: 1, Type: "OAuthException", Message: "An unknown error has occurred.", TraceID: "AbCdEf1", Temporary: true},
			sendError: inbox.SendError{Code: "1", Message: "An unknown error has occurred.", Temporary: true},
		},
		{
			name: "502 from a proxy", status: http.StatusBadGateway, body: `<html>Bad Gateway</html>`,
			want:      GraphError{HTTPStatus: 502, Message: "Bad Gateway", Temporary: true},
			sendError: inbox.SendError{Code: "http_502", Message: "Bad Gateway", Temporary: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			check := func(err error) {
				t.Helper()
				var ge *GraphError
				if !errors.As(err, &ge) {
					t.Fatalf("error %v is not a *GraphError", err)
				}
				if !reflect.DeepEqual(*ge, tt.want) {
					t.Errorf("GraphError = %+v\nwant %+v", *ge, tt.want)
				}
				if se := AsSendError(err); !reflect.DeepEqual(*se, tt.sendError) {
					t.Errorf("AsSendError = %+v\nwant %+v", *se, tt.sendError)
				}
			}
			srv := graphAPI(t, http.MethodPost, "/"+testPageID+"/messages", testPageToken, "", tt.status, tt.body)
			_, err := NewClient(srv.URL, srv.Client()).SendMessenger(context.Background(), testPageID, testPageToken, MessengerMessage{PSID: "1", Text: "x"})
			check(err)
			srv = graphAPI(t, http.MethodPost, "/"+testPhoneID+"/messages", testWAToken, "", tt.status, tt.body)
			_, err = NewClient(srv.URL, srv.Client()).SendWhatsApp(context.Background(), testPhoneID, testWAToken, WhatsAppMessage{To: "1", Text: "x"})
			check(err)
		})
	}
}

func TestSendNetworkError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	base := srv.URL
	srv.Close() // nothing listens any more
	_, err := NewClient(base, nil).SendMessenger(context.Background(), testPageID, testPageToken, MessengerMessage{PSID: "1", Text: "x"})
	var ge *GraphError
	if !errors.As(err, &ge) || !ge.Temporary || ge.HTTPStatus != 0 {
		t.Fatalf("error = %#v, want a temporary transport GraphError", err)
	}
	if se := AsSendError(err); se.Code != "network" || !se.Temporary {
		t.Errorf("AsSendError = %+v", se)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = NewClient(base, nil).SendWhatsApp(ctx, testPhoneID, testWAToken, WhatsAppMessage{To: "1", Text: "x"})
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ge) || !ge.Temporary {
		t.Fatalf("canceled error = %#v", err)
	}
}

func TestSendRefusedBeforeRequest(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
	}))
	t.Cleanup(srv.Close)
	c := NewClient(srv.URL, srv.Client())
	ctx := context.Background()
	img := &OutboundAttachment{Type: inbox.AttachImage, URL: "https://files.example/a.png"}
	cases := map[string]func() error{
		"messenger without token": func() error {
			_, err := c.SendMessenger(ctx, testPageID, "", MessengerMessage{PSID: "1", Text: "x"})
			return err
		},
		"messenger without page": func() error {
			_, err := c.SendMessenger(ctx, "", testPageToken, MessengerMessage{PSID: "1", Text: "x"})
			return err
		},
		"messenger without psid": func() error {
			_, err := c.SendMessenger(ctx, testPageID, testPageToken, MessengerMessage{Text: "x"})
			return err
		},
		"messenger empty": func() error {
			_, err := c.SendMessenger(ctx, testPageID, testPageToken, MessengerMessage{PSID: "1"})
			return err
		},
		"messenger text and media": func() error {
			_, err := c.SendMessenger(ctx, testPageID, testPageToken, MessengerMessage{PSID: "1", Text: "x", Attachment: img})
			return err
		},
		"messenger sticker": func() error {
			_, err := c.SendMessenger(ctx, testPageID, testPageToken, MessengerMessage{PSID: "1", Attachment: &OutboundAttachment{Type: inbox.AttachSticker, URL: "u"}})
			return err
		},
		"whatsapp without token": func() error {
			_, err := c.SendWhatsApp(ctx, testPhoneID, "", WhatsAppMessage{To: "1", Text: "x"})
			return err
		},
		"whatsapp without to": func() error {
			_, err := c.SendWhatsApp(ctx, testPhoneID, testWAToken, WhatsAppMessage{To: "+", Text: "x"})
			return err
		},
		"whatsapp empty": func() error {
			_, err := c.SendWhatsApp(ctx, testPhoneID, testWAToken, WhatsAppMessage{To: "1"})
			return err
		},
		"whatsapp audio caption": func() error {
			_, err := c.SendWhatsApp(ctx, testPhoneID, testWAToken, WhatsAppMessage{To: "1", Text: "x", Media: &OutboundAttachment{Type: inbox.AttachAudio, URL: "u"}})
			return err
		},
		"whatsapp media without url": func() error {
			_, err := c.SendWhatsApp(ctx, testPhoneID, testWAToken, WhatsAppMessage{To: "1", Media: &OutboundAttachment{Type: inbox.AttachImage}})
			return err
		},
		"whatsapp template without language": func() error {
			_, err := c.SendWhatsApp(ctx, testPhoneID, testWAToken, WhatsAppMessage{To: "1", Template: &inbox.Template{Name: "hello_world"}})
			return err
		},
		"media without token":    func() error { _, err := c.Media(ctx, "1003383421387256", ""); return err },
		"download without url":   func() error { _, _, err := c.Download(ctx, "", testWAToken); return err },
		"download without token": func() error { _, _, err := c.Download(ctx, srv.URL, ""); return err },
	}
	for name, call := range cases {
		err := call()
		var ge *GraphError
		if !errors.As(err, &ge) || ge.Temporary || ge.HTTPStatus != 0 {
			t.Errorf("%s: error = %#v, want a permanent GraphError", name, err)
			continue
		}
		if se := AsSendError(err); se.Code != "misconfigured" || se.Temporary {
			t.Errorf("%s: AsSendError = %+v", name, se)
		}
	}
}

func TestSendUnreadableSuccess(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{"not JSON": `<html>`, "no id": `{"recipient_id":"1"}`} {
		srv := graphAPI(t, http.MethodPost, "/"+testPageID+"/messages", testPageToken, "", http.StatusOK, body)
		_, err := NewClient(srv.URL, srv.Client()).SendMessenger(context.Background(), testPageID, testPageToken, MessengerMessage{PSID: "1", Text: "x"})
		var ge *GraphError
		if !errors.As(err, &ge) || ge.Temporary {
			t.Errorf("%s: error = %#v, want a permanent GraphError (the message may have been sent)", name, err)
		}
	}
}

func TestMediaAndDownload(t *testing.T) {
	t.Parallel()
	const content = "\xff\xd8\xff\xe0 jpeg bytes"
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	// Media "Get media URL" response syntax, with example values.
	mux.HandleFunc("GET /v21.0/1003383421387256", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testWAToken {
			t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
		}
		io.WriteString(w, `{"messaging_product": "whatsapp", "url": "`+srv.URL+`/whatsapp_business/attachments/?mid=1003383421387256&ext=1", "mime_type": "image/jpeg", "sha256": "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", "file_size": "303833", "id": "1003383421387256"}`)
	})
	mux.HandleFunc("GET /v21.0/expired", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100, "fbtrace_id": "AbC"}}`)
	})
	mux.HandleFunc("GET /whatsapp_business/attachments/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testWAToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("mid") != "1003383421387256" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		io.WriteString(w, content)
	})
	c := NewClient(srv.URL+"/v21.0", srv.Client())
	ctx := context.Background()

	info, err := c.Media(ctx, "1003383421387256", testWAToken)
	if err != nil {
		t.Fatalf("Media: %v", err)
	}
	want := MediaInfo{
		ID: "1003383421387256", URL: srv.URL + "/whatsapp_business/attachments/?mid=1003383421387256&ext=1",
		MimeType: "image/jpeg", SHA256: "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", FileSize: 303833,
	}
	if info != want {
		t.Fatalf("Media = %+v\nwant %+v", info, want)
	}

	rc, ct, err := c.Download(ctx, info.URL, testWAToken)
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != content || ct != "image/jpeg" {
		t.Errorf("Download = %q, %q", got, ct)
	}

	_, err = c.Media(ctx, "expired", testWAToken)
	var ge *GraphError
	if !errors.As(err, &ge) || ge.Code != 100 || ge.Temporary {
		t.Errorf("Media(expired) = %#v", err)
	}
	_, _, err = c.Download(ctx, strings.Replace(info.URL, "mid=1003383421387256", "mid=gone", 1), testWAToken)
	if !errors.As(err, &ge) || ge.HTTPStatus != http.StatusNotFound || ge.Temporary {
		t.Errorf("Download(expired URL) = %#v", err)
	}
}

func TestAsSendError(t *testing.T) {
	t.Parallel()
	if AsSendError(nil) != nil {
		t.Error("AsSendError(nil) != nil")
	}
	same := &inbox.SendError{Code: "x", Message: "y"}
	if AsSendError(same) != same {
		t.Error("an *inbox.SendError is not returned as is")
	}
	if se := AsSendError(errors.New("boom")); se.Code != "network" || !se.Temporary {
		t.Errorf("AsSendError(other) = %+v", se)
	}
}

func TestNewClientDefaults(t *testing.T) {
	t.Parallel()
	c := NewClient("", nil)
	if c.baseURL != "https://graph.facebook.com/v21.0" || c.hc == nil || c.hc.Timeout == 0 {
		t.Errorf("NewClient defaults = %q, %+v", c.baseURL, c.hc)
	}
}
