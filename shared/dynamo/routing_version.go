package dynamo

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
)

// skRoutingVersion is the sort key of an account's routing version item (A#{acct}/ROUTINGV).
const skRoutingVersion = "ROUTINGV"

// RoutingVersion returns the version of account acct's routing configuration: a number that
// grows with every write of what routing decides from — users (profile, availability,
// capacity, working hours, seat, teams), teams and channels' routing rules — but not with the
// loads that assignments change. It is one eventually consistent read of a small item (0.5
// RCU): a router that keeps the rules, users and teams it read may decide from them while the
// number stays the same (shared/assign's cache). 0 when nothing was written yet.
//
// Errors: EInvalid (malformed id), EUnavailable, EInternal.
func (s *Store) RoutingVersion(ctx context.Context, acct string) (int64, error) {
	if err := checkIDs("account id", acct); err != nil {
		return 0, err
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                s.table,
		Key:                      key(accountPK(acct), skRoutingVersion),
		ProjectionExpression:     aws.String("#v"),
		ExpressionAttributeNames: map[string]string{"#v": "v"},
		ReturnConsumedCapacity:   types.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		return 0, storeError(err, "read routing version")
	}
	s.report("RoutingVersion/GetItem", false, ccs(out.ConsumedCapacity)...)
	n, ok := out.Item["v"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, internal(err, "routing version")
	}
	return v, nil
}

// routingChanged counts one more change of account acct's routing configuration. Writers call
// it after their change is stored, so that a router that sees the new version reads the change;
// when it fails the change is stored but its error is returned (EUnavailable), and routers
// that keep what they read see the change when their cache expires.
func (s *Store) routingChanged(ctx context.Context, op, acct string) error {
	_, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
		Key:                       key(accountPK(acct), skRoutingVersion),
		UpdateExpression:          aws.String("ADD #v :one"),
		ExpressionAttributeNames:  map[string]string{"#v": "v"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": value(1)},
	})
	if err != nil {
		return storeError(err, "count a routing change")
	}
	return nil
}
