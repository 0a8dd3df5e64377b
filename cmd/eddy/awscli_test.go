package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLI creates and invokes a function with the aws CLI, as the README's
// walk-through does. CI sets EDDY_REQUIRE_AWSCLI=1 so that a missing CLI fails
// instead of skipping.
func TestAWSCLI(t *testing.T) { eachAWSCLI(t, testAWSCLI) }

// eachAWSCLI runs test with the first aws CLI on PATH (v1 here, which speaks
// SQS's JSON protocol) and with the aws CLI v2 at /usr/bin/aws (Debian's
// 2.9, which speaks SQS's query protocol). EDDY_REQUIRE_AWSCLI=1 and
// EDDY_REQUIRE_AWSCLI_V2=1 make a missing CLI a failure. The two run side by
// side, each against its own server.
func eachAWSCLI(t *testing.T, test func(t *testing.T, awsPath string)) {
	// The CLIs spend much of their time starting and waiting: their tests
	// overlap with the others.
	t.Parallel()
	skipExternalInShort(t)
	t.Run("PATH", func(t *testing.T) {
		t.Parallel()
		awsPath, err := exec.LookPath("aws")
		if err != nil {
			if os.Getenv("EDDY_REQUIRE_AWSCLI") == "1" {
				t.Fatal("the aws CLI is not installed")
			}
			t.Skip("the aws CLI is not installed")
		}
		test(t, awsPath)
	})
	t.Run("v2", func(t *testing.T) {
		t.Parallel()
		out, err := exec.Command("/usr/bin/aws", "--version").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "aws-cli/2") {
			if os.Getenv("EDDY_REQUIRE_AWSCLI_V2") == "1" {
				t.Fatalf("the aws CLI v2 is not at /usr/bin/aws: %s %v", out, err)
			}
			t.Skip("the aws CLI v2 is not at /usr/bin/aws")
		}
		test(t, "/usr/bin/aws")
	})
}

// awsCLI runs one aws CLI against one server, with test credentials, no
// configuration files and JSON output.
type awsCLI struct {
	tb        testing.TB
	path, url string
	home      string
}

func newAWSCLI(tb testing.TB, awsPath, url string) *awsCLI {
	return &awsCLI{tb: tb, path: awsPath, url: url, home: tb.TempDir()}
}

func (c *awsCLI) command(args ...string) *exec.Cmd {
	cmd := exec.Command(c.path, append([]string{"--endpoint-url", c.url, "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "HOME="+c.home, "AWS_CONFIG_FILE="+filepath.Join(c.home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(c.home, "none"), "AWS_PAGER=")
	return cmd
}

// Run runs the CLI with args and returns its output; a failure fails the
// test.
func (c *awsCLI) Run(args ...string) string {
	c.tb.Helper()
	out, err := c.command(args...).CombinedOutput()
	if err != nil {
		c.tb.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Fail runs the CLI with args, which should fail, and returns its exit
// code and standard error. If it succeeds, the test fails, and Fail
// returns 0 and the output.
func (c *awsCLI) Fail(args ...string) (int, string) {
	c.tb.Helper()
	cmd := c.command(args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		c.tb.Errorf("aws %s: got %v and output %s, want it to fail", strings.Join(args, " "), err, out)
		return 0, string(out)
	}
	return exit.ExitCode(), stderr.String()
}

func testAWSCLI(t *testing.T, awsPath string) {
	m := MustStartMain(t, Config{})
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "function.zip")
	if err := os.WriteFile(zipPath, MustEchoZip(t, "1"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := newAWSCLI(t, awsPath, m.URL()).Run
	version := run("--version")
	t.Logf("using %s", strings.TrimSpace(version))

	created := run("lambda", "create-function", "--function-name", "cli-echo", "--runtime", "provided.al2023",
		"--handler", "bootstrap", "--role", testRole, "--zip-file", "fileb://"+zipPath)
	var cfg map[string]any
	if err := json.Unmarshal([]byte(created), &cfg); err != nil {
		t.Fatalf("create-function output %q: %v", created, err)
	}
	if cfg["FunctionName"] != "cli-echo" || cfg["State"] != "Active" {
		t.Fatalf("create-function: got %v", cfg)
	}

	args := []string{"lambda", "invoke", "--function-name", "cli-echo", "--payload", `{"from":"the aws cli"}`, "--log-type", "Tail"}
	if strings.HasPrefix(version, "aws-cli/2") {
		args = append(args, "--cli-binary-format", "raw-in-base64-out")
	}
	outFile := filepath.Join(dir, "response.json")
	invoked := run(append(args, outFile)...)
	var meta map[string]any
	if err := json.Unmarshal([]byte(invoked), &meta); err != nil {
		t.Fatalf("invoke output %q: %v", invoked, err)
	}
	if meta["StatusCode"] != float64(200) || meta["ExecutedVersion"] != "$LATEST" || meta["LogResult"] == nil {
		t.Fatalf("invoke: got %v", meta)
	}
	body, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"from":"the aws cli"}` {
		t.Fatalf("invoke response: got %s", body)
	}
	listed := run("lambda", "list-functions")
	mustContain(t, listed, `"cli-echo"`)
	run("lambda", "delete-function", "--function-name", "cli-echo")

	// DynamoDB and DynamoDB Streams through the same CLI.
	run("dynamodb", "create-table", "--table-name", "cli-table",
		"--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
		"--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
		"--billing-mode", "PAY_PER_REQUEST", "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES")
	run("dynamodb", "wait", "table-exists", "--table-name", "cli-table")
	for _, sk := range []string{"1", "2", "3"} {
		run("dynamodb", "put-item", "--table-name", "cli-table", "--item", `{"pk":{"S":"a"},"sk":{"N":"`+sk+`"},"n":{"N":"10"}}`)
	}
	updated := run("dynamodb", "update-item", "--table-name", "cli-table", "--key", `{"pk":{"S":"a"},"sk":{"N":"2"}}`,
		"--update-expression", "ADD n :d", "--expression-attribute-values", `{":d":{"N":"5"}}`, "--return-values", "UPDATED_NEW")
	if !strings.Contains(updated, `"15"`) {
		t.Fatalf("update-item: got %s", updated)
	}
	queried := run("dynamodb", "query", "--table-name", "cli-table", "--key-condition-expression", "pk = :p AND sk >= :s",
		"--expression-attribute-values", `{":p":{"S":"a"},":s":{"N":"2"}}`, "--no-scan-index-forward")
	var q struct {
		Count int
		Items []map[string]map[string]string
	}
	if err := json.Unmarshal([]byte(queried), &q); err != nil || q.Count != 2 || q.Items[0]["sk"]["N"] != "3" {
		t.Fatalf("query: got %s (%v)", queried, err)
	}
	streams := run("dynamodbstreams", "list-streams", "--table-name", "cli-table")
	if !strings.Contains(streams, "table/cli-table/stream/") {
		t.Fatalf("list-streams: got %s", streams)
	}
	run("dynamodb", "delete-table", "--table-name", "cli-table")
}
