package localrun_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// TestFormFilesEndToEnd is a form's file field through the runner: an upload link for the
// field (presigned PUT into the media bucket), the file PUT to it, the submission naming the
// upload → the conversation's message carries the file as an attachment that downloads; bad
// uploads and submissions (another type, over maxBytes, not a file field, unknown or another
// field's upload) are 4xx JSON and store nothing.
func TestFormFilesEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	acct := "files-" + fmt.Sprint(time.Now().UnixNano())
	admin := e.token(acct, "ada", "admin")
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Jobs"}).json(t, &ib)
	var ch formChannel
	c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "form", "inboxId": ib.ID, "name": "Apply",
		"form": json.RawMessage(`{"fields":[{"name":"email","type":"email","label":"Email","required":true},
			{"name":"cv","type":"file","label":"Your CV","required":true,"maxBytes":2000,"accept":["application/pdf"]},
			{"name":"photo","type":"file","label":"Photo","accept":["image/*"]}],"emailField":"email"}`)}).json(t, &ch)
	uploads := ch.WebhookURL + "/uploads"
	ticket := func(body string, status int) (t2 struct {
		UploadID string            `json:"uploadId"`
		URL      string            `json:"url"`
		Headers  map[string]string `json:"headers"`
	}) {
		t.Helper()
		res := c.do(http.MethodPost, uploads, "", "application/json", []byte(body), nil)
		if res.status != status || (status >= 400 && !bytes.Contains(res.body, []byte(`"error"`))) {
			t.Fatalf("upload link %s: %d %s, want %d", body, res.status, res.body, status)
		}
		if status == http.StatusCreated {
			res.json(t, &t2)
		}
		return t2
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
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 500)...)
	cv := ticket(fmt.Sprintf(`{"field":"cv","name":"C:\\docs\\zoe-cv.pdf","contentType":"application/pdf","size":%d}`, len(pdf)), http.StatusCreated)
	put(cv.URL, cv.Headers, pdf)
	photo := ticket(`{"field":"photo","name":"me.png","contentType":"image/png","size":4}`, http.StatusCreated)
	put(photo.URL, photo.Headers, []byte("\x89PNG"))

	// Refused links and submissions: nothing stored.
	ticket(`{"field":"cv","name":"cv.exe","contentType":"application/x-msdownload","size":10}`, http.StatusBadRequest)
	ticket(`{"field":"cv","name":"cv.pdf","contentType":"application/pdf","size":2001}`, http.StatusRequestEntityTooLarge)
	ticket(`{"field":"email","name":"x.pdf","contentType":"application/pdf","size":10}`, http.StatusBadRequest)
	ticket(`{"field":"cv","name":"x.pdf","contentType":"application/pdf","size":0}`, http.StatusBadRequest)
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"email":"zoe@customer.example"}`, http.StatusBadRequest},
		{`{"email":"zoe@customer.example","cv":"no-such-upload"}`, http.StatusBadRequest},
		{`{"email":"zoe@customer.example","cv":"` + photo.UploadID + `"}`, http.StatusBadRequest},
		{`{"email":"zoe@customer.example","cv":"../` + cv.UploadID + `"}`, http.StatusBadRequest},
	} {
		res := c.do(http.MethodPost, ch.WebhookURL, "", "application/json", []byte(tc.body), nil)
		if res.status != tc.status || !bytes.Contains(res.body, []byte(`"error"`)) {
			t.Errorf("submission %s: %d %s, want %d", tc.body, res.status, res.body, tc.status)
		}
	}
	idle()
	if n := len(c.conversations("/v1/conversations?inboxId="+ib.ID, admin).Items); n != 0 {
		t.Fatalf("refused submissions opened %d conversations", n)
	}

	// The submission names both uploads: one message, two attachments that download.
	res := c.do(http.MethodPost, ch.WebhookURL, "", "application/json",
		[]byte(`{"email":"zoe@customer.example","cv":"`+cv.UploadID+`","photo":"`+photo.UploadID+`"}`), nil)
	want(t, res, http.StatusAccepted)
	idle()
	convs := c.conversations("/v1/conversations?inboxId="+ib.ID, admin).Items
	if len(convs) != 1 {
		t.Fatalf("%d conversations", len(convs))
	}
	msgs := listOf[struct {
		Text        string             `json:"text"`
		Attachments []inbox.Attachment `json:"attachments"`
	}](c, "/v1/conversations/"+convs[0].ID+"/messages", admin)
	if len(msgs) != 1 || len(msgs[0].Attachments) != 2 || !strings.Contains(msgs[0].Text, "Your CV: zoe-cv.pdf (attached)") {
		t.Fatalf("messages %+v", msgs)
	}
	at := msgs[0].Attachments[0]
	if at.Name != "zoe-cv.pdf" || at.ContentType != "application/pdf" || at.MediaStatus != inbox.MediaStored || at.URL == "" || at.StorageKey != "" {
		t.Fatalf("attachment %+v", at)
	}
	got, err := http.Get(at.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != http.StatusOK || !bytes.Equal(body, pdf) {
		t.Fatalf("download: %d, %d bytes", got.StatusCode, len(body))
	}
	if msgs[0].Attachments[1].Name != "me.png" || msgs[0].Attachments[1].Type != inbox.AttachmentTypeOf("image/png") {
		t.Errorf("photo %+v", msgs[0].Attachments[1])
	}
}
