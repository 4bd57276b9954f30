//go:build linux

package lambdatest

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/twilio"
)

// fixtures is the folder of AWS's documented event shapes (see its README.md).
const fixtures = "testdata/aws"

// fixture reads a JSON fixture into a generic document, so that every field of the documented
// shape is kept when a test changes a few.
func fixture(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

// object returns the JSON object at key of doc.
func object(t testing.TB, doc map[string]any, key string) map[string]any {
	t.Helper()
	m, ok := doc[key].(map[string]any)
	if !ok {
		t.Fatalf("fixture has no object %q", key)
	}
	return m
}

// twilioWebhook is the HTTP API 2.0 event of Twilio posting a form to the inbound webhook of a
// channel, shaped like apigw/v2_request_binary_base64_body.json: API Gateway base64-encodes
// form bodies and lower-cases header names.
type twilioWebhook struct {
	Event map[string]any
	// URL is what Twilio requested and signs: "https://" + domainName + rawPath.
	URL string
}

// newTwilioWebhook returns the unsigned webhook event posting form to channelID's webhook.
func newTwilioWebhook(t testing.TB, channelID string, form url.Values) *twilioWebhook {
	t.Helper()
	ev := fixture(t, "apigw/v2_request_binary_base64_body.json")
	body := form.Encode()
	path := "/webhooks/twilio/" + channelID
	routeKey := "POST /webhooks/twilio/{channelId}"
	ev["routeKey"] = routeKey
	ev["rawPath"] = path
	ev["pathParameters"] = map[string]any{"channelId": channelID}
	ev["body"] = base64.StdEncoding.EncodeToString([]byte(body))
	ev["isBase64Encoded"] = true
	h := object(t, ev, "headers")
	h["content-type"] = "application/x-www-form-urlencoded"
	h["content-length"] = strconv.Itoa(len(body))
	h["user-agent"] = "TwilioProxy/1.1"
	h["accept"] = "*/*"
	rc := object(t, ev, "requestContext")
	rc["routeKey"] = routeKey
	rc["timeEpoch"] = time.Now().UnixMilli()
	rc["requestId"] = inbox.NewID()
	hc := object(t, rc, "http")
	hc["method"] = "POST"
	hc["path"] = path
	hc["userAgent"] = "TwilioProxy/1.1"
	domain, _ := rc["domainName"].(string)
	if domain == "" || h["host"] != domain {
		t.Fatalf("fixture without requestContext.domainName equal to the host header")
	}
	return &twilioWebhook{Event: ev, URL: "https://" + domain + path}
}

// signed sets the X-Twilio-Signature header to Twilio's signature of the webhook with authToken.
func (w *twilioWebhook) signed(authToken string, form url.Values) map[string]any {
	w.Event["headers"].(map[string]any)["x-twilio-signature"] = twilio.Signature(authToken, w.URL, form)
	return w.Event
}

// twilioForm is the form Twilio posts for an incoming SMS, with a fresh MessageSid.
func twilioForm(accountSID, from, to, body string) url.Values {
	return localrun.TwilioSMSForm(accountSID, from, to, body, "SM"+inbox.NewID())
}

// claims are the verified JWT claims API Gateway's authorizer passes on: a Cognito ID token of
// a user of account acct with role.
func claims(user, acct string, role inbox.Role) map[string]any {
	return map[string]any{
		"sub":               user,
		"custom:account_id": acct,
		"custom:role":       string(role),
		"iss":               "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE",
		"aud":               "1example23456789",
		"token_use":         "id",
		"auth_time":         strconv.FormatInt(time.Now().Unix(), 10),
		"iat":               strconv.FormatInt(time.Now().Unix(), 10),
		"exp":               strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10),
		"email":             user + "@example.com",
		"cognito:username":  user,
	}
}

// apiRequest is the HTTP API 2.0 event of a call to the api function's route ANY /v1/{proxy+},
// shaped like apigw/v2_request_jwt_cognito_claims.json. With nil claims the request carries no
// authorizer context, as a route without the JWT authorizer would pass it.
func apiRequest(t testing.TB, method, target string, claims map[string]any, body string) map[string]any {
	t.Helper()
	ev := fixture(t, "apigw/v2_request_jwt_cognito_claims.json")
	path, query, _ := strings.Cut(target, "?")
	routeKey := "ANY /v1/{proxy+}"
	ev["routeKey"] = routeKey
	ev["rawPath"] = path
	ev["rawQueryString"] = query
	delete(ev, "cookies")
	delete(ev, "queryStringParameters")
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		qs := map[string]any{}
		for k, v := range q {
			qs[k] = strings.Join(v, ",")
		}
		ev["queryStringParameters"] = qs
	}
	ev["pathParameters"] = map[string]any{"proxy": strings.TrimPrefix(path, "/v1/")}
	h := object(t, ev, "headers")
	if body != "" {
		ev["body"] = body
		h["content-type"] = "application/json"
		h["content-length"] = strconv.Itoa(len(body))
	}
	rc := object(t, ev, "requestContext")
	rc["routeKey"] = routeKey
	rc["requestId"] = inbox.NewID()
	rc["timeEpoch"] = time.Now().UnixMilli()
	hc := object(t, rc, "http")
	hc["method"] = method
	hc["path"] = path
	if claims == nil {
		delete(rc, "authorizer")
		delete(h, "authorization")
	} else {
		jwt := object(t, object(t, rc, "authorizer"), "jwt")
		jwt["claims"] = claims
		delete(jwt, "scopes") // an ID token has no scopes
	}
	return ev
}

// sqsMessage is one message as the event source mapping hands it to a function.
type sqsMessage struct {
	ID, Body, Group, Dedup string
	ReceiveCount           int
}

// sqsEvent is the SQS event of messages read from the FIFO queue queueURL, shaped like
// sqs/fifo_batch_same_group_derived.json (every record a copy of its first one with the
// message's id, body, MD5, group, deduplication id and sequence number).
func sqsEvent(t testing.TB, queueURL string, msgs ...sqsMessage) map[string]any {
	t.Helper()
	ev := fixture(t, "sqs/fifo_batch_same_group_derived.json")
	proto, err := json.Marshal(ev["Records"].([]any)[0])
	if err != nil {
		t.Fatal(err)
	}
	name := queueURL[strings.LastIndexByte(queueURL, '/')+1:]
	records := make([]any, 0, len(msgs))
	now := time.Now().UnixMilli()
	for i, m := range msgs {
		var rec map[string]any
		if err := json.Unmarshal(proto, &rec); err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum([]byte(m.Body))
		rec["messageId"] = m.ID
		rec["receiptHandle"] = "AQEB" + base64.StdEncoding.EncodeToString([]byte(m.ID))
		rec["body"] = m.Body
		rec["md5OfBody"] = hex.EncodeToString(sum[:])
		rec["messageAttributes"] = map[string]any{}
		rec["eventSourceARN"] = "arn:aws:sqs:us-east-1:000000000000:" + name
		rec["awsRegion"] = "us-east-1"
		a := object(t, rec, "attributes")
		a["MessageGroupId"] = m.Group
		a["MessageDeduplicationId"] = m.Dedup
		a["ApproximateReceiveCount"] = strconv.Itoa(max(m.ReceiveCount, 1))
		a["SequenceNumber"] = fmt.Sprintf("%020d", now*1_000_000+int64(i))
		a["SentTimestamp"] = strconv.FormatInt(now, 10)
		a["ApproximateFirstReceiveTimestamp"] = strconv.FormatInt(now+100, 10)
		a["SenderId"] = "AROAEXAMPLEROLEID:lambdatest"
		records = append(records, rec)
	}
	ev["Records"] = records
	return ev
}

// batchResponse decodes an SQS function's partial batch response.
func batchResponse(t testing.TB, b []byte) events.SQSEventResponse {
	t.Helper()
	var r events.SQSEventResponse
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("response %s: %v", b, err)
	}
	return r
}

// httpResponse decodes an HTTP API 2.0 response.
func httpResponse(t testing.TB, b []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	var r events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("response %s: %v", b, err)
	}
	if r.IsBase64Encoded {
		body, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		r.Body, r.IsBase64Encoded = string(body), false
	}
	return r
}

// header returns the response header name, whatever its case.
func header(r events.APIGatewayV2HTTPResponse, name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, v := range r.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
