package samtemplate

import (
	"slices"
	"strings"
	"testing"
)

// An upgrade cannot take the agents' API or web app away: API Gateway reimports an API defined
// by an OpenAPI body (a SAM HttpApi) whenever the body changes, and drops the routes,
// integrations and authorizers made beside it while CloudFormation still lists them
// (aws/serverless-application-model#1971, #1650). So no such resource may belong to an API with
// a body; /v1 and /app are raw routes of an API without one, deployed by a $default stage that
// deploys every change; and the URLs the stack and the api function give out name the API that
// serves them.
func TestAgentRoutesSurviveUpgrades(t *testing.T) {
	t.Parallel()
	doc, _ := loadRaw(t)
	res := doc.Resources
	bodyless := func(api string) bool {
		r, ok := res[api]
		_, body := r.Properties["Body"]
		_, s3 := r.Properties["BodyS3Location"]
		return ok && r.Type == "AWS::ApiGatewayV2::Api" && r.Properties["ProtocolType"].Value == "HTTP" && !body && !s3
	}
	for id, r := range res {
		if !definesAPI[r.Type] || r.Properties["ProtocolType"].Value == "WEBSOCKET" {
			continue
		}
		api := r.Properties["ApiId"]
		if res[api.Value].Properties["ProtocolType"].Value == "WEBSOCKET" {
			continue
		}
		if api.Tag != "!Ref" || !bodyless(api.Value) {
			t.Errorf("%s (%s) belongs to %s %s (%s), not to an HTTP API without an OpenAPI body: a reimport would drop it",
				id, r.Type, api.Tag, api.Value, res[api.Value].Type)
		}
	}

	tpl, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	apis := map[string]bool{}
	for _, r := range tpl.rawRoutes {
		got = append(got, r.route.Function+" "+r.route.Method+" "+r.route.Path)
		apis[r.api] = true
	}
	slices.Sort(got)
	want := []string{"ApiFunction ANY /v1/{proxy+}", "ApiFunction GET /app", "ApiFunction GET /app/{proxy+}"}
	if !slices.Equal(got, want) {
		t.Errorf("raw routes %q, want %q", got, want)
	}
	for api := range apis {
		deployed := false
		for _, r := range res {
			p := r.Properties
			deployed = deployed || r.Type == "AWS::ApiGatewayV2::Stage" && p["ApiId"].Tag == "!Ref" && p["ApiId"].Value == api &&
				p["StageName"].Value == "$default" && p["AutoDeploy"].Value == "true"
		}
		if !deployed {
			t.Errorf("%s has no $default stage with AutoDeploy: its routes would not be served", api)
		}
	}

	// The URLs: the stack's outputs, the webhook and embed URLs the api function shows, the
	// origins the chat frame lets preview it.
	own := map[string]bool{"CreateCognito": true, "HasPublicBaseUrl": false, "HasAgentBaseUrl": false}
	custom := map[string]bool{"CreateCognito": true, "HasPublicBaseUrl": true, "HasAgentBaseUrl": true}
	hooks := "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
	agents := "https://${AgentApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
	for _, tc := range []struct {
		conds                                   map[string]bool
		apiURL, webApp, webhooks, base, origins string
	}{
		{own, agents, agents + "/app/", hooks, hooks, agents},
		{custom, "Ref AgentBaseUrl", "${AgentBaseUrl}/app/", "Ref PublicBaseUrl", "Ref PublicBaseUrl", agents + ",${AgentBaseUrl}"},
	} {
		for name, want := range map[string]string{"ApiUrl": tc.apiURL, "WebAppUrl": tc.webApp, "WebhooksUrl": tc.webhooks} {
			v := doc.Outputs[name].Value
			if got := resolve(t, &v, tc.conds); got != want {
				t.Errorf("custom domains %v: output %s = %s, want %s", tc.conds["HasAgentBaseUrl"], name, got, want)
			}
		}
		for _, e := range []struct{ fn, name, want string }{
			{"ApiFunction", "PUBLIC_BASE_URL", tc.base}, {"DispatchFunction", "PUBLIC_BASE_URL", tc.base},
			{"ChatFunction", "AGENT_APP_ORIGINS", tc.origins},
		} {
			v := child(child(res[e.fn].Properties["Environment"], "Variables"), e.name)
			if got := resolve(t, &v, tc.conds); got != e.want {
				t.Errorf("custom domains %v: %s %s = %s, want %s", tc.conds["HasAgentBaseUrl"], e.fn, e.name, got, e.want)
			}
		}
	}
}

// The template reader refuses what a reimport would drop: a raw route, integration or
// authorizer of a SAM HttpApi (the template before the agents' API had its own), or of a raw
// API given an OpenAPI body.
func TestRawRoutesBesideABodyAreRefused(t *testing.T) {
	t.Parallel()
	_, data := readTemplate(t)
	const api = "  AgentApi:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n"
	if !strings.Contains(string(data), api) {
		t.Fatalf("template.yaml: %q moved; update this test", api)
	}
	for _, tc := range []struct {
		name, old, new string
		refused        bool
	}{
		{"as it is", "", "", false},
		{"on the SAM HttpApi", "ApiId: !Ref AgentApi", "ApiId: !Ref HttpApi", true},
		{"on an API with a body", api, api + "      Body: { openapi: 3.0.1, info: { title: x, version: '1' }, paths: {} }\n", true},
		{"on an API with a body in S3", api, api + "      BodyS3Location: { Bucket: b, Key: k }\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			changed := string(data)
			if tc.old != "" {
				changed = strings.ReplaceAll(changed, tc.old, tc.new)
				if changed == string(data) {
					t.Fatalf("%q not in template.yaml", tc.old)
				}
			}
			_, err := rawHTTPRoutes([]byte(changed))
			if tc.refused != (err != nil) {
				t.Errorf("refused %v, want %v (%v)", err != nil, tc.refused, err)
			}
			if err != nil && !strings.Contains(err.Error(), "OpenAPI body") {
				t.Errorf("error %q does not say why", err)
			}
		})
	}
}
