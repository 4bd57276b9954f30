package localrun_test

import (
	"context"
	"fmt"
	"net"
	"path"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
)

// make run keeps its data across restarts: conversations, channels (with their sealed secrets:
// the webhook's signature still verifies), webhook URLs and queue names. (make run FRESH=1
// deletes the data folder before starting.)
func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	spec, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	data := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	start := func() (*localrun.Runner, *client) {
		t.Helper()
		// The runner's own SQS emulator, as in make run: queue names are the same every run.
		r, err := localrun.Start(ctx, localrun.Options{Addr: addr, DataDir: data, TableName: "inbox",
			SESEndpoint: testenv.Endpoint(t, "SES_ENDPOINT"), RetryAfter: time.Second, Root: repoRoot(t)})
		if err != nil {
			t.Fatal(err)
		}
		return r, &client{t: t, base: r.URL, spec: spec}
	}
	key, err := localrun.LoadKey(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	r, c := start()
	s := &session{t: t, ctx: ctx, r: r, c: c, key: key}
	a := s.smsAccount("keep", 7)
	s.deliver(a, "+14155550123", "Before the restart", "SM00000000000000000000000000000201")
	if err := r.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	queueName := path.Base(r.QueueURL("InboundQueue"))
	r.Close()

	r, c = start()
	s = &session{t: t, ctx: ctx, r: r, c: c, key: key}
	if q := path.Base(r.QueueURL("InboundQueue")); q != queueName || q != "inbox-InboundQueue.fifo" {
		t.Errorf("inbound queue %q, was %q", q, queueName)
	}
	got := s.conversationTexts(a)
	if fmt.Sprint(got["+14155550123"]) != "[Before the restart]" {
		t.Fatalf("after a restart: %q", got)
	}
	// The same webhook URL, the same (sealed) auth token: the platform's retries keep working.
	s.deliver(a, "+14155550123", "After the restart", "SM00000000000000000000000000000202")
	if err := r.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.conversationTexts(a); fmt.Sprint(got["+14155550123"]) != "[Before the restart After the restart]" {
		t.Fatalf("after a restart: %q", got)
	}
	r.Close()
}
