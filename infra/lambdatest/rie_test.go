//go:build linux

package lambdatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/testenv"
)

// function is one function running under aws-lambda-rie.
type function struct {
	ID  string
	URL string // the invocations endpoint
	out *lockedBuffer
	cmd *exec.Cmd
	// exited is closed when the emulator process has ended.
	exited   chan struct{}
	stopOnce sync.Once
	client   *http.Client
}

// start starts function id of the template under aws-lambda-rie with its own ports and
// environment, and returns once the emulator accepts connections. The function itself is
// started by the emulator on the first invocation, as Lambda starts an execution environment.
// The processes are ended when the test ends (or by Stop).
func start(t testing.TB, id string, d *deployment) *function {
	t.Helper()
	s := functionSpec(t, id)
	boot := bootstrap(t, id)
	home := t.TempDir()
	return startBootstrap(t, id, boot, environment(t, s, d, home, filepath.Dir(boot)), s.Timeout)
}

// startBootstrap starts boot under aws-lambda-rie with environment env, as start does.
func startBootstrap(t testing.TB, id, boot string, env []string, timeout int) *function {
	t.Helper()
	rie := testenv.RIE(t)
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	// The runtime API defaults to 127.0.0.1:9001 in every emulator: functions started in
	// parallel each need their own.
	runtimeAPI := "127.0.0.1:" + strconv.Itoa(freePort(t))
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", runtimeAPI,
		boot)
	cmd.Dir = filepath.Dir(boot)
	cmd.Env = env
	f := &function{
		ID: id, URL: "http://" + addr + "/2015-03-31/functions/function/invocations",
		out: &lockedBuffer{}, cmd: cmd, exited: make(chan struct{}),
		client: &http.Client{Timeout: time.Duration(timeout+5) * time.Second},
	}
	cmd.Stdout, cmd.Stderr = f.out, f.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", rie, err)
	}
	go func() {
		_ = cmd.Wait()
		close(f.exited)
	}()
	t.Cleanup(func() {
		f.Stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", id, f.out.String())
		}
	})
	if err := waitListening(addr, f.exited, startTimeout); err != nil {
		t.Fatalf("%s: %v\n%s", id, err, f.out.String())
	}
	return f
}

// startTimeout bounds the wait for aws-lambda-rie to listen: generous, as a loaded machine
// (two test runs on two cores) starts processes slowly; an emulator that exits fails at once.
const startTimeout = 2 * time.Minute

// startInvoked starts function id (see start) and invokes it once with event. A start that
// loses a race for its ports (the emulator drops the first connection or exits) is retried on
// new ports, twice at most, so that a cold-start benchmark measures the function, not the race.
func startInvoked(t testing.TB, id string, d *deployment, event any) (*function, []byte) {
	t.Helper()
	for try := 1; ; try++ {
		f := start(t, id, d)
		b, err := f.tryInvoke(event)
		if err == nil {
			return f, b
		}
		if try == 3 || !startRace(err, f) {
			t.Fatalf("invoke %s: %v\n%s", id, err, f.out.String())
		}
		t.Logf("invoke %s: %v; starting it again", id, err)
		f.Stop()
	}
}

// startRace tells whether err is the emulator going away under an invocation rather than an
// answer of the function: a reset or refused connection, or an early end of the response; or
// the function's runtime finding nothing on its runtime API port (a 502 whose log shows the
// runtime's first request for work refused): that port, free a moment before the emulator
// took it, was taken by another process meanwhile — seen under a loaded `make bench` beside
// `make test`, whose tests pick free ports too.
func startRace(err error, f *function) bool {
	select {
	case <-f.exited:
		return true
	default:
	}
	out := f.out.String()
	if strings.Contains(out, "/runtime/invocation/next") && strings.Contains(out, "connection refused") {
		return true
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// Stop ends the emulator and the function's process. The emulator starts the function in a
// process group of its own, so the function is found (as the emulator's child) and killed by
// its pid.
func (f *function) Stop() {
	f.stopOnce.Do(func() {
		children := childPIDs(f.cmd.Process.Pid)
		_ = f.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-f.exited:
		case <-time.After(3 * time.Second):
			_ = f.cmd.Process.Kill()
			<-f.exited
		}
		for _, pid := range children {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// invoke posts event (JSON, or any value to marshal) to the function as Lambda's Invoke API does
// and returns the function's response payload. A function error (errorType in the payload) or a
// failed initialisation fails the test.
func (f *function) invoke(t testing.TB, event any) []byte {
	t.Helper()
	b, err := f.tryInvoke(event)
	if err != nil {
		t.Fatalf("invoke %s: %v", f.ID, err)
	}
	return b
}

func (f *function) tryInvoke(event any) ([]byte, error) {
	payload, ok := event.([]byte)
	if !ok {
		var err error
		if payload, err = json.Marshal(event); err != nil {
			return nil, err
		}
	}
	resp, err := f.client.Post(f.URL, "application/json", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("emulator answered %s: %s", resp.Status, b)
	}
	var fnErr struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(b, &fnErr) == nil && fnErr.ErrorType != "" {
		return nil, fmt.Errorf("function error %s: %s", fnErr.ErrorType, fnErr.ErrorMessage)
	}
	return b, nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitListening polls addr until it accepts a connection, the process exits or timeout passes.
func waitListening(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			return c.Close()
		}
		select {
		case <-exited:
			return fmt.Errorf("aws-lambda-rie exited before listening on %s", addr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("aws-lambda-rie does not listen on %s after %v: %v", addr, timeout, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// childPIDs returns the pids of the live children of pid, from /proc.
func childPIDs(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, p)
		}
	}
	return out
}

// lockedBuffer collects the output of a process for the test log.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
