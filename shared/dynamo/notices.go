package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// noticeItem marks a notice (an email to a user…) as sent or being sent.
type noticeItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	// ClaimedAt is when the marker was written.
	ClaimedAt string `dynamodbav:"claimedAt"`
	// TTL is the expiry in Unix seconds: DynamoDB deletes the marker some time after it.
	TTL int64 `dynamodbav:"ttl"`
}

// ClaimNotice claims notice name of account acct, such as "owner-away:{convId}:{userId}", until
// ttl: it returns true when this call wrote the marker (the caller is the one to send the
// notice) and false when it is already claimed. A marker past its ttl counts as absent
// (DynamoDB deletes expired items lazily). Under any concurrency, one call wins per name.
//
// Errors: EInvalid (missing or malformed account id or name, or a ttl not after now),
// EUnavailable, EInternal.
func (s *Store) ClaimNotice(ctx context.Context, acct, name string, ttl time.Time) (bool, error) {
	if err := checkIDs("account id", acct, "notice name", name); err != nil {
		return false, err
	}
	now := s.now()
	if !ttl.After(now) {
		return false, inbox.Errorf(inbox.EInvalid, "the notice's ttl must be in the future")
	}
	av, err := marshal(noticeItem{PK: noticePK(acct, name), SK: skNotice, ClaimedAt: now.UTC().Format(time.RFC3339Nano), TTL: ttl.Unix()})
	if err != nil {
		return false, err
	}
	err = s.putItem(ctx, "ClaimNotice", &dynamodb.PutItemInput{
		Item:                      av,
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #ttl < :now"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": value(now.Unix())},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, storeError(err, "claim notice")
	}
	return true, nil
}

// ReleaseNotice deletes the claim on notice name of account acct, so that a later ClaimNotice
// succeeds again: for a notice that could not be sent. Releasing an unclaimed name is no error.
//
// Errors: EInvalid (missing or malformed account id or name), EUnavailable, EInternal.
func (s *Store) ReleaseNotice(ctx context.Context, acct, name string) error {
	if err := checkIDs("account id", acct, "notice name", name); err != nil {
		return err
	}
	err := s.deleteItem(ctx, "ReleaseNotice", &dynamodb.DeleteItemInput{Key: key(noticePK(acct, name), skNotice)})
	if err != nil {
		return storeError(err, "release notice")
	}
	return nil
}
