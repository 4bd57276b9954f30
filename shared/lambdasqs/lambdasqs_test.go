package lambdasqs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/openinbox/inbox/shared/inbox"
)

func load(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestHandleReportsFailedRecordAndAllLaterOnesOfItsGroup(t *testing.T) {
	t.Parallel()
	var ev events.SQSEvent
	load(t, "fifo_batch_same_group_derived.json", &ev)
	var want events.SQSEventResponse
	load(t, "fifo_batch_expected_response_if_second_fails.json", &want)

	var seen []string
	h := Handle(discard(), func(_ context.Context, r Record) error {
		seen = append(seen, r.ID)
		if r.GroupID == "" || r.ReceiveCount != 1 || !strings.Contains(string(r.Body), "seq") {
			t.Errorf("record not decoded: %+v", r)
		}
		if len(seen) == 2 {
			return errors.New("boom")
		}
		return nil
	})
	got, err := h(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("response = %+v, want %+v", got, want)
	}
	if len(seen) != 2 {
		t.Fatalf("handler called %d times; records of a failed group after the failure must not be processed", len(seen))
	}
}

// A FIFO batch mixes message groups (conversations, accounts): one group's failure sends back
// that group's later records only; the other group's records are handled in order.
func TestHandleFailureKeepsOtherGroupsGoing(t *testing.T) {
	t.Parallel()
	var ev events.SQSEvent
	load(t, "fifo_batch_mixed_groups_derived.json", &ev)
	var want events.SQSEventResponse
	load(t, "fifo_batch_mixed_groups_expected_response_if_first_fails.json", &want)
	failing := ev.Records[0].Attributes["MessageGroupId"]

	var handled []string
	h := Handle(discard(), func(_ context.Context, r Record) error {
		if r.GroupID == failing {
			if len(handled) > 0 && handled[len(handled)-1] == failing {
				t.Errorf("a record of the failed group was processed after its failure")
			}
			handled = append(handled, r.GroupID)
			return inbox.Errorf(inbox.EUnavailable, "throttled")
		}
		handled = append(handled, string(r.Body))
		return nil
	})
	got, _ := h(context.Background(), ev)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("response = %+v, want %+v", got, want)
	}
	if len(handled) != 3 || !strings.Contains(handled[1], `"seq":1`) || !strings.Contains(handled[2], `"seq":2`) {
		t.Fatalf("handled = %q; want the failing record once, then the other group's two records in order", handled)
	}
}

// Standard queues have no groups: only the failing record goes back.
func TestHandleStandardQueueReportsOnlyTheFailure(t *testing.T) {
	t.Parallel()
	var ev events.SQSEvent
	load(t, "standard_batch_doc.json", &ev)
	calls := 0
	h := Handle(discard(), func(context.Context, Record) error {
		calls++
		if calls == 1 {
			return errors.New("boom")
		}
		return nil
	})
	got, _ := h(context.Background(), ev)
	want := []events.SQSBatchItemFailure{{ItemIdentifier: ev.Records[0].MessageId}}
	if calls != 2 || !reflect.DeepEqual(got.BatchItemFailures, want) {
		t.Fatalf("calls = %d, failures = %+v, want %+v", calls, got.BatchItemFailures, want)
	}
}

// What cannot heal is dropped, not retried into the DLQ: not reported, the group goes on, and
// one log line carries the error code and a CloudWatch embedded-metric point.
func TestHandlePermanentErrorIsDroppedWithLogAndMetric(t *testing.T) {
	t.Parallel()
	var ev events.SQSEvent
	load(t, "fifo_batch_same_group_derived.json", &ev)
	var buf bytes.Buffer
	calls := 0
	h := Handle(slog.New(slog.NewJSONHandler(&buf, nil)), func(context.Context, Record) error {
		calls++
		if calls == 1 {
			return inbox.Permanent(inbox.Errorf(inbox.ENotFound, "channel not found"))
		}
		return nil
	})
	got, _ := h(context.Background(), ev)
	if calls != 3 || len(got.BatchItemFailures) != 0 {
		t.Fatalf("calls = %d, failures = %+v; want all 3 handled and nothing returned", calls, got.BatchItemFailures)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one log line, got %q", lines)
	}
	var line struct {
		Msg     string `json:"msg"`
		Code    string `json:"code"`
		Queue   string `json:"Queue"`
		Dropped int    `json:"DroppedMessages"`
		AWS     struct {
			Timestamp         int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace  string     `json:"Namespace"`
				Dimensions [][]string `json:"Dimensions"`
				Metrics    []struct{ Name, Unit string }
			} `json:"CloudWatchMetrics"`
		} `json:"_aws"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	m := line.AWS.CloudWatchMetrics
	if line.Code != "not_found" || line.Queue != "inbound-normalized.fifo" || line.Dropped != 1 || line.AWS.Timestamp == 0 ||
		len(m) != 1 || m[0].Namespace != MetricNamespace || m[0].Metrics[0].Name != DroppedMetric || m[0].Dimensions[0][0] != "Queue" {
		t.Fatalf("log line = %s", lines[0])
	}
}

func TestHandleAllSuccessReportsNothing(t *testing.T) {
	t.Parallel()
	var ev events.SQSEvent
	load(t, "standard_batch_doc.json", &ev)
	h := Handle(discard(), func(context.Context, Record) error { return nil })
	got, _ := h(context.Background(), ev)
	if len(got.BatchItemFailures) != 0 {
		t.Fatalf("failures = %+v", got.BatchItemFailures)
	}
	b, _ := json.Marshal(got)
	var doc map[string]any
	load(t, "batch_response_all_success.json", &doc)
	want, _ := json.Marshal(doc)
	if string(b) != string(want) {
		t.Fatalf("json = %s, want %s", b, want)
	}
}
