package lambdaws_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/lambdaws"
	"github.com/openinbox/inbox/shared/realtime"
)

// eventLog records what the service logs; no connection listens, so nothing is pushed.
type eventLog struct {
	mu     sync.Mutex
	events []realtime.Event
}

func (l *eventLog) AppendEvents(_ context.Context, evs []realtime.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, evs...)
	return nil
}

func (l *eventLog) EventsAfter(context.Context, string, string, int) ([]realtime.Event, error) {
	return nil, nil
}

type noConnections struct{}

func (noConnections) PutConnection(context.Context, realtime.Connection) error { return nil }
func (noConnections) GetConnection(context.Context, string) (realtime.Connection, error) {
	return realtime.Connection{}, nil
}
func (noConnections) DeleteConnection(context.Context, string) error { return nil }
func (noConnections) Audience(context.Context, string, string) ([]realtime.Connection, error) {
	return nil, nil
}

// TestStreamKeepsConversationChanges feeds the realtime function's handler DynamoDB Streams
// batches in the documented KEYS_ONLY record shape (testdata/stream_keys_only.json): a new
// message and a change of its conversation in one batch are two events — the conversation's
// change may be a status or assignee change made at the same moment (a visitor's message
// reopening a closed chat), which KEYS_ONLY records cannot tell from the message's bump, so
// it is never dropped. Repeats within a batch are one event; removals none.
func TestStreamKeepsConversationChanges(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/stream_keys_only.json")
	if err != nil {
		t.Fatal(err)
	}
	fixture := strings.NewReplacer("ACCT", "acct1", "CONV", "conv1", "MSG", "msg1").Replace(string(raw))
	var batch events.DynamoDBEvent
	if err := json.Unmarshal([]byte(fixture), &batch); err != nil {
		t.Fatal(err)
	}
	if len(batch.Records) != 3 || batch.Records[1].Change.StreamViewType != "KEYS_ONLY" {
		t.Fatalf("fixture: %+v", batch.Records)
	}
	twice := events.DynamoDBEvent{Records: append(append([]events.DynamoDBEventRecord{}, batch.Records...), batch.Records[:2]...)}
	for _, tc := range []struct {
		name  string
		batch events.DynamoDBEvent
		want  []string
	}{
		{"message and its conversation's change", batch, []string{"message conv1 msg1", "conversation conv1 "}},
		{"each repeated in the batch", twice, []string{"message conv1 msg1", "conversation conv1 "}},
		{"the conversation's change alone", events.DynamoDBEvent{Records: batch.Records[1:2]}, []string{"conversation conv1 "}},
		{"a removal alone", events.DynamoDBEvent{Records: batch.Records[2:]}, nil},
	} {
		log := &eventLog{}
		svc := &realtime.Service{Conns: noConnections{}, Events: log, Pusher: nil, Log: slog.New(slog.DiscardHandler)}
		res, err := lambdaws.Stream(slog.New(slog.DiscardHandler), svc, dynamo.ChangeEvent)(t.Context(), tc.batch)
		if err != nil || len(res.BatchItemFailures) != 0 {
			t.Fatalf("%s: %+v %v", tc.name, res, err)
		}
		var got []string
		for _, e := range log.events {
			if e.Account != "acct1" || e.Cursor == "" {
				t.Errorf("%s: event %+v", tc.name, e)
			}
			got = append(got, e.Kind+" "+e.ConversationID+" "+e.MessageID)
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: events %q, want %q", tc.name, got, tc.want)
		}
	}
}
