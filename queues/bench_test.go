package queues_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/eddyserverless/eddy/queues"
)

// BenchmarkSend16 sends from 16 goroutines.
func BenchmarkSend16(b *testing.B) {
	s := newService(b)
	url := mustCreate(b, s, "bench", nil)
	body := "hello, this is a message body of moderate length for the benchmark"
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/16 + 1
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				if _, err := s.SendMessage(context.Background(), &queues.SendMessageInput{QueueUrl: url, MessageBody: &body}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkReceiveDelete16 receives ten and deletes them in a batch, from
// 16 goroutines; b.N counts messages.
func BenchmarkReceiveDelete16(b *testing.B) {
	s := newService(b)
	url := mustCreate(b, s, "bench", nil)
	for i := 0; i < b.N; i += 10 {
		var es []queues.SendMessageBatchEntry
		for j := range 10 {
			es = append(es, queues.SendMessageBatchEntry{Id: fmt.Sprint(j), MessageBody: str("body")})
		}
		if _, err := s.SendMessageBatch(context.Background(), &queues.SendMessageBatchInput{QueueUrl: url, Entries: es}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	var mu sync.Mutex
	left := b.N
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if left <= 0 {
					mu.Unlock()
					return
				}
				mu.Unlock()
				got := receive(b, s, url, 10, 30, 0)
				if len(got) == 0 {
					mu.Lock()
					done := left <= 0
					mu.Unlock()
					if done {
						return
					}
					continue
				}
				var es []queues.DeleteMessageBatchEntry
				for i, m := range got {
					es = append(es, queues.DeleteMessageBatchEntry{Id: fmt.Sprint(i), ReceiptHandle: m.ReceiptHandle})
				}
				if _, err := s.DeleteMessageBatch(context.Background(), &queues.DeleteMessageBatchInput{QueueUrl: url, Entries: es}); err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				left -= len(got)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
