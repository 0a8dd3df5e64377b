package store

import (
	"context"
	"fmt"
)

// FirstSeq returns the sequence of the oldest change record still kept.
func (t *Table) FirstSeq(ctx context.Context) (uint64, error) {
	info, err := t.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: info: %w", err)
	}
	return info.State.FirstSeq, nil
}
