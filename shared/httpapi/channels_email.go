package httpapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mail"
)

// emailPreview renders the From header and signature a reply by the caller (or by the agent
// named in ?name=) would carry.
func (a *api) emailPreview(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ch, err := a.Store.GetChannel(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	if ch.Email == nil {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "not an email channel")
	}
	full, first, last := agentNames(p)
	if n := strings.TrimSpace(r.URL.Query().Get("name")); n != "" {
		full = n
		first, last, _ = strings.Cut(n, " ")
	}
	return http.StatusOK, map[string]string{
		"from":          mail.FormatAddress(mail.Address{Name: mail.FromName(ch.Email.FromNameMode, full, ch.Email.CompanyName), Address: ch.Email.FromAddress}),
		"signatureHtml": mail.RenderSignature(ch.Email.SignatureHTML, full, first, last),
	}, nil
}
