package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	sartypes "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository/types"
	"github.com/aws/smithy-go"
)

// TestServerlessRepoOperations covers the operations TestServerlessRepo
// does not (UpdateApplication, ListApplicationDependencies, paging,
// UnshareApplication, through the SDK and `eddy apps share|unshare`) and
// the errors of every operation, as SAR's shapes and statuses.
func TestServerlessRepoOperations(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	c := MustServerlessRepo(t, m)
	const missing = "arn:aws:serverlessrepo:us-east-1:000000000000:applications/missing"

	app, err := c.CreateApplication(ctx, &sar.CreateApplicationInput{
		Name: aws.String("ops-app"), Author: aws.String("eddy"), Description: aws.String("operations"),
		SemanticVersion: aws.String("0.1.0"), TemplateBody: aws.String(repoTemplate), ReadmeBody: aws.String("# ops\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := app.ApplicationId
	for _, v := range []string{"0.2.0", "1.0.0-rc.1+build.5"} {
		if _, err := c.CreateApplicationVersion(ctx, &sar.CreateApplicationVersionInput{ApplicationId: id, SemanticVersion: aws.String(v), TemplateBody: aws.String(repoTemplate)}); err != nil {
			t.Fatalf("version %s: %v", v, err)
		}
	}

	up, err := c.UpdateApplication(ctx, &sar.UpdateApplicationInput{ApplicationId: id, Description: aws.String("updated"), Labels: []string{"a", "b"}, HomePageUrl: aws.String("https://example.com/ops")})
	if err != nil || aws.ToString(up.Description) != "updated" || !slices.Equal(up.Labels, []string{"a", "b"}) || aws.ToString(up.Author) != "eddy" ||
		aws.ToString(up.HomePageUrl) != "https://example.com/ops" || aws.ToString(up.Version.SemanticVersion) != "1.0.0-rc.1+build.5" {
		t.Fatalf("update: %+v %v", up, err)
	}
	deps, err := c.ListApplicationDependencies(ctx, &sar.ListApplicationDependenciesInput{ApplicationId: id, SemanticVersion: aws.String("0.1.0")})
	if err != nil || len(deps.Dependencies) != 0 {
		t.Fatalf("dependencies: %+v %v", deps, err)
	}

	// Paging through versions.
	var seen []string
	var token *string
	for {
		page, err := c.ListApplicationVersions(ctx, &sar.ListApplicationVersionsInput{ApplicationId: id, MaxItems: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			seen = append(seen, aws.ToString(v.SemanticVersion))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(seen, []string{"0.1.0", "0.2.0", "1.0.0-rc.1+build.5"}) {
		t.Fatalf("paged versions: %q", seen)
	}

	// Sharing with an organization, and unsharing, through the commands.
	if out, _, err := runCLI(t, m, appsCommand(), "share", "ops-app", "--org", "o-abcdefghij"); err != nil || !strings.Contains(out, "organization o-abcdefghij") {
		t.Fatalf("share --org: %v\n%s", err, out)
	}
	if out, _, err := runCLI(t, m, appsCommand(), "share", "ops-app", "--principal", "123456789012"); err != nil {
		t.Fatalf("share: %v\n%s", err, out)
	}
	pol, err := c.GetApplicationPolicy(ctx, &sar.GetApplicationPolicyInput{ApplicationId: id})
	if err != nil || len(pol.Statements) != 2 || !slices.Equal(pol.Statements[0].PrincipalOrgIDs, []string{"o-abcdefghij"}) {
		t.Fatalf("policy: %+v %v", pol, err)
	}
	if out, _, err := runCLI(t, m, appsCommand(), "unshare", "ops-app", "--org", "o-abcdefghij"); err != nil || !strings.Contains(out, "Unshared ops-app from o-abcdefghij") {
		t.Fatalf("unshare: %v\n%s", err, out)
	}
	pol, err = c.GetApplicationPolicy(ctx, &sar.GetApplicationPolicyInput{ApplicationId: id})
	if err != nil || len(pol.Statements) != 1 || !slices.Equal(pol.Statements[0].Principals, []string{"123456789012"}) {
		t.Fatalf("policy after unshare: %+v %v", pol, err)
	}
	if _, _, err := runCLI(t, m, appsCommand(), "unshare", "ops-app", "--org", "o-abcdefghij"); err == nil || !strings.Contains(err.Error(), "not shared with the organization") {
		t.Fatalf("unshare again: %v", err)
	}

	elevenLabels := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}
	cases := []struct {
		name string
		call func() error
		code string
		want string
	}{
		{"duplicate name", func() error {
			_, err := c.CreateApplication(ctx, &sar.CreateApplicationInput{Name: aws.String("ops-app"), Author: aws.String("eddy"), Description: aws.String("d")})
			return err
		}, "ConflictException", "already exists"},
		{"bad name", func() error {
			_, err := c.CreateApplication(ctx, &sar.CreateApplicationInput{Name: aws.String("no spaces"), Author: aws.String("eddy"), Description: aws.String("d")})
			return err
		}, "BadRequestException", "Invalid name"},
		{"missing author", func() error {
			_, err := c.CreateApplication(ctx, &sar.CreateApplicationInput{Name: aws.String("x"), Author: aws.String(""), Description: aws.String("d")})
			return err
		}, "BadRequestException", "author"},
		{"too many labels", func() error {
			_, err := c.CreateApplication(ctx, &sar.CreateApplicationInput{Name: aws.String("x"), Author: aws.String("eddy"), Description: aws.String("d"), Labels: elevenLabels})
			return err
		}, "BadRequestException", "at most 10 labels"},
		{"invalid template", func() error {
			_, err := c.CreateApplication(ctx, &sar.CreateApplicationInput{Name: aws.String("x"), Author: aws.String("eddy"), Description: aws.String("d"), SemanticVersion: aws.String("1.0.0"), TemplateBody: aws.String("Resources: [")})
			return err
		}, "BadRequestException", "Invalid template"},
		{"template and URL", func() error {
			_, err := c.CreateApplicationVersion(ctx, &sar.CreateApplicationVersionInput{ApplicationId: id, SemanticVersion: aws.String("3.0.0"), TemplateBody: aws.String(repoTemplate), TemplateUrl: aws.String(m.URL() + "/b/k")})
			return err
		}, "BadRequestException", "not both"},
		{"invalid semantic version", func() error {
			_, err := c.CreateApplicationVersion(ctx, &sar.CreateApplicationVersionInput{ApplicationId: id, SemanticVersion: aws.String("1.0"), TemplateBody: aws.String(repoTemplate)})
			return err
		}, "BadRequestException", "Invalid semantic version"},
		{"version of an unknown application", func() error {
			_, err := c.CreateApplicationVersion(ctx, &sar.CreateApplicationVersionInput{ApplicationId: aws.String(missing), SemanticVersion: aws.String("1.0.0"), TemplateBody: aws.String(repoTemplate)})
			return err
		}, "NotFoundException", "Cannot find application"},
		{"update with too many labels", func() error {
			_, err := c.UpdateApplication(ctx, &sar.UpdateApplicationInput{ApplicationId: id, Labels: elevenLabels})
			return err
		}, "BadRequestException", "at most 10 labels"},
		{"update of an unknown application", func() error {
			_, err := c.UpdateApplication(ctx, &sar.UpdateApplicationInput{ApplicationId: aws.String(missing), Description: aws.String("d")})
			return err
		}, "NotFoundException", "Cannot find application"},
		{"unknown version", func() error {
			_, err := c.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: id, SemanticVersion: aws.String("9.9.9")})
			return err
		}, "NotFoundException", "Cannot find version 9.9.9"},
		{"bad application id", func() error {
			_, err := c.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")})
			return err
		}, "BadRequestException", "Invalid application ID"},
		{"versions of an unknown application", func() error {
			_, err := c.ListApplicationVersions(ctx, &sar.ListApplicationVersionsInput{ApplicationId: aws.String(missing)})
			return err
		}, "NotFoundException", "Cannot find application"},
		{"bad next token", func() error {
			_, err := c.ListApplicationVersions(ctx, &sar.ListApplicationVersionsInput{ApplicationId: id, NextToken: aws.String("x")})
			return err
		}, "BadRequestException", "Invalid nextToken"},
		{"dependencies of an unknown version", func() error {
			_, err := c.ListApplicationDependencies(ctx, &sar.ListApplicationDependenciesInput{ApplicationId: id, SemanticVersion: aws.String("9.9.9")})
			return err
		}, "NotFoundException", "Cannot find version"},
		{"bad principal", func() error {
			_, err := c.PutApplicationPolicy(ctx, &sar.PutApplicationPolicyInput{ApplicationId: id, Statements: []sartypes.ApplicationPolicyStatement{{Actions: []string{"Deploy"}, Principals: []string{"everyone"}}}})
			return err
		}, "BadRequestException", "Invalid principal"},
		{"bad action", func() error {
			_, err := c.PutApplicationPolicy(ctx, &sar.PutApplicationPolicyInput{ApplicationId: id, Statements: []sartypes.ApplicationPolicyStatement{{Actions: []string{"Steal"}, Principals: []string{"*"}}}})
			return err
		}, "BadRequestException", "Invalid action"},
		{"bad organization", func() error {
			_, err := c.PutApplicationPolicy(ctx, &sar.PutApplicationPolicyInput{ApplicationId: id, Statements: []sartypes.ApplicationPolicyStatement{{Actions: []string{"Deploy"}, Principals: []string{"*"}, PrincipalOrgIDs: []string{"org"}}}})
			return err
		}, "BadRequestException", "Invalid organization ID"},
		{"policy of an unknown application", func() error {
			_, err := c.GetApplicationPolicy(ctx, &sar.GetApplicationPolicyInput{ApplicationId: aws.String(missing)})
			return err
		}, "NotFoundException", "Cannot find application"},
		{"unshare a bad organization", func() error {
			_, err := c.UnshareApplication(ctx, &sar.UnshareApplicationInput{ApplicationId: id, OrganizationId: aws.String("nope")})
			return err
		}, "BadRequestException", "Invalid organization ID"},
		{"template of an unknown version", func() error {
			_, err := c.CreateCloudFormationTemplate(ctx, &sar.CreateCloudFormationTemplateInput{ApplicationId: id, SemanticVersion: aws.String("9.9.9")})
			return err
		}, "NotFoundException", "Cannot find version"},
		{"unknown template", func() error {
			_, err := c.GetCloudFormationTemplate(ctx, &sar.GetCloudFormationTemplateInput{ApplicationId: id, TemplateId: aws.String("00000000-0000-4000-8000-000000000000")})
			return err
		}, "NotFoundException", "Cannot find template"},
		{"change set of an unknown version", func() error {
			_, err := c.CreateCloudFormationChangeSet(ctx, &sar.CreateCloudFormationChangeSetInput{ApplicationId: id, StackName: aws.String("s"), SemanticVersion: aws.String("9.9.9")})
			return err
		}, "NotFoundException", "Cannot find version"},
		{"change set of an unknown application", func() error {
			_, err := c.CreateCloudFormationChangeSet(ctx, &sar.CreateCloudFormationChangeSetInput{ApplicationId: aws.String(missing), StackName: aws.String("s")})
			return err
		}, "NotFoundException", "Cannot find application"},
		{"delete an unknown application", func() error {
			_, err := c.DeleteApplication(ctx, &sar.DeleteApplicationInput{ApplicationId: aws.String(missing)})
			return err
		}, "NotFoundException", "Cannot find application"},
	}
	for _, tc := range cases {
		err := tc.call()
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			continue
		}
		status := map[string]int{"BadRequestException": 400, "NotFoundException": 404, "ConflictException": 409}[tc.code]
		if code, got := apiError(t, err); code != tc.code || got != status || !strings.Contains(ae.ErrorMessage(), tc.want) {
			t.Errorf("%s: %s %d %q, want %s %d with %q", tc.name, code, got, ae.ErrorMessage(), tc.code, status, tc.want)
		}
	}
}
