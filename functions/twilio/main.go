// Command twilio is the Lambda function serving the Twilio SMS/MMS intake (webhooks and status callbacks) behind API Gateway's HTTP API (payload 2.0).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/intakefn"
)

func main() { app.ServeHTTP(intakefn.Twilio) }
