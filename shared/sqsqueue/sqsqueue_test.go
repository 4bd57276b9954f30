package sqsqueue_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/sqsqueue"
)

// TestPublishTakesAnyGroupAndDedupID publishes to a FIFO queue of the SQS emulator with ids SQS
// refuses as they are (a space, an accent, an empty id, past 128 characters): each message is
// accepted, equal ids stay equal (the duplicate is dropped) and distinct ones distinct.
func TestPublishTakesAnyGroupAndDedupID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client := testenv.SQS(t)
	url, _ := testenv.FIFOQueue(t, client, 5, 30)
	q := sqsqueue.New(sqsqueue.NewClient(testenv.AWSConfig(), testenv.Endpoint(t, "SQS_ENDPOINT")), url)
	for _, tc := range []struct{ group, dedup string }{
		{"A#acme#CH#custom#Zoë Park", "custom/msg 1"},
		{" 14155550100", "SM1"},
		{"", ""},
		{strings.Repeat("g", 200), strings.Repeat("d", 200)},
		{"A#acme#CH#custom#Zoë Park", "custom/msg 1"}, // the same message again: deduplicated
		{"A#acme#CH#custom#Zoë Parks", "custom/msg 2"},
	} {
		if err := q.Publish(ctx, tc.group, tc.dedup, []byte(tc.group+"|"+tc.dedup)); err != nil {
			t.Fatalf("group %q dedup %q: %v", tc.group, tc.dedup, err)
		}
	}
	groups := map[string]string{}
	for {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			AttributeNames:              []types.QueueAttributeName{types.QueueAttributeNameAll}}) //nolint:staticcheck // the emulator answers the older name
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			groups[aws.ToString(m.Body)] = m.Attributes["MessageGroupId"]
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(groups) != 5 {
		t.Fatalf("%d messages received, want 5 (one duplicate dropped): %v", len(groups), groups)
	}
	if groups[" 14155550100|SM1"] == groups["A#acme#CH#custom#Zoë Park|custom/msg 1"] ||
		groups["A#acme#CH#custom#Zoë Park|custom/msg 1"] == groups["A#acme#CH#custom#Zoë Parks|custom/msg 2"] {
		t.Errorf("distinct groups share an id: %v", groups)
	}
}
