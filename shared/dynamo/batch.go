package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// batchGet reads the items of keys (at most 100) with eventually consistent reads and returns
// those that exist, by "pk sk". Keys DynamoDB leaves unprocessed (throttling) are asked again
// with a backoff, up to maxAttempts times.
//
// The capacity is reported as AWS charges it: at least half a unit per key asked for
// (DynamoDB Local counts only the items it found).
func (s *Store) batchGet(ctx context.Context, op string, keys []map[string]types.AttributeValue) (map[string]map[string]types.AttributeValue, error) {
	found := make(map[string]map[string]types.AttributeValue, len(keys))
	if len(keys) == 0 {
		return found, nil
	}
	table := aws.ToString(s.table)
	in := &dynamodb.BatchGetItemInput{
		RequestItems:           map[string]types.KeysAndAttributes{table: {Keys: keys}},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	}
	for attempt := 1; ; attempt++ {
		out, err := s.client.BatchGetItem(ctx, in)
		if err != nil {
			return nil, storeError(err, "read "+op)
		}
		if s.capacity != nil {
			var r float64
			for _, cc := range out.ConsumedCapacity {
				r += aws.ToFloat64(cc.CapacityUnits)
			}
			s.capacity(op+"/BatchGetItem", max(r, 0.5*float64(len(in.RequestItems[table].Keys))), 0)
		}
		for _, av := range out.Responses[table] {
			found[itemKey(av)] = av
		}
		unprocessed := out.UnprocessedKeys[table]
		if len(unprocessed.Keys) == 0 {
			return found, nil
		}
		if attempt >= maxAttempts {
			return nil, inbox.Errorf(inbox.EUnavailable, "storage is busy: read %s", op)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, storeError(err, "read "+op)
		}
		in.RequestItems = out.UnprocessedKeys
	}
}

// itemKey is "pk sk" of an item or key: the key batchGet's results are found by.
func itemKey(av map[string]types.AttributeValue) string {
	pk, _ := av[attrPK].(*types.AttributeValueMemberS)
	sk, _ := av[attrSK].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return ""
	}
	return pk.Value + " " + sk.Value
}
