package dynamo

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/openinbox/inbox/shared/inbox"
)

// UpsertContactByPhone returns the contact of account c.AccountID with phone c.Phone, creating
// c (which carries a fresh id) when there is none. created says whether c was stored. Two
// concurrent calls for the same phone return the same contact.
//
// Errors: EInvalid (missing or malformed ids, no phone), EConflict (c.ID is taken by another
// contact), EUnavailable, EInternal.
func (s *Store) UpsertContactByPhone(ctx context.Context, c inbox.Contact) (inbox.Contact, bool, error) {
	if err := checkIDs("account id", c.AccountID, "contact id", c.ID); err != nil {
		return inbox.Contact{}, false, err
	}
	if c.Phone == "" {
		return inbox.Contact{}, false, inbox.Errorf(inbox.EInvalid, "the contact has no phone number")
	}
	for attempt := 1; ; attempt++ {
		existing, found, err := s.contactByPhone(ctx, c.AccountID, c.Phone)
		if err != nil || found {
			return existing, false, err
		}
		contactAV, err := marshal(newContactItem(c))
		if err != nil {
			return inbox.Contact{}, false, err
		}
		phoneAV, err := marshal(phoneItem{PK: phonePK(c.AccountID, c.Phone), SK: skPhone, ContactID: c.ID})
		if err != nil {
			return inbox.Contact{}, false, err
		}
		notExists := aws.String("attribute_not_exists(#pk)")
		names := map[string]string{"#pk": attrPK}
		err = s.transact(ctx, "UpsertContactByPhone", []types.TransactWriteItem{
			{Put: &types.Put{Item: phoneAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
			{Put: &types.Put{Item: contactAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
		})
		var cerr *canceled
		switch {
		case err == nil:
			return c, true, nil
		case !errors.As(err, &cerr):
			return inbox.Contact{}, false, err
		case cerr.failed(0) && attempt < maxAttempts:
			continue // another caller created the contact first: read theirs.
		case cerr.failed(0):
			return inbox.Contact{}, false, inbox.Errorf(inbox.EUnavailable, "the contact keeps changing; try again")
		default:
			return inbox.Contact{}, false, inbox.Errorf(inbox.EConflict, "a contact with this id already exists")
		}
	}
}

// contactByPhone reads the phone lookup item, then the contact it points to.
func (s *Store) contactByPhone(ctx context.Context, acct, phone string) (inbox.Contact, bool, error) {
	av, err := s.getItem(ctx, "UpsertContactByPhone", key(phonePK(acct, phone), skPhone))
	if err != nil || av == nil {
		return inbox.Contact{}, false, err
	}
	var p phoneItem
	if err := unmarshal(av, &p); err != nil {
		return inbox.Contact{}, false, err
	}
	c, err := s.contact(ctx, "UpsertContactByPhone", acct, p.ContactID)
	if inbox.IsCode(err, inbox.ENotFound) {
		return inbox.Contact{}, false, internal(err, "the phone number points to a missing contact")
	}
	return c, err == nil, err
}

// GetContact returns contact id of account acct.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetContact(ctx context.Context, acct, id string) (inbox.Contact, error) {
	if err := checkIDs("account id", acct, "contact id", id); err != nil {
		return inbox.Contact{}, err
	}
	return s.contact(ctx, "GetContact", acct, id)
}

func (s *Store) contact(ctx context.Context, op, acct, id string) (inbox.Contact, error) {
	av, err := s.getItem(ctx, op, key(contactPK(acct, id), skContact))
	if err != nil {
		return inbox.Contact{}, err
	}
	if av == nil {
		return inbox.Contact{}, inbox.Errorf(inbox.ENotFound, "contact not found")
	}
	var it contactItem
	if err := unmarshal(av, &it); err != nil {
		return inbox.Contact{}, err
	}
	return it.domain(), nil
}
