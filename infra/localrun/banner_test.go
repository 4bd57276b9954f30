package localrun_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/inbox"
)

// The banner of make run prints for each demo channel what is true of its kind, as the
// registry has it: the kind's label; a webhook URL only for kinds with a webhook route (none
// for email, which arrives through SES); "signed" only above a curl that is signed (never above
// email's drop, which SES does not sign, nor a public form's post).
func TestBannerSaysWhatIsTrueOfEachKind(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	banner := e.r.Banner()
	if len(e.r.Demo.Channels) != len(channels.All()) {
		t.Errorf("demo channels %d, registered kinds %d", len(e.r.Demo.Channels), len(channels.All()))
	}
	// The kinds whose providers sign what they post to the webhook.
	signed := map[inbox.ChannelType]bool{inbox.ChannelSMS: true, inbox.ChannelMessenger: true, inbox.ChannelWhatsApp: true, inbox.ChannelCustom: true, inbox.ChannelVoice: true}
	for _, c := range e.r.Demo.Channels {
		start := strings.Index(banner, "Channel "+c.ID+" (")
		if start < 0 {
			t.Fatalf("no paragraph for channel %s in:\n%s", c.ID, banner)
		}
		block, _, _ := strings.Cut(banner[start:], "\n\n")
		k, ok := channels.Lookup(c.Type)
		if !ok {
			t.Fatalf("channel %s of unregistered type %s", c.ID, c.Type)
		}
		webhook := k.WebhookPath != ""
		if !strings.HasPrefix(block, "Channel "+c.ID+" ("+k.Label+")") {
			t.Errorf("channel %s: %q, want the kind's label %q", c.ID, block, k.Label)
		}
		if got := strings.Contains(block, "webhook URL"); got != webhook || (webhook && !strings.Contains(block, "webhook URL "+c.WebhookURL+"\n")) {
			t.Errorf("channel %s (webhook route %q): %q", c.ID, k.WebhookPath, block)
		}
		if got := strings.Contains(block, "signed"); got != signed[c.Type] {
			t.Errorf("channel %s: says signed %v, but its provider signs %v: %q", c.ID, got, signed[c.Type], block)
		}
		if c.Try == "" || !strings.Contains(block, "\n"+c.Try+":\n") {
			t.Errorf("channel %s: the curl is not said what it does: %q", c.ID, block)
		}
		if !strings.Contains(block, c.Curl) {
			t.Errorf("channel %s: no curl in %q", c.ID, block)
		}
	}
}

// The SES emulator's viewer of sent mail is served on the runner's own port, its page calling
// the emulator's routes through the same prefix.
func TestSESViewerOnTheRunnersPort(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	viewer := e.r.Demo.EmailOutboxURL
	if !strings.HasPrefix(viewer, e.r.URL+"/_local/") {
		t.Fatalf("emailOutboxUrl %s is not on the runner's %s", viewer, e.r.URL)
	}
	get := func(u string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}
	res, page := get(viewer)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("viewer: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(page, "/_local/ses/store") || strings.Contains(page, "fetch(`/store") || strings.Contains(page, `href="/store"`) {
		t.Errorf("the viewer page still calls the emulator's own paths:\n%s", page)
	}
	res, body := get(strings.TrimSuffix(viewer, "/") + "/store")
	var store struct {
		Emails []any `json:"emails"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &store) != nil {
		t.Fatalf("store through the runner: %d %.200s", res.StatusCode, body)
	}
}
