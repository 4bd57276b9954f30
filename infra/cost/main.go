// Command cost turns `go test -bench` output into the DynamoDB capacity of each operation next
// to its figures before issue #10 and its budget (capacity.go), and into the cost of the
// inbound path: dollars per million inbound messages on AWS (HTTP API, Lambda requests and
// GB-seconds at the measured durations and the template's memory, SQS FIFO requests, DynamoDB
// units), next to the floor of that path. `make bench` pipes its benchmark output through it; prices are in prices.go.
//
//	go test -run '^$' -bench . ./... | tee bench.txt; go run ./infra/cost < bench.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/openinbox/inbox/infra/samtemplate"
)

func main() {
	tpl, err := samtemplate.LoadDefault()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
	mem := map[string]int{}
	for _, fn := range []string{"TwilioFunction", "RouterFunction"} {
		if mem[fn], err = tpl.MemoryMB(fn); err != nil {
			fmt.Fprintln(os.Stderr, "cost:", err)
			os.Exit(1)
		}
	}
	results, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
	if err := report(os.Stdout, results, mem); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

// metrics are one benchmark's reported values by unit ("ns/op", "WCU/msg"…).
type metrics map[string]float64

// benchLine matches a result line: the name without its -GOMAXPROCS suffix, the iterations and
// the value/unit pairs.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parse reads `go test -bench` output and returns each benchmark's metrics by name.
func parse(r io.Reader) (map[string]metrics, error) {
	out := map[string]metrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		f := strings.Fields(m[2])
		ms := metrics{}
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			ms[f[i+1]] = v
		}
		out[m[1]] = ms
	}
	return out, sc.Err()
}

// Requests of the inbound path per message. SQS: the intake's send, and the event source's
// receive and delete, counted at batches of one (low traffic; full batches of 10 make the
// receive and delete 0.2).
const (
	sqsRequestsPerMessage = 3
	// defaultIntakeMS is the intake's duration when the benchmark output has no measure of it.
	defaultIntakeMS = 10
)

// path is the cost of one inbound message, in dollars, by part.
type path struct {
	name                      string
	rcu, wcu                  float64
	http, lambda, sqs, dynamo float64
	lambdaGBs                 float64
}

func (p path) total() float64 { return p.http + p.lambda + p.sqs + p.dynamo }

// billedSeconds is a Lambda duration as billed: rounded up to the millisecond.
func billedSeconds(ms float64) float64 { return math.Ceil(ms) / 1000 }

func inboundPath(name string, rcu, wcu, intakeMS, routerMS float64, mem map[string]int) path {
	gbs := billedSeconds(intakeMS)*float64(mem["TwilioFunction"])/1024 + billedSeconds(routerMS)*float64(mem["RouterFunction"])/1024
	return path{
		name: name, rcu: rcu, wcu: wcu, lambdaGBs: gbs,
		http:   httpAPIPerMillion / 1e6,
		lambda: 2*lambdaRequestPerMillion/1e6 + gbs*lambdaArmGBSecond,
		sqs:    sqsRequestsPerMessage * sqsFIFOPerMillion / 1e6,
		dynamo: rcu*dynamoReadPerMillion/1e6 + wcu*dynamoWritePerMillion/1e6,
	}
}

// floorPath is the least the path can cost: one HTTP API request, one Lambda invocation (at the
// intake's measured duration), the SQS send, and one DynamoDB write unit.
func floorPath(intakeMS float64, mem map[string]int) path {
	gbs := billedSeconds(intakeMS) * float64(mem["TwilioFunction"]) / 1024
	return path{
		name: "floor", wcu: 1, lambdaGBs: gbs,
		http:   httpAPIPerMillion / 1e6,
		lambda: lambdaRequestPerMillion/1e6 + gbs*lambdaArmGBSecond,
		sqs:    sqsFIFOPerMillion / 1e6,
		dynamo: dynamoWritePerMillion / 1e6,
	}
}

func report(w io.Writer, results map[string]metrics, mem map[string]int) error {
	intakeMS := float64(defaultIntakeMS)
	intakeSource := fmt.Sprintf("%d ms assumed (no BenchmarkTwilioIntake result)", defaultIntakeMS)
	if m, ok := results["BenchmarkTwilioIntake"]; ok && m["p50-ms"] > 0 {
		intakeMS, intakeSource = m["p50-ms"], "p50 of BenchmarkTwilioIntake"
	}
	var paths []path
	for _, sc := range []struct{ name, bench, route string }{
		{"existing conversation", "BenchmarkInboundCapacity/existing-conversation", ""},
		{"existing conversation, a minute after its last message", "BenchmarkInboundCapacity/existing-conversation-next-minute", ""},
		{"existing conversation, a quarter hour after its last message", "BenchmarkInboundCapacity/existing-conversation-next-quarter-hour", ""},
		{"new contact + conversation", "BenchmarkInboundCapacity/new-conversation", ""},
		{"new conversation, routed (assigned)", "BenchmarkInboundCapacity/new-conversation", "BenchmarkRouteCapacity/assigned"},
	} {
		m, ok := results[sc.bench]
		if !ok {
			continue
		}
		rcu, wcu, ns := m["RCU/msg"], m["WCU/msg"], m["ns/op"]
		if routed, ok := results["BenchmarkInboundCapacity/new-conversation-routed"]; ok && sc.route != "" {
			// Measured as one: the router writes a conversation it routes for less.
			rcu, wcu, ns = routed["RCU/msg"], routed["WCU/msg"], routed["ns/op"]
		} else if sc.route != "" {
			r, ok := results[sc.route]
			if !ok {
				continue
			}
			rcu, wcu, ns = rcu+r["RCU/conv"], wcu+r["WCU/conv"], ns+r["ns/op"]
		}
		paths = append(paths, inboundPath(sc.name, rcu, wcu, intakeMS, ns/1e6, mem))
	}
	if len(paths) == 0 {
		return fmt.Errorf("no BenchmarkInboundCapacity results in the input")
	}
	capacityTable(w, results)
	floor := floorPath(intakeMS, mem)
	fmt.Fprintf(w, "\nCost per million inbound messages, USD (%s, %s; Lambda arm64, intake %d MB at %s, router %d MB at the benchmark's ns/op on DynamoDB Local; SQS FIFO %d requests a message)\n\n",
		pricesRegion, pricesDate, mem["TwilioFunction"], intakeSource, mem["RouterFunction"], sqsRequestsPerMessage)
	fmt.Fprintf(w, "| path | RCU | WCU | HTTP API | Lambda | SQS | DynamoDB | total | × floor |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range append(paths, floor) {
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | **%.2f** | %.1f× |\n",
			p.name, p.rcu, p.wcu, p.http*1e6, p.lambda*1e6, p.sqs*1e6, p.dynamo*1e6, p.total()*1e6, p.total()/floor.total())
	}
	return nil
}
