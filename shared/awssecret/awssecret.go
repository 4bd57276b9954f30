// Package awssecret reads a secret's text from AWS Secrets Manager (the GetSecretValue action)
// with a plain signed HTTP request.
//
// It exists instead of the SDK's secretsmanager client on purpose: every function reads its
// sealing key once, at cold start, and linking the SDK client for that one call made every
// function initialise its operation schemas and endpoint tables (about 230 KB and 1,400
// allocations at package init) before doing anything. The request is the documented AWS JSON
// 1.1 protocol (POST /, X-Amz-Target: secretsmanager.GetSecretValue) signed with the SDK's
// Signature Version 4 signer, which the other clients link anyway.
package awssecret

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Client reads secrets from Secrets Manager in one region.
type Client struct {
	cfg      aws.Config
	endpoint string
	http     *http.Client
	// attempts and backoff bound the retries of throttling, 5xx answers and network failures.
	attempts int
	backoff  time.Duration
}

// New returns a Client for cfg's region and credentials. A non-empty endpoint replaces AWS's
// (https://secretsmanager.<region>.amazonaws.com, .amazonaws.com.cn in China).
func New(cfg aws.Config, endpoint string) *Client {
	if endpoint == "" {
		domain := "amazonaws.com"
		if strings.HasPrefix(cfg.Region, "cn-") {
			domain = "amazonaws.com.cn"
		}
		endpoint = "https://secretsmanager." + cfg.Region + "." + domain
	}
	return &Client{cfg: cfg, endpoint: strings.TrimSuffix(endpoint, "/"), http: &http.Client{Timeout: 10 * time.Second}, attempts: 3, backoff: 200 * time.Millisecond}
}

// Error is Secrets Manager's refusal: its error type (ResourceNotFoundException,
// AccessDeniedException, DecryptionFailure…), message and HTTP status.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("secrets manager: %s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// temporary reports whether a retry may succeed.
func (e *Error) temporary() bool {
	return e.Status >= 500 || e.Status == 429 || strings.HasSuffix(e.Code, "ThrottlingException") || e.Code == "Throttling"
}

// SecretString returns the SecretString of the current version of the secret id (a name or
// ARN). Errors: *Error for Secrets Manager's refusals (after retries when temporary), a
// secret without text (a binary secret), missing credentials, and network failures after
// the retries.
func (c *Client) SecretString(ctx context.Context, id string) (string, error) {
	body, err := json.Marshal(struct {
		SecretID string `json:"SecretId"`
	}{id})
	if err != nil {
		return "", err
	}
	var last error
	for i := range c.attempts {
		if i > 0 {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(c.backoff << (i - 1)):
			}
		}
		s, retry, err := c.get(ctx, body)
		if err == nil {
			return s, nil
		}
		if !retry {
			return "", err
		}
		last = err
	}
	return "", last
}

// get makes one GetSecretValue request; retry says whether a failure is worth another.
func (c *Client) get(ctx context.Context, body []byte) (string, bool, error) {
	if c.cfg.Credentials == nil {
		return "", false, errors.New("secrets manager: no AWS credentials")
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", true, fmt.Errorf("secrets manager: credentials: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", c.cfg.Region, time.Now()); err != nil {
		return "", false, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", ctx.Err() == nil, fmt.Errorf("secrets manager: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", true, fmt.Errorf("secrets manager: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode}
		var m struct {
			Type         string `json:"__type"`
			Message      string `json:"message"`
			MessageUpper string `json:"Message"`
		}
		if json.Unmarshal(raw, &m) == nil {
			// __type may carry a namespace ("com.amazonaws.secretsmanager#ResourceNotFoundException").
			e.Code = m.Type[strings.LastIndexByte(m.Type, '#')+1:]
			e.Message = m.Message + m.MessageUpper
		}
		if e.Code == "" {
			e.Code = "http_" + fmt.Sprint(resp.StatusCode)
		}
		return "", e.temporary(), e
	}
	var out struct {
		SecretString *string `json:"SecretString"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", false, fmt.Errorf("secrets manager: malformed answer: %w", err)
	}
	if out.SecretString == nil {
		return "", false, errors.New("secrets manager: the secret has no text (SecretString)")
	}
	return *out.SecretString, false, nil
}
