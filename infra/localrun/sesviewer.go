package localrun

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
)

// SESViewerPath is where the runner serves the SES emulator's viewer of sent mail, so that it is
// reachable on the runner's own port like everything else: the viewer page at
// SESViewerPath and the sent mail as JSON at SESViewerPath + "store".
const SESViewerPath = "/_local/ses/"

// sesViewerPaths are the emulator's own routes that its viewer page calls from the browser.
var sesViewerPaths = []string{"/store", "/clear-store", "/get-emlContent"}

// sesViewer proxies SESViewerPath to the SES emulator at endpoint. The viewer page calls the
// emulator's routes by absolute path (fetch('/store')…), so those are rewritten to go through
// the proxy too.
func sesViewer(endpoint string) (http.Handler, error) {
	target, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	prefix := strings.TrimSuffix(SESViewerPath, "/")
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.URL.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(pr.In.URL.Path, prefix), "/")
			pr.Out.URL.RawPath = ""
			pr.Out.Host = target.Host
			// A plain body, so that the page can be rewritten.
			pr.Out.Header.Del("Accept-Encoding")
		},
		ModifyResponse: func(res *http.Response) error {
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				return nil
			}
			page, err := io.ReadAll(res.Body)
			_ = res.Body.Close()
			if err != nil {
				return err
			}
			for _, p := range sesViewerPaths {
				for _, q := range []string{`"`, `'`, "`"} {
					page = bytes.ReplaceAll(page, []byte(q+p), []byte(q+prefix+p))
				}
			}
			res.Body = io.NopCloser(bytes.NewReader(page))
			res.ContentLength = int64(len(page))
			res.Header.Set("Content-Length", strconv.Itoa(len(page)))
			return nil
		},
	}, nil
}
