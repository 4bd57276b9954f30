package media

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/openinbox/inbox/shared/inbox"
)

// HTTPSource downloads an attachment from its URL with a plain GET: Messenger's attachment CDN
// URLs, which need no credentials.
type HTTPSource struct {
	client   *http.Client
	maxBytes int64
}

// NewHTTPSource returns an HTTPSource that downloads through client (http.DefaultClient when
// nil; give one with a timeout) and refuses files larger than maxBytes (DefaultMaxBytes when ≤ 0).
func NewHTTPSource(client *http.Client, maxBytes int64) *HTTPSource {
	if client == nil {
		client = http.DefaultClient
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &HTTPSource{client: client, maxBytes: maxBytes}
}

// Fetch GETs a.URL. Errors: EInvalid for a missing or non-HTTP URL or another 4xx answer;
// ENotFound for 404 and 410; EForbidden for 401 and 403 (expired CDN links); ETooLarge when the
// file is over the limit (by its Content-Length, or while reading the body, whose Read then
// returns the error); EUnavailable when the provider cannot be reached or answers 429 or 5xx.
func (s *HTTPSource) Fetch(ctx context.Context, _ inbox.Channel, a inbox.Attachment) (io.ReadCloser, string, error) {
	return Download(ctx, s.client, a.URL, "", s.maxBytes)
}

// Download GETs rawURL through client, with token as a Bearer credential when it is not empty,
// and returns the body, limited to maxBytes, and its content type. Its errors are HTTPSource.Fetch's.
func Download(ctx context.Context, client *http.Client, rawURL, token string, maxBytes int64) (io.ReadCloser, string, error) {
	return download(ctx, client, rawURL, func(req *http.Request) {
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
	}, maxBytes)
}

// TwilioSource downloads Twilio call recordings (voice channels) with the channel's account
// SID and auth token as HTTP basic credentials: Twilio serves recordings to them even when
// the account requires authentication for media URLs.
type TwilioSource struct {
	Client   *http.Client
	MaxBytes int64
}

// Fetch GETs a.URL as the channel's Twilio account. Errors: HTTPSource.Fetch's, and EInvalid
// when the channel has no Twilio account or auth token.
func (s *TwilioSource) Fetch(ctx context.Context, ch inbox.Channel, a inbox.Attachment) (io.ReadCloser, string, error) {
	token := ch.Secrets[inbox.SecretTwilioAuthToken]
	if ch.Twilio == nil || token == "" {
		return nil, "", inbox.Errorf(inbox.EInvalid, "the channel has no Twilio credentials")
	}
	client, maxBytes := s.Client, s.MaxBytes
	if client == nil {
		client = http.DefaultClient
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return download(ctx, client, a.URL, func(req *http.Request) { req.SetBasicAuth(ch.Twilio.AccountSID, token) }, maxBytes)
}

// download GETs rawURL with the credentials auth sets; see Download.
func download(ctx context.Context, client *http.Client, rawURL string, auth func(*http.Request), maxBytes int64) (io.ReadCloser, string, error) {
	u, err := url.Parse(rawURL)
	if rawURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", inbox.Errorf(inbox.EInvalid, "the attachment has no address to download it from")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", inbox.Wrap(err, inbox.EInvalid, "the attachment has no address to download it from")
	}
	auth(req)
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", inbox.Wrap(err, inbox.EUnavailable, "the provider could not be reached")
	}
	if err := statusError(resp.StatusCode); err != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		return nil, "", err
	}
	if resp.ContentLength > maxBytes {
		resp.Body.Close()
		return nil, "", tooLarge(maxBytes)
	}
	return &limitedBody{rc: resp.Body, left: maxBytes, limit: maxBytes}, resp.Header.Get("Content-Type"), nil
}

// statusError maps a provider's HTTP status to an inbox error, nil for 2xx.
func statusError(code int) error {
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusNotFound || code == http.StatusGone:
		return inbox.Errorf(inbox.ENotFound, "the provider no longer has this file")
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return inbox.Errorf(inbox.EForbidden, "the provider refused to serve this file (HTTP %d)", code)
	case code == http.StatusRequestEntityTooLarge:
		return inbox.Errorf(inbox.ETooLarge, "the provider refused to serve this file: it is too large")
	case code == http.StatusTooManyRequests || code >= 500:
		return inbox.Errorf(inbox.EUnavailable, "the provider did not serve the file (HTTP %d)", code)
	}
	return inbox.Errorf(inbox.EInvalid, "the provider refused the request for this file (HTTP %d)", code)
}

// limitedBody reads at most limit bytes and fails with ETooLarge when there are more.
type limitedBody struct {
	rc          io.ReadCloser
	left, limit int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, tooLarge(b.limit)
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), tooLarge(b.limit)
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// MediaRef is where a WhatsApp media file can be downloaded: the Graph API's answer to
// GET /{media-id}. URL is valid for five minutes; Size is 0 when unknown.
type MediaRef struct {
	URL      string
	MimeType string
	Size     int64
}

// WhatsAppSource fetches WhatsApp media: it looks the attachment's media id up on the Graph API,
// then downloads the URL it gets, both with the channel's access token (SecretAccessToken). Its
// fields are a Graph API client's calls, so this package needs no import of the client:
//
//	&media.WhatsAppSource{
//		Lookup: func(ctx context.Context, id, token string) (media.MediaRef, error) {
//			info, err := graph.Media(ctx, id, token)
//			return media.MediaRef{URL: info.URL, MimeType: info.MimeType, Size: info.FileSize}, err
//		},
//		Download: graph.Download,
//		Classify: meta.AsSendError,
//		MaxBytes: maxBytes,
//	}
type WhatsAppSource struct {
	// Lookup resolves a media id with a token.
	Lookup func(ctx context.Context, mediaID, token string) (MediaRef, error)
	// Download GETs a URL with the token as a Bearer credential, returning the body and its
	// content type.
	Download func(ctx context.Context, url, token string) (io.ReadCloser, string, error)
	// Classify, when set, turns Lookup's and Download's errors into provider refusals, whose
	// Temporary says whether a retry may help and whose Message becomes the attachment's
	// MediaError. Without it, their errors are returned as they are.
	Classify func(error) *inbox.SendError
	// MaxBytes, when > 0, refuses at once media whose looked-up Size is larger.
	MaxBytes int64
}

// Fetch downloads a's media (a.MediaID; or a.URL when there is no id). Errors: EInvalid when the
// channel has no access token or the attachment neither id nor URL; ETooLarge when the Graph API
// gives a size over MaxBytes; otherwise Lookup's and Download's errors, through Classify when set
// (an *inbox.SendError, which the Fetcher retries only when Temporary). The Graph API's MIME type
// is used when the download gives no useful content type.
func (s *WhatsAppSource) Fetch(ctx context.Context, ch inbox.Channel, a inbox.Attachment) (io.ReadCloser, string, error) {
	token := ch.Secrets[inbox.SecretAccessToken]
	if token == "" {
		return nil, "", inbox.Errorf(inbox.EInvalid, "the WhatsApp channel has no access token")
	}
	ref := MediaRef{URL: a.URL, MimeType: a.ContentType}
	if a.MediaID != "" {
		var err error
		if ref, err = s.Lookup(ctx, a.MediaID, token); err != nil {
			return nil, "", s.classify(err)
		}
	}
	if ref.URL == "" {
		return nil, "", inbox.Errorf(inbox.EInvalid, "the attachment has no media id to download it with")
	}
	if s.MaxBytes > 0 && ref.Size > s.MaxBytes {
		return nil, "", tooLarge(s.MaxBytes)
	}
	body, contentType, err := s.Download(ctx, ref.URL, token)
	if err != nil {
		return nil, "", s.classify(err)
	}
	if ct := strings.TrimSpace(contentType); ct == "" || strings.HasPrefix(ct, "application/octet-stream") {
		contentType = ref.MimeType
	}
	return body, contentType, nil
}

func (s *WhatsAppSource) classify(err error) error {
	if s.Classify == nil {
		return err
	}
	if se := s.Classify(err); se != nil {
		return se
	}
	return err
}
