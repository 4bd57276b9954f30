package media_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/media"
)

// TestTwilioSourceAuthenticates downloads a recording from a stand-in of Twilio's Recording
// resource that, like an account requiring HTTP auth for media, answers 401 without the
// account SID and auth token.
func TestTwilioSourceAuthenticates(t *testing.T) {
	t.Parallel()
	const sid, token = "AC0123456789abcdef0123456789abcdef", "voice-auth-token"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != sid || p != token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "audio/mpeg")
		_, _ = io.WriteString(w, "ID3 recording")
	}))
	t.Cleanup(srv.Close)
	src := &media.TwilioSource{Client: srv.Client()}
	ch := inbox.Channel{Type: inbox.ChannelVoice, Twilio: &inbox.TwilioConfig{AccountSID: sid}, Secrets: map[string]string{inbox.SecretTwilioAuthToken: token}}
	a := inbox.Attachment{URL: srv.URL + "/2010-04-01/Accounts/" + sid + "/Recordings/RE1.mp3"}
	body, ct, err := src.Fetch(context.Background(), ch, a)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(body)
	body.Close()
	if ct != "audio/mpeg" || string(b) != "ID3 recording" {
		t.Errorf("%q %q", ct, b)
	}
	ch.Secrets[inbox.SecretTwilioAuthToken] = "wrong"
	if _, _, err := src.Fetch(context.Background(), ch, a); !inbox.IsCode(err, inbox.EForbidden) {
		t.Errorf("wrong token: %v", err)
	}
	if _, _, err := src.Fetch(context.Background(), inbox.Channel{}, a); !inbox.IsCode(err, inbox.EInvalid) {
		t.Errorf("no credentials: %v", err)
	}
}
