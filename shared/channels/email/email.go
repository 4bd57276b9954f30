// Package email is the team email channel kind: its settings (the team or a generated
// forwarding address, from name, signature), reply rules and threading by references. Mail is
// parsed and composed by package mail, received by intake's email handler and sent by emailsend.
package email

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

// Kind is the email channel.
var Kind = channel.Kind{
	Type: inbox.ChannelEmail, Label: "email", SettingsField: "email",
	Settings:        settings,
	DefaultName:     func(ch inbox.Channel) string { return "Email " + ch.Email.Address },
	ProviderKeyName: "this email address",
	Reply:           reply,
	HTML:            true,
	AttachesFiles:   true,
	Threads:         channel.ThreadByReference,
	Sender:          channel.SenderSES,
	Preview:         preview,
}

// preview is the From name and address and the signature of a reply by agent on ch.
func preview(ch inbox.Channel, agent channel.Agent, env channel.Env) (channel.Preview, error) {
	if ch.Email == nil {
		return channel.Preview{}, inbox.Errorf(inbox.EInvalid, "the channel has no email settings")
	}
	return channel.Preview{
		FromName:      env.FromName(ch.Email.FromNameMode, agent.FullName, ch.Email.CompanyName),
		FromAddress:   ch.Email.FromAddress,
		SignatureHTML: env.RenderSignature(ch.Email.SignatureHTML, agent.FullName, agent.FirstName, agent.LastName),
	}, nil
}

// address is compiled on first use: every function links this package, few check addresses.
var address = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`)
})

// IsAddress reports whether s is a plain email address (local@domain.tld).
func IsAddress(s string) bool { return address().MatchString(s) }

// input connects or edits a team email channel. Address is the team address (its domain
// verified in SES) unless Forwarding asks for a generated forwarding address.
type input struct {
	Address                   string  `json:"address"`
	Forwarding                *bool   `json:"forwarding"`
	FromNameMode              string  `json:"fromNameMode"`
	CompanyName               *string `json:"companyName"`
	FromAddress               string  `json:"fromAddress"`
	SignatureHTML             *string `json:"signatureHtml"`
	ForwardedToOriginalSender *bool   `json:"forwardedToOriginalSender"`
	// Language is the channel's own language; Translations the signature in other languages
	// (a language given replaces that language's texts; null or {} removes them).
	Language     *string                      `json:"language"`
	Translations map[string]*inbox.EmailTexts `json:"translations"`
}

// settings fills a team email channel's settings: the address (or a generated forwarding
// address), from name, from address, signature (sanitized: links and images allowed, scripts
// and event handlers never), the forwarded-mail toggle (on by default), the channel's language
// and the signature in other languages (see languages).
func settings(ch *inbox.Channel, raw json.RawMessage, env channel.Env) error {
	if raw == nil {
		if env.Creating {
			return inbox.Errorf(inbox.EInvalid, "email settings are required for an email channel")
		}
		return nil
	}
	var e input
	if err := channel.Decode("email", raw, &e); err != nil {
		return err
	}
	if env.Creating {
		cfg := &inbox.EmailConfig{FromNameMode: inbox.FromNameAgentAndCompany, ForwardedToOriginalSender: true}
		addr := strings.ToLower(strings.TrimSpace(e.Address))
		if e.Forwarding != nil && *e.Forwarding {
			if env.InboundEmailDomain == "" {
				return inbox.Errorf(inbox.EInvalid, "this deployment has no inbound email domain for forwarding addresses")
			}
			cfg.Forwarding = true
			cfg.ForwardingAddress = "inbox-" + env.NewID()[:16] + "@" + env.InboundEmailDomain
			if addr == "" {
				addr = cfg.ForwardingAddress
			}
		}
		if !IsAddress(addr) {
			return inbox.Errorf(inbox.EInvalid, "email.address must be an email address, like support@example.com")
		}
		cfg.Address, cfg.FromAddress = addr, addr
		ch.Email = cfg
		ch.ProviderKey = addr
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
		if !IsAddress(from) {
			return inbox.Errorf(inbox.EInvalid, "email.fromAddress must be an email address")
		}
		cfg.FromAddress = from
	}
	if e.SignatureHTML != nil {
		if len(*e.SignatureHTML) > 32<<10 {
			return inbox.Errorf(inbox.EInvalid, "email.signatureHtml is larger than 32 KiB")
		}
		cfg.SignatureHTML = env.SanitizeHTML(*e.SignatureHTML)
	}
	if e.ForwardedToOriginalSender != nil {
		cfg.ForwardedToOriginalSender = *e.ForwardedToOriginalSender
	}
	if err := languages(cfg, e, env); err != nil {
		return err
	}
	if cfg.FromNameMode == inbox.FromNameCompany && cfg.CompanyName == "" {
		return inbox.Errorf(inbox.EInvalid, "email.companyName is required when fromNameMode is company")
	}
	return nil
}

func reply(c inbox.Conversation, r channel.Reply, _ time.Time) error {
	if r.Template != nil {
		return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
	}
	if channel.Blank(r.Text) && channel.Blank(r.HTML) {
		return inbox.Errorf(inbox.EInvalid, "text or html is required")
	}
	if c.ContactEmail == "" {
		return inbox.Errorf(inbox.EInvalid, "the contact has no email address")
	}
	return nil
}

// languages applies e's language and translations to cfg: a language the product speaks
// (i18n.Supported; blank: the default), and per language a signature sanitized like the
// channel's own. A language given replaces its texts; null, {} or a blank signature removes
// them. It returns an EInvalid error naming the field, before anything of cfg changed.
func languages(cfg *inbox.EmailConfig, e input, env channel.Env) error {
	speaks := strings.Join(i18n.Languages(), ", ")
	if e.Language != nil {
		if l := strings.TrimSpace(*e.Language); l != "" && !i18n.Supported(l) {
			return inbox.Errorf(inbox.EInvalid, "email.language must be one of %s", speaks)
		}
	}
	for _, lang := range slices.Sorted(maps.Keys(e.Translations)) {
		if !i18n.Supported(lang) {
			return inbox.Errorf(inbox.EInvalid, "email.translations.%s is not a language the product speaks (%s)", lang, speaks)
		}
		if t := e.Translations[lang]; t != nil && len(t.SignatureHTML) > 32<<10 {
			return inbox.Errorf(inbox.EInvalid, "email.translations.%s.signatureHtml is larger than 32 KiB", lang)
		}
	}
	if e.Language != nil {
		cfg.Language = strings.TrimSpace(*e.Language)
	}
	for lang, t := range e.Translations {
		sig := ""
		if t != nil && strings.TrimSpace(t.SignatureHTML) != "" {
			sig = strings.TrimSpace(env.SanitizeHTML(t.SignatureHTML))
		}
		if sig == "" {
			delete(cfg.Translations, lang)
			continue
		}
		if cfg.Translations == nil {
			cfg.Translations = map[string]inbox.EmailTexts{}
		}
		cfg.Translations[lang] = inbox.EmailTexts{SignatureHTML: sig}
	}
	if len(cfg.Translations) == 0 {
		cfg.Translations = nil
	}
	return nil
}
