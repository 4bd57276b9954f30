// Package htmlsafe makes user HTML safe to show and to send (Sanitize) and renders agents'
// signatures (RenderSignature), with bluemonday's UGCPolicy adapted to email.
//
// It is its own package, apart from composing mail (shared/mail), because bluemonday and its
// CSS tables compile about a megabyte of regular expressions at package init, which every
// cold start of a function linking them pays: only the functions that take user HTML (api,
// email, dispatch) link this package; the notices of the router and the schedule, whose HTML
// the inbox writes itself, do not. The package has no state and is safe for concurrent use.
package htmlsafe

import (
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"

	"github.com/openinbox/inbox/shared/mail"
)

// Sanitize returns s with only safe markup kept, with bluemonday's UGCPolicy adapted to
// email: text formatting, lists, quotes, tables with their layout attributes (email layouts need
// width, align, bgcolor, cellpadding…), links (http, https, mailto; rel="nofollow noreferrer")
// and images (http, https, cid: for inline parts, data:image). Scripts, styles, frames, forms,
// event handlers (on*), style/class/id attributes and javascript: URLs never survive. The
// result is safe to embed in a page.
func Sanitize(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return strings.TrimSpace(policy().Sanitize(balance(s)))
}

// balance re-renders s through an HTML5 parser, so that unclosed or stray tags (a cut message,
// sloppy mail) come out well formed: bluemonday filters tags but does not close them.
func balance(s string) string {
	doc, err := xhtml.Parse(strings.NewReader(s))
	if err != nil {
		return s
	}
	body := doc
	var find func(n *xhtml.Node)
	find = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode && n.Data == "body" {
			body = n
			return
		}
		for c := n.FirstChild; c != nil && body == doc; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	var b strings.Builder
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := xhtml.Render(&b, c); err != nil {
			return s
		}
	}
	return b.String()
}

// policy is built on first use, not at package init (it takes a few hundred kilobytes and
// milliseconds, which every cold start of a function linking this package would pay), and
// once: bluemonday policies are safe for concurrent use once configured.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto", "cid")
	p.AllowDataURIImages()
	p.AllowRelativeURLs(false)
	// Quotes of earlier mail keep type="cite", which mail clients style as a quote.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^cite$`)).OnElements("blockquote")
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	layout := []string{"table", "tr", "td", "th", "tbody", "thead", "tfoot", "img"}
	p.AllowAttrs("width", "height", "border", "cellpadding", "cellspacing").Matching(regexp.MustCompile(`^[0-9]{1,4}%?$`)).OnElements(layout...)
	p.AllowAttrs("align", "valign").Matching(regexp.MustCompile(`^(?i)(left|right|center|top|middle|bottom|justify)$`)).OnElements(layout...)
	p.AllowAttrs("bgcolor").Matching(regexp.MustCompile(`^#?[0-9A-Za-z]{1,20}$`)).OnElements(layout...)
	return p
})

// RenderSignature fills the {{agent.fullName}}, {{agent.firstName}} and {{agent.lastName}}
// tokens of a signature with the HTML-escaped values (mail.FillSignature), then sanitizes the
// result with Sanitize: for a signature not known to be sanitized yet (a preview of one being
// edited). It never fails.
func RenderSignature(htmlSig, fullName, firstName, lastName string) string {
	return Sanitize(mail.FillSignature(htmlSig, fullName, firstName, lastName))
}
