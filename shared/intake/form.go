package intake

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channels/form"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

// FormRoutes are the routes the form handler serves.
var FormRoutes = []string{"GET /webhooks/form/{channelId}", "POST /webhooks/form/{channelId}", "POST /webhooks/form/{channelId}/uploads"}

// Form submissions: the largest body, how many a browser (one IP) may send per window and
// container, and the window in which the same answers count as the same submission.
const (
	MaxFormBody = 64 << 10
	FormsPerIP  = 10
	// UploadsPerIP is how many upload links one address gets per FormThrottleSpan.
	UploadsPerIP     = 20
	FormThrottleSpan = 10 * time.Minute
	FormDedupWindow  = 10 * time.Minute
)

// NewForm returns the handler of web form channels: GET /webhooks/form/{channelId} serves the
// form as a page (no JavaScript; what the embeddable snippet shows in an iframe) and POST takes a
// submission, as application/x-www-form-urlencoded (an HTML form: answered 303 to the form's
// redirect URL, or a thank-you page) or JSON (answered 202 JSON). Answers: 404 unknown channel;
// 400 naming each field in error (required, type, unknown field, consent); 401 a signature
// that does not verify (server-to-server submissions are signed like custom channels, and skip
// the browser checks); 413 body over MaxFormBody; 415 another content type; 429 too many
// submissions from one address; 503 when the queue refused. A filled honeypot is answered as a
// success and stored nowhere. Nothing is queued on a 4xx.
func NewForm(c Config) http.Handler {
	if c.NewID == nil {
		c.NewID = inbox.NewID
	}
	f := &forms{Config: c, submits: throttle{hits: map[string][]time.Time{}, limit: FormsPerIP},
		uploads: throttle{hits: map[string][]time.Time{}, limit: UploadsPerIP}}
	r := chi.NewRouter()
	r.Get(form.Kind.WebhookPath, f.page)
	r.Post(form.Kind.WebhookPath, f.submit)
	r.Post(form.Kind.WebhookPath+"/uploads", f.upload)
	return r
}

type forms struct {
	Config
	submits, uploads throttle
}

// throttle counts requests per address: at most limit per FormThrottleSpan. The count lives in
// the warm container: API Gateway's route throttling bounds the total, this bounds one browser.
type throttle struct {
	mu    sync.Mutex
	hits  map[string][]time.Time
	limit int
}

// allow counts a request of ip and reports whether it is within the limit.
func (t *throttle) allow(ip string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.hits) > 10000 {
		clear(t.hits)
	}
	recent := slices.DeleteFunc(t.hits[ip], func(h time.Time) bool { return now.Sub(h) >= FormThrottleSpan })
	if len(recent) >= t.limit {
		t.hits[ip] = recent
		return false
	}
	t.hits[ip] = append(recent, now)
	return true
}

// clientIP is the address of r's client (API Gateway's source IP, as the runtime adapter gives it).
func clientIP(r *http.Request) string {
	ip := r.RemoteAddr
	if host, _, ok := strings.Cut(ip, ":"); ok && strings.Count(ip, ":") == 1 {
		ip = host
	}
	return ip
}

func (f *forms) page(w http.ResponseWriter, r *http.Request) {
	ch, err := f.channel(r.Context(), chi.URLParam(r, "channelId"), inbox.ChannelForm)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	fields, err := form.FieldsOf(ch)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	_, _ = io.WriteString(w, formPage(ch.Name, r.URL.Path, fields, ch.Settings[form.SettingConsentText], ch.Settings[form.SettingPrivacyURL], ch.Settings[form.SettingLanguage]))
}

// formPage is the HTML of a form: every value escaped, written with a builder rather than
// html/template, whose reflection keeps every exported method of the binary alive (4 MB more
// in the function) and whose templates were parsed at every intake's cold start.
func formPage(name, action string, fields []form.Field, consent, privacy, lang string) string {
	esc := html.EscapeString
	var b strings.Builder
	// The page's own words are the product's, in the form's language (else the default).
	pageLang := i18n.Match(lang)
	tr := func(key string) string { return esc(i18n.T(pageLang, key)) }
	b.WriteString(`<!doctype html>
<html lang="` + esc(pageLang) + `"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>`)
	b.WriteString(esc(name))
	b.WriteString(`</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:36rem}label{display:block;margin:.8rem 0 .2rem}input,textarea,select{width:100%;padding:.4rem;box-sizing:border-box}input[type=checkbox]{width:auto}.hp{position:absolute;left:-10000px}button{margin-top:1rem;padding:.5rem 1.2rem}</style></head>
<body><form method="post" action="`)
	b.WriteString(esc(action))
	b.WriteString("\">\n")
	for _, f := range fields {
		id, n := esc("f-"+f.Name), esc(f.Name)
		req := ""
		if f.Required {
			req = " required"
		}
		b.WriteString(`<label for="` + id + `">` + esc(f.Label))
		if f.Required {
			b.WriteString(" *")
		}
		b.WriteString("</label>\n")
		switch f.Type {
		case "textarea":
			b.WriteString(`<textarea id="` + id + `" name="` + n + `" rows="5"` + req + "></textarea>\n")
		case "select":
			b.WriteString(`<select id="` + id + `" name="` + n + `"` + req + `><option value=""></option>`)
			for _, o := range f.Options {
				b.WriteString("<option>" + esc(o) + "</option>")
			}
			b.WriteString("</select>\n")
		case "file":
			// A file is uploaded before the submission (a link, a PUT, then its uploadId), which
			// takes a script: the page without JavaScript says so instead.
			b.WriteString(`<p id="` + id + `"><small>` + tr("form.page.files") + `</small></p>` + "\n")
			continue
		case "checkbox":
			b.WriteString(`<input type="checkbox" id="` + id + `" name="` + n + `" value="yes"` + req + ">\n")
		default:
			b.WriteString(`<input type="` + esc(f.Type) + `" id="` + id + `" name="` + n + `"` + req + ">\n")
		}
	}
	if lang != "" {
		// The page's language goes with the submission: the submitter's acknowledgement and
		// replies are in it.
		b.WriteString(`<input type="hidden" name="` + esc(form.LanguageField) + `" value="` + esc(lang) + `">` + "\n")
	}
	b.WriteString(`<div class="hp" aria-hidden="true"><label for="f-hp">` + tr("form.page.honeypot") + `</label><input id="f-hp" name="` + esc(form.Honeypot) + `" tabindex="-1" autocomplete="off"></div>` + "\n")
	if consent != "" {
		b.WriteString(`<label><input type="checkbox" name="` + esc(form.ConsentField) + `" value="yes" required> ` + esc(consent))
		// The channel's settings only take http(s) URLs; the check stays here so that the page
		// never links anything else, as html/template would not.
		if p := strings.ToLower(privacy); strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://") {
			b.WriteString(` (<a href="` + esc(privacy) + `" target="_blank" rel="noopener">` + tr("form.page.privacy") + `</a>)`)
		}
		b.WriteString("</label>")
	}
	b.WriteString("\n<button type=\"submit\">" + tr("form.page.send") + "</button></form></body></html>")
	return b.String()
}

// submission is a verified, checked submission.
type submission struct {
	answers map[string]string
	browser bool
}

func (f *forms) submit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ch, err := f.channel(ctx, chi.URLParam(r, "channelId"), inbox.ChannelForm)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	body, err := readLimited(w, r, MaxFormBody)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	now := f.Now()
	signed := r.Header.Get(stdwebhook.HeaderSignature) != ""
	if signed {
		secret := ch.Secrets[form.SecretSubmit]
		if secret == "" {
			f.fail(w, r, inbox.Errorf(inbox.EUnauthorized, "this form takes no signed submissions"))
			return
		}
		if _, _, err := stdwebhook.Verify(r.Header, body, []string{secret}, now); err != nil {
			f.fail(w, r, err)
			return
		}
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	answers := map[string]string{}
	switch mt {
	case "application/x-www-form-urlencoded":
		vs, err := url.ParseQuery(string(body))
		if err != nil {
			f.fail(w, r, inbox.Errorf(inbox.EInvalid, "the body is not a form"))
			return
		}
		for k, v := range vs {
			answers[k] = strings.Join(v, ", ")
		}
	case "application/json":
		var raw map[string]any
		if err := json.Unmarshal(body, &raw); err != nil {
			f.fail(w, r, inbox.Errorf(inbox.EInvalid, "the body is not a JSON object of answers"))
			return
		}
		for k, v := range raw {
			switch v := v.(type) {
			case string:
				answers[k] = v
			case bool:
				answers[k] = strconv.FormatBool(v)
			case float64:
				answers[k] = strconv.FormatFloat(v, 'f', -1, 64)
			case nil:
			default:
				f.fail(w, r, inbox.Errorf(inbox.EInvalid, "%s: must be a string, number or boolean", k))
				return
			}
		}
	default:
		w.Header().Set("Accept", "application/x-www-form-urlencoded, application/json")
		f.fail(w, r, inbox.Errorf(inbox.EInvalid, "the body must be application/x-www-form-urlencoded or application/json"))
		return
	}
	html := mt == "application/x-www-form-urlencoded"
	if !signed {
		if answers[form.Honeypot] != "" {
			// A bot: answered like a person, so that it learns nothing, and stored nowhere.
			f.Log.InfoContext(ctx, "form honeypot filled; dropped", "channel", ch.ID)
			f.done(w, ch, html, answers[form.LanguageField])
			return
		}
		if !f.submits.allow(clientIP(r), now) {
			w.Header().Set("Retry-After", strconv.Itoa(int(FormThrottleSpan.Seconds())))
			f.fail(w, r, inbox.Errorf(inbox.ETooMany, "too many submissions from this address: try again later"))
			return
		}
	}
	delete(answers, form.Honeypot)
	source := "api"
	if !signed {
		source = "browser " + r.Header.Get("Referer")
	}
	env, err := ParseForm(ch, answers, now, strings.TrimSpace(source))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	if env, err = f.files(ctx, ch, answers, env, now, strings.TrimSpace(source)); err != nil {
		f.fail(w, r, err)
		return
	}
	if err := f.enqueue(ctx, ch, env); err != nil {
		f.fail(w, r, err)
		return
	}
	f.done(w, ch, html, answers[form.LanguageField])
}

// done answers an accepted submission: 303 to the redirect URL or a thank-you page for an HTML
// form, 202 JSON otherwise. The thank-you page is in the submission's language (lang, the page's
// LanguageField), else the form's.
func (f *forms) done(w http.ResponseWriter, ch inbox.Channel, page bool, lang string) {
	thanks, redirect := ch.Settings[form.SettingThankYouText], ch.Settings[form.SettingRedirectURL]
	if !page {
		out := map[string]string{"status": "received"}
		if redirect != "" {
			out["redirectUrl"] = redirect
		} else {
			out["thankYouText"] = thanks
		}
		httpjson.Write(w, http.StatusAccepted, out)
		return
	}
	if redirect != "" {
		w.Header().Set("Location", redirect)
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	lang = i18n.Match(form.Language(ch, lang))
	_, _ = io.WriteString(w, `<!doctype html><html lang="`+lang+`"><head><meta charset="utf-8"><title>`+html.EscapeString(i18n.T(lang, "form.page.thanks"))+`</title></head>
<body style="font-family:system-ui,sans-serif;margin:1.5rem"><p>`+html.EscapeString(thanks)+`</p></body></html>`)
}

// FormConsent is how a submission's consent is stored (in the message's payload).
type FormConsent struct {
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
	Source string    `json:"source"`
}

// formPayload is the machine part of a submission's message.
type formPayload struct {
	Answers map[string]string `json:"answers"`
	Consent *FormConsent      `json:"consent,omitempty"`
}

// ParseForm checks the answers of a submission against the channel's fields and makes its
// envelope: the contact by the email field, one conversation per submission (its thread), the
// answers as "label: value" lines and as the payload, the consent with its text, time and
// source. The same answers within FormDedupWindow get the same message id (stored once). It
// returns an EInvalid error listing every field in error.
func ParseForm(ch inbox.Channel, answers map[string]string, now time.Time, source string) (inbox.Envelope, error) {
	return parseForm(ch, answers, nil, now, source)
}

// parseForm is ParseForm with the checked uploads of the file fields (by field name), which the
// envelope carries as attachments; a file field's answer is its upload id.
func parseForm(ch inbox.Channel, answers map[string]string, files map[string]inbox.Attachment, now time.Time, source string) (inbox.Envelope, error) {
	fields, err := form.FieldsOf(ch)
	if err != nil {
		return inbox.Envelope{}, err
	}
	var problems []string
	known := map[string]bool{form.ConsentField: true, form.LanguageField: true}
	var text strings.Builder
	var atts []inbox.Attachment
	clean := map[string]string{}
	for _, fd := range fields {
		known[fd.Name] = true
		v := strings.TrimSpace(answers[fd.Name])
		if msg := checkAnswer(fd, v); msg != "" {
			problems = append(problems, fd.Name+": "+msg)
			continue
		}
		if v == "" {
			continue
		}
		if fd.Type == form.TypeEmail {
			v = strings.ToLower(v)
		}
		clean[fd.Name] = v
		shown := v
		if fd.Type == form.TypeFile {
			shown = "(file)"
			if at, ok := files[fd.Name]; ok {
				shown = at.Name + " (attached)"
				atts = append(atts, at)
			}
		}
		text.WriteString(fd.Label + ": " + shown + "\n")
	}
	var unknown []string
	for k := range answers {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		problems = append(problems, k+": is not a field of this form")
	}
	p := formPayload{Answers: clean}
	if consent := ch.Settings[form.SettingConsentText]; consent != "" {
		switch strings.ToLower(strings.TrimSpace(answers[form.ConsentField])) {
		case "yes", "on", "true", "1":
			p.Consent = &FormConsent{Text: consent, At: now.UTC(), Source: source}
		default:
			problems = append(problems, form.ConsentField+": consent is required")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "%s", strings.Join(problems, "; "))
	}
	email := clean[ch.Settings[form.SettingEmailField]]
	sum := sha256.New()
	keys := make([]string, 0, len(clean))
	for k := range clean {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sum.Write([]byte(k + "\x00" + clean[k] + "\x00"))
	}
	sum.Write([]byte(strconv.FormatInt(now.Unix()/int64(FormDedupWindow.Seconds()), 10)))
	id := "form-" + hex.EncodeToString(sum.Sum(nil))[:32]
	payload, _ := json.Marshal(p)
	if p.Consent != nil {
		text.WriteString("Consent: " + p.Consent.Text + " (" + p.Consent.At.Format(time.RFC3339) + ")\n")
	}
	return inbox.Envelope{
		Kind: inbox.KindMessage, ProviderMessageID: id, Thread: id,
		From: inbox.Sender{Email: email, Name: nameOf(fields, clean), Language: form.Language(ch, answers[form.LanguageField])}, Subject: ch.Name,
		Text: strings.TrimRight(text.String(), "\n"), Payload: string(payload), ReceivedAt: now.UTC(),
		Attachments: atts,
	}, nil
}

// nameOf is the contact's name: the answer of a text field called name, full_name or fullName.
func nameOf(fields []form.Field, answers map[string]string) string {
	for _, fd := range fields {
		switch strings.ToLower(fd.Name) {
		case "name", "full_name", "fullname", "full-name":
			if r := []rune(answers[fd.Name]); len(r) > 0 {
				return string(r[:min(len(r), 200)])
			}
		}
	}
	return ""
}

// checkAnswer says what is wrong with answer v to field fd ("" when nothing).
func checkAnswer(fd form.Field, v string) string {
	if v == "" {
		if fd.Required {
			return "is required"
		}
		return ""
	}
	if utf8.RuneCountInString(v) > form.MaxValue {
		return "is too long"
	}
	switch fd.Type {
	case form.TypeEmail:
		if !isEmail(strings.ToLower(v)) {
			return "must be an email address"
		}
	case form.TypeNumber:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "must be a number"
		}
	case form.TypeURL:
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "must be an http(s) URL"
		}
	case form.TypeTel:
		if strings.Trim(v, "+0123456789 ()-.") != "" {
			return "must be a phone number"
		}
	case form.TypeCheckbox:
		switch strings.ToLower(v) {
		case "yes", "on", "true", "1", "no", "off", "false", "0":
		default:
			return "must be checked or not"
		}
	case form.TypeSelect:
		if !slices.Contains(fd.Options, v) {
			return "must be one of the options"
		}
	case form.TypeFile:
		if !inbox.ValidClientID(v) {
			return "must be the uploadId of a file uploaded for this field"
		}
	case form.TypeText:
		if strings.ContainsAny(v, "\r\n") {
			return "must be one line"
		}
	}
	return ""
}
