package dynamo

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// GetUsers returns the users of account acct among ids (unknown ids are left out), in the
// order of ids, with eventually consistent batch reads: routing reads only the users its rules
// name, so that its cost does not grow with the account. A load read a moment stale is
// harmless there: the assignment's write checks capacity itself.
//
// Errors: EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetUsers(ctx context.Context, acct string, ids []string) ([]inbox.User, error) {
	found, err := s.batchGetIDs(ctx, "GetUsers", acct, ids, userSK, "user id")
	if err != nil {
		return nil, err
	}
	list := make([]inbox.User, 0, len(found))
	for _, av := range found {
		var it userItem
		if err := unmarshal(av, &it); err != nil {
			return nil, err
		}
		list = append(list, it.domain())
	}
	return list, nil
}

// GetTeams returns the teams of account acct among ids (unknown ids are left out), in the
// order of ids, with eventually consistent batch reads.
//
// Errors: EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetTeams(ctx context.Context, acct string, ids []string) ([]inbox.Team, error) {
	found, err := s.batchGetIDs(ctx, "GetTeams", acct, ids, teamSK, "team id")
	if err != nil {
		return nil, err
	}
	list := make([]inbox.Team, 0, len(found))
	for _, av := range found {
		var it teamItem
		if err := unmarshal(av, &it); err != nil {
			return nil, err
		}
		list = append(list, it.domain())
	}
	return list, nil
}

// batchGetIDs reads the items A#{acct}/sk(id) of ids (each once), 100 keys a batch, and returns
// those found in the order of ids.
func (s *Store) batchGetIDs(ctx context.Context, op, acct string, ids []string, sk func(string) string, what string) ([]map[string]types.AttributeValue, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	var keys []map[string]types.AttributeValue
	seen := map[string]bool{}
	for _, id := range ids {
		if err := checkIDs(what, id); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			keys = append(keys, key(accountPK(acct), sk(id)))
		}
	}
	var out []map[string]types.AttributeValue
	for chunk := range slices.Chunk(keys, 100) {
		found, err := s.batchGet(ctx, op, chunk)
		if err != nil {
			return nil, err
		}
		for _, k := range chunk {
			if av, ok := found[itemKey(k)]; ok {
				out = append(out, av)
			}
		}
	}
	return out, nil
}

// RoutingRules returns the routing rules of channel channelID of account acct (nil: none), with
// an eventually consistent read of those attributes only: the router keeps channels a moment
// but reads the rules for each routing, so that a change of the rules applies within a moment.
//
// Errors: ENotFound (no such channel in the account), EInvalid (malformed ids), EUnavailable,
// EInternal.
func (s *Store) RoutingRules(ctx context.Context, acct, channelID string) (*inbox.RoutingRules, error) {
	if err := checkIDs("account id", acct, "channel id", channelID); err != nil {
		return nil, err
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                s.table,
		Key:                      key(channelPK(channelID), skChannel),
		ProjectionExpression:     aws.String("#acct, #routing"),
		ExpressionAttributeNames: map[string]string{"#acct": "accountId", "#routing": "routing"},
		ReturnConsumedCapacity:   types.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		return nil, storeError(err, "read routing rules")
	}
	s.report("RoutingRules/GetItem", false, ccs(out.ConsumedCapacity)...)
	var it channelItem
	if out.Item != nil {
		if err := unmarshal(out.Item, &it); err != nil {
			return nil, err
		}
	}
	if out.Item == nil || it.AccountID != acct {
		return nil, inbox.Errorf(inbox.ENotFound, "channel not found")
	}
	return it.Routing.domain(), nil
}
