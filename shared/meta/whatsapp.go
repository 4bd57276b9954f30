package meta

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/openinbox/inbox/shared/inbox"
)

// whatsAppBody is the envelope of every WhatsApp Business Account webhook
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages).
// Change values stay raw until their field is known, since each field has its own shape.
type whatsAppBody struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string          `json:"field"`
			Value json.RawMessage `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type whatsAppValue struct {
	Metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []whatsAppMessage `json:"messages"`
	Statuses []whatsAppStatus  `json:"statuses"`
}

type whatsAppMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type whatsAppMessage struct {
	From      string  `json:"from"`
	ID        string  `json:"id"`
	Timestamp flexInt `json:"timestamp"`
	Type      string  `json:"type"`
	Context   *struct {
		ID string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *whatsAppMedia `json:"image"`
	Audio    *whatsAppMedia `json:"audio"`
	Video    *whatsAppMedia `json:"video"`
	Document *whatsAppMedia `json:"document"`
	Sticker  *whatsAppMedia `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
		URL       string  `json:"url"`
	} `json:"location"`
	Contacts    json.RawMessage `json:"contacts"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Unsupported *struct {
		Type string `json:"type"`
	} `json:"unsupported"`
}

type whatsAppStatus struct {
	ID                     string  `json:"id"`
	Status                 string  `json:"status"`
	Timestamp              flexInt `json:"timestamp"`
	RecipientID            string  `json:"recipient_id"`
	RecipientParticipantID string  `json:"recipient_participant_id"`
	Errors                 []struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"errors"`
}

// ParseWhatsApp decodes a WhatsApp Cloud API webhook body (object "whatsapp_business_account")
// into events: for every entry's changes with field "messages", one event per messages[] item
// and per statuses[] item, in that order. Business is value.metadata.phone_number_id; To is the
// business's display number with a "+".
//
// A message gives a KindMessage envelope with ProviderMessageID = id (the wamid), From.Phone =
// "+" + from, From.Name = the profile name of the matching contacts[] entry (by wa_id, or the
// only entry), ReceivedAt = timestamp (Unix seconds) and ReplyTo = context.id, and by type:
//
//   - text: Text = text.body.
//   - image, audio, video, document, sticker: one attachment with MediaID = id, ContentType =
//     mime_type, Caption and Name = filename; document becomes AttachFile. The file itself is
//     fetched later with Client.Media and Client.Download.
//   - location: AttachLocation with Latitude, Longitude, Name = name, Caption = address and URL.
//   - contacts: AttachContacts whose Data is the JSON of the shared contacts array and Name the
//     first contact's formatted_name.
//   - interactive button_reply or list_reply: Text = title, Payload = id.
//   - button (a template's quick reply): Text = text, Payload = payload.
//   - reaction: Reaction = emoji (a pointer to "" when the reaction is removed, which Meta
//     signals by omitting emoji) and ReplyTo = reaction.message_id.
//   - anything else (unsupported, system, order, other interactive replies…): AttachFallback whose
//     Caption is the type, followed by "/" and the sub-type when WhatsApp names one.
//
// A status gives a KindStatus envelope with ProviderMessageID = id, From.Phone = "+" +
// recipient_id (or the group participant's number for group messages), ReceivedAt = timestamp,
// and Status sent, delivered, read or failed (played, for voice messages, counts as read); a
// failure carries errors[0]: ErrorCode = code and ErrorMessage = title, else message, else
// error_data.details. Statuses of other values are skipped.
//
// Other fields (account and template updates…), change-level errors, and messages or statuses
// without an id or phone number are skipped, not errors. It returns an *inbox.Error with code
// EInvalid when body is not JSON of that shape or its object is not "whatsapp_business_account".
func ParseWhatsApp(body []byte) ([]Event, error) {
	// Nearly every webhook carries only "messages" changes: one pass decodes them whole. A
	// change of another field whose value does not fit a messages value (its shape is its
	// own) fails that pass; the body is then decoded as before, each value once its field is
	// known, so the result is the same either way.
	var fast whatsAppMessagesBody
	if err := json.Unmarshal(body, &fast); err == nil {
		if fast.Object != "whatsapp_business_account" {
			return nil, errWhatsAppObject(fast.Object)
		}
		var events []Event
		for _, e := range fast.Entry {
			for i := range e.Changes {
				if c := &e.Changes[i]; c.Field == "messages" {
					events = whatsAppEvents(events, &c.Value)
				}
			}
		}
		return events, nil
	}
	var b whatsAppBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, inbox.Wrap(err, inbox.EInvalid, "malformed WhatsApp webhook")
	}
	if b.Object != "whatsapp_business_account" {
		return nil, errWhatsAppObject(b.Object)
	}
	var events []Event
	for _, e := range b.Entry {
		for _, c := range e.Changes {
			if c.Field != "messages" {
				continue
			}
			var v whatsAppValue
			if err := json.Unmarshal(c.Value, &v); err != nil {
				return nil, inbox.Wrap(err, inbox.EInvalid, "malformed WhatsApp messages webhook")
			}
			events = whatsAppEvents(events, &v)
		}
	}
	return events, nil
}

// whatsAppMessagesBody is whatsAppBody with every change's value decoded as a messages value.
type whatsAppMessagesBody struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string        `json:"field"`
			Value whatsAppValue `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

func errWhatsAppObject(object string) error {
	return inbox.Errorf(inbox.EInvalid, "unexpected webhook object %q for WhatsApp", object)
}

// whatsAppEvents appends the events of one "messages" change value to events.
func whatsAppEvents(events []Event, v *whatsAppValue) []Event {
	business := v.Metadata.PhoneNumberID
	to := plusPhone(v.Metadata.DisplayPhoneNumber)
	for _, m := range v.Messages {
		if env, ok := whatsAppMessageEnvelope(m, *v, to); ok {
			events = append(events, Event{Business: business, Envelope: env})
		}
	}
	for _, s := range v.Statuses {
		if env, ok := whatsAppStatusEnvelope(s, to); ok {
			events = append(events, Event{Business: business, Envelope: env})
		}
	}
	return events
}

func whatsAppMessageEnvelope(m whatsAppMessage, v whatsAppValue, to string) (inbox.Envelope, bool) {
	if m.ID == "" || m.From == "" {
		return inbox.Envelope{}, false
	}
	env := inbox.Envelope{
		V:                 inbox.EnvelopeVersion,
		Kind:              inbox.KindMessage,
		ProviderMessageID: m.ID,
		From:              inbox.Sender{Phone: plusPhone(m.From), Name: profileName(v, m.From)},
		To:                to,
		ReceivedAt:        secTime(m.Timestamp),
	}
	if m.Context != nil {
		env.ReplyTo = m.Context.ID
	}
	media := func(t inbox.AttachmentType, md *whatsAppMedia) {
		env.Attachments = []inbox.Attachment{{
			Type: t, MediaID: md.ID, ContentType: md.MimeType, Caption: md.Caption, Name: inbox.FileName(md.Filename),
		}}
	}
	fallback := func(sub string) {
		caption := m.Type
		if sub != "" {
			caption += "/" + sub
		}
		env.Attachments = []inbox.Attachment{{Type: inbox.AttachFallback, Caption: caption}}
	}
	switch {
	case m.Type == "text" && m.Text != nil:
		env.Text = m.Text.Body
	case m.Type == "image" && m.Image != nil:
		media(inbox.AttachImage, m.Image)
	case m.Type == "audio" && m.Audio != nil:
		media(inbox.AttachAudio, m.Audio)
	case m.Type == "video" && m.Video != nil:
		media(inbox.AttachVideo, m.Video)
	case m.Type == "document" && m.Document != nil:
		media(inbox.AttachFile, m.Document)
	case m.Type == "sticker" && m.Sticker != nil:
		media(inbox.AttachSticker, m.Sticker)
	case m.Type == "location" && m.Location != nil:
		l := m.Location
		env.Attachments = []inbox.Attachment{{
			Type: inbox.AttachLocation, Latitude: l.Latitude, Longitude: l.Longitude,
			Name: l.Name, Caption: l.Address, URL: l.URL,
		}}
	case m.Type == "contacts" && len(m.Contacts) > 0:
		env.Attachments = []inbox.Attachment{contactsAttachment(m.Contacts)}
	case m.Type == "interactive" && m.Interactive != nil:
		switch i := m.Interactive; {
		case i.Type == "button_reply" && i.ButtonReply != nil:
			env.Text, env.Payload = i.ButtonReply.Title, i.ButtonReply.ID
		case i.Type == "list_reply" && i.ListReply != nil:
			env.Text, env.Payload = i.ListReply.Title, i.ListReply.ID
		default:
			fallback(i.Type)
		}
	case m.Type == "button" && m.Button != nil:
		env.Text, env.Payload = m.Button.Text, m.Button.Payload
	case m.Type == "reaction" && m.Reaction != nil:
		emoji := m.Reaction.Emoji
		env.Reaction = &emoji
		env.ReplyTo = m.Reaction.MessageID
	case m.Type == "unsupported" && m.Unsupported != nil:
		fallback(m.Unsupported.Type)
	default:
		fallback("")
	}
	return env, true
}

func whatsAppStatusEnvelope(s whatsAppStatus, to string) (inbox.Envelope, bool) {
	var status inbox.MessageStatus
	switch s.Status {
	case "sent":
		status = inbox.MessageSent
	case "delivered":
		status = inbox.MessageDelivered
	case "read", "played":
		status = inbox.MessageRead
	case "failed":
		status = inbox.MessageFailed
	default:
		return inbox.Envelope{}, false
	}
	recipient := s.RecipientID
	if s.RecipientParticipantID != "" {
		recipient = s.RecipientParticipantID
	}
	if s.ID == "" || recipient == "" {
		return inbox.Envelope{}, false
	}
	update := &inbox.StatusUpdate{Status: status}
	if status == inbox.MessageFailed && len(s.Errors) > 0 {
		e := s.Errors[0]
		update.ErrorCode = strconv.Itoa(e.Code)
		update.ErrorMessage = firstNonEmpty(e.Title, e.Message, e.ErrorData.Details)
	}
	return inbox.Envelope{
		V:                 inbox.EnvelopeVersion,
		Kind:              inbox.KindStatus,
		ProviderMessageID: s.ID,
		From:              inbox.Sender{Phone: plusPhone(recipient)},
		To:                to,
		ReceivedAt:        secTime(s.Timestamp),
		Status:            update,
	}, true
}

// profileName returns the WhatsApp profile name of the sender: the contacts[] entry with their
// wa_id, or the only entry when none matches (a user's wa_id and number may differ).
func profileName(v whatsAppValue, from string) string {
	from = strings.TrimPrefix(from, "+")
	for _, c := range v.Contacts {
		if c.WaID == from {
			return c.Profile.Name
		}
	}
	if len(v.Contacts) == 1 {
		return v.Contacts[0].Profile.Name
	}
	return ""
}

// contactsAttachment keeps the shared contacts as compact JSON, named after the first one.
func contactsAttachment(raw json.RawMessage) inbox.Attachment {
	att := inbox.Attachment{Type: inbox.AttachContacts}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err == nil {
		att.Data = buf.String()
	} else {
		att.Data = string(raw)
	}
	var cards []struct {
		Name struct {
			FormattedName string `json:"formatted_name"`
		} `json:"name"`
	}
	if json.Unmarshal(raw, &cards) == nil && len(cards) > 0 {
		att.Name = cards[0].Name.FormattedName
	}
	return att
}

// plusPhone writes a WhatsApp number (digits, as in from, wa_id and recipient_id) in E.164 with
// its "+"; "" stays "".
func plusPhone(n string) string {
	n = strings.TrimSpace(n)
	if n == "" || strings.HasPrefix(n, "+") {
		return n
	}
	return "+" + n
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
