// Package awsjson makes signed requests of the AWS JSON protocols (1.0 and 1.1: POST / with
// X-Amz-Target and a JSON body) for the few calls the functions make of services whose SDK
// clients are heavy to initialise: the SDK's generated clients build their operation schemas
// and endpoint tables at package init, which every cold start pays whether or not the call is
// made. Requests are signed with the SDK's Signature Version 4 signer (linked by the DynamoDB
// client anyway) and retried like the SDK's standard retryer does: three attempts in all, with
// exponential backoff, for throttling, 5xx answers and network failures.
package awsjson

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Client calls one service in one region.
type Client struct {
	cfg aws.Config
	// endpoint is the service's URL; service is its signing name ("sqs", "secretsmanager");
	// contentType carries the protocol version (application/x-amz-json-1.0 or -1.1).
	endpoint, service, contentType string
	// HTTPClient sends the requests (an *http.Client with a 30 s timeout by default).
	HTTPClient interface {
		Do(*http.Request) (*http.Response, error)
	}
	// Check, when set, vets an answer's headers and body before it is decoded (DynamoDB's
	// X-Amz-Crc32); a failed check is retried like a network failure.
	Check func(h http.Header, body []byte) error
	// Attempts and Backoff bound the retries: Attempts tries in all, waiting about Backoff,
	// then twice that, between them (with jitter).
	Attempts int
	Backoff  time.Duration
}

// New returns a Client of service (its signing name and the first label of its host,
// service.<region>.amazonaws.com, .amazonaws.com.cn in China, unless endpoint is not empty)
// speaking AWS JSON version ("1.0" or "1.1").
func New(cfg aws.Config, service, version, endpoint string) *Client {
	if endpoint == "" {
		domain := "amazonaws.com"
		if strings.HasPrefix(cfg.Region, "cn-") {
			domain = "amazonaws.com.cn"
		}
		endpoint = "https://" + service + "." + cfg.Region + "." + domain
	}
	return &Client{cfg: cfg, endpoint: strings.TrimSuffix(endpoint, "/"), service: service,
		contentType: "application/x-amz-json-" + version, HTTPClient: &http.Client{Timeout: 30 * time.Second},
		Attempts: 3, Backoff: 100 * time.Millisecond}
}

// Endpoint returns the URL requests go to.
func (c *Client) Endpoint() string { return c.endpoint }

// Error is the service's refusal: its error code (the __type without its namespace, such as
// ResourceNotFoundException or QueueDoesNotExist), message and HTTP status, and the body it
// came in (for the members some errors add, such as DynamoDB's CancellationReasons).
type Error struct {
	Status  int
	Code    string
	Message string
	Body    []byte
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// Temporary reports whether a retry may succeed: 5xx, 429 and the throttling and timeout codes
// the SDK's standard retryer retries (retry.DefaultThrottleErrorCodes and
// DefaultRetryableErrorCodes).
func (e *Error) Temporary() bool {
	switch e.Code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
		"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
		"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException":
		return true
	}
	return e.Status >= 500 || e.Status == 429
}

// Do calls target (X-Amz-Target, such as "AmazonSQS.SendMessage") with in as the JSON body and
// decodes the answer into out (nil to ignore it). Errors: *Error for the service's refusals
// (after the retries when temporary), missing credentials, and network failures after the
// retries.
func (c *Client) Do(ctx context.Context, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	var last error
	for i := range c.Attempts {
		if i > 0 {
			wait := c.Backoff << (i - 1)
			wait += time.Duration(rand.Int64N(int64(wait) + 1)) // jitter, as the SDK's
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		retry, err := c.do(ctx, target, body, out)
		if err == nil {
			return nil
		}
		if !retry {
			return err
		}
		last = err
	}
	return last
}

// do makes one request; retry says whether a failure is worth another.
func (c *Client) do(ctx context.Context, target string, body []byte, out any) (bool, error) {
	if c.cfg.Credentials == nil {
		return false, errors.New("no AWS credentials")
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return true, fmt.Errorf("credentials: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", c.contentType)
	req.Header.Set("X-Amz-Target", target)
	// Uncompressed: DynamoDB's X-Amz-Crc32 is of the bytes sent, which Go's transparent gzip
	// would hide.
	req.Header.Set("Accept-Encoding", "identity")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), c.service, c.cfg.Region, time.Now()); err != nil {
		return false, err
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20) /* BatchGetItem answers reach 16 MB */)
	if err != nil {
		return true, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode, Body: raw}
		var m struct {
			Type         string `json:"__type"`
			Message      string `json:"message"`
			MessageUpper string `json:"Message"`
		}
		if json.Unmarshal(raw, &m) == nil {
			// __type may carry a namespace ("com.amazonaws.sqs#QueueDoesNotExist").
			e.Code = m.Type[strings.LastIndexByte(m.Type, '#')+1:]
			e.Message = m.Message + m.MessageUpper
		}
		if e.Code == "" {
			e.Code = "http_" + fmt.Sprint(resp.StatusCode)
		}
		return e.Temporary(), e
	}
	if c.Check != nil {
		if err := c.Check(resp.Header, raw); err != nil {
			return true, err
		}
	}
	if out == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return false, fmt.Errorf("malformed answer: %w", err)
	}
	return false, nil
}
