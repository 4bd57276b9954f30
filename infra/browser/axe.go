package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/chromedp/chromedp"
)

// ErrNoAxe is returned by Axe when axe-core is not installed in infra/browser/node_modules.
var ErrNoAxe = errors.New("browser: axe-core is missing from infra/browser/node_modules (run infra/emulators/install.sh, as make test does)")

// Violation is one accessibility rule axe-core found broken on a page, with where.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// String is the rule, its impact and the first elements that break it.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for i, n := range v.Nodes {
		if i == 3 {
			fmt.Fprintf(&b, "\n    … %d more", len(v.Nodes)-3)
			break
		}
		fmt.Fprintf(&b, "\n    %v %s", n.Target, n.HTML)
	}
	return b.String()
}

func axeSource() ([]byte, error) {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return nil, ErrNoAxe
	}
	return b, nil
}

// Axe runs axe-core (the version pinned in infra/browser/package.json) in the page of ctx and
// returns the violations of impact serious or critical: WCAG 2.x A and AA rules and axe's
// best practices, on the whole document as it is now (hidden parts are not checked).
// Errors: ErrNoAxe, or the browser's.
func Axe(ctx context.Context) ([]Violation, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	// Evaluated through the DevTools protocol, so the app's Content-Security-Policy (scripts from
	// 'self' only) does not stop it; injected once per document.
	has, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!window.axe`))
	if err != nil {
		return nil, fmt.Errorf("browser: inject axe-core: %w", err)
	}
	if !has {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
			return nil, fmt.Errorf("browser: inject axe-core: %w", err)
		}
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("browser: run axe-core: %w", err)
	}
	var all, out []Violation
	if err := json.Unmarshal([]byte(raw), &all); err != nil {
		return nil, err
	}
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			out = append(out, v)
		}
	}
	return out, nil
}
