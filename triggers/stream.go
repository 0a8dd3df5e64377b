package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/nats-io/nats.go/jetstream"
)

// This file runs a mapping of a table's change stream: one shard (a table
// stream has one), one poller while this node holds the shard's lease.

// runStream runs a stream mapping until its runner is stopped.
func (s *Service) runStream(r *runner) {
	m := r.m
	log := s.cfg.Logger.With("mapping", m.UUID, "function", m.FunctionName)
	for {
		st, err := s.cfg.Tables.StreamByArn(s.hard, m.EventSourceArn)
		if err != nil {
			log.Warn("triggers: stream not readable", "stream", m.EventSourceArn, "err", err)
			if !sleep(s.hard, r.stop, 5*time.Second) {
				return
			}
			continue
		}
		key := checkpointKey(m.UUID, st.ShardID)
		l, err := s.acquire(s.hard, key)
		if err != nil {
			log.Warn("triggers: lease", "err", err)
		}
		if l == nil {
			// Another node has it (or the engine did not answer): try
			// again when its lease would have expired if not renewed.
			if !sleep(s.hard, r.stop, s.cfg.LeaseTTL/3) {
				return
			}
			continue
		}
		ctx, cancel := context.WithCancel(s.hard)
		var kept sync.WaitGroup
		kept.Add(1)
		go func() {
			defer kept.Done()
			l.keep(ctx, cancel)
		}()
		p, err := s.newStreamPoller(ctx, r.stop, m, st, key)
		if err == nil {
			p.run()
		} else {
			log.Warn("triggers: poller", "err", err)
		}
		cancel()
		kept.Wait()
		l.release()
		select {
		case <-r.stop:
			return
		default:
		}
		if !sleep(s.hard, r.stop, time.Second) {
			return
		}
	}
}

// item is one record on its way to the function.
type item struct {
	seq     uint64
	created time.Time // the change's approximate creation time
	queued  time.Time // when the poller read it (the batching window starts there)
	data    []byte    // the record as the function receives it
}

// lane is one of the ParallelizationFactor lanes of a shard: the records
// of the partition keys that hash to it, delivered in order. The batch
// in flight is the head of its queue until it is done.
type lane struct {
	queue []*item
	wake  chan struct{} // records were added
}

// streamPoller delivers one stream shard while this node holds its lease.
type streamPoller struct {
	s       *Service
	m       *eddy.EventSourceMapping
	st      *tables.Stream // the dispatcher's; refreshed now and then
	arn     string
	shard   string
	key     string // the checkpoint's
	hashKey string // the table's partition key attribute
	filters []*Pattern
	log     *slog.Logger

	ctx    context.Context // ends when the lease is lost or Close gives up
	cancel context.CancelFunc
	stop   <-chan struct{} // closed to stop after the invocation under way

	wake chan struct{} // the stream may have new records
	room chan struct{} // a lane finished records

	mu      sync.Mutex // guards the lanes' queues, next, pending, pendBy and result
	lanes   []*lane
	next    uint64 // where the dispatcher reads next
	pending int    // records queued in all lanes
	pendBy  int    // and their bytes
	result  string // LastProcessingResult to write

	cpMu  sync.Mutex // guards cp and cpRev; held while writing the checkpoint
	cp    checkpoint
	cpRev uint64
}

// Limits of what a poller holds in memory, and of a batch.
const (
	maxRead         = 1000
	maxBatchPayload = eddy.MaxSyncPayload - 64
)

func (s *Service) newStreamPoller(ctx context.Context, stop <-chan struct{}, m *eddy.EventSourceMapping, st *tables.Stream, key string) (*streamPoller, error) {
	ctx, cancel := context.WithCancel(ctx)
	p := &streamPoller{
		s: s, m: m, st: st, arn: st.Arn, shard: st.ShardID, key: key,
		log: s.cfg.Logger.With("mapping", m.UUID, "function", m.FunctionName),
		ctx: ctx, cancel: cancel, stop: stop,
		wake: make(chan struct{}, 1), room: make(chan struct{}, 1),
	}
	for _, k := range st.KeySchema {
		if k.KeyType == "HASH" {
			p.hashKey = k.AttributeName
		}
	}
	for _, f := range m.Filters {
		pat, err := ParsePattern(f)
		if err != nil {
			cancel()
			return nil, err // validated on create: not expected
		}
		p.filters = append(p.filters, pat)
	}
	for i := 0; i < max(1, m.ParallelizationFactor); i++ {
		p.lanes = append(p.lanes, &lane{wake: make(chan struct{}, 1)})
	}
	cp, rev, ok, err := s.readCheckpoint(ctx, key)
	if err != nil {
		cancel()
		return nil, err
	}
	if !ok {
		// Written on create; missing only for a mapping whose checkpoint
		// was lost. Start where the mapping says.
		cp = checkpoint{Result: resultNone, Updated: s.cfg.Now().UTC()}
		if cp.Seq, err = startPosition(ctx, st, m.StartingPosition); err == nil {
			var data []byte
			data, _ = json.Marshal(cp)
			rev, err = s.checkpoints.Create(ctx, key, data)
		}
		if err != nil {
			cancel()
			return nil, err
		}
	}
	p.cp, p.cpRev, p.next, p.result = cp, rev, cp.Seq, cp.Result
	return p, nil
}

// startPosition is the position a new mapping reads from.
func startPosition(ctx context.Context, st *tables.Stream, pos string) (uint64, error) {
	if pos == eddy.StartLatest {
		last, err := st.LastSeq(ctx)
		return last + 1, err
	}
	return st.TrimHorizon(ctx)
}

// stopped reports whether the poller should start no more invocations.
func (p *streamPoller) stopped() bool {
	select {
	case <-p.stop:
		return true
	default:
		return p.ctx.Err() != nil
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// run reads the stream and feeds the lanes until the poller is stopped,
// then waits for the lanes and writes the last checkpoint.
func (p *streamPoller) run() {
	defer p.cancel()
	if unwatch, err := p.st.Watch(func() { signal(p.wake) }); err == nil {
		defer unwatch()
	} else {
		p.log.Warn("triggers: no wake-ups, polling only", "err", err)
	}
	var wg sync.WaitGroup
	for _, l := range p.lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.runLane(l)
		}()
	}
	p.dispatch()
	wg.Wait()
	p.checkpoint()
}

// limits returns how many records and bytes the lanes may hold together.
func (p *streamPoller) limits() (int, int) {
	n := len(p.lanes)
	return max(2*p.m.BatchSize*n, maxRead), 2 * maxBatchPayload * n
}

// dispatch reads records from the checkpoint on, drops those no filter
// matches, and queues the others on the lane of their partition key.
func (p *streamPoller) dispatch() {
	maxRecs, maxBytes := p.limits()
	resolved := time.Now()
	woken := 0 // re-reads left after a wake-up that found nothing yet
	for !p.stopped() {
		p.mu.Lock()
		room, full, from := maxRecs-p.pending, p.pendBy >= maxBytes, p.next
		p.mu.Unlock()
		if room <= 0 || full {
			select {
			case <-p.room:
			case <-p.stop:
			case <-p.ctx.Done():
			}
			continue
		}
		recs, next, err := p.st.Read(p.ctx, from, min(room, maxRead))
		if err != nil {
			if p.stopped() {
				return
			}
			p.log.Warn("triggers: read stream", "stream", p.arn, "err", err)
			sleep(p.ctx, p.stop, time.Second)
			continue
		}
		items := make([][]*item, len(p.lanes))
		now := time.Now()
		for _, r := range recs {
			data, err := json.Marshal(p.st.Lambda(r))
			if err != nil {
				p.log.Warn("triggers: record not encodable; skipped", "seq", r.Seq, "err", err)
				continue
			}
			if !p.keep(data) {
				continue
			}
			i := p.laneOf(r)
			items[i] = append(items[i], &item{seq: r.Seq, created: r.Created, queued: now, data: data})
		}
		p.mu.Lock()
		for i, its := range items {
			l := p.lanes[i]
			for _, it := range its {
				l.queue = append(l.queue, it)
				p.pendBy += len(it.data)
			}
			p.pending += len(its)
		}
		p.next = next
		p.mu.Unlock()
		for i, its := range items {
			if len(its) > 0 {
				signal(p.lanes[i].wake)
			}
		}
		// Records no filter matched, and records the stream no longer
		// keeps, are passed: the checkpoint may move.
		p.checkpoint()
		if len(recs) > 0 {
			woken = 0
			continue
		}
		// At the tip: wait for a write, or poll. A wake-up can come
		// before the write is stored (subscribers and the stream get the
		// message at once), so a read that found nothing after one is
		// tried again a few times, soon. Now and then look the stream up
		// again, to learn whether it has been disabled.
		if time.Since(resolved) > 5*time.Second {
			if st, err := p.s.cfg.Tables.StreamByArn(p.ctx, p.arn); err == nil {
				p.st = st
			}
			resolved = time.Now()
		}
		wait := p.s.cfg.PollInterval
		if woken > 0 {
			wait = time.Millisecond << (4 - woken)
			woken--
		}
		t := time.NewTimer(wait)
		select {
		case <-p.wake:
			woken = 4
		case <-t.C:
		case <-p.stop:
		case <-p.ctx.Done():
		}
		t.Stop()
	}
}

// keep reports whether any filter matches the record (or there are none).
func (p *streamPoller) keep(data []byte) bool {
	if len(p.filters) == 0 {
		return true
	}
	var v any
	if err := decodeNumber(data, &v); err != nil {
		return false
	}
	for _, f := range p.filters {
		if f.MatchValue(v) {
			return true
		}
	}
	return false
}

// laneOf returns the lane of a record's partition key.
func (p *streamPoller) laneOf(r tables.Record) int {
	if len(p.lanes) == 1 {
		return 0
	}
	h := fnv.New64a()
	if v, ok := r.Keys[p.hashKey]; ok {
		_, _ = h.Write(attrs.SortKey(v))
	}
	return int(h.Sum64() % uint64(len(p.lanes)))
}

// runLane delivers a lane's batches, one after the other.
func (p *streamPoller) runLane(l *lane) {
	for {
		batch := p.nextBatch(l)
		if batch == nil || !p.deliver(l, batch) {
			return
		}
	}
}

// nextBatch waits for the lane's next batch: up to BatchSize records and
// 6 MB, once the batch is full or the batching window of its first record
// has passed. It returns nil when the poller stops.
func (p *streamPoller) nextBatch(l *lane) []*item {
	window := time.Duration(p.m.MaximumBatchingWindowInSeconds) * time.Second
	for {
		if p.stopped() {
			return nil
		}
		var wait time.Duration = -1
		p.mu.Lock()
		if len(l.queue) > 0 {
			var batch []*item
			size, full := 0, false
			for _, it := range l.queue {
				if len(batch) == p.m.BatchSize || (len(batch) > 0 && size+len(it.data)+1 > maxBatchPayload) {
					full = true
					break
				}
				batch = append(batch, it)
				size += len(it.data) + 1
			}
			left := window - time.Since(l.queue[0].queued)
			if full || len(batch) == p.m.BatchSize || left <= 0 {
				p.mu.Unlock()
				return batch
			}
			wait = left
		}
		p.mu.Unlock()
		var timeout <-chan time.Time
		var t *time.Timer
		if wait >= 0 {
			t = time.NewTimer(wait)
			timeout = t.C
		}
		select {
		case <-l.wake:
		case <-timeout:
		case <-p.stop:
		case <-p.ctx.Done():
		}
		if t != nil {
			t.Stop()
		}
	}
}

// complete takes the first n records, delivered or given up on, off the
// lane and moves the checkpoint.
func (p *streamPoller) complete(l *lane, n int) {
	p.mu.Lock()
	for _, it := range l.queue[:n] {
		p.pendBy -= len(it.data)
	}
	l.queue = l.queue[n:]
	p.pending -= n
	p.mu.Unlock()
	signal(p.room)
	p.checkpoint()
}

func (p *streamPoller) setResult(r string) {
	p.mu.Lock()
	changed := p.result != r
	p.result = r
	p.mu.Unlock()
	if changed {
		p.checkpoint()
	}
}

// checkpoint writes the lowest position not yet done — the head of the
// lane furthest behind, or where the dispatcher reads next — and the
// processing result, if either changed. The write is a compare-and-set
// on the revision this poller last wrote: if another writer got there
// (the shard went to another node, or the mapping was deleted) the poller
// stops.
func (p *streamPoller) checkpoint() {
	p.cpMu.Lock()
	defer p.cpMu.Unlock()
	p.mu.Lock()
	pos, result := p.next, p.result
	for _, l := range p.lanes {
		if len(l.queue) > 0 && l.queue[0].seq < pos {
			pos = l.queue[0].seq
		}
	}
	p.mu.Unlock()
	pos = max(pos, p.cp.Seq)
	if pos == p.cp.Seq && result == p.cp.Result {
		return
	}
	if p.ctx.Err() != nil {
		return // the shard may be another node's now
	}
	cp := checkpoint{Seq: pos, Result: result, Updated: p.s.cfg.Now().UTC()}
	data, err := json.Marshal(cp)
	if err != nil {
		return
	}
	rev, err := p.s.checkpoints.Update(p.ctx, p.key, data, p.cpRev)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyNotFound) {
		p.log.Info("triggers: checkpoint taken over; stopping", "checkpoint", p.key)
		p.cancel()
		return
	}
	if err != nil {
		p.log.Warn("triggers: write checkpoint", "checkpoint", p.key, "err", err)
		return
	}
	p.cp, p.cpRev = cp, rev
}
