// Command sqsfn is an aws-lambda-go function for eddy's queue trigger
// tests. It takes Lambda's SQS event as events.SQSEvent, records it, and
// answers with a partial batch response, as the bodies of the messages
// ask.
//
// With SQSFN_DIR set, it writes every event it receives to that directory,
// in a file named after the time it started (Unix nanoseconds, zero-padded,
// so that names sort in start order) and the request id, and appends
// "START END" (Unix nanoseconds) to SQSFN_DIR/spans when it is done.
//
// A message whose body is a JSON object may ask for:
//
//	{"sleep_ms": N}              sleep N milliseconds
//	{"fail": "error"}            fail the whole batch (a function error)
//	{"fail": "item"}             report the message as failed
//	{"fail": "bad-id"}           report an item identifier that is no message of the batch
//	{"fail": "no-id"}            report an item without an identifier
//
// With "times": N as well, the message fails only while its
// ApproximateReceiveCount is at most N.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type command struct {
	SleepMS int    `json:"sleep_ms"`
	Fail    string `json:"fail"`
	Times   int    `json:"times"`
}

func handle(ctx context.Context, raw json.RawMessage) (map[string]any, error) {
	start := time.Now()
	dir := os.Getenv("SQSFN_DIR")
	if dir != "" {
		id := "event"
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			id = lc.AwsRequestID
		}
		name := fmt.Sprintf("%019d-%s.json", start.UnixNano(), id)
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			return nil, err
		}
		defer func() {
			f, err := os.OpenFile(filepath.Join(dir, "spans"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err == nil {
				fmt.Fprintf(f, "%d %d\n", start.UnixNano(), time.Now().UnixNano())
				f.Close()
			}
		}()
	}
	var event events.SQSEvent
	if err := json.Unmarshal(raw, &event); err != nil {
		return nil, err
	}
	failures := []map[string]any{}
	for _, r := range event.Records {
		var c command
		if json.Unmarshal([]byte(r.Body), &c) != nil {
			continue
		}
		time.Sleep(time.Duration(c.SleepMS) * time.Millisecond)
		if n, _ := strconv.Atoi(r.Attributes["ApproximateReceiveCount"]); c.Times > 0 && n > c.Times {
			continue
		}
		switch c.Fail {
		case "error":
			return nil, fmt.Errorf("message %s fails the batch", r.MessageId)
		case "item":
			failures = append(failures, map[string]any{"itemIdentifier": r.MessageId})
		case "bad-id":
			failures = append(failures, map[string]any{"itemIdentifier": "no-such-message"})
		case "no-id":
			failures = append(failures, map[string]any{"foo": "notvalid"})
		}
	}
	return map[string]any{"batchItemFailures": failures}, nil
}

func main() {
	lambda.Start(handle)
}
