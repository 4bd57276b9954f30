package meta

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// The messaging items below are the examples of Meta's Messenger Platform webhook references
// (https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/<event>),
// copied as published. Their placeholders are kept when they are valid JSON strings ("<PSID>",
// "<PAGE_ID>"…) and replaced, as noted, where the published text is not JSON (unquoted <APPID>,
// "\u{2764}\u{FE0F}", "a|b" alternatives, trailing commas).

const (
	psid   = "<PSID>"
	pageID = "<PAGE_ID>"
	// entryTime is the entry.time of pageBody's wrapper ("Event Format" example).
	entryTime = 1458692752478
)

// pageBody wraps messaging items in the documented envelope ("Event Format":
// {"object":"page","entry":[{"id":"<PAGE_ID>","time":1458692752478,"messaging":[…]}]}).
func pageBody(items ...string) string {
	return `{"object":"page","entry":[{"id":"<PAGE_ID>","time":1458692752478,"messaging":[` + strings.Join(items, ",") + `]}]}`
}

const (
	// messages: "Text message".
	docsTextMessage = `{
  "sender":{"id":"<PSID>"},
  "recipient":{"id":"<PAGE_ID>"},
  "timestamp":1458692752478,
  "message":{
    "mid":"mid.1457764197618:41d102a3e1ae206a38",
    "text":"hello, world!",
    "quick_reply": {"payload": "<DEVELOPER_DEFINED_PAYLOAD>"}
  }
}`
	// messages: "Reply message".
	docsReplyMessage = `{
  "sender":{"id":"<PSID>"},
  "recipient":{"id":"<PAGE_ID>"},
  "timestamp":1458692752478,
  "message":{
    "mid":"m_1457764197618:41d102a3e1ae206a38",
    "text":"hello, world!",
    "reply_to": {"mid":"m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU", "is_self_reply": false}
  }
}`
	// messages: "Message with attachment", a whole entry; TYPE replaces "<image|video|audio|file|sticker|reel|ig_reel>".
	docsAttachmentEntry = `{"object":"page","entry":[{
  "id": "682498302938465",
  "time": 1518479195594,
  "messaging": [{
    "sender": {"id": "<PSID>"},
    "recipient": {"id": "<PAGE_ID>"},
    "timestamp": 1518479195308,
    "message": {
      "mid": "mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c",
      "attachments": [{"type": "TYPE", "payload": {"url": "<ATTACHMENT_URL>"}}]
    }
  }]
}]}`
	// messages: "Message with sticker attachment", a whole entry.
	docsStickerEntry = `{"object":"page","entry":[{
  "id": "682498302938465",
  "time": 1518479195594,
  "messaging": [{
    "sender": {"id": "<PSID>"},
    "recipient": {"id": "<PAGE_ID>"},
    "timestamp": 1518479195308,
    "message": {
      "mid": "mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c",
      "attachments": [{"type": "sticker", "payload": {"url": "<STICKER_URL>", "sticker_id": 369239263222822}}]
    }
  }]
}]}`
	// messages: "Message with fallback attachment" (v6.0+), a whole body.
	docsFallbackBody = `{
    "object": "page",
    "entry": [{
        "id": "<PAGE_ID>",
        "time": 1583173667623,
        "messaging": [{
            "sender": {"id": "<PSID>"},
            "recipient": {"id": "<PAGE_ID>"},
            "timestamp": 1583173666767,
            "message": {
                "mid": "m_toDnmD...",
                "text": "This is where I want to go: https:\/\/youtu.be\/bbo_fZAjIhg",
                "attachments": [{
                    "type": "fallback",
                    "payload": {"url": "<ATTACHMENT_URL >", "title": "TAHITI - Heaven on Earth"}
                }]
            }
        }]
    }]
}`
	// A location shared from the Messenger app, in the shape of the former "location" attachment
	// reference (title, url and payload.coordinates.lat/long); the values are illustrative.
	legacyLocationMessage = `{
  "sender":{"id":"<PSID>"},
  "recipient":{"id":"<PAGE_ID>"},
  "timestamp":1458692752478,
  "message":{
    "mid":"mid.1458696618141:b4ef9d19ec21086067",
    "attachments":[{
      "title":"Pin's Location",
      "url":"https:\/\/l.facebook.com\/l.php?u=https%3A%2F%2Fwww.bing.com%2Fmaps",
      "type":"location",
      "payload":{"coordinates":{"lat":37.4845,"long":-122.1477}}
    }]
  }
}`
	// message_echoes: "Text message".
	docsEchoText = `{
  "sender":{"id":"<PAGE_ID>"},
  "recipient":{"id":"<PSID>"},
  "timestamp":1457764197627,
  "message":{
    "is_echo":true,
    "app_id":1517776481860111,
    "metadata": "<DEVELOPER_DEFINED_METADATA_STRING>",
    "mid":"mid.1457764197618:41d102a3e1ae206a38",
    "text":"hello, world!"
  }
}`
	// message_echoes: "Message with image, audio, video, file, or sticker attachment".
	docsEchoImage = `{
  "sender":{"id":"<PAGE_ID>"},
  "recipient":{"id":"<PSID>"},
  "timestamp":1458696618268,
  "message":{
    "is_echo":true,
    "app_id":1517776481860111,
    "metadata": "<DEVELOPER_DEFINED_METADATA_STRING>",
    "mid":"mid.1458696618141:b4ef9d19ec21086067",
    "attachments":[{"type":"image","payload":{"url":"<IMAGE_URL>"}}]
  }
}`
	// message_echoes: "Message with fallback attachment" (legacy: title and url beside a null payload).
	docsEchoFallback = `{
  "sender":{"id":"<PAGE_ID>"},
  "recipient":{"id":"<PSID>"},
  "timestamp":1458696618268,
  "message":{
    "is_echo":true,
    "app_id":1517776481860111,
    "metadata": "<DEVELOPER_DEFINED_METADATA_STRING>",
    "mid":"mid.1458696618141:b4ef9d19ec21086067",
    "attachments":[{"title":"Legacy Attachment","url":"https:\/\/www.messenger.com\/","type":"fallback","payload":null}]
  }
}`
	// message_echoes: "Example 2", a standby echo of a media template; 263902037430900 replaces
	// the unquoted <APPID>.
	docsEchoStandbyBody = `{
    "object": "page",
    "entry": [{
        "id": "<PAGE_ID>",
        "time": 1570053170926,
        "standby": [{
            "sender": {"id": "<PAGE_ID>"},
            "recipient": {"id": "<PSID>"},
            "timestamp": 1570053170673,
            "message": {
                "mid": "qT7ywaKpO9kkQR7Gv-nM8LIfLZDamVrALniheUYEDdHJXjDXEAyaS1xxONzb2Iv-DFzmTihfWJV012P5pK0AhQ",
                "is_echo": true,
                "app_id": 263902037430900,
                "attachments": [{
                    "title": "",
                    "url": "https:\/\/www.facebook.com\/commerce\/update\/",
                    "type": "template",
                    "payload": {
                        "template_type": "media",
                        "elements": [{"media_type": "image", "attachment_id": 2457235337685388}]
                    }
                }]
            }
        }]
    }]
}`
	// messaging_postbacks: "Example Notification" value, as published (sender.user_ref, a
	// seconds timestamp as a string).
	docsPostbackValue = `{
    "sender": {"user_ref": "USER-REF-ID"},
    "recipient": {"id": "PAGE-ID"},
    "timestamp": "1527459824",
    "postback": {
      "mid": "m_MESSAGE-ID",
      "title": "TITLE-FOR-THE-CTA",
      "payload": "USER-DEFINED-PAYLOAD",
      "referral": {"ref": "USER-DEFINED-REFERRAL-PARAM", "source": "SHORT-URL", "type": "OPEN_THREAD"}
    }
}`
	// message_deliveries: "Example" (it has no timestamp).
	docsDelivery = `{
  "sender":{"id":"<PSID>"},
  "recipient":{"id":"<PAGE_ID>"},
   "delivery":{
      "mids":["mid.1458668856218:ed81099e15d3f4f233"],
      "watermark":1458668856253
   }
}`
	// message_reads: "Example".
	docsRead = `{
   "sender":{"id":"<PSID>"},
   "recipient":{"id":"<PAGE_ID>"},
   "timestamp":1458668856463,
   "read":{"watermark":1458668856253}
}`
	// message_reactions: "Example"; ACTION replaces "react|unreact", "\u2764\ufe0f" the
	// published "\u{2764}\u{FE0F}", and the trailing comma is dropped.
	docsReaction = `{
   "sender":{"id":"<PSID>"},
   "recipient":{"id":"<PAGE_ID>"},
   "timestamp":1458668856463,
   "reaction":{
         "reaction": "smile|angry|sad|wow|love|like|dislike|other",
         "emoji": "\u2764\ufe0f",
         "action": "ACTION",
         "mid": "<MID_OF_ReactedTo_Message>"
   }
}`
	// messaging_account_linking, message_edits, messaging_policy_enforcement and messaging_optins
	// examples: kinds the inbox does not record.
	docsAccountLinking = `{"sender":{"id":"USER_ID"},"recipient":{"id":"PAGE_ID"},"timestamp":1234567890,"account_linking":{"status":"linked","authorization_code":"PASS_THROUGH_AUTHORIZATION_CODE"}}`
	docsMessageEdit    = `{"sender":{"id":"<PSID>"},"recipient":{"id":"<PAGE_ID>"},"timestamp":1458668856463,"message_edit":{"mid":"<MESSAGE_ID>","text":"<TEXT>","num_edit":"<INT>"}}`
	docsPolicy         = `{"recipient":{"id":"PAGE_ID"},"timestamp":1458692752478,"policy_enforcement":{"action":"block","reason":"The bot violated our Platform Policies"}}`
	docsOptin          = `{"sender":{"id":"PSID"},"recipient":{"id":"PAGE-ID"},"timestamp":"TIMESTAMP","optin":{"type":"notification_messages","payload":"ADDITIONAL-INFORMATION","notification_messages_token":"NOTIFICATION-MESSAGES-TOKEN","title":"TITLE"}}`
)

func ms(n int64) time.Time { return time.UnixMilli(n).UTC() }

func strPtr(s string) *string { return &s }

func TestParseMessenger(t *testing.T) {
	t.Parallel()
	msg := func(mid string, ts int64, edit func(*inbox.Envelope)) inbox.Envelope {
		e := inbox.Envelope{
			V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, ProviderMessageID: mid,
			From: inbox.Sender{PSID: psid}, To: pageID, ReceivedAt: ms(ts),
		}
		if edit != nil {
			edit(&e)
		}
		return e
	}
	echo := func(mid string, ts int64, edit func(*inbox.Envelope)) inbox.Envelope {
		return msg(mid, ts, func(e *inbox.Envelope) {
			e.Kind = inbox.KindEcho
			if edit != nil {
				edit(e)
			}
		})
	}
	on := func(page string, envs ...inbox.Envelope) []Event {
		out := make([]Event, len(envs))
		for i, e := range envs {
			out[i] = Event{Business: page, Envelope: e}
		}
		return out
	}
	withType := func(typ string) string { return strings.Replace(docsAttachmentEntry, "TYPE", typ, 1) }
	attachment := func(typ inbox.AttachmentType) []Event {
		return on("682498302938465", msg("mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c", 1518479195308, func(e *inbox.Envelope) {
			e.Attachments = []inbox.Attachment{{Type: typ, URL: "<ATTACHMENT_URL>"}}
		}))
	}
	// During Meta's sticker transition (until August 30, 2026) a sticker arrives as both an image
	// with a sticker_id and a sticker attachment.
	transitionSticker := strings.Replace(docsStickerEntry,
		`"attachments": [`,
		`"attachments": [{"type": "image", "payload": {"url": "<STICKER_URL>", "sticker_id": 369239263222822}},`, 1)
	postbackWithPSID := strings.Replace(docsPostbackValue, `"user_ref": "USER-REF-ID"`, `"id": "<PSID>"`, 1)
	postbackNoMid := `{"sender":{"id":"<PSID>"},"recipient":{"id":"<PAGE_ID>"},"timestamp":1458692752478,"postback":{"title":"Get Started","payload":"GET_STARTED"}}`

	tests := []struct {
		name string
		body string
		want []Event
	}{
		{
			name: "text with quick reply",
			body: pageBody(docsTextMessage),
			want: on(pageID, msg("mid.1457764197618:41d102a3e1ae206a38", 1458692752478, func(e *inbox.Envelope) {
				e.Text = "hello, world!"
				e.Payload = "<DEVELOPER_DEFINED_PAYLOAD>"
			})),
		},
		{
			name: "reply",
			body: pageBody(docsReplyMessage),
			want: on(pageID, msg("m_1457764197618:41d102a3e1ae206a38", 1458692752478, func(e *inbox.Envelope) {
				e.Text = "hello, world!"
				e.ReplyTo = "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU"
			})),
		},
		{name: "image attachment", body: withType("image"), want: attachment(inbox.AttachImage)},
		{name: "audio attachment", body: withType("audio"), want: attachment(inbox.AttachAudio)},
		{name: "video attachment", body: withType("video"), want: attachment(inbox.AttachVideo)},
		{name: "file attachment", body: withType("file"), want: attachment(inbox.AttachFile)},
		{
			name: "reel attachment",
			body: withType("reel"),
			want: on("682498302938465", msg("mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c", 1518479195308, func(e *inbox.Envelope) {
				e.Attachments = []inbox.Attachment{{Type: inbox.AttachFallback, URL: "<ATTACHMENT_URL>", Caption: "reel"}}
			})),
		},
		{
			name: "sticker",
			body: docsStickerEntry,
			want: on("682498302938465", msg("mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c", 1518479195308, func(e *inbox.Envelope) {
				e.Attachments = []inbox.Attachment{{Type: inbox.AttachSticker, URL: "<STICKER_URL>", Data: "369239263222822"}}
			})),
		},
		{
			name: "sticker during the transition",
			body: transitionSticker,
			want: on("682498302938465", msg("mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c", 1518479195308, func(e *inbox.Envelope) {
				e.Attachments = []inbox.Attachment{{Type: inbox.AttachSticker, URL: "<STICKER_URL>", Data: "369239263222822"}}
			})),
		},
		{
			name: "fallback",
			body: docsFallbackBody,
			want: on(pageID, msg("m_toDnmD...", 1583173666767, func(e *inbox.Envelope) {
				e.Text = "This is where I want to go: https://youtu.be/bbo_fZAjIhg"
				e.Attachments = []inbox.Attachment{{Type: inbox.AttachFallback, URL: "<ATTACHMENT_URL >", Name: "TAHITI - Heaven on Earth"}}
			})),
		},
		{
			name: "location",
			body: pageBody(legacyLocationMessage),
			want: on(pageID, msg("mid.1458696618141:b4ef9d19ec21086067", 1458692752478, func(e *inbox.Envelope) {
				e.Attachments = []inbox.Attachment{{
					Type: inbox.AttachLocation, Name: "Pin's Location",
					URL:      "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.bing.com%2Fmaps",
					Latitude: 37.4845, Longitude: -122.1477,
				}}
			})),
		},
		{
			name: "echo text",
			body: pageBody(docsEchoText),
			want: on(pageID, echo("mid.1457764197618:41d102a3e1ae206a38", 1457764197627, func(e *inbox.Envelope) {
				e.Text = "hello, world!"
				e.Payload = "<DEVELOPER_DEFINED_METADATA_STRING>"
			})),
		},
		{
			name: "echo image",
			body: pageBody(docsEchoImage),
			want: on(pageID, echo("mid.1458696618141:b4ef9d19ec21086067", 1458696618268, func(e *inbox.Envelope) {
				e.Attachments = []inbox.Attachment{{Type: inbox.AttachImage, URL: "<IMAGE_URL>"}}
				e.Payload = "<DEVELOPER_DEFINED_METADATA_STRING>"
			})),
		},
		{
			name: "echo legacy fallback",
			body: pageBody(docsEchoFallback),
			want: on(pageID, echo("mid.1458696618141:b4ef9d19ec21086067", 1458696618268, func(e *inbox.Envelope) {
				e.Attachments = []inbox.Attachment{{Type: inbox.AttachFallback, URL: "https://www.messenger.com/", Name: "Legacy Attachment"}}
				e.Payload = "<DEVELOPER_DEFINED_METADATA_STRING>"
			})),
		},
		{
			name: "standby echo of a template",
			body: docsEchoStandbyBody,
			want: on(pageID, echo("qT7ywaKpO9kkQR7Gv-nM8LIfLZDamVrALniheUYEDdHJXjDXEAyaS1xxONzb2Iv-DFzmTihfWJV012P5pK0AhQ", 1570053170673, func(e *inbox.Envelope) {
				e.Attachments = []inbox.Attachment{{Type: inbox.AttachFallback, URL: "https://www.facebook.com/commerce/update/", Caption: "template"}}
			})),
		},
		{name: "postback from a guest (user_ref) is skipped", body: pageBody(docsPostbackValue), want: nil},
		{
			name: "postback",
			body: pageBody(postbackWithPSID),
			want: on(pageID, inbox.Envelope{
				V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, ProviderMessageID: "m_MESSAGE-ID",
				From: inbox.Sender{PSID: psid}, To: "PAGE-ID", ReceivedAt: time.Unix(1527459824, 0).UTC(),
				Text: "TITLE-FOR-THE-CTA", Payload: "USER-DEFINED-PAYLOAD",
			}),
		},
		{
			name: "postback without mid",
			body: pageBody(postbackNoMid),
			want: on(pageID, msg("postback:<PSID>:1458692752478", 1458692752478, func(e *inbox.Envelope) {
				e.Text = "Get Started"
				e.Payload = "GET_STARTED"
			})),
		},
		{
			name: "delivery",
			body: pageBody(docsDelivery),
			want: on(pageID, inbox.Envelope{
				V: inbox.EnvelopeVersion, Kind: inbox.KindStatus,
				From: inbox.Sender{PSID: psid}, To: pageID, ReceivedAt: ms(entryTime),
				Status: &inbox.StatusUpdate{Status: inbox.MessageDelivered, Watermark: ms(1458668856253)},
			}),
		},
		{
			name: "read",
			body: pageBody(docsRead),
			want: on(pageID, inbox.Envelope{
				V: inbox.EnvelopeVersion, Kind: inbox.KindStatus,
				From: inbox.Sender{PSID: psid}, To: pageID, ReceivedAt: ms(1458668856463),
				Status: &inbox.StatusUpdate{Status: inbox.MessageRead, Watermark: ms(1458668856253)},
			}),
		},
		{
			name: "reaction",
			body: pageBody(strings.Replace(docsReaction, "ACTION", "react", 1)),
			want: on(pageID, msg("reaction:<PSID>:1458668856463:<MID_OF_ReactedTo_Message>", 1458668856463, func(e *inbox.Envelope) {
				e.Reaction = strPtr("❤️")
				e.ReplyTo = "<MID_OF_ReactedTo_Message>"
			})),
		},
		{
			name: "unreaction",
			body: pageBody(strings.Replace(docsReaction, "ACTION", "unreact", 1)),
			want: on(pageID, msg("reaction:<PSID>:1458668856463:<MID_OF_ReactedTo_Message>", 1458668856463, func(e *inbox.Envelope) {
				e.Reaction = strPtr("")
				e.ReplyTo = "<MID_OF_ReactedTo_Message>"
			})),
		},
		{
			name: "unrecorded kinds are skipped",
			body: pageBody(docsAccountLinking, docsMessageEdit, docsPolicy, docsOptin),
			want: nil,
		},
		{name: "no entries", body: `{"object":"page","entry":[]}`, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMessenger([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseMessenger: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseMessenger =\n%+v\nwant\n%+v", got, tt.want)
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

// TestParseMessengerBatched checks that every entry and every messaging item of a batched post
// is returned, in order, each with its own page.
func TestParseMessengerBatched(t *testing.T) {
	t.Parallel()
	body := `{"object":"page","entry":[
  {"id":"111","time":1458692752478,"messaging":[
    {"sender":{"id":"psid-a"},"recipient":{"id":"111"},"timestamp":1458692752001,"message":{"mid":"m_a1","text":"one"}},
    {"sender":{"id":"psid-a"},"recipient":{"id":"111"},"timestamp":1458692752002,"message":{"mid":"m_a2","text":"two"}}
  ]},
  {"id":"222","time":1458692752478,"messaging":[
    {"sender":{"id":"psid-b"},"recipient":{"id":"222"},"timestamp":1458692752003,"read":{"watermark":1458692752000}},
    {"sender":{"id":"222"},"recipient":{"id":"psid-b"},"timestamp":1458692752004,"message":{"mid":"m_b2","is_echo":true,"text":"from the page"}}
  ]}
]}`
	got, err := ParseMessenger([]byte(body))
	if err != nil {
		t.Fatalf("ParseMessenger: %v", err)
	}
	type summary struct {
		business, kind, id, from, to string
	}
	var sums []summary
	for _, ev := range got {
		sums = append(sums, summary{ev.Business, string(ev.Envelope.Kind), ev.Envelope.ProviderMessageID, ev.Envelope.From.PSID, ev.Envelope.To})
	}
	want := []summary{
		{"111", "message", "m_a1", "psid-a", "111"},
		{"111", "message", "m_a2", "psid-a", "111"},
		{"222", "status", "", "psid-b", "222"},
		{"222", "echo", "m_b2", "psid-b", "222"},
	}
	if !reflect.DeepEqual(sums, want) {
		t.Fatalf("events = %+v\nwant %+v", sums, want)
	}
}

func TestParseMessengerInvalid(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not JSON":           `{"object":"page",`,
		"empty":              ``,
		"another object":     `{"object":"whatsapp_business_account","entry":[]}`,
		"instagram":          `{"object":"instagram","entry":[]}`,
		"no object":          `{"entry":[]}`,
		"entry not an array": `{"object":"page","entry":{}}`,
		"array":              `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseMessenger([]byte(body)); !inbox.IsCode(err, inbox.EInvalid) {
				t.Fatalf("ParseMessenger = %v, want EInvalid", err)
			}
		})
	}
}
