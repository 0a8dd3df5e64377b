package main

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	qtypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestSQSSurvivesKill kills eddy (SIGKILL) during a burst of sends and
// consumes. After a restart every acknowledged message was either deleted
// (its delete acknowledged) or is still in the queue; no deleted message
// comes back; and no message is handed out again while a receive from
// before the kill still hides it.
func TestSQSSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills an eddy process")
	}
	bin := MustBuildEddy(t)
	dir := t.TempDir()
	cmd, url := MustServe(t, bin, dir)
	c := MustSQS(t, url)
	ctx := context.Background()
	q := mustQueue(t, c, "burst", nil)
	const vis = 4 // seconds: long enough to outlast the restart

	var (
		mu       sync.Mutex
		sent     = map[string]bool{}        // acknowledged sends, by message id
		deleted  = map[string]bool{}        // acknowledged deletes
		deleting = map[string]bool{}        // deletes begun
		received = map[string][]time.Time{} // when each receive that got it began
		dupes    []string
		count    atomic.Int64
	)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() { // senders
			defer wg.Done()
			for i := 0; ; i++ {
				var es []qtypes.SendMessageBatchRequestEntry
				for j := range 5 {
					es = append(es, qtypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), MessageBody: aws.String(strconv.Itoa(w*1_000_000 + i*10 + j))})
				}
				out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: es})
				if err != nil {
					return
				}
				mu.Lock()
				for _, s := range out.Successful {
					sent[*s.MessageId] = true
				}
				mu.Unlock()
				count.Add(int64(len(out.Successful)))
			}
		}()
		wg.Add(1)
		go func() { // consumers: delete every other batch, leave the rest in flight
			defer wg.Done()
			for i := 0; ; i++ {
				start := time.Now()
				out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10, VisibilityTimeout: vis, WaitTimeSeconds: 1})
				if err != nil {
					return
				}
				end := time.Now()
				mu.Lock()
				for _, m := range out.Messages {
					for _, prev := range received[*m.MessageId] {
						// Handed out before the earlier receive's
						// visibility can have ended.
						if end.Before(prev.Add(vis * time.Second)) {
							dupes = append(dupes, *m.MessageId)
						}
					}
					received[*m.MessageId] = append(received[*m.MessageId], start)
				}
				mu.Unlock()
				if i%2 == 1 || len(out.Messages) == 0 {
					continue
				}
				var es []qtypes.DeleteMessageBatchRequestEntry
				for k, m := range out.Messages {
					es = append(es, qtypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(k)), ReceiptHandle: m.ReceiptHandle})
				}
				mu.Lock()
				for _, m := range out.Messages {
					deleting[*m.MessageId] = true
				}
				mu.Unlock()
				res, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q), Entries: es})
				if err != nil {
					return
				}
				mu.Lock()
				for _, s := range res.Successful {
					k, _ := strconv.Atoi(*s.Id)
					deleted[*out.Messages[k].MessageId] = true
				}
				mu.Unlock()
			}
		}()
	}
	waitFor(t, 30*time.Second, "a burst of sends", func() bool { return count.Load() >= 2000 })
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	_ = cmd.Wait()

	_, url = MustServe(t, bin, dir)
	c = MustSQS(t, url)
	// Drain: everything not deleted must come back, once its visibility
	// ends, and not before.
	left := map[string]bool{}
	for id := range sent {
		if !deleting[id] {
			left[id] = true
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(left) > 0 && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		var es []qtypes.DeleteMessageBatchRequestEntry
		for k, m := range out.Messages {
			id := *m.MessageId
			if deleted[id] {
				t.Fatalf("message %s came back after its delete was acknowledged", id)
			}
			for _, prev := range received[id] {
				if time.Now().Before(prev.Add(vis * time.Second)) {
					t.Fatalf("message %s handed out again within its visibility timeout (received at %v, again by %v)", id, prev, time.Now())
				}
			}
			delete(left, id)
			es = append(es, qtypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(k)), ReceiptHandle: m.ReceiptHandle})
		}
		if len(es) > 0 {
			if _, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q), Entries: es}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(left) > 0 {
		t.Fatalf("after the kill %d acknowledged messages (of %d sent, %d deleted) are gone", len(left), len(sent), len(deleted))
	}
	// What a delete under way at the kill took may be gone or back; the
	// rest came back above. Drain it to be sure the queue is then empty.
	if len(dupes) > 0 {
		t.Fatalf("before the kill, %d messages were handed out twice within their visibility timeout", len(dupes))
	}
	t.Logf("sent %d, deleted %d before the kill", len(sent), len(deleted))
}
