package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	sartypes "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository/types"
	"github.com/eddyserverless/eddy/serverlessrepo"
)

// signedAppTemplate is an application with one function whose code eddy
// apps publish builds and uploads as an artifact.
func signedAppTemplate(t *testing.T, name string) string {
	return `Transform: AWS::Serverless-2016-10-31
Metadata:
  AWS::ServerlessRepo::Application:
    Name: ` + name + `
    Description: a signed function
    Author: eddy
    SemanticVersion: 1.0.0
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ` + echofnDir(t) + `
      Runtime: provided.al2023
      Handler: bootstrap
`
}

// digestLine is the line of eddy apps show that gives a version's digest.
var digestLine = regexp.MustCompile(`Digest:\s+(sha256:[0-9a-f]{64})\n`)

// mustKeygen runs eddy apps keygen and returns the private key's path.
func mustKeygen(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	cmd := appsCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"keygen", path})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("keygen: %v", err)
	}
	mustContain(t, out.String(), "Signer: ed25519:")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode: got %v, want 0600", st.Mode().Perm())
	}
	return path
}

// signerOf returns the signer id eddy apps keygen's key pair at path has.
func signerOf(t *testing.T, path string) string {
	t.Helper()
	keys, err := readTrustedKeys([]string{path + ".pub"})
	if err != nil {
		t.Fatal(err)
	}
	return serverlessrepo.SignerOf(keys[0])
}

// TestAppsSigned publishes signed applications to an eddy that trusts one
// key and checks that only the unchanged packages that key signed deploy.
func TestAppsSigned(t *testing.T) {
	t.Parallel()
	key := mustKeygen(t, "publisher")
	untrusted := mustKeygen(t, "stranger")
	m := MustStartMain(t, Config{TrustedKeys: []string{key + ".pub"}})
	ctx := context.Background()
	signer := signerOf(t, key)

	path := writeAppTemplate(t, signedAppTemplate(t, "signed-app"))
	out, _, err := runCLI(t, m, appsCommand(), "publish", "-t", path, "--sign", key)
	if err != nil {
		t.Fatalf("publish --sign: %v\n%s", err, out)
	}
	mustContain(t, out, "Signed by: "+signer)

	out, _, err = runCLI(t, m, appsCommand(), "show", "signed-app@1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	digest := digestLine.FindStringSubmatch(out)
	if digest == nil || !hasLine(out, "Signed", "by:", signer) {
		t.Fatalf("show: want a digest and Signed by: %s\n%s", signer, out)
	}
	pkg, err := describePackage(ctx, m.URL(), "signed-app", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if pkg.Digest != digest[1] || len(pkg.Artifacts) != 1 || !strings.HasPrefix(pkg.Artifacts[0].URL, "s3://eddy-deploy-artifacts-") {
		t.Fatalf("package: %+v", pkg)
	}

	out, _, err = runCLI(t, m, appsCommand(), "deploy", "signed-app@1.0.0", "--stack-name", "signed")
	if err != nil {
		t.Fatalf("deploy of a signed package: %v\n%s", err, out)
	}
	mustContain(t, out, "Stack serverlessrepo-signed: CREATE_COMPLETE")
	// A template nesting the signed version deploys.
	nestDir := t.TempDir()
	writeFile(t, filepath.Join(nestDir, "template.yaml"), `Transform: AWS::Serverless-2016-10-31
Resources:
  App:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: signed-app
        SemanticVersion: 1.0.0
`, 0o644)
	if out, _, err := runCLI(t, m, deployCommand(), "-t", filepath.Join(nestDir, "template.yaml"), "--stack-name", "nests-signed"); err != nil {
		t.Fatalf("deploy nesting a signed package: %v\n%s", err, out)
	}

	// A signature is set once.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, m.URL()+serverlessrepo.PathPrefix+"signatures/signed-app/1.0.0",
		strings.NewReader(`{"digest":"`+pkg.Digest+`","publicKey":"`+pkg.Signature.PublicKey+`","signature":"`+pkg.Signature.Value+`"}`))
	if status, body := mustDo(t, req); status != http.StatusConflict || !strings.Contains(body, "ConflictException") {
		t.Fatalf("signing again: got %d %s, want 409 ConflictException", status, body)
	}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPut, m.URL()+serverlessrepo.PathPrefix+"signatures/signed-app/1.0.0", strings.NewReader(`{"digest":`))
	if status, body := mustDo(t, req); status != http.StatusBadRequest || !strings.Contains(body, "BadRequestException") {
		t.Fatalf("a malformed signature request: got %d %s, want 400 BadRequestException", status, body)
	}

	// A second version; then one byte of its artifact changes in S3.
	out, _, err = runCLI(t, m, appsCommand(), "publish", "-t", path, "--version", "1.1.0", "--sign", key)
	if err != nil {
		t.Fatalf("publish 1.1.0: %v\n%s", err, out)
	}
	pkg2, err := describePackage(ctx, m.URL(), "signed-app", "1.1.0")
	if err != nil || pkg2.Signature == nil || pkg2.Signature.Signer != signer {
		t.Fatalf("package 1.1.0: %+v %v", pkg2, err)
	}
	art := strings.TrimPrefix(pkg2.Artifacts[0].URL, "s3://")
	bucket, objKey, _ := strings.Cut(art, "/")
	s3c := MustS3(t, m.URL())
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, m, appsCommand(), "deploy", "signed-app@1.1.0", "--stack-name", "tampered")
	if err == nil {
		t.Fatalf("deploy of a changed package succeeded:\n%s", out)
	}
	mustContain(t, err.Error(), "ForbiddenException")
	mustContain(t, err.Error(), "The package signed-app@1.1.0 was changed after it was signed: digest sha256:")
	mustContain(t, err.Error(), ", signed "+pkg2.Digest)
	arn, err := resolveApp(ctx, MustServerlessRepo(t, m), "signed-app")
	if err != nil {
		t.Fatal(err)
	}
	_, err = MustServerlessRepo(t, m).CreateCloudFormationChangeSet(ctx, &sar.CreateCloudFormationChangeSetInput{
		ApplicationId: aws.String(arn), SemanticVersion: aws.String("1.1.0"), StackName: aws.String("tampered"),
		Capabilities: appCapabilities,
	})
	var forbidden *sartypes.ForbiddenException
	if !errors.As(err, &forbidden) || !strings.Contains(forbidden.ErrorMessage(), "was changed after it was signed") {
		t.Fatalf("CreateCloudFormationChangeSet of a changed package: got %v, want ForbiddenException", err)
	}
	if _, err := MustServerlessRepo(t, m).CreateCloudFormationTemplate(ctx, &sar.CreateCloudFormationTemplateInput{
		ApplicationId: aws.String(arn), SemanticVersion: aws.String("1.1.0"),
	}); !errors.As(err, &forbidden) {
		t.Fatalf("CreateCloudFormationTemplate of a changed package: got %v, want ForbiddenException", err)
	}

	// A template nesting the changed version is refused too.
	nesting := func(version string) string {
		dir := t.TempDir()
		path := filepath.Join(dir, "template.yaml")
		writeFile(t, path, `Transform: AWS::Serverless-2016-10-31
Resources:
  App:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: `+arn+`
        SemanticVersion: `+version+"\n", 0o644)
		return path
	}
	if out, _, err := runCLI(t, m, deployCommand(), "-t", nesting("1.1.0"), "--stack-name", "nests-tampered"); err == nil ||
		!strings.Contains(err.Error()+out, "was changed after it was signed") {
		t.Fatalf("deploy nesting a changed package: got %v\n%s", err, out)
	}

	// Unsigned, and signed by a key this eddy does not trust.
	if out, _, err = runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, signedAppTemplate(t, "plain-app"))); err != nil {
		t.Fatalf("publish unsigned: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, m, appsCommand(), "show", "plain-app")
	if err != nil || !hasLine(out, "Signed", "by:", "unsigned") || !digestLine.MatchString(out) {
		t.Fatalf("show unsigned: %v\n%s", err, out)
	}
	if _, _, err = runCLI(t, m, appsCommand(), "deploy", "plain-app", "--stack-name", "plain"); err == nil || !strings.Contains(err.Error(), "ForbiddenException: The package plain-app@1.0.0 is unsigned") {
		t.Fatalf("deploy unsigned: got %v, want ForbiddenException", err)
	}
	if out, _, err = runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, signedAppTemplate(t, "stranger-app")), "--sign", untrusted); err != nil {
		t.Fatalf("publish signed by an untrusted key: %v\n%s", err, out)
	}
	if _, _, err = runCLI(t, m, appsCommand(), "deploy", "stranger-app", "--stack-name", "stranger"); err == nil ||
		!strings.Contains(err.Error(), "is signed by "+signerOf(t, untrusted)+", which is not a trusted key") {
		t.Fatalf("deploy signed by an untrusted key: got %v, want ForbiddenException", err)
	}

	// An artifact that does not exist is refused at publish.
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://` + bucket + `/no-such-object.zip
      Runtime: provided.al2023
      Handler: bootstrap
`
	_, err = MustServerlessRepo(t, m).CreateApplication(ctx, &sar.CreateApplicationInput{
		Name: aws.String("missing-app"), Author: aws.String("eddy"), Description: aws.String("d"),
		SemanticVersion: aws.String("1.0.0"), TemplateBody: aws.String(tmpl),
	})
	var bad *sartypes.BadRequestException
	if !errors.As(err, &bad) || !strings.Contains(bad.ErrorMessage(), "no-such-object.zip") {
		t.Fatalf("publish with a missing artifact: got %v, want BadRequestException naming it", err)
	}
}

// mustDo sends req and returns the status and body of its answer.
func mustDo(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestAppsSignEdges checks the package endpoints' answers to bad requests
// and that eddy refuses to start with a trusted key it cannot read.
func TestAppsSignEdges(t *testing.T) {
	t.Parallel()
	key := mustKeygen(t, "publisher")
	bad := NewMain(Config{DataDir: t.TempDir(), TrustedKeys: []string{key}}, nil)
	if err := bad.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "--trusted-key "+key) {
		_ = bad.Close(context.Background())
		t.Fatalf("start with a private key as a trusted key: got %v, want a --trusted-key error", err)
	}

	m := MustStartMain(t, Config{})
	ctx := context.Background()
	if _, _, err := runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, appsTemplate)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method, path, body string
		status             int
		typ                string
	}{
		{http.MethodGet, "packages/queue-app/1.0.0", "", http.StatusOK, ""},
		{http.MethodGet, "packages/queue-app/9.9.9", "", http.StatusNotFound, "NotFoundException"},
		{http.MethodGet, "packages/no-such-app/1.0.0", "", http.StatusNotFound, "NotFoundException"},
		{http.MethodGet, "packages/queue-app", "", http.StatusNotFound, "NotFoundException"},
		{http.MethodPost, "signatures/queue-app/1.0.0", "{}", http.StatusNotFound, "NotFoundException"},
		{http.MethodPut, "signatures/queue-app/1.0.0", `{"digest":"sha256:00","publicKey":"a2V5","signature":"c2ln"}`, http.StatusBadRequest, "BadRequestException"},
		{http.MethodPut, "signatures/queue-app/1.0.0", `{"digest":"sha256:00"}`, http.StatusBadRequest, "BadRequestException"},
		{http.MethodPut, "signatures/queue-app/1.0.0", strings.Repeat(" ", 5000), http.StatusBadRequest, "BadRequestException"},
	} {
		req, _ := http.NewRequestWithContext(ctx, c.method, m.URL()+serverlessrepo.PathPrefix+c.path, strings.NewReader(c.body))
		status, body := mustDo(t, req)
		if status != c.status || !strings.Contains(body, c.typ) {
			t.Errorf("%s %s: got %d %s, want %d %s", c.method, c.path, status, body, c.status, c.typ)
		}
	}
	if _, _, err := runCLI(t, m, appsCommand(), "publish", "-t", writeAppTemplate(t, strings.Replace(appsTemplate, "    SemanticVersion: 1.0.0\n", "", 1)), "--sign", key); err == nil ||
		!strings.Contains(err.Error(), "--sign signs a version") {
		t.Fatalf("publish --sign with no version: got %v", err)
	}
}
