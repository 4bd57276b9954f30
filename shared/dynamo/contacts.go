package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// UpsertContact returns the contact of account c.AccountID known by c's address, creating c
// (which carries a fresh id) when there is none. The address is, in this order of preference,
// c.PSID (a Messenger page-scoped id, which the caller qualifies with the page id as
// "pageId:psid"), c.Phone or c.Email (compared without case); only that address is recorded as
// the contact's lookup key. An Unverified contact (mail whose sender was not authenticated) is
// looked up by its email among unverified contacts only: it is never the verified contact of
// that address, nor the other way round. created says whether c was stored. Two concurrent calls for the same
// address return the same contact.
//
// When the contact exists without a name and c.Name is set (the profile name a provider sends),
// the name is stored and the contact is returned with it; a name stored concurrently is never
// overwritten. A name makes the contact findable by SearchConversations: one more write per
// word of the name (inbox.NameWords), made only when the name is stored. When c.Language is
// set and differs from the existing contact's, it replaces it (one write, only then).
//
// Errors: EInvalid (missing or malformed ids, no PSID, phone or email), EConflict (c.ID is taken
// by another contact), EUnavailable, EInternal.
func (s *Store) UpsertContact(ctx context.Context, c inbox.Contact) (inbox.Contact, bool, error) {
	if err := checkIDs("account id", c.AccountID, "contact id", c.ID); err != nil {
		return inbox.Contact{}, false, err
	}
	l, err := contactLookup(c)
	if err != nil {
		return inbox.Contact{}, false, err
	}
	return s.upsertContact(ctx, "UpsertContact", c, l, true, true, inbox.OpenHint{})
}

// CreateContact is UpsertContact for a sender whose address a recent read found no contact for
// (see InboundState): it writes first, and reads the existing contact only when the address
// turns out to be taken. When it stores c and open names a conversation, the lookup item is
// written with open as the hint of the contact's open conversation in open.InboxID, with
// whether c has a name and c's language, as SetOpenHint records them: the conversation the
// caller opens next for the new contact needs no SetOpenHint (one write less). The hint comes
// before its conversation: a message that reads it meanwhile, or after a failure left the
// conversation unwritten, finds no open conversation under it (AppendToOpen's
// inbox.ErrNotOpen) and looks the conversation up. A contact that exists already keeps its
// lookup item and hints as they are.
//
// Errors: those of UpsertContact, and EInvalid for malformed ids in open.
func (s *Store) CreateContact(ctx context.Context, c inbox.Contact, open inbox.OpenHint) (inbox.Contact, bool, error) {
	if err := checkIDs("account id", c.AccountID, "contact id", c.ID); err != nil {
		return inbox.Contact{}, false, err
	}
	if open != (inbox.OpenHint{}) {
		if err := checkIDs("inbox id", open.InboxID, "conversation id", open.ConversationID, "channel id", open.ChannelID); err != nil {
			return inbox.Contact{}, false, err
		}
	}
	l, err := contactLookup(c)
	if err != nil {
		return inbox.Contact{}, false, err
	}
	return s.upsertContact(ctx, "CreateContact", c, l, true, false, open)
}

// contactLookup is the key of the lookup item of c's address: c.PSID, else c.Phone, else c.Email
// (an Unverified contact's email in a lookup of its own).
func contactLookup(c inbox.Contact) (lookup, error) {
	switch {
	case c.Unverified && c.Email != "" && c.PSID == "" && c.Phone == "":
		return lookup{pk: unverifiedPK(c.AccountID, c.Email), sk: skUnverified, what: "unverified email address"}, nil
	case c.PSID != "":
		return lookup{pk: psidPK(c.AccountID, c.PSID), sk: skPSID, what: "page-scoped id"}, nil
	case c.Phone != "":
		return lookup{pk: phonePK(c.AccountID, c.Phone), sk: skPhone, what: "phone number"}, nil
	case c.Email != "":
		return lookup{pk: emailPK(c.AccountID, c.Email), sk: skEmail, what: "email address"}, nil
	}
	return lookup{}, inbox.Errorf(inbox.EInvalid, "the contact has no page-scoped id, phone number or email address")
}

// UpsertContactByPhone returns the contact of account c.AccountID with phone c.Phone, creating
// c (which carries a fresh id) when there is none. created says whether c was stored. Two
// concurrent calls for the same phone return the same contact. Unlike UpsertContact, it always
// looks up by phone and never changes an existing contact.
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
	l := lookup{pk: phonePK(c.AccountID, c.Phone), sk: skPhone, what: "phone number"}
	return s.upsertContact(ctx, "UpsertContactByPhone", c, l, false, true, inbox.OpenHint{})
}

// lookup is the key of the item that maps one of a contact's addresses to the contact.
type lookup struct{ pk, sk, what string }

// upsertContact finds the contact of lookup l or creates c (reading first when readFirst, filling
// in a missing name when fillName); a created contact's lookup item carries the hint open (see
// CreateContact) when it names a conversation.
func (s *Store) upsertContact(ctx context.Context, op string, c inbox.Contact, l lookup, fillName, readFirst bool, open inbox.OpenHint) (inbox.Contact, bool, error) {
	for attempt := 1; ; attempt++ {
		var existing inbox.Contact
		var first string
		var found bool
		if readFirst || attempt > 1 {
			var err error
			if existing, first, found, err = s.contactByLookup(ctx, op, c.AccountID, l); err != nil {
				return inbox.Contact{}, false, err
			}
		}
		if found {
			var err error
			if fillName && existing.Name == "" && c.Name != "" {
				existing, err = s.fillContactName(ctx, op, existing, c.Name, first)
			}
			if err == nil && fillName && c.Language != "" && existing.Language != c.Language {
				// Written only when it changed: the common message from the same visitor
				// costs nothing here.
				existing, err = s.setContactLanguage(ctx, op, existing.AccountID, existing.ID, c.Language)
			}
			return existing, false, err
		}
		contactAV, err := marshal(newContactItem(c))
		if err != nil {
			return inbox.Contact{}, false, err
		}
		lookupAV, err := marshal(lookupItem{PK: l.pk, SK: l.sk, ContactID: c.ID, FirstConv: open.ConversationID})
		if err != nil {
			return inbox.Contact{}, false, err
		}
		if open.ConversationID != "" {
			// The hints SetOpenHint would write after the conversation, in the write that is
			// made anyway: the lookup item is new, so nothing stale can be overwritten.
			lookupAV[openHintAttr(open.InboxID)] = str(open.ConversationID + "#" + open.ChannelID)
			lookupAV["named"] = &types.AttributeValueMemberBOOL{Value: c.Name != ""}
			if c.Language != "" {
				lookupAV["language"] = str(c.Language)
			}
		}
		// Two single writes, not a transaction (which costs twice the units): the contact, then
		// the lookup item that makes it findable. A contact whose lookup item could not be
		// written (another caller's came first, or a failure) is unreachable — no read finds it
		// without its id — and the first case deletes it again.
		if err := s.putNameWords(ctx, op, c, open.ConversationID); err != nil {
			return inbox.Contact{}, false, err
		}
		notExists := aws.String("attribute_not_exists(#pk)")
		names := map[string]string{"#pk": attrPK}
		err = s.putItem(ctx, op, &dynamodb.PutItemInput{Item: contactAV, ConditionExpression: notExists, ExpressionAttributeNames: names})
		if isConditionFailed(err) {
			return inbox.Contact{}, false, inbox.Errorf(inbox.EConflict, "a contact with this id already exists")
		}
		if err != nil {
			return inbox.Contact{}, false, storeError(err, "store contact")
		}
		err = s.putItem(ctx, op, &dynamodb.PutItemInput{Item: lookupAV, ConditionExpression: notExists, ExpressionAttributeNames: names})
		switch {
		case err == nil:
			return c, true, nil
		case !isConditionFailed(err):
			return inbox.Contact{}, false, storeError(err, "store contact address")
		}
		// Another caller created the contact of this address first: read theirs.
		if err := s.deleteItem(ctx, op, &dynamodb.DeleteItemInput{Key: key(contactPK(c.AccountID, c.ID), skContact)}); err != nil {
			return inbox.Contact{}, false, storeError(err, "remove unused contact")
		}
		if attempt >= maxAttempts {
			return inbox.Contact{}, false, inbox.Errorf(inbox.EUnavailable, "the contact keeps changing; try again")
		}
	}
}

// contactByLookup reads a lookup item, then the contact it points to; first is the
// conversation the contact was created with, when the lookup item names one (FirstConv).
func (s *Store) contactByLookup(ctx context.Context, op, acct string, l lookup) (c inbox.Contact, first string, found bool, err error) {
	av, err := s.getItem(ctx, op, key(l.pk, l.sk))
	if err != nil || av == nil {
		return inbox.Contact{}, "", false, err
	}
	var p lookupItem
	if err := unmarshal(av, &p); err != nil {
		return inbox.Contact{}, "", false, err
	}
	c, err = s.contact(ctx, op, acct, p.ContactID)
	if inbox.IsCode(err, inbox.ENotFound) {
		return inbox.Contact{}, "", false, internal(err, "the "+l.what+" points to a missing contact")
	}
	return c, p.FirstConv, err == nil, err
}

// fillContactName stores name on contact c, which had none, unless a name was stored meanwhile;
// it returns the contact as stored. first is the conversation c was created with, if any (see
// putNameWords).
func (s *Store) fillContactName(ctx context.Context, op string, c inbox.Contact, name, first string) (inbox.Contact, error) {
	named := c
	named.Name = name
	if err := s.putNameWords(ctx, op, named, first); err != nil {
		return inbox.Contact{}, err
	}
	out, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
		Key:                      key(contactPK(c.AccountID, c.ID), skContact),
		UpdateExpression:         aws.String("SET #name = :name"),
		ConditionExpression:      aws.String("attribute_exists(#pk) AND (attribute_not_exists(#name) OR #name = :empty)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#name": "name"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":name": str(name), ":empty": str(""),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		// Named (or removed) since read: return the contact as it is now.
		return s.contact(ctx, op, c.AccountID, c.ID)
	}
	if err != nil {
		return inbox.Contact{}, storeError(err, "name contact")
	}
	var it contactItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return inbox.Contact{}, err
	}
	return it.domain(), nil
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

// SetContactLanguage sets the language of contact contactID of account acct to lang, a
// catalogue tag ("" removes it: the channel's default applies), and returns the contact as
// stored. The caller checks that lang is a language the product speaks.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) SetContactLanguage(ctx context.Context, acct, contactID, lang string) (inbox.Contact, error) {
	if err := checkIDs("account id", acct, "contact id", contactID); err != nil {
		return inbox.Contact{}, err
	}
	return s.setContactLanguage(ctx, "SetContactLanguage", acct, contactID, lang)
}

func (s *Store) setContactLanguage(ctx context.Context, op, acct, contactID, lang string) (inbox.Contact, error) {
	in := &dynamodb.UpdateItemInput{
		Key:                      key(contactPK(acct, contactID), skContact),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#language": "language"},
		ReturnValues:             types.ReturnValueAllNew,
	}
	if lang == "" {
		in.UpdateExpression = aws.String("REMOVE #language")
	} else {
		in.UpdateExpression = aws.String("SET #language = :language")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":language": str(lang)}
	}
	out, err := s.updateItem(ctx, op, in)
	if isConditionFailed(err) {
		return inbox.Contact{}, inbox.Errorf(inbox.ENotFound, "contact not found")
	}
	if err != nil {
		return inbox.Contact{}, storeError(err, "set contact language")
	}
	var it contactItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return inbox.Contact{}, err
	}
	return it.domain(), nil
}
