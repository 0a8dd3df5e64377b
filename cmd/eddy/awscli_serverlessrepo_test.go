package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cliRepoTemplate = `Parameters:
  QueueName:
    Type: String
    Default: repo-default
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref QueueName
Outputs:
  QueueUrl:
    Value: !Ref Queue
`

// TestAWSCLIServerlessRepo publishes an application with the aws CLI
// (create-application, create-application-version), lists it, deploys a
// version through create-cloud-formation-change-set and
// `aws cloudformation execute-change-set`, and reads the errors the CLI
// prints for an immutable version and an unknown application.
func TestAWSCLIServerlessRepo(t *testing.T) {
	eachAWSCLI(t, func(t *testing.T, awsPath string) {
		m := MustStartMain(t, Config{})
		cli := newAWSCLI(t, awsPath, m.URL())
		tmpl := filepath.Join(t.TempDir(), "template.yaml")
		if err := os.WriteFile(tmpl, []byte(cliRepoTemplate), 0o644); err != nil {
			t.Fatal(err)
		}
		var app struct {
			ApplicationId string
			Version       struct {
				SemanticVersion      string
				ParameterDefinitions []struct{ Name, DefaultValue string }
			}
		}
		out := cli.Run("serverlessrepo", "create-application", "--name", "queue-app", "--description", "a queue",
			"--author", "eddy", "--semantic-version", "1.0.0", "--template-body", "file://"+tmpl, "--labels", "queue", "sqs")
		if err := json.Unmarshal([]byte(out), &app); err != nil {
			t.Fatalf("create-application: %v: %s", err, out)
		}
		if app.ApplicationId != "arn:aws:serverlessrepo:us-east-1:000000000000:applications/queue-app" || app.Version.SemanticVersion != "1.0.0" ||
			len(app.Version.ParameterDefinitions) != 1 || app.Version.ParameterDefinitions[0].DefaultValue != "repo-default" {
			t.Fatalf("create-application: %+v", app)
		}
		cli.Run("serverlessrepo", "create-application-version", "--application-id", app.ApplicationId,
			"--semantic-version", "1.1.0", "--template-body", "file://"+tmpl)
		code, stderr := cli.Fail("serverlessrepo", "create-application-version", "--application-id", app.ApplicationId,
			"--semantic-version", "1.1.0", "--template-body", "file://"+tmpl)
		if code == 0 || !strings.Contains(stderr, "ConflictException") {
			t.Errorf("a second 1.1.0: exit %d, %s", code, stderr)
		}

		var list struct {
			Applications []struct{ Name, ApplicationId string }
		}
		if err := json.Unmarshal([]byte(cli.Run("serverlessrepo", "list-applications")), &list); err != nil ||
			len(list.Applications) != 1 || list.Applications[0].Name != "queue-app" {
			t.Fatalf("list-applications: %+v %v", list, err)
		}
		var versions struct {
			Versions []struct{ SemanticVersion string }
		}
		if err := json.Unmarshal([]byte(cli.Run("serverlessrepo", "list-application-versions", "--application-id", app.ApplicationId)), &versions); err != nil ||
			len(versions.Versions) != 2 {
			t.Fatalf("list-application-versions: %+v %v", versions, err)
		}

		var cs struct{ ChangeSetId, StackId, SemanticVersion string }
		out = cli.Run("serverlessrepo", "create-cloud-formation-change-set", "--application-id", app.ApplicationId,
			"--semantic-version", "1.0.0", "--stack-name", "queues", "--parameter-overrides", "Name=QueueName,Value=from-cli")
		if err := json.Unmarshal([]byte(out), &cs); err != nil || cs.SemanticVersion != "1.0.0" || !strings.Contains(cs.StackId, ":stack/serverlessrepo-queues/") {
			t.Fatalf("create-cloud-formation-change-set: %v %s", err, out)
		}
		cli.Run("cloudformation", "execute-change-set", "--change-set-name", cs.ChangeSetId)
		cli.Run("cloudformation", "wait", "stack-create-complete", "--stack-name", "serverlessrepo-queues")
		mustContain(t, cli.Run("sqs", "get-queue-url", "--queue-name", "from-cli"), "/000000000000/from-cli")

		code, stderr = cli.Fail("serverlessrepo", "get-application", "--application-id", "arn:aws:serverlessrepo:us-east-1:000000000000:applications/nope")
		if code == 0 || !strings.Contains(stderr, "NotFoundException") {
			t.Errorf("get-application of nothing: exit %d, %s", code, stderr)
		}
	})
}
