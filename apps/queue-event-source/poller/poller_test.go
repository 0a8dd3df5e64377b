package poller_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/eddyserverless/eddy/apps/queue-event-source/poller"
)

func TestBatchesUntilEmpty(t *testing.T) {
	all := msgs("m", 23)
	q := &fakeQueue{batches: [][]sqstypes.Message{all[:10], all[10:20], all[20:]}}
	l := &fakeLambda{answer: answerAll(poller.StatusSuccess)}
	p, logs := testPoller(q, l)

	sum := mustRun(t, p)
	want := poller.Summary{Batches: 3, Received: 23, Deleted: 23, Stopped: poller.StoppedEmpty}
	if sum != want {
		t.Fatalf("got %+v, want %+v", sum, want)
	}
	var sizes []int
	for _, r := range l.requests {
		sizes = append(sizes, len(r.Messages))
	}
	if !slices.Equal(sizes, []int{10, 10, 3}) {
		t.Fatalf("got batches of %v, want 10, 10, 3", sizes)
	}
	if len(q.deleted) != 23 || q.deleteCalls != 3 {
		t.Fatalf("got %d messages deleted in %d calls, want 23 in 3", len(q.deleted), q.deleteCalls)
	}
	if len(q.receives) != 4 {
		t.Fatalf("got %d receives, want 4 (the last one empty)", len(q.receives))
	}
	r := q.receives[0]
	if aws.ToString(r.QueueUrl) != testQueueURL || r.MaxNumberOfMessages != 10 || r.WaitTimeSeconds != 1 ||
		!reflect.DeepEqual(r.MessageSystemAttributeNames, []sqstypes.MessageSystemAttributeName{"All"}) ||
		!slices.Equal(r.MessageAttributeNames, []string{"All"}) {
		t.Fatalf("got receive %+v, want 10 messages of %s, a 1 s wait and all attributes", r, testQueueURL)
	}
	in := l.inputs[0]
	if aws.ToString(in.FunctionName) != "proc" || in.InvocationType != lambdatypes.InvocationTypeRequestResponse {
		t.Fatalf("got invoke of %s (%s), want proc, RequestResponse", aws.ToString(in.FunctionName), in.InvocationType)
	}
	for _, line := range []string{"batch 1: 10 messages: 10 deleted, 0 retried, 0 left", "batch 3: 3 messages: 3 deleted",
		"run done: 3 batches, 23 messages: 23 deleted, 0 retried, 0 left; stopped: empty"} {
		if !strings.Contains(logs.String(), line) {
			t.Errorf("got log\n%s\nwant a line with %q", logs, line)
		}
	}
}

func TestEmptyQueue(t *testing.T) {
	q := &fakeQueue{}
	l := &fakeLambda{answer: answerAll(poller.StatusSuccess)}
	p, _ := testPoller(q, l)
	if sum := mustRun(t, p); sum != (poller.Summary{Stopped: poller.StoppedEmpty}) {
		t.Fatalf("got %+v, want an empty run", sum)
	}
	if len(l.requests) != 0 {
		t.Fatalf("got %d invocations of the processor, want none", len(l.requests))
	}
}

func TestStopsNearDeadline(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	now := start
	q := &fakeQueue{
		endless:   func(n int) []sqstypes.Message { return msgs(string(rune('a'+n)), 10) },
		onReceive: func() { now = now.Add(20 * time.Second) },
	}
	l := &fakeLambda{answer: answerAll(poller.StatusSuccess)}
	p, logs := testPoller(q, l)
	p.Now = func() time.Time { return now }

	// 60 s to go: the margin is 12 s, so receives start at 60, 40 and 20 s
	// before the deadline, and not at 0.
	sum, err := p.Run(context.Background(), start.Add(60*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := poller.Summary{Batches: 3, Received: 30, Deleted: 30, Stopped: poller.StoppedDeadline}
	if sum != want {
		t.Fatalf("got %+v, want %+v", sum, want)
	}
	if !strings.Contains(logs.String(), "stopped: deadline") {
		t.Fatalf("got log\n%s\nwant the deadline stop logged", logs)
	}
}

func TestMargin(t *testing.T) {
	for _, tc := range []struct{ total, want time.Duration }{
		{60 * time.Second, 12 * time.Second},
		{900 * time.Second, 180 * time.Second},
		{20 * time.Second, 5 * time.Second},
		{8 * time.Second, 4 * time.Second},
		{3 * time.Second, 1500 * time.Millisecond},
		{0, 0},
	} {
		if got := poller.Margin(tc.total); got != tc.want {
			t.Errorf("Margin(%v): got %v, want %v", tc.total, got, tc.want)
		}
	}
}

func TestVerdicts(t *testing.T) {
	ids := []string{"ok", "retry1", "retryDefault", "retryHuge", "retryNegative", "retryFraction", "failed", "unmentioned", "odd"}
	var batch []sqstypes.Message
	for _, id := range ids {
		batch = append(batch, msg(id, id))
	}
	q := &fakeQueue{batches: [][]sqstypes.Message{batch}}
	l := &fakeLambda{answer: func(poller.Request) (*lambda.InvokeOutput, error) {
		return &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`{"messageResults":[
			{"messageId":"ok","status":"SUCCESS"},
			{"messageId":"retry1","status":"RETRY","retryDelayInSeconds":1},
			{"messageId":"retryDefault","status":"RETRY"},
			{"messageId":"retryHuge","status":"RETRY","retryDelayInSeconds":1e12},
			{"messageId":"retryNegative","status":"RETRY","retryDelayInSeconds":-5},
			{"messageId":"retryFraction","status":"RETRY","retryDelayInSeconds":2.9},
			{"messageId":"failed","status":"ERROR"},
			{"messageId":"odd","status":"success"},
			{"messageId":"ok","status":"ERROR"},
			{"messageId":"stranger","status":"SUCCESS"}]}`)}, nil
	}}
	p, logs := testPoller(q, l)

	sum := mustRun(t, p)
	want := poller.Summary{Batches: 1, Received: 9, Deleted: 1, Retried: 5, Left: 3, Stopped: poller.StoppedEmpty}
	if sum != want {
		t.Fatalf("got %+v, want %+v", sum, want)
	}
	if !slices.Equal(q.deleted, []string{"rh-ok"}) {
		t.Fatalf("got deleted %v, want only rh-ok (the first result for a message counts; strangers are ignored)", q.deleted)
	}
	wantVis := map[string]int32{"rh-retry1": 1, "rh-retryDefault": poller.DefaultRetryDelay, "rh-retryHuge": poller.MaxRetryDelay,
		"rh-retryNegative": 0, "rh-retryFraction": 2}
	if !reflect.DeepEqual(q.visibility, wantVis) {
		t.Fatalf("got visibility changes %v, want %v", q.visibility, wantVis)
	}
	for _, s := range []string{"failed (ERROR)", "unmentioned (not in the answer)", `odd (unknown status "success")`} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("got log\n%s\nwant %q", logs, s)
		}
	}
}

func TestProcessorFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		out    *lambda.InvokeOutput
		err    error
		logged string
	}{
		{"function error", &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Unhandled"),
			Payload: []byte(`{"errorMessage":"boom","errorType":"ValueError"}`)}, nil, `processor proc failed (Unhandled): {"errorMessage":"boom"`},
		{"invoke fails", nil, errors.New("ResourceNotFoundException: Function not found: proc"), "invoke processor proc: ResourceNotFoundException"},
		{"garbled answer", &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`{"messageResults":[{"messageId":`)}, nil, "not a messageResults object"},
		{"answer of the wrong shape", &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`["SUCCESS"]`)}, nil, "not a messageResults object"},
		{"wrong delay type", &lambda.InvokeOutput{StatusCode: 200,
			Payload: []byte(`{"messageResults":[{"messageId":"m0","status":"RETRY","retryDelayInSeconds":"5"}]}`)}, nil, "not a messageResults object"},
		{"no answer", &lambda.InvokeOutput{StatusCode: 200}, nil, "the processor answered nothing"},
		{"null answer", &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`null`)}, nil, "m0 (not in the answer)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakeQueue{batches: [][]sqstypes.Message{msgs("m", 3)}}
			l := &fakeLambda{answer: func(poller.Request) (*lambda.InvokeOutput, error) { return tc.out, tc.err }}
			p, logs := testPoller(q, l)
			sum := mustRun(t, p)
			want := poller.Summary{Batches: 1, Received: 3, Left: 3, Stopped: poller.StoppedEmpty}
			if sum != want {
				t.Fatalf("got %+v, want %+v", sum, want)
			}
			if len(q.deleted) != 0 || q.visChanges != 0 {
				t.Fatalf("got %d deletes and %d visibility changes, want the messages left alone", len(q.deleted), q.visChanges)
			}
			if !strings.Contains(logs.String(), tc.logged) {
				t.Fatalf("got log\n%s\nwant %q", logs, tc.logged)
			}
		})
	}
}

func TestMessageMapping(t *testing.T) {
	m := msg("id-1", `{"order":42}`)
	m.Attributes = map[string]string{"SentTimestamp": "1700000000000", "ApproximateReceiveCount": "1"}
	m.MessageAttributes = map[string]sqstypes.MessageAttributeValue{
		"color":   {DataType: aws.String("String"), StringValue: aws.String("blue")},
		"size":    {DataType: aws.String("Number.int"), StringValue: aws.String("7")},
		"picture": {DataType: aws.String("Binary"), BinaryValue: []byte{0xff, 0x00, 'x'}},
	}
	bare := msg("id-2", "")
	q := &fakeQueue{batches: [][]sqstypes.Message{{m, bare}}}
	l := &fakeLambda{answer: answerAll(poller.StatusSuccess)}
	p, _ := testPoller(q, l)
	mustRun(t, p)

	want := `{"messages":[
		{"messageId":"id-1","receiptHandle":"rh-id-1","md5OfBody":"md5-id-1","body":"{\"order\":42}",
		 "attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1700000000000"},
		 "messageAttributes":{
			"color":{"stringValue":"blue","dataType":"String"},
			"picture":{"binaryValue":"/wB4","dataType":"Binary"},
			"size":{"stringValue":"7","dataType":"Number.int"}}},
		{"messageId":"id-2","receiptHandle":"rh-id-2","md5OfBody":"md5-id-2","body":"","attributes":{},"messageAttributes":{}}]}`
	var got, exp any
	if err := json.Unmarshal(l.raw[0], &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("got payload %s, want %s", l.raw[0], want)
	}
}

func TestRedeliveredMessageEndsTheRun(t *testing.T) {
	a, b, c := msg("a", "a"), msg("b", "b"), msg("c", "c")
	again := msg("a", "a")
	again.ReceiptHandle = aws.String("rh-a-2")
	q := &fakeQueue{batches: [][]sqstypes.Message{{a, b}, {again, c}, {msg("d", "d")}}}
	l := &fakeLambda{answer: answerJSON(poller.Response{MessageResults: []poller.MessageResult{
		{MessageID: "a", Status: poller.StatusRetry, RetryDelayInSeconds: aws.Float64(0)},
		{MessageID: "b", Status: poller.StatusSuccess},
		{MessageID: "c", Status: poller.StatusSuccess},
	}})}
	p, logs := testPoller(q, l)

	sum := mustRun(t, p)
	want := poller.Summary{Batches: 2, Received: 3, Deleted: 2, Retried: 1, Stopped: poller.StoppedRedelivered}
	if sum != want {
		t.Fatalf("got %+v, want %+v", sum, want)
	}
	if len(l.requests) != 2 || len(l.requests[1].Messages) != 1 || l.requests[1].Messages[0].MessageID != "c" {
		t.Fatalf("got requests %+v, want the second to hold only c", l.requests)
	}
	if v, ok := q.visibility["rh-a-2"]; !ok || v != 0 {
		t.Fatalf("got visibility %v, want a's second receipt made visible at once", q.visibility)
	}
	if !strings.Contains(logs.String(), "1 messages came back in this run, left for the next: a") {
		t.Fatalf("got log\n%s\nwant the redelivery logged", logs)
	}
}

func TestFailedDeleteIsLogged(t *testing.T) {
	q := &fakeQueue{batches: [][]sqstypes.Message{msgs("m", 2)}, failDelete: map[string]string{"rh-m1": "ReceiptHandleIsInvalid"}}
	l := &fakeLambda{answer: answerAll(poller.StatusSuccess)}
	p, logs := testPoller(q, l)
	sum := mustRun(t, p)
	if sum.Deleted != 1 || sum.Left != 1 {
		t.Fatalf("got %+v, want 1 deleted and 1 left", sum)
	}
	if !strings.Contains(logs.String(), "batch 1: delete message m1: ReceiptHandleIsInvalid") {
		t.Fatalf("got log\n%s\nwant the failed delete of m1", logs)
	}
}

func TestQueueErrors(t *testing.T) {
	l := &fakeLambda{answer: answerAll(poller.StatusSuccess)}
	p, _ := testPoller(&fakeQueue{}, l)
	p.QueueName = "missing"
	if _, err := p.Run(context.Background(), time.Time{}); err == nil || !strings.Contains(err.Error(), "queue missing: QueueDoesNotExist") {
		t.Fatalf("got %v, want the queue's lookup error", err)
	}
	p, logs := testPoller(&fakeQueue{receiveErr: errors.New("AccessDenied")}, l)
	if _, err := p.Run(context.Background(), time.Time{}); err == nil || !strings.Contains(err.Error(), "receive from jobs: AccessDenied") {
		t.Fatalf("got %v, want the receive error", err)
	}
	if !strings.Contains(logs.String(), "receive from jobs: AccessDenied") {
		t.Fatalf("got log\n%s\nwant the receive error", logs)
	}
}

func TestHandlerWithoutConfiguration(t *testing.T) {
	for _, tc := range []struct{ queue, processor, want string }{
		{"", "proc", "set QUEUE_NAME"},
		{"jobs", "", "set PROCESSOR_FUNCTION_NAME"},
	} {
		_, err := poller.Handler(tc.queue, tc.processor)(context.Background())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Handler(%q, %q): got %v, want an error that says %q", tc.queue, tc.processor, err, tc.want)
		}
	}
}

func TestParseResponse(t *testing.T) {
	r, err := poller.ParseResponse([]byte(`{"messageResults":[{"messageId":"a","status":"RETRY","retryDelayInSeconds":3}],"extra":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.MessageResults) != 1 || r.MessageResults[0].MessageID != "a" || *r.MessageResults[0].RetryDelayInSeconds != 3 {
		t.Fatalf("got %+v", r)
	}
	for _, bad := range []string{"", "nope", `"SUCCESS"`, `{"messageResults":{}}`, `{"messageResults":[1]}`} {
		if _, err := poller.ParseResponse([]byte(bad)); err == nil {
			t.Errorf("ParseResponse(%q): got no error", bad)
		}
	}
}
