package poller_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/eddyserverless/eddy/apps/queue-event-source/poller"
)

const testQueueURL = "http://localhost/000000000000/jobs"

// fakeQueue answers receives from a script, one batch a call (an empty
// answer when the script is done, or forever with endless), and records
// what the poller asks of it.
type fakeQueue struct {
	batches    [][]sqstypes.Message
	endless    func(n int) []sqstypes.Message // the batch of receive n, when set
	onReceive  func()                         // called on each receive, e.g. to move a clock
	receiveErr error
	urlErr     error
	failDelete map[string]string // receipt handle → error code

	receives    []*sqs.ReceiveMessageInput
	deleted     []string         // receipt handles
	visibility  map[string]int32 // receipt handle → last visibility timeout
	visChanges  int
	deleteCalls int
}

func (q *fakeQueue) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	if q.urlErr != nil {
		return nil, q.urlErr
	}
	if aws.ToString(in.QueueName) != "jobs" {
		return nil, fmt.Errorf("QueueDoesNotExist: %s", aws.ToString(in.QueueName))
	}
	return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(testQueueURL)}, nil
}

func (q *fakeQueue) ReceiveMessage(_ context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	q.receives = append(q.receives, in)
	if q.onReceive != nil {
		q.onReceive()
	}
	if q.receiveErr != nil {
		return nil, q.receiveErr
	}
	if q.endless != nil {
		return &sqs.ReceiveMessageOutput{Messages: q.endless(len(q.receives))}, nil
	}
	if len(q.batches) == 0 {
		return &sqs.ReceiveMessageOutput{}, nil
	}
	b := q.batches[0]
	q.batches = q.batches[1:]
	return &sqs.ReceiveMessageOutput{Messages: b}, nil
}

func (q *fakeQueue) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	q.deleteCalls++
	if len(in.Entries) > 10 {
		return nil, fmt.Errorf("TooManyEntriesInBatchRequest: %d", len(in.Entries))
	}
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		if code, ok := q.failDelete[aws.ToString(e.ReceiptHandle)]; ok {
			out.Failed = append(out.Failed, sqstypes.BatchResultErrorEntry{Id: e.Id, Code: aws.String(code), Message: aws.String("the receipt handle has expired")})
			continue
		}
		q.deleted = append(q.deleted, aws.ToString(e.ReceiptHandle))
		out.Successful = append(out.Successful, sqstypes.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

func (q *fakeQueue) ChangeMessageVisibilityBatch(_ context.Context, in *sqs.ChangeMessageVisibilityBatchInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	if q.visibility == nil {
		q.visibility = map[string]int32{}
	}
	out := &sqs.ChangeMessageVisibilityBatchOutput{}
	for _, e := range in.Entries {
		if e.VisibilityTimeout < 0 || e.VisibilityTimeout > 43200 {
			return nil, fmt.Errorf("InvalidParameterValue: VisibilityTimeout %d", e.VisibilityTimeout)
		}
		q.visChanges++
		q.visibility[aws.ToString(e.ReceiptHandle)] = e.VisibilityTimeout
		out.Successful = append(out.Successful, sqstypes.ChangeMessageVisibilityBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

// fakeLambda answers invocations with answer and records the requests.
type fakeLambda struct {
	answer   func(req poller.Request) (*lambda.InvokeOutput, error)
	requests []poller.Request
	raw      [][]byte
	inputs   []*lambda.InvokeInput
}

func (l *fakeLambda) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	l.inputs = append(l.inputs, in)
	l.raw = append(l.raw, in.Payload)
	var req poller.Request
	if err := json.Unmarshal(in.Payload, &req); err != nil {
		return nil, fmt.Errorf("the poller sent a payload that is not a Request: %v", err)
	}
	l.requests = append(l.requests, req)
	return l.answer(req)
}

// answerJSON returns an answer function that answers v as JSON.
func answerJSON(v any) func(poller.Request) (*lambda.InvokeOutput, error) {
	return func(poller.Request) (*lambda.InvokeOutput, error) {
		b, err := json.Marshal(v)
		return &lambda.InvokeOutput{StatusCode: 200, Payload: b}, err
	}
}

// answerAll answers status for every message of each batch.
func answerAll(status string) func(poller.Request) (*lambda.InvokeOutput, error) {
	return func(req poller.Request) (*lambda.InvokeOutput, error) {
		var r poller.Response
		for _, m := range req.Messages {
			r.MessageResults = append(r.MessageResults, poller.MessageResult{MessageID: m.MessageID, Status: status})
		}
		b, err := json.Marshal(r)
		return &lambda.InvokeOutput{StatusCode: 200, Payload: b}, err
	}
}

// msg is a received message whose receipt handle is "rh-" + its id.
func msg(id, body string) sqstypes.Message {
	return sqstypes.Message{MessageId: aws.String(id), ReceiptHandle: aws.String("rh-" + id), Body: aws.String(body),
		MD5OfBody: aws.String("md5-" + id)}
}

// msgs returns n messages with ids prefix0, prefix1, ….
func msgs(prefix string, n int) []sqstypes.Message {
	out := make([]sqstypes.Message, n)
	for i := range out {
		out[i] = msg(fmt.Sprintf("%s%d", prefix, i), "body")
	}
	return out
}

// testPoller returns a poller of queue "jobs" and processor "proc" on the
// fakes, with a fixed clock, logging to the returned buffer.
func testPoller(q *fakeQueue, l *fakeLambda) (*poller.Poller, *bytes.Buffer) {
	var buf bytes.Buffer
	p := poller.New(q, l, "jobs", "proc")
	p.Now = func() time.Time { return time.Unix(1_700_000_000, 0) }
	p.Log = log.New(&buf, "", 0)
	return p, &buf
}

// mustRun runs p without a deadline and fails the test on error.
func mustRun(t *testing.T, p *poller.Poller) poller.Summary {
	t.Helper()
	sum, err := p.Run(context.Background(), time.Time{})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return sum
}
