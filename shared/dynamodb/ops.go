package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb/types"
)

// The inputs encode as DynamoDB's JSON requests: the wire names are the field names. The
// outputs are decoded through wire shapes whose items decode their attribute values
// (types.Item).

// GetItemInput is the request of GetItem.
type GetItemInput struct {
	TableName                *string                         `json:",omitempty"`
	Key                      map[string]types.AttributeValue `json:",omitempty"`
	ConsistentRead           *bool                           `json:",omitempty"`
	ProjectionExpression     *string                         `json:",omitempty"`
	ExpressionAttributeNames map[string]string               `json:",omitempty"`
	ReturnConsumedCapacity   types.ReturnConsumedCapacity    `json:",omitempty"`
}

// GetItemOutput is the answer of GetItem: Item is nil when there is no such item.
type GetItemOutput struct {
	Item             map[string]types.AttributeValue
	ConsumedCapacity *types.ConsumedCapacity
}

// GetItem reads one item. Errors: see the package documentation.
func (c *Client) GetItem(ctx context.Context, in *GetItemInput) (*GetItemOutput, error) {
	var w struct {
		Item             types.Item
		ConsumedCapacity *types.ConsumedCapacity
	}
	if err := c.call(ctx, "GetItem", in, &w); err != nil {
		return nil, err
	}
	return seen(c, in, &GetItemOutput{Item: w.Item, ConsumedCapacity: w.ConsumedCapacity})
}

// PutItemInput is the request of PutItem.
type PutItemInput struct {
	TableName                           *string                                   `json:",omitempty"`
	Item                                map[string]types.AttributeValue           `json:",omitempty"`
	ConditionExpression                 *string                                   `json:",omitempty"`
	ExpressionAttributeNames            map[string]string                         `json:",omitempty"`
	ExpressionAttributeValues           map[string]types.AttributeValue           `json:",omitempty"`
	ReturnValues                        types.ReturnValue                         `json:",omitempty"`
	ReturnConsumedCapacity              types.ReturnConsumedCapacity              `json:",omitempty"`
	ReturnValuesOnConditionCheckFailure types.ReturnValuesOnConditionCheckFailure `json:",omitempty"`
}

// PutItemOutput is the answer of PutItem.
type PutItemOutput struct {
	Attributes       map[string]types.AttributeValue
	ConsumedCapacity *types.ConsumedCapacity
}

// PutItem writes a whole item. Errors: *types.ConditionalCheckFailedException, and see the
// package documentation.
func (c *Client) PutItem(ctx context.Context, in *PutItemInput) (*PutItemOutput, error) {
	var w writeWire
	if err := c.call(ctx, "PutItem", in, &w); err != nil {
		return nil, err
	}
	return seen(c, in, &PutItemOutput{Attributes: w.Attributes, ConsumedCapacity: w.ConsumedCapacity})
}

// writeWire is the answer of PutItem, UpdateItem and DeleteItem.
type writeWire struct {
	Attributes       types.Item
	ConsumedCapacity *types.ConsumedCapacity
}

// UpdateItemInput is the request of UpdateItem.
type UpdateItemInput struct {
	TableName                           *string                                   `json:",omitempty"`
	Key                                 map[string]types.AttributeValue           `json:",omitempty"`
	UpdateExpression                    *string                                   `json:",omitempty"`
	ConditionExpression                 *string                                   `json:",omitempty"`
	ExpressionAttributeNames            map[string]string                         `json:",omitempty"`
	ExpressionAttributeValues           map[string]types.AttributeValue           `json:",omitempty"`
	ReturnValues                        types.ReturnValue                         `json:",omitempty"`
	ReturnConsumedCapacity              types.ReturnConsumedCapacity              `json:",omitempty"`
	ReturnValuesOnConditionCheckFailure types.ReturnValuesOnConditionCheckFailure `json:",omitempty"`
}

// UpdateItemOutput is the answer of UpdateItem.
type UpdateItemOutput struct {
	Attributes       map[string]types.AttributeValue
	ConsumedCapacity *types.ConsumedCapacity
}

// UpdateItem updates (or creates) an item. Errors: *types.ConditionalCheckFailedException,
// and see the package documentation.
func (c *Client) UpdateItem(ctx context.Context, in *UpdateItemInput) (*UpdateItemOutput, error) {
	var w writeWire
	if err := c.call(ctx, "UpdateItem", in, &w); err != nil {
		return nil, err
	}
	return seen(c, in, &UpdateItemOutput{Attributes: w.Attributes, ConsumedCapacity: w.ConsumedCapacity})
}

// DeleteItemInput is the request of DeleteItem.
type DeleteItemInput struct {
	TableName                           *string                                   `json:",omitempty"`
	Key                                 map[string]types.AttributeValue           `json:",omitempty"`
	ConditionExpression                 *string                                   `json:",omitempty"`
	ExpressionAttributeNames            map[string]string                         `json:",omitempty"`
	ExpressionAttributeValues           map[string]types.AttributeValue           `json:",omitempty"`
	ReturnValues                        types.ReturnValue                         `json:",omitempty"`
	ReturnConsumedCapacity              types.ReturnConsumedCapacity              `json:",omitempty"`
	ReturnValuesOnConditionCheckFailure types.ReturnValuesOnConditionCheckFailure `json:",omitempty"`
}

// DeleteItemOutput is the answer of DeleteItem.
type DeleteItemOutput struct {
	Attributes       map[string]types.AttributeValue
	ConsumedCapacity *types.ConsumedCapacity
}

// DeleteItem deletes an item. Errors: *types.ConditionalCheckFailedException, and see the
// package documentation.
func (c *Client) DeleteItem(ctx context.Context, in *DeleteItemInput) (*DeleteItemOutput, error) {
	var w writeWire
	if err := c.call(ctx, "DeleteItem", in, &w); err != nil {
		return nil, err
	}
	return seen(c, in, &DeleteItemOutput{Attributes: w.Attributes, ConsumedCapacity: w.ConsumedCapacity})
}

// QueryInput is the request of Query.
type QueryInput struct {
	TableName                 *string                         `json:",omitempty"`
	IndexName                 *string                         `json:",omitempty"`
	KeyConditionExpression    *string                         `json:",omitempty"`
	FilterExpression          *string                         `json:",omitempty"`
	ProjectionExpression      *string                         `json:",omitempty"`
	ExpressionAttributeNames  map[string]string               `json:",omitempty"`
	ExpressionAttributeValues map[string]types.AttributeValue `json:",omitempty"`
	ExclusiveStartKey         map[string]types.AttributeValue `json:",omitempty"`
	Limit                     *int32                          `json:",omitempty"`
	ScanIndexForward          *bool                           `json:",omitempty"`
	ConsistentRead            *bool                           `json:",omitempty"`
	Select                    types.Select                    `json:",omitempty"`
	ReturnConsumedCapacity    types.ReturnConsumedCapacity    `json:",omitempty"`
}

// QueryOutput is the answer of Query.
type QueryOutput struct {
	Items            []map[string]types.AttributeValue
	Count            int32
	ScannedCount     int32
	LastEvaluatedKey map[string]types.AttributeValue
	ConsumedCapacity *types.ConsumedCapacity
}

// Query reads the items of one partition key. Errors: see the package documentation.
func (c *Client) Query(ctx context.Context, in *QueryInput) (*QueryOutput, error) {
	var w struct {
		Items            []types.Item
		Count            int32
		ScannedCount     int32
		LastEvaluatedKey types.Item
		ConsumedCapacity *types.ConsumedCapacity
	}
	if err := c.call(ctx, "Query", in, &w); err != nil {
		return nil, err
	}
	return seen(c, in, &QueryOutput{Items: types.Items(w.Items), Count: w.Count, ScannedCount: w.ScannedCount,
		LastEvaluatedKey: w.LastEvaluatedKey, ConsumedCapacity: w.ConsumedCapacity})
}

// BatchGetItemInput is the request of BatchGetItem.
type BatchGetItemInput struct {
	RequestItems           map[string]types.KeysAndAttributes
	ReturnConsumedCapacity types.ReturnConsumedCapacity `json:",omitempty"`
}

// BatchGetItemOutput is the answer of BatchGetItem.
type BatchGetItemOutput struct {
	Responses        map[string][]map[string]types.AttributeValue
	UnprocessedKeys  map[string]types.KeysAndAttributes
	ConsumedCapacity []types.ConsumedCapacity
}

// BatchGetItem reads up to 100 items by key. Errors: see the package documentation.
func (c *Client) BatchGetItem(ctx context.Context, in *BatchGetItemInput) (*BatchGetItemOutput, error) {
	var w struct {
		Responses       map[string][]types.Item
		UnprocessedKeys map[string]struct {
			Keys                     []types.Item
			AttributesToGet          []string
			ConsistentRead           *bool
			ExpressionAttributeNames map[string]string
			ProjectionExpression     *string
		}
		ConsumedCapacity []types.ConsumedCapacity
	}
	if err := c.call(ctx, "BatchGetItem", in, &w); err != nil {
		return nil, err
	}
	out := &BatchGetItemOutput{ConsumedCapacity: w.ConsumedCapacity}
	if w.Responses != nil {
		out.Responses = make(map[string][]map[string]types.AttributeValue, len(w.Responses))
		for t, items := range w.Responses {
			out.Responses[t] = types.Items(items)
		}
	}
	if len(w.UnprocessedKeys) > 0 {
		out.UnprocessedKeys = make(map[string]types.KeysAndAttributes, len(w.UnprocessedKeys))
		for t, k := range w.UnprocessedKeys {
			out.UnprocessedKeys[t] = types.KeysAndAttributes{Keys: types.Items(k.Keys), AttributesToGet: k.AttributesToGet,
				ConsistentRead: k.ConsistentRead, ExpressionAttributeNames: k.ExpressionAttributeNames, ProjectionExpression: k.ProjectionExpression}
		}
	}
	return seen(c, in, out)
}

// BatchWriteItemInput is the request of BatchWriteItem.
type BatchWriteItemInput struct {
	RequestItems           map[string][]types.WriteRequest
	ReturnConsumedCapacity types.ReturnConsumedCapacity `json:",omitempty"`
}

// BatchWriteItemOutput is the answer of BatchWriteItem.
type BatchWriteItemOutput struct {
	UnprocessedItems map[string][]types.WriteRequest
	ConsumedCapacity []types.ConsumedCapacity
}

// BatchWriteItem puts or deletes up to 25 items, not atomically: what DynamoDB did not do
// comes back in UnprocessedItems. Errors: see the package documentation.
func (c *Client) BatchWriteItem(ctx context.Context, in *BatchWriteItemInput) (*BatchWriteItemOutput, error) {
	var w struct {
		UnprocessedItems map[string][]struct {
			DeleteRequest *struct{ Key types.Item }
			PutRequest    *struct{ Item types.Item }
		}
		ConsumedCapacity []types.ConsumedCapacity
	}
	if err := c.call(ctx, "BatchWriteItem", in, &w); err != nil {
		return nil, err
	}
	out := &BatchWriteItemOutput{ConsumedCapacity: w.ConsumedCapacity}
	if len(w.UnprocessedItems) > 0 {
		out.UnprocessedItems = make(map[string][]types.WriteRequest, len(w.UnprocessedItems))
		for t, reqs := range w.UnprocessedItems {
			for _, r := range reqs {
				var wr types.WriteRequest
				if r.DeleteRequest != nil {
					wr.DeleteRequest = &types.DeleteRequest{Key: r.DeleteRequest.Key}
				}
				if r.PutRequest != nil {
					wr.PutRequest = &types.PutRequest{Item: r.PutRequest.Item}
				}
				out.UnprocessedItems[t] = append(out.UnprocessedItems[t], wr)
			}
		}
	}
	return seen(c, in, out)
}

// TransactWriteItemsInput is the request of TransactWriteItems.
type TransactWriteItemsInput struct {
	TransactItems          []types.TransactWriteItem
	ClientRequestToken     *string                      `json:",omitempty"`
	ReturnConsumedCapacity types.ReturnConsumedCapacity `json:",omitempty"`
}

// TransactWriteItemsOutput is the answer of TransactWriteItems.
type TransactWriteItemsOutput struct {
	ConsumedCapacity []types.ConsumedCapacity
}

// TransactWriteItems writes up to 100 items all or none. Errors:
// *types.TransactionCanceledException (a condition failed or another transaction conflicted;
// see its CancellationReasons), and see the package documentation.
func (c *Client) TransactWriteItems(ctx context.Context, in *TransactWriteItemsInput) (*TransactWriteItemsOutput, error) {
	out := &TransactWriteItemsOutput{}
	req := in
	if in.ClientRequestToken == nil {
		// As the SDK does: a token per call makes the retries of one call (a network failure
		// after DynamoDB committed) idempotent for ten minutes instead of failing their
		// conditions on their own first write.
		var b [16]byte
		_, _ = rand.Read(b[:])
		cp := *in
		cp.ClientRequestToken = aws.String(hex.EncodeToString(b[:]))
		req = &cp
	}
	if err := c.call(ctx, "TransactWriteItems", req, out); err != nil {
		return nil, err
	}
	return seen(c, in, out)
}
