package meta

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/openinbox/inbox/shared/inbox"
)

// maxTemplatePages bounds how many pages of templates ApprovedTemplates follows (100 each).
const maxTemplatePages = 10

// graphTemplate is one template of the WhatsApp Business Management API's answer to GET
// /{WABA-ID}/message_templates
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management/).
type graphTemplate struct {
	Name            string `json:"name"`
	Language        string `json:"language"`
	Status          string `json:"status"`
	Category        string `json:"category"`
	ParameterFormat string `json:"parameter_format"`
	Components      []struct {
		Type    string `json:"type"`
		Format  string `json:"format"`
		Text    string `json:"text"`
		Buttons []struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"buttons"`
	} `json:"components"`
}

// ApprovedTemplates lists the approved message templates of the WhatsApp Business Account
// wabaID that the inbox can send, with token: GET {base}/{wabaID}/message_templates?
// status=APPROVED&fields=name,language,status,category,components,parameter_format&limit=100,
// following paging.next (at most 10 pages). The inbox sends templates with positional text
// parameters of the body only (meta.WhatsAppMessage), so templates with named parameters, a
// media or parameterised header, or a URL button with a parameter are left out.
//
// Errors: EInvalid when wabaID is not a numeric id or token is empty (before any request);
// EUpstream with Graph's message when Graph refuses (an unknown WABA id, an expired token) or
// cannot be reached, or answers something unreadable.
func (c *Client) ApprovedTemplates(ctx context.Context, wabaID, token string) ([]inbox.TemplateInfo, error) {
	if _, err := strconv.ParseUint(wabaID, 10, 64); err != nil {
		return nil, inbox.Errorf(inbox.EInvalid, "whatsapp.wabaId must be the WhatsApp Business Account's numeric id")
	}
	if token == "" {
		return nil, inbox.Errorf(inbox.EInvalid, "the WhatsApp channel has no access token")
	}
	q := url.Values{"status": {"APPROVED"}, "fields": {"name,language,status,category,components,parameter_format"}, "limit": {"100"}}
	next := c.baseURL + "/" + wabaID + "/message_templates?" + q.Encode()
	out := []inbox.TemplateInfo{}
	for page := 0; next != "" && page < maxTemplatePages; page++ {
		req, err := c.newRequest(ctx, http.MethodGet, next, token, nil)
		if err != nil {
			return nil, upstream(err)
		}
		var resp struct {
			Data   []graphTemplate `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := c.doJSON(req, &resp); err != nil {
			return nil, upstream(err)
		}
		for _, t := range resp.Data {
			if info, ok := sendable(t); ok {
				out = append(out, info)
			}
		}
		// The token goes with the next request: follow only links to the same Graph API.
		next = resp.Paging.Next
		if next != "" && !sameOrigin(next, c.baseURL) {
			next = ""
		}
	}
	return out, nil
}

// sendable is template t as the inbox sends it, or false when it needs more than the body's
// positional text parameters (or is not approved).
func sendable(t graphTemplate) (inbox.TemplateInfo, bool) {
	if t.Name == "" || t.Language == "" || (t.Status != "" && t.Status != "APPROVED") || strings.EqualFold(t.ParameterFormat, "NAMED") {
		return inbox.TemplateInfo{}, false
	}
	info := inbox.TemplateInfo{Name: t.Name, Language: t.Language, Category: t.Category}
	for _, comp := range t.Components {
		switch strings.ToUpper(comp.Type) {
		case "HEADER":
			if (comp.Format != "" && !strings.EqualFold(comp.Format, "TEXT")) || strings.Contains(comp.Text, "{{") {
				return inbox.TemplateInfo{}, false
			}
			info.Header = comp.Text
		case "BODY":
			n, ok := positionalParams(comp.Text)
			if !ok {
				return inbox.TemplateInfo{}, false
			}
			info.Body, info.Parameters = comp.Text, n
		case "FOOTER":
			info.Footer = comp.Text
		case "BUTTONS":
			for _, b := range comp.Buttons {
				if strings.Contains(b.URL, "{{") {
					return inbox.TemplateInfo{}, false
				}
			}
		}
	}
	return info, true
}

// positionalParams is the highest n of the {{n}} placeholders of text (0 when none); false
// when text has a placeholder that is not a number ({{name}}). A loop, not a regexp: meta is
// linked into functions whose cold start counts.
func positionalParams(text string) (int, bool) {
	max := 0
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			return max, true
		}
		text = text[i+2:]
		j := strings.Index(text, "}}")
		if j < 0 {
			return 0, false
		}
		n, err := strconv.Atoi(strings.TrimSpace(text[:j]))
		if err != nil || n < 1 {
			return 0, false
		}
		if n > max {
			max = n
		}
		text = text[j+2:]
	}
}

// sameOrigin reports whether link has the scheme and host of base.
func sameOrigin(link, base string) bool {
	l, err1 := url.Parse(link)
	b, err2 := url.Parse(base)
	return err1 == nil && err2 == nil && l.Scheme == b.Scheme && l.Host == b.Host
}

// upstream is a failed Graph call as the API answers it: EUpstream with Graph's message.
func upstream(err error) error {
	se := AsSendError(err)
	msg := "WhatsApp could not be reached to list the templates: " + se.Message
	if ge, ok := err.(*GraphError); ok && ge.HTTPStatus != 0 {
		msg = "WhatsApp refused to list the templates (error " + se.Code + "): " + se.Message
	}
	return inbox.Wrap(err, inbox.EUpstream, msg)
}
