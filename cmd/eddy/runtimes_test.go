package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const pythonHandler = `
import os

def handler(event, context):
    if event.get("fail"):
        raise ValueError("python says no")
    return {"echo": event, "function": context.function_name, "request": context.aws_request_id,
            "remaining": context.get_remaining_time_in_millis(), "pid": os.getpid()}
`

const nodeHandler = `
exports.handler = async (event, context) => {
  if (event.fail) { throw new TypeError("node says no"); }
  console.log("handling", JSON.stringify(event));
  return { echo: event, function: context.functionName, request: context.awsRequestId,
           remaining: context.getRemainingTimeInMillis(), pid: process.pid };
};
`

func TestPythonAndNodeFunctions(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	cases := []struct {
		runtime   types.Runtime
		handler   string
		file      string
		source    string
		interp    string
		errorType string
		errorMsg  string
	}{
		{types.RuntimePython312, "app.handler", "app.py", pythonHandler, "python3", "ValueError", "python says no"},
		{types.RuntimeNodejs20x, "index.handler", "index.js", nodeHandler, "node", "TypeError", "node says no"},
	}
	for _, tc := range cases {
		t.Run(string(tc.runtime), func(t *testing.T) {
			if _, err := exec.LookPath(tc.interp); err != nil {
				t.Skipf("%s is not installed", tc.interp)
			}
			name := strings.NewReplacer(".", "-").Replace(string(tc.runtime))
			MustCreate(t, c, &lambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: tc.runtime, Handler: aws.String(tc.handler),
				Code: &types.FunctionCode{ZipFile: MustZip(t, map[string]zipEntry{tc.file: {data: []byte(tc.source)}})},
			})
			res := MustInvoke(t, c, name, `{"hello":"world"}`)
			if res.FunctionError != nil {
				t.Fatalf("got function error %s", res.Payload)
			}
			out := decode(t, res.Payload)
			if echo, _ := out["echo"].(map[string]any); echo["hello"] != "world" || out["function"] != name {
				t.Fatalf("got %v", out)
			}
			if r, _ := out["remaining"].(float64); r <= 0 {
				t.Fatalf("remaining time: got %v", out["remaining"])
			}
			// Warm: the second invoke runs in the same process.
			if again := decode(t, MustInvoke(t, c, name, `{}`).Payload); again["pid"] != out["pid"] {
				t.Fatalf("second invoke ran in pid %v, want the warm %v", again["pid"], out["pid"])
			}
			res = MustInvoke(t, c, name, `{"fail":true}`)
			doc := decode(t, res.Payload)
			if aws.ToString(res.FunctionError) != "Unhandled" || doc["errorType"] != tc.errorType || doc["errorMessage"] != tc.errorMsg {
				t.Fatalf("error: got %q %v", aws.ToString(res.FunctionError), doc)
			}
		})
	}

	t.Run("import error", func(t *testing.T) {
		if _, err := exec.LookPath("python3"); err != nil {
			t.Skip("python3 is not installed")
		}
		MustCreate(t, c, &lambda.CreateFunctionInput{
			FunctionName: aws.String("broken"), Runtime: types.RuntimePython311, Handler: aws.String("missing.handler"),
			Code: &types.FunctionCode{ZipFile: MustZip(t, map[string]zipEntry{"app.py": {data: []byte(pythonHandler)}})},
		})
		res := MustInvoke(t, c, "broken", `{}`)
		doc := decode(t, res.Payload)
		if aws.ToString(res.FunctionError) != "Unhandled" || doc["errorType"] != "Runtime.ImportModuleError" {
			t.Fatalf("got %q %v", aws.ToString(res.FunctionError), doc)
		}
		mustContain(t, doc["errorMessage"].(string), "Unable to import module 'missing'")
	})

	t.Run("missing bootstrap", func(t *testing.T) {
		MustCreate(t, c, &lambda.CreateFunctionInput{
			FunctionName: aws.String("nobootstrap"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Code: &types.FunctionCode{ZipFile: MustZip(t, map[string]zipEntry{"README": {data: []byte("no bootstrap here")}})},
		})
		doc := decode(t, MustInvoke(t, c, "nobootstrap", `{}`).Payload)
		if doc["errorType"] != "Runtime.InvalidEntrypoint" {
			t.Fatalf("got %v", doc)
		}
	})

	t.Run("runtime eddy cannot run", func(t *testing.T) {
		MustCreate(t, c, &lambda.CreateFunctionInput{
			FunctionName: aws.String("java"), Runtime: types.RuntimeJava21, Handler: aws.String("example.Handler::handleRequest"),
			Code: &types.FunctionCode{ZipFile: MustZip(t, map[string]zipEntry{"x": {data: []byte("x")}})},
		})
		_, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("java")})
		mustFailWith(t, err, "InvalidRuntimeException", 502)
	})
}
