package samtemplate

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// apiGatewayPrincipal is the service principal API Gateway invokes functions as.
const apiGatewayPrincipal = "apigateway.amazonaws.com"

// rawRoute is a route of a SAM HttpApi written as raw resources (AWS::ApiGatewayV2::Route →
// Integration → function), as the api function's are (template.yaml says why).
type rawRoute struct {
	id    string
	route Route
}

// targetRef matches a route's Target, !Sub "integrations/${Integration}".
var targetRef = regexp.MustCompile(`^integrations/\$\{([A-Za-z0-9]+)\}$`)

// rawHTTPRoutes reads the raw routes of the template's SAM HttpApis from its YAML (goformation
// resolves !Ref, !Sub and !GetAtt to nothing). It returns an error when such a route's Target is
// not !Sub "integrations/${Integration}" of an AWS_PROXY integration of the same API whose
// IntegrationUri is !GetAtt Function.Arn; when a JWT route names no authorizer of that API; or
// when no AWS::Lambda::Permission lets API Gateway invoke the function (API Gateway would
// answer 500).
func rawHTTPRoutes(data []byte) ([]rawRoute, error) {
	var doc struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
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
	isHTTPAPI := func(n yaml.Node) bool {
		return n.Tag == "!Ref" && doc.Resources[n.Value].Type == "AWS::Serverless::HttpApi"
	}
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
		out = append(out, rawRoute{id: id, route: Route{Method: strings.ToUpper(method), Path: path, Public: public, Function: fn}})
	}
	return out, nil
}
