package main

import (
	"fmt"
	"io"
	"strings"
)

// capacityRow is one line of the capacity table: the work, the benchmark measuring it and the
// unit of its metrics ("RCU/msg"… have unit "msg"), the figures before issue #10 (the same
// benchmarks on the code before it, in the same AWS accounting: README, "Capacity and cost"),
// and the budget of DESIGN/issue #10 where there is one.
type capacityRow struct {
	work, bench, unit, before, budget string
}

var capacityRows = []capacityRow{
	{"inbound message, existing conversation, a moment after its last message", "BenchmarkInboundCapacity/existing-conversation", "msg", "6 + 18", "≤ 1 + 4"},
	{"inbound message, existing conversation, a minute after its last message", "BenchmarkInboundCapacity/existing-conversation-next-minute", "msg", "6 + 18", "≤ 1 + 4"},
	{"inbound message, existing conversation, a quarter hour after (moves in the lists)", "BenchmarkInboundCapacity/existing-conversation-next-quarter-hour", "msg", "6 + 18", ""},
	{"inbound message, new contact + conversation", "BenchmarkInboundCapacity/new-conversation", "msg", "6 + 26", "≤ 3 + 10"},
	{"inbound message, new conversation routed (assigned among 5)", "BenchmarkInboundCapacity/new-conversation-routed", "msg", "10 + 38", ""},
	{"duplicate delivery", "BenchmarkInboundCapacity/duplicate", "msg", "1 + 0", "1 + 0"},
	{"routing, assigned (5 users)", "BenchmarkRouteCapacity/assigned", "conv", "4 + 12", "≤ 2 + 6"},
	{"routing, waits", "BenchmarkRouteCapacity/waits", "conv", "4 + 11", ""},
	{"routing, assigned, account of 500 users", "BenchmarkRouteCapacity/assigned-500-users", "conv", "28 + 12", "≤ 2 + 6, flat"},
	{"routing, assigned, rules naming one team of 500", "BenchmarkRouteCapacity/assigned-team-of-500", "conv", "28 + 12", "≤ 2 + 6, flat"},
	{"agent reply: API write (reads the conversation, writes the reply and the conversation)", "BenchmarkReplyCapacity/api", "step", "1 + 16", "≤ 4 WCU a step"},
	{"agent reply: API write a quarter hour after the last message (moves in the lists)", "BenchmarkReplyCapacity/api-next-quarter-hour", "step", "1 + 16", "≤ 4 WCU a step"},
	{"agent reply: dispatch, pending → sending (reads + claim)", "BenchmarkReplyCapacity/sending", "step", "4 + 1", "≤ 4 WCU a step"},
	{"agent reply: dispatch, sending → sent (provider id)", "BenchmarkReplyCapacity/sent", "step", "1 + 4", "≤ 4 WCU a step"},
	{"agent reply: status callback, delivered", "BenchmarkReplyCapacity/delivered", "step", "2 + 1", "≤ 4 WCU a step"},
	{"agent reply: status callback, read", "BenchmarkReplyCapacity/read", "step", "2 + 1", "≤ 4 WCU a step"},
	{"conversation list page (25, by inbox)", "BenchmarkListCapacity/inbox", "page", "2.5 + 0", ""},
}

// capacityTable writes the capacity table (RCU + WCU per operation, before issue #10 and as
// measured) for the rows whose benchmark is in results; it writes nothing when none is.
func capacityTable(w io.Writer, results map[string]metrics) {
	var lines []string
	for _, r := range capacityRows {
		m, ok := results[r.bench]
		if !ok {
			continue
		}
		rcu, okR := m["RCU/"+r.unit]
		wcu, okW := m["WCU/"+r.unit]
		if !okR && !okW {
			continue
		}
		lines = append(lines, fmt.Sprintf("| %s | `%s` | %s | **%s + %s** | %s |", r.work, r.bench, r.before, units(rcu), units(wcu), r.budget))
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\nDynamoDB capacity per operation, RCU + WCU in AWS units (DynamoDB Local with ReturnConsumedCapacity; transactions and batch reads as AWS bills them)\n\n")
	fmt.Fprintf(w, "| work | benchmark | before #10 | now | budget |\n|---|---|---|---|---|\n%s\n", strings.Join(lines, "\n"))
}

// units formats a capacity figure: whole numbers without decimals, others with up to two.
func units(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
