package meta

import (
	"encoding/json"
	"strconv"

	"github.com/openinbox/inbox/shared/inbox"
)

// messengerBody is the envelope of every Messenger Platform webhook
// (https://developers.facebook.com/docs/messenger-platform/webhooks#event-format).
type messengerBody struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string          `json:"id"`
		Time      flexInt         `json:"time"`
		Messaging []messagingItem `json:"messaging"`
		// Standby carries the same events when another app owns the thread (handover protocol).
		Standby []messagingItem `json:"standby"`
	} `json:"entry"`
}

type messagingItem struct {
	Sender struct {
		ID string `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Timestamp flexInt           `json:"timestamp"`
	Message   *messengerMessage `json:"message"`
	Postback  *struct {
		Mid     string `json:"mid"`
		Title   string `json:"title"`
		Payload string `json:"payload"`
	} `json:"postback"`
	Delivery *struct {
		Mids      []string `json:"mids"`
		Watermark flexInt  `json:"watermark"`
	} `json:"delivery"`
	Read *struct {
		Watermark flexInt `json:"watermark"`
	} `json:"read"`
	Reaction *struct {
		Reaction string `json:"reaction"`
		Emoji    string `json:"emoji"`
		Action   string `json:"action"`
		Mid      string `json:"mid"`
	} `json:"reaction"`
}

type messengerMessage struct {
	Mid        string `json:"mid"`
	Text       string `json:"text"`
	IsEcho     bool   `json:"is_echo"`
	Metadata   string `json:"metadata"`
	QuickReply *struct {
		Payload string `json:"payload"`
	} `json:"quick_reply"`
	ReplyTo *struct {
		Mid string `json:"mid"`
	} `json:"reply_to"`
	Attachments []messengerAttachment `json:"attachments"`
}

// messengerAttachment keeps its payload raw: it is an object for most types, null for legacy
// fallbacks, and a template or product structure for others.
type messengerAttachment struct {
	Type    string          `json:"type"`
	Title   string          `json:"title"`
	URL     string          `json:"url"`
	Payload json.RawMessage `json:"payload"`
}

type messengerPayload struct {
	URL         string  `json:"url"`
	Title       string  `json:"title"`
	StickerID   flexInt `json:"sticker_id"`
	Coordinates *struct {
		Lat  float64 `json:"lat"`
		Long float64 `json:"long"`
	} `json:"coordinates"`
}

// ParseMessenger decodes a Messenger Platform webhook body (object "page") into events, one per
// supported item of every entry's messaging[] and standby[] arrays, in order. Business is the
// entry's Page id.
//
//   - message: KindMessage with ProviderMessageID = mid, From.PSID = sender, To = the page,
//     Text, Payload = quick_reply.payload, ReplyTo = reply_to.mid, ReceivedAt = timestamp (ms),
//     and attachments: image, audio, video and file with their payload.url; sticker (and, during
//     Meta's 2026 transition, an image carrying a sticker_id) as one sticker per sticker_id, the
//     id in Data; legacy location with payload.coordinates and title/url; fallback and any other
//     type (template, reel, post…) as fallback with the URL and title, other types naming
//     themselves in Caption.
//   - message with is_echo: KindEcho, keyed by the customer: From.PSID = recipient (the customer)
//     and To = sender (the page).
//   - postback: KindMessage with Text = title, Payload = payload and ProviderMessageID = mid, or
//     "postback:<psid>:<timestamp>" when Meta sends no mid.
//   - delivery: one KindStatus delivered event with Watermark = watermark and no
//     ProviderMessageID. The optional mids are not turned into per-message events: the watermark
//     covers them, and mids of messages sent from outside the inbox would never be found.
//   - read: KindStatus read with Watermark.
//   - reaction: KindMessage with Reaction = emoji (a pointer to "" for unreact), ReplyTo = the
//     reacted message's mid and ProviderMessageID "reaction:<psid>:<timestamp>:<mid>".
//
// Items of other kinds (optins, referrals, handovers…) and items without a sender id (a guest's
// user_ref) are skipped, not errors. It returns an *inbox.Error with code EInvalid when body is
// not JSON of that shape or its object is not "page".
func ParseMessenger(body []byte) ([]Event, error) {
	var b messengerBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, inbox.Wrap(err, inbox.EInvalid, "malformed Messenger webhook")
	}
	if b.Object != "page" {
		return nil, inbox.Errorf(inbox.EInvalid, "unexpected webhook object %q for Messenger", b.Object)
	}
	var events []Event
	for _, e := range b.Entry {
		items := append(append([]messagingItem(nil), e.Messaging...), e.Standby...)
		for _, it := range items {
			env, ok := messengerEnvelope(it, e.Time)
			if !ok {
				continue
			}
			business := e.ID
			if business == "" {
				// The page is the recipient of the customer's events and the sender of echoes.
				business = env.To
			}
			events = append(events, Event{Business: business, Envelope: env})
		}
	}
	return events, nil
}

func messengerEnvelope(it messagingItem, entryTime flexInt) (inbox.Envelope, bool) {
	if it.Sender.ID == "" {
		return inbox.Envelope{}, false
	}
	ts := it.Timestamp
	if ts == 0 {
		ts = entryTime
	}
	env := inbox.Envelope{
		V:          inbox.EnvelopeVersion,
		Kind:       inbox.KindMessage,
		From:       inbox.Sender{PSID: it.Sender.ID},
		To:         it.Recipient.ID,
		ReceivedAt: msTime(ts),
	}
	switch {
	case it.Message != nil:
		m := it.Message
		if m.Mid == "" {
			return inbox.Envelope{}, false
		}
		env.ProviderMessageID = m.Mid
		env.Text = m.Text
		env.Attachments = messengerAttachments(m.Attachments)
		if m.ReplyTo != nil {
			env.ReplyTo = m.ReplyTo.Mid
		}
		if m.IsEcho {
			if it.Recipient.ID == "" {
				return inbox.Envelope{}, false
			}
			env.Kind = inbox.KindEcho
			env.From = inbox.Sender{PSID: it.Recipient.ID}
			env.To = it.Sender.ID
			// The Send API's metadata comes back on the echo: it tells our own sends apart.
			env.Payload = m.Metadata
		} else if m.QuickReply != nil {
			env.Payload = m.QuickReply.Payload
		}
	case it.Postback != nil:
		env.ProviderMessageID = it.Postback.Mid
		if env.ProviderMessageID == "" {
			env.ProviderMessageID = "postback:" + it.Sender.ID + ":" + strconv.FormatInt(int64(ts), 10)
		}
		env.Text = it.Postback.Title
		env.Payload = it.Postback.Payload
	case it.Delivery != nil:
		if it.Delivery.Watermark <= 0 {
			return inbox.Envelope{}, false
		}
		env.Kind = inbox.KindStatus
		env.Status = &inbox.StatusUpdate{Status: inbox.MessageDelivered, Watermark: msTime(it.Delivery.Watermark)}
	case it.Read != nil:
		if it.Read.Watermark <= 0 {
			return inbox.Envelope{}, false
		}
		env.Kind = inbox.KindStatus
		env.Status = &inbox.StatusUpdate{Status: inbox.MessageRead, Watermark: msTime(it.Read.Watermark)}
	case it.Reaction != nil:
		r := it.Reaction
		emoji := r.Emoji
		if r.Action == "unreact" {
			emoji = ""
		}
		env.Reaction = &emoji
		env.ReplyTo = r.Mid
		env.ProviderMessageID = "reaction:" + it.Sender.ID + ":" + strconv.FormatInt(int64(ts), 10) + ":" + r.Mid
	default:
		return inbox.Envelope{}, false
	}
	return env, true
}

// messengerAttachments maps Messenger attachments to the inbox's. A sticker is kept once per
// sticker_id, whether it came as a sticker attachment, an image with a sticker_id, or both.
func messengerAttachments(in []messengerAttachment) []inbox.Attachment {
	var out []inbox.Attachment
	stickers := map[flexInt]bool{}
	for _, a := range in {
		var p messengerPayload
		if isObject(a.Payload) {
			// A payload of an unexpected shape only loses its details, not the attachment.
			_ = json.Unmarshal(a.Payload, &p)
		}
		url, title := p.URL, p.Title
		if url == "" {
			url = a.URL
		}
		if title == "" {
			title = a.Title
		}
		if p.StickerID != 0 || a.Type == "sticker" {
			if p.StickerID != 0 && stickers[p.StickerID] {
				continue
			}
			stickers[p.StickerID] = true
			att := inbox.Attachment{Type: inbox.AttachSticker, URL: url}
			if p.StickerID != 0 {
				att.Data = strconv.FormatInt(int64(p.StickerID), 10)
			}
			out = append(out, att)
			continue
		}
		switch a.Type {
		case "image", "audio", "video", "file":
			out = append(out, inbox.Attachment{Type: inbox.AttachmentType(a.Type), URL: url})
		case "location":
			att := inbox.Attachment{Type: inbox.AttachLocation, URL: url, Name: title}
			if p.Coordinates != nil {
				att.Latitude, att.Longitude = p.Coordinates.Lat, p.Coordinates.Long
			}
			out = append(out, att)
		case "fallback":
			out = append(out, inbox.Attachment{Type: inbox.AttachFallback, URL: url, Name: title})
		default:
			out = append(out, inbox.Attachment{Type: inbox.AttachFallback, URL: url, Name: title, Caption: a.Type})
		}
	}
	return out
}
