package faultinject_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/openinbox/inbox/infra/faultinject"
	"github.com/openinbox/inbox/infra/testenv"
)

// The faults reach the SDK as the real services' errors; calls not chosen pass through.
func TestFaultsLookLikeTheServices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, table := testenv.DynamoDB(t)
	p, err := faultinject.Start(testenv.Endpoint(t, "DYNAMODB_ENDPOINT"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ddb := dynamodb.NewFromConfig(testenv.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(p.URL)
		o.RetryMaxAttempts = 1
	})
	put := func() error {
		_, err := ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "fault"}, "sk": &types.AttributeValueMemberS{Value: "1"}}})
		return err
	}
	p.Add(faultinject.Rule{Op: "PutItem", Skip: 1, Times: 1, Fault: faultinject.DynamoDBThrottle})
	p.Add(faultinject.Rule{Op: "PutItem", Skip: 1, Times: 1, Fault: faultinject.DynamoDBServerError})
	if err := put(); err != nil {
		t.Fatalf("first PutItem (skipped by the throttle rule, failed by none): %v", err)
	}
	var throttled *types.ProvisionedThroughputExceededException
	if err := put(); !errors.As(err, &throttled) {
		t.Fatalf("second PutItem = %v, want ProvisionedThroughputExceededException", err)
	}
	var internal *types.InternalServerError
	if err := put(); !errors.As(err, &internal) {
		t.Fatalf("third PutItem = %v", err)
	}
	if err := put(); err != nil {
		t.Fatalf("PutItem after the rules are spent: %v", err)
	}
	if n := p.Injected(); n != 2 {
		t.Fatalf("injected %d faults, want 2", n)
	}

	sp, err := faultinject.Start(testenv.Endpoint(t, "SQS_ENDPOINT"))
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	q := sqs.NewFromConfig(testenv.AWSConfig(), func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(sp.URL)
		o.RetryMaxAttempts = 1
	})
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.Unique("fault"))})
	if err != nil {
		t.Fatal(err)
	}
	remove := sp.Add(faultinject.Rule{Op: "SendMessage", Fault: faultinject.SQSServerError})
	var api smithy.APIError
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String("x")}); !errors.As(err, &api) || api.ErrorCode() != "InternalError" {
		t.Fatalf("SendMessage = %v, want InternalError", err)
	}
	remove()
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String("x")}); err != nil {
		t.Fatalf("SendMessage after the rule is removed: %v", err)
	}
}
