package dynamo

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/inbox"
)

// failCall answers the first call of one DynamoDB operation (X-Amz-Target suffix op) whose body
// contains match with an error the SDK does not retry, as a process that dies at that point
// would leave it: what came before is written, that call and what follows are not.
type failCall struct {
	op, match string
	done      atomic.Bool
	next      http.RoundTripper
}

func (f *failCall) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.Header.Get("X-Amz-Target"), "."+f.op) && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(strings.NewReader(string(body)))
		if strings.Contains(string(body), f.match) && f.done.CompareAndSwap(false, true) {
			const msg = `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","Message":"injected failure"}`
			return &http.Response{
				StatusCode: 400, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}, "X-Amzn-Errortype": {"ValidationException"}},
				Body:   io.NopCloser(strings.NewReader(msg)), ContentLength: int64(len(msg)), Request: req,
			}, nil
		}
	}
	return f.next.RoundTrip(req)
}

func (f *fixture) failing(op, match string) *Store {
	client := dynamodb.NewFromConfig(testenv.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(testenv.Endpoint(f.t, "DYNAMODB_ENDPOINT"))
		o.HTTPClient = &http.Client{Transport: &failCall{op: op, match: match, next: http.DefaultTransport}}
	})
	return New(client, f.table, f.store.sealer)
}

// A delivery that fails after its message is stored but before the conversation shows it
// leaves no provider marker: the redelivery is not taken for a duplicate, finds its message,
// and brings the conversation's preview and time to it. (With the marker written before the
// conversation, the redelivery was a duplicate and the preview stayed stale.)
func TestRedeliveryCompletesWhatAFailureLeft(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctA", "ib1", base)
	at := base.Add(2 * time.Minute)
	m := newMessage(inbox.DirectionIn, "where is my parcel?", at, inbox.MessageReceived)
	dying := f.failing("UpdateItem", "lastMessageAt")
	_, _, err := dying.AppendToOpen(f.ctx, "acctA", c.ID, "ch1", m, "SMcrash")
	if err == nil {
		t.Fatal("the injected failure did not reach AppendToOpen")
	}

	contact := inbox.Contact{Phone: "+15550000001"}
	st, err := f.store.InboundState(f.ctx, "acctA", "ch1", "SMcrash", "ib1", contact)
	must(t, err)
	if st.Duplicate {
		t.Fatal("the redelivery is taken for a duplicate: the conversation would never show the message")
	}
	_, stored, err := f.store.AppendToOpen(f.ctx, "acctA", c.ID, "ch1", m, "SMcrash")
	must(t, err)
	if stored {
		t.Error("the redelivery reports a new message")
	}
	got, err := f.store.GetConversation(f.ctx, "acctA", c.ID)
	must(t, err)
	if got.Preview != "where is my parcel?" || !got.LastMessageAt.Equal(at) || !got.LastInboundAt.Equal(at) {
		t.Errorf("conversation after the redelivery = %+v", got)
	}
	if _, msgID, err := f.store.ProviderMessage(f.ctx, "acctA", "ch1", "SMcrash"); err != nil || msgID != m.ID {
		t.Errorf("provider marker = %s, %v", msgID, err)
	}
	list, err := f.store.ListMessages(f.ctx, "acctA", c.ID)
	must(t, err)
	if len(list) != 1 {
		t.Errorf("%d messages, want 1", len(list))
	}
}

// An open conversation is two single writes, the open marker first. A failure in between
// leaves a marker naming no conversation: the next FindOrOpenConversation of the contact writes
// that conversation, under the marker's id, so that the contact still has one.
func TestOpenMarkerWithoutConversationIsCompleted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := newConversation("acctA", "ib1", "ch1", inbox.NewID(), base)
	_, _, err := f.failing("PutItem", `"sk":{"S":"CV"}`).OpenConversation(f.ctx, c, inbox.OpenHint{})
	if err == nil {
		t.Fatal("the injected failure did not reach OpenConversation")
	}
	_, err = f.store.FindOpenConversation(f.ctx, "acctA", "ib1", c.ContactID)
	wantCode(t, err, inbox.ENotFound)

	again := newConversation("acctA", "ib1", "ch1", c.ContactID, base.Add(time.Second))
	got, created, err := f.store.FindOrOpenConversation(f.ctx, again)
	must(t, err)
	if !created || got.ID != c.ID {
		t.Fatalf("FindOrOpenConversation = %s (created %v), want the marker's %s", got.ID, created, c.ID)
	}
	open, err := f.store.FindOpenConversation(f.ctx, "acctA", "ib1", c.ContactID)
	must(t, err)
	if open.ID != c.ID || open.Status != inbox.StatusOpen {
		t.Errorf("open conversation = %+v", open)
	}
	list, _, err := f.store.ListConversations(f.ctx, "acctA", inbox.ConversationFilter{InboxID: "ib1"})
	must(t, err)
	if ids := convIDs(list); len(ids) != 1 || ids[0] != c.ID {
		t.Errorf("inbox list = %v", ids)
	}
}
