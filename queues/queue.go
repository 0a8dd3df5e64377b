package queues

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A queue's messages live in its own work-queue stream, EDDY_Q_<id>: each
// message an envelope on eq.<id>.m. Each receive (and each visibility
// change) appends a record on eq.<id>.r naming the messages it put in
// flight, their receive counts and until when they are invisible, so that
// a crashed node's successor knows which messages are in flight and how
// often each was received.
//
// One node owns each queue (a lease in eddy_queue_leases) and holds its
// state in memory: which messages are delayed, visible or in flight, and,
// for FIFO queues, the message groups. Its consumer on the stream delivers
// every message and record and never lets one go until the message is
// deleted (a synchronous acknowledgement removes it from the stream) or
// the record describes no live message any more. Any node sends straight
// to the stream; the owner answers receives, deletes and visibility
// changes, which other nodes forward to it.

const recHeader = "Eddy-Record"

func streamName(id string) string  { return "EDDY_Q_" + id }
func bodySubject(id string) string { return "eq." + id + ".m" }
func recSubject(id string) string  { return "eq." + id + ".r" }

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

// stateEntry is one message's state in a record.
type stateEntry struct {
	ID        string `json:"i"`
	Receives  int    `json:"r"`
	First     int64  `json:"f"` // first receive, Unix ms
	VisibleAt int64  `json:"v"` // Unix ms
}

// rec is a record of the stream; it is let go once no message it
// describes is current.
type rec struct {
	id   string
	jm   jetstream.Msg // nil until the consumer delivered it
	refs int           // messages whose current state it holds
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
	jm  jetstream.Msg // its delivery, to acknowledge when it is deleted
	rec *rec          // the record of its current state
	env *envelope     // Body is dropped ("", bodyless) when the cache is full
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
	recs      map[string]*rec
	applied   uint64 // the last stream sequence the consumer delivered
	appliedC  *sync.Cond
	waiters   int           // receives waiting in waitApplied
	sentSeq   atomic.Uint64 // the last message sent through this node
	wake      chan struct{} // closed and replaced when a receive may succeed
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
		msgs: map[string]*msg{}, groups: map[string]*group{}, recs: map[string]*rec{},
		wake: make(chan struct{}), ready0: make(chan struct{}), qctx: ctx, cancel: cancel,
	}
	q.appliedC = sync.NewCond(&q.mu)
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

// follow consumes the stream: first everything in it, then what is sent,
// until ctx ends.
func (q *queue) follow(ctx context.Context) {
	cons, pending, err := q.consumer(ctx)
	if err != nil {
		q.err = fmt.Errorf("queues: follow %s: %w", q.name, err)
		close(q.ready0)
		return
	}
	replaying := pending > 0
	if !replaying {
		close(q.ready0)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1000))
	if err != nil {
		q.err = fmt.Errorf("queues: follow %s: %w", q.name, err)
		if replaying {
			close(q.ready0)
		}
		return
	}
	go func() { <-ctx.Done(); it.Stop() }()
	for {
		m, err := it.Next()
		if err != nil {
			if replaying {
				close(q.ready0)
			}
			q.mu.Lock()
			q.appliedC.Broadcast()
			q.mu.Unlock()
			return
		}
		md, err := m.Metadata()
		if err != nil {
			continue
		}
		q.apply(m, md.Sequence.Stream)
		if replaying && md.NumPending == 0 {
			replaying = false
			close(q.ready0)
		}
	}
}

// consumer replaces any consumer a former owner left on the stream with
// this node's, which delivers every message still in it.
func (q *queue) consumer(ctx context.Context) (jetstream.Consumer, uint64, error) {
	names := q.stream.ConsumerNames(ctx)
	var old []string
	for n := range names.Name() {
		old = append(old, n)
	}
	if err := names.Err(); err != nil {
		return nil, 0, err
	}
	for _, n := range old {
		if err := q.stream.DeleteConsumer(ctx, n); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, 0, err
		}
	}
	cons, err := q.stream.CreateConsumer(ctx, jetstream.ConsumerConfig{
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: 12 * time.Hour, MaxAckPending: -1,
		MaxDeliver: -1, InactiveThreshold: 2 * q.s.cfg.LeaseTTL, DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, 0, err
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, 0, err
	}
	return cons, info.NumPending, nil
}

// apply applies a message or record the consumer delivered.
func (q *queue) apply(jm jetstream.Msg, seq uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if seq > q.applied {
		q.applied = seq
		if q.waiters > 0 {
			q.appliedC.Broadcast()
		}
	}
	if id := jm.Headers().Get(recHeader); id != "" {
		q.applyRecord(jm, id)
		return
	}
	var env envelope
	if err := json.Unmarshal(jm.Data(), &env); err != nil {
		q.s.cfg.Logger.Warn("queues: unreadable message", "queue", q.name, "seq", seq, "err", err)
		_ = jm.Term()
		return
	}
	if m := q.msgs[env.ID]; m != nil {
		m.jm = jm // delivered again: the newer delivery acknowledges it too
		return
	}
	q.insert(&env, seq, jm)
}

// applyRecord links a delivered record: one this node wrote, or one a
// former owner did, whose state it restores.
func (q *queue) applyRecord(jm jetstream.Msg, id string) {
	r := q.recs[id]
	if r != nil {
		r.jm = jm
		if r.refs == 0 {
			q.letGo(r)
		}
		return
	}
	var entries []stateEntry
	if err := json.Unmarshal(jm.Data(), &entries); err != nil {
		_ = jm.Term()
		return
	}
	r = &rec{id: id, jm: jm}
	q.recs[id] = r
	for _, e := range entries {
		m := q.msgs[e.ID]
		if m == nil || m.state == stMoving {
			continue
		}
		q.relink(m, r)
		q.unlink(m)
		m.receives, m.first, m.visibleAt = e.Receives, e.First, e.VisibleAt
		q.toInflight(m)
	}
	if r.refs == 0 {
		q.letGo(r)
	}
}

// relink makes r the record of m's state.
func (q *queue) relink(m *msg, r *rec) {
	if m.rec != nil {
		m.rec.refs--
		if m.rec.refs == 0 {
			q.letGo(m.rec)
		}
	}
	m.rec = r
	if r != nil {
		r.refs++
	}
}

// letGo acknowledges a record no message needs, once it is delivered.
func (q *queue) letGo(r *rec) {
	if r.jm == nil {
		return
	}
	_ = r.jm.Ack()
	delete(q.recs, r.id)
}

// waitApplied waits until the consumer delivered the stream sequence seq.
func (q *queue) waitApplied(ctx context.Context, seq uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.applied < seq && ctx.Err() == nil && q.qctx.Err() == nil {
		q.waiters++
		q.appliedC.Wait()
		q.waiters--
	}
}

// insert adds a new message; q.mu is held.
func (q *queue) insert(env *envelope, seq uint64, jm jetstream.Msg) {
	m := &msg{id: env.ID, seq: seq, jm: jm, env: env, available: env.Sent + int64(env.Delay)*1000, hidx: -1}
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
	q.relink(m, nil)
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

// hiddenUntil returns when a message hidden at t for vis seconds becomes
// visible, in Unix milliseconds rounded up: never early. A message hidden
// for 0 seconds is visible at once.
func hiddenUntil(t time.Time, vis int) int64 {
	if vis <= 0 {
		return t.UnixMilli()
	}
	return (t.Add(time.Duration(vis)*time.Second).UnixNano() + 999_999) / 1_000_000
}

// notify wakes the receives waiting for messages.
func (q *queue) notify() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// pick takes up to n visible messages: it puts them in flight for vis
// seconds, or, when they have been received as often as the redrive policy
// allows, marks them for the dead-letter queue. q.mu is held.
func (q *queue) pick(n int, vis int, t time.Time) (got, dead []*msg) {
	now := t.UnixMilli()
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
		m.visibleAt = hiddenUntil(t, vis)
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
// waits until the stream has it.
func (q *queue) record(ctx context.Context, ms []*msg) error {
	if len(ms) == 0 {
		return nil
	}
	entries := make([]stateEntry, len(ms))
	r := &rec{id: newMessageID()}
	q.mu.Lock()
	for i, m := range ms {
		entries[i] = stateEntry{ID: m.id, Receives: m.receives, First: m.first, VisibleAt: m.visibleAt}
		if q.msgs[m.id] == m {
			q.relink(m, r)
		}
	}
	q.recs[r.id] = r
	q.mu.Unlock()
	data, _ := json.Marshal(entries)
	nm := &nats.Msg{Subject: recSubject(q.id), Data: data, Header: nats.Header{recHeader: []string{r.id}}}
	f, err := q.s.cfg.Engine.JS.PublishMsgAsync(nm)
	if err != nil {
		return fmt.Errorf("queues: record receive: %w", err)
	}
	return waitAcks(ctx, []jetstream.PubAckFuture{f})
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

// ackAll removes messages from the stream: it acknowledges their
// deliveries and waits until the stream confirms.
func (q *queue) ackAll(ctx context.Context, ms []*msg) error {
	if len(ms) == 1 {
		return ms[0].jm.DoubleAck(ctx)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ms))
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.jm.DoubleAck(ctx)
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
		if !slices.Contains(moved, m) {
			q.putBack(m)
		}
	}
	q.mu.Unlock()
}

// putBack makes visible again a message taken to be moved or deleted that
// stayed; q.mu is held.
func (q *queue) putBack(m *msg) {
	if q.msgs[m.id] != m || m.state != stMoving {
		return
	}
	q.count[stMoving]--
	m.state = stNone
	q.makeReady(m)
}

// finish removes moved messages from the stream and the queue.
func (q *queue) finish(ctx context.Context, ms []*msg) {
	if len(ms) == 0 {
		return
	}
	if err := q.ackAll(ctx, ms); err != nil {
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
