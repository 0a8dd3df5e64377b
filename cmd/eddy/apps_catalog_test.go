package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// catalogFnTemplate is a SAM application of one echo function, with the
// repository's metadata.
func catalogFnTemplate(t *testing.T) string {
	return `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Metadata:
  AWS::ServerlessRepo::Application:
    Name: echo-app
    Description: an echo function to share
    Author: eddy
    SpdxLicenseId: MIT
    Labels: [echo, catalog]
    SemanticVersion: 1.0.0
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ` + echofnDir(t) + `
      Runtime: provided.al2023
      Handler: bootstrap
      Timeout: 10
`
}

// availableDigest returns the digest `eddy apps available` prints for an
// application; "" when it is not listed.
func availableDigest(out, name string) string {
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == name {
			return f[3]
		}
	}
	return ""
}

// TestAppsCatalog shares an application of one eddy (A) publicly, adds A
// as a source of another (B), installs the application on B by digest and
// deploys and invokes it there with A stopped.
func TestAppsCatalog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := MustStartMain(t, Config{})
	b := MustStartMain(t, Config{})

	dir := filepath.Join(t.TempDir(), "echo")
	path := filepath.Join(dir, "template.yaml")
	writeFile(t, path, catalogFnTemplate(t), 0o644)
	if out, _, err := runCLI(t, a, appsCommand(), "publish", "-t", path); err != nil {
		t.Fatalf("publish on A: %v\n%s", err, out)
	}
	if out, _, err := runCLI(t, a, appsCommand(), "share", "echo-app", "--principal", "*"); err != nil {
		t.Fatalf("share on A: %v\n%s", err, out)
	}
	// An application A does not share publicly: shared with one account.
	if out, _, err := runCLI(t, a, appsCommand(), "publish", "-t", writeAppTemplate(t, appsTemplate)); err != nil {
		t.Fatalf("publish queue-app on A: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, a, appsCommand(), "share", "queue-app", "--principal", "123456789012"); err != nil {
		t.Fatal(err)
	}

	if _, _, err := runCLI(t, b, appsCommand(), "sources", "add", "http://127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "Unable to reach the source") {
		t.Fatalf("adding an unreachable source: %v", err)
	}
	out, _, err := runCLI(t, b, appsCommand(), "sources", "add", a.URL())
	if err != nil || !strings.Contains(out, "Added source "+a.URL()+": 1 applications") {
		t.Fatalf("sources add: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, b, appsCommand(), "sources", "list")
	if err != nil || !strings.Contains(out, a.URL()) {
		t.Fatalf("sources list: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, b, appsCommand(), "available")
	if err != nil {
		t.Fatal(err)
	}
	digest := availableDigest(out, "echo-app")
	if !strings.HasPrefix(digest, "sha256:") || !strings.Contains(out, a.URL()) || !strings.Contains(out, "1.0.0") {
		t.Fatalf("available:\n%s", out)
	}
	if strings.Contains(out, "queue-app") {
		t.Fatalf("available lists an application A does not share publicly:\n%s", out)
	}
	if out, _, err := runCLI(t, b, appsCommand(), "available", "ECHO", "catalog"); err != nil || availableDigest(out, "echo-app") != digest {
		t.Errorf("available ECHO catalog: %v\n%s", err, out)
	}
	if out, _, err := runCLI(t, b, appsCommand(), "available", "queue"); err != nil || availableDigest(out, "echo-app") != "" {
		t.Errorf("available queue: %v\n%s", err, out)
	}

	// eddy apps search ranks what the sources offer with B's own.
	out, _, err = runCLI(t, b, appsCommand(), "search", "echo")
	if err != nil {
		t.Fatalf("search echo on B: %v\n%s", err, out)
	}
	if row := strings.Fields(strings.Split(out, "\n")[1]); len(row) < 5 || row[0] != "echo-app" || row[4] != a.URL() {
		t.Fatalf("search echo on B: first row %q\n%s", row, out)
	}

	wrong := "sha256:" + strings.Repeat("ab", 32)
	_, _, err = runCLI(t, b, appsCommand(), "install", "echo-app@1.0.0", "--digest", wrong)
	if err == nil || !strings.Contains(err.Error(), "digest mismatch: want "+wrong+", got "+digest) {
		t.Fatalf("install with a wrong digest: %v", err)
	}
	if out, _, err := runCLI(t, b, appsCommand(), "list"); err != nil || strings.Contains(out, "echo-app") {
		t.Fatalf("after a refused install, list: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, b, appsCommand(), "install", "echo-app@1.0.0", "--source", a.URL(), "--digest", digest)
	if err != nil || !strings.Contains(out, "Installed echo-app@1.0.0 from "+a.URL()) || !strings.Contains(out, "Digest: "+digest) {
		t.Fatalf("install: %v\n%s", err, out)
	}

	// B works without A.
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if out, _, err := runCLI(t, b, appsCommand(), "install", "echo-app@1.0.0"); err != nil || !strings.Contains(out, "installed already") {
		t.Errorf("install again with A stopped: %v\n%s", err, out)
	}
	if out, _, err := runCLI(t, b, appsCommand(), "available"); err != nil || availableDigest(out, "echo-app") != digest {
		t.Errorf("available with A stopped: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, b, appsCommand(), "deploy", "echo-app")
	if err != nil || !strings.Contains(out, "Stack serverlessrepo-echo-app: CREATE_COMPLETE") {
		t.Fatalf("deploy on B: %v\n%s", err, out)
	}
	res, err := MustCloudFormation(t, b).DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{
		StackName: aws.String("serverlessrepo-echo-app"), LogicalResourceId: aws.String("Fn"),
	})
	if err != nil {
		t.Fatal(err)
	}
	fn := aws.ToString(res.StackResourceDetail.PhysicalResourceId)
	inv := MustInvoke(t, MustLambda(t, b), fn, `{"from":"a catalog"}`)
	if inv.FunctionError != nil || string(inv.Payload) != `{"from":"a catalog"}` {
		t.Fatalf("invoke %s: %s %s", fn, aws.ToString(inv.FunctionError), inv.Payload)
	}
	if out, _, err := runCLI(t, b, appsCommand(), "sources", "remove", a.URL()); err != nil || !strings.Contains(out, "Removed source") {
		t.Errorf("sources remove: %v\n%s", err, out)
	}
	if out, _, err := runCLI(t, b, appsCommand(), "list"); err != nil || !strings.Contains(out, "echo-app") {
		t.Errorf("list after removing the source: %v\n%s", err, out)
	}
}
