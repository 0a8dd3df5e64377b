// Package poller is the function of the queue-event-source application: on
// each scheduled run it receives the messages of an SQS queue, ten at a
// time, hands each batch to a processor function by a synchronous Lambda
// invocation, and deletes, retries or leaves each message as the
// processor's answer says.
package poller

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Queue is the part of the SQS API the poller calls.
type Queue interface {
	GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(context.Context, *sqs.DeleteMessageBatchInput, ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibilityBatch(context.Context, *sqs.ChangeMessageVisibilityBatchInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// Invoker is the part of the Lambda API the poller calls.
type Invoker interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// Poller moves the messages of one queue to one processor function.
type Poller struct {
	Queue     Queue
	Lambda    Invoker
	QueueName string // the queue's name
	Processor string // the processor function's name or ARN
	// Wait is the WaitTimeSeconds of each receive.
	Wait int32
	// Now is the clock the deadline is checked against.
	Now func() time.Time
	// Log receives a line for each batch and each failure.
	Log *log.Logger
}

// New returns a Poller of the queue and processor with the default wait
// (1 s), the system clock and the standard logger.
func New(q Queue, l Invoker, queueName, processor string) *Poller {
	return &Poller{Queue: q, Lambda: l, QueueName: queueName, Processor: processor,
		Wait: 1, Now: time.Now, Log: log.Default()}
}

// Stop reasons: why a run ended.
const (
	// StoppedEmpty: a receive returned no message.
	StoppedEmpty = "empty"
	// StoppedDeadline: too little of the function's time was left.
	StoppedDeadline = "deadline"
	// StoppedRedelivered: a message this run had already handed to the
	// processor came back (its retry delay or the queue's visibility
	// timeout passed). A run hands each message over at most once, so it
	// makes the message visible again for the next run and ends.
	StoppedRedelivered = "redelivered"
)

// Summary is what a run did; the function returns it.
type Summary struct {
	Batches  int    `json:"batches"`
	Received int    `json:"received"`
	Deleted  int    `json:"deleted"`
	Retried  int    `json:"retried"`
	Left     int    `json:"left"`
	Stopped  string `json:"stopped"`
}

// Margin is how much of the function's time a run leaves unused: the
// larger of 5 s and a fifth of the time it had when it started, but never
// more than half of it. A batch whose processor is still running when the
// function times out is not lost: its messages reappear after the queue's
// visibility timeout.
func Margin(total time.Duration) time.Duration {
	m := max(total/5, 5*time.Second)
	return min(m, total/2)
}

// Run receives and hands over batches until the queue is empty, a message
// comes back or, when deadline is not zero, less than Margin of the time
// before it is left. It fails only when the queue cannot be read; a
// processor failure or a failed delete or visibility change is logged and
// leaves the messages to reappear.
func (p *Poller) Run(ctx context.Context, deadline time.Time) (Summary, error) {
	var sum Summary
	var margin time.Duration
	if !deadline.IsZero() {
		margin = Margin(deadline.Sub(p.Now()))
	}
	url, err := p.Queue.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(p.QueueName)})
	if err != nil {
		return sum, fmt.Errorf("queue %s: %w", p.QueueName, err)
	}
	queueURL := aws.ToString(url.QueueUrl)
	seen := map[string]bool{}
	for {
		if !deadline.IsZero() && deadline.Sub(p.Now()) < margin {
			sum.Stopped = StoppedDeadline
			break
		}
		out, err := p.Queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(queueURL),
			MaxNumberOfMessages:         10,
			WaitTimeSeconds:             p.Wait,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			p.logf("receive from %s: %v", p.QueueName, err)
			return sum, fmt.Errorf("receive from %s: %w", p.QueueName, err)
		}
		if len(out.Messages) == 0 {
			sum.Stopped = StoppedEmpty
			break
		}
		var fresh []Message
		var again []sqstypes.Message
		for _, m := range out.Messages {
			if seen[aws.ToString(m.MessageId)] {
				again = append(again, m)
				continue
			}
			seen[aws.ToString(m.MessageId)] = true
			fresh = append(fresh, newMessage(m))
		}
		sum.Received += len(fresh)
		if len(fresh) > 0 {
			sum.Batches++
			p.batch(ctx, queueURL, sum.Batches, fresh, &sum)
		}
		if len(again) > 0 {
			p.release(ctx, queueURL, again)
			sum.Stopped = StoppedRedelivered
			break
		}
	}
	p.logf("run done: %d batches, %d messages: %d deleted, %d retried, %d left; stopped: %s",
		sum.Batches, sum.Received, sum.Deleted, sum.Retried, sum.Left, sum.Stopped)
	return sum, nil
}

// batch hands one batch to the processor and carries out its answer.
func (p *Poller) batch(ctx context.Context, queueURL string, n int, msgs []Message, sum *Summary) {
	answer, err := p.invoke(ctx, msgs)
	if err != nil {
		p.logf("batch %d: %d messages left for the queue's visibility timeout: %v", n, len(msgs), err)
		sum.Left += len(msgs)
		return
	}
	verdicts := decide(msgs, answer)
	var deletes []sqstypes.DeleteMessageBatchRequestEntry
	var retries []sqstypes.ChangeMessageVisibilityBatchRequestEntry
	var left []string
	for i, m := range msgs {
		v := verdicts[m.MessageID]
		id := aws.String(strconv.Itoa(i))
		switch v.action {
		case remove:
			deletes = append(deletes, sqstypes.DeleteMessageBatchRequestEntry{Id: id, ReceiptHandle: aws.String(m.ReceiptHandle)})
		case retry:
			retries = append(retries, sqstypes.ChangeMessageVisibilityBatchRequestEntry{Id: id,
				ReceiptHandle: aws.String(m.ReceiptHandle), VisibilityTimeout: v.delay})
		default:
			left = append(left, m.MessageID+" ("+v.reason+")")
		}
	}
	deleted, retried := p.remove(ctx, queueURL, n, deletes, msgs), p.retry(ctx, queueURL, n, retries, msgs)
	// A message SQS would not delete or change is left as it is too.
	stuck := len(deletes) - deleted + len(retries) - retried
	sum.Deleted += deleted
	sum.Retried += retried
	sum.Left += len(left) + stuck
	line := fmt.Sprintf("batch %d: %d messages: %d deleted, %d retried, %d left", n, len(msgs), deleted, retried, len(left)+stuck)
	if len(left) > 0 {
		line += ": " + strings.Join(left, ", ")
	}
	p.logf("%s", line)
}

// invoke hands a batch to the processor and parses its answer.
func (p *Poller) invoke(ctx context.Context, msgs []Message) (*Response, error) {
	payload, err := json.Marshal(Request{Messages: msgs})
	if err != nil {
		return nil, fmt.Errorf("encode the batch: %w", err)
	}
	out, err := p.Lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(p.Processor),
		InvocationType: lambdatypes.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil {
		return nil, fmt.Errorf("invoke processor %s: %w", p.Processor, err)
	}
	if out.FunctionError != nil {
		return nil, fmt.Errorf("processor %s failed (%s): %s", p.Processor, aws.ToString(out.FunctionError), clip(out.Payload))
	}
	r, err := ParseResponse(out.Payload)
	if err != nil {
		return nil, fmt.Errorf("processor %s: %w: %s", p.Processor, err, clip(out.Payload))
	}
	return r, nil
}

// remove deletes the SUCCESS messages and returns how many were deleted.
func (p *Poller) remove(ctx context.Context, queueURL string, n int, entries []sqstypes.DeleteMessageBatchRequestEntry, msgs []Message) int {
	if len(entries) == 0 {
		return 0
	}
	out, err := p.Queue.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
	if err != nil {
		p.logf("batch %d: delete %d messages: %v", n, len(entries), err)
		return 0
	}
	p.logFailed(n, "delete", out.Failed, msgs)
	return len(out.Successful)
}

// retry gives the RETRY messages their retry delay as visibility timeout
// and returns how many were changed.
func (p *Poller) retry(ctx context.Context, queueURL string, n int, entries []sqstypes.ChangeMessageVisibilityBatchRequestEntry, msgs []Message) int {
	if len(entries) == 0 {
		return 0
	}
	out, err := p.Queue.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
	if err != nil {
		p.logf("batch %d: change the visibility of %d messages: %v", n, len(entries), err)
		return 0
	}
	p.logFailed(n, "change the visibility of", out.Failed, msgs)
	return len(out.Successful)
}

// release makes messages this run has already handed over visible again.
func (p *Poller) release(ctx context.Context, queueURL string, msgs []sqstypes.Message) {
	entries := make([]sqstypes.ChangeMessageVisibilityBatchRequestEntry, len(msgs))
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		entries[i] = sqstypes.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		ids[i] = aws.ToString(m.MessageId)
	}
	p.logf("%d messages came back in this run, left for the next: %s", len(msgs), strings.Join(ids, ", "))
	out, err := p.Queue.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
	if err != nil {
		p.logf("make %d messages visible again: %v", len(msgs), err)
		return
	}
	for _, f := range out.Failed {
		p.logf("make message %s visible again: %s: %s", messageID(f.Id, ids), aws.ToString(f.Code), aws.ToString(f.Message))
	}
}

// logFailed logs the entries of a batch call that failed.
func (p *Poller) logFailed(n int, what string, failed []sqstypes.BatchResultErrorEntry, msgs []Message) {
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.MessageID
	}
	for _, f := range failed {
		p.logf("batch %d: %s message %s: %s: %s", n, what, messageID(f.Id, ids), aws.ToString(f.Code), aws.ToString(f.Message))
	}
}

// messageID returns the message id of a batch entry id (its index).
func messageID(entry *string, ids []string) string {
	i, err := strconv.Atoi(aws.ToString(entry))
	if err != nil || i < 0 || i >= len(ids) {
		return "entry " + aws.ToString(entry)
	}
	return ids[i]
}

func (p *Poller) logf(format string, args ...any) {
	if p.Log != nil {
		p.Log.Printf(format, args...)
	}
}

// clip shortens a payload for a log line.
func clip(b []byte) string {
	const limit = 512
	if len(b) > limit {
		return string(b[:limit]) + "…"
	}
	return string(b)
}
