package dynamo

import (
	"math"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb/types"
)

// Capacity accounting for OnCapacity. Single calls are reported as DynamoDB returns them (on
// DynamoDB Local, as AWS prices them). Transactions are not: DynamoDB Local reports their table
// part as about 4 units per started KB of all items together, and each index at 4 times the
// units the same write costs it as a single call. AWS documents 2 units per item write and per
// index write of a transaction ("Capacity management for transactions"). So a transaction is
// reported as
//
//	2 × Σ items ⌈size/1 KB⌉   (Put: the item's size by DynamoDB's rule; Update, Delete and
//	                           ConditionCheck: 1, the items here being under 1 KB)
//	+ Σ indexes (DynamoDB Local's figure / 2)   (= 2 × the index units of the same write made singly)
//
// which is what AWS charges for it. On AWS itself, use the totals of ReturnConsumedCapacity.

// transactionUnits returns the AWS write units of transaction items, given DynamoDB Local's
// per-index report of it.
func transactionUnits(items []types.TransactWriteItem, ccs []types.ConsumedCapacity) float64 {
	var units float64
	for _, it := range items {
		switch {
		case it.Put != nil:
			units += 2 * math.Ceil(float64(itemSize(it.Put.Item))/1024)
		default:
			units += 2
		}
	}
	for _, cc := range ccs {
		for _, gsi := range cc.GlobalSecondaryIndexes {
			units += aws.ToFloat64(gsi.CapacityUnits) / 2
		}
	}
	return units
}

// itemSize is the size DynamoDB bills an item at: the lengths of its attribute names plus the
// sizes of their values ("Item sizes and formats" of the DynamoDB developer guide).
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3 + len(v.Value)
		for _, e := range v.Value {
			n += valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3 + len(v.Value)
		for k, e := range v.Value {
			n += len(k) + valueSize(e)
		}
		return n
	}
	return 0
}

// numberSize approximates a number's size: one byte per two significant digits, plus one.
func numberSize(s string) int {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return (digits+1)/2 + 1
}
