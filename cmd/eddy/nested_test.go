package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// childApp is an application of the repository a parent nests: a queue,
// and an output that tells its versions apart.
func childApp(version, mark string) string {
	return `AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  AWS::ServerlessRepo::Application:
    Name: child-queue
    Description: a queue to nest
    Author: eddy
    SemanticVersion: ` + version + `
Parameters:
  QueueName:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref QueueName
Outputs:
  QueueUrl:
    Value: !Ref Queue
  Mark:
    Value: ` + mark + `
`
}

// nestingParent nests child-queue twice (at the version its parameter
// names, and at no version: the one first resolved, pinned) and a local
// template that was never published.
const nestingParent = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  ChildVersion:
    Type: String
    Default: 1.0.0
  Suffix:
    Type: String
    Default: a
Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: APP_ARN
        SemanticVersion: !Ref ChildVersion
      Parameters:
        QueueName: nested-child
      TimeoutInMinutes: 5
      Tags:
        team: nest
  Pinned:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: APP_ARN
      Parameters:
        QueueName: !Sub nested-pinned-${Suffix}
  Local:
    Type: AWS::Serverless::Application
    Properties:
      Location: ./local/template.yaml
      Parameters:
        QueueName: !GetAtt Child.Outputs.Mark
Outputs:
  ChildQueue:
    Value: !GetAtt Child.Outputs.QueueUrl
  ChildMark:
    Value: !GetAtt Child.Outputs.Mark
  PinnedMark:
    Value: !GetAtt Pinned.Outputs.Mark
  LocalQueue:
    Value: !GetAtt Local.Outputs.QueueUrl
`

const nestedLocal = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  QueueName:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub local-${QueueName}
Outputs:
  QueueUrl:
    Value: !Ref Queue
`

// TestNestedApplications deploys a parent that nests an application of
// the repository and a local template, wires their outputs, upgrades one
// nested application while the other stays pinned, and deletes it all.
func TestNestedApplications(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	cfn := MustCloudFormation(t, m)
	queues := MustSQS(t, m.URL())

	if out, _, err := runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, childApp("1.0.0", "one"))); err != nil {
		t.Fatalf("publish 1.0.0: %v\n%s", err, out)
	}
	arn, err := resolveApp(ctx, MustServerlessRepo(t, m), "child-queue")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "parent")
	path := filepath.Join(dir, "template.yaml")
	writeFile(t, path, strings.ReplaceAll(nestingParent, "APP_ARN", arn), 0o644)
	writeFile(t, filepath.Join(dir, "local", "template.yaml"), nestedLocal, 0o644)

	out, _, err := runCLI(t, m, deployCommand(), "-t", path, "--stack-name", "parent")
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	mustContain(t, out, "Stack parent: CREATE_COMPLETE")
	if got := outputValue(t, out, "ChildMark"); got != "one" {
		t.Fatalf("ChildMark = %q, want one", got)
	}
	if got := outputValue(t, out, "PinnedMark"); got != "one" {
		t.Fatalf("PinnedMark = %q, want one", got)
	}
	childURL := outputValue(t, out, "ChildQueue")
	if !strings.HasSuffix(childURL, "/nested-child") {
		t.Fatalf("ChildQueue = %q", childURL)
	}
	if got := outputValue(t, out, "LocalQueue"); !strings.HasSuffix(got, "/local-one") {
		t.Fatalf("LocalQueue = %q, want the local template's queue named from Child's output", got)
	}
	for _, q := range []string{"nested-child", "nested-pinned-a", "local-one"} {
		if _, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q)}); err != nil {
			t.Fatalf("queue %s: %v", q, err)
		}
	}

	// The nested stacks: named after the parent and the logical id, with
	// the parent's and root's ids, and the repository's tags.
	parent := mustDescribeStack(t, cfn, "parent")
	child := nestedStackOf(t, cfn, "parent", "Child")
	if aws.ToString(child.ParentId) != aws.ToString(parent.StackId) || aws.ToString(child.RootId) != aws.ToString(parent.StackId) ||
		!strings.HasPrefix(aws.ToString(child.StackName), "parent-Child-") {
		t.Fatalf("nested stack %s: parent %s root %s, want %s", aws.ToString(child.StackName), aws.ToString(child.ParentId), aws.ToString(child.RootId), aws.ToString(parent.StackId))
	}
	tags := map[string]string{}
	for _, tg := range child.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if tags["serverlessrepo:applicationId"] != arn || tags["serverlessrepo:semanticVersion"] != "1.0.0" || tags["team"] != "nest" {
		t.Fatalf("nested stack tags: %v", tags)
	}

	// A new version of the child. The parent moves Child to it, and
	// Pinned, which names no version, stays at the version it runs, even
	// though its own parameters change.
	if out, _, err := runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, childApp("2.0.0", "two"))); err != nil {
		t.Fatalf("publish 2.0.0: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, m, deployCommand(), "-t", path, "--stack-name", "parent", "--param", "ChildVersion=2.0.0", "--param", "Suffix=b")
	if err != nil {
		t.Fatalf("upgrade: %v\n%s", err, out)
	}
	mustContain(t, out, "Stack parent: UPDATE_COMPLETE")
	if got := outputValue(t, out, "ChildMark"); got != "two" {
		t.Fatalf("after the upgrade ChildMark = %q, want two", got)
	}
	if got := outputValue(t, out, "PinnedMark"); got != "one" {
		t.Fatalf("after the upgrade PinnedMark = %q, want one: a nested application without a version moved", got)
	}
	if got := outputValue(t, out, "LocalQueue"); !strings.HasSuffix(got, "/local-two") {
		t.Fatalf("after the upgrade LocalQueue = %q", got)
	}
	if _, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nested-pinned-b")}); err != nil {
		t.Fatalf("the pinned application's new queue: %v", err)
	}
	if child := nestedStackOf(t, cfn, "parent", "Child"); string(child.StackStatus) != "UPDATE_COMPLETE" {
		t.Fatalf("Child after the upgrade: %s", child.StackStatus)
	}

	// Deleting the parent deletes its nested stacks and what they made.
	ids := map[string]string{}
	for _, id := range []string{"Child", "Pinned", "Local"} {
		ids[id] = aws.ToString(nestedStackOf(t, cfn, "parent", id).StackId)
	}
	if out, _, err := runCLI(t, m, stacksCommand(), "delete", "parent"); err != nil {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	waitFor(t, time.Minute, "the parent deleted", func() bool {
		return string(mustDescribeStack(t, cfn, aws.ToString(parent.StackId)).StackStatus) == "DELETE_COMPLETE"
	})
	for id, sid := range ids {
		if st := mustDescribeStack(t, cfn, sid); string(st.StackStatus) != "DELETE_COMPLETE" {
			t.Errorf("nested stack %s: %s", id, st.StackStatus)
		}
	}
	for _, q := range []string{"nested-child", "nested-pinned-b", "local-two"} {
		if _, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q)}); err == nil {
			t.Errorf("queue %s outlived its stack", q)
		}
	}

	// The repository lists what a published parent nests.
	published := strings.Replace(strings.ReplaceAll(nestingParent, "APP_ARN", arn), "Transform:", `Metadata:
  AWS::ServerlessRepo::Application:
    Name: parent-app
    Description: nests child-queue
    Author: eddy
    SemanticVersion: 1.0.0
Transform:`, 1)
	published = strings.Replace(published, "      Location: ./local/template.yaml\n", "      Location:\n        ApplicationId: "+arn+"\n        SemanticVersion: 1.0.0\n", 1)
	if out, _, err := runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, published)); err != nil {
		t.Fatalf("publish parent-app: %v\n%s", err, out)
	}
	parentARN, err := resolveApp(ctx, MustServerlessRepo(t, m), "parent-app")
	if err != nil {
		t.Fatal(err)
	}
	deps, err := MustServerlessRepo(t, m).ListApplicationDependencies(ctx, &sar.ListApplicationDependenciesInput{ApplicationId: aws.String(parentARN)})
	if err != nil {
		t.Fatal(err)
	}
	if len(deps.Dependencies) != 1 || aws.ToString(deps.Dependencies[0].ApplicationId) != arn || aws.ToString(deps.Dependencies[0].SemanticVersion) != "1.0.0" {
		t.Fatalf("dependencies: %+v", deps.Dependencies)
	}
	// Deployed from the repository, the parent nests the child again.
	out, _, err = runCLI(t, m, appsCommand(), "deploy", "parent-app", "--stack-name", "family", "--param", "Suffix=c", "--param", "ChildVersion=1.0.0")
	if err != nil {
		t.Fatalf("apps deploy parent-app: %v\n%s", err, out)
	}
	mustContain(t, out, "Stack serverlessrepo-family: CREATE_COMPLETE")
	if got := outputValue(t, out, "PinnedMark"); got != "two" {
		t.Fatalf("a new stack nesting no version: PinnedMark = %q, want the latest, two", got)
	}
}

// TestNestedApplicationErrors checks that a nested application that
// cannot be resolved fails the template, and that a nested stack that
// fails rolls its parent back.
func TestNestedApplicationErrors(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	cfn := MustCloudFormation(t, m)
	unknown := `Transform: AWS::Serverless-2016-10-31
Resources:
  App:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:000000000000:applications/nope
        SemanticVersion: 1.0.0
`
	_, err := cfn.CreateStack(ctx, &cloudformation.CreateStackInput{
		StackName: aws.String("unknown-app"), TemplateBody: aws.String(unknown),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityAutoExpand},
	})
	mustFailWith(t, err, "ValidationError", 400)
	mustContain(t, err.Error(), "Resource with id [App] is invalid. Cannot access application")

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "bad.yaml"), `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: bad name with spaces
`, 0o644)
	path := filepath.Join(dir, "template.yaml")
	writeFile(t, path, `Transform: AWS::Serverless-2016-10-31
Resources:
  Bad:
    Type: AWS::Serverless::Application
    Properties:
      Location: ./bad.yaml
`, 0o644)
	out, _, err := runCLI(t, m, deployCommand(), "-t", path, "--stack-name", "failing-parent")
	if err == nil {
		t.Fatalf("deploying a parent whose nested stack fails succeeded:\n%s", out)
	}
	mustContain(t, out, "Embedded stack")
	if st := mustDescribeStack(t, cfn, "failing-parent"); string(st.StackStatus) != "ROLLBACK_COMPLETE" {
		t.Fatalf("parent: %s", st.StackStatus)
	}
}

// mustDescribeStack returns a stack by name or id.
func mustDescribeStack(t *testing.T, cfn *cloudformation.Client, nameOrID string) cfntypes.Stack {
	t.Helper()
	out, err := cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(nameOrID)})
	if err != nil || len(out.Stacks) != 1 {
		t.Fatalf("describe %s: %v", nameOrID, err)
	}
	return out.Stacks[0]
}

// nestedStackOf returns the nested stack a resource of a stack is.
func nestedStackOf(t *testing.T, cfn *cloudformation.Client, stack, logicalID string) cfntypes.Stack {
	t.Helper()
	r, err := cfn.DescribeStackResource(context.Background(), &cloudformation.DescribeStackResourceInput{
		StackName: aws.String(stack), LogicalResourceId: aws.String(logicalID),
	})
	if err != nil {
		t.Fatalf("%s %s: %v", stack, logicalID, err)
	}
	return mustDescribeStack(t, cfn, aws.ToString(r.StackResourceDetail.PhysicalResourceId))
}
