package samtemplate

import (
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// The functions that route conversations (the router on arrival, the API and the schedule when
// queues drain) may email away contact owners: each may send through SES from
// NotificationFromAddress only, and NOTIFY_FROM reaches every function.
func TestNotificationSenders(t *testing.T) {
	t.Parallel()
	_, data := readTemplate(t)
	var doc struct {
		Globals struct {
			Function struct {
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Policies []struct {
					Statement []struct {
						Action    []string                        `yaml:"Action"`
						Condition map[string]map[string]yaml.Node `yaml:"Condition"`
					} `yaml:"Statement"`
				} `yaml:"Policies"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if n := doc.Globals.Function.Environment.Variables["NOTIFY_FROM"]; n.Tag != "!Ref" || n.Value != "NotificationFromAddress" {
		t.Errorf("Globals NOTIFY_FROM = %s %q, want !Ref NotificationFromAddress", n.Tag, n.Value)
	}
	var senders []string
	for id, r := range doc.Resources {
		if r.Type != "AWS::Serverless::Function" || id == "DispatchFunction" { // dispatch sends replies
			continue
		}
		for _, p := range r.Properties.Policies {
			for _, s := range p.Statement {
				if !slices.Contains(s.Action, "ses:SendRawEmail") {
					continue
				}
				from := s.Condition["StringEquals"]["ses:FromAddress"]
				if from.Tag != "!Ref" || from.Value != "NotificationFromAddress" {
					t.Errorf("%s may send email from %s %q, want only NotificationFromAddress", id, from.Tag, from.Value)
				}
				senders = append(senders, id)
			}
		}
	}
	slices.Sort(senders)
	if want := []string{"ApiFunction", "RouterFunction", "ScheduleFunction"}; !slices.Equal(senders, want) {
		t.Errorf("functions that may send notifications = %v, want %v", senders, want)
	}
}
