package awsapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/awsapi"
	"github.com/eddyserverless/eddy/queues"
)

// fakeQueues records the input of each call and answers with canned
// results (or err), to test the edge alone.
type fakeQueues struct {
	mu   sync.Mutex // guards the fields below
	op   string
	in   any
	err  error
	outs map[string]any // canned results by operation; the default if absent
}

func (f *fakeQueues) record(op string, in any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op, f.in = op, in
	return f.err
}

func (f *fakeQueues) last() (string, any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.op, f.in
}

func (f *fakeQueues) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// answer records a call and returns the canned result for op.
func answer[O any](f *fakeQueues, op string, in any) (*O, error) {
	if err := f.record(op, in); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if out, ok := f.outs[op].(*O); ok {
		return out, nil
	}
	if out, ok := cannedResults[op].(*O); ok {
		return out, nil
	}
	return new(O), nil
}

func (f *fakeQueues) CreateQueue(_ context.Context, in *queues.CreateQueueInput) (*queues.QueueURLOutput, error) {
	return answer[queues.QueueURLOutput](f, "CreateQueue", in)
}
func (f *fakeQueues) GetQueueUrl(_ context.Context, in *queues.GetQueueUrlInput) (*queues.QueueURLOutput, error) {
	return answer[queues.QueueURLOutput](f, "GetQueueUrl", in)
}
func (f *fakeQueues) ListQueues(_ context.Context, in *queues.ListQueuesInput) (*queues.ListQueuesOutput, error) {
	return answer[queues.ListQueuesOutput](f, "ListQueues", in)
}
func (f *fakeQueues) DeleteQueue(_ context.Context, in *queues.QueueInput) error {
	return f.record("DeleteQueue", in)
}
func (f *fakeQueues) PurgeQueue(_ context.Context, in *queues.QueueInput) error {
	return f.record("PurgeQueue", in)
}
func (f *fakeQueues) GetQueueAttributes(_ context.Context, in *queues.GetQueueAttributesInput) (*queues.AttributesOutput, error) {
	return answer[queues.AttributesOutput](f, "GetQueueAttributes", in)
}
func (f *fakeQueues) SetQueueAttributes(_ context.Context, in *queues.SetQueueAttributesInput) error {
	return f.record("SetQueueAttributes", in)
}
func (f *fakeQueues) TagQueue(_ context.Context, in *queues.TagQueueInput) error {
	return f.record("TagQueue", in)
}
func (f *fakeQueues) UntagQueue(_ context.Context, in *queues.UntagQueueInput) error {
	return f.record("UntagQueue", in)
}
func (f *fakeQueues) ListQueueTags(_ context.Context, in *queues.QueueInput) (*queues.ListQueueTagsOutput, error) {
	return answer[queues.ListQueueTagsOutput](f, "ListQueueTags", in)
}
func (f *fakeQueues) ListDeadLetterSourceQueues(_ context.Context, in *queues.ListDeadLetterSourceQueuesInput) (*queues.ListDeadLetterSourceQueuesOutput, error) {
	return answer[queues.ListDeadLetterSourceQueuesOutput](f, "ListDeadLetterSourceQueues", in)
}
func (f *fakeQueues) AddPermission(_ context.Context, in *queues.AddPermissionInput) error {
	return f.record("AddPermission", in)
}
func (f *fakeQueues) RemovePermission(_ context.Context, in *queues.RemovePermissionInput) error {
	return f.record("RemovePermission", in)
}
func (f *fakeQueues) SendMessage(_ context.Context, in *queues.SendMessageInput) (*queues.SendMessageOutput, error) {
	if err := f.record("SendMessage", in); err != nil {
		return nil, err
	}
	// Digests of what was sent, as the SDK checks them.
	out := &queues.SendMessageOutput{MessageId: "5fea7756-0ea4-451a-a703-a558b933e274", SequenceNumber: "18849496460467696128"}
	if in.MessageBody != nil {
		out.MD5OfMessageBody = queues.MD5Hex(*in.MessageBody)
	}
	out.MD5OfMessageAttributes = queues.MD5OfMessageAttributes(in.MessageAttributes)
	out.MD5OfMessageSystemAttributes = queues.MD5OfMessageAttributes(in.MessageSystemAttributes)
	return out, nil
}
func (f *fakeQueues) SendMessageBatch(_ context.Context, in *queues.SendMessageBatchInput) (*queues.SendMessageBatchOutput, error) {
	if err := f.record("SendMessageBatch", in); err != nil {
		return nil, err
	}
	f.mu.Lock()
	canned, ok := f.outs["SendMessageBatch"].(*queues.SendMessageBatchOutput)
	f.mu.Unlock()
	if ok {
		return canned, nil
	}
	out := &queues.SendMessageBatchOutput{}
	for i, e := range in.Entries {
		if i == len(in.Entries)-1 && i > 0 {
			out.Failed = append(out.Failed, queues.BatchResultErrorEntry{Id: e.Id, SenderFault: true, Code: "InvalidParameterValue", Message: "no <good> & \"bad\""})
			continue
		}
		r := queues.SendMessageBatchResultEntry{Id: e.Id}
		r.MessageId = "id-" + e.Id
		if e.MessageBody != nil {
			r.MD5OfMessageBody = queues.MD5Hex(*e.MessageBody)
		}
		r.MD5OfMessageAttributes = queues.MD5OfMessageAttributes(e.MessageAttributes)
		out.Successful = append(out.Successful, r)
	}
	return out, nil
}
func (f *fakeQueues) ReceiveMessage(_ context.Context, in *queues.ReceiveMessageInput) (*queues.ReceiveMessageOutput, error) {
	return answer[queues.ReceiveMessageOutput](f, "ReceiveMessage", in)
}
func (f *fakeQueues) DeleteMessage(_ context.Context, in *queues.DeleteMessageInput) error {
	return f.record("DeleteMessage", in)
}
func (f *fakeQueues) DeleteMessageBatch(_ context.Context, in *queues.DeleteMessageBatchInput) (*queues.BatchOutput, error) {
	return answer[queues.BatchOutput](f, "DeleteMessageBatch", in)
}
func (f *fakeQueues) ChangeMessageVisibility(_ context.Context, in *queues.ChangeMessageVisibilityInput) error {
	return f.record("ChangeMessageVisibility", in)
}
func (f *fakeQueues) ChangeMessageVisibilityBatch(_ context.Context, in *queues.ChangeMessageVisibilityBatchInput) (*queues.BatchOutput, error) {
	return answer[queues.BatchOutput](f, "ChangeMessageVisibilityBatch", in)
}
func (f *fakeQueues) StartMessageMoveTask(_ context.Context, in *queues.StartMessageMoveTaskInput) (*queues.StartMessageMoveTaskOutput, error) {
	return answer[queues.StartMessageMoveTaskOutput](f, "StartMessageMoveTask", in)
}
func (f *fakeQueues) ListMessageMoveTasks(_ context.Context, in *queues.ListMessageMoveTasksInput) (*queues.ListMessageMoveTasksOutput, error) {
	return answer[queues.ListMessageMoveTasksOutput](f, "ListMessageMoveTasks", in)
}
func (f *fakeQueues) CancelMessageMoveTask(_ context.Context, in *queues.CancelMessageMoveTaskInput) (*queues.CancelMessageMoveTaskOutput, error) {
	return answer[queues.CancelMessageMoveTaskOutput](f, "CancelMessageMoveTask", in)
}

var _ queues.API = (*fakeQueues)(nil)

func ptr[T any](v T) *T { return &v }

const testQueueURL = "http://localhost:4566/000000000000/orders"

// A body with every kind of character a message may hold, \r included.
const testBody = "line one\r\nline two\ttab <xml> & \"quotes\" 'single' é ☃ 𝄞 \U0010FFFD"

var testAttrs = map[string]queues.MessageAttributeValue{
	"color":  {DataType: "String", StringValue: ptr("blue\r\n<&>")},
	"count":  {DataType: "Number", StringValue: ptr("42")},
	"blob":   {DataType: "Binary", BinaryValue: []byte{0, 1, 2, 0xff, '<'}},
	"custom": {DataType: "String.json", StringValue: ptr(`{"a":1}`)},
	"list":   {DataType: "String", StringListValues: []string{"x", "y"}, BinaryListValues: [][]byte{{1}, {2, 3}}},
}

// cannedResults are the fake's results, rich enough to exercise every
// element of each result.
var cannedResults = map[string]any{
	"CreateQueue": &queues.QueueURLOutput{QueueUrl: testQueueURL},
	"GetQueueUrl": &queues.QueueURLOutput{QueueUrl: testQueueURL},
	"ListQueues": &queues.ListQueuesOutput{
		QueueUrls: []string{testQueueURL, "http://localhost:4566/000000000000/b&c"}, NextToken: "next",
	},
	"GetQueueAttributes": &queues.AttributesOutput{Attributes: map[string]string{
		"VisibilityTimeout": "30", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders",
		"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"<&>"}]}`,
	}},
	"ListQueueTags":              &queues.ListQueueTagsOutput{Tags: map[string]string{"team": "a", "env": "dev & test"}},
	"ListDeadLetterSourceQueues": &queues.ListDeadLetterSourceQueuesOutput{QueueUrls: []string{testQueueURL}, NextToken: "n2"},
	"ReceiveMessage": &queues.ReceiveMessageOutput{Messages: []queues.Message{
		{
			MessageId: "m1", ReceiptHandle: "rh+/=1", MD5OfBody: queues.MD5Hex(testBody), Body: testBody,
			Attributes:             map[string]string{"SentTimestamp": "1767323045678", "ApproximateReceiveCount": "1", "AWSTraceHeader": "Root=1-a;Sampled=1"},
			MD5OfMessageAttributes: queues.MD5OfMessageAttributes(testAttrs),
			MessageAttributes:      testAttrs,
		},
		{MessageId: "m2", ReceiptHandle: "rh2", MD5OfBody: queues.MD5Hex("plain"), Body: "plain"},
	}},
	"DeleteMessageBatch": &queues.BatchOutput{
		Successful: []queues.BatchIdEntry{{Id: "a"}, {Id: "b"}},
		Failed:     []queues.BatchResultErrorEntry{{Id: "c", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: "The input receipt handle is invalid."}},
	},
	"ChangeMessageVisibilityBatch": &queues.BatchOutput{
		Successful: []queues.BatchIdEntry{{Id: "a"}},
		Failed:     []queues.BatchResultErrorEntry{{Id: "b", SenderFault: false, Code: "InternalError"}},
	},
	"StartMessageMoveTask": &queues.StartMessageMoveTaskOutput{TaskHandle: "handle-1"},
	"ListMessageMoveTasks": &queues.ListMessageMoveTasksOutput{Results: []queues.MessageMoveTask{
		{TaskHandle: "h", Status: "RUNNING", SourceArn: "arn:aws:sqs:us-east-1:000000000000:dlq", MaxNumberOfMessagesPerSecond: ptr(50),
			ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: ptr(int64(10)), StartedTimestamp: 1767323045678},
		{Status: "FAILED", SourceArn: "arn:aws:sqs:us-east-1:000000000000:dlq", DestinationArn: "arn:aws:sqs:us-east-1:000000000000:orders",
			FailureReason: "gone", StartedTimestamp: 1767323000000},
	}},
	"CancelMessageMoveTask": &queues.CancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: 7},
}

// MustStartSQS starts eddy's edge with a fake queue service on port 0.
func MustStartSQS(tb testing.TB) (*httptest.Server, *fakeQueues) {
	tb.Helper()
	fake := &fakeQueues{outs: map[string]any{}}
	srv := httptest.NewServer(&awsapi.Handler{Queues: fake, Account: "000000000000", Region: "us-east-1"})
	tb.Cleanup(srv.Close)
	return srv, fake
}

// sqsCase is one request, as the service should receive it (input), and as
// the query protocol sends it (form, without Action and Version).
type sqsCase struct {
	what  string
	op    string
	input any
	form  string
	// modern is true for what SQS's query model of botocore lacks
	// (operations and members added after it).
	modern bool
}

var sqsCases = []sqsCase{
	{what: "CreateQueue", op: "CreateQueue",
		input: &queues.CreateQueueInput{QueueName: "orders.fifo",
			Attributes: map[string]string{"FifoQueue": "true", "VisibilityTimeout": "45"},
			Tags:       map[string]string{"team": "a", "env": "dev test"}},
		form: "QueueName=orders.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=45" +
			"&Tag.1.Key=team&Tag.1.Value=a&Tag.2.Key=env&Tag.2.Value=dev+test"},
	{what: "GetQueueUrl", op: "GetQueueUrl",
		input: &queues.GetQueueUrlInput{QueueName: "orders", QueueOwnerAWSAccountId: "111122223333"},
		form:  "QueueName=orders&QueueOwnerAWSAccountId=111122223333"},
	{what: "ListQueues", op: "ListQueues",
		input: &queues.ListQueuesInput{QueueNamePrefix: "ord", NextToken: "tok", MaxResults: ptr(5)},
		form:  "QueueNamePrefix=ord&NextToken=tok&MaxResults=5"},
	{what: "ListQueues with nothing", op: "ListQueues", input: &queues.ListQueuesInput{}, form: ""},
	{what: "DeleteQueue", op: "DeleteQueue", input: &queues.QueueInput{QueueUrl: testQueueURL},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL)},
	{what: "PurgeQueue", op: "PurgeQueue", input: &queues.QueueInput{QueueUrl: testQueueURL},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL)},
	{what: "GetQueueAttributes", op: "GetQueueAttributes",
		input: &queues.GetQueueAttributesInput{QueueUrl: testQueueURL, AttributeNames: []string{"All", "QueueArn"}},
		form:  "QueueUrl=" + url.QueryEscape(testQueueURL) + "&AttributeName.1=All&AttributeName.2=QueueArn"},
	{what: "SetQueueAttributes", op: "SetQueueAttributes",
		input: &queues.SetQueueAttributesInput{QueueUrl: testQueueURL,
			Attributes: map[string]string{"DelaySeconds": "5", "RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"}`}},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL) + "&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5" +
			"&Attribute.2.Name=RedrivePolicy&Attribute.2.Value=" + url.QueryEscape(`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"}`)},
	{what: "TagQueue", op: "TagQueue",
		input: &queues.TagQueueInput{QueueUrl: testQueueURL, Tags: map[string]string{"a": "1", "b": ""}},
		form:  "QueueUrl=" + url.QueryEscape(testQueueURL) + "&Tag.1.Key=a&Tag.1.Value=1&Tag.2.Key=b&Tag.2.Value="},
	{what: "UntagQueue", op: "UntagQueue",
		input: &queues.UntagQueueInput{QueueUrl: testQueueURL, TagKeys: []string{"a", "b"}},
		form:  "QueueUrl=" + url.QueryEscape(testQueueURL) + "&TagKey.1=a&TagKey.2=b"},
	{what: "ListQueueTags", op: "ListQueueTags", input: &queues.QueueInput{QueueUrl: testQueueURL},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL)},
	{what: "ListDeadLetterSourceQueues", op: "ListDeadLetterSourceQueues",
		input: &queues.ListDeadLetterSourceQueuesInput{QueueUrl: testQueueURL, NextToken: "t", MaxResults: ptr(10)},
		form:  "QueueUrl=" + url.QueryEscape(testQueueURL) + "&NextToken=t&MaxResults=10"},
	{what: "AddPermission", op: "AddPermission",
		input: &queues.AddPermissionInput{QueueUrl: testQueueURL, Label: "perm",
			AWSAccountIds: []string{"111122223333", "444455556666"}, Actions: []string{"SendMessage", "ReceiveMessage"}},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL) + "&Label=perm&AWSAccountId.1=111122223333&AWSAccountId.2=444455556666" +
			"&ActionName.1=SendMessage&ActionName.2=ReceiveMessage"},
	{what: "RemovePermission", op: "RemovePermission",
		input: &queues.RemovePermissionInput{QueueUrl: testQueueURL, Label: "perm"},
		form:  "QueueUrl=" + url.QueryEscape(testQueueURL) + "&Label=perm"},
	{what: "SendMessage", op: "SendMessage",
		input: &queues.SendMessageInput{QueueUrl: testQueueURL, MessageBody: ptr(testBody), DelaySeconds: ptr(0),
			MessageAttributes: testAttrs,
			MessageSystemAttributes: map[string]queues.MessageAttributeValue{
				"AWSTraceHeader": {DataType: "String", StringValue: ptr("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")}},
			MessageDeduplicationId: ptr("dedup"), MessageGroupId: ptr("group")},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL) + "&MessageBody=" + url.QueryEscape(testBody) + "&DelaySeconds=0" +
			"&MessageAttribute.1.Name=blob&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=AAEC%2Fzw%3D" +
			"&MessageAttribute.2.Name=color&MessageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=" + url.QueryEscape("blue\r\n<&>") +
			"&MessageAttribute.3.Name=count&MessageAttribute.3.Value.DataType=Number&MessageAttribute.3.Value.StringValue=42" +
			"&MessageAttribute.4.Name=custom&MessageAttribute.4.Value.DataType=String.json&MessageAttribute.4.Value.StringValue=" + url.QueryEscape(`{"a":1}`) +
			"&MessageAttribute.5.Name=list&MessageAttribute.5.Value.DataType=String" +
			"&MessageAttribute.5.Value.StringListValue.1=x&MessageAttribute.5.Value.StringListValue.2=y" +
			"&MessageAttribute.5.Value.BinaryListValue.1=AQ%3D%3D&MessageAttribute.5.Value.BinaryListValue.2=AgM%3D" +
			"&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String" +
			"&MessageSystemAttribute.1.Value.StringValue=" + url.QueryEscape("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1") +
			"&MessageDeduplicationId=dedup&MessageGroupId=group"},
	{what: "SendMessage with an empty body", op: "SendMessage",
		input: &queues.SendMessageInput{QueueUrl: testQueueURL, MessageBody: ptr("")},
		form:  "QueueUrl=" + url.QueryEscape(testQueueURL) + "&MessageBody="},
	{what: "SendMessageBatch", op: "SendMessageBatch",
		input: &queues.SendMessageBatchInput{QueueUrl: testQueueURL, Entries: []queues.SendMessageBatchEntry{
			{Id: "one", MessageBody: ptr("first")},
			{Id: "two", MessageBody: ptr(testBody), DelaySeconds: ptr(3), MessageAttributes: map[string]queues.MessageAttributeValue{
				"color": {DataType: "String", StringValue: ptr("red")}},
				MessageSystemAttributes: map[string]queues.MessageAttributeValue{
					"AWSTraceHeader": {DataType: "String", StringValue: ptr("Root=1-a")}},
				MessageDeduplicationId: ptr("d"), MessageGroupId: ptr("g")},
			{Id: "three", MessageBody: ptr("third")},
		}},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL) +
			"&SendMessageBatchRequestEntry.1.Id=one&SendMessageBatchRequestEntry.1.MessageBody=first" +
			"&SendMessageBatchRequestEntry.2.Id=two&SendMessageBatchRequestEntry.2.MessageBody=" + url.QueryEscape(testBody) +
			"&SendMessageBatchRequestEntry.2.DelaySeconds=3" +
			"&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=color&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=String" +
			"&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=red" +
			"&SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Name=AWSTraceHeader" +
			"&SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Value.DataType=String" +
			"&SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Value.StringValue=Root%3D1-a" +
			"&SendMessageBatchRequestEntry.2.MessageDeduplicationId=d&SendMessageBatchRequestEntry.2.MessageGroupId=g" +
			"&SendMessageBatchRequestEntry.3.Id=three&SendMessageBatchRequestEntry.3.MessageBody=third"},
	{what: "ReceiveMessage", op: "ReceiveMessage",
		input: &queues.ReceiveMessageInput{QueueUrl: testQueueURL, AttributeNames: []string{"All"},
			MessageAttributeNames: []string{"color", "size.*"}, MaxNumberOfMessages: ptr(10), VisibilityTimeout: ptr(0),
			WaitTimeSeconds: ptr(20), ReceiveRequestAttemptId: "attempt"},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL) + "&AttributeName.1=All&MessageAttributeName.1=color&MessageAttributeName.2=size.%2A" +
			"&MaxNumberOfMessages=10&VisibilityTimeout=0&WaitTimeSeconds=20&ReceiveRequestAttemptId=attempt"},
	{what: "ReceiveMessage with system attribute names", op: "ReceiveMessage", modern: true,
		input: &queues.ReceiveMessageInput{QueueUrl: testQueueURL, MessageSystemAttributeNames: []string{"SentTimestamp", "SenderId"}},
		form:  "QueueUrl=" + url.QueryEscape(testQueueURL) + "&MessageSystemAttributeName.1=SentTimestamp&MessageSystemAttributeName.2=SenderId"},
	{what: "DeleteMessage", op: "DeleteMessage",
		input: &queues.DeleteMessageInput{QueueUrl: testQueueURL, ReceiptHandle: "rh+/= 1"},
		form:  "QueueUrl=" + url.QueryEscape(testQueueURL) + "&ReceiptHandle=" + url.QueryEscape("rh+/= 1")},
	{what: "DeleteMessageBatch", op: "DeleteMessageBatch",
		input: &queues.DeleteMessageBatchInput{QueueUrl: testQueueURL, Entries: []queues.DeleteMessageBatchEntry{
			{Id: "a", ReceiptHandle: "r1"}, {Id: "b", ReceiptHandle: "r2"}}},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL) +
			"&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r1" +
			"&DeleteMessageBatchRequestEntry.2.Id=b&DeleteMessageBatchRequestEntry.2.ReceiptHandle=r2"},
	{what: "ChangeMessageVisibility", op: "ChangeMessageVisibility",
		input: &queues.ChangeMessageVisibilityInput{QueueUrl: testQueueURL, ReceiptHandle: "r1", VisibilityTimeout: ptr(0)},
		form:  "QueueUrl=" + url.QueryEscape(testQueueURL) + "&ReceiptHandle=r1&VisibilityTimeout=0"},
	{what: "ChangeMessageVisibilityBatch", op: "ChangeMessageVisibilityBatch",
		input: &queues.ChangeMessageVisibilityBatchInput{QueueUrl: testQueueURL, Entries: []queues.ChangeMessageVisibilityBatchEntry{
			{Id: "a", ReceiptHandle: "r1", VisibilityTimeout: ptr(60)}, {Id: "b", ReceiptHandle: "r2"}}},
		form: "QueueUrl=" + url.QueryEscape(testQueueURL) +
			"&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r1" +
			"&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=60" +
			"&ChangeMessageVisibilityBatchRequestEntry.2.Id=b&ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle=r2"},
	{what: "StartMessageMoveTask", op: "StartMessageMoveTask", modern: true,
		input: &queues.StartMessageMoveTaskInput{SourceArn: "arn:aws:sqs:us-east-1:000000000000:dlq",
			DestinationArn: "arn:aws:sqs:us-east-1:000000000000:orders", MaxNumberOfMessagesPerSecond: ptr(50)},
		form: "SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Adlq&DestinationArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aorders" +
			"&MaxNumberOfMessagesPerSecond=50"},
	{what: "ListMessageMoveTasks", op: "ListMessageMoveTasks", modern: true,
		input: &queues.ListMessageMoveTasksInput{SourceArn: "arn:aws:sqs:us-east-1:000000000000:dlq", MaxResults: ptr(2)},
		form:  "SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Adlq&MaxResults=2"},
	{what: "CancelMessageMoveTask", op: "CancelMessageMoveTask", modern: true,
		input: &queues.CancelMessageMoveTaskInput{TaskHandle: "handle-1"},
		form:  "TaskHandle=handle-1"},
}

// sameJSON reports whether a and b marshal to equal JSON, which is how the
// service's types say "the same request".
func sameJSON(tb testing.TB, a, b any) (bool, string, string) {
	tb.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		tb.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.Equal(ja, jb), string(ja), string(jb)
}

type sqsResponse struct {
	status int
	header http.Header
	body   []byte
}

func postSQS(tb testing.TB, srv *httptest.Server, path string, header map[string]string, body string) sqsResponse {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return doSQS(tb, req)
}

func doSQS(tb testing.TB, req *http.Request) sqsResponse {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return sqsResponse{resp.StatusCode, resp.Header, data}
}

func postJSON(tb testing.TB, srv *httptest.Server, op, body string) sqsResponse {
	tb.Helper()
	return postSQS(tb, srv, "/", map[string]string{
		"X-Amz-Target": "AmazonSQS." + op, "Content-Type": "application/x-amz-json-1.0",
	}, body)
}

func postForm(tb testing.TB, srv *httptest.Server, path, form string) sqsResponse {
	tb.Helper()
	return postSQS(tb, srv, path, map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, form)
}

func queryForm(op, form string) string {
	s := "Action=" + op + "&Version=2012-11-05"
	if form != "" {
		s += "&" + form
	}
	return s
}

// TestSQSDecodesBothProtocols sends each case as JSON, as a form POST and
// as a GET, and checks that the service receives the same input each time.
func TestSQSDecodesBothProtocols(t *testing.T) {
	srv, fake := MustStartSQS(t)
	for _, tc := range sqsCases {
		t.Run(tc.what, func(t *testing.T) {
			body, err := json.Marshal(tc.input)
			if err != nil {
				t.Fatal(err)
			}
			check := func(how string, resp sqsResponse) {
				t.Helper()
				if resp.status != http.StatusOK {
					t.Fatalf("%s: got status %d (%s), want 200", how, resp.status, resp.body)
				}
				op, in := fake.last()
				if op != tc.op {
					t.Fatalf("%s: got a call of %s, want %s", how, op, tc.op)
				}
				if same, got, want := sameJSON(t, in, tc.input); !same {
					t.Fatalf("%s: got input %s, want %s", how, got, want)
				}
			}
			check("JSON", postJSON(t, srv, tc.op, string(body)))
			check("form", postForm(t, srv, "/", queryForm(tc.op, tc.form)))
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/?"+queryForm(tc.op, tc.form), nil)
			if err != nil {
				t.Fatal(err)
			}
			check("GET", doSQS(t, req))
		})
	}
}

// TestSQSJSONWithSDK drives every operation through aws-sdk-go-v2, which
// checks the message digests of SendMessage, SendMessageBatch and
// ReceiveMessage on the way back.
func TestSQSJSONWithSDK(t *testing.T) {
	srv, fake := MustStartSQS(t)
	client := sqs.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	ctx := context.Background()
	u := aws.String(testQueueURL)

	sent, err := client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: u, MessageBody: aws.String(testBody), DelaySeconds: 0,
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"color": {DataType: aws.String("String"), StringValue: aws.String("blue")},
			"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{0, 0xff}},
		},
		MessageSystemAttributes: map[string]sqstypes.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-a")},
		},
		MessageGroupId: aws.String("g"),
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	_, in := fake.last()
	// The SDK leaves out a DelaySeconds of 0.
	want := &queues.SendMessageInput{QueueUrl: testQueueURL, MessageBody: ptr(testBody),
		MessageAttributes: map[string]queues.MessageAttributeValue{
			"color": {DataType: "String", StringValue: ptr("blue")},
			"blob":  {DataType: "Binary", BinaryValue: []byte{0, 0xff}},
		},
		MessageSystemAttributes: map[string]queues.MessageAttributeValue{
			"AWSTraceHeader": {DataType: "String", StringValue: ptr("Root=1-a")}},
		MessageGroupId: ptr("g")}
	if same, got, w := sameJSON(t, in, want); !same {
		t.Fatalf("SendMessage: got input %s, want %s", got, w)
	}
	if aws.ToString(sent.MD5OfMessageBody) != queues.MD5Hex(testBody) || aws.ToString(sent.SequenceNumber) == "" ||
		aws.ToString(sent.MD5OfMessageSystemAttributes) == "" {
		t.Fatalf("SendMessage: got %+v", sent)
	}

	batch, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: u, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("one")},
		{Id: aws.String("b"), MessageBody: aws.String(testBody)},
	}})
	if err != nil {
		t.Fatalf("SendMessageBatch: %v", err)
	}
	if len(batch.Successful) != 1 || len(batch.Failed) != 1 || aws.ToString(batch.Failed[0].Message) != "no <good> & \"bad\"" || !batch.Failed[0].SenderFault {
		t.Fatalf("SendMessageBatch: got %+v", batch)
	}

	got, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: u, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(got.Messages) != 2 || aws.ToString(got.Messages[0].Body) != testBody ||
		!bytes.Equal(got.Messages[0].MessageAttributes["blob"].BinaryValue, testAttrs["blob"].BinaryValue) ||
		!reflect.DeepEqual(got.Messages[0].MessageAttributes["list"].StringListValues, []string{"x", "y"}) ||
		got.Messages[0].Attributes["SentTimestamp"] != "1767323045678" {
		t.Fatalf("ReceiveMessage: got %+v", got.Messages)
	}

	created, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Tags: map[string]string{"a": "b"},
		Attributes: map[string]string{"DelaySeconds": "1"}})
	if err != nil || aws.ToString(created.QueueUrl) != testQueueURL {
		t.Fatalf("CreateQueue: got %+v, %v", created, err)
	}
	if _, in := fake.last(); !reflect.DeepEqual(in, &queues.CreateQueueInput{QueueName: "orders", Tags: map[string]string{"a": "b"},
		Attributes: map[string]string{"DelaySeconds": "1"}}) {
		t.Fatalf("CreateQueue: got input %+v", in)
	}
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: u, ReceiptHandle: aws.String("r")}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	dlq, err := client.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: u})
	if err != nil || !reflect.DeepEqual(dlq.QueueUrls, []string{testQueueURL}) || aws.ToString(dlq.NextToken) != "n2" {
		t.Fatalf("ListDeadLetterSourceQueues: got %+v, %v", dlq, err)
	}
	tasks, err := client.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")})
	if err != nil || len(tasks.Results) != 2 || aws.ToInt64(tasks.Results[0].ApproximateNumberOfMessagesToMove) != 10 {
		t.Fatalf("ListMessageMoveTasks: got %+v, %v", tasks, err)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil || attrs.Attributes["VisibilityTimeout"] != "30" {
		t.Fatalf("GetQueueAttributes: got %+v, %v", attrs, err)
	}
}

// TestSQSJSONErrorsWithSDK checks that aws-sdk-go-v2 yields its typed
// errors, with the query code as their code, as it does against SQS.
func TestSQSJSONErrorsWithSDK(t *testing.T) {
	srv, fake := MustStartSQS(t)
	client := sqs.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String(srv.URL),
		RetryMaxAttempts: 1,
	})
	ctx := context.Background()
	tests := []struct {
		err      error
		check    func(error) bool
		wantCode string
	}{
		{eddy.TypedErrorf(eddy.ENOTFOUND, "QueueDoesNotExist", "The specified queue does not exist."),
			func(err error) bool { var e *sqstypes.QueueDoesNotExist; return errors.As(err, &e) },
			"AWS.SimpleQueueService.NonExistentQueue"},
		{eddy.Errorf(eddy.ENOTFOUND, "The specified queue does not exist."),
			func(err error) bool { var e *sqstypes.QueueDoesNotExist; return errors.As(err, &e) },
			"AWS.SimpleQueueService.NonExistentQueue"},
		{eddy.TypedErrorf(eddy.EINVALID, "ReceiptHandleIsInvalid", "The input receipt handle is invalid."),
			func(err error) bool { var e *sqstypes.ReceiptHandleIsInvalid; return errors.As(err, &e) },
			"ReceiptHandleIsInvalid"},
		{eddy.TypedErrorf(eddy.EINVALID, "BatchEntryIdsNotDistinct", "Id a repeated."),
			func(err error) bool { var e *sqstypes.BatchEntryIdsNotDistinct; return errors.As(err, &e) },
			"AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
		{eddy.TypedErrorf(eddy.ECONFLICT, "QueueNameExists", "A queue already exists with the same name and a different value for attribute DelaySeconds"),
			func(err error) bool { var e *sqstypes.QueueNameExists; return errors.As(err, &e) },
			"QueueAlreadyExists"},
		{eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValue", "Value 11 for parameter MaxNumberOfMessages is invalid."),
			func(err error) bool {
				var e smithy.APIError
				return errors.As(err, &e) && e.ErrorFault() == smithy.FaultClient
			},
			"InvalidParameterValue"},
		{eddy.Errorf(eddy.EINVALID, "bad"),
			func(err error) bool { var e smithy.APIError; return errors.As(err, &e) },
			"InvalidParameterValue"},
	}
	for _, tt := range tests {
		fake.setErr(tt.err)
		_, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("q")})
		var api smithy.APIError
		if !tt.check(err) || !errors.As(err, &api) || api.ErrorCode() != tt.wantCode || api.ErrorMessage() != eddy.ErrorMessage(tt.err) {
			t.Errorf("for %v: got %v, want a typed error with code %s", tt.err, err, tt.wantCode)
		}
	}
}

func TestSQSErrors(t *testing.T) {
	srv, fake := MustStartSQS(t)
	tests := []struct {
		what      string
		err       error
		status    int
		jsonType  string
		queryCode string
		fault     string
		jsonMsg   string
		queryMsg  string
	}{
		{"queue does not exist", eddy.TypedErrorf(eddy.ENOTFOUND, "QueueDoesNotExist", "The specified queue does not exist."),
			400, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "Sender",
			"The specified queue does not exist.", "The specified queue does not exist for this wsdl version."},
		{"by query code", eddy.TypedErrorf(eddy.ENOTFOUND, "AWS.SimpleQueueService.NonExistentQueue", "gone"),
			400, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "Sender", "gone", "gone"},
		{"receipt handle", eddy.TypedErrorf(eddy.EINVALID, "ReceiptHandleIsInvalid", "The input receipt handle is invalid."),
			404, "com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "Sender", "The input receipt handle is invalid.", ""},
		{"purge in progress", eddy.TypedErrorf(eddy.ECONFLICT, "PurgeQueueInProgress", "Only one PurgeQueue operation on orders is allowed every 60 seconds."),
			403, "com.amazonaws.sqs#PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", "Sender", "Only one PurgeQueue operation on orders is allowed every 60 seconds.", ""},
		{"invalid parameter", eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValue", "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."),
			400, "com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue", "Sender", "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", ""},
		{"untyped invalid", eddy.Errorf(eddy.EVALIDATE, "no"), 400, "com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue", "Sender", "no", ""},
		{"too large", eddy.Errorf(eddy.ETOOLARGE, "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."),
			400, "com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue", "Sender", "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.", ""},
		{"untyped not found", eddy.Errorf(eddy.ENOTFOUND, "The specified queue does not exist."), 400, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "Sender", "", ""},
		{"throttled", eddy.Errorf(eddy.ETHROTTLED, "slow down"), 403, "com.amazonaws.sqs#RequestThrottled", "RequestThrottled", "Sender", "slow down", ""},
		{"unsupported", eddy.Errorf(eddy.EUNSUPPORT, "not here"), 400, "com.amazonaws.sqs#UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "Sender", "not here", ""},
		{"unknown type", eddy.TypedErrorf(eddy.EINVALID, "SomethingNew", "new"), 400, "com.amazonaws.sqs#SomethingNew", "SomethingNew", "Sender", "new", ""},
		{"unavailable", eddy.Errorf(eddy.EUNAVAIL, "moving"), 503, "com.amazonaws.sqs#ServiceUnavailable", "ServiceUnavailable", "Receiver",
			"We encountered an internal error. Please try again.", ""},
		{"internal", errors.New("disk on fire"), 500, "com.amazon.coral.service#InternalFailure", "InternalFailure", "Receiver",
			"We encountered an internal error. Please try again.", ""},
		{"typed internal", eddy.Errorf(eddy.EINTERNAL, "secret detail"), 500, "com.amazon.coral.service#InternalFailure", "InternalFailure", "Receiver",
			"We encountered an internal error. Please try again.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			fake.setErr(tt.err)
			resp := postJSON(t, srv, "DeleteQueue", `{"QueueUrl":"`+testQueueURL+`"}`)
			checkJSONError(t, resp, tt.status, tt.jsonType, tt.queryCode+";"+tt.fault, tt.jsonMsg)
			resp = postForm(t, srv, "/", queryForm("DeleteQueue", "QueueUrl="+url.QueryEscape(testQueueURL)))
			msg := tt.queryMsg
			if msg == "" {
				msg = tt.jsonMsg
			}
			checkQueryError(t, resp, tt.status, tt.fault, tt.queryCode, msg)
		})
	}
}

func checkJSONError(tb testing.TB, resp sqsResponse, status int, typ, queryError, msg string) {
	tb.Helper()
	if resp.status != status {
		tb.Fatalf("JSON: got status %d (%s), want %d", resp.status, resp.body, status)
	}
	if ct := resp.header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		tb.Fatalf("JSON: got Content-Type %q", ct)
	}
	if got := resp.header.Get("X-Amzn-Query-Error"); got != queryError {
		tb.Fatalf("JSON: got x-amzn-query-error %q, want %q", got, queryError)
	}
	if got := resp.header.Get("X-Amzn-Errortype"); got != "" {
		tb.Fatalf("JSON: got X-Amzn-ErrorType %q, want none (the Go SDK prefers it to __type)", got)
	}
	var body map[string]string
	if err := json.Unmarshal(resp.body, &body); err != nil {
		tb.Fatalf("JSON: %v in %s", err, resp.body)
	}
	if body["__type"] != typ || (msg != "" && body["message"] != msg) {
		tb.Fatalf("JSON: got %s, want __type %s and message %q", resp.body, typ, msg)
	}
}

type xmlErrorResponse struct {
	XMLName xml.Name `xml:"http://queue.amazonaws.com/doc/2012-11-05/ ErrorResponse"`
	Error   struct {
		Type    string
		Code    string
		Message string
		Detail  *struct{}
	}
	RequestId string
}

func checkQueryError(tb testing.TB, resp sqsResponse, status int, fault, code, msg string) {
	tb.Helper()
	if resp.status != status {
		tb.Fatalf("query: got status %d (%s), want %d", resp.status, resp.body, status)
	}
	if ct := resp.header.Get("Content-Type"); ct != "text/xml" {
		tb.Fatalf("query: got Content-Type %q", ct)
	}
	if !bytes.HasPrefix(resp.body, []byte(`<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>`)) {
		tb.Fatalf("query: got %s", resp.body)
	}
	var e xmlErrorResponse
	if err := xml.Unmarshal(resp.body, &e); err != nil {
		tb.Fatalf("query: %v in %s", err, resp.body)
	}
	if e.Error.Type != fault || e.Error.Code != code || (msg != "" && e.Error.Message != msg) || e.Error.Detail == nil ||
		e.RequestId == "" || e.RequestId != resp.header.Get("X-Amzn-Requestid") {
		tb.Fatalf("query: got %s, want %s %s %q", resp.body, fault, code, msg)
	}
}

// TestSQSRequestErrors covers what the edge itself rejects.
func TestSQSRequestErrors(t *testing.T) {
	srv, _ := MustStartSQS(t)
	t.Run("JSON", func(t *testing.T) {
		tests := []struct {
			what, op, body string
			status         int
			typ, query     string
			msg            string
		}{
			{"unknown operation", "Frobnicate", `{}`, 400, "com.amazon.coral.service#UnknownOperationException", "InvalidAction;Sender",
				"The action Frobnicate is not valid for this endpoint."},
			{"malformed", "SendMessage", `{"QueueUrl":`, 400, "com.amazon.coral.service#SerializationException", "SerializationException;Sender", ""},
			{"wrong type", "SendMessage", `{"QueueUrl":5}`, 400, "com.amazon.coral.service#SerializationException", "SerializationException;Sender", ""},
			{"not base64", "SendMessage", `{"QueueUrl":"u","MessageBody":"b","MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"!!"}}}`,
				400, "com.amazon.coral.service#SerializationException", "SerializationException;Sender", ""},
			{"missing queue", "SendMessage", `{"MessageBody":"x"}`, 400, "com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender",
				"The request must contain the parameter QueueUrl."},
			{"missing body", "SendMessage", `{"QueueUrl":"u"}`, 400, "com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender",
				"The request must contain the parameter MessageBody."},
			{"empty body", "ChangeMessageVisibility", ``, 400, "com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender",
				"The request must contain the parameter QueueUrl."},
			{"missing timeout", "ChangeMessageVisibility", `{"QueueUrl":"u","ReceiptHandle":"r"}`, 400, "com.amazonaws.sqs#MissingRequiredParameterException",
				"MissingParameter;Sender", "The request must contain the parameter VisibilityTimeout."},
			{"missing name", "CreateQueue", `null`, 400, "com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender",
				"The request must contain the parameter QueueName."},
		}
		for _, tt := range tests {
			t.Run(tt.what, func(t *testing.T) {
				checkJSONError(t, postJSON(t, srv, tt.op, tt.body), tt.status, tt.typ, tt.query, tt.msg)
			})
		}
	})
	t.Run("query", func(t *testing.T) {
		tests := []struct {
			what, form string
			status     int
			code, msg  string
		}{
			{"missing action", "Version=2012-11-05&QueueUrl=u", 400, "MissingAction", "The request must contain the parameter Action."},
			{"unknown action", "Action=Frobnicate&Version=2012-11-05", 400, "InvalidAction", "The action Frobnicate is not valid for this endpoint."},
			{"malformed", "Action=SendMessage&QueueUrl=%zz", 404, "MalformedQueryString", ""},
			{"not an integer", queryForm("SendMessage", "QueueUrl=u&MessageBody=b&DelaySeconds=soon"), 400, "InvalidParameterValue",
				"Value soon for parameter DelaySeconds is invalid. Reason: Must be an integer."},
			{"not base64", queryForm("SendMessage", "QueueUrl=u&MessageBody=b&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=%21%21"),
				400, "InvalidParameterValue", ""},
			{"missing body", queryForm("SendMessage", "QueueUrl=u"), 400, "MissingParameter", "The request must contain the parameter MessageBody."},
			{"missing handle", queryForm("DeleteMessage", "QueueUrl=u"), 400, "MissingParameter", "The request must contain the parameter ReceiptHandle."},
			{"missing label", queryForm("RemovePermission", "QueueUrl=u"), 400, "MissingParameter", "The request must contain the parameter Label."},
			{"missing source", queryForm("ListMessageMoveTasks", ""), 400, "MissingParameter", "The request must contain the parameter SourceArn."},
		}
		for _, tt := range tests {
			t.Run(tt.what, func(t *testing.T) {
				resp := postSQS(t, srv, "/", map[string]string{
					"Content-Type":  "application/x-www-form-urlencoded",
					"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
				}, tt.form)
				checkQueryError(t, resp, tt.status, "Sender", tt.code, tt.msg)
			})
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := strings.Repeat("a", 8<<20+1)
		checkJSONError(t, postJSON(t, srv, "SendMessage", big), 400, "com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue;Sender", "")
		resp := postSQS(t, srv, "/", map[string]string{
			"Content-Type":  "application/x-www-form-urlencoded",
			"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
		}, big)
		checkQueryError(t, resp, 400, "Sender", "InvalidParameterValue", "")
	})
}

// TestSQSRouting checks how requests that name no service reach SQS.
func TestSQSRouting(t *testing.T) {
	srv, fake := MustStartSQS(t)
	t.Run("signed JSON", func(t *testing.T) {
		resp := postSQS(t, srv, "/", map[string]string{
			"Content-Type":  "application/x-amz-json-1.0",
			"X-Amz-Target":  "AmazonSQS.ListQueues",
			"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
		}, `{}`)
		if resp.status != 200 || !json.Valid(resp.body) {
			t.Fatalf("got %d %s", resp.status, resp.body)
		}
	})
	t.Run("unsigned form", func(t *testing.T) {
		resp := postForm(t, srv, "/", queryForm("ListQueues", "QueueNamePrefix=a"))
		if resp.status != 200 || !bytes.Contains(resp.body, []byte("<ListQueuesResponse")) {
			t.Fatalf("got %d %s", resp.status, resp.body)
		}
		if _, in := fake.last(); in.(*queues.ListQueuesInput).QueueNamePrefix != "a" {
			t.Fatalf("got input %+v", in)
		}
	})
	t.Run("queue URL as the path", func(t *testing.T) {
		resp := postForm(t, srv, "/000000000000/orders", queryForm("SendMessage", "MessageBody=hi"))
		if resp.status != 200 {
			t.Fatalf("got %d %s", resp.status, resp.body)
		}
		_, in := fake.last()
		want := "http://" + strings.TrimPrefix(srv.URL, "http://") + "/000000000000/orders"
		if got := in.(*queues.SendMessageInput).QueueUrl; got != want {
			t.Fatalf("got QueueUrl %q, want %q", got, want)
		}
	})
	t.Run("QueueUrl wins over the path", func(t *testing.T) {
		resp := postForm(t, srv, "/000000000000/other", queryForm("DeleteQueue", "QueueUrl="+url.QueryEscape(testQueueURL)))
		if resp.status != 200 {
			t.Fatalf("got %d %s", resp.status, resp.body)
		}
		if _, in := fake.last(); in.(*queues.QueueInput).QueueUrl != testQueueURL {
			t.Fatalf("got input %+v", in)
		}
	})
	t.Run("unknown action unsigned is not SQS", func(t *testing.T) {
		resp := postForm(t, srv, "/", "Action=Publish&TopicArn=x")
		if resp.status != 400 || !bytes.Contains(resp.body, []byte("UnknownServiceException")) {
			t.Fatalf("got %d %s", resp.status, resp.body)
		}
	})
	t.Run("JSON without a target", func(t *testing.T) {
		resp := postSQS(t, srv, "/", map[string]string{
			"Content-Type":  "application/x-amz-json-1.0",
			"Authorization": sqsSignature,
		}, `{}`)
		checkJSONError(t, resp, 400, "com.amazonaws.sqs#MissingAction", "MissingAction;Sender", "The request must contain the header X-Amz-Target.")
	})
	t.Run("no queue service", func(t *testing.T) {
		bare := httptest.NewServer(&awsapi.Handler{})
		defer bare.Close()
		checkJSONError(t, postJSON(t, bare, "ListQueues", `{}`), 400, "com.amazonaws.sqs#UnsupportedOperation",
			"AWS.SimpleQueueService.UnsupportedOperation;Sender", "")
	})
}

// TestSQSQueryResultsXML checks the XML of each result structurally: the
// envelope, the namespace, the request id, and \r surviving as &#xD;.
func TestSQSQueryResultsXML(t *testing.T) {
	srv, _ := MustStartSQS(t)
	for _, tc := range sqsCases {
		t.Run(tc.what, func(t *testing.T) {
			resp := postForm(t, srv, "/", queryForm(tc.op, tc.form))
			if resp.status != 200 || resp.header.Get("Content-Type") != "text/xml" {
				t.Fatalf("got %d %s", resp.status, resp.body)
			}
			prefix := `<?xml version="1.0"?><` + tc.op + `Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">`
			if !bytes.HasPrefix(resp.body, []byte(prefix)) {
				t.Fatalf("got %s, want it to start with %s", resp.body, prefix)
			}
			suffix := "<ResponseMetadata><RequestId>" + resp.header.Get("X-Amzn-Requestid") + "</RequestId></ResponseMetadata></" + tc.op + "Response>"
			if !bytes.HasSuffix(resp.body, []byte(suffix)) {
				t.Fatalf("got %s, want it to end with %s", resp.body, suffix)
			}
			if err := xmlWellFormed(resp.body); err != nil {
				t.Fatalf("%v in %s", err, resp.body)
			}
		})
	}
	resp := postForm(t, srv, "/", queryForm("ReceiveMessage", "QueueUrl=u"))
	if !bytes.Contains(resp.body, []byte("<Body>line one&#xD;&#xA;line two&#x9;tab &lt;xml&gt; &amp;")) {
		t.Fatalf("got %s, want the body escaped with \\r as &#xD;", resp.body)
	}
	var parsed struct {
		Result struct {
			Message []struct {
				Body             string
				MessageAttribute []struct {
					Name  string
					Value struct {
						StringValue     string
						BinaryValue     string
						StringListValue []string
						DataType        string
					}
				}
				Attribute []struct{ Name, Value string }
			}
		} `xml:"ReceiveMessageResult"`
	}
	if err := xml.Unmarshal(resp.body, &parsed); err != nil {
		t.Fatal(err)
	}
	m := parsed.Result.Message
	if len(m) != 2 || m[0].Body != testBody || len(m[0].MessageAttribute) != 5 || m[0].MessageAttribute[0].Name != "blob" ||
		m[0].MessageAttribute[0].Value.BinaryValue != "AAEC/zw=" || m[0].MessageAttribute[1].Value.StringValue != "blue\r\n<&>" ||
		len(m[0].MessageAttribute[4].Value.StringListValue) != 2 || len(m[0].Attribute) != 3 {
		t.Fatalf("got %+v from %s", parsed, resp.body)
	}
	for _, op := range []string{"DeleteQueue", "SetQueueAttributes"} {
		resp := postForm(t, srv, "/", queryForm(op, "QueueUrl=u"))
		if bytes.Contains(resp.body, []byte(op+"Result")) {
			t.Fatalf("got %s, want no %sResult for an operation without output", resp.body, op)
		}
	}
}

func xmlWellFormed(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// The Python programs below run botocore against eddy's wire format: the
// query protocol with the query model Debian's aws CLI v2 ships (the old
// botocore that still speaks it), and the JSON protocol's error parsing
// with the current botocore.

const oldBotocore = "/usr/lib/python3/dist-packages/awscli"

// botocoreQuery serializes requests (stdin: [[op, params], ...]; stdout:
// the forms) or parses results (stdin: [[op, status, xml], ...]; stdout:
// the parsed results) with the old botocore's query protocol.
const botocoreQuery = `
import base64, json, sys
sys.path.insert(0, sys.argv[1])
from botocore import serialize, parsers
from botocore.model import ServiceModel
model = ServiceModel(json.load(open(sys.argv[1] + '/botocore/data/sqs/2012-11-05/service-2.json')), 'sqs')
jobs = json.load(sys.stdin)

def blobs(v):
    if isinstance(v, dict):
        return {k: (base64.b64decode(x) if k == 'BinaryValue' else
                    [base64.b64decode(b) for b in x] if k == 'BinaryListValues' else blobs(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [blobs(x) for x in v]
    return v

def plain(v):
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != 'ResponseMetadata'}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v

out = []
if sys.argv[2] == 'serialize':
    s = serialize.create_serializer('query')
    for op, params in jobs:
        out.append(s.serialize_to_request(blobs(params), model.operation_model(op))['body'])
else:
    p = parsers.create_parser('query')
    for op, status, body in jobs:
        shape = model.operation_model(op).output_shape
        out.append(plain(p.parse({'status_code': status, 'headers': {}, 'body': body.encode()}, shape)))
json.dump(out, sys.stdout)
`

// runPython runs a program with stdin as JSON and decodes its JSON output,
// or skips the test if the interpreter or module is not there.
func runPython(tb testing.TB, python, program string, in, out any, args ...string) {
	tb.Helper()
	data, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(python, append([]string{"-c", program}, args...)...)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", python, err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		tb.Fatalf("%v in %s", err, stdout)
	}
}

func mustOldBotocore(tb testing.TB) string {
	tb.Helper()
	python := "/usr/bin/python3"
	if _, err := os.Stat(oldBotocore + "/botocore/data/sqs/2012-11-05/service-2.json"); err != nil {
		tb.Skip("the query-protocol botocore of Debian's aws CLI v2 is not installed")
	}
	if err := exec.Command(python, "-c", "import sys; sys.path.insert(0, '"+oldBotocore+"'); import botocore.serialize").Run(); err != nil {
		tb.Skipf("%s cannot import the aws CLI's botocore: %v", python, err)
	}
	return python
}

// TestSQSQueryDecodesBotocoreForms checks that the forms botocore sends in
// the query protocol decode to the same input as the JSON protocol's.
func TestSQSQueryDecodesBotocoreForms(t *testing.T) {
	python := mustOldBotocore(t)
	srv, fake := MustStartSQS(t)
	var jobs [][2]any
	var cases []sqsCase
	for _, tc := range sqsCases {
		if tc.modern {
			continue
		}
		var params map[string]any
		data, _ := json.Marshal(tc.input)
		if err := json.Unmarshal(data, &params); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, [2]any{tc.op, params})
		cases = append(cases, tc)
	}
	var forms []map[string]any
	runPython(t, python, botocoreQuery, jobs, &forms, oldBotocore, "serialize")
	for i, tc := range cases {
		t.Run(tc.what, func(t *testing.T) {
			values := url.Values{}
			for k, v := range forms[i] {
				values.Set(k, fmt.Sprint(v))
			}
			resp := postForm(t, srv, "/", values.Encode())
			if resp.status != 200 {
				t.Fatalf("got %d %s for %s", resp.status, resp.body, values.Encode())
			}
			_, in := fake.last()
			if same, got, want := sameJSON(t, in, tc.input); !same {
				t.Fatalf("got input %s, want %s (form %s)", got, want, values.Encode())
			}
		})
	}
}

// TestSQSQueryResultsParseWithBotocore checks that botocore's query parser
// reads each XML result as the JSON protocol's result, and reads errors.
func TestSQSQueryResultsParseWithBotocore(t *testing.T) {
	python := mustOldBotocore(t)
	srv, fake := MustStartSQS(t)
	var jobs [][3]any
	var wants []any
	for _, tc := range sqsCases {
		if tc.modern {
			continue
		}
		form := queryForm(tc.op, tc.form)
		xmlResp := postForm(t, srv, "/", form)
		jsonResp := postJSON(t, srv, tc.op, mustJSON(t, tc.input))
		if xmlResp.status != 200 || jsonResp.status != 200 {
			t.Fatalf("%s: got %d %s and %d %s", tc.what, xmlResp.status, xmlResp.body, jsonResp.status, jsonResp.body)
		}
		var want any
		if err := json.Unmarshal(jsonResp.body, &want); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, [3]any{tc.op, 200, string(xmlResp.body)})
		wants = append(wants, want)
	}
	fake.setErr(eddy.TypedErrorf(eddy.ENOTFOUND, "QueueDoesNotExist", "The specified queue does not exist."))
	errResp := postForm(t, srv, "/", queryForm("GetQueueUrl", "QueueName=x"))
	jobs = append(jobs, [3]any{"GetQueueUrl", errResp.status, string(errResp.body)})
	wants = append(wants, map[string]any{"Error": map[string]any{"Type": "Sender", "Code": "AWS.SimpleQueueService.NonExistentQueue",
		"Message": "The specified queue does not exist for this wsdl version.", "Detail": nil}})

	var parsed []any
	runPython(t, python, botocoreQuery, jobs, &parsed, oldBotocore, "parse")
	for i := range jobs {
		if !reflect.DeepEqual(normalizeEmpty(parsed[i]), normalizeEmpty(wants[i])) {
			t.Errorf("%s: botocore read %v, want %v\nfrom %s", jobs[i][0], parsed[i], wants[i], jobs[i][2])
		}
	}
}

// normalizeEmpty drops empty maps and lists, which JSON results may carry
// where botocore leaves a member out.
func normalizeEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			x = normalizeEmpty(x)
			if m, ok := x.(map[string]any); ok && len(m) == 0 {
				continue
			}
			if l, ok := x.([]any); ok && len(l) == 0 {
				continue
			}
			out[k] = x
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalizeEmpty(x)
		}
		return out
	}
	return v
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// botocoreJSONErrors parses JSON error responses (stdin: [[status,
// headers, body], ...]) as the current botocore does.
const botocoreJSONErrors = `
import json, sys
from botocore import parsers
p = parsers.create_parser('json')
out = []
for status, headers, body in json.load(sys.stdin):
    parsed = p.parse({'status_code': status, 'headers': {k.lower(): v for k, v in headers.items()}, 'body': body.encode()}, None)
    out.append(parsed['Error'])
json.dump(out, sys.stdout)
`

// TestSQSJSONErrorsWithBotocore checks that botocore reports the query
// codes of JSON errors, as boto3's users match them.
func TestSQSJSONErrorsWithBotocore(t *testing.T) {
	if testing.Short() {
		t.Skip("drives botocore; runs without -short")
	}
	if out, err := exec.Command("python3", "-c", "import botocore.parsers").CombinedOutput(); err != nil {
		if os.Getenv("EDDY_REQUIRE_BOTO3") == "1" {
			t.Fatalf("botocore is not installed: %s", out)
		}
		t.Skip("botocore is not installed")
	}
	srv, fake := MustStartSQS(t)
	errs := []error{
		eddy.TypedErrorf(eddy.ENOTFOUND, "QueueDoesNotExist", "The specified queue does not exist."),
		eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValue", "Value 11 for parameter MaxNumberOfMessages is invalid."),
		eddy.TypedErrorf(eddy.EINVALID, "BatchEntryIdsNotDistinct", "Id a repeated."),
		errors.New("boom"),
	}
	want := []map[string]string{
		{"Code": "AWS.SimpleQueueService.NonExistentQueue", "QueryErrorCode": "QueueDoesNotExist", "Type": "Sender", "Message": "The specified queue does not exist."},
		{"Code": "InvalidParameterValue", "QueryErrorCode": "InvalidParameterValueException", "Type": "Sender", "Message": "Value 11 for parameter MaxNumberOfMessages is invalid."},
		{"Code": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "QueryErrorCode": "BatchEntryIdsNotDistinct", "Type": "Sender", "Message": "Id a repeated."},
		{"Code": "InternalFailure", "QueryErrorCode": "InternalFailure", "Type": "Receiver", "Message": "We encountered an internal error. Please try again."},
	}
	var jobs [][3]any
	for _, err := range errs {
		fake.setErr(err)
		resp := postJSON(t, srv, "GetQueueUrl", `{"QueueName":"q"}`)
		headers := map[string]string{}
		for k := range resp.header {
			headers[k] = resp.header.Get(k)
		}
		jobs = append(jobs, [3]any{resp.status, headers, string(resp.body)})
	}
	var got []map[string]string
	runPython(t, "python3", botocoreJSONErrors, jobs, &got)
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("for %v: botocore read %v, want %v", errs[i], got[i], want[i])
		}
	}
}

// TestSQSJSONEmptyResults checks the members SQS sends even when empty.
func TestSQSJSONEmptyResults(t *testing.T) {
	srv, fake := MustStartSQS(t)
	fake.outs["ReceiveMessage"] = &queues.ReceiveMessageOutput{}
	fake.outs["DeleteMessageBatch"] = &queues.BatchOutput{}
	fake.outs["SendMessageBatch"] = &queues.SendMessageBatchOutput{}
	fake.outs["ListDeadLetterSourceQueues"] = &queues.ListDeadLetterSourceQueuesOutput{}
	fake.outs["ListQueues"] = &queues.ListQueuesOutput{}
	tests := []struct{ op, body, want string }{
		{"ReceiveMessage", `{"QueueUrl":"u"}`, `{"Messages":[]}`},
		{"DeleteMessageBatch", `{"QueueUrl":"u","Entries":[]}`, `{"Successful":[],"Failed":[]}`},
		{"SendMessageBatch", `{"QueueUrl":"u","Entries":[]}`, `{"Successful":[],"Failed":[]}`},
		{"ListDeadLetterSourceQueues", `{"QueueUrl":"u"}`, `{"queueUrls":[]}`},
		{"DeleteQueue", `{"QueueUrl":"u"}`, `{}`},
		{"ListQueues", `{}`, `{}`},
	}
	for _, tt := range tests {
		resp := postJSON(t, srv, tt.op, tt.body)
		if resp.status != 200 || string(resp.body) != tt.want {
			t.Errorf("%s: got %d %s, want %s", tt.op, resp.status, resp.body, tt.want)
		}
	}
}
