package mail

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/charmap"
)

// HTMLToText renders HTML as readable plain text: blocks and <br> become line breaks, list
// items get "- ", block quotes get "> ", links keep their text (followed by the URL in angle
// brackets when it differs), images their alt text; scripts, styles and the head are skipped.
func HTMLToText(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	doc, err := xhtml.Parse(strings.NewReader(s))
	if err != nil {
		return ""
	}
	t := &textWriter{}
	t.walk(doc, 0)
	return tidyText(t.b.String())
}

type textWriter struct {
	b       strings.Builder
	quote   int  // block quote nesting
	pre     int  // inside <pre>
	lineLen int  // bytes written on the current line (after the quote prefix)
	space   bool // a collapsible space is pending
}

func (t *textWriter) newline() {
	t.b.WriteByte('\n')
	t.lineLen = 0
	t.space = false
}

// block ends the current line, if any, before and after a block element.
func (t *textWriter) block() {
	if t.lineLen > 0 {
		t.newline()
	}
}

func (t *textWriter) write(s string) {
	for _, line := range splitKeep(s) {
		if line == "\n" {
			t.newline()
			continue
		}
		if t.lineLen == 0 && t.quote > 0 {
			t.b.WriteString(strings.Repeat("> ", t.quote))
		}
		t.b.WriteString(line)
		t.lineLen += len(line)
	}
}

// splitKeep splits s into lines and "\n" separators.
func splitKeep(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			if s != "" {
				out = append(out, s)
			}
			return out
		}
		if i > 0 {
			out = append(out, s[:i])
		}
		out = append(out, "\n")
		s = s[i+1:]
	}
}

func (t *textWriter) text(s string) {
	if s == "" {
		return
	}
	if t.pre > 0 {
		t.write(s)
		return
	}
	if first, _ := utf8.DecodeRuneInString(s); isHTMLSpace(first) {
		t.space = true
	}
	for _, f := range strings.FieldsFunc(s, isHTMLSpace) {
		if t.space && t.lineLen > 0 {
			t.write(" ")
		}
		t.write(f)
		t.space = true
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	t.space = isHTMLSpace(last)
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0'
}

func (t *textWriter) walk(n *xhtml.Node, depth int) {
	if depth > 500 {
		return
	}
	switch n.Type {
	case xhtml.TextNode:
		t.text(n.Data)
		return
	case xhtml.DocumentNode:
		t.children(n, depth)
		return
	case xhtml.ElementNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript,
		atom.Select, atom.Textarea, atom.Svg, atom.Math, atom.Object, atom.Iframe:
		return
	case atom.Br:
		t.newline()
	case atom.Hr:
		t.block()
		t.write("---")
		t.newline()
	case atom.Img:
		if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
			t.text(alt)
		}
	case atom.A:
		start := t.b.Len()
		t.children(n, depth)
		label := strings.TrimSpace(t.b.String()[start:])
		href := strings.TrimSpace(attr(n, "href"))
		target := strings.TrimPrefix(href, "mailto:")
		if href != "" && label != target && label != href && !strings.HasPrefix(href, "#") &&
			!strings.HasPrefix(strings.ToLower(href), "javascript:") && !strings.HasPrefix(href, "cid:") {
			t.write(" <" + target + ">")
		}
	case atom.Li:
		t.block()
		t.write("- ")
		t.children(n, depth)
		t.block()
	case atom.Blockquote:
		t.block()
		t.quote++
		t.children(n, depth)
		t.block()
		t.quote--
	case atom.Pre:
		t.block()
		t.pre++
		t.children(n, depth)
		t.pre--
		t.block()
	case atom.Td, atom.Th:
		t.space = true
		t.children(n, depth)
		t.space = true
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Ul,
		atom.Ol, atom.Dl:
		t.block()
		t.children(n, depth)
		t.block()
		t.newline() // paragraph gap
	case atom.Div, atom.Tr, atom.Address, atom.Center, atom.Dt, atom.Dd, atom.Caption,
		atom.Figure, atom.Figcaption, atom.Details, atom.Summary, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Main, atom.Nav, atom.Aside, atom.Form, atom.Fieldset:
		t.block()
		t.children(n, depth)
		t.block()
	default:
		t.children(n, depth)
	}
}

func (t *textWriter) children(n *xhtml.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.walk(c, depth+1)
	}
}

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// tidyText trims trailing spaces on lines, collapses runs of blank lines (also "> " quoted
// ones) to one and trims the whole text.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		isBlank := strings.Trim(l, "> ") == ""
		if isBlank && blank {
			continue
		}
		blank = isBlank
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// textToHTML renders plain text as HTML: escaped, with line breaks kept.
func textToHTML(s string) string {
	if s == "" {
		return ""
	}
	s = html.EscapeString(NormalizeNewlines(s))
	return `<div dir="auto">` + strings.ReplaceAll(s, "\n", "<br>\n") + `</div>`
}

// NormalizeNewlines turns CR LF and lone CR into LF.
func NormalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// FixText makes decoded body or header text valid, readable UTF-8:
//   - bytes that are not valid UTF-8 are read as Windows-1252 (mail declared UTF-8 but written
//     in Latin-1/Windows-1252, a common mistake);
//   - C1 control characters (U+0080–U+009F) are read as Windows-1252 too: they come from mail
//     declared ISO-8859-1 but written in Windows-1252 (curly quotes, €), which is what browsers
//     do (WHATWG maps the iso-8859-1 label to windows-1252);
//   - NUL characters are dropped.
func FixText(s string) string {
	clean := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r >= 0x80 && r <= 0x9f) || r == 0 {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	dec := charmap.Windows1252
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(dec.DecodeByte(s[i]))
		case r >= 0x80 && r <= 0x9f:
			b.WriteRune(dec.DecodeByte(byte(r)))
		case r == 0:
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// SingleLine makes a header text one line: line breaks, tabs and other control characters
// (an encoded word may decode to CR LF) become spaces, runs of spaces one, ends trimmed.
func SingleLine(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) < 0 {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}), " ")
}
