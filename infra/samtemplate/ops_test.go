package samtemplate

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// child returns the value of key in mapping n, or an empty node.
func child(n yaml.Node, key string) yaml.Node {
	if m := mapValue(&n, key); m != nil {
		return *m
	}
	return yaml.Node{}
}

// Operations: logs kept for a set time, an API that limits what its public routes take and logs
// every request, alarms on every function, the API and the dead letters that reach someone (or an
// output that says nobody), and buckets that refuse plain HTTP.
func TestOperationsAreCovered(t *testing.T) {
	t.Parallel()
	doc, _ := loadRaw(t)
	logGroups := map[string]bool{}
	for id, r := range doc.Resources {
		if r.Type == "AWS::Logs::LogGroup" {
			if n := r.Properties["RetentionInDays"]; n.Tag != "!Ref" || n.Value != "LogRetentionDays" {
				t.Errorf("%s: RetentionInDays %s %q, want !Ref LogRetentionDays", id, n.Tag, n.Value)
			}
			logGroups[id] = true
		}
	}

	// Every function logs to a group of the template, and fails into an alarm.
	errorAlarms := map[string]bool{}
	var alarms []string
	for id, r := range doc.Resources {
		if r.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		alarms = append(alarms, id)
		actions := r.Properties["AlarmActions"]
		if len(actions.Content) != 1 || actions.Content[0].Tag != "!Ref" || actions.Content[0].Value != "AlarmTopic" {
			t.Errorf("%s: AlarmActions do not notify AlarmTopic", id)
		}
		if r.Properties["MetricName"].Value == "Errors" && r.Properties["Namespace"].Value == "AWS/Lambda" {
			for _, d := range r.Properties["Dimensions"].Content {
				if child(*d, "Name").Value == "FunctionName" {
					errorAlarms[child(*d, "Value").Value] = true
				}
			}
		}
	}
	for id, r := range doc.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		lg := child(r.Properties["LoggingConfig"], "LogGroup")
		if lg.Tag != "!Ref" || !logGroups[lg.Value] {
			t.Errorf("%s: LoggingConfig LogGroup %s %q, want !Ref to a log group of the template", id, lg.Tag, lg.Value)
		}
		if !errorAlarms[id] {
			t.Errorf("%s: no alarm on its Errors", id)
		}
	}
	for _, metric := range []string{"Throttles", "5xx"} {
		found := false
		for _, id := range alarms {
			found = found || doc.Resources[id].Properties["MetricName"].Value == metric
		}
		if !found {
			t.Errorf("no alarm on %s", metric)
		}
	}
	// Nobody subscribed: the deploy says so.
	out, ok := doc.Outputs["AlarmsNotifyNobody"]
	cond := doc.Conditions[out.Condition]
	if !ok || cond.Tag != "!Equals" || len(cond.Content) != 2 || cond.Content[0].Value != "AlarmEmail" || cond.Content[1].Value != "" ||
		!strings.Contains(out.Value.Value, "NOBODY") {
		t.Errorf("AlarmsNotifyNobody output: condition %s %v, value %q", out.Condition, cond.Content, out.Value.Value)
	}

	// Both HTTP APIs (the webhooks' and the agents' stage): throttled per route, every request
	// in the access log, the same way; each with an alarm on its 5xx.
	format := child(doc.Resources["HttpApi"].Properties["AccessLogSettings"], "Format").Value
	for _, id := range []string{"HttpApi", "AgentApiStage"} {
		api := doc.Resources[id].Properties
		routes := api["DefaultRouteSettings"]
		if child(routes, "ThrottlingRateLimit").Value != "ApiRateLimit" || child(routes, "ThrottlingBurstLimit").Value != "ApiBurstLimit" {
			t.Errorf("%s DefaultRouteSettings = %v, want throttling from ApiRateLimit and ApiBurstLimit", id, routes.Content)
		}
		dest := child(api["AccessLogSettings"], "DestinationArn")
		if dest.Tag != "!GetAtt" || !logGroups[strings.TrimSuffix(dest.Value, ".Arn")] || format == "" || child(api["AccessLogSettings"], "Format").Value != format {
			t.Errorf("%s AccessLogSettings: DestinationArn %s %q, want !GetAtt <log group>.Arn and the HttpApi's format", id, dest.Tag, dest.Value)
		}
	}
	for _, api := range []string{"HttpApi", "AgentApi"} {
		found := false
		for _, id := range alarms {
			p := doc.Resources[id].Properties
			for _, d := range p["Dimensions"].Content {
				found = found || p["MetricName"].Value == "5xx" && child(*d, "Name").Value == "ApiId" && child(*d, "Value").Value == api
			}
		}
		if !found {
			t.Errorf("no alarm on the 5xx of %s", api)
		}
	}

	// Buckets refuse plain HTTP.
	tls := map[string]bool{}
	for _, r := range doc.Resources {
		if r.Type != "AWS::S3::BucketPolicy" {
			continue
		}
		for _, st := range child(r.Properties["PolicyDocument"], "Statement").Content {
			cond := child(child(*st, "Condition"), "Bool")
			if child(*st, "Effect").Value == "Deny" && child(cond, "aws:SecureTransport").Value == "false" {
				var res []string
				for _, n := range child(*st, "Resource").Content {
					res = append(res, n.Tag+" "+n.Value)
				}
				bucket := r.Properties["Bucket"].Value
				if slices.Contains(res, "!GetAtt "+bucket+".Arn") && slices.Contains(res, "!Sub ${"+bucket+".Arn}/*") {
					tls[bucket] = true
				}
			}
		}
	}
	for id, r := range doc.Resources {
		if r.Type == "AWS::S3::Bucket" && !tls[id] {
			t.Errorf("%s: no bucket policy denying requests without TLS on the bucket and its objects", id)
		}
	}
	// Uploads that never completed do not stay.
	if !strings.Contains(nodeText(doc.Resources["MediaBucket"].Properties["LifecycleConfiguration"]), "AbortIncompleteMultipartUpload") {
		t.Error("MediaBucket: no lifecycle rule for incomplete uploads")
	}
	// Agents' uploads are temporary (uploads/, shared/httpapi's uploadKey) and expire; the
	// files replies keep (files/, attachedKey) and media copies never do. The API may write
	// where a reply keeps its copy.
	var lc struct {
		Rules []struct {
			Status           string `yaml:"Status"`
			Prefix           string `yaml:"Prefix"`
			ExpirationInDays int    `yaml:"ExpirationInDays"`
		} `yaml:"Rules"`
	}
	node := doc.Resources["MediaBucket"].Properties["LifecycleConfiguration"]
	if err := node.Decode(&lc); err != nil {
		t.Fatal(err)
	}
	expires := false
	for _, r := range lc.Rules {
		if r.ExpirationInDays == 0 || r.Status != "Enabled" {
			continue
		}
		if r.Prefix != "uploads/" {
			t.Errorf("MediaBucket: a rule expires objects under %q; only uploads/ is temporary", r.Prefix)
		}
		expires = true
	}
	if !expires {
		t.Error("MediaBucket: no lifecycle rule expires the temporary uploads/")
	}
	if api := nodeText(doc.Resources["ApiFunction"].Properties["Policies"]); !strings.Contains(api, "${MediaBucket.Arn}/files/*") {
		t.Error("ApiFunction may not write files/, where a reply keeps the uploads it attaches")
	}
}

func nodeText(n yaml.Node) string {
	b, _ := yaml.Marshal(&n)
	return string(b)
}
