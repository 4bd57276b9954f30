package media_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/media"
)

func TestHTTPSourceErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		code int
		url  string // instead of the test server's
		want inbox.ErrorCode
	}{
		{"ok", 200, "", ""},
		{"expired CDN link", 403, "", inbox.EForbidden},
		{"gone", 410, "", inbox.ENotFound},
		{"rate limited", 429, "", inbox.EUnavailable},
		{"bad gateway", 502, "", inbox.EUnavailable},
		{"bad request", 400, "", inbox.EInvalid},
		{"provider says too large", 413, "", inbox.ETooLarge},
		{"no URL", 0, "-", inbox.EInvalid},
		{"not HTTP", 0, "file:///etc/passwd", inbox.EInvalid},
		{"unreachable", 0, "http://127.0.0.1:1/x", inbox.EUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.code)
				_, _ = io.WriteString(w, "body")
			}))
			t.Cleanup(srv.Close)
			u := srv.URL + "/file"
			switch tc.url {
			case "":
			case "-":
				u = ""
			default:
				u = tc.url
			}
			body, _, err := media.NewHTTPSource(srv.Client(), 100).Fetch(context.Background(), inbox.Channel{}, inbox.Attachment{URL: u})
			if got := inbox.ErrorCodeOf(err); got != tc.want {
				t.Errorf("Fetch = %v, want code %q", err, tc.want)
			}
			if err == nil {
				b, err := io.ReadAll(body)
				_ = body.Close()
				if err != nil || string(b) != "body" {
					t.Errorf("body = %q, %v", b, err)
				}
			}
		})
	}
}

// graphErr stands for a Graph API client's own error type.
type graphErr struct{ temporary bool }

func (e graphErr) Error() string { return "graph error" }

func classify(err error) *inbox.SendError {
	var ge graphErr
	if errors.As(err, &ge) {
		return &inbox.SendError{Code: "100", Message: "media not found", Temporary: ge.temporary}
	}
	return nil
}

func TestWhatsAppSource(t *testing.T) {
	t.Parallel()
	withToken := inbox.Channel{Type: inbox.ChannelWhatsApp, Secrets: map[string]string{inbox.SecretAccessToken: "tok"}}
	cases := []struct {
		name        string
		ch          inbox.Channel
		a           inbox.Attachment
		ref         mediaRefOrErr
		dlType      string
		dlErr       error
		classify    bool
		wantErr     inbox.ErrorCode
		wantSend    *inbox.SendError
		wantURL     string // downloaded
		wantType    string
		wantNoFetch bool
	}{
		{name: "looked up and downloaded", ch: withToken, a: inbox.Attachment{MediaID: "m1"},
			ref: mediaRefOrErr{ref: media.MediaRef{URL: "https://lookaside/m1", MimeType: "image/jpeg", Size: 10}}, dlType: "image/jpeg",
			wantURL: "https://lookaside/m1", wantType: "image/jpeg"},
		{name: "MIME type of the lookup when the download has none", ch: withToken, a: inbox.Attachment{MediaID: "m1"},
			ref: mediaRefOrErr{ref: media.MediaRef{URL: "https://lookaside/m1", MimeType: "video/mp4"}}, dlType: "application/octet-stream",
			wantURL: "https://lookaside/m1", wantType: "video/mp4"},
		{name: "URL without media id is downloaded directly", ch: withToken, a: inbox.Attachment{URL: "https://lookaside/x", ContentType: "audio/aac"},
			wantURL: "https://lookaside/x", wantType: "audio/aac"},
		{name: "no token", ch: inbox.Channel{Type: inbox.ChannelWhatsApp}, a: inbox.Attachment{MediaID: "m1"},
			wantErr: inbox.EInvalid, wantNoFetch: true},
		{name: "neither id nor URL", ch: withToken, a: inbox.Attachment{}, wantErr: inbox.EInvalid, wantNoFetch: true},
		{name: "larger than the limit by the lookup's size", ch: withToken, a: inbox.Attachment{MediaID: "m1"},
			ref: mediaRefOrErr{ref: media.MediaRef{URL: "https://lookaside/m1", Size: 2000}}, wantErr: inbox.ETooLarge, wantNoFetch: true},
		{name: "lookup error classified", ch: withToken, a: inbox.Attachment{MediaID: "m1"}, classify: true,
			ref: mediaRefOrErr{err: graphErr{}}, wantSend: &inbox.SendError{Code: "100", Message: "media not found"}, wantNoFetch: true},
		{name: "download error classified", ch: withToken, a: inbox.Attachment{MediaID: "m1"}, classify: true,
			ref: mediaRefOrErr{ref: media.MediaRef{URL: "https://lookaside/m1"}}, dlErr: graphErr{temporary: true},
			wantSend: &inbox.SendError{Code: "100", Message: "media not found", Temporary: true}, wantURL: "https://lookaside/m1"},
		{name: "unclassified error as is", ch: withToken, a: inbox.Attachment{MediaID: "m1"},
			ref: mediaRefOrErr{err: graphErr{}}, wantErr: inbox.EInternal, wantNoFetch: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var downloaded string
			s := &media.WhatsAppSource{
				Lookup: func(_ context.Context, id, token string) (media.MediaRef, error) {
					if id != tc.a.MediaID || token != "tok" {
						t.Errorf("Lookup(%q, %q)", id, token)
					}
					return tc.ref.ref, tc.ref.err
				},
				Download: func(_ context.Context, url, token string) (io.ReadCloser, string, error) {
					downloaded = url
					if token != "tok" {
						t.Errorf("Download token %q", token)
					}
					if tc.dlErr != nil {
						return nil, "", tc.dlErr
					}
					return io.NopCloser(strings.NewReader("data")), tc.dlType, nil
				},
				MaxBytes: 1000,
			}
			if tc.classify {
				s.Classify = classify
			}
			body, ct, err := s.Fetch(context.Background(), tc.ch, tc.a)
			if tc.wantSend != nil {
				var se *inbox.SendError
				if !errors.As(err, &se) || *se != *tc.wantSend {
					t.Errorf("Fetch = %v, want %+v", err, tc.wantSend)
				}
			} else if got := inbox.ErrorCodeOf(err); got != tc.wantErr {
				t.Errorf("Fetch = %v, want code %q", err, tc.wantErr)
			}
			if downloaded != tc.wantURL {
				t.Errorf("downloaded %q, want %q", downloaded, tc.wantURL)
			}
			if err == nil {
				_ = body.Close()
				if ct != tc.wantType {
					t.Errorf("content type = %q, want %q", ct, tc.wantType)
				}
			}
		})
	}
}

// mediaRefOrErr is what a fake Lookup answers.
type mediaRefOrErr struct {
	ref media.MediaRef
	err error
}

// sourceFunc is a Source from a function.
type sourceFunc func() (io.ReadCloser, string, error)

func (f sourceFunc) Fetch(context.Context, inbox.Channel, inbox.Attachment) (io.ReadCloser, string, error) {
	return f()
}

func TestHandleClassifiesSourceErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		err        error
		attempt    int
		wantRetry  bool
		wantReason string
	}{
		{"final provider refusal fails at once", &inbox.SendError{Code: "100", Message: "media not found"}, 1, false, "the provider refused to serve the file: media not found"},
		{"temporary provider refusal is retried", &inbox.SendError{Code: "4", Message: "throttled", Temporary: true}, 1, true, ""},
		{"temporary provider refusal at the last attempt fails", &inbox.SendError{Code: "4", Message: "throttled", Temporary: true}, maxAttempts, false, "the provider did not serve the file: throttled"},
		{"forbidden is retried", inbox.Errorf(inbox.EForbidden, "refused"), 1, true, ""},
		{"an unknown error is retried", errors.New("boom"), 1, true, ""},
		{"an unknown error at the last attempt fails with a generic reason", errors.New("boom"), maxAttempts, false, "the file could not be copied from the provider"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			att := pending(inbox.Attachment{Type: inbox.AttachImage, MediaID: "m1"})
			store := &memStore{
				msg:      inbox.Message{AccountID: acct, ConversationID: convID, ID: msgID, Attachments: []inbox.Attachment{att}},
				channels: map[string]inbox.Channel{"wa": {AccountID: acct, ID: "wa", Type: inbox.ChannelWhatsApp}},
			}
			src := sourceFunc(func() (io.ReadCloser, string, error) { return nil, "", tc.err })
			f := media.New(media.Config{Store: store, Sources: map[inbox.ChannelType]media.Source{inbox.ChannelWhatsApp: src}, MaxAttempts: maxAttempts, MaxBytes: maxBytes})
			err := f.Handle(context.Background(), media.Job{V: 1, AccountID: acct, ConversationID: convID, MessageID: msgID, ChannelID: "wa"}, tc.attempt)
			if (err != nil) != tc.wantRetry {
				t.Errorf("Handle = %v, want retry %v", err, tc.wantRetry)
			}
			got, _ := store.attachment(0)
			want := att
			if !tc.wantRetry {
				want.MediaStatus, want.MediaError = inbox.MediaFailed, tc.wantReason
			}
			if got != want {
				t.Errorf("attachment = %+v, want %+v", got, want)
			}
		})
	}
}
