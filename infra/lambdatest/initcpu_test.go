package lambdatest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkColdInitCPU measures the CPU time of each function's init beside the empty
// aws-lambda-go handler's, side by side in each iteration. Each bootstrap runs against a
// stand-in Runtime API that hands out no work: when the process first asks for an event (GET
// /2018-06-01/runtime/invocation/next) its init is over, and the time its threads have spent
// on a CPU so far (/proc/<pid>/task/*/schedstat) is its init CPU. The wall-clock init of
// BenchmarkColdStart counts the time the process waits for a CPU too, which on a busy machine
// is most of it; CPU time barely moves with the load. Metrics: init-cpu-ms/op,
// empty-init-cpu-ms/op and their ratio init-cpu/empty. Linux only.
func BenchmarkColdInitCPU(b *testing.B) {
	if _, err := os.Stat("/proc/self/schedstat"); err != nil {
		b.Skip("no /proc/<pid>/schedstat here")
	}
	all, err := specs()
	if err != nil {
		b.Fatal(err)
	}
	d := newDeployment(b)
	empty := emptyBootstrap()
	if empty.err != nil {
		b.Fatal(empty.err)
	}
	for _, id := range sortedKeys(all) {
		b.Run(id, func(b *testing.B) {
			boot := bootstrap(b, id)
			env := environment(b, all[id], d, b.TempDir(), filepath.Dir(boot))
			baseEnv := emptyEnvironment(b, empty.path)
			var fn, base float64
			for b.Loop() {
				base += initCPU(b, empty.path, baseEnv)
				fn += initCPU(b, boot, env)
			}
			n := float64(b.N)
			b.ReportMetric(fn/n, "init-cpu-ms/op")
			b.ReportMetric(base/n, "empty-init-cpu-ms/op")
			b.ReportMetric(fn/base, "init-cpu/empty")
		})
	}
}

// initCPU starts boot with env against a stand-in Runtime API and returns the CPU time, in
// milliseconds, that the process had used when it first asked for an event. The process is
// killed before initCPU returns.
func initCPU(b *testing.B, boot string, env []string) float64 {
	b.Helper()
	pids := make(chan int, 1)
	got := make(chan float64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/runtime/invocation/next") {
			http.NotFound(w, r)
			return
		}
		select {
		case pid := <-pids:
			got <- cpuMillis(pid)
		default: // a second ask: the first one has measured
		}
		<-r.Context().Done() // no work: hold the request until the process is gone
	}))
	defer srv.Close()
	cmd := exec.Command(boot)
	cmd.Dir = filepath.Dir(boot)
	cmd.Env = append(slices.Clone(env), "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(srv.URL, "http://"))
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", boot, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
		srv.CloseClientConnections()
	}()
	pids <- cmd.Process.Pid
	select {
	case ms := <-got:
		if ms < 0 {
			b.Fatalf("%s: cannot read its CPU time", boot)
		}
		return ms
	case <-exited:
		b.Fatalf("%s exited during init:\n%s", boot, out.String())
	case <-time.After(startTimeout):
		b.Fatalf("%s did not finish its init in %v:\n%s", boot, startTimeout, out.String())
	}
	return 0
}

// cpuMillis returns the CPU time all threads of process pid have used, in milliseconds, from
// the first field of /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU); -1 when it
// cannot be read.
func cpuMillis(pid int) float64 {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return -1
	}
	var ns int64
	for _, t := range tasks {
		raw, err := os.ReadFile(filepath.Join(dir, t.Name(), "schedstat"))
		if err != nil {
			continue // the thread ended meanwhile
		}
		f := bytes.Fields(raw)
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return -1
		}
		ns += v
	}
	return float64(ns) / 1e6
}
