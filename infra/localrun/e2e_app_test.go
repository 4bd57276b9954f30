package localrun_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openinbox/inbox/infra/localrun"
)

// make run serves the agents' web app from the api function at /app/, and its local sign-in
// gives a demo user of the chosen role a token the API accepts.
func TestAgentAppSignIn(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	res := c.do(http.MethodGet, "/app/", "", "", nil, nil)
	if res.status != http.StatusOK || !strings.Contains(string(res.body), "/app/app.js") {
		t.Fatalf("/app/ = %d %s", res.status, res.body)
	}
	res = c.do(http.MethodGet, "/app/config.json", "", "", nil, nil)
	if !strings.Contains(string(res.body), localrun.SignInPath) {
		t.Fatalf("config = %s", res.body)
	}
	for _, u := range localrun.SignInUsers {
		var tok struct{ Token string }
		c.do(http.MethodPost, localrun.SignInPath, "", "application/json", []byte(`{"userId":"`+u.ID+`"}`), nil).json(t, &tok)
		me := get[map[string]string](c, "/v1/me", tok.Token)
		if me["userId"] != u.ID || me["role"] != u.Role {
			t.Fatalf("me = %v, want %+v", me, u)
		}
	}
	want(t, c.do(http.MethodPost, localrun.SignInPath, "", "application/json", []byte(`{"userId":"nobody"}`), nil), http.StatusNotFound)
}
