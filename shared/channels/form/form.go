// Package form is the web form channel kind: a form on the team's website (or the page the
// deployment serves for it) whose submissions become conversations. Its settings are the
// fields (name, type, label, required), which field is the email address, where the browser goes
// after a submission (a redirect URL or an inline thank-you text), and optional consent text and
// privacy link, "create a ticket for each new submission" (the channel's ticket rule, the one
// PUT /v1/channels/{id}/routing sets; each submission is its own conversation, so each gets a
// ticket) and an optional acknowledgement email to the submitter (Kind.Acknowledge: the router
// queues it as the conversation's first reply). Replies go out by email, through the inbox's
// team email channel, and the customer's answers thread back. The page is embedded by the
// iframe of Kind.Embed. The intake is in package intake.
package form

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

// Public settings of a form channel, kept in inbox.Channel.Settings.
const (
	SettingFields       = "fields" // the fields, as JSON
	SettingEmailField   = "emailField"
	SettingRedirectURL  = "redirectUrl"
	SettingThankYouText = "thankYouText"
	SettingConsentText  = "consentText"
	SettingPrivacyURL   = "privacyUrl"
	// The acknowledgement email sent to the submitter: the team's subject and text (both set,
	// or neither: the product's own text in the submitter's language), whether one is sent at
	// all (SettingAck "on"; channels from before it have both texts set), and the team's texts
	// in other languages (JSON, language → Acknowledgement).
	SettingAckSubject      = "ackSubject"
	SettingAckText         = "ackText"
	SettingAck             = "ack"
	SettingAckTranslations = "ackTranslations"
	// SettingLanguage is the form's own language (a catalogue tag): its page's, and its
	// submitters' when a submission names none.
	SettingLanguage = "language"
)

// SecretSubmit is the optional secret that signs server-to-server submissions (Standard
// Webhooks, as custom channels); a signed submission skips the browser checks.
const SecretSubmit = "submitSecret"

// Field types.
const (
	TypeText     = "text"
	TypeTextarea = "textarea"
	TypeEmail    = "email"
	TypeTel      = "tel"
	TypeNumber   = "number"
	TypeURL      = "url"
	TypeCheckbox = "checkbox"
	TypeSelect   = "select"
	// TypeFile is a file the visitor uploads first (POST /webhooks/form/{channelId}/uploads
	// gives a presigned upload URL); the answer is the upload's id.
	TypeFile = "file"
)

var types = []string{TypeText, TypeTextarea, TypeEmail, TypeTel, TypeNumber, TypeURL, TypeCheckbox, TypeSelect, TypeFile}

// Limits of file fields: the default and largest size of one file, how many file fields a form
// has at most, and the media types accepted when a field names none.
const (
	DefaultFileBytes = 5 << 20
	MaxFileBytes     = 10 << 20
	MaxFileFields    = 5
)

// DefaultAccept are the media types a file field accepts when it names none: images, PDF and
// plain text, which open safely (files are downloaded as attachments, never shown as pages).
var DefaultAccept = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}

// validMediaType reports whether s is a lowercase media type "type/subtype" (the subtype may be
// "*"): each part a letter or digit then up to 63 of [a-z0-9!#$&^_.+-]. A loop, not a regexp,
// whose bounded repetition every function linking this package would compile at init.
func validMediaType(s string) bool {
	typ, sub, ok := strings.Cut(s, "/")
	return ok && mediaToken(typ) && (sub == "*" || mediaToken(sub))
}

func mediaToken(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("!#$&^_.+-", rune(c))) {
			return false
		}
	}
	return true
}

// Limits of a form.
const (
	MaxFields     = 30
	MaxValue      = 10000 // characters of one answer
	MaxLabel      = 200
	DefaultThanks = "Thank you! We received your message and will answer by email."
)

// Field is one field of a form.
type Field struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Label    string   `json:"label"`
	Required bool     `json:"required,omitempty"`
	Options  []string `json:"options,omitempty"`
	// MaxBytes is a file field's largest file (DefaultFileBytes when 0; at most MaxFileBytes).
	MaxBytes int64 `json:"maxBytes,omitempty"`
	// Accept are a file field's media types ("image/png", or "image/*"); DefaultAccept when
	// empty.
	Accept []string `json:"accept,omitempty"`
}

// FileLimit is the largest file field f takes.
func (f Field) FileLimit() int64 {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return DefaultFileBytes
}

// Accepts says whether file field f takes a file of media type contentType (parameters
// ignored, case-insensitive).
func (f Field) Accepts(contentType string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(contentType)), ";")
	mt = strings.TrimSpace(mt)
	accept := f.Accept
	if len(accept) == 0 {
		accept = DefaultAccept
	}
	for _, a := range accept {
		if a == mt || (strings.HasSuffix(a, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(a, "*")) && !strings.Contains(mt[len(a)-1:], "/")) {
			return validMediaType(mt)
		}
	}
	return false
}

// Kind is the web form channel.
var Kind = channel.Kind{
	Type: inbox.ChannelForm, Label: "Web form", SettingsField: "form",
	Settings:        settings,
	DefaultName:     func(ch inbox.Channel) string { return "Web form" },
	WebhookPath:     webhookPath,
	ProviderKeyName: "this form",
	Reply:           reply,
	HTML:            true,
	AttachesFiles:   true,
	EmailReplies:    true,
	Sender:          channel.SenderInboxEmail,
	Embed:           snippet,
	Acknowledge: func(ch inbox.Channel, lang string) (string, string, bool) {
		a, ok := AckIn(ch, lang)
		return a.Subject, a.Text, ok
	},
}

const webhookPath = "/webhooks/form/{channelId}"

// snippet is the iframe that shows the form's page (which needs no JavaScript) served from
// base, about as tall as its fields.
func snippet(base string, ch inbox.Channel) string {
	url := channel.WebhookURL(base, webhookPath, ch.ID)
	fields, _ := FieldsOf(ch)
	rem := 7
	for _, f := range fields {
		rem += 4
		if f.Type == TypeTextarea {
			rem += 5
		}
	}
	if ch.Settings[SettingConsentText] != "" {
		rem += 3
	}
	return `<iframe src="` + html.EscapeString(url) + `" title="` + html.EscapeString(ch.Name) +
		`" loading="lazy" style="width:100%;max-width:40rem;height:` + strconv.Itoa(rem) + `rem;border:0"></iframe>`
}

type input struct {
	Fields       []Field `json:"fields"`
	EmailField   string  `json:"emailField"`
	RedirectURL  *string `json:"redirectUrl"`
	ThankYouText *string `json:"thankYouText"`
	ConsentText  *string `json:"consentText"`
	PrivacyURL   *string `json:"privacyUrl"`
	// SubmitSecret, when true, makes a secret for signed server-to-server submissions.
	SubmitSecret bool `json:"submitSecret"`
	// Tickets is "create a ticket for each new submission": the channel's ticket rule
	// (inbox.RoutingRules.Tickets, the one PUT /v1/channels/{id}/routing sets), null to stop.
	Tickets json.RawMessage `json:"tickets"`
	// Acknowledgement is the email sent to the submitter, null to send none.
	Acknowledgement json.RawMessage `json:"acknowledgement"`
	// Language is the form's own language (blank: the product's default).
	Language *string `json:"language"`
}

// validFieldName reports whether s is a field name: a letter, then up to 63 letters, digits,
// '_' or '-' (^[a-zA-Z][a-zA-Z0-9_-]{0,63}$). A loop, not a regexp: the bounded repetition
// compiles to 64 copies of the class, work every function linking this package paid at init.
func validFieldName(s string) bool {
	if len(s) == 0 || len(s) > 64 || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !('0' <= c && c <= '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// Acknowledgement is the optional email a submitter gets: plain text, sent through the inbox's
// team email channel as the conversation's first reply, so that the customer's answer to it
// threads back.
type Acknowledgement struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Translations are the subject and text in other languages (input only: AckIn picks).
	Translations map[string]*Acknowledgement `json:"translations,omitempty"`
}

// Limits of the acknowledgement email.
const (
	MaxAckSubject = 200
	MaxAckText    = 5000
)

// Reserved field names: the honeypot and the consent box the page adds, and the page's
// language (the form's page sets it; a team's own page may send its <html lang>).
const (
	Honeypot      = "_hp"
	ConsentField  = "_consent"
	LanguageField = "_language"
)

func settings(ch *inbox.Channel, raw json.RawMessage, env channel.Env) error {
	if raw == nil {
		if env.Creating {
			return inbox.Errorf(inbox.EInvalid, "form settings are required for a form channel")
		}
		return nil
	}
	var in input
	if err := channel.Decode("form", raw, &in); err != nil {
		return err
	}
	s := map[string]string{}
	for k, v := range ch.Settings {
		s[k] = v
	}
	if env.Creating {
		ch.ProviderKey = ch.ID
		s[SettingThankYouText] = DefaultThanks
	}
	fields, _ := FieldsOf(inbox.Channel{Settings: s})
	if in.Fields != nil {
		if err := checkFields(in.Fields); err != nil {
			return err
		}
		fields = in.Fields
		b, _ := json.Marshal(fields)
		s[SettingFields] = string(b)
	}
	if env.Creating && len(fields) == 0 {
		return inbox.Errorf(inbox.EInvalid, "form.fields is required")
	}
	if in.EmailField != "" {
		s[SettingEmailField] = in.EmailField
	}
	emailField := s[SettingEmailField]
	i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == emailField })
	if i < 0 || fields[i].Type != TypeEmail || !fields[i].Required {
		return inbox.Errorf(inbox.EInvalid, "form.emailField must name a required field of type email: the contact is found by it and replies go there")
	}
	for _, u := range []struct {
		name string
		v    *string
	}{{SettingRedirectURL, in.RedirectURL}, {SettingPrivacyURL, in.PrivacyURL}} {
		if u.v == nil {
			continue
		}
		v := strings.TrimSpace(*u.v)
		if p, err := url.Parse(v); v != "" && (err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || len(v) > 2048) {
			return inbox.Errorf(inbox.EInvalid, "form.%s must be an http(s) URL", u.name)
		}
		s[u.name] = v
	}
	for _, t := range []struct {
		name string
		v    *string
		max  int
	}{{SettingThankYouText, in.ThankYouText, 1000}, {SettingConsentText, in.ConsentText, 2000}} {
		if t.v == nil {
			continue
		}
		v := strings.TrimSpace(*t.v)
		if utf8.RuneCountInString(v) > t.max {
			return inbox.Errorf(inbox.EInvalid, "form.%s has at most %d characters", t.name, t.max)
		}
		s[t.name] = v
	}
	if err := ackSettings(s, in.Acknowledgement); err != nil {
		return err
	}
	if in.Language != nil {
		l := strings.TrimSpace(*in.Language)
		if l != "" && !i18n.Supported(l) {
			return inbox.Errorf(inbox.EInvalid, "form.language must be one of %s", strings.Join(i18n.Languages(), ", "))
		}
		if s[SettingLanguage] = l; l == "" {
			delete(s, SettingLanguage)
		}
	}
	if err := ticketSettings(ch, in.Tickets); err != nil {
		return err
	}
	ch.Settings = s
	if in.SubmitSecret {
		key, err := hex.DecodeString(env.NewID() + env.NewID())
		if err != nil || len(key) < 24 {
			return inbox.Errorf(inbox.EInternal, "no random key for the submit secret")
		}
		ch.Secrets[SecretSubmit] = "whsec_" + base64.StdEncoding.EncodeToString(key)
		if env.Reveal != nil {
			env.Reveal(SecretSubmit, ch.Secrets[SecretSubmit])
		}
	}
	return nil
}

// ackSettings reads the acknowledgement input (nil: left as it is; null: none) into s: the
// team's subject and text (both, or neither for the product's own text), and per language
// (languages the product speaks) a subject and text, either of which may be left out.
func ackSettings(s map[string]string, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	if string(raw) == "null" {
		for _, k := range []string{SettingAckSubject, SettingAckText, SettingAck, SettingAckTranslations} {
			delete(s, k)
		}
		return nil
	}
	var a Acknowledgement
	if err := channel.Decode("form.acknowledgement", raw, &a); err != nil {
		return err
	}
	a.Subject, a.Text = strings.TrimSpace(a.Subject), strings.TrimSpace(a.Text)
	if (a.Subject == "") != (a.Text == "") {
		return inbox.Errorf(inbox.EInvalid, "form.acknowledgement: give both subject and text, or neither for the product's own text in the submitter's language")
	}
	if err := checkAck("form.acknowledgement", a, a.Subject != ""); err != nil {
		return err
	}
	tr := map[string]Acknowledgement{}
	for _, lang := range slices.Sorted(maps.Keys(a.Translations)) {
		if !i18n.Supported(lang) {
			return inbox.Errorf(inbox.EInvalid, "form.acknowledgement.translations.%s is not a language the product speaks (%s)", lang, strings.Join(i18n.Languages(), ", "))
		}
		t := a.Translations[lang]
		if t == nil {
			continue
		}
		t.Subject, t.Text = strings.TrimSpace(t.Subject), strings.TrimSpace(t.Text)
		if err := checkAck("form.acknowledgement.translations."+lang, *t, false); err != nil {
			return err
		}
		if len(t.Translations) > 0 {
			return inbox.Errorf(inbox.EInvalid, "form.acknowledgement.translations.%s cannot have translations", lang)
		}
		if t.Subject != "" || t.Text != "" {
			tr[lang] = Acknowledgement{Subject: t.Subject, Text: t.Text}
		}
	}
	s[SettingAck] = "on"
	s[SettingAckSubject], s[SettingAckText] = a.Subject, a.Text
	for k, v := range map[string]string{SettingAckSubject: a.Subject, SettingAckText: a.Text} {
		if v == "" {
			delete(s, k)
		}
	}
	delete(s, SettingAckTranslations)
	if len(tr) > 0 {
		b, _ := json.Marshal(tr)
		s[SettingAckTranslations] = string(b)
	}
	return nil
}

// checkAck checks the bounds of an acknowledgement's subject and text (required: both set).
func checkAck(field string, a Acknowledgement, required bool) error {
	if (required && a.Subject == "") || utf8.RuneCountInString(a.Subject) > MaxAckSubject || strings.ContainsAny(a.Subject, "\r\n") {
		return inbox.Errorf(inbox.EInvalid, "%s.subject: one line of at most %d characters", field, MaxAckSubject)
	}
	if (required && a.Text == "") || utf8.RuneCountInString(a.Text) > MaxAckText {
		return inbox.Errorf(inbox.EInvalid, "%s.text has at most %d characters", field, MaxAckText)
	}
	return nil
}

// AckOf returns the acknowledgement email of a form channel as the team wrote it (subject and
// text in the form's language, empty for the product's own; Translations by language), and
// false when it sends none.
func AckOf(ch inbox.Channel) (Acknowledgement, bool) {
	a := Acknowledgement{Subject: ch.Settings[SettingAckSubject], Text: ch.Settings[SettingAckText]}
	if raw := ch.Settings[SettingAckTranslations]; raw != "" {
		var tr map[string]Acknowledgement
		if json.Unmarshal([]byte(raw), &tr) == nil {
			a.Translations = map[string]*Acknowledgement{}
			for lang, t := range tr {
				a.Translations[lang] = &t
			}
		}
	}
	on := ch.Settings[SettingAck] == "on" || (a.Subject != "" && a.Text != "")
	return a, ch.Type == inbox.ChannelForm && on
}

// AckIn returns the acknowledgement a submitter reading lang gets (no Translations), and false
// when the form sends none: the team's subject and text in lang where it wrote them, else its
// own (in the form's language), else the product's own text from the catalogue in lang.
func AckIn(ch inbox.Channel, lang string) (Acknowledgement, bool) {
	a, ok := AckOf(ch)
	if !ok {
		return Acknowledgement{}, false
	}
	out := Acknowledgement{Subject: a.Subject, Text: a.Text}
	if t := a.Translations[lang]; t != nil {
		if t.Subject != "" {
			out.Subject = t.Subject
		}
		if t.Text != "" {
			out.Text = t.Text
		}
	}
	if out.Subject == "" {
		out.Subject = i18n.T(lang, "form.ack.subject")
	}
	if out.Text == "" {
		out.Text = i18n.T(lang, "form.ack.text")
	}
	return out, true
}

// Language is the language of a submission to form ch: the submission's own (its
// LanguageField, a page's lang like "da-DK") when the product speaks it, else the form's.
func Language(ch inbox.Channel, given string) string {
	if given != "" && len(given) <= 64 {
		if lang, ok := i18n.Pick(given); ok {
			return lang
		}
	}
	return ch.Settings[SettingLanguage]
}

// ticketSettings reads the tickets input (nil: left as it is; null: no ticket per submission)
// into the channel's ticket rule, keeping its assignment rules. The owner is checked against
// the account's users by the API, which sees the rule changed.
func ticketSettings(ch *inbox.Channel, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	none := inbox.RoutingRules{Target: inbox.TargetUsersAndTeams, OnlyAvailable: true}
	rules := none
	if ch.Routing != nil {
		rules = *ch.Routing
	}
	rules.Tickets = nil
	if string(raw) == "null" {
		if reflect.DeepEqual(rules, none) {
			ch.Routing = nil // nothing left of the rules
		} else {
			ch.Routing = &rules
		}
		return nil
	}
	{
		var t inbox.TicketSettings
		if err := channel.Decode("form.tickets", raw, &t); err != nil {
			return err
		}
		if err := t.Check("form.tickets"); err != nil {
			return err
		}
		rules.Tickets = &t
	}
	ch.Routing = &rules
	return nil
}

func checkFields(fields []Field) error {
	if len(fields) == 0 || len(fields) > MaxFields {
		return inbox.Errorf(inbox.EInvalid, "form.fields holds 1 to %d fields", MaxFields)
	}
	seen := map[string]bool{}
	files := 0
	for i, f := range fields {
		if !validFieldName(f.Name) || seen[f.Name] {
			return inbox.Errorf(inbox.EInvalid, "form.fields[%d].name must be unique, a letter then up to 63 letters, digits, _ or -", i)
		}
		seen[f.Name] = true
		if !slices.Contains(types, f.Type) {
			return inbox.Errorf(inbox.EInvalid, "form.fields[%d].type must be one of %s", i, strings.Join(types, ", "))
		}
		if channel.Blank(f.Label) || utf8.RuneCountInString(f.Label) > MaxLabel {
			return inbox.Errorf(inbox.EInvalid, "form.fields[%d].label is required (at most %d characters)", i, MaxLabel)
		}
		if (f.Type == TypeSelect) != (len(f.Options) > 0) || len(f.Options) > 50 {
			return inbox.Errorf(inbox.EInvalid, "form.fields[%d].options: 1 to 50 for a select, none otherwise", i)
		}
		if f.Type != TypeFile {
			if f.MaxBytes != 0 || f.Accept != nil {
				return inbox.Errorf(inbox.EInvalid, "form.fields[%d]: maxBytes and accept are for file fields", i)
			}
			continue
		}
		files++
		if f.MaxBytes < 0 || f.MaxBytes > MaxFileBytes {
			return inbox.Errorf(inbox.EInvalid, "form.fields[%d].maxBytes is 1 to %d (0 or absent: %d)", i, MaxFileBytes, DefaultFileBytes)
		}
		if len(f.Accept) > 20 {
			return inbox.Errorf(inbox.EInvalid, "form.fields[%d].accept has at most 20 media types", i)
		}
		for j, a := range f.Accept {
			if !validMediaType(a) || a == "*/*" {
				return inbox.Errorf(inbox.EInvalid, "form.fields[%d].accept[%d] must be a lowercase media type such as image/png or image/*", i, j)
			}
		}
	}
	if files > MaxFileFields {
		return inbox.Errorf(inbox.EInvalid, "form.fields has at most %d file fields", MaxFileFields)
	}
	return nil
}

// FieldsOf reads a form channel's fields. It returns an EInternal error when they are unreadable.
func FieldsOf(ch inbox.Channel) ([]Field, error) {
	if ch.Settings[SettingFields] == "" {
		return nil, nil
	}
	var fs []Field
	if err := json.Unmarshal([]byte(ch.Settings[SettingFields]), &fs); err != nil {
		return nil, inbox.Wrap(err, inbox.EInternal, "the form's fields are unreadable")
	}
	return fs, nil
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
