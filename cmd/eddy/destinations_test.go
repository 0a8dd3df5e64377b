package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// MustRecorder creates an echo function that writes every event it receives
// into a directory, and returns the function's ARN and the directory.
func MustRecorder(t *testing.T, c *lambda.Client, name string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	out := MustCreate(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code:        &types.FunctionCode{ZipFile: MustEchoZip(t, "1")},
		Environment: &types.Environment{Variables: map[string]string{"ECHOFN_RECORD_DIR": dir}},
	})
	return aws.ToString(out.FunctionArn), dir
}

// waitRecords waits until dir holds n events and returns them.
func waitRecords(t *testing.T, dir string, n int, timeout time.Duration) []map[string]any {
	t.Helper()
	var records []map[string]any
	waitFor(t, timeout, "destination records", func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		if len(files) < n {
			return false
		}
		records = records[:0]
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return false
			}
			var m map[string]any
			if json.Unmarshal(data, &m) != nil {
				return false
			}
			records = append(records, m)
		}
		return true
	})
	return records
}

func putEventConfig(t *testing.T, c *lambda.Client, name string, retries, age int32, onSuccess, onFailure string) {
	t.Helper()
	in := &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String(name),
		MaximumRetryAttempts: aws.Int32(retries), DestinationConfig: &types.DestinationConfig{}}
	if age > 0 {
		in.MaximumEventAgeInSeconds = aws.Int32(age)
	}
	if onSuccess != "" {
		in.DestinationConfig.OnSuccess = &types.OnSuccess{Destination: aws.String(onSuccess)}
	}
	if onFailure != "" {
		in.DestinationConfig.OnFailure = &types.OnFailure{Destination: aws.String(onFailure)}
	}
	if _, err := c.PutFunctionEventInvokeConfig(context.Background(), in); err != nil {
		t.Fatalf("put event invoke config: %v", err)
	}
}

// checkRecord checks a destination record's shape as Lambda documents it.
func checkRecord(t *testing.T, r map[string]any, condition string, invokes float64, requestID string) {
	t.Helper()
	if r["version"] != "1.0" {
		t.Errorf("record version: got %v, want 1.0", r["version"])
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", r["timestamp"].(string)); err != nil {
		t.Errorf("record timestamp %v: %v", r["timestamp"], err)
	}
	rc, _ := r["requestContext"].(map[string]any)
	if rc["condition"] != condition || rc["approximateInvokeCount"] != invokes || rc["requestId"] != requestID {
		t.Errorf("requestContext: got %v, want condition %s, %v invokes, request %s", rc, condition, invokes, requestID)
	}
	if arn, _ := rc["functionArn"].(string); !strings.HasPrefix(arn, "arn:aws:lambda:us-east-1:000000000000:function:") || !strings.HasSuffix(arn, ":$LATEST") {
		t.Errorf("requestContext.functionArn: got %v", rc["functionArn"])
	}
	if _, ok := r["requestPayload"].(map[string]any); !ok {
		t.Errorf("requestPayload: got %v, want the event", r["requestPayload"])
	}
}

func TestAsyncDestinationsAndRetries(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		m := MustStartMain(t, Config{AsyncRetryDelay: 100 * time.Millisecond})
		testDestinationsAndRetries(t, MustLambda(t, m), MustLambda(t, m))
	})
	t.Run("two nodes on one NATS", func(t *testing.T) {
		url := MustNATS(t)
		a := MustStartMain(t, Config{NATSURL: url, AsyncRetryDelay: 100 * time.Millisecond})
		b := MustStartMain(t, Config{NATSURL: url, AsyncRetryDelay: 100 * time.Millisecond})
		testDestinationsAndRetries(t, MustLambda(t, a), MustLambda(t, b))
	})
}

// testDestinationsAndRetries configures through c and sends events through
// events (the same node, or another sharing the engine).
func testDestinationsAndRetries(t *testing.T, c, events *lambda.Client) {
	okARN, okDir := MustRecorder(t, c, "on-success")
	failARN, failDir := MustRecorder(t, c, "on-failure")
	MustCreateEcho(t, c, "worker", 5)
	attempts := filepath.Join(t.TempDir(), "attempts")

	t.Run("success", func(t *testing.T) {
		putEventConfig(t, c, "worker", 2, 0, okARN, failARN)
		id, err := invokeEvent(context.Background(), events, "worker", `{"hello":"destination"}`)
		if err != nil {
			t.Fatal(err)
		}
		rs := waitRecords(t, okDir, 1, 20*time.Second)
		r := rs[0]
		checkRecord(t, r, "Success", 1, id)
		resp, _ := r["responseContext"].(map[string]any)
		if resp["statusCode"] != float64(200) || resp["executedVersion"] != "$LATEST" || resp["functionError"] != nil {
			t.Errorf("responseContext: got %v", resp)
		}
		if p, _ := r["responsePayload"].(map[string]any); p["hello"] != "destination" {
			t.Errorf("responsePayload: got %v", r["responsePayload"])
		}
	})

	t.Run("error then success on retry", func(t *testing.T) {
		clear(t, okDir)
		id, err := invokeEvent(context.Background(), events, "worker", `{"action":"fail-until","path":"`+attempts+`","n":2}`)
		if err != nil {
			t.Fatal(err)
		}
		r := waitRecords(t, okDir, 1, 20*time.Second)[0]
		checkRecord(t, r, "Success", 2, id)
		if got := lines(attempts); len(got) != 2 || got[0] != id || got[1] != id {
			t.Errorf("attempts: got %v, want the request %s twice", got, id)
		}
	})

	t.Run("retries exhausted", func(t *testing.T) {
		id, err := invokeEvent(context.Background(), events, "worker", `{"action":"error","message":"always"}`)
		if err != nil {
			t.Fatal(err)
		}
		r := waitRecords(t, failDir, 1, 20*time.Second)[0]
		checkRecord(t, r, "RetriesExhausted", 3, id)
		resp, _ := r["responseContext"].(map[string]any)
		if resp["statusCode"] != float64(200) || resp["functionError"] != "Unhandled" {
			t.Errorf("responseContext: got %v", resp)
		}
		if p, _ := r["responsePayload"].(map[string]any); p["errorMessage"] != "always" {
			t.Errorf("responsePayload: got %v", r["responsePayload"])
		}
	})

	t.Run("no retries", func(t *testing.T) {
		clear(t, failDir)
		putEventConfig(t, c, "worker", 0, 0, okARN, failARN)
		id, err := invokeEvent(context.Background(), events, "worker", `{"action":"error","message":"once"}`)
		if err != nil {
			t.Fatal(err)
		}
		checkRecord(t, waitRecords(t, failDir, 1, 20*time.Second)[0], "RetriesExhausted", 1, id)
	})
}

func clear(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAsyncEventAgeExceeded keeps an event throttled (reserved concurrency
// 0) past its maximum age of 60 s, Lambda's minimum: it must go to the
// failure destination as EventAgeExceeded, never having run.
func TestAsyncEventAgeExceeded(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a minute")
	}
	t.Parallel()
	m := MustStartMain(t, Config{AsyncRetryDelay: 200 * time.Millisecond})
	c := MustLambda(t, m)
	failARN, failDir := MustRecorder(t, c, "too-old")
	MustCreateEcho(t, c, "throttled", 3)
	putEventConfig(t, c, "throttled", 2, 60, "", failARN)
	if _, err := c.PutFunctionConcurrency(context.Background(), &lambda.PutFunctionConcurrencyInput{
		FunctionName: aws.String("throttled"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	ran := filepath.Join(t.TempDir(), "ran")
	id, err := invokeEvent(context.Background(), c, "throttled", `{"action":"append","path":"`+ran+`"}`)
	if err != nil {
		t.Fatal(err)
	}
	r := waitRecords(t, failDir, 1, 90*time.Second)[0]
	checkRecord(t, r, "EventAgeExceeded", 0, id)
	if _, ok := r["responseContext"]; ok {
		t.Errorf("a never-run event's record has a responseContext: %v", r["responseContext"])
	}
	if got := lines(ran); len(got) != 0 {
		t.Errorf("the throttled function ran: %v", got)
	}
}

// The stream benchmark times stream records by the lines echofn appends to
// ECHOFN_STAMP_FILE: one per event, whatever the event, before its record.
func TestEchoFunctionStampsEveryEvent(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	dir := t.TempDir()
	stamps := filepath.Join(dir, "stamps")
	MustCreate(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("stamper"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{ZipFile: MustEchoZip(t, "1")},
		Environment: &types.Environment{Variables: map[string]string{
			"ECHOFN_RECORD_DIR": dir, "ECHOFN_STAMP_FILE": stamps,
		}},
	})
	before := time.Now()
	var ids []string
	for _, event := range []string{`{"Records":[{"eventSource":"aws:dynamodb"}]}`, `{"action":"whoami"}`} {
		res := MustInvoke(t, c, "stamper", event)
		if res.FunctionError != nil {
			t.Fatalf("got function error %s", res.Payload)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			// Records are named NANOSECONDS-REQUESTID.json.
			_, id, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".json"), "-")
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	data, err := os.ReadFile(stamps)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || len(ids) != 2 {
		t.Fatalf("got stamps %q and records %v, want two of each", data, ids)
	}
	for i, line := range lines {
		id, ns, _ := strings.Cut(line, " ")
		n, err := strconv.ParseInt(ns, 10, 64)
		if id != ids[i] || err != nil || time.Unix(0, n).Before(before) || time.Unix(0, n).After(time.Now()) {
			t.Errorf("got stamp %q, want %q and a time of this test", line, ids[i]+" NANOSECONDS")
		}
	}
}

// mustReceiveOne waits for a message in a queue and deletes it.
func mustReceiveOne(t *testing.T, q *sqs.Client, url string) sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	waitFor(t, 30*time.Second, "a message in "+url, func() bool {
		out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1,
			MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		got = out.Messages
		return len(got) > 0
	})
	if _, err := q.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: got[0].ReceiptHandle}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	return got[0]
}

// TestAsyncQueueDestinations sends the records of asynchronous invocations
// to queues, and a failed event to the function's dead-letter queue.
func TestAsyncQueueDestinations(t *testing.T) {
	m := MustStartMain(t, Config{AsyncRetryDelay: 100 * time.Millisecond})
	c, q := MustLambda(t, m), MustSQS(t, m.URL())
	okURL, okARN := MustQueueARN(t, q, "on-success", nil)
	failURL, failARN := MustQueueARN(t, q, "on-failure", nil)
	dlqURL, dlqARN := MustQueueARN(t, q, "dead-letters", nil)
	MustCreate(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("queued"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{ZipFile: MustEchoZip(t, "1")}, Timeout: aws.Int32(5),
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String(dlqARN)},
	})
	putEventConfig(t, c, "queued", 1, 0, okARN, failARN)
	decodeBody := func(msg sqstypes.Message) map[string]any {
		var r map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(msg.Body)), &r); err != nil {
			t.Fatalf("body %q: %v", aws.ToString(msg.Body), err)
		}
		return r
	}

	t.Run("success", func(t *testing.T) {
		id, err := invokeEvent(context.Background(), c, "queued", `{"hello":"queue"}`)
		if err != nil {
			t.Fatal(err)
		}
		r := decodeBody(mustReceiveOne(t, q, okURL))
		checkRecord(t, r, "Success", 1, id)
		if p, _ := r["responsePayload"].(map[string]any); p["hello"] != "queue" {
			t.Errorf("responsePayload: got %v", r["responsePayload"])
		}
	})

	t.Run("failure", func(t *testing.T) {
		const event = `{"action":"error","message":"always fails"}`
		id, err := invokeEvent(context.Background(), c, "queued", event)
		if err != nil {
			t.Fatal(err)
		}
		r := decodeBody(mustReceiveOne(t, q, failURL))
		checkRecord(t, r, "RetriesExhausted", 2, id)
		if resp, _ := r["responseContext"].(map[string]any); resp["functionError"] != "Unhandled" {
			t.Errorf("responseContext: got %v", resp)
		}
		// The dead-letter queue has the event as it was, and what went
		// wrong in the message attributes.
		dl := mustReceiveOne(t, q, dlqURL)
		if aws.ToString(dl.Body) != event {
			t.Errorf("dead letter: got body %q, want %q", aws.ToString(dl.Body), event)
		}
		a := dl.MessageAttributes
		if aws.ToString(a["RequestID"].StringValue) != id || aws.ToString(a["RequestID"].DataType) != "String" ||
			aws.ToString(a["ErrorCode"].StringValue) != "200" || aws.ToString(a["ErrorCode"].DataType) != "Number" ||
			aws.ToString(a["ErrorMessage"].StringValue) != "always fails" || aws.ToString(a["ErrorMessage"].DataType) != "String" {
			t.Errorf("dead letter attributes: got %+v", a)
		}
	})
}

// TestStreamFailureToQueue sends a stream mapping's failure record to a
// queue.
func TestStreamFailureToQueue(t *testing.T) {
	m := MustStartMain(t, Config{MappingRetryDelay: 20 * time.Millisecond})
	c, db, q := MustLambda(t, m), MustDynamo(t, m), MustSQS(t, m.URL())
	stream := MustHashStreamTable(t, db, "failing")
	url, arn := MustQueueARN(t, q, "stream-failures", nil)
	MustRecorder(t, c, "failing-fn")
	MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("failing-fn"), EventSourceArn: aws.String(stream),
		MaximumRetryAttempts: aws.Int32(0), DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(arn)}}})
	MustPut(t, db, "failing", map[string]string{"pk": "poison", "echofn": "error"})
	var rec map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(mustReceiveOne(t, q, url).Body)), &rec); err != nil {
		t.Fatal(err)
	}
	rc, _ := rec["requestContext"].(map[string]any)
	info, _ := rec["DDBStreamBatchInfo"].(map[string]any)
	if rc["condition"] != "RetryAttemptsExhausted" || rc["approximateInvokeCount"] != 1.0 || info["streamArn"] != stream || info["batchSize"] != 1.0 {
		t.Errorf("failure record: got %v", rec)
	}
}
