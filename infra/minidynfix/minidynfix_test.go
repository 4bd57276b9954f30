package minidynfix_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func names(m map[string]types.AttributeValue) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestRemove checks REMOVE on the embedded store (testenv.DynamoDBEmbedded serves minidyn
// through this package): an UpdateItem's and a transaction's REMOVE take the attributes off
// the item, out of the index whose key they were, and out of the ALL_NEW answer; nested
// paths and SET in the same expression still apply.
func TestRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, table := testenv.DynamoDBEmbedded(t)
	key := map[string]types.AttributeValue{"pk": s("A#1"), "sk": s("U#1")}
	item := map[string]types.AttributeValue{"pk": s("A#1"), "sk": s("U#1"), "gsi1pk": s("G"), "gsi1sk": s("1"),
		"language": s("da"), "phone": s("+45"), "name": s("Ada"),
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"a": s("1"), "b": s("2")}}}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
	out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key,
		UpdateExpression:          aws.String("SET #name = :n REMOVE #language, phone, m.a"),
		ExpressionAttributeNames:  map[string]string{"#name": "name", "#language": "language"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": s("Ada L.")},
		ReturnValues:              types.ReturnValueAllNew})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(out.Attributes); !slices.Equal(got, []string{"gsi1pk", "gsi1sk", "m", "name", "pk", "sk"}) {
		t.Fatalf("ALL_NEW = %v", got)
	}
	get := func() map[string]types.AttributeValue {
		t.Helper()
		g, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return g.Item
	}
	got := get()
	if n := names(got); !slices.Equal(n, []string{"gsi1pk", "gsi1sk", "m", "name", "pk", "sk"}) {
		t.Fatalf("stored = %v", n)
	}
	if m := got["m"].(*types.AttributeValueMemberM).Value; len(m) != 1 || m["b"] == nil {
		t.Fatalf("m = %v", names(m))
	}

	// A transaction's update takes the item out of gsi1.
	if _, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{
		Update: &types.Update{TableName: aws.String(table), Key: key, UpdateExpression: aws.String("REMOVE gsi1pk, gsi1sk")},
	}}}); err != nil {
		t.Fatal(err)
	}
	if n := names(get()); !slices.Equal(n, []string{"m", "name", "pk", "sk"}) {
		t.Fatalf("after the transaction = %v", n)
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("G")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Items) != 0 {
		t.Fatalf("gsi1 still lists the item: %v", q.Items)
	}
}

// TestEmptyMaps checks that an empty map attribute (a conversation's readBy before its first
// marker) reads back as an empty map on the embedded store, also after an update whose REMOVE
// made the fix put the item back, and that a marker can then be set in it.
func TestEmptyMaps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, table := testenv.DynamoDBEmbedded(t)
	key := map[string]types.AttributeValue{"pk": s("A#1"), "sk": s("CV#1")}
	item := map[string]types.AttributeValue{"pk": s("A#1"), "sk": s("CV#1"), "waitSK": s("w"),
		"readBy": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		"list":   &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}}}}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
	read := func(what string) map[string]types.AttributeValue {
		t.Helper()
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if m, ok := out.Item["readBy"].(*types.AttributeValueMemberM); !ok {
			t.Fatalf("%s: readBy = %#v, want a map", what, out.Item["readBy"])
		} else if l, ok := out.Item["list"].(*types.AttributeValueMemberL); !ok || len(l.Value) != 1 {
			t.Fatalf("%s: list = %#v", what, out.Item["list"])
		} else if _, ok := l.Value[0].(*types.AttributeValueMemberM); !ok {
			t.Fatalf("%s: list[0] = %#v, want a map", what, l.Value[0])
		} else {
			return m.Value
		}
		return nil
	}
	read("put")
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key,
		UpdateExpression: aws.String("REMOVE waitSK")}); err != nil {
		t.Fatal(err)
	}
	read("after REMOVE")
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key,
		UpdateExpression:          aws.String("SET readBy.#u = :v"),
		ExpressionAttributeNames:  map[string]string{"#u": "u1"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("0")}}); err != nil {
		t.Fatal(err)
	}
	if got := read("after a marker"); len(got) != 1 {
		t.Errorf("readBy = %v, want u1", got)
	}
}
