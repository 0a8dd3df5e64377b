package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	sartypes "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const repoTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: a queue
Parameters:
  QueueName:
    Type: String
    Default: repo-default
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

// MustServerlessRepo returns a Serverless Application Repository client of the server.
func MustServerlessRepo(tb testing.TB, m *Main) *sar.Client {
	tb.Helper()
	return sar.NewFromConfig(awsConfig(m.URL()), func(o *sar.Options) { o.RetryMaxAttempts = 1 })
}

func TestServerlessRepo(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	c := MustServerlessRepo(t, m)
	cfn := MustCloudFormation(t, m)

	created, err := c.CreateApplication(ctx, &sar.CreateApplicationInput{
		Name: aws.String("queue-app"), Author: aws.String("eddy"), Description: aws.String("a queue"),
		Labels: []string{"sqs", "queue"}, SpdxLicenseId: aws.String("MIT"),
		SemanticVersion: aws.String("1.0.0"), TemplateBody: aws.String(repoTemplate),
	})
	if err != nil {
		t.Fatal(err)
	}
	appID := aws.ToString(created.ApplicationId)
	if !strings.HasPrefix(appID, "arn:aws:serverlessrepo:us-east-1:") || !strings.HasSuffix(appID, ":applications/queue-app") {
		t.Fatalf("application id %q", appID)
	}
	v := created.Version
	if v == nil || aws.ToString(v.SemanticVersion) != "1.0.0" || len(v.ParameterDefinitions) != 1 ||
		aws.ToString(v.ParameterDefinitions[0].Name) != "QueueName" || aws.ToString(v.ParameterDefinitions[0].DefaultValue) != "repo-default" ||
		!slices.Equal(v.ParameterDefinitions[0].ReferencedByResources, []string{"Queue"}) || len(v.RequiredCapabilities) != 0 {
		t.Fatalf("version %+v", v)
	}

	// The second version's template comes from eddy's S3.
	s3c := MustS3(t, m.URL())
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("repo-templates")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("repo-templates"), Key: aws.String("v2.yaml"), Body: strings.NewReader(repoTemplate)}); err != nil {
		t.Fatal(err)
	}
	v2, err := c.CreateApplicationVersion(ctx, &sar.CreateApplicationVersionInput{
		ApplicationId: aws.String(appID), SemanticVersion: aws.String("1.1.0"),
		TemplateUrl: aws.String(m.URL() + "/repo-templates/v2.yaml"), SourceCodeUrl: aws.String("https://example.com/src"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v2.SemanticVersion) != "1.1.0" || len(v2.ParameterDefinitions) != 1 {
		t.Fatalf("second version %+v", v2)
	}
	_, err = c.CreateApplicationVersion(ctx, &sar.CreateApplicationVersionInput{
		ApplicationId: aws.String(appID), SemanticVersion: aws.String("1.1.0"), TemplateBody: aws.String(repoTemplate),
	})
	var conflict *sartypes.ConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("duplicate version: %v, want ConflictException", err)
	}
	_, err = c.CreateApplicationVersion(ctx, &sar.CreateApplicationVersionInput{
		ApplicationId: aws.String(appID), SemanticVersion: aws.String("one"), TemplateBody: aws.String(repoTemplate),
	})
	var bad *sartypes.BadRequestException
	if !errors.As(err, &bad) {
		t.Fatalf("bad semantic version: %v, want BadRequestException", err)
	}
	_, err = c.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String("arn:aws:serverlessrepo:us-east-1:000000000000:applications/nothing")})
	var nf *sartypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown application: %v, want NotFoundException", err)
	}

	got, err := c.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String(appID)})
	if err != nil || aws.ToString(got.Version.SemanticVersion) != "1.1.0" || aws.ToString(got.Author) != "eddy" {
		t.Fatalf("get latest: %+v %v", got, err)
	}
	got, err = c.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String(appID), SemanticVersion: aws.String("1.0.0")})
	if err != nil || aws.ToString(got.Version.SemanticVersion) != "1.0.0" {
		t.Fatalf("get 1.0.0: %+v %v", got, err)
	}
	resp, err := http.Get(aws.ToString(got.Version.TemplateUrl))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != repoTemplate {
		t.Fatalf("version template: %d %q", resp.StatusCode, body)
	}
	apps, err := c.ListApplications(ctx, &sar.ListApplicationsInput{})
	if err != nil || len(apps.Applications) != 1 || aws.ToString(apps.Applications[0].Name) != "queue-app" {
		t.Fatalf("list applications: %+v %v", apps, err)
	}
	vers, err := c.ListApplicationVersions(ctx, &sar.ListApplicationVersionsInput{ApplicationId: aws.String(appID)})
	if err != nil || len(vers.Versions) != 2 || aws.ToString(vers.Versions[1].SemanticVersion) != "1.1.0" {
		t.Fatalf("list versions: %+v %v", vers, err)
	}

	put, err := c.PutApplicationPolicy(ctx, &sar.PutApplicationPolicyInput{ApplicationId: aws.String(appID), Statements: []sartypes.ApplicationPolicyStatement{
		{Actions: []string{"Deploy"}, Principals: []string{"123456789012"}},
	}})
	if err != nil || len(put.Statements) != 1 || aws.ToString(put.Statements[0].StatementId) == "" {
		t.Fatalf("put policy: %+v %v", put, err)
	}
	_, err = c.PutApplicationPolicy(ctx, &sar.PutApplicationPolicyInput{ApplicationId: aws.String(appID), Statements: []sartypes.ApplicationPolicyStatement{
		{Actions: []string{"Deploy"}, Principals: []string{"someone"}},
	}})
	if !errors.As(err, &bad) {
		t.Fatalf("bad principal: %v, want BadRequestException", err)
	}
	pol, err := c.GetApplicationPolicy(ctx, &sar.GetApplicationPolicyInput{ApplicationId: aws.String(appID)})
	if err != nil || len(pol.Statements) != 1 || !slices.Equal(pol.Statements[0].Principals, []string{"123456789012"}) {
		t.Fatalf("get policy: %+v %v", pol, err)
	}

	tmpl, err := c.CreateCloudFormationTemplate(ctx, &sar.CreateCloudFormationTemplateInput{ApplicationId: aws.String(appID)})
	if err != nil || tmpl.Status != sartypes.StatusActive || aws.ToString(tmpl.SemanticVersion) != "1.1.0" {
		t.Fatalf("create template: %+v %v", tmpl, err)
	}
	gt, err := c.GetCloudFormationTemplate(ctx, &sar.GetCloudFormationTemplateInput{ApplicationId: aws.String(appID), TemplateId: tmpl.TemplateId})
	if err != nil || aws.ToString(gt.TemplateUrl) != aws.ToString(tmpl.TemplateUrl) {
		t.Fatalf("get template: %+v %v", gt, err)
	}

	cs, err := c.CreateCloudFormationChangeSet(ctx, &sar.CreateCloudFormationChangeSetInput{
		ApplicationId: aws.String(appID), StackName: aws.String("queue"), SemanticVersion: aws.String("1.0.0"),
		ParameterOverrides: []sartypes.ParameterValue{{Name: aws.String("QueueName"), Value: aws.String("repo-override")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cs.SemanticVersion) != "1.0.0" || aws.ToString(cs.ApplicationId) != appID || !strings.Contains(aws.ToString(cs.StackId), ":stack/serverlessrepo-queue/") {
		t.Fatalf("change set %+v", cs)
	}
	waitFor(t, 30*time.Second, "change set to be created", func() bool {
		d, err := cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.ChangeSetId, StackName: cs.StackId})
		if err != nil {
			t.Fatal(err)
		}
		return d.Status == "CREATE_COMPLETE"
	})
	if _, err := cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.ChangeSetId, StackName: cs.StackId}); err != nil {
		t.Fatal(err)
	}
	st := waitStack(t, cfn, "serverlessrepo-queue")
	if st.StackStatus != "CREATE_COMPLETE" {
		t.Fatalf("stack %s: %v", st.StackStatus, failureReasons(t, cfn, "serverlessrepo-queue"))
	}
	q, err := MustSQS(t, m.URL()).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("repo-override")})
	if err != nil || !strings.HasSuffix(aws.ToString(q.QueueUrl), "/repo-override") {
		t.Fatalf("the overridden queue: %+v %v", q, err)
	}

	// The stack exists now: the next change set updates it.
	cs2, err := c.CreateCloudFormationChangeSet(ctx, &sar.CreateCloudFormationChangeSetInput{
		ApplicationId: aws.String(appID), StackName: aws.String("queue"), TemplateId: tmpl.TemplateId,
		ParameterOverrides: []sartypes.ParameterValue{{Name: aws.String("QueueName"), Value: aws.String("repo-override")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs2.ChangeSetId, StackName: cs2.StackId})
	if err != nil || aws.ToString(d.StackId) != aws.ToString(cs.StackId) || aws.ToString(cs2.SemanticVersion) != "1.1.0" {
		t.Fatalf("update change set: %+v %v", d, err)
	}

	if _, err := c.DeleteApplication(ctx, &sar.DeleteApplicationInput{ApplicationId: aws.String(appID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String(appID)}); !errors.As(err, &nf) {
		t.Fatalf("deleted application: %v, want NotFoundException", err)
	}
}

// TestServerlessRepoCapabilities sees a change set refused until the
// capabilities a version requires are acknowledged.
func TestServerlessRepoCapabilities(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	c := MustServerlessRepo(t, m)
	created, err := c.CreateApplication(ctx, &sar.CreateApplicationInput{
		Name: aws.String("policy-app"), Author: aws.String("eddy"), Description: aws.String("a queue with a policy"),
		SemanticVersion: aws.String("0.1.0"), TemplateBody: aws.String(`Resources:
  Queue:
    Type: AWS::SQS::Queue
  Policy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument: {Version: "2012-10-17", Statement: []}
`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(created.Version.RequiredCapabilities, []sartypes.Capability{sartypes.CapabilityCapabilityResourcePolicy}) {
		t.Fatalf("required capabilities %v", created.Version.RequiredCapabilities)
	}
	_, err = c.CreateCloudFormationChangeSet(ctx, &sar.CreateCloudFormationChangeSetInput{ApplicationId: created.ApplicationId, StackName: aws.String("p")})
	var bad *sartypes.BadRequestException
	if !errors.As(err, &bad) || !strings.Contains(aws.ToString(bad.Message), "CAPABILITY_RESOURCE_POLICY") {
		t.Fatalf("without capabilities: %v, want BadRequestException", err)
	}
}
