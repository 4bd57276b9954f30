package samtemplate

import (
	"fmt"

	"gopkg.in/yaml.v3"
	"sort"
	"strings"
)

// Function is a serverless function of the template.
type Function struct {
	// LogicalID is the resource name, for example "ApiFunction".
	LogicalID string
	// CodeURI is the folder of its main package, relative to the template.
	CodeURI string
	// Routes are its HttpApi events and the raw AWS::ApiGatewayV2::Route resources that reach
	// it (the api function's); Queues the logical ids of the queues it consumes.
	Routes []Route
	Queues []string
	// BatchFailures reports whether its SQS events use ReportBatchItemFailures.
	BatchFailures bool
	// Schedules are the expressions of its Schedule events ("rate(1 minute)"), sorted.
	Schedules []string
	// SES reports whether SES receipt rules may invoke it: an AWS::Lambda::Permission grants
	// lambda:InvokeFunction on it to ses.amazonaws.com.
	SES bool
	// Stream reports whether a DynamoDB Stream feeds it (its failures go to the event source
	// mapping's OnFailure destination, not to an asynchronous invocation's DLQ).
	Stream bool
}

// Route is one HTTP API route.
type Route struct {
	Method string // "POST", or "ANY"
	Path   string // "/webhooks/twilio/{channelId}", "/v1/{proxy+}"
	// Public is true when the route has no authorizer (webhooks).
	Public   bool
	Function string
}

// Functions returns the template's functions, sorted by logical id, with their routes (SAM
// HttpApi events and raw routes). It returns an error when a function has no string CodeUri, an
// HttpApi event has no path or method, or a permission for SES names no function of the
// template.
func (t *Template) Functions() ([]Function, error) {
	all := t.cf.GetAllServerlessFunctionResources()
	for id := range t.sesInvoked {
		if _, ok := all[id]; !ok {
			return nil, fmt.Errorf("samtemplate: the permission for SES names %s, which is not a serverless function", id)
		}
	}
	var out []Function
	for id, f := range all {
		fn := Function{LogicalID: id, SES: t.sesInvoked[id]}
		if f.CodeUri == nil || f.CodeUri.String == nil {
			return nil, fmt.Errorf("samtemplate: %s has no CodeUri folder", id)
		}
		fn.CodeURI = strings.TrimSuffix(*f.CodeUri.String, "/")
		for name, ev := range f.Events {
			switch ev.Type {
			case "HttpApi":
				h := ev.Properties.HttpApiEvent
				if h == nil || h.Path == nil || h.Method == nil {
					return nil, fmt.Errorf("samtemplate: %s event %s: HttpApi without Path or Method", id, name)
				}
				public := h.Auth != nil && h.Auth.Authorizer != nil && *h.Auth.Authorizer == "NONE"
				fn.Routes = append(fn.Routes, Route{Method: strings.ToUpper(*h.Method), Path: *h.Path, Public: public, Function: id})
			case "SQS":
				// goformation's SQS event model lacks FunctionResponseTypes (and so fails to decode
				// it): read that event from the YAML itself.
				q, ok := t.sqsEvents[id][name]
				if !ok {
					return nil, fmt.Errorf("samtemplate: %s event %s: SQS event not found in YAML", id, name)
				}
				fn.Queues = append(fn.Queues, q.queue)
				fn.BatchFailures = fn.BatchFailures || q.batchFailures
			case "DynamoDB":
				fn.Stream = true
			case "Schedule":
				sc := ev.Properties.ScheduleEvent
				if sc == nil || sc.Schedule == "" {
					return nil, fmt.Errorf("samtemplate: %s event %s: Schedule without a schedule expression", id, name)
				}
				fn.Schedules = append(fn.Schedules, sc.Schedule)
			}
		}
		for _, r := range t.rawRoutes {
			if r.route.Function == id {
				fn.Routes = append(fn.Routes, r.route)
			}
		}
		sort.Slice(fn.Routes, func(i, j int) bool { return fn.Routes[i].Path < fn.Routes[j].Path })
		sort.Strings(fn.Schedules)
		out = append(out, fn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LogicalID < out[j].LogicalID })
	return out, nil
}

// Routes returns every HTTP route of the template.
func (t *Template) Routes() ([]Route, error) {
	fns, err := t.Functions()
	if err != nil {
		return nil, err
	}
	var out []Route
	for _, f := range fns {
		out = append(out, f.Routes...)
	}
	return out, nil
}

type sqsEvent struct {
	queue         string
	batchFailures bool
}

// rawSQSEvents reads every function's SQS events from the template's YAML: the logical id of
// the queue (from !GetAtt X.Arn) and whether ReportBatchItemFailures is on.
func rawSQSEvents(data []byte) (map[string]map[string]sqsEvent, map[string]redrive, error) {
	var doc struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				RedrivePolicy struct {
					Target     yaml.Node `yaml:"deadLetterTargetArn"`
					MaxReceive int       `yaml:"maxReceiveCount"`
				} `yaml:"RedrivePolicy"`
				Events map[string]struct {
					Type       string `yaml:"Type"`
					Properties struct {
						Queue                 yaml.Node `yaml:"Queue"`
						FunctionResponseTypes []string  `yaml:"FunctionResponseTypes"`
					} `yaml:"Properties"`
				} `yaml:"Events"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("samtemplate: %w", err)
	}
	out := map[string]map[string]sqsEvent{}
	rd := map[string]redrive{}
	for id, r := range doc.Resources {
		if r.Type == "AWS::SQS::Queue" && r.Properties.RedrivePolicy.MaxReceive > 0 {
			tg := r.Properties.RedrivePolicy.Target
			if tg.Tag != "!GetAtt" || !strings.HasSuffix(tg.Value, ".Arn") {
				return nil, nil, fmt.Errorf("samtemplate: %s RedrivePolicy: deadLetterTargetArn must be !GetAtt Queue.Arn", id)
			}
			rd[id] = redrive{target: strings.TrimSuffix(tg.Value, ".Arn"), maxReceive: r.Properties.RedrivePolicy.MaxReceive}
		}
		for name, ev := range r.Properties.Events {
			if ev.Type != "SQS" {
				continue
			}
			q := ev.Properties.Queue.Value
			if ev.Properties.Queue.Tag == "!GetAtt" {
				q = strings.TrimSuffix(q, ".Arn")
			}
			e := sqsEvent{queue: q}
			for _, rt := range ev.Properties.FunctionResponseTypes {
				e.batchFailures = e.batchFailures || rt == "ReportBatchItemFailures"
			}
			if out[id] == nil {
				out[id] = map[string]sqsEvent{}
			}
			out[id][name] = e
		}
	}
	return out, rd, nil
}

type redrive struct {
	target     string
	maxReceive int
}
