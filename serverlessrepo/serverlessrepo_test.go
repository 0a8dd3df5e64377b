package serverlessrepo

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

func TestSemanticVersions(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"0.0.1", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85"} {
		if !ValidSemanticVersion(v) {
			t.Errorf("%q: want valid", v)
		}
	}
	for _, v := range []string{"", "1", "1.2", "v1.2.3", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3.4", "latest", "1.2.3 "} {
		if ValidSemanticVersion(v) {
			t.Errorf("%q: want invalid", v)
		}
	}
}

func TestLabels(t *testing.T) {
	t.Parallel()
	if err := checkLabels([]string{"a", "b+c", "x:y/z@w", "under_score-dash"}); err != nil {
		t.Error(err)
	}
	for _, bad := range [][]string{{""}, {"has space"}, {strings.Repeat("a", 128)}, {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}} {
		err := checkLabels(bad)
		if e := eddy.AsError(err); e == nil || e.Type != "BadRequestException" {
			t.Errorf("%q: %v, want BadRequestException", bad, err)
		}
	}
	if err := checkLabels(make([]string, 0, 10)); err != nil {
		t.Error(err)
	}
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	out, err := checkStatements([]Statement{
		{Principals: []string{"123456789012"}, Actions: []string{"Deploy"}},
		{Principals: []string{"*"}, PrincipalOrgIDs: []string{"o-abcdefghij"}, Actions: []string{"GetApplication", "CreateCloudFormationChangeSet"}, StatementID: "mine"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].StatementID == "" || out[1].StatementID != "mine" {
		t.Errorf("statement ids: %q, %q", out[0].StatementID, out[1].StatementID)
	}
	for _, bad := range []Statement{
		{Principals: []string{"12345"}, Actions: []string{"Deploy"}},
		{Principals: []string{"arn:aws:iam::123456789012:root"}, Actions: []string{"Deploy"}},
		{Principals: []string{"*"}, Actions: []string{"DeleteApplication"}},
		{Principals: []string{"*"}},
		{Actions: []string{"Deploy"}},
		{Principals: []string{"*"}, Actions: []string{"Deploy"}, PrincipalOrgIDs: []string{"org"}},
	} {
		if _, err := checkStatements([]Statement{bad}); eddy.AsError(err) == nil || eddy.AsError(err).Type != "BadRequestException" {
			t.Errorf("%+v: %v, want BadRequestException", bad, err)
		}
	}
	left, found := unshare(out, "o-abcdefghij")
	if !found || len(left) != 1 || left[0].StatementID != out[0].StatementID {
		t.Errorf("unshare: %v %+v", found, left)
	}
	if _, found := unshare(left, "o-abcdefghij"); found {
		t.Error("unshare of an organization not shared with: found")
	}
}

func TestCapabilities(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"queue", `{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}`, []string{}},
		{"role", `{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":{}}}}}`, []string{CapIAM}},
		{"named role", `{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"r","AssumeRolePolicyDocument":{}}}}}`, []string{CapNamedIAM}},
		{"queue policy", `{"Resources":{"P":{"Type":"AWS::SQS::QueuePolicy","Properties":{}}}}`, []string{CapResourcePolicy}},
		{"iam policy", `{"Resources":{"P":{"Type":"AWS::IAM::Policy","Properties":{}}}}`, []string{CapIAM, CapResourcePolicy}},
		{"permission", `{"Resources":{"P":{"Type":"AWS::Lambda::Permission","Properties":{}}}}`, []string{CapResourcePolicy}},
		{"sam function", `{"Transform":"AWS::Serverless-2016-10-31","Resources":{"F":{"Type":"AWS::Serverless::Function","Properties":{"Handler":"index.handler","Runtime":"nodejs20.x","InlineCode":"x"}}}}`, []string{CapIAM}},
		{"sam function with role", `{"Transform":"AWS::Serverless-2016-10-31","Resources":{"F":{"Type":"AWS::Serverless::Function","Properties":{"Handler":"index.handler","Runtime":"nodejs20.x","InlineCode":"x","Role":"arn:aws:iam::123456789012:role/r"}}}}`, []string{}},
		{"nested application", `{"Transform":"AWS::Serverless-2016-10-31","Resources":{"A":{"Type":"AWS::Serverless::Application","Properties":{"Location":{"ApplicationId":"arn:aws:serverlessrepo:us-east-1:123456789012:applications/x","SemanticVersion":"1.0.0"}}}}}`, []string{CapAutoExpand}},
		{"macro", `{"Transform":"MyMacro","Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}`, []string{CapAutoExpand}},
		{"sam globals and generated outputs", `{"Transform":"AWS::Serverless-2016-10-31","Globals":{"Function":{"Runtime":"nodejs20.x","Handler":"index.handler"}},"Resources":{"F":{"Type":"AWS::Serverless::Function","Properties":{"InlineCode":"x","Events":{"Get":{"Type":"HttpApi"}}}}},"Outputs":{"Api":{"Value":{"Fn::Sub":"https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com"}},"Role":{"Value":{"Ref":"FRole"}}}}`, []string{CapIAM, CapResourcePolicy}},
	} {
		a, err := analyze(c.body)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(a.capabilities, c.want) {
			t.Errorf("%s: capabilities %v, want %v", c.name, a.capabilities, c.want)
		}
	}
	if _, err := analyze(`{"Resources": [`); eddy.AsError(err) == nil || eddy.AsError(err).Type != "BadRequestException" {
		t.Errorf("bad template: %v", err)
	}
	for _, bad := range []string{
		`{"Transform":"AWS::Serverless-2016-10-31","Resources":{"F":{"Type":"AWS::Serverless::Function","Properties":{"Runtime":"nodejs20.x","Handler":"i.h","InlineCode":"x","Nope":1}}}}`,
		`{"Transform":"AWS::Serverless-2016-10-31","Resources":{"F":{"Type":"AWS::Serverless::Function","Properties":{"Runtime":"nodejs20.x","Handler":"i.h","InlineCode":"x"}}},"Outputs":{"X":{"Value":{"Ref":"Missing"}}}}`,
	} {
		if _, err := analyze(bad); eddy.AsError(err) == nil || eddy.AsError(err).Type != "BadRequestException" {
			t.Errorf("invalid SAM template %s: %v, want BadRequestException", bad, err)
		}
	}
	if m := missingCapabilities([]string{CapIAM, CapResourcePolicy}, []string{CapNamedIAM}); !slices.Equal(m, []string{CapResourcePolicy}) {
		t.Errorf("missing: %v", m)
	}
}

const queueTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  QueueName:
    Type: String
    Default: q
    MinLength: 1
    MaxLength: 60
    AllowedPattern: "[a-z-]+"
    Description: the name
  Delay:
    Type: Number
    MinValue: 0
    MaxValue: 900
    NoEcho: true
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${QueueName}-x"
      DelaySeconds: !Ref Delay
  Nested:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/dep
        SemanticVersion: 2.0.0
Transform: AWS::Serverless-2016-10-31
`

func TestParameterDefinitions(t *testing.T) {
	t.Parallel()
	a, err := analyze(queueTemplate)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.params) != 2 {
		t.Fatalf("params: %+v", a.params)
	}
	p := a.params[0]
	if p.Name != "QueueName" || p.Type != "String" || p.DefaultValue == nil || *p.DefaultValue != "q" || *p.MinLength != 1 || *p.MaxLength != 60 ||
		p.AllowedPattern != "[a-z-]+" || p.Description != "the name" || !slices.Equal(p.ReferencedByResources, []string{"Queue"}) {
		t.Errorf("QueueName: %+v", p)
	}
	d := a.params[1]
	if d.Name != "Delay" || *d.MinValue != 0 || *d.MaxValue != 900 || !d.NoEcho || !slices.Equal(d.ReferencedByResources, []string{"Queue"}) {
		t.Errorf("Delay: %+v", d)
	}
	if len(a.dependencies) != 1 || a.dependencies[0].SemanticVersion != "2.0.0" {
		t.Errorf("dependencies: %+v", a.dependencies)
	}
	if !slices.Equal(a.capabilities, []string{CapAutoExpand}) {
		t.Errorf("capabilities: %v", a.capabilities)
	}
}

func errType(err error) string {
	if e := eddy.AsError(err); e != nil {
		return e.Type
	}
	return ""
}

func TestService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := engine.New(engine.Config{DataDir: t.TempDir()})
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	s := NewService(Config{Engine: e, Endpoint: "http://eddy", Account: "123456789012", Region: "eu-west-1",
		ReadURL: func(_ context.Context, u string) (string, error) {
			if u == "https://b.s3.amazonaws.com/t.yaml" {
				return queueTemplate, nil
			}
			return "", eddy.Errorf(eddy.ENOTFOUND, "NoSuchKey")
		}})
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	app, err := s.CreateApplication(ctx, CreateApplicationInput{Name: "app", Author: "me", Description: "d", SemanticVersion: "1.0.0", TemplateBody: queueTemplate, Labels: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if app.ApplicationID != "arn:aws:serverlessrepo:eu-west-1:123456789012:applications/app" || app.Version == nil || app.Version.SemanticVersion != "1.0.0" ||
		app.Version.TemplateURL != "http://eddy/_eddy/serverlessrepo/versions/app/1.0.0" {
		t.Fatalf("created: %+v %+v", app, app.Version)
	}
	if _, err := s.CreateApplication(ctx, CreateApplicationInput{Name: "app", Author: "me", Description: "d"}); errType(err) != "ConflictException" {
		t.Errorf("duplicate application: %v", err)
	}
	id := app.ApplicationID
	if _, err := s.CreateApplicationVersion(ctx, CreateApplicationVersionInput{ApplicationID: id, SemanticVersion: "1.0.0", TemplateBody: queueTemplate}); errType(err) != "ConflictException" {
		t.Errorf("duplicate version: %v", err)
	}
	if _, err := s.CreateApplicationVersion(ctx, CreateApplicationVersionInput{ApplicationID: id, SemanticVersion: "two", TemplateBody: queueTemplate}); errType(err) != "BadRequestException" {
		t.Errorf("bad version: %v", err)
	}
	if _, err := s.CreateApplicationVersion(ctx, CreateApplicationVersionInput{ApplicationID: id, SemanticVersion: "2.0.0", TemplateURL: "https://b.s3.amazonaws.com/t.yaml"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetApplication(ctx, id, "")
	if err != nil || got.Version.SemanticVersion != "2.0.0" {
		t.Fatalf("latest: %+v %v", got, err)
	}
	if got, err = s.GetApplication(ctx, "app", "1.0.0"); err != nil || got.Version.SemanticVersion != "1.0.0" {
		t.Fatalf("1.0.0: %+v %v", got, err)
	}
	if _, err := s.GetApplication(ctx, id, "3.0.0"); errType(err) != "NotFoundException" {
		t.Errorf("missing version: %v", err)
	}
	if _, err := s.GetApplication(ctx, "arn:aws:serverlessrepo:eu-west-1:123456789012:applications/none", ""); errType(err) != "NotFoundException" {
		t.Errorf("missing application: %v", err)
	}
	vs, next, err := s.ListApplicationVersions(ctx, id, 1, "")
	if err != nil || len(vs) != 1 || next == "" {
		t.Fatalf("versions page 1: %+v %q %v", vs, next, err)
	}
	if vs, next, err = s.ListApplicationVersions(ctx, id, 1, next); err != nil || len(vs) != 1 || vs[0].SemanticVersion != "2.0.0" || next != "" {
		t.Fatalf("versions page 2: %+v %q %v", vs, next, err)
	}
	deps, _, err := s.ListApplicationDependencies(ctx, id, "", 0, "")
	if err != nil || len(deps) != 1 {
		t.Errorf("dependencies: %+v %v", deps, err)
	}
	desc := "new"
	if got, err = s.UpdateApplication(ctx, UpdateApplicationInput{ApplicationID: id, Description: &desc}); err != nil || got.Description != "new" || got.Author != "me" {
		t.Errorf("update: %+v %v", got, err)
	}
	sts, err := s.PutApplicationPolicy(ctx, id, []Statement{{Principals: []string{"*"}, PrincipalOrgIDs: []string{"o-abcdefghij"}, Actions: []string{"Deploy"}}})
	if err != nil || len(sts) != 1 || sts[0].StatementID == "" {
		t.Fatalf("policy: %+v %v", sts, err)
	}
	if err := s.UnshareApplication(ctx, id, "o-abcdefghij"); err != nil {
		t.Error(err)
	}
	if sts, err = s.GetApplicationPolicy(ctx, id); err != nil || len(sts) != 0 {
		t.Errorf("after unshare: %+v %v", sts, err)
	}
	tmpl, err := s.CreateCloudFormationTemplate(ctx, id, "1.0.0")
	if err != nil || tmpl.Status != "ACTIVE" {
		t.Fatalf("template: %+v %v", tmpl, err)
	}
	if got, err := s.GetCloudFormationTemplate(ctx, id, tmpl.TemplateID); err != nil || got.TemplateURL != tmpl.TemplateURL {
		t.Errorf("get template: %+v %v", got, err)
	}
	body, err := s.TemplateBody(ctx, strings.TrimPrefix(tmpl.TemplateURL, "http://eddy"+PathPrefix))
	if err != nil || body != queueTemplate {
		t.Errorf("template body: %v", err)
	}
	if _, err := s.CreateCloudFormationChangeSet(ctx, CreateChangeSetInput{ApplicationID: id, StackName: "s"}); errType(err) != "BadRequestException" {
		t.Errorf("change set without stacks: %v", err)
	}
	apps, _, err := s.ListApplications(ctx, 0, "")
	if err != nil || len(apps) != 1 || apps[0].Name != "app" {
		t.Errorf("list: %+v %v", apps, err)
	}
	if err := s.DeleteApplication(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetApplication(ctx, id, ""); errType(err) != "NotFoundException" {
		t.Errorf("after delete: %v", err)
	}
}
