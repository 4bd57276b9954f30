// Package dynamodb is a client of the DynamoDB API for exactly the calls the store makes
// (GetItem, PutItem, UpdateItem, DeleteItem, Query, BatchGetItem, BatchWriteItem and
// TransactWriteItems), with the inputs, outputs and errors of the SDK's
// github.com/aws/aws-sdk-go-v2/service/dynamodb under the same names, so that the store reads
// as it did on the SDK.
//
// It replaces the SDK's client on purpose: since v1.69 the SDK's DynamoDB packages build the
// schemas of the whole API at package init (about 720 KB and 4,000 allocations with its
// endpoint tables and the streams schemas that attributevalue links), which made up most of a
// function's cold start beyond an empty handler's. The calls are DynamoDB's JSON 1.0 protocol,
// signed with the SDK's Signature Version 4 signer (shared/internal/awsjson), with the SDK's
// behaviour where it matters: three attempts with backoff for throttling
// (ProvisionedThroughputExceededException…), 5xx answers and network failures; the X-Amz-Crc32
// of every answer checked; ConditionalCheckFailedException and TransactionCanceledException
// (with its per-item CancellationReasons) as typed errors; every other refusal as a
// smithy.APIError carrying DynamoDB's code (ValidationException…). The local runner's table
// setup and the tests' administration keep the SDK.
package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/internal/awsjson"
)

// Options configure a Client; the names are the SDK's.
type Options struct {
	// BaseEndpoint is DynamoDB's URL, for DynamoDB Local or minidyn; nil in AWS.
	BaseEndpoint *string
	// HTTPClient sends the requests; nil for the default (30 s timeout).
	HTTPClient interface {
		Do(*http.Request) (*http.Response, error)
	}
	// RetryMaxAttempts is how many tries a temporary failure gets in all (3 when 0).
	RetryMaxAttempts int
	// DisableValidateResponseChecksum skips the X-Amz-Crc32 check (minidyn sends none valid).
	DisableValidateResponseChecksum bool
	// Observe, when set, hears the input and output of every successful call (such as
	// *PutItemInput and *PutItemOutput), on the caller's goroutine.
	Observe func(in, out any)
}

// Client calls DynamoDB. It is safe for concurrent use.
type Client struct {
	c       *awsjson.Client
	observe func(in, out any)
}

// NewFromConfig returns a Client for the region and credentials of cfg, changed by optFns.
func NewFromConfig(cfg aws.Config, optFns ...func(*Options)) *Client {
	var o Options
	for _, f := range optFns {
		f(&o)
	}
	c := awsjson.New(cfg, "dynamodb", "1.0", aws.ToString(o.BaseEndpoint))
	if o.HTTPClient != nil {
		c.HTTPClient = o.HTTPClient
	}
	if o.RetryMaxAttempts > 0 {
		c.Attempts = o.RetryMaxAttempts
	}
	if !o.DisableValidateResponseChecksum {
		c.Check = checkCRC32
	}
	return &Client{c: c, observe: o.Observe}
}

// checkCRC32 compares the answer's X-Amz-Crc32 header, when there is one, with its body.
func checkCRC32(h http.Header, body []byte) error {
	v := h.Get("X-Amz-Crc32")
	if v == "" {
		return nil
	}
	want, err := strconv.ParseUint(v, 10, 32)
	if err != nil || uint32(want) != crc32.ChecksumIEEE(body) {
		return fmt.Errorf("DynamoDB answer does not match its X-Amz-Crc32 %q", v)
	}
	return nil
}

// call makes one call of operation op and decodes its answer into out.
func (c *Client) call(ctx context.Context, op string, in, out any) error {
	if err := c.c.Do(ctx, "DynamoDB_20120810."+op, in, out); err != nil {
		return apiError(err)
	}
	return nil
}

// seen hands a successful call's input and output to Options.Observe and returns the output.
func seen[O any](c *Client, in any, out *O) (*O, error) {
	if c.observe != nil {
		c.observe(in, out)
	}
	return out, nil
}

// apiError turns DynamoDB's refusals into the SDK's error types.
func apiError(err error) error {
	var e *awsjson.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case "ConditionalCheckFailedException":
		var w struct {
			Message *string    `json:"message"`
			Item    types.Item `json:"Item"`
		}
		_ = json.Unmarshal(e.Body, &w)
		return &types.ConditionalCheckFailedException{Message: messageOf(w.Message, e), Item: w.Item}
	case "TransactionCanceledException":
		var w struct {
			Message             *string `json:"message"`
			CancellationReasons []struct {
				Code    *string
				Message *string
				Item    types.Item
			}
		}
		_ = json.Unmarshal(e.Body, &w)
		tce := &types.TransactionCanceledException{Message: messageOf(w.Message, e)}
		for _, r := range w.CancellationReasons {
			tce.CancellationReasons = append(tce.CancellationReasons, types.CancellationReason{Code: r.Code, Message: r.Message, Item: r.Item})
		}
		return tce
	}
	fault := smithy.FaultClient
	if e.Status >= 500 {
		fault = smithy.FaultServer
	}
	return &smithy.GenericAPIError{Code: e.Code, Message: e.Message, Fault: fault}
}

func messageOf(m *string, e *awsjson.Error) *string {
	if m != nil {
		return m
	}
	return aws.String(e.Message)
}
