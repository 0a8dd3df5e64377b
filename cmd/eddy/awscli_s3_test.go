package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestAWSCLIBuckets drives S3 with the aws CLI v1 and v2: the high-level
// `aws s3` commands (mb, cp of a multipart file up and down, sync twice,
// ls, rm --recursive, rb) and `aws s3api` (put-object, head-object,
// notification configurations to a queue, errors).
func TestAWSCLIBuckets(t *testing.T) {
	eachAWSCLI(t, func(t *testing.T, awsPath string) {
		cli := newAWSCLI(t, awsPath, s3URL(t))
		version := cli.Run("--version")
		t.Logf("using %s", strings.TrimSpace(version))
		name := "cli-v1"
		if strings.HasPrefix(version, "aws-cli/2") {
			name = "cli-v2"
		}
		testAWSCLIBuckets(t, cli, name)
	})
}

// cliJSON runs the CLI and decodes its JSON output into v.
func cliJSON(tb testing.TB, cli *awsCLI, v any, args ...string) {
	tb.Helper()
	out := cli.Run(args...)
	if strings.TrimSpace(out) == "" {
		out = "{}"
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		tb.Fatalf("aws %s: output %q: %v", strings.Join(args, " "), out, err)
	}
}

// mustWrite writes a file, making its directories.
func mustWrite(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// matchingLines returns the lines of out that match re.
func matchingLines(out string, re *regexp.Regexp) []string {
	var got []string
	for _, l := range strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if re.MatchString(l) {
			got = append(got, strings.TrimSpace(l))
		}
	}
	slices.Sort(got)
	return got
}

func testAWSCLIBuckets(t *testing.T, cli *awsCLI, b string) {
	// Each run of a CLI costs a second or more: the test runs few, and
	// checks what they did with the Go SDK.
	version := cli.Run("--version")
	serviceError := 255
	if strings.HasPrefix(version, "aws-cli/2") {
		serviceError = 254
	}
	dir := t.TempDir()
	c, q := MustS3(t, cli.url), MustSQS(t, cli.url)
	ctx := context.Background()

	if out := cli.Run("s3", "mb", "s3://"+b); !strings.Contains(out, "make_bucket: "+b) {
		t.Errorf("s3 mb: got %q, want make_bucket: %s", out, b)
	}
	if out := cli.Run("s3", "ls"); !regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ` + b + `$`).MatchString(out) {
		t.Errorf("s3 ls: got %q, want a line for %s", out, b)
	}

	// A 20 MB file goes up in parts (the CLI's threshold and part size
	// are 8 MB) and comes back byte for byte.
	big := randomBytes(20<<20+7, 11)
	mustWrite(t, filepath.Join(dir, "big.bin"), big)
	cli.Run("s3", "cp", "--no-progress", filepath.Join(dir, "big.bin"), "s3://"+b+"/big/file.bin")
	cli.Run("s3", "cp", "--no-progress", "s3://"+b+"/big/file.bin", filepath.Join(dir, "down.bin"))
	if got, err := os.ReadFile(filepath.Join(dir, "down.bin")); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("s3 cp up and down: got %d bytes (%v), want the %d put", len(got), err, len(big))
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("big/file.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(big)) || !regexp.MustCompile(`^"[0-9a-f]{32}-3"$`).MatchString(aws.ToString(head.ETag)) {
		t.Errorf("the file copied up: got length %d and ETag %s, want %d and a 3-part ETag", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag), len(big))
	}

	// sync: a tree goes up; a second sync copies nothing.
	tree := filepath.Join(dir, "tree")
	files := map[string]string{"a/1.txt": "one", "a/b/2.txt": "two", "c.txt": "three", "sp ace/ü.txt": "four"}
	for p, v := range files {
		mustWrite(t, filepath.Join(tree, p), []byte(v))
	}
	// Local times in the past, so that the objects are newer.
	old := time.Now().Add(-time.Hour)
	_ = filepath.Walk(tree, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, old, old) })
	out := cli.Run("s3", "sync", "--no-progress", tree, "s3://"+b+"/tree/")
	if got := matchingLines(out, regexp.MustCompile(`^upload: `)); len(got) != len(files) {
		t.Errorf("s3 sync: got uploads %v, want %d", got, len(files))
	}
	for p, v := range files {
		if got := mustGet(t, c, b, "tree/"+p); string(got) != v {
			t.Errorf("s3 sync: tree/%s is %q, want %q", p, got, v)
		}
	}
	if out := cli.Run("s3", "sync", "--no-progress", tree, "s3://"+b+"/tree/"); strings.Contains(out, "upload:") {
		t.Errorf("second s3 sync: got %q, want nothing copied", out)
	}

	out = cli.Run("s3", "ls", "s3://"+b+"/")
	if got := matchingLines(out, regexp.MustCompile(`PRE `)); !slices.Equal(got, []string{"PRE big/", "PRE tree/"}) {
		t.Errorf("s3 ls of the bucket: got %v in %q, want PRE big/ and PRE tree/", got, out)
	}
	out = cli.Run("s3", "ls", "s3://"+b+"/", "--recursive")
	want := []string{"20971527 big/file.bin", "3 tree/a/1.txt", "3 tree/a/b/2.txt", "5 tree/c.txt", "4 tree/sp ace/ü.txt"}
	var keys []string
	for _, l := range matchingLines(out, regexp.MustCompile(`^\d{4}-`)) {
		if f := regexp.MustCompile(`^\S+ \S+ +(\d+ .*)$`).FindStringSubmatch(l); f != nil {
			keys = append(keys, f[1])
		}
	}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("s3 ls --recursive: got %v, want %v", keys, want)
	}

	out = cli.Run("s3", "rm", "s3://"+b+"/tree/", "--recursive")
	if got := matchingLines(out, regexp.MustCompile(`^delete: `)); len(got) != len(files) {
		t.Errorf("s3 rm --recursive: got %v, want %d deletes", got, len(files))
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "big/file.bin" {
		t.Errorf("after s3 rm --recursive: got %+v, %v, want big/file.bin alone", list, err)
	}

	// Notifications to a queue.
	queueURL, arn := MustQueueARN(t, q, b+"-events", nil)
	cfg := `{"QueueConfigurations":[{"Id":"cli-events","QueueArn":"` + arn + `","Events":["s3:ObjectCreated:*"],` +
		`"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"api/"}]}}}]}`
	cli.Run("s3api", "put-bucket-notification-configuration", "--bucket", b, "--notification-configuration", cfg)
	var got struct {
		QueueConfigurations []struct {
			Id, QueueArn string
			Events       []string
			Filter       struct {
				Key struct {
					FilterRules []struct{ Name, Value string }
				}
			}
		}
	}
	cliJSON(t, cli, &got, "s3api", "get-bucket-notification-configuration", "--bucket", b)
	if len(got.QueueConfigurations) != 1 || got.QueueConfigurations[0].Id != "cli-events" || got.QueueConfigurations[0].QueueArn != arn ||
		!slices.Equal(got.QueueConfigurations[0].Events, []string{"s3:ObjectCreated:*"}) || len(got.QueueConfigurations[0].Filter.Key.FilterRules) != 1 ||
		!strings.EqualFold(got.QueueConfigurations[0].Filter.Key.FilterRules[0].Name, "prefix") || got.QueueConfigurations[0].Filter.Key.FilterRules[0].Value != "api/" {
		t.Errorf("get-bucket-notification-configuration: got %+v, want the configuration put", got)
	}

	// s3api: put-object and head-object, which the queue hears of.
	mustWrite(t, filepath.Join(dir, "small.txt"), []byte("hello from the cli"))
	var put struct{ ETag string }
	cliJSON(t, cli, &put, "s3api", "put-object", "--bucket", b, "--key", "api/small.txt", "--body", filepath.Join(dir, "small.txt"),
		"--content-type", "text/plain", "--metadata", "origin=cli,Mixed=Case")
	if put.ETag != etagOf([]byte("hello from the cli")) {
		t.Errorf("put-object: got ETag %s, want %s", put.ETag, etagOf([]byte("hello from the cli")))
	}
	var h struct {
		ETag, ContentType string
		ContentLength     int64
		Metadata          map[string]string
	}
	cliJSON(t, cli, &h, "s3api", "head-object", "--bucket", b, "--key", "api/small.txt")
	if h.ETag != put.ETag || h.ContentLength != 18 || h.ContentType != "text/plain" || len(h.Metadata) != 2 ||
		h.Metadata["origin"] != "cli" || h.Metadata["mixed"] != "Case" {
		t.Errorf("head-object: got %+v, want ETag %s, 18 bytes, text/plain, origin=cli mixed=Case", h, put.ETag)
	}
	records, tests := s3QueueEvents(t, q, queueURL, 1)
	if len(tests) > 1 || (len(tests) == 0 && len(s3TestEvents(t, q, queueURL)) != 1) {
		t.Errorf("queue: got %d test events, want 1", len(tests))
	}
	if len(records) != 1 || records[0].EventName != "ObjectCreated:Put" || records[0].S3.Object.URLDecodedKey != "api/small.txt" || records[0].S3.Object.Size != 18 {
		t.Errorf("queue: got %v, want the put of api/small.txt", recordKeys(records))
	}

	// Errors, as the CLIs print them.
	if exit, stderr := cli.Fail("s3api", "get-object", "--bucket", b, "--key", "missing", filepath.Join(dir, "x")); exit != serviceError || !strings.Contains(stderr, "(NoSuchKey)") {
		t.Errorf("get-object of a missing key: got exit %d and %q, want exit %d and NoSuchKey", exit, stderr, serviceError)
	}
	if out := cli.Run("s3", "rb", "s3://"+b, "--force"); !strings.Contains(out, "remove_bucket: "+b) {
		t.Errorf("s3 rb --force: got %q, want remove_bucket: %s", out, b)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)})
	mustS3Fail(t, err, "NotFound", 404)
}

// s3TestEvents receives the test events that are in a queue.
func s3TestEvents(t *testing.T, q *sqs.Client, queueURL string) []s3Message {
	t.Helper()
	_, tests := s3Receive(t, q, queueURL)
	return tests
}
