package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

func (a *api) getContact(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	c, err := a.People.GetContact(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	return http.StatusOK, c, err
}

// patchContact sets what the body gives of the contact's owner and language: absent leaves a
// field as it is, null or blank removes it. Everything is checked before the first write, and
// a language that does not change is not written.
func (a *api) patchContact(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in struct {
		OwnerID  json.RawMessage `json:"ownerId"`
		Language json.RawMessage `json:"language"`
	}
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	owner, setOwner, err := optionalString("ownerId", in.OwnerID)
	if err != nil {
		return 0, nil, err
	}
	lang, setLang, err := optionalString("language", in.Language)
	if err != nil {
		return 0, nil, err
	}
	if setLang && lang != "" && !i18n.Supported(lang) {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "language must be one of %s (null or blank: none)", strings.Join(i18n.Languages(), ", "))
	}
	if owner != "" {
		if err := bodyIDs("ownerId", owner); err != nil {
			return 0, nil, err
		}
	}
	ctx, id := r.Context(), chi.URLParam(r, "id")
	c, err := a.People.GetContact(ctx, p.AccountID, id)
	if err != nil {
		return 0, nil, err
	}
	if owner != "" {
		if err := a.checkUsers(ctx, p.AccountID, []string{owner}); err != nil {
			return 0, nil, err
		}
	}
	if setOwner {
		if c, err = a.People.SetContactOwner(ctx, p.AccountID, id, owner); err != nil {
			return 0, nil, err
		}
	}
	if setLang && lang != c.Language {
		if c, err = a.People.SetContactLanguage(ctx, p.AccountID, id, lang); err != nil {
			return 0, nil, err
		}
	}
	return http.StatusOK, c, nil
}

// optionalString reads an optional string field of a JSON body: set is false when it was
// absent; null and blank give "" (remove). Errors: EInvalid naming the field when it is not a
// string.
func optionalString(field string, raw json.RawMessage) (v string, set bool, err error) {
	if raw == nil {
		return "", false, nil
	}
	if string(raw) == "null" {
		return "", true, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false, inbox.Errorf(inbox.EInvalid, "%s must be a string or null", field)
	}
	return strings.TrimSpace(v), true, nil
}
