package dynamo

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// waitingAccountItem marks an account that may have waiting conversations. AddWaiting writes it
// after it queues a conversation; ForgetWaitingAccount deletes it once the account's queues
// are empty. The order matters: a marker written after the waiting item either makes a
// concurrent ForgetWaitingAccount's delete fail (waits changed) or is created anew after it.
type waitingAccountItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	AccountID string `dynamodbav:"accountId"`
	// Channels are the channels whose queues got a conversation since the marker was made.
	Channels []string `dynamodbav:"channels,stringset"`
	// Waits counts the conversations queued since the marker was made: every AddWaiting moves
	// it, so a delete conditional on the count read never removes a marker that a concurrent
	// AddWaiting has just renewed (a time could repeat; a counter cannot).
	Waits int64 `dynamodbav:"waits"`
	// LastWaitAt is when a conversation was last queued (the store's clock), for people.
	LastWaitAt string `dynamodbav:"lastWaitAt"`
}

// markWaitingAccount creates or renews the marker of account acct: channel channelID joins its
// channels, waits grows by one.
func (s *Store) markWaitingAccount(ctx context.Context, acct, channelID string) error {
	_, err := s.updateItem(ctx, "AddWaiting", &dynamodb.UpdateItemInput{
		Key:              key(pkWaitingAccounts, waitingAccountSK(acct)),
		UpdateExpression: aws.String("SET #acct = :acct, #last = :now ADD #waits :one, #channels :channel"),
		ExpressionAttributeNames: map[string]string{
			"#acct": "accountId", "#last": "lastWaitAt", "#waits": "waits", "#channels": "channels",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":acct": str(acct), ":now": str(inbox.SortableTime(s.now())), ":one": value(1),
			":channel": &types.AttributeValueMemberSS{Value: []string{channelID}},
		},
	})
	if err != nil {
		return storeError(err, "mark the account as waiting")
	}
	return nil
}

// waitingAccountsPage is how many markers one Query of ListWaitingAccounts asks for.
const waitingAccountsPage = 500

// ListWaitingAccounts returns the ids of the accounts that may have waiting conversations, in
// id order: every account with a conversation queued by AddWaiting since ForgetWaitingAccount
// last found its queues empty. The read is strongly consistent and pages through every marker.
//
// Errors: EUnavailable, EInternal.
func (s *Store) ListWaitingAccounts(ctx context.Context) ([]string, error) {
	return s.listWaitingAccounts(ctx, waitingAccountsPage)
}

func (s *Store) listWaitingAccounts(ctx context.Context, page int32) ([]string, error) {
	in := &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ProjectionExpression:      aws.String("#sk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pkWaitingAccounts)},
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(page),
	}
	accounts := []string{}
	for {
		out, err := s.query(ctx, "ListWaitingAccounts", in)
		if err != nil {
			return nil, err
		}
		for _, av := range out.Items {
			var it waitingAccountItem
			if err := unmarshal(av, &it); err != nil {
				return nil, err
			}
			if acct, ok := strings.CutPrefix(it.SK, waitingAccountSK("")); ok && acct != "" {
				accounts = append(accounts, acct)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return accounts, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// ForgetWaitingAccount deletes the marker of account acct when none of the channels it names
// has a waiting conversation any more, and reports whether it did. Queues of channels that no
// longer exist (or belong to another account) do not count: nothing would drain them. The
// marker is read first, the queues after, and the delete is conditional on the marker's count
// being unchanged, so a conversation queued concurrently always keeps (or renews) its account's
// marker. An account without a marker is left as it is (false).
//
// Errors: EInvalid (malformed account id), EUnavailable, EInternal.
func (s *Store) ForgetWaitingAccount(ctx context.Context, acct string) (bool, error) {
	return s.forgetWaitingAccount(ctx, acct, nil)
}

// forgetWaitingAccount is ForgetWaitingAccount; beforeDelete, when not nil, runs between the
// queue checks and the delete (tests put a concurrent AddWaiting there).
func (s *Store) forgetWaitingAccount(ctx context.Context, acct string, beforeDelete func()) (bool, error) {
	if err := checkIDs("account id", acct); err != nil {
		return false, err
	}
	const op = "ForgetWaitingAccount"
	k := key(pkWaitingAccounts, waitingAccountSK(acct))
	av, err := s.getItem(ctx, op, k)
	if err != nil || av == nil {
		return false, err
	}
	var marker waitingAccountItem
	if err := unmarshal(av, &marker); err != nil {
		return false, err
	}
	for _, ch := range marker.Channels {
		waiting, err := s.ListWaiting(ctx, acct, ch, 1)
		if err != nil {
			return false, err
		}
		if len(waiting) == 0 {
			continue
		}
		exists, err := s.channelOfAccount(ctx, op, acct, ch)
		if err != nil {
			return false, err
		}
		if exists {
			return false, nil
		}
	}
	if beforeDelete != nil {
		beforeDelete()
	}
	err = s.deleteItem(ctx, op, &dynamodb.DeleteItemInput{
		Key:                       k,
		ConditionExpression:       aws.String("#waits = :waits"),
		ExpressionAttributeNames:  map[string]string{"#waits": "waits"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":waits": value(marker.Waits)},
	})
	if isConditionFailed(err) {
		return false, nil // a conversation was queued meanwhile: the marker stays.
	}
	if err != nil {
		return false, storeError(err, "delete "+op)
	}
	return true, nil
}

// channelOfAccount reports whether channel channelID exists and belongs to account acct.
func (s *Store) channelOfAccount(ctx context.Context, op, acct, channelID string) (bool, error) {
	av, err := s.getItem(ctx, op, key(channelPK(channelID), skChannel))
	if err != nil || av == nil {
		return false, err
	}
	var it struct {
		AccountID string `dynamodbav:"accountId"`
	}
	if err := unmarshal(av, &it); err != nil {
		return false, err
	}
	return it.AccountID == acct, nil
}
