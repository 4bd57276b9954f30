// Package types holds the values of the DynamoDB API that the store sends and reads: attribute
// values, transaction items, consumed capacity and the errors the store tells apart. Its names
// and fields are those of github.com/aws/aws-sdk-go-v2/service/dynamodb/types, so code written
// for the SDK reads the same; it exists because the SDK's types package builds the schemas of
// the whole DynamoDB API at package init (about 600 KB and 3,000 allocations since v1.69), which
// every cold start of a function linking it pays. Fields are named as on the wire (DynamoDB's
// JSON 1.0 protocol), which package dynamodb encodes.
package types

import (
	"encoding/json"

	"github.com/aws/smithy-go"
)

// AttributeValue is one attribute's value: one of the AttributeValueMember types.
type AttributeValue interface {
	isAttributeValue()
	json.Marshaler
}

// AttributeValueMemberB is a Binary value.
type AttributeValueMemberB struct{ Value []byte }

// AttributeValueMemberBOOL is a Boolean value.
type AttributeValueMemberBOOL struct{ Value bool }

// AttributeValueMemberBS is a Binary Set.
type AttributeValueMemberBS struct{ Value [][]byte }

// AttributeValueMemberL is a List.
type AttributeValueMemberL struct{ Value []AttributeValue }

// AttributeValueMemberM is a Map.
type AttributeValueMemberM struct{ Value map[string]AttributeValue }

// AttributeValueMemberN is a Number, in its decimal text.
type AttributeValueMemberN struct{ Value string }

// AttributeValueMemberNS is a Number Set.
type AttributeValueMemberNS struct{ Value []string }

// AttributeValueMemberNULL is a Null value (Value is true).
type AttributeValueMemberNULL struct{ Value bool }

// AttributeValueMemberS is a String value.
type AttributeValueMemberS struct{ Value string }

// AttributeValueMemberSS is a String Set.
type AttributeValueMemberSS struct{ Value []string }

func (*AttributeValueMemberB) isAttributeValue()    {}
func (*AttributeValueMemberBOOL) isAttributeValue() {}
func (*AttributeValueMemberBS) isAttributeValue()   {}
func (*AttributeValueMemberL) isAttributeValue()    {}
func (*AttributeValueMemberM) isAttributeValue()    {}
func (*AttributeValueMemberN) isAttributeValue()    {}
func (*AttributeValueMemberNS) isAttributeValue()   {}
func (*AttributeValueMemberNULL) isAttributeValue() {}
func (*AttributeValueMemberS) isAttributeValue()    {}
func (*AttributeValueMemberSS) isAttributeValue()   {}

// Capacity is the capacity one table or index consumed.
type Capacity struct {
	CapacityUnits      *float64 `json:",omitempty"`
	ReadCapacityUnits  *float64 `json:",omitempty"`
	WriteCapacityUnits *float64 `json:",omitempty"`
}

// ConsumedCapacity is the capacity a call consumed, in total and, when asked for with
// ReturnConsumedCapacityIndexes, per table and index.
type ConsumedCapacity struct {
	TableName              *string             `json:",omitempty"`
	CapacityUnits          *float64            `json:",omitempty"`
	ReadCapacityUnits      *float64            `json:",omitempty"`
	WriteCapacityUnits     *float64            `json:",omitempty"`
	Table                  *Capacity           `json:",omitempty"`
	GlobalSecondaryIndexes map[string]Capacity `json:",omitempty"`
	LocalSecondaryIndexes  map[string]Capacity `json:",omitempty"`
}

// ReturnConsumedCapacity asks for the consumed capacity in an answer.
type ReturnConsumedCapacity string

// The values of ReturnConsumedCapacity.
const (
	ReturnConsumedCapacityIndexes ReturnConsumedCapacity = "INDEXES"
	ReturnConsumedCapacityTotal   ReturnConsumedCapacity = "TOTAL"
	ReturnConsumedCapacityNone    ReturnConsumedCapacity = "NONE"
)

// ReturnValue asks for the item's attributes in a write's answer.
type ReturnValue string

// The values of ReturnValue.
const (
	ReturnValueNone       ReturnValue = "NONE"
	ReturnValueAllOld     ReturnValue = "ALL_OLD"
	ReturnValueUpdatedOld ReturnValue = "UPDATED_OLD"
	ReturnValueAllNew     ReturnValue = "ALL_NEW"
	ReturnValueUpdatedNew ReturnValue = "UPDATED_NEW"
)

// ReturnValuesOnConditionCheckFailure asks for the item in the error of a failed condition.
type ReturnValuesOnConditionCheckFailure string

// The values of ReturnValuesOnConditionCheckFailure.
const (
	ReturnValuesOnConditionCheckFailureAllOld ReturnValuesOnConditionCheckFailure = "ALL_OLD"
	ReturnValuesOnConditionCheckFailureNone   ReturnValuesOnConditionCheckFailure = "NONE"
)

// Select chooses what a Query returns.
type Select string

// The values of Select.
const (
	SelectAllAttributes          Select = "ALL_ATTRIBUTES"
	SelectAllProjectedAttributes Select = "ALL_PROJECTED_ATTRIBUTES"
	SelectSpecificAttributes     Select = "SPECIFIC_ATTRIBUTES"
	SelectCount                  Select = "COUNT"
)

// TransactWriteItem is one action of a write transaction: exactly one member is set.
type TransactWriteItem struct {
	ConditionCheck *ConditionCheck `json:",omitempty"`
	Delete         *Delete         `json:",omitempty"`
	Put            *Put            `json:",omitempty"`
	Update         *Update         `json:",omitempty"`
}

// ConditionCheck checks a condition on an item a transaction does not write.
type ConditionCheck struct {
	ConditionExpression                 *string                             `json:",omitempty"`
	Key                                 map[string]AttributeValue           `json:",omitempty"`
	TableName                           *string                             `json:",omitempty"`
	ExpressionAttributeNames            map[string]string                   `json:",omitempty"`
	ExpressionAttributeValues           map[string]AttributeValue           `json:",omitempty"`
	ReturnValuesOnConditionCheckFailure ReturnValuesOnConditionCheckFailure `json:",omitempty"`
}

// Delete deletes an item in a transaction.
type Delete struct {
	Key                                 map[string]AttributeValue           `json:",omitempty"`
	TableName                           *string                             `json:",omitempty"`
	ConditionExpression                 *string                             `json:",omitempty"`
	ExpressionAttributeNames            map[string]string                   `json:",omitempty"`
	ExpressionAttributeValues           map[string]AttributeValue           `json:",omitempty"`
	ReturnValuesOnConditionCheckFailure ReturnValuesOnConditionCheckFailure `json:",omitempty"`
}

// Put writes a whole item in a transaction.
type Put struct {
	Item                                map[string]AttributeValue           `json:",omitempty"`
	TableName                           *string                             `json:",omitempty"`
	ConditionExpression                 *string                             `json:",omitempty"`
	ExpressionAttributeNames            map[string]string                   `json:",omitempty"`
	ExpressionAttributeValues           map[string]AttributeValue           `json:",omitempty"`
	ReturnValuesOnConditionCheckFailure ReturnValuesOnConditionCheckFailure `json:",omitempty"`
}

// Update updates an item in a transaction.
type Update struct {
	Key                                 map[string]AttributeValue           `json:",omitempty"`
	TableName                           *string                             `json:",omitempty"`
	UpdateExpression                    *string                             `json:",omitempty"`
	ConditionExpression                 *string                             `json:",omitempty"`
	ExpressionAttributeNames            map[string]string                   `json:",omitempty"`
	ExpressionAttributeValues           map[string]AttributeValue           `json:",omitempty"`
	ReturnValuesOnConditionCheckFailure ReturnValuesOnConditionCheckFailure `json:",omitempty"`
}

// WriteRequest is one put or delete of a BatchWriteItem.
type WriteRequest struct {
	DeleteRequest *DeleteRequest `json:",omitempty"`
	PutRequest    *PutRequest    `json:",omitempty"`
}

// DeleteRequest deletes the item with Key in a batch.
type DeleteRequest struct {
	Key map[string]AttributeValue
}

// PutRequest puts Item in a batch.
type PutRequest struct {
	Item map[string]AttributeValue
}

// KeysAndAttributes names the items of one table a BatchGetItem reads.
type KeysAndAttributes struct {
	Keys                     []map[string]AttributeValue
	AttributesToGet          []string          `json:",omitempty"`
	ConsistentRead           *bool             `json:",omitempty"`
	ExpressionAttributeNames map[string]string `json:",omitempty"`
	ProjectionExpression     *string           `json:",omitempty"`
}

// CancellationReason is why one item of a canceled transaction failed: Code is "None" for the
// items that did not, else ConditionalCheckFailed, TransactionConflict, ThrottlingError…
type CancellationReason struct {
	Code    *string
	Item    map[string]AttributeValue
	Message *string
}

// ConditionalCheckFailedException is the error of a single write whose condition was false.
// Item is the item as it was, when the write asked for it with
// ReturnValuesOnConditionCheckFailure.
type ConditionalCheckFailedException struct {
	Message *string
	Item    map[string]AttributeValue
}

func (e *ConditionalCheckFailedException) Error() string { return apiErrorText(e) }

// ErrorCode returns "ConditionalCheckFailedException".
func (e *ConditionalCheckFailedException) ErrorCode() string {
	return "ConditionalCheckFailedException"
}

// ErrorMessage returns DynamoDB's message.
func (e *ConditionalCheckFailedException) ErrorMessage() string { return deref(e.Message) }

// ErrorFault returns smithy.FaultClient.
func (e *ConditionalCheckFailedException) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// TransactionCanceledException is the error of a write transaction that was canceled, with one
// reason per item, in the order of the items.
type TransactionCanceledException struct {
	Message             *string
	CancellationReasons []CancellationReason
}

func (e *TransactionCanceledException) Error() string { return apiErrorText(e) }

// ErrorCode returns "TransactionCanceledException".
func (e *TransactionCanceledException) ErrorCode() string { return "TransactionCanceledException" }

// ErrorMessage returns DynamoDB's message.
func (e *TransactionCanceledException) ErrorMessage() string { return deref(e.Message) }

// ErrorFault returns smithy.FaultClient.
func (e *TransactionCanceledException) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

func apiErrorText(e smithy.APIError) string {
	return "api error " + e.ErrorCode() + ": " + e.ErrorMessage()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
