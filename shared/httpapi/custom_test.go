package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/channels/custom"
)

// TestCustomChannelThroughTheAPI connects a custom channel and checks what the integrator gets
// and what the admin can change: the ingest URL and the signing secret in the creation's answer
// only, the webhook URL and capabilities updated, a rotation that reveals a new secret and keeps
// the old one for the overlap, and refused edits that change nothing.
func TestCustomChannelThroughTheAPI(t *testing.T) {
	t.Parallel()
	api, st := channelAPI(t)
	code, out := callJSON(t, api, http.MethodPost, "/v1/channels",
		`{"type":"custom","inboxId":"ib1","name":"Telegram bridge","custom":{"webhookUrl":"https://bridge.example/hook","identifier":"id","agentsStart":true,"maxText":4000}}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, out)
	}
	id := out["id"].(string)
	secret, _ := out["secrets"].(map[string]any)[custom.SecretSigning].(string)
	if !strings.HasPrefix(secret, "whsec_") || st.channels[id].Secrets[custom.SecretSigning] != secret {
		t.Fatalf("creation's secret %q, stored %q", secret, st.channels[id].Secrets[custom.SecretSigning])
	}
	if got := out["webhookUrl"]; got != "https://"+host+"/webhooks/custom/"+id {
		t.Errorf("ingest URL %v", got)
	}
	settings := out["settings"].(map[string]any)
	if settings["webhookUrl"] != "https://bridge.example/hook" || settings["maxText"] != "4000" || settings["agentsStart"] != "true" || settings["threading"] != "identifier" {
		t.Errorf("settings %v", settings)
	}
	code, out = callJSON(t, api, http.MethodGet, "/v1/channels/"+id, "")
	if code != http.StatusOK || out["secrets"] != nil || strings.Contains(fmt.Sprint(out), secret) {
		t.Errorf("GET shows the secret: %v", out)
	}

	code, out = callJSON(t, api, http.MethodPatch, "/v1/channels/"+id, `{"custom":{"webhookUrl":"https://bridge.example/v2/hook"}}`)
	if code != http.StatusOK || out["settings"].(map[string]any)["webhookUrl"] != "https://bridge.example/v2/hook" || out["secrets"] != nil {
		t.Fatalf("update webhookUrl: %d %v", code, out)
	}

	code, out = callJSON(t, api, http.MethodPatch, "/v1/channels/"+id, `{"custom":{"rotateSecret":true,"rotationOverlapSeconds":3600}}`)
	if code != http.StatusOK {
		t.Fatalf("rotate: %d %v", code, out)
	}
	newer, _ := out["secrets"].(map[string]any)[custom.SecretSigning].(string)
	ch := st.channels[id]
	if newer == "" || newer == secret || ch.Secrets[custom.SecretSigning] != newer || ch.Secrets[custom.SecretPreviousSigning] != secret {
		t.Fatalf("rotation: revealed %q, stored %v", newer, ch.Secrets)
	}
	if until := out["settings"].(map[string]any)[custom.SettingPreviousUntil]; until != now.Add(3600e9).UTC().Format("2006-01-02T15:04:05Z07:00") {
		t.Errorf("overlap ends %v", until)
	}

	before := fmt.Sprint(st.channels[id])
	for _, body := range []string{
		`{"custom":{"webhookUrl":"ftp://bridge.example"}}`,
		`{"custom":{"identifier":"phone"}}`,
		`{"custom":{"maxText":0,"webhookUrl":"https://changed.example"}}`,
		`{"custom":{"attachmentTypes":["sticker"]}}`,
		`{"custom":{"rotationOverlapSeconds":60}}`,
		`{"custom":{"rotateSecret":true,"rotationOverlapSeconds":999999999}}`,
		`{"custom":{"colour":"red"}}`,
	} {
		if code, out := callJSON(t, api, http.MethodPatch, "/v1/channels/"+id, body); code != http.StatusBadRequest {
			t.Errorf("%s: %d %v, want 400", body, code, out)
		}
	}
	if after := fmt.Sprint(st.channels[id]); after != before {
		t.Errorf("refused edits changed the channel:\n%s\n%s", before, after)
	}
	for _, body := range []string{
		`{"type":"custom","inboxId":"ib1"}`,
		`{"type":"custom","inboxId":"ib1","custom":{}}`,
		`{"type":"custom","inboxId":"ib1","custom":{"webhookUrl":"https://x.example","rotateSecret":true}}`,
	} {
		if code, out := callJSON(t, api, http.MethodPost, "/v1/channels", body); code != http.StatusBadRequest {
			t.Errorf("%s: %d %v, want 400", body, code, out)
		}
	}
}
