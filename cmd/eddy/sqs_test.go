package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	qtypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// MustSQS returns an SQS client of the server (JSON protocol).
func MustSQS(tb testing.TB, url string) *sqs.Client {
	tb.Helper()
	return sqs.NewFromConfig(awsConfig(url), func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
}

func mustQueue(tb testing.TB, c *sqs.Client, name string, attrs map[string]string) string {
	tb.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		tb.Fatalf("create queue %s: %v", name, err)
	}
	return *out.QueueUrl
}

func queueAttrs(tb testing.TB, c *sqs.Client, url string) map[string]string {
	tb.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []qtypes.QueueAttributeName{"All"}})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Attributes
}

func mustReceive(tb testing.TB, c *sqs.Client, url string, max, vis, wait int32) []qtypes.Message {
	tb.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: max, VisibilityTimeout: vis, WaitTimeSeconds: wait,
		MessageSystemAttributeNames: []qtypes.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Messages
}

func msgBodies(ms []qtypes.Message) string {
	var b []string
	for _, m := range ms {
		b = append(b, *m.Body)
	}
	return strings.Join(b, ",")
}

func TestSQSQueueAPI(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSQS(t, m.URL())
	ctx := context.Background()
	url := mustQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45", "DelaySeconds": "0"})
	if want := m.URL() + "/000000000000/orders"; url != want {
		t.Fatalf("queue URL %s, want %s", url, want)
	}
	// Idempotent with the same attributes; QueueNameExists with others.
	if again := mustQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45"}); again != url {
		t.Fatalf("create again: %s", again)
	}
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "46"}})
	var exists *qtypes.QueueNameExists
	if !errors.As(err, &exists) {
		t.Fatalf("differing create: %v", err)
	}
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || *got.QueueUrl != url {
		t.Fatalf("GetQueueUrl: %v %v", got, err)
	}
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var missing *qtypes.QueueDoesNotExist
	if !errors.As(err, &missing) {
		t.Fatalf("GetQueueUrl of a missing queue: %v", err)
	}

	a := queueAttrs(t, c, url)
	for k, want := range map[string]string{
		"VisibilityTimeout": "45", "DelaySeconds": "0", "MessageRetentionPeriod": "345600", "MaximumMessageSize": "1048576",
		"ReceiveMessageWaitTimeSeconds": "0", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders",
		"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0", "ApproximateNumberOfMessagesDelayed": "0",
	} {
		if a[k] != want {
			t.Errorf("attribute %s = %q, want %q", k, a[k], want)
		}
	}
	if a["CreatedTimestamp"] == "" || a["LastModifiedTimestamp"] == "" {
		t.Errorf("timestamps missing: %v", a)
	}
	if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "5"}}); err != nil {
		t.Fatal(err)
	}
	if v := queueAttrs(t, c, url)["VisibilityTimeout"]; v != "5" {
		t.Fatalf("VisibilityTimeout after set: %s", v)
	}
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "99999"}})
	mustFailWith(t, err, "InvalidAttributeValue", 400)
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Bogus": "1"}})
	mustFailWith(t, err, "InvalidAttributeName", 400)

	// Tags.
	if _, err := c.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"team": "a", "env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "a" {
		t.Fatalf("tags: %v %v", tags, err)
	}

	// Listing with a prefix and pages.
	for i := range 5 {
		mustQueue(t, c, fmt.Sprintf("list-%d", i), nil)
	}
	var listed []string
	var token *string
	for {
		out, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("list-"), MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, out.QueueUrls...)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if len(listed) != 5 || !strings.HasSuffix(listed[0], "/list-0") {
		t.Fatalf("listed %v", listed)
	}

	// Bad names and FIFO attributes on a standard queue.
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad name")})
	mustFailWith(t, err, "InvalidParameterValue", 400)
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("std"), Attributes: map[string]string{"ContentBasedDeduplication": "true"}})
	mustFailWith(t, err, "InvalidAttributeName", 400)

	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	if !errors.As(err, &missing) {
		t.Fatalf("send to a deleted queue: %v", err)
	}
}

func TestSQSMessages(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSQS(t, m.URL())
	ctx := context.Background()
	url := mustQueue(t, c, "work", nil)

	// Message attributes: the SDK checks every MD5 it is given.
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hello"),
		MessageAttributes: map[string]qtypes.MessageAttributeValue{
			"color":   {DataType: aws.String("String"), StringValue: aws.String("red")},
			"size":    {DataType: aws.String("Number"), StringValue: aws.String("42")},
			"blob":    {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
			"app.tag": {DataType: aws.String("String.custom"), StringValue: aws.String("x")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	got := mustReceive(t, c, url, 10, 30, 1)
	if len(got) != 1 || *got[0].Body != "hello" || *got[0].MessageId != *sent.MessageId {
		t.Fatalf("received %+v", got)
	}
	r := got[0]
	if len(r.MessageAttributes) != 4 || string(r.MessageAttributes["blob"].BinaryValue) != "\x00\x01\x02" {
		t.Fatalf("message attributes %+v", r.MessageAttributes)
	}
	for _, k := range []string{"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"} {
		if r.Attributes[k] == "" {
			t.Errorf("system attribute %s missing: %v", k, r.Attributes)
		}
	}
	// A prefix selects attributes.
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: r.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	sel, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageAttributeNames: []string{"app.*"}, WaitTimeSeconds: 1})
	if err != nil || len(sel.Messages) != 1 || len(sel.Messages[0].MessageAttributes) != 1 {
		t.Fatalf("prefix selection: %+v %v", sel, err)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: sel.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}

	// Long polling returns as soon as a message arrives.
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, _ = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("late")})
	}()
	start := time.Now()
	lp := mustReceive(t, c, url, 1, 1, 20)
	if len(lp) != 1 || *lp[0].Body != "late" || time.Since(start) > 10*time.Second {
		t.Fatalf("long poll: %v after %v", msgBodies(lp), time.Since(start))
	}
	// Its visibility timeout (1 s) ends and it comes back, received twice.
	var back []qtypes.Message
	waitFor(t, 10*time.Second, "the message to become visible again", func() bool {
		back = mustReceive(t, c, url, 1, 30, 1)
		return len(back) == 1
	})
	if back[0].Attributes["ApproximateReceiveCount"] != "2" || *back[0].ReceiptHandle == *lp[0].ReceiptHandle {
		t.Fatalf("second receive: %+v", back[0].Attributes)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: back[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}

	// Batches.
	var entries []qtypes.SendMessageBatchRequestEntry
	for i := range 10 {
		entries = append(entries, qtypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)), MessageBody: aws.String(fmt.Sprint("body", i))})
	}
	bs, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	if err != nil || len(bs.Successful) != 10 {
		t.Fatalf("send batch: %v %+v", err, bs)
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: append(entries, entries[0])})
	mustFailWith(t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400)
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []qtypes.SendMessageBatchRequestEntry{entries[0], entries[0]}})
	var notDistinct *qtypes.BatchEntryIdsNotDistinct
	if !errors.As(err, &notDistinct) {
		t.Fatalf("repeated ids: %v", err)
	}
	var all []qtypes.Message
	waitFor(t, 10*time.Second, "ten messages", func() bool {
		all = append(all, mustReceive(t, c, url, 10, 30, 1)...)
		return len(all) >= 10
	})
	var dels []qtypes.DeleteMessageBatchRequestEntry
	for i, msg := range all {
		dels = append(dels, qtypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: msg.ReceiptHandle})
	}
	dels = append(dels[:9], qtypes.DeleteMessageBatchRequestEntry{Id: aws.String("bad"), ReceiptHandle: aws.String("not-a-handle")})
	dr, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: dels})
	if err != nil || len(dr.Successful) != 9 || len(dr.Failed) != 1 || *dr.Failed[0].Code != "ReceiptHandleIsInvalid" || !dr.Failed[0].SenderFault {
		t.Fatalf("delete batch: %v %+v", err, dr)
	}
	waitFor(t, 5*time.Second, "1 message in flight and none visible", func() bool {
		a := queueAttrs(t, c, url)
		return a["ApproximateNumberOfMessagesNotVisible"] == "1" && a["ApproximateNumberOfMessages"] == "0"
	})

	// Bad input.
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")})
	var badHandle *qtypes.ReceiptHandleIsInvalid
	if !errors.As(err, &badHandle) {
		t.Fatalf("bad receipt handle: %v", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("bad \x01 char")})
	var badChars *qtypes.InvalidMessageContents
	if !errors.As(err, &badChars) {
		t.Fatalf("invalid characters: %v", err)
	}
	small := mustQueue(t, c, "small", map[string]string{"MaximumMessageSize": "1024"})
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(small), MessageBody: aws.String(strings.Repeat("x", 1025))})
	mustFailWith(t, err, "InvalidParameterValue", 400)
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	mustFailWith(t, err, "InvalidParameterValue", 400)
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 21})
	mustFailWith(t, err, "InvalidParameterValue", 400)

	// Delay.
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(small), MessageBody: aws.String("later"), DelaySeconds: 5}); err != nil {
		t.Fatal(err)
	}
	// Counts are approximate, as SQS's are: the queue's owner counts the
	// message once it has read it from the stream.
	waitFor(t, 4*time.Second, "the delayed count", func() bool {
		return queueAttrs(t, c, small)["ApproximateNumberOfMessagesDelayed"] == "1"
	})
	if got := mustReceive(t, c, small, 1, 30, 0); len(got) != 0 {
		t.Fatal("a delayed message was received at once")
	}
	if got := mustReceive(t, c, small, 1, 30, 15); len(got) != 1 {
		t.Fatal("the delayed message never came")
	}

	// Purge, once a minute.
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	var inProgress *qtypes.PurgeQueueInProgress
	if !errors.As(err, &inProgress) {
		t.Fatalf("second purge: %v", err)
	}
	waitFor(t, 5*time.Second, "no messages after the purge", func() bool {
		a := queueAttrs(t, c, url)
		return a["ApproximateNumberOfMessagesNotVisible"] == "0" && a["ApproximateNumberOfMessages"] == "0"
	})
}

func TestSQSFIFO(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSQS(t, m.URL())
	ctx := context.Background()
	url := mustQueue(t, c, "jobs.fifo", map[string]string{"FifoQueue": "true"})
	send := func(group, body, dedup string) *sqs.SendMessageOutput {
		t.Helper()
		out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body),
			MessageGroupId: aws.String(group), MessageDeduplicationId: aws.String(dedup)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := send("g1", "a1", "d-a1")
	if first.SequenceNumber == nil {
		t.Fatal("no sequence number")
	}
	send("g2", "b1", "d-b1")
	send("g1", "a2", "d-a2")
	send("g2", "b2", "d-b2")
	if dup := send("g1", "a1 again", "d-a1"); *dup.MessageId != *first.MessageId {
		t.Fatalf("a duplicate got a new id %s", *dup.MessageId)
	}
	got := mustReceive(t, c, url, 10, 30, 0)
	if msgBodies(got) != "a1,a2,b1,b2" {
		t.Fatalf("received %s", msgBodies(got))
	}
	if got[0].Attributes["MessageGroupId"] != "g1" || got[0].Attributes["MessageDeduplicationId"] != "d-a1" || got[0].Attributes["SequenceNumber"] == "" {
		t.Fatalf("FIFO attributes %v", got[0].Attributes)
	}
	// Both groups are in flight: nothing more, even after a new message.
	send("g1", "a3", "d-a3")
	if more := mustReceive(t, c, url, 10, 30, 0); len(more) != 0 {
		t.Fatalf("a group in flight handed out %s", msgBodies(more))
	}
	// Deleting g1's messages frees the group, in order.
	for _, msg := range got[:2] {
		if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: msg.ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
	if next := mustReceive(t, c, url, 10, 30, 1); msgBodies(next) != "a3" {
		t.Fatalf("after deleting g1's batch: %s", msgBodies(next))
	}
	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	mustFailWith(t, err, "MissingParameter", 400)
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
	mustFailWith(t, err, "InvalidParameterValue", 400)
}

func TestSQSRedriveAndMoveTask(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSQS(t, m.URL())
	ctx := context.Background()
	dlq := mustQueue(t, c, "dlq", nil)
	dlqArn := queueAttrs(t, c, dlq)["QueueArn"]
	src := mustQueue(t, c, "src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":2}`})
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String("poison")}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		var got []qtypes.Message
		waitFor(t, 10*time.Second, "the message", func() bool {
			got = mustReceive(t, c, src, 1, 1, 1)
			return len(got) == 1
		})
	}
	var dead []qtypes.Message
	waitFor(t, 10*time.Second, "the message in the dead-letter queue", func() bool {
		_ = mustReceive(t, c, src, 1, 1, 0) // the third receive moves it
		dead = mustReceive(t, c, dlq, 1, 30, 0)
		return len(dead) == 1
	})
	if *dead[0].Body != "poison" || dead[0].Attributes["DeadLetterQueueSourceArn"] != queueAttrs(t, c, src)["QueueArn"] {
		t.Fatalf("dead letter %+v", dead[0])
	}
	// Visible again, so that the move task takes it.
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(dlq), ReceiptHandle: dead[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	srcs, err := c.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	if err != nil || len(srcs.QueueUrls) != 1 || srcs.QueueUrls[0] != src {
		t.Fatalf("sources: %v %v", srcs, err)
	}
	task, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn)})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the move task to complete", func() bool {
		l, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqArn)})
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Results) == 1 && *l.Results[0].Status == "COMPLETED" && l.Results[0].ApproximateNumberOfMessagesMoved == 1
	})
	if back := mustReceive(t, c, src, 1, 30, 5); msgBodies(back) != "poison" {
		t.Fatalf("moved back: %s", msgBodies(back))
	}
	_, err = c.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: task.TaskHandle})
	if err == nil {
		t.Fatal("cancelled a finished task")
	}
	_, err = c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(queueAttrs(t, c, src)["QueueArn"])})
	mustFailWith(t, err, "InvalidParameterValue", 400)
}

// TestSQSConcurrentConsumers: 8 consumers share a queue of 400 messages;
// each message is handed to exactly one of them.
func TestSQSConcurrentConsumers(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSQS(t, m.URL())
	ctx := context.Background()
	url := mustQueue(t, c, "shared", nil)
	const total = 400
	for i := 0; i < total; i += 10 {
		var es []qtypes.SendMessageBatchRequestEntry
		for j := range 10 {
			es = append(es, qtypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), MessageBody: aws.String(strconv.Itoa(i + j))})
		}
		if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: es}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 1})
				if err != nil {
					t.Error(err)
					return
				}
				if len(out.Messages) == 0 {
					return
				}
				var es []qtypes.DeleteMessageBatchRequestEntry
				mu.Lock()
				for i, msg := range out.Messages {
					seen[*msg.Body]++
					es = append(es, qtypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: msg.ReceiptHandle})
				}
				mu.Unlock()
				if _, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: es}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != total {
		t.Fatalf("received %d distinct messages, want %d", len(seen), total)
	}
	for b, n := range seen {
		if n != 1 {
			t.Fatalf("message %s received %d times", b, n)
		}
	}
}
