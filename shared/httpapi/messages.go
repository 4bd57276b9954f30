package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mail"
	"github.com/openinbox/inbox/shared/meta"
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
	Error       *inbox.ProviderError `json:"error,omitempty"`
	Payload     string               `json:"payload,omitempty"`
	ReplyTo     string               `json:"replyTo,omitempty"`
	Reaction    *string              `json:"reaction,omitempty"`
	Template    *inbox.Template      `json:"template,omitempty"`
	Subject     string               `json:"subject,omitempty"`
	HTML        string               `json:"html,omitempty"`
	Flags       []string             `json:"flags,omitempty"`
}

func message(m inbox.Message) messageView {
	v := messageView{ID: m.ID, Direction: m.Direction, Text: m.Text, Attachments: m.Attachments,
		CreatedAt: m.CreatedAt, Status: m.Status, AuthorID: m.AuthorID, Error: m.Error,
		Payload: m.Payload, ReplyTo: m.ReplyTo, Reaction: m.Reaction, Template: m.Template,
		Subject: m.Subject, HTML: m.HTML, Flags: m.Flags}
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
			if u, err := a.Blobs.PresignGet(ctx, at.StorageKey, MediaLinkTTL); err == nil {
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
}

type replyInput struct {
	Text        string            `json:"text"`
	HTML        string            `json:"html"`
	Attachments []attachmentInput `json:"attachments"`
	Template    *inbox.Template   `json:"template"`
}

// validate checks a reply against what the conversation's channel can send now: Messenger
// answers within 24 hours of the customer's last message, with the HUMAN_AGENT tag up to 7
// days, and not after; WhatsApp sends free-form messages only inside the 24-hour customer
// service window and approved templates at any time.
func (in replyInput) validate(c inbox.Conversation, now time.Time) error {
	text := strings.TrimSpace(in.Text)
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
	if in.HTML != "" && c.ChannelType != inbox.ChannelEmail {
		return inbox.Errorf(inbox.EInvalid, "html is for email conversations")
	}
	switch c.ChannelType {
	case inbox.ChannelEmail:
		if in.Template != nil {
			return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
		}
		if text == "" && strings.TrimSpace(in.HTML) == "" {
			return inbox.Errorf(inbox.EInvalid, "text or html is required")
		}
		if c.ContactEmail == "" {
			return inbox.Errorf(inbox.EInvalid, "the contact has no email address")
		}
	case inbox.ChannelSMS:
		if in.Template != nil {
			return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
		}
		if text == "" && len(in.Attachments) == 0 {
			return inbox.Errorf(inbox.EInvalid, "text is required")
		}
		if utf8.RuneCountInString(in.Text) > MaxSMSText {
			return inbox.Errorf(inbox.EInvalid, "an SMS reply has at most %d characters", MaxSMSText)
		}
		if len(in.Attachments) > 10 {
			return inbox.Errorf(inbox.EInvalid, "an MMS carries at most 10 attachments")
		}
	case inbox.ChannelMessenger:
		if in.Template != nil {
			return inbox.Errorf(inbox.EInvalid, "templates are for WhatsApp conversations")
		}
		if (text == "") == (len(in.Attachments) == 0) || len(in.Attachments) > 1 {
			return inbox.Errorf(inbox.EInvalid, "a Messenger reply is a text or one attachment: send them as separate messages")
		}
		if utf8.RuneCountInString(in.Text) > 2000 {
			return inbox.Errorf(inbox.EInvalid, "a Messenger text has at most 2000 characters")
		}
		if _, _, err := meta.MessengerPolicy(c.LastInboundAt, now); err != nil {
			return err
		}
	case inbox.ChannelWhatsApp:
		if in.Template != nil {
			if text != "" || len(in.Attachments) > 0 {
				return inbox.Errorf(inbox.EInvalid, "a template is sent on its own, without text or attachments")
			}
			if strings.TrimSpace(in.Template.Name) == "" || strings.TrimSpace(in.Template.Language) == "" {
				return inbox.Errorf(inbox.EInvalid, "template.name and template.language are required")
			}
			return nil
		}
		if text == "" && len(in.Attachments) == 0 {
			return inbox.Errorf(inbox.EInvalid, "text or an attachment is required")
		}
		if len(in.Attachments) > 1 {
			return inbox.Errorf(inbox.EInvalid, "a WhatsApp message carries one attachment; its text becomes the caption")
		}
		if len(in.Attachments) == 1 && in.Attachments[0].Type == inbox.AttachAudio && text != "" {
			return inbox.Errorf(inbox.EInvalid, "WhatsApp audio carries no caption: send the text as its own message")
		}
		if utf8.RuneCountInString(in.Text) > 4096 {
			return inbox.Errorf(inbox.EInvalid, "a WhatsApp text has at most 4096 characters")
		}
		if err := meta.WhatsAppFreeForm(c.LastInboundAt, now); err != nil {
			return err
		}
	}
	return nil
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
	if err := in.validate(c, now); err != nil {
		return 0, nil, err
	}
	m := inbox.Message{
		AccountID: p.AccountID, ConversationID: c.ID, ID: inbox.MessageID(now, a.NewID()),
		Direction: inbox.DirectionOut, Text: in.Text, CreatedAt: now, UpdatedAt: now,
		Status: inbox.MessagePending, AuthorID: p.UserID, Template: in.Template,
		Subject: replySubject(c.Subject),
	}
	if in.HTML != "" {
		m.HTML = mail.SanitizeHTML(in.HTML)
	}
	m.AuthorName, _, _ = agentNames(p)
	for _, at := range in.Attachments {
		att := inbox.Attachment{Type: at.Type, URL: at.URL, ContentType: at.ContentType, Name: at.Name}
		if at.UploadID != "" {
			att.StorageKey, att.MediaStatus = uploadKey(p.AccountID, at.UploadID), inbox.MediaStored
			if c.ChannelType != inbox.ChannelEmail {
				// The providers download the file by URL; email attaches it from storage.
				if att.URL, err = a.Blobs.PresignGet(ctx, att.StorageKey, ReplyMediaTTL); err != nil {
					return 0, nil, err
				}
			}
		}
		m.Attachments = append(m.Attachments, att)
	}
	if _, err := a.Store.AppendMessage(ctx, c, m, ""); err != nil {
		return 0, nil, err
	}
	job := inbox.OutboundJob{V: 1, AccountID: p.AccountID, ConversationID: c.ID, MessageID: m.ID}
	body, _ := json.Marshal(job)
	if err := a.Outbound.Publish(ctx, job.GroupKey(), job.DedupKey(), body); err != nil {
		// The message is stored: mark it failed so the agent sees it and can send again.
		pe := &inbox.ProviderError{Code: "queue_unavailable", Message: "the reply could not be queued for sending"}
		if _, _, uerr := a.Store.UpdateDelivery(ctx, p.AccountID, c.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageFailed, Error: pe}, now); uerr != nil {
			a.Log.ErrorContext(ctx, "could not mark unqueued reply failed", "messageId", m.ID, "err", uerr)
		}
		return 0, nil, err
	}
	m.Attachments = a.links(ctx, m.Attachments)
	return http.StatusAccepted, message(m), nil
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
