package samtemplate

import (
	"slices"
	"strings"
	"testing"
)

// The deployed template keeps the promises of the design: a protected table, FIFO queues each
// with a FIFO dead-letter queue and an alarm on its depth, functions with policies, SQS
// consumers with partial batch failures, and webhook routes without the JWT authorizer.
func TestTemplateDeploysWhatTheDesignSays(t *testing.T) {
	t.Parallel()
	tpl, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	cf := tpl.CloudFormation()

	tbl, err := cf.GetDynamoDBTableWithName(TableResource)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.PointInTimeRecoverySpecification == nil || tbl.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled == nil || !*tbl.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled {
		t.Error("table without point-in-time recovery")
	}
	if tbl.SSESpecification == nil || !tbl.SSESpecification.SSEEnabled {
		t.Error("table without SSE")
	}
	if tbl.DeletionProtectionEnabled == nil || !*tbl.DeletionProtectionEnabled {
		t.Error("table without deletion protection")
	}
	if tbl.TimeToLiveSpecification == nil || !tbl.TimeToLiveSpecification.Enabled {
		t.Error("table without TTL")
	}

	queues, err := tpl.Queues()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Queue{}
	for _, q := range queues {
		byID[q.LogicalID] = q
	}
	// Dimension values are !GetAtt (resolved to nothing by goformation): count the DLQ alarms.
	alarms := 0
	for _, a := range cf.GetAllCloudWatchAlarmResources() {
		if a.MetricName != nil && *a.MetricName == "ApproximateNumberOfMessagesVisible" && a.Threshold != nil && *a.Threshold == 0 {
			alarms++
		}
	}
	for _, id := range []string{"InboundQueue", "OutboundQueue"} {
		q, ok := byID[id]
		if !ok {
			t.Fatalf("no %s", id)
		}
		dlq, ok := byID[q.DeadLetter]
		if !q.FIFO || !ok || !dlq.FIFO || q.MaxReceiveCount < 1 {
			t.Errorf("%s: FIFO %v, DLQ %q (FIFO %v), maxReceiveCount %d", id, q.FIFO, q.DeadLetter, dlq.FIFO, q.MaxReceiveCount)
		}
	}
	// Media copies need no order, but a dead-letter queue all the same.
	if q := byID["MediaQueue"]; q.DeadLetter != "MediaDLQ" || q.MaxReceiveCount <= 4 {
		t.Errorf("MediaQueue: DLQ %q, maxReceiveCount %d (must exceed the 4 attempts)", q.DeadLetter, q.MaxReceiveCount)
	}
	if dlqs := len(queues) - 3; alarms != 6 || dlqs != 6 {
		t.Errorf("%d DLQ depth alarms, want one per DLQ (%d queues)", alarms, len(queues))
	}

	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	raw := cf.GetAllServerlessFunctionResources()
	var consumers []string
	for _, f := range fns {
		r := raw[f.LogicalID]
		if len(f.Queues) > 0 {
			consumers = append(consumers, f.LogicalID)
			if !f.BatchFailures {
				t.Errorf("%s consumes %v without ReportBatchItemFailures", f.LogicalID, f.Queues)
			}
		}
		for _, rt := range f.Routes {
			// Public: the providers' webhooks, website chat's widget and visitor API (visitor
			// tokens, not agents' JWTs), and the agents' web app's files (no data in them).
			webhook := strings.HasPrefix(rt.Path, "/webhooks/") || strings.HasPrefix(rt.Path, "/chat/") ||
				rt.Path == "/app" || strings.HasPrefix(rt.Path, "/app/")
			if webhook != rt.Public {
				t.Errorf("%s %s: public = %v", rt.Method, rt.Path, rt.Public)
			}
		}
		if r.Policies == nil {
			t.Errorf("%s has no policies", f.LogicalID)
		}
	}
	slices.Sort(consumers)
	if !slices.Equal(consumers, []string{"DispatchFunction", "MediaFunction", "RouterFunction"}) {
		t.Errorf("queue consumers = %v", consumers)
	}

	// Functions invoked asynchronously (by SES, by a schedule) park failed events in an SQS
	// dead-letter queue of the template, which has its alarm (counted above).
	var scheduled []string
	for _, f := range fns {
		r := raw[f.LogicalID]
		// The WebSocket API invokes WsFunction synchronously; a stream's failures go to the
		// mapping's OnFailure queue (TestLiveUpdatesResources).
		if len(f.Routes) > 0 || len(f.Queues) > 0 || f.Stream || f.LogicalID == "WsFunction" {
			continue
		}
		if r.DeadLetterQueue == nil || r.DeadLetterQueue.Type != "SQS" {
			t.Errorf("%s is invoked asynchronously without an SQS dead-letter queue", f.LogicalID)
		}
		if len(f.Schedules) == 0 {
			continue
		}
		scheduled = append(scheduled, f.LogicalID)
		// Reserved concurrency fails deployments in accounts with a low concurrency quota;
		// overlapping ticks are safe.
		if r.ReservedConcurrentExecutions != nil {
			t.Errorf("%s: reserved concurrency %v, want none", f.LogicalID, *r.ReservedConcurrentExecutions)
		}
		// It ends before the next minute's tick.
		if r.Timeout == nil || *r.Timeout >= 60 {
			t.Errorf("%s: timeout %v, want under 60 s", f.LogicalID, r.Timeout)
		}
	}
	if !slices.Equal(scheduled, []string{"ScheduleFunction"}) {
		t.Errorf("scheduled functions = %v", scheduled)
	}
	if f := byFunction(fns, "ScheduleFunction"); !slices.Equal(f.Schedules, []string{"rate(1 minute)"}) {
		t.Errorf("ScheduleFunction schedules = %v, want [rate(1 minute)]: working hours begin on the minute", f.Schedules)
	}
}

func byFunction(fns []Function, id string) Function {
	for _, f := range fns {
		if f.LogicalID == id {
			return f
		}
	}
	return Function{}
}
