package media

import (
	"context"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// DefaultLinkTTL is how long the links Link makes are valid when given no ttl.
const DefaultLinkTTL = 15 * time.Minute

// Link returns a with URL replaced by a presigned GET link to its stored copy, valid for ttl
// (DefaultLinkTTL when ≤ 0), when the media is stored. Other attachments (pending, failed, not
// media) are returned unchanged, as is a stored one whose link cannot be signed (presigning is
// local and fails only without credentials).
func Link(ctx context.Context, p Presigner, a inbox.Attachment, ttl time.Duration) inbox.Attachment {
	if a.MediaStatus != inbox.MediaStored || a.StorageKey == "" {
		return a
	}
	if ttl <= 0 {
		ttl = DefaultLinkTTL
	}
	u, err := p.PresignGet(ctx, a.StorageKey, ttl)
	if err != nil {
		return a
	}
	a.URL = u
	return a
}

// LinkMessage returns m with Link applied to each attachment. m's own Attachments slice is not
// modified.
func LinkMessage(ctx context.Context, p Presigner, m inbox.Message, ttl time.Duration) inbox.Message {
	if len(m.Attachments) == 0 {
		return m
	}
	atts := make([]inbox.Attachment, len(m.Attachments))
	for i, a := range m.Attachments {
		atts[i] = Link(ctx, p, a, ttl)
	}
	m.Attachments = atts
	return m
}
