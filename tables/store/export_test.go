package store

import (
	"context"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// SetTxnHook makes every transaction call f at each phase (see testHook)
// until the test ends.
func SetTxnHook(tb testing.TB, f func(phase, txid string) error) {
	testHook = f
	tb.Cleanup(func() { testHook = nil })
}

// SetLockLease sets how long an uncommitted transaction's locks are
// respected, until the test ends.
func SetLockLease(tb testing.TB, d time.Duration) {
	old := lockLease
	lockLease = d
	tb.Cleanup(func() { lockLease = old })
}

// SetCommitGrace sets how long a committed transaction is left to its
// owner, until the test ends.
func SetCommitGrace(tb testing.TB, d time.Duration) {
	old := commitGrace
	commitGrace = d
	tb.Cleanup(func() { commitGrace = old })
}

// Detached returns t as another node would have it open: the same stream,
// with a lock table of its own.
func Detached(t *Table) *Table {
	c := &Table{def: t.def, e: t.e, id: t.id, name: t.name, stream: t.stream, log: t.log, locks: newLockTable()}
	if check := t.check.Load(); check != nil {
		c.check.Store(check)
	}
	return c
}

// Fallbacks returns how many transactional writes so far were re-applied
// over another node's write.
func Fallbacks() int64 { return fallbacks.Load() }

// TxnLogCounts returns the number of locks and of commit or abort records
// in the transaction log.
func TxnLogCounts(ctx context.Context, t *Table) (locks, records uint64, err error) {
	for _, c := range []struct {
		filter string
		n      *uint64
	}{{lockPrefix + ">", &locks}, {commitPrefix + ">", &records}} {
		info, err := t.log.stream.Info(ctx, jetstream.WithSubjectFilter(c.filter))
		if err != nil {
			return 0, 0, err
		}
		for _, n := range info.State.Subjects {
			*c.n += n
		}
	}
	return locks, records, nil
}

// TxnAborted reports whether transaction txid has an abort record.
func TxnAborted(ctx context.Context, t *Table, txid string) (bool, error) {
	rec, _, _, err := t.log.readCommit(ctx, txid)
	return rec != nil && rec.Aborted, err
}

// TryCommit tries to write a commit record for transaction txid, as its
// owner would; an error means that the transaction was decided already.
func TryCommit(ctx context.Context, t *Table, txid string) error {
	_, err := t.log.writeRecord(ctx, commitRecord{Tx: txid})
	return err
}

// EngineOf returns the engine a table was opened with.
func EngineOf(t *Table) *engine.Engine { return t.e }
