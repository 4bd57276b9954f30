// Command local runs the whole inbox on one machine (make run) and mints local tokens.
//
//	go run ./infra/local [-port 3000] [-data .local/data] [-fresh] [-dynamodb-endpoint URL] [-sqs-endpoint URL] [-tick 60s]
//	go run ./infra/local token -account A -user U -role admin|agent [-name "Ada Lovelace"]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/samtemplate"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "token" {
		os.Exit(token(os.Args[2:]))
	}
	os.Exit(run(os.Args[1:]))
}

func root() (string, error) {
	p, err := samtemplate.Find()
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}

func token(args []string) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	account := fs.String("account", "", "account id")
	user := fs.String("user", "", "user id")
	role := fs.String("role", "agent", "admin or agent")
	ttl := fs.Duration("ttl", 24*time.Hour, "validity")
	name := fs.String("name", "", "display name (email From names and signatures)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dir, err := root()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	key, err := localrun.LoadKey(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tok, err := localrun.MintNamed(key, *account, *user, *role, *name, *ttl, time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		return 2
	}
	fmt.Println(tok)
	return 0
}

func run(args []string) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	defPort := os.Getenv("PORT")
	if defPort == "" {
		defPort = "3000"
	}
	port := fs.String("port", defPort, "HTTP port (env PORT)")
	ddb := fs.String("dynamodb-endpoint", os.Getenv("DYNAMODB_ENDPOINT"), "DynamoDB endpoint; empty runs DynamoDB in-process")
	sqsEP := fs.String("sqs-endpoint", os.Getenv("SQS_ENDPOINT"), "SQS endpoint; empty starts the local SQS emulator")
	retry := fs.Duration("retry-after", 5*time.Second, "wait before a failed queue message is retried (0: the template's visibility timeout)")
	tick := fs.Duration("tick", 0, "how often the scheduled functions run (0: the template's rate(1 minute); negative: only on POST /_local/tick)")
	verbose := fs.Bool("v", false, "log every request and message")
	data := fs.String("data", envOr("INBOX_DATA", filepath.Join(".local", "data")), "folder that keeps conversations, channels and keys across restarts, relative to the repository (env INBOX_DATA); empty keeps everything in memory (minidyn)")
	fresh := fs.Bool("fresh", os.Getenv("FRESH") != "", "delete the data folder first and start from nothing (env FRESH=1)")
	issuer := fs.String("issuer", "", "also trust this OpenID Connect issuer's tokens, and have the web app sign in there instead of the demo sign-in (a dev stack's user pool: https://cognito-idp.<region>.amazonaws.com/<pool id>)")
	audience := fs.String("audience", "", "with -issuer: the client id(s) its tokens are for, comma-separated")
	authorizeURL := fs.String("authorize-url", "", "with -issuer: its OAuth 2.0 authorization endpoint (the hosted UI's https://<domain>/oauth2/authorize)")
	tokenURL := fs.String("token-url", "", "with -issuer: its token endpoint")
	clientID := fs.String("client-id", "", "with -issuer: the web app's client (default: the first -audience); it must allow the callback http://localhost:<port>/app/")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dir, err := root()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dataDir := *data
	if dataDir != "" && !filepath.IsAbs(dataDir) {
		dataDir = filepath.Join(dir, dataDir)
	}
	if *fresh && dataDir != "" {
		if err := os.RemoveAll(dataDir); err != nil {
			fmt.Fprintln(os.Stderr, "local:", err)
			return 1
		}
	}
	level := slog.LevelInfo
	if !*verbose {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := localrun.Options{
		Addr: ":" + *port, DynamoDBEndpoint: *ddb, SQSEndpoint: *sqsEP, RetryAfter: *retry, Tick: *tick, Log: log,
		DataDir: dataDir, Root: dir,
	}
	if dataDir != "" {
		// The same table name every run, also on an endpoint given with -dynamodb-endpoint.
		o.TableName = "inbox"
	}
	if *issuer != "" {
		if *audience == "" {
			fmt.Fprintln(os.Stderr, "local: -issuer needs -audience (the client id its tokens are for)")
			return 2
		}
		id := *clientID
		if id == "" {
			id, _, _ = strings.Cut(*audience, ",")
		}
		o.SignIn = &localrun.SignIn{Issuer: *issuer, Audience: *audience, AuthorizeURL: *authorizeURL, TokenURL: *tokenURL, ClientID: id}
	}
	r, err := localrun.Start(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		return 1
	}
	defer r.Close()
	fmt.Print(r.Banner())
	if dataDir != "" {
		fmt.Printf("Data is kept in %s (make run FRESH=1 starts from nothing).\n", dataDir)
	}
	<-ctx.Done()
	// Queued messages live in the SQS emulator's memory: let the consumers finish them first.
	fmt.Println("\nstopping: finishing queued messages (10 s at most)")
	drain, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = r.WaitIdle(drain)
	return 0
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
