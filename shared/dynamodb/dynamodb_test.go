package dynamodb_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/openinbox/inbox/infra/faultinject"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
)

func s(v string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: v} }

// An item of every attribute type goes to DynamoDB Local and comes back the same, through
// PutItem, GetItem, Query, BatchGetItem and UpdateItem's ALL_NEW.
func TestEveryAttributeTypeRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, table := testenv.DynamoDBLocal(t)
	item := map[string]types.AttributeValue{
		"pk": s("rt"), "sk": s("1"),
		"s": s("Zoë \"quoted\" \u2028 <b>"), "n": &types.AttributeValueMemberN{Value: "-12.5"},
		"b": &types.AttributeValueMemberB{Value: []byte{0, 1, 254, 255}}, "t": &types.AttributeValueMemberBOOL{Value: true},
		"f":    &types.AttributeValueMemberBOOL{Value: false},
		"null": &types.AttributeValueMemberNULL{Value: true},
		"l":    &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a"), &types.AttributeValueMemberN{Value: "1"}, &types.AttributeValueMemberL{Value: []types.AttributeValue{}}}},
		"m":    &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": s("y"), "e": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}}},
		"ss":   &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns":   &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs":   &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
	key := map[string]types.AttributeValue{"pk": s("rt"), "sk": s("1")}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "GetItem", got.Item, item)
	if got.ConsumedCapacity == nil || aws.ToFloat64(got.ConsumedCapacity.CapacityUnits) != 1 {
		t.Errorf("consumed capacity %+v, want 1 unit", got.ConsumedCapacity)
	}
	q, err := client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("rt")}, Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Items) != 1 || q.Count != 1 {
		t.Fatalf("Query: %d items, count %d", len(q.Items), q.Count)
	}
	same(t, "Query", q.Items[0], item)
	bg, err := client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		table: {Keys: []map[string]types.AttributeValue{key, {"pk": s("rt"), "sk": s("missing")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bg.Responses[table]) != 1 {
		t.Fatalf("BatchGetItem: %+v", bg.Responses)
	}
	same(t, "BatchGetItem", bg.Responses[table][0], item)
	up, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key,
		UpdateExpression: aws.String("SET #s = :s"), ExpressionAttributeNames: map[string]string{"#s": "s"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("new")}, ReturnValues: types.ReturnValueAllNew})
	if err != nil {
		t.Fatal(err)
	}
	item["s"] = s("new")
	same(t, "UpdateItem", up.Attributes, item)
}

func same(t *testing.T, what string, got, want map[string]types.AttributeValue) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got\n%#v\nwant\n%#v", what, got, want)
	}
}

// DynamoDB's refusals come back as the SDK's errors: a failed condition with the item as it was,
// a canceled transaction with one reason per item, a request it refuses as a smithy.APIError
// with its code.
func TestRefusalsKeepTheirMeaning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, table := testenv.DynamoDBLocal(t)
	key := map[string]types.AttributeValue{"pk": s("refuse"), "sk": s("1")}
	item := map[string]types.AttributeValue{"pk": s("refuse"), "sk": s("1"), "v": s("old")}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item,
		ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var cf *types.ConditionalCheckFailedException
	if !errors.As(err, &cf) {
		t.Fatalf("conditional put = %v, want ConditionalCheckFailedException", err)
	}
	same(t, "the failed condition's item", cf.Item, item)

	_, err = client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"pk": s("refuse"), "sk": s("2")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String(table), Key: key, ConditionExpression: aws.String("v = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("other")}}},
	}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("transaction = %v, want TransactionCanceledException", err)
	}
	var codes []string
	for _, r := range tce.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
	}
	if strings.Join(codes, ",") != "None,ConditionalCheckFailed" {
		t.Fatalf("cancellation reasons %v", codes)
	}

	_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table),
		Item: map[string]types.AttributeValue{"pk": s(strings.Repeat("k", 2049)), "sk": s("1")}})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationException" {
		t.Fatalf("oversized key = %v, want ValidationException", err)
	}
	_, err = client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("no-such-table"), Key: key})
	if !errors.As(err, &api) || api.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("missing table = %v, want ResourceNotFoundException", err)
	}
}

// Throttling is retried as the SDK's standard retryer does (three attempts in all), then
// returned with its code; a write that passes is heard by Options.Observe.
func TestThrottlingIsRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, table := testenv.DynamoDBLocal(t)
	p, err := faultinject.Start(testenv.Endpoint(t, "DYNAMODB_ENDPOINT"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var observed []any
	client := dynamodb.NewFromConfig(testenv.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(p.URL)
		o.Observe = func(in, out any) { observed = append(observed, out) }
	})
	put := func() error {
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table),
			Item: map[string]types.AttributeValue{"pk": s("throttle"), "sk": s("1")}})
		return err
	}
	p.Add(faultinject.Rule{Op: "PutItem", Times: 2, Fault: faultinject.DynamoDBThrottle})
	if err := put(); err != nil {
		t.Fatalf("PutItem throttled twice: %v", err)
	}
	if len(observed) != 1 {
		t.Fatalf("observed %d calls, want 1", len(observed))
	}
	p.Add(faultinject.Rule{Op: "PutItem", Times: 3, Fault: faultinject.DynamoDBThrottle})
	var api smithy.APIError
	if err := put(); !errors.As(err, &api) || api.ErrorCode() != "ProvisionedThroughputExceededException" {
		t.Fatalf("PutItem throttled three times = %v", err)
	}
	if n := p.Injected(); n != 5 {
		t.Fatalf("%d faults injected, want 5", n)
	}
}

// An answer whose X-Amz-Crc32 does not match its body is not believed (unless the check is
// turned off, for minidyn).
func TestChecksumIsChecked(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Crc32", "12345")
		_, _ = w.Write([]byte(`{"Item":{"pk":{"S":"x"}}}`))
	}))
	defer srv.Close()
	for _, off := range []bool{false, true} {
		client := dynamodb.NewFromConfig(testenv.AWSConfig(), func(o *dynamodb.Options) {
			o.BaseEndpoint = aws.String(srv.URL)
			o.DisableValidateResponseChecksum = off
			o.RetryMaxAttempts = 1
		})
		out, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("t"), Key: map[string]types.AttributeValue{"pk": s("x")}})
		if off != (err == nil) {
			t.Fatalf("check off %v: err %v", off, err)
		}
		if off && !reflect.DeepEqual(out.Item, map[string]types.AttributeValue{"pk": s("x")}) {
			t.Fatalf("item %#v", out.Item)
		}
	}
}
