// Package mediafn builds the media function: it copies inbound Messenger and WhatsApp media
// and voice channels' call recordings into the media bucket.
package mediafn

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/lambdasqs"
	"github.com/openinbox/inbox/shared/media"
	"github.com/openinbox/inbox/shared/meta"
	"github.com/openinbox/inbox/shared/s3store"
)

// Build builds the media function's per-message handler: it copies inbound Messenger and
// WhatsApp media into MEDIA_BUCKET. The function's timeout must exceed the 2-minute download
// timeout. It returns an error when MEDIA_BUCKET or the store is not configured.
func Build(ctx context.Context, c app.Config) (lambdasqs.Handler, error) {
	c.Defaults()
	if c.MediaBucket == "" {
		return nil, errors.New("MEDIA_BUCKET is not set")
	}
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	blobs := s3store.New(s3store.NewClient(c.AWS, c.S3Endpoint), c.MediaBucket)
	// The timeout covers reading the whole body: 100 MB at a slow few MB/s.
	hc := &http.Client{Timeout: 2 * time.Minute}
	byMedia := channels.ByKind(sources(hc, meta.NewClient(c.GraphAPIBase, hc)), func(k channel.Kind) string { return k.Media })
	f := media.New(media.Config{Store: store, Sources: byMedia, Blobs: blobs, MaxAttempts: c.MediaAttempts, Now: c.Now, Log: c.Log})
	return func(ctx context.Context, rec lambdasqs.Record) error {
		return f.HandleBody(ctx, rec.Body, rec.ReceiveCount)
	}, nil
}

// sources builds one source per way of fetching media (channel.Kind.Media); each channel finds
// its own through its kind.
func sources(hc *http.Client, graph *meta.Client) map[string]media.Source {
	return map[string]media.Source{
		channel.MediaURL:    media.NewHTTPSource(hc, media.DefaultMaxBytes),
		channel.MediaTwilio: &media.TwilioSource{Client: hc, MaxBytes: media.DefaultMaxBytes},
		channel.MediaWhatsApp: &media.WhatsAppSource{
			Lookup: func(ctx context.Context, id, token string) (media.MediaRef, error) {
				info, err := graph.Media(ctx, id, token)
				return media.MediaRef{URL: info.URL, MimeType: info.MimeType, Size: info.FileSize}, err
			},
			Download: graph.Download,
			Classify: meta.AsSendError,
			MaxBytes: media.DefaultMaxBytes,
		},
	}
}
