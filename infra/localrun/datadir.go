package localrun

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/openinbox/inbox/infra/samtemplate"
	"github.com/openinbox/inbox/shared/app"
)

// A data folder (Options.DataDir) keeps a local deployment across restarts:
//
//	dynamodb/      DynamoDB Local's SQLite file (-sharedDb -dbPath): conversations, channels…
//	schema.sha256  the table's key schema and indexes it was created with
//	secret-key     the key that seals channel secrets (unless INBOX_SECRET_KEY is set)
//
// DynamoDB Local, not the in-process minidyn, holds the data there: minidyn deep-copies the
// whole table on every TransactWriteItems (Table.Snapshot, for rollback) and walks every key on
// every Query, so each message costs more as data grows (BenchmarkRouterAtSize: 4.9 ms at 100
// messages, 274 ms at 2,000), and it keeps nothing on disk. DynamoDB Local stores items in
// SQLite with indexes on the keys, so its cost stays flat, and it is AWS's own emulator, already
// installed for the tests.

// ErrSchemaChanged is returned when the data folder's table was created from another version of
// template.yaml's key schema or indexes: start fresh (make run FRESH=1) to recreate it.
var ErrSchemaChanged = errors.New("the data folder's table was created with another key schema or other indexes than template.yaml's; start fresh (make run FRESH=1) to recreate it")

// startDynamoDBLocal runs DynamoDB Local (installed in .tools/dynamodb by make run) with its
// data in dir on a free loopback port and returns its endpoint and a stop function.
func startDynamoDBLocal(root, dir string) (string, func(), error) {
	jarDir := filepath.Join(root, ".tools", "dynamodb")
	if _, err := os.Stat(filepath.Join(jarDir, "DynamoDBLocal.jar")); err != nil {
		return "", nil, fmt.Errorf("DynamoDB Local is not installed: run `make run` (or infra/emulators/install.sh)")
	}
	if _, err := exec.LookPath("java"); err != nil {
		return "", nil, fmt.Errorf("java is needed to keep data across restarts (DynamoDB Local): %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("java", "-Djava.library.path=DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
		"-sharedDb", "-dbPath", abs, "-port", fmt.Sprint(port))
	cmd.Dir = jarDir
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	stop := func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// The JVM takes a few seconds to start, more on a busy machine.
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			_ = c.Close()
			return "http://" + addr, stop, nil
		}
	}
	stop()
	return "", nil, errors.New("DynamoDB Local did not start")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ensureTable creates the template's table, or, in a data folder, keeps the one an earlier
// run created when its key schema and indexes are still the template's (ErrSchemaChanged
// otherwise).
func ensureTable(ctx context.Context, tpl *samtemplate.Template, cfg app.Config, dataDir string) error {
	in, err := tpl.CreateTableInput(cfg.TableName)
	if err != nil {
		return err
	}
	client := dynamodb.NewFromConfig(cfg.AWS, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(cfg.DynamoDBEndpoint)
		o.DisableValidateResponseChecksum = cfg.DisableDynamoDBChecksum
	})
	if dataDir == "" {
		_, err = client.CreateTable(ctx, in)
		return err
	}
	fp := schemaFingerprint(in)
	file := filepath.Join(dataDir, "schema.sha256")
	_, err = client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
	var missing *types.ResourceNotFoundException
	switch {
	case errors.As(err, &missing):
		if _, err := client.CreateTable(ctx, in); err != nil {
			return err
		}
		return os.WriteFile(file, []byte(fp), 0o600)
	case err != nil:
		return err
	}
	if old, _ := os.ReadFile(file); string(old) != fp {
		return ErrSchemaChanged
	}
	return nil
}

// schemaFingerprint names what a table keeps from its creation: keys, attribute types, indexes.
func schemaFingerprint(in *dynamodb.CreateTableInput) string {
	b, _ := json.Marshal(struct {
		A []types.AttributeDefinition
		K []types.KeySchemaElement
		G []types.GlobalSecondaryIndex
		L []types.LocalSecondaryIndex
	}{in.AttributeDefinitions, in.KeySchema, in.GlobalSecondaryIndexes, in.LocalSecondaryIndexes})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// dataSecretKey returns the sealing key kept in the data folder, creating it on first use:
// channel secrets sealed in one run must open in the next.
func dataSecretKey(dir string) (string, error) {
	p := filepath.Join(dir, "secret-key")
	if b, err := os.ReadFile(p); err == nil && len(b) >= 32 {
		return string(b), nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	k := randomHex(32)
	return k, os.WriteFile(p, []byte(k), 0o600)
}
