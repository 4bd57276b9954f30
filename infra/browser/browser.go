// Package browser gives tests a headless Debian chromium driven by chromedp: Exec finds (and,
// when it can, installs) the browser, New starts one for a test with a fresh profile.
//
// A browser test never silently passes on a machine without a browser: when CI=true it fails,
// elsewhere it is skipped with a line saying how to get the browser. `make test` runs
// infra/browser/install.sh first, which apt-gets chromium when it is missing and it can.
package browser

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrNoBrowser is returned by Exec when no chromium is on the machine and none could be installed.
var ErrNoBrowser = errors.New("browser: no chromium (apt-get install -y chromium, or set CHROMIUM)")

// candidates are where Debian and Ubuntu put chromium; CHROMIUM, when set, comes first.
var candidates = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"}

func find() string {
	for _, p := range append([]string{os.Getenv("CHROMIUM")}, candidates...) {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Exec returns the path of the chromium binary, running infra/browser/install.sh once per test
// binary when none is found (apt-get, as root or with sudo). Errors: ErrNoBrowser.
func Exec() (string, error) {
	if p := find(); p != "" {
		return p, nil
	}
	installOnce()
	if p := find(); p != "" {
		return p, nil
	}
	return "", ErrNoBrowser
}

var installOnce = sync.OnceFunc(func() {
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command(filepath.Join(filepath.Dir(file), "install.sh"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	_ = cmd.Run() // the script reports why it could not; find() decides
})

// Flags are the command-line switches the browser starts with: headless, no sandbox (tests run
// as root in containers), no GPU, no QUIC, and nothing that reaches out on its own (first-run,
// background networking, component updates, sync), so a test's only traffic is its own.
func Flags(userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(userDataDir),
		chromedp.WindowSize(1280, 900),
	}
}

// New starts a headless chromium for t with a fresh profile and returns a chromedp context of its
// first tab; the browser is closed when the test ends (further tabs: chromedp.NewContext(ctx)).
// Without a browser, t fails when CI=true and is skipped otherwise.
func New(t testing.TB) context.Context {
	t.Helper()
	path, err := Exec()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v: CI=true, the browser tests must run", err)
		}
		t.Skipf("%v: skipping the browser test (it fails with CI=true)", err)
	}
	opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(path)}, Flags(t.TempDir())...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser, so that a browser that cannot start fails here. It may
	// not run under a deadline (that would end the browser with it): a timer ends a start that
	// hangs instead.
	hang := time.AfterFunc(StartTimeout, cancel)
	err = chromedp.Do(ctx)
	if !hang.Stop() {
		t.Fatalf("browser: %s did not start within %s", path, StartTimeout)
	}
	if err != nil {
		t.Fatalf("browser: start %s: %v", path, err)
	}
	return ctx
}
