package mailparse

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Bounds on a mail's MIME structure, which the MIME reader (enmime) needs for its time to stay
// linear in the mail's size. Its time grows with the cube of the nesting depth of closed
// multiparts (2,000 levels in 140 KB: 30 s) and doubles with each level of multiparts left
// unclosed (20 levels in 1.2 KB: 19 s), and anyone who can mail an address can send such a
// mail. So the structure is read first, in one linear pass: the mail is cut before the part that nests
// deeper than maxDepth or has more than maxParts parts, and every multipart left open is
// closed where its parent goes on or the mail ends. Real mail nests a few levels (a forward
// of a reply with inline images is about five) and carries tens of parts.
const (
	maxDepth = 12
	maxParts = 1000
)

// boundMIME returns raw bounded and closed as said above, the part of raw it kept (raw up to
// the cut, without the inserted closing lines, to show as the raw text of a mail no part of
// which could be read), and the problems to report (none when raw is within the bounds and
// well closed). It follows the boundaries as the MIME reader
// does: a part's header ends at its first blank line; a line "--boundary" followed by nothing
// or white space starts a part of that multipart and "--boundary--" ends it, and either line
// ends any multipart still open inside it.
func boundMIME(raw []byte) (bounded, kept []byte, problems []string) {
	w := &mimeWriter{raw: raw}
	var (
		stack    []string // boundaries of the open multiparts, outermost first
		inHeader = true
		ctype    string // the Content-Type of the header being read
		inType   bool   // the last header line read was Content-Type (folded lines continue it)
		parts    int
		partAt   int // where the line that started the part being read is
	)
	for off := 0; off < len(raw); {
		next := len(raw)
		if i := bytes.IndexByte(raw[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		line := bytes.TrimRight(raw[off:next], "\r\n")
		switch {
		case inHeader && len(line) == 0:
			inHeader = false
			if b := multipartBoundary(ctype); b != "" {
				if len(stack) == maxDepth {
					w.problem(fmt.Sprintf("MIME parts nested more than %d levels deep: the mail was read up to there", maxDepth))
					return w.cut(partAt, stack), raw[:partAt], w.problems
				}
				stack = append(stack, b)
			}
		case inHeader:
			if line[0] == ' ' || line[0] == '\t' {
				if inType {
					ctype += string(line)
				}
				break
			}
			name, value, _ := bytes.Cut(line, []byte(":"))
			inType = strings.EqualFold(string(bytes.TrimSpace(name)), "Content-Type")
			if inType {
				ctype = string(value)
			}
		case bytes.HasPrefix(line, []byte("--")) && len(stack) > 0:
			for i := len(stack) - 1; i >= 0; i-- {
				kind := delimiter(line, stack[i])
				if kind == 0 {
					continue
				}
				w.close(off, stack[i+1:])
				stack = stack[:i+1]
				if kind == terminator {
					stack = stack[:i]
					break
				}
				if parts++; parts > maxParts {
					w.problem(fmt.Sprintf("more than %d MIME parts: the mail was read up to there", maxParts))
					return w.cut(off, stack), raw[:off], w.problems
				}
				inHeader, ctype, inType, partAt = true, "", false, off
				break
			}
		}
		off = next
	}
	return w.cut(len(raw), stack), raw, w.problems
}

// mimeWriter is raw with closing lines inserted; it copies raw only once a line is inserted.
type mimeWriter struct {
	raw      []byte
	out      []byte // raw[:copied] with the insertions; nil while there are none
	copied   int
	problems []string
}

// close inserts, before raw[at:], the closing lines of the multiparts of open, innermost first.
func (w *mimeWriter) close(at int, open []string) {
	if len(open) == 0 {
		return
	}
	w.out = append(w.out, w.raw[w.copied:at]...)
	w.copied = at
	if len(w.out) > 0 && w.out[len(w.out)-1] != '\n' {
		w.out = append(w.out, "\r\n"...)
	}
	for i := len(open) - 1; i >= 0; i-- {
		w.out = append(w.out, "--"+open[i]+"--\r\n"...)
	}
	w.problem(unclosed)
}

// cut returns raw[:at] with the insertions and the multiparts of open closed.
func (w *mimeWriter) cut(at int, open []string) []byte {
	w.close(at, open)
	if w.out == nil {
		return w.raw[:at]
	}
	return append(w.out, w.raw[w.copied:at]...)
}

func (w *mimeWriter) problem(p string) {
	if !slices.Contains(w.problems, p) {
		w.problems = append(w.problems, p)
	}
}

// unclosed is the problem of a multipart whose closing line is missing.
const unclosed = "a multipart was not closed: it was closed where its parent went on or the mail ended"

// Kinds of boundary lines.
const (
	partStart  = 1
	terminator = 2
)

// delimiter tells whether line (without its line break) is a boundary line of boundary b: a
// terminator "--b--", or the start of a part, "--b" followed by nothing or white space (the
// MIME reader's rule).
func delimiter(line []byte, b string) int {
	rest, ok := bytes.CutPrefix(line[2:], []byte(b))
	switch {
	case !ok:
		return 0
	case bytes.HasPrefix(rest, []byte("--")):
		return terminator
	case len(rest) == 0 || unicode.IsSpace(rune(rest[0])):
		return partStart
	}
	return 0
}

// multipartBoundary returns the boundary of a multipart Content-Type value, or "". A value
// that mime.ParseMediaType refuses but the MIME reader repairs still yields its boundary.
func multipartBoundary(ctype string) string {
	ctype = strings.TrimSpace(ctype)
	if !strings.HasPrefix(strings.ToLower(ctype), "multipart/") {
		return ""
	}
	if _, params, err := mime.ParseMediaType(ctype); err == nil {
		return params["boundary"]
	}
	if m := boundaryParam.FindStringSubmatch(ctype); m != nil {
		return m[1]
	}
	return ""
}

var boundaryParam = regexp.MustCompile(`(?i)boundary\s*=\s*"?([^";\s]+)`)
