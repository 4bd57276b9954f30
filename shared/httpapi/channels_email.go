package httpapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/htmlsafe"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mail"
)

// emailPreview renders the From header and signature a reply by the caller (or by the user
// ?userId= of the account, by their stored name, or by the agent named in ?name=) would carry,
// as the channel's kind makes them (channel.Kind.Preview) with the functions the email sender
// uses; a kind without a preview is not an email channel (400), an unknown user 404.
func (a *api) emailPreview(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ch, err := a.Store.GetChannel(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	k, _ := channels.Lookup(ch.Type)
	if k.Preview == nil {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "not an email channel")
	}
	full, first, last := agentNames(p)
	if id := r.URL.Query().Get("userId"); id != "" {
		if err := bodyIDs("userId", id); err != nil {
			return 0, nil, err
		}
		if a.People == nil {
			return 0, nil, inbox.Errorf(inbox.EUnavailable, "users and routing are not configured")
		}
		u, err := a.People.GetUser(r.Context(), p.AccountID, id)
		if err != nil {
			return 0, nil, err
		}
		full = u.Name
		first, last, _ = strings.Cut(u.Name, " ")
	}
	if n := strings.TrimSpace(r.URL.Query().Get("name")); n != "" {
		full = n
		first, last, _ = strings.Cut(n, " ")
	}
	pv, err := k.Preview(ch, channel.Agent{FullName: full, FirstName: first, LastName: last},
		channel.Env{SanitizeHTML: htmlsafe.Sanitize, FromName: mail.FromName, RenderSignature: htmlsafe.RenderSignature})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{
		"from":          mail.FormatAddress(mail.Address{Name: pv.FromName, Address: pv.FromAddress}),
		"signatureHtml": pv.SignatureHTML,
	}, nil
}
