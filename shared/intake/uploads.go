package intake

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/inbox"
)

// Files is the storage public uploads need (s3store.Store): presigned PUT links, a look at
// what was uploaded, and a copy where attached files are kept.
type Files interface {
	PresignPut(ctx context.Context, key, contentType string, size int64, metadata map[string]string, ttl time.Duration) (string, map[string]string, error)
	Head(ctx context.Context, key string) (size int64, contentType string, metadata map[string]string, err error)
	Copy(ctx context.Context, src, dst string) error
}

// UploadTTL is how long an upload link works.
const UploadTTL = 15 * time.Minute

// Uploads hands out presigned upload links to the public visitors of one channel and claims
// what they uploaded: files a message then carries as attachments. Nothing ties it to forms:
// a web form's file fields use it, and a chat widget's visitors can (a scope per channel, the
// limits per call). Files go to uploads/<account>/public/<channel>/<id>, under the bucket's
// uploads/ prefix that expires after two days (template.yaml, ExpireUploads), so that a file
// no message used goes away; a claimed one is copied to files/<account>/<id>, where the API's
// uploads attached to replies are kept too.
type Uploads struct {
	Files Files
	NewID func() string
	Now   func() time.Time
}

// UploadLimits are what one upload may be: its largest size and accepted media types.
type UploadLimits struct {
	MaxBytes int64
	Accepts  func(contentType string) bool
	// Scope is a label the upload must be claimed with (a form's field name): an upload for
	// one field cannot answer another.
	Scope string
}

// UploadTicket is the answer to an upload request: where to PUT the file, with which headers,
// until when, and the id that names it afterwards.
type UploadTicket struct {
	UploadID  string            `json:"uploadId"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

func publicUploadKey(acct, channelID, id string) string {
	return "uploads/" + acct + "/public/" + channelID + "/" + id
}

func keptFileKey(acct, id string) string { return "files/" + acct + "/" + id }

// Ticket gives a link to upload one file named name, of media type contentType and exactly size
// bytes, for channel ch within lim. It returns an EInvalid error for a name, type or size the
// limits refuse (ETooLarge when over MaxBytes), EUnavailable when uploads are not configured,
// and an EInternal error when the link cannot be signed.
func (u Uploads) Ticket(ctx context.Context, ch inbox.Channel, name, contentType string, size int64, lim UploadLimits) (UploadTicket, error) {
	if u.Files == nil {
		return UploadTicket{}, inbox.Errorf(inbox.EUnavailable, "file uploads are not available")
	}
	name, err := publicFileName(name)
	if err != nil {
		return UploadTicket{}, err
	}
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if ct == "" || !lim.Accepts(ct) {
		return UploadTicket{}, inbox.Errorf(inbox.EInvalid, "contentType %q is not accepted here", contentType)
	}
	if size <= 0 {
		return UploadTicket{}, inbox.Errorf(inbox.EInvalid, "size must be the file's size in bytes")
	}
	if size > lim.MaxBytes {
		return UploadTicket{}, inbox.Errorf(inbox.ETooLarge, "the file is larger than %d bytes", lim.MaxBytes)
	}
	id := u.NewID()
	meta := map[string]string{"filename": url.PathEscape(name), "scope": url.PathEscape(lim.Scope)}
	link, headers, err := u.Files.PresignPut(ctx, publicUploadKey(ch.AccountID, ch.ID, id), ct, size, meta, UploadTTL)
	if err != nil {
		return UploadTicket{}, err
	}
	return UploadTicket{UploadID: id, Method: "PUT", URL: link, Headers: headers, ExpiresAt: u.Now().Add(UploadTTL).UTC()}, nil
}

// Check looks at upload id of channel ch and returns it as an attachment (not yet kept: see
// Keep). It returns an EInvalid error when there is no such upload (never uploaded, expired,
// another channel's or scope's) or its type is not accepted, and ETooLarge when it is larger
// than lim.MaxBytes; the storage's errors otherwise.
func (u Uploads) Check(ctx context.Context, ch inbox.Channel, id string, lim UploadLimits) (inbox.Attachment, error) {
	if u.Files == nil {
		return inbox.Attachment{}, inbox.Errorf(inbox.EUnavailable, "file uploads are not available")
	}
	if !inbox.ValidClientID(id) {
		return inbox.Attachment{}, inbox.Errorf(inbox.EInvalid, "unknown upload")
	}
	size, ct, meta, err := u.Files.Head(ctx, publicUploadKey(ch.AccountID, ch.ID, id))
	if inbox.IsCode(err, inbox.ENotFound) {
		return inbox.Attachment{}, inbox.Errorf(inbox.EInvalid, "unknown upload: upload the file first, with the link the uploads endpoint gave")
	}
	if err != nil {
		return inbox.Attachment{}, err
	}
	if scope, _ := url.PathUnescape(metaValue(meta, "scope")); scope != lim.Scope {
		return inbox.Attachment{}, inbox.Errorf(inbox.EInvalid, "unknown upload")
	}
	if size > lim.MaxBytes {
		return inbox.Attachment{}, inbox.Errorf(inbox.ETooLarge, "the file is larger than %d bytes", lim.MaxBytes)
	}
	if !lim.Accepts(ct) {
		return inbox.Attachment{}, inbox.Errorf(inbox.EInvalid, "files of type %q are not accepted here", ct)
	}
	name, _ := url.PathUnescape(metaValue(meta, "filename"))
	if name, err = publicFileName(name); err != nil {
		name = "attachment"
	}
	return inbox.Attachment{Type: inbox.AttachmentTypeOf(ct), ContentType: ct, Name: name, Size: size,
		StorageKey: keptFileKey(ch.AccountID, id), MediaStatus: inbox.MediaStored}, nil
}

// Keep copies checked upload id of channel ch to where the message's attachment is kept (the
// attachment's StorageKey), past the uploads' expiry. Copying again writes the same object.
// It returns the storage's errors.
func (u Uploads) Keep(ctx context.Context, ch inbox.Channel, id string) error {
	return u.Files.Copy(ctx, publicUploadKey(ch.AccountID, ch.ID, id), keptFileKey(ch.AccountID, id))
}

// metaValue reads user metadata key, whatever case the storage gives its names.
func metaValue(meta map[string]string, key string) string {
	for k, v := range meta {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// publicFileName checks a visitor's file name, keeping its last path element; "" becomes
// "attachment".
func publicFileName(name string) (string, error) {
	name = strings.TrimSpace(name[strings.LastIndexAny(name, `/\`)+1:])
	if name == "" {
		return "attachment", nil
	}
	if len(name) > 255 || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", inbox.Errorf(inbox.EInvalid, "name must be a file name of at most 255 bytes")
	}
	return name, nil
}
