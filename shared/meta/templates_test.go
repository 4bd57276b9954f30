package meta_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/meta"
)

// The first page follows the documented answer of GET /{WABA-ID}/message_templates
// (developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management/):
// Meta's own example (named parameters and an image header) cannot be sent by the inbox and is
// left out, as are a template whose URL button takes a parameter and a rejected one.
const templatesPage1 = `{
  "data": [
    {"name": "reservation_confirmation", "parameter_format": "NAMED", "components": [
      {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["https://scontent.whatsapp.net/v/t61..."]}},
      {"type": "BODY", "text": "*You're all set!*\n\nYour reservation for {{number_of_guests}} at Lucky Shrub Eatery on {{day}}, {{date}}, at {{time}}, is confirmed. See you then!",
       "example": {"body_text_named_params": [{"param_name": "number_of_guests", "example": "4"}]}},
      {"type": "FOOTER", "text": "Lucky Shrub Eatery: The Luckiest Eatery in Town!"},
      {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Change reservation", "url": "https://www.luckyshrubeater.com/reservations"}]}
    ], "language": "en_US", "status": "APPROVED", "category": "UTILITY", "id": "546151681022936"},
    {"name": "order_update", "parameter_format": "POSITIONAL", "components": [
      {"type": "HEADER", "format": "TEXT", "text": "Your order"},
      {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped.", "example": {"body_text": [["Pablo", "860198-230332"]]}},
      {"type": "FOOTER", "text": "Lucky Shrub"}
    ], "language": "en_US", "status": "APPROVED", "category": "UTILITY", "id": "1"},
    {"name": "track_parcel", "parameter_format": "POSITIONAL", "components": [
      {"type": "BODY", "text": "Your parcel is on its way."},
      {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Track", "url": "https://example.com/track/{{1}}"}]}
    ], "language": "en_US", "status": "APPROVED", "category": "UTILITY", "id": "2"},
    {"name": "old_offer", "components": [{"type": "BODY", "text": "50% off"}], "language": "en_US", "status": "REJECTED", "category": "MARKETING", "id": "3"}
  ],
  "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}, "next": "NEXT/102290129340398/message_templates?after=MjQZD"}
}`

const templatesPage2 = `{"data": [{"name": "order_update", "components": [{"type": "BODY", "text": "Hej {{1}}, din ordre {{2}} er sendt."}],
  "language": "da", "status": "APPROVED", "category": "UTILITY", "id": "4"}], "paging": {"cursors": {"before": "a", "after": "b"}}}`

func TestApprovedTemplates(t *testing.T) {
	t.Parallel()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer EAAtoken" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"Ax"}}`))
			return
		}
		switch {
		case r.URL.Path == "/v21.0/404404404/message_templates":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":{"message":"Unsupported get request. Object with ID '404404404' does not exist, cannot be loaded due to missing permissions, or does not support this operation.","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"Ay"}}`))
		case r.URL.Query().Get("after") == "MjQZD":
			_, _ = w.Write([]byte(templatesPage2))
		case r.URL.Path == "/v21.0/102290129340398/message_templates":
			q := r.URL.Query()
			if q.Get("status") != "APPROVED" || !strings.Contains(q.Get("fields"), "components") {
				t.Errorf("query = %s", r.URL.RawQuery)
			}
			_, _ = w.Write([]byte(strings.ReplaceAll(templatesPage1, "NEXT", srv.URL+"/v21.0")))
		default:
			t.Errorf("unexpected %s", r.URL)
		}
	}))
	defer srv.Close()
	c := meta.NewClient(srv.URL+"/v21.0", nil)
	ctx := context.Background()

	got, err := c.ApprovedTemplates(ctx, "102290129340398", "EAAtoken")
	if err != nil {
		t.Fatal(err)
	}
	want := []inbox.TemplateInfo{
		{Name: "order_update", Language: "en_US", Category: "UTILITY", Header: "Your order", Body: "Hi {{1}}, your order {{2}} has shipped.", Footer: "Lucky Shrub", Parameters: 2},
		{Name: "order_update", Language: "da", Category: "UTILITY", Body: "Hej {{1}}, din ordre {{2}} er sendt.", Parameters: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("templates = %+v", got)
	}

	for _, tc := range []struct {
		name, waba, token string
		code              inbox.ErrorCode
		says              string
	}{
		{"unknown WABA", "404404404", "EAAtoken", inbox.EUpstream, "(error 100): Unsupported get request"},
		{"expired token", "102290129340398", "EAAold", inbox.EUpstream, "(error 190): Invalid OAuth access token"},
		{"bad WABA id", "12ab", "EAAtoken", inbox.EInvalid, "wabaId"},
		{"no token", "102290129340398", "", inbox.EInvalid, "access token"},
	} {
		_, err := c.ApprovedTemplates(ctx, tc.waba, tc.token)
		if inbox.ErrorCodeOf(err) != tc.code || !strings.Contains(inbox.ErrorMessage(err), tc.says) {
			t.Errorf("%s: %v (%s)", tc.name, err, inbox.ErrorCodeOf(err))
		}
	}
	down := meta.NewClient("http://127.0.0.1:1/v21.0", nil)
	if _, err := down.ApprovedTemplates(ctx, "102290129340398", "EAAtoken"); inbox.ErrorCodeOf(err) != inbox.EUpstream || !strings.Contains(inbox.ErrorMessage(err), "could not be reached") {
		t.Errorf("unreachable: %v", err)
	}
}
