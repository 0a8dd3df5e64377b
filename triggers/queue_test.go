package triggers_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/queues"
	"github.com/eddyserverless/eddy/triggers"
)

func msg(id, group string) queues.Message {
	m := queues.Message{MessageId: id, ReceiptHandle: "rh-" + id, Body: id}
	if group != "" {
		m.Attributes = map[string]string{"MessageGroupId": group}
	}
	return m
}

func TestQueueSettle(t *testing.T) {
	std := []queues.Message{msg("a", ""), msg("b", ""), msg("c", "")}
	fifo := []queues.Message{msg("a1", "A"), msg("b1", "B"), msg("a2", "A"), msg("a3", "A"), msg("b2", "B")}
	ok := func(payload string) *eddy.InvokeResult {
		return &eddy.InvokeResult{StatusCode: 200, Payload: []byte(payload)}
	}
	failed := &eddy.InvokeResult{StatusCode: 200, FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"x"}`)}
	for _, tc := range []struct {
		name    string
		batch   []queues.Message
		res     *eddy.InvokeResult
		reports bool
		fifo    bool
		want    []string
	}{
		{"success", std, ok(`{"batchItemFailures":[{"itemIdentifier":"b"}]}`), false, false, []string{"a", "b", "c"}},
		{"function error", std, failed, false, false, nil},
		{"function error, reporting", std, failed, true, false, nil},
		{"empty response", std, ok(``), true, false, []string{"a", "b", "c"}},
		{"null response", std, ok(`null`), true, false, []string{"a", "b", "c"}},
		{"empty object", std, ok(`{}`), true, false, []string{"a", "b", "c"}},
		{"null list", std, ok(`{"batchItemFailures":null}`), true, false, []string{"a", "b", "c"}},
		{"empty list", std, ok(`{"batchItemFailures":[]}`), true, false, []string{"a", "b", "c"}},
		{"one failed", std, ok(`{"batchItemFailures":[{"itemIdentifier":"b"}]}`), true, false, []string{"a", "c"}},
		{"two failed", std, ok(`{"batchItemFailures":[{"itemIdentifier":"c"},{"itemIdentifier":"a"}]}`), true, false, []string{"b"}},
		{"failed twice", std, ok(`{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"a"}]}`), true, false, []string{"b", "c"}},
		{"all failed", std, ok(`{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"},{"itemIdentifier":"c"}]}`), true, false, nil},
		{"unknown id", std, ok(`{"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"zzz"}]}`), true, false, nil},
		{"receipt handle as id", std, ok(`{"batchItemFailures":[{"itemIdentifier":"rh-b"}]}`), true, false, nil},
		{"empty id", std, ok(`{"batchItemFailures":[{"itemIdentifier":""}]}`), true, false, nil},
		{"null id", std, ok(`{"batchItemFailures":[{"itemIdentifier":null}]}`), true, false, nil},
		{"missing id", std, ok(`{"batchItemFailures":[{"foo":"notvalid"}]}`), true, false, nil},
		{"not JSON", std, ok(`{"batchItemFailures":[`), true, false, nil},
		{"not an object", std, ok(`"done"`), true, false, nil},
		{"fifo: failure holds its group back", fifo, ok(`{"batchItemFailures":[{"itemIdentifier":"a2"}]}`), true, true, []string{"a1", "b1", "b2"}},
		{"fifo: first of a group", fifo, ok(`{"batchItemFailures":[{"itemIdentifier":"b1"}]}`), true, true, []string{"a1", "a2", "a3"}},
		{"fifo: every group", fifo, ok(`{"batchItemFailures":[{"itemIdentifier":"a1"},{"itemIdentifier":"b2"}]}`), true, true, []string{"b1"}},
		{"fifo: success", fifo, ok(`{"batchItemFailures":[]}`), true, true, []string{"a1", "b1", "a2", "a3", "b2"}},
		{"standard queue with groups", fifo, ok(`{"batchItemFailures":[{"itemIdentifier":"a2"}]}`), true, false, []string{"a1", "b1", "a3", "b2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := triggers.Settle(tc.batch, tc.res, tc.reports, tc.fifo); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestQueueRecord checks that a message becomes the record Lambda sends,
// and that aws-lambda-go reads it back, field by field, as it reads its
// own sample SQS event.
func TestQueueRecord(t *testing.T) {
	str := func(s string) *string { return &s }
	m := queues.Message{
		MessageId: "MessageID_1", ReceiptHandle: "MessageReceiptHandle", Body: "Message Body",
		MD5OfBody: "fce0ea8dd236ccb3ed9b37dae260836f", MD5OfMessageAttributes: "582c92c5c5b6ac403040a4f3ab3115c9",
		Attributes: map[string]string{
			"ApproximateReceiveCount": "2", "SentTimestamp": "1520621625029",
			"SenderId": "AROAIWPX5BD2BHG722MW4:sender", "ApproximateFirstReceiveTimestamp": "1520621634884",
		},
		MessageAttributes: map[string]queues.MessageAttributeValue{
			"Attribute3": {DataType: "Binary", BinaryValue: []byte("1100"), StringListValues: []string{"abc", "123"}, BinaryListValues: [][]byte{[]byte("0"), []byte("1"), []byte("0")}},
			"Attribute2": {DataType: "Number", StringValue: str("123"), BinaryListValues: [][]byte{[]byte("1"), []byte("0")}},
			"Attribute1": {DataType: "String", StringValue: str("AttributeValue1")},
		},
	}
	data, err := triggers.QueueRecord(m, "arn:aws:sqs:us-west-2:123456789012:SQSQueue", "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	var got events.SQSMessage
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	sample, err := os.ReadFile(filepath.Join(lambdaEventsDir(t), "testdata", "sqs-event.json"))
	if err != nil {
		t.Skipf("aws-lambda-go sample not found: %v", err)
	}
	var want events.SQSEvent
	if err := json.Unmarshal(sample, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want.Records[0]) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want.Records[0])
	}
	// Member names and order as Lambda writes them.
	var keys []string
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		_ = dec.Decode(&skip)
	}
	want2 := []string{"messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfMessageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"}
	if !slices.Equal(keys, want2) {
		t.Errorf("got members %v, want %v", keys, want2)
	}

	// Without message attributes: an empty object, and no digest of them.
	data, err = triggers.QueueRecord(queues.Message{MessageId: "m", Body: "b", MD5OfBody: "x"}, "arn:aws:sqs:us-east-1:000000000000:q", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	var plain map[string]any
	_ = json.Unmarshal(data, &plain)
	if _, ok := plain["md5OfMessageAttributes"]; ok {
		t.Errorf("got md5OfMessageAttributes without attributes: %s", data)
	}
	if a, ok := plain["messageAttributes"].(map[string]any); !ok || len(a) != 0 {
		t.Errorf("messageAttributes: got %v, want {}", plain["messageAttributes"])
	}
	if a, ok := plain["attributes"].(map[string]any); !ok || len(a) != 0 {
		t.Errorf("attributes: got %v, want {}", plain["attributes"])
	}
}

// lambdaEventsDir finds aws-lambda-go's events package in the module cache.
func lambdaEventsDir(t *testing.T) string {
	t.Helper()
	out, err := goList("github.com/aws/aws-lambda-go/events")
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	return out
}

func TestQueueFilters(t *testing.T) {
	record := func(body string) []byte {
		data, err := triggers.QueueRecord(queues.Message{MessageId: "m", Body: body,
			Attributes: map[string]string{"ApproximateReceiveCount": "1"}}, "arn:aws:sqs:us-east-1:000000000000:q", "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, tc := range []struct {
		patterns []string
		body     string
		want     bool
	}{
		{nil, "anything", true},
		{[]string{`{"body":{"kind":["keep"]}}`}, `{"kind":"keep"}`, true},
		{[]string{`{"body":{"kind":["keep"]}}`}, `{"kind":"drop"}`, false},
		{[]string{`{"body":{"kind":["keep"]}}`}, `kind keep`, false},
		{[]string{`{"body":{"n":[{"numeric":[">",100]}]}}`}, `{"n":105}`, true},
		{[]string{`{"body":{"n":[{"numeric":[">",100]}]}}`}, `this is a test string`, false},
		{[]string{`{"body":[{"prefix":"Result: "}]}`}, `Result: ok`, true},
		{[]string{`{"body":[{"prefix":"Result: "}]}`}, `{"Result":"ok"}`, false},
		{[]string{`{"attributes":{"ApproximateReceiveCount":["1"]}}`}, `plain`, true},
		{[]string{`{"body":{"kind":["a"]}}`, `{"body":{"kind":["b"]}}`}, `{"kind":"b"}`, true},
		{[]string{`{"body":{"kind":[{"exists":false}]}}`}, `{"other":1}`, true},
	} {
		got, err := triggers.MatchQueueRecord(tc.patterns, record(tc.body))
		if err != nil || got != tc.want {
			t.Errorf("%v on %s: got %v, %v; want %v", tc.patterns, tc.body, got, err, tc.want)
		}
	}
}

func TestQueueMappingValidation(t *testing.T) {
	const std, fifo = "arn:aws:sqs:us-east-1:000000000000:q", "arn:aws:sqs:us-east-1:000000000000:q.fifo"
	n := func(v int) *int { return &v }
	b := func(v bool) *bool { return &v }
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		name string
		arn  string
		in   eddy.EventSourceMappingInput
		want string // error message ("" for none)
	}{
		{"defaults", std, eddy.EventSourceMappingInput{}, ""},
		{"batch 10000 with window", std, eddy.EventSourceMappingInput{BatchSize: n(10000), MaximumBatchingWindowInSeconds: n(1)}, ""},
		{"batch 11 without window", std, eddy.EventSourceMappingInput{BatchSize: n(11)}, "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"},
		{"batch 0", std, eddy.EventSourceMappingInput{BatchSize: n(0)}, "Member must have value greater than or equal to 1"},
		{"batch 10001", std, eddy.EventSourceMappingInput{BatchSize: n(10001), MaximumBatchingWindowInSeconds: n(5)}, "Member must have value less than or equal to 10000"},
		{"window 301", std, eddy.EventSourceMappingInput{MaximumBatchingWindowInSeconds: n(301)}, "Member must have value less than or equal to 300"},
		{"fifo window", fifo, eddy.EventSourceMappingInput{MaximumBatchingWindowInSeconds: n(1)}, "Batching window is not supported for FIFO queues."},
		{"fifo window 0", fifo, eddy.EventSourceMappingInput{BatchSize: n(10), MaximumBatchingWindowInSeconds: n(0)}, ""},
		{"fifo batch 11", fifo, eddy.EventSourceMappingInput{BatchSize: n(11)}, "Maximum batch window in seconds must be greater than 0"},
		{"starting position", std, eddy.EventSourceMappingInput{StartingPosition: "LATEST"}, "StartingPosition is not valid for SQS event sources."},
		{"parallelization", std, eddy.EventSourceMappingInput{ParallelizationFactor: n(1)}, "Unsupported ParallelizationFactor parameter"},
		{"retries", std, eddy.EventSourceMappingInput{MaximumRetryAttempts: n(1)}, "Unsupported MaximumRetryAttempts parameter"},
		{"record age", std, eddy.EventSourceMappingInput{MaximumRecordAgeInSeconds: n(60)}, "Unsupported MaximumRecordAgeInSeconds parameter"},
		{"bisect", std, eddy.EventSourceMappingInput{BisectBatchOnFunctionError: b(false)}, "Unsupported BisectBatchOnFunctionError parameter"},
		{"tumbling", std, eddy.EventSourceMappingInput{TumblingWindowInSeconds: n(0)}, "Unsupported TumblingWindowInSeconds parameter"},
		{"on failure", std, eddy.EventSourceMappingInput{OnFailure: s("arn:aws:sqs:us-east-1:000000000000:dlq")}, "Unsupported DestinationConfig parameter"},
		{"empty destination", std, eddy.EventSourceMappingInput{OnFailure: s("")}, ""},
		{"concurrency 2", std, eddy.EventSourceMappingInput{ScalingConfig: &eddy.ScalingConfig{MaximumConcurrency: n(2)}}, ""},
		{"concurrency 1", std, eddy.EventSourceMappingInput{ScalingConfig: &eddy.ScalingConfig{MaximumConcurrency: n(1)}}, "Member must have value greater than or equal to 2"},
		{"concurrency 1001", std, eddy.EventSourceMappingInput{ScalingConfig: &eddy.ScalingConfig{MaximumConcurrency: n(1001)}}, "Member must have value less than or equal to 1000"},
		{"report failures", std, eddy.EventSourceMappingInput{FunctionResponseTypes: &[]string{"ReportBatchItemFailures"}}, ""},
		{"bad response type", std, eddy.EventSourceMappingInput{FunctionResponseTypes: &[]string{"Bogus"}}, "enum value set"},
		{"filter", std, eddy.EventSourceMappingInput{Filters: &[]string{`{"body":{"a":["b"]}}`}}, ""},
		{"bad filter", std, eddy.EventSourceMappingInput{Filters: &[]string{`{"body":"b"}`}}, "Invalid filter pattern definition."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := triggers.NewQueueMapping(tc.arn, &tc.in)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(eddy.ErrorMessage(err), tc.want)):
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if tc.name == "defaults" && (m.BatchSize != 10 || m.MaximumBatchingWindowInSeconds != 0 || m.MaximumConcurrency != 0 || m.StartingPosition != "") {
				t.Errorf("defaults: got %+v", m)
			}
			if tc.name == "concurrency 2" && m.MaximumConcurrency != 2 {
				t.Errorf("got MaximumConcurrency %d, want 2", m.MaximumConcurrency)
			}
		})
	}
}

func goList(pkg string) (string, error) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", pkg).Output()
	return strings.TrimSpace(string(out)), err
}
