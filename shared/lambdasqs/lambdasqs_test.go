package lambdasqs

import (
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
)

func load(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("../../../shared/fixtures/aws/sqs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestHandleReportsFailedRecordAndAllLaterOnes(t *testing.T) {
	t.Parallel()
	var ev events.SQSEvent
	load(t, "fifo_batch_same_group_derived.json", &ev)
	var want events.SQSEventResponse
	load(t, "fifo_batch_expected_response_if_second_fails.json", &want)

	var seen []string
	h := Handle(slog.New(slog.NewTextHandler(io.Discard, nil)), func(_ context.Context, r Record) error {
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
		t.Fatalf("handler called %d times; records after a failure must not be processed", len(seen))
	}
}

func TestHandleAllSuccessReportsNothing(t *testing.T) {
	t.Parallel()
	var ev events.SQSEvent
	load(t, "standard_batch_doc.json", &ev)
	h := Handle(slog.New(slog.NewTextHandler(io.Discard, nil)), func(context.Context, Record) error { return nil })
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
