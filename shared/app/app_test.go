package app_test

import (
	"strings"
	"testing"

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
