package app

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
)

// containerHost is where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is served (ECS, and Lambda
// SnapStart): the SDK's default chain uses the same address.
const containerHost = "http://169.254.170.2"

// AWSFromEnv builds the AWS configuration from what the Lambda runtime puts in the
// environment, and nothing else: the region (AWS_REGION, else AWS_DEFAULT_REGION) and the
// execution role's credentials, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, or, where the runtime serves them instead (SnapStart, containers), the
// container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, with
// AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE), refreshed before they expire.
//
// It replaces config.LoadDefaultConfig on purpose: the default chain reads shared config files
// and links and initialises STS, SSO, SSO OIDC, sign-in and IMDS clients that a function never
// uses, which made up most of an intake's cold start beyond an empty handler's. Endpoints of
// emulators are not its business: Config's DynamoDBEndpoint, SQSEndpoint, S3Endpoint and
// SESEndpoint set them per client.
//
// Errors: no region, or no credentials of either kind (or a secret key without its key id).
func AWSFromEnv() (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return aws.Config{}, errors.New("neither AWS_REGION nor AWS_DEFAULT_REGION is set")
	}
	cfg := aws.Config{Region: region}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	full, relative := os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"), os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
	switch {
	case id != "" && secret != "":
		// Lambda's role credentials last as long as the execution environment: no refresh.
		cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN"))
	case id != "" || secret != "":
		return aws.Config{}, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")
	case relative != "" || full != "":
		endpoint := full
		if relative != "" {
			endpoint = containerHost + relative
		}
		if !strings.HasPrefix(endpoint, "http://") && !strings.HasPrefix(endpoint, "https://") {
			return aws.Config{}, fmt.Errorf("container credentials endpoint %q is not an http(s) URL", endpoint)
		}
		token, tokenFile := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"), os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
		p := endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
			o.AuthorizationToken = token
			if tokenFile != "" {
				// Read on every fetch: the runtime rotates the file.
				o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
					b, err := os.ReadFile(tokenFile)
					return strings.TrimSpace(string(b)), err
				})
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute })
	default:
		return aws.Config{}, errors.New("no AWS credentials in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_CONTAINER_CREDENTIALS_*_URI)")
	}
	return cfg, nil
}
