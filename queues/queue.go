package queues

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A queue's messages live in its own stream, EDDY_Q_<id>, one subject per
// message: eq.<id>.<MessageId>. The message itself is the subject's first
// record (an envelope); each receive and each visibility change appends a
// state record (header Eddy-Kind: s) to the same subject, so that a crashed
// node's successor knows which messages are in flight and how often each
// was received. Deleting a message purges its subject.
//
// One node owns each queue (a lease in eddy_queue_leases) and holds its
// state in memory: which messages are delayed, visible or in flight, and,
// for FIFO queues, the message groups. Any node sends straight to the
// stream; the owner follows the stream and answers receives, deletes and
// visibility changes, which other nodes forward to it.

const (
	kindHeader = "Eddy-Kind"
	stateKind  = "s"
)

func streamName(id string) string       { return "EDDY_Q_" + id }
func subjectOf(id, msgID string) string { return "eq." + id + "." + msgID }

// envelope is a message as it is stored.
type envelope struct {
	ID       string                           `json:"i"`
	Body     string                           `json:"b"`
	Attrs    map[string]MessageAttributeValue `json:"a,omitempty"`
	Sys      map[string]MessageAttributeValue `json:"y,omitempty"`
	MD5Body  string                           `json:"mb"`
	MD5Attrs string                           `json:"ma,omitempty"`
	MD5Sys   string                           `json:"my,omitempty"`
	Sent     int64                            `json:"t"` // Unix milliseconds
	Delay    int                              `json:"d,omitempty"`
	Group    string                           `json:"g,omitempty"`
	Dedup    string                           `json:"u,omitempty"`
	Sender   string                           `json:"s,omitempty"`
	// Source is the ARN of the queue a dead-lettered message came from.
	Source string `json:"o,omitempty"`
	// Size counts toward the queue's limits and the cache.
	Size int `json:"z,omitempty"`
}

// stateRecord is what a receive or a visibility change writes.
type stateRecord struct {
	Receives  int   `json:"r"`
	First     int64 `json:"f"` // first receive, Unix ms
	VisibleAt int64 `json:"v"` // Unix ms
}

type msgState uint8

const (
	stNone msgState = iota // not yet counted
	stDelayed
	stReady
	stInflight
	stMoving // taken out to be moved or deleted
	nStates
)

// msg is one message the owner holds.
type msg struct {
	id  string
	seq uint64
	env *envelope // Body is dropped ("", bodyless) when the cache is full
	// bodyless: the body must be read from the stream.
	bodyless  bool
	available int64 // Unix ms, the end of the delay
	receives  int
	first     int64
	visibleAt int64
	state     msgState
	hidx      int // index in the heap it is in
	grp       *group
}

// group is a FIFO queue's message group.
type group struct {
	id       string
	msgs     []*msg // in order; the in-flight ones first
	inflight int
	hidx     int // index in the ready-groups heap, -1 when not in it
}

// queue is a queue this node owns.
type queue struct {
	s      *Service
	id     string
	name   string
	stream jetstream.Stream
	lease  *lease

	mu        sync.Mutex
	set       settings
	msgs      map[string]*msg
	ready     msgHeap // standard queues: visible messages by seq
	delayed   msgHeap // by available
	inflight  msgHeap // by visibleAt
	groups    map[string]*group
	gready    groupHeap // FIFO: groups whose head is visible and none in flight
	count     [nStates]int
	applied   uint64          // the last stream sequence the follower applied
	ahead     map[uint64]bool // sent here, applied before the follower saw them
	wake      chan struct{}   // closed and replaced when a receive may succeed
	lastPurge time.Time
	tasks     []*moveTask

	ready0 chan struct{} // closed once the replay is done
	err    error         // why the replay failed
	qctx   context.Context
	closed atomic.Bool
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// openQueue starts serving a queue this node holds the lease of: it
// replays the stream in the background and then follows it.
func (s *Service) openQueue(m *meta, l *lease) (*queue, error) {
	ctx, cancel := context.WithCancel(s.ctx)
	st, err := s.cfg.Engine.JS.Stream(ctx, streamName(m.ID))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("queues: stream of %s: %w", m.Name, err)
	}
	q := &queue{
		s: s, id: m.ID, name: m.Name, stream: st, lease: l, set: m.settings(),
		ready: msgHeap{less: lessSeq}, delayed: msgHeap{less: lessAvailable}, inflight: msgHeap{less: lessVisible},
		msgs: map[string]*msg{}, groups: map[string]*group{}, ahead: map[uint64]bool{},
		wake: make(chan struct{}), ready0: make(chan struct{}), qctx: ctx, cancel: cancel,
	}
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		q.follow(ctx)
	}()
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		q.janitor(ctx)
	}()
	return q, nil
}

func (q *queue) ctx() context.Context     { return q.qctx }
func (q *queue) ctxDone() <-chan struct{} { return q.qctx.Done() }

func (q *queue) close() {
	if !q.closed.CompareAndSwap(false, true) {
		return
	}
	q.cancel()
	q.wg.Wait()
	q.mu.Lock()
	q.s.cached.Add(-q.cachedBytes())
	q.mu.Unlock()
}

func (q *queue) cachedBytes() int64 {
	var n int64
	for _, m := range q.msgs {
		if !m.bodyless {
			n += int64(len(m.env.Body))
		}
	}
	return n
}

// waitReady waits until the queue has replayed its stream.
func (q *queue) waitReady(ctx context.Context) error {
	select {
	case <-q.ready0:
		return q.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// follow replays the stream and then applies the messages other nodes
// send, until ctx ends.
func (q *queue) follow(ctx context.Context) {
	info, err := q.stream.Info(ctx)
	if err != nil {
		q.err = fmt.Errorf("queues: %s: %w", q.name, err)
		close(q.ready0)
		return
	}
	last := info.State.LastSeq
	replaying := last > 0 && info.State.Msgs > 0
	if !replaying {
		close(q.ready0)
	}
	cons, err := q.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		q.err = fmt.Errorf("queues: follow %s: %w", q.name, err)
		if replaying {
			close(q.ready0)
		}
		return
	}
	it, err := cons.Messages()
	if err != nil {
		q.err = fmt.Errorf("queues: follow %s: %w", q.name, err)
		if replaying {
			close(q.ready0)
		}
		return
	}
	go func() { <-ctx.Done(); it.Stop() }()
	for {
		if replaying {
			q.mu.Lock()
			done := q.applied >= last
			q.mu.Unlock()
			if done {
				replaying = false
				close(q.ready0)
			}
		}
		m, err := it.Next()
		if err != nil {
			if replaying {
				close(q.ready0)
			}
			return
		}
		md, err := m.Metadata()
		if err != nil {
			continue
		}
		seq := md.Sequence.Stream
		q.apply(m.Subject(), m.Headers(), m.Data(), seq, replaying)
		if replaying && md.NumPending == 0 {
			q.mu.Lock()
			if q.applied < last {
				q.applied = last // the rest were purged
			}
			q.mu.Unlock()
		}
	}
}

// apply applies one record of the stream.
func (q *queue) apply(subject string, h nats.Header, data []byte, seq uint64, replaying bool) {
	id := subject[len("eq.")+len(q.id)+1:]
	q.mu.Lock()
	defer q.mu.Unlock()
	if seq > q.applied {
		q.applied = seq
	}
	if h.Get(kindHeader) == stateKind {
		// Live, the owner wrote it and knows it already.
		if !replaying {
			return
		}
		var r stateRecord
		m := q.msgs[id]
		if m == nil || json.Unmarshal(data, &r) != nil {
			return
		}
		q.restore(m, r)
		return
	}
	if q.ahead[seq] {
		delete(q.ahead, seq)
		return
	}
	if q.msgs[id] != nil {
		return
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		q.s.cfg.Logger.Warn("queues: unreadable message", "queue", q.name, "seq", seq, "err", err)
		return
	}
	q.insert(&env, seq)
}

// insert adds a new message; q.mu is held.
func (q *queue) insert(env *envelope, seq uint64) {
	m := &msg{id: env.ID, seq: seq, env: env, available: env.Sent + int64(env.Delay)*1000, hidx: -1}
	if q.s.cached.Add(int64(len(env.Body))) > q.s.cfg.CacheBytes {
		q.s.cached.Add(-int64(len(env.Body)))
		cp := *env
		cp.Body = ""
		m.env, m.bodyless = &cp, true
	}
	q.msgs[m.id] = m
	if q.set.fifo {
		g := q.groups[env.Group]
		if g == nil {
			g = &group{id: env.Group, hidx: -1}
			q.groups[env.Group] = g
		}
		m.grp = g
		g.msgs = append(g.msgs, m)
	}
	now := q.s.cfg.Now().UnixMilli()
	if m.available > now {
		q.setState(m, stDelayed)
		heap.Push(&q.delayed, m)
	} else {
		q.makeReady(m)
	}
	q.notify()
}

// restore applies a state record during the replay.
func (q *queue) restore(m *msg, r stateRecord) {
	if m.state == stMoving {
		return
	}
	q.unlink(m)
	m.receives, m.first, m.visibleAt = r.Receives, r.First, r.VisibleAt
	q.toInflight(m)
}

func (q *queue) setState(m *msg, st msgState) {
	q.count[m.state]--
	m.state = st
	q.count[st]++
}

// makeReady makes m visible.
func (q *queue) makeReady(m *msg) {
	q.setState(m, stReady)
	if m.grp == nil {
		heap.Push(&q.ready, m)
		return
	}
	q.touch(m.grp)
}

// toInflight puts m in flight until m.visibleAt.
func (q *queue) toInflight(m *msg) {
	q.setState(m, stInflight)
	heap.Push(&q.inflight, m)
	if g := m.grp; g != nil {
		g.inflight++
		q.touch(g)
	}
}

// unlink takes m out of the heap it is in (its state is unchanged).
func (q *queue) unlink(m *msg) {
	if m.hidx < 0 {
		return
	}
	switch m.state {
	case stDelayed:
		heap.Remove(&q.delayed, m.hidx)
	case stReady:
		if m.grp == nil {
			heap.Remove(&q.ready, m.hidx)
		}
	case stInflight:
		heap.Remove(&q.inflight, m.hidx)
		if g := m.grp; g != nil {
			g.inflight--
		}
	}
	m.hidx = -1
}

// remove forgets m (deleted, moved or expired); its stream subject is
// purged by the caller.
func (q *queue) remove(m *msg) {
	if q.msgs[m.id] != m {
		return
	}
	if m.state != stMoving {
		q.unlink(m)
	}
	q.count[m.state]--
	delete(q.msgs, m.id)
	if !m.bodyless {
		q.s.cached.Add(-int64(len(m.env.Body)))
	}
	if g := m.grp; g != nil {
		if i := slices.Index(g.msgs, m); i >= 0 {
			g.msgs = slices.Delete(g.msgs, i, i+1)
		}
		if len(g.msgs) == 0 && g.inflight == 0 {
			if g.hidx >= 0 {
				heap.Remove(&q.gready, g.hidx)
			}
			delete(q.groups, g.id)
		} else {
			q.touch(g)
		}
	}
	q.notify()
}

// take marks m as being moved or deleted: it leaves every heap.
func (q *queue) take(m *msg) {
	q.unlink(m)
	q.setState(m, stMoving)
	if g := m.grp; g != nil {
		q.touch(g)
	}
}

// touch puts g in the ready-groups heap when its head is visible and none
// of its messages is in flight, and takes it out otherwise.
func (q *queue) touch(g *group) {
	ok := g.inflight == 0 && len(g.msgs) > 0 && g.msgs[0].state == stReady
	switch {
	case ok && g.hidx < 0:
		heap.Push(&q.gready, g)
	case ok:
		heap.Fix(&q.gready, g.hidx)
	case g.hidx >= 0:
		heap.Remove(&q.gready, g.hidx)
	}
}

// advance makes visible the messages whose delay or visibility timeout
// ended by now.
func (q *queue) advance(now int64) {
	for q.delayed.Len() > 0 && q.delayed.msgHeap[0].available <= now {
		m := heap.Pop(&q.delayed).(*msg)
		q.makeReady(m)
	}
	for q.inflight.Len() > 0 && q.inflight.msgHeap[0].visibleAt <= now {
		m := heap.Pop(&q.inflight).(*msg)
		if g := m.grp; g != nil {
			g.inflight--
		}
		q.makeReady(m)
	}
}

// next returns when the next message becomes visible by itself (Unix ms),
// or 0.
func (q *queue) next() int64 {
	var t int64
	if q.delayed.Len() > 0 {
		t = q.delayed.msgHeap[0].available
	}
	if q.inflight.Len() > 0 {
		if v := q.inflight.msgHeap[0].visibleAt; t == 0 || v < t {
			t = v
		}
	}
	return t
}

// notify wakes the receives waiting for messages.
func (q *queue) notify() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// pick takes up to n visible messages: it puts them in flight for vis
// seconds, or, when they have been received as often as the redrive policy
// allows, marks them for the dead-letter queue. q.mu is held.
func (q *queue) pick(n int, vis int, now int64) (got, dead []*msg) {
	takeOne := func(m *msg) {
		if q.set.dlq != "" && m.receives >= q.set.maxReceive {
			q.take(m)
			dead = append(dead, m)
			return
		}
		q.unlink(m)
		m.receives++
		if m.first == 0 {
			m.first = now
		}
		m.visibleAt = now + int64(vis)*1000
		q.toInflight(m)
		got = append(got, m)
	}
	if !q.set.fifo {
		for len(got) < n && q.ready.Len() > 0 {
			takeOne(q.ready.msgHeap[0])
		}
		return got, dead
	}
	for len(got) < n && q.gready.Len() > 0 {
		g := q.gready[0]
		for i := 0; i < len(g.msgs) && len(got) < n; i++ {
			m := g.msgs[i]
			if m.state != stReady {
				break
			}
			takeOne(m)
		}
		if g.hidx >= 0 {
			heap.Remove(&q.gready, g.hidx)
		}
	}
	return got, dead
}

// record writes the state of the messages just received or changed, and
// waits until the stream has them.
func (q *queue) record(ctx context.Context, ms []*msg) error {
	if len(ms) == 0 {
		return nil
	}
	js := q.s.cfg.Engine.JS
	futures := make([]jetstream.PubAckFuture, 0, len(ms))
	for _, m := range ms {
		data, _ := json.Marshal(stateRecord{Receives: m.receives, First: m.first, VisibleAt: m.visibleAt})
		nm := &nats.Msg{Subject: subjectOf(q.id, m.id), Data: data, Header: nats.Header{kindHeader: []string{stateKind}}}
		f, err := js.PublishMsgAsync(nm)
		if err != nil {
			return fmt.Errorf("queues: record receive: %w", err)
		}
		futures = append(futures, f)
	}
	return waitAcks(ctx, futures)
}

func waitAcks(ctx context.Context, futures []jetstream.PubAckFuture) error {
	var errs []error
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			errs = append(errs, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

// purge removes messages from the stream.
func (q *queue) purge(ctx context.Context, ids []string) error {
	if len(ids) == 1 {
		return q.stream.Purge(ctx, jetstream.WithPurgeSubject(subjectOf(q.id, ids[0])))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = q.stream.Purge(ctx, jetstream.WithPurgeSubject(subjectOf(q.id, id)))
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// body returns m's envelope with its body, reading it from the stream
// when it is not cached.
func (q *queue) body(ctx context.Context, m *msg) (*envelope, error) {
	if !m.bodyless {
		return m.env, nil
	}
	raw, err := q.stream.GetMsg(ctx, m.seq)
	if err != nil {
		return nil, fmt.Errorf("queues: read message %s: %w", m.id, err)
	}
	var env envelope
	if err := json.Unmarshal(raw.Data, &env); err != nil {
		return nil, fmt.Errorf("queues: read message %s: %w", m.id, err)
	}
	return &env, nil
}

// deadLetter moves messages to the queue's dead-letter queue; those that
// cannot be moved become visible again.
func (q *queue) deadLetter(ctx context.Context, ms []*msg) {
	if len(ms) == 0 {
		return
	}
	dlq := q.s.metaByName(q.set.dlq)
	var moved []*msg
	if dlq != nil {
		for _, m := range ms {
			env, err := q.body(ctx, m)
			if err == nil {
				cp := *env
				cp.Source = q.s.arn(q.name)
				cp.Delay = 0
				err = q.s.publishTo(ctx, dlq, &cp)
			}
			if err != nil {
				q.s.cfg.Logger.Warn("queues: dead-letter", "queue", q.name, "dlq", q.set.dlq, "err", err)
				continue
			}
			moved = append(moved, m)
		}
	}
	q.finish(ctx, moved)
	q.mu.Lock()
	for _, m := range ms {
		if !slices.Contains(moved, m) && q.msgs[m.id] == m && m.state == stMoving {
			q.count[stMoving]--
			m.state = stNone
			q.makeReady(m)
		}
	}
	q.mu.Unlock()
}

// finish removes moved messages from the stream and the queue.
func (q *queue) finish(ctx context.Context, ms []*msg) {
	if len(ms) == 0 {
		return
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	if err := q.purge(ctx, ids); err != nil {
		q.s.cfg.Logger.Warn("queues: purge moved messages", "queue", q.name, "err", err)
	}
	q.mu.Lock()
	for _, m := range ms {
		q.remove(m)
	}
	q.mu.Unlock()
}

// janitor deletes messages older than the retention period.
func (q *queue) janitor(ctx context.Context) {
	t := time.NewTicker(q.s.cfg.RetentionInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if q.waitReady(ctx) != nil {
			return
		}
		now := q.s.cfg.Now().UnixMilli()
		q.mu.Lock()
		limit := now - int64(q.set.retention)*1000
		var old []*msg
		for _, m := range q.msgs {
			if m.env.Sent < limit && m.state != stMoving && m.state != stInflight {
				q.take(m)
				old = append(old, m)
			}
		}
		q.mu.Unlock()
		q.finish(ctx, old)
	}
}

// setSettings applies changed attributes.
func (q *queue) setSettings(set settings) {
	q.mu.Lock()
	q.set = set
	q.notify()
	q.mu.Unlock()
}

// counts returns the numbers of visible, in-flight and delayed messages.
func (q *queue) counts() (visible, inflight, delayed int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.advance(q.s.cfg.Now().UnixMilli())
	return q.count[stReady], q.count[stInflight], q.count[stDelayed]
}

// The heaps.

// msgHeap orders messages by less; each message knows its index (hidx).
type msgHeap struct {
	msgHeap []*msg
	less    func(a, b *msg) bool
}

func (h *msgHeap) Len() int           { return len(h.msgHeap) }
func (h *msgHeap) Less(i, j int) bool { return h.less(h.msgHeap[i], h.msgHeap[j]) }
func (h *msgHeap) Swap(i, j int) {
	h.msgHeap[i], h.msgHeap[j] = h.msgHeap[j], h.msgHeap[i]
	h.msgHeap[i].hidx, h.msgHeap[j].hidx = i, j
}
func (h *msgHeap) Push(x any) {
	m := x.(*msg)
	m.hidx = len(h.msgHeap)
	h.msgHeap = append(h.msgHeap, m)
}
func (h *msgHeap) Pop() any {
	n := len(h.msgHeap)
	m := h.msgHeap[n-1]
	h.msgHeap[n-1] = nil
	h.msgHeap = h.msgHeap[:n-1]
	m.hidx = -1
	return m
}

func lessSeq(a, b *msg) bool { return a.seq < b.seq }
func lessAvailable(a, b *msg) bool {
	return a.available < b.available || a.available == b.available && a.seq < b.seq
}
func lessVisible(a, b *msg) bool {
	return a.visibleAt < b.visibleAt || a.visibleAt == b.visibleAt && a.seq < b.seq
}

type groupHeap []*group

func (h groupHeap) Len() int           { return len(h) }
func (h groupHeap) Less(i, j int) bool { return h[i].msgs[0].seq < h[j].msgs[0].seq }
func (h groupHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hidx, h[j].hidx = i, j
}
func (h *groupHeap) Push(x any) {
	g := x.(*group)
	g.hidx = len(*h)
	*h = append(*h, g)
}
func (h *groupHeap) Pop() any {
	old := *h
	n := len(old)
	g := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	g.hidx = -1
	return g
}

func itoa(n int) string     { return strconv.Itoa(n) }
func i64toa(n int64) string { return strconv.FormatInt(n, 10) }
