package twilio

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

const (
	testSID   = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	testToken = "auth-token"

	// createdBody is the documented 201 response of "Create a Message"
	// (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
	createdBody = `{
  "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "api_version": "2010-04-01",
  "body": "Hello! 👍",
  "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
  "date_sent": "Thu, 24 Aug 2023 05:01:45 +0000",
  "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
  "direction": "outbound-api",
  "error_code": null,
  "error_message": null,
  "from": "+14155552345",
  "num_media": "0",
  "num_segments": "1",
  "price": null,
  "price_unit": null,
  "messaging_service_sid": "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "sid": "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "status": "queued",
  "subresource_uris": {
    "media": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Media.json"
  },
  "to": "+14155552345",
  "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json"
}`

	// Error bodies in the documented shape of "Debugging calls to the REST API"
	// (https://www.twilio.com/docs/usage/troubleshooting/debugging-your-application): the 21211
	// one is the page's example; the others fill the same fields for errors 20003, 20429 and
	// 20500 (https://www.twilio.com/docs/api/errors/<code>).
	error21211 = `{"code": 21211, "message": "The 'To' number 5551234567 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`
	error20003 = `{"code": 20003, "detail": "Your AccountSid or AuthToken was incorrect.", "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}`
	error20429 = `{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}`
	error20500 = `{"code": 20500, "message": "Internal Server Error", "more_info": "https://www.twilio.com/docs/errors/20500", "status": 500}`
)

// twilioAPI is a fake Messages API that checks each request against the documented wire format
// and answers status and body.
func twilioAPI(t *testing.T, status int, body string, wantForm map[string][]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method = %s, want POST", r.Method)
		}
		if want := "/2010-04-01/Accounts/" + testSID + "/Messages.json"; r.URL.Path != want {
			t.Errorf("path = %s, want %s", r.URL.Path, want)
		}
		if user, pass, ok := r.BasicAuth(); !ok || user != testSID || pass != testToken {
			t.Errorf("basic auth = %q, %q, %v", user, pass, ok)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("content type = %q", ct)
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("ParseForm: %v", err)
		}
		if wantForm != nil && !reflect.DeepEqual(map[string][]string(r.PostForm), wantForm) {
			t.Errorf("form = %v, want %v", r.PostForm, wantForm)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSend(t *testing.T) {
	t.Parallel()
	cred := Credentials{AccountSID: testSID, AuthToken: testToken}
	sms := OutboundSMS{From: "+14155552345", To: "+14155552346", Body: "Hello! 👍", StatusCallback: "https://hooks.example/twilio/status"}
	mms := OutboundSMS{From: "+14155552345", To: "+14155552346", MediaURLs: []string{"https://cdn.example/a.jpg", "https://cdn.example/b.png"}}

	tests := []struct {
		name     string
		msg      OutboundSMS
		status   int
		body     string
		wantForm map[string][]string
		want     Sent
		wantErr  *SendError
	}{
		{
			name: "sms created", msg: sms, status: http.StatusCreated, body: createdBody,
			wantForm: map[string][]string{
				"From": {"+14155552345"}, "To": {"+14155552346"}, "Body": {"Hello! 👍"},
				"StatusCallback": {"https://hooks.example/twilio/status"},
			},
			want: Sent{SID: "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Status: "queued"},
		},
		{
			name: "mms created", msg: mms, status: http.StatusCreated, body: createdBody,
			wantForm: map[string][]string{
				"From": {"+14155552345"}, "To": {"+14155552346"},
				"MediaUrl": {"https://cdn.example/a.jpg", "https://cdn.example/b.png"},
			},
			want: Sent{SID: "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Status: "queued"},
		},
		{
			name: "400 invalid To", msg: sms, status: http.StatusBadRequest, body: error21211,
			wantErr: &SendError{HTTPStatus: 400, Code: 21211, Message: "The 'To' number 5551234567 is not a valid phone number.", MoreInfo: "https://www.twilio.com/docs/errors/21211"},
		},
		{
			name: "401 authenticate", msg: sms, status: http.StatusUnauthorized, body: error20003,
			wantErr: &SendError{HTTPStatus: 401, Code: 20003, Message: "Authenticate", MoreInfo: "https://www.twilio.com/docs/errors/20003"},
		},
		{
			name: "429 too many requests", msg: sms, status: http.StatusTooManyRequests, body: error20429,
			wantErr: &SendError{HTTPStatus: 429, Code: 20429, Message: "Too Many Requests", MoreInfo: "https://www.twilio.com/docs/errors/20429", Temporary: true},
		},
		{
			name: "500 internal error", msg: sms, status: http.StatusInternalServerError, body: error20500,
			wantErr: &SendError{HTTPStatus: 500, Code: 20500, Message: "Internal Server Error", MoreInfo: "https://www.twilio.com/docs/errors/20500", Temporary: true},
		},
		{
			name: "502 from a proxy", msg: sms, status: http.StatusBadGateway, body: "<html>Bad Gateway</html>",
			wantErr: &SendError{HTTPStatus: 502, Message: "Bad Gateway", Temporary: true},
		},
		{
			name: "201 without sid", msg: sms, status: http.StatusCreated, body: `{"status": "queued"}`,
			wantErr: &SendError{HTTPStatus: 201, Message: "unreadable Twilio response"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := twilioAPI(t, tt.status, tt.body, tt.wantForm)
			got, err := NewClient(srv.URL+"/", srv.Client()).Send(t.Context(), cred, tt.msg)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if got != tt.want {
					t.Errorf("Send = %+v, want %+v", got, tt.want)
				}
				return
			}
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send error = %v (%T), want *SendError", err, err)
			}
			se.err = nil
			if !reflect.DeepEqual(se, tt.wantErr) {
				t.Errorf("Send error = %+v, want %+v", se, tt.wantErr)
			}
		})
	}
}

func TestSendTransportFailures(t *testing.T) {
	t.Parallel()
	cred := Credentials{AccountSID: testSID, AuthToken: testToken}
	msg := OutboundSMS{From: "+14155552345", To: "+14155552346", Body: "hi"}

	tests := []struct {
		name    string
		send    func(t *testing.T) error
		wantErr error // matched with errors.Is when set
	}{
		{
			name: "context canceled before sending",
			send: func(t *testing.T) error {
				srv := twilioAPI(t, http.StatusCreated, createdBody, nil)
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				_, err := NewClient(srv.URL, srv.Client()).Send(ctx, cred, msg)
				return err
			},
			wantErr: context.Canceled,
		},
		{
			name: "context canceled while Twilio is slow",
			send: func(t *testing.T) error {
				arrived, release := make(chan struct{}), make(chan struct{})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					close(arrived)
					<-release // hold the response until the client has given up
				}))
				t.Cleanup(srv.Close)
				ctx, cancel := context.WithCancel(t.Context())
				go func() { <-arrived; cancel() }()
				_, err := NewClient(srv.URL, srv.Client()).Send(ctx, cred, msg)
				close(release)
				return err
			},
			wantErr: context.Canceled,
		},
		{
			name: "connection refused",
			send: func(t *testing.T) error {
				srv := httptest.NewServer(http.NotFoundHandler())
				base := srv.URL
				srv.Close()
				_, err := NewClient(base, nil).Send(t.Context(), cred, msg)
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.send(t)
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send error = %v (%T), want *SendError", err, err)
			}
			if !se.Temporary || se.Code != 0 || se.HTTPStatus != 0 {
				t.Errorf("SendError = %+v, want Temporary with no code or status", se)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantErr)
			}
		})
	}
}

func TestSendRequiresCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cred Credentials
	}{
		{"no account", Credentials{AuthToken: testToken}},
		{"no token", Credentials{AccountSID: testSID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// No server: the request must be refused before any network use.
			_, err := NewClient("http://127.0.0.1:1", nil).Send(t.Context(), tt.cred, OutboundSMS{To: "+1", From: "+2", Body: "x"})
			var se *SendError
			if !errors.As(err, &se) || se.Temporary || se.HTTPStatus != 0 {
				t.Errorf("Send error = %#v, want a permanent *SendError", err)
			}
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	t.Parallel()
	c := NewClient("", nil)
	if c.baseURL != DefaultBaseURL || c.hc == nil || c.hc.Timeout == 0 {
		t.Errorf("NewClient(\"\", nil) = %+v", c)
	}
}

func TestSendErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *SendError
		want string
	}{
		{&SendError{HTTPStatus: 400, Code: 21211, Message: "bad To", MoreInfo: "https://www.twilio.com/docs/errors/21211"},
			"twilio: HTTP 400: error 21211: bad To (https://www.twilio.com/docs/errors/21211)"},
		{&SendError{HTTPStatus: 502, Message: "Bad Gateway", Temporary: true}, "twilio: HTTP 502: Bad Gateway"},
		{&SendError{Message: "dial tcp: refused", Temporary: true}, "twilio: request failed: dial tcp: refused"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
