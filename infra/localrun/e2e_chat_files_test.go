package localrun_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/inbox"
)

// TestChatFilesEndToEnd is a visitor's attachment through the runner, checked against
// openapi.yaml: the config offers files, an upload link (presigned PUT into the media bucket),
// the file PUT to it, a send naming it → the agent API shows the message's file (name, size, a
// link that downloads); an agent's reply with an uploaded file → the visitor's history has both
// files as download links. Refused links and sends (a type not accepted, too large, another
// visitor's upload) are 4xx JSON and store nothing.
func TestChatFilesEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	api := "/chat/" + localrun.DemoChatChannel
	var cfg chatapi.ConfigView
	c.do(http.MethodGet, api+"/config", "", "", nil, nil).json(t, &cfg)
	if cfg.Files == nil || cfg.Files.MaxBytes != 10<<20 || cfg.Files.MaxFiles != 5 {
		t.Fatalf("config files %+v", cfg.Files)
	}
	visitor := func() string {
		var tok chatapi.TokenView
		c.do(http.MethodPost, api+"/visitors", "", "", nil, nil).json(t, &tok)
		return tok.Token
	}
	zoe, max := visitor(), visitor()
	upload := func(token, body string, status int) (tk struct {
		UploadID string            `json:"uploadId"`
		URL      string            `json:"url"`
		Headers  map[string]string `json:"headers"`
	}) {
		t.Helper()
		res := c.do(http.MethodPost, api+"/uploads", token, "application/json", []byte(body), nil)
		if res.status != status || (status >= 400 && !bytes.Contains(res.body, []byte(`"error"`))) {
			t.Fatalf("upload link %s: %d %s, want %d", body, res.status, res.body, status)
		}
		if status == http.StatusCreated {
			res.json(t, &tk)
		}
		return tk
	}
	put := func(url string, headers map[string]string, file []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PUT to the upload link: %d", res.StatusCode)
		}
	}
	get := func(url string) []byte {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("download: %d", res.StatusCode)
		}
		return b
	}
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 2000)...)
	mine := upload(zoe, fmt.Sprintf(`{"name":"receipt.pdf","contentType":"application/pdf","size":%d}`, len(pdf)), http.StatusCreated)
	put(mine.URL, mine.Headers, pdf)
	theirs := upload(max, `{"name":"x.png","contentType":"image/png","size":4}`, http.StatusCreated)
	put(theirs.URL, theirs.Headers, []byte("\x89PNG"))

	// Refused: nothing stored.
	upload(zoe, `{"name":"page.html","contentType":"text/html","size":10}`, http.StatusBadRequest)
	upload(zoe, `{"name":"big.pdf","contentType":"application/pdf","size":10485761}`, http.StatusRequestEntityTooLarge)
	upload("", `{"name":"a.pdf","contentType":"application/pdf","size":10}`, http.StatusUnauthorized)
	for _, body := range []string{
		`{"clientMessageId":"f1","text":"mine","attachments":["` + theirs.UploadID + `"]}`,
		`{"clientMessageId":"f2","text":"mine","attachments":["` + mine.UploadID + `","no-such-upload"]}`,
	} {
		if r := c.do(http.MethodPost, api+"/messages", zoe, "application/json", []byte(body), nil); r.status != http.StatusBadRequest || !bytes.Contains(r.body, []byte(`"error"`)) {
			t.Fatalf("send %s: %d %s", body, r.status, r.body)
		}
	}
	idle()
	var h chatapi.HistoryView
	c.do(http.MethodGet, api+"/messages", zoe, "", nil, nil).json(t, &h)
	if len(h.Items) != 0 {
		t.Fatalf("refused sends stored %+v", h.Items)
	}

	want(t, c.do(http.MethodPost, api+"/messages", zoe, "application/json",
		[]byte(`{"clientMessageId":"f3","text":"My receipt","attachments":["`+mine.UploadID+`"]}`), nil), http.StatusAccepted)
	idle()
	c.do(http.MethodGet, api+"/messages", zoe, "", nil, nil).json(t, &h)
	if len(h.Items) != 1 || h.ConversationID == "" {
		t.Fatalf("history %+v", h)
	}
	conv := h.ConversationID
	msgs := listOf[struct {
		Text        string             `json:"text"`
		Attachments []inbox.Attachment `json:"attachments"`
	}](c, "/v1/conversations/"+conv+"/messages", demo.Token)
	if len(msgs) != 1 || msgs[0].Text != "My receipt" || len(msgs[0].Attachments) != 1 {
		t.Fatalf("agent sees %+v", msgs)
	}
	at := msgs[0].Attachments[0]
	if at.Name != "receipt.pdf" || at.Size != int64(len(pdf)) || at.MediaStatus != inbox.MediaStored || at.StorageKey != "" || !bytes.Equal(get(at.URL), pdf) {
		t.Fatalf("agent's view of the file %+v", at)
	}

	// The agent replies with a file of their own: the visitor's history links both.
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 40)...)
	label := uploaded(t, c, demo.Token, "label.png", "image/png", png)
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", demo.Token, map[string]any{"text": "Here is your label",
		"attachments": []map[string]string{label}}), http.StatusAccepted)
	idle()
	c.do(http.MethodGet, api+"/messages", zoe, "", nil, nil).json(t, &h)
	if len(h.Items) != 2 || len(h.Items[0].Attachments) != 1 || len(h.Items[1].Attachments) != 1 {
		t.Fatalf("history %+v", h.Items)
	}
	if a := h.Items[0].Attachments[0]; a.Name != "receipt.pdf" || a.Size != int64(len(pdf)) || !bytes.Equal(get(a.URL), pdf) {
		t.Fatalf("the visitor's file %+v", a)
	}
	if a := h.Items[1].Attachments[0]; a.Name != "label.png" || a.ContentType != "image/png" || a.Size != int64(len(png)) || !bytes.Equal(get(a.URL), png) {
		t.Fatalf("the agent's file %+v", a)
	}
	// Max cannot read Zoe's conversation, nor its files.
	var other chatapi.HistoryView
	c.do(http.MethodGet, api+"/messages", max, "", nil, nil).json(t, &other)
	if len(other.Items) != 0 || strings.Contains(fmt.Sprint(other), "receipt") {
		t.Fatalf("another visitor's history %+v", other)
	}
}
