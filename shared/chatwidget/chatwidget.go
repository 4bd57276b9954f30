// Package chatwidget serves the website chat widget: the loader a site embeds with one
// <script> tag, the iframe page (framed only by the channel's allowed origins and the
// deployment itself), and the app's plain JavaScript and CSS, embedded in the binary (no build
// step).
package chatwidget

import (
	"context"
	"embed"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

//go:embed static
var static embed.FS

// Channels finds a chat channel by id.
type Channels interface {
	ChannelByID(ctx context.Context, id string) (inbox.Channel, error)
}

// Routes are the widget's routes.
var Routes = []string{"GET /chat/loader.js", "GET /chat/widget.js", "GET /chat/widget.css", "GET /chat/{channelId}/frame"}

// File returns an embedded file of the widget (loader.js, widget.js, widget.css), for sizes.
func File(name string) ([]byte, error) { return static.ReadFile("static/" + name) }

// New returns the widget's handler. liveURL is the live channel's WebSocket URL when it is on
// another host than the API (AWS's WebSocket API: wss://{id}.execute-api…/live), which the frame's
// CSP lets the widget connect to; empty: /ws on the API's own host. filesOrigin is where the
// widget PUTs visitors' files (the media bucket's presigned links: https://{bucket}.s3.{region}…,
// or the local runner's S3), which the CSP lets it connect to as well; empty: no uploads.
// appOrigins are the agents' web app's origins (another API than the widget's in AWS): they may
// frame the widget, like its own origin, and hand it a chat's unsaved settings to preview.
func New(chs Channels, liveURL, filesOrigin string, appOrigins []string) http.Handler {
	connect := "'self'"
	if u, err := url.Parse(liveURL); err == nil && (u.Scheme == "wss" || u.Scheme == "ws") && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}
	if u, err := url.Parse(filesOrigin); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}
	r := chi.NewRouter()
	for _, f := range []struct{ path, file, typ string }{
		{chat.LoaderPath, "loader.js", "text/javascript; charset=utf-8"},
		{"/chat/widget.js", "widget.js", "text/javascript; charset=utf-8"},
		{"/chat/widget.css", "widget.css", "text/css; charset=utf-8"},
	} {
		b, err := File(f.file)
		if err != nil {
			panic(err) // embedded at build time
		}
		r.Get(f.path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", f.typ)
			w.Header().Set("Cache-Control", "public, max-age=300")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			_, _ = w.Write(b)
		})
	}
	r.Get(chat.FramePath, func(w http.ResponseWriter, r *http.Request) { frame(w, r, chs, connect, appOrigins) })
	return r
}

// frame serves the iframe page. host (the embedding page's origin, where the app posts its
// events) must be the deployment itself (this origin or the agents' app's) or an allowed
// origin, and the page may be framed only by those (CSP frame-ancestors); only the
// deployment's pages may preview settings (data-preview). It may connect to its own origin and
// the live channel's (connect-src).
func frame(w http.ResponseWriter, r *http.Request, chs Channels, connect string, appOrigins []string) {
	id := chi.URLParam(r, "channelId")
	fail := func(err error) { httpjson.Error(w, r, slog.Default(), err) }
	if inbox.CheckID("channel id", id) != nil {
		fail(inbox.Errorf(inbox.ENotFound, "no such chat"))
		return
	}
	ch, err := chs.ChannelByID(r.Context(), id)
	if err == nil && ch.Type != inbox.ChannelChat {
		err = inbox.Errorf(inbox.ENotFound, "no such chat")
	}
	if err != nil {
		fail(err)
		return
	}
	set, err := chat.Of(ch)
	if err != nil {
		fail(err)
		return
	}
	host := r.URL.Query().Get("host")
	own := host == "http://"+r.Host || host == "https://"+r.Host || slices.Contains(appOrigins, host)
	if !own && !slices.Contains(set.AllowedOrigins, host) {
		fail(inbox.Errorf(inbox.EForbidden, "this site is not among the chat's allowed origins"))
		return
	}
	ancestors := append(append([]string{"'self'"}, appOrigins...), set.AllowedOrigins...)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src "+connect+"; img-src 'self' data:; frame-ancestors "+strings.Join(ancestors, " "))
	h.Set("Referrer-Policy", "no-referrer")
	esc := html.EscapeString
	// The page's words are English until the config (in the visitor's language) arrives: the
	// widget shows nothing before it, and then puts each data-t key's text in place.
	langs := r.URL.Query().Get("lang")
	if len(langs) > 256 {
		langs = langs[:256]
	}
	_, _ = w.Write([]byte(`<!doctype html><html lang="en" data-channel="` + esc(ch.ID) + `" data-host="` + esc(host) + `" data-preview="` + strconv.FormatBool(own) + `" data-langs="` + esc(langs) + `"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title data-t="widget.title">Chat</title><link rel="stylesheet" href="/chat/widget.css"></head><body>
<button id="launcher" class="launcher" type="button" aria-label="Open chat" data-t-label="widget.open" hidden><svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M4 4h16v12H7l-3 3z"/></svg><span id="badge" class="badge" hidden>0</span></button>
<section id="panel" class="panel" role="dialog" aria-labelledby="title" hidden>
<header><div class="people" id="people" aria-hidden="true"></div><div style="flex:1"><h1 id="title">Chat</h1><p id="status" aria-live="polite"></p></div><button id="close" class="x" type="button" aria-label="Close chat" data-t-label="widget.close">×</button></header>
<div id="log" class="log" role="log" aria-live="polite" aria-label="Conversation" data-t-label="widget.conversation"></div>
<div id="typing" class="typing" aria-live="polite"></div>
<div id="gate" class="gate" hidden><p id="consenttext"></p><a id="privacy" target="_blank" rel="noopener" data-t="widget.privacy" hidden>Privacy policy</a><button id="accept" class="accept" type="button" data-t="widget.accept">Accept and chat</button></div>
<form id="form" class="compose"><label id="emaillabel" for="email" class="sr" data-t="widget.email.label" hidden>Your email, to answer you by email</label><input id="email" type="email" placeholder="Your email (we answer there)" data-t-placeholder="widget.email.prompt" autocomplete="email" hidden>
<div id="files" class="files" role="list" aria-label="Files to send" data-t-label="widget.files.list" hidden></div><p id="fileerror" class="fileerror" role="alert" hidden></p>
<div class="row"><label for="text" class="sr" data-t="widget.message">Message</label><textarea id="text" placeholder="Write a message…" data-t-placeholder="widget.placeholder" maxlength="5000"></textarea><button id="attach" class="attach" type="button" aria-label="Attach a file" data-t-label="widget.files.attach" title="Attach a file" hidden><svg viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M20 11.5l-8 8a5 5 0 01-7-7l8.5-8.5a3.3 3.3 0 014.7 4.7L9.7 17.2a1.7 1.7 0 01-2.4-2.4L15 7"/></svg></button><input id="file" type="file" multiple hidden tabindex="-1" aria-hidden="true"><button class="send" type="submit" data-t="widget.send">Send</button></div></form>
</section><script src="/chat/widget.js"></script></body></html>`))
}
