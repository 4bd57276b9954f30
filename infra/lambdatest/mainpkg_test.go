package lambdatest

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openinbox/inbox/infra/samtemplate"
)

// TestEveryFunctionHasAMainPackage checks that the CodeUri of every function of template.yaml
// holds a `package main` with a `func main()` for the deployment target (linux, without cgo,
// -tags lambda.norpc), which is what sam build compiles into `bootstrap`.
func TestEveryFunctionHasAMainPackage(t *testing.T) {
	t.Parallel()
	tpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) == 0 {
		t.Fatal("template.yaml has no functions")
	}
	bc := build.Default
	bc.GOOS, bc.GOARCH, bc.CgoEnabled = "linux", "arm64", false
	bc.BuildTags = []string{"lambda.norpc"}
	for _, f := range fns {
		t.Run(f.LogicalID, func(t *testing.T) {
			dir := filepath.Join(tpl.Dir(), filepath.FromSlash(f.CodeURI))
			pkg, err := bc.ImportDir(dir, 0)
			if err != nil {
				t.Fatalf("%s: %v", f.CodeURI, err)
			}
			if pkg.Name != "main" {
				t.Fatalf("%s is package %s, want main", f.CodeURI, pkg.Name)
			}
			fset := token.NewFileSet()
			found := 0
			for _, name := range pkg.GoFiles {
				file, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
				if err != nil {
					t.Fatal(err)
				}
				for _, decl := range file.Decls {
					fd, ok := decl.(*ast.FuncDecl)
					if ok && fd.Recv == nil && fd.Name.Name == "main" && fd.Type.TypeParams == nil &&
						fd.Type.Params.NumFields() == 0 && fd.Type.Results.NumFields() == 0 {
						found++
					}
				}
			}
			if found != 1 {
				t.Fatalf("%s has %d func main(), want 1", f.CodeURI, found)
			}
		})
	}
}

// TestFunctionsLinkOnlyWhatTheyUse checks, with `go list -deps` for the deployment target, that
// a function does not link the heavy packages of other functions: Go links every package
// imported and runs their init()s at each cold start, so a composition root importing every
// service would make each function pay for all of them.
func TestFunctionsLinkOnlyWhatTheyUse(t *testing.T) {
	t.Parallel()
	const mod = "github.com/openinbox/inbox/shared/"
	// The sanitizer (bluemonday compiles about a megabyte of regular expressions at init) is
	// for the functions that take user HTML and store it: api and email. The dispatcher sends
	// what they stored (inbox.Message.HTML and signatures are sanitized when written).
	sanitizer := []string{mod + "htmlsafe", "github.com/microcosm-cc/bluemonday"}
	mailing := slices.Concat(sanitizer, []string{mod + "mail", "github.com/jhillyerd/enmime/v2", "github.com/aws/aws-sdk-go-v2/service/ses"})
	services := []string{mod + "httpapi", mod + "router", mod + "dispatch", mod + "media", mod + "assign", mod + "notify", mod + "intake/email"}
	webhook := slices.Concat(mailing, services, []string{"github.com/aws/aws-sdk-go-v2/service/s3", mod + "agentapp",
		"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"})
	// Only the email function reads mail: the others that send it (notices, replies) link the
	// composer, not the MIME parser.
	parser := []string{mod + "mailparse", "github.com/jhillyerd/enmime/v2"}
	forbidden := map[string][]string{
		"TwilioFunction":    webhook,
		"VoiceFunction":     webhook,
		"MessengerFunction": slices.Concat(webhook, []string{mod + "routing", mod + "intake/voice"}),
		"WhatsAppFunction":  webhook,
		"CustomFunction":    webhook,
		// Forms presign visitors' uploads and copy them into the media bucket: S3, no mail.
		"FormsFunction": slices.Concat(mailing, services),
		// The chat presigns visitors' uploads and links their files: S3, nothing else of a webhook's list.
		"ChatFunction":     slices.Concat(mailing, services, []string{mod + "agentapp", "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"}),
		"MediaFunction":    slices.Concat(mailing, []string{mod + "httpapi", mod + "router", mod + "dispatch", mod + "intake"}),
		"RouterFunction":   slices.Concat(parser, sanitizer, []string{mod + "httpapi", mod + "dispatch", mod + "media", mod + "intake", "github.com/aws/aws-sdk-go-v2/service/s3"}),
		"ScheduleFunction": slices.Concat(parser, sanitizer, []string{mod + "httpapi", mod + "dispatch", mod + "media", mod + "intake", mod + "router", "github.com/aws/aws-sdk-go-v2/service/s3"}),
		"DispatchFunction": slices.Concat(parser, sanitizer, []string{mod + "httpapi", mod + "router", mod + "media", mod + "intake", mod + "assign"}),
		"EmailFunction":    {mod + "httpapi", mod + "router", mod + "dispatch", mod + "media", mod + "assign", "github.com/aws/aws-sdk-go-v2/service/ses"},
		// The live channel: neither a service nor the web app.
		"WsFunction":       slices.Concat(mailing, services, []string{"github.com/aws/aws-sdk-go-v2/service/s3", mod + "agentapp"}),
		"RealtimeFunction": slices.Concat(mailing, services, []string{"github.com/aws/aws-sdk-go-v2/service/s3", mod + "agentapp"}),
		"ApiFunction":      slices.Concat(parser, []string{mod + "router", mod + "dispatch", mod + "media", mod + "intake"}),
	}
	// No function reads shared config files or assumes roles: the AWS configuration comes from
	// the environment (app.AWSFromEnv), not the SDK's default chain and its clients. The
	// sealing key is read, queues are sent to and mail is sent with signed requests
	// (shared/awssecret, shared/sqsqueue, shared/sesmail), not the SDK's clients; the store
	// calls DynamoDB with its own client (shared/dynamodb): the SDK's DynamoDB packages build
	// the API's schemas at init.
	chain := []string{"github.com/aws/aws-sdk-go-v2/service/dynamodb", "github.com/aws/aws-sdk-go-v2/service/dynamodb/types",
		"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue", "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types",
		"github.com/aws/aws-sdk-go-v2/service/secretsmanager", "github.com/aws/aws-sdk-go-v2/service/sqs",
		"github.com/aws/aws-sdk-go-v2/service/ses", "github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/service/sts",
		"github.com/aws/aws-sdk-go-v2/service/sso", "github.com/aws/aws-sdk-go-v2/service/ssooidc",
		"github.com/aws/aws-sdk-go-v2/service/signin", "github.com/aws/aws-sdk-go-v2/feature/ec2/imds"}
	for id := range forbidden {
		forbidden[id] = slices.Concat(forbidden[id], chain)
	}
	tpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fns {
		t.Run(f.LogicalID, func(t *testing.T) {
			t.Parallel()
			deny, ok := forbidden[f.LogicalID]
			if !ok {
				t.Fatalf("%s: say here which packages it must not link", f.LogicalID)
			}
			cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "./"+filepath.ToSlash(f.CodeURI))
			cmd.Dir = tpl.Dir()
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			deps := strings.Fields(string(out))
			for _, p := range deny {
				if slices.Contains(deps, p) {
					t.Errorf("%s links %s, which it does not use", f.CodeURI, p)
				}
			}
		})
	}
}
