package httpapi

import (
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mail"
)

var emailAddress = regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`)

// emailSettings fills a team email channel's settings: the address (or a generated forwarding
// address), from name, from address, signature (sanitized: links and images allowed, scripts
// and event handlers never) and the forwarded-mail toggle (on by default).
func (a *api) emailSettings(ch *inbox.Channel, e *emailInput, creating bool) error {
	if e == nil {
		if creating {
			return inbox.Errorf(inbox.EInvalid, "email settings are required for an email channel")
		}
		return nil
	}
	if creating {
		cfg := &inbox.EmailConfig{FromNameMode: inbox.FromNameAgentAndCompany, ForwardedToOriginalSender: true}
		address := strings.ToLower(strings.TrimSpace(e.Address))
		if e.Forwarding != nil && *e.Forwarding {
			if a.InboundEmailDomain == "" {
				return inbox.Errorf(inbox.EInvalid, "this deployment has no inbound email domain for forwarding addresses")
			}
			cfg.Forwarding = true
			cfg.ForwardingAddress = "inbox-" + a.NewID()[:16] + "@" + a.InboundEmailDomain
			if address == "" {
				address = cfg.ForwardingAddress
			}
		}
		if !emailAddress.MatchString(address) {
			return inbox.Errorf(inbox.EInvalid, "email.address must be an email address, like support@example.com")
		}
		cfg.Address, cfg.FromAddress = address, address
		ch.Email = cfg
		ch.ProviderKey = address
		if cfg.Forwarding {
			// Mail arrives at the forwarding address; the team address is what customers see.
			ch.ProviderKey = cfg.ForwardingAddress
		}
	} else if e.Address != "" && !strings.EqualFold(e.Address, ch.Email.Address) {
		return inbox.Errorf(inbox.EInvalid, "email.address cannot change: disconnect the channel and connect the new one")
	}
	cfg := ch.Email
	switch e.FromNameMode {
	case "":
	case inbox.FromNameAgentAndCompany, inbox.FromNameCompany:
		cfg.FromNameMode = e.FromNameMode
	default:
		return inbox.Errorf(inbox.EInvalid, "email.fromNameMode must be agent_and_company or company")
	}
	if e.CompanyName != nil {
		if utf8.RuneCountInString(*e.CompanyName) > 100 {
			return inbox.Errorf(inbox.EInvalid, "email.companyName has at most 100 characters")
		}
		cfg.CompanyName = strings.TrimSpace(*e.CompanyName)
	}
	if e.FromAddress != "" {
		from := strings.ToLower(strings.TrimSpace(e.FromAddress))
		if !emailAddress.MatchString(from) {
			return inbox.Errorf(inbox.EInvalid, "email.fromAddress must be an email address")
		}
		cfg.FromAddress = from
	}
	if e.SignatureHTML != nil {
		if len(*e.SignatureHTML) > 32<<10 {
			return inbox.Errorf(inbox.EInvalid, "email.signatureHtml is larger than 32 KiB")
		}
		cfg.SignatureHTML = mail.SanitizeHTML(*e.SignatureHTML)
	}
	if e.ForwardedToOriginalSender != nil {
		cfg.ForwardedToOriginalSender = *e.ForwardedToOriginalSender
	}
	if cfg.FromNameMode == inbox.FromNameCompany && cfg.CompanyName == "" {
		return inbox.Errorf(inbox.EInvalid, "email.companyName is required when fromNameMode is company")
	}
	return nil
}

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
