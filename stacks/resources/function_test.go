package resources_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/eddyserverless/eddy/buckets"
)

const roleArn = "arn:aws:iam::" + account + ":role/app-role"

// codeFiles returns the names and contents of the files in a function's
// stored package.
func (v *env) codeFiles(t *testing.T, name string) map[string]string {
	t.Helper()
	ctx := context.Background()
	fn, err := v.functions.GetFunction(ctx, "us-east-1", name)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := v.functions.OpenCode(ctx, fn.CodeKey)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		out[f.Name] = string(b)
	}
	return out
}

func TestFunction(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	r := req("AWS::Lambda::Function", "Worker", map[string]any{
		"Runtime":                      "python3.12",
		"Handler":                      "index.handler",
		"Role":                         roleArn,
		"Code":                         map[string]any{"ZipFile": "def handler(e, c):\n    return 1\n"},
		"Timeout":                      json.Number("10"),
		"MemorySize":                   "256",
		"Environment":                  map[string]any{"Variables": map[string]any{"MODE": "1"}},
		"ReservedConcurrentExecutions": 2,
		"Tags":                         []any{map[string]any{"Key": "k", "Value": "v"}},
	})
	res := v.create(t, r)
	match(t, "Ref", `app-Worker-[A-Z0-9]{13}`, res.PhysicalID)
	match(t, "Arn", `arn:aws:lambda:us-east-1:`+account+`:function:app-Worker-[A-Z0-9]{13}`, res.Attributes["Arn"])
	fn, err := v.functions.GetFunction(ctx, "us-east-1", res.PhysicalID)
	if err != nil {
		t.Fatal(err)
	}
	if fn.Timeout != 10 || fn.MemorySize != 256 || fn.Environment["MODE"] != "1" || fn.Tags["k"] != "v" {
		t.Errorf("function after create: %+v", fn)
	}
	if files := v.codeFiles(t, res.PhysicalID); files["index.py"] != "def handler(e, c):\n    return 1\n" {
		t.Errorf("package: %v", files)
	}
	if n, err := v.functions.GetFunctionConcurrency(ctx, "us-east-1", res.PhysicalID); err != nil || n == nil || *n != 2 {
		t.Errorf("reserved concurrency: %v, %v", n, err)
	}

	// In place: code from S3, a node runtime, no timeout (back to 3 s),
	// no reserved concurrency.
	if err := v.buckets.CreateBucket(ctx, "code", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	pkg := zipOf(t, "app.js", "exports.handler = async () => 2;")
	if _, err := v.buckets.PutObject(ctx, &buckets.PutObjectInput{Bucket: "code", Key: "app.zip", Body: bytes.NewReader(pkg), Size: int64(len(pkg))}); err != nil {
		t.Fatal(err)
	}
	props := map[string]any{
		"Runtime": "nodejs20.x", "Handler": "app.handler", "Role": roleArn,
		"Code": map[string]any{"S3Bucket": "code", "S3Key": "app.zip"},
	}
	res2, err := v.update(t, r, res, props)
	if err != nil {
		t.Fatal(err)
	}
	if res2.PhysicalID != res.PhysicalID {
		t.Errorf("renamed: %s", res2.PhysicalID)
	}
	fn, err = v.functions.GetFunction(ctx, "us-east-1", res.PhysicalID)
	if err != nil {
		t.Fatal(err)
	}
	if fn.Timeout != 3 || fn.Runtime != "nodejs20.x" || len(fn.Environment) != 0 || len(fn.Tags) != 0 {
		t.Errorf("function after update: %+v", fn)
	}
	if files := v.codeFiles(t, res.PhysicalID); files["app.js"] == "" {
		t.Errorf("package after update: %v", files)
	}
	if n, _ := v.functions.GetFunctionConcurrency(ctx, "us-east-1", res.PhysicalID); n != nil {
		t.Errorf("reserved concurrency after update: %v", *n)
	}
	r.Properties = props

	named := map[string]any{"FunctionName": "worker", "Runtime": "nodejs20.x", "Handler": "app.handler", "Role": roleArn,
		"Code": map[string]any{"S3Bucket": "code", "S3Key": "app.zip"}}
	_, err = v.update(t, r, res, named)
	wantReplace(t, err)

	v.deleteTwice(t, r, res)
	if _, err := v.functions.GetFunction(ctx, "us-east-1", res.PhysicalID); err == nil {
		t.Error("function exists after delete")
	}

	// Code from a missing object, and bad property types.
	_, err = v.h[r.Type].Create(ctx, req(r.Type, "Missing", map[string]any{"Runtime": "nodejs20.x", "Handler": "a.b", "Role": roleArn,
		"Code": map[string]any{"S3Bucket": "code", "S3Key": "nothing.zip"}}))
	if err == nil {
		t.Error("created a function from a missing object")
	}
	_, err = v.h[r.Type].Create(ctx, req(r.Type, "Bad", map[string]any{"Runtime": "nodejs20.x", "Role": roleArn,
		"Code": map[string]any{"ZipFile": "x"}, "Environment": map[string]any{"Variables": []any{1}}}))
	wantInvalid(t, err, "/Environment/Variables")
	_, err = v.h[r.Type].Create(ctx, req(r.Type, "Bad", map[string]any{"Runtime": "nodejs20.x", "Role": roleArn}))
	wantInvalid(t, err, "/Code")
}

func zipOf(t *testing.T, name, src string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(f, src)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
