// The end-to-end tests live in package main because they start the same
// Main that `eddy serve` runs; everything else they do goes through real AWS
// clients, as a user's program would.
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

const testRole = "arn:aws:iam::000000000000:role/lambda-role"

// MustStartMain starts an eddy server on port 0 with a fresh data directory
// (or cfg.DataDir) and closes it when the test ends.
func MustStartMain(tb testing.TB, cfg Config) *Main {
	tb.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = tb.TempDir()
	}
	m := NewMain(cfg, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		tb.Fatalf("start eddy: %v", err)
	}
	tb.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}

func awsConfig(url string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(url),
	}
}

// MustLambda returns a Lambda client of the server.
func MustLambda(tb testing.TB, m *Main) *lambda.Client {
	tb.Helper()
	return lambda.NewFromConfig(awsConfig(m.URL()), func(o *lambda.Options) {
		o.RetryMaxAttempts = 1
	})
}

// MustLogs returns a CloudWatch Logs client of the server.
func MustLogs(tb testing.TB, m *Main) *cloudwatchlogs.Client {
	tb.Helper()
	return cloudwatchlogs.NewFromConfig(awsConfig(m.URL()))
}

var (
	buildMu    sync.Mutex
	buildCache = map[string][]byte{}
)

// MustEchoZip builds bench/echofn for Linux and returns it zipped as
// "bootstrap". version is reported by the function's whoami action.
func MustEchoZip(tb testing.TB, version string) []byte {
	tb.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if z, ok := buildCache[version]; ok {
		return z
	}
	dir, err := os.MkdirTemp("", "eddy-echofn-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+version, "-o", out, "../../bench/echofn")
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build echofn: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	z := MustZip(tb, map[string]zipEntry{"bootstrap": {data: bin, mode: 0o755}})
	buildCache[version] = z
	return z
}

type zipEntry struct {
	data []byte
	mode os.FileMode
}

// MustZip returns a zip of the given files.
func MustZip(tb testing.TB, files map[string]zipEntry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, e := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// MustCreate creates a function and fails the test on error.
func MustCreate(tb testing.TB, c *lambda.Client, in *lambda.CreateFunctionInput) *lambda.CreateFunctionOutput {
	tb.Helper()
	if in.Role == nil {
		in.Role = aws.String(testRole)
	}
	out, err := c.CreateFunction(context.Background(), in)
	if err != nil {
		tb.Fatalf("create function %s: %v", aws.ToString(in.FunctionName), err)
	}
	return out
}

// MustCreateEcho creates an echo function from bench/echofn.
func MustCreateEcho(tb testing.TB, c *lambda.Client, name string, timeout int32) {
	tb.Helper()
	MustCreate(tb, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Code:         &types.FunctionCode{ZipFile: MustEchoZip(tb, "1")},
		Timeout:      aws.Int32(timeout),
	})
}

// MustInvoke invokes synchronously and fails the test if the call fails.
func MustInvoke(tb testing.TB, c *lambda.Client, name string, payload any) *lambda.InvokeOutput {
	tb.Helper()
	var body []byte
	switch p := payload.(type) {
	case nil:
	case string:
		body = []byte(p)
	default:
		var err error
		if body, err = json.Marshal(p); err != nil {
			tb.Fatal(err)
		}
	}
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: body})
	if err != nil {
		tb.Fatalf("invoke %s: %v", name, err)
	}
	return out
}

// decode unmarshals an invoke payload into a map.
func decode(tb testing.TB, payload []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		tb.Fatalf("payload %q: %v", payload, err)
	}
	return m
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustContain(tb testing.TB, got, want string) {
	tb.Helper()
	if !strings.Contains(got, want) {
		tb.Fatalf("got %q, want it to contain %q", got, want)
	}
}

// apiError returns the AWS error code and HTTP status of a failed call.
func apiError(tb testing.TB, err error) (string, int) {
	tb.Helper()
	if err == nil {
		tb.Fatal("got no error, want an API error")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		tb.Fatalf("got %v, want an API error", err)
	}
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

// mustFailWith asserts that err is the AWS error code with the status.
func mustFailWith(tb testing.TB, err error, code string, status int) {
	tb.Helper()
	gotCode, gotStatus := apiError(tb, err)
	if gotCode != code || gotStatus != status {
		tb.Fatalf("got %s (%d), want %s (%d): %v", gotCode, gotStatus, code, status, err)
	}
}

type cloudwatchlogsFilter struct{ group string }

func (f cloudwatchlogsFilter) input() *cloudwatchlogs.FilterLogEventsInput {
	return &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(f.group)}
}

// skipExternalInShort skips a test that drives an external client (the aws
// CLI, boto3, moto) under -short. CI runs them in the plain run, where
// EDDY_REQUIRE_* makes a missing client a failure, and runs the race
// detector with -short: what they exercise in eddy, the Go clients'
// tests exercise too.
func skipExternalInShort(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("drives an external client; runs without -short")
	}
}
