package tables

import (
	"context"
	"log/slog"

	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/eddyserverless/eddy/tables/store"
)

// indexReader is an open secondary index.
type indexReader interface {
	Query(ctx context.Context, kc *expression.KeyCondition, forward bool, limit int, exclusiveStart attrs.Item) ([]attrs.Item, attrs.Item, error)
	Scan(ctx context.Context, limit int, exclusiveStart attrs.Item, segment, totalSegments int) ([]attrs.Item, attrs.Item, error)
	Stats(ctx context.Context) (items, size int64, err error)
	Backfilled() bool
	Close() error
	Drop(ctx context.Context) error
}

func openIndex(ctx context.Context, e *engine.Engine, base *store.Table, m *meta, ix indexMeta, logger *slog.Logger) (indexReader, error) {
	return nil, validation("secondary indexes are not available")
}
