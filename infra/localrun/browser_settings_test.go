package localrun_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// appAs opens the app in chromium on the runner and signs in as user (a local sign-in user),
// with every wait bounded; a script error in the page fails the test when it ends.
func appAs(t *testing.T, e *session, user string) context.Context {
	t.Helper()
	ctx := browser.New(t)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel)
	var mu sync.Mutex
	var errs []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if ex, ok := ev.(*runtime.EventExceptionThrown); ok {
			msg := ex.ExceptionDetails.Text
			if ex.ExceptionDetails.Exception != nil {
				msg += " " + ex.ExceptionDetails.Exception.Description
			}
			mu.Lock()
			errs = append(errs, msg)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) > 0 {
			t.Errorf("script errors: %q", errs)
		}
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(e.r.URL+"/app/")); err != nil {
		t.Fatal(err)
	}
	appWait(t, ctx, "the sign-in form", `document.querySelector('#signin-user option') !== null`)
	appEval(t, ctx, fmt.Sprintf(`(document.getElementById('signin-user').value = %q, document.getElementById('signin-form').requestSubmit(), true)`, user))
	appWait(t, ctx, "the inbox", `!document.getElementById('app').hidden && document.querySelector('#views a[aria-current=page]') !== null`)
	return ctx
}

// appEval runs js in the page.
func appEval(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](js)); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
}

// appText is the text of the element with id.
func appText(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.getElementById(%q) || {}).textContent || ''`, id)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// An admin changes the demo SMS channel's routing rule in settings and it takes effect: the
// next SMS to the channel is assigned to the agent the rule now names. The same admin connects
// an SMS channel with a bad number and sees the API's message under that field (nothing is
// connected), renames the inbox, and adds a user on split shifts.
func TestSettingsInTheBrowser(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	// Kim exists once she has signed in once (the local sign-in creates the demo users).
	c.do(http.MethodPost, localrun.SignInPath, "", "application/json", []byte(`{"userId":"kim"}`), nil)
	ctx := appAs(t, e, "ada")
	appEval(t, ctx, `(location.hash = '#/settings', true)`)
	appWait(t, ctx, "the routing rules", `document.getElementById('route-demo-sms-kim') !== null`)

	// The routing rule: automatic, to Kim only.
	appEval(t, ctx, `(() => {
		document.getElementById('routing-demo-sms').open = true;
		document.getElementById('auto-demo-sms').checked = true;
		document.querySelectorAll('#rule-demo-sms input[id^="route-demo-sms-"]').forEach(b => b.checked = b.id === 'route-demo-sms-kim');
		document.getElementById('save-demo-sms').click();
	})()`)
	appWait(t, ctx, "the rule saved", `document.getElementById('saved-demo-sms').textContent !== '' && !document.getElementById('saved-demo-sms').classList.contains('error')`)
	sms := demoChannel(t, demo, inbox.ChannelSMS)
	want(t, c.sms(sms.WebhookURL, sms.Secrets["twilioAuthToken"], "+15557650001", sms.PhoneNumber, "Who takes this?", "SMsettings0000000000000000000000001", nil), http.StatusOK)
	e.idle()
	convs := c.conversations("/v1/conversations?assignee=kim", demo.Token)
	if len(convs.Items) != 1 || convs.Items[0].Contact.Phone != "+15557650001" {
		t.Fatalf("kim's conversations after the rule = %+v", convs.Items)
	}

	// Connecting an SMS channel with a bad number: the API's message under the number.
	appEval(t, ctx, `(() => {
		document.getElementById('channel-new').open = true;
		const v = (id, x) => { document.getElementById(id).value = x; };
		v('channel-new-sms-accountSid', 'AC`+strings.Repeat("0", 32)+`');
		v('channel-new-sms-authToken', 'secret');
		v('channel-new-sms-phoneNumber', '555-0100');
		document.getElementById('channel-new-sms-save').click();
	})()`)
	appWait(t, ctx, "the API's message under the number", `document.getElementById('channel-new-sms-phoneNumber-error').textContent.includes('twilio.phoneNumber must be in E.164 form')`)
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('channel-new-sms-phoneNumber').getAttribute('aria-invalid') + ' ' + document.activeElement.id`)); err != nil || got != "true channel-new-sms-phoneNumber" {
		t.Fatalf("the bad field is not marked and focused: %q %v", got, err)
	}
	if chs := listOf[struct{ ID string }](c, "/v1/channels", demo.Token); len(chs) != len(demo.Channels) {
		t.Fatalf("a refused channel was connected: %d channels, %d before", len(chs), len(demo.Channels))
	}

	// The chat channel's preview is the real widget, framed, with the channel's saved settings.
	appEval(t, ctx, `document.getElementById('channel-demo-chat').open = true`)
	appWait(t, ctx, "the chat widget in the preview", `(() => {
		const d = document.getElementById('chat-preview-demo-chat-frame').contentDocument;
		return d && d.getElementById('title') && d.getElementById('title').textContent === 'Demo Inc' && d.documentElement.dataset.state !== undefined;
	})()`)

	// Renaming the inbox.
	appEval(t, ctx, fmt.Sprintf(`(() => {
		document.getElementById('inbox-name-%[1]s').value = 'Front desk';
		document.getElementById('inbox-%[1]s').requestSubmit();
	})()`, demo.InboxID))
	appWait(t, ctx, "the inbox renamed", fmt.Sprintf(`document.getElementById('inbox-status-%s').textContent !== ''`, demo.InboxID))
	if ib := get[inbox.Inbox](c, "/v1/inboxes/"+demo.InboxID, demo.Token); ib.Name != "Front desk" {
		t.Fatalf("inbox = %+v", ib)
	}

	// A new user on split shifts (two ranges on Monday), capacity 3.
	appEval(t, ctx, `(() => {
		document.getElementById('user-new').open = true;
		const v = (id, x) => { document.getElementById(id).value = x; };
		v('user-new-id', 'lea'); v('user-new-name', 'Lea Split'); v('user-new-tz', 'Europe/Copenhagen');
		document.getElementById('user-new-seat').checked = true;
		document.getElementById('user-new-unlimited').click();
		v('user-new-capacity', '3');
		const add = document.getElementById('user-new-hours-add');
		add.click(); add.click();
		v('user-new-1-start', '08:00'); v('user-new-1-end', '12:00');
		v('user-new-2-start', '13:00'); v('user-new-2-end', '17:00');
		document.getElementById('user-new-save').click();
	})()`)
	appWait(t, ctx, "the new user's row", `document.getElementById('user-row-lea') !== null`)
	lea := get[inbox.User](c, "/v1/users/lea", demo.Token)
	if !lea.PaidSeat || lea.Capacity == nil || *lea.Capacity != 3 || lea.TimeZone != "Europe/Copenhagen" || len(lea.WorkingHours) != 2 ||
		lea.WorkingHours[0] != (inbox.WorkingHours{Day: time.Monday, Start: "08:00", End: "12:00"}) || lea.WorkingHours[1] != (inbox.WorkingHours{Day: time.Monday, Start: "13:00", End: "17:00"}) {
		t.Fatalf("lea = %+v", lea)
	}
	if s := appText(t, ctx, "seats"); !strings.Contains(s, "3") {
		t.Fatalf("seats line = %q", s)
	}
}

// An agent cannot open settings: the app refuses to draw them, and the API refuses an agent's
// change of a routing rule (403, nothing changed).
func TestSettingsRefusedToAgents(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	ctx := appAs(t, e, "sam")
	appEval(t, ctx, `(location.hash = '#/settings', true)`)
	appWait(t, ctx, "the refusal", `document.getElementById('settings-denied') !== null`)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#settings section, #settings form').length`)); err != nil || n != 0 {
		t.Fatalf("an agent sees %d settings sections (%v)", n, err)
	}
	sam := e.token(demo.AccountID, "sam", "agent")
	before := get[map[string]any](c, "/v1/channels/demo-sms", demo.Token)["routing"]
	want(t, c.api(http.MethodPut, "/v1/channels/demo-sms/routing", sam, map[string]any{"autoAssign": true, "target": "users_and_teams", "userIds": []string{"sam"}}), http.StatusForbidden)
	want(t, c.api(http.MethodPatch, "/v1/inboxes/"+demo.InboxID, sam, map[string]string{"name": "Mine"}), http.StatusForbidden)
	if after := get[map[string]any](c, "/v1/channels/demo-sms", demo.Token)["routing"]; fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("routing changed by an agent: %v → %v", before, after)
	}
}
