package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// CreateInbox stores a new inbox.
//
// Errors: EInvalid (missing or malformed ids), EConflict (an inbox with this id exists in the
// account), EUnavailable, EInternal.
func (s *Store) CreateInbox(ctx context.Context, ib inbox.Inbox) error {
	if err := checkIDs("account id", ib.AccountID, "inbox id", ib.ID); err != nil {
		return err
	}
	item, err := marshal(newInboxItem(ib))
	if err != nil {
		return err
	}
	err = s.putItem(ctx, "CreateInbox", &dynamodb.PutItemInput{
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	})
	if isConditionFailed(err) {
		return inbox.Errorf(inbox.EConflict, "an inbox with this id already exists")
	}
	if err != nil {
		return storeError(err, "create inbox")
	}
	return nil
}

// GetInbox returns the inbox id of account acct.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetInbox(ctx context.Context, acct, id string) (inbox.Inbox, error) {
	if err := checkIDs("account id", acct, "inbox id", id); err != nil {
		return inbox.Inbox{}, err
	}
	av, err := s.getItem(ctx, "GetInbox", key(accountPK(acct), inboxSK(id)))
	if err != nil {
		return inbox.Inbox{}, err
	}
	if av == nil {
		return inbox.Inbox{}, inbox.Errorf(inbox.ENotFound, "inbox not found")
	}
	var it inboxItem
	if err := unmarshal(av, &it); err != nil {
		return inbox.Inbox{}, err
	}
	return it.domain(), nil
}

// ListInboxes returns every inbox of account acct, ordered by id.
//
// Errors: EInvalid (malformed account id), EUnavailable, EInternal.
func (s *Store) ListInboxes(ctx context.Context, acct string) ([]inbox.Inbox, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(accountPK(acct)), ":prefix": str(prefixInbox),
		},
		ConsistentRead: aws.Bool(true),
	}
	list := []inbox.Inbox{}
	for {
		out, err := s.query(ctx, "ListInboxes", in)
		if err != nil {
			return nil, err
		}
		for _, av := range out.Items {
			var it inboxItem
			if err := unmarshal(av, &it); err != nil {
				return nil, err
			}
			list = append(list, it.domain())
		}
		if len(out.LastEvaluatedKey) == 0 {
			return list, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// RenameInbox sets the name of inbox id of account acct and returns the inbox as stored; one
// conditional UpdateItem (1 WCU), so renaming never creates an inbox.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) RenameInbox(ctx context.Context, acct, id, name string) (inbox.Inbox, error) {
	if err := checkIDs("account id", acct, "inbox id", id); err != nil {
		return inbox.Inbox{}, err
	}
	out, err := s.updateItem(ctx, "RenameInbox", &dynamodb.UpdateItemInput{
		Key:                       key(accountPK(acct), inboxSK(id)),
		UpdateExpression:          aws.String("SET #name = :name"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#name": "name"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":name": str(name)},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return inbox.Inbox{}, inbox.Errorf(inbox.ENotFound, "inbox not found")
	}
	if err != nil {
		return inbox.Inbox{}, storeError(err, "rename inbox")
	}
	var it inboxItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return inbox.Inbox{}, err
	}
	return it.domain(), nil
}
