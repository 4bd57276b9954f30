// Package lambdasqs adapts Lambda's SQS event source to a per-message handler and reports
// partial batch failures (ReportBatchItemFailures), so that one bad message is retried and ends
// in the dead-letter queue without holding back or losing the rest of the batch.
//
// Error classes, as the handlers return them:
//   - nil: the message is done and deleted.
//   - an error marked inbox.Permanent (a channel or inbox deleted meanwhile, a body that can never
//     be parsed): no retry can heal it, so it is dropped, not cycled into the DLQ. Each drop
//     writes one structured log line that is also a CloudWatch metric (embedded metric format:
//     namespace Inbox, metric DroppedMessages, dimension Queue).
//   - any other error (throttling, 5xx, timeouts, a record that overtook another): temporary.
//     The record returns to the queue and is tried again after the visibility timeout; after
//     the queue's maxReceiveCount it moves to the DLQ, where operators see and redrive it.
//
// On FIFO queues a failed record also sends back the later records of its message group (their
// order is kept), and only those: a batch mixes message groups, and the other groups'
// records are handled, so that one conversation's failure never takes others down.
package lambdasqs

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/openinbox/inbox/shared/inbox"
)

// Record is one queued message as the handler sees it.
type Record struct {
	ID           string
	Body         []byte
	GroupID      string
	ReceiveCount int
}

// Handler processes one record. A nil error deletes it; an error marked inbox.Permanent drops
// it (logged and counted); any other error makes the record, and on FIFO queues every later
// record of its message group in the batch, return to the queue for another try.
type Handler func(ctx context.Context, r Record) error

// MetricNamespace and DroppedMetric name the CloudWatch metric of dropped messages.
const (
	MetricNamespace = "Inbox"
	DroppedMetric   = "DroppedMessages"
)

// Handle returns the Lambda handler for an SQS event source mapping with
// ReportBatchItemFailures. It never returns an error itself: failures are reported per record.
func Handle(log *slog.Logger, h Handler) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		// An empty list, not null, is the documented "all succeeded".
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		// Message groups with a failed record in this batch: their later records go back unread.
		failedGroups := map[string]bool{}
		for _, m := range ev.Records {
			n, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
			rec := Record{ID: m.MessageId, Body: []byte(m.Body), GroupID: m.Attributes["MessageGroupId"], ReceiveCount: n}
			if rec.GroupID != "" && failedGroups[rec.GroupID] {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				continue
			}
			err := h(ctx, rec)
			switch {
			case err == nil:
			case inbox.IsPermanent(err):
				queue := queueName(m.EventSourceARN)
				log.ErrorContext(ctx, "message dropped: it cannot succeed on retry", "queue", queue,
					"sqsMessageId", m.MessageId, "messageGroupId", rec.GroupID, "receiveCount", n,
					"code", inbox.ErrorCodeOf(err), "err", err,
					// CloudWatch reads this line as one data point of DroppedMessages (EMF).
					slog.Any("_aws", emf(time.Now())), slog.String("Queue", queue), slog.Int(DroppedMetric, 1))
			default:
				log.ErrorContext(ctx, "message failed; it returns to the queue", "sqsMessageId", m.MessageId,
					"messageGroupId", rec.GroupID, "receiveCount", n, "code", inbox.ErrorCodeOf(err), "err", err)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				if rec.GroupID != "" {
					failedGroups[rec.GroupID] = true
				}
			}
		}
		return resp, nil
	}
}

// emf is the metadata of CloudWatch's embedded metric format for one DroppedMessages point.
func emf(now time.Time) map[string]any {
	return map[string]any{
		"Timestamp": now.UnixMilli(),
		"CloudWatchMetrics": []map[string]any{{
			"Namespace":  MetricNamespace,
			"Dimensions": [][]string{{"Queue"}},
			"Metrics":    []map[string]string{{"Name": DroppedMetric, "Unit": "Count"}},
		}},
	}
}

// queueName is the last part of a queue ARN (arn:aws:sqs:region:account:name).
func queueName(arn string) string {
	if i := strings.LastIndexByte(arn, ':'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
