package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/eddyserverless/eddy/apps"
)

// TestBundledApps starts eddy with its bundled applications: each is in the
// repository at its version, with README and license, its functions'
// code a bootstrap running the handler compiled into eddy, and starting
// again publishes nothing twice.
func TestBundledApps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := MustStartMain(t, Config{DataDir: dir, BundledApps: true})
	ctx := context.Background()
	c := MustServerlessRepo(t, m)
	list, err := apps.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("no bundled applications")
	}
	for _, app := range list {
		arn, err := resolveApp(ctx, c, app.Name)
		if err != nil {
			t.Fatalf("%s: %v", app.Name, err)
		}
		got, err := c.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(got.Author) != "eddy" || got.Version == nil || aws.ToString(got.SpdxLicenseId) != "MIT" {
			t.Fatalf("%s: %+v", app.Name, got)
		}
		body := mustGetURL(t, aws.ToString(got.Version.TemplateUrl))
		if strings.Contains(body, "CodeUri: ") && !strings.Contains(body, "s3://eddy-bundled-apps-us-east-1/") {
			t.Errorf("%s: the published template's code is not the bundled bootstrap:\n%s", app.Name, body)
		}
		if strings.Contains(body, "000000000000:applications/") && m.Config.AccountID != "000000000000" {
			t.Errorf("%s: a nested application's ARN was not rewritten", app.Name)
		}
	}
	out, _, err := runCLI(t, m, appsCommand(), "search", "leaderboard")
	if err != nil || !strings.Contains(out, "retweet-leaderboard") {
		t.Fatalf("search: %v\n%s", err, out)
	}
	// A bundled application deploys by name, and its function runs the
	// handler compiled into eddy (here, into this test binary).
	if _, err := MustSQS(t, m.URL()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bundled-q")}); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, m, appsCommand(), "deploy", "queue-event-source", "--param", "QueueName=bundled-q", "--param", "ProcessorFunctionName=nobody")
	if err != nil {
		t.Fatalf("deploy queue-event-source: %v\n%s", err, out)
	}
	poller := outputValue(t, out, "PollerFunctionName")
	if res := MustInvoke(t, MustLambda(t, m), poller, `{}`); res.FunctionError != nil || !strings.Contains(string(res.Payload), `"stopped":"empty"`) {
		t.Fatalf("the bundled poller: %s %s", aws.ToString(res.FunctionError), res.Payload)
	}

	// A second start publishes nothing again.
	_ = m.Close(ctx)
	m2 := MustStartMain(t, Config{DataDir: dir, BundledApps: true})
	vers, err := MustServerlessRepo(t, m2).ListApplicationVersions(ctx, &sar.ListApplicationVersionsInput{ApplicationId: aws.String(list[0].Name)})
	if err != nil || len(vers.Versions) != 1 {
		t.Fatalf("versions after a restart: %+v %v", vers, err)
	}
}

// mustGetURL returns the body of a GET that answers 200.
func mustGetURL(tb testing.TB, u string) string {
	tb.Helper()
	resp, err := http.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	return string(b)
}
