package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cliStackTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  Inbox:
    Type: AWS::SQS::Queue
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Environment:
        Variables:
          GREETING: !Ref Greeting
      InlineCode: |
        import os
        def handler(event, context):
            return {"greeting": os.environ["GREETING"]}
      Events:
        Inbox:
          Type: SQS
          Properties:
            Queue: !GetAtt Inbox.Arn
Outputs:
  GreeterName:
    Value: !Ref Greeter
  InboxUrl:
    Value: !Ref Inbox
`

// TestAWSCLICloudFormationDeploy deploys a SAM template with
// `aws cloudformation deploy` (which creates and executes change sets and
// waits with DescribeStacks), redeploys it with a parameter override, sees
// the CLI's "no changes" outcome, reads describe-stack-events, and deletes
// the stack with the CLI's waiter.
func TestAWSCLICloudFormationDeploy(t *testing.T) {
	eachAWSCLI(t, func(t *testing.T, awsPath string) {
		m := MustStartMain(t, Config{})
		cli := newAWSCLI(t, awsPath, m.URL())
		dir := t.TempDir()
		tmpl := filepath.Join(dir, "template.yaml")
		if err := os.WriteFile(tmpl, []byte(cliStackTemplate), 0o644); err != nil {
			t.Fatal(err)
		}
		deploy := []string{"cloudformation", "deploy", "--template-file", tmpl, "--stack-name", "cli-app", "--capabilities", "CAPABILITY_IAM"}
		mustContain(t, cli.Run(deploy...), "Successfully created/updated stack - cli-app")

		var stacks struct {
			Stacks []struct {
				StackStatus string
				Outputs     []struct{ OutputKey, OutputValue string }
				Parameters  []struct{ ParameterKey, ParameterValue string }
			}
		}
		describe := func() {
			t.Helper()
			if err := json.Unmarshal([]byte(cli.Run("cloudformation", "describe-stacks", "--stack-name", "cli-app")), &stacks); err != nil || len(stacks.Stacks) != 1 {
				t.Fatalf("describe-stacks: %v %+v", err, stacks)
			}
		}
		describe()
		outputs := map[string]string{}
		for _, o := range stacks.Stacks[0].Outputs {
			outputs[o.OutputKey] = o.OutputValue
		}
		if stacks.Stacks[0].StackStatus != "CREATE_COMPLETE" || !strings.HasPrefix(outputs["GreeterName"], "cli-app-Greeter-") {
			t.Fatalf("stack: %+v", stacks.Stacks[0])
		}
		invoke := func() string {
			t.Helper()
			out := filepath.Join(dir, "out.json")
			cli.Run("lambda", "invoke", "--function-name", outputs["GreeterName"], out)
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
		mustContain(t, invoke(), `"greeting": "hello"`)

		// An override updates the function in place.
		mustContain(t, cli.Run(append(deploy, "--parameter-overrides", "Greeting=bonjour")...), "Successfully created/updated stack - cli-app")
		describe()
		if st := stacks.Stacks[0]; st.StackStatus != "UPDATE_COMPLETE" || len(st.Parameters) != 1 || st.Parameters[0].ParameterValue != "bonjour" {
			t.Fatalf("after the update: %+v", st)
		}
		mustContain(t, invoke(), `"greeting": "bonjour"`)

		// Nothing changed: the CLI fails when asked to (v1 by default, v2
		// not), and does not when told not to.
		code, stderr := cli.Fail(append(deploy, "--parameter-overrides", "Greeting=bonjour", "--fail-on-empty-changeset")...)
		if code != 255 || !strings.Contains(stderr, "No changes to deploy") {
			t.Errorf("deploy of no changes: exit %d, %s", code, stderr)
		}
		cli.Run(append(deploy, "--parameter-overrides", "Greeting=bonjour", "--no-fail-on-empty-changeset")...)

		var events struct {
			StackEvents []struct {
				LogicalResourceId, ResourceType, ResourceStatus string
			}
		}
		if err := json.Unmarshal([]byte(cli.Run("cloudformation", "describe-stack-events", "--stack-name", "cli-app")), &events); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range events.StackEvents {
			seen[e.LogicalResourceId+" "+e.ResourceStatus] = true
		}
		for _, want := range []string{"cli-app UPDATE_COMPLETE", "cli-app CREATE_COMPLETE", "Greeter CREATE_COMPLETE", "GreeterRole CREATE_COMPLETE",
			"GreeterInbox CREATE_COMPLETE", "Inbox CREATE_COMPLETE", "Greeter UPDATE_COMPLETE"} {
			if !seen[want] {
				t.Errorf("describe-stack-events has no %q: %+v", want, events.StackEvents)
			}
		}
		if e := events.StackEvents[0]; e.LogicalResourceId != "cli-app" || e.ResourceStatus != "UPDATE_COMPLETE" {
			t.Errorf("newest event: %+v", e)
		}

		cli.Run("cloudformation", "delete-stack", "--stack-name", "cli-app")
		cli.Run("cloudformation", "wait", "stack-delete-complete", "--stack-name", "cli-app")
		code, stderr = cli.Fail("lambda", "get-function", "--function-name", outputs["GreeterName"])
		if code == 0 || !strings.Contains(stderr, "ResourceNotFoundException") {
			t.Errorf("the function after the delete: exit %d, %s", code, stderr)
		}
		code, stderr = cli.Fail("cloudformation", "deploy", "--template-file", tmpl, "--stack-name", "cli-app")
		if code == 0 || !strings.Contains(stderr, "InsufficientCapabilities") {
			t.Errorf("deploy without capabilities: exit %d, %s", code, stderr)
		}
	})
}
