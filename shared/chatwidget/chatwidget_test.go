package chatwidget_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatwidget"
	"github.com/openinbox/inbox/shared/inbox"
)

type channels map[string]inbox.Channel

func (c channels) ChannelByID(_ context.Context, id string) (inbox.Channel, error) {
	if ch, ok := c[id]; ok {
		return ch, nil
	}
	return inbox.Channel{}, inbox.Errorf(inbox.ENotFound, "no such channel")
}

// TestFrame: the iframe page is framed only by the deployment (its own origin and the agents'
// app's, another API in AWS) and the allowed origins (CSP frame-ancestors), lets only the
// deployment's pages preview settings (data-preview), may connect only to its own origin, the
// live channel's host (CSP connect-src: AWS's WebSocket API has a host of its own) and the
// media bucket's (visitors' files are PUT there through presigned links), refuses a host page
// that is neither, and 404s other kinds' ids.
func TestFrame(t *testing.T) {
	t.Parallel()
	set := chat.Defaults()
	set.AllowedOrigins = []string{"https://shop.example"}
	ch := inbox.Channel{ID: "c1", Type: inbox.ChannelChat, Settings: map[string]string{}}
	ch.Settings[chat.SettingChat] = mustJSON(t, set)
	srv := httptest.NewServer(chatwidget.New(channels{"c1": ch, "s1": {ID: "s1", Type: inbox.ChannelSMS}}, "wss://abc123.execute-api.eu-west-1.amazonaws.com/live", "https://inbox-media.s3.eu-west-1.amazonaws.com",
		[]string{"https://agents.execute-api.eu-west-1.amazonaws.com"}))
	defer srv.Close()
	for _, tc := range []struct {
		path    string
		status  int
		preview bool
	}{
		{"/chat/c1/frame?host=https://shop.example", 200, false},
		{"/chat/c1/frame?host=" + srv.URL, 200, true},
		{"/chat/c1/frame?host=https://agents.execute-api.eu-west-1.amazonaws.com", 200, true},
		{"/chat/c1/frame?host=https://evil.example", 403, false},
		{"/chat/s1/frame?host=https://shop.example", 404, false},
		{"/chat/nope/frame?host=https://shop.example", 404, false},
		{"/chat/loader.js", 200, false},
		{"/chat/widget.js", 200, false},
		{"/chat/widget.css", 200, false},
	} {
		res, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, res.StatusCode, tc.status)
		}
		if strings.Contains(tc.path, "/frame") && tc.status == 200 {
			if want := `data-preview="` + strconv.FormatBool(tc.preview) + `"`; !strings.Contains(string(body), want) {
				t.Errorf("%s: the page lacks %s", tc.path, want)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://agents.execute-api.eu-west-1.amazonaws.com https://shop.example") ||
				!strings.Contains(csp, "connect-src 'self' wss://abc123.execute-api.eu-west-1.amazonaws.com https://inbox-media.s3.eu-west-1.amazonaws.com;") {
				t.Errorf("%s: CSP %q", tc.path, csp)
			}
		}
	}
}

func mustJSON(t *testing.T, s chat.Settings) string {
	t.Helper()
	ch := inbox.Channel{Settings: map[string]string{}, Secrets: map[string]string{}}
	n := 0
	raw := `{"allowedOrigins":["` + strings.Join(s.AllowedOrigins, `","`) + `"]}`
	env := channelEnv(&n)
	if err := chat.Kind.Settings(&ch, []byte(raw), env); err != nil {
		t.Fatal(err)
	}
	return ch.Settings[chat.SettingChat]
}

func channelEnv(n *int) channel.Env {
	return channel.Env{Creating: true, NewID: func() string { *n++; return strings.Repeat("ab", 16) }}
}
