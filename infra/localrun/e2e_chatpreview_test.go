package localrun_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openinbox/inbox/infra/localrun"
)

// POST /v1/channels/{id}/chat-preview through the runner: an admin gets the widget's config of
// unsaved settings in the state asked for (the draft's away message when away, Danish texts when
// asked), and nothing is written; a bad draft is PATCH's 400 naming the field; a bad state is
// 400; agents are refused (403), another account's chat is 404, and a channel that is not a chat
// is 400.
func TestChatPreviewEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	path := "/v1/channels/" + localrun.DemoChatChannel + "/chat-preview"
	before := string(c.api(http.MethodGet, "/v1/channels/"+localrun.DemoChatChannel, demo.Token, nil).body)

	var cfg struct {
		Language     string            `json:"language"`
		Texts        map[string]string `json:"texts"`
		Color        string            `json:"color"`
		Availability struct {
			State string `json:"state"`
			Text  string `json:"text"`
		} `json:"availability"`
	}
	res := c.api(http.MethodPost, path, demo.Token, map[string]any{"state": "away", "language": "da",
		"chat": map[string]any{"color": "#aa3300", "display": map[string]any{"away": map[string]any{"message": "Vi er tilbage kl. 9."}}}})
	want(t, res, http.StatusOK)
	res.json(t, &cfg)
	if cfg.Availability.State != "away" || cfg.Availability.Text != "Vi er tilbage kl. 9." || cfg.Color != "#aa3300" || cfg.Language != "da" || cfg.Texts["widget.title"] == "" {
		t.Fatalf("preview = %+v", cfg)
	}
	res = c.api(http.MethodPost, path, demo.Token, map[string]any{"state": "at_capacity", "chat": map[string]any{"display": map[string]any{"atCapacity": map[string]any{"show": "waiting_message", "message": "Hold on."}}}})
	want(t, res, http.StatusOK)
	res.json(t, &cfg)
	if cfg.Availability.State != "at_capacity" || cfg.Availability.Text != "Hold on." {
		t.Fatalf("at capacity = %+v", cfg)
	}

	res = c.api(http.MethodPost, path, demo.Token, map[string]any{"chat": map[string]any{"color": "blue"}})
	want(t, res, http.StatusBadRequest)
	if !strings.Contains(string(res.body), "color") {
		t.Fatalf("bad colour: %s", res.body)
	}
	want(t, c.api(http.MethodPost, path, demo.Token, map[string]any{"state": "asleep"}), http.StatusBadRequest)
	want(t, c.api(http.MethodPost, path, e.token(demo.AccountID, "sam", "agent"), map[string]any{}), http.StatusForbidden)
	want(t, c.api(http.MethodPost, path, e.token("rival", "eve", "admin"), map[string]any{}), http.StatusNotFound)
	want(t, c.api(http.MethodPost, "/v1/channels/"+demoChannel(t, demo, "sms").ID+"/chat-preview", demo.Token, map[string]any{}), http.StatusBadRequest)
	if after := string(c.api(http.MethodGet, "/v1/channels/"+localrun.DemoChatChannel, demo.Token, nil).body); after != before {
		t.Fatalf("a preview changed the channel:\n%s\n%s", before, after)
	}
}
