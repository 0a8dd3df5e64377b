// Command echofn is an aws-lambda-go function used by `eddy bench` and by
// eddy's end-to-end tests. By default it returns its event unchanged; an
// event with an "action" field asks for another behaviour:
//
//	{"action":"error","message":"…"}   return an error (a handled function error)
//	{"action":"panic"}                 panic (the process exits)
//	{"action":"exit"}                  exit the process without answering
//	{"action":"sleep","ms":N}          sleep N milliseconds, then answer
//	                                   ("touch":PATH creates PATH first)
//	{"action":"whoami"}                report the instance, environment and context
//	{"action":"log","lines":N}         print N lines, then answer
//	{"action":"big","bytes":N}         answer with a string of N bytes
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// version is reported by whoami; tests replace it with -ldflags to tell two
// builds apart.
var version = "1"

type command struct {
	Action  string `json:"action"`
	Message string `json:"message"`
	MS      int    `json:"ms"`
	Lines   int    `json:"lines"`
	Bytes   int    `json:"bytes"`
	Touch   string `json:"touch"`
}

func handle(ctx context.Context, event json.RawMessage) (any, error) {
	var c command
	_ = json.Unmarshal(event, &c) // any event that is not a command is echoed
	switch c.Action {
	case "error":
		return nil, errors.New(c.Message)
	case "panic":
		panic("echofn: " + c.Message)
	case "exit":
		os.Exit(3)
	case "sleep":
		if c.Touch != "" { // tells a test the invocation has started
			_ = os.WriteFile(c.Touch, nil, 0o644)
		}
		// Deliberately deaf to the deadline: this is how a timeout is tested.
		time.Sleep(time.Duration(c.MS) * time.Millisecond)
		return map[string]any{"slept": c.MS}, nil
	case "whoami":
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		out := map[string]any{
			"pid":         os.Getpid(),
			"stream":      os.Getenv("AWS_LAMBDA_LOG_STREAM_NAME"),
			"version":     version,
			"function":    lambdacontext.FunctionName,
			"memory":      lambdacontext.MemoryLimitInMB,
			"endpoint":    os.Getenv("AWS_ENDPOINT_URL"),
			"region":      os.Getenv("AWS_REGION"),
			"home":        os.Getenv("HOME"),
			"env":         os.Environ(),
			"remainingMs": time.Until(deadline).Milliseconds(),
		}
		if lc != nil {
			out["requestId"] = lc.AwsRequestID
			out["functionArn"] = lc.InvokedFunctionArn
			out["clientContext"] = lc.ClientContext.Custom
		}
		return out, nil
	case "log":
		for i := 0; i < c.Lines; i++ {
			fmt.Printf("line %d of %d\n", i+1, c.Lines)
		}
		return map[string]any{"lines": c.Lines}, nil
	case "big":
		return strings.Repeat("x", c.Bytes), nil
	}
	return event, nil
}

func main() {
	lambda.Start(handle)
}
