package samtemplate

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// apiGatewayPrincipal is the service principal API Gateway invokes functions as.
const apiGatewayPrincipal = "apigateway.amazonaws.com"

// rawRoute is a route of an HTTP API written as raw resources (AWS::ApiGatewayV2::Route →
// Integration → function), as the api function's are on AgentApi (template.yaml says why).
type rawRoute struct {
	id    string
	api   string // logical id of its AWS::ApiGatewayV2::Api
	route Route
}

// definesAPI are the resources that are part of an API's definition, which an import of an
// OpenAPI body replaces (stages, mappings and deployments are not).
var definesAPI = map[string]bool{
	"AWS::ApiGatewayV2::Route": true, "AWS::ApiGatewayV2::Integration": true, "AWS::ApiGatewayV2::Authorizer": true,
	"AWS::ApiGatewayV2::RouteResponse": true, "AWS::ApiGatewayV2::IntegrationResponse": true, "AWS::ApiGatewayV2::Model": true,
}

// targetRef matches a route's Target, !Sub "integrations/${Integration}".
var targetRef = regexp.MustCompile(`^integrations/\$\{([A-Za-z0-9]+)\}$`)

// rawHTTPRoutes reads the raw routes of the template's HTTP APIs from its YAML (goformation
// resolves !Ref, !Sub and !GetAtt to nothing). It returns an error when a raw route,
// integration or authorizer belongs to an API defined by an OpenAPI body (a SAM HttpApi, or an
// AWS::ApiGatewayV2::Api with Body or BodyS3Location: API Gateway reimports the body when it
// changes and drops what was made beside it); when a route's Target is not !Sub
// "integrations/${Integration}" of an AWS_PROXY integration of the same API whose
// IntegrationUri is !GetAtt Function.Arn; when a JWT route names no authorizer of that API; or
// when no AWS::Lambda::Permission lets API Gateway invoke the function (API Gateway would
// answer 500).
func rawHTTPRoutes(data []byte) ([]rawRoute, error) {
	var doc struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				ProtocolType      string    `yaml:"ProtocolType"`
				Body              yaml.Node `yaml:"Body"`
				BodyS3Location    yaml.Node `yaml:"BodyS3Location"`
				ApiId             yaml.Node `yaml:"ApiId"`
				RouteKey          string    `yaml:"RouteKey"`
				AuthorizationType string    `yaml:"AuthorizationType"`
				AuthorizerId      yaml.Node `yaml:"AuthorizerId"`
				Target            yaml.Node `yaml:"Target"`
				IntegrationType   string    `yaml:"IntegrationType"`
				IntegrationUri    yaml.Node `yaml:"IntegrationUri"`
				Action            string    `yaml:"Action"`
				Principal         string    `yaml:"Principal"`
				FunctionName      yaml.Node `yaml:"FunctionName"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	// bodied are the APIs API Gateway reimports from an OpenAPI document; httpAPIs the raw ones.
	bodied, httpAPIs := map[string]bool{}, map[string]bool{}
	for id, r := range doc.Resources {
		switch {
		case r.Type == "AWS::Serverless::HttpApi" || r.Type == "AWS::Serverless::Api":
			bodied[id] = true
		case r.Type == "AWS::ApiGatewayV2::Api" && (!r.Properties.Body.IsZero() || !r.Properties.BodyS3Location.IsZero()):
			bodied[id] = true
		case r.Type == "AWS::ApiGatewayV2::Api" && r.Properties.ProtocolType == "HTTP":
			httpAPIs[id] = true
		}
	}
	for id, r := range doc.Resources {
		if definesAPI[r.Type] && bodied[r.Properties.ApiId.Value] {
			return nil, fmt.Errorf("samtemplate: %s (%s) is made beside the OpenAPI body of %s, which API Gateway reimports on every change of it, dropping %s: put it on an API without a body", id, r.Type, r.Properties.ApiId.Value, id)
		}
	}
	isHTTPAPI := func(n yaml.Node) bool { return n.Tag == "!Ref" && httpAPIs[n.Value] }
	invokable := map[string]bool{}
	for _, r := range doc.Resources {
		p := r.Properties
		if r.Type == "AWS::Lambda::Permission" && p.Principal == apiGatewayPrincipal && p.Action == "lambda:InvokeFunction" {
			invokable[functionRef(p.FunctionName)] = true
		}
	}
	var out []rawRoute
	for id, r := range doc.Resources {
		p := r.Properties
		if r.Type != "AWS::ApiGatewayV2::Route" || !isHTTPAPI(p.ApiId) {
			continue
		}
		method, path, ok := strings.Cut(p.RouteKey, " ")
		if !ok || method == "" || !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("samtemplate: %s: RouteKey %q is not \"METHOD /path\"", id, p.RouteKey)
		}
		m := targetRef.FindStringSubmatch(p.Target.Value)
		if p.Target.Tag != "!Sub" || m == nil {
			return nil, fmt.Errorf("samtemplate: %s: Target must be !Sub \"integrations/${Integration}\"", id)
		}
		in, ok := doc.Resources[m[1]]
		if !ok || in.Type != "AWS::ApiGatewayV2::Integration" || in.Properties.ApiId.Value != p.ApiId.Value || in.Properties.IntegrationType != "AWS_PROXY" {
			return nil, fmt.Errorf("samtemplate: %s: %s is not an AWS_PROXY integration of %s", id, m[1], p.ApiId.Value)
		}
		fn := functionRef(in.Properties.IntegrationUri)
		if doc.Resources[fn].Type != "AWS::Serverless::Function" {
			return nil, fmt.Errorf("samtemplate: %s: IntegrationUri must be !GetAtt Function.Arn of a serverless function", m[1])
		}
		if !invokable[fn] {
			return nil, fmt.Errorf("samtemplate: %s: no AWS::Lambda::Permission lets %s invoke %s", id, apiGatewayPrincipal, fn)
		}
		public := p.AuthorizationType == "NONE"
		if !public {
			a, ok := doc.Resources[p.AuthorizerId.Value]
			if p.AuthorizationType != "JWT" || p.AuthorizerId.Tag != "!Ref" || !ok || a.Type != "AWS::ApiGatewayV2::Authorizer" || a.Properties.ApiId.Value != p.ApiId.Value {
				return nil, fmt.Errorf("samtemplate: %s: AuthorizationType must be NONE, or JWT with AuthorizerId !Ref of an authorizer of %s", id, p.ApiId.Value)
			}
		}
		out = append(out, rawRoute{id: id, api: p.ApiId.Value, route: Route{Method: strings.ToUpper(method), Path: path, Public: public, Function: fn}})
	}
	return out, nil
}
