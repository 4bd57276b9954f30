package router_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/router"
	"github.com/openinbox/inbox/shared/sqsqueue"
)

// Meta businesses and customers of the tests.
const (
	pageID     = "1067280970047460"
	otherPage  = "1067280970047461"
	psid       = "6754512497952155"
	waNumberID = "106540352242922"
	waDisplay  = "+15550783881"
	waUser     = "+16505551234"
)

// metaFixture is the router fixture with a Messenger page and a WhatsApp number in the same
// inbox, and a router whose media publisher is a standard queue of the SQS emulator.
type metaFixture struct {
	*fixture
	messenger, otherPage, whatsapp inbox.Channel
	sqs                            *sqs.Client
	mediaURL                       string
}

func newMetaFixture(t *testing.T) *metaFixture {
	t.Helper()
	f := &metaFixture{fixture: newFixture(t)}
	page := func(id, page string) inbox.Channel {
		ch := inbox.Channel{
			AccountID: acct, ID: id, InboxID: f.inbox.ID, Type: inbox.ChannelMessenger, Name: "Page " + page,
			ProviderKey: page, Messenger: &inbox.MessengerConfig{PageID: page, VerifyToken: "verify"},
			Secrets:   map[string]string{inbox.SecretPageAccessToken: "EAAJB-" + id, inbox.SecretAppSecret: "app-secret"},
			CreatedAt: base,
		}
		must(t, f.store.CreateChannel(f.ctx, ch))
		return ch
	}
	f.messenger = page("chm", pageID)
	f.otherPage = page("chm2", otherPage)
	f.whatsapp = inbox.Channel{
		AccountID: acct, ID: "chw", InboxID: f.inbox.ID, Type: inbox.ChannelWhatsApp, Name: "WhatsApp",
		ProviderKey: waNumberID,
		WhatsApp:    &inbox.WhatsAppConfig{WABAID: "102290129340398", PhoneNumberID: waNumberID, DisplayNumber: waDisplay, VerifyToken: "verify"},
		Secrets:     map[string]string{inbox.SecretAccessToken: "EAAJB-system", inbox.SecretAppSecret: "app-secret"},
		CreatedAt:   base,
	}
	must(t, f.store.CreateChannel(f.ctx, f.whatsapp))

	f.sqs = testenv.SQS(t)
	q, err := f.sqs.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.Unique("media"))})
	must(t, err)
	f.mediaURL = aws.ToString(q.QueueUrl)
	t.Cleanup(func() { _, _ = f.sqs.DeleteQueue(f.ctx, &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl}) })
	f.router = router.New(router.Config{Store: f.store, Media: sqsqueue.NewStandard(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), f.mediaURL), Now: func() time.Time { return now }})
	return f
}

// messengerMessage is the envelope the Messenger intake queues for a message from psid.
func messengerMessage(ch inbox.Channel, mid, from, text string, at time.Time) inbox.Envelope {
	return inbox.Envelope{
		V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: acct, ChannelID: ch.ID,
		ChannelType: inbox.ChannelMessenger, ProviderMessageID: mid, From: inbox.Sender{PSID: from},
		To: ch.Messenger.PageID, Text: text, ReceivedAt: at,
	}
}

// messengerEcho is the envelope of the echo of a message the page sent to psid.
func messengerEcho(ch inbox.Channel, mid, to, text string, at time.Time) inbox.Envelope {
	env := messengerMessage(ch, mid, to, text, at)
	env.Kind = inbox.KindEcho
	return env
}

// receipt is the envelope of a Messenger delivery or read receipt from psid.
func receipt(ch inbox.Channel, from string, status inbox.MessageStatus, watermark time.Time) inbox.Envelope {
	return inbox.Envelope{
		V: inbox.EnvelopeVersion, Kind: inbox.KindStatus, AccountID: acct, ChannelID: ch.ID,
		ChannelType: inbox.ChannelMessenger, From: inbox.Sender{PSID: from}, To: ch.Messenger.PageID,
		ReceivedAt: watermark, Status: &inbox.StatusUpdate{Status: status, Watermark: watermark},
	}
}

// waMessage is the envelope the WhatsApp intake queues for a message from phone with a profile name.
func waMessage(wamid, phone, name, text string, at time.Time) inbox.Envelope {
	return inbox.Envelope{
		V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: acct, ChannelID: "chw",
		ChannelType: inbox.ChannelWhatsApp, ProviderMessageID: wamid,
		From: inbox.Sender{Phone: phone, Name: name}, To: waDisplay, Text: text, ReceivedAt: at,
	}
}

// stored returns the conversation, message and contact stored for provider message id on ch.
func (f *metaFixture) stored(t *testing.T, ch inbox.Channel, id string) (inbox.Conversation, inbox.Message, inbox.Contact) {
	t.Helper()
	convID, msgID, err := f.store.ProviderMessage(f.ctx, acct, ch.ID, id)
	must(t, err)
	conv, err := f.store.GetConversation(f.ctx, acct, convID)
	must(t, err)
	msg, err := f.store.GetMessage(f.ctx, acct, convID, msgID)
	must(t, err)
	contact, err := f.store.GetContact(f.ctx, acct, conv.ContactID)
	must(t, err)
	return conv, msg, contact
}

// mediaJobs receives every job on the media queue, sorted by message and index.
func (f *metaFixture) mediaJobs(t *testing.T) []router.MediaJob {
	t.Helper()
	var jobs []router.MediaJob
	for {
		out, err := f.sqs.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(f.mediaURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300,
		})
		must(t, err)
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			var j router.MediaJob
			must(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &j))
			jobs = append(jobs, j)
		}
	}
	slices.SortFunc(jobs, func(a, b router.MediaJob) int {
		if a.MessageID != b.MessageID {
			if a.MessageID < b.MessageID {
				return -1
			}
			return 1
		}
		return a.Index - b.Index
	})
	return jobs
}

func TestMessengerContactByPSID(t *testing.T) {
	t.Parallel()
	f := newMetaFixture(t)
	at := base.Add(time.Minute)
	f.handle(t, messengerMessage(f.messenger, "m_1", psid, "hello, world!", at))

	conv, msg, contact := f.stored(t, f.messenger, "m_1")
	if contact.PSID != pageID+":"+psid || contact.Phone != "" || contact.Email != "" {
		t.Errorf("contact = %+v, want PSID %q and no phone or email", contact, pageID+":"+psid)
	}
	if conv.ChannelID != f.messenger.ID || conv.ChannelType != inbox.ChannelMessenger || conv.InboxID != f.inbox.ID ||
		conv.Status != inbox.StatusOpen || conv.ContactID != contact.ID || conv.Preview != "hello, world!" {
		t.Errorf("conversation = %+v", conv)
	}
	if !conv.LastInboundAt.Equal(at) || !conv.LastMessageAt.Equal(at) {
		t.Errorf("lastInboundAt %v, lastMessageAt %v, want both %v", conv.LastInboundAt, conv.LastMessageAt, at)
	}
	if msg.Direction != inbox.DirectionIn || msg.Status != inbox.MessageReceived || msg.Text != "hello, world!" || msg.ProviderID != "m_1" {
		t.Errorf("message = %+v", msg)
	}

	// The same PSID on another page is another person: PSIDs are page-scoped.
	f.handle(t, messengerMessage(f.otherPage, "m_2", psid, "other page", at))
	conv2, _, contact2 := f.stored(t, f.otherPage, "m_2")
	if contact2.ID == contact.ID || contact2.PSID != otherPage+":"+psid {
		t.Errorf("contact on the other page = %+v, want a new contact with PSID %q", contact2, otherPage+":"+psid)
	}
	if conv2.ID == conv.ID {
		t.Error("the other page's message joined the first page's conversation")
	}
}

func TestWhatsAppContactName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		names []string // profile names of successive messages
		want  string
	}{
		{name: "profile name names a new contact", names: []string{"Sheena Nelson"}, want: "Sheena Nelson"},
		{name: "a later name does not rename", names: []string{"Sheena Nelson", "Sheena N."}, want: "Sheena Nelson"},
		{name: "a later name names an unnamed contact", names: []string{"", "Sheena Nelson", "Other"}, want: "Sheena Nelson"},
		{name: "no name", names: []string{"", ""}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t)
			var first inbox.Conversation
			for i, name := range tt.names {
				id := "wamid." + strconv.Itoa(i)
				f.handle(t, waMessage(id, waUser, name, "message "+strconv.Itoa(i), base.Add(time.Duration(i)*time.Minute)))
				conv, _, _ := f.stored(t, f.whatsapp, id)
				if i == 0 {
					first = conv
				} else if conv.ID != first.ID {
					t.Errorf("message %d opened conversation %s, want the open %s", i, conv.ID, first.ID)
				}
			}
			_, _, contact := f.stored(t, f.whatsapp, "wamid.0")
			if contact.Phone != waUser || contact.PSID != "" || contact.Name != tt.want {
				t.Errorf("contact = %+v, want phone %s and name %q", contact, waUser, tt.want)
			}
			if first.ContactPhone != waUser {
				t.Errorf("conversation's contact phone %q, want %q", first.ContactPhone, waUser)
			}
			if tt.names[0] != "" && first.ContactName != tt.names[0] {
				t.Errorf("conversation's contact name %q, want %q", first.ContactName, tt.names[0])
			}
		})
	}
}

func TestMetaReturningCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  func(i int, at time.Time) inbox.Envelope
		ch   func(f *metaFixture) inbox.Channel
	}{
		{
			name: "messenger",
			env: func(i int, at time.Time) inbox.Envelope {
				return messengerMessage(inbox.Channel{ID: "chm", Messenger: &inbox.MessengerConfig{PageID: pageID}}, "m_"+strconv.Itoa(i), psid, "text "+strconv.Itoa(i), at)
			},
			ch: func(f *metaFixture) inbox.Channel { return f.messenger },
		},
		{
			name: "whatsapp",
			env: func(i int, at time.Time) inbox.Envelope {
				return waMessage("wamid."+strconv.Itoa(i), waUser, "Sheena Nelson", "text "+strconv.Itoa(i), at)
			},
			ch: func(f *metaFixture) inbox.Channel { return f.whatsapp },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t)
			ch := tt.ch(f)
			f.handle(t, tt.env(0, base))
			f.handle(t, tt.env(1, base.Add(time.Hour)))
			conv0, _, _ := f.stored(t, ch, tt.env(0, base).ProviderMessageID)
			conv1, _, _ := f.stored(t, ch, tt.env(1, base).ProviderMessageID)
			if conv1.ID != conv0.ID {
				t.Fatalf("returning customer opened %s, want the open conversation %s", conv1.ID, conv0.ID)
			}
			if !conv1.LastInboundAt.Equal(base.Add(time.Hour)) {
				t.Errorf("lastInboundAt %v, want %v", conv1.LastInboundAt, base.Add(time.Hour))
			}
			msgs, err := f.store.ListMessages(f.ctx, acct, conv0.ID)
			must(t, err)
			if len(msgs) != 2 {
				t.Errorf("%d messages, want 2", len(msgs))
			}
			// Once closed, the next message reopens it within the reopen window, and opens a
			// new conversation after it.
			_, err = f.store.SetStatus(f.ctx, acct, conv0.ID, inbox.StatusClosed)
			must(t, err)
			f.handle(t, tt.env(2, base.Add(2*time.Hour)))
			conv2, _, _ := f.stored(t, ch, tt.env(2, base).ProviderMessageID)
			if conv2.ID != conv0.ID || conv2.Status != inbox.StatusOpen {
				t.Errorf("after closing: conversation %+v, want %s reopened", conv2, conv0.ID)
			}
			_, err = f.store.SetStatus(f.ctx, acct, conv0.ID, inbox.StatusClosed)
			must(t, err)
			f.handle(t, tt.env(3, base.Add(2*time.Hour+router.ReopenWindow+time.Second)))
			conv3, _, _ := f.stored(t, ch, tt.env(3, base).ProviderMessageID)
			if conv3.ID == conv0.ID || conv3.Status != inbox.StatusOpen || conv3.ContactID != conv0.ContactID {
				t.Errorf("after the reopen window: conversation %+v, want a new open one for the same contact", conv3)
			}
		})
	}
}

func TestMessengerEcho(t *testing.T) {
	t.Parallel()
	t.Run("stored as outbound sent", func(t *testing.T) {
		t.Parallel()
		f := newMetaFixture(t)
		f.handle(t, messengerMessage(f.messenger, "m_in", psid, "hi", base))
		f.handle(t, messengerEcho(f.messenger, "m_echo", psid, "answered from the page inbox", base.Add(time.Minute)))
		convIn, _, _ := f.stored(t, f.messenger, "m_in")
		conv, msg, contact := f.stored(t, f.messenger, "m_echo")
		if conv.ID != convIn.ID || contact.PSID != pageID+":"+psid {
			t.Errorf("echo stored in %s for %+v, want the customer's conversation %s", conv.ID, contact, convIn.ID)
		}
		if msg.Direction != inbox.DirectionOut || msg.Status != inbox.MessageSent || msg.Text != "answered from the page inbox" {
			t.Errorf("echo message = %+v, want outbound sent", msg)
		}
		if !conv.LastInboundAt.Equal(base) {
			t.Errorf("lastInboundAt %v, want %v: an echo is not the customer writing", conv.LastInboundAt, base)
		}
		if !conv.LastMessageAt.Equal(base.Add(time.Minute)) {
			t.Errorf("lastMessageAt %v, want %v", conv.LastMessageAt, base.Add(time.Minute))
		}
	})
	t.Run("echo of a message the dispatcher recorded is not stored twice", func(t *testing.T) {
		t.Parallel()
		f := newMetaFixture(t)
		f.handle(t, messengerMessage(f.messenger, "m_in", psid, "hi", base))
		conv, _, _ := f.stored(t, f.messenger, "m_in")
		reply := inbox.Message{
			ID: inbox.MessageID(base.Add(time.Minute), "reply001"), Direction: inbox.DirectionOut, Text: "our reply",
			Status: inbox.MessageSending, CreatedAt: base.Add(time.Minute), UpdatedAt: base.Add(time.Minute), AuthorID: "u1",
		}
		ok, err := f.store.AppendMessage(f.ctx, conv, reply, "")
		if err != nil || !ok {
			t.Fatalf("AppendMessage = %v, %v", ok, err)
		}
		_, changed, err := f.store.UpdateDelivery(f.ctx, acct, conv.ID, reply.ID,
			inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "m_sent"}, now)
		if err != nil || !changed {
			t.Fatalf("UpdateDelivery = %v, %v", changed, err)
		}
		for range 2 {
			f.handle(t, messengerEcho(f.messenger, "m_sent", psid, "our reply", base.Add(2*time.Minute)))
		}
		msgs, err := f.store.ListMessages(f.ctx, acct, conv.ID)
		must(t, err)
		if len(msgs) != 2 {
			t.Fatalf("%d messages stored, want 2 (the inbound and the reply): %+v", len(msgs), msgs)
		}
		if msgs[1].ID != reply.ID || msgs[1].Status != inbox.MessageSent || msgs[1].ProviderID != "m_sent" {
			t.Errorf("reply = %+v", msgs[1])
		}
	})
	t.Run("echo of our reply overtaking the dispatcher is recognised by its metadata", func(t *testing.T) {
		t.Parallel()
		f := newMetaFixture(t)
		f.handle(t, messengerMessage(f.messenger, "m_in", psid, "hi", base))
		conv, _, _ := f.stored(t, f.messenger, "m_in")
		reply := inbox.Message{
			ID: inbox.MessageID(base.Add(time.Minute), "reply002"), Direction: inbox.DirectionOut, Text: "our reply",
			Status: inbox.MessageSending, CreatedAt: base.Add(time.Minute), UpdatedAt: base.Add(time.Minute), AuthorID: "u1",
		}
		ok, err := f.store.AppendMessage(f.ctx, conv, reply, "")
		if err != nil || !ok {
			t.Fatalf("AppendMessage = %v, %v", ok, err)
		}
		// Meta's echo arrives before the Send API's answer was recorded.
		echo := messengerEcho(f.messenger, "m_sent", psid, "our reply", base.Add(2*time.Minute))
		echo.Payload = inbox.EchoMarker + reply.ID
		f.handle(t, echo)
		_, changed, err := f.store.UpdateDelivery(f.ctx, acct, conv.ID, reply.ID,
			inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "m_sent"}, now)
		if err != nil || !changed {
			t.Fatalf("dispatcher's UpdateDelivery after the echo = %v, %v; want applied", changed, err)
		}
		msgs, err := f.store.ListMessages(f.ctx, acct, conv.ID)
		must(t, err)
		if len(msgs) != 2 {
			t.Fatalf("%d messages stored, want 2 (the inbound and the reply): %+v", len(msgs), msgs)
		}
	})
	t.Run("echo with another app's metadata is stored", func(t *testing.T) {
		t.Parallel()
		f := newMetaFixture(t)
		echo := messengerEcho(f.messenger, "m_other_app", psid, "sent by a chatbot", base)
		echo.Payload = "<DEVELOPER_DEFINED_METADATA_STRING>"
		f.handle(t, echo)
		_, msg, _ := f.stored(t, f.messenger, "m_other_app")
		if msg.Direction != inbox.DirectionOut || msg.Status != inbox.MessageSent || msg.Text != "sent by a chatbot" {
			t.Errorf("echo message = %+v, want outbound sent", msg)
		}
	})
}

func TestMessengerWatermark(t *testing.T) {
	t.Parallel()
	watermark := base.Add(10 * time.Minute)
	type out struct {
		name   string
		at     time.Time
		status inbox.MessageStatus
	}
	outbound := []out{
		{"sent before", base.Add(1 * time.Minute), inbox.MessageSent},
		{"delivered before", base.Add(2 * time.Minute), inbox.MessageDelivered},
		{"pending before", base.Add(3 * time.Minute), inbox.MessagePending},
		{"failed before", base.Add(4 * time.Minute), inbox.MessageFailed},
		{"sent at the watermark", watermark, inbox.MessageSent},
		{"sent after", watermark.Add(time.Microsecond), inbox.MessageSent},
		{"sent much later", watermark.Add(time.Hour), inbox.MessageSent},
	}
	tests := []struct {
		status inbox.MessageStatus
		want   map[string]inbox.MessageStatus
	}{
		{
			status: inbox.MessageDelivered,
			want: map[string]inbox.MessageStatus{
				"sent before": inbox.MessageDelivered, "delivered before": inbox.MessageDelivered,
				"pending before": inbox.MessagePending, "failed before": inbox.MessageFailed,
				"sent at the watermark": inbox.MessageDelivered, "sent after": inbox.MessageSent,
				"sent much later": inbox.MessageSent,
			},
		},
		{
			status: inbox.MessageRead,
			want: map[string]inbox.MessageStatus{
				"sent before": inbox.MessageRead, "delivered before": inbox.MessageRead,
				"pending before": inbox.MessagePending, "failed before": inbox.MessageFailed,
				"sent at the watermark": inbox.MessageRead, "sent after": inbox.MessageSent,
				"sent much later": inbox.MessageSent,
			},
		},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t)
			f.handle(t, messengerMessage(f.messenger, "m_in", psid, "hi", base))
			conv, in, _ := f.stored(t, f.messenger, "m_in")
			ids := map[string]string{}
			for i, o := range outbound {
				m := inbox.Message{
					ID: inbox.MessageID(o.at, "out"+strconv.Itoa(i)), Direction: inbox.DirectionOut, Text: o.name,
					Status: o.status, CreatedAt: o.at, UpdatedAt: o.at, AuthorID: "u1",
				}
				ok, err := f.store.AppendMessage(f.ctx, conv, m, "")
				if err != nil || !ok {
					t.Fatalf("AppendMessage(%s) = %v, %v", o.name, ok, err)
				}
				ids[m.ID] = o.name
			}
			// An inbound message within the watermark.
			f.handle(t, messengerMessage(f.messenger, "m_in2", psid, "still there?", base.Add(5*time.Minute)))
			for range 2 { // a redelivered receipt changes nothing more
				f.handle(t, receipt(f.messenger, psid, tt.status, watermark))
			}
			msgs, err := f.store.ListMessages(f.ctx, acct, conv.ID)
			must(t, err)
			if len(msgs) != len(outbound)+2 {
				t.Fatalf("%d messages, want %d", len(msgs), len(outbound)+2)
			}
			for _, m := range msgs {
				if m.Direction == inbox.DirectionIn {
					if m.Status != inbox.MessageReceived {
						t.Errorf("inbound %s: status %s, want received", m.Text, m.Status)
					}
					continue
				}
				name := ids[m.ID]
				if m.Status != tt.want[name] {
					t.Errorf("%s: status %s, want %s", name, m.Status, tt.want[name])
				}
			}
			if in.Status != inbox.MessageReceived {
				t.Errorf("inbound status %s", in.Status)
			}
		})
	}
	t.Run("receipt without an open conversation is ignored", func(t *testing.T) {
		t.Parallel()
		f := newMetaFixture(t)
		f.handle(t, receipt(f.messenger, "1234567890", inbox.MessageRead, watermark))
		if all := f.all(t); len(all) != 0 {
			t.Errorf("stored %+v, want nothing", all)
		}
	})
}

func TestInboundMediaJobs(t *testing.T) {
	t.Parallel()
	image := inbox.Attachment{Type: inbox.AttachImage, MediaID: "1003383421387256", ContentType: "image/jpeg", Caption: "Taj Mahal"}
	tests := []struct {
		name string
		env  func(f *metaFixture) inbox.Envelope
		// wantPending are the indices of the attachments to copy.
		wantPending []int
	}{
		{
			name: "whatsapp image by media id",
			env: func(f *metaFixture) inbox.Envelope {
				env := waMessage("wamid.img", waUser, "Sheena Nelson", "", base)
				env.Attachments = []inbox.Attachment{image}
				return env
			},
			wantPending: []int{0},
		},
		{
			name: "messenger attachments by URL, a location between them",
			env: func(f *metaFixture) inbox.Envelope {
				env := messengerMessage(f.messenger, "m_att", psid, "", base)
				env.Attachments = []inbox.Attachment{
					{Type: inbox.AttachImage, URL: "https://scontent.xx.fbcdn.net/v/t1.15752-9/image.jpg"},
					{Type: inbox.AttachLocation, URL: "https://l.facebook.com/l.php?u=maps", Name: "Pin's Location", Latitude: 37.4845, Longitude: -122.1477},
					{Type: inbox.AttachVideo, URL: "https://video.xx.fbcdn.net/v/t42.3356-2/video.mp4"},
					{Type: inbox.AttachFallback, URL: "https://youtu.be/bbo_fZAjIhg", Name: "TAHITI - Heaven on Earth"},
				}
				return env
			},
			wantPending: []int{0, 2},
		},
		{
			name: "whatsapp location",
			env: func(f *metaFixture) inbox.Envelope {
				env := waMessage("wamid.loc", waUser, "Sheena Nelson", "", base)
				env.Attachments = []inbox.Attachment{{Type: inbox.AttachLocation, Latitude: 37.44221496582, Longitude: -122.16165924072, Name: "Philz Coffee", Caption: "101 Forest Ave, Palo Alto, CA 94301", URL: "https://philzcoffee.com/"}}
				return env
			},
		},
		{
			name: "messenger echo of an image: the team's own file",
			env: func(f *metaFixture) inbox.Envelope {
				env := messengerEcho(f.messenger, "m_echo", psid, "", base)
				env.Attachments = []inbox.Attachment{{Type: inbox.AttachImage, URL: "https://scontent.xx.fbcdn.net/v/echo.jpg"}}
				return env
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t)
			env := tt.env(f)
			ch := f.messenger
			if env.ChannelType == inbox.ChannelWhatsApp {
				ch = f.whatsapp
			}
			f.handle(t, env)
			conv, msg, _ := f.stored(t, ch, env.ProviderMessageID)
			for i, a := range msg.Attachments {
				want := inbox.MediaStatus("")
				if slices.Contains(tt.wantPending, i) {
					want = inbox.MediaPending
				}
				if a.MediaStatus != want {
					t.Errorf("attachment %d (%s): media status %q, want %q", i, a.Type, a.MediaStatus, want)
				}
			}
			wantJobs := func(indices []int) []router.MediaJob {
				var jobs []router.MediaJob
				for _, i := range indices {
					jobs = append(jobs, router.MediaJob{V: 1, AccountID: acct, ConversationID: conv.ID, MessageID: msg.ID, ChannelID: ch.ID, Index: i})
				}
				return jobs
			}
			if got, want := f.mediaJobs(t), wantJobs(tt.wantPending); !slices.Equal(got, want) {
				t.Errorf("media jobs = %+v\nwant %+v", got, want)
			}

			// A redelivery of the envelope stores nothing new but queues the still-pending
			// attachments again, since the first delivery may have failed to.
			f.handle(t, env)
			if got, want := f.mediaJobs(t), wantJobs(tt.wantPending); !slices.Equal(got, want) {
				t.Errorf("media jobs after a redelivery = %+v\nwant %+v", got, want)
			}
			if len(tt.wantPending) == 0 {
				return
			}
			// Once the first is stored, a redelivery queues only the others.
			a := msg.Attachments[tt.wantPending[0]]
			a.MediaStatus, a.StorageKey, a.ContentType = inbox.MediaStored, "media/"+msg.ID+"/0", "image/jpeg"
			must(t, f.store.SetAttachmentMedia(f.ctx, acct, conv.ID, msg.ID, tt.wantPending[0], a))
			f.handle(t, env)
			if got, want := f.mediaJobs(t), wantJobs(tt.wantPending[1:]); !slices.Equal(got, want) {
				t.Errorf("media jobs after one was stored = %+v\nwant %+v", got, want)
			}
			msgs, err := f.store.ListMessages(f.ctx, acct, conv.ID)
			must(t, err)
			if len(msgs) != 1 {
				t.Errorf("%d messages stored, want 1", len(msgs))
			}
		})
	}
}

// TestWhatsAppEarlierPartStatus: WhatsApp reports the text of a text + audio reply (sent first,
// its id recorded by RecordPart) sent, delivered and read. Each report is handled at its first
// delivery, not retried as a report of a message the inbox did not send, and moves nothing
// while the audio waits or after it went; the audio's reports move the reply, and a failure of
// the text fails it, saying so.
func TestWhatsAppEarlierPartStatus(t *testing.T) {
	t.Parallel()
	f := newMetaFixture(t)
	f.handle(t, waMessage("wamid.customer", waUser, "Sheena Nelson", "Can you send the voice note?", base))
	conv, _, _ := f.stored(t, f.whatsapp, "wamid.customer")
	reply := func(id string) inbox.Message {
		m := inbox.Message{AccountID: acct, ConversationID: conv.ID, ID: inbox.MessageID(base.Add(time.Minute), id),
			Direction: inbox.DirectionOut, Text: "Listen to this.", Status: inbox.MessageSending, AuthorID: "agent-1",
			Attachments: []inbox.Attachment{{Type: inbox.AttachAudio, URL: "https://files.example.test/note.ogg"}},
			CreatedAt:   base.Add(time.Minute), UpdatedAt: base.Add(time.Minute)}
		_, err := f.store.AppendMessage(f.ctx, conv, m, "")
		must(t, err)
		return m
	}
	status := func(wamid string, st inbox.MessageStatus) error {
		body, err := json.Marshal(inbox.Envelope{V: inbox.EnvelopeVersion, Kind: inbox.KindStatus, AccountID: acct,
			ChannelID: f.whatsapp.ID, ChannelType: inbox.ChannelWhatsApp, ProviderMessageID: wamid,
			From: inbox.Sender{Phone: waUser}, To: waDisplay, ReceivedAt: base.Add(2 * time.Minute),
			Status: &inbox.StatusUpdate{Status: st}})
		must(t, err)
		return f.router.HandleRecord(f.ctx, body, 1)
	}
	check := func(m inbox.Message, want inbox.MessageStatus) {
		t.Helper()
		got, err := f.store.GetMessage(f.ctx, acct, conv.ID, m.ID)
		must(t, err)
		if got.Status != want {
			t.Fatalf("reply %s, want %s", got.Status, want)
		}
	}
	m := reply("r1")
	must(t, f.store.RecordPart(f.ctx, acct, conv.ID, m.ID, f.whatsapp.ID, 0, "wamid.text", base.Add(time.Minute)))
	for _, st := range []inbox.MessageStatus{inbox.MessageSent, inbox.MessageDelivered} {
		must(t, status("wamid.text", st)) // ENotFound, retried, before the part had its marker
		check(m, inbox.MessageSending)
	}
	_, _, err := f.store.UpdateDelivery(f.ctx, acct, conv.ID, m.ID, inbox.DeliveryUpdate{Status: inbox.MessageSent, ProviderID: "wamid.audio", ChannelID: f.whatsapp.ID}, base.Add(time.Minute))
	must(t, err)
	must(t, status("wamid.text", inbox.MessageRead))
	check(m, inbox.MessageSent)
	must(t, status("wamid.audio", inbox.MessageDelivered))
	check(m, inbox.MessageDelivered)

	failing := reply("r2")
	must(t, f.store.RecordPart(f.ctx, acct, conv.ID, failing.ID, f.whatsapp.ID, 0, "wamid.text2", base.Add(time.Minute)))
	must(t, status("wamid.text2", inbox.MessageFailed))
	check(failing, inbox.MessageFailed)
	if got, err := f.store.GetMessage(f.ctx, acct, conv.ID, failing.ID); err != nil || got.Error == nil || got.Error.Message != "the text was not delivered" {
		t.Errorf("the failed reply's error = %+v (%v), want that the text was not delivered", got.Error, err)
	}
}
