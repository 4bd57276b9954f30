package awssecret

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/openinbox/inbox/shared/internal/awsjson"
)

const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:inbox-sealing-key-a1b2c3"

func config() aws.Config {
	return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session-token")}
}

// answer is one scripted answer of the stand-in: status and body.
type answer struct {
	status int
	body   string
}

// secretsManager is a stand-in for the Secrets Manager endpoint that checks each request is a
// signed AWS JSON 1.1 GetSecretValue for arn, then gives the scripted answers in turn.
func secretsManager(t *testing.T, answers ...answer) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if r.Method != http.MethodPost || r.URL.Path != "/" {
			t.Errorf("request %s %s, want POST /", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("X-Amz-Target"); got != "secretsmanager.GetSecretValue" {
			t.Errorf("X-Amz-Target = %q", got)
		}
		if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
			t.Errorf("Content-Type = %q", got)
		}
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-west-1/secretsmanager/aws4_request") || !strings.Contains(auth, "x-amz-target") {
			t.Errorf("Authorization = %q, want SigV4 for secretsmanager in eu-west-1 covering X-Amz-Target", auth)
		}
		if r.Header.Get("X-Amz-Security-Token") != "session-token" || r.Header.Get("X-Amz-Date") == "" {
			t.Errorf("missing X-Amz-Security-Token or X-Amz-Date: %v", r.Header)
		}
		raw, _ := io.ReadAll(r.Body)
		var in map[string]any
		if err := json.Unmarshal(raw, &in); err != nil || in["SecretId"] != arn || len(in) != 1 {
			t.Errorf("body %s, want {\"SecretId\": %q}", raw, arn)
		}
		if i >= len(answers) {
			t.Errorf("unexpected request %d", i+1)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(answers[i].status)
		_, _ = io.WriteString(w, answers[i].body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// The answer of the GetSecretValue documentation's example.
const found = `{"ARN":"` + arn + `","CreatedDate":1.523477145713E9,"Name":"inbox-sealing-key","SecretString":"correct horse battery staple","VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1","VersionStages":["AWSCURRENT"]}`

func TestSecretString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		answers  []answer
		want     string
		wantCode string // the *Error's Code; "" when no *Error is expected
		wantErr  bool
		requests int32
	}{
		{name: "found", answers: []answer{{200, found}}, want: "correct horse battery staple", requests: 1},
		{name: "not found is not retried", answers: []answer{{400, `{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}`}},
			wantCode: "ResourceNotFoundException", wantErr: true, requests: 1},
		{name: "access denied is not retried", answers: []answer{{400, `{"__type":"com.amazonaws.secretsmanager#AccessDeniedException","message":"not authorized"}`}},
			wantCode: "AccessDeniedException", wantErr: true, requests: 1},
		{name: "throttling then found", answers: []answer{{400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`}, {200, found}},
			want: "correct horse battery staple", requests: 2},
		{name: "5xx then found", answers: []answer{{500, `{"__type":"InternalServiceError","Message":"oops"}`}, {503, ``}, {200, found}},
			want: "correct horse battery staple", requests: 3},
		{name: "5xx every time", answers: []answer{{500, `{}`}, {500, `{}`}, {500, `{}`}}, wantCode: "http_500", wantErr: true, requests: 3},
		{name: "binary secret", answers: []answer{{200, `{"ARN":"` + arn + `","Name":"k","SecretBinary":"AAEC"}`}}, wantErr: true, requests: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, n := secretsManager(t, tc.answers...)
			c := New(config(), srv.URL)
			c.c.Backoff = 0
			got, err := c.SecretString(context.Background(), arn)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("SecretString = %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
			var e *awsjson.Error
			if tc.wantCode != "" && (!errors.As(err, &e) || e.Code != tc.wantCode) {
				t.Errorf("error %v, want code %s", err, tc.wantCode)
			}
			if n.Load() != tc.requests {
				t.Errorf("%d requests, want %d", n.Load(), tc.requests)
			}
		})
	}
}

func TestEndpointByRegion(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"eu-west-1":  "https://secretsmanager.eu-west-1.amazonaws.com",
		"cn-north-1": "https://secretsmanager.cn-north-1.amazonaws.com.cn",
	} {
		if got := New(aws.Config{Region: region}, "").c.Endpoint(); got != want {
			t.Errorf("endpoint for %s = %s, want %s", region, got, want)
		}
	}
}
