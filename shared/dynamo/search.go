package dynamo

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// Name search: one small item per word of a contact's name (inbox.NameWords) in one partition
// of the account, sorted by the folded word, so that a prefix of any word is one Query; and the
// conversations of a contact in index gsi5 (keys only, written once with the conversation),
// except the conversation a contact was created with (CreateContact's hint), which its lookup
// item and name words name instead (firstConv): the router's new contact's conversation is
// written without that index entry, 1 WCU less.

// namesPK is the partition of an account's name words.
func namesPK(acct string) string { return "A#" + acct + "#NAMES" }

// contactConvsPK is a conversation's partition key in gsi5: its contact's conversations.
func contactConvsPK(acct, contactID string) string { return "A#" + acct + "#CT#" + contactID + "#CVS" }

// maxSearchContacts is how many contacts one search reads the conversations of.
const maxSearchContacts = 25

// nameWordItem makes contact ContactID findable by a prefix of Word; Words holds all the
// name's words, which a query of several words checks the others against; FirstConv the
// conversation the contact was created with, when it is not in gsi5 (lookupItem.FirstConv).
type nameWordItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	ContactID string `dynamodbav:"contactId"`
	Words     string `dynamodbav:"words"`
	FirstConv string `dynamodbav:"firstConv,omitempty"`
}

// putNameWords writes the word items of contact c's name (none without a name): 1 WCU each;
// first is the conversation c was created with ("" when none: see lookupItem.FirstConv).
// They are written before the contact's name itself, so that a failure in between leaves a word
// that finds a contact not (yet) named so, never a name that no search finds; putting them
// again is harmless.
func (s *Store) putNameWords(ctx context.Context, op string, c inbox.Contact, first string) error {
	words := inbox.NameWords(c.Name)
	if len(words) == 0 {
		return nil
	}
	all := strings.Join(words, " ")
	puts := make([]map[string]types.AttributeValue, 0, len(words))
	for _, w := range words {
		av, err := marshal(nameWordItem{PK: namesPK(c.AccountID), SK: w + "#" + c.ID, ContactID: c.ID, Words: all, FirstConv: first})
		if err != nil {
			return err
		}
		puts = append(puts, av)
	}
	return s.batchWrite(ctx, op+"/names", puts, nil)
}

// SearchConversations returns the conversations (every status, every inbox) of the contacts of
// account acct that q finds, the most recent first, at most limit (1–100): by email address or
// phone number, the contact of that address (exact, through the contact's lookup item); by
// name, contacts with a word of the name beginning with each word of q, case and accents
// ignored (at most 25 contacts). Names are found for contacts named since name search exists,
// and conversations opened since then.
//
// Errors: EInvalid (malformed account id, a limit out of range), EUnavailable, EInternal.
func (s *Store) SearchConversations(ctx context.Context, acct string, q inbox.ContactQuery, limit int) ([]inbox.Conversation, error) {
	const op = "SearchConversations"
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	if limit < 1 || limit > maxPageSize {
		return nil, inbox.Errorf(inbox.EInvalid, "limit must be between 1 and %d", maxPageSize)
	}
	var contacts []contactRef
	var err error
	switch {
	case q.Email != "":
		contacts, err = s.lookupContacts(ctx, op, key(emailPK(acct, q.Email), skEmail), key(unverifiedPK(acct, q.Email), skUnverified))
	case q.Phone != "":
		contacts, err = s.lookupContacts(ctx, op, key(phonePK(acct, q.Phone), skPhone))
	case len(q.Words) > 0:
		contacts, err = s.contactsByName(ctx, op, acct, q.Words)
	}
	if err != nil || len(contacts) == 0 {
		return []inbox.Conversation{}, err
	}
	var keys []map[string]types.AttributeValue
	seen := map[string]bool{}
	add := func(k map[string]types.AttributeValue) {
		if id := itemKey(k); !seen[id] {
			seen[id] = true
			keys = append(keys, k)
		}
	}
	for _, c := range contacts {
		out, err := s.query(ctx, op, &dynamodb.QueryInput{
			IndexName:                 aws.String("gsi5"),
			KeyConditionExpression:    aws.String("gsi5pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(contactConvsPK(acct, c.id))},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(int32(limit)),
		})
		if err != nil {
			return nil, err
		}
		for _, e := range out.Items {
			add(map[string]types.AttributeValue{attrPK: e[attrPK], attrSK: e[attrSK]})
		}
		if c.first != "" {
			// Not in gsi5 (or in it too, when another writer completed it: read once).
			add(key(convPK(acct, c.first), skConv))
		}
		if len(keys) >= maxPageSize {
			keys = keys[:maxPageSize]
			break
		}
	}
	list, err := s.conversationsByKeys(ctx, op, keys)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(list, func(a, b inbox.Conversation) int { return b.LastMessageAt.Compare(a.LastMessageAt) })
	if len(list) > limit {
		list = list[:limit]
	}
	return list, nil
}

// contactRef is a contact that a search found, with the conversation it was created with when
// that is not in gsi5 (lookupItem.FirstConv).
type contactRef struct{ id, first string }

// lookupContacts reads contact lookup items (eventually consistent) and returns the contacts
// they name.
func (s *Store) lookupContacts(ctx context.Context, op string, keys ...map[string]types.AttributeValue) ([]contactRef, error) {
	found, err := s.batchGet(ctx, op, keys)
	if err != nil {
		return nil, err
	}
	var refs []contactRef
	for _, k := range keys {
		if av, ok := found[itemKey(k)]; ok {
			var l lookupItem
			if err := unmarshal(av, &l); err != nil {
				return nil, err
			}
			refs = append(refs, contactRef{id: l.ContactID, first: l.FirstConv})
		}
	}
	return refs, nil
}

// contactsByName queries the name words beginning with the first (longest) word of words and
// keeps the contacts whose names also have a word beginning with each of the others.
func (s *Store) contactsByName(ctx context.Context, op, acct string, words []string) ([]contactRef, error) {
	in := &dynamodb.QueryInput{
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(namesPK(acct)), ":prefix": str(words[0]),
		},
		// Small pages: a common prefix ("an") costs a few units, not a megabyte's 128.
		Limit: aws.Int32(100),
	}
	var refs []contactRef
	seen := map[string]bool{}
	// Pages of at most 1 MB; stop at enough contacts (or after a few pages for a very common prefix).
	for page := 0; page < 4; page++ {
		out, err := s.query(ctx, op, in)
		if err != nil {
			return nil, err
		}
		for _, av := range out.Items {
			var it nameWordItem
			if err := unmarshal(av, &it); err != nil {
				return nil, err
			}
			if seen[it.ContactID] || !allPrefixes(strings.Fields(it.Words), words[1:]) {
				continue
			}
			seen[it.ContactID] = true
			refs = append(refs, contactRef{id: it.ContactID, first: it.FirstConv})
			if len(refs) == maxSearchContacts {
				return refs, nil
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return refs, nil
}

// allPrefixes reports whether each of prefixes begins one of words.
func allPrefixes(words, prefixes []string) bool {
	for _, p := range prefixes {
		if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, p) }) {
			return false
		}
	}
	return true
}
