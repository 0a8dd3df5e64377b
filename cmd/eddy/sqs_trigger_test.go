package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// MustQueueARN creates a queue and returns its URL and ARN.
func MustQueueARN(tb testing.TB, q *sqs.Client, name string, attrs map[string]string) (string, string) {
	tb.Helper()
	ctx := context.Background()
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		tb.Fatalf("create queue %s: %v", name, err)
	}
	a, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		tb.Fatalf("queue %s attributes: %v", name, err)
	}
	return aws.ToString(out.QueueUrl), a.Attributes["QueueArn"]
}

// MustSend sends messages with the given bodies, in order, and returns
// their ids.
func MustSend(tb testing.TB, q *sqs.Client, url string, group string, bodies ...string) []string {
	tb.Helper()
	var ids []string
	for _, b := range bodies {
		in := &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b)}
		if group != "" {
			in.MessageGroupId = aws.String(group)
		}
		out, err := q.SendMessage(context.Background(), in)
		if err != nil {
			tb.Fatalf("send %s: %v", b, err)
		}
		ids = append(ids, aws.ToString(out.MessageId))
	}
	return ids
}

// MustSQSFunction creates a function from testdata/sqsfn that records the
// events it receives in a directory, and returns the directory.
func MustSQSFunction(tb testing.TB, c *lambda.Client, name string) string {
	tb.Helper()
	dir := tb.TempDir()
	MustCreate(tb, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{ZipFile: MustSQSFunctionZip(tb)}, Timeout: aws.Int32(10),
		Environment: &types.Environment{Variables: map[string]string{"SQSFN_DIR": dir}},
	})
	return dir
}

// MustSQSFunctionZip builds testdata/sqsfn for Linux and returns it zipped as
// "bootstrap".
func MustSQSFunctionZip(tb testing.TB) []byte {
	tb.Helper()
	return MustTestdataZip(tb, "sqsfn")
}

// MustTestdataZip builds the Go function in testdata/DIR for Linux, once
// per test binary, and returns it zipped as "bootstrap".
func MustTestdataZip(tb testing.TB, dir string) []byte {
	tb.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	key := "testdata/" + dir
	if z, ok := buildCache[key]; ok {
		return z
	}
	out := filepath.Join(tb.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./"+key)
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build %s: %v\n%s", dir, err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	z := MustZip(tb, map[string]zipEntry{"bootstrap": {data: bin, mode: 0o755}})
	buildCache[key] = z
	return z
}

// MustQueueMapping creates a queue mapping and fails the test on error.
func MustQueueMapping(tb testing.TB, c *lambda.Client, in *lambda.CreateEventSourceMappingInput) *lambda.CreateEventSourceMappingOutput {
	tb.Helper()
	out, err := c.CreateEventSourceMapping(context.Background(), in)
	if err != nil {
		tb.Fatalf("create event source mapping: %v", err)
	}
	return out
}

// sqsEvents returns the events a function received, in the order its
// invocations started. ok is false while a file is still being written.
func sqsEvents(dir string) ([]events.SQSEvent, bool) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	out := make([]events.SQSEvent, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, false
		}
		var e events.SQSEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, false
		}
		out = append(out, e)
	}
	return out, true
}

func sqsRecords(es []events.SQSEvent) []events.SQSMessage {
	var out []events.SQSMessage
	for _, e := range es {
		out = append(out, e.Records...)
	}
	return out
}

// waitSQSRecords waits until the function has received at least n
// records and returns its events.
func waitSQSRecords(t *testing.T, dir string, n int) []events.SQSEvent {
	t.Helper()
	var got []events.SQSEvent
	waitFor(t, 30*time.Second, fmt.Sprintf("%d records in %s", n, dir), func() bool {
		es, ok := sqsEvents(dir)
		got = es
		return ok && len(sqsRecords(es)) >= n
	})
	return got
}

// queueCount returns the messages of a queue: visible, in flight and
// delayed.
func queueCount(t *testing.T, q *sqs.Client, url string) int {
	t.Helper()
	out, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible, sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed}})
	if err != nil {
		t.Fatalf("queue attributes: %v", err)
	}
	n := 0
	for _, v := range out.Attributes {
		k, _ := strconv.Atoi(v)
		n += k
	}
	return n
}

// waitQueueEmpty waits until every message of a queue is deleted.
func waitQueueEmpty(t *testing.T, q *sqs.Client, url string) {
	t.Helper()
	waitFor(t, 30*time.Second, "an empty queue "+url, func() bool { return queueCount(t, q, url) == 0 })
}

// deliveries returns the receive counts with which each body was
// delivered, in order.
func deliveries(rs []events.SQSMessage) map[string][]string {
	out := map[string][]string{}
	for _, r := range rs {
		out[r.Body] = append(out[r.Body], r.Attributes["ApproximateReceiveCount"])
	}
	for _, counts := range out {
		slices.Sort(counts) // a redelivery may finish before the delivery it repeats
	}
	return out
}

// maxOverlap returns the most invocations a function ran at once, from
// the spans sqsfn appends.
func maxOverlap(t *testing.T, dir string) int {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "spans"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type edge struct {
		at    int64
		delta int
	}
	var edges []edge
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var start, end int64
		if _, err := fmt.Sscan(sc.Text(), &start, &end); err == nil {
			edges = append(edges, edge{start, 1}, edge{end, -1})
		}
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at != edges[j].at {
			return edges[i].at < edges[j].at
		}
		return edges[i].delta < edges[j].delta
	})
	n, most := 0, 0
	for _, e := range edges {
		n += e.delta
		most = max(most, n)
	}
	return most
}

func TestQueueTrigger(t *testing.T) {
	m := MustStartMain(t, Config{})
	c, q := MustLambda(t, m), MustSQS(t, m.URL())
	ctx := context.Background()
	// Short enough that retries come quickly, long enough that a cold start
	// on a loaded machine ends before the batch is received again.
	fast := map[string]string{"VisibilityTimeout": "3"}
	reportFailures := []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures}

	t.Run("event shape", func(t *testing.T) {
		t.Parallel()
		url, arn := MustQueueARN(t, q, "shape", nil)
		dir := MustSQSFunction(t, c, "shape-fn")
		sent, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(`{"hello":"queue"}`),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{
				"Title":   {DataType: aws.String("String"), StringValue: aws.String("The Whistler")},
				"WeeksOn": {DataType: aws.String("Number"), StringValue: aws.String("6")},
				"Blob":    {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 250}},
			}})
		if err != nil {
			t.Fatal(err)
		}
		plain := MustSend(t, q, url, "", "plain text")[0]
		out := MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("shape-fn"), EventSourceArn: aws.String(arn)})
		if aws.ToString(out.State) != "Creating" || aws.ToInt32(out.BatchSize) != 10 || aws.ToInt32(out.MaximumBatchingWindowInSeconds) != 0 ||
			aws.ToString(out.StateTransitionReason) != "USER_INITIATED" || out.StartingPosition != "" || out.ParallelizationFactor != nil ||
			out.MaximumRetryAttempts != nil || out.MaximumRecordAgeInSeconds != nil || out.BisectBatchOnFunctionError != nil ||
			out.DestinationConfig != nil || out.LastProcessingResult != nil || out.ScalingConfig != nil ||
			aws.ToString(out.EventSourceArn) != arn || aws.ToString(out.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:shape-fn" {
			t.Errorf("create: got %+v", out)
		}
		rs := sqsRecords(waitSQSRecords(t, dir, 2))
		waitQueueEmpty(t, q, url)
		if len(rs) != 2 {
			t.Fatalf("got %d records, want 2", len(rs))
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].Body < rs[j].Body })
		r := rs[1]
		if r.MessageId != aws.ToString(sent.MessageId) || r.ReceiptHandle == "" || r.Body != `{"hello":"queue"}` ||
			r.Md5OfBody != aws.ToString(sent.MD5OfMessageBody) || r.Md5OfMessageAttributes != aws.ToString(sent.MD5OfMessageAttributes) ||
			r.EventSource != "aws:sqs" || r.EventSourceARN != arn || r.AWSRegion != "us-east-1" {
			t.Errorf("record: got %+v", r)
		}
		for _, k := range []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} {
			if r.Attributes[k] == "" {
				t.Errorf("attributes: got %v, want %s", r.Attributes, k)
			}
		}
		if r.Attributes["ApproximateReceiveCount"] != "1" {
			t.Errorf("ApproximateReceiveCount: got %s, want 1", r.Attributes["ApproximateReceiveCount"])
		}
		a := r.MessageAttributes
		if aws.ToString(a["Title"].StringValue) != "The Whistler" || a["Title"].DataType != "String" ||
			aws.ToString(a["WeeksOn"].StringValue) != "6" || a["WeeksOn"].DataType != "Number" ||
			string(a["Blob"].BinaryValue) != string([]byte{0, 1, 2, 250}) || a["Blob"].DataType != "Binary" {
			t.Errorf("message attributes: got %+v", a)
		}
		p := rs[0]
		if p.MessageId != plain || p.Body != "plain text" || len(p.MessageAttributes) != 0 || p.Md5OfMessageAttributes != "" {
			t.Errorf("plain record: got %+v", p)
		}
		got := mustGetMapping(t, c, aws.ToString(out.UUID))
		if aws.ToString(got.State) != "Enabled" || got.LastProcessingResult != nil || got.ParallelizationFactor != nil {
			t.Errorf("get: got %+v", got)
		}
	})

	t.Run("all succeed", func(t *testing.T) {
		t.Parallel()
		url, arn := MustQueueARN(t, q, "ok", nil)
		dir := MustSQSFunction(t, c, "ok-fn")
		MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("ok-fn"), EventSourceArn: aws.String(arn)})
		var bodies []string
		for i := 0; i < 35; i++ {
			bodies = append(bodies, fmt.Sprint("m", i))
		}
		MustSend(t, q, url, "", bodies...)
		es := waitSQSRecords(t, dir, len(bodies))
		waitQueueEmpty(t, q, url)
		got := deliveries(sqsRecords(es))
		for _, b := range bodies {
			if !slices.Equal(got[b], []string{"1"}) {
				t.Errorf("%s: got receive counts %v, want one delivery", b, got[b])
			}
		}
		for _, e := range es {
			if len(e.Records) > 10 {
				t.Errorf("got a batch of %d, want at most 10", len(e.Records))
			}
		}
	})

	t.Run("function error returns the whole batch", func(t *testing.T) {
		t.Parallel()
		url, arn := MustQueueARN(t, q, "errors", fast)
		dir := MustSQSFunction(t, c, "errors-fn")
		MustSend(t, q, url, "", `{"fail":"error","times":2}`, `{"fine":true}`)
		MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("errors-fn"), EventSourceArn: aws.String(arn),
			FunctionResponseTypes: reportFailures})
		es := waitSQSRecords(t, dir, 6)
		waitQueueEmpty(t, q, url)
		got := deliveries(sqsRecords(es))
		for _, b := range []string{`{"fail":"error","times":2}`, `{"fine":true}`} {
			if !slices.Equal(got[b], []string{"1", "2", "3"}) {
				t.Errorf("%s: got receive counts %v, want 1 2 3", b, got[b])
			}
		}
	})

	t.Run("partial batch response", func(t *testing.T) {
		t.Parallel()
		url, arn := MustQueueARN(t, q, "partial", fast)
		dir := MustSQSFunction(t, c, "partial-fn")
		MustSend(t, q, url, "", "a", `{"fail":"item","times":1}`, "c")
		MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("partial-fn"), EventSourceArn: aws.String(arn),
			FunctionResponseTypes: reportFailures})
		es := waitSQSRecords(t, dir, 4)
		waitQueueEmpty(t, q, url)
		if len(es[0].Records) != 3 {
			t.Fatalf("got a first batch of %d, want all 3 messages", len(es[0].Records))
		}
		got := deliveries(sqsRecords(es))
		if !slices.Equal(got["a"], []string{"1"}) || !slices.Equal(got["c"], []string{"1"}) || !slices.Equal(got[`{"fail":"item","times":1}`], []string{"1", "2"}) {
			t.Errorf("got receive counts %v, want a and c once, the failed message twice", got)
		}
	})

	t.Run("partial batch response ignored without ReportBatchItemFailures", func(t *testing.T) {
		t.Parallel()
		url, arn := MustQueueARN(t, q, "noreport", fast)
		dir := MustSQSFunction(t, c, "noreport-fn")
		MustSend(t, q, url, "", `{"fail":"item"}`)
		MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("noreport-fn"), EventSourceArn: aws.String(arn)})
		waitSQSRecords(t, dir, 1)
		waitQueueEmpty(t, q, url)
	})

	for _, mode := range []string{"bad-id", "no-id"} {
		t.Run("malformed partial batch response: "+mode, func(t *testing.T) {
			t.Parallel()
			url, arn := MustQueueARN(t, q, "malformed-"+mode, fast)
			dir := MustSQSFunction(t, c, "malformed-"+mode+"-fn")
			bad := `{"fail":"` + mode + `","times":1}`
			MustSend(t, q, url, "", bad, "good")
			MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("malformed-" + mode + "-fn"), EventSourceArn: aws.String(arn),
				FunctionResponseTypes: reportFailures})
			es := waitSQSRecords(t, dir, 4)
			waitQueueEmpty(t, q, url)
			got := deliveries(sqsRecords(es))
			if !slices.Equal(got[bad], []string{"1", "2"}) || !slices.Equal(got["good"], []string{"1", "2"}) {
				t.Errorf("got receive counts %v, want both messages twice (the whole batch retried)", got)
			}
		})
	}

	t.Run("FIFO order under failure", func(t *testing.T) {
		t.Parallel()
		// A visibility timeout long enough for a cold start on a loaded
		// machine: a batch still running when it ends is received again,
		// as SQS does, and the receive counts below would differ.
		url, arn := MustQueueARN(t, q, "order.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "4"})
		dir := MustSQSFunction(t, c, "order-fn")
		MustSend(t, q, url, "g1", "m1", `{"m":2,"fail":"item","times":1}`, "m3")
		MustSend(t, q, url, "g2", "n1", "n2")
		MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("order-fn"), EventSourceArn: aws.String(arn),
			FunctionResponseTypes: reportFailures})
		es := waitSQSRecords(t, dir, 7)
		waitQueueEmpty(t, q, url)
		byGroup := map[string][]string{}
		for _, r := range sqsRecords(es) {
			g := r.Attributes["MessageGroupId"]
			byGroup[g] = append(byGroup[g], r.Body+"#"+r.Attributes["ApproximateReceiveCount"])
			if r.Attributes["SequenceNumber"] == "" || r.Attributes["MessageDeduplicationId"] == "" {
				t.Errorf("FIFO attributes: got %v", r.Attributes)
			}
		}
		m2 := `{"m":2,"fail":"item","times":1}`
		if want := []string{"m1#1", m2 + "#1", "m3#1", m2 + "#2", "m3#2"}; !slices.Equal(byGroup["g1"], want) {
			t.Errorf("group g1: got %v, want %v", byGroup["g1"], want)
		}
		if want := []string{"n1#1", "n2#1"}; !slices.Equal(byGroup["g2"], want) {
			t.Errorf("group g2: got %v, want %v", byGroup["g2"], want)
		}
	})

	t.Run("filter criteria", func(t *testing.T) {
		t.Parallel()
		url, arn := MustQueueARN(t, q, "filtered", nil)
		dir := MustSQSFunction(t, c, "filtered-fn")
		MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("filtered-fn"), EventSourceArn: aws.String(arn),
			FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{
				{Pattern: aws.String(`{"body":{"kind":["keep"]}}`)},
				{Pattern: aws.String(`{"body":[{"prefix":"keep "}]}`)},
			}}})
		MustSend(t, q, url, "", `{"kind":"drop"}`, `{"kind":"keep"}`, "plain text", "keep this text", `{"other":1}`)
		waitQueueEmpty(t, q, url)
		es := waitSQSRecords(t, dir, 2)
		var got []string
		for _, r := range sqsRecords(es) {
			got = append(got, r.Body)
		}
		sort.Strings(got)
		if want := []string{"keep this text", `{"kind":"keep"}`}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})

	t.Run("dead-letter queue after maxReceiveCount", func(t *testing.T) {
		t.Parallel()
		dlqURL, dlqARN := MustQueueARN(t, q, "poison-dlq", nil)
		url, arn := MustQueueARN(t, q, "poison", map[string]string{"VisibilityTimeout": "1",
			"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":2}`})
		dir := MustSQSFunction(t, c, "poison-fn")
		MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("poison-fn"), EventSourceArn: aws.String(arn)})
		id := MustSend(t, q, url, "", `{"fail":"error"}`)[0]
		var moved []sqstypes.Message
		waitFor(t, 30*time.Second, "the message in the dead-letter queue", func() bool {
			out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlqURL), WaitTimeSeconds: 1})
			if err != nil {
				t.Fatal(err)
			}
			moved = out.Messages
			return len(moved) > 0
		})
		if aws.ToString(moved[0].MessageId) != id || aws.ToString(moved[0].Body) != `{"fail":"error"}` {
			t.Errorf("dead-letter queue: got %+v", moved[0])
		}
		waitQueueEmpty(t, q, url)
		es, _ := sqsEvents(dir)
		if got := deliveries(sqsRecords(es))[`{"fail":"error"}`]; !slices.Equal(got, []string{"1", "2"}) {
			t.Errorf("got receive counts %v, want 1 2", got)
		}
	})

	t.Run("maximum concurrency", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name      string
			scaling   *types.ScalingConfig
			low, high int
		}{
			{"limited", &types.ScalingConfig{MaximumConcurrency: aws.Int32(2)}, 2, 2},
			{"unlimited", nil, 3, 5},
		} {
			url, arn := MustQueueARN(t, q, "busy-"+tc.name, nil)
			dir := MustSQSFunction(t, c, "busy-"+tc.name+"-fn")
			out := MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("busy-" + tc.name + "-fn"), EventSourceArn: aws.String(arn),
				BatchSize: aws.Int32(1), ScalingConfig: tc.scaling})
			if tc.scaling != nil && (out.ScalingConfig == nil || aws.ToInt32(out.ScalingConfig.MaximumConcurrency) != 2) {
				t.Errorf("%s: got ScalingConfig %+v, want MaximumConcurrency 2", tc.name, out.ScalingConfig)
			}
			var bodies []string
			for i := 0; i < 15; i++ {
				bodies = append(bodies, `{"sleep_ms":300}`)
			}
			MustSend(t, q, url, "", bodies...)
			waitSQSRecords(t, dir, len(bodies))
			waitQueueEmpty(t, q, url)
			waitFor(t, 10*time.Second, "every span", func() bool { return len(lines(filepath.Join(dir, "spans"))) >= len(bodies) })
			if got := maxOverlap(t, dir); got < tc.low || got > tc.high {
				t.Errorf("%s: got %d invocations at once, want %d to %d", tc.name, got, tc.low, tc.high)
			}
		}
	})

	t.Run("batching window", func(t *testing.T) {
		t.Parallel()
		url, arn := MustQueueARN(t, q, "window", nil)
		dir := MustSQSFunction(t, c, "window-fn")
		MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("window-fn"), EventSourceArn: aws.String(arn),
			BatchSize: aws.Int32(100), MaximumBatchingWindowInSeconds: aws.Int32(2), ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(2)}})
		var bodies []string
		for i := 0; i < 25; i++ {
			bodies = append(bodies, fmt.Sprint("w", i))
		}
		MustSend(t, q, url, "", bodies...)
		es := waitSQSRecords(t, dir, len(bodies))
		waitQueueEmpty(t, q, url)
		if len(es) > 3 {
			t.Errorf("got %d batches for %d messages, want them gathered into few", len(es), len(bodies))
		}
		biggest := 0
		for _, e := range es {
			biggest = max(biggest, len(e.Records))
		}
		if biggest <= 10 {
			t.Errorf("got batches of at most %d, want more than one receive's worth", biggest)
		}
	})

	t.Run("disable, update, enable, delete", func(t *testing.T) {
		t.Parallel()
		url, arn := MustQueueARN(t, q, "switch", nil)
		dir := MustSQSFunction(t, c, "switch-fn")
		out := MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("switch-fn"), EventSourceArn: aws.String(arn),
			Enabled: aws.Bool(false), BatchSize: aws.Int32(1)})
		id := out.UUID
		if got := aws.ToString(mustGetMapping(t, c, *id).State); got != "Disabled" {
			t.Errorf("got state %s, want Disabled", got)
		}
		MustSend(t, q, url, "", "s1", "s2", "s3", "s4", "s5")
		// A disabled mapping receives nothing: the function is not invoked
		// and the messages stay in the queue. (The queue's counts are
		// approximate, as SQS's are: they are read once they settle.)
		deadline := time.Now().Add(time.Second)
		for time.Now().Before(deadline) {
			if es, _ := sqsEvents(dir); len(es) != 0 {
				t.Fatalf("disabled mapping: the function got %d batches", len(es))
			}
			time.Sleep(100 * time.Millisecond)
		}
		waitFor(t, 10*time.Second, "5 messages in the queue", func() bool { return queueCount(t, q, url) == 5 })
		upd, err := c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: id, Enabled: aws.Bool(true), BatchSize: aws.Int32(5)})
		if err != nil || aws.ToString(upd.State) != "Enabling" || aws.ToInt32(upd.BatchSize) != 5 {
			t.Fatalf("enable: got %+v, %v", upd, err)
		}
		es := waitSQSRecords(t, dir, 5)
		waitQueueEmpty(t, q, url)
		if len(es) != 1 || len(es[0].Records) != 5 {
			t.Errorf("got %d batches, want one batch of 5", len(es))
		}
		if _, err := c.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: id}); err != nil {
			t.Fatal(err)
		}
		// A deleted mapping's pollers stop: a message stays in the queue.
		MustSend(t, q, url, "", "after delete")
		deadline = time.Now().Add(1500 * time.Millisecond)
		for time.Now().Before(deadline) {
			if n := queueCount(t, q, url); n != 1 {
				t.Fatalf("deleted mapping: got %d messages in the queue, want 1", n)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

func TestQueueMappingAPI(t *testing.T) {
	m := MustStartMain(t, Config{})
	c, q := MustLambda(t, m), MustSQS(t, m.URL())
	ctx := context.Background()
	_, arn := MustQueueARN(t, q, "api", nil)
	_, fifoARN := MustQueueARN(t, q, "api.fifo", map[string]string{"FifoQueue": "true"})
	MustSQSFunction(t, c, "api-fn")
	for _, tc := range []struct {
		name   string
		in     lambda.CreateEventSourceMappingInput
		code   string
		status int
	}{
		{"no such queue", lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope")}, "InvalidParameterValueException", 400},
		{"other account", lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String("arn:aws:sqs:us-east-1:111111111111:api")}, "InvalidParameterValueException", 400},
		{"starting position", lambda.CreateEventSourceMappingInput{StartingPosition: types.EventSourcePositionLatest}, "InvalidParameterValueException", 400},
		{"batch size 11", lambda.CreateEventSourceMappingInput{BatchSize: aws.Int32(11)}, "InvalidParameterValueException", 400},
		{"batch size 10001", lambda.CreateEventSourceMappingInput{BatchSize: aws.Int32(10001), MaximumBatchingWindowInSeconds: aws.Int32(1)}, "ValidationException", 400},
		{"window 301", lambda.CreateEventSourceMappingInput{MaximumBatchingWindowInSeconds: aws.Int32(301)}, "ValidationException", 400},
		{"FIFO window", lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String(fifoARN), MaximumBatchingWindowInSeconds: aws.Int32(1)}, "InvalidParameterValueException", 400},
		{"FIFO batch size 11", lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String(fifoARN), BatchSize: aws.Int32(11)}, "InvalidParameterValueException", 400},
		{"parallelization", lambda.CreateEventSourceMappingInput{ParallelizationFactor: aws.Int32(2)}, "InvalidParameterValueException", 400},
		{"retries", lambda.CreateEventSourceMappingInput{MaximumRetryAttempts: aws.Int32(2)}, "InvalidParameterValueException", 400},
		{"bisect", lambda.CreateEventSourceMappingInput{BisectBatchOnFunctionError: aws.Bool(true)}, "InvalidParameterValueException", 400},
		{"destination", lambda.CreateEventSourceMappingInput{DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(arn)}}}, "InvalidParameterValueException", 400},
		{"concurrency 1", lambda.CreateEventSourceMappingInput{ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(1)}}, "ValidationException", 400},
		{"concurrency 1001", lambda.CreateEventSourceMappingInput{ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(1001)}}, "ValidationException", 400},
		{"bad filter", lambda.CreateEventSourceMappingInput{FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"body":"x"}`)}}}}, "InvalidParameterValueException", 400},
		{"unknown function", lambda.CreateEventSourceMappingInput{FunctionName: aws.String("nope")}, "ResourceNotFoundException", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.FunctionName == nil {
				in.FunctionName = aws.String("api-fn")
			}
			if in.EventSourceArn == nil {
				in.EventSourceArn = aws.String(arn)
			}
			_, err := c.CreateEventSourceMapping(ctx, &in)
			mustFailWith(t, err, tc.code, tc.status)
		})
	}

	out := MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("api-fn"), EventSourceArn: aws.String(arn),
		BatchSize: aws.Int32(50), MaximumBatchingWindowInSeconds: aws.Int32(5), ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(3)},
		FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures}})
	if aws.ToInt32(out.BatchSize) != 50 || aws.ToInt32(out.MaximumBatchingWindowInSeconds) != 5 || out.ScalingConfig == nil ||
		aws.ToInt32(out.ScalingConfig.MaximumConcurrency) != 3 || !slices.Equal(out.FunctionResponseTypes, []types.FunctionResponseType{"ReportBatchItemFailures"}) {
		t.Errorf("create: got %+v", out)
	}
	id := out.UUID
	_, err := c.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("api-fn"), EventSourceArn: aws.String(arn)})
	mustFailWith(t, err, "ResourceConflictException", 409)
	MustQueueMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("api-fn"), EventSourceArn: aws.String(fifoARN)})

	// Updates validate as creates do.
	_, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: id, MaximumBatchingWindowInSeconds: aws.Int32(0)})
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	_, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: id, ParallelizationFactor: aws.Int32(1)})
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	upd, err := c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: id, BatchSize: aws.Int32(10), MaximumBatchingWindowInSeconds: aws.Int32(0),
		ScalingConfig: &types.ScalingConfig{}})
	if err != nil || aws.ToInt32(upd.BatchSize) != 10 || upd.ScalingConfig != nil || aws.ToString(upd.State) != "Updating" {
		t.Errorf("update: got %+v, %v", upd, err)
	}
	list, err := c.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(arn)})
	if err != nil || len(list.EventSourceMappings) != 1 || aws.ToString(list.EventSourceMappings[0].UUID) != aws.ToString(id) {
		t.Errorf("list: got %+v, %v", list, err)
	}
	if _, err := c.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: id}); err != nil {
		t.Fatal(err)
	}
}

// TestQueueTriggerTwoNodes runs a queue mapping on two nodes that share
// one NATS: MaximumConcurrency holds across them, and when the node that
// runs the mapping leaves, the other takes it over.
func TestQueueTriggerTwoNodes(t *testing.T) {
	url := MustNATS(t)
	cfg := Config{NATSURL: url, LeaseTTL: 1500 * time.Millisecond}
	a := MustStartMain(t, cfg)
	b := MustStartMain(t, cfg)
	ca, qb := MustLambda(t, a), MustSQS(t, b.URL())
	// When a queue moves to another node, its messages may stay hidden for
	// a visibility timeout: a short one keeps the takeover quick.
	qurl, arn := MustQueueARN(t, qb, "shared", map[string]string{"VisibilityTimeout": "2"})
	dir := MustSQSFunction(t, ca, "shared-fn")
	MustQueueMapping(t, ca, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("shared-fn"), EventSourceArn: aws.String(arn),
		BatchSize: aws.Int32(1), ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(2)}})
	var bodies []string
	for i := 0; i < 12; i++ {
		bodies = append(bodies, `{"sleep_ms":200}`)
	}
	MustSend(t, qb, qurl, "", bodies...)
	waitSQSRecords(t, dir, len(bodies))
	waitQueueEmpty(t, qb, qurl)
	waitFor(t, 10*time.Second, "every span", func() bool { return len(lines(filepath.Join(dir, "spans"))) >= len(bodies) })
	if got := maxOverlap(t, dir); got > 2 {
		t.Errorf("got %d invocations at once on two nodes, want at most 2", got)
	}

	// Either node may have run it; after a node leaves, the other does.
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	MustSend(t, qb, qurl, "", "after a left")
	waitSQSRecords(t, dir, len(bodies)+1)
	waitQueueEmpty(t, qb, qurl)
}
