package localrun_test

import (
	"net/http"
	"testing"

	"github.com/openinbox/inbox/infra/localrun"
)

// Unread per user on make run (DynamoDB Local): a new conversation is unread for everyone; Sam
// reading it leaves it unread for Kim; the contact's next message makes it unread for Sam again;
// marking unread sticks until he reads; lists and the conversation agree; other accounts' ids
// and bodies without read are refused, changing nothing.
func TestUnreadIsPerUser(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demo.Channels[0]
	sms := func(text, sid string) {
		t.Helper()
		want(t, c.sms(dc.WebhookURL, dc.Secrets["twilioAuthToken"], "+15550003333", dc.PhoneNumber, text, sid, nil), http.StatusOK)
		e.idle()
	}
	sms("First", "SMread0000000000000000000000000001")
	sam, kim := e.token(demo.AccountID, "sam", "agent"), e.token(demo.AccountID, "kim", "agent")
	conv := c.conversations("/v1/conversations?status=open", sam).Items[0].ID
	type view struct {
		ID     string `json:"id"`
		Unread bool   `json:"unread"`
	}
	unread := func(token string) (inList, inConv bool) {
		t.Helper()
		for _, v := range listOf[view](c, "/v1/conversations?status=open", token) {
			if v.ID == conv {
				inList = v.Unread
			}
		}
		return inList, get[view](c, "/v1/conversations/"+conv, token).Unread
	}
	check := func(who, token string, want bool) {
		t.Helper()
		if l, v := unread(token); l != want || v != want {
			t.Fatalf("%s: unread in list %v, in conversation %v; want %v", who, l, v, want)
		}
	}
	setRead := func(token string, read bool) view {
		t.Helper()
		var v view
		res := c.api(http.MethodPut, "/v1/conversations/"+conv+"/read", token, map[string]bool{"read": read})
		want(t, res, http.StatusOK)
		res.json(t, &v)
		return v
	}
	check("sam, new", sam, true)
	check("kim, new", kim, true)
	if v := setRead(sam, true); v.Unread {
		t.Fatalf("read answers %+v", v)
	}
	check("sam, read", sam, false)
	check("kim, not read", kim, true)
	sms("Second", "SMread0000000000000000000000000002")
	check("sam, after a new message", sam, true)
	setRead(sam, true)
	if v := setRead(sam, false); !v.Unread {
		t.Fatalf("marked unread answers %+v", v)
	}
	check("sam, marked unread", sam, true)
	setRead(kim, true)
	check("kim, read", kim, false)
	check("sam, still marked unread", sam, true)

	other := e.token("other-account", "olga", "admin")
	want(t, c.api(http.MethodPut, "/v1/conversations/"+conv+"/read", other, map[string]bool{"read": true}), http.StatusNotFound)
	want(t, c.do(http.MethodPut, "/v1/conversations/"+conv+"/read", sam, "application/json", []byte(`{}`), nil), http.StatusBadRequest)
	want(t, c.do(http.MethodPut, "/v1/conversations/"+conv+"/read", sam, "application/json", []byte(`{"read":"yes"}`), nil), http.StatusBadRequest)
	check("sam, after refusals", sam, true)
}
