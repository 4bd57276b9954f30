package main

// AWS list prices used by the cost model, region us-east-1 (N. Virginia), on-demand, without
// free tiers, as published on AWS's pricing pages in 2025 (DynamoDB after the on-demand price
// cut of 2024-11-01). The machine this was written on has no internet: on 2026-12-04 only the
// DynamoDB figures were cross-checked, against a 2025 article quoting AWS's page. Verify before
// quoting them; update them here, and only here.
//
// Sources:
//   - DynamoDB: https://aws.amazon.com/dynamodb/pricing/on-demand/ (Standard table class)
//   - API Gateway HTTP APIs: https://aws.amazon.com/api-gateway/pricing/ (first 300 million)
//   - Lambda: https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 billion GB-seconds)
//   - SQS: https://aws.amazon.com/sqs/pricing/ (FIFO queues, per 64 KB request)
const (
	pricesRegion = "us-east-1"
	pricesDate   = "2025 list prices (see prices.go)"

	// USD per million.
	dynamoWritePerMillion   = 0.625 // write request units (1 KB each)
	dynamoReadPerMillion    = 0.125 // read request units (4 KB strongly consistent, or 2 eventually)
	httpAPIPerMillion       = 1.00  // HTTP API requests
	lambdaRequestPerMillion = 0.20  // function invocations
	sqsFIFOPerMillion       = 0.50  // FIFO requests

	// USD per GB-second of Lambda on arm64.
	lambdaArmGBSecond = 0.0000133334
)
