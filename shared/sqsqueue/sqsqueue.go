// Package sqsqueue is the SQS adapter: it publishes messages to a FIFO queue with a message group
// and a deduplication id, and reports failures as inbox errors so that callers can answer 5xx and
// let the platform retry.
//
// It sends with a plain signed request of SQS's JSON protocol (SendMessage, see
// shared/internal/awsjson) rather than the SDK's sqs client: the functions only send, and the
// SDK client's operation schemas and endpoint tables (about 240 KB and 1,600 allocations at
// package init) were a tenth of every function's cold start beyond an empty handler's.
package sqsqueue

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/internal/awsjson"
)

// Client sends messages to SQS in one region; it is safe for concurrent use.
type Client struct{ c *awsjson.Client }

// maxIDLen is SQS's limit for MessageGroupId and MessageDeduplicationId.
const maxIDLen = 128

// Queue publishes to one queue: FIFO (with group and deduplication ids) or standard.
type Queue struct {
	client   *Client
	url      string
	standard bool
}

// NewStandard returns a Queue that sends to the standard (not FIFO) queue at url; Publish
// ignores group and dedup there, so consumers must be idempotent.
func NewStandard(client *Client, url string) *Queue {
	return &Queue{client: client, url: url, standard: true}
}

// New returns a Queue that sends to the queue at url through client.
func New(client *Client, url string) *Queue {
	return &Queue{client: client, url: url}
}

// NewClient returns an SQS client for cfg, sent to endpoint when it is not empty (an emulator).
func NewClient(cfg aws.Config, endpoint string) *Client {
	return &Client{c: awsjson.New(cfg, "sqs", "1.0", endpoint)}
}

// sendMessage is SendMessage's request (AWS JSON 1.0, AmazonSQS.SendMessage).
type sendMessage struct {
	QueueURL               string `json:"QueueUrl"`
	MessageBody            string `json:"MessageBody"`
	MessageGroupID         string `json:"MessageGroupId,omitempty"`
	MessageDeduplicationID string `json:"MessageDeduplicationId,omitempty"`
}

// Publish sends body in message group group with deduplication id dedup. It returns only after
// SQS accepted the message (with the MD5 of the body it received, checked as the SDK does);
// any failure is an EUnavailable error.
func (q *Queue) Publish(ctx context.Context, group, dedup string, body []byte) error {
	in := sendMessage{QueueURL: q.url, MessageBody: string(body)}
	if !q.standard {
		in.MessageGroupID = fitID(group)
		in.MessageDeduplicationID = fitID(dedup)
	}
	var out struct {
		MessageID        string `json:"MessageId"`
		MD5OfMessageBody string `json:"MD5OfMessageBody"`
	}
	err := q.client.c.Do(ctx, "AmazonSQS.SendMessage", in, &out)
	if err == nil {
		if sum := md5.Sum(body); out.MD5OfMessageBody != hex.EncodeToString(sum[:]) {
			err = fmt.Errorf("SQS answered MD5 %q for the body, not %x", out.MD5OfMessageBody, sum)
		}
	}
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
