package mail

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// FuzzParse checks that Parse never panics nor fails on any input, and that what it returns
// stays usable: valid UTF-8 text, a Header func, safe HTML. `go test` runs the seeds (the
// testdata mails); run longer with
//
//	go test -run '^$' -fuzz FuzzParse -fuzzminimizetime 2s ./shared/mail
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(""))
	f.Add([]byte("\r\n\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--"))
	f.Add([]byte("Content-Type: message/rfc822\r\nSubject: Fwd: x\r\n\r\nFrom: <a@b>\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("Parse error: %v", err)
		}
		if m.Header == nil {
			t.Fatal("Header is nil")
		}
		_ = m.Header("From")
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Subject) || !utf8.ValidString(m.From.Name) {
			t.Fatal("invalid UTF-8 in the result")
		}
		checkSafeHTML(t, m.HTML)
	})
}

// FuzzSanitizeHTML checks that whatever goes in, what SanitizeHTML returns parses back (as a
// browser would) to allowed elements, attributes and URLs only, so that no mutation of the
// markup can revive a script.
func FuzzSanitizeHTML(f *testing.F) {
	for _, s := range []string{
		`<p>hi</p><script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `<a href="javascript:alert(1)">x</a>`,
		`<svg><p><style><img src=x onerror=alert(1)></style></p></svg>`, `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`, `<table><form><tr><td>a</td></tr></form>text</table>`,
		`<a href="https://x.example/">a<a href="mailto:b@c">b</a></a>`, `<!--><img src=x onerror=alert(1)>-->`,
		`<img src="data:image/png;base64,iVBO" alt="x"><img src="cid:a@b">`, `<xmp><img src=x onerror=alert(1)></xmp>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSafeHTML(t, SanitizeHTML(s))
	})
}

// checkSafeHTML parses sanitized HTML and fails on anything that could run or load unasked:
// script-like elements, event handlers, style attributes and non-allowed URL schemes.
func checkSafeHTML(t *testing.T, s string) {
	t.Helper()
	if s == "" {
		return
	}
	doc, err := xhtml.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("sanitized HTML does not parse: %v", err)
	}
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Iframe, atom.Object, atom.Embed, atom.Form, atom.Input,
				atom.Svg, atom.Math, atom.Link, atom.Meta, atom.Base, atom.Frame, atom.Frameset:
				t.Fatalf("element <%s> in sanitized HTML %q", n.Data, s)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction" {
					t.Fatalf("attribute %s on <%s> in sanitized HTML %q", a.Key, n.Data, s)
				}
				if key == "href" || key == "src" {
					v := strings.ToLower(strings.TrimSpace(a.Val))
					ok := false
					for _, scheme := range []string{"http:", "https:", "mailto:", "cid:", "data:image/"} {
						ok = ok || strings.HasPrefix(v, scheme)
					}
					if !ok && v != "" && !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "/") && strings.Contains(v, ":") {
						t.Fatalf("URL %s=%q on <%s> in sanitized HTML %q", a.Key, a.Val, n.Data, s)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}
