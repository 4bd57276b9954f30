// Package localrun is the local runner behind `make run` and the end-to-end tests: one process
// that serves every HTTP function of template.yaml as API Gateway would (JWT check, payload 2.0
// events), runs DynamoDB Local on a data folder (make run, see datadir.go), in-process (minidyn)
// or against an endpoint, creates the template's
// queues in the SQS emulator and delivers them to the consumer functions as Lambda's event source
// does, and stands in for Twilio's Messages API with an outbox a person can open.
package localrun

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/openinbox/inbox/infra/minidynfix"
	"github.com/openinbox/inbox/infra/samtemplate"
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/apifn"
	"github.com/openinbox/inbox/shared/app/chatfn"
	"github.com/openinbox/inbox/shared/app/dispatchfn"
	"github.com/openinbox/inbox/shared/app/emailfn"
	"github.com/openinbox/inbox/shared/app/formsfn"
	"github.com/openinbox/inbox/shared/app/intakefn"
	"github.com/openinbox/inbox/shared/app/mediafn"
	"github.com/openinbox/inbox/shared/app/realtimefn"
	"github.com/openinbox/inbox/shared/app/routerfn"
	"github.com/openinbox/inbox/shared/app/voicefn"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/jwtauth"
	"github.com/openinbox/inbox/shared/lambdases"
	"github.com/openinbox/inbox/shared/lambdasqs"
	"github.com/openinbox/inbox/shared/s3store"
)

// Options configure a Runner.
type Options struct {
	// Addr is the listen address; ":3000" for make run, "127.0.0.1:0" for tests.
	Addr string
	// DynamoDBEndpoint uses DynamoDB Local (or AWS) instead of the in-process minidyn.
	DynamoDBEndpoint string
	// SQSEndpoint uses a running SQS emulator; empty starts local-aws-sqs from
	// infra/emulators (installed by make run) as a child process.
	SQSEndpoint string
	// SESEndpoint uses a running SES emulator; empty starts aws-ses-v2-local the same way.
	SESEndpoint string
	// RetryAfter shortens the visibility timeout of failed messages (0 keeps the template's).
	RetryAfter time.Duration
	// ChatClock, when set, is the website chat function's clock (availability, visitor
	// tokens): browser tests put the chat in and out of office hours with it.
	ChatClock func() time.Time
	// LiveOwnHost serves the live channel on a port of its own instead of /ws of the API's,
	// as AWS's WebSocket API has a host of its own, and gives the chat function its URL
	// (WS_ENDPOINT): the widget must then find it from its config, as it does when deployed.
	LiveOwnHost bool
	// AppOwnOrigin serves the agents' API and web app on another origin than the webhooks,
	// the chat widget and forms, as AWS does (two HTTP APIs): the app stays on URL
	// (http://localhost:port) and the api function is told the others are on
	// http://127.0.0.1:port (PUBLIC_BASE_URL), the same port under another name; the chat
	// function is told the app's origin (AGENT_APP_ORIGINS). make run serves one origin.
	AppOwnOrigin bool
	// Tick is how often the functions with a Schedule event run (0: the template's rate;
	// negative: only on Runner.Tick and POST /_local/tick).
	Tick time.Duration
	// SendAttempts overrides how often dispatch retries a temporary failure.
	SendAttempts int
	Log          *slog.Logger
	// Root is the repository root (template.yaml, .local/); found from the working directory
	// when empty.
	Root string
	// TwilioAPIBase overrides where dispatch sends SMS (default: this runner's outbox).
	TwilioAPIBase string
	// GraphAPIBase overrides where dispatch and the media fetcher call the Graph API (default:
	// this runner's stand-in).
	GraphAPIBase string
	// DataDir keeps the deployment across restarts (make run: .local/data): DynamoDB Local with
	// its data there instead of the in-process minidyn, and the sealing key of channel secrets.
	// Empty keeps everything in memory (tests). See datadir.go.
	DataDir string
	// TableName is the DynamoDB table ("inbox" by default on a store of the runner's own; a
	// fresh random name on a DynamoDBEndpoint unless set, so tests sharing one do not meet).
	TableName string
	// SignIn, when set, is the deployment's sign-in as in AWS (see SignIn): the web app signs
	// in there instead of the demo sign-in, and the API and the live channel also accept that
	// issuer's tokens. Local tokens (the token command, the demo) keep working.
	SignIn *SignIn
}

// SignIn is an OpenID Connect issuer the runner trusts as the deployed stack trusts its user
// pool (or JwtIssuer): tokens signed by the issuer's keys for one of the audiences, and the web
// app's OAuth 2.0 code flow (as AUTH_AUTHORIZE_URL, AUTH_TOKEN_URL and AUTH_CLIENT_ID).
type SignIn struct {
	Issuer string
	// Audience is the client id tokens must be for, or several, comma-separated.
	Audience                         string
	AuthorizeURL, TokenURL, ClientID string
}

// Runner is a running local deployment.
type Runner struct {
	// URL is the base URL of the HTTP API, e.g. http://localhost:3000.
	URL    string
	Demo   Demo
	Outbox *Outbox
	Store  *dynamo.Store

	graph *graph
	// Receiver records what custom channels' webhooks got (the local integrator).
	Receiver *receiver
	// SESEndpoint is the SES emulator replies of email channels are sent to (its viewer is at /).
	SESEndpoint string
	rawMail     *s3store.Store
	email       func(context.Context, events.SimpleEmailEvent) error
	queues      *queueSet
	consumers   []string
	srv         *http.Server
	cancel      context.CancelFunc
	wg          sync.WaitGroup
	closers     []func()
	schedules   []*scheduledJob
	hub         *wsHub
}

// Start brings everything up and seeds the demo account. Close stops it.
func Start(ctx context.Context, o Options) (*Runner, error) {
	r := &Runner{}
	if err := r.start(ctx, o); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Runner) start(ctx context.Context, o Options) error {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if o.Root == "" {
		p, err := samtemplate.Find()
		if err != nil {
			return err
		}
		o.Root = filepath.Dir(p)
	}
	tpl, err := samtemplate.Load(filepath.Join(o.Root, "template.yaml"))
	if err != nil {
		return err
	}
	key, err := LoadKey(o.Root)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	r.URL = fmt.Sprintf("http://localhost:%d", port)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel

	awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	cfg := app.Config{
		AWS: awsCfg, TableName: "inbox", PublicBaseURL: r.URL, SendAttempts: o.SendAttempts,
		DynamoDBEndpoint: o.DynamoDBEndpoint, SQSEndpoint: o.SQSEndpoint, Log: o.Log,
		SecretKey: os.Getenv("INBOX_SECRET_KEY"), TwilioAPIBase: o.TwilioAPIBase,
	}
	if cfg.SecretKey == "" && o.DataDir != "" {
		if cfg.SecretKey, err = dataSecretKey(o.DataDir); err != nil {
			return err
		}
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = randomHex(32)
	}
	if cfg.TwilioAPIBase == "" {
		cfg.TwilioAPIBase = r.URL + "/_local/twilio"
	}
	cfg.GraphAPIBase = o.GraphAPIBase
	if cfg.GraphAPIBase == "" {
		cfg.GraphAPIBase = r.URL + "/_local/graph/v21.0"
	}
	// Media copies go to an in-process S3 (gofakes3), as DynamoDB does to minidyn.
	// Browsers PUT visitors' files (chat widgets, forms) straight to it through presigned
	// links carrying x-amz-meta-* headers: CORS for any header, as the bucket's CORS rule allows.
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New(), gofakes3.WithInsecureCORS()).Server())
	r.closers = append(r.closers, s3srv.Close)
	cfg.S3Endpoint, cfg.MediaBucket, cfg.RawMailBucket, cfg.RawMailPrefix = s3srv.URL, "inbox-media", "inbox-raw-mail", "inbound/"
	for _, b := range []string{cfg.MediaBucket, cfg.RawMailBucket} {
		if _, err := s3store.NewClient(cfg.AWS, cfg.S3Endpoint).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	r.rawMail = s3store.New(s3store.NewClient(cfg.AWS, cfg.S3Endpoint), cfg.RawMailBucket)

	switch {
	case cfg.DynamoDBEndpoint == "" && o.DataDir != "":
		ep, stop, err := startDynamoDBLocal(o.Root, filepath.Join(o.DataDir, "dynamodb"))
		if err != nil {
			return err
		}
		r.closers = append(r.closers, stop)
		cfg.DynamoDBEndpoint = ep
	case cfg.DynamoDBEndpoint == "":
		// minidyn sends no valid X-Amz-Crc32, so the checksum check is off for this client only.
		ddb := httptest.NewServer(minidynfix.New())
		r.closers = append(r.closers, ddb.Close)
		cfg.DynamoDBEndpoint = ddb.URL
		cfg.DisableDynamoDBChecksum = true
	default:
		cfg.TableName = "inbox" + randomHex(4)
	}
	if o.TableName != "" {
		cfg.TableName = o.TableName
	}
	if err := ensureTable(ctx, tpl, cfg, o.DataDir); err != nil {
		return err
	}
	// Queues of the runner's own emulator keep their names from run to run; on a shared one,
	// each runner gets its own.
	queuePrefix := "inbox-"
	if cfg.SQSEndpoint != "" {
		queuePrefix = "inbox-" + randomHex(3) + "-"
	}
	if cfg.SQSEndpoint == "" {
		ep, stop, err := startNode(ctx, o.Root, "sqs-server.js", "local-aws-sqs")
		if err != nil {
			return err
		}
		r.closers = append(r.closers, stop)
		cfg.SQSEndpoint = ep
	}
	cfg.SESEndpoint = o.SESEndpoint
	if cfg.SESEndpoint == "" {
		ep, stop, err := startNode(ctx, o.Root, "ses-server.js", "aws-ses-v2-local")
		if err != nil {
			return err
		}
		r.closers = append(r.closers, stop)
		cfg.SESEndpoint = ep
	}
	r.SESEndpoint = cfg.SESEndpoint
	cfg.InboundEmailDomain = InboundEmailDomain
	// The router's emails to away contact owners go to the SES emulator too.
	cfg.NotifyFrom = NotifyFrom
	qs, err := tpl.Queues()
	if err != nil {
		return err
	}
	r.queues, err = createQueues(ctx, sqsClient(cfg), qs, queuePrefix)
	if err != nil {
		return err
	}
	cfg.InboundQueueURL = r.queues.urls["InboundQueue"]
	cfg.OutboundQueueURL = r.queues.urls["OutboundQueue"]
	cfg.MediaQueueURL = r.queues.urls["MediaQueue"]

	// The live channel: committed writes reach the same publishing code as the table's stream.
	feed, hub := newChangeFeed(), newHub(o.Log)
	r.hub = hub
	cfg.OnCommit = feed.add
	cfg.AppLocalSignIn = SignInPath
	verify := func(ctx context.Context, token string) (map[string]string, error) {
		return Verify(key, token, time.Now())
	}
	if si := o.SignIn; si != nil {
		cfg.AppLocalSignIn, cfg.AuthAuthorizeURL, cfg.AuthTokenURL, cfg.AuthClientID = "", si.AuthorizeURL, si.TokenURL, si.ClientID
		oidc := &jwtauth.OIDC{Issuer: si.Issuer, Audience: si.Audience}
		verify = func(ctx context.Context, token string) (map[string]string, error) {
			if claims, err := Verify(key, token, time.Now()); err == nil {
				return claims, nil
			}
			return oidc.Verify(ctx, strings.TrimPrefix(token, "Bearer "))
		}
	}
	r.Store, err = cfg.Store(ctx)
	if err != nil {
		return err
	}
	hub.svc = realtimefn.Service(&cfg, r.Store, hub, verify)
	r.wg.Add(1)
	go feed.run(runCtx, hub.svc, o.Log, &r.wg)
	fns, err := tpl.Functions()
	if err != nil {
		return err
	}
	liveEndpoint := ""
	if o.LiveOwnHost {
		if liveEndpoint, err = r.serveLiveApart(hub); err != nil {
			return err
		}
	}
	gw := &gateway{verify: verify, now: time.Now, log: o.Log}
	for _, fn := range fns {
		if len(fn.Routes) > 0 {
			build, ok := HTTPFunctions[fn.LogicalID]
			if !ok {
				return fmt.Errorf("template function %s has HTTP routes but the runner has no handler for it", fn.LogicalID)
			}
			fc := cfg
			if fn.LogicalID == "ChatFunction" && o.ChatClock != nil {
				fc.Now = o.ChatClock
			}
			if fn.LogicalID == "ChatFunction" && liveEndpoint != "" {
				fc.WebSocketEndpoint = liveEndpoint
			}
			if o.AppOwnOrigin && fn.LogicalID == "ApiFunction" {
				fc.PublicBaseURL = strings.Replace(r.URL, "localhost", "127.0.0.1", 1)
			}
			if o.AppOwnOrigin && fn.LogicalID == "ChatFunction" {
				fc.AgentAppOrigins = []string{r.URL}
			}
			h, err := build(ctx, fc)
			if err != nil {
				return fmt.Errorf("%s: %w", fn.LogicalID, err)
			}
			for _, rt := range fn.Routes {
				gw.routes = append(gw.routes, newRoute(rt, h))
			}
		}
		for _, q := range fn.Queues {
			build, ok := QueueFunctions[fn.LogicalID]
			if !ok {
				return fmt.Errorf("template function %s consumes %s but the runner has no handler for it", fn.LogicalID, q)
			}
			fc := cfg
			if fn.LogicalID == "ChatFunction" && o.ChatClock != nil {
				fc.Now = o.ChatClock
			}
			h, err := build(ctx, fc)
			if err != nil {
				return fmt.Errorf("%s: %w", fn.LogicalID, err)
			}
			c := &consumer{
				client: sqsClient(cfg), function: fn.LogicalID, queueURL: r.queues.urls[q], queueARN: r.queues.arns[q],
				invoke: lambdasqs.Handle(o.Log, h), retryAfter: o.RetryAfter, log: o.Log,
			}
			r.consumers = append(r.consumers, q)
			r.wg.Add(1)
			go c.run(runCtx, &r.wg)
		}
		if len(fn.Schedules) > 0 {
			if err := r.startSchedule(ctx, runCtx, fn, cfg, o); err != nil {
				return err
			}
		}
	}

	email, err := emailfn.Build(ctx, cfg)
	if err != nil {
		return fmt.Errorf("EmailFunction: %w", err)
	}
	r.email = lambdases.Handler(email)
	r.Outbox = newOutbox(o.Log)
	r.graph = &graph{outbox: r.Outbox, store: r.Store, base: r.URL}
	r.Receiver = &receiver{store: r.Store, base: r.URL}
	r.Demo, err = seed(ctx, r.Store, r.URL, key)
	if err != nil {
		return err
	}
	r.Demo.EmailOutboxURL = r.URL + SESViewerPath
	viewer, err := sesViewer(r.SESEndpoint)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(SESViewerPath, viewer)
	mux.Handle("/_local/", r.localRoutes())
	if !o.LiveOwnHost {
		mux.Handle(WebSocketPath, hub)
	}
	mux.Handle(SignInPath, r.signIn(key))
	mux.Handle("/", gw)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return nil
}

// HTTPFunctions builds the HTTP handler of each template function with routes.
var HTTPFunctions = map[string]func(context.Context, app.Config) (http.Handler, error){
	"ApiFunction":       apifn.Build,
	"TwilioFunction":    intakefn.Twilio,
	"VoiceFunction":     voicefn.Build,
	"MessengerFunction": intakefn.Messenger,
	"WhatsAppFunction":  intakefn.WhatsApp,
	"CustomFunction":    intakefn.Custom,
	"FormsFunction":     formsfn.Build,
	"ChatFunction":      chatfn.Build,
}

// QueueFunctions builds the per-message handler of each template function fed by a queue.
var QueueFunctions = map[string]func(context.Context, app.Config) (lambdasqs.Handler, error){
	"RouterFunction":   routerfn.Build,
	"DispatchFunction": dispatchfn.Build,
	"MediaFunction":    mediafn.Build,
}

// WaitIdle returns when every consumed queue is empty, or when ctx ends. A message counts until
// its consumer deleted it after the function returned, so an empty queue also means no function
// is still working on it. Tests use it instead of sleeping.
func (r *Runner) WaitIdle(ctx context.Context) error {
	quiet := 0
	for {
		n := 0
		for _, q := range r.consumers {
			d, err := r.queues.depth(ctx, q)
			if err != nil {
				return err
			}
			n += d
		}
		if n == 0 {
			// Twice in a row, so that a message sent by a just-finished function is seen.
			if quiet++; quiet >= 2 {
				return nil
			}
		} else {
			quiet = 0
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// QueueURL returns the URL of the queue with the given logical id in template.yaml.
func (r *Runner) QueueURL(logicalID string) string { return r.queues.urls[logicalID] }

// DLQDepth returns how many messages wait in the dead-letter queue with the given logical id.
func (r *Runner) DLQDepth(ctx context.Context, logicalID string) (int, error) {
	return r.queues.depth(ctx, logicalID)
}

// Close stops the server, the consumers and the child processes.
func (r *Runner) Close() {
	if r.srv != nil {
		_ = r.srv.Close()
	}
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
}

// sqsClient is the SDK's client, for what the runner does beside sending (creating queues,
// receiving as the event source mappings do); the functions send with package sqsqueue.
func sqsClient(cfg app.Config) *sqs.Client {
	return sqs.NewFromConfig(cfg.AWS, func(o *sqs.Options) {
		if cfg.SQSEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.SQSEndpoint)
		}
	})
}

// InboundEmailDomain is the receiving domain of forwarding addresses in local runs.
const InboundEmailDomain = "in.inbox.localhost"

// NotifyFrom is the From address of notification emails (to away contact owners) in local runs.
const NotifyFrom = "notifications@" + InboundEmailDomain

// startNode runs an emulator script of infra/emulators on a free port and returns its endpoint.
func startNode(ctx context.Context, root, script, pkg string) (string, func(), error) {
	dir := filepath.Join(root, "infra", "emulators")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg)); err != nil {
		return "", nil, fmt.Errorf("the %s emulator is not installed: run `make run` (or infra/emulators/install.sh)", pkg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command("node", script, fmt.Sprint(port))
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start %s: %w", pkg, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() { _ = cmd.Process.Kill(); <-exited }
	ep := fmt.Sprintf("http://127.0.0.1:%d", port)
	// A loaded machine starts node slowly: the limit is generous, and an emulator that exits
	// (its port taken meanwhile) is reported at once.
	deadline := time.Now().Add(emulatorStartTimeout)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			_ = c.Close()
			return ep, stop, nil
		}
		select {
		case <-exited:
			return "", nil, fmt.Errorf("the %s emulator exited before listening on port %d", pkg, port)
		case <-ctx.Done():
			stop()
			return "", nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	stop()
	return "", nil, fmt.Errorf("the %s emulator did not listen on port %d within %v", pkg, port, emulatorStartTimeout)
}

// emulatorStartTimeout bounds the wait for a node emulator to listen.
const emulatorStartTimeout = 3 * time.Minute

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newRequestID() string { return randomHex(8) }
