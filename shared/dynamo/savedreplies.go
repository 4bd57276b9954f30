package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

const (
	prefixSavedReply = "REPLY#"
	// prefixShortcut is the claim of a saved reply's shortcut: "REPLY#" is not a prefix of it,
	// so listing the replies never reads the claims.
	prefixShortcut = "REPLYKEY#"
)

func savedReplySK(id string) string     { return prefixSavedReply + id }
func shortcutSK(shortcut string) string { return prefixShortcut + shortcut }

type savedReplyItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	AccountID string    `dynamodbav:"accountId"`
	ID        string    `dynamodbav:"id"`
	Name      string    `dynamodbav:"name"`
	Shortcut  string    `dynamodbav:"shortcut"`
	Text      string    `dynamodbav:"text"`
	InboxID   string    `dynamodbav:"inboxId,omitempty"`
	CreatedBy string    `dynamodbav:"createdBy,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
	Version   int64     `dynamodbav:"version"`
}

func newSavedReplyItem(r inbox.SavedReply) savedReplyItem {
	return savedReplyItem{
		PK: accountPK(r.AccountID), SK: savedReplySK(r.ID), AccountID: r.AccountID, ID: r.ID, Name: r.Name,
		Shortcut: r.Shortcut, Text: r.Text, InboxID: r.InboxID, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
}

func (it savedReplyItem) domain() inbox.SavedReply {
	return inbox.SavedReply{
		AccountID: it.AccountID, ID: it.ID, Name: it.Name, Shortcut: it.Shortcut, Text: it.Text, InboxID: it.InboxID,
		CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version,
	}
}

// shortcutClaim makes a shortcut unique in its account: written and deleted with its reply.
type shortcutClaim struct {
	PK      string `dynamodbav:"pk"`
	SK      string `dynamodbav:"sk"`
	ReplyID string `dynamodbav:"replyId"`
}

func checkSavedReply(r inbox.SavedReply) error {
	if err := checkIDs("account id", r.AccountID, "saved reply id", r.ID); err != nil {
		return err
	}
	if r.InboxID != "" {
		if err := checkIDs("inbox id", r.InboxID); err != nil {
			return err
		}
	}
	return r.Validate()
}

var errShortcutTaken = inbox.Errorf(inbox.EConflict, "another saved reply has this shortcut")

// CreateSavedReply stores new saved reply r (Version 1) with the claim on its shortcut, in one
// transaction.
//
// Errors: EInvalid (missing or malformed ids, fields SavedReply.Validate refuses), EConflict (the
// shortcut or the id is taken in the account), EUnavailable, EInternal.
func (s *Store) CreateSavedReply(ctx context.Context, r inbox.SavedReply) (inbox.SavedReply, error) {
	r.Version = 1
	if err := checkSavedReply(r); err != nil {
		return inbox.SavedReply{}, err
	}
	replyAV, err := marshal(newSavedReplyItem(r))
	if err != nil {
		return inbox.SavedReply{}, err
	}
	claimAV, err := marshal(shortcutClaim{PK: accountPK(r.AccountID), SK: shortcutSK(r.Shortcut), ReplyID: r.ID})
	if err != nil {
		return inbox.SavedReply{}, err
	}
	notExists := aws.String("attribute_not_exists(#pk)")
	names := map[string]string{"#pk": attrPK}
	err = s.transact(ctx, "CreateSavedReply", []types.TransactWriteItem{
		{Put: &types.Put{Item: replyAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
		{Put: &types.Put{Item: claimAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
	})
	var c *canceled
	switch {
	case errors.As(err, &c) && c.failed(1):
		return inbox.SavedReply{}, errShortcutTaken
	case errors.As(err, &c):
		return inbox.SavedReply{}, inbox.Errorf(inbox.EConflict, "a saved reply with this id already exists")
	case err != nil:
		return inbox.SavedReply{}, err
	}
	return r, nil
}

// GetSavedReply returns saved reply id of account acct.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetSavedReply(ctx context.Context, acct, id string) (inbox.SavedReply, error) {
	if err := checkIDs("account id", acct, "saved reply id", id); err != nil {
		return inbox.SavedReply{}, err
	}
	av, err := s.getItem(ctx, "GetSavedReply", key(accountPK(acct), savedReplySK(id)))
	if err != nil {
		return inbox.SavedReply{}, err
	}
	if av == nil {
		return inbox.SavedReply{}, inbox.Errorf(inbox.ENotFound, "saved reply not found")
	}
	var it savedReplyItem
	if err := unmarshal(av, &it); err != nil {
		return inbox.SavedReply{}, err
	}
	return it.domain(), nil
}

// ListSavedReplies returns the saved replies of account acct, ordered by id.
//
// Errors: EInvalid (malformed account id), EUnavailable, EInternal.
func (s *Store) ListSavedReplies(ctx context.Context, acct string) ([]inbox.SavedReply, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	list := []inbox.SavedReply{}
	err := s.queryPrefix(ctx, "ListSavedReplies", accountPK(acct), prefixSavedReply, func(av map[string]types.AttributeValue) error {
		var it savedReplyItem
		if err := unmarshal(av, &it); err != nil {
			return err
		}
		list = append(list, it.domain())
		return nil
	})
	return list, err
}

// UpdateSavedReply replaces the name, shortcut, text and inbox of saved reply r.ID of account
// r.AccountID, provided its stored version is still r.Version and its shortcut still old
// (the one read), and returns it as stored (Version + 1). A changed shortcut moves the claim in
// the same transaction; an unchanged one costs a single conditional put.
//
// Errors: ENotFound, EInvalid (missing or malformed ids, fields SavedReply.Validate refuses),
// EConflict (the new shortcut is taken, or the reply changed since it was read), EUnavailable,
// EInternal.
func (s *Store) UpdateSavedReply(ctx context.Context, old string, r inbox.SavedReply) (inbox.SavedReply, error) {
	if err := checkSavedReply(r); err != nil {
		return inbox.SavedReply{}, err
	}
	const op = "UpdateSavedReply"
	next := r
	next.Version = r.Version + 1
	replyAV, err := marshal(newSavedReplyItem(next))
	if err != nil {
		return inbox.SavedReply{}, err
	}
	put := &types.Put{
		Item:                      replyAV,
		ConditionExpression:       aws.String("#v = :v AND #sc = :old"),
		ExpressionAttributeNames:  map[string]string{"#v": "version", "#sc": "shortcut"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": value(r.Version), ":old": str(old)},
	}
	if old == r.Shortcut {
		err = s.putItem(ctx, op, &dynamodb.PutItemInput{Item: put.Item, ConditionExpression: put.ConditionExpression,
			ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues})
		if isConditionFailed(err) {
			return inbox.SavedReply{}, s.savedReplyChanged(ctx, r)
		}
		if err != nil {
			return inbox.SavedReply{}, storeError(err, "update saved reply")
		}
		return next, nil
	}
	claimAV, err := marshal(shortcutClaim{PK: accountPK(r.AccountID), SK: shortcutSK(r.Shortcut), ReplyID: r.ID})
	if err != nil {
		return inbox.SavedReply{}, err
	}
	err = s.transact(ctx, op, []types.TransactWriteItem{
		{Put: put},
		{Delete: &types.Delete{Key: key(accountPK(r.AccountID), shortcutSK(old))}},
		{Put: &types.Put{Item: claimAV, ConditionExpression: aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK}}},
	})
	var c *canceled
	switch {
	case errors.As(err, &c) && c.failed(2):
		return inbox.SavedReply{}, errShortcutTaken
	case errors.As(err, &c):
		return inbox.SavedReply{}, s.savedReplyChanged(ctx, r)
	case err != nil:
		return inbox.SavedReply{}, err
	}
	return next, nil
}

// savedReplyChanged is the error of an update whose condition failed: ENotFound when the reply
// is gone, else EConflict.
func (s *Store) savedReplyChanged(ctx context.Context, r inbox.SavedReply) error {
	if _, err := s.GetSavedReply(ctx, r.AccountID, r.ID); err != nil {
		return err
	}
	return inbox.Errorf(inbox.EConflict, "the saved reply changed since it was read; reload it")
}

// DeleteSavedReply deletes saved reply id of account acct and the claim on its shortcut, in one
// transaction (read first, for the shortcut).
//
// Errors: ENotFound, EInvalid (malformed ids), EConflict (the reply's shortcut changed meanwhile),
// EUnavailable, EInternal.
func (s *Store) DeleteSavedReply(ctx context.Context, acct, id string) error {
	r, err := s.GetSavedReply(ctx, acct, id)
	if err != nil {
		return err
	}
	err = s.transact(ctx, "DeleteSavedReply", []types.TransactWriteItem{
		{Delete: &types.Delete{
			Key:                       key(accountPK(acct), savedReplySK(id)),
			ConditionExpression:       aws.String("#sc = :sc"),
			ExpressionAttributeNames:  map[string]string{"#sc": "shortcut"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":sc": str(r.Shortcut)},
		}},
		{Delete: &types.Delete{Key: key(accountPK(acct), shortcutSK(r.Shortcut))}},
	})
	var c *canceled
	if errors.As(err, &c) {
		if _, gerr := s.GetSavedReply(ctx, acct, id); gerr != nil {
			return gerr
		}
		return inbox.Errorf(inbox.EConflict, "the saved reply changed since it was read; try again")
	}
	return err
}
