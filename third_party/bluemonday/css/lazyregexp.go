// Patched (not in upstream bluemonday): the regular expressions of this package
// are compiled on first use instead of at package init, which cost every program
// linking bluemonday about 500 KB of allocations and two milliseconds at
// start-up whether it allowed any styles or not. The package bluemonday uses
// the same type for its own expressions. See third_party/README.md of
// github.com/openinbox/inbox.

package css

import (
	"regexp"
	"sync"
)

// LazyRegexp is a regular expression compiled the first time it is used. It is
// safe for concurrent use, like *regexp.Regexp. An invalid expression panics on
// first use, as regexp.MustCompile would have at init.
type LazyRegexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// NewLazyRegexp stands where regexp.MustCompile stood in upstream: it keeps the
// expression and compiles nothing yet.
func NewLazyRegexp(expr string) *LazyRegexp {
	return &LazyRegexp{expr: expr}
}

// Regexp returns the compiled expression, compiling it on the first call.
func (l *LazyRegexp) Regexp() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.expr) })
	return l.re
}

// MatchString reports whether s contains any match of the expression.
func (l *LazyRegexp) MatchString(s string) bool { return l.Regexp().MatchString(s) }

// FindString returns the text of the leftmost match in s, "" when none.
func (l *LazyRegexp) FindString(s string) string { return l.Regexp().FindString(s) }

// FindStringIndex returns the start and end of the leftmost match in s, nil
// when none.
func (l *LazyRegexp) FindStringIndex(s string) []int { return l.Regexp().FindStringIndex(s) }

// ReplaceAll returns a copy of src with the matches replaced by repl, expanded
// as by (*regexp.Regexp).ReplaceAll.
func (l *LazyRegexp) ReplaceAll(src, repl []byte) []byte { return l.Regexp().ReplaceAll(src, repl) }

// String returns the source text of the expression.
func (l *LazyRegexp) String() string { return l.expr }
