package queues_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/queues"
)

func openEngine(tb testing.TB, dir string) *engine.Engine {
	tb.Helper()
	e := engine.New(engine.Config{DataDir: dir})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return e
}

func openService(tb testing.TB, e *engine.Engine, node string) *queues.Service {
	tb.Helper()
	s := queues.NewService(queues.Config{Engine: e, NodeID: node, LeaseTTL: 3 * time.Second})
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

func newService(tb testing.TB) *queues.Service {
	e := openEngine(tb, tb.TempDir())
	s := openService(tb, e, "")
	tb.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	return s
}

func num(n int) *int { return &n }

func mustCreate(tb testing.TB, s *queues.Service, name string, attrs map[string]string) string {
	tb.Helper()
	out, err := s.CreateQueue(context.Background(), &queues.CreateQueueInput{QueueName: name, Attributes: attrs})
	if err != nil {
		tb.Fatal(err)
	}
	return out.QueueUrl
}

func mustSend(tb testing.TB, s *queues.Service, url, body string, group string) string {
	tb.Helper()
	in := &queues.SendMessageInput{QueueUrl: url, MessageBody: &body}
	if group != "" {
		in.MessageGroupId = &group
	}
	out, err := s.SendMessage(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	return out.MessageId
}

func receive(tb testing.TB, s *queues.Service, url string, max, vis, wait int) []queues.Message {
	tb.Helper()
	out, err := s.ReceiveMessage(context.Background(), &queues.ReceiveMessageInput{
		QueueUrl: url, MaxNumberOfMessages: &max, VisibilityTimeout: &vis, WaitTimeSeconds: &wait,
		MessageSystemAttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Messages
}

func bodies(ms []queues.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Body)
	}
	return out
}

func TestSendReceiveDelete(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	url := mustCreate(t, s, "q1", nil)
	for i := range 5 {
		mustSend(t, s, url, fmt.Sprint("m", i), "")
	}
	got := receive(t, s, url, 10, 30, 0)
	if len(got) != 5 {
		t.Fatalf("received %d messages, want 5: %v", len(got), bodies(got))
	}
	if again := receive(t, s, url, 10, 30, 0); len(again) != 0 {
		t.Fatalf("in-flight messages received again: %v", bodies(again))
	}
	if got[0].Attributes["ApproximateReceiveCount"] != "1" || got[0].Attributes["SentTimestamp"] == "" {
		t.Fatalf("attributes %v", got[0].Attributes)
	}
	var entries []queues.DeleteMessageBatchEntry
	for i, m := range got {
		entries = append(entries, queues.DeleteMessageBatchEntry{Id: fmt.Sprint("e", i), ReceiptHandle: m.ReceiptHandle})
	}
	res, err := s.DeleteMessageBatch(ctx, &queues.DeleteMessageBatchInput{QueueUrl: url, Entries: entries})
	if err != nil || len(res.Successful) != 5 {
		t.Fatalf("delete: %v %+v", err, res)
	}
	attrs, err := s.GetQueueAttributes(ctx, &queues.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("counts after delete: %v", attrs.Attributes)
	}
	if err := s.DeleteMessage(ctx, &queues.DeleteMessageInput{QueueUrl: url, ReceiptHandle: "bogus"}); eddy.AsError(err) == nil || eddy.AsError(err).Type != "ReceiptHandleIsInvalid" {
		t.Fatalf("bad handle: %v", err)
	}
}

func TestVisibilityTimeoutAndRedrive(t *testing.T) {
	s := newService(t)
	dlq := mustCreate(t, s, "dead", nil)
	_ = dlq
	url := mustCreate(t, s, "src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}`})
	mustSend(t, s, url, "poison", "")
	for want := 1; want <= 2; want++ {
		got := receive(t, s, url, 1, 1, 5)
		if len(got) != 1 || got[0].Attributes["ApproximateReceiveCount"] != fmt.Sprint(want) {
			t.Fatalf("receive %d: %+v", want, got)
		}
	}
	// The third receive moves it to the dead-letter queue.
	if got := receive(t, s, url, 1, 1, 3); len(got) != 0 {
		t.Fatalf("message past maxReceiveCount received: %+v", got)
	}
	got := receive(t, s, dlq, 1, 30, 5)
	if len(got) != 1 || got[0].Body != "poison" || got[0].Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:000000000000:src" {
		t.Fatalf("dead-letter queue: %+v", got)
	}
	srcs, err := s.ListDeadLetterSourceQueues(context.Background(), &queues.ListDeadLetterSourceQueuesInput{QueueUrl: dlq})
	if err != nil || len(srcs.QueueUrls) != 1 {
		t.Fatalf("sources: %v %+v", err, srcs)
	}
	// Move it back.
	ctx := context.Background()
	if err := s.ChangeMessageVisibility(ctx, &queues.ChangeMessageVisibilityInput{QueueUrl: dlq, ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: num(0)}); err != nil {
		t.Fatal(err)
	}
	task, err := s.StartMessageMoveTask(ctx, &queues.StartMessageMoveTaskInput{SourceArn: "arn:aws:sqs:us-east-1:000000000000:dead"})
	if err != nil {
		t.Fatal(err)
	}
	if task.TaskHandle == "" {
		t.Fatal("no task handle")
	}
	back := receive(t, s, url, 1, 30, 10)
	if len(back) != 1 || back[0].Body != "poison" {
		t.Fatalf("moved back: %+v", back)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, err := s.ListMessageMoveTasks(ctx, &queues.ListMessageMoveTasksInput{SourceArn: "arn:aws:sqs:us-east-1:000000000000:dead"})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Results) == 1 && l.Results[0].Status == "COMPLETED" && l.Results[0].ApproximateNumberOfMessagesMoved == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task: %+v", l.Results)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestFIFOOrderGroupsAndDedup(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	url := mustCreate(t, s, "f.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for i := range 4 {
		mustSend(t, s, url, fmt.Sprint("a", i), "A")
		mustSend(t, s, url, fmt.Sprint("b", i), "B")
	}
	first := mustSend(t, s, url, "a0", "A") // a duplicate by content
	got := receive(t, s, url, 3, 1, 0)
	if fmt.Sprint(bodies(got)) != "[a0 a1 a2]" {
		t.Fatalf("first batch %v", bodies(got))
	}
	if got[0].MessageId != first {
		t.Fatalf("duplicate send got id %s, first was %s", first, got[0].MessageId)
	}
	// Group A is in flight: the next receive gets B only.
	got2 := receive(t, s, url, 10, 30, 0)
	if fmt.Sprint(bodies(got2)) != "[b0 b1 b2 b3]" {
		t.Fatalf("second batch %v", bodies(got2))
	}
	// A comes back in order after its visibility timeout.
	got3 := receive(t, s, url, 10, 30, 5)
	if fmt.Sprint(bodies(got3)) != "[a0 a1 a2 a3]" {
		t.Fatalf("after timeout %v", bodies(got3))
	}
	if _, err := s.SendMessage(ctx, &queues.SendMessageInput{QueueUrl: url, MessageBody: str("x")}); eddy.AsError(err) == nil || eddy.AsError(err).Type != "MissingParameter" {
		t.Fatalf("FIFO without group: %v", err)
	}
}

func TestLongPollWakesOnSend(t *testing.T) {
	s := newService(t)
	url := mustCreate(t, s, "lp", nil)
	go func() {
		time.Sleep(200 * time.Millisecond)
		mustSend(t, s, url, "late", "")
	}()
	start := time.Now()
	got := receive(t, s, url, 1, 30, 10)
	if len(got) != 1 || time.Since(start) > 5*time.Second {
		t.Fatalf("long poll: %v after %v", bodies(got), time.Since(start))
	}
}

func TestRestartKeepsInflight(t *testing.T) {
	dir := t.TempDir()
	e := openEngine(t, dir)
	s := openService(t, e, "n1")
	url := mustCreate(t, s, "persist", nil)
	for i := range 3 {
		mustSend(t, s, url, fmt.Sprint("m", i), "")
	}
	got := receive(t, s, url, 1, 300, 0)
	if len(got) != 1 {
		t.Fatal("no message")
	}
	_ = s.Close()
	_ = e.Close()

	e = openEngine(t, dir)
	s = openService(t, e, "n1")
	defer func() { _ = s.Close(); _ = e.Close() }()
	rest := receive(t, s, url, 10, 300, 0)
	if len(rest) != 2 {
		t.Fatalf("after restart received %v, want the 2 not in flight", bodies(rest))
	}
	for _, m := range rest {
		if m.Body == got[0].Body {
			t.Fatalf("in-flight message %s handed out again", m.Body)
		}
	}
	if err := s.DeleteMessage(context.Background(), &queues.DeleteMessageInput{QueueUrl: url, ReceiptHandle: got[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
}

func TestTwoNodes(t *testing.T) {
	e := openEngine(t, t.TempDir())
	a := openService(t, e, "a")
	b := openService(t, e, "b")
	defer func() { _ = a.Close(); _ = b.Close(); _ = e.Close() }()
	url := mustCreate(t, a, "shared", nil)
	for i := range 10 {
		mustSend(t, b, url, fmt.Sprint("m", i), "")
	}
	seen := map[string]bool{}
	deadline := time.Now().Add(10 * time.Second)
	for len(seen) < 10 && time.Now().Before(deadline) {
		for _, m := range receive(t, b, url, 10, 60, 1) {
			if seen[m.Body] {
				t.Fatalf("%s received twice", m.Body)
			}
			seen[m.Body] = true
			if err := b.DeleteMessage(context.Background(), &queues.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(seen) != 10 {
		t.Fatalf("received %d of 10 through the other node", len(seen))
	}
}
