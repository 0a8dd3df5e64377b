package params

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/google/btree"
	"github.com/nats-io/nats.go/jetstream"
)

// index is this node's ordered view of every parameter's head, by region
// and key, for DescribeParameters and GetParametersByPath. An ordered
// consumer on the heads' subjects builds it and keeps it current; a
// listing first waits until it has applied the stream's last head, so that
// it sees every write acknowledged before it began, on any node.
type index struct {
	mu      sync.Mutex
	regions map[string]*btree.BTreeG[*entry]
	applied uint64
	waiters []waiter
}

type entry struct {
	key string
	h   *head // never changed once in the index
	seq uint64
}

type waiter struct {
	seq uint64
	ch  chan struct{}
}

func newIndex() *index { return &index{regions: map[string]*btree.BTreeG[*entry]{}} }

func lessEntry(a, b *entry) bool { return a.key < b.key }

// apply applies one head message.
func (ix *index) apply(seq uint64, data []byte) {
	h := &head{}
	err := json.Unmarshal(data, h)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err == nil && h.Name != "" {
		t := ix.regions[h.Region]
		if t == nil {
			t = btree.NewG(32, lessEntry)
			ix.regions[h.Region] = t
		}
		e := &entry{key: h.key(), h: h, seq: seq}
		if old, ok := t.Get(e); !ok || old.seq < seq {
			if h.Deleted {
				t.Delete(e)
			} else {
				t.ReplaceOrInsert(e)
			}
		}
	}
	if seq > ix.applied {
		ix.applied = seq
	}
	if len(ix.waiters) > 0 {
		kept := ix.waiters[:0]
		for _, w := range ix.waiters {
			if w.seq <= ix.applied {
				close(w.ch)
			} else {
				kept = append(kept, w)
			}
		}
		ix.waiters = kept
	}
}

// follow builds the index from the stream and keeps it current until ctx
// ends; the consumer's goroutine is counted in wg.
func (ix *index) follow(ctx context.Context, str jetstream.Stream, wg *sync.WaitGroup) error {
	cons, err := str.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{headPrefix + ">"}, DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("params: index: %w", err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		md, err := m.Metadata()
		if err != nil {
			return
		}
		ix.apply(md.Sequence.Stream, m.Data())
	})
	if err != nil {
		return fmt.Errorf("params: index: %w", err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		cc.Stop()
	}()
	return nil
}

// waitFor returns once the index has applied sequence seq.
func (ix *index) waitFor(ctx context.Context, seq uint64) error {
	ix.mu.Lock()
	if ix.applied >= seq {
		ix.mu.Unlock()
		return nil
	}
	w := waiter{seq: seq, ch: make(chan struct{})}
	ix.waiters = append(ix.waiters, w)
	ix.mu.Unlock()
	select {
	case <-w.ch:
		return nil
	case <-ctx.Done():
		ix.mu.Lock()
		ix.waiters = slices.DeleteFunc(ix.waiters, func(o waiter) bool { return o.ch == w.ch })
		ix.mu.Unlock()
		return ctx.Err()
	}
}

// sync waits until the index holds every head written before it was
// called, on any node: the last message on the heads' subjects, which is
// never removed (a head is only ever replaced by a later one).
func (s *Service) sync(ctx context.Context) error {
	m, err := s.stream.GetLastMsgForSubject(ctx, headPrefix+">")
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("params: last change: %w", err)
	}
	return s.idx.waitFor(ctx, m.Sequence)
}

// scan calls fn with the heads of region whose keys are at or after from
// and begin with prefix, in key order, until fn returns false. fn runs
// with the index locked: it must not block.
func (ix *index) scan(region, prefix, from string, fn func(*head) bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	t := ix.regions[region]
	if t == nil {
		return
	}
	start := prefix
	if from > start {
		start = from
	}
	t.AscendGreaterOrEqual(&entry{key: start}, func(e *entry) bool {
		if len(e.key) < len(prefix) || e.key[:len(prefix)] != prefix {
			return false
		}
		return fn(e.h)
	})
}

func sortStrings(s []string) { sort.Strings(s) }
