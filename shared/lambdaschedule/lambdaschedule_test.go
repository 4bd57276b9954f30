package lambdaschedule

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func fixture(t *testing.T) events.CloudWatchEvent {
	t.Helper()
	b, err := os.ReadFile("testdata/scheduled_event.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestHandler(t *testing.T) {
	t.Parallel()
	doc := fixture(t)
	other := doc
	other.Source, other.DetailType = "aws.s3", "Object Created"
	boom := errors.New("boom")
	cases := []struct {
		name    string
		ev      events.CloudWatchEvent
		hErr    error
		want    *Tick
		wantErr bool
	}{
		{name: "documented scheduled event", ev: doc,
			want: &Tick{ID: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", Time: time.Date(2015, 10, 8, 16, 53, 6, 0, time.UTC),
				Rule: "arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"}},
		{name: "the handler's error fails the invocation", ev: doc, hErr: boom, wantErr: true,
			want: &Tick{ID: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", Time: time.Date(2015, 10, 8, 16, 53, 6, 0, time.UTC),
				Rule: "arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"}},
		{name: "another event is refused", ev: other, wantErr: true},
		{name: "an empty event is refused", ev: events.CloudWatchEvent{}, wantErr: true},
		{name: "the local runner's event", ev: Event("local-1", time.Date(2026, 11, 23, 8, 0, 0, 5, time.UTC), ""),
			want: &Tick{ID: "local-1", Time: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got *Tick
			err := Handler(func(_ context.Context, tk Tick) error {
				got = &tk
				return c.hErr
			})(context.Background(), c.ev)
			if (err != nil) != c.wantErr {
				t.Fatalf("error = %v, want error %v", err, c.wantErr)
			}
			if c.hErr != nil && !errors.Is(err, c.hErr) {
				t.Fatalf("error = %v, want the handler's", err)
			}
			switch {
			case c.want == nil && got != nil:
				t.Fatalf("handler called with %+v", *got)
			case c.want != nil && (got == nil || *got != *c.want):
				t.Fatalf("tick = %+v, want %+v", got, *c.want)
			}
		})
	}
	// The runner's event has the documented shape, field for field.
	b, err := json.Marshal(Event("x", time.Now(), "arn:aws:events:us-east-1:123456789012:rule/r"))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile("testdata/scheduled_event.json")
	var docFields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &docFields); err != nil {
		t.Fatal(err)
	}
	for k := range docFields {
		if _, ok := fields[k]; !ok {
			t.Errorf("Event lacks %q", k)
		}
	}
	if string(fields["detail"]) != "{}" {
		t.Errorf("detail = %s", fields["detail"])
	}
}
