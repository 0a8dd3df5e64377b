package store

import (
	"context"

	"github.com/eddyserverless/eddy/tables/attrs"
)

// KeyString validates key as a complete key of the table (its key
// attributes and nothing else) and returns a string that identifies the
// item, equal for equal keys.
func (t *Table) KeyString(key attrs.Item) (string, error) {
	return t.subjectOf(key, true)
}

// CheckItem validates item as Put would, without writing it.
func (t *Table) CheckItem(item attrs.Item) error {
	if _, err := t.subjectOf(item, false); err != nil {
		return err
	}
	if attrs.Size(item) > attrs.MaxItemSize {
		return validation("Item size has exceeded the maximum allowed size")
	}
	if check := t.check.Load(); check != nil {
		return (*check)(item)
	}
	return nil
}

// Items calls fn with every current item of the table, in no particular
// order, reading the table once.
func (t *Table) Items(ctx context.Context, fn func(attrs.Item) error) error {
	versions, err := t.lastVersions(ctx, "tbl."+t.id+".>")
	if err != nil {
		return err
	}
	for _, v := range versions {
		if v.new == nil {
			continue
		}
		if err := fn(v.new); err != nil {
			return err
		}
	}
	return nil
}
