// Command voice is the Lambda function serving the Twilio Voice intake of calling channels (incoming calls answered with TwiML, and the calls' callbacks) behind API Gateway's HTTP API (payload 2.0).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/voicefn"
)

func main() { app.ServeHTTP(voicefn.Build) }
