package buckets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy/engine"
	"github.com/google/btree"
	"github.com/nats-io/nats.go/jetstream"
)

// index is this node's ordered view of a bucket's keys, for listings: it
// is built from the bucket's stream and follows it with an ordered
// consumer. An entry costs its key plus about 160 bytes (the entry's 96,
// the ETag's 48, the btree's slot and node share), so 100,000 keys of 40
// bytes take about 20 MiB per node.
type index struct {
	mu      sync.Mutex // guards tree, applied, waiters
	tree    *btree.BTreeG[*entry]
	applied uint64 // the stream sequence applied last
	waiters []waiter
}

type entry struct {
	key   string
	size  int64
	etag  string
	mtime time.Time
	sc    string
	ck    *Checksum // algorithm and type only, shared
	seq   uint64
}

// listChecksums are the checksum descriptions a listing shows (ListObjects
// names the algorithm and type, not the value), shared by every entry.
var listChecksums = func() map[[2]string]*Checksum {
	m := map[[2]string]*Checksum{}
	for _, a := range Algorithms {
		for _, t := range []string{"FULL_OBJECT", "COMPOSITE"} {
			m[[2]string{a, t}] = &Checksum{Algorithm: a, Type: t}
		}
	}
	return m
}()

type waiter struct {
	seq uint64
	ch  chan struct{}
}

func newIndex() *index {
	return &index{tree: btree.NewG(32, func(a, b *entry) bool { return a.key < b.key })}
}

func (ix *index) len() int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.tree.Len()
}

// follow builds the index from the stream and keeps it current until ctx
// ends; the consumer's goroutine is counted in wg.
func (ix *index) follow(ctx context.Context, str jetstream.Stream, prefix string, wg *sync.WaitGroup) error {
	cons, err := str.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return fmt.Errorf("buckets: index consumer: %w", err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		md, err := m.Metadata()
		if err != nil {
			return
		}
		key, ok := engine.DecodeKey(strings.TrimPrefix(m.Subject(), prefix))
		rec, rerr := decodeRecord(m.Data())
		ix.mu.Lock()
		defer ix.mu.Unlock()
		if ok && rerr == nil {
			if rec.Del {
				if old, found := ix.tree.Get(&entry{key: key}); found && old.seq < md.Sequence.Stream {
					ix.tree.Delete(old)
				}
			} else {
				sc := rec.StorageClass
				if sc == "STANDARD" {
					sc = "STANDARD" // the constant, not a copy per entry
				}
				var ck *Checksum
				if rec.Checksum != nil {
					ck = listChecksums[[2]string{rec.Checksum.Algorithm, rec.Checksum.Type}]
				}
				ix.tree.ReplaceOrInsert(&entry{key: key, size: rec.Size, etag: rec.ETag, mtime: rec.LastModified, sc: sc, ck: ck, seq: md.Sequence.Stream})
			}
		}
		if md.Sequence.Stream > ix.applied {
			ix.applied = md.Sequence.Stream
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
	})
	if err != nil {
		return fmt.Errorf("buckets: index consumer: %w", err)
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

// sync waits until the index has applied every change made before it was
// called, on any node: the stream's last message. That message may be gone
// (a tombstone removed after its grace) and then never reaches the index;
// after a while sync waits for the last message that exists instead (a
// direct get that costs more in a large bucket).
func (st *bucketState) sync(ctx context.Context) error {
	info, err := st.stream.Info(ctx)
	if gone(err) {
		return noSuchBucket()
	}
	if err != nil {
		return fmt.Errorf("buckets: last change: %w", err)
	}
	last := info.State.LastSeq
	if info.State.Msgs == 0 {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, time.Second)
	err = st.idx.waitFor(wctx, last)
	cancel()
	if err == nil || ctx.Err() != nil {
		return ctx.Err()
	}
	m, err := st.stream.GetLastMsgForSubject(ctx, st.subj+">")
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("buckets: last change: %w", err)
	}
	return st.idx.waitFor(ctx, m.Sequence)
}

// list returns one page of the index.
func (ix *index) list(in *ListInput, bucket string) *ListOutput {
	out := &ListOutput{Objects: []Object{}}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	from := in.Prefix
	if in.After > from {
		from = in.After
	}
	count := 0
	var last string
	for {
		restart := ""
		stop := false
		ix.tree.AscendGreaterOrEqual(&entry{key: from}, func(e *entry) bool {
			if !strings.HasPrefix(e.key, in.Prefix) {
				stop = true
				return false
			}
			if e.key <= in.After {
				return true
			}
			item := e.key
			isPrefix := false
			if in.Delimiter != "" {
				if i := strings.Index(e.key[len(in.Prefix):], in.Delimiter); i >= 0 {
					item = e.key[:len(in.Prefix)+i+len(in.Delimiter)]
					isPrefix = true
					if item == in.After {
						// The listing resumes after this common prefix.
						restart = prefixEnd(item)
						return false
					}
				}
			}
			if count >= in.MaxKeys {
				out.Truncated = true
				stop = true
				return false
			}
			count++
			last = item
			if isPrefix {
				out.CommonPrefixes = append(out.CommonPrefixes, item)
				restart = prefixEnd(item)
				return false
			}
			out.Objects = append(out.Objects, Object{Bucket: bucket, Key: e.key, Size: e.size, ETag: e.etag,
				LastModified: e.mtime, Headers: Headers{StorageClass: e.sc}, Checksum: e.ck})
			return true
		})
		if stop || restart == "" {
			break
		}
		from = restart
	}
	if out.Truncated {
		out.Next = last
	}
	return out
}

// prefixEnd returns the least string greater than every string that
// starts with p ("" when there is none).
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// scanStream calls fn with every message of a stream, in order.
func scanStream(ctx context.Context, str jetstream.Stream, fn func(subject string, seq uint64, data []byte)) error {
	info, err := str.Info(ctx)
	if err != nil {
		return err
	}
	if info.State.Msgs == 0 {
		return nil
	}
	cons, err := str.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return err
	}
	for {
		batch, err := cons.Fetch(1000, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return err
		}
		n := 0
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return err
			}
			fn(m.Subject(), md.Sequence.Stream, m.Data())
			if md.NumPending == 0 || md.Sequence.Stream >= info.State.LastSeq {
				return nil
			}
		}
		if err := batch.Error(); err != nil {
			return err
		}
		if n == 0 {
			return nil // what was left is gone
		}
	}
}
