package localrun_test

import (
	"context"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
)

// session is a runner started for one end-to-end test, with an API client that checks every
// exchange against openapi.yaml.
type session struct {
	t   testing.TB
	ctx context.Context
	r   *localrun.Runner
	c   *client
	key []byte
}

// startSession starts the runner with the SQS and SES emulators, on DynamoDB Local or, when
// embedded, on the in-process store of `make run`; tweak adjusts the options. The runner stops
// when the test ends.
func startSession(t testing.TB, embedded bool, tweak func(*localrun.Options)) *session {
	t.Helper()
	spec, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	t.Cleanup(cancel)
	o := localrun.Options{
		Addr: "127.0.0.1:0", SQSEndpoint: testenv.Endpoint(t, "SQS_ENDPOINT"),
		SESEndpoint: testenv.Endpoint(t, "SES_ENDPOINT"), RetryAfter: time.Second, Root: repoRoot(t),
	}
	if !embedded {
		o.DynamoDBEndpoint = testenv.Endpoint(t, "DYNAMODB_ENDPOINT")
	}
	if tweak != nil {
		tweak(&o)
	}
	r, err := localrun.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	key, err := localrun.LoadKey(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	return &session{t: t, ctx: ctx, r: r, c: &client{t: t, base: r.URL, spec: spec}, key: key}
}

// idle waits until the runner's queues are drained.
func (s *session) idle() {
	s.t.Helper()
	if err := s.r.WaitIdle(s.ctx); err != nil {
		s.t.Fatal(err)
	}
}

// token mints an hour's API token for user of account with role (and a display name, when
// given).
func (s *session) token(account, user, role string, name ...string) string {
	s.t.Helper()
	display := ""
	if len(name) > 0 {
		display = name[0]
	}
	tok, err := localrun.MintNamed(s.key, account, user, role, display, time.Hour, time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}
