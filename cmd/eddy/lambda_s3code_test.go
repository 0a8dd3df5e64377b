package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestLambdaCodeFromS3 creates and updates a function from packages in
// eddy's S3, as CloudFormation, SAM and Terraform deploy them.
func TestLambdaCodeFromS3(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	c, s := MustLambda(t, m), MustS3(t, m.URL())
	ctx := context.Background()
	mustBucket(t, s, "deploy-bkt")
	v1, v2 := MustEchoZip(t, "1"), MustEchoZip(t, "2")
	mustPut(t, s, "deploy-bkt", "fn/v1.zip", v1)
	mustPut(t, s, "deploy-bkt", "fn/v2.zip", v2)
	sha := func(b []byte) string {
		sum := sha256.Sum256(b)
		return base64.StdEncoding.EncodeToString(sum[:])
	}
	whoami := func() string {
		t.Helper()
		out := MustInvoke(t, c, "from-s3", map[string]string{"action": "whoami"})
		v, _ := decode(t, out.Payload)["version"].(string)
		return v
	}

	created := MustCreate(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("from-s3"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{S3Bucket: aws.String("deploy-bkt"), S3Key: aws.String("fn/v1.zip"), S3ObjectVersion: aws.String("null")},
	})
	if got, want := aws.ToString(created.CodeSha256), sha(v1); got != want || created.CodeSize != int64(len(v1)) {
		t.Fatalf("CreateFunction: got CodeSha256 %s size %d, want %s size %d", got, created.CodeSize, want, len(v1))
	}
	if got := whoami(); got != "1" {
		t.Fatalf("invoke: got build %q, want 1", got)
	}

	updated, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
		FunctionName: aws.String("from-s3"), S3Bucket: aws.String("deploy-bkt"), S3Key: aws.String("fn/v2.zip"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(updated.CodeSha256), sha(v2); got != want {
		t.Fatalf("UpdateFunctionCode: got CodeSha256 %s, want %s", got, want)
	}
	if got := whoami(); got != "2" {
		t.Fatalf("invoke after update: got build %q, want 2", got)
	}

	for _, tc := range []struct {
		name, bucket, key, version, message string
	}{
		{"missing key", "deploy-bkt", "fn/nope.zip", "", "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist."},
		{"missing bucket", "no-such-bkt", "fn/v1.zip", "", "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist"},
		{"other version", "deploy-bkt", "fn/v1.zip", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", "Error occurred while GetObject. S3 Error Code: NoSuchVersion. S3 Error Message: The specified version does not exist."},
	} {
		code := &types.FunctionCode{S3Bucket: aws.String(tc.bucket), S3Key: aws.String(tc.key)}
		if tc.version != "" {
			code.S3ObjectVersion = aws.String(tc.version)
		}
		_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("broken"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(testRole), Code: code,
		})
		mustFailWith(t, err, "InvalidParameterValueException", 400)
		mustContain(t, err.Error(), tc.message)
		_, err = c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
			FunctionName: aws.String("from-s3"), S3Bucket: aws.String(tc.bucket), S3Key: aws.String(tc.key), S3ObjectVersion: code.S3ObjectVersion,
		})
		mustFailWith(t, err, "InvalidParameterValueException", 400)
		mustContain(t, err.Error(), tc.message)
	}
	if _, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("broken")}); err == nil {
		t.Fatal("a function whose code could not be read was created")
	}
}
