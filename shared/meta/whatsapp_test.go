package meta

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// The payloads below are the examples of Meta's WhatsApp Cloud API "messages webhook reference"
// pages (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/<type>,
// and for replies the "Webhooks" sections of the interactive reply buttons and list messages
// guides), with their documented values. Every example shares the same envelope (WABA
// 102290129340398, number 15550783881 with id 106540352242922), which waBody reproduces around the
// documented contacts and messages/statuses arrays. Fixes to the published text are noted.

const (
	waPhoneNumberID = "106540352242922"
	waDisplay       = "+15550783881"
	waUser          = "+16505551234"
	// sheenaNelson is the contacts[] of most examples.
	sheenaNelson = `"contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],`
)

// waBody wraps the documented contacts and messages (or statuses) members in the documented
// envelope.
func waBody(members string) string {
	return `{
  "object": "whatsapp_business_account",
  "entry": [{
      "id": "102290129340398",
      "changes": [{
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            ` + members + `
          },
          "field": "messages"
      }]
  }]
}`
}

const (
	// text: "Text message" (the published example lacks the comma after "type": "text").
	docsWAText = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
    "timestamp": "1749416383",
    "type": "text",
    "text": {"body": "Does it come in another color?"}
  }]`
	// image: "Example".
	docsWAImage = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
    "timestamp": "1744344496",
    "type": "image",
    "image": {
      "caption": "Taj Mahal",
      "mime_type": "image/jpeg",
      "sha256": "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=",
      "id": "1003383421387256",
      "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=133..."
    }
  }]`
	// audio: "Example".
	docsWAAudio = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
    "timestamp": "1744344496",
    "type": "audio",
    "audio": {
      "mime_type": "audio/ogg; codecs=opus",
      "sha256": "wvqXMe6n7n1W0zphvLPoLj+s/NtKqmr3zZ7YzTP7xFI=",
      "id": "1908647269898587",
      "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=133...",
      "voice": true
    }
  }]`
	// video: "Example".
	docsWAVideo = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
    "timestamp": "1744344496",
    "type": "video",
    "video": {
      "caption": "Timelapse of growth",
      "mime_type": "video/mp4",
      "sha256": "vdGU5X4caz12KwFgYwpljlUNqMt1YnkH+5GkPc3mMnc=",
      "id": "731675419373506",
      "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=133..."
    }
  }]`
	// document: "Example".
	docsWADocument = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
    "timestamp": "1744344496",
    "type": "document",
    "document": {
      "caption": "my receipt",
      "filename": "receipt.pdf",
      "mime_type": "application/pdf",
      "sha256": "V5OPpLD/gEG6Xjg0MbmQDLFgcKsL+j5LfY4ny/pZ4MY=",
      "id": "622684793477189",
      "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=133..."
    }
  }]`
	// sticker: "Example".
	docsWASticker = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
    "timestamp": "1744344496",
    "type": "sticker",
    "sticker": {
      "mime_type": "image/webp",
      "sha256": "wvqXMe6n7n1W0zphvLPoLj+s/NtKqmr3zZ7YzTP7xFI=",
      "id": "1908647269898587",
      "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=133...",
      "animated": true
    }
  }]`
	// location: "Example".
	docsWALocation = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
    "timestamp": "1744344496",
    "location": {
      "address": "101 Forest Ave, Palo Alto, CA 94301",
      "latitude": 37.44221496582,
      "longitude": -122.16165924072,
      "name": "Philz Coffee",
      "url": "https://philzcoffee.com/"
    },
    "type": "location"
  }]`
	// contacts: "Example".
	docsWAContacts = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
    "timestamp": "1744344496",
    "type": "contacts",
    "contacts": [{
        "name": {"first_name": "Barbara", "last_name": "Johnson", "formatted_name": "Barbara J. Johnson"},
        "org": {"company": "Social Tsunami"},
        "phones": [{"phone": "+1 (415) 555-0829", "wa_id": "14125550829", "type": "MOBILE"}]
    }]
  }]`
	docsWAContactsData = `[{"name":{"first_name":"Barbara","last_name":"Johnson","formatted_name":"Barbara J. Johnson"},"org":{"company":"Social Tsunami"},"phones":[{"phone":"+1 (415) 555-0829","wa_id":"14125550829","type":"MOBILE"}]}]`
	// Interactive reply buttons messages, "Example Webhook".
	docsWAButtonReply = `"contacts": [{"profile": {"name": "Pablo Morales"}, "wa_id": "16505551234"}],
  "messages": [{
    "context": {"from": "15550783881", "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBM0Y4RUU0RUNFQkFDMjYzQUMA"},
    "from": "16505551234",
    "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQThBREYwNzc2RDc2QjA1QTIwMgA=",
    "timestamp": "1714510003",
    "type": "interactive",
    "interactive": {"type": "button_reply", "button_reply": {"id": "change-button", "title": "Change"}}
  }]`
	// Interactive list messages, "Webhooks".
	docsWAListReply = `"contacts": [{"profile": {"name": "Pablo Morales"}, "wa_id": "16505551234"}],
  "messages": [{
    "context": {"from": "15550783881", "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIwMjg0RkMxOEMyMkNEQUFFRDgA"},
    "from": "16505551234",
    "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTZDMzFGRUFBQjlDMzIzMzlEQwA=",
    "timestamp": "1712595443",
    "type": "interactive",
    "interactive": {
      "type": "list_reply",
      "list_reply": {"id": "priority_express", "title": "Priority Mail Express", "description": "Next Day to 2 Days"}
    }
  }]`
	// button (template quick reply): "Example".
	docsWAButton = sheenaNelson + `"messages": [{
    "context": {"from": "15550783881", "id": "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="},
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
    "timestamp": "1750091045",
    "type": "button",
    "button": {"payload": "Unsubscribe", "text": "Unsubscribe"}
  }]`
	// reaction: "Receiving a reaction", with the documented emoji U+1F44D escaped as Meta sends it.
	docsWAReaction = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
    "timestamp": "1749419544",
    "type": "reaction",
    "reaction": {"message_id": "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=", "emoji": "\ud83d\udc4d"}
  }]`
	// reaction: "Reaction Removed by end user" (emoji omitted; the published trailing comma dropped).
	docsWAUnreaction = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
    "timestamp": "1749419544",
    "type": "reaction",
    "reaction": {"message_id": "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="}
  }]`
	// unsupported: "Example".
	docsWAUnsupported = sheenaNelson + `"messages": [{
    "from": "16505551234",
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
    "timestamp": "1750090702",
    "errors": [{
      "code": 131051,
      "title": "Message type unknown",
      "message": "Message type unknown",
      "error_data": {"details": "Message type is currently not supported."}
    }],
    "type": "unsupported",
    "unsupported": {"type": "edit"}
  }]`
	// status: "a marketing message that has been successfully sent"; STATUS replaces "sent" for
	// the delivered and read variants the page describes.
	docsWAStatusSent = `"statuses": [{
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
    "status": "STATUS",
    "timestamp": "1750030073",
    "recipient_id": "16505551234",
    "conversation": {"id": "72b14d6bd5407799e66f64d1b338e567", "expiration_timestamp": "1750116480", "origin": {"type": "marketing"}},
    "pricing": {"billable": true, "pricing_model": "PMP", "type": "regular", "category": "marketing"}
  }]`
	// status: "a message that failed to be sent".
	docsWAStatusFailed = `"statuses": [{
    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA",
    "status": "failed",
    "timestamp": "1751142888",
    "recipient_id": "16505551234",
    "errors": [{
      "code": 131049,
      "title": "This message was not delivered to maintain healthy ecosystem engagement.",
      "message": "This message was not delivered to maintain healthy ecosystem engagement.",
      "error_data": {"details": "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."},
      "href": "/documentation/business-messaging/whatsapp/support/error-codes"
    }]
  }]`
	// Errors webhook reference: "Example" (a change-level error, not about a message).
	docsWAChangeError = `"errors": [{
    "code": 130429,
    "title": "Rate limit hit",
    "message": "Rate limit hit",
    "error_data": {"details": "Message failed to send because there were too many messages sent from this phone number in a short period of time"},
    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
  }]`
)

func sec(n int64) time.Time { return time.Unix(n, 0).UTC() }

func TestParseWhatsApp(t *testing.T) {
	t.Parallel()
	msg := func(id string, ts int64, name string, edit func(*inbox.Envelope)) []Event {
		e := inbox.Envelope{
			V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, ProviderMessageID: id,
			From: inbox.Sender{Phone: waUser, Name: name}, To: waDisplay, ReceivedAt: sec(ts),
		}
		edit(&e)
		return []Event{{Business: waPhoneNumberID, Envelope: e}}
	}
	status := func(id string, ts int64, u inbox.StatusUpdate) []Event {
		return []Event{{Business: waPhoneNumberID, Envelope: inbox.Envelope{
			V: inbox.EnvelopeVersion, Kind: inbox.KindStatus, ProviderMessageID: id,
			From: inbox.Sender{Phone: waUser}, To: waDisplay, ReceivedAt: sec(ts), Status: &u,
		}}}
	}
	const (
		wamidA = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
		wamidB = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
		quoted = "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="
	)
	withStatus := func(s string) string { return strings.Replace(docsWAStatusSent, "STATUS", s, 1) }

	tests := []struct {
		name string
		body string
		want []Event
	}{
		{name: "text", body: waBody(docsWAText), want: msg(wamidA, 1749416383, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Text = "Does it come in another color?"
		})},
		{name: "image", body: waBody(docsWAImage), want: msg(wamidA, 1744344496, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Attachments = []inbox.Attachment{{Type: inbox.AttachImage, MediaID: "1003383421387256", ContentType: "image/jpeg", Caption: "Taj Mahal"}}
		})},
		{name: "audio", body: waBody(docsWAAudio), want: msg(wamidA, 1744344496, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Attachments = []inbox.Attachment{{Type: inbox.AttachAudio, MediaID: "1908647269898587", ContentType: "audio/ogg; codecs=opus"}}
		})},
		{name: "video", body: waBody(docsWAVideo), want: msg(wamidA, 1744344496, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Attachments = []inbox.Attachment{{Type: inbox.AttachVideo, MediaID: "731675419373506", ContentType: "video/mp4", Caption: "Timelapse of growth"}}
		})},
		{name: "document", body: waBody(docsWADocument), want: msg(wamidA, 1744344496, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Attachments = []inbox.Attachment{{Type: inbox.AttachFile, MediaID: "622684793477189", ContentType: "application/pdf", Caption: "my receipt", Name: "receipt.pdf"}}
		})},
		{name: "sticker", body: waBody(docsWASticker), want: msg(wamidA, 1744344496, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Attachments = []inbox.Attachment{{Type: inbox.AttachSticker, MediaID: "1908647269898587", ContentType: "image/webp"}}
		})},
		{name: "location", body: waBody(docsWALocation), want: msg(wamidB, 1744344496, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Attachments = []inbox.Attachment{{
				Type: inbox.AttachLocation, Latitude: 37.44221496582, Longitude: -122.16165924072,
				Name: "Philz Coffee", Caption: "101 Forest Ave, Palo Alto, CA 94301", URL: "https://philzcoffee.com/",
			}}
		})},
		{name: "contacts", body: waBody(docsWAContacts), want: msg(wamidA, 1744344496, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Attachments = []inbox.Attachment{{Type: inbox.AttachContacts, Name: "Barbara J. Johnson", Data: docsWAContactsData}}
		})},
		{name: "interactive button reply", body: waBody(docsWAButtonReply), want: msg("wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQThBREYwNzc2RDc2QjA1QTIwMgA=", 1714510003, "Pablo Morales", func(e *inbox.Envelope) {
			e.Text, e.Payload = "Change", "change-button"
			e.ReplyTo = "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBM0Y4RUU0RUNFQkFDMjYzQUMA"
		})},
		{name: "interactive list reply", body: waBody(docsWAListReply), want: msg("wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTZDMzFGRUFBQjlDMzIzMzlEQwA=", 1712595443, "Pablo Morales", func(e *inbox.Envelope) {
			e.Text, e.Payload = "Priority Mail Express", "priority_express"
			e.ReplyTo = "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIwMjg0RkMxOEMyMkNEQUFFRDgA"
		})},
		{name: "template quick-reply button", body: waBody(docsWAButton), want: msg(wamidB, 1750091045, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Text, e.Payload, e.ReplyTo = "Unsubscribe", "Unsubscribe", quoted
		})},
		{name: "reaction", body: waBody(docsWAReaction), want: msg(wamidB, 1749419544, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Reaction, e.ReplyTo = strPtr("👍"), quoted
		})},
		{name: "reaction removed", body: waBody(docsWAUnreaction), want: msg(wamidB, 1749419544, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Reaction, e.ReplyTo = strPtr(""), quoted
		})},
		{name: "unsupported", body: waBody(docsWAUnsupported), want: msg(wamidB, 1750090702, "Sheena Nelson", func(e *inbox.Envelope) {
			e.Attachments = []inbox.Attachment{{Type: inbox.AttachFallback, Caption: "unsupported/edit"}}
		})},
		{
			name: "unknown type",
			body: waBody(strings.NewReplacer(`"type": "text"`, `"type": "order"`, `"text": {"body": "Does it come in another color?"}`, `"order": {"catalog_id": "194836987003835"}`).Replace(docsWAText)),
			want: msg(wamidA, 1749416383, "Sheena Nelson", func(e *inbox.Envelope) {
				e.Attachments = []inbox.Attachment{{Type: inbox.AttachFallback, Caption: "order"}}
			}),
		},
		{name: "status sent", body: waBody(withStatus("sent")), want: status(wamidB, 1750030073, inbox.StatusUpdate{Status: inbox.MessageSent})},
		{name: "status delivered", body: waBody(withStatus("delivered")), want: status(wamidB, 1750030073, inbox.StatusUpdate{Status: inbox.MessageDelivered})},
		{name: "status read", body: waBody(withStatus("read")), want: status(wamidB, 1750030073, inbox.StatusUpdate{Status: inbox.MessageRead})},
		{name: "status played", body: waBody(withStatus("played")), want: status(wamidB, 1750030073, inbox.StatusUpdate{Status: inbox.MessageRead})},
		{name: "status unknown is skipped", body: waBody(withStatus("deleted")), want: nil},
		{name: "status failed", body: waBody(docsWAStatusFailed), want: status("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA", 1751142888, inbox.StatusUpdate{
			Status: inbox.MessageFailed, ErrorCode: "131049",
			ErrorMessage: "This message was not delivered to maintain healthy ecosystem engagement.",
		})},
		{
			name: "status failed without title",
			body: waBody(strings.NewReplacer(
				`"title": "This message was not delivered to maintain healthy ecosystem engagement.",`, ``,
				`"message": "This message was not delivered to maintain healthy ecosystem engagement.",`, ``,
			).Replace(docsWAStatusFailed)),
			want: status("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA", 1751142888, inbox.StatusUpdate{
				Status: inbox.MessageFailed, ErrorCode: "131049",
				ErrorMessage: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
			}),
		},
		{name: "change-level error is skipped", body: waBody(docsWAChangeError), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseWhatsApp([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseWhatsApp: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseWhatsApp =\n%+v\nwant\n%+v", got, tt.want)
			}
			for _, ev := range got {
				env := ev.Envelope
				env.AccountID, env.ChannelID = "acct", "chan"
				if err := env.Validate(); err != nil {
					t.Errorf("envelope %q does not validate: %v", env.ProviderMessageID, err)
				}
			}
		})
	}
}

// TestParseWhatsAppBatched checks that two messages and a status in one change are all
// returned, messages first, and that other fields are skipped.
func TestParseWhatsAppBatched(t *testing.T) {
	t.Parallel()
	body := `{
  "object": "whatsapp_business_account",
  "entry": [{
    "id": "102290129340398",
    "changes": [
      {"field": "account_update", "value": {"phone_number": "15550783881", "event": "VERIFIED_ACCOUNT"}},
      {"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [
          {"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"},
          {"profile": {"name": "Pablo Morales"}, "wa_id": "16505550000"}
        ],
        "messages": [
          {"from": "16505551234", "id": "wamid.ONE", "timestamp": "1749416383", "type": "text", "text": {"body": "one"}},
          {"from": "16505550000", "id": "wamid.TWO", "timestamp": "1749416384", "type": "text", "text": {"body": "two"}}
        ],
        "statuses": [
          {"id": "wamid.OUT", "status": "delivered", "timestamp": "1749416385", "recipient_id": "16505551234"}
        ]
      }}
    ]
  }]
}`
	got, err := ParseWhatsApp([]byte(body))
	if err != nil {
		t.Fatalf("ParseWhatsApp: %v", err)
	}
	type summary struct {
		business, kind, id, phone, name, text string
	}
	var sums []summary
	for _, ev := range got {
		e := ev.Envelope
		sums = append(sums, summary{ev.Business, string(e.Kind), e.ProviderMessageID, e.From.Phone, e.From.Name, e.Text})
	}
	want := []summary{
		{waPhoneNumberID, "message", "wamid.ONE", "+16505551234", "Sheena Nelson", "one"},
		{waPhoneNumberID, "message", "wamid.TWO", "+16505550000", "Pablo Morales", "two"},
		{waPhoneNumberID, "status", "wamid.OUT", "+16505551234", "", ""},
	}
	if !reflect.DeepEqual(sums, want) {
		t.Fatalf("events = %+v\nwant %+v", sums, want)
	}
}

// TestParseWhatsAppOtherFieldOfAnotherShape checks that a change of another field whose value
// does not fit a messages value (here its "messages" member is an object, and "statuses" a
// number) neither fails the body nor hides the messages change beside it: ParseWhatsApp
// decodes the whole body in one pass only when every value fits.
func TestParseWhatsAppOtherFieldOfAnotherShape(t *testing.T) {
	t.Parallel()
	other := `{"field": "account_update", "value": {"messages": {"limit": "TIER_1K"}, "statuses": 3}},`
	for name, body := range map[string]string{
		"before": strings.Replace(waBody(docsWAText), `"changes": [`, `"changes": [`+other, 1),
		"alone":  waBody(docsWAText),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(body, "TIER_1K") && name == "before" {
				t.Fatal("the test body lacks the other change")
			}
			got, err := ParseWhatsApp([]byte(body))
			if err != nil {
				t.Fatalf("ParseWhatsApp: %v", err)
			}
			if len(got) != 1 || got[0].Envelope.Text != "Does it come in another color?" || got[0].Business != waPhoneNumberID {
				t.Fatalf("events = %+v, want the text message", got)
			}
		})
	}
}

func TestParseWhatsAppInvalid(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not JSON":                     `{"object":"whatsapp_business_account",`,
		"empty":                        ``,
		"another object":               `{"object":"page","entry":[]}`,
		"no object":                    `{"entry":[]}`,
		"messages value not an object": `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":[]}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseWhatsApp([]byte(body)); !inbox.IsCode(err, inbox.EInvalid) {
				t.Fatalf("ParseWhatsApp = %v, want EInvalid", err)
			}
		})
	}
}
