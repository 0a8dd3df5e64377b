package main

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestAWSCLIQueues drives SQS with the aws CLI v1 (JSON protocol) and v2
// (query protocol): queues standard and FIFO, messages with attributes,
// visibility, batches, redrive and a move task back, and the errors the
// CLIs print.
func TestAWSCLIQueues(t *testing.T) {
	eachAWSCLI(t, func(t *testing.T, awsPath string) {
		m := MustStartMain(t, Config{})
		testAWSCLIQueues(t, newAWSCLI(t, awsPath, m.URL()), "000000000000")
	})
}

// cliMessage is a message as `aws sqs receive-message` prints it.
type cliMessage struct {
	MessageId, ReceiptHandle, MD5OfBody, Body, MD5OfMessageAttributes string
	Attributes                                                        map[string]string
	MessageAttributes                                                 map[string]cliAttribute
}

type cliAttribute struct{ DataType, StringValue string }

// cliSQS runs `aws sqs ARGS` and decodes its output into v.
func cliSQS(tb testing.TB, cli *awsCLI, v any, args ...string) {
	tb.Helper()
	out := cli.Run(append([]string{"sqs"}, args...)...)
	if strings.TrimSpace(out) == "" {
		out = "{}"
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		tb.Fatalf("aws sqs %s: output %q: %v", strings.Join(args, " "), out, err)
	}
}

// cliReceive receives up to 10 messages, waiting up to 2 s for one.
func cliReceive(tb testing.TB, cli *awsCLI, url string, args ...string) []cliMessage {
	tb.Helper()
	var out struct{ Messages []cliMessage }
	cliSQS(tb, cli, &out, append([]string{"receive-message", "--queue-url", url, "--max-number-of-messages", "10",
		"--wait-time-seconds", "2", "--attribute-names", "All", "--message-attribute-names", "All"}, args...)...)
	return out.Messages
}

func cliBodies(ms []cliMessage) []string {
	var b []string
	for _, m := range ms {
		b = append(b, m.Body)
	}
	return b
}

func hexMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfStringAttributes is SQS's digest of message attributes that all
// have string values: names sorted, each field preceded by its 4-byte
// big-endian length, and the transport type 1 before the value.
func md5OfStringAttributes(attrs map[string]cliAttribute) string {
	h := md5.New()
	put := func(s string) {
		_ = binary.Write(h, binary.BigEndian, uint32(len(s)))
		h.Write([]byte(s))
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		put(n)
		put(attrs[n].DataType)
		h.Write([]byte{1})
		put(attrs[n].StringValue)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// testAWSCLIQueues runs the CLI against a server whose queues belong to
// account.
func testAWSCLIQueues(t *testing.T, cli *awsCLI, account string) {
	version := cli.Run("--version")
	t.Logf("using %s", strings.TrimSpace(version))
	// The CLI v1 exits 255 when the service answers with an error, v2 254.
	serviceError := 255
	if strings.HasPrefix(version, "aws-cli/2") {
		serviceError = 254
	}
	mustFail := func(code string, args ...string) {
		t.Helper()
		exit, stderr := cli.Fail(append([]string{"sqs"}, args...)...)
		if exit == 0 {
			return // Fail said so
		}
		if exit != serviceError || !strings.Contains(stderr, "("+code+")") {
			t.Errorf("aws sqs %s: got exit %d and %q, want exit %d and error %s", strings.Join(args, " "), exit, stderr, serviceError, code)
		}
	}

	var q struct{ QueueUrl string }
	cliSQS(t, cli, &q, "create-queue", "--queue-name", "cli-orders", "--attributes", "VisibilityTimeout=30")
	url := q.QueueUrl
	if want := cli.url + "/" + account + "/cli-orders"; url != want {
		t.Fatalf("create-queue: got QueueUrl %q, want %q", url, want)
	}
	cliSQS(t, cli, &q, "get-queue-url", "--queue-name", "cli-orders")
	if q.QueueUrl != url {
		t.Errorf("get-queue-url: got %q, want %q", q.QueueUrl, url)
	}

	attrs := map[string]cliAttribute{
		"kind": {DataType: "String", StringValue: "greeting"},
		"n":    {DataType: "Number", StringValue: "7"},
	}
	attrsJSON, _ := json.Marshal(attrs)
	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	cliSQS(t, cli, &sent, "send-message", "--queue-url", url, "--message-body", "hello from the cli", "--message-attributes", string(attrsJSON))
	if sent.MessageId == "" || sent.MD5OfMessageBody != hexMD5("hello from the cli") || sent.MD5OfMessageAttributes != md5OfStringAttributes(attrs) {
		t.Errorf("send-message: got %+v, want MD5s %s and %s", sent, hexMD5("hello from the cli"), md5OfStringAttributes(attrs))
	}

	got := cliReceive(t, cli, url)
	if len(got) != 1 {
		t.Fatalf("receive-message: got %d messages, want 1", len(got))
	}
	msg := got[0]
	if msg.MessageId != sent.MessageId || msg.Body != "hello from the cli" || msg.MD5OfBody != sent.MD5OfMessageBody ||
		msg.MD5OfMessageAttributes != sent.MD5OfMessageAttributes || len(msg.MessageAttributes) != 2 || msg.MessageAttributes["kind"] != attrs["kind"] ||
		msg.Attributes["ApproximateReceiveCount"] != "1" || msg.Attributes["SentTimestamp"] == "" || msg.Attributes["SenderId"] == "" {
		t.Errorf("receive-message: got %+v, want the message sent with its attributes", msg)
	}
	if again := cliReceive(t, cli, url, "--wait-time-seconds", "0"); len(again) != 0 {
		t.Errorf("receive-message of an in-flight message: got %v, want none", cliBodies(again))
	}

	cli.Run("sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle", msg.ReceiptHandle, "--visibility-timeout", "0")
	got = cliReceive(t, cli, url)
	if len(got) != 1 || got[0].MessageId != msg.MessageId || got[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("receive-message after change-message-visibility 0: got %+v, want the message received a second time", got)
	}
	cli.Run("sqs", "delete-message", "--queue-url", url, "--receipt-handle", got[0].ReceiptHandle)
	var qa struct{ Attributes map[string]string }
	waitFor(t, 10*time.Second, "an empty queue", func() bool {
		qa.Attributes = nil
		cliSQS(t, cli, &qa, "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")
		return qa.Attributes["ApproximateNumberOfMessages"] == "0" && qa.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
	})
	if qa.Attributes["QueueArn"] != "arn:aws:sqs:us-east-1:"+account+":cli-orders" || qa.Attributes["VisibilityTimeout"] != "30" {
		t.Errorf("get-queue-attributes: got %v", qa.Attributes)
	}
	qa.Attributes = nil
	cliSQS(t, cli, &qa, "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn", "VisibilityTimeout")
	if len(qa.Attributes) != 2 || qa.Attributes["VisibilityTimeout"] != "30" {
		t.Errorf("get-queue-attributes of two names: got %v", qa.Attributes)
	}

	var batch struct {
		Successful []struct{ Id, MessageId, MD5OfMessageBody string }
		Failed     []struct {
			Id, Code    string
			SenderFault bool
		}
	}
	cliSQS(t, cli, &batch, "send-message-batch", "--queue-url", url, "--entries", "Id=a,MessageBody=one", "Id=b,MessageBody=two")
	if len(batch.Successful) != 2 || len(batch.Failed) != 0 {
		t.Fatalf("send-message-batch: got %+v, want 2 successful", batch)
	}
	for _, e := range batch.Successful {
		if want := map[string]string{"a": "one", "b": "two"}[e.Id]; e.MD5OfMessageBody != hexMD5(want) {
			t.Errorf("send-message-batch entry %s: got MD5 %s, want %s", e.Id, e.MD5OfMessageBody, hexMD5(want))
		}
	}
	var both []cliMessage
	waitFor(t, 15*time.Second, "both messages of the batch", func() bool {
		both = append(both, cliReceive(t, cli, url)...)
		return len(both) >= 2
	})
	if b := cliBodies(both); len(b) != 2 || !slices.Contains(b, "one") || !slices.Contains(b, "two") {
		t.Fatalf("receive-message: got %v, want one and two", b)
	}
	mustFail("AWS.SimpleQueueService.InvalidBatchEntryId", "delete-message-batch", "--queue-url", url,
		"--entries", `[{"Id":"bad id!","ReceiptHandle":"`+both[0].ReceiptHandle+`"}]`)
	entries, _ := json.Marshal([]map[string]string{
		{"Id": "first", "ReceiptHandle": both[0].ReceiptHandle},
		{"Id": "second", "ReceiptHandle": both[1].ReceiptHandle},
		{"Id": "garbage", "ReceiptHandle": "not-a-receipt-handle"},
	})
	batch.Successful, batch.Failed = nil, nil
	cliSQS(t, cli, &batch, "delete-message-batch", "--queue-url", url, "--entries", string(entries))
	if len(batch.Successful) != 2 || len(batch.Failed) != 1 || batch.Failed[0].Id != "garbage" ||
		batch.Failed[0].Code != "ReceiptHandleIsInvalid" || !batch.Failed[0].SenderFault {
		t.Errorf("delete-message-batch: got %+v, want first and second deleted, garbage failed with ReceiptHandleIsInvalid", batch)
	}

	// FIFO: order within a group, and de-duplication by content.
	cliSQS(t, cli, &q, "create-queue", "--queue-name", "cli-jobs.fifo", "--attributes", "FifoQueue=true,ContentBasedDeduplication=true")
	fifo := q.QueueUrl
	for _, body := range []string{"f0", "f1", "f2", "f1"} {
		var s struct{ MessageId, SequenceNumber string }
		cliSQS(t, cli, &s, "send-message", "--queue-url", fifo, "--message-body", body, "--message-group-id", "g")
		if s.MessageId == "" || s.SequenceNumber == "" {
			t.Errorf("send-message to a FIFO queue: got %+v, want a MessageId and a SequenceNumber", s)
		}
	}
	got = cliReceive(t, cli, fifo)
	if b := cliBodies(got); !slices.Equal(b, []string{"f0", "f1", "f2"}) {
		t.Errorf("receive-message from a FIFO queue: got %v, want [f0 f1 f2]", b)
	} else if got[0].Attributes["MessageGroupId"] != "g" || got[0].Attributes["SequenceNumber"] == "" {
		t.Errorf("receive-message from a FIFO queue: got attributes %v, want MessageGroupId g and a SequenceNumber", got[0].Attributes)
	}

	// Redrive to a dead-letter queue after one receive, and a move task back.
	cliSQS(t, cli, &q, "create-queue", "--queue-name", "cli-dlq")
	dlq := q.QueueUrl
	dlqArn := "arn:aws:sqs:us-east-1:" + account + ":cli-dlq"
	redrive, _ := json.Marshal(map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"1"}`})
	cliSQS(t, cli, &q, "create-queue", "--queue-name", "cli-work", "--attributes", string(redrive))
	work := q.QueueUrl
	cli.Run("sqs", "send-message", "--queue-url", work, "--message-body", "poison")
	if got := cliReceive(t, cli, work, "--visibility-timeout", "0"); !slices.Equal(cliBodies(got), []string{"poison"}) {
		t.Fatalf("receive-message: got %v, want [poison]", cliBodies(got))
	}
	waitFor(t, 15*time.Second, "the message in the dead-letter queue", func() bool {
		return len(cliReceive(t, cli, work, "--visibility-timeout", "0", "--wait-time-seconds", "0")) == 0 &&
			slices.Equal(cliBodies(cliReceive(t, cli, dlq, "--visibility-timeout", "0", "--wait-time-seconds", "0")), []string{"poison"})
	})
	var sources struct{ QueueUrls []string }
	cliSQS(t, cli, &sources, "list-dead-letter-source-queues", "--queue-url", dlq)
	if !slices.Equal(sources.QueueUrls, []string{work}) {
		t.Errorf("list-dead-letter-source-queues: got %v, want [%s]", sources.QueueUrls, work)
	}
	if exit, stderr := cli.Fail("sqs", "start-message-move-task", "help-me"); strings.Contains(stderr, "Invalid choice") {
		// Debian's aws CLI v2 (2.9) predates message move tasks.
		t.Logf("this aws CLI has no start-message-move-task (exit %d)", exit)
	} else {
		var task struct{ TaskHandle string }
		cliSQS(t, cli, &task, "start-message-move-task", "--source-arn", dlqArn)
		if task.TaskHandle == "" {
			t.Errorf("start-message-move-task: got no TaskHandle")
		}
		var tasks struct {
			Results []struct {
				Status, SourceArn                string
				ApproximateNumberOfMessagesMoved int
			}
		}
		waitFor(t, 15*time.Second, "the move task to complete", func() bool {
			cliSQS(t, cli, &tasks, "list-message-move-tasks", "--source-arn", dlqArn)
			return len(tasks.Results) > 0 && tasks.Results[0].Status == "COMPLETED"
		})
		if r := tasks.Results[0]; r.SourceArn != dlqArn || r.ApproximateNumberOfMessagesMoved != 1 {
			t.Errorf("list-message-move-tasks: got %+v, want 1 message moved from %s", r, dlqArn)
		}
		if got := cliReceive(t, cli, work); !slices.Equal(cliBodies(got), []string{"poison"}) {
			t.Errorf("receive-message after the move task: got %v, want [poison]", cliBodies(got))
		}
	}

	mustFail("AWS.SimpleQueueService.NonExistentQueue", "get-queue-url", "--queue-name", "cli-missing")
	mustFail("AWS.SimpleQueueService.NonExistentQueue", "send-message", "--queue-url", cli.url+"/"+account+"/cli-missing", "--message-body", "x")
	mustFail("QueueAlreadyExists", "create-queue", "--queue-name", "cli-orders", "--attributes", "VisibilityTimeout=31")
	mustFail("AWS.SimpleQueueService.EmptyBatchRequest", "send-message-batch", "--queue-url", url, "--entries", "[]")
}
