// Package lambdaws adapts the live channel's two Lambda event sources to shared/realtime: API
// Gateway's WebSocket API (routes $connect, $disconnect and $default, the proxy integration's
// documented event) and the table's DynamoDB Stream (KEYS_ONLY records, with partial batch
// failures). AWS event types stop here.
package lambdaws

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/realtime"
)

// Routes answers the WebSocket API's routes with svc: $connect authorises the token of the
// query string (?token=) and records the connection (401 when refused, so API Gateway rejects
// the handshake and nothing is recorded), $disconnect forgets it, $default handles a client's
// frame. Failures worth a retry answer 500.
func Routes(log *slog.Logger, svc *realtime.Service) func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	return func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		id := ev.RequestContext.ConnectionID
		var err error
		switch ev.RequestContext.RouteKey {
		case "$connect":
			_, err = svc.Connect(ctx, id, ev.QueryStringParameters["token"])
		case "$disconnect":
			err = svc.Disconnect(ctx, id)
		default:
			err = svc.Receive(ctx, id, []byte(ev.Body))
		}
		if err != nil {
			log.WarnContext(ctx, "websocket route failed", "route", ev.RequestContext.RouteKey, "connection", id,
				"code", inbox.ErrorCodeOf(err), "err", err)
		}
		return events.APIGatewayProxyResponse{StatusCode: Status(err)}, nil
	}
}

// Status is the HTTP status of a route's outcome.
func Status(err error) int {
	switch inbox.ErrorCodeOf(err) {
	case "":
		return 200
	case inbox.EUnauthorized:
		return 401
	case inbox.EForbidden:
		return 403
	case inbox.ENotFound:
		return 404
	case inbox.EInvalid, inbox.ETooLarge:
		return 400
	default:
		return 500
	}
}

// Change is one committed write: the item's key and what happened to it.
type Change struct {
	PK, SK string
	Op     string // INSERT, MODIFY, REMOVE
}

// ToEvents turns committed writes into events with toEvent (dynamo.ChangeEvent), dropping the
// removals (TTL expiry, deletions a client learns about from the lists) and repeats within one
// batch: one event per message and one per conversation. A conversation's change is kept even
// when a message of the same conversation is in the batch: KEYS_ONLY records cannot tell the
// bump a new message gives its conversation from a status or assignee change made at the same
// moment, and a client must never miss the latter.
func ToEvents(changes []Change, toEvent func(pk, sk string) (realtime.Event, bool)) []realtime.Event {
	var out []realtime.Event
	seen := map[string]bool{}
	for _, c := range changes {
		if c.Op == "REMOVE" {
			continue
		}
		e, ok := toEvent(c.PK, c.SK)
		if !ok {
			continue
		}
		// A message written and updated in one batch (sent, then delivered) is one event; so is
		// a conversation changed twice.
		k := e.Kind + "/" + e.Account + "/" + e.ConversationID + "/" + e.MessageID
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

// Stream handles DynamoDB Stream batches: their records become events (ToEvents) published
// with svc. When publishing fails the whole batch is reported failed from its first record, so
// that Lambda retries it (FunctionResponseTypes ReportBatchItemFailures); a client may then get
// an event twice, never miss one.
func Stream(log *slog.Logger, svc *realtime.Service, toEvent func(pk, sk string) (realtime.Event, bool)) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
		changes := make([]Change, 0, len(ev.Records))
		for _, r := range ev.Records {
			changes = append(changes, Change{PK: r.Change.Keys["pk"].String(), SK: r.Change.Keys["sk"].String(), Op: r.EventName})
		}
		if err := svc.Publish(ctx, ToEvents(changes, toEvent)); err != nil {
			log.ErrorContext(ctx, "publishing failed; the batch is retried", "records", len(ev.Records),
				"code", inbox.ErrorCodeOf(err), "err", err)
			if len(ev.Records) > 0 {
				resp.BatchItemFailures = append(resp.BatchItemFailures,
					events.DynamoDBBatchItemFailure{ItemIdentifier: ev.Records[0].Change.SequenceNumber})
			}
		}
		return resp, nil
	}
}
