package queues

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// lease is this node's claim on a queue: a key in the lease bucket, whose
// entries expire after LeaseTTL unless renewed.
type lease struct {
	s   *Service
	key string
	rev uint64
}

// acquire claims the queue id for this node. It returns nil, without an
// error, if another node holds it. A lease this node held before a restart
// (the same NodeID) is taken back at once.
func (s *Service) acquire(ctx context.Context, key string) (*lease, error) {
	rev, err := s.leases.Create(ctx, key, []byte(s.cfg.NodeID))
	if errors.Is(err, jetstream.ErrKeyExists) {
		ent, gerr := s.leases.Get(ctx, key)
		if gerr != nil || string(ent.Value()) != s.cfg.NodeID || !ent.Created().Before(s.openedAt) {
			return nil, nil
		}
		rev, err = s.leases.Update(ctx, key, []byte(s.cfg.NodeID), ent.Revision())
		if err != nil {
			return nil, nil
		}
		return &lease{s: s, key: key, rev: rev}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("queues: lease %s: %w", key, err)
	}
	return &lease{s: s, key: key, rev: rev}, nil
}

// keep renews the lease every third of its TTL until done is closed; the
// first renewal that fails calls lost.
func (l *lease) keep(done <-chan struct{}, lost func()) {
	every := l.s.cfg.LeaseTTL / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), every)
		rev, err := l.s.leases.Update(ctx, l.key, []byte(l.s.cfg.NodeID), l.rev)
		cancel()
		if err != nil {
			select {
			case <-done:
			default:
				l.s.cfg.Logger.Warn("queues: lease lost", "queue", l.key, "err", err)
				lost()
			}
			return
		}
		l.rev = rev
	}
}

// release gives the queue up so that another node can take it at once.
func (l *lease) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = l.s.leases.Delete(ctx, l.key, jetstream.LastRevision(l.rev))
}
