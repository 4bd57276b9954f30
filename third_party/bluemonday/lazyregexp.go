// Patched (not in upstream bluemonday): the package-level regular expressions
// (the exported helpers such as Paragraph and the sanitizer's own) are compiled
// on first use instead of at package init, which cost every program linking
// bluemonday about 290 KB of allocations and over a millisecond at start-up
// before it made any policy. See third_party/README.md of
// github.com/openinbox/inbox.

package bluemonday

import "github.com/microcosm-cc/bluemonday/css"

// LazyRegexp is a regular expression compiled the first time it is used, safe
// for concurrent use. The exported helpers (CellAlign, Paragraph, ...) are of
// this type instead of *regexp.Regexp: pass X.Regexp() to Matching.
type LazyRegexp = css.LazyRegexp

// lazyRegexp stands where regexp.MustCompile stood in upstream.
func lazyRegexp(expr string) *LazyRegexp { return css.NewLazyRegexp(expr) }
