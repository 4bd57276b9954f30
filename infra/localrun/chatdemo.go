package localrun

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/inbox"
)

// DemoChatChannel is the seeded website chat; ChatDemoPath the page of this runner that embeds
// it (?channel= embeds another chat channel, for tests).
const (
	DemoChatChannel = "demo-chat"
	ChatDemoPath    = "/_local/chat-demo"
)

func demoChat(now time.Time) inbox.Channel {
	ch := inbox.Channel{AccountID: DemoAccount, ID: DemoChatChannel, InboxID: demoInboxID, Type: inbox.ChannelChat,
		Name: "Demo Inc", Settings: map[string]string{}, Secrets: map[string]string{}, CreatedAt: now}
	env := channel.Env{Creating: true, Now: now, NewID: func() string { return randomHex(16) }}
	// An identity secret to sign identify() with (verification optional: anonymous visitors
	// chat too, and a wrong hash is refused either way).
	if err := chat.Kind.Settings(&ch, json.RawMessage(`{"welcomeMessage":"Hi! Ask us anything about your order.","newIdentitySecret":true}`), env); err != nil {
		panic(err)
	}
	return ch
}

func chatDemoChannel(base string, ch inbox.Channel) DemoChannel {
	return DemoChannel{ID: ch.ID, Type: ch.Type, EmbedCode: chat.Snippet(base, ch), DemoPageURL: base + ChatDemoPath,
		Secrets: map[string]string{chat.SecretIdentity: ch.Secrets[chat.SecretIdentity]},
		Curl:    "curl -sS '" + base + "/chat/" + ch.ID + "/config'",
		Try:     "Read the chat's settings and availability as the widget does (open " + base + ChatDemoPath + " to chat)"}
}

// chatDemoPage is a stand-in of a customer's site: a page with the chat's one-line snippet.
// ?lang= is the page's <html lang> (default en; "none" for none), ?widgetLang= the snippet's
// data-lang option.
func chatDemoPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("channel")
	if id == "" {
		id = DemoChatChannel
	}
	pageLang := ` lang="en"`
	switch l := q.Get("lang"); l {
	case "":
	case "none":
		pageLang = ""
	default:
		pageLang = ` lang="` + html.EscapeString(l) + `"`
	}
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	snippet := chat.Snippet(scheme+r.Host, inbox.Channel{ID: id})
	if l := q.Get("widgetLang"); l != "" {
		snippet = strings.Replace(snippet, " async>", ` data-lang="`+html.EscapeString(l)+`" async>`, 1)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html><html` + pageLang + `><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Demo shop</title><style>body{font-family:Georgia,serif;margin:3rem;max-width:40rem} *{color:#7a1f1f!important}</style></head>
<body><h1>Demo shop</h1><p>A page of a customer's site with the chat's snippet, the one line below, before &lt;/body&gt;:</p>
<pre>` + html.EscapeString(snippet) + `</pre>
` + snippet + `
</body></html>`))
}
