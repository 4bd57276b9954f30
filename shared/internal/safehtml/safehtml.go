// Package safehtml is a test helper: Check fails a test when sanitized HTML could run or load
// anything. The fuzz tests of shared/htmlsafe (Sanitize) and shared/mailparse (Parse) share
// it; only tests import it.
package safehtml

import (
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Check parses sanitized HTML and fails t on anything that could run or load unasked:
// script-like elements, event handlers, style attributes and non-allowed URL schemes.
func Check(t testing.TB, s string) {
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
