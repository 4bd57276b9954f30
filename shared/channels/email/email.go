// Package email is the team email channel kind: its settings (the team or a generated
// forwarding address, from name, signature), reply rules and threading by references. Mail is
// parsed and composed by package mail, received by intake's email handler and sent by emailsend.
package email

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
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
}

// settings fills a team email channel's settings: the address (or a generated forwarding
// address), from name, from address, signature (sanitized: links and images allowed, scripts
// and event handlers never) and the forwarded-mail toggle (on by default).
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
