package httpapi

import (
	"encoding/json"
	"maps"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/chatavail"
	"github.com/openinbox/inbox/shared/chatconfig"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

// chatPreview answers what a chat channel's widget would show with unsaved settings (POST
// /v1/channels/{id}/chat-preview {chat, state, language}): the chat settings are applied to a
// copy of the channel exactly as PATCH applies them (the same checks, the same 400s), nothing is
// written, and the config is built as the chat function builds it for visitors, in the given
// availability state. The settings screen hands the answer to its framed widget.
func (a *api) chatPreview(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in struct {
		Chat     json.RawMessage `json:"chat"`
		State    chatavail.State `json:"state"`
		Language string          `json:"language"`
	}
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	switch in.State {
	case "", chatavail.Available, chatavail.Away, chatavail.Offline, chatavail.AtCapacity:
	default:
		return 0, nil, inbox.Errorf(inbox.EInvalid, "state must be available, away, offline or at_capacity")
	}
	if in.Language != "" && !i18n.Supported(in.Language) {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "language must be one of %s", strings.Join(i18n.Languages(), ", "))
	}
	dir, ok := a.People.(chatconfig.Directory)
	if !ok {
		return 0, nil, inbox.Errorf(inbox.EUnavailable, "chat previews are not available")
	}
	ctx := r.Context()
	ch, err := a.Store.GetChannel(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	if ch.Type != inbox.ChannelChat {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "previews are for chat channels")
	}
	// A copy: the kind writes its settings (and may make secrets) into the channel's maps.
	ch.Settings, ch.Secrets = maps.Clone(ch.Settings), maps.Clone(ch.Secrets)
	if ch.Secrets == nil {
		ch.Secrets = map[string]string{}
	}
	if len(in.Chat) > 0 && string(in.Chat) != "null" {
		if _, err := a.settings(&ch, channelInput{Settings: map[string]json.RawMessage{"chat": in.Chat}}, false); err != nil {
			return 0, nil, err
		}
	}
	set, err := chat.Of(ch)
	if err != nil {
		return 0, nil, err
	}
	lang := in.Language
	if lang == "" {
		lang = set.Language
	}
	v, err := chatconfig.Build(ctx, dir, ch, set, lang, a.Now(), "", in.State)
	if err != nil {
		return 0, nil, err
	}
	if _, err := a.files(); err == nil {
		// Visitors attach files where the deployment keeps them (the chat function's rule).
		v.Files = &chatconfig.Files{MaxBytes: chat.MaxFileBytes, MaxFiles: chat.MaxFiles, Types: chat.FileTypes}
	}
	return http.StatusOK, v, nil
}
