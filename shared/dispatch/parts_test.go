package dispatch_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dispatch"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/lambdasqs"
	"github.com/openinbox/inbox/shared/sqsqueue"
)

// Send API answers and errors, as Meta documents them
// (https://developers.facebook.com/docs/messenger-platform/reference/send-api/,
// https://developers.facebook.com/docs/graph-api/guides/error-handling).
const (
	textMID = "m_text_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fp"
	fileMID = "m_file_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fp"
	// errUnavailable is Graph's "(#2) Service temporarily unavailable" (HTTP 500, transient).
	errUnavailable = `{"error":{"message":"(#2) Service temporarily unavailable","type":"OAuthException","code":2,"is_transient":true,"fbtrace_id":"AbCdEf2"}}`
	// errFetch is Messenger's refusal of an attachment URL it could not download (HTTP 400).
	errFetch = `{"error":{"message":"(#100) Failed to fetch the file from the url","type":"OAuthException","code":100,"error_subcode":2018008,"fbtrace_id":"AbCdEf100"}}`
)

// sendAPI is an httptest Graph Send API for one page: it keeps every request's message and
// answers a text with textMID, and an attachment with the next of fileAnswers (status and
// body; fileMID once they are used up).
type sendAPI struct {
	*httptest.Server
	mu          sync.Mutex
	texts       []string
	files       []string
	fileAnswers []answer
}

type answer struct {
	status int
	body   string
}

func newSendAPI(t *testing.T, fileAnswers ...answer) *sendAPI {
	t.Helper()
	g := &sendAPI{fileAnswers: fileAnswers}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Recipient     struct{ ID string } `json:"recipient"`
			MessagingType string              `json:"messaging_type"`
			Message       struct {
				Text       string `json:"text"`
				Attachment *struct {
					Type    string `json:"type"`
					Payload struct {
						URL string `json:"url"`
					} `json:"payload"`
				} `json:"attachment"`
				Metadata string `json:"metadata"`
			} `json:"message"`
		}
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/"+metaPageID+"/messages") || r.Header.Get("Authorization") != "Bearer EAAJB-page" {
			t.Errorf("unexpected Graph request %s %s", r.Method, r.URL.Path)
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Recipient.ID != metaPSID || req.MessagingType != "RESPONSE" {
			t.Errorf("Send API request %s (%v)", body, err)
		}
		w.Header().Set("Content-Type", "application/json")
		g.mu.Lock()
		defer g.mu.Unlock()
		a := answer{http.StatusOK, `{"recipient_id":"` + metaPSID + `","message_id":"` + textMID + `"}`}
		switch m := req.Message; {
		case m.Text != "" && m.Attachment == nil:
			g.texts = append(g.texts, m.Text)
		case m.Text == "" && m.Attachment != nil:
			g.files = append(g.files, m.Attachment.Payload.URL)
			a.body = `{"recipient_id":"` + metaPSID + `","message_id":"` + fileMID + `"}`
			if len(g.fileAnswers) > 0 {
				a, g.fileAnswers = g.fileAnswers[0], g.fileAnswers[1:]
			}
		default:
			// Messenger takes a text or an attachment in one message, never both.
			a = answer{http.StatusBadRequest, `{"error":{"message":"(#100) Only one of text or attachment may be set","type":"OAuthException","code":100,"fbtrace_id":"AbCdEf"}}`}
		}
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *sendAPI) sent() (texts, files []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.texts...), append([]string(nil), g.files...)
}

// outbound is a FIFO queue of the SQS emulator that the dispatcher consumes as the dispatch
// function does (lambdasqs with partial batch failures).
type outbound struct {
	sqs      *sqs.Client
	url      string
	receives int
	handler  func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
}

func newOutbound(t *testing.T, d *dispatch.Dispatcher, job inbox.OutboundJob) *outbound {
	t.Helper()
	client := testenv.SQS(t)
	url, _ := testenv.FIFOQueue(t, client, 2*maxAttempts+1, 300)
	q := sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), url)
	body, err := json.Marshal(job)
	must(t, err)
	must(t, q.Publish(context.Background(), job.ConversationID, job.MessageID, body))
	return &outbound{sqs: client, url: url, handler: lambdasqs.Handle(slog.New(slog.DiscardHandler), func(ctx context.Context, r lambdasqs.Record) error {
		return d.HandleBody(ctx, r.Body, r.ReceiveCount)
	})}
}

// deliver receives the queued job and hands it to the dispatcher as Lambda's event source does:
// the records that did not fail are deleted, a failed one is made visible again at once (its
// visibility timeout cut short rather than waited out). It returns false when the queue is
// empty, and how many records failed.
func (o *outbound) deliver(t *testing.T) (received bool, failed int) {
	t.Helper()
	ctx := context.Background()
	out, err := o.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(o.url), MaxNumberOfMessages: 10, VisibilityTimeout: 300,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		// The SQS emulator reads only the older, deprecated name of the same parameter.
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	must(t, err)
	if len(out.Messages) == 0 {
		return false, 0
	}
	var ev events.SQSEvent
	handles := map[string]string{}
	for _, m := range out.Messages {
		// The emulator counts a ChangeMessageVisibility as one more receive: the attempt is the
		// test's own count of receives, as SQS would give it.
		o.receives++
		m.Attributes["ApproximateReceiveCount"] = strconv.Itoa(o.receives)
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body), Attributes: m.Attributes})
		handles[aws.ToString(m.MessageId)] = aws.ToString(m.ReceiptHandle)
	}
	resp, err := o.handler(ctx, ev)
	must(t, err)
	retried := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		retried[f.ItemIdentifier] = true
		_, err := o.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(o.url), ReceiptHandle: aws.String(handles[f.ItemIdentifier]), VisibilityTimeout: 0})
		must(t, err)
	}
	for id, h := range handles {
		if !retried[id] {
			_, err := o.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(o.url), ReceiptHandle: aws.String(h)})
			must(t, err)
		}
	}
	return true, len(resp.BatchItemFailures)
}

// TestMessengerTextAndFileSentOnce sends a Messenger reply of a text and a file, which the Send
// API takes only as two messages, through the outbound queue of the SQS emulator, DynamoDB Local
// and a Graph stand-in whose answer to the file is scripted: a retry of the job after the file's
// temporary failure sends the file only (the customer gets the text once), and a permanent
// refusal of the file fails the reply with Meta's reason without resending the text.
func TestMessengerTextAndFileSentOnce(t *testing.T) {
	t.Parallel()
	const fileURL = "https://files.example.test/media/files/acct1/invoice.pdf"
	tests := []struct {
		name        string
		fileAnswers []answer
		deliveries  int // receives of the job until the queue is empty
		files       int // the file's requests to Graph
		want        inbox.MessageStatus
		wantError   string
	}{
		{name: "sent at once", deliveries: 1, files: 1, want: inbox.MessageSent},
		{name: "file unavailable once, then sent", fileAnswers: []answer{{http.StatusInternalServerError, errUnavailable}},
			deliveries: 2, files: 2, want: inbox.MessageSent},
		{name: "file unavailable twice, then sent", fileAnswers: []answer{{http.StatusInternalServerError, errUnavailable}, {http.StatusServiceUnavailable, errUnavailable}},
			deliveries: 3, files: 3, want: inbox.MessageSent},
		{name: "file refused", fileAnswers: []answer{{http.StatusBadRequest, errFetch}},
			deliveries: 1, files: 1, want: inbox.MessageFailed, wantError: "100"},
		{name: "file unavailable at every attempt", fileAnswers: []answer{{500, errUnavailable}, {500, errUnavailable}, {500, errUnavailable}, {500, errUnavailable}},
			deliveries: maxAttempts, files: maxAttempts, want: inbox.MessageFailed, wantError: "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMetaFixture(t, now.Add(-time.Hour))
			g := newSendAPI(t, tt.fileAnswers...)
			job := f.reply(t, inbox.ChannelMessenger, inbox.Message{Text: "Here is your invoice.",
				Attachments: []inbox.Attachment{{Type: inbox.AttachFile, URL: fileURL, Name: "invoice.pdf", ContentType: "application/pdf"}}})
			q := newOutbound(t, f.dispatcher(g.URL), job)
			deliveries := 0
			for {
				received, failed := q.deliver(t)
				if !received {
					break
				}
				if deliveries++; deliveries > maxAttempts+1 {
					t.Fatal("the job keeps coming back")
				}
				if failed > 0 {
					// Between deliveries the reply waits, pending, with its text's id kept.
					if m := f.message(t, job); m.Status != inbox.MessagePending || !slices.Equal(m.PartIDs, []string{textMID}) {
						t.Errorf("after delivery %d: %s with parts %v, want pending with the text's %s", deliveries, m.Status, m.PartIDs, textMID)
					}
				}
			}
			texts, files := g.sent()
			if !slices.Equal(texts, []string{"Here is your invoice."}) {
				t.Errorf("Graph received the texts %q, want the text once", texts)
			}
			if len(files) != tt.files || deliveries != tt.deliveries {
				t.Errorf("Graph received the file %d times in %d deliveries, want %d in %d", len(files), deliveries, tt.files, tt.deliveries)
			}
			for _, u := range files {
				if u != fileURL {
					t.Errorf("file sent as %s", u)
				}
			}
			m := f.message(t, job)
			if m.Status != tt.want || !slices.Equal(m.PartIDs, []string{textMID}) {
				t.Fatalf("message %s with parts %v, want %s with [%s]", m.Status, m.PartIDs, tt.want, textMID)
			}
			if tt.want == inbox.MessageSent && (m.ProviderID != fileMID || m.Error != nil) {
				t.Errorf("sent message: provider id %q, error %+v; want %s", m.ProviderID, m.Error, fileMID)
			}
			if tt.want == inbox.MessageFailed && (m.Error == nil || m.Error.Code != tt.wantError || !strings.HasPrefix(m.Error.Message, "the text was sent, the rest of the reply was not: (#")) {
				t.Errorf("failed message: error %+v, want Meta's %s with its message", m.Error, tt.wantError)
			}
		})
	}
}

// TestWhatsAppTextAndAudioSentOnce: WhatsApp audio carries no caption, so its text goes first as
// its own message; a retry after the audio's rate limit sends the audio only.
func TestWhatsAppTextAndAudioSentOnce(t *testing.T) {
	t.Parallel()
	f := newMetaFixture(t, now.Add(-time.Hour))
	var mu sync.Mutex
	var types []string
	limited := true
	g := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Type    string         `json:"type"`
			Audio   map[string]any `json:"audio"`
			Context map[string]any `json:"context"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		defer mu.Unlock()
		types = append(types, req.Type)
		w.Header().Set("Content-Type", "application/json")
		if req.Type == "audio" {
			if _, ok := req.Audio["caption"]; ok || req.Context != nil {
				t.Errorf("audio sent with a caption or context: %+v", req)
			}
			if limited {
				limited = false
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, errRate130429)
				return
			}
			_, _ = io.WriteString(w, strings.Replace(waSuccess, sentWAMID, "wamid.audio", 1))
			return
		}
		if req.Context == nil {
			t.Error("the text does not answer the customer's message")
		}
		_, _ = io.WriteString(w, strings.Replace(waSuccess, sentWAMID, "wamid.text", 1))
	}))
	t.Cleanup(g.Close)
	job := f.reply(t, inbox.ChannelWhatsApp, inbox.Message{Text: "Listen to this.", ReplyTo: "wamid.customer",
		Attachments: []inbox.Attachment{{Type: inbox.AttachAudio, URL: "https://files.example.test/note.ogg", ContentType: "audio/ogg"}}})
	d := f.dispatcher(g.URL)
	if err := d.Handle(f.ctx, job, 1); err == nil {
		t.Fatal("first attempt: no error, want a retry")
	}
	must(t, d.Handle(f.ctx, job, 2))
	if m := f.message(t, job); m.Status != inbox.MessageSent || m.ProviderID != "wamid.audio" || !slices.Equal(m.PartIDs, []string{"wamid.text"}) {
		t.Errorf("message %s as %q with parts %v, want sent as wamid.audio after wamid.text", m.Status, m.ProviderID, m.PartIDs)
	}
	if !slices.Equal(types, []string{"text", "audio", "audio"}) {
		t.Errorf("Graph received %v, want the text once and the audio twice", types)
	}
	// The text's status callbacks (and the customer's answer quoting it) find the reply.
	if convID, msgID, err := f.store.ProviderMessage(f.ctx, acct, f.chans[inbox.ChannelWhatsApp].ID, "wamid.text"); err != nil ||
		convID != job.ConversationID || msgID != job.MessageID {
		t.Errorf("wamid.text names %s/%s (%v), want the reply", convID, msgID, err)
	}
}
