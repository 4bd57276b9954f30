// Package formsfn builds the web form function: form pages, upload links for file fields and
// submissions. It is apart from intakefn because it links the S3 client (visitors' files),
// which the other intake functions must not load at their cold starts.
package formsfn

import (
	"context"
	"net/http"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/intakefn"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/s3store"
)

// Build builds the web form function's HTTP handler; MEDIA_BUCKET, when set, holds the files
// of file fields (without it, upload links answer 503). Errors: see intakefn.Handler.
func Build(ctx context.Context, c app.Config) (http.Handler, error) {
	return intakefn.Handler(ctx, c, func(ic intake.Config) http.Handler {
		if c.MediaBucket != "" {
			// File fields: visitors upload through presigned links into the media bucket.
			// Built on the first upload link: most submissions carry no file.
			ic.Files = s3store.Open(c.AWS, c.S3Endpoint, c.MediaBucket)
		}
		ic.NewID = c.NewID
		return intake.NewForm(ic)
	})
}
