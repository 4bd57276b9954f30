//go:build linux

package lambdatest

import (
	"net/http"
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
		return w.Event, func(r []byte) bool { return httpResponse(b, r).StatusCode == http.StatusNotFound }
	}
	b.Fatalf("%s has no routes, queues, schedules or SES permission", s.LogicalID)
	return nil, nil
}

// BenchmarkColdStart measures, for each function, the time from starting aws-lambda-rie to the
// first successful response: emulator start, the function's process start and init (AWS
// config, clients), and one cheap invocation. Every function of the template is measured.
func BenchmarkColdStart(b *testing.B) {
	all, err := specs()
	if err != nil {
		b.Fatal(err)
	}
	d := newDeployment(b)
	if _, err := bootstraps(); err != nil { // built before any timing
		b.Fatal(err)
	}
	for _, id := range sortedKeys(all) {
		b.Run(id, func(b *testing.B) {
			event, valid := coldStartEvent(b, all[id], d)
			for b.Loop() {
				fn, resp := startInvoked(b, id, d, event)
				b.StopTimer()
				if !valid(resp) {
					b.Fatalf("unexpected response %s", resp)
				}
				fn.Stop()
				b.StartTimer()
			}
		})
	}
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
