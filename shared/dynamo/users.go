package dynamo

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

func checkUser(u inbox.User) error {
	if err := checkIDs("account id", u.AccountID, "user id", u.ID); err != nil {
		return err
	}
	if err := checkAssignee(u.ID); err != nil {
		return err
	}
	if u.Capacity != nil && *u.Capacity < 0 {
		return inbox.Errorf(inbox.EInvalid, "capacity must not be negative")
	}
	return nil
}

// CreateUser stores new user u of account u.AccountID with Version 1. Load and LastAssignedAt
// are kept by the store: the user starts with Load 0 and no LastAssignedAt, whatever u says.
// Like every write of users, teams and routing rules it then counts a change of the account's
// RoutingVersion (an error there is returned, the user stays stored).
//
// Errors: EInvalid (missing or malformed ids, a negative capacity), EConflict (the user id is
// taken in the account), EUnavailable, EInternal.
func (s *Store) CreateUser(ctx context.Context, u inbox.User) error {
	if err := checkUser(u); err != nil {
		return err
	}
	u.Version = 1
	av, err := marshal(newUserItem(u))
	if err != nil {
		return err
	}
	err = s.putItem(ctx, "CreateUser", &dynamodb.PutItemInput{
		Item:                     av,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	})
	if isConditionFailed(err) {
		return inbox.Errorf(inbox.EConflict, "a user with this id already exists")
	}
	if err != nil {
		return storeError(err, "create user")
	}
	return s.routingChanged(ctx, "CreateUser", u.AccountID)
}

// GetUser returns user id of account acct, with its current Load and LastAssignedAt.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetUser(ctx context.Context, acct, id string) (inbox.User, error) {
	if err := checkIDs("account id", acct, "user id", id); err != nil {
		return inbox.User{}, err
	}
	it, found, err := s.userItem(ctx, "GetUser", acct, id)
	if err != nil {
		return inbox.User{}, err
	}
	if !found {
		return inbox.User{}, inbox.Errorf(inbox.ENotFound, "user not found")
	}
	return it.domain(), nil
}

// userItem reads the stored user id of account acct; found is false when there is none.
func (s *Store) userItem(ctx context.Context, op, acct, id string) (userItem, bool, error) {
	av, err := s.getItem(ctx, op, key(accountPK(acct), userSK(id)))
	if err != nil || av == nil {
		return userItem{}, false, err
	}
	var it userItem
	if err := unmarshal(av, &it); err != nil {
		return userItem{}, false, err
	}
	return it, true, nil
}

// ListUsers returns the users of account acct, ordered by id.
//
// Errors: EInvalid (malformed account id), EUnavailable, EInternal.
func (s *Store) ListUsers(ctx context.Context, acct string) ([]inbox.User, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	list := []inbox.User{}
	err := s.queryPrefix(ctx, "ListUsers", accountPK(acct), prefixUser, func(av map[string]types.AttributeValue) error {
		var it userItem
		if err := unmarshal(av, &it); err != nil {
			return err
		}
		list = append(list, it.domain())
		return nil
	})
	return list, err
}

// queryPrefix reads every item of partition pk whose sort key begins with prefix, in sort key
// order, strongly consistent, handing each to f.
func (s *Store) queryPrefix(ctx context.Context, op, pk, prefix string, f func(map[string]types.AttributeValue) error) error {
	in := &dynamodb.QueryInput{
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(pk), ":prefix": str(prefix),
		},
		ConsistentRead: aws.Bool(true),
	}
	for {
		out, err := s.query(ctx, op, in)
		if err != nil {
			return err
		}
		for _, av := range out.Items {
			if err := f(av); err != nil {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// UpdateUser replaces the profile of user u.ID of account u.AccountID — name, email, role,
// paidSeat, capacity, available, phone, language, timeZone, workingHours and teamIds — provided the stored
// version is still u.Version, and returns the user as stored, with Version u.Version+1. Load,
// LastAssignedAt and CreatedAt are never changed by it. It counts a change of the account's
// RoutingVersion.
//
// Errors: ENotFound, EInvalid (missing or malformed ids, a negative capacity), EConflict (the
// stored version is not u.Version: the user changed since it was read), EUnavailable,
// EInternal.
func (s *Store) UpdateUser(ctx context.Context, u inbox.User) (inbox.User, error) {
	if err := checkUser(u); err != nil {
		return inbox.User{}, err
	}
	const op = "UpdateUser"
	it := newUserItem(u)
	set := "SET #name = :name, #email = :email, #role = :role, #paidSeat = :paidSeat, #available = :available, " +
		"#timeZone = :timeZone, #version = :new"
	var remove []string
	if it.Phone != "" {
		set += ", #phone = :phone"
	} else {
		remove = append(remove, "#phone")
	}
	if it.Language != "" {
		set += ", #language = :language"
	} else {
		remove = append(remove, "#language")
	}
	// Empty lists are removed rather than stored (see userItem).
	if len(it.WorkingHours) > 0 {
		set += ", #workingHours = :workingHours"
	} else {
		remove = append(remove, "#workingHours")
	}
	if len(it.TeamIDs) > 0 {
		set += ", #teamIds = :teamIds"
	} else {
		remove = append(remove, "#teamIds")
	}
	names := map[string]string{
		"#pk": attrPK, "#name": "name", "#email": "email", "#role": "role", "#paidSeat": "paidSeat",
		"#available": "available", "#timeZone": "timeZone", "#workingHours": "workingHours",
		"#teamIds": "teamIds", "#version": "version", "#capacity": "capacity", "#phone": "phone",
		"#language": "language",
	}
	values := map[string]types.AttributeValue{
		":name": str(it.Name), ":email": str(it.Email), ":role": str(it.Role), ":paidSeat": value(it.PaidSeat),
		":available": value(it.Available), ":timeZone": str(it.TimeZone), ":workingHours": value(it.WorkingHours),
		":teamIds": value(it.TeamIDs), ":new": value(u.Version + 1), ":old": value(u.Version),
		":phone": str(it.Phone), ":language": str(it.Language),
	}
	expr := set
	if it.Capacity != nil {
		expr += ", #capacity = :capacity"
		values[":capacity"] = value(*it.Capacity)
	} else {
		remove = append(remove, "#capacity")
	}
	if len(remove) > 0 {
		expr += " REMOVE " + strings.Join(remove, ", ")
	}
	values = usedValues(expr+" :old", values)
	out, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
		Key:                       key(accountPK(u.AccountID), userSK(u.ID)),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND #version = :old"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		if _, found, err := s.userItem(ctx, op, u.AccountID, u.ID); err != nil {
			return inbox.User{}, err
		} else if !found {
			return inbox.User{}, inbox.Errorf(inbox.ENotFound, "user not found")
		}
		return inbox.User{}, inbox.Errorf(inbox.EConflict, "the user was changed meanwhile; reload it and try again")
	}
	if err != nil {
		return inbox.User{}, storeError(err, "update user")
	}
	var stored userItem
	if err := unmarshal(out.Attributes, &stored); err != nil {
		return inbox.User{}, err
	}
	if err := s.routingChanged(ctx, op, u.AccountID); err != nil {
		return inbox.User{}, err
	}
	return stored.domain(), nil
}

// CreateTeam stores new team t of account t.AccountID.
//
// Errors: EInvalid (missing or malformed ids), EConflict (the team id is taken in the account),
// EUnavailable, EInternal.
func (s *Store) CreateTeam(ctx context.Context, t inbox.Team) error {
	if err := checkIDs("account id", t.AccountID, "team id", t.ID); err != nil {
		return err
	}
	av, err := marshal(newTeamItem(t))
	if err != nil {
		return err
	}
	err = s.putItem(ctx, "CreateTeam", &dynamodb.PutItemInput{
		Item:                     av,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	})
	if isConditionFailed(err) {
		return inbox.Errorf(inbox.EConflict, "a team with this id already exists")
	}
	if err != nil {
		return storeError(err, "create team")
	}
	return s.routingChanged(ctx, "CreateTeam", t.AccountID)
}

// GetTeam returns team id of account acct.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetTeam(ctx context.Context, acct, id string) (inbox.Team, error) {
	if err := checkIDs("account id", acct, "team id", id); err != nil {
		return inbox.Team{}, err
	}
	av, err := s.getItem(ctx, "GetTeam", key(accountPK(acct), teamSK(id)))
	if err != nil {
		return inbox.Team{}, err
	}
	if av == nil {
		return inbox.Team{}, inbox.Errorf(inbox.ENotFound, "team not found")
	}
	var it teamItem
	if err := unmarshal(av, &it); err != nil {
		return inbox.Team{}, err
	}
	return it.domain(), nil
}

// ListTeams returns the teams of account acct, ordered by id.
//
// Errors: EInvalid (malformed account id), EUnavailable, EInternal.
func (s *Store) ListTeams(ctx context.Context, acct string) ([]inbox.Team, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	list := []inbox.Team{}
	err := s.queryPrefix(ctx, "ListTeams", accountPK(acct), prefixTeam, func(av map[string]types.AttributeValue) error {
		var it teamItem
		if err := unmarshal(av, &it); err != nil {
			return err
		}
		list = append(list, it.domain())
		return nil
	})
	return list, err
}

// UpdateTeam replaces the name and user ids of team t.ID of account t.AccountID; its creation
// time stays.
//
// Errors: ENotFound, EInvalid (missing or malformed ids), EUnavailable, EInternal.
func (s *Store) UpdateTeam(ctx context.Context, t inbox.Team) error {
	if err := checkIDs("account id", t.AccountID, "team id", t.ID); err != nil {
		return err
	}
	_, err := s.updateItem(ctx, "UpdateTeam", &dynamodb.UpdateItemInput{
		Key:                      key(accountPK(t.AccountID), teamSK(t.ID)),
		UpdateExpression:         aws.String(teamUpdate(t)),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#name": "name", "#users": "userIds"},
		ExpressionAttributeValues: usedValues(teamUpdate(t), map[string]types.AttributeValue{
			":name": str(t.Name), ":users": value(t.UserIDs),
		}),
	})
	if isConditionFailed(err) {
		return inbox.Errorf(inbox.ENotFound, "team not found")
	}
	if err != nil {
		return storeError(err, "update team")
	}
	return s.routingChanged(ctx, "UpdateTeam", t.AccountID)
}

// teamUpdate is UpdateTeam's update expression: an empty member list is removed, not stored
// (see userItem).
func teamUpdate(t inbox.Team) string {
	if len(t.UserIDs) == 0 {
		return "SET #name = :name REMOVE #users"
	}
	return "SET #name = :name, #users = :users"
}
