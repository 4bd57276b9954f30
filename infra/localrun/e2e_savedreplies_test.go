package localrun_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openinbox/inbox/infra/localrun"
)

type savedReplyView struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Shortcut string `json:"shortcut"`
	Text     string `json:"text"`
	InboxID  string `json:"inboxId"`
	Version  int    `json:"version"`
}

// Saved replies on make run: admins create, change and delete them, every agent of the account
// reads them; bad fields, a taken shortcut, agents writing and other accounts' ids are refused
// with nothing changed (the list read after each refusal is the same).
func TestSavedRepliesAPI(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	admin := demo.Token
	agent := e.token(demo.AccountID, "sam", "agent", "Sam Agent")
	other := e.token("other-account", "olga", "admin")

	res := c.api(http.MethodPost, "/v1/saved-replies", admin, map[string]string{
		"name": " Thanks ", "shortcut": "/Thanks", "text": "Thanks, {contact.firstName}!"})
	want(t, res, http.StatusCreated)
	var thanks savedReplyView
	res.json(t, &thanks)
	if thanks.Name != "Thanks" || thanks.Shortcut != "thanks" || thanks.Version != 1 || thanks.InboxID != "" {
		t.Fatalf("created %+v", thanks)
	}
	res = c.api(http.MethodPost, "/v1/saved-replies", admin, map[string]string{
		"name": "Opening hours", "shortcut": "hours", "text": "We are open 9-17.", "inboxId": demo.InboxID})
	want(t, res, http.StatusCreated)
	var hours savedReplyView
	res.json(t, &hours)

	list := func() []savedReplyView {
		t.Helper()
		return listOf[savedReplyView](c, "/v1/saved-replies", agent)
	}
	before := list()
	if len(before) != 2 {
		t.Fatalf("agent's list = %+v", before)
	}
	if got := listOf[savedReplyView](c, "/v1/saved-replies", other); len(got) != 0 {
		t.Fatalf("another account sees %+v", got)
	}

	long := strings.Repeat("x", 4001)
	for _, bad := range []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"no name", "POST", "/v1/saved-replies", admin, `{"shortcut":"a","text":"t"}`, 400},
		{"blank text", "POST", "/v1/saved-replies", admin, `{"name":"n","shortcut":"a","text":"  "}`, 400},
		{"text too long", "POST", "/v1/saved-replies", admin, `{"name":"n","shortcut":"a","text":"` + long + `"}`, 400},
		{"bad shortcut", "POST", "/v1/saved-replies", admin, `{"name":"n","shortcut":"a b","text":"t"}`, 400},
		{"unknown field", "POST", "/v1/saved-replies", admin, `{"name":"n","shortcut":"a","text":"t","x":1}`, 400},
		{"unknown inbox", "POST", "/v1/saved-replies", admin, `{"name":"n","shortcut":"a","text":"t","inboxId":"nope"}`, 400},
		{"taken shortcut", "POST", "/v1/saved-replies", admin, `{"name":"n","shortcut":"THANKS","text":"t"}`, 409},
		{"agent creates", "POST", "/v1/saved-replies", agent, `{"name":"n","shortcut":"a","text":"t"}`, 403},
		{"agent edits", "PATCH", "/v1/saved-replies/" + thanks.ID, agent, `{"text":"t"}`, 403},
		{"agent deletes", "DELETE", "/v1/saved-replies/" + thanks.ID, agent, ``, 403},
		{"move to a taken shortcut", "PATCH", "/v1/saved-replies/" + thanks.ID, admin, `{"shortcut":"hours","text":"changed"}`, 409},
		{"blank name", "PATCH", "/v1/saved-replies/" + thanks.ID, admin, `{"name":" ","text":"changed"}`, 400},
		{"other account edits", "PATCH", "/v1/saved-replies/" + thanks.ID, other, `{"text":"t"}`, 404},
		{"other account deletes", "DELETE", "/v1/saved-replies/" + thanks.ID, other, ``, 404},
		{"unknown id", "PATCH", "/v1/saved-replies/nope", admin, `{"text":"t"}`, 404},
	} {
		ct := ""
		if bad.body != "" {
			ct = "application/json"
		}
		res := c.do(bad.method, bad.path, bad.token, ct, []byte(bad.body), nil)
		if res.status != bad.status {
			t.Errorf("%s: status %d, want %d: %s", bad.name, res.status, bad.status, res.body)
		}
	}
	if after := list(); len(after) != len(before) || after[0] != before[0] || after[1] != before[1] {
		t.Fatalf("a refused request changed the replies: %+v, before %+v", after, before)
	}

	res = c.api(http.MethodPatch, "/v1/saved-replies/"+thanks.ID, admin, map[string]string{"shortcut": "thank-you", "text": "Thank you!"})
	want(t, res, http.StatusOK)
	res.json(t, &thanks)
	if thanks.Shortcut != "thank-you" || thanks.Text != "Thank you!" || thanks.Name != "Thanks" || thanks.Version != 2 {
		t.Fatalf("patched %+v", thanks)
	}
	res = c.api(http.MethodPatch, "/v1/saved-replies/"+hours.ID, admin, map[string]string{"inboxId": ""})
	want(t, res, http.StatusOK)
	hours = savedReplyView{}
	res.json(t, &hours)
	if hours.InboxID != "" {
		t.Fatalf("inbox scope not removed: %+v", hours)
	}
	want(t, c.do(http.MethodDelete, "/v1/saved-replies/"+hours.ID, admin, "", nil, nil), http.StatusNoContent)
	want(t, c.do(http.MethodDelete, "/v1/saved-replies/"+hours.ID, admin, "", nil, nil), http.StatusNotFound)
	// The old shortcuts are free again.
	want(t, c.api(http.MethodPost, "/v1/saved-replies", admin, map[string]string{"name": "n", "shortcut": "thanks", "text": "t"}), http.StatusCreated)
	want(t, c.api(http.MethodPost, "/v1/saved-replies", admin, map[string]string{"name": "n", "shortcut": "hours", "text": "t"}), http.StatusCreated)
}
