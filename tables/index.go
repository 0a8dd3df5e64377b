package tables

import (
	"context"
	"log/slog"

	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/eddyserverless/eddy/tables/index"
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

// openIndex opens (creating and backfilling if new) the index ix of m.
func openIndex(ctx context.Context, e *engine.Engine, base *store.Table, m *meta, ix indexMeta, logger *slog.Logger) (indexReader, error) {
	h, r := hashRange(ix.KeySchema)
	bh, br := m.keys()
	def := index.Def{
		Name: ix.IndexName, HashKey: h, RangeKey: r, KeyTypes: keyTypes(m.AttributeDefinitions),
		BaseHashKey: bh, BaseRangeKey: br, Projection: ix.Projection.ProjectionType,
		NonKeyAttributes: ix.Projection.NonKeyAttributes, Local: ix.Local,
	}
	return index.Open(ctx, e, base, m.Name, def, logger)
}
