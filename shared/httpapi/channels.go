package httpapi

import (
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

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

// verifyToken keeps the admin's verify token or makes one: it only has to match what is pasted
// into Meta's dashboard.
func (a *api) verifyToken(given string) string {
	if given != "" {
		return given
	}
	return a.NewID()
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
