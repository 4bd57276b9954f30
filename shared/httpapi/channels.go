package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/htmlsafe"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

// channelInput connects or edits a channel: the common fields, and the settings objects by
// their field name ("twilio", "email"…), which the channel's kind reads.
type channelInput struct {
	Type     inbox.ChannelType
	InboxID  string
	Name     string
	Settings map[string]json.RawMessage
}

// decodeChannel reads a channel body: the common fields and the kinds' settings objects; any
// other field is refused like everywhere in the API.
func decodeChannel(w http.ResponseWriter, r *http.Request) (channelInput, error) {
	var fields map[string]json.RawMessage
	if err := httpjson.Decode(w, r, MaxBody, &fields); err != nil {
		return channelInput{}, err
	}
	in := channelInput{Settings: map[string]json.RawMessage{}}
	known := map[string]bool{}
	for _, k := range channels.All() {
		known[k.SettingsField] = true
	}
	for name, raw := range fields {
		var dst any
		switch name {
		case "type":
			dst = &in.Type
		case "inboxId":
			dst = &in.InboxID
		case "name":
			dst = &in.Name
		default:
			if !known[name] {
				return channelInput{}, inbox.Errorf(inbox.EInvalid, "the request body is not valid JSON for this endpoint: json: unknown field %q", name)
			}
			if string(raw) != "null" {
				in.Settings[name] = raw
			}
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return channelInput{}, inbox.Wrap(err, inbox.EInvalid, "the request body is not valid JSON for this endpoint: "+err.Error())
		}
	}
	return in, nil
}

// channelView is a channel as the API shows it: settings, webhook URLs, never secrets.
type channelView struct {
	inbox.Channel
	WebhookURL        string `json:"webhookUrl,omitempty"`
	StatusCallbackURL string `json:"statusCallbackUrl,omitempty"`
	// EmbedCode is what to paste into a website (chat: one <script> tag).
	EmbedCode string `json:"embedCode,omitempty"`
	// Revealed holds the secrets the channel's kind generated in this request (a custom
	// channel's signing secret): shown in this answer only.
	Revealed map[string]string `json:"secrets,omitempty"`
}

func (a *api) view(r *http.Request, ch inbox.Channel) channelView {
	v := channelView{Channel: ch}
	if k, ok := channels.Lookup(ch.Type); ok {
		v.WebhookURL = channel.WebhookURL(a.baseURL(r), k.WebhookPath, ch.ID)
		v.StatusCallbackURL = channel.WebhookURL(a.baseURL(r), k.StatusPath, ch.ID)
		if k.Embed != nil {
			v.EmbedCode = k.Embed(a.baseURL(r), ch)
		}
	}
	return v
}

// settings fills ch's type-specific settings and secrets from in, through the channel's kind,
// for a new channel (all secrets required) or an edit (secrets left out are kept).
func (a *api) settings(ch *inbox.Channel, in channelInput, creating bool) (revealed map[string]string, err error) {
	k, ok := channels.Lookup(ch.Type)
	if !ok {
		var types []string
		for _, k := range channels.All() {
			types = append(types, string(k.Type))
		}
		return nil, inbox.Errorf(inbox.EInvalid, "type must be %s or %s", strings.Join(types[:len(types)-1], ", "), types[len(types)-1])
	}
	for field := range in.Settings {
		if field != k.SettingsField {
			return nil, inbox.Errorf(inbox.EInvalid, "only the settings of the channel's own type (%s) can be given", ch.Type)
		}
	}
	env := channel.Env{Creating: creating, NewID: a.NewID, InboundEmailDomain: a.InboundEmailDomain, SanitizeHTML: htmlsafe.Sanitize,
		Now: a.Now(), Reveal: func(name, value string) {
			if revealed == nil {
				revealed = map[string]string{}
			}
			revealed[name] = value
		}}
	return revealed, k.Settings(ch, in.Settings[k.SettingsField], env)
}

func (a *api) createChannel(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	in, err := decodeChannel(w, r)
	if err != nil {
		return 0, nil, err
	}
	ch := inbox.Channel{AccountID: p.AccountID, ID: a.NewID(), InboxID: in.InboxID, Type: in.Type,
		Secrets: map[string]string{}, CreatedAt: a.Now().UTC()}
	revealed, err := a.settings(&ch, in, true)
	if err != nil {
		return 0, nil, err
	}
	if err := a.checkInbox(r.Context(), p.AccountID, in.InboxID); err != nil {
		return 0, nil, err
	}
	if ch.Routing != nil {
		// A kind that takes a ticket rule in its settings (forms): checked like PUT …/routing,
		// and written with the channel.
		if err := a.checkTickets(r.Context(), p.AccountID, "tickets", ch.Routing.Tickets); err != nil {
			return 0, nil, err
		}
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
	v := a.view(r, ch)
	v.Revealed = revealed
	return http.StatusCreated, v, nil
}

// defaultName is the kind's name for a channel the admin gave no name.
func defaultName(ch inbox.Channel) string {
	if k, ok := channels.Lookup(ch.Type); ok && k.DefaultName != nil {
		return k.DefaultName(ch)
	}
	return string(ch.Type)
}

func (a *api) patchChannel(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	in, err := decodeChannel(w, r)
	if err != nil {
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
	routing := ch.Routing
	revealed, err := a.settings(&ch, in, false)
	if err != nil {
		return 0, nil, err
	}
	// The kind changed the channel's rules (a form's ticket rule): checked like PUT …/routing,
	// and written as it writes them, since UpdateChannel keeps the stored ones.
	rulesChanged := ch.Routing != routing
	if rulesChanged && ch.Routing != nil {
		if err := a.checkTickets(ctx, p.AccountID, "tickets", ch.Routing.Tickets); err != nil {
			return 0, nil, err
		}
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
	if rulesChanged {
		if err := a.People.SetRoutingRules(ctx, p.AccountID, ch.ID, ch.Routing); err != nil {
			return 0, nil, err
		}
	}
	v := a.view(r, ch)
	v.Revealed = revealed
	return http.StatusOK, v, nil
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
