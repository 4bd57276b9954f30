// Package httpapi is the agents' and admins' REST API (/v1): inboxes and channels for admins;
// conversations, their messages, replies, assignment and close/reopen for agents, and the file
// uploads that replies attach. Every call is scoped to the account in the caller's verified JWT
// claims; another account's ids answer 404.
// The OpenAPI description is openapi.yaml at the repository root.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/auth"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mail"
	"github.com/openinbox/inbox/shared/meta"
)

// MaxBody is the largest request body the API reads.
const MaxBody = 64 << 10

// MaxSMSText is the longest SMS reply Twilio accepts (1,600 characters).
const MaxSMSText = 1600

// Store is what the API needs from the database.
type Store interface {
	CreateInbox(ctx context.Context, ib inbox.Inbox) error
	GetInbox(ctx context.Context, acct, id string) (inbox.Inbox, error)
	ListInboxes(ctx context.Context, acct string) ([]inbox.Inbox, error)
	CreateChannel(ctx context.Context, ch inbox.Channel) error
	UpdateChannel(ctx context.Context, ch inbox.Channel) error
	DeleteChannel(ctx context.Context, acct, id string) error
	GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error)
	ListChannels(ctx context.Context, acct string) ([]inbox.Channel, error)
	GetConversation(ctx context.Context, acct, id string) (inbox.Conversation, error)
	ListConversations(ctx context.Context, acct string, f inbox.ConversationFilter) ([]inbox.Conversation, string, error)
	ListMessages(ctx context.Context, acct, convID string) ([]inbox.Message, error)
	AppendMessage(ctx context.Context, conv inbox.Conversation, m inbox.Message, providerID string) (bool, error)
	SetAssignee(ctx context.Context, acct, convID, assigneeID string) (inbox.Conversation, error)
	SetStatus(ctx context.Context, acct, convID string, status inbox.ConversationStatus) (inbox.Conversation, error)
	UpdateDelivery(ctx context.Context, acct, convID, msgID string, u inbox.DeliveryUpdate, now time.Time) (inbox.Message, bool, error)
}

// Publisher sends a body to the outbound FIFO queue.
type Publisher interface {
	Publish(ctx context.Context, group, dedup string, body []byte) error
}

// Blobs signs short-lived links to media copied into the bucket.
type Blobs interface {
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Files is Blobs that also stores and reads files: with it (s3store.Store is one), agents
// upload files (POST /v1/uploads) and attach them to replies by their uploadId.
type Files interface {
	Blobs
	Put(ctx context.Context, key, contentType string, body io.Reader, size int64) error
	Get(ctx context.Context, key string) (io.ReadCloser, int64, error)
}

// MediaLinkTTL is how long an attachment link handed to agents stays valid.
const MediaLinkTTL = 15 * time.Minute

// MaxUpload is the largest file an agent uploads (4 MiB): API Gateway hands Lambda binary bodies
// base64-encoded, within Lambda's 6 MB synchronous payload.
const MaxUpload = 4 << 20

// ReplyMediaTTL is how long the link to an uploaded file sent on SMS, Messenger or WhatsApp stays
// valid: the provider downloads the file from it when the reply is sent.
const ReplyMediaTTL = time.Hour

// Config holds the API's dependencies.
type Config struct {
	Store    Store
	Outbound Publisher
	// Blobs, when set, turns stored media into presigned links; when it is also Files, it
	// stores uploads (else uploading answers 503).
	Blobs Blobs
	Now   func() time.Time
	NewID func() string
	Log   *slog.Logger
	// PublicBaseURL is the scheme and host webhooks are called on; empty means
	// "https://" + the request's Host (API Gateway's own domain).
	PublicBaseURL string
	// People serves users, teams, routing rules, contact owners, tickets and the agent's queue;
	// Drainer assigns waiting conversations after changes that free someone. Both optional:
	// without People those endpoints answer 503.
	People  People
	Drainer Drainer
	// InboundEmailDomain is the deployment's SES receiving domain, where forwarding addresses
	// of email channels are made; empty disables forwarding channels.
	InboundEmailDomain string
}

type api struct{ Config }

// New returns the API's handler.
func New(c Config) http.Handler {
	a := &api{c}
	r := chi.NewRouter()
	r.Route("/v1", func(r chi.Router) {
		r.Get("/me", a.handle(a.me))
		r.Get("/inboxes", a.handle(a.listInboxes))
		r.Post("/inboxes", a.admin(a.createInbox))
		r.Get("/inboxes/{id}", a.handle(a.getInbox))
		r.Get("/channels", a.handle(a.listChannels))
		r.Post("/channels", a.admin(a.createChannel))
		r.Get("/channels/{id}", a.handle(a.getChannel))
		r.Patch("/channels/{id}", a.admin(a.patchChannel))
		r.Delete("/channels/{id}", a.admin(a.deleteChannel))
		r.Get("/channels/{id}/email-preview", a.handle(a.emailPreview))
		a.routes(r)
		r.Get("/conversations", a.handle(a.listConversations))
		r.Get("/conversations/{id}", a.handle(a.getConversation))
		r.Patch("/conversations/{id}", a.handle(a.patchConversation))
		r.Get("/conversations/{id}/messages", a.handle(a.listMessages))
		r.Post("/conversations/{id}/messages", a.handle(a.reply))
		r.Post("/uploads", a.handle(a.upload))
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		httpjson.Error(w, r, c.Log, inbox.Errorf(inbox.ENotFound, "no such endpoint"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		httpjson.Error(w, r, c.Log, inbox.Errorf(inbox.ENotFound, "no such endpoint"))
	})
	return r
}

// endpoint handles one call for an authenticated principal and returns the status and body.
type endpoint func(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error)

func (a *api) handle(e endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := auth.Principal(r)
		if err != nil {
			httpjson.Error(w, r, a.Log, err)
			return
		}
		status, body, err := e(r, w, p)
		if err != nil {
			httpjson.Error(w, r, a.Log.With("account", p.AccountID, "user", p.UserID), err)
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		httpjson.Write(w, status, body)
	}
}

func (a *api) admin(e endpoint) http.HandlerFunc {
	return a.handle(func(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
		if p.Role != inbox.RoleAdmin {
			return 0, nil, inbox.Errorf(inbox.EForbidden, "only admins can do this")
		}
		return e(r, w, p)
	})
}

func (a *api) baseURL(r *http.Request) string {
	if a.PublicBaseURL != "" {
		return strings.TrimRight(a.PublicBaseURL, "/")
	}
	return "https://" + r.Host
}

// list is the JSON shape of every collection.
type list[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next,omitempty"`
}

func (a *api) me(_ *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	return http.StatusOK, map[string]string{"accountId": p.AccountID, "userId": p.UserID, "role": string(p.Role)}, nil
}

// ---- inboxes

type inboxInput struct {
	Name string `json:"name"`
}

func (a *api) createInbox(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in inboxInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "name is required (at most 100 characters)")
	}
	ib := inbox.Inbox{AccountID: p.AccountID, ID: a.NewID(), Name: name, CreatedAt: a.Now().UTC()}
	if err := a.Store.CreateInbox(r.Context(), ib); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, ib, nil
}

func (a *api) getInbox(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ib, err := a.Store.GetInbox(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	return http.StatusOK, ib, err
}

func (a *api) listInboxes(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	items, err := a.Store.ListInboxes(r.Context(), p.AccountID)
	if items == nil {
		items = []inbox.Inbox{}
	}
	return http.StatusOK, list[inbox.Inbox]{Items: items}, err
}

// ---- channels

type twilioInput struct {
	AccountSID  string `json:"accountSid"`
	AuthToken   string `json:"authToken"`
	PhoneNumber string `json:"phoneNumber"`
}

type messengerInput struct {
	PageID          string `json:"pageId"`
	PageAccessToken string `json:"pageAccessToken"`
	AppSecret       string `json:"appSecret"`
	VerifyToken     string `json:"verifyToken"`
}

type whatsAppInput struct {
	WABAID        string `json:"wabaId"`
	PhoneNumberID string `json:"phoneNumberId"`
	DisplayNumber string `json:"displayNumber"`
	AccessToken   string `json:"accessToken"`
	AppSecret     string `json:"appSecret"`
	VerifyToken   string `json:"verifyToken"`
}

// emailInput connects or edits a team email channel. Address is the team address (its domain
// verified in SES) unless Forwarding asks for a generated forwarding address.
type emailInput struct {
	Address                   string  `json:"address"`
	Forwarding                *bool   `json:"forwarding"`
	FromNameMode              string  `json:"fromNameMode"`
	CompanyName               *string `json:"companyName"`
	FromAddress               string  `json:"fromAddress"`
	SignatureHTML             *string `json:"signatureHtml"`
	ForwardedToOriginalSender *bool   `json:"forwardedToOriginalSender"`
}

type channelInput struct {
	Type      inbox.ChannelType `json:"type"`
	InboxID   string            `json:"inboxId"`
	Name      string            `json:"name"`
	Twilio    *twilioInput      `json:"twilio"`
	Messenger *messengerInput   `json:"messenger"`
	WhatsApp  *whatsAppInput    `json:"whatsapp"`
	Email     *emailInput       `json:"email"`
}

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	twilioSID = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	metaID    = regexp.MustCompile(`^[0-9]{1,32}$`)
)

// channelView is a channel as the API shows it: settings, webhook URLs, never secrets.
type channelView struct {
	inbox.Channel
	WebhookURL        string `json:"webhookUrl,omitempty"`
	StatusCallbackURL string `json:"statusCallbackUrl,omitempty"`
}

func (a *api) view(r *http.Request, ch inbox.Channel) channelView {
	v := channelView{Channel: ch}
	switch ch.Type {
	case inbox.ChannelSMS:
		v.WebhookURL = a.baseURL(r) + "/webhooks/twilio/" + ch.ID
		v.StatusCallbackURL = v.WebhookURL + "/status"
	case inbox.ChannelMessenger:
		v.WebhookURL = a.baseURL(r) + "/webhooks/messenger/" + ch.ID
	case inbox.ChannelWhatsApp:
		v.WebhookURL = a.baseURL(r) + "/webhooks/whatsapp/" + ch.ID
	}
	return v
}

func required(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return inbox.Errorf(inbox.EInvalid, "%s is required", field)
	}
	if len(v) > 4096 {
		return inbox.Errorf(inbox.EInvalid, "%s is too long", field)
	}
	return nil
}

// settings fills ch's type-specific settings and secrets from in, for a new channel (all
// secrets required) or an edit (secrets left out are kept). Provider ids cannot change: a
// channel moves to another page or number by disconnecting and connecting again.
func (a *api) settings(ch *inbox.Channel, in channelInput, creating bool) error {
	if (in.Twilio != nil && ch.Type != inbox.ChannelSMS) || (in.Messenger != nil && ch.Type != inbox.ChannelMessenger) ||
		(in.WhatsApp != nil && ch.Type != inbox.ChannelWhatsApp) || (in.Email != nil && ch.Type != inbox.ChannelEmail) {
		return inbox.Errorf(inbox.EInvalid, "only the settings of the channel's own type (%s) can be given", ch.Type)
	}
	secret := func(name, field, v string) error {
		if v == "" && !creating {
			return nil
		}
		if err := required(field, v); err != nil {
			return err
		}
		ch.Secrets[name] = v
		return nil
	}
	keep := func(field, old, v string) error {
		if !creating && v != "" && v != old {
			return inbox.Errorf(inbox.EInvalid, "%s cannot change: disconnect the channel and connect the new one", field)
		}
		return nil
	}
	switch ch.Type {
	case inbox.ChannelSMS:
		t := in.Twilio
		if t == nil {
			if creating {
				return inbox.Errorf(inbox.EInvalid, "twilio settings are required for an sms channel")
			}
			return nil
		}
		if creating {
			if !twilioSID.MatchString(t.AccountSID) {
				return inbox.Errorf(inbox.EInvalid, "twilio.accountSid must be AC followed by 32 hex digits")
			}
			if !e164.MatchString(t.PhoneNumber) {
				return inbox.Errorf(inbox.EInvalid, "twilio.phoneNumber must be in E.164 form, like +14155550100")
			}
			ch.Twilio = &inbox.TwilioConfig{AccountSID: t.AccountSID, PhoneNumber: t.PhoneNumber}
			ch.ProviderKey = t.PhoneNumber
		}
		if err := keep("twilio.phoneNumber", ch.Twilio.PhoneNumber, t.PhoneNumber); err != nil {
			return err
		}
		if !creating && t.AccountSID != "" {
			if !twilioSID.MatchString(t.AccountSID) {
				return inbox.Errorf(inbox.EInvalid, "twilio.accountSid must be AC followed by 32 hex digits")
			}
			ch.Twilio.AccountSID = t.AccountSID
		}
		return secret(inbox.SecretTwilioAuthToken, "twilio.authToken", t.AuthToken)
	case inbox.ChannelMessenger:
		m := in.Messenger
		if m == nil {
			if creating {
				return inbox.Errorf(inbox.EInvalid, "messenger settings are required for a messenger channel")
			}
			return nil
		}
		if creating {
			if !metaID.MatchString(m.PageID) {
				return inbox.Errorf(inbox.EInvalid, "messenger.pageId must be the page's numeric id")
			}
			ch.Messenger = &inbox.MessengerConfig{PageID: m.PageID, VerifyToken: a.verifyToken(m.VerifyToken)}
			ch.ProviderKey = m.PageID
		}
		if err := keep("messenger.pageId", ch.Messenger.PageID, m.PageID); err != nil {
			return err
		}
		if !creating && m.VerifyToken != "" {
			ch.Messenger.VerifyToken = m.VerifyToken
		}
		if err := secret(inbox.SecretPageAccessToken, "messenger.pageAccessToken", m.PageAccessToken); err != nil {
			return err
		}
		return secret(inbox.SecretAppSecret, "messenger.appSecret", m.AppSecret)
	case inbox.ChannelWhatsApp:
		w := in.WhatsApp
		if w == nil {
			if creating {
				return inbox.Errorf(inbox.EInvalid, "whatsapp settings are required for a whatsapp channel")
			}
			return nil
		}
		if creating {
			if !metaID.MatchString(w.PhoneNumberID) {
				return inbox.Errorf(inbox.EInvalid, "whatsapp.phoneNumberId must be the number's numeric id")
			}
			if !metaID.MatchString(w.WABAID) {
				return inbox.Errorf(inbox.EInvalid, "whatsapp.wabaId must be the WhatsApp Business Account's numeric id")
			}
			if !e164.MatchString(w.DisplayNumber) {
				return inbox.Errorf(inbox.EInvalid, "whatsapp.displayNumber must be in E.164 form, like +14155550100")
			}
			ch.WhatsApp = &inbox.WhatsAppConfig{WABAID: w.WABAID, PhoneNumberID: w.PhoneNumberID, DisplayNumber: w.DisplayNumber, VerifyToken: a.verifyToken(w.VerifyToken)}
			ch.ProviderKey = w.PhoneNumberID
		}
		if err := keep("whatsapp.phoneNumberId", ch.WhatsApp.PhoneNumberID, w.PhoneNumberID); err != nil {
			return err
		}
		if err := keep("whatsapp.wabaId", ch.WhatsApp.WABAID, w.WABAID); err != nil {
			return err
		}
		if !creating {
			if w.VerifyToken != "" {
				ch.WhatsApp.VerifyToken = w.VerifyToken
			}
			if w.DisplayNumber != "" {
				if !e164.MatchString(w.DisplayNumber) {
					return inbox.Errorf(inbox.EInvalid, "whatsapp.displayNumber must be in E.164 form, like +14155550100")
				}
				ch.WhatsApp.DisplayNumber = w.DisplayNumber
			}
		}
		if err := secret(inbox.SecretAccessToken, "whatsapp.accessToken", w.AccessToken); err != nil {
			return err
		}
		return secret(inbox.SecretAppSecret, "whatsapp.appSecret", w.AppSecret)
	case inbox.ChannelEmail:
		return a.emailSettings(ch, in.Email, creating)
	}
	return inbox.Errorf(inbox.EInvalid, "type must be sms, messenger, whatsapp or email")
}

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

// agentNames are the caller's full, first and last names from the token's claims.
func agentNames(p inbox.Principal) (full, first, last string) {
	full, first, last = p.Name, p.GivenName, p.FamilyName
	if full == "" {
		full = strings.TrimSpace(first + " " + last)
	}
	if first == "" && full != "" {
		first, last, _ = strings.Cut(full, " ")
	}
	return full, first, last
}

// verifyToken keeps the admin's verify token or makes one: it only has to match what is pasted
// into Meta's dashboard.
func (a *api) verifyToken(given string) string {
	if given != "" {
		return given
	}
	return a.NewID()
}

func (a *api) checkInbox(ctx context.Context, acct, id string) error {
	if _, err := a.Store.GetInbox(ctx, acct, id); err != nil {
		if inbox.IsCode(err, inbox.ENotFound) || inbox.IsCode(err, inbox.EInvalid) {
			return inbox.Errorf(inbox.EInvalid, "inboxId does not name an inbox of this account")
		}
		return err
	}
	return nil
}

func (a *api) createChannel(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in channelInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ch := inbox.Channel{AccountID: p.AccountID, ID: a.NewID(), InboxID: in.InboxID, Type: in.Type,
		Secrets: map[string]string{}, CreatedAt: a.Now().UTC()}
	if err := a.settings(&ch, in, true); err != nil {
		return 0, nil, err
	}
	if err := a.checkInbox(r.Context(), p.AccountID, in.InboxID); err != nil {
		return 0, nil, err
	}
	ch.Name = strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(ch.Name) > 100 {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "name has at most 100 characters")
	}
	if ch.Name == "" {
		ch.Name = defaultName(ch)
	}
	if err := a.Store.CreateChannel(r.Context(), ch); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, a.view(r, ch), nil
}

func defaultName(ch inbox.Channel) string {
	switch {
	case ch.Twilio != nil:
		return "SMS " + ch.Twilio.PhoneNumber
	case ch.Messenger != nil:
		return "Messenger " + ch.Messenger.PageID
	case ch.WhatsApp != nil:
		return "WhatsApp " + ch.WhatsApp.DisplayNumber
	case ch.Email != nil:
		return "Email " + ch.Email.Address
	}
	return string(ch.Type)
}

func (a *api) patchChannel(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in channelInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	ch, err := a.Store.GetChannel(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	if in.Type != "" && in.Type != ch.Type {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "type cannot change")
	}
	if ch.Secrets == nil {
		ch.Secrets = map[string]string{}
	}
	if err := a.settings(&ch, in, false); err != nil {
		return 0, nil, err
	}
	if in.InboxID != "" && in.InboxID != ch.InboxID {
		if err := a.checkInbox(ctx, p.AccountID, in.InboxID); err != nil {
			return 0, nil, err
		}
		ch.InboxID = in.InboxID
	}
	if name := strings.TrimSpace(in.Name); name != "" {
		if utf8.RuneCountInString(name) > 100 {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "name has at most 100 characters")
		}
		ch.Name = name
	}
	if err := a.Store.UpdateChannel(ctx, ch); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a.view(r, ch), nil
}

func (a *api) deleteChannel(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	if err := a.Store.DeleteChannel(r.Context(), p.AccountID, chi.URLParam(r, "id")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (a *api) getChannel(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ch, err := a.Store.GetChannel(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a.view(r, ch), nil
}

func (a *api) listChannels(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	chs, err := a.Store.ListChannels(r.Context(), p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	out := list[channelView]{Items: make([]channelView, 0, len(chs))}
	for _, ch := range chs {
		out.Items = append(out.Items, a.view(r, ch))
	}
	return http.StatusOK, out, nil
}

// ---- conversations

type channelRef struct {
	ID   string            `json:"id"`
	Type inbox.ChannelType `json:"type"`
}

type contactRef struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// conversationView is the API's conversation shape.
type conversationView struct {
	ID            string                   `json:"id"`
	InboxID       string                   `json:"inboxId"`
	Status        inbox.ConversationStatus `json:"status"`
	Channel       channelRef               `json:"channel"`
	Contact       contactRef               `json:"contact"`
	Assignee      *string                  `json:"assignee"`
	LastMessageAt time.Time                `json:"lastMessageAt"`
	Preview       string                   `json:"preview"`
	Subject       string                   `json:"subject,omitempty"`
	TicketNotice  string                   `json:"ticketNotice,omitempty"`
	CreatedAt     time.Time                `json:"createdAt"`
	Version       int64                    `json:"version"`
}

func conversation(c inbox.Conversation) conversationView {
	v := conversationView{
		ID: c.ID, InboxID: c.InboxID, Status: c.Status,
		Channel:       channelRef{ID: c.ChannelID, Type: c.ChannelType},
		Contact:       contactRef{ID: c.ContactID, Name: c.ContactName, Phone: c.ContactPhone, Email: c.ContactEmail},
		LastMessageAt: c.LastMessageAt, Preview: c.Preview, Subject: c.Subject, TicketNotice: c.TicketNotice, CreatedAt: c.CreatedAt,
		Version: c.Version,
	}
	if c.AssigneeID != "" {
		v.Assignee = &c.AssigneeID
	}
	return v
}

func (a *api) listConversations(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	q := r.URL.Query()
	f := inbox.ConversationFilter{InboxID: q.Get("inboxId"), Status: inbox.ConversationStatus(q.Get("status")), Cursor: q.Get("cursor")}
	switch f.Status {
	case "", inbox.StatusOpen, inbox.StatusClosed, inbox.StatusSpam:
	default:
		return 0, nil, inbox.Errorf(inbox.EInvalid, "status must be open, closed or spam")
	}
	switch as := q.Get("assignee"); as {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		f.AssigneeID = p.UserID
	default:
		f.AssigneeID = as
	}
	if l := q.Get("limit"); l != "" {
		n, err := parseLimit(l)
		if err != nil {
			return 0, nil, err
		}
		f.Limit = n
	}
	items, next, err := a.Store.ListConversations(r.Context(), p.AccountID, f)
	if err != nil {
		return 0, nil, err
	}
	out := list[conversationView]{Items: make([]conversationView, 0, len(items))}
	for _, c := range items {
		out.Items = append(out.Items, conversation(c))
	}
	if next != "" {
		out.Next = &next
	}
	return http.StatusOK, out, nil
}

func parseLimit(s string) (int, error) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1000 {
			return 0, inbox.Errorf(inbox.EInvalid, "limit must be a number from 1 to 100")
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > 100 {
		return 0, inbox.Errorf(inbox.EInvalid, "limit must be a number from 1 to 100")
	}
	return n, nil
}

func (a *api) getConversation(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	c, err := a.Store.GetConversation(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, conversation(c), nil
}

// patchInput changes status and/or assignee. "assignee": null unassigns; absent leaves it.
type patchInput struct {
	Status   *inbox.ConversationStatus `json:"status"`
	Assignee json.RawMessage           `json:"assignee"`
}

func (a *api) patchConversation(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in patchInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	id := chi.URLParam(r, "id")
	ctx := r.Context()
	c, err := a.Store.GetConversation(ctx, p.AccountID, id)
	if err != nil {
		return 0, nil, err
	}
	// Validate everything before changing anything.
	var user *string
	if in.Assignee != nil {
		var as *string
		if err := json.Unmarshal(in.Assignee, &as); err != nil {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "assignee must be a user id or null")
		}
		u := ""
		if as != nil {
			u = strings.TrimSpace(*as)
			if u == "" || len(u) > 128 {
				return 0, nil, inbox.Errorf(inbox.EInvalid, "assignee must be a user id or null")
			}
		}
		user = &u
	}
	if in.Status != nil && *in.Status != inbox.StatusOpen && *in.Status != inbox.StatusClosed {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "status must be open or closed")
	}
	// Status first: reopening can be refused (409), and then nothing has changed.
	if in.Status != nil {
		if c, err = a.Store.SetStatus(ctx, p.AccountID, id, *in.Status); err != nil {
			return 0, nil, err
		}
	}
	if user != nil {
		if c, err = a.Store.SetAssignee(ctx, p.AccountID, id, *user); err != nil {
			return 0, nil, err
		}
	}
	// Closing or handing over frees capacity: waiting conversations may now find someone.
	a.drain(ctx, p.AccountID)
	return http.StatusOK, conversation(c), nil
}

// messageView is the API's message shape.
type messageView struct {
	ID          string               `json:"id"`
	Direction   inbox.Direction      `json:"direction"`
	Text        string               `json:"text"`
	Attachments []inbox.Attachment   `json:"attachments"`
	CreatedAt   time.Time            `json:"createdAt"`
	Status      inbox.MessageStatus  `json:"status"`
	AuthorID    string               `json:"authorId,omitempty"`
	Error       *inbox.ProviderError `json:"error,omitempty"`
	Payload     string               `json:"payload,omitempty"`
	ReplyTo     string               `json:"replyTo,omitempty"`
	Reaction    *string              `json:"reaction,omitempty"`
	Template    *inbox.Template      `json:"template,omitempty"`
	Subject     string               `json:"subject,omitempty"`
	HTML        string               `json:"html,omitempty"`
	Flags       []string             `json:"flags,omitempty"`
}

func message(m inbox.Message) messageView {
	v := messageView{ID: m.ID, Direction: m.Direction, Text: m.Text, Attachments: m.Attachments,
		CreatedAt: m.CreatedAt, Status: m.Status, AuthorID: m.AuthorID, Error: m.Error,
		Payload: m.Payload, ReplyTo: m.ReplyTo, Reaction: m.Reaction, Template: m.Template,
		Subject: m.Subject, HTML: m.HTML, Flags: m.Flags}
	if v.Attachments == nil {
		v.Attachments = []inbox.Attachment{}
	}
	return v
}

func (a *api) listMessages(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ms, err := a.Store.ListMessages(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	out := list[messageView]{Items: make([]messageView, 0, len(ms))}
	for _, m := range ms {
		m.Attachments = a.links(r.Context(), m.Attachments)
		m.HTML = inlineImages(m.HTML, m.Attachments)
		out.Items = append(out.Items, message(m))
	}
	return http.StatusOK, out, nil
}

// inlineImages points the cid: images of an email's HTML at the short-lived links of the inline
// parts they name, so that agents see them; without a link the cid: source stays (a broken image,
// never a fetch elsewhere).
func inlineImages(html string, as []inbox.Attachment) string {
	if html == "" || !strings.Contains(html, "cid:") {
		return html
	}
	var pairs []string
	for _, at := range as {
		if strings.HasPrefix(at.Data, "cid:") && at.URL != "" {
			// Both the sanitizer's quoting and the URL's escaping are kept intact by replacing
			// the whole attribute value.
			pairs = append(pairs, `src="`+at.Data+`"`, `src="`+strings.ReplaceAll(at.URL, "&", "&amp;")+`"`)
		}
	}
	if len(pairs) == 0 {
		return html
	}
	return strings.NewReplacer(pairs...).Replace(html)
}

// replySubject is "Re: " and the thread's subject, once.
func replySubject(subject string) string {
	if subject == "" {
		return ""
	}
	lower := strings.ToLower(subject)
	if strings.HasPrefix(lower, "re:") || strings.HasPrefix(lower, "aw:") {
		return subject
	}
	return "Re: " + subject
}

// links replaces the URL of media copied into the bucket with a short-lived link; media not
// (yet) copied keeps the provider's URL, or none, and shows its mediaStatus.
func (a *api) links(ctx context.Context, as []inbox.Attachment) []inbox.Attachment {
	if len(as) == 0 {
		return as
	}
	out := make([]inbox.Attachment, len(as))
	for i, at := range as {
		if a.Blobs != nil && at.MediaStatus == inbox.MediaStored && at.StorageKey != "" {
			if u, err := a.Blobs.PresignGet(ctx, at.StorageKey, MediaLinkTTL); err == nil {
				at.URL = u
			} else {
				a.Log.WarnContext(ctx, "media link could not be signed", "err", err)
			}
		}
		at.StorageKey = ""
		out[i] = at
	}
	return out
}

// attachmentInput is a reply's file: at a URL, or uploaded (UploadID, see upload).
type attachmentInput struct {
	Type        inbox.AttachmentType `json:"type"`
	URL         string               `json:"url"`
	UploadID    string               `json:"uploadId"`
	ContentType string               `json:"contentType"`
	Name        string               `json:"name"`
}

type replyInput struct {
	Text        string            `json:"text"`
	HTML        string            `json:"html"`
	Attachments []attachmentInput `json:"attachments"`
	Template    *inbox.Template   `json:"template"`
}

// validate checks a reply against what the conversation's channel can send now: Messenger
// answers within 24 hours of the customer's last message, with the HUMAN_AGENT tag up to 7
// days, and not after; WhatsApp sends free-form messages only inside the 24-hour customer
// service window and approved templates at any time.
func (in replyInput) validate(c inbox.Conversation, now time.Time) error {
	text := strings.TrimSpace(in.Text)
	for _, at := range in.Attachments {
		u, err := url.Parse(at.URL)
		if at.UploadID == "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
			return inbox.Errorf(inbox.EInvalid, "attachments need an http(s) url or an uploadId")
		}
		switch at.Type {
		case inbox.AttachImage, inbox.AttachAudio, inbox.AttachVideo, inbox.AttachFile:
		default:
			return inbox.Errorf(inbox.EInvalid, "attachment type must be image, audio, video or file")
		}
	}
	if in.HTML != "" && c.ChannelType != inbox.ChannelEmail {
		return inbox.Errorf(inbox.EInvalid, "html is for email conversations")
	}
	switch c.ChannelType {
	case inbox.ChannelEmail:
		if in.Template != nil {
			return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
		}
		if text == "" && strings.TrimSpace(in.HTML) == "" {
			return inbox.Errorf(inbox.EInvalid, "text or html is required")
		}
		if c.ContactEmail == "" {
			return inbox.Errorf(inbox.EInvalid, "the contact has no email address")
		}
	case inbox.ChannelSMS:
		if in.Template != nil {
			return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
		}
		if text == "" && len(in.Attachments) == 0 {
			return inbox.Errorf(inbox.EInvalid, "text is required")
		}
		if utf8.RuneCountInString(in.Text) > MaxSMSText {
			return inbox.Errorf(inbox.EInvalid, "an SMS reply has at most %d characters", MaxSMSText)
		}
		if len(in.Attachments) > 10 {
			return inbox.Errorf(inbox.EInvalid, "an MMS carries at most 10 attachments")
		}
	case inbox.ChannelMessenger:
		if in.Template != nil {
			return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
		}
		if (text == "") == (len(in.Attachments) == 0) || len(in.Attachments) > 1 {
			return inbox.Errorf(inbox.EInvalid, "a Messenger reply is a text or one attachment: send them as separate messages")
		}
		if utf8.RuneCountInString(in.Text) > 2000 {
			return inbox.Errorf(inbox.EInvalid, "a Messenger text has at most 2000 characters")
		}
		if _, _, err := meta.MessengerPolicy(c.LastInboundAt, now); err != nil {
			return err
		}
	case inbox.ChannelWhatsApp:
		if in.Template != nil {
			if text != "" || len(in.Attachments) > 0 {
				return inbox.Errorf(inbox.EInvalid, "a template is sent on its own, without text or attachments")
			}
			if strings.TrimSpace(in.Template.Name) == "" || strings.TrimSpace(in.Template.Language) == "" {
				return inbox.Errorf(inbox.EInvalid, "template.name and template.language are required")
			}
			return nil
		}
		if text == "" && len(in.Attachments) == 0 {
			return inbox.Errorf(inbox.EInvalid, "text or an attachment is required")
		}
		if len(in.Attachments) > 1 {
			return inbox.Errorf(inbox.EInvalid, "a WhatsApp message carries one attachment; its text becomes the caption")
		}
		if len(in.Attachments) == 1 && in.Attachments[0].Type == inbox.AttachAudio && text != "" {
			return inbox.Errorf(inbox.EInvalid, "WhatsApp audio carries no caption: send the text as its own message")
		}
		if utf8.RuneCountInString(in.Text) > 4096 {
			return inbox.Errorf(inbox.EInvalid, "a WhatsApp text has at most 4096 characters")
		}
		if err := meta.WhatsAppFreeForm(c.LastInboundAt, now); err != nil {
			return err
		}
	}
	return nil
}

func (a *api) reply(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in replyInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	c, err := a.Store.GetConversation(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	now := a.Now().UTC()
	if err := a.uploaded(ctx, p.AccountID, in.Attachments); err != nil {
		return 0, nil, err
	}
	if err := in.validate(c, now); err != nil {
		return 0, nil, err
	}
	m := inbox.Message{
		AccountID: p.AccountID, ConversationID: c.ID, ID: inbox.MessageID(now, a.NewID()),
		Direction: inbox.DirectionOut, Text: in.Text, CreatedAt: now, UpdatedAt: now,
		Status: inbox.MessagePending, AuthorID: p.UserID, Template: in.Template,
		Subject: replySubject(c.Subject),
	}
	if in.HTML != "" {
		m.HTML = mail.SanitizeHTML(in.HTML)
	}
	m.AuthorName, _, _ = agentNames(p)
	for _, at := range in.Attachments {
		att := inbox.Attachment{Type: at.Type, URL: at.URL, ContentType: at.ContentType, Name: at.Name}
		if at.UploadID != "" {
			att.StorageKey, att.MediaStatus = uploadKey(p.AccountID, at.UploadID), inbox.MediaStored
			if c.ChannelType != inbox.ChannelEmail {
				// The providers download the file by URL; email attaches it from storage.
				if att.URL, err = a.Blobs.PresignGet(ctx, att.StorageKey, ReplyMediaTTL); err != nil {
					return 0, nil, err
				}
			}
		}
		m.Attachments = append(m.Attachments, att)
	}
	if _, err := a.Store.AppendMessage(ctx, c, m, ""); err != nil {
		return 0, nil, err
	}
	job := inbox.OutboundJob{V: 1, AccountID: p.AccountID, ConversationID: c.ID, MessageID: m.ID}
	body, _ := json.Marshal(job)
	if err := a.Outbound.Publish(ctx, job.GroupKey(), job.DedupKey(), body); err != nil {
		// The message is stored: mark it failed so the agent sees it and can send again.
		pe := &inbox.ProviderError{Code: "queue_unavailable", Message: "the reply could not be queued for sending"}
		if _, _, uerr := a.Store.UpdateDelivery(ctx, p.AccountID, c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageFailed, Error: pe}, now); uerr != nil {
			a.Log.ErrorContext(ctx, "could not mark unqueued reply failed", "messageId", m.ID, "err", uerr)
		}
		return 0, nil, err
	}
	m.Attachments = a.links(ctx, m.Attachments)
	return http.StatusAccepted, message(m), nil
}

// ---- uploads

// uploadIDs are the ids upload hands out (NewID's), checked before they become part of a key.
var uploadIDs = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// uploadKey is where the account's upload id is stored: under the account's prefix, so that an
// id of another account is not found.
func uploadKey(acct, id string) string { return "uploads/" + acct + "/" + id }

func (a *api) files() (Files, error) {
	if f, ok := a.Blobs.(Files); ok && f != nil {
		return f, nil
	}
	return nil, inbox.Errorf(inbox.EUnavailable, "file uploads are not available")
}

// uploadView is the answer to an upload.
type uploadView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

// upload stores the request body, a file of at most MaxUpload bytes whose media type is the
// Content-Type (application/octet-stream when absent), under the account's uploads; ?name= is
// its file name ("attachment" when absent). Replies then attach it by its id.
func (a *api) upload(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	files, err := a.files()
	if err != nil {
		return 0, nil, err
	}
	ct := "application/octet-stream"
	if h := strings.TrimSpace(r.Header.Get("Content-Type")); h != "" {
		mt, params, err := mime.ParseMediaType(h)
		if err != nil {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "the Content-Type header must be the file's media type")
		}
		ct = mime.FormatMediaType(mt, params)
	}
	name, err := fileName(r.URL.Query().Get("name"))
	if err != nil {
		return 0, nil, err
	}
	if r.ContentLength > MaxUpload {
		return 0, nil, inbox.Errorf(inbox.ETooLarge, "a file has at most %d bytes (4 MiB)", MaxUpload)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxUpload))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return 0, nil, inbox.Errorf(inbox.ETooLarge, "a file has at most %d bytes (4 MiB)", MaxUpload)
		}
		return 0, nil, inbox.Wrap(err, inbox.EInvalid, "the file could not be read")
	}
	if len(data) == 0 {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "the file is empty: send it as the request body")
	}
	ctx := r.Context()
	id := a.NewID()
	key := uploadKey(p.AccountID, id)
	if err := files.Put(ctx, key, ct, bytes.NewReader(data), int64(len(data))); err != nil {
		return 0, nil, err
	}
	link, err := files.PresignGet(ctx, key, MediaLinkTTL)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, uploadView{ID: id, Name: name, ContentType: ct, Size: int64(len(data)), URL: link}, nil
}

// fileName checks a file name given by an agent, keeping its last path element; "" becomes
// "attachment".
func fileName(name string) (string, error) {
	name = strings.TrimSpace(name[strings.LastIndexAny(name, `/\`)+1:])
	if name == "" {
		return "attachment", nil
	}
	if len(name) > 255 || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", inbox.Errorf(inbox.EInvalid, "name must be a file name of at most 255 bytes")
	}
	return name, nil
}

// uploaded completes the reply's uploaded attachments: it checks that each uploadId is one of
// the account's uploads and fills in the content type (sniffed from the file when not given),
// the type (from the content type when not given) and the name.
func (a *api) uploaded(ctx context.Context, acct string, ins []attachmentInput) error {
	for i := range ins {
		at := &ins[i]
		if at.UploadID == "" {
			continue
		}
		if at.URL != "" {
			return inbox.Errorf(inbox.EInvalid, "an attachment has a url or an uploadId, not both")
		}
		files, err := a.files()
		if err != nil {
			return err
		}
		if !uploadIDs.MatchString(at.UploadID) {
			return inbox.Errorf(inbox.EInvalid, "unknown upload %q", at.UploadID)
		}
		body, _, err := files.Get(ctx, uploadKey(acct, at.UploadID))
		if inbox.ErrorCodeOf(err) == inbox.ENotFound {
			return inbox.Errorf(inbox.EInvalid, "unknown upload %q", at.UploadID)
		}
		if err != nil {
			return err
		}
		if strings.TrimSpace(at.ContentType) == "" {
			head, _ := io.ReadAll(io.LimitReader(body, 512))
			at.ContentType = http.DetectContentType(head)
		}
		body.Close()
		if at.Type == "" {
			at.Type = inbox.AttachmentTypeOf(at.ContentType)
		}
		if at.Name, err = fileName(at.Name); err != nil {
			return err
		}
	}
	return nil
}
