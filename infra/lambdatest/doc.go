// Package lambdatest runs the functions of template.yaml the way Lambda runs them: each is built
// as a Linux `bootstrap` (CGO off, -tags lambda.norpc), started under the Lambda runtime
// interface emulator (aws-lambda-rie) with the environment the template gives it, pointed at
// DynamoDB Local, the SQS emulator and an in-process S3 fake, and invoked with API Gateway HTTP
// API 2.0, SQS, EventBridge scheduled and SES receipt-rule Lambda-action events shaped like
// AWS's documented ones (the samples in testdata/aws, with their sources, and
// shared/lambdaschedule/testdata). For SES the harness also plays the receipt rule's S3 action:
// it stores the raw mail where the template's rule has SES store it.
//
// The package has tests and benchmarks only; run them with `make test`, which starts the
// emulators (the tests fail, never skip, without them). `go test -bench . ./infra/lambdatest`
// measures cold starts and warm invocations through the emulator.
package lambdatest
