package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/htmlsafe"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
)

// messageView is the API's message shape.
type messageView struct {
	ID          string               `json:"id"`
	Direction   inbox.Direction      `json:"direction"`
	Text        string               `json:"text"`
	Attachments []inbox.Attachment   `json:"attachments"`
	CreatedAt   time.Time            `json:"createdAt"`
	Status      inbox.MessageStatus  `json:"status"`
	AuthorID    string               `json:"authorId,omitempty"`
	AuthorName  string               `json:"authorName,omitempty"`
	Error       *inbox.ProviderError `json:"error,omitempty"`
	SentParts   int                  `json:"sentParts,omitempty"`
	Payload     string               `json:"payload,omitempty"`
	ReplyTo     string               `json:"replyTo,omitempty"`
	Reaction    *string              `json:"reaction,omitempty"`
	Template    *inbox.Template      `json:"template,omitempty"`
	Subject     string               `json:"subject,omitempty"`
	HTML        string               `json:"html,omitempty"`
	Flags       []string             `json:"flags,omitempty"`
	Call        *inbox.Call          `json:"call,omitempty"`
}

func message(m inbox.Message) messageView {
	v := messageView{ID: m.ID, Direction: m.Direction, Text: m.Text, Attachments: m.Attachments,
		CreatedAt: m.CreatedAt, Status: m.Status, AuthorID: m.AuthorID, AuthorName: m.AuthorName, Error: m.Error,
		Payload: m.Payload, ReplyTo: m.ReplyTo, Reaction: m.Reaction, Template: m.Template,
		Subject: m.Subject, HTML: m.HTML, Flags: m.Flags, Call: m.Call, SentParts: len(m.PartIDs)}
	if v.Attachments == nil {
		v.Attachments = []inbox.Attachment{}
	}
	return v
}

func (a *api) listMessages(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ms, err := a.Store.ListMessages(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	out := list[messageView]{Items: make([]messageView, 0, len(ms))}
	for _, m := range ms {
		m.Attachments = a.links(r.Context(), m.Attachments)
		m.HTML = inlineImages(m.HTML, m.Attachments)
		out.Items = append(out.Items, message(m))
	}
	return http.StatusOK, out, nil
}

// inlineImages points the cid: images of an email's HTML at the short-lived links of the inline
// parts they name, so that agents see them; without a link the cid: source stays (a broken image,
// never a fetch elsewhere).
func inlineImages(html string, as []inbox.Attachment) string {
	if html == "" || !strings.Contains(html, "cid:") {
		return html
	}
	var pairs []string
	for _, at := range as {
		if strings.HasPrefix(at.Data, "cid:") && at.URL != "" {
			// Both the sanitizer's quoting and the URL's escaping are kept intact by replacing
			// the whole attribute value.
			pairs = append(pairs, `src="`+at.Data+`"`, `src="`+strings.ReplaceAll(at.URL, "&", "&amp;")+`"`)
		}
	}
	if len(pairs) == 0 {
		return html
	}
	return strings.NewReplacer(pairs...).Replace(html)
}

// replySubject is "Re: " and the thread's subject, once.
func replySubject(subject string) string {
	if subject == "" {
		return ""
	}
	lower := strings.ToLower(subject)
	if strings.HasPrefix(lower, "re:") || strings.HasPrefix(lower, "aw:") {
		return subject
	}
	return "Re: " + subject
}

// links replaces the URL of media copied into the bucket with a short-lived link; media not
// (yet) copied keeps the provider's URL, or none, and shows its mediaStatus.
func (a *api) links(ctx context.Context, as []inbox.Attachment) []inbox.Attachment {
	if len(as) == 0 {
		return as
	}
	out := make([]inbox.Attachment, len(as))
	for i, at := range as {
		if a.Blobs != nil && at.MediaStatus == inbox.MediaStored && at.StorageKey != "" {
			if u, err := a.Blobs.PresignDownload(ctx, at.StorageKey, at.Name, at.ContentType, MediaLinkTTL); err == nil {
				at.URL = u
			} else {
				a.Log.WarnContext(ctx, "media link could not be signed", "err", err)
			}
		}
		at.StorageKey = ""
		out[i] = at
	}
	return out
}

// attachmentInput is a reply's file: at a URL, or uploaded (UploadID, see upload).
type attachmentInput struct {
	Type        inbox.AttachmentType `json:"type"`
	URL         string               `json:"url"`
	UploadID    string               `json:"uploadId"`
	ContentType string               `json:"contentType"`
	Name        string               `json:"name"`
	// size is an upload's size, found by uploaded.
	size int64
}

type replyInput struct {
	Text        string            `json:"text"`
	HTML        string            `json:"html"`
	Attachments []attachmentInput `json:"attachments"`
	Template    *inbox.Template   `json:"template"`
	// Metadata is a JSON object handed on to the provider (channels whose kind has Metadata).
	Metadata json.RawMessage `json:"metadata"`
}

// validate checks a reply's attachments, then asks the conversation's channel kind whether it
// can send the reply now (its limits, and windows such as Messenger's 24 hours and 7 days).
func (a *api) validate(ctx context.Context, in replyInput, c inbox.Conversation, now time.Time) error {
	for _, at := range in.Attachments {
		u, err := url.Parse(at.URL)
		if at.UploadID == "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
			return inbox.Errorf(inbox.EInvalid, "attachments need an http(s) url or an uploadId")
		}
		switch at.Type {
		case inbox.AttachImage, inbox.AttachAudio, inbox.AttachVideo, inbox.AttachFile:
		default:
			return inbox.Errorf(inbox.EInvalid, "attachment type must be image, audio, video or file")
		}
	}
	k, ok := channels.Lookup(c.ChannelType)
	if !ok {
		return inbox.Errorf(inbox.EInvalid, "replies cannot be sent on %s conversations", c.ChannelType)
	}
	if in.HTML != "" && !k.HTML {
		return inbox.Errorf(inbox.EInvalid, "html is for email conversations")
	}
	reply := channel.Reply{Text: in.Text, HTML: in.HTML, Template: in.Template}
	if len(in.Metadata) > 0 && string(in.Metadata) != "null" {
		if !k.Metadata {
			return inbox.Errorf(inbox.EInvalid, "metadata is for custom channels")
		}
		if in.Metadata[0] != '{' {
			return inbox.Errorf(inbox.EInvalid, "metadata must be a JSON object")
		}
		reply.Metadata = compact(in.Metadata)
	}
	for _, at := range in.Attachments {
		reply.Attachments = append(reply.Attachments, at.Type)
	}
	return a.allows(ctx, k, c, reply, now)
}

// allows asks channel kind k whether it can send reply in conversation c now (its limits, and
// windows such as Messenger's 24 hours and 7 days); its errors are EInvalid, and the store's
// when the kind's rules need the channel.
func (a *api) allows(ctx context.Context, k channel.Kind, c inbox.Conversation, reply channel.Reply, now time.Time) error {
	if k.ChannelRules {
		ch, err := a.Store.GetChannel(ctx, c.AccountID, c.ChannelID)
		if err != nil {
			return err
		}
		reply.Channel = &ch
	}
	return k.Reply(c, reply, now)
}

func (a *api) reply(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in replyInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	c, err := a.Store.GetConversation(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	now := a.Now().UTC()
	if err := a.uploaded(ctx, p.AccountID, in.Attachments); err != nil {
		return 0, nil, err
	}
	if err := a.validate(ctx, in, c, now); err != nil {
		return 0, nil, err
	}
	m, err := a.send(ctx, p, c, in, now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, message(m), nil
}

// send stores a validated reply in conversation c and queues it for dispatch; it returns the
// message as the API shows it. A reply the queue refuses stays stored, marked failed.
func (a *api) send(ctx context.Context, p inbox.Principal, c inbox.Conversation, in replyInput, now time.Time) (inbox.Message, error) {
	var err error
	m := inbox.Message{
		AccountID: p.AccountID, ConversationID: c.ID, ID: inbox.MessageID(now, a.NewID()),
		Direction: inbox.DirectionOut, Text: in.Text, CreatedAt: now, UpdatedAt: now,
		Status: inbox.MessagePending, AuthorID: p.UserID, Template: in.Template,
		Subject: replySubject(c.Subject),
	}
	if in.HTML != "" {
		m.HTML = htmlsafe.Sanitize(in.HTML)
	}
	m.AuthorName, _, _ = agentNames(p)
	if len(in.Metadata) > 0 && string(in.Metadata) != "null" {
		// Checked by validate: a JSON object, on a channel that carries metadata.
		m.Payload = compact(in.Metadata)
	}
	uploads := make([]string, len(in.Attachments))
	for i, at := range in.Attachments {
		m.Attachments = append(m.Attachments, inbox.Attachment{Type: at.Type, URL: at.URL, ContentType: at.ContentType, Name: at.Name, Size: at.size})
		uploads[i] = at.UploadID
	}
	if err := a.keep(ctx, p.AccountID, m.Attachments, uploads); err != nil {
		return inbox.Message{}, err
	}
	for i := range m.Attachments {
		att := &m.Attachments[i]
		if uploads[i] != "" {
			att.MediaStatus = inbox.MediaStored
			if k, _ := channels.Lookup(c.ChannelType); !k.AttachesFiles {
				// The providers download the file by URL; email attaches it from storage.
				if att.URL, err = a.Blobs.PresignGet(ctx, att.StorageKey, ReplyMediaTTL); err != nil {
					return inbox.Message{}, err
				}
			}
		}
	}
	if _, err := a.Store.AppendMessage(ctx, c, m, ""); err != nil {
		return inbox.Message{}, err
	}
	if err := a.queue(ctx, inbox.OutboundJob{V: 1, AccountID: p.AccountID, ConversationID: c.ID, MessageID: m.ID}, now); err != nil {
		return inbox.Message{}, err
	}
	m.Attachments = a.links(ctx, m.Attachments)
	return m, nil
}

// queue publishes job to the outbound queue. When the queue refuses it, the stored message is
// marked failed (code queue_unavailable) so that the agent sees it and can retry, and the
// queue's error is returned.
func (a *api) queue(ctx context.Context, job inbox.OutboundJob, now time.Time) error {
	body, _ := json.Marshal(job)
	err := a.Outbound.Publish(ctx, job.GroupKey(), job.DedupKey(), body)
	if err == nil {
		return nil
	}
	pe := &inbox.ProviderError{Code: "queue_unavailable", Message: "the reply could not be queued for sending"}
	if _, _, uerr := a.Store.UpdateDelivery(ctx, job.AccountID, job.ConversationID, job.MessageID, inbox.DeliveryUpdate{Status: inbox.MessageFailed, Error: pe}, now); uerr != nil {
		a.Log.ErrorContext(ctx, "could not mark unqueued reply failed", "messageId", job.MessageID, "err", uerr)
	}
	return err
}

// agentNames are the caller's full, first and last names from the token's claims.
func agentNames(p inbox.Principal) (full, first, last string) {
	full, first, last = p.Name, p.GivenName, p.FamilyName
	if full == "" {
		full = strings.TrimSpace(first + " " + last)
	}
	if first == "" && full != "" {
		first, last, _ = strings.Cut(full, " ")
	}
	return full, first, last
}

// compact is raw JSON without insignificant space (raw has been decoded, so it is valid).
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	_ = json.Compact(&b, raw)
	return b.String()
}
