package localrun_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
)

// make run serves the agents' web app from the api function at /app/, and its local sign-in
// gives a demo user of the chosen role a token the API accepts.
func TestAgentAppSignIn(t *testing.T) {
	t.Parallel()
	spec, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	r, err := localrun.Start(ctx, localrun.Options{Addr: "127.0.0.1:0", SQSEndpoint: testenv.Endpoint(t, "SQS_ENDPOINT"),
		RetryAfter: time.Second, Root: repoRoot(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := &client{t: t, base: r.URL, spec: spec}
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
