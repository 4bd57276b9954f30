package localrun_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
)

// A WhatsApp channel's approved templates through the runner's API (GET
// /v1/channels/{id}/templates), read from a Graph API server answering as the WhatsApp Business
// Management API documents: the sendable ones in order (named-parameter and media-header ones
// left out), for agents too, read once a minute however often asked; another account's channel
// is 404, a Messenger channel 400, a malformed WABA id is refused when connecting (400, nothing
// stored), and Meta refusing (an unknown WABA id) answers a 502 JSON error quoting Meta.
func TestTemplatesEndToEnd(t *testing.T) {
	t.Parallel()
	var listed atomic.Int32
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer EAAGwatoken" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"AbC"}}`)
			return
		}
		switch r.URL.Path {
		case "/v21.0/102290129340398/message_templates":
			listed.Add(1)
			if r.URL.Query().Get("status") != "APPROVED" {
				t.Errorf("templates asked without status=APPROVED: %s", r.URL.RawQuery)
			}
			fmt.Fprint(w, `{"data":[
			  {"name":"shipping_update","parameter_format":"POSITIONAL","language":"en_US","status":"APPROVED","category":"UTILITY","id":"11",
			   "components":[{"type":"BODY","text":"Hi {{1}}, order {{2}} ships today.","example":{"body_text":[["Pablo","1042"]]}},{"type":"FOOTER","text":"Lucky Shrub"}]},
			  {"name":"appointment","parameter_format":"POSITIONAL","language":"en_US","status":"APPROVED","category":"UTILITY","id":"12",
			   "components":[{"type":"HEADER","format":"IMAGE","example":{"header_handle":["https://scontent.whatsapp.net/v/t61..."]}},{"type":"BODY","text":"See you at {{1}}."}]},
			  {"name":"reservation_confirmation","parameter_format":"NAMED","language":"en_US","status":"APPROVED","category":"UTILITY","id":"13",
			   "components":[{"type":"BODY","text":"Your reservation for {{number_of_guests}} is confirmed."}]},
			  {"name":"hello","parameter_format":"POSITIONAL","language":"da","status":"APPROVED","category":"MARKETING","id":"14",
			   "components":[{"type":"BODY","text":"Hej! Skriv til os, hvis du har spørgsmål."}]}
			],"paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"}}}`)
		case "/v21.0/404404404/message_templates":
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"message":"Unsupported get request. Object with ID '404404404' does not exist, cannot be loaded due to missing permissions, or does not support this operation.","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"AdE"}}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"message":"Unsupported request","type":"GraphMethodException","code":100}}`)
		}
	}))
	defer graph.Close()
	e := startSession(t, false, func(o *localrun.Options) { o.GraphAPIBase = graph.URL + "/v21.0" })
	c := e.c
	stamp := fmt.Sprint(time.Now().UnixNano())
	acct := "tpl-" + stamp
	admin, agent, rival := e.token(acct, "ada", "admin"), e.token(acct, "sam", "agent"), e.token("rival-"+stamp, "eve", "admin")
	var ib struct {
		ID string `json:"id"`
	}
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "WhatsApp"}).json(t, &ib)
	connect := func(waba, phone string) response {
		return c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "whatsapp", "inboxId": ib.ID, "whatsapp": map[string]string{
			"wabaId": waba, "phoneNumberId": phone, "displayNumber": "+15550783881", "accessToken": "EAAGwatoken", "appSecret": "app-secret-0123456789"}})
	}
	var wa, unknown struct {
		ID string `json:"id"`
	}
	res := connect("102290129340398", "7"+stamp[len(stamp)-14:])
	want(t, res, http.StatusCreated)
	res.json(t, &wa)
	res = connect("404404404", "8"+stamp[len(stamp)-14:])
	want(t, res, http.StatusCreated)
	res.json(t, &unknown)

	// A malformed WABA id is refused when connecting, naming the field, and nothing is stored.
	before := len(listOf[struct{ ID string }](c, "/v1/channels", admin))
	res = connect("waba-102290", "9"+stamp[len(stamp)-14:])
	want(t, res, http.StatusBadRequest)
	if !strings.Contains(string(res.body), "whatsapp.wabaId") {
		t.Fatalf("bad WABA id: %s", res.body)
	}
	if after := len(listOf[struct{ ID string }](c, "/v1/channels", admin)); after != before {
		t.Fatalf("a refused channel was stored: %d channels, were %d", after, before)
	}

	type template struct {
		Name       string `json:"name"`
		Language   string `json:"language"`
		Category   string `json:"category"`
		Body       string `json:"body"`
		Footer     string `json:"footer"`
		Parameters int    `json:"parameters"`
	}
	for _, tok := range []string{agent, admin, agent} {
		got := listOf[template](c, "/v1/channels/"+wa.ID+"/templates", tok)
		if len(got) != 2 || got[0].Name != "hello" || got[0].Language != "da" || got[0].Parameters != 0 ||
			got[1] != (template{Name: "shipping_update", Language: "en_US", Category: "UTILITY", Body: "Hi {{1}}, order {{2}} ships today.", Footer: "Lucky Shrub", Parameters: 2}) {
			t.Fatalf("templates = %+v", got)
		}
	}
	if n := listed.Load(); n != 1 {
		t.Fatalf("the Graph API was asked %d times for three listings within a minute", n)
	}

	want(t, c.api(http.MethodGet, "/v1/channels/"+wa.ID+"/templates", rival, nil), http.StatusNotFound)
	var ms struct {
		ID string `json:"id"`
	}
	res = c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "messenger", "inboxId": ib.ID,
		"messenger": map[string]string{"pageId": stamp[len(stamp)-15:], "pageAccessToken": "EAAGpage", "appSecret": "app-secret-0123456789"}})
	want(t, res, http.StatusCreated)
	res.json(t, &ms)
	want(t, c.api(http.MethodGet, "/v1/channels/"+ms.ID+"/templates", admin, nil), http.StatusBadRequest)

	res = c.api(http.MethodGet, "/v1/channels/"+unknown.ID+"/templates", admin, nil)
	want(t, res, http.StatusBadGateway)
	var fail struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	res.json(t, &fail)
	if fail.Error.Code != "upstream" || !strings.Contains(fail.Error.Message, "WhatsApp refused to list the templates (error 100): Unsupported get request") {
		t.Fatalf("Meta's refusal = %+v", fail)
	}
}
