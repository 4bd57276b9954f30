package mail

import (
	"html"
	"net/url"
	"regexp"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// SanitizeHTML returns s with only safe markup kept. The policy follows bluemonday's
// UGCPolicy, adapted to email:
//
//   - kept: text formatting, headings, lists, block quotes, pre/code, and tables with their
//     layout attributes (width, height, align, valign, bgcolor, border, cellpadding,
//     cellspacing, colspan, rowspan) as email layouts need them;
//   - links: <a href> with http, https and mailto URLs only, given rel="nofollow noopener
//     noreferrer";
//   - images: <img src> with http, https, cid (inline parts) and data:image/(png|jpeg|gif|webp)
//     base64 URLs, with alt, title, width, height, border and align;
//   - removed with their content: script, style, head, title, iframe, object, embed, form
//     controls, svg, math, template and the like; comments (including Outlook's conditional
//     comments) are dropped;
//   - removed but their content kept: every other element (form, font, center…);
//   - never kept: event handlers (on*), style, class and id attributes, and any URL that is not
//     absolute with an allowed scheme (javascript:, vbscript:, data:text/html, relative URLs).
//
// A full document keeps only its body's content. The result is safe to embed in a page.
func SanitizeHTML(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	doc, err := xhtml.Parse(strings.NewReader(s))
	if err != nil {
		// x/net/html only fails on reader errors; keep the text readable anyway.
		return html.EscapeString(s)
	}
	out := &xhtml.Node{Type: xhtml.DocumentNode}
	body := findBody(doc)
	if body == nil {
		body = doc
	}
	sanitizeChildren(out, body, 0)
	var b strings.Builder
	for c := out.FirstChild; c != nil; c = c.NextSibling {
		if err := xhtml.Render(&b, c); err != nil {
			return html.EscapeString(s)
		}
	}
	return strings.TrimSpace(b.String())
}

// maxDepth bounds the nesting of the sanitized tree: deeper elements are unwrapped so that
// hostile nesting cannot exhaust the stack when rendering.
const maxDepth = 100

// dropWithContent lists elements removed together with everything inside them.
var dropWithContent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Head: true, atom.Title: true, atom.Meta: true,
	atom.Link: true, atom.Base: true, atom.Iframe: true, atom.Frame: true, atom.Frameset: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true, atom.Param: true, atom.Noscript: true,
	atom.Noembed: true, atom.Noframes: true, atom.Template: true, atom.Svg: true, atom.Math: true,
	atom.Textarea: true, atom.Select: true, atom.Option: true, atom.Optgroup: true,
	atom.Button: true, atom.Input: true, atom.Xmp: true, atom.Plaintext: true, atom.Audio: true,
	atom.Video: true, atom.Source: true, atom.Track: true, atom.Canvas: true, atom.Map: true,
	atom.Area: true, atom.Dialog: true, atom.Datalist: true, atom.Keygen: true, atom.Output: true,
	atom.Progress: true, atom.Meter: true, atom.Slot: true,
}

// Attribute value checks.
var (
	reNumber = regexp.MustCompile(`^\s*[0-9]{1,5}(\.[0-9]+)?\s*(%|px)?\s*$`)
	reColor  = regexp.MustCompile(`^\s*(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,20})\s*$`)
	reAlign  = regexp.MustCompile(`^(?i)\s*(left|right|center|justify|middle)\s*$`)
	reVAlign = regexp.MustCompile(`^(?i)\s*(top|middle|bottom|baseline)\s*$`)
	reDir    = regexp.MustCompile(`^(?i)\s*(ltr|rtl|auto)\s*$`)
	reLang   = regexp.MustCompile(`^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$`)
	reListTy = regexp.MustCompile(`^(1|a|A|i|I|disc|circle|square)$`)
	reScope  = regexp.MustCompile(`^(?i)(row|col|rowgroup|colgroup)$`)
	reText   = regexp.MustCompile(`^[^<>]*$`)
	reDataIm = regexp.MustCompile(`^(?i)data:image/(png|jpeg|jpg|gif|webp);base64,[a-z0-9+/=\s]+$`)
)

type attrCheck func(string) (string, bool)

func matches(re *regexp.Regexp) attrCheck {
	return func(v string) (string, bool) { return strings.TrimSpace(v), re.MatchString(v) }
}

func anyText(v string) (string, bool) { return v, true }

// global attributes allowed on every kept element.
var globalAttrs = map[string]attrCheck{
	"title": anyText,
	"dir":   matches(reDir),
	"lang":  matches(reLang),
}

var (
	layoutAttrs = map[string]attrCheck{
		"width": matches(reNumber), "height": matches(reNumber), "align": matches(reAlign),
		"valign": matches(reVAlign), "bgcolor": matches(reColor),
	}
	cellAttrs = merge(layoutAttrs, map[string]attrCheck{
		"colspan": matches(reNumber), "rowspan": matches(reNumber), "nowrap": anyText,
		"scope": matches(reScope), "abbr": anyText, "headers": matches(reText),
	})
)

func merge(ms ...map[string]attrCheck) map[string]attrCheck {
	out := map[string]attrCheck{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// allowed maps kept elements to their allowed attributes (besides globalAttrs).
var allowed = map[atom.Atom]map[string]attrCheck{
	atom.A:    {"href": linkURL, "name": matches(reText)},
	atom.Img:  {"src": imageURL, "alt": anyText, "width": matches(reNumber), "height": matches(reNumber), "border": matches(reNumber), "align": matches(reAlign), "hspace": matches(reNumber), "vspace": matches(reNumber)},
	atom.Abbr: {}, atom.Acronym: {}, atom.Address: {}, atom.B: {}, atom.Bdi: {}, atom.Bdo: {},
	atom.Big: {}, atom.Br: {}, atom.Cite: {}, atom.Code: {}, atom.Dd: {}, atom.Dfn: {},
	atom.Dl: {}, atom.Dt: {}, atom.Em: {}, atom.Figcaption: {}, atom.Figure: {},
	atom.H1: {"align": matches(reAlign)}, atom.H2: {"align": matches(reAlign)},
	atom.H3: {"align": matches(reAlign)}, atom.H4: {"align": matches(reAlign)},
	atom.H5: {"align": matches(reAlign)}, atom.H6: {"align": matches(reAlign)},
	atom.Hr: {"width": matches(reNumber), "size": matches(reNumber), "align": matches(reAlign), "noshade": anyText},
	atom.I:  {}, atom.Kbd: {}, atom.Mark: {}, atom.Pre: {}, atom.Rp: {}, atom.Rt: {},
	atom.Ruby: {}, atom.S: {}, atom.Samp: {}, atom.Small: {}, atom.Span: {}, atom.Strike: {},
	atom.Strong: {}, atom.Sub: {}, atom.Sup: {}, atom.Tt: {}, atom.U: {}, atom.Var: {},
	atom.Wbr: {}, atom.Center: {}, atom.Summary: {}, atom.Details: {"open": anyText},
	atom.P:          {"align": matches(reAlign)},
	atom.Div:        {"align": matches(reAlign)},
	atom.Blockquote: {"cite": linkURL, "type": matches(reText)},
	atom.Q:          {"cite": linkURL},
	atom.Del:        {"cite": linkURL, "datetime": matches(reText)},
	atom.Ins:        {"cite": linkURL, "datetime": matches(reText)},
	atom.Time:       {"datetime": matches(reText)},
	atom.Ol:         {"start": matches(reNumber), "type": matches(reListTy), "reversed": anyText},
	atom.Ul:         {"type": matches(reListTy)},
	atom.Li:         {"value": matches(reNumber), "type": matches(reListTy)},
	atom.Table: merge(layoutAttrs, map[string]attrCheck{
		"border": matches(reNumber), "cellpadding": matches(reNumber), "cellspacing": matches(reNumber),
		"summary": anyText,
	}),
	atom.Caption:  {"align": matches(reAlign)},
	atom.Thead:    layoutAttrs,
	atom.Tbody:    layoutAttrs,
	atom.Tfoot:    layoutAttrs,
	atom.Tr:       layoutAttrs,
	atom.Td:       cellAttrs,
	atom.Th:       cellAttrs,
	atom.Col:      merge(layoutAttrs, map[string]attrCheck{"span": matches(reNumber)}),
	atom.Colgroup: merge(layoutAttrs, map[string]attrCheck{"span": matches(reNumber)}),
}

// linkURL accepts absolute http, https and mailto URLs.
func linkURL(v string) (string, bool) { return checkURL(v, "http", "https", "mailto") }

// imageURL accepts absolute http, https and cid URLs and base64 data:image URLs of raster types.
func imageURL(v string) (string, bool) {
	t := strings.TrimSpace(v)
	if len(t) > 5 && strings.EqualFold(t[:5], "data:") {
		return t, reDataIm.MatchString(t)
	}
	return checkURL(v, "http", "https", "cid")
}

func checkURL(v string, schemes ...string) (string, bool) {
	t := strings.TrimSpace(v)
	if t == "" {
		return "", false
	}
	for _, r := range t {
		// Browsers ignore tabs and newlines inside URLs ("java\tscript:"); refuse them.
		if r < 0x20 || r == 0x7f {
			return "", false
		}
	}
	u, err := url.Parse(t)
	if err != nil || u.Scheme == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	for _, s := range schemes {
		if scheme == s {
			if (s == "http" || s == "https") && u.Host == "" {
				return "", false
			}
			return t, true
		}
	}
	return "", false
}

func findBody(n *xhtml.Node) *xhtml.Node {
	if n.Type == xhtml.ElementNode && n.DataAtom == atom.Body {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if b := findBody(c); b != nil {
			return b
		}
	}
	return nil
}

// sanitizeChildren appends the sanitized copies of src's children to dst.
func sanitizeChildren(dst, src *xhtml.Node, depth int) {
	for c := src.FirstChild; c != nil; c = c.NextSibling {
		sanitizeNode(dst, c, depth)
	}
}

func sanitizeNode(dst, n *xhtml.Node, depth int) {
	switch n.Type {
	case xhtml.TextNode:
		dst.AppendChild(&xhtml.Node{Type: xhtml.TextNode, Data: n.Data})
	case xhtml.ElementNode:
		if n.Namespace != "" || dropWithContent[n.DataAtom] {
			return
		}
		attrs, ok := allowed[n.DataAtom]
		if !ok || n.DataAtom == 0 || depth >= maxDepth {
			sanitizeChildren(dst, n, depth)
			return
		}
		el := &xhtml.Node{Type: xhtml.ElementNode, Data: n.DataAtom.String(), DataAtom: n.DataAtom}
		for _, a := range n.Attr {
			if a.Namespace != "" {
				continue
			}
			key := strings.ToLower(a.Key)
			check := attrs[key]
			if check == nil {
				check = globalAttrs[key]
			}
			if check == nil {
				continue
			}
			if v, ok := check(a.Val); ok {
				el.Attr = append(el.Attr, xhtml.Attribute{Key: key, Val: v})
			}
		}
		switch n.DataAtom {
		case atom.A:
			if hasAttr(el, "href") {
				el.Attr = append(el.Attr, xhtml.Attribute{Key: "rel", Val: "nofollow noopener noreferrer"})
			}
		case atom.Img:
			if !hasAttr(el, "src") {
				return
			}
		}
		sanitizeChildren(el, n, depth+1)
		dst.AppendChild(el)
	default:
		// Comments, doctypes and raw nodes are dropped; documents are unwrapped.
		if n.Type == xhtml.DocumentNode {
			sanitizeChildren(dst, n, depth)
		}
	}
}

func hasAttr(n *xhtml.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// RenderSignature replaces the {{agent.fullName}}, {{agent.firstName}} and {{agent.lastName}}
// tokens of a signature (spaces inside the braces and letter case of the token are tolerated)
// with the HTML-escaped values, then sanitizes the result with SanitizeHTML.
func RenderSignature(htmlSig, fullName, firstName, lastName string) string {
	out := reSigToken.ReplaceAllStringFunc(htmlSig, func(tok string) string {
		m := reSigToken.FindStringSubmatch(tok)
		switch strings.ToLower(m[1]) {
		case "fullname":
			return html.EscapeString(fullName)
		case "firstname":
			return html.EscapeString(firstName)
		default:
			return html.EscapeString(lastName)
		}
	})
	return SanitizeHTML(out)
}

var reSigToken = regexp.MustCompile(`\{\{\s*(?i:agent)\s*\.\s*((?i:fullName|firstName|lastName))\s*\}\}`)
