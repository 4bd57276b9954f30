package samtemplate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/openinbox/inbox/infra/apispec"
)

// A browser app may call every operation of the API: the agents' API's CORS configuration allows
// exactly the methods openapi.yaml uses under /v1 (plus OPTIONS, the preflight) and every
// request header those operations take. Webhooks are called by servers, not browsers.
func TestCORSAllowsEveryMethodOfTheSpec(t *testing.T) {
	t.Parallel()
	doc, _ := loadRaw(t)
	var cors struct {
		AllowMethods []string `yaml:"AllowMethods"`
		AllowHeaders []string `yaml:"AllowHeaders"`
	}
	n := doc.Resources["AgentApi"].Properties["CorsConfiguration"]
	if err := n.Decode(&cors); err != nil {
		t.Fatal(err)
	}
	spec, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"OPTIONS"}
	headers := []string{"authorization", "content-type"}
	for path, item := range spec.Doc().Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method, op := range item.Operations() {
			if !slices.Contains(want, method) {
				want = append(want, method)
			}
			params := append(item.Parameters, op.Parameters...)
			for _, p := range params {
				if p.Value != nil && p.Value.In == "header" && !slices.Contains(headers, strings.ToLower(p.Value.Name)) {
					headers = append(headers, strings.ToLower(p.Value.Name))
				}
			}
		}
	}
	got := slices.Clone(cors.AllowMethods)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("CORS AllowMethods = %v, openapi.yaml uses %v under /v1", got, want)
	}
	var allowed []string
	for _, h := range cors.AllowHeaders {
		allowed = append(allowed, strings.ToLower(h))
	}
	for _, h := range headers {
		if !slices.Contains(allowed, h) {
			t.Errorf("CORS AllowHeaders %v lacks %s", cors.AllowHeaders, h)
		}
	}
}

// evalRule evaluates a rule function (Fn::Not, Fn::Equals, Fn::And, Fn::Or, Ref to a parameter)
// with the given parameter values, as CloudFormation does before it creates a change set.
func evalRule(t *testing.T, n *yaml.Node, params map[string]string) any {
	t.Helper()
	args := n.Content
	switch n.Tag {
	case "!Ref":
		v, ok := params[n.Value]
		if !ok {
			t.Fatalf("rule refers to %s, which has no value here", n.Value)
		}
		return v
	case "!Not":
		return !evalRule(t, args[0], params).(bool)
	case "!Equals":
		return fmt.Sprint(evalRule(t, args[0], params)) == fmt.Sprint(evalRule(t, args[1], params))
	case "!And", "!Or":
		all := n.Tag == "!And"
		for _, a := range args {
			if v := evalRule(t, a, params).(bool); v != all {
				return v
			}
		}
		return all
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		return n.Value
	}
	t.Fatalf("rule function %s %q is not evaluated here", n.Tag, n.Value)
	return nil
}

// With JwtIssuer set, an empty JwtAudience would make the authorizer's audience [""] and every
// request a 401, and the web app's sign-in needs both of the issuer's endpoints: the template's
// rules refuse those deploys, and no other.
func TestJwtAudienceIsRequiredWithAnIssuer(t *testing.T) {
	t.Parallel()
	doc, _ := loadRaw(t)
	refused := func(p map[string]string) []string {
		var out []string
		for name, r := range doc.Rules {
			if r.RuleCondition.Kind != 0 && !evalRule(t, &r.RuleCondition, p).(bool) {
				continue
			}
			for _, a := range r.Assertions {
				if !evalRule(t, &a.Assert, p).(bool) {
					out = append(out, name+": "+a.AssertDescription)
				}
			}
		}
		return out
	}
	const authz, token = "https://login.example.com/oauth2/v1/authorize", "https://login.example.com/oauth2/v1/token"
	cases := []struct {
		issuer, audience, authorize, token string
		refused                            bool
	}{
		{issuer: "", audience: ""},        // the stack creates Cognito
		{issuer: "", audience: "ignored"}, // ignored with Cognito
		{issuer: "", authorize: authz},    // ignored with Cognito
		{issuer: "https://login.example.com", audience: "client-1"},
		{issuer: "https://login.example.com", audience: "", refused: true},
		// The web app's sign-in at an external issuer: both endpoints or none.
		{issuer: "https://login.example.com", audience: "client-1", authorize: authz, token: token},
		{issuer: "https://login.example.com", audience: "client-1", authorize: authz, refused: true},
		{issuer: "https://login.example.com", audience: "client-1", token: token, refused: true},
	}
	for _, c := range cases {
		got := refused(map[string]string{"JwtIssuer": c.issuer, "JwtAudience": c.audience, "JwtAuthorizeUrl": c.authorize, "JwtTokenUrl": c.token})
		if (len(got) > 0) != c.refused {
			t.Errorf("JwtIssuer %q, JwtAudience %q, JwtAuthorizeUrl %q, JwtTokenUrl %q: refused by %v, want refused %v",
				c.issuer, c.audience, c.authorize, c.token, got, c.refused)
		}
	}
}

// consumer is an SQS-triggered function as the template sets it up.
type consumer struct {
	id, queue        string
	timeout, batch   int
	env              map[string]string
	visibility, recv int // of its queue
}

func consumers(t *testing.T) []consumer {
	t.Helper()
	_, data := readTemplate(t)
	var doc struct {
		Globals struct {
			Function struct {
				Timeout int `yaml:"Timeout"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Timeout     int `yaml:"Timeout"`
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
				Events map[string]struct {
					Type       string `yaml:"Type"`
					Properties struct {
						Queue     yaml.Node `yaml:"Queue"`
						BatchSize int       `yaml:"BatchSize"`
					} `yaml:"Properties"`
				} `yaml:"Events"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	tpl, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	queues, err := tpl.Queues()
	if err != nil {
		t.Fatal(err)
	}
	var out []consumer
	for id, r := range doc.Resources {
		for _, ev := range r.Properties.Events {
			if ev.Type != "SQS" {
				continue
			}
			c := consumer{id: id, queue: strings.TrimSuffix(ev.Properties.Queue.Value, ".Arn"), timeout: r.Properties.Timeout,
				batch: ev.Properties.BatchSize, env: map[string]string{}}
			if c.timeout == 0 {
				c.timeout = doc.Globals.Function.Timeout
			}
			if c.batch == 0 {
				c.batch = 10 // SQS event source default
			}
			for k, v := range r.Properties.Environment.Variables {
				c.env[k] = v.Value
			}
			for _, q := range queues {
				if q.LogicalID == c.queue {
					c.visibility, c.recv = q.VisibilityTimeout, q.MaxReceiveCount
				}
			}
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b consumer) int { return strings.Compare(a.id, b.id) })
	return out
}

// A batch must end within its function's timeout even when every record takes as long as its
// HTTP timeouts allow; otherwise the whole batch times out and every record in it spends an
// attempt. And the queue hides a received message for at least 6 times the function's timeout
// (AWS's advice for Lambda event sources), so that a batch still running is not received again.
func TestQueueConsumersFinishWithinTheirTimeouts(t *testing.T) {
	t.Parallel()
	// The longest a single record can take, from the HTTP client timeouts set in shared/app:
	// a WhatsApp media copy is a Graph API lookup then the download (2 minutes each), plus the
	// write to S3; a reply is one provider request (Graph API 15 s, Twilio 10 s). The router
	// calls only DynamoDB (and SES for notices), without a timeout of its own.
	const margin = 30 // seconds for S3, DynamoDB and the start of the batch
	perRecord := map[string]int{
		"MediaFunction":    2*120 + margin,
		"DispatchFunction": 15,
	}
	cs := consumers(t)
	if len(cs) != 3 {
		t.Fatalf("consumers = %v", cs)
	}
	for _, c := range cs {
		if c.visibility < 6*c.timeout {
			t.Errorf("%s: %s VisibilityTimeout %d s, want at least 6 × its %d s timeout = %d s", c.id, c.queue, c.visibility, c.timeout, 6*c.timeout)
		}
		if per, ok := perRecord[c.id]; ok {
			if worst := c.batch * per; worst > c.timeout {
				t.Errorf("%s: %d records × %d s = %d s can exceed its %d s timeout", c.id, c.batch, per, worst, c.timeout)
			}
		}
	}
}

// The consumers that count attempts themselves (media copies, replies) give up, and mark the
// file or reply failed, before the queue's redrive moves the message to the DLQ: each sets its
// own attempts variable below its queue's maxReceiveCount.
func TestAttemptsStayBelowTheQueuesMaxReceiveCount(t *testing.T) {
	t.Parallel()
	attemptsVar := map[string]string{"MediaFunction": "MEDIA_ATTEMPTS", "DispatchFunction": "SEND_ATTEMPTS"}
	for _, c := range consumers(t) {
		name, ok := attemptsVar[c.id]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(c.env[name])
		if err != nil {
			t.Errorf("%s: %s = %q, want a number (set: %v)", c.id, name, c.env[name], c.env)
			continue
		}
		if n < 1 || n >= c.recv {
			t.Errorf("%s: %s = %d, want 1 … %d (its queue's maxReceiveCount %d)", c.id, name, n, c.recv-1, c.recv)
		}
		delete(attemptsVar, c.id)
	}
	if len(attemptsVar) > 0 {
		t.Errorf("no SQS consumer %v", attemptsVar)
	}
}
