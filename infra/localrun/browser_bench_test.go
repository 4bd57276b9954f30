package localrun_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// listReadyJS runs before the app's own scripts in every page: it signs the tab in (the token
// the app keeps in sessionStorage) and notes when the first conversation row is drawn, in
// milliseconds since navigation start (performance.now()).
const listReadyJS = `sessionStorage.setItem('inbox.token', %q);
new MutationObserver((_, o) => { if (document.querySelector('#conversations .row')) { window.listAt = performance.now(); o.disconnect(); } })
  .observe(document, { subtree: true, childList: true });`

// BenchmarkTimeToInteractiveList is the time from navigation start to the first rows of the
// list in chromium, for a signed-in agent opening the app on the runner with DynamoDB Local (as
// `make run`) and 20 open conversations, the browser's cache off (every visit is a first load).
// ms-to-list is the mean, ns/op the mean of opening a tab, loading and drawing. At most
// browserLoads loads whatever -benchtime asks (make bench asks 200 of everything; a load takes
// seconds on a busy machine).
func BenchmarkTimeToInteractiveList(b *testing.B) {
	e := startSession(b, false, nil)
	var demo localrun.Demo
	e.c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(b, &demo)
	sms := demoChannel(b, demo, inbox.ChannelSMS)
	for i := range 20 {
		want(b, e.c.sms(sms.WebhookURL, sms.Secrets["twilioAuthToken"], fmt.Sprintf("+1555000%04d", i), sms.PhoneNumber, "Hello", fmt.Sprintf("SMtti%030d", i), nil), http.StatusOK)
	}
	e.idle()
	bctx := browser.New(b)
	const browserLoads = 5
	var total float64
	n := min(b.N, browserLoads)
	b.ResetTimer()
	for range n {
		ctx, cancel := chromedp.NewContext(bctx)
		ctx, cancelT := context.WithTimeout(ctx, browserWait)
		err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, t, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fmt.Sprintf(listReadyJS, demo.Token)})
			return err
		}), chromedp.Navigate(e.r.URL+"/app/#/all"))
		var ms float64
		if err == nil {
			ms, err = chromedp.Run(ctx, chromedp.Poll[float64](`window.listAt`, chromedp.WithPollingInterval(20*time.Millisecond)))
		}
		cancelT()
		cancel()
		if err != nil {
			b.Fatalf("waiting for the list's rows: %v", err)
		}
		total += ms
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/op")
	b.ReportMetric(total/float64(n), "ms-to-list")
}
