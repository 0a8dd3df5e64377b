package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestLambdaPolicy adds, reads and removes statements of functions'
// resource-based policies, per qualifier, as Terraform's
// aws_lambda_permission and S3 or SNS triggers do.
func TestLambdaPolicy(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	create := func(name string) string {
		t.Helper()
		out := MustCreate(t, c, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Code: &types.FunctionCode{ZipFile: MustZip(t, map[string]zipEntry{"bootstrap": {data: []byte("#!/bin/sh\n"), mode: 0o755}})},
		})
		return aws.ToString(out.FunctionArn)
	}
	arn := create("pol-fn")
	account := arn[len("arn:aws:lambda:us-east-1:") : len("arn:aws:lambda:us-east-1:")+12]
	getPolicy := func(qualifier *string) (*lambda.GetPolicyOutput, error) {
		return c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol-fn"), Qualifier: qualifier})
	}

	_, err := getPolicy(nil)
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	mustContain(t, err.Error(), "The resource you requested does not exist.")

	s3 := &lambda.AddPermissionInput{
		FunctionName: aws.String("pol-fn"), StatementId: aws.String("s3-invoke"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::uploads-bkt"), SourceAccount: aws.String(account),
	}
	added, err := c.AddPermission(ctx, s3)
	if err != nil {
		t.Fatal(err)
	}
	s3Statement := `{"Sid":"s3-invoke","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction",` +
		`"Resource":"` + arn + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::uploads-bkt"},"StringEquals":{"AWS:SourceAccount":"` + account + `"}}}`
	if got := aws.ToString(added.Statement); got != s3Statement {
		t.Fatalf("AddPermission: got Statement\n%s\nwant\n%s", got, s3Statement)
	}
	_, err = c.AddPermission(ctx, s3)
	mustFailWith(t, err, "ResourceConflictException", 409)
	mustContain(t, err.Error(), "The statement id (s3-invoke) provided already exists. Please provide a new statement id, or remove the existing statement.")

	first, err := getPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String("pol-fn"), StatementId: aws.String("stale"), Action: aws.String("lambda:GetFunction"),
		Principal: aws.String("111122223333"), RevisionId: aws.String("00000000-0000-4000-8000-000000000000"),
	})
	mustFailWith(t, err, "PreconditionFailedException", 412)
	// An account is its root user; the current RevisionId is accepted.
	if _, err := c.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String(arn), StatementId: aws.String("account"), Action: aws.String("lambda:GetFunction"),
		Principal: aws.String("111122223333"), EventSourceToken: aws.String("tok-1"), RevisionId: first.RevisionId,
	}); err != nil {
		t.Fatal(err)
	}
	policy, err := getPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Id":"default","Statement":[` + s3Statement + `,` +
		`{"Sid":"account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"lambda:GetFunction",` +
		`"Resource":"` + arn + `","Condition":{"StringEquals":{"lambda:EventSourceToken":"tok-1"}}}]}`
	if got := aws.ToString(policy.Policy); got != want {
		t.Fatalf("GetPolicy: got\n%s\nwant\n%s", got, want)
	}
	if aws.ToString(policy.RevisionId) == "" || aws.ToString(policy.RevisionId) == aws.ToString(first.RevisionId) {
		t.Fatalf("GetPolicy: got RevisionId %q after a change, want a new one (was %q)", aws.ToString(policy.RevisionId), aws.ToString(first.RevisionId))
	}

	// Requests Lambda refuses.
	for _, tc := range []struct {
		name string
		in   *lambda.AddPermissionInput
		code string
		st   int
	}{
		{"$LATEST", &lambda.AddPermissionInput{FunctionName: aws.String("pol-fn"), Qualifier: aws.String("$LATEST"), StatementId: aws.String("x"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com")}, "InvalidParameterValueException", 400},
		{"bad principal", &lambda.AddPermissionInput{FunctionName: aws.String("pol-fn"), StatementId: aws.String("x"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("somebody")}, "InvalidParameterValueException", 400},
		{"bad action", &lambda.AddPermissionInput{FunctionName: aws.String("pol-fn"), StatementId: aws.String("x"),
			Action: aws.String("s3:GetObject"), Principal: aws.String("*")}, "ValidationException", 400},
		{"no function", &lambda.AddPermissionInput{FunctionName: aws.String("nope"), StatementId: aws.String("x"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")}, "ResourceNotFoundException", 404},
		{"no version", &lambda.AddPermissionInput{FunctionName: aws.String("pol-fn"), Qualifier: aws.String("7"), StatementId: aws.String("x"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")}, "ResourceNotFoundException", 404},
	} {
		_, err := c.AddPermission(ctx, tc.in)
		if code, st := apiError(t, err); code != tc.code || st != tc.st {
			t.Errorf("AddPermission %s: got %s (%d), want %s (%d): %v", tc.name, code, st, tc.code, tc.st, err)
		}
	}

	// A version and an alias have policies of their own, under qualified ARNs.
	v1, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("pol-fn")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("pol-fn"), Name: aws.String("live"), FunctionVersion: v1.Version}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{aws.ToString(v1.Version), "live"} {
		out, err := c.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String("pol-fn"), Qualifier: aws.String(q), StatementId: aws.String("s3-invoke"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), PrincipalOrgID: aws.String("o-a1b2c3d4e5"),
		})
		if err != nil {
			t.Fatalf("AddPermission at %s: %v", q, err)
		}
		want := `{"Sid":"s3-invoke","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + arn + ":" + q +
			`","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}`
		if got := aws.ToString(out.Statement); got != want {
			t.Fatalf("AddPermission at %s: got\n%s\nwant\n%s", q, got, want)
		}
	}
	live, err := getPolicy(aws.String("live"))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, aws.ToString(live.Policy), `"Statement":[{"Sid":"s3-invoke","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"`+arn+`:live"`)

	// RemovePermission.
	_, err = c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol-fn"), StatementId: aws.String("nope")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	_, err = c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol-fn"), StatementId: aws.String("account"), RevisionId: first.RevisionId})
	mustFailWith(t, err, "PreconditionFailedException", 412)
	if _, err := c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol-fn"), StatementId: aws.String("account"), RevisionId: policy.RevisionId}); err != nil {
		t.Fatal(err)
	}
	after, err := getPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(after.Policy), `{"Version":"2012-10-17","Id":"default","Statement":[`+s3Statement+`]}`; got != want {
		t.Fatalf("GetPolicy after RemovePermission: got\n%s\nwant\n%s", got, want)
	}
	if _, err := c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol-fn"), StatementId: aws.String("s3-invoke")}); err != nil {
		t.Fatal(err)
	}
	_, err = getPolicy(nil)
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	if _, err := getPolicy(v1.Version); err != nil {
		t.Fatalf("the version's policy went with the function's last statement: %v", err)
	}

	// Deleting an alias deletes its policy; deleting the function deletes all.
	if _, err := c.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("pol-fn"), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("pol-fn"), Name: aws.String("live"), FunctionVersion: v1.Version}); err != nil {
		t.Fatal(err)
	}
	_, err = getPolicy(aws.String("live"))
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	if _, err := c.AddPermission(ctx, s3); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("pol-fn")}); err != nil {
		t.Fatal(err)
	}
	_, err = getPolicy(nil)
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	create("pol-fn")
	_, err = getPolicy(nil)
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	mustContain(t, err.Error(), "The resource you requested does not exist.")
}
