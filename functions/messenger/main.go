// Command messenger is the Lambda function serving the Facebook Messenger intake (verification handshake and signed events) behind API Gateway's HTTP API (payload 2.0).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/intakefn"
)

func main() { app.ServeHTTP(intakefn.Messenger) }
