// Command forms is the Lambda function serving web form channels (the form page and its submissions) behind API Gateway's HTTP API (payload 2.0).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/intakefn"
)

func main() { app.ServeHTTP(intakefn.Forms) }
