package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// MustCloudFormation returns a CloudFormation client of the server.
func MustCloudFormation(tb testing.TB, m *Main) *cloudformation.Client {
	tb.Helper()
	return cloudformation.NewFromConfig(awsConfig(m.URL()), func(o *cloudformation.Options) {
		o.RetryMaxAttempts = 1
	})
}

// waitStack waits until the stack's status is no longer in progress and
// returns it.
func waitStack(t *testing.T, c *cloudformation.Client, name string) cfntypes.Stack {
	t.Helper()
	var st cfntypes.Stack
	waitFor(t, 30*time.Second, "stack "+name+" to settle", func() bool {
		out, err := c.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil || len(out.Stacks) != 1 {
			t.Fatalf("describe %s: %v", name, err)
		}
		st = out.Stacks[0]
		return !strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS")
	})
	return st
}

// failureReasons returns the reasons of a stack's failed events and of
// its rollbacks.
func failureReasons(t *testing.T, c *cloudformation.Client, name string) []string {
	t.Helper()
	out, err := c.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, e := range out.StackEvents {
		if st := string(e.ResourceStatus); strings.HasSuffix(st, "_FAILED") || strings.HasSuffix(st, "ROLLBACK_IN_PROGRESS") {
			reasons = append(reasons, aws.ToString(e.LogicalResourceId)+": "+aws.ToString(e.ResourceStatusReason))
		}
	}
	return reasons
}

// mustCFNError checks that err is CloudFormation's error code with a
// message holding msg.
func mustCFNError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("got %v, want %s containing %q", err, code, msg)
	}
}

const cfnQueueTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Description: queues and an export
Parameters:
  Suffix:
    Type: String
    AllowedValues: [a, b]
    Default: a
Conditions:
  IsB: !Equals [!Ref Suffix, b]
Resources:
  Work:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "work-${Suffix}"
      VisibilityTimeout: 45
  Extra:
    Type: AWS::SQS::Queue
    Condition: IsB
Outputs:
  WorkUrl:
    Value: !Ref Work
    Export:
      Name: !Sub "${AWS::StackName}-work"
  WorkArn:
    Description: the queue's ARN
    Value: !GetAtt Work.Arn
`

// TestCloudFormationStacks drives stacks through the CloudFormation API
// with aws-sdk-go-v2: a change set creates a stack, another updates it
// (a parameter replaces a named queue and a condition adds one), the
// describing operations report it, another stack imports its export, and
// deleting it deletes its resources.
func TestCloudFormationStacks(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	c := MustCloudFormation(t, m)
	q := MustSQS(t, m.URL())
	ctx := context.Background()

	cs, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("app"), ChangeSetName: aws.String("first"), ChangeSetType: cfntypes.ChangeSetTypeCreate,
		TemplateBody: aws.String(cfnQueueTemplate),
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "change set", func() bool {
		out, err := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status == cfntypes.ChangeSetStatusFailed {
			t.Fatalf("change set failed: %s", aws.ToString(out.StatusReason))
		}
		if out.Status != cfntypes.ChangeSetStatusCreateComplete {
			return false
		}
		if len(out.Changes) != 1 || out.Changes[0].ResourceChange.Action != cfntypes.ChangeActionAdd ||
			aws.ToString(out.Changes[0].ResourceChange.LogicalResourceId) != "Work" || out.ExecutionStatus != cfntypes.ExecutionStatusAvailable {
			t.Fatalf("changes: %+v", out)
		}
		return true
	})
	if _, err := c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatal(err)
	}
	st := waitStack(t, c, "app")
	if st.StackStatus != cfntypes.StackStatusCreateComplete || aws.ToString(st.StackId) != aws.ToString(cs.StackId) ||
		aws.ToString(st.Description) != "queues and an export" || st.CreationTime == nil {
		t.Fatalf("stack: %+v", st)
	}
	outputs := map[string]string{}
	for _, o := range st.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if !strings.HasSuffix(outputs["WorkUrl"], "/000000000000/work-a") || outputs["WorkArn"] != "arn:aws:sqs:us-east-1:000000000000:work-a" {
		t.Fatalf("outputs: %v", outputs)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(outputs["WorkUrl"]), AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout"}})
	if err != nil || attrs.Attributes["VisibilityTimeout"] != "45" {
		t.Fatalf("the queue: %v %v", attrs, err)
	}

	// Another stack imports the export; the export cannot then go.
	user, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("user"), TemplateBody: aws.String(`
Resources:
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Join ["-", [!Select [4, !Split ["/", !ImportValue app-work]], dlq]]
`)})
	if err != nil {
		t.Fatal(err)
	}
	if st := waitStack(t, c, "user"); st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("importing stack: %s %s", st.StackStatus, failureReasons(t, c, "user"))
	}
	if _, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("work-a-dlq")}); err != nil {
		t.Fatalf("the importing stack's queue: %v", err)
	}
	imports, err := c.ListImports(ctx, &cloudformation.ListImportsInput{ExportName: aws.String("app-work")})
	if err != nil || !slices.Equal(imports.Imports, []string{"user"}) {
		t.Fatalf("imports: %v %v", imports, err)
	}

	// Update: the new name replaces the queue, the condition adds one.
	// While another stack imports the queue's URL, the update rolls back.
	update := func() {
		t.Helper()
		_, err = c.UpdateStack(ctx, &cloudformation.UpdateStackInput{
			StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
			Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Suffix"), ParameterValue: aws.String("b")}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	update()
	if st := waitStack(t, c, "app"); st.StackStatus != cfntypes.StackStatusUpdateRollbackComplete ||
		!slices.ContainsFunc(failureReasons(t, c, "app"), func(r string) bool {
			return strings.Contains(r, "Cannot update export app-work as it is in use by user")
		}) {
		t.Fatalf("update of an imported export: %s %v", st.StackStatus, failureReasons(t, c, "app"))
	}
	if _, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("work-a")}); err != nil {
		t.Fatalf("the queue after the rollback: %v", err)
	}
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("user")}); err != nil {
		t.Fatal(err)
	}
	if st := waitStack(t, c, aws.ToString(user.StackId)); st.StackStatus != cfntypes.StackStatusDeleteComplete {
		t.Fatalf("deleting the importer: %s", st.StackStatus)
	}
	update()
	if st := waitStack(t, c, "app"); st.StackStatus != cfntypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if _, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("work-a")}); err == nil {
		t.Fatal("the replaced queue is still there")
	}
	res, err := c.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	var logical []string
	for _, r := range res.StackResourceSummaries {
		logical = append(logical, aws.ToString(r.LogicalResourceId))
		if r.ResourceStatus != cfntypes.ResourceStatusUpdateComplete && r.ResourceStatus != cfntypes.ResourceStatusCreateComplete {
			t.Errorf("%s: %s", aws.ToString(r.LogicalResourceId), r.ResourceStatus)
		}
	}
	slices.Sort(logical)
	if !slices.Equal(logical, []string{"Extra", "Work"}) {
		t.Fatalf("resources: %v", logical)
	}
	one, err := c.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("app"), LogicalResourceId: aws.String("Work")})
	if err != nil || !strings.HasSuffix(aws.ToString(one.StackResourceDetail.PhysicalResourceId), "/work-b") ||
		aws.ToString(one.StackResourceDetail.ResourceType) != "AWS::SQS::Queue" {
		t.Fatalf("describe-stack-resource: %+v %v", one, err)
	}

	// Events, newest first, end with the update's completion.
	ev, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("app")})
	if err != nil || len(ev.StackEvents) < 6 {
		t.Fatalf("events: %v %v", ev, err)
	}
	if e := ev.StackEvents[0]; aws.ToString(e.LogicalResourceId) != "app" || e.ResourceStatus != cfntypes.ResourceStatusUpdateComplete {
		t.Fatalf("newest event: %+v", e)
	}
	tmpl, err := c.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("app")})
	if err != nil || aws.ToString(tmpl.TemplateBody) != cfnQueueTemplate {
		t.Fatalf("get-template: %v", err)
	}
	sum, err := c.GetTemplateSummary(ctx, &cloudformation.GetTemplateSummaryInput{StackName: aws.String("app")})
	if err != nil || len(sum.Parameters) != 1 || aws.ToString(sum.Parameters[0].ParameterKey) != "Suffix" ||
		!slices.Equal(sum.Parameters[0].ParameterConstraints.AllowedValues, []string{"a", "b"}) || !slices.Equal(sum.ResourceTypes, []string{"AWS::SQS::Queue"}) {
		t.Fatalf("get-template-summary: %+v %v", sum, err)
	}
	exports, err := c.ListExports(ctx, &cloudformation.ListExportsInput{})
	if err != nil || len(exports.Exports) != 1 || aws.ToString(exports.Exports[0].Name) != "app-work" {
		t.Fatalf("exports: %+v %v", exports, err)
	}

	// Delete: the queues go, the stack is listed as deleted.
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	stackID := aws.ToString(st.StackId)
	if st := waitStack(t, c, stackID); st.StackStatus != cfntypes.StackStatusDeleteComplete {
		t.Fatalf("delete: %s", st.StackStatus)
	}
	list, err := q.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil || len(list.QueueUrls) != 0 {
		t.Fatalf("queues left: %v %v", list, err)
	}
	_, err = c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("app")})
	mustCFNError(t, err, "ValidationError", "Stack with id app does not exist")
	ls, err := c.ListStacks(ctx, &cloudformation.ListStacksInput{StackStatusFilter: []cfntypes.StackStatus{cfntypes.StackStatusDeleteComplete}})
	if err != nil || len(ls.StackSummaries) != 2 {
		t.Fatalf("list-stacks: %+v %v", ls, err)
	}
}

// TestCloudFormationBadInput sends templates CloudFormation refuses: each
// gets its ValidationError (or InsufficientCapabilitiesException), and no
// stack is left behind.
func TestCloudFormationBadInput(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	c := MustCloudFormation(t, m)
	ctx := context.Background()
	cases := []struct {
		name, body, code, msg string
		params                []cfntypes.Parameter
		caps                  []cfntypes.Capability
	}{
		{name: "yaml", body: "Resources:\n  A: [unclosed", code: "ValidationError", msg: "Template format error"},
		{name: "unresolved-ref", body: "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nope\n",
			code: "ValidationError", msg: "Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{name: "circular", body: "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n",
			code: "ValidationError", msg: "Circular dependency between resources: [A, B]"},
		{name: "unknown-type", body: "Resources:\n  A:\n    Type: AWS::Nope::Thing\n", code: "ValidationError", msg: "Unrecognized resource types: [AWS::Nope::Thing]"},
		{name: "unknown-property", body: "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      Colour: red\n",
			code: "ValidationError", msg: "Colour"},
		{name: "bad-parameter", body: "Parameters:\n  N:\n    Type: Number\nResources:\n  A:\n    Type: AWS::SQS::Queue\n",
			params: []cfntypes.Parameter{{ParameterKey: aws.String("N"), ParameterValue: aws.String("ten")}},
			code:   "ValidationError", msg: "Parameter 'N' must be a number"},
		{name: "missing-parameter", body: "Parameters:\n  N:\n    Type: String\nResources:\n  A:\n    Type: AWS::SQS::Queue\n",
			code: "ValidationError", msg: "Parameters: [N] must have values"},
		{name: "capabilities", body: "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n",
			code: "InsufficientCapabilitiesException", msg: "Requires capabilities : [CAPABILITY_IAM]"},
		{name: "named-capabilities", body: "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: r\n      AssumeRolePolicyDocument: {}\n",
			caps: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
			code: "InsufficientCapabilitiesException", msg: "Requires capabilities : [CAPABILITY_NAMED_IAM]"},
	}
	for _, tc := range cases {
		_, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{
			StackName: aws.String(tc.name), TemplateBody: aws.String(tc.body), Parameters: tc.params, Capabilities: tc.caps,
		})
		mustCFNError(t, err, tc.code, tc.msg)
	}
	_, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("no_underscores"), TemplateBody: aws.String("Resources: {A: {Type: AWS::SQS::Queue}}")})
	mustCFNError(t, err, "ValidationError", "Member must satisfy regular expression pattern")
	_, err = c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("nobody")})
	mustCFNError(t, err, "ValidationError", "Either Template URL or Template Body must be specified.")
	_, err = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String("nope"), StackName: aws.String("nope")})
	mustCFNError(t, err, "ValidationError", "does not exist")
	_, err = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String("arn:aws:cloudformation:us-east-1:000000000000:changeSet/nope/0e6a2b8c-0000-4000-8000-000000000000")})
	var notFound *cfntypes.ChangeSetNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("describe-change-set of nothing: %v", err)
	}
	ls, err := c.ListStacks(ctx, &cloudformation.ListStacksInput{})
	if err != nil || len(ls.StackSummaries) != 0 {
		t.Fatalf("stacks left: %+v %v", ls, err)
	}
}
