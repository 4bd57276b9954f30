package localrun_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/twilio"
)

// loadPlan is a load run: accounts × contacts, each contact writing messages in order through
// one of the senders, a share of them resent as a platform does.
type loadPlan struct {
	accounts, contacts, messages, senders int
	// dupEvery resends every dupEvery-th message (10: 10% duplicates).
	dupEvery int
}

type loadResult struct {
	accepted  int           // webhook posts answered 200 (duplicates included)
	sendTime  time.Duration // from the first post to the last answer
	p99       time.Duration // webhook latency
	drainTime time.Duration // from the first post until every queue is empty
}

// runLoad drives plan through the runner's webhooks and checks through the API that every
// message is stored exactly once and in order per conversation, and that nothing is
// dead-lettered.
func runLoad(t testing.TB, s *session, plan loadPlan) loadResult {
	t.Helper()
	type contact struct {
		acct  smsAccount
		phone string
		texts []string
	}
	var all []*contact
	for i := 0; i < plan.accounts; i++ {
		a := s.smsAccount(fmt.Sprintf("load%d", i), 100+i)
		for c := 0; c < plan.contacts; c++ {
			all = append(all, &contact{acct: a, phone: fmt.Sprintf("+1555%03d%04d", i, c)})
		}
	}
	per := (plan.messages + len(all) - 1) / len(all)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		accepted  int
		wg        sync.WaitGroup
	)
	hc := &http.Client{Timeout: time.Minute}
	post := func(c *contact, text, sid string) error {
		form := localrun.TwilioSMSForm("AC00000000000000000000000000000002", c.phone, c.acct.phone, text, sid)
		sig := twilio.Signature(faultAuthToken, c.acct.hook, form)
		for try := 0; try < 10; try++ {
			req, _ := http.NewRequest(http.MethodPost, c.acct.hook, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Twilio-Signature", sig)
			began := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				continue
			}
			resp.Body.Close()
			mu.Lock()
			latencies = append(latencies, time.Since(began))
			if resp.StatusCode == http.StatusOK {
				accepted++
			}
			mu.Unlock()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		return fmt.Errorf("webhook kept failing for %s", sid)
	}
	start := time.Now()
	errs := make(chan error, plan.senders)
	for w := 0; w < plan.senders; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			n := 0
			// A contact writes in order, through one sender; senders run side by side.
			for ci := w; ci < len(all); ci += plan.senders {
				c := all[ci]
				for k := 0; k < per; k++ {
					text := fmt.Sprintf("%s %s #%d", c.acct.id, c.phone, k)
					sid := fmt.Sprintf("SM%s%04d", strings.TrimPrefix(c.phone, "+"), k)
					sid += strings.Repeat("0", 34-len(sid))
					if err := post(c, text, sid); err != nil {
						errs <- err
						return
					}
					c.texts = append(c.texts, text)
					if n++; plan.dupEvery > 0 && n%plan.dupEvery == 0 {
						if err := post(c, text, sid); err != nil {
							errs <- err
							return
						}
					}
				}
			}
		}(w)
	}
	wg.Wait()
	res := loadResult{sendTime: time.Since(start)}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := s.r.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	res.drainTime = time.Since(start)
	res.accepted = accepted
	slices.Sort(latencies)
	if len(latencies) > 0 {
		res.p99 = latencies[len(latencies)*99/100]
	}

	byAccount := map[string]map[string][]string{}
	for _, c := range all {
		if byAccount[c.acct.id] == nil {
			byAccount[c.acct.id] = s.conversationTexts(c.acct)
		}
		if got := byAccount[c.acct.id][c.phone]; !slices.Equal(got, c.texts) {
			t.Fatalf("%s from %s: stored %d messages %q…, want %d in order", c.acct.id, c.phone, len(got), head(got), len(c.texts))
		}
	}
	for _, dlq := range []string{"InboundDLQ", "OutboundDLQ", "MediaDLQ"} {
		if n, err := s.r.DLQDepth(ctx, dlq); err != nil || n != 0 {
			t.Fatalf("%s holds %d messages (%v)", dlq, n, err)
		}
	}
	return res
}

func head(s []string) []string {
	if len(s) > 3 {
		return s[:3]
	}
	return s
}

// A small load in make test: concurrent senders, duplicates, exactly once and in order.
func TestLoadExactlyOnceInOrder(t *testing.T) {
	t.Parallel()
	s := startSession(t, true, nil)
	res := runLoad(t, s, loadPlan{accounts: 2, contacts: 4, messages: 48, senders: 4, dupEvery: 10})
	if res.accepted < 48 {
		t.Fatalf("accepted %d posts, want at least 48", res.accepted)
	}
}

// BenchmarkLoad is the load test behind make load (LOAD=1; LOAD_ACCOUNTS, LOAD_CONTACTS,
// LOAD_MESSAGES, LOAD_SENDERS set the plan; 10% duplicates): webhooks accepted per second, their
// p99 latency, and the time until every message is stored, checked exactly once and in order
// per conversation through the API, on each store: the in-memory minidyn, DynamoDB Local
// in memory (the tests' store) and DynamoDB Local on a data folder (make run's store).
func BenchmarkLoad(b *testing.B) {
	skipUnlessLoad(b)
	plan := loadPlan{accounts: envInt("LOAD_ACCOUNTS", 10), contacts: envInt("LOAD_CONTACTS", 60),
		messages: envInt("LOAD_MESSAGES", 3000), senders: envInt("LOAD_SENDERS", 16), dupEvery: 10}
	stores := strings.Split(envStr("LOAD_STORES", "data-dir,dynamodb-local,embedded"), ",")
	for _, store := range stores {
		b.Run(store, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s := loadSession(b, store)
				b.StartTimer()
				res := runLoad(b, s, plan)
				b.ReportMetric(float64(res.accepted)/res.sendTime.Seconds(), "accepted/s")
				b.ReportMetric(float64(res.p99.Milliseconds()), "p99-ms")
				b.ReportMetric(res.drainTime.Seconds(), "drain-s")
				b.ReportMetric(float64(plan.accounts*plan.contacts*((plan.messages+plan.accounts*plan.contacts-1)/(plan.accounts*plan.contacts))), "messages")
			}
		})
	}
}

// loadSession starts a runner on the named store, for a benchmark.
func loadSession(b *testing.B, store string) *session {
	b.Helper()
	spec, err := apispec.Load()
	if err != nil {
		b.Fatal(err)
	}
	o := localrun.Options{Addr: "127.0.0.1:0", SQSEndpoint: testenv.Endpoint(b, "SQS_ENDPOINT"),
		SESEndpoint: testenv.Endpoint(b, "SES_ENDPOINT"), RetryAfter: time.Second, Root: repoRoot(b)}
	switch store {
	case "dynamodb-local":
		o.DynamoDBEndpoint = testenv.Endpoint(b, "DYNAMODB_ENDPOINT")
	case "data-dir":
		o.DataDir, o.TableName = b.TempDir(), "inbox"
	case "embedded":
	default:
		b.Fatalf("unknown store %q", store)
	}
	ctx := context.Background()
	r, err := localrun.Start(ctx, o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(r.Close)
	key, err := localrun.LoadKey(repoRoot(b))
	if err != nil {
		b.Fatal(err)
	}
	return &session{t: b, ctx: ctx, r: r, c: &client{t: b, base: r.URL, spec: spec}, key: key}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func envStr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
