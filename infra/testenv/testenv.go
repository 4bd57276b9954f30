// Package testenv gives tests the real emulators that `make test` started (DynamoDB Local, the
// SQS emulator, the SES emulator, the Lambda runtime interface emulator): clients pointed at them
// and fresh, uniquely named tables and queues, created from template.yaml and removed after the
// test, and the mail the SES emulator accepted (SentMail).
//
// A test that needs DynamoDB only runs on DynamoDB Local under `make test` and, when
// DYNAMODB_ENDPOINT is not set (a plain `go test ./...`), on the in-process store of `make run`
// (minidyn). A test that needs another emulator fails, never skips, when its endpoint is not
// set, saying in one line how to run it: through `make test`, which starts them.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/openinbox/inbox/infra/minidynfix"
	"github.com/openinbox/inbox/infra/samtemplate"
	"github.com/openinbox/inbox/shared/dynamodb"
)

// AWSConfig is the configuration for emulators: a fixed region and static dummy credentials.
func AWSConfig() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
}

// Endpoint returns the value of the environment variable name, failing the test when it is unset.
func Endpoint(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run `make test`, or `eval \"$(infra/emulators/start.sh)\"` before go test", name)
	}
	return v
}

// DynamoDBOptions points the store's DynamoDB client at DynamoDB Local (DYNAMODB_ENDPOINT) or,
// when that is unset, at an in-process minidyn server shared by the test binary.
func DynamoDBOptions(t testing.TB) func(*dynamodb.Options) {
	t.Helper()
	endpoint, embedded := os.Getenv("DYNAMODB_ENDPOINT"), false
	if endpoint == "" {
		endpoint, embedded = minidynURL(), true
	}
	return func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		// minidyn sends no valid X-Amz-Crc32.
		o.DisableValidateResponseChecksum = embedded
	}
}

var minidynURL = sync.OnceValue(func() string {
	// Never closed: it lives as long as the test binary.
	return httptest.NewServer(minidynfix.New()).URL
})

// Unique returns prefix followed by a random suffix, for table and queue names.
func Unique(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// DynamoDB returns the store's DynamoDB client (shared/dynamodb) for DynamoDB Local
// (DYNAMODB_ENDPOINT; minidyn when unset, see DynamoDBOptions) and the name of a new table
// created from template.yaml's definition; the table is deleted when the test ends.
func DynamoDB(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	opts := DynamoDBOptions(t)
	var o dynamodb.Options
	opts(&o)
	return dynamodb.NewFromConfig(AWSConfig(), opts), table(t, aws.ToString(o.BaseEndpoint), o.DisableValidateResponseChecksum)
}

// DynamoDBEmbedded is DynamoDB on the in-process minidyn only (the store of `make run -data
// ”`), for tests that check it agrees with DynamoDB Local.
func DynamoDBEmbedded(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	endpoint := minidynURL()
	return dynamodb.NewFromConfig(AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.DisableValidateResponseChecksum = true // minidyn sends no valid X-Amz-Crc32
	}), table(t, endpoint, true)
}

// DynamoDBLocal is DynamoDB on DynamoDB Local only, for the store adapter's own tests: they
// check DynamoDB's exact semantics (REMOVE, size(), consumed capacity, key limits), which
// minidyn does not all have.
func DynamoDBLocal(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	endpoint := Endpoint(t, "DYNAMODB_ENDPOINT")
	return dynamodb.NewFromConfig(AWSConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) }), table(t, endpoint, false)
}

// DynamoDBAdmin returns the SDK's DynamoDB client for the endpoint, for what the store's client
// does not do (creating and describing tables).
func DynamoDBAdmin(endpoint string, noChecksum bool) *sdkdynamodb.Client {
	return sdkdynamodb.NewFromConfig(AWSConfig(), func(o *sdkdynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.DisableValidateResponseChecksum = noChecksum
	})
}

// table creates a table from template.yaml's definition at endpoint, deleted when the test ends.
func table(t testing.TB, endpoint string, noChecksum bool) string {
	t.Helper()
	client := DynamoDBAdmin(endpoint, noChecksum)
	name := Unique("t")
	in, err := tableInput(name)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.CreateTable(ctx, in); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &sdkdynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}

// goformation writes a package-level map while parsing, so the template is parsed once.
var (
	tplOnce sync.Once
	tpl     *samtemplate.Template
	tplErr  error
)

func tableInput(name string) (*sdkdynamodb.CreateTableInput, error) {
	tplOnce.Do(func() { tpl, tplErr = samtemplate.LoadDefault() })
	if tplErr != nil {
		return nil, tplErr
	}
	return tpl.CreateTableInput(name)
}

// SQS returns a client for the SQS emulator (SQS_ENDPOINT).
func SQS(t testing.TB) *sqs.Client {
	t.Helper()
	endpoint := Endpoint(t, "SQS_ENDPOINT")
	return sqs.NewFromConfig(AWSConfig(), func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// FIFOQueue creates a FIFO queue with a FIFO dead-letter queue that receives a message after
// maxReceive receives, as template.yaml sets them up, and returns both URLs.
func FIFOQueue(t testing.TB, client *sqs.Client, maxReceive int, visibilitySeconds int) (queueURL, dlqURL string) {
	t.Helper()
	ctx := context.Background()
	base := Unique("q")
	dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String(base + "-dlq.fifo"),
		Attributes: map[string]string{string(sqstypes.QueueAttributeNameFifoQueue): "true"},
	})
	if err != nil {
		t.Fatalf("create dlq: %v", err)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       dlq.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("dlq arn: %v", err)
	}
	arn := attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String(base + ".fifo"),
		Attributes: map[string]string{
			string(sqstypes.QueueAttributeNameFifoQueue):         "true",
			string(sqstypes.QueueAttributeNameVisibilityTimeout): itoa(visibilitySeconds),
			string(sqstypes.QueueAttributeNameRedrivePolicy):     `{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":"` + itoa(maxReceive) + `"}`,
		},
	})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl})
		_, _ = client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: dlq.QueueUrl})
	})
	return *q.QueueUrl, *dlq.QueueUrl
}

// RIE returns the path of the Lambda runtime interface emulator binary (LAMBDA_RIE).
func RIE(t testing.TB) string {
	t.Helper()
	return Endpoint(t, "LAMBDA_RIE")
}

func itoa(n int) string { return strconv.Itoa(n) }
