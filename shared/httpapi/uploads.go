package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/inbox"
)

// uploadKey is where the account's upload id is stored: under the account's prefix, so that an
// id of another account is not found. Uploads are temporary: the bucket's lifecycle expires
// them (template.yaml, ExpireUploads) whether or not a reply attached them.
func uploadKey(acct, id string) string { return "uploads/" + acct + "/" + id }

// attachedKey is where an upload is kept once a reply attaches it: a copy outside uploads/,
// so that the message's file outlives the upload's expiry. Derived from the upload id, so
// that attaching the same upload again (a retried reply) writes the same object.
func attachedKey(acct, id string) string { return "files/" + acct + "/" + id }

// keep copies the reply's uploaded attachments to where attached files are kept and points
// them there. It runs after every check of the reply, so that a refused reply copies nothing.
func (a *api) keep(ctx context.Context, acct string, atts []inbox.Attachment, uploadIDs []string) error {
	for i, id := range uploadIDs {
		if id == "" {
			continue
		}
		files, err := a.files()
		if err != nil {
			return err
		}
		if err := files.Copy(ctx, uploadKey(acct, id), attachedKey(acct, id)); err != nil {
			if inbox.ErrorCodeOf(err) == inbox.ENotFound {
				return inbox.Errorf(inbox.EInvalid, "unknown upload %q", id)
			}
			return err
		}
		atts[i].StorageKey = attachedKey(acct, id)
	}
	return nil
}

func (a *api) files() (Files, error) {
	if f, ok := a.Blobs.(Files); ok && f != nil {
		return f, nil
	}
	return nil, inbox.Errorf(inbox.EUnavailable, "file uploads are not available")
}

// uploadView is the answer to an upload.
type uploadView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

// upload stores the request body, a file of at most MaxUpload bytes whose media type is the
// Content-Type (application/octet-stream when absent), under the account's uploads; ?name= is
// its file name ("attachment" when absent). Replies then attach it by its id.
func (a *api) upload(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	files, err := a.files()
	if err != nil {
		return 0, nil, err
	}
	ct := "application/octet-stream"
	if h := strings.TrimSpace(r.Header.Get("Content-Type")); h != "" {
		mt, params, err := mime.ParseMediaType(h)
		if err != nil {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "the Content-Type header must be the file's media type")
		}
		ct = mime.FormatMediaType(mt, params)
	}
	name, err := fileName(r.URL.Query().Get("name"))
	if err != nil {
		return 0, nil, err
	}
	if r.ContentLength > MaxUpload {
		return 0, nil, inbox.Errorf(inbox.ETooLarge, "a file has at most %d bytes (4 MiB)", MaxUpload)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxUpload))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return 0, nil, inbox.Errorf(inbox.ETooLarge, "a file has at most %d bytes (4 MiB)", MaxUpload)
		}
		return 0, nil, inbox.Wrap(err, inbox.EInvalid, "the file could not be read")
	}
	if len(data) == 0 {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "the file is empty: send it as the request body")
	}
	ctx := r.Context()
	id := a.NewID()
	key := uploadKey(p.AccountID, id)
	if err := files.Put(ctx, key, ct, bytes.NewReader(data), int64(len(data))); err != nil {
		return 0, nil, err
	}
	link, err := files.PresignDownload(ctx, key, name, ct, MediaLinkTTL)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, uploadView{ID: id, Name: name, ContentType: ct, Size: int64(len(data)), URL: link}, nil
}

// fileName checks a file name given by an agent, keeping its last path element; "" becomes
// "attachment".
func fileName(name string) (string, error) {
	name = strings.TrimSpace(name[strings.LastIndexAny(name, `/\`)+1:])
	if name == "" {
		return "attachment", nil
	}
	if len(name) > 255 || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", inbox.Errorf(inbox.EInvalid, "name must be a file name of at most 255 bytes")
	}
	return name, nil
}

// uploaded completes the reply's uploaded attachments: it checks that each uploadId is one of
// the account's uploads and fills in the content type (sniffed from the file when not given),
// the type (from the content type when not given) and the name.
func (a *api) uploaded(ctx context.Context, acct string, ins []attachmentInput) error {
	for i := range ins {
		at := &ins[i]
		if at.UploadID == "" {
			continue
		}
		if at.URL != "" {
			return inbox.Errorf(inbox.EInvalid, "an attachment has a url or an uploadId, not both")
		}
		files, err := a.files()
		if err != nil {
			return err
		}
		if !inbox.ValidClientID(at.UploadID) {
			return inbox.Errorf(inbox.EInvalid, "unknown upload %q", at.UploadID)
		}
		body, size, err := files.Get(ctx, uploadKey(acct, at.UploadID))
		if inbox.ErrorCodeOf(err) == inbox.ENotFound {
			return inbox.Errorf(inbox.EInvalid, "unknown upload %q", at.UploadID)
		}
		if err != nil {
			return err
		}
		if strings.TrimSpace(at.ContentType) == "" {
			head, _ := io.ReadAll(io.LimitReader(body, 512))
			at.ContentType = http.DetectContentType(head)
		}
		body.Close()
		at.size = size
		if at.Type == "" {
			at.Type = inbox.AttachmentTypeOf(at.ContentType)
		}
		if at.Name, err = fileName(at.Name); err != nil {
			return err
		}
	}
	return nil
}
