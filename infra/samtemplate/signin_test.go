package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// resolve renders a template value as text with the conditions given (true or false): !If
// takes its branch, !Ref X is "Ref X", !Sub s is s, !GetAtt X.Y is "GetAtt X.Y", sequences and
// !Join are "[a b]" and "Join(sep)[a b]". Anything else is its scalar value.
func resolve(t *testing.T, n *yaml.Node, conds map[string]bool) string {
	t.Helper()
	switch n.Tag {
	case "!If":
		c, ok := conds[n.Content[0].Value]
		if !ok {
			t.Fatalf("condition %s has no value here", n.Content[0].Value)
		}
		if c {
			return resolve(t, n.Content[1], conds)
		}
		return resolve(t, n.Content[2], conds)
	case "!Ref":
		return "Ref " + n.Value
	case "!GetAtt":
		return "GetAtt " + n.Value
	case "!Sub":
		return n.Value
	case "!Join":
		return "Join(" + n.Content[0].Value + ")" + resolve(t, n.Content[1], conds)
	}
	if n.Kind == yaml.SequenceNode {
		var parts []string
		for _, c := range n.Content {
			parts = append(parts, resolve(t, c, conds))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	if n.Kind == yaml.MappingNode {
		t.Fatalf("line %d: a mapping where a value was expected", n.Line)
	}
	return n.Value
}

// The web app signs in with the stack's user pool: a hosted-UI client (code flow with PKCE, no
// secret, openid/email/profile, the ID token carrying the account and role) whose callback is
// the app on the agents' API's URL and on AgentBaseUrl; a domain for the hosted UI; the api function
// told the endpoints and the client (or the external issuer's, from the parameters); the api
// function's routes behind an authorizer that accepts both clients' tokens (or JwtAudience), as
// the ws function does.
func TestAgentsSignIn(t *testing.T) {
	t.Parallel()
	doc, _ := loadRaw(t)
	res := doc.Resources
	prop := func(id, name string) *yaml.Node {
		t.Helper()
		n, ok := res[id].Properties[name]
		if !ok {
			t.Fatalf("%s has no %s", id, name)
		}
		return &n
	}
	cognito := map[string]bool{"CreateCognito": true, "HasPublicBaseUrl": false, "HasAgentBaseUrl": false}
	cognitoDomain := map[string]bool{"CreateCognito": true, "HasPublicBaseUrl": true, "HasAgentBaseUrl": true}
	external := map[string]bool{"CreateCognito": false, "HasPublicBaseUrl": false, "HasAgentBaseUrl": false}
	apiURL := "https://${AgentApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
	hosted := "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com/oauth2/"

	if res["AppClient"].Type != "AWS::Cognito::UserPoolClient" || res["AppClient"].Condition != "CreateCognito" {
		t.Fatalf("AppClient: %s, condition %q", res["AppClient"].Type, res["AppClient"].Condition)
	}
	for name, want := range map[string]string{
		"UserPoolId": "Ref UserPool", "GenerateSecret": "false", "AllowedOAuthFlowsUserPoolClient": "true",
		"AllowedOAuthFlows": "[code]", "AllowedOAuthScopes": "[openid email profile]", "SupportedIdentityProviders": "[COGNITO]",
	} {
		if got := resolve(t, prop("AppClient", name), cognito); got != want {
			t.Errorf("AppClient %s = %s, want %s", name, got, want)
		}
	}
	if got := resolve(t, prop("AppClient", "CallbackURLs"), cognito); got != "["+apiURL+"/app/]" {
		t.Errorf("AppClient callbacks = %s", got)
	}
	if got := resolve(t, prop("AppClient", "CallbackURLs"), cognitoDomain); got != "["+apiURL+"/app/ ${AgentBaseUrl}/app/]" {
		t.Errorf("AppClient callbacks with AgentBaseUrl = %s", got)
	}
	// shared/auth reads the account and role from the ID token: both clients must read them.
	for _, c := range []string{"AppClient", "UserPoolClient"} {
		got := resolve(t, prop(c, "ReadAttributes"), cognito)
		for _, a := range []string{"custom:account_id", "custom:role", "email", "name"} {
			if !strings.Contains(got, a) {
				t.Errorf("%s ReadAttributes %s lack %s", c, got, a)
			}
		}
	}
	if got := resolve(t, prop("UserPoolDomain", "Domain"), cognito); res["UserPoolDomain"].Type != "AWS::Cognito::UserPoolDomain" ||
		!strings.Contains(got, "Ref AWS::StackId") || resolve(t, prop("UserPoolDomain", "UserPoolId"), cognito) != "Ref UserPool" ||
		resolve(t, prop("UserPoolDomain", "ManagedLoginVersion"), cognito) != "1" {
		t.Errorf("UserPoolDomain: %s, domain %s", res["UserPoolDomain"].Type, got)
	}

	env := func(fn string, conds map[string]bool) map[string]string {
		t.Helper()
		var v struct {
			Variables map[string]yaml.Node `yaml:"Variables"`
		}
		if err := prop(fn, "Environment").Decode(&v); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, n := range v.Variables {
			out[k] = resolve(t, &n, conds)
		}
		return out
	}
	for _, tc := range []struct {
		conds                      map[string]bool
		authorize, token, clientID string
		audience, wsAudience       string
	}{
		{cognito, hosted + "authorize", hosted + "token", "Ref AppClient", "[Ref UserPoolClient Ref AppClient]", "Join(,)[Ref UserPoolClient Ref AppClient]"},
		{external, "Ref JwtAuthorizeUrl", "Ref JwtTokenUrl", "Ref JwtAudience", "[Ref JwtAudience]", "Ref JwtAudience"},
	} {
		e := env("ApiFunction", tc.conds)
		if e["AUTH_AUTHORIZE_URL"] != tc.authorize || e["AUTH_TOKEN_URL"] != tc.token || e["AUTH_CLIENT_ID"] != tc.clientID {
			t.Errorf("CreateCognito %v: ApiFunction AUTH_AUTHORIZE_URL %q AUTH_TOKEN_URL %q AUTH_CLIENT_ID %q", tc.conds["CreateCognito"],
				e["AUTH_AUTHORIZE_URL"], e["AUTH_TOKEN_URL"], e["AUTH_CLIENT_ID"])
		}
		var jwt struct {
			Issuer   yaml.Node `yaml:"Issuer"`
			Audience yaml.Node `yaml:"Audience"`
		}
		if err := prop("ApiAuthorizer", "JwtConfiguration").Decode(&jwt); err != nil {
			t.Fatal(err)
		}
		ws := env("WsFunction", tc.conds)
		if got := resolve(t, &jwt.Audience, tc.conds); got != tc.audience {
			t.Errorf("CreateCognito %v: ApiAuthorizer audience %s, want %s", tc.conds["CreateCognito"], got, tc.audience)
		}
		if ws["JWT_AUDIENCE"] != tc.wsAudience {
			t.Errorf("CreateCognito %v: WsFunction JWT_AUDIENCE %s, want %s", tc.conds["CreateCognito"], ws["JWT_AUDIENCE"], tc.wsAudience)
		}
		if got := resolve(t, &jwt.Issuer, tc.conds); got != ws["JWT_ISSUER"] {
			t.Errorf("CreateCognito %v: ApiAuthorizer issuer %s, WsFunction JWT_ISSUER %s", tc.conds["CreateCognito"], got, ws["JWT_ISSUER"])
		}
	}
	if got := resolve(t, prop("ApiAuthorizer", "ApiId"), cognito); got != "Ref AgentApi" || resolve(t, prop("ApiAuthorizer", "AuthorizerType"), cognito) != "JWT" ||
		resolve(t, prop("ApiAuthorizer", "IdentitySource"), cognito) != "[$request.header.Authorization]" {
		t.Errorf("ApiAuthorizer: api %s", got)
	}

	// The api function's routes, read as make run and the route tests read them.
	tpl, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, f := range fns {
		for _, r := range f.Routes {
			if strings.HasPrefix(r.Path, "/v1") || strings.HasPrefix(r.Path, "/app") {
				routes = append(routes, fmt.Sprintf("%s %s %s public=%v", f.LogicalID, r.Method, r.Path, r.Public))
			}
		}
	}
	slices.Sort(routes)
	want := []string{"ApiFunction ANY /v1/{proxy+} public=false", "ApiFunction GET /app public=true", "ApiFunction GET /app/{proxy+} public=true"}
	if !slices.Equal(routes, want) {
		t.Errorf("routes to /v1 and /app:\n%s\nwant\n%s", strings.Join(routes, "\n"), strings.Join(want, "\n"))
	}
	for _, id := range []string{"ApiRoute"} {
		if got := resolve(t, prop(id, "AuthorizerId"), cognito); got != "Ref ApiAuthorizer" {
			t.Errorf("%s authorizer %s", id, got)
		}
	}
	if p := resolve(t, prop("ApiFunctionPermission", "SourceArn"), cognito); !strings.Contains(p, ":${AgentApi}/") {
		t.Errorf("ApiFunctionPermission SourceArn %s", p)
	}
}

// samTranslate is the SAM translator (the Python package samtranslator, which cfn-lint uses and
// installs) turning a template into plain CloudFormation, CodeUri given a placeholder.
const samTranslate = `import json, sys
from samtranslator.translator.translator import Translator
from samtranslator.parser import parser
from samtranslator.yaml_helper import yaml_parse
t = yaml_parse(open(sys.argv[1]).read())
for r in t.get("Resources", {}).values():
    if r.get("Type") == "AWS::Serverless::Function":
        r["Properties"]["CodeUri"] = "s3://bucket/key"
json.dump(Translator(managed_policy_map={}, sam_parser=parser.Parser()).translate(sam_template=t, parameter_values={}), sys.stdout)
`

// translate runs the SAM translator on the template file at path and returns the resources of
// the result. The translator comes with cfn-lint: the Python on PATH when it has it, else the one
// infra/cfnlint.sh installs into .tools/cfn-lint (from PyPI, as make test does). Only where that
// cannot be done and CI is not set is the test skipped; under CI=true it fails.
func translate(t *testing.T, root, path string) map[string]any {
	t.Helper()
	python := samPython(t, root)
	script := filepath.Join(t.TempDir(), "translate.py")
	if err := os.WriteFile(script, []byte(samTranslate), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, script, path)
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=us-east-1")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("SAM translator: %v\n%s", err, stderr)
	}
	var doc struct {
		Resources map[string]any `json:"Resources"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Resources
}

// samPython returns a Python that imports samtranslator, installing cfn-lint (which brings it)
// into .tools/cfn-lint when none has it.
func samPython(t *testing.T, root string) string {
	t.Helper()
	venv := filepath.Join(root, ".tools", "cfn-lint", "bin", "python")
	has := func(python string) bool { return exec.Command(python, "-c", "import samtranslator").Run() == nil }
	for _, python := range append([]string{venv, "python3"}, cfnLintPythons()...) {
		if has(python) {
			return python
		}
	}
	install := exec.Command("bash", filepath.Join(root, "infra", "cfnlint.sh"), "--install")
	out, err := install.CombinedOutput()
	if err == nil && has(venv) {
		return venv
	}
	// make test installs it the same way; a machine that cannot fails here rather than skip.
	t.Fatalf("no Python with samtranslator, and infra/cfnlint.sh --install could not install cfn-lint: %v\n%s", err, out)
	return ""
}

// cfnLintPythons are the Pythons that may run the cfn-lint on PATH: the one beside it (a virtual
// environment, pipx, a pyenv version behind its shim) and the one its first line names.
func cfnLintPythons() []string {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		return nil
	}
	if out, err := exec.Command("pyenv", "which", "cfn-lint").Output(); err == nil {
		bin = strings.TrimSpace(string(out))
	}
	if real, err := filepath.EvalSymlinks(bin); err == nil {
		bin = real
	}
	out := []string{filepath.Join(filepath.Dir(bin), "python"), filepath.Join(filepath.Dir(bin), "python3")}
	if b, err := os.ReadFile(bin); err == nil {
		first, _, _ := strings.Cut(string(b), "\n")
		if f := strings.Fields(strings.TrimPrefix(first, "#!")); strings.HasPrefix(first, "#!") && len(f) > 0 && strings.Contains(f[0], "python") {
			out = append(out, f[0])
		}
	}
	return out
}

var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}`)

// dependencyCycle returns a cycle of CloudFormation resources that depend on each other
// (Ref, Fn::GetAtt, Fn::Sub, DependsOn; every branch of Fn::If counts, as it does for
// CloudFormation), or nil.
func dependencyCycle(resources map[string]any) []string {
	deps := map[string]map[string]bool{}
	var walk func(from string, v any)
	add := func(from, to string) {
		if _, ok := resources[to]; ok && to != from {
			deps[from][to] = true
		}
	}
	walk = func(from string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				switch k {
				case "Ref":
					if s, ok := c.(string); ok {
						add(from, s)
					}
				case "Fn::GetAtt":
					switch a := c.(type) {
					case []any:
						if len(a) > 0 {
							add(from, fmt.Sprint(a[0]))
						}
					case string:
						add(from, strings.SplitN(a, ".", 2)[0])
					}
				case "Fn::Sub":
					s := c
					if a, ok := c.([]any); ok && len(a) > 0 {
						s = a[0]
						walk(from, a[1:])
					}
					if str, ok := s.(string); ok {
						for _, m := range subRef.FindAllStringSubmatch(str, -1) {
							add(from, m[1])
						}
					}
				}
				walk(from, c)
			}
		case []any:
			for _, c := range x {
				walk(from, c)
			}
		}
	}
	for id, r := range resources {
		deps[id] = map[string]bool{}
		m, _ := r.(map[string]any)
		walk(id, m["Properties"])
		switch d := m["DependsOn"].(type) {
		case string:
			add(id, d)
		case []any:
			for _, x := range d {
				add(id, fmt.Sprint(x))
			}
		}
	}
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(id string) []string
	visit = func(id string) []string {
		state[id] = open
		stack = append(stack, id)
		next := make([]string, 0, len(deps[id]))
		for d := range deps[id] {
			next = append(next, d)
		}
		slices.Sort(next)
		for _, d := range next {
			switch state[d] {
			case open:
				i := slices.Index(stack, d)
				return append(slices.Clone(stack[i:]), d)
			case unseen:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = done
		return nil
	}
	ids := make([]string, 0, len(resources))
	for id := range resources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if state[id] == unseen {
			if c := visit(id); c != nil {
				return c
			}
		}
	}
	return nil
}

// The SAM translator accepts the template and what it makes has no circular dependency: the
// web app's client names the agents' API (its callback), the api function names the client, and
// the routes to the api function are therefore not SAM events of that API. With the agents' API
// a SAM HttpApi and the routes its events, the same check finds the cycle, so it can fail. The
// OpenAPI body SAM writes for the webhooks' HttpApi has no /v1 or /app route, and the agents'
// API comes out of the translator without a body.
func TestSignInHasNoCircularDependency(t *testing.T) {
	t.Parallel()
	path, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(path)
	res := translate(t, root, path)
	if c := dependencyCycle(res); c != nil {
		t.Fatalf("circular dependency: %s", strings.Join(c, " → "))
	}
	api, _ := res["HttpApi"].(map[string]any)
	body, _ := json.Marshal(api["Properties"])
	if strings.Contains(string(body), `"/v1/`) || strings.Contains(string(body), `"/app`) {
		t.Errorf("the HttpApi's OpenAPI body has /v1 or /app routes")
	}
	agents, _ := res["AgentApi"].(map[string]any)
	props, _ := agents["Properties"].(map[string]any)
	if agents["Type"] != "AWS::ApiGatewayV2::Api" || props["Body"] != nil || props["BodyS3Location"] != nil {
		t.Errorf("the translated AgentApi is %v with a body %v: API Gateway would reimport it", agents["Type"], props["Body"] != nil || props["BodyS3Location"] != nil)
	}
	for _, id := range []string{"AgentApi", "AgentApiStage", "ApiAuthorizer", "ApiIntegration", "ApiRoute", "AppRoute", "AppFilesRoute", "ApiFunctionPermission", "AppClient", "UserPoolDomain"} {
		if _, ok := res[id]; !ok {
			t.Errorf("the translated template has no %s", id)
		}
	}

	// The same template with the agents' API a SAM HttpApi and the api function's routes its
	// events.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "      # No Events: its routes are the raw ApiRoute"
	raw := regexp.MustCompile(`(?s)\n  AgentApi:\n    Type: AWS::ApiGatewayV2::Api\n.*?\n\n`)
	if !strings.Contains(string(data), anchor) || !raw.Match(data) {
		t.Fatalf("template.yaml: ApiFunction's %q comment or the raw AgentApi moved; update this test", anchor)
	}
	events := `      Events:
        Api:
          Type: HttpApi
          Properties: { ApiId: !Ref AgentApi, Path: "/v1/{proxy+}", Method: ANY }
`
	withEvents := strings.Replace(string(data), anchor, events+anchor, 1)
	withEvents = raw.ReplaceAllLiteralString(withEvents, "\n  AgentApi:\n    Type: AWS::Serverless::HttpApi\n\n")
	for _, id := range []string{"ApiRoute:", "AppRoute:", "AppFilesRoute:"} {
		withEvents = strings.Replace(withEvents, "  "+id+"\n", "  Old"+id+"\n", 1)
	}
	p := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(p, []byte(withEvents), 0o600); err != nil {
		t.Fatal(err)
	}
	c := dependencyCycle(translate(t, root, p))
	if c == nil {
		t.Error("with the api function's routes as SAM events, no cycle was found: the check cannot fail")
	}
	t.Logf("with the routes as SAM events: %s", strings.Join(c, " → "))
}
