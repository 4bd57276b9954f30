package mail

import (
	"html"
	"regexp"
	"strings"
)

// FillSignature replaces the {{agent.fullName}}, {{agent.firstName}} and {{agent.lastName}}
// tokens of a signature (spaces inside the braces and letter case of the token are tolerated)
// with the HTML-escaped values. safeHTML must already be sanitized (signatures are, when
// stored: htmlsafe.Sanitize): an escaped value can then neither open a tag nor leave an
// attribute, and no token can stand where a URL's scheme is (the sanitizer drops relative and
// unparsable URLs), so the result is as safe as its input without sanitizing again — which is
// what keeps bluemonday out of the dispatcher. It never fails.
func FillSignature(safeHTML, fullName, firstName, lastName string) string {
	return reSigToken.ReplaceAllStringFunc(safeHTML, func(tok string) string {
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
}

var reSigToken = regexp.MustCompile(`\{\{\s*(?i:agent)\s*\.\s*((?i:fullName|firstName|lastName))\s*\}\}`)
