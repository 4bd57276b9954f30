package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/app"
)

// TestFromEnvNumericSettings checks that SEND_ATTEMPTS and MEDIA_ATTEMPTS are read when they are
// positive integers, left to the default when unset, and refused (an init error, not a silent
// default) when malformed.
func TestFromEnvNumericSettings(t *testing.T) {
	for _, tc := range []struct {
		name, send, media   string
		wantSend, wantMedia int
		wantErr             string // part of the error; "" for none
	}{
		{name: "unset", wantSend: 0, wantMedia: 0},
		{name: "set", send: "6", media: "3", wantSend: 6, wantMedia: 3},
		{name: "send not a number", send: "four", wantErr: `SEND_ATTEMPTS="four"`},
		{name: "send zero", send: "0", wantErr: "SEND_ATTEMPTS"},
		{name: "send negative", send: "-2", wantErr: "SEND_ATTEMPTS"},
		{name: "send with a unit", send: "4x", wantErr: "SEND_ATTEMPTS"},
		{name: "media not a number", media: "3.5", wantErr: `MEDIA_ATTEMPTS="3.5"`},
		{name: "media space", media: " 3", wantErr: "MEDIA_ATTEMPTS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SEND_ATTEMPTS", tc.send)
			t.Setenv("MEDIA_ATTEMPTS", tc.media)
			c, err := app.FromEnv(aws.Config{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("FromEnv error = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.SendAttempts != tc.wantSend || c.MediaAttempts != tc.wantMedia {
				t.Errorf("SendAttempts, MediaAttempts = %d, %d; want %d, %d", c.SendAttempts, c.MediaAttempts, tc.wantSend, tc.wantMedia)
			}
		})
	}
}

// TestAWSFromEnv checks the AWS configuration a function builds from what Lambda sets: the
// region, the role's keys from the environment, or the container credentials endpoint (its
// documented JSON answer, with the authorization token sent); and that a function without
// region or credentials fails its init.
func TestAWSFromEnv(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "tok-1" {
			http.Error(w, `{"code":"AccessDenied","message":"no token"}`, http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"s2","Token":"t2","Expiration":%q}`,
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantKey string // access key id retrieved; "" when an error is wanted
		wantErr string
	}{
		{"role keys", map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "ASIAROLE", "AWS_SECRET_ACCESS_KEY": "s1", "AWS_SESSION_TOKEN": "t1"}, "ASIAROLE", ""},
		{"default region", map[string]string{"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s1"}, "AKIA", ""},
		{"container endpoint", map[string]string{"AWS_REGION": "eu-west-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok-1"}, "ASIACONTAINER", ""},
		{"no region", map[string]string{"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s1"}, "", "AWS_REGION"},
		{"no credentials", map[string]string{"AWS_REGION": "eu-west-1"}, "", "no AWS credentials"},
		{"key without secret", map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIA"}, "", "together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
				"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"} {
				t.Setenv(k, tc.env[k])
			}
			cfg, err := app.AWSFromEnv()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != "eu-west-1" {
				t.Errorf("region %q", cfg.Region)
			}
			creds, err := cfg.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != tc.wantKey {
				t.Errorf("access key %q, want %q", creds.AccessKeyID, tc.wantKey)
			}
		})
	}
}

// TestLiveURL: browsers connect to wss:// of the WebSocket API's https:// stage (WS_ENDPOINT),
// ws:// of a local http:// one, and to /ws on the page's host when there is none.
func TestLiveURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://abc123.execute-api.eu-west-1.amazonaws.com/live": "wss://abc123.execute-api.eu-west-1.amazonaws.com/live",
		"http://127.0.0.1:4000/ws":                                "ws://127.0.0.1:4000/ws",
		"":                                                        "",
	} {
		c := app.Config{WebSocketEndpoint: in}
		if got := c.LiveURL(); got != want {
			t.Errorf("LiveURL(%q) = %q, want %q", in, got, want)
		}
	}
}
