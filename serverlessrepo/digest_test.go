package serverlessrepo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"testing"
)

const digestTemplate = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: s3://art/global.zip
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://art/fn.zip
      Handler: app.handler
      Runtime: python3.12
  Raw:
    Type: AWS::Lambda::Function
    Properties:
      Code: {S3Bucket: art, S3Key: raw.zip}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: {Bucket: defs, Key: api.yaml}
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: https://defs.s3.amazonaws.com/child%20template.yaml
  Own:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: http://localhost:4566/_eddy/serverlessrepo/versions/app/1.0.0
  Local:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./src
      Handler: app.handler
      Runtime: python3.12
  Sub:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: !Sub s3://${AWS::StackName}/x.zip
      Handler: app.handler
      Runtime: python3.12
`

func TestArtifacts(t *testing.T) {
	got, err := Artifacts(digestTemplate)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, a := range got {
		urls = append(urls, a.URL())
	}
	want := []string{"s3://art/fn.zip", "s3://art/global.zip", "s3://art/raw.zip", "s3://defs/api.yaml", "s3://defs/child template.yaml"}
	if !reflect.DeepEqual(urls, want) {
		t.Fatalf("artifacts = %q, want %q", urls, want)
	}
}

func TestPackageDigest(t *testing.T) {
	objects := map[string][]byte{}
	for _, u := range []string{"s3://art/fn.zip", "s3://art/global.zip", "s3://art/raw.zip", "s3://defs/api.yaml", "s3://defs/child template.yaml"} {
		objects[u] = []byte("contents of " + u)
	}
	open := func(_ context.Context, a Artifact) (io.ReadCloser, error) {
		b, ok := objects[a.URL()]
		if !ok {
			return nil, errors.New("no such object")
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	ctx := context.Background()
	d1, err := PackageDigest(ctx, digestTemplate, open)
	if err != nil {
		t.Fatal(err)
	}
	if d2, _ := PackageDigest(ctx, digestTemplate, open); d2 != d1 || len(d1) != len("sha256:")+64 {
		t.Fatalf("digest %q then %q", d1, d2)
	}
	objects["s3://art/raw.zip"][0] ^= 1
	if d3, _ := PackageDigest(ctx, digestTemplate, open); d3 == d1 {
		t.Fatal("one changed byte in an artifact left the digest as it was")
	}
	objects["s3://art/raw.zip"][0] ^= 1
	if d4, _ := PackageDigest(ctx, digestTemplate+"\n", open); d4 == d1 {
		t.Fatal("a changed template left the digest as it was")
	}
	delete(objects, "s3://art/fn.zip")
	if _, err := PackageDigest(ctx, digestTemplate, open); err == nil {
		t.Fatal("a missing artifact gave a digest")
	}
}
