package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// fakeStore keeps uploaded zips in memory, under their SHA-256 like eddy's
// deploy bucket.
type fakeStore struct {
	zips  map[string][]byte
	calls int
}

func (s *fakeStore) upload(_ context.Context, z []byte) (string, string, error) {
	s.calls++
	sum := sha256.Sum256(z)
	key := hex.EncodeToString(sum[:])
	if s.zips == nil {
		s.zips = map[string][]byte{}
	}
	s.zips[key] = z
	return "art", key, nil
}

// zipContents returns the entries of a zip: name → mode and content.
func zipContents(tb testing.TB, z []byte) map[string]zipEntry {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]zipEntry{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		out[f.Name] = zipEntry{data: data, mode: f.Mode()}
	}
	return out
}

// echofnDir is the absolute path of the repository's echo function.
func echofnDir(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs("../../bench/echofn")
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

func writeFile(tb testing.TB, path, content string, mode os.FileMode) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		tb.Fatal(err)
	}
}

// TestDeployBuildRewrite builds every kind of code a template can name and
// checks what the rewritten template says and what was uploaded.
func TestDeployBuildRewrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "py", "app.py"), "def handler(e, c):\n    return e\n", 0o644)
	writeFile(t, filepath.Join(dir, "node", "index.js"), "exports.handler = async e => e\n", 0o644)
	writeFile(t, filepath.Join(dir, "node", "lib", "util.js"), "module.exports = 1\n", 0o644)
	writeFile(t, filepath.Join(dir, "custom", "bootstrap"), "#!/bin/sh\necho hi\n", 0o755)
	writeFile(t, filepath.Join(dir, "layer", "python", "shared.py"), "X = 1\n", 0o644)
	prebuilt, err := zipFiles([]zipFile{{name: "bootstrap", path: filepath.Join(dir, "custom", "bootstrap"), mode: 0o755}})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "code.zip"), string(prebuilt), 0o644)

	template := `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
# the code of most functions is in py
Globals:
  Function:
    CodeUri: py
    Runtime: python3.12
    Timeout: 5
Parameters:
  Stage:
    Type: String
Resources:
  GoFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ` + echofnDir(t) + `
      Runtime: provided.al2023
      Handler: bootstrap
      Architectures: [arm64]
  GoFnAgain:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: go1.x
    Properties:
      CodeUri: ` + echofnDir(t) + `
      Runtime: provided.al2023
      Handler: bootstrap
      Architectures: [arm64]
  PyFn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Environment:
        Variables:
          STAGE: !Ref Stage
          QUEUE: !GetAtt Queue.Arn
  S3Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://elsewhere/code.zip
      Handler: app.handler
  MapFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri:
        Bucket: elsewhere
        Key: code.zip
      Handler: app.handler
  SubFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: !Sub "s3://${AWS::StackName}-code/app.zip"
      Handler: app.handler
  InlineFn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(e, c): return e"
      Handler: index.handler
  ZipFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./code.zip
      Runtime: provided.al2023
      Handler: bootstrap
  CustomFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: custom
      Runtime: provided.al2023
      Handler: bootstrap
  NodeFn:
    Type: AWS::Lambda::Function
    Properties:
      Code: node
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !Sub "arn:aws:iam::${AWS::AccountId}:role/r"
  ZipFileFn:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        ZipFile: "exports.handler = async () => 1"
      Runtime: nodejs20.x
      Handler: index.handler
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  Arn:
    Value: !GetAtt GoFn.Arn
  Url:
    Value: !Sub "https://${Queue}/x"
`
	path := filepath.Join(dir, "template.yaml")
	writeFile(t, path, template, 0o644)
	var store fakeStore
	out, err := buildArtifacts(context.Background(), path, store.upload)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("rewritten template: %v\n%s", err, out)
	}
	root := doc.Content[0]
	res := mapGet(root, "Resources")
	prop := func(id, name string) *yaml.Node { return mapGet(mapGet(mapGet(res, id), "Properties"), name) }
	location := func(id, name string) []byte {
		t.Helper()
		uri := scalar(prop(id, name))
		key, ok := strings.CutPrefix(uri, "s3://art/")
		if !ok {
			t.Fatalf("%s %s = %q, want an s3://art/ URI\n%s", id, name, uri, out)
		}
		return store.zips[key]
	}

	goZip := zipContents(t, location("GoFn", "CodeUri"))
	boot, ok := goZip["bootstrap"]
	if len(goZip) != 1 || !ok || boot.mode.Perm() != 0o755 || !bytes.HasPrefix(boot.data, []byte("\x7fELF")) {
		t.Errorf("GoFn zip: want only an executable ELF bootstrap, got %d entries (bootstrap mode %v)", len(goZip), boot.mode)
	}
	if scalar(prop("GoFnAgain", "CodeUri")) != scalar(prop("GoFn", "CodeUri")) {
		t.Errorf("the same package built the same way should be one artifact")
	}

	py := zipContents(t, location("PyFn", "CodeUri"))
	if string(py["app.py"].data) != "def handler(e, c):\n    return e\n" || len(py) != 1 {
		t.Errorf("PyFn zip: %v", keys(py))
	}
	if mapGet(mapGet(root, "Globals"), "Function") == nil || mapGet(mapGet(mapGet(root, "Globals"), "Function"), "CodeUri") != nil {
		t.Errorf("Globals.Function.CodeUri should be gone and the rest kept:\n%s", out)
	}

	if !bytes.Equal(location("ZipFn", "CodeUri"), prebuilt) {
		t.Errorf("a .zip CodeUri should be uploaded as it is")
	}
	custom := zipContents(t, location("CustomFn", "CodeUri"))
	if c := custom["bootstrap"]; len(custom) != 1 || c.mode.Perm() != 0o755 || string(c.data) != "#!/bin/sh\necho hi\n" {
		t.Errorf("CustomFn zip: %v", keys(custom))
	}
	if got := keys(zipContents(t, location("Layer", "ContentUri"))); !reflect.DeepEqual(got, []string{"python/shared.py"}) {
		t.Errorf("Layer zip: %v", got)
	}

	code := prop("NodeFn", "Code")
	if code.Kind != yaml.MappingNode || scalar(mapGet(code, "S3Bucket")) != "art" {
		t.Fatalf("NodeFn Code: want an S3Bucket/S3Key map\n%s", out)
	}
	node := zipContents(t, store.zips[scalar(mapGet(code, "S3Key"))])
	if got := keys(node); !reflect.DeepEqual(got, []string{"index.js", "lib/util.js"}) {
		t.Errorf("NodeFn zip: %v", got)
	}

	// What names no local code is left exactly as it was.
	if scalar(prop("S3Fn", "CodeUri")) != "s3://elsewhere/code.zip" ||
		scalar(mapGet(prop("MapFn", "CodeUri"), "Bucket")) != "elsewhere" ||
		prop("SubFn", "CodeUri").Tag != "!Sub" ||
		prop("InlineFn", "CodeUri") != nil ||
		scalar(mapGet(prop("ZipFileFn", "Code"), "ZipFile")) == "" {
		t.Errorf("code that is not local changed:\n%s", out)
	}
	// Short-form tags and comments survive.
	for _, want := range []string{"!GetAtt GoFn.Arn", "!Ref Stage", "!GetAtt Queue.Arn", `!Sub "https://${Queue}/x"`, "# the code of most functions is in py"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("rewritten template lacks %q:\n%s", want, out)
		}
	}
	// GoFn and GoFnAgain differ in BuildMethod only, so they are built
	// twice; the build is reproducible, so both name one object. ZipFn's
	// zip was made from CustomFn's directory, so they share one too.
	if store.calls != 7 || len(store.zips) != 5 {
		t.Errorf("uploads: %d calls of %d objects, want 7 of 5", store.calls, len(store.zips))
	}
}

func keys(m map[string]zipEntry) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestDeployBuildUnchanged returns a template without local code byte for
// byte, and rewrites a JSON one as JSON.
func TestDeployBuildUnchanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !Sub '${AWS::StackName}-q'}\n"
	path := filepath.Join(dir, "template.yaml")
	writeFile(t, path, src, 0o644)
	var store fakeStore
	out, err := buildArtifacts(context.Background(), path, store.upload)
	if err != nil || string(out) != src || store.calls != 0 {
		t.Fatalf("got %q, %v, %d uploads", out, err, store.calls)
	}

	writeFile(t, filepath.Join(dir, "fn", "index.py"), "x = 1\n", 0o644)
	js := `{
	"Resources": {
		"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Code": "fn", "Runtime": "python3.12", "Handler": "index.h", "MemorySize": 256, "Publish": true,
			"Role": {"Fn::GetAtt": ["R", "Arn"]}}}
	}
}`
	path = filepath.Join(dir, "template.json")
	writeFile(t, path, js, 0o644)
	out, err = buildArtifacts(context.Background(), path, store.upload)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]struct {
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	p := doc.Resources["Fn"].Properties
	code, _ := p["Code"].(map[string]any)
	if code["S3Bucket"] != "art" || code["S3Key"] == nil || p["MemorySize"] != 256.0 || p["Publish"] != true || !reflect.DeepEqual(p["Role"], map[string]any{"Fn::GetAtt": []any{"R", "Arn"}}) {
		t.Errorf("rewritten JSON template:\n%s", out)
	}
}

// TestDeployBuildErrors names the resource whose code cannot be built.
func TestDeployBuildErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "bad", "main.go"), "package main\nfunc main() { undefined() }\n", 0o644)
	writeFile(t, filepath.Join(dir, "bad", "go.mod"), "module bad\n\ngo 1.22\n", 0o644)
	path := filepath.Join(dir, "template.yaml")
	writeFile(t, path, `Resources:
  Broken:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: bad, Runtime: provided.al2023, Handler: bootstrap}
`, 0o644)
	var store fakeStore
	_, err := buildArtifacts(context.Background(), path, store.upload)
	if err == nil || !strings.Contains(err.Error(), "Broken CodeUri (bad)") || !strings.Contains(err.Error(), "undefined") {
		t.Errorf("got %v", err)
	}
	writeFile(t, path, "Resources:\n  Gone:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: missing, Runtime: python3.12}\n", 0o644)
	if _, err := buildArtifacts(context.Background(), path, store.upload); err == nil || !strings.Contains(err.Error(), "Gone CodeUri (missing)") {
		t.Errorf("got %v", err)
	}
}

// TestDeployStackName derives stack names from directory names.
func TestDeployStackName(t *testing.T) {
	for dir, want := range map[string]string{
		"/home/me/my-app":                "my-app",
		"/home/me/my_app.v2":             "my-app-v2",
		"/srv/2024 report":               "report",
		"/srv/_x_":                       "x",
		"/srv/123":                       "eddy-stack",
		"/":                              "eddy-stack",
		"/a/" + strings.Repeat("b", 200): strings.Repeat("b", 128),
	} {
		if got := stackNameFor(dir); got != want {
			t.Errorf("stackNameFor(%q) = %q, want %q", dir, got, want)
		}
	}
}

// TestDeployParams parses --param values and reads a template's parameter
// names.
func TestDeployParams(t *testing.T) {
	got, err := parseParams([]string{"A=1", "B=x=y", "C="})
	if err != nil || !reflect.DeepEqual(got, map[string]string{"A": "1", "B": "x=y", "C": ""}) {
		t.Errorf("parseParams: %v, %v", got, err)
	}
	if _, err := parseParams([]string{"novalue"}); err == nil {
		t.Errorf("parseParams accepted a value without =")
	}
	names := templateParameters([]byte("Parameters:\n  Stage: {Type: String}\n  Size: {Type: Number}\nResources: {}\n"))
	if !reflect.DeepEqual(names, []string{"Stage", "Size"}) {
		t.Errorf("templateParameters: %v", names)
	}
}
