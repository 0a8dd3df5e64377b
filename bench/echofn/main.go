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
//	{"action":"append","path":P}       append the request id and a newline to file P
//	{"action":"stamp","path":P}        append "REQUEST-ID UNIX-NANOSECONDS" (its start) to file P
//	{"action":"fail-until","path":P,"n":N}  append the request id to P; fail while P has fewer than N lines
//
// A DynamoDB stream event ({"Records":[…]}) is answered with a partial
// batch response ({"batchItemFailures":[…]}); a record asks for a failure
// with attributes of its NewImage:
//
//	"echofn": {"S":"error"}      the whole batch fails (a function error)
//	"echofn": {"S":"fail-item"}  the record is reported as failed
//
// With "path": {"S":P} and "times": {"N":N} as well, the record appends a
// line to P each time it is delivered, and fails only while P had fewer
// than N lines.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// With ECHOFN_STAMP_FILE set in its environment, the function first appends
// "REQUEST-ID UNIX-NANOSECONDS" (its start) to that file for every event,
// whatever the event is: this is how the stream benchmark times the records
// of a DynamoDB stream, which carry no action.
//
// With ECHOFN_RECORD_DIR set, the function then writes every event it
// receives to that directory, in a file named after the time it started
// (Unix nanoseconds, zero-padded, so that names sort in start order) and
// the request id (destination and trigger tests read them there).
//
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
	Path    string `json:"path"`
	N       int    `json:"n"`
}

func handle(ctx context.Context, event json.RawMessage) (any, error) {
	if path := os.Getenv("ECHOFN_STAMP_FILE"); path != "" {
		if err := stamp(ctx, path, time.Now()); err != nil {
			return nil, err
		}
	}
	if dir := os.Getenv("ECHOFN_RECORD_DIR"); dir != "" {
		lc, _ := lambdacontext.FromContext(ctx)
		name := "event"
		if lc != nil {
			name = lc.AwsRequestID
		}
		name = fmt.Sprintf("%019d-%s", time.Now().UnixNano(), name)
		if err := os.WriteFile(filepath.Join(dir, name+".json"), event, 0o644); err != nil {
			return nil, err
		}
	}
	var stream streamEvent
	if json.Unmarshal(event, &stream) == nil && len(stream.Records) > 0 {
		return stream.answer()
	}
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
	case "stamp":
		return nil, stamp(ctx, c.Path, time.Now())
	case "append", "fail-until":
		lc, _ := lambdacontext.FromContext(ctx)
		f, err := os.OpenFile(c.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		_, err = fmt.Fprintln(f, lc.AwsRequestID)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		if c.Action == "fail-until" {
			data, _ := os.ReadFile(c.Path)
			if n := strings.Count(string(data), "\n"); n < c.N {
				return nil, fmt.Errorf("attempt %d of %d fails", n, c.N)
			}
		}
		return map[string]any{"appended": lc.AwsRequestID}, nil
	case "big":
		return strings.Repeat("x", c.Bytes), nil
	}
	return event, nil
}

// stamp appends "REQUEST-ID UNIX-NANOSECONDS" to the file at path, in one
// write.
func stamp(ctx context.Context, path string, at time.Time) error {
	id := "unknown"
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		id = lc.AwsRequestID
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s %d\n", id, at.UnixNano())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// streamEvent is the part of a DynamoDB stream event the function reads.
type streamEvent struct {
	Records []struct {
		Dynamodb struct {
			SequenceNumber string
			NewImage       map[string]map[string]any
		} `json:"dynamodb"`
	}
}

// answer reports the records that ask to fail, or fails the batch.
func (e *streamEvent) answer() (any, error) {
	failures := []map[string]string{}
	for _, r := range e.Records {
		img := r.Dynamodb.NewImage
		what, _ := img["echofn"]["S"].(string)
		if what != "error" && what != "fail-item" {
			continue
		}
		if path, _ := img["path"]["S"].(string); path != "" {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return nil, err
			}
			data, _ := os.ReadFile(path)
			_, err = fmt.Fprintln(f, r.Dynamodb.SequenceNumber)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, err
			}
			times, _ := img["times"]["N"].(string)
			n, _ := strconv.Atoi(times)
			if strings.Count(string(data), "\n") >= n {
				continue
			}
		}
		if what == "error" {
			return nil, fmt.Errorf("record %s fails the batch", r.Dynamodb.SequenceNumber)
		}
		failures = append(failures, map[string]string{"itemIdentifier": r.Dynamodb.SequenceNumber})
	}
	return map[string]any{"batchItemFailures": failures}, nil
}

func main() {
	lambda.Start(handle)
}
