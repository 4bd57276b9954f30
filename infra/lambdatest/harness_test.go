//go:build linux

package lambdatest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/awslabs/goformation/v7/cloudformation/global"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gopkg.in/yaml.v3"

	"github.com/openinbox/inbox/infra/samtemplate"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/secretbox"
)

// buildDir holds the bootstraps built for this test binary; TestMain removes it.
var buildDir string

// TestMain runs the tests and removes the bootstraps they built.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// template is the repository's template.yaml, parsed once per test binary.
var template = sync.OnceValues(samtemplate.LoadDefault)

// spec is what the harness needs to know of one function of the template.
type spec struct {
	samtemplate.Function
	// Env is the function's environment as template.yaml writes it, Globals merged in: each
	// value a literal or an intrinsic function (!Ref Table, !If …).
	Env map[string]yaml.Node
	// Timeout (seconds) and MemorySize (MB), from the function or the Globals.
	Timeout, MemorySize int
}

// rawTemplate is the part of template.yaml that goformation resolves away (it reads !Ref as
// ""): resource types and the environment variables as written.
type rawTemplate struct {
	Globals struct {
		Function struct {
			Environment struct {
				Variables map[string]yaml.Node `yaml:"Variables"`
			} `yaml:"Environment"`
		} `yaml:"Function"`
	} `yaml:"Globals"`
	// Parameters are deployed with their defaults unless given: the harness uses the defaults.
	Parameters map[string]struct {
		Default string `yaml:"Default"`
	} `yaml:"Parameters"`
	Resources map[string]struct {
		Type       string `yaml:"Type"`
		Properties struct {
			Environment struct {
				Variables map[string]yaml.Node `yaml:"Variables"`
			} `yaml:"Environment"`
			// Rule is the rule of an AWS::SES::ReceiptRule.
			Rule struct {
				Actions []receiptAction `yaml:"Actions"`
			} `yaml:"Rule"`
		} `yaml:"Properties"`
	} `yaml:"Resources"`
}

// receiptAction is one action of an SES receipt rule: the harness stands in for its S3 action
// and invokes the function of its Lambda action.
type receiptAction struct {
	S3Action *struct {
		BucketName      yaml.Node `yaml:"BucketName"`
		ObjectKeyPrefix string    `yaml:"ObjectKeyPrefix"`
	} `yaml:"S3Action"`
	LambdaAction *struct {
		FunctionArn yaml.Node `yaml:"FunctionArn"`
	} `yaml:"LambdaAction"`
}

// raw returns the template's YAML as rawTemplate.
var raw = sync.OnceValues(func() (*rawTemplate, error) {
	path, err := samtemplate.Find()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r rawTemplate
	if err := yaml.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
})

// specs returns the template's functions by logical id.
var specs = sync.OnceValues(func() (map[string]spec, error) {
	tpl, err := template()
	if err != nil {
		return nil, err
	}
	r, err := raw()
	if err != nil {
		return nil, err
	}
	fns, err := tpl.Functions()
	if err != nil {
		return nil, err
	}
	var g global.Function
	if gf, ok := tpl.CloudFormation().Globals["Function"].(*global.Function); ok {
		g = *gf
	}
	out := map[string]spec{}
	for _, f := range fns {
		res, err := tpl.CloudFormation().GetServerlessFunctionWithName(f.LogicalID)
		if err != nil {
			return nil, err
		}
		s := spec{Function: f, Env: map[string]yaml.Node{}, Timeout: 3, MemorySize: 128}
		maps.Copy(s.Env, r.Globals.Function.Environment.Variables)
		maps.Copy(s.Env, r.Resources[f.LogicalID].Properties.Environment.Variables)
		for _, p := range []*int{g.Timeout, res.Timeout} {
			if p != nil {
				s.Timeout = *p
			}
		}
		for _, p := range []*int{g.MemorySize, res.MemorySize} {
			if p != nil {
				s.MemorySize = *p
			}
		}
		out[f.LogicalID] = s
	}
	return out, nil
})

// functionSpec returns the template's function id, failing the test when there is none.
func functionSpec(t testing.TB, id string) spec {
	t.Helper()
	all, err := specs()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := all[id]
	if !ok {
		t.Fatalf("template.yaml has no function %s", id)
	}
	return s
}

// built is the outcome of building one function.
type built struct {
	path string
	err  error
}

// bootstraps builds every function of the template once per test binary, in parallel, with
// buildBootstrap. It returns the builds by logical id; a
// function that does not build fails only the tests that start it.
var bootstraps = sync.OnceValues(func() (map[string]built, error) {
	tpl, err := template()
	if err != nil {
		return nil, err
	}
	all, err := specs()
	if err != nil {
		return nil, err
	}
	buildDir, err = os.MkdirTemp("", "lambdatest-")
	if err != nil {
		return nil, err
	}
	out := make(map[string]built, len(all))
	// One go command builds them all: nine at once on a loaded two-core machine each linked
	// slowly enough to outlast the test timeout. Only when that fails is each built alone, so
	// that the error is told per function.
	if buildAll(tpl.Dir(), all) == nil {
		for id := range all {
			out[id] = built{path: filepath.Join(buildDir, id, "bootstrap")}
		}
		return out, nil
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for id, s := range all {
		wg.Go(func() {
			b := buildBootstrap(tpl.Dir(), id, s.CodeURI)
			mu.Lock()
			out[id] = b
			mu.Unlock()
		})
	}
	wg.Wait()
	return out, nil
})

// buildAll builds every function of all with one go command into buildDir/<id>/bootstrap.
func buildAll(dir string, all map[string]spec) error {
	bin := filepath.Join(buildDir, "all")
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin + string(filepath.Separator)}
	pkgs := make(map[string]string, len(all)) // binary name (the package folder's) by id
	for id, s := range all {
		args = append(args, "./"+filepath.ToSlash(s.CodeURI))
		pkgs[id] = filepath.Base(filepath.Clean(s.CodeURI))
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	if o, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v\n%s", err, o)
	}
	for id, name := range pkgs {
		if err := os.MkdirAll(filepath.Join(buildDir, id), 0o755); err != nil {
			return err
		}
		if err := os.Link(filepath.Join(bin, name), filepath.Join(buildDir, id, "bootstrap")); err != nil {
			return err
		}
	}
	return nil
}

// emptyID names the baseline of the cold start benchmark: an aws-lambda-go handler that does
// nothing (testdata/emptyfn), built as the functions are.
const emptyID = "EmptyHandler"

// emptyBootstrap builds the baseline once per test binary, after the functions.
var emptyBootstrap = sync.OnceValue(func() built {
	tpl, err := template()
	if err != nil {
		return built{err: err}
	}
	if _, err := bootstraps(); err != nil { // creates buildDir
		return built{err: err}
	}
	return buildBootstrap(tpl.Dir(), emptyID, "infra/lambdatest/testdata/emptyfn")
})

// buildBootstrap builds the main package at codeURI (relative to the repository root dir) into
// buildDir/id/bootstrap, as sam build does for provided.al2023 but for the host's architecture
// so that the binary runs here: GOOS=linux, CGO_ENABLED=0, -tags lambda.norpc, stripped.
func buildBootstrap(dir, id, codeURI string) built {
	path := filepath.Join(buildDir, id, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w",
		"-o", path, "./"+filepath.ToSlash(codeURI))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	b := built{path: path}
	if o, err := cmd.CombinedOutput(); err != nil {
		b.err = fmt.Errorf("build %s (%s): %v\n%s", id, codeURI, err, o)
	}
	return b
}

// bootstrap returns the path of function id's bootstrap, building all of them on first use.
func bootstrap(t testing.TB, id string) string {
	t.Helper()
	all, err := bootstraps()
	if err != nil {
		t.Fatal(err)
	}
	b, ok := all[id]
	if !ok {
		t.Fatalf("template.yaml has no function %s", id)
	}
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// deployment is one isolated copy of the stack's resources: a fresh table from template.yaml,
// every queue of the template (FIFO or standard, with its dead-letter queue), every bucket in an
// in-process S3 fake, a sealing key, and a store on the table that seals with the key exactly as
// the functions do.
type deployment struct {
	Table, SecretKey string
	// Queues and Buckets hold the URL of each queue and the name of each bucket by logical id.
	Queues, Buckets map[string]string
	S3Endpoint      string
	// TwilioAPIBase is given to the functions as TWILIO_API_BASE when set.
	TwilioAPIBase string
	// Env sets variables the harness cannot resolve from the template (the WebSocket API's
	// endpoint, the token issuer), taking their place.
	Env   map[string]string
	Store *dynamo.Store
	SQS   *sqs.Client
	s3    *s3mem.Backend
}

// newDeployment creates the resources of a deployment; they are removed when the test ends.
func newDeployment(t testing.TB) *deployment {
	t.Helper()
	client, table := testenv.DynamoDB(t)
	d := &deployment{
		Table: table, SecretKey: testenv.Unique("sealing-key-"), SQS: testenv.SQS(t),
		Queues: map[string]string{}, Buckets: map[string]string{},
	}
	// The same derivation as app.Config.Store: any secret text → SHA-256 → AES-256 key.
	sum := sha256.Sum256([]byte(d.SecretKey))
	box, err := secretbox.New(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	d.Store = dynamo.New(client, table, box)

	tpl, err := template()
	if err != nil {
		t.Fatal(err)
	}
	queues, err := tpl.Queues()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queues {
		if q.DeadLetter != "" {
			d.Queues[q.LogicalID], d.Queues[q.DeadLetter] = createQueue(t, d.SQS, q)
		}
	}
	for _, q := range queues {
		if _, ok := d.Queues[q.LogicalID]; !ok {
			d.Queues[q.LogicalID], _ = createQueue(t, d.SQS, q)
		}
	}
	r, err := raw()
	if err != nil {
		t.Fatal(err)
	}
	for id, res := range r.Resources {
		if res.Type != "AWS::S3::Bucket" {
			continue
		}
		if d.S3Endpoint == "" {
			backend := s3mem.New()
			srv := httptest.NewServer(gofakes3.New(backend).Server())
			t.Cleanup(srv.Close)
			d.S3Endpoint = srv.URL
			d.s3 = backend
		}
		name := strings.ToLower(testenv.Unique("b"))
		if err := d.s3.CreateBucket(name); err != nil {
			t.Fatal(err)
		}
		d.Buckets[id] = name
	}
	return d
}

// queue returns the URL of the template's queue id in d.
func (d *deployment) queue(t testing.TB, id string) string {
	t.Helper()
	u, ok := d.Queues[id]
	if !ok {
		t.Fatalf("template.yaml has no queue %s", id)
	}
	return u
}

// createQueue creates queue q of the template (and its dead-letter queue when it has one) and
// returns both URLs. They are deleted when the test ends.
func createQueue(t testing.TB, client *sqs.Client, q samtemplate.Queue) (url, dlqURL string) {
	t.Helper()
	if q.FIFO && q.DeadLetter != "" {
		return testenv.FIFOQueue(t, client, q.MaxReceiveCount, q.VisibilityTimeout)
	}
	ctx := context.Background()
	name := testenv.Unique("q")
	attrs := map[string]string{string(sqstypes.QueueAttributeNameVisibilityTimeout): strconv.Itoa(q.VisibilityTimeout)}
	if q.FIFO {
		name += ".fifo"
		attrs[string(sqstypes.QueueAttributeNameFifoQueue)] = "true"
	}
	if q.DeadLetter != "" {
		dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq")})
		if err != nil {
			t.Fatalf("create dlq: %v", err)
		}
		t.Cleanup(func() { _, _ = client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: dlq.QueueUrl}) })
		a, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: dlq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
		})
		if err != nil {
			t.Fatalf("dlq arn: %v", err)
		}
		dlqURL = aws.ToString(dlq.QueueUrl)
		attrs[string(sqstypes.QueueAttributeNameRedrivePolicy)] = `{"deadLetterTargetArn":"` +
			a.Attributes[string(sqstypes.QueueAttributeNameQueueArn)] + `","maxReceiveCount":"` + strconv.Itoa(q.MaxReceiveCount) + `"}`
	}
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", q.LogicalID, err)
	}
	t.Cleanup(func() { _, _ = client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl}) })
	return aws.ToString(out.QueueUrl), dlqURL
}

// environment is the process environment of function s in deployment d: the variables the
// template sets, each !Ref resolved to d's copy of the resource, the emulators' endpoints, and
// what Lambda itself sets (region, credentials, function name, memory, timeout). A variable the
// harness cannot resolve fails the test, so that new wiring is not silently left out.
func environment(t testing.TB, s spec, d *deployment, home, taskRoot string) []string {
	t.Helper()
	env := map[string]string{
		// Lambda's own variables. The credentials are dummies the emulators accept.
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_ACCESS_KEY_ID":               "local",
		"AWS_SECRET_ACCESS_KEY":           "local",
		"AWS_LAMBDA_FUNCTION_NAME":        s.LogicalID,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(s.MemorySize),
		"AWS_LAMBDA_FUNCTION_TIMEOUT":     strconv.Itoa(s.Timeout),
		"LAMBDA_TASK_ROOT":                taskRoot,
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            "/usr/local/bin:/usr/bin:/bin",
		// An empty home: no developer ~/.aws profile may leak into the functions.
		"HOME": home,
		// Emulators instead of AWS endpoints.
		"DYNAMODB_ENDPOINT": testenv.Endpoint(t, "DYNAMODB_ENDPOINT"),
		"SQS_ENDPOINT":      testenv.Endpoint(t, "SQS_ENDPOINT"),
	}
	if d.S3Endpoint != "" {
		env["S3_ENDPOINT"] = d.S3Endpoint
	}
	if d.TwilioAPIBase != "" {
		env["TWILIO_API_BASE"] = d.TwilioAPIBase
	}
	r, err := raw()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range s.Env {
		if x, ok := d.Env[name]; ok {
			env[name] = x
			continue
		}
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!Ref":
			if p, isParam := r.Parameters[v.Value]; isParam {
				env[name] = p.Default
				continue
			}
			res, ok := r.Resources[v.Value]
			if !ok {
				t.Fatalf("%s: %s: !Ref %s is not a resource of the template", s.LogicalID, name, v.Value)
			}
			switch res.Type {
			case "AWS::DynamoDB::Table":
				env[name] = d.Table
			case "AWS::SQS::Queue":
				env[name] = d.queue(t, v.Value)
			case "AWS::S3::Bucket":
				env[name] = d.Buckets[v.Value]
			case "AWS::SecretsManager::Secret":
				// There is no Secrets Manager emulator: the key is given directly, as locally.
				env["INBOX_SECRET_KEY"] = d.SecretKey
			default:
				t.Fatalf("%s: %s: the harness cannot stand in for a %s", s.LogicalID, name, res.Type)
			}
		case v.Kind == yaml.ScalarNode && v.Tag == "!Sub" && s.LogicalID != "ApiFunction" && strings.Contains(v.Value, "${WebSocketApi}"):
			// The WebSocket API's management endpoint (realtime, ws: PostToConnection) or
			// public URL (chat: the widget's liveUrl): a closed local port. Nothing calls it at
			// init; a test that pushes gives its own through d.Env.
			env[name] = "http://127.0.0.1:9/live"
		case v.Kind == yaml.SequenceNode && v.Tag == "!If" && (name == "JWT_ISSUER" || name == "JWT_AUDIENCE"):
			// The live channel checks agents' tokens itself: an issuer and an audience it would
			// accept (its keys are fetched on the first token, not at init).
			env[name] = map[string]string{"JWT_ISSUER": "https://issuer.example", "JWT_AUDIENCE": "inbox-app"}[name]
		case v.Kind == yaml.ScalarNode && (v.Tag == "!!str" || v.Tag == "!!int"):
			env[name] = v.Value
		case v.Kind == yaml.SequenceNode && (v.Tag == "!If" || v.Tag == "!Sub"),
			// The WebSocket API's URL (WS_ENDPOINT) for the api function: unset, the app then uses its origin.
			v.Kind == yaml.ScalarNode && v.Tag == "!Sub" && s.LogicalID == "ApiFunction":
			// A deployment URL (PUBLIC_BASE_URL): unset, so that webhook URLs are "https://" +
			// the API's own domain, as without a custom domain.
		default:
			t.Fatalf("%s: %s: the harness cannot resolve %s %s", s.LogicalID, name, v.Tag, v.Value)
		}
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
