package triggers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// lease is this node's claim on a shard: a key in the lease bucket, whose
// entries expire after LeaseTTL unless renewed.
type lease struct {
	s   *Service
	key string
	rev uint64 // the revision this node last wrote
}

// acquire claims the shard key for this node. It returns nil, without an
// error, if another node holds it. A lease this node held before a restart
// (the same NodeID; its runners from before are gone) is taken back at
// once rather than after it expires.
func (s *Service) acquire(ctx context.Context, key string) (*lease, error) {
	rev, err := s.leases.Create(ctx, key, []byte(s.cfg.NodeID))
	if errors.Is(err, jetstream.ErrKeyExists) {
		ent, gerr := s.leases.Get(ctx, key)
		if gerr != nil || string(ent.Value()) != s.cfg.NodeID || !s.restartedSince(ent.Created()) {
			return nil, nil
		}
		rev, err = s.leases.Update(ctx, key, []byte(s.cfg.NodeID), ent.Revision())
		if err != nil {
			return nil, nil
		}
		return &lease{s: s, key: key, rev: rev}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("triggers: lease %s: %w", key, err)
	}
	return &lease{s: s, key: key, rev: rev}, nil
}

// keep renews the lease every third of its TTL until ctx ends. The first
// renewal that fails — another node took the shard over, or the engine
// did not answer in time — calls lost and ends keep: the shard's poller
// must stop at once, since the lease may be gone.
func (l *lease) keep(ctx context.Context, lost func()) {
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
				l.s.cfg.Logger.Warn("triggers: lease lost", "lease", l.key, "err", err)
				lost()
			}
			return
		}
		l.rev = rev
	}
}

// release gives the shard up, so that another node (or this one, after a
// restart) can take it at once. A lease another node holds meanwhile is
// left alone.
func (l *lease) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = l.s.leases.Delete(ctx, l.key, jetstream.LastRevision(l.rev))
}
