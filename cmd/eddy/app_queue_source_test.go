package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	qtypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/eddyserverless/eddy/apps/queue-event-source/poller"
)

// queueProcessor is a processor for the queue-event-source application:
// it records each request in RECORD_DIR and answers SUCCESS, RETRY (after
// 1 s) or ERROR for each message, as the start of its body says.
const queueProcessor = `
import json, os, time

def handler(event, context):
    if not event["messages"]:
        return {"messageResults": []}
    path = os.path.join(os.environ["RECORD_DIR"], "%019d-%s.json" % (time.time_ns(), context.aws_request_id))
    with open(path, "w") as f:
        json.dump(event, f)
    results = []
    for m in event["messages"]:
        body = m["body"]
        if body.startswith("success"):
            results.append({"messageId": m["messageId"], "status": "SUCCESS"})
        elif body.startswith("retry"):
            results.append({"messageId": m["messageId"], "status": "RETRY", "retryDelayInSeconds": 1})
        elif body.startswith("error"):
            results.append({"messageId": m["messageId"], "status": "ERROR"})
    return {"messageResults": results}
`

// TestQueueEventSource deploys the queue-event-source application from
// source against a queue and a processor, runs its poller as its schedule
// would and checks what became of each message.
func TestQueueEventSource(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	lc, q := MustLambda(t, m), MustSQS(t, m.URL())

	// The visibility timeout leaves an ERROR message invisible well after a
	// RETRY message's 1 s delay has passed.
	const visibility = 5 * time.Second
	queueURL := mustQueue(t, q, "qes-jobs", map[string]string{"VisibilityTimeout": strconv.Itoa(int(visibility.Seconds()))})
	dir := t.TempDir()
	MustCreate(t, lc, &lambda.CreateFunctionInput{
		FunctionName: aws.String("qes-processor"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Code:        &types.FunctionCode{ZipFile: MustZip(t, map[string]zipEntry{"app.py": {data: []byte(queueProcessor)}})},
		Timeout:     aws.Int32(10),
		Environment: &types.Environment{Variables: map[string]string{"RECORD_DIR": dir}},
	})

	// The schedule is a day, so that only the test runs the poller.
	deployStart := time.Now()
	out, _, err := runCLI(t, m, deployCommand(), "-t", "../../apps/queue-event-source/template.yaml", "--stack-name", "qes",
		"--param", "QueueName=qes-jobs", "--param", "ProcessorFunctionName=qes-processor", "--param", "PollingSchedule=rate(1 day)")
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	t.Logf("deployed in %v", time.Since(deployStart))
	mustContain(t, out, "Stack qes: CREATE_COMPLETE")
	mustContain(t, out, "AWS::Events::Rule")
	pollerName := outputValue(t, out, "PollerFunctionName")
	if arn := outputValue(t, out, "PollerFunctionArn"); !strings.HasSuffix(arn, ":function:"+pollerName) {
		t.Fatalf("PollerFunctionArn %q does not name %q", arn, pollerName)
	}
	// The schedule is a rule that targets the poller.
	eb := MustEventBridge(t, m)
	rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	scheduled := false
	for _, r := range rules.Rules {
		if aws.ToString(r.ScheduleExpression) != "rate(1 day)" {
			continue
		}
		targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: r.Name})
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range targets.Targets {
			scheduled = scheduled || strings.HasSuffix(aws.ToString(tg.Arn), ":function:"+pollerName)
		}
	}
	if !scheduled {
		t.Fatalf("got rules %+v, want one on rate(1 day) that targets the poller", rules.Rules)
	}

	fn, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(pollerName)})
	if err != nil {
		t.Fatal(err)
	}
	if env := fn.Configuration.Environment.Variables; env["QUEUE_NAME"] != "qes-jobs" || env["PROCESSOR_FUNCTION_NAME"] != "qes-processor" {
		t.Fatalf("got the poller's environment %v, want the queue and the processor", env)
	}

	// Both functions start before the messages are sent, so that their
	// first starts do not eat into the visibility timeout.
	if res := MustInvoke(t, lc, "qes-processor", `{"messages":[]}`); res.FunctionError != nil {
		t.Fatalf("processor failed: %s", res.Payload)
	}
	if res := MustInvoke(t, lc, pollerName, `{}`); res.FunctionError != nil || !strings.Contains(string(res.Payload), `"stopped":"empty"`) {
		t.Fatalf("poller on an empty queue: got %s", res.Payload)
	}

	bodies := []string{"success-1", "success-2", "retry-1", "error-1"}
	MustSend(t, q, queueURL, "", bodies...)
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("success-with-attributes"),
		MessageAttributes: map[string]qtypes.MessageAttributeValue{
			"color": {DataType: aws.String("String"), StringValue: aws.String("blue")},
			"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{0xff, 0x00}},
		}}); err != nil {
		t.Fatal(err)
	}
	bodies = append(bodies, "success-with-attributes")

	// Run the poller as the schedule would.
	start := time.Now()
	res := MustInvoke(t, lc, pollerName, `{"version":"0","id":"d3f1a6b2-0000-4000-8000-000000000000","detail-type":"Scheduled Event",
		"source":"aws.events","account":"000000000000","time":"2026-01-01T00:00:00Z","region":"us-east-1",
		"resources":["arn:aws:events:us-east-1:000000000000:rule/qes-Poll"],"detail":{}}`)
	if res.FunctionError != nil {
		t.Fatalf("poller failed: %s", res.Payload)
	}
	t.Logf("the poller ran for %v: %s", time.Since(start), res.Payload)
	var sum poller.Summary
	if err := json.Unmarshal(res.Payload, &sum); err != nil {
		t.Fatalf("poller answered %s: %v", res.Payload, err)
	}
	if sum.Received != 5 || sum.Deleted != 3 || sum.Retried != 1 || sum.Left != 1 ||
		(sum.Stopped != poller.StoppedEmpty && sum.Stopped != poller.StoppedRedelivered) {
		t.Fatalf("got summary %+v, want 5 received, 3 deleted, 1 retried, 1 left", sum)
	}

	// The RETRY message is visible again after its 1 s delay, before the
	// ERROR message's visibility timeout has passed; the SUCCESS messages
	// are gone. peek receives what is visible and makes it visible again.
	peek := func() []string {
		ms := mustReceive(t, q, queueURL, 10, 0, 0)
		var bodies []string
		var entries []qtypes.ChangeMessageVisibilityBatchRequestEntry
		for i, msg := range ms {
			bodies = append(bodies, aws.ToString(msg.Body))
			entries = append(entries, qtypes.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: msg.ReceiptHandle})
		}
		if len(entries) > 0 {
			if _, err := q.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(queueURL), Entries: entries}); err != nil {
				t.Fatal(err)
			}
		}
		for _, b := range bodies {
			if strings.HasPrefix(b, "success") {
				t.Fatalf("got %s back in the queue, want it deleted", b)
			}
		}
		return bodies
	}
	waitFor(t, 10*time.Second, "the RETRY message to be visible again", func() bool {
		b := peek()
		if slices.Contains(b, "error-1") && !slices.Contains(b, "retry-1") {
			t.Fatalf("the ERROR message was visible again before the RETRY one (after %v)", time.Since(start))
		}
		return slices.Contains(b, "retry-1")
	})
	t.Logf("the RETRY message was visible again %v after the poller started", time.Since(start))
	waitFor(t, 2*visibility, "the ERROR message to be visible again", func() bool {
		return slices.Contains(peek(), "error-1")
	})
	if took := time.Since(start); took < visibility-100*time.Millisecond {
		t.Fatalf("the ERROR message was visible again after %v, want it hidden for the %v visibility timeout", took, visibility)
	}
	a := queueAttrs(t, q, queueURL)
	if a["ApproximateNumberOfMessages"] != "2" || a["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("got %s visible and %s hidden messages, want only the RETRY and the ERROR one, visible",
			a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"])
	}

	// The processor was handed every message once, in the documented shape.
	reqs := processorRequests(t, dir)
	var seen []string
	for _, r := range reqs {
		for _, msg := range r.Messages {
			seen = append(seen, msg.Body)
			digest := md5.Sum([]byte(msg.Body))
			if msg.MessageID == "" || msg.ReceiptHandle == "" || msg.MD5OfBody != hex.EncodeToString(digest[:]) {
				t.Errorf("message %s: got id %q, receipt handle %q, md5 %q", msg.Body, msg.MessageID, msg.ReceiptHandle, msg.MD5OfBody)
			}
			if msg.Attributes["ApproximateReceiveCount"] != "1" || msg.Attributes["SentTimestamp"] == "" {
				t.Errorf("message %s: got attributes %v, want SQS's system attributes", msg.Body, msg.Attributes)
			}
			if msg.Body == "success-with-attributes" {
				color, blob := msg.MessageAttributes["color"], msg.MessageAttributes["blob"]
				if aws.ToString(color.StringValue) != "blue" || color.DataType != "String" || blob.DataType != "Binary" || string(blob.BinaryValue) != "\xff\x00" {
					t.Errorf("got message attributes %+v, want color and blob", msg.MessageAttributes)
				}
			} else if len(msg.MessageAttributes) != 0 {
				t.Errorf("message %s: got message attributes %+v, want none", msg.Body, msg.MessageAttributes)
			}
		}
	}
	sort.Strings(seen)
	want := slices.Clone(bodies)
	sort.Strings(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("the processor saw %v, want each of %v once", seen, want)
	}
}

// processorRequests reads the requests queueProcessor recorded in dir.
func processorRequests(t *testing.T, dir string) []poller.Request {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var out []poller.Request
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The raw JSON must use the contract's field names.
		for _, key := range []string{`"messages"`, `"messageId"`, `"receiptHandle"`, `"md5OfBody"`, `"body"`, `"attributes"`, `"messageAttributes"`} {
			if !strings.Contains(string(data), key) {
				t.Fatalf("request %s has no %s", data, key)
			}
		}
		var r poller.Request
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("request %s: %v", data, err)
		}
		out = append(out, r)
	}
	return out
}

// TestQueueEventSourcePublished publishes the application to eddy's
// repository and deploys it from there, as its README says.
func TestQueueEventSourcePublished(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	q := MustSQS(t, m.URL())
	mustQueue(t, q, "qes-published", nil)
	MustCreateEcho(t, MustLambda(t, m), "qes-echo", 5)

	out, _, err := runCLI(t, m, appsCommand(), "publish", "-t", "../../apps/queue-event-source/template.yaml")
	if err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	mustContain(t, out, "Published queue-event-source version 1.0.0")
	out, _, err = runCLI(t, m, appsCommand(), "show", "queue-event-source")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"MIT", "QueueName", "ProcessorFunctionName", "PollingSchedule", "rate(1 minute)"} {
		mustContain(t, out, want)
	}

	out, _, err = runCLI(t, m, appsCommand(), "deploy", "queue-event-source", "--stack-name", "orders",
		"--param", "QueueName=qes-published", "--param", "ProcessorFunctionName=qes-echo")
	if err != nil {
		t.Fatalf("apps deploy: %v\n%s", err, out)
	}
	mustContain(t, out, "Stack serverlessrepo-orders: CREATE_COMPLETE")
	st, err := MustCloudFormation(t, m).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("serverlessrepo-orders")})
	if err != nil || len(st.Stacks) != 1 {
		t.Fatalf("describe the stack: %v", err)
	}
	var name string
	for _, o := range st.Stacks[0].Outputs {
		if aws.ToString(o.OutputKey) == "PollerFunctionName" {
			name = aws.ToString(o.OutputValue)
		}
	}
	if name == "" {
		t.Fatalf("got outputs %+v, want PollerFunctionName", st.Stacks[0].Outputs)
	}
	res := MustInvoke(t, MustLambda(t, m), name, `{}`)
	if res.FunctionError != nil || !strings.Contains(string(res.Payload), `"stopped":"empty"`) {
		t.Fatalf("the deployed poller on an empty queue: got %s", res.Payload)
	}
}
