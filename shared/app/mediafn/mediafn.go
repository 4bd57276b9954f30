// Package mediafn builds the media function: it copies inbound Messenger and WhatsApp media
// into the media bucket.
package mediafn

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/inbox"
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
	graph := meta.NewClient(c.GraphAPIBase, hc)
	sources := map[inbox.ChannelType]media.Source{
		inbox.ChannelMessenger: media.NewHTTPSource(hc, media.DefaultMaxBytes),
		// Custom channels' files are at the integrator's URLs.
		inbox.ChannelCustom: media.NewHTTPSource(hc, media.DefaultMaxBytes),
		inbox.ChannelWhatsApp: &media.WhatsAppSource{
			Lookup: func(ctx context.Context, id, token string) (media.MediaRef, error) {
				info, err := graph.Media(ctx, id, token)
				return media.MediaRef{URL: info.URL, MimeType: info.MimeType, Size: info.FileSize}, err
			},
			Download: graph.Download,
			Classify: meta.AsSendError,
			MaxBytes: media.DefaultMaxBytes,
		},
	}
	f := media.New(media.Config{Store: store, Sources: sources, Blobs: blobs, MaxAttempts: c.MediaAttempts, Now: c.Now, Log: c.Log})
	return func(ctx context.Context, rec lambdasqs.Record) error {
		return f.HandleBody(ctx, rec.Body, rec.ReceiveCount)
	}, nil
}
