package store

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
)

// FirstSeq returns the sequence of the oldest change record still kept.
func (t *Table) FirstSeq(ctx context.Context) (uint64, error) {
	info, err := t.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: info: %w", err)
	}
	return info.State.FirstSeq, nil
}

// Watch calls wake, which must not block, whenever a write to the table
// is published: a hint for a change reader to read again, not a promise
// of a change (a write that then fails its condition wakes it too). It
// costs one core NATS subscription; stop ends it.
func (t *Table) Watch(wake func()) (stop func(), err error) {
	sub, err := t.e.Conn.Subscribe("tbl."+t.id+".>", func(*nats.Msg) { wake() })
	if err != nil {
		return nil, fmt.Errorf("store: watch: %w", err)
	}
	return func() { _ = sub.Unsubscribe() }, nil
}
