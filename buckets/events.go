package buckets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// The event loop: one node at a time (the holder of the bucket's lease in
// eddy_bucket_leases) follows each bucket's stream with the durable
// consumer "events", one change at a time. For each change it calls the
// notifications' Notify, then collects the garbage the change made: the
// key's earlier records and the bodies only they referenced. A tombstone
// is removed TombstoneGrace after it was passed, so that every node's
// listing index sees it first. Only then is the change acknowledged; all
// of it is idempotent, so a change redelivered after a crash is handled
// again without harm.

const eventsConsumer = "events"

// lease is this node's claim on a bucket's event loop.
type lease struct {
	s   *Service
	key string
	rev uint64
}

// acquire claims key for this node; nil without an error when another
// node holds it. A lease this node held before a restart is taken back.
func (s *Service) acquire(ctx context.Context, key string) (*lease, error) {
	rev, err := s.leases.Create(ctx, key, []byte(s.cfg.NodeID))
	if errors.Is(err, jetstream.ErrKeyExists) {
		ent, gerr := s.leases.Get(ctx, key)
		if gerr != nil || string(ent.Value()) != s.cfg.NodeID || !ent.Created().Before(s.openedAt) {
			return nil, nil
		}
		if rev, err = s.leases.Update(ctx, key, []byte(s.cfg.NodeID), ent.Revision()); err != nil {
			return nil, nil
		}
		return &lease{s: s, key: key, rev: rev}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("buckets: lease %s: %w", key, err)
	}
	return &lease{s: s, key: key, rev: rev}, nil
}

// keep renews the lease until ctx ends; it returns when a renewal fails.
func (l *lease) keep(ctx context.Context) {
	every := l.s.cfg.LeaseTTL / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, every)
		rev, err := l.s.leases.Update(rctx, l.key, []byte(l.s.cfg.NodeID), l.rev)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				l.s.cfg.Logger.Warn("buckets: lease lost", "bucket", l.key, "err", err)
			}
			return
		}
		l.rev = rev
	}
}

func (l *lease) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = l.s.leases.Delete(ctx, l.key, jetstream.LastRevision(l.rev))
}

// claimLoop keeps trying to take the event loops nobody runs.
func (s *Service) claimLoop() {
	t := time.NewTicker(s.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		var sts []*bucketState
		for _, st := range s.buckets {
			sts = append(sts, st)
		}
		s.mu.Unlock()
		for _, st := range sts {
			select {
			case <-st.ready:
				if st.openErr == nil {
					s.claim(st)
				}
			default:
			}
		}
	}
}

// claim starts the bucket's event loop here if no node runs it.
func (s *Service) claim(st *bucketState) {
	st.mu.Lock()
	if st.loop || st.stopped {
		st.mu.Unlock()
		return
	}
	st.loop = true
	st.wg.Add(1) // under mu, so never after stop's Wait began
	st.mu.Unlock()
	l, err := s.acquire(st.ctx, st.id)
	if err != nil || l == nil {
		if err != nil && st.ctx.Err() == nil {
			s.cfg.Logger.Warn("buckets: claim", "bucket", st.metaName(), "err", err)
		}
		st.mu.Lock()
		st.loop = false
		st.mu.Unlock()
		st.wg.Done()
		return
	}
	ctx, cancel := context.WithCancel(st.ctx)
	go func() {
		defer st.wg.Done()
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.keep(ctx)
			cancel() // lost, or the bucket stopped
		}()
		if err := st.runEvents(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("buckets: event loop", "bucket", st.metaName(), "err", err)
		}
		cancel()
		wg.Wait()
		l.release()
		st.mu.Lock()
		st.loop = false
		st.mu.Unlock()
	}()
}

type tombstone struct {
	subject string
	seq     uint64
	passed  time.Time
}

// runEvents runs the bucket's event loop until ctx ends.
func (st *bucketState) runEvents(ctx context.Context) error {
	cons, err := st.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:   eventsConsumer,
		AckPolicy: jetstream.AckExplicitPolicy,
		// Changes are handled one by one in this goroutine; more of them
		// in flight only saves round trips.
		MaxAckPending: 256,
		AckWait:       time.Minute,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		MaxDeliver:    -1,
	})
	if err != nil {
		return fmt.Errorf("buckets: events consumer: %w", err)
	}
	var mu sync.Mutex // guards tombs
	var tombs []tombstone
	// Tombstones passed before this node took the loop (the node that
	// passed them stopped before their grace ended) are removed after a
	// grace from now.
	if info, err := cons.Info(ctx); err == nil && info.AckFloor.Stream > 0 {
		floor, now := info.AckFloor.Stream, time.Now()
		err := scanStream(ctx, st.stream, func(subject string, seq uint64, data []byte) {
			if seq <= floor && bytes.Contains(data, []byte(`"del":true`)) {
				tombs = append(tombs, tombstone{subject: subject, seq: seq, passed: now})
			}
		})
		if err != nil && ctx.Err() == nil {
			st.s.cfg.Logger.Warn("buckets: tombstones", "bucket", st.metaName(), "err", err)
		}
	}
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("buckets: events consumer: %w", err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // before the Wait: stops the goroutine below
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer it.Stop()
		t := time.NewTicker(min(st.s.cfg.TombstoneGrace/2, 5*time.Second))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			mu.Lock()
			var due []tombstone
			for len(tombs) > 0 && time.Since(tombs[0].passed) >= st.s.cfg.TombstoneGrace {
				due = append(due, tombs[0])
				tombs = tombs[1:]
			}
			mu.Unlock()
			for _, tb := range due {
				// Removes the tombstone and nothing written after it.
				err := st.stream.Purge(ctx, jetstream.WithPurgeSubject(tb.subject), jetstream.WithPurgeSequence(tb.seq+1))
				if st.records != nil {
					st.records.drop(tb.subject)
				}
				if err != nil && ctx.Err() == nil {
					st.s.cfg.Logger.Warn("buckets: remove tombstone", "bucket", st.metaName(), "err", err)
				}
			}
		}
	}()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			return err
		}
		// A change that fails is retried here, holding the changes after
		// it back, so that each key's changes are notified in order.
		var del *tombstone
		for delay := 100 * time.Millisecond; ; delay = min(2*delay, 30*time.Second) {
			if del, err = st.handle(ctx, m); err == nil {
				break
			}
			if ctx.Err() != nil {
				return nil
			}
			st.s.cfg.Logger.Warn("buckets: change not handled", "bucket", st.metaName(), "subject", m.Subject(), "retry_in", delay, "err", err)
			_ = m.InProgress()
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(delay):
			}
		}
		if del != nil {
			mu.Lock()
			tombs = append(tombs, *del)
			mu.Unlock()
		}
		if err := m.Ack(); err != nil && ctx.Err() == nil {
			st.s.cfg.Logger.Warn("buckets: ack change", "bucket", st.metaName(), "err", err)
		}
	}
}

// handle notifies one change and collects what it made garbage. It
// returns the tombstone to remove later, if the change is one.
func (st *bucketState) handle(ctx context.Context, m jetstream.Msg) (*tombstone, error) {
	md, err := m.Metadata()
	if err != nil {
		return nil, err
	}
	seq := md.Sequence.Stream
	rec, err := decodeRecord(m.Data())
	if err != nil {
		st.s.cfg.Logger.Error("buckets: unreadable change, skipped", "bucket", st.metaName(), "seq", seq, "err", err)
		return nil, nil
	}
	key, ok := engine.DecodeKey(strings.TrimPrefix(m.Subject(), st.subj))
	if !ok {
		return nil, nil
	}
	if h := st.s.notifications(); h != nil && rec.Event != "" {
		c := Change{Bucket: st.metaName(), Key: key, Event: rec.Event, Time: rec.LastModified,
			Sequencer: sequencer(seq), RequestID: rec.ReqID, SourceIP: rec.IP}
		if !rec.Del {
			c.Object = rec.Object
		}
		c.Object.Bucket, c.Object.Key, c.Object.Sequencer = c.Bucket, key, c.Sequencer
		if err := h.Notify(ctx, c); err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
	}
	if err := st.collect(ctx, m.Subject(), seq, rec); err != nil {
		return nil, err
	}
	if rec.Del {
		return &tombstone{subject: m.Subject(), seq: seq, passed: time.Now()}, nil
	}
	return nil, nil
}

// collect deletes the key's records before seq and the bodies that only
// they referenced.
func (st *bucketState) collect(ctx context.Context, subject string, seq uint64, rec *record) error {
	keep := map[string]bool{}
	for _, b := range rec.Body {
		keep[b.Name] = true
	}
	var garbage []bodyRef
	found := false
	for next := uint64(1); ; {
		m, err := st.stream.GetMsg(ctx, next, jetstream.WithGetMsgSubject(subject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return fmt.Errorf("earlier records: %w", err)
		}
		if m.Sequence >= seq {
			break
		}
		found = true
		if old, err := decodeRecord(m.Data); err == nil {
			for _, b := range old.Body {
				if !keep[b.Name] {
					garbage = append(garbage, b)
					keep[b.Name] = true
				}
			}
		}
		next = m.Sequence + 1
	}
	if !found {
		return nil
	}
	if err := st.s.deleteBodies(ctx, garbage); err != nil {
		return err
	}
	if err := st.stream.Purge(ctx, jetstream.WithPurgeSubject(subject), jetstream.WithPurgeSequence(seq)); err != nil {
		return fmt.Errorf("purge earlier records: %w", err)
	}
	return nil
}
