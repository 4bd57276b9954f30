// Package awssecret reads a secret's text from AWS Secrets Manager (the GetSecretValue action)
// with a plain signed HTTP request.
//
// It exists instead of the SDK's secretsmanager client on purpose: every function reads its
// sealing key once, at cold start, and linking the SDK client for that one call made every
// function initialise its operation schemas and endpoint tables (about 230 KB and 1,400
// allocations at package init) before doing anything. The request is the documented AWS JSON
// 1.1 protocol (POST /, X-Amz-Target: secretsmanager.GetSecretValue), see shared/internal/awsjson.
package awssecret

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/internal/awsjson"
)

// Client reads secrets from Secrets Manager in one region.
type Client struct{ c *awsjson.Client }

// New returns a Client for cfg's region and credentials. A non-empty endpoint replaces AWS's
// (https://secretsmanager.<region>.amazonaws.com, .amazonaws.com.cn in China).
func New(cfg aws.Config, endpoint string) *Client {
	c := awsjson.New(cfg, "secretsmanager", "1.1", endpoint)
	c.Backoff = 200 * time.Millisecond //: at cold start, where a failure fails the init
	return &Client{c: c}
}

// SecretString returns the SecretString of the current version of the secret id (a name or
// ARN). Errors: *awsjson.Error for Secrets Manager's refusals (ResourceNotFoundException,
// AccessDeniedException, DecryptionFailure…; after retries when temporary), a secret without
// text (a binary secret), missing credentials, and network failures after the retries.
func (c *Client) SecretString(ctx context.Context, id string) (string, error) {
	var out struct {
		SecretString *string `json:"SecretString"`
	}
	if err := c.c.Do(ctx, "secretsmanager.GetSecretValue", struct {
		SecretID string `json:"SecretId"`
	}{id}, &out); err != nil {
		return "", fmt.Errorf("secrets manager: %w", err)
	}
	if out.SecretString == nil {
		return "", errors.New("secrets manager: the secret has no text (SecretString)")
	}
	return *out.SecretString, nil
}
