// Package lambdasqs adapts Lambda's SQS event source to a per-message handler and reports
// partial batch failures (ReportBatchItemFailures), so that one bad message is retried and ends
// in the dead-letter queue without holding back or losing the rest of the batch.
package lambdasqs

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// Record is one queued message as the handler sees it.
type Record struct {
	ID           string
	Body         []byte
	GroupID      string
	ReceiveCount int
}

// Handler processes one record. A non-nil error makes the record (and, on FIFO queues, every
// later record of the batch) return to the queue for another try.
type Handler func(ctx context.Context, r Record) error

// Handle returns the Lambda handler for an SQS event source mapping with
// ReportBatchItemFailures. For FIFO queues it stops at the first failure and reports that record
// and all later ones, as AWS requires to keep the order of each message group.
func Handle(log *slog.Logger, h Handler) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		// An empty list, not null, is the documented "all succeeded".
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		failed := false
		for _, m := range ev.Records {
			if failed {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				continue
			}
			n, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
			rec := Record{ID: m.MessageId, Body: []byte(m.Body), GroupID: m.Attributes["MessageGroupId"], ReceiveCount: n}
			if err := h(ctx, rec); err != nil {
				log.ErrorContext(ctx, "message failed; it returns to the queue", "sqsMessageId", m.MessageId, "receiveCount", n, "err", err)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				failed = true
			}
		}
		return resp, nil
	}
}
