// Command emptyfn is the baseline of the cold start benchmark: an aws-lambda-go handler that
// does nothing, built and run exactly as the functions are.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{}`), nil
	})
}
