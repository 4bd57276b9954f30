package dynamo

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// Sealer seals channel secrets before they are written and opens them after they are read.
// *secretbox.Box implements it.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// Store keeps the inbox's data in one DynamoDB table laid out as the package documentation
// describes. It is safe for concurrent use once configured.
type Store struct {
	client   *dynamodb.Client
	table    *string
	sealer   Sealer
	capacity func(op string, read, write float64)
	now      func() time.Time
	// listedOnly: see NoIndexEntryByUpdate.
	listedOnly bool
}

// New returns a Store on table, sealing channel secrets with sealer. sealer may be nil when no
// channel carries secrets; storing or reading a channel with secrets then fails.
func New(client *dynamodb.Client, table string, sealer Sealer) *Store {
	return &Store{client: client, table: aws.String(table), sealer: sealer, now: time.Now}
}

// NoIndexEntryByUpdate makes the store write no item without an index key that an update adds
// later: OpenConversationToRoute then writes the conversation in the unassigned list, as
// OpenConversation does (its routing costs 8 WCU instead of 6). It is for minidyn, the embedded
// store of make run, whose UpdateItem overwrites another item's index entry when it gives an
// item its first key in an index (truora/minidyn v0.8.2, index.updateData). Call it before the
// store is used.
func (s *Store) NoIndexEntryByUpdate() {
	s.listedOnly = true
}

// OnCapacity makes the store report the capacity units consumed by every successful DynamoDB
// call to f. op names the store method and the DynamoDB operation, such as
// "AppendMessage/TransactWriteItems"; read and write are the call's totals in the units AWS
// charges, from DynamoDB Local's reports: transactions, which DynamoDB Local over-reports, are
// counted by AWS's documented rule (see capacity.go). Call it before the store is used
// concurrently.
func (s *Store) OnCapacity(f func(op string, read, write float64)) {
	s.capacity = f
}

const (
	// maxAttempts bounds the retries on transaction conflicts and optimistic-lock failures.
	maxAttempts = 8
	// markerTTL is how long a provider message marker is kept for deduplication.
	markerTTL = 90 * 24 * time.Hour
)

// report hands the consumed capacity of one call to the OnCapacity callback.
func (s *Store) report(op string, write bool, ccs ...types.ConsumedCapacity) {
	if s.capacity == nil {
		return
	}
	var r, w float64
	for _, cc := range ccs {
		switch {
		case cc.ReadCapacityUnits != nil || cc.WriteCapacityUnits != nil:
			r += aws.ToFloat64(cc.ReadCapacityUnits)
			w += aws.ToFloat64(cc.WriteCapacityUnits)
		case write:
			w += aws.ToFloat64(cc.CapacityUnits)
		default:
			r += aws.ToFloat64(cc.CapacityUnits)
		}
	}
	s.capacity(op, r, w)
}

func ccs(cc *types.ConsumedCapacity) []types.ConsumedCapacity {
	if cc == nil {
		return nil
	}
	return []types.ConsumedCapacity{*cc}
}

// getItem reads one item with a strongly consistent read; it returns nil when there is none.
func (s *Store) getItem(ctx context.Context, op string, key map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:              s.table,
		Key:                    key,
		ConsistentRead:         aws.Bool(true),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		return nil, storeError(err, "read "+op)
	}
	s.report(op+"/GetItem", false, ccs(out.ConsumedCapacity)...)
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

func (s *Store) putItem(ctx context.Context, op string, in *dynamodb.PutItemInput) error {
	in.TableName = s.table
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := s.client.PutItem(ctx, in)
	if err != nil {
		return err
	}
	s.report(op+"/PutItem", true, ccs(out.ConsumedCapacity)...)
	return nil
}

func (s *Store) deleteItem(ctx context.Context, op string, in *dynamodb.DeleteItemInput) error {
	in.TableName = s.table
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := s.client.DeleteItem(ctx, in)
	if err != nil {
		return err
	}
	s.report(op+"/DeleteItem", true, ccs(out.ConsumedCapacity)...)
	return nil
}

func (s *Store) updateItem(ctx context.Context, op string, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
	in.TableName = s.table
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := s.client.UpdateItem(ctx, in)
	if err != nil {
		return nil, err
	}
	s.report(op+"/UpdateItem", true, ccs(out.ConsumedCapacity)...)
	return out, nil
}

func (s *Store) query(ctx context.Context, op string, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
	in.TableName = s.table
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := s.client.Query(ctx, in)
	if err != nil {
		return nil, storeError(err, "query "+op)
	}
	s.report(op+"/Query", false, ccs(out.ConsumedCapacity)...)
	return out, nil
}

// canceled is returned by transact when a condition of the transaction failed: codes holds one
// cancellation code per item of the transaction ("None", "ConditionalCheckFailed"…).
type canceled struct {
	codes []string
	cause error
}

func (c *canceled) Error() string { return "transaction canceled: " + strings.Join(c.codes, ", ") }
func (c *canceled) Unwrap() error { return c.cause }

// failed reports whether the condition of the i-th item of the transaction failed.
func (c *canceled) failed(i int) bool {
	return i < len(c.codes) && c.codes[i] == "ConditionalCheckFailed"
}

// transact runs a write transaction, retrying it when it was canceled only because another
// transaction was touching the same items. A failed condition is returned as *canceled; other
// failures as coded errors.
func (s *Store) transact(ctx context.Context, op string, items []types.TransactWriteItem) error {
	for i := range items {
		switch {
		case items[i].Put != nil:
			items[i].Put.TableName = s.table
		case items[i].Update != nil:
			items[i].Update.TableName = s.table
		case items[i].Delete != nil:
			items[i].Delete.TableName = s.table
		case items[i].ConditionCheck != nil:
			items[i].ConditionCheck.TableName = s.table
		}
	}
	for attempt := 1; ; attempt++ {
		out, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			TransactItems:          items,
			ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes,
		})
		if err == nil {
			if s.capacity != nil {
				s.capacity(op+"/TransactWriteItems", 0, transactionUnits(items, out.ConsumedCapacity))
			}
			return nil
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return storeError(err, "write "+op)
		}
		c := &canceled{cause: err}
		conditionFailed, conflict := false, false
		for _, r := range tce.CancellationReasons {
			code := aws.ToString(r.Code)
			c.codes = append(c.codes, code)
			switch code {
			case "ConditionalCheckFailed":
				conditionFailed = true
			case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded":
				conflict = true
			}
		}
		switch {
		case conditionFailed:
			return c
		case conflict && attempt < maxAttempts:
			if err := backoff(ctx, attempt); err != nil {
				return storeError(err, "write "+op)
			}
		default:
			return storeError(err, "write "+op)
		}
	}
}

// backoff sleeps a jittered, growing delay before another attempt.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(5*time.Millisecond) << min(attempt, 6)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// isConditionFailed reports whether err is a failed condition of a single-item write.
func isConditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

// storeError codes an error of a DynamoDB call. A ValidationException is a request DynamoDB
// refuses for what it carries — an id past the key size limits (2,048 bytes of partition key,
// 1,024 of sort key), an item past 400 KB — which retrying never heals and which is the
// caller's input, not a fault of the service: EInvalid (ETooLarge for an item too large).
// Other refusals of malformed requests are bugs (EInternal); everything else — throttling,
// server errors, the network, a canceled context — is EUnavailable, worth retrying later.
func storeError(err error, what string) error {
	var coded *inbox.Error
	if errors.As(err, &coded) {
		return err
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ValidationException":
			if strings.Contains(strings.ToLower(api.ErrorMessage()), "item size") {
				return inbox.Wrap(err, inbox.ETooLarge, "the data is larger than the store allows: "+what)
			}
			return inbox.Wrap(err, inbox.EInvalid, "the store refused the request (an id or value too long?): "+what)
		case "ResourceNotFoundException", "SerializationException",
			"AccessDeniedException", "UnrecognizedClientException", "ItemCollectionSizeLimitExceededException":
			return inbox.Wrap(err, inbox.EInternal, "storage error: "+what)
		}
	}
	return inbox.Wrap(err, inbox.EUnavailable, "storage is unavailable: "+what)
}

func internal(err error, what string) error {
	return inbox.Wrap(err, inbox.EInternal, what)
}
