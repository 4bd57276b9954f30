package localrun_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
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

// demoSMS reads the runner's demo, has a signed SMS with text from number from (provider id sid)
// reach its SMS channel, waits until the runner is idle and returns the demo and the id of the
// conversation it opened (the demo's only open one).
func (e *session) demoSMS(t testing.TB, from, text, sid string) (localrun.Demo, string) {
	t.Helper()
	var demo localrun.Demo
	e.c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demoChannel(t, demo, inbox.ChannelSMS)
	want(t, e.c.sms(dc.WebhookURL, dc.Secrets["twilioAuthToken"], from, dc.PhoneNumber, text, sid, nil), http.StatusOK)
	e.idle()
	return demo, e.c.conversations("/v1/conversations?status=open", demo.Token).Items[0].ID
}

// demoChannel is the seeded channel of type typ.
func demoChannel(t testing.TB, demo localrun.Demo, typ inbox.ChannelType) localrun.DemoChannel {
	t.Helper()
	for _, dc := range demo.Channels {
		if dc.Type == typ {
			return dc
		}
	}
	t.Fatalf("no demo %s channel in %+v", typ, demo.Channels)
	return localrun.DemoChannel{}
}

// uploaded uploads body as file name (POST /v1/uploads, answered 201) and returns the
// attachment of a reply that sends it, as the app posts it: uploadId, name and contentType as
// the upload's answer gave them.
func uploaded(t testing.TB, c *client, token, name, contentType string, body []byte) map[string]string {
	t.Helper()
	var up struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		ContentType string `json:"contentType"`
	}
	r := c.do(http.MethodPost, "/v1/uploads?name="+url.QueryEscape(name), token, contentType, body, nil)
	want(t, r, http.StatusCreated)
	r.json(t, &up)
	return map[string]string{"uploadId": up.ID, "name": up.Name, "contentType": up.ContentType}
}

// fetched GETs link (a media URL a provider would download) and returns its status and body.
func fetched(t testing.TB, link string) (int, string) {
	t.Helper()
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}
