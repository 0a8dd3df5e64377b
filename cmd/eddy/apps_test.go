package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const appsTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: a queue
Metadata:
  AWS::ServerlessRepo::Application:
    Name: queue-app
    Description: a queue of eddy's
    Author: eddy
    SpdxLicenseId: MIT
    LicenseUrl: LICENSE
    ReadmeUrl: README.md
    Labels: [sqs, queue]
    HomePageUrl: https://example.com/queue-app
    SemanticVersion: 1.0.0
    SourceCodeUrl: https://example.com/queue-app/src
Parameters:
  QueueName:
    Type: String
    Default: apps-default
    AllowedValues: [apps-default, apps-given]
    Description: the queue's name
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref QueueName
Outputs:
  QueueUrl:
    Value: !Ref Queue
`

// writeAppTemplate writes the template, with its license and README, to a
// new directory and returns the template's path.
func writeAppTemplate(t *testing.T, template string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"template.yaml": template, "LICENSE": "MIT License\n", "README.md": "# queue-app\n\nA queue.\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "template.yaml")
}

func TestAppsMetadata(t *testing.T) {
	t.Parallel()
	md, err := readAppMetadata(writeAppTemplate(t, appsTemplate))
	if err != nil {
		t.Fatal(err)
	}
	if md.Name != "queue-app" || md.Author != "eddy" || md.SemanticVersion != "1.0.0" || md.SpdxLicenseID != "MIT" ||
		md.LicenseBody != "MIT License\n" || md.LicenseURL != "" || !strings.Contains(md.ReadmeBody, "A queue.") ||
		!slices.Equal(md.Labels, []string{"sqs", "queue"}) || md.HomePageURL != "https://example.com/queue-app" ||
		md.SourceCodeURL != "https://example.com/queue-app/src" {
		t.Fatalf("metadata: %+v", md)
	}
	for _, field := range []string{"Name", "Description", "Author"} {
		tmpl := strings.Replace(appsTemplate, "    "+field+":", "    X"+field+":", 1)
		_, err := readAppMetadata(writeAppTemplate(t, tmpl))
		if err == nil || !strings.Contains(err.Error(), "has no "+field) {
			t.Errorf("without %s: %v", field, err)
		}
	}
}

func TestApps(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	path := writeAppTemplate(t, appsTemplate)

	out, _, err := runCLI(t, m, appsCommand(), "publish", "-t", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Published queue-app version 1.0.0") || !strings.Contains(out, ":applications/queue-app") {
		t.Fatalf("publish: %s", out)
	}
	// A new version, with changed metadata.
	path2 := writeAppTemplate(t, strings.Replace(appsTemplate, "a queue of eddy's", "a queue, described again", 1))
	if out, _, err = runCLI(t, m, appsCommand(), "publish", "-t", path2, "--version", "1.1.0"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "version 1.1.0") {
		t.Fatalf("publish 1.1.0: %s", out)
	}
	if _, _, err = runCLI(t, m, appsCommand(), "publish", "-t", path2, "--version", "1.1.0"); err == nil ||
		!strings.Contains(err.Error(), "version 1.1.0 of queue-app already exists; versions are immutable") {
		t.Fatalf("publishing 1.1.0 again: %v", err)
	}

	// Metadata alone.
	tmpl := strings.Replace(appsTemplate, "    SemanticVersion: 1.0.0\n", "", 1)
	tmpl = strings.Replace(tmpl, "a queue of eddy's", "a queue, described again", 1)
	tmpl = strings.Replace(tmpl, "https://example.com/queue-app\n", "https://example.com/home\n", 1)
	if out, _, err = runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, tmpl)); err != nil || !strings.Contains(out, "with no new version") {
		t.Fatalf("publish metadata: %v\n%s", err, out)
	}

	out, _, err = runCLI(t, m, appsCommand(), "show", "queue-app")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a queue, described again", "Author:", "eddy", "MIT", "https://example.com/home", "sqs, queue", "Version:", "1.1.0",
		"QueueName", "apps-default,apps-given", "the queue's name", "Capabilities:", "1.0.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(t, m, appsCommand(), "show", "queue-app@1.0.0")
	if err != nil || !hasLine(out, "Version:", "1.0.0") {
		t.Errorf("show @1.0.0: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, m, appsCommand(), "versions", "queue-app")
	if err != nil || !strings.Contains(out, "1.0.0") || !strings.Contains(out, "1.1.0") || !strings.Contains(out, "https://example.com/queue-app/src") {
		t.Errorf("versions: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, m, appsCommand(), "list")
	if err != nil || !strings.Contains(out, "queue-app") || !strings.Contains(out, "a queue, described again") {
		t.Errorf("list: %v\n%s", err, out)
	}
	if _, _, err = runCLI(t, m, appsCommand(), "show", "no-such-app"); err == nil || !strings.Contains(err.Error(), "no application named no-such-app") {
		t.Errorf("show no-such-app: %v", err)
	}

	out, _, err = runCLI(t, m, appsCommand(), "deploy", "queue-app@1.0.0", "--stack-name", "queues", "--param", "QueueName=apps-given")
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Stack serverlessrepo-queues: CREATE_COMPLETE") {
		t.Fatalf("deploy:\n%s", out)
	}
	st, err := MustCloudFormation(t, m).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("serverlessrepo-queues")})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Stacks) != 1 || string(st.Stacks[0].StackStatus) != "CREATE_COMPLETE" {
		t.Fatalf("stack: %+v", st.Stacks)
	}
	if _, err := MustSQS(t, m.URL()).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("apps-given")}); err != nil {
		t.Fatalf("the stack's queue: %v", err)
	}

	out, _, err = runCLI(t, m, appsCommand(), "share", "queue-app", "--principal", "123456789012")
	if err != nil || !strings.Contains(out, "Shared queue-app with 123456789012") {
		t.Fatalf("share: %v\n%s", err, out)
	}
	if _, _, err = runCLI(t, m, appsCommand(), "share", "queue-app", "--principal", "*"); err != nil {
		t.Fatal(err)
	}
	arn, err := resolveApp(ctx, MustServerlessRepo(t, m), "queue-app")
	if err != nil {
		t.Fatal(err)
	}
	pol, err := MustServerlessRepo(t, m).GetApplicationPolicy(ctx, &sar.GetApplicationPolicyInput{ApplicationId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(pol.Statements) != 2 || !slices.Equal(pol.Statements[0].Principals, []string{"123456789012"}) ||
		!slices.Equal(pol.Statements[0].Actions, []string{"Deploy"}) || !slices.Equal(pol.Statements[1].Principals, []string{"*"}) {
		t.Fatalf("policy: %+v", pol.Statements)
	}
}

// hasLine reports whether out has a line of exactly these fields.
func hasLine(out string, fields ...string) bool {
	for line := range strings.Lines(out) {
		if slices.Equal(strings.Fields(line), fields) {
			return true
		}
	}
	return false
}
