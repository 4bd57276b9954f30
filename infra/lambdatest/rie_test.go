//go:build linux

package lambdatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// startBootstrap starts boot under aws-lambda-rie with environment env, as start does. An
// emulator that cannot take its ports (another process took one after it was found free: the
// emulator panics and exits) is started again on new ports, twice at most.
func startBootstrap(t testing.TB, id, boot string, env []string, timeout int) *function {
	t.Helper()
	for try := 1; ; try++ {
		f, err := launch(t, id, boot, env, timeout, loopbackPort(t), loopbackPort(t))
		if err == nil {
			return f
		}
		if try == 3 || !errors.Is(err, errExited) {
			t.Fatalf("%s: %v\n%s", id, err, f.out.String())
		}
		t.Logf("%s: %v; starting it again on other ports", id, err)
	}
}

// launch starts boot under aws-lambda-rie on port (invocations) and apiPort (the runtime
// API) and waits until the emulator
// itself listens on both. Waiting for a connection to be accepted is not enough: on a
// loaded machine another process may hold the port a moment while the emulator starts, and
// the first invocation then finds nothing listening. Errors: errExited, or a timeout.
func launch(t testing.TB, id, boot string, env []string, timeout, port, apiPort int) (*function, error) {
	t.Helper()
	rie := testenv.RIE(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	// The runtime API defaults to 127.0.0.1:9001 in every emulator: functions started in
	// parallel each need their own.
	runtimeAPI := "127.0.0.1:" + strconv.Itoa(apiPort)
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
	err := waitListening(cmd.Process.Pid, []int{port, apiPort}, f.exited, startTimeout)
	if err != nil {
		f.Stop()
	}
	return f, err
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

// loopbackPort returns a loopback TCP port that was free a moment ago, below the kernel's
// ephemeral range (32768–60999 by default), where neither an outbound connection nor another
// test's listener on port 0 can be given it meanwhile. Each test binary starts at a random
// place in the range, so that two test runs at once rarely try the same ports.
func loopbackPort(t testing.TB) int {
	t.Helper()
	for range portsHigh - portsLow {
		p := portsLow + int(nextPort.Add(1)%(portsHigh-portsLow))
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		_ = l.Close()
		return p
	}
	t.Fatalf("no free loopback port in %d–%d", portsLow, portsHigh)
	return 0
}

// The ports loopbackPort hands out: [portsLow, portsHigh).
const portsLow, portsHigh = 20000, 32768

var nextPort = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(rand.Int64N(portsHigh - portsLow))
	return &n
}()

// errExited is the emulator ending before it listened.
var errExited = errors.New("aws-lambda-rie exited before listening")

// waitListening polls /proc until process pid listens on every one of ports on 127.0.0.1, the
// process exits (errExited) or timeout passes.
func waitListening(pid int, ports []int, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		missing := slices.DeleteFunc(slices.Clone(ports), func(p int) bool { return listens(pid, p) })
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%w on %v", errExited, ports)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("aws-lambda-rie does not listen on %v after %v", missing, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// listens reports whether process pid holds a socket listening on 127.0.0.1:port: a
// listening entry for the port in /proc/net/tcp whose inode is one of the process's open files.
func listens(pid, port int) bool {
	table, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		// No /proc to read (a sandbox without it): a connection accepted is the best sign left.
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 100*time.Millisecond)
		if err != nil {
			return false
		}
		_ = c.Close()
		return true
	}
	// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
	local := fmt.Sprintf("0100007F:%04X", port)
	for line := range strings.Lines(string(table)) {
		f := strings.Fields(line)
		if len(f) < 10 || f[1] != local || f[3] != "0A" {
			continue
		}
		link := "socket:[" + f[9] + "]"
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			return false
		}
		for _, fd := range fds {
			if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && l == link {
				return true
			}
		}
	}
	return false
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

// TestStartSeesATakenPort: an emulator whose port another process holds is
// not taken for started (the other process accepts connections there, and would answer the
// first invocation or go away before it): launch reports it as exited, which startBootstrap
// answers by starting it again on other ports.
func TestStartSeesATakenPort(t *testing.T) {
	t.Parallel()
	empty := emptyBootstrap()
	if empty.err != nil {
		t.Fatal(empty.err)
	}
	env := emptyEnvironment(t, empty.path)
	for _, taken := range []string{"invocations", "runtime API"} {
		t.Run(taken, func(t *testing.T) {
			other, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(loopbackPort(t)))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			held := other.Addr().(*net.TCPAddr).Port
			port, apiPort := held, loopbackPort(t)
			if taken == "runtime API" {
				port, apiPort = apiPort, held
			}
			if _, err := launch(t, emptyID, empty.path, env, 3, port, apiPort); !errors.Is(err, errExited) {
				t.Fatalf("launch on a port another process holds = %v, want errExited", err)
			}
		})
	}
	f := startBootstrap(t, emptyID, empty.path, env, 3)
	if !listens(f.cmd.Process.Pid, mustPort(t, f.URL)) {
		t.Fatalf("%s: the emulator does not listen on its own port", f.URL)
	}
	f.invoke(t, map[string]string{})
}

// mustPort returns the port of rawURL.
func mustPort(t testing.TB, rawURL string) int {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
