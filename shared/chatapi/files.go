package chatapi

import (
	"context"
	"net/http"
	"time"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatconfig"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
)

// Files is where visitors' files go and how they come back (s3store.Store on the media
// bucket): presigned upload links, a look at what was uploaded, the copy a message keeps, and
// time-limited download links.
type Files interface {
	intake.Files
	PresignDownload(ctx context.Context, key, name, contentType string, ttl time.Duration) (string, error)
}

// Limits of visitors' uploads, besides chat.MaxFileBytes, chat.MaxFiles and chat.FileTypes:
// upload links per visitor and per address in Window.
const (
	UploadsPerVisitor = 30
	UploadsPerIP      = 120
)

// FileLinkTTL is how long a download link in the history works. The widget reads the history
// again when the visitor opens the chat after links may have expired.
const FileLinkTTL = time.Hour

// FilesView is the config's description of what a visitor may attach (absent: the widget has
// no attach button, uploads are not configured).
type FilesView = chatconfig.Files

func (a *api) filesView() *FilesView {
	if a.Files == nil {
		return nil
	}
	return &FilesView{MaxBytes: chat.MaxFileBytes, MaxFiles: chat.MaxFiles, Types: chat.FileTypes}
}

type uploadInput struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	// Consent says the visitor accepted the chat's consent text (as for sending).
	Consent bool `json:"consent"`
}

func (a *api) uploads() intake.Uploads {
	var files intake.Files
	if a.Files != nil {
		files = a.Files
	}
	return intake.Uploads{Files: files, NewID: a.NewID, Now: a.Now}
}

// fileLimits are the limits of visitor v's files: their scope is the visitor, so that one
// visitor's upload cannot be sent by another.
func fileLimits(v Visitor) intake.UploadLimits {
	return intake.UploadLimits{MaxBytes: chat.MaxFileBytes, Accepts: chat.AcceptsFile, Scope: "visitor/" + v.Key}
}

// upload answers POST uploads: a presigned link to PUT one file (201), which a send then names
// by its uploadId. Refused before anything is signed: 401 without a visitor token; 403 an
// unverified visitor where verification is required; 400 no consent where the chat asks for it,
// a type not in chat.FileTypes, a bad name or size; 413 over chat.MaxFileBytes; 429 too many
// links; 503 without storage.
func (a *api) upload(r *http.Request, c *call) (int, any, error) {
	v, err := a.visitor(r, c)
	if err != nil {
		return 0, nil, err
	}
	var in uploadInput
	if err := httpjson.Decode(nil, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	switch {
	case c.set.IdentityVerification && !v.Verified:
		return 0, nil, inbox.Errorf(inbox.EForbidden, "this chat requires identify() with a verified hash before sending")
	case c.set.ConsentText != "" && !in.Consent:
		return 0, nil, inbox.Errorf(inbox.EInvalid, "consent is required: the visitor must accept the chat's consent text first")
	case a.Files == nil:
		return 0, nil, inbox.Errorf(inbox.EUnavailable, "file uploads are not available")
	case in.Size > chat.MaxFileBytes:
		return 0, nil, inbox.Errorf(inbox.ETooLarge, "the file is larger than %d bytes", chat.MaxFileBytes)
	case !chat.AcceptsFile(in.ContentType):
		return 0, nil, inbox.Errorf(inbox.EInvalid, "contentType %q is not accepted: one of %v", in.ContentType, chat.FileTypes)
	}
	if !a.allow("u/"+c.ch.ID+"/"+v.Key, UploadsPerVisitor, c.now) || !a.allow("ip/upload/"+c.ip, UploadsPerIP, c.now) {
		return 0, nil, tooMany("uploads")
	}
	t, err := a.uploads().Ticket(r.Context(), c.ch, in.Name, in.ContentType, in.Size, fileLimits(v))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, t, nil
}

// attach checks the uploads a visitor's message names (all of them, before any is copied, so
// that a refused send keeps nothing) and copies them to where attachments are kept. Errors:
// EInvalid for too many, repeated or unknown uploads (never uploaded, expired, another
// visitor's or channel's) or a type not accepted; ETooLarge for a file over the limit;
// EUnavailable without storage; the storage's.
func (a *api) attach(ctx context.Context, c *call, v Visitor, ids []string) ([]inbox.Attachment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > chat.MaxFiles {
		return nil, inbox.Errorf(inbox.EInvalid, "a message carries at most %d files", chat.MaxFiles)
	}
	up := a.uploads()
	atts := make([]inbox.Attachment, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			return nil, inbox.Errorf(inbox.EInvalid, "attachments: upload %q is named twice", id)
		}
		seen[id] = true
		at, err := up.Check(ctx, c.ch, id, fileLimits(v))
		if err != nil {
			return nil, inbox.Wrap(err, inbox.ErrorCodeOf(err), "attachments: "+inbox.ErrorMessage(err))
		}
		atts[i] = at
	}
	for _, id := range ids {
		if err := up.Keep(ctx, c.ch, id); err != nil {
			return nil, err
		}
	}
	return atts, nil
}

// AttachmentView is a file of a message as the visitor sees it: its name, type, size and a
// download link that works for FileLinkTTL.
type AttachmentView struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size,omitempty"`
	URL         string `json:"url"`
}

// attachmentViews are the stored files of m with fresh download links; files not stored (yet)
// and those whose link cannot be signed are left out.
func (a *api) attachmentViews(ctx context.Context, m inbox.Message) []AttachmentView {
	var out []AttachmentView
	if a.Files == nil {
		return nil
	}
	for _, at := range m.Attachments {
		if at.MediaStatus != inbox.MediaStored || at.StorageKey == "" {
			continue
		}
		link, err := a.Files.PresignDownload(ctx, at.StorageKey, at.Name, at.ContentType, FileLinkTTL)
		if err != nil {
			a.Log.WarnContext(ctx, "chat file link not signed", "messageId", m.ID, "err", err)
			continue
		}
		name := at.Name
		if name == "" {
			name = "attachment"
		}
		out = append(out, AttachmentView{Name: name, ContentType: at.ContentType, Size: at.Size, URL: link})
	}
	return out
}
