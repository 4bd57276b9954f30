package dynamo

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/inbox"
)

// conflictTransport answers the first `conflicts` TransactWriteItems calls as DynamoDB does
// when another transaction holds one of the items, and passes everything else on.
type conflictTransport struct {
	conflicts int32
	seen      atomic.Int32
	next      http.RoundTripper
}

func (c *conflictTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".TransactWriteItems") && c.seen.Add(1) <= c.conflicts {
		body := `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
			`"Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None, None]",` +
			`"CancellationReasons":[{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"},{"Code":"None"},{"Code":"None"}]}`
		return &http.Response{
			StatusCode: 400, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{
				"Content-Type":     {"application/x-amz-json-1.0"},
				"X-Amzn-Errortype": {"TransactionCanceledException"},
			},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req,
		}, nil
	}
	return c.next.RoundTrip(req)
}

func TestTransactionConflictIsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name      string
		conflicts int32
		code      inbox.ErrorCode
	}{
		{"retried until it passes", 3, ""},
		{"gives up as unavailable", maxAttempts, inbox.EUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &conflictTransport{conflicts: tt.conflicts, next: http.DefaultTransport}
			client := dynamodb.NewFromConfig(testenv.AWSConfig(), func(o *dynamodb.Options) {
				o.BaseEndpoint = aws.String(testenv.Endpoint(t, "DYNAMODB_ENDPOINT"))
				o.HTTPClient = &http.Client{Transport: tr}
			})
			s := New(client, f.table, nil)
			c := f.conversation("acctA", "ib1", base)
			got, err := s.SetStatus(f.ctx, "acctA", c.ID, inbox.StatusClosed)
			wantCode(t, err, tt.code)
			if closed := got.Status == inbox.StatusClosed; closed != (tt.code == "") {
				t.Errorf("closed = %v", closed)
			}
			if got := tr.seen.Load(); got < tt.conflicts {
				t.Errorf("%d transactions sent, want at least %d", got, tt.conflicts)
			}
		})
	}
}

// beforeTransact runs hook once, before the first TransactWriteItems call goes out: a write of
// another process slipping in between a method's read and its write.
type beforeTransact struct {
	once sync.Once
	hook func()
	next http.RoundTripper
}

func (b *beforeTransact) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".TransactWriteItems") {
		b.once.Do(b.hook)
	}
	return b.next.RoundTrip(req)
}

// Rules set while a channel update is between its read and its write survive the update.
func TestUpdateChannelKeepsConcurrentRoutingRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ib := f.inbox("acctA")
	ch := f.channel("acctA", ib.ID, "+15005550101")
	rules := &inbox.RoutingRules{AutoAssign: true, Target: inbox.TargetUsersAndTeams, UserIDs: []string{"u1"}, OnlyAvailable: true}
	tr := &beforeTransact{next: http.DefaultTransport, hook: func() {
		must(t, f.store.SetRoutingRules(f.ctx, "acctA", ch.ID, rules))
	}}
	client := dynamodb.NewFromConfig(testenv.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(testenv.Endpoint(t, "DYNAMODB_ENDPOINT"))
		o.HTTPClient = &http.Client{Transport: tr}
	})
	racing := New(client, f.table, f.store.sealer)
	renamed := ch
	renamed.Name = "Renamed"
	must(t, racing.UpdateChannel(f.ctx, renamed))
	got, err := f.store.GetChannel(f.ctx, "acctA", ch.ID)
	must(t, err)
	if got.Name != "Renamed" || got.Routing == nil || !got.Routing.AutoAssign || len(got.Routing.UserIDs) != 1 {
		t.Fatalf("after a concurrent update: name %q, routing %+v", got.Name, got.Routing)
	}
}
