package intake

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channels/form"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

// uploadRequest asks for a link to upload the file of a form's file field.
type uploadRequest struct {
	Field       string `json:"field"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
}

// limits are the upload limits of file field fd.
func limits(fd form.Field) UploadLimits {
	return UploadLimits{MaxBytes: fd.FileLimit(), Accepts: fd.Accepts, Scope: fd.Name}
}

// fileField returns the file field named name of channel ch; an EInvalid error naming it when
// the form has none.
func fileField(ch inbox.Channel, name string) (form.Field, error) {
	fields, err := form.FieldsOf(ch)
	if err != nil {
		return form.Field{}, err
	}
	for _, fd := range fields {
		if fd.Name == name && fd.Type == form.TypeFile {
			return fd, nil
		}
	}
	return form.Field{}, inbox.Errorf(inbox.EInvalid, "field: %q is not a file field of this form", name)
}

// upload answers POST /webhooks/form/{channelId}/uploads: a presigned link to PUT one file of
// a file field (201), before the submission names it by its uploadId. Refused: 404 unknown
// form; 400 not a file field, a type the field does not accept, a bad name or size; 413 a file
// over the field's maxBytes; 429 more than UploadsPerIP links for one address in
// FormThrottleSpan (unless signed like a submission); 503 without storage.
func (f *forms) upload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ch, err := f.channel(ctx, chi.URLParam(r, "channelId"), inbox.ChannelForm)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	body, err := readLimited(w, r, 4<<10)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	now := f.Now()
	if r.Header.Get(stdwebhook.HeaderSignature) != "" {
		secret := ch.Secrets[form.SecretSubmit]
		if secret == "" {
			f.fail(w, r, inbox.Errorf(inbox.EUnauthorized, "this form takes no signed requests"))
			return
		}
		if _, _, err := stdwebhook.Verify(r.Header, body, []string{secret}, now); err != nil {
			f.fail(w, r, err)
			return
		}
	} else if !f.uploads.allow(clientIP(r), now) {
		w.Header().Set("Retry-After", "600")
		f.fail(w, r, inbox.Errorf(inbox.ETooMany, "too many uploads from this address: try again later"))
		return
	}
	var in uploadRequest
	if err := json.Unmarshal(body, &in); err != nil {
		f.fail(w, r, inbox.Errorf(inbox.EInvalid, "the body must be JSON: {field, name, contentType, size}"))
		return
	}
	fd, err := fileField(ch, in.Field)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	t, err := f.publicUploads().Ticket(ctx, ch, in.Name, in.ContentType, in.Size, limits(fd))
	if err != nil {
		f.fail(w, r, inbox.Wrap(err, inbox.ErrorCodeOf(err), fd.Name+": "+inbox.ErrorMessage(err)))
		return
	}
	httpjson.Write(w, http.StatusCreated, t)
}

func (f *forms) publicUploads() Uploads {
	return Uploads{Files: f.Files, NewID: f.NewID, Now: f.Now}
}

// files checks the uploads the file fields' answers name (all of them before any is copied, so
// that a refused submission keeps nothing), copies them to where attachments are kept, and
// returns env with them attached. Errors: EInvalid or ETooLarge naming the field; the storage's.
func (f *forms) files(ctx context.Context, ch inbox.Channel, answers map[string]string, env inbox.Envelope, now time.Time, source string) (inbox.Envelope, error) {
	fields, err := form.FieldsOf(ch)
	if err != nil {
		return env, err
	}
	up := f.publicUploads()
	atts := map[string]inbox.Attachment{}
	for _, fd := range fields {
		id := strings.TrimSpace(answers[fd.Name])
		if fd.Type != form.TypeFile || id == "" {
			continue
		}
		at, err := up.Check(ctx, ch, id, limits(fd))
		if err != nil {
			return env, inbox.Wrap(err, inbox.ErrorCodeOf(err), fd.Name+": "+inbox.ErrorMessage(err))
		}
		atts[fd.Name] = at
	}
	if len(atts) == 0 {
		return env, nil
	}
	for _, fd := range fields {
		if _, ok := atts[fd.Name]; ok {
			if err := up.Keep(ctx, ch, strings.TrimSpace(answers[fd.Name])); err != nil {
				return env, err
			}
		}
	}
	return parseForm(ch, answers, atts, now, source)
}
