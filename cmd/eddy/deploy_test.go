package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// deployTemplate is a SAM application of one echo function; extra is
// appended to its Resources and outputs to its Outputs.
func deployTemplate(t *testing.T, extra, outputs string) string {
	return `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ` + echofnDir(t) + `
      Runtime: provided.al2023
      Handler: bootstrap
      Timeout: 10
      Environment:
        Variables:
          GREETING: !Ref Greeting
` + extra + `
Outputs:
  FnArn:
    Description: the echo function
    Value: !GetAtt Fn.Arn
  FnName:
    Value: !Ref Fn
` + outputs
}

// outputValue returns the value of an output in what deploy printed.
func outputValue(t *testing.T, printed, key string) string {
	t.Helper()
	_, table, ok := strings.Cut(printed, "Outputs:\n")
	if !ok {
		t.Fatalf("no outputs printed:\n%s", printed)
	}
	for _, line := range strings.Split(table, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == key {
			return f[1]
		}
	}
	t.Fatalf("output %s not printed:\n%s", key, printed)
	return ""
}

// TestDeployEndToEnd deploys a SAM application built from source, updates
// it, redeploys it unchanged, describes and deletes it, all through the
// eddy commands against a running server.
func TestDeployEndToEnd(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	lc := MustLambda(t, m)
	dir := filepath.Join(t.TempDir(), "my_app")
	path := filepath.Join(dir, "template.yaml")
	writeFile(t, path, deployTemplate(t, "", ""), 0o644)

	out, _, err := runCLI(t, m, deployCommand(), "-t", path, "--param", "Greeting=bonjour")
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	t.Logf("eddy deploy:\n%s", out)
	mustContain(t, out, "Stack my-app: CREATE_COMPLETE")
	mustContain(t, out, "CREATE_COMPLETE")
	mustContain(t, out, "AWS::Lambda::Function")
	mustContain(t, out, "the echo function")
	name := outputValue(t, out, "FnName")
	arn := outputValue(t, out, "FnArn")
	if !strings.HasPrefix(arn, "arn:aws:lambda:us-east-1:") || !strings.HasSuffix(arn, ":function:"+name) {
		t.Fatalf("FnArn %q does not name function %q", arn, name)
	}
	// The stack's own events are printed, and no event twice.
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 4 && strings.HasPrefix(f[2], "AWS::") {
			if seen[line] {
				t.Errorf("event printed twice: %s", line)
			}
			seen[line], seen[f[1]+" "+f[3]] = true, true
		}
	}
	if !seen["CREATE_IN_PROGRESS my-app"] || !seen["CREATE_COMPLETE my-app"] || !seen["CREATE_COMPLETE Fn"] {
		t.Errorf("want the stack's and Fn's events printed:\n%s", out)
	}

	res := MustInvoke(t, lc, name, `{"hello":"deploy"}`)
	if res.FunctionError != nil || string(res.Payload) != `{"hello":"deploy"}` {
		t.Fatalf("invoke: %s %s", aws.ToString(res.FunctionError), res.Payload)
	}
	greeting := func() string {
		t.Helper()
		res := MustInvoke(t, lc, name, `{"action":"whoami"}`)
		var who struct{ Env []string }
		if err := json.Unmarshal(res.Payload, &who); err != nil {
			t.Fatalf("whoami: %s", res.Payload)
		}
		for _, e := range who.Env {
			if v, ok := strings.CutPrefix(e, "GREETING="); ok {
				return v
			}
		}
		return ""
	}
	if g := greeting(); g != "bonjour" {
		t.Fatalf("GREETING = %q, want the --param value bonjour", g)
	}

	// An update adds a queue; the parameter keeps its previous value.
	writeFile(t, path, deployTemplate(t, "  Queue:\n    Type: AWS::SQS::Queue\n", "  QueueUrl:\n    Value: !Ref Queue\n"), 0o644)
	out, _, err = runCLI(t, m, deployCommand(), "-t", path)
	if err != nil {
		t.Fatalf("update: %v\n%s", err, out)
	}
	mustContain(t, out, "Stack my-app: UPDATE_COMPLETE")
	mustContain(t, out, "AWS::SQS::Queue")
	queueURL := outputValue(t, out, "QueueUrl")
	q := MustSQS(t, m.URL())
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("hi")}); err != nil {
		t.Fatalf("send to the stack's queue %s: %v", queueURL, err)
	}
	if g := greeting(); g != "bonjour" {
		t.Fatalf("after the update GREETING = %q, want the previous value bonjour", g)
	}

	// The same template again changes nothing, and the code, unchanged,
	// is one object in the artifact bucket.
	out, _, err = runCLI(t, m, deployCommand(), "-t", path, "--stack-name", "my-app")
	if err != nil {
		t.Fatalf("redeploy: %v\n%s", err, out)
	}
	mustContain(t, out, "No changes to deploy")
	if outputValue(t, out, "QueueUrl") != queueURL {
		t.Errorf("redeploy printed other outputs:\n%s", out)
	}
	objs, err := MustS3(t, m.URL()).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("eddy-deploy-artifacts-us-east-1")})
	if err != nil || len(objs.Contents) != 1 {
		t.Fatalf("artifact bucket: %v, %d objects, want 1", err, len(objs.Contents))
	}

	out, _, err = runCLI(t, m, stacksCommand(), "list")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, "my-app")
	mustContain(t, out, "UPDATE_COMPLETE")

	out, _, err = runCLI(t, m, stacksCommand(), "describe", "my-app")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"UPDATE_COMPLETE", "Greeting", "bonjour", "FnArn", arn, "Queue", "AWS::SQS::Queue", "AWS::Lambda::Function", name} {
		mustContain(t, out, want)
	}

	out, _, err = runCLI(t, m, stacksCommand(), "delete", "my-app")
	if err != nil {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	mustContain(t, out, "DELETE_COMPLETE")
	mustContain(t, out, "Stack my-app deleted")
	if _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("GetFunction after delete: %v, want ResourceNotFoundException", err)
	}
	out, _, err = runCLI(t, m, stacksCommand(), "list")
	if err != nil || strings.Contains(out, "my-app") {
		t.Fatalf("list after delete: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, m, stacksCommand(), "describe", "my-app"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("describe after delete: %v", err)
	}
}

// TestDeployRollback reports the failing resource's reason and fails when
// the stack rolls back.
func TestDeployRollback(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	MustCreateEcho(t, MustLambda(t, m), "taken", 3)
	dir := t.TempDir()
	path := filepath.Join(dir, "template.yaml")
	writeFile(t, path, `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: taken
      CodeUri: `+echofnDir(t)+`
      Runtime: provided.al2023
      Handler: bootstrap
`, 0o644)
	out, _, err := runCLI(t, m, deployCommand(), "-t", path, "--stack-name", "clash")
	if err == nil {
		t.Fatalf("deploy over an existing function succeeded:\n%s", out)
	}
	t.Logf("eddy deploy: %v\n%s", err, out)
	mustContain(t, err.Error(), "ROLLBACK_COMPLETE")
	mustContain(t, out, "CREATE_FAILED")
	mustContain(t, out, "Failed:\n  Fn: ")
}

// TestValidateCLI checks a good template and a bad one through the API.
func TestValidateCLI(t *testing.T) {
	m := MustStartMain(t, Config{})
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	writeFile(t, good, deployTemplate(t, "", ""), 0o644)
	out, _, err := runCLI(t, m, validateCommand(), "-t", good)
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	mustContain(t, out, "is valid")
	mustContain(t, out, "Greeting")
	mustContain(t, out, "hello")

	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\nOutputs:\n  X:\n    Value: !GetAtt Nope.Arn\n", 0o644)
	_, _, err = runCLI(t, m, validateCommand(), "-t", bad)
	if err == nil {
		t.Fatal("validate accepted an output that names no resource")
	}
	mustContain(t, err.Error(), "ValidationError")
	mustContain(t, err.Error(), "Nope")

	// Without -t, the template in the current directory is read.
	t.Chdir(t.TempDir())
	if _, _, err := runCLI(t, m, validateCommand()); err == nil || !strings.Contains(err.Error(), "no template.yaml") {
		t.Fatalf("validate without a template: %v", err)
	}
}

// TestStacksCLI deploys a JSON CloudFormation template whose function code
// is a local directory, then lists, describes and deletes the stack.
func TestStacksCLI(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "fn", "index.py"), "def handler(event, context):\n    return event\n", 0o644)
	path := filepath.Join(dir, "stack.json")
	writeFile(t, path, `{
  "Parameters": {"Size": {"Type": "Number", "Default": "3"}},
  "Resources": {
    "Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": {"Ref": "Size"}}},
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
      "Code": "fn", "Runtime": "python3.12", "Handler": "index.handler",
      "Role": "arn:aws:iam::000000000000:role/lambda-role"}}
  },
  "Outputs": {"QueueName": {"Value": {"Fn::GetAtt": ["Q", "QueueName"]}, "Description": "the queue"}}
}`, 0o644)
	out, _, err := runCLI(t, m, deployCommand(), "-t", path, "--stack-name", "plain", "--param", "Size=5")
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	queue := outputValue(t, out, "QueueName")

	out, _, err = runCLI(t, m, stacksCommand(), "describe", "plain")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Status:  CREATE_COMPLETE", "Size", "5", "QueueName", queue, "the queue", "AWS::SQS::Queue", "AWS::Lambda::Function", "CREATE_COMPLETE"} {
		mustContain(t, out, want)
	}
	var fnName string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[0] == "Fn" {
			fnName = f[2]
		}
	}
	fn, err := MustLambda(t, m).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fnName)})
	if err != nil || aws.ToString(fn.Configuration.Handler) != "index.handler" || fn.Configuration.CodeSize == 0 {
		t.Fatalf("the stack's function %q: %v", fnName, err)
	}

	out, _, err = runCLI(t, m, stacksCommand(), "list")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, "plain")
	mustContain(t, out, "CREATE_COMPLETE")

	out, _, err = runCLI(t, m, stacksCommand(), "delete", "plain")
	if err != nil {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	mustContain(t, out, "DELETE_COMPLETE")
	if _, err := MustLambda(t, m).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fnName)}); err == nil {
		t.Fatalf("function %s outlived its stack", fnName)
	}
	if _, _, err := runCLI(t, m, stacksCommand(), "delete", "plain"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("delete of a deleted stack: %v", err)
	}
}
