// Package sqsqueue is the SQS adapter: it publishes messages to a FIFO queue with a message group
// and a deduplication id, and reports failures as inbox errors so that callers can answer 5xx and
// let the platform retry.
package sqsqueue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/openinbox/inbox/shared/inbox"
)

// maxIDLen is SQS's limit for MessageGroupId and MessageDeduplicationId.
const maxIDLen = 128

// Queue publishes to one queue: FIFO (with group and deduplication ids) or standard.
type Queue struct {
	client   *sqs.Client
	url      string
	standard bool
}

// NewStandard returns a Queue that sends to the standard (not FIFO) queue at url; Publish
// ignores group and dedup there, so consumers must be idempotent.
func NewStandard(client *sqs.Client, url string) *Queue {
	return &Queue{client: client, url: url, standard: true}
}

// New returns a Queue that sends to the queue at url through client.
func New(client *sqs.Client, url string) *Queue {
	return &Queue{client: client, url: url}
}

// NewClient returns an SQS client for cfg, sent to endpoint when it is not empty (an emulator).
func NewClient(cfg aws.Config, endpoint string) *sqs.Client {
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
}

// Publish sends body in message group group with deduplication id dedup. It returns only after
// SQS accepted the message; any failure is an EUnavailable error.
func (q *Queue) Publish(ctx context.Context, group, dedup string, body []byte) error {
	in := &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(string(body))}
	if !q.standard {
		in.MessageGroupId = aws.String(fitID(group))
		in.MessageDeduplicationId = aws.String(fitID(dedup))
	}
	_, err := q.client.SendMessage(ctx, in)
	if err != nil {
		return inbox.Wrap(err, inbox.EUnavailable, "the queue did not accept the message")
	}
	return nil
}

// fitID keeps ids within SQS's limits: at most 128 characters, each printable ASCII other
// than space (alphanumerics and punctuation). Anything else — a long id, a customer id with a
// space or an accent, an empty one — is replaced by its hash, which keeps distinct ids distinct
// and equal ids equal: SQS would refuse the message for good, and the provider's retries with it.
func fitID(id string) string {
	if id != "" && len(id) <= maxIDLen && printable(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// printable reports whether every byte of id is one SQS takes in a group or deduplication id.
func printable(id string) bool {
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return false
		}
	}
	return true
}
