package localrun

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/openinbox/inbox/infra/samtemplate"
)

// queueSet holds the queues created from the template, by logical id.
type queueSet struct {
	client *sqs.Client
	urls   map[string]string
	arns   map[string]string
}

// createQueues creates every queue of the template (dead-letter queues first) with its FIFO,
// visibility and redrive settings.
func createQueues(ctx context.Context, client *sqs.Client, qs []samtemplate.Queue, prefix string) (*queueSet, error) {
	set := &queueSet{client: client, urls: map[string]string{}, arns: map[string]string{}}
	create := func(q samtemplate.Queue) error {
		name := prefix + q.LogicalID
		attrs := map[string]string{string(sqstypes.QueueAttributeNameVisibilityTimeout): fmt.Sprint(q.VisibilityTimeout)}
		if q.FIFO {
			name += ".fifo"
			attrs[string(sqstypes.QueueAttributeNameFifoQueue)] = "true"
		}
		if q.DeadLetter != "" {
			arn, ok := set.arns[q.DeadLetter]
			if !ok {
				return fmt.Errorf("queue %s: dead-letter queue %s not created", q.LogicalID, q.DeadLetter)
			}
			attrs[string(sqstypes.QueueAttributeNameRedrivePolicy)] = fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, arn, q.MaxReceiveCount)
		}
		out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		if err != nil {
			return fmt.Errorf("create queue %s: %w", name, err)
		}
		a, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			return err
		}
		set.urls[q.LogicalID] = *out.QueueUrl
		set.arns[q.LogicalID] = a.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
		return nil
	}
	for _, q := range qs {
		if q.DeadLetter == "" {
			if err := create(q); err != nil {
				return nil, err
			}
		}
	}
	for _, q := range qs {
		if q.DeadLetter != "" {
			if err := create(q); err != nil {
				return nil, err
			}
		}
	}
	return set, nil
}

// consumer polls one queue and invokes a function with SQS events as Lambda's event source
// mapping does: batches of up to 10, partial batch failures, failed messages left to become
// visible again and, after maxReceiveCount receives, moved to the DLQ by SQS itself.
type consumer struct {
	client   *sqs.Client
	function string
	queueURL string
	queueARN string
	invoke   func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	// retryAfter, when set, shortens the wait before a failed message is tried again (locally
	// nobody wants to wait the whole visibility timeout).
	retryAfter time.Duration
	log        *slog.Logger
}

func (c *consumer) run(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	for ctx.Err() == nil {
		n := c.poll(ctx)
		if n == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

func (c *consumer) poll(ctx context.Context) int {
	out, err := c.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(c.queueURL), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		// The SQS emulator only reads the older parameter; AWS takes either.
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}, //nolint:staticcheck
	})
	if err != nil {
		if ctx.Err() == nil {
			c.log.Warn("receive failed", "function", c.function, "err", err)
		}
		return 0
	}
	if len(out.Messages) == 0 {
		return 0
	}
	ev := events.SQSEvent{}
	receipts := map[string]string{}
	for _, m := range out.Messages {
		body := aws.ToString(m.Body)
		sum := md5.Sum([]byte(body))
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
			Body: body, Md5OfBody: hex.EncodeToString(sum[:]), Attributes: m.Attributes,
			EventSource: "aws:sqs", EventSourceARN: c.queueARN, AWSRegion: "us-east-1",
		})
		receipts[aws.ToString(m.MessageId)] = aws.ToString(m.ReceiptHandle)
	}
	resp, err := c.invoke(ctx, ev)
	failed := map[string]bool{}
	if err != nil {
		// A function error fails the whole batch, as in Lambda.
		c.log.Error("function failed", "function", c.function, "err", err)
		for id := range receipts {
			failed[id] = true
		}
	}
	for _, f := range resp.BatchItemFailures {
		if _, ok := receipts[f.ItemIdentifier]; !ok {
			// An unknown identifier makes Lambda treat the whole batch as failed.
			for id := range receipts {
				failed[id] = true
			}
		}
		failed[f.ItemIdentifier] = true
	}
	for id, rh := range receipts {
		if failed[id] {
			if c.retryAfter > 0 {
				_, _ = c.client.ChangeMessageVisibility(context.WithoutCancel(ctx), &sqs.ChangeMessageVisibilityInput{
					QueueUrl: aws.String(c.queueURL), ReceiptHandle: aws.String(rh), VisibilityTimeout: int32(c.retryAfter / time.Second),
				})
			}
			continue
		}
		if _, err := c.client.DeleteMessage(context.WithoutCancel(ctx), &sqs.DeleteMessageInput{QueueUrl: aws.String(c.queueURL), ReceiptHandle: aws.String(rh)}); err != nil {
			c.log.Warn("delete failed", "function", c.function, "err", err)
		}
	}
	return len(out.Messages)
}

// depth returns the messages of a queue that are waiting or in flight.
func (s *queueSet) depth(ctx context.Context, id string) (int, error) {
	a, err := s.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(s.urls[id]),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
		},
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range a.Attributes {
		var x int
		_, _ = fmt.Sscan(v, &x)
		n += x
	}
	return n, nil
}
