//go:build linux

package lambdatest

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// coldStartEvent returns the cheapest event function s answers without a function error, and
// a check of its response: GET /v1/me for the API, an empty batch for queue consumers,
// EventBridge's scheduled event for schedules, for SES-invoked functions a receipt of a stored
// mail for an address without a channel, and for webhooks a POST to their first route for a
// channel that does not exist (404).
func coldStartEvent(b *testing.B, s spec, d *deployment) (any, func([]byte) bool) {
	b.Helper()
	switch {
	case s.LogicalID == "ApiFunction":
		return apiRequest(b, "GET", "/v1/me", claims("u", "acct-bench", inbox.RoleAgent), ""),
			func(r []byte) bool { return httpResponse(b, r).StatusCode == http.StatusOK }
	case s.LogicalID == "WsFunction":
		// API Gateway's $connect without a token: refused before any key is fetched.
		raw, err := os.ReadFile("../../shared/lambdaws/testdata/ws_connect.json")
		if err != nil {
			b.Fatal(err)
		}
		return json.RawMessage(strings.ReplaceAll(string(raw), "TOKEN", "")), func(r []byte) bool {
			var res struct {
				StatusCode int `json:"statusCode"`
			}
			return json.Unmarshal(r, &res) == nil && res.StatusCode == http.StatusUnauthorized
		}
	case s.LogicalID == "RealtimeFunction":
		// A DynamoDB Streams batch with no records.
		return map[string]any{"Records": []any{}}, func(r []byte) bool { return string(r) == `{"batchItemFailures":[]}` }
	case len(s.Queues) > 0:
		return sqsEvent(b, d.queue(b, s.Queues[0])), func(r []byte) bool { return string(r) == `{"batchItemFailures":[]}` }
	case len(s.Schedules) > 0:
		return scheduledEvent(b), func(r []byte) bool { return string(r) == "null" }
	case s.SES:
		// The function reads the stored mail and finds no channel for the fixture's recipient.
		sesID := strings.ToLower(inbox.NewID())
		storeMail(b, d, s.LogicalID, sesID, sampleMail(b, "plain.eml"))
		return sesEvent(b, s.LogicalID, sesID, time.Now(), "lambda@amazon.com"), func(r []byte) bool { return string(r) == "null" }
	case len(s.Routes) > 0:
		route := s.Routes[0]
		path := route.Path
		for strings.Contains(path, "{") {
			i, j := strings.IndexByte(path, '{'), strings.IndexByte(path, '}')
			path = path[:i] + "no-such-channel" + path[j+1:]
		}
		f := twilioForm("AC0", customerPhone, channelPhone, "hi")
		w := newTwilioWebhook(b, "x", f)
		w.Event["routeKey"] = route.Method + " " + route.Path
		w.Event["rawPath"] = path
		w.Event["pathParameters"] = nil
		rc := object(b, w.Event, "requestContext")
		rc["routeKey"] = w.Event["routeKey"]
		hc := object(b, rc, "http")
		hc["path"], hc["method"] = path, route.Method
		// A route with a channel id answers 404 for no such channel; one without (the chat's
		// loader script) answers as it always does.
		want := http.StatusNotFound
		if path == route.Path {
			want = http.StatusOK
		}
		return w.Event, func(r []byte) bool { return httpResponse(b, r).StatusCode == want }
	}
	b.Fatalf("%s has no routes, queues, schedules or SES permission", s.LogicalID)
	return nil, nil
}

// BenchmarkColdStart measures, for each function, the time from starting aws-lambda-rie to the
// first successful response: emulator start, the function's process start and init (AWS
// config, clients), and one cheap invocation. Every function of the template is measured.
//
// Side by side, each iteration also cold-starts the baseline, an empty aws-lambda-go handler
// built the same way (testdata/emptyfn), untimed. The metrics are the init phase as the
// emulator reports it (INIT REPORT durationMs: process start to the runtime's first request
// for work, which is what Lambda bills as Init Duration): init-ms/op for the function,
// empty-init-ms/op for the baseline, and init/empty, their ratio in the same run, which the
// design bounds by 1.5.
func BenchmarkColdStart(b *testing.B) {
	all, err := specs()
	if err != nil {
		b.Fatal(err)
	}
	d := newDeployment(b)
	empty := emptyBootstrap() // built, with the functions, before any timing
	if empty.err != nil {
		b.Fatal(empty.err)
	}
	for _, id := range sortedKeys(all) {
		b.Run(id, func(b *testing.B) {
			event, valid := coldStartEvent(b, all[id], d)
			var n int
			var fnInit, emptyInit float64
			for b.Loop() {
				b.StopTimer()
				base := startBootstrap(b, emptyID, empty.path, emptyEnvironment(b, empty.path), 3)
				base.invoke(b, []byte(`{}`))
				base.Stop()
				emptyInit += initMillis(b, base)
				b.StartTimer()

				fn, resp := startInvoked(b, id, d, event)
				b.StopTimer()
				if !valid(resp) {
					b.Fatalf("unexpected response %s", resp)
				}
				fn.Stop()
				fnInit += initMillis(b, fn)
				n++
				b.StartTimer()
			}
			b.ReportMetric(fnInit/float64(n), "init-ms/op")
			b.ReportMetric(emptyInit/float64(n), "empty-init-ms/op")
			b.ReportMetric(fnInit/emptyInit, "init/empty")
		})
	}
}

// emptyEnvironment is what Lambda sets for the baseline function (see environment).
func emptyEnvironment(b testing.TB, boot string) []string {
	return []string{
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_LAMBDA_FUNCTION_NAME=" + emptyID, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_TIMEOUT=3",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(boot), "TZ=:UTC", "LANG=en_US.UTF-8",
		"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + b.TempDir(),
	}
}

// initReport is the emulator's log line of a finished init phase.
var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// initMillis returns the init duration the emulator logged for f, which must have been
// invoked and stopped (so that its output is complete).
func initMillis(b *testing.B, f *function) float64 {
	b.Helper()
	m := initReport.FindStringSubmatch(f.out.String())
	if m == nil {
		b.Fatalf("%s: no INIT REPORT in the emulator's output:\n%s", f.ID, f.out.String())
	}
	ms, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		b.Fatal(err)
	}
	return ms
}

// BenchmarkWarmInvoke measures an invocation of GET /v1/me through aws-lambda-rie on a
// function that is already initialised.
func BenchmarkWarmInvoke(b *testing.B) {
	d := newDeployment(b)
	fn := start(b, "ApiFunction", d)
	event := mustJSON(b, apiRequest(b, "GET", "/v1/me", claims("u", "acct-bench", inbox.RoleAgent), ""))
	if r := httpResponse(b, fn.invoke(b, event)); r.StatusCode != http.StatusOK {
		b.Fatalf("status %d: %s", r.StatusCode, r.Body)
	}
	for b.Loop() {
		fn.invoke(b, event)
	}
}
