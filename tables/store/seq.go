package store

import (
	"context"
	"fmt"
)

// LastSeq returns the sequence of the table's latest change record (0 for
// none): the position a change reader starting "now" starts after.
func (t *Table) LastSeq(ctx context.Context) (uint64, error) {
	info, err := t.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: info: %w", err)
	}
	return info.State.LastSeq, nil
}

// FirstSeq returns the sequence of the oldest change record still kept.
func (t *Table) FirstSeq(ctx context.Context) (uint64, error) {
	info, err := t.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: info: %w", err)
	}
	return info.State.FirstSeq, nil
}
