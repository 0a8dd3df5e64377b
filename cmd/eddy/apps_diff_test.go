package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/eddyserverless/eddy/serverlessrepo"
)

const diffTemplateV1 = `AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  AWS::ServerlessRepo::Application:
    Name: upgrade-app
    Description: queues to upgrade
    Author: eddy
    SemanticVersion: 1.0.0
Parameters:
  Prefix:
    Type: String
    Default: up
Resources:
  Kept:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Prefix}-kept"
      VisibilityTimeout: 30
  Dropped:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Prefix}-dropped"
`

const diffTemplateV2 = `AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  AWS::ServerlessRepo::Application:
    Name: upgrade-app
    Description: queues to upgrade
    Author: eddy
    SemanticVersion: 2.0.0
Parameters:
  Prefix:
    Type: String
    Default: up
  Stage:
    Type: String
    Default: prod
Resources:
  Kept:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Prefix}-kept"
      VisibilityTimeout: 60
  Fresh:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Prefix}-${Stage}-fresh"
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]}
`

func TestAppsDeployUpgradeDiff(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	if out, _, err := runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, diffTemplateV1)); err != nil {
		t.Fatalf("publish 1.0.0: %v\n%s", err, out)
	}
	out, _, err := runCLI(t, m, appsCommand(), "deploy", "upgrade-app@1.0.0")
	if err != nil {
		t.Fatalf("deploy 1.0.0: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Stack serverlessrepo-upgrade-app: CREATE_COMPLETE") || strings.Contains(out, "Upgrading") {
		t.Fatalf("deploy 1.0.0, a new stack, with no diff:\n%s", out)
	}
	st, err := MustCloudFormation(t, m).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("serverlessrepo-upgrade-app")})
	if err != nil {
		t.Fatal(err)
	}
	if v := stackTag(&st.Stacks[0], serverlessrepo.TagSemanticVersion); v != "1.0.0" {
		t.Fatalf("the stack's version tag: got %q, want 1.0.0", v)
	}
	if id := stackTag(&st.Stacks[0], serverlessrepo.TagApplicationID); !strings.HasSuffix(id, ":applications/upgrade-app") {
		t.Fatalf("the stack's application tag: got %q", id)
	}

	if out, _, err := runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, diffTemplateV2)); err != nil {
		t.Fatalf("publish 2.0.0: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, m, appsCommand(), "deploy", "upgrade-app")
	if err != nil {
		t.Fatalf("deploy 2.0.0: %v\n%s", err, out)
	}
	for _, want := range [][]string{
		{"Upgrading", "serverlessrepo-upgrade-app", "from", "version", "1.0.0", "to", "version", "2.0.0"},
		{"Resource", "added:", "Fresh", "(AWS::SQS::Queue)"},
		{"Resource", "added:", "Role", "(AWS::IAM::Role)"},
		{"Resource", "removed:", "Dropped", "(AWS::SQS::Queue)"},
		{"Parameter", "added:", "Stage"},
		{"Capabilities", "newly", "required:", "CAPABILITY_IAM"},
	} {
		if !hasLine(out, want...) {
			t.Errorf("deploy 2.0.0: no line %q:\n%s", strings.Join(want, " "), out)
		}
	}
	if !hasLine(out, "Resource", "modified:", "Kept", "(AWS::SQS::Queue)") && !strings.Contains(out, "replaced: Kept") {
		t.Errorf("deploy 2.0.0: Kept neither modified nor replaced:\n%s", out)
	}
	if strings.Contains(out, "Parameter removed") || !strings.Contains(out, "Stack serverlessrepo-upgrade-app: UPDATE_COMPLETE") {
		t.Errorf("deploy 2.0.0:\n%s", out)
	}
	// The diff shows before the change set runs.
	if i, j := strings.Index(out, "Upgrading"), strings.Index(out, "UPDATE_COMPLETE"); i > j {
		t.Errorf("deploy 2.0.0: the diff after the update:\n%s", out)
	}

	// The same version again changes nothing, and says so.
	out, _, err = runCLI(t, m, appsCommand(), "deploy", "upgrade-app@2.0.0")
	if err != nil {
		t.Fatalf("deploy 2.0.0 again: %v\n%s", err, out)
	}
	for _, want := range [][]string{
		{"Upgrading", "serverlessrepo-upgrade-app", "from", "version", "2.0.0", "to", "version", "2.0.0"},
		{"Resources:", "no", "resource", "changes"},
		{"Parameters", "and", "capabilities:", "unchanged"},
	} {
		if !hasLine(out, want...) {
			t.Errorf("deploy 2.0.0 again: no line %q:\n%s", strings.Join(want, " "), out)
		}
	}
	// Back to 1.0.0: the parameter is removed.
	out, _, err = runCLI(t, m, appsCommand(), "deploy", "upgrade-app@1.0.0")
	if err != nil {
		t.Fatalf("deploy 1.0.0 over 2.0.0: %v\n%s", err, out)
	}
	if !hasLine(out, "Parameter", "removed:", "Stage") || !hasLine(out, "Resource", "added:", "Dropped", "(AWS::SQS::Queue)") {
		t.Errorf("deploy 1.0.0 over 2.0.0:\n%s", out)
	}
}
