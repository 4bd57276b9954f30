package dynamo

import (
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
)

// CommitHook returns a client option that calls f with the key of every item a successful
// write request changed (PutItem, UpdateItem, DeleteItem, TransactWriteItems, BatchWriteItem)
// and its kind, as a DynamoDB Stream names it (INSERT for puts, MODIFY, REMOVE). It is the
// local runner's stand-in for the table's stream, where neither minidyn nor a DynamoDB Local
// without streams enabled has one; f runs on the writer's goroutine and must not block.
func CommitHook(f func(pk, sk, op string)) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		prev := o.Observe
		o.Observe = func(in, out any) {
			if prev != nil {
				prev(in, out)
			}
			commits(in, out, f)
		}
	}
}

func commits(params, result any, f func(pk, sk, op string)) {
	emit := func(item map[string]types.AttributeValue, op string) {
		pk, _ := item[attrPK].(*types.AttributeValueMemberS)
		sk, _ := item[attrSK].(*types.AttributeValueMemberS)
		if pk != nil && sk != nil {
			f(pk.Value, sk.Value, op)
		}
	}
	switch in := params.(type) {
	case *dynamodb.PutItemInput:
		emit(in.Item, "INSERT")
	case *dynamodb.UpdateItemInput:
		emit(in.Key, "MODIFY")
	case *dynamodb.DeleteItemInput:
		emit(in.Key, "REMOVE")
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				emit(it.Put.Item, "INSERT")
			case it.Update != nil:
				emit(it.Update.Key, "MODIFY")
			case it.Delete != nil:
				emit(it.Delete.Key, "REMOVE")
			}
		}
	case *dynamodb.BatchWriteItemInput:
		// What comes back unprocessed is sent again by the caller and reported then.
		left := map[string]bool{}
		if out, ok := result.(*dynamodb.BatchWriteItemOutput); ok {
			for _, reqs := range out.UnprocessedItems {
				for _, r := range reqs {
					if r.PutRequest != nil {
						left[itemKey(r.PutRequest.Item)] = true
					}
					if r.DeleteRequest != nil {
						left[itemKey(r.DeleteRequest.Key)] = true
					}
				}
			}
		}
		for _, reqs := range in.RequestItems {
			for _, r := range reqs {
				switch {
				case r.PutRequest != nil && !left[itemKey(r.PutRequest.Item)]:
					emit(r.PutRequest.Item, "INSERT")
				case r.DeleteRequest != nil && !left[itemKey(r.DeleteRequest.Key)]:
					emit(r.DeleteRequest.Key, "REMOVE")
				}
			}
		}
	}
}
