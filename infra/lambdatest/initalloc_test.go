package lambdatest

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// initBudget is the most a package outside the standard library may allocate at its init, in
// bytes, in any function: Go runs the init of every linked package at each cold start, whether
// the invocation uses it or not, so tables and regular expressions are built on first use
// (sync.Once, sync.OnceValue), not in package variables. Patched copies of libraries that did
// (third_party/) keep bluemonday, gorilla's CSS scanner, tablewriter's width cache and x/net/html's
// named character references under it.
const initBudget = 128 << 10

// initTotalBudget is the most all package inits of one function may allocate together, in bytes:
// many small tables add up too. An empty aws-lambda-go handler allocates about 87 KB; the email
// function, which links the most (the MIME parser, its charsets, the sanitizer, S3), 390 KB
// (444 KB before x/net/html's entity maps were built on first use).
const initTotalBudget = 420 << 10

// initAllowance overrides initBudget for the packages named: none today (x/net/html had 192 KB
// for its entity maps, 124 KB at init, until third_party/x-net built them on first use).
var initAllowance = map[string]int{}

// initLine is one line of GODEBUG=inittrace=1: "init <package> @<t> ms, <t> ms clock, <n> bytes,
// <n> allocs".
var initLine = regexp.MustCompile(`(?m)^init (\S+) @.*, (\d+) bytes, (\d+) allocs$`)

// TestPackageInitStaysLight starts each function's bootstrap with GODEBUG=inittrace=1 and no
// Lambda Runtime API (its package inits run, then main stops), and fails when a package outside
// the standard library allocates more than its budget at init, or all of them together more
// than initTotalBudget. Allocations are deterministic,
// so a bound holds on a loaded machine, where a time would not (BenchmarkColdInitCPU measures
// the time).
func TestPackageInitStaysLight(t *testing.T) {
	t.Parallel()
	all, err := specs()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range sortedKeys(all) {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			boot := bootstrap(t, id)
			ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, boot)
			cmd.Dir = filepath.Dir(boot)
			cmd.Env = []string{"GODEBUG=inittrace=1"}
			out, err := cmd.CombinedOutput() // main fails without AWS_LAMBDA_RUNTIME_API: expected
			inits := initLine.FindAllStringSubmatch(string(out), -1)
			// Every init ran when main got to say why it stops (no AWS_REGION, no Runtime API);
			// a panic at init or a hang is not that.
			if ctx.Err() != nil || !strings.Contains(string(out), "init runtime @") || strings.Contains(string(out), "panic:") {
				t.Fatalf("%s did not run its inits to main (%v):\n%s", boot, err, out)
			}
			total := 0
			for _, m := range inits {
				pkg := m[1]
				bytes, _ := strconv.Atoi(m[2])
				total += bytes
				if !strings.Contains(strings.SplitN(pkg, "/", 2)[0], ".") {
					continue // the standard library (and what it vendors)
				}
				budget, ok := initAllowance[pkg]
				if !ok {
					budget = initBudget
				}
				if bytes > budget {
					t.Errorf("%s allocates %d KB (%s allocations) at init, budget %d KB: build it on first use", pkg, bytes>>10, m[3], budget>>10)
				}
			}
			if total > initTotalBudget {
				t.Errorf("package init allocates %d KB in %d packages, budget %d KB: build tables on first use", total>>10, len(inits), initTotalBudget>>10)
			}
			t.Logf("package init: %d KB allocated in %d packages", total>>10, len(inits))
		})
	}
}
