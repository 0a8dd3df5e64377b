package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// rawLambda sends a request as a Lambda client would, but with any body.
func rawLambda(t *testing.T, m *Main, method, path, body string, header map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, m.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=x")
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var doc map[string]any
	_ = json.Unmarshal(data, &doc)
	return res.StatusCode, res.Header, doc
}

func TestBadInputGetsAWSErrors(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	goodZip := MustZip(t, map[string]zipEntry{"bootstrap": {data: []byte("#!/bin/sh\n"), mode: 0o755}})
	create := func(mod func(*lambda.CreateFunctionInput)) error {
		in := &lambda.CreateFunctionInput{
			FunctionName: aws.String("bad"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(testRole), Code: &types.FunctionCode{ZipFile: goodZip},
		}
		mod(in)
		_, err := c.CreateFunction(ctx, in)
		return err
	}

	t.Run("malformed JSON", func(t *testing.T) {
		for _, body := range []string{`{"FunctionName":`, `[1,2]`, `{"FunctionName": 5}`, "\x00\xff"} {
			status, h, doc := rawLambda(t, m, "POST", "/2015-03-31/functions", body, nil)
			if status != 400 || h.Get("X-Amzn-ErrorType") != "InvalidRequestContentException" || doc["message"] == nil {
				t.Fatalf("body %q: got %d %s %v", body, status, h.Get("X-Amzn-ErrorType"), doc)
			}
		}
		status, h, _ := rawLambda(t, m, "PUT", "/2015-03-31/functions/x/configuration", `{"Timeout": "ten"}`, nil)
		if status != 400 || h.Get("X-Amzn-ErrorType") != "InvalidRequestContentException" {
			t.Fatalf("update configuration: got %d %s", status, h.Get("X-Amzn-ErrorType"))
		}
	})

	t.Run("unknown runtime", func(t *testing.T) {
		err := create(func(in *lambda.CreateFunctionInput) { in.Runtime = "cobol85" })
		mustFailWith(t, err, "InvalidParameterValueException", 400)
		err = create(func(in *lambda.CreateFunctionInput) { in.Runtime = "python2.7" })
		mustFailWith(t, err, "InvalidParameterValueException", 400)
	})

	t.Run("invalid names", func(t *testing.T) {
		for _, name := range []string{"has space", "slash/name", "bang!", strings.Repeat("n", 65), "arn:aws:s3:::bucket"} {
			err := create(func(in *lambda.CreateFunctionInput) { in.FunctionName = aws.String(name) })
			mustFailWith(t, err, "ValidationException", 400)
		}
		status, h, _ := rawLambda(t, m, "GET", "/2015-03-31/functions/bad%20name", "", nil)
		if status != 400 || h.Get("X-Amzn-ErrorType") != "ValidationException" {
			t.Fatalf("GetFunction with a bad name: got %d %s", status, h.Get("X-Amzn-ErrorType"))
		}
	})

	t.Run("configuration out of range", func(t *testing.T) {
		cases := map[string]func(*lambda.CreateFunctionInput){
			"timeout 0":   func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(0) },
			"timeout 901": func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(901) },
			"memory 64":   func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(64) },
			"reserved env": func(in *lambda.CreateFunctionInput) {
				in.Environment = &types.Environment{Variables: map[string]string{"AWS_REGION": "x"}}
			},
			"bad env key": func(in *lambda.CreateFunctionInput) {
				in.Environment = &types.Environment{Variables: map[string]string{"1X": "x"}}
			},
			"env over 4 KB": func(in *lambda.CreateFunctionInput) {
				in.Environment = &types.Environment{Variables: map[string]string{"BIG": strings.Repeat("x", 5000)}}
			},
			"bad role":   func(in *lambda.CreateFunctionInput) { in.Role = aws.String("not-a-role") },
			"no handler": func(in *lambda.CreateFunctionInput) { in.Handler = nil },
			"two archs":  func(in *lambda.CreateFunctionInput) { in.Architectures = []types.Architecture{"x86_64", "arm64"} },
			"image":      func(in *lambda.CreateFunctionInput) { in.PackageType = types.PackageTypeImage },
			"code from S3": func(in *lambda.CreateFunctionInput) {
				in.Code = &types.FunctionCode{S3Bucket: aws.String("b"), S3Key: aws.String("k")}
			},
			"not a zip": func(in *lambda.CreateFunctionInput) { in.Code = &types.FunctionCode{ZipFile: []byte("hello")} },
		}
		for name, mod := range cases {
			err := create(mod)
			code, status := apiError(t, err)
			if status != 400 || (code != "InvalidParameterValueException" && code != "ValidationException") {
				t.Errorf("%s: got %s (%d), want a 400 InvalidParameterValueException or ValidationException", name, code, status)
			}
		}
	})

	t.Run("malicious zips", func(t *testing.T) {
		evil := map[string][]byte{
			"dot-dot":  MustZip(t, map[string]zipEntry{"../escape": {data: []byte("x")}, "bootstrap": {data: []byte("x")}}),
			"nested":   MustZip(t, map[string]zipEntry{"a/../../escape": {data: []byte("x")}}),
			"absolute": MustZip(t, map[string]zipEntry{"/tmp/eddy-escape": {data: []byte("x")}}),
			"bomb":     zipBomb(t),
		}
		for name, z := range evil {
			err := create(func(in *lambda.CreateFunctionInput) {
				in.FunctionName = aws.String("evil-" + name)
				in.Code = &types.FunctionCode{ZipFile: z}
			})
			mustFailWith(t, err, "InvalidParameterValueException", 400)
			if name == "bomb" {
				mustContain(t, err.Error(), "Unzipped size must be smaller than 262144000 bytes")
			}
		}
		if _, err := os.Stat(filepath.Join(m.Config.DataDir, "..", "escape")); err == nil {
			t.Fatal("a zip entry was written outside the data directory")
		}
		if _, err := os.Stat("/tmp/eddy-escape"); err == nil {
			t.Fatal("an absolute zip entry was written")
		}
	})

	MustCreateEcho(t, c, "echo", 3)
	t.Run("payload limits", func(t *testing.T) {
		big := append(append([]byte(`"`), bytes.Repeat([]byte("x"), 6*1024*1024)...), '"')
		_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: big})
		mustFailWith(t, err, "RequestTooLargeException", 413)
		async := append(append([]byte(`"`), bytes.Repeat([]byte("x"), 1024*1024)...), '"')
		_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: async, InvocationType: types.InvocationTypeEvent})
		mustFailWith(t, err, "RequestTooLargeException", 413)
		_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{not json`)})
		mustFailWith(t, err, "InvalidRequestContentException", 400)
		_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), ClientContext: aws.String("%%%")})
		mustFailWith(t, err, "InvalidParameterValueException", 400)
		status, h, _ := rawLambda(t, m, "POST", "/2015-03-31/functions/echo/invocations", `{}`, map[string]string{"X-Amz-Invocation-Type": "Sometimes"})
		if status != 400 || h.Get("X-Amzn-ErrorType") != "ValidationException" {
			t.Fatalf("bad invocation type: got %d %s", status, h.Get("X-Amzn-ErrorType"))
		}
	})

	t.Run("unknown functions and qualifiers", func(t *testing.T) {
		_, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
		mustFailWith(t, err, "ResourceNotFoundException", 404)
		mustContain(t, err.Error(), "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
		_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
		mustFailWith(t, err, "ResourceNotFoundException", 404)
		_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Qualifier: aws.String("prod")})
		mustFailWith(t, err, "ResourceNotFoundException", 404)
		_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("nope")})
		mustFailWith(t, err, "ResourceNotFoundException", 404)
		_, err = c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("nope"), ZipFile: goodZip})
		mustFailWith(t, err, "ResourceNotFoundException", 404)
		err = create(func(in *lambda.CreateFunctionInput) { in.FunctionName = aws.String("echo") })
		mustFailWith(t, err, "ResourceConflictException", 409)
		status, _, _ := rawLambda(t, m, "PATCH", "/2015-03-31/functions/echo/nothing", "", nil)
		if status != 404 {
			t.Fatalf("unknown operation: got %d, want 404", status)
		}
	})
}

// zipBomb returns a small zip that unpacks to more than 250 MB.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 2; i++ {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "zeros" + string(rune('a'+i)), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 130; j++ {
			if _, err := w.Write(zeros); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
