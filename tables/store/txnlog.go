package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TxnStream is the stream of the locks and commit records of transactions
// over several tables.
const TxnStream = "EDDY_TXN"

const (
	lockPrefix   = "txn.lock."   // + item subject: the transaction holding the item
	commitPrefix = "txn.commit." // + transaction id: its commit record, or an abort record
	// abortTTL is how long an abort record stays: far longer than any
	// attempt, whose owner must still find it when it tries to commit.
	abortTTL = 24 * time.Hour
	// errCodeSequenceNotFound is the server's answer to deleting a message
	// that is gone.
	errCodeSequenceNotFound = 10043
)

// lockLease is how long a lock whose transaction has not committed is
// respected; after it, the next transaction to meet the lock aborts that
// transaction and takes the item. Only liveness depends on it (and on
// clocks): a transaction can commit only if no abort record was written
// first. A variable for tests.
var lockLease = 10 * time.Second

// commitGrace is how long a transaction or TransactGet that meets the lock
// of a committed transaction leaves it to its owner, which applies it
// within milliseconds and, unlike another node, can re-apply its update
// expressions over a write that slipped in. Open and Recover do not wait.
// A variable for tests.
var commitGrace = 2 * time.Second

// txnLog is an engine's EDDY_TXN stream.
type txnLog struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
}

// openTxnLog returns the engine's EDDY_TXN stream, creating it if needed.
func openTxnLog(ctx context.Context, e *engine.Engine) (*txnLog, error) {
	s, err := e.Stream(ctx, jetstream.StreamConfig{
		Name:              TxnStream,
		Subjects:          []string{"txn.>"},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		MaxMsgsPerSubject: -1,
		AllowDirect:       true,
		AllowMsgTTL:       true, // abort records expire
	})
	if err != nil {
		return nil, err
	}
	return &txnLog{nc: e.Conn, js: e.JS, stream: s}, nil
}

// Recover finishes every transaction over several tables that was
// committed but not completely applied, as when its node died mid-way.
// Open calls it; call it also when a node is known to have died.
func Recover(ctx context.Context, e *engine.Engine) error {
	l, err := openTxnLog(ctx, e)
	if err != nil {
		return fmt.Errorf("store: recover: %w", err)
	}
	return l.recover(ctx)
}

// lockHolder is a lock as read: its subject, sequence, transaction and
// time written.
type lockHolder struct {
	subject string
	seq     uint64
	tx      string
	time    time.Time
}

// commitRecord is the message on txn.commit.<tx>: everything needed to
// apply the transaction without its owner, or only Aborted.
type commitRecord struct {
	Tx      string     `json:"tx"`
	Aborted bool       `json:"aborted,omitempty"`
	Groups  []recGroup `json:"groups,omitempty"`
}

type recGroup struct {
	Stream string    `json:"stream"`
	Items  []recItem `json:"items"`
}

type recItem struct {
	Subject string     `json:"subject"`
	Expect  uint64     `json:"expect"` // the sequence read
	Op      WriteOp    `json:"op"`
	Write   bool       `json:"write,omitempty"`
	New     attrs.Item `json:"new,omitempty"`
}

// holders returns the lock on each item (nil where there is none).
func (l *txnLog) holders(ctx context.Context, items []*txItem) ([]*lockHolder, error) {
	subjects := make([]string, len(items))
	for i, it := range items {
		subjects[i] = lockPrefix + it.subject
	}
	last, err := lastMsgs(ctx, l.nc, TxnStream, subjects)
	if err != nil {
		return nil, err
	}
	out := make([]*lockHolder, len(items))
	for i, s := range subjects {
		if m := last[s]; m != nil {
			out[i] = decodeLock(m.Header.Get(jetstream.SubjectHeader), parseUint(m.Header.Get(jetstream.SequenceHeader)), m.Header.Get(jetstream.TimeStampHeaer), m.Data)
		}
	}
	return out, nil
}

func decodeLock(subject string, seq uint64, ts string, data []byte) *lockHolder {
	var body struct {
		Tx string `json:"tx"`
	}
	_ = json.Unmarshal(data, &body) // a lock that does not decode has no transaction: it is stale
	t, _ := time.Parse(time.RFC3339Nano, ts)
	return &lockHolder{subject: subject, seq: seq, tx: body.Tx, time: t}
}

// lockedItems returns a conflict if a transaction over several tables
// holds one of items.
func (l *txnLog) lockedItems(ctx context.Context, items []*txItem) (*conflict, error) {
	hs, err := l.holders(ctx, items)
	if err != nil {
		return nil, err
	}
	for i, h := range hs {
		if h != nil {
			return &conflict{items: []int{i}, holder: h}, nil
		}
	}
	return nil, nil
}

// acquire locks items for transaction txid, each with a compare-and-set
// on its absent lock, all published at once. It returns the locks taken,
// and the conflict with a lock held by another transaction.
func (l *txnLog) acquire(ctx context.Context, txid string, items []*txItem) ([]lockHolder, *conflict, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	body, _ := json.Marshal(struct {
		Tx string `json:"tx"`
	}{txid})
	var (
		held     []lockHolder
		futures  []jetstream.PubAckFuture
		firstErr error
	)
	for _, it := range items {
		m := nats.NewMsg(lockPrefix + it.subject)
		m.Data = body
		f, err := l.js.PublishMsgAsync(m, jetstream.WithExpectLastSequencePerSubject(0), jetstream.WithExpectStream(TxnStream))
		if err != nil {
			firstErr = fmt.Errorf("store: transaction lock: %w", err)
			break
		}
		futures = append(futures, f)
	}
	contended := -1
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			held = append(held, lockHolder{subject: f.Msg().Subject, seq: ack.Sequence, tx: txid})
		case err := <-f.Err():
			switch {
			case isWrongLast(err):
				if contended < 0 {
					contended = i
				}
			case firstErr == nil:
				firstErr = fmt.Errorf("store: transaction lock: %w", err)
			}
		case <-ctx.Done():
			// A lock granted after this is left for lockLease to clear.
			if firstErr == nil {
				firstErr = fmt.Errorf("store: transaction lock: %w", ctx.Err())
			}
		}
	}
	if firstErr != nil || contended < 0 {
		return held, nil, firstErr
	}
	h, err := l.holder(ctx, lockPrefix+items[contended].subject)
	return held, &conflict{items: []int{contended}, holder: h}, err
}

func isWrongLast(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// holder reads one lock; nil if it is gone.
func (l *txnLog) holder(ctx context.Context, subject string) (*lockHolder, error) {
	m, err := l.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: transaction lock: %w", err)
	}
	return decodeLock(m.Subject, m.Sequence, m.Time.Format(time.RFC3339Nano), m.Data), nil
}

// release deletes locks (those already gone are fine), several at once,
// even if ctx is done: locks left behind hold items up for lockLease.
func (l *txnLog) release(ctx context.Context, held []lockHolder) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	errs := make([]error, len(held))
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i, h := range held {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = l.deleteMsg(ctx, h.seq)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (l *txnLog) deleteMsg(ctx context.Context, seq uint64) error {
	err := l.stream.DeleteMsg(ctx, seq)
	var apiErr *jetstream.APIError
	if err == nil || (errors.As(err, &apiErr) && apiErr.ErrorCode == errCodeSequenceNotFound) {
		return nil
	}
	return fmt.Errorf("store: transaction log: %w", err)
}

// readCommit returns the commit or abort record of transaction tx (nil if
// none), its sequence and when it was written.
func (l *txnLog) readCommit(ctx context.Context, tx string) (*commitRecord, uint64, time.Time, error) {
	if tx == "" {
		return nil, 0, time.Time{}, nil
	}
	m, err := l.stream.GetLastMsgForSubject(ctx, commitPrefix+tx)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, 0, time.Time{}, nil
	}
	if err != nil {
		return nil, 0, time.Time{}, fmt.Errorf("store: transaction log: %w", err)
	}
	var rec commitRecord
	if err := json.Unmarshal(m.Data, &rec); err != nil {
		return nil, 0, time.Time{}, fmt.Errorf("store: transaction log: decode %s: %w", m.Subject, err)
	}
	return &rec, m.Sequence, m.Time, nil
}

// writeRecord publishes rec on txn.commit.<tx> if there is no record yet,
// and returns its sequence; errConflict if there is one. The first record
// decides: commit by the owner, or abort by whoever found its locks stale.
func (l *txnLog) writeRecord(ctx context.Context, rec commitRecord) (uint64, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return 0, fmt.Errorf("store: transaction log: %w", err)
	}
	if max := l.nc.MaxPayload(); max > 0 && int64(len(data)) > max-1024 {
		return 0, validation("Transaction request size has exceeded the maximum allowed size of %d bytes for transactions over several tables", max-1024)
	}
	opts := []jetstream.PublishOpt{jetstream.WithExpectLastSequencePerSubject(0), jetstream.WithExpectStream(TxnStream)}
	if rec.Aborted {
		opts = append(opts, jetstream.WithMsgTTL(abortTTL))
	}
	ack, err := l.js.Publish(ctx, commitPrefix+rec.Tx, data, opts...)
	if isWrongLast(err) {
		return 0, errConflict
	}
	if err != nil {
		return 0, fmt.Errorf("store: transaction log: %w", err)
	}
	return ack.Sequence, nil
}

// resolve deals with what stopped an attempt, holding no lock shard: it
// finishes a committed transaction in the way once commitGrace has passed,
// clears the lock of an aborted one, and aborts one whose lock is older
// than lockLease. Otherwise the caller backs off and tries again.
func (l *txnLog) resolve(ctx context.Context, c *conflict) error {
	h := c.holder
	if h == nil {
		return nil
	}
	if h.tx == "" { // not a lock this package wrote
		if time.Since(h.time) < lockLease {
			return nil
		}
		return l.deleteMsg(ctx, h.seq)
	}
	rec, seq, at, err := l.readCommit(ctx, h.tx)
	if err != nil {
		return err
	}
	if rec == nil {
		if time.Since(h.time) < lockLease {
			return nil // its owner is still reading and deciding
		}
		if _, err := l.writeRecord(ctx, commitRecord{Tx: h.tx, Aborted: true}); err != nil && !errors.Is(err, errConflict) {
			return err
		}
		// Either we aborted it, or its owner committed just now.
		if rec, seq, at, err = l.readCommit(ctx, h.tx); err != nil {
			return err
		}
	}
	if rec != nil && !rec.Aborted {
		if time.Since(at) < commitGrace {
			return nil // its owner is applying it
		}
		return l.rollForwardLocked(ctx, rec, seq)
	}
	return l.deleteMsg(ctx, h.seq)
}

// multiAttempt is one attempt of a transaction over several tables. The
// caller holds the items' lock shards. In order:
//
//  1. lock every item in EDDY_TXN (txn.lock.<subject>, compare-and-set on
//     its absence), so that no other transaction, on any node, touches
//     them until step 5;
//  2. read the items, evaluate the conditions and compute the new items
//     (canceled: release the locks, nothing was written);
//  3. write the commit record txn.commit.<txid> with every new item: the
//     transaction is now committed, whatever happens to this node;
//  4. apply it, one atomic batch per table in order (applyGroup);
//  5. release the locks and delete the commit record.
//
// A node that dies before 3 leaves locks that others clear after
// lockLease; one that dies after 3 leaves a record that Open, Recover, or
// the next transaction to meet one of its locks rolls forward.
func (l *txnLog) multiAttempt(ctx context.Context, txid string, items []*txItem, groups []*txGroup) (*conflict, error) {
	hook := func(phase string) error {
		if testHook != nil {
			return testHook(phase, txid)
		}
		return nil
	}
	held, c, err := l.acquire(ctx, txid, items)
	if c != nil || err != nil {
		if rerr := l.release(ctx, held); err == nil {
			err = rerr
		}
		return c, err
	}
	if err := hook("locked"); err != nil {
		return nil, err
	}
	abandon := func(err error) (*conflict, error) {
		if rerr := l.release(ctx, held); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	for _, g := range groups {
		if err := readItems(ctx, l.nc, g.stream, g.items); err != nil {
			return abandon(err)
		}
	}
	if err := evaluateAll(items); err != nil {
		return abandon(err)
	}
	rec := commitRecord{Tx: txid}
	for _, g := range groups {
		rg := recGroup{Stream: g.stream}
		for _, it := range g.items {
			rg.Items = append(rg.Items, recItem{Subject: it.subject, Expect: it.seq, Op: it.w.Op, Write: it.write, New: it.nw})
		}
		rec.Groups = append(rec.Groups, rg)
	}
	recSeq, err := l.writeRecord(ctx, rec)
	if errors.Is(err, errConflict) {
		// Aborted by another node that found our locks stale.
		return &conflict{}, l.release(ctx, held)
	}
	var tooLarge *eddy.Error
	if errors.As(err, &tooLarge) {
		return abandon(err)
	}
	if err != nil {
		// Unknown whether the record was written: leave the locks, so that
		// the record, if any, is rolled forward before anyone else writes.
		return nil, err
	}
	// Committed: finish even if the caller gives up, so that the window in
	// which the items are locked stays short.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := hook("committed"); err != nil {
		return nil, err
	}
	for i, g := range groups {
		if err := applyGroup(ctx, l.nc, g.stream, txid, applyItems(g.items), true); err != nil {
			return nil, err
		}
		if err := hook("applied " + strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	if err := l.release(ctx, held); err != nil {
		return nil, err
	}
	return nil, l.deleteMsg(ctx, recSeq)
}

// applyGroup applies a committed transaction's writes to one table's
// stream as one atomic batch, each write checking the version it replaces.
// known says that items hold the versions read under the transaction's
// locks, as its owner has them; otherwise (and after a failed batch) it
// reads the items first.
//
// Reading, an item is in one of three states. At the version the
// transaction read: still to write. At a later version written by this
// transaction (txnHeader), or with one in between: applied already (by the
// owner or another node rolling forward). At a later version written by
// someone else: a single-item write from another node landed inside the
// transaction's window; the transaction cannot be undone, so its write is
// recomputed over that version (redo: the update expression applied again,
// or, in recovery, the item the owner computed) and applied on top,
// without its condition, and a check of such an item is dropped.
func applyGroup(ctx context.Context, nc *nats.Conn, stream, txid string, items []*applyItem, known bool) error {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err := backoff(ctx, min(attempt, 5)); err != nil {
			return err
		}
		if !known {
			subjects := make([]string, len(items))
			for i, it := range items {
				subjects[i] = it.subject
			}
			last, err := lastMsgs(ctx, nc, stream, subjects)
			if err != nil {
				return err
			}
			var pending []*applyItem
			for _, it := range items {
				cur, seq, tx, err := itemState(last[it.subject])
				if err != nil {
					return err
				}
				if seq == it.expect {
					it.old = cur
					pending = append(pending, it)
					continue
				}
				if tx == txid {
					continue
				}
				applied, err := appliedSince(ctx, nc, stream, it.subject, it.expect, seq, txid)
				if err != nil {
					return err
				}
				if applied {
					continue
				}
				fallbacks.Add(1)
				it.expect, it.old = seq, cur
				if it.nw, it.write = it.redo(cur); it.write {
					pending = append(pending, it)
				}
			}
			items = pending
		}
		if len(items) == 0 {
			return nil
		}
		msgs, err := groupMsgs(txid, items)
		if err != nil {
			return err
		}
		err = publishBatch(ctx, nc, msgs)
		if err == nil {
			for _, it := range items {
				if r := it.result; r != nil {
					r.cur, r.nw = it.old, it.nw
				}
			}
			return nil
		}
		if !errors.Is(err, errConflict) && !errors.Is(err, errBusy) {
			return err
		}
		known = false
	}
	return fmt.Errorf("store: transaction %s: could not apply to %s", txid, stream)
}

// appliedSince reports whether transaction txid wrote a version of subject
// after sequence after, up to upTo.
func appliedSince(ctx context.Context, nc *nats.Conn, stream, subject string, after, upTo uint64, txid string) (bool, error) {
	for from := after + 1; from <= upTo; {
		var last uint64
		found := false
		_, _, err := directGet(ctx, nc, stream, directRequest{Seq: from, NextFor: subject, Batch: 256, MaxBytes: maxReplyBytes}, func(m *nats.Msg) error {
			last = parseUint(m.Header.Get(jetstream.SequenceHeader))
			if last <= upTo && m.Header.Get(txnHeader) == txid {
				found = true
			}
			return nil
		})
		if err != nil || found || last == 0 {
			return found, err
		}
		from = last + 1
	}
	return false, nil
}

// rollForwardLocked rolls rec forward holding its items' lock shards on
// this node.
func (l *txnLog) rollForwardLocked(ctx context.Context, rec *commitRecord, recSeq uint64) error {
	var keys []lockKey
	for _, g := range rec.Groups {
		for _, it := range g.Items {
			keys = append(keys, nodeLocks.key(g.Stream, it.Subject))
		}
	}
	unlock := lockAll(keys)
	defer unlock()
	return l.rollForward(ctx, rec, recSeq)
}

// rollForward applies a committed transaction that its owner may not
// finish, then releases its locks and deletes its record. Any number of
// nodes may do so at once: every step checks what is done already.
func (l *txnLog) rollForward(ctx context.Context, rec *commitRecord, recSeq uint64) error {
	var locks []*txItem
	for _, g := range rec.Groups {
		items := make([]*applyItem, len(g.Items))
		for i, ri := range g.Items {
			items[i] = &applyItem{subject: ri.Subject, expect: ri.Expect, nw: ri.New, write: ri.Write,
				redo: func(cur attrs.Item) (attrs.Item, bool) {
					switch ri.Op {
					case OpPut, OpUpdate:
						return ri.New, true
					case OpDelete:
						return nil, cur != nil
					}
					return nil, false
				}}
			locks = append(locks, &txItem{subject: ri.Subject})
		}
		if err := applyGroup(ctx, l.nc, g.Stream, rec.Tx, items, false); err != nil {
			if _, serr := l.js.Stream(ctx, g.Stream); errors.Is(serr, jetstream.ErrStreamNotFound) {
				continue // the table was dropped: nothing left to apply there
			}
			return err
		}
	}
	hs, err := l.holders(ctx, locks)
	if err != nil {
		return err
	}
	var ours []lockHolder
	for _, h := range hs {
		if h != nil && h.tx == rec.Tx {
			ours = append(ours, *h)
		}
	}
	if err := l.release(ctx, ours); err != nil {
		return err
	}
	return l.deleteMsg(ctx, recSeq)
}

// recover rolls forward every commit record in the log. A record younger
// than commitGrace may belong to a live owner: it waits for the owner to
// finish, up to that age.
func (l *txnLog) recover(ctx context.Context) error {
	type found struct {
		rec commitRecord
		seq uint64
		at  time.Time
	}
	var todo []found
	req := directRequest{Seq: 1, NextFor: commitPrefix + ">", Batch: 64, MaxBytes: maxReplyBytes}
	for {
		var last uint64
		_, _, err := directGet(ctx, l.nc, TxnStream, req, func(m *nats.Msg) error {
			last = parseUint(m.Header.Get(jetstream.SequenceHeader))
			var rec commitRecord
			if err := json.Unmarshal(m.Data, &rec); err != nil {
				return fmt.Errorf("store: transaction log: decode %s: %w", m.Header.Get(jetstream.SubjectHeader), err)
			}
			if !rec.Aborted {
				at, _ := time.Parse(time.RFC3339Nano, m.Header.Get(jetstream.TimeStampHeaer))
				todo = append(todo, found{rec, last, at})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: recover: %w", err)
		}
		if last == 0 {
			break
		}
		req.Seq = last + 1
	}
	for _, f := range todo {
		gone := false
		for !gone && time.Since(f.at) < commitGrace {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(min(50*time.Millisecond, commitGrace-time.Since(f.at))):
			}
			rec, seq, _, err := l.readCommit(ctx, f.rec.Tx)
			if err != nil {
				return fmt.Errorf("store: recover: %w", err)
			}
			gone = rec == nil || seq != f.seq
		}
		if gone {
			continue
		}
		if err := l.rollForwardLocked(ctx, &f.rec, f.seq); err != nil {
			return fmt.Errorf("store: recover %s: %w", f.rec.Tx, err)
		}
	}
	return nil
}
