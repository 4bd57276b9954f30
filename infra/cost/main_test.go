package main

import (
	"bytes"
	"strings"
	"testing"
)

// sample is `go test -bench` output as make bench prints it.
const sample = `goos: linux
BenchmarkInboundCapacity/new-conversation-2         	      50	  10000000 ns/op	         3.000 RCU/msg	        10.00 WCU/msg
BenchmarkInboundCapacity/existing-conversation-2    	      50	   5000000 ns/op	         1.000 RCU/msg	         4.000 WCU/msg
BenchmarkRouteCapacity/assigned-2         	      50	  2000000 ns/op	         2.000 RCU/conv	        6.000 WCU/conv
BenchmarkReplyCapacity/api-2         	      50	  2000000 ns/op	         1.000 RCU/step	         2.040 WCU/step
BenchmarkReplyCapacity/sent-2         	      50	  2000000 ns/op	         0 RCU/step	         2.000 WCU/step
BenchmarkTwilioIntake-2   	     200	   1000000 ns/op	  3.500 p50-ms	  9.000 p99-ms	 900.0 req/s
PASS
`

func TestParse(t *testing.T) {
	got, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if m := got["BenchmarkInboundCapacity/existing-conversation"]; m["RCU/msg"] != 1 || m["WCU/msg"] != 4 || m["ns/op"] != 5e6 {
		t.Errorf("existing conversation = %v", m)
	}
	if m := got["BenchmarkTwilioIntake"]; m["p50-ms"] != 3.5 {
		t.Errorf("intake = %v", m)
	}
}

func TestReport(t *testing.T) {
	results, _ := parse(strings.NewReader(sample))
	mem := map[string]int{"TwilioFunction": 1024, "RouterFunction": 1024}
	var out bytes.Buffer
	if err := report(&out, results, mem); err != nil {
		t.Fatal(err)
	}
	// existing: HTTP 1.00; Lambda 2 × 0.20 + (4 ms + 5 ms) × 1 GB × 13.3334 = 0.52; SQS 1.50;
	// DynamoDB 1 × 0.125 + 4 × 0.625 = 2.625 → 5.65. Floor: 1.00 + 0.20 + 0.053 + 0.50 + 0.625.
	for _, want := range []string{
		"| existing conversation | 1.0 | 4.0 | 1.00 | 0.52 | 1.50 | 2.63 | **5.65** |",
		"| new conversation, routed (assigned) | 5.0 | 16.0 |",
		"| floor | 0.0 | 1.0 | 1.00 | 0.25 | 0.50 | 0.62 | **2.38** | 1.0× |",
		"| inbound message, existing conversation, a moment after its last message | `BenchmarkInboundCapacity/existing-conversation` | 6 + 18 | **1 + 4** | ≤ 1 + 4 |",
		"| agent reply: API write (reads the conversation, writes the reply and the conversation) | `BenchmarkReplyCapacity/api` | 1 + 16 | **1 + 2.04** | ≤ 4 WCU a step |",
		"| agent reply: dispatch, sending → sent (provider id) | `BenchmarkReplyCapacity/sent` | 1 + 4 | **0 + 2** | ≤ 4 WCU a step |",
		"| routing, assigned (5 users) | `BenchmarkRouteCapacity/assigned` | 4 + 12 | **2 + 6** | ≤ 2 + 6 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// With BenchmarkInboundCapacity/new-conversation-routed, the routed path is that measure, not
// the sum of the new conversation's and the routing's.
func TestReportRoutedMeasured(t *testing.T) {
	results, _ := parse(strings.NewReader(sample + "BenchmarkInboundCapacity/new-conversation-routed-2 	 50	 12000000 ns/op	 4.000 RCU/msg	 15.00 WCU/msg\n"))
	var out bytes.Buffer
	if err := report(&out, results, map[string]int{"TwilioFunction": 1024, "RouterFunction": 1024}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| new conversation, routed (assigned) | 4.0 | 15.0 |") {
		t.Errorf("report:\n%s", out.String())
	}
}
