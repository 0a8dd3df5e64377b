package tables

import (
	"context"
	"math/big"
	"time"

	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
)

// tokenTTL is how long TransactWriteItems remembers a ClientRequestToken.
const tokenTTL = 10 * time.Minute

// background runs expiry and compaction until ctx ends. Every node runs
// them; the conditional deletes and purges make running them twice
// harmless.
func (s *Service) background(ctx context.Context) {
	ttl := time.NewTicker(s.cfg.TTLInterval)
	defer ttl.Stop()
	compact := time.NewTicker(s.cfg.CompactInterval)
	defer compact.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ttl.C:
			s.ExpireItems(ctx)
		case <-compact.C:
			s.Compact(ctx)
		}
	}
}

func (s *Service) catalog() []*meta {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*meta, 0, len(s.metas))
	for _, m := range s.metas {
		if m.Status != statusDeleting {
			out = append(out, m)
		}
	}
	return out
}

// ExpireItems deletes the items whose time to live attribute holds an
// epoch time in the past (but not more than five years past, which
// DynamoDB ignores), in every table with time to live enabled. Each delete
// is conditional on the attribute being unchanged and is recorded in the
// stream as made by the service. It returns how many items it deleted.
func (s *Service) ExpireItems(ctx context.Context) int {
	n := 0
	now := s.cfg.Now()
	for _, m := range s.catalog() {
		if m.TTL == nil || !m.TTL.Enabled {
			continue
		}
		_, o, err := s.table(ctx, m.Name)
		if err != nil {
			continue
		}
		err = o.store.Items(ctx, func(it attrs.Item) error {
			v, ok := it[m.TTL.AttributeName]
			if !ok || !expired(v, now) {
				return nil
			}
			cond, err := expression.ParseCondition("#t = :t", map[string]string{"#t": m.TTL.AttributeName}, map[string]attrs.Value{":t": v})
			if err != nil {
				return nil
			}
			old, err := o.store.Expire(ctx, o.store.Key(it), cond, ttlPrincipal)
			if err == nil && old != nil {
				n++
			}
			return ctx.Err()
		})
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("tables: expiry", "table", m.Name, "err", err)
		}
	}
	return n
}

// expired reports whether v, epoch seconds, is past but within five years.
func expired(v attrs.Value, now time.Time) bool {
	if v.Kind != attrs.N {
		return false
	}
	f, ok := new(big.Float).SetString(v.N.String())
	if !ok {
		return false
	}
	sec, _ := f.Float64()
	t := time.Unix(int64(sec), 0)
	return !t.After(now) && now.Sub(t) <= 5*365*24*time.Hour
}

// Compact removes change records older than the stream retention from
// every table. It returns how many items it compacted.
func (s *Service) Compact(ctx context.Context) int {
	n := 0
	cutoff := s.cfg.Now().Add(-s.cfg.StreamRetention)
	for _, m := range s.catalog() {
		_, o, err := s.table(ctx, m.Name)
		if err != nil {
			continue
		}
		c, err := o.store.Compact(ctx, cutoff)
		if err != nil {
			s.cfg.Logger.Error("tables: compact", "table", m.Name, "err", err)
		}
		n += c
	}
	return n
}
