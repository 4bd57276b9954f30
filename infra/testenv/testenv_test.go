package testenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	inboxdynamodb "github.com/openinbox/inbox/shared/dynamodb"
)

// The emulators answer the SDK the way the code under test relies on: the table has the
// template's indexes, and a FIFO queue drops a duplicate deduplication id.
func TestEmulatorsAnswerTheSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, table := DynamoDB(t)
	var o inboxdynamodb.Options
	DynamoDBOptions(t)(&o)
	out, err := DynamoDBAdmin(aws.ToString(o.BaseEndpoint), o.DisableValidateResponseChecksum).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Table.GlobalSecondaryIndexes); n != 5 {
		t.Fatalf("GSIs = %d, want 5 (gsi1..gsi5 of template.yaml)", n)
	}

	q := SQS(t)
	url, _ := FIFOQueue(t, q, 3, 30)
	for i := 0; i < 3; i++ {
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl: aws.String(url), MessageBody: aws.String("hello"),
			MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("same"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 1 {
		t.Fatalf("received %d messages, want 1 (FIFO dedup)", len(got.Messages))
	}
}
