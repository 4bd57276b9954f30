package samtemplate

import (
	"encoding/json"
	"strings"
	"testing"
)

// The live updates: a WebSocket API of raw ApiGatewayV2 resources whose three routes reach
// WsFunction (allowed to invoke it), a deployed stage the functions push to, the table's stream
// feeding RealtimeFunction with partial batch failures, a filter and an OnFailure queue.
func TestLiveUpdatesResources(t *testing.T) {
	t.Parallel()
	doc, _ := loadRaw(t)
	res := doc.Resources
	api := res["WebSocketApi"]
	if api.Type != "AWS::ApiGatewayV2::Api" || api.Properties["ProtocolType"].Value != "WEBSOCKET" ||
		api.Properties["RouteSelectionExpression"].Value != "$request.body.action" {
		t.Errorf("WebSocketApi: %s %q %q", api.Type, api.Properties["ProtocolType"].Value, api.Properties["RouteSelectionExpression"].Value)
	}
	integ := res["WebSocketIntegration"]
	if integ.Type != "AWS::ApiGatewayV2::Integration" || integ.Properties["IntegrationType"].Value != "AWS_PROXY" ||
		!strings.Contains(integ.Properties["IntegrationUri"].Value, "${WsFunction.Arn}") {
		t.Errorf("WebSocketIntegration does not proxy to WsFunction: %q", integ.Properties["IntegrationUri"].Value)
	}
	routes := map[string]bool{}
	for id, r := range res {
		// The agents' API's routes (the api function's) are TestAgentsSignIn's.
		if r.Type != "AWS::ApiGatewayV2::Route" || r.Properties["ApiId"].Value == "AgentApi" {
			continue
		}
		if r.Properties["Target"].Value != "integrations/${WebSocketIntegration}" || r.Properties["ApiId"].Value != "WebSocketApi" {
			t.Errorf("%s: target %q api %q", id, r.Properties["Target"].Value, r.Properties["ApiId"].Value)
		}
		routes[r.Properties["RouteKey"].Value] = true
	}
	for _, k := range []string{"$connect", "$disconnect", "$default"} {
		if !routes[k] {
			t.Errorf("no route %s", k)
		}
	}
	if st := res["WebSocketStage"]; st.Properties["StageName"].Value != "live" || st.Properties["DeploymentId"].Value != "WebSocketDeployment" {
		t.Errorf("WebSocketStage: stage %q deployment %q", st.Properties["StageName"].Value, st.Properties["DeploymentId"].Value)
	}
	if p := res["WsFunctionPermission"]; p.Properties["Principal"].Value != "apigateway.amazonaws.com" ||
		p.Properties["FunctionName"].Value != "WsFunction" || !strings.Contains(p.Properties["SourceArn"].Value, "${WebSocketApi}/*") {
		t.Errorf("WsFunctionPermission: %q %q %q", p.Properties["Principal"].Value, p.Properties["FunctionName"].Value, p.Properties["SourceArn"].Value)
	}
	// Both functions push to the stage the API deploys, and may.
	for _, fn := range []string{"WsFunction", "RealtimeFunction"} {
		props := res[fn].Properties
		env := child(child(props["Environment"], "Variables"), "WS_ENDPOINT")
		if !strings.HasSuffix(env.Value, "${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live") {
			t.Errorf("%s WS_ENDPOINT = %q", fn, env.Value)
		}
		found := false
		for _, pol := range props["Policies"].Content {
			for _, st := range child(*pol, "Statement").Content {
				for _, a := range child(*st, "Action").Content {
					if a.Value == "execute-api:ManageConnections" && strings.Contains(child(*st, "Resource").Value, "${WebSocketApi}/live/POST/@connections/*") {
						found = true
					}
				}
			}
		}
		if !found {
			t.Errorf("%s may not post to the stage's connections", fn)
		}
	}
	// The browsers' functions tell their clients the stage's URL: the agent app (api) and the
	// chat widget (chat: its config's liveUrl and its frame's CSP), since the WebSocket API has
	// a host of its own.
	for _, fn := range []string{"ApiFunction", "ChatFunction"} {
		env := child(child(res[fn].Properties["Environment"], "Variables"), "WS_ENDPOINT")
		if !strings.HasSuffix(env.Value, "${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live") {
			t.Errorf("%s WS_ENDPOINT = %q: its browsers would not find the live channel", fn, env.Value)
		}
	}
	if v := child(res["Table"].Properties["StreamSpecification"], "StreamViewType").Value; v != "KEYS_ONLY" {
		t.Errorf("table stream view %q, want KEYS_ONLY", v)
	}
	ev := child(child(res["RealtimeFunction"].Properties["Events"], "Changes"), "Properties")
	if s := child(ev, "Stream"); s.Tag != "!GetAtt" || s.Value != "Table.StreamArn" {
		t.Errorf("RealtimeFunction stream %s %q", s.Tag, s.Value)
	}
	if frt := child(ev, "FunctionResponseTypes"); len(frt.Content) != 1 || frt.Content[0].Value != "ReportBatchItemFailures" {
		t.Error("RealtimeFunction without ReportBatchItemFailures")
	}
	if d := child(child(child(ev, "DestinationConfig"), "OnFailure"), "Destination"); d.Value != "RealtimeDLQ.Arn" {
		t.Errorf("RealtimeFunction OnFailure %q", d.Value)
	}
	// The filter lets through exactly what dynamo.ChangeEvent turns into events.
	filters := child(child(ev, "FilterCriteria"), "Filters")
	if len(filters.Content) != 1 {
		t.Fatalf("%d filters", len(filters.Content))
	}
	var pat struct {
		Dynamodb struct {
			Keys struct {
				SK struct {
					S []any `json:"S"`
				} `json:"sk"`
			} `json:"Keys"`
		} `json:"dynamodb"`
	}
	if err := json.Unmarshal([]byte(child(*filters.Content[0], "Pattern").Value), &pat); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pat.Dynamodb.Keys.SK.S)
	if string(b) != `["CV",{"prefix":"M#"},{"prefix":"TICKET#"}]` {
		t.Errorf("filter on sk = %s", b)
	}
}
