// Command schedule is the Lambda function an EventBridge schedule invokes every minute: it assigns the waiting conversations of every account that has some, so that a queue drains when someone's working hours begin (asynchronous invocation: retried, then sent to its dead-letter queue, on failure).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/schedulefn"
)

func main() { app.ServeSchedule(schedulefn.Build) }
