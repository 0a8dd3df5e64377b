package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// WriteOp is what one write of a transaction does.
type WriteOp int

// The writes of a transaction, as in TransactWriteItems.
const (
	OpPut    WriteOp = iota + 1 // write Item
	OpUpdate                    // apply Update to the item with Key, creating it if absent
	OpDelete                    // delete the item with Key
	OpCheck                     // require Cond of the item with Key, write nothing
)

// TxWrite is one write of a transaction.
type TxWrite struct {
	Table  *Table
	Op     WriteOp
	Item   attrs.Item            // OpPut: the item
	Key    attrs.Item            // OpUpdate, OpDelete, OpCheck: the key
	Update *expression.Update    // OpUpdate: nil writes the item unchanged (or the key alone)
	Cond   *expression.Condition // nil for none; required for OpCheck
}

// TxResult is the outcome of one write of a committed transaction: the
// item before and after (nil when absent). For OpCheck both are the item
// as it was.
type TxResult struct {
	Old, New attrs.Item
}

// TxGet is one read of TransactGet.
type TxGet struct {
	Table *Table
	Key   attrs.Item
}

// Cancellation reason codes, as DynamoDB's CancellationReasons name them.
const (
	ReasonNone                   = "None"
	ReasonConditionalCheckFailed = "ConditionalCheckFailed"
	ReasonValidationError        = "ValidationError"
	ReasonTransactionConflict    = "TransactionConflict"
)

// TxReason says why one write or read of a canceled transaction would not
// go through (Code ReasonNone if it would have). Old is the item as it was
// for ReasonConditionalCheckFailed (nil if absent), for
// ReturnValuesOnConditionCheckFailure.
type TxReason struct {
	Code    string
	Message string
	Old     attrs.Item
}

// TxCanceled is the error of a transaction that wrote (or read) nothing:
// one Reason per write or read, in request order. It unwraps to an eddy
// TransactionCanceledException.
type TxCanceled struct {
	Reasons []TxReason
}

// Error implements error.
func (e *TxCanceled) Error() string { return e.Unwrap().Error() }

// Unwrap returns the eddy error.
func (e *TxCanceled) Unwrap() error {
	codes := make([]string, len(e.Reasons))
	code := eddy.ECONFLICT
	for i, r := range e.Reasons {
		codes[i] = r.Code
		if r.Code == ReasonConditionalCheckFailed || r.Code == ReasonValidationError {
			code = eddy.EPRECOND
		}
	}
	return eddy.TypedErrorf(code, "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", "))
}

const (
	// maxTxItems is DynamoDB's limit on the actions of one transaction.
	maxTxItems = 100
	// maxTxAttempts bounds the attempts of one transaction before it is
	// canceled with TransactionConflict.
	maxTxAttempts = 25
	// txnHeader names the transaction that wrote a version. Readers ignore
	// it; recovery uses it to tell whether a transaction's write landed.
	txnHeader = "Eddy-Txn"
	// markerPrefix is the subject prefix, in each table's stream, of the
	// markers that carry a transaction's checks of items it does not write.
	markerPrefix = "txm."
	// markerTTL is how long a marker stays in the stream.
	markerTTL = "1s"
	// errCodeTooManyBatches is the server's "atomic publish too many
	// inflight" error: more than 50 batches staged in one stream.
	errCodeTooManyBatches = 10210
)

// errBusy reports that the server refused a batch for now.
var errBusy = errors.New("store: too many transactions in flight")

// Test hooks, set by export_test.go only.
var (
	// testHook, when set, is called at each phase of a transaction: over
	// one table "decided" (before its batch), over several "locked",
	// "committed", "applied 0", …; an error stops the transaction there as
	// if its node had died.
	testHook func(phase, txid string) error
	// fallbacks counts writes re-applied over another node's write (see
	// applyGroup).
	fallbacks atomic.Int64
)

// txItem is one write of a transaction.
type txItem struct {
	w       TxWrite
	stream  string
	subject string
	lock    lockKey
	invalid string // a validation failure known before reading, "" if none

	// Read under the transaction's locks.
	cur attrs.Item
	seq uint64

	// Decided by evaluate.
	nw    attrs.Item
	write bool // publishes a version: false for OpCheck and for deleting an absent item
}

// txGroup is the part of a transaction in one table's stream.
type txGroup struct {
	stream string
	items  []*txItem
}

// Transact applies every write or none, as DynamoDB's TransactWriteItems.
// It returns each write's item before and after, in order.
//
// If a condition does not hold, or a write fails validation once the items
// are read (an update of a key attribute, an item over 400 KB, an update
// expression that does not apply), it writes nothing and returns a
// *TxCanceled with a reason per write. If the items keep changing under it
// for maxTxAttempts attempts, it returns a *TxCanceled with
// TransactionConflict for the contended items. A request it cannot run at
// all (no writes or over 100, a key that does not match its table's
// schema, two writes of one item) is a ValidationException.
//
// Writes to one table commit as one atomic batch; writes to several go
// through the EDDY_TXN log. The package documentation says what each
// guarantees.
func Transact(ctx context.Context, writes []TxWrite) ([]TxResult, error) {
	items, groups, err := prepareWrites(writes)
	if err != nil {
		return nil, err
	}
	reasons := make([]TxReason, len(items))
	invalid := false
	for i, it := range items {
		reasons[i].Code = ReasonNone
		if it.invalid != "" {
			reasons[i] = TxReason{Code: ReasonValidationError, Message: it.invalid}
			invalid = true
		}
	}
	if invalid {
		return nil, &TxCanceled{Reasons: reasons}
	}
	log := writes[0].Table.log
	keys := make([]lockKey, len(items))
	for i, it := range items {
		keys[i] = it.lock
	}
	var contended []int
	for attempt := 0; attempt < maxTxAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		unlock := lockAll(keys)
		var c *conflict
		if len(groups) == 1 {
			c, err = log.singleAttempt(ctx, eddy.NewID(), items, groups[0])
		} else {
			c, err = log.multiAttempt(ctx, eddy.NewID(), items, groups)
		}
		unlock()
		if err != nil {
			return nil, err
		}
		if c == nil {
			out := make([]TxResult, len(items))
			for i, it := range items {
				out[i] = TxResult{Old: it.cur, New: it.nw}
			}
			return out, nil
		}
		contended = c.items
		if err := log.resolve(ctx, c); err != nil {
			return nil, err
		}
	}
	return nil, conflictCanceled(len(items), contended)
}

// prepareWrites checks the request and returns its writes grouped by table
// stream, in order of first appearance.
func prepareWrites(writes []TxWrite) ([]*txItem, []*txGroup, error) {
	if len(writes) == 0 || len(writes) > maxTxItems {
		return nil, nil, validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", maxTxItems)
	}
	items := make([]*txItem, len(writes))
	var groups []*txGroup
	seen := map[string]bool{}
	for i, w := range writes {
		t := w.Table
		if t == nil {
			return nil, nil, fmt.Errorf("store: transaction write %d has no table", i)
		}
		if t.e != writes[0].Table.e {
			return nil, nil, errors.New("store: a transaction's tables must share one engine")
		}
		it := &txItem{w: w, stream: t.name}
		var err error
		switch w.Op {
		case OpPut:
			it.subject, err = t.subjectOf(w.Item, false)
			if err == nil && attrs.Size(w.Item) > attrs.MaxItemSize {
				it.invalid = "Item size has exceeded the maximum allowed size"
			}
		case OpUpdate, OpDelete, OpCheck:
			it.subject, err = t.subjectOf(w.Key, true)
			if err == nil && w.Op == OpCheck && w.Cond == nil {
				err = validation("The ConditionCheck of a transaction requires a ConditionExpression")
			}
			if err == nil && w.Op == OpUpdate && w.Update != nil {
				for _, name := range w.Update.TopLevel() {
					if name == t.def.HashKey || (t.def.RangeKey != "" && name == t.def.RangeKey) {
						it.invalid = fmt.Sprintf("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", name)
						break
					}
				}
			}
		default:
			return nil, nil, fmt.Errorf("store: transaction write %d has no operation", i)
		}
		if err != nil {
			return nil, nil, err
		}
		if seen[t.name+" "+it.subject] {
			return nil, nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[t.name+" "+it.subject] = true
		it.lock = t.locks.key(t.name, it.subject)
		items[i] = it
		j := slices.IndexFunc(groups, func(g *txGroup) bool { return g.stream == t.name })
		if j < 0 {
			groups = append(groups, &txGroup{stream: t.name})
			j = len(groups) - 1
		}
		groups[j].items = append(groups[j].items, it)
	}
	return items, groups, nil
}

// evaluate decides one write from the item read (it.cur): its condition,
// and the new item.
func (it *txItem) evaluate() TxReason {
	w := it.w
	if w.Cond != nil {
		ok, err := w.Cond.Eval(it.cur)
		if err != nil {
			return TxReason{Code: ReasonValidationError, Message: eddy.ErrorMessage(err)}
		}
		if !ok {
			return TxReason{Code: ReasonConditionalCheckFailed, Message: "The conditional request failed", Old: it.cur}
		}
	}
	nw, write, err := redo(w, it.cur)
	if err != nil {
		return TxReason{Code: ReasonValidationError, Message: eddy.ErrorMessage(err)}
	}
	it.nw, it.write = nw, write
	return TxReason{Code: ReasonNone}
}

// redo returns what write w makes of the item cur, and whether that is a
// new version.
func redo(w TxWrite, cur attrs.Item) (attrs.Item, bool, error) {
	switch w.Op {
	case OpPut:
		return maps.Clone(w.Item), true, nil
	case OpDelete:
		return nil, cur != nil, nil
	case OpUpdate:
		start := cur
		if start == nil {
			start = maps.Clone(w.Key)
		}
		if w.Update == nil {
			return maps.Clone(start), true, nil
		}
		n, err := w.Update.Apply(start)
		if err != nil {
			return nil, false, err
		}
		if attrs.Size(n) > attrs.MaxItemSize {
			return nil, false, validation("Item size to update has exceeded the maximum allowed size")
		}
		return n, true, nil
	}
	return cur, false, nil // OpCheck
}

// evaluateAll evaluates every write and returns a *TxCanceled if one fails.
func evaluateAll(items []*txItem) error {
	reasons := make([]TxReason, len(items))
	failed := false
	for i, it := range items {
		reasons[i] = it.evaluate()
		failed = failed || reasons[i].Code != ReasonNone
	}
	if failed {
		return &TxCanceled{Reasons: reasons}
	}
	return nil
}

// conflictCanceled cancels a transaction of n writes or reads for
// contention on the ones at indexes (all of them if none is known).
func conflictCanceled(n int, indexes []int) *TxCanceled {
	reasons := make([]TxReason, n)
	for i := range reasons {
		reasons[i].Code = ReasonNone
		if len(indexes) == 0 || slices.Contains(indexes, i) {
			reasons[i] = TxReason{Code: ReasonTransactionConflict, Message: "Transaction is ongoing for the item"}
		}
	}
	return &TxCanceled{Reasons: reasons}
}

// conflict is why an attempt did not go through: the writes or reads
// (by index) that changed or are locked, and the lock in the way, if any.
type conflict struct {
	items  []int
	holder *lockHolder
}

// backoff waits a random while that grows with attempt (none for 0).
func backoff(ctx context.Context, attempt int) error {
	if attempt == 0 {
		return ctx.Err()
	}
	d := time.Duration(rand.Int64N(int64(min(attempt, 20)) * int64(time.Millisecond)))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// singleAttempt is one attempt of a transaction in one table: read, decide,
// publish one atomic batch whose every message checks the version read.
// The caller holds the items' lock shards.
func (l *txnLog) singleAttempt(ctx context.Context, txid string, items []*txItem, g *txGroup) (*conflict, error) {
	// An item locked by a transaction over several tables is not to be
	// written until that one is done.
	if c, err := l.lockedItems(ctx, items); c != nil || err != nil {
		return c, err
	}
	if err := readItems(ctx, l.nc, g.stream, g.items); err != nil {
		return nil, err
	}
	if err := evaluateAll(items); err != nil {
		return nil, err
	}
	msgs, err := groupMsgs(txid, applyItems(g.items))
	if err != nil {
		return nil, err
	}
	if testHook != nil {
		if err := testHook("decided", txid); err != nil {
			return nil, err
		}
	}
	err = publishBatch(ctx, l.nc, msgs)
	if errors.Is(err, errConflict) {
		return changedItems(ctx, l.nc, items, g)
	}
	if errors.Is(err, errBusy) {
		return &conflict{}, nil
	}
	return nil, err
}

// changedItems returns the conflict of the items of g whose version is no
// longer the one read.
func changedItems(ctx context.Context, nc *nats.Conn, items []*txItem, g *txGroup) (*conflict, error) {
	seqs := make(map[*txItem]uint64, len(g.items))
	for _, it := range g.items {
		seqs[it] = it.seq
	}
	if err := readItems(ctx, nc, g.stream, g.items); err != nil {
		return nil, err
	}
	c := &conflict{}
	for i, it := range items {
		if s, ok := seqs[it]; ok && s != it.seq {
			c.items = append(c.items, i)
		}
	}
	return c, nil
}

// readItems reads the current version of each item into cur and seq.
func readItems(ctx context.Context, nc *nats.Conn, stream string, items []*txItem) error {
	subjects := make([]string, len(items))
	for i, it := range items {
		subjects[i] = it.subject
	}
	last, err := lastMsgs(ctx, nc, stream, subjects)
	if err != nil {
		return err
	}
	for _, it := range items {
		it.cur, it.seq, _, err = itemState(last[it.subject])
		if err != nil {
			return err
		}
	}
	return nil
}

// itemState decodes the last message of an item's subject (nil for none)
// into the item (nil if deleted), its sequence and the transaction that
// wrote it ("" for a single-item write).
func itemState(m *nats.Msg) (attrs.Item, uint64, string, error) {
	if m == nil {
		return nil, 0, "", nil
	}
	seq := parseUint(m.Header.Get(jetstream.SequenceHeader))
	v, err := decodeVersion(seq, m.Header.Get(jetstream.SubjectHeader), time.Time{}, m.Data)
	if err != nil {
		return nil, 0, "", err
	}
	return v.new, seq, m.Header.Get(txnHeader), nil
}

// lastMsgs returns the last message of each of subjects in stream that has
// one, by subject, with batched direct gets.
func lastMsgs(ctx context.Context, nc *nats.Conn, stream string, subjects []string) (map[string]*nats.Msg, error) {
	out := make(map[string]*nats.Msg, len(subjects))
	req := directRequest{MultiLast: subjects, Batch: maxBatch, MaxBytes: maxReplyBytes}
	for {
		var last uint64
		pending, upTo, err := directGet(ctx, nc, stream, req, func(m *nats.Msg) error {
			out[m.Header.Get(jetstream.SubjectHeader)] = m
			last = parseUint(m.Header.Get(jetstream.SequenceHeader))
			return nil
		})
		if err != nil {
			return nil, err
		}
		if pending == 0 || last == 0 {
			return out, nil
		}
		req.Seq, req.UpToSeq = last+1, upTo
	}
}

// applyItem is one write as a table's batch carries it.
type applyItem struct {
	subject string
	expect  uint64 // the sequence the write replaces (checks, for a marker)
	old, nw attrs.Item
	write   bool
	// redo recomputes the write over another version of the item.
	redo func(cur attrs.Item) (attrs.Item, bool)
	// result, when set, receives the write as applied.
	result *txItem
}

// applyItems returns the batch items of a group as decided.
func applyItems(items []*txItem) []*applyItem {
	out := make([]*applyItem, len(items))
	for i, it := range items {
		w := it.w
		out[i] = &applyItem{subject: it.subject, expect: it.seq, old: it.cur, nw: it.nw, write: it.write, result: it,
			redo: func(cur attrs.Item) (attrs.Item, bool) {
				nw, write, err := redo(w, cur)
				if err != nil {
					return it.nw, it.write // the update no longer applies: write what was decided
				}
				return nw, write
			}}
	}
	return out
}

// groupMsgs returns the batch of one table's part of a transaction: a
// version per written item, with its compare-and-set, and a marker per item
// only checked (a condition check, or a delete of an absent item) that
// fails the batch if that item changed. The markers live on txm.<id>,
// outside the item subjects, and expire after markerTTL.
func groupMsgs(txid string, items []*applyItem) ([]*nats.Msg, error) {
	msgs := make([]*nats.Msg, 0, len(items))
	for _, it := range items {
		expect := strconv.FormatUint(it.expect, 10)
		if !it.write {
			id := strings.SplitN(it.subject, ".", 3)[1] // tbl.<id>.…
			m := nats.NewMsg(markerPrefix + id)
			m.Header.Set(jetstream.MsgTTLHeader, markerTTL)
			m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, expect)
			m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, it.subject)
			m.Header.Set(txnHeader, txid)
			msgs = append(msgs, m)
			continue
		}
		data, err := encodeRecord(it.old, it.nw, "")
		if err != nil {
			return nil, err
		}
		m := nats.NewMsg(it.subject)
		m.Data = data
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, expect)
		m.Header.Set(txnHeader, txid)
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// publishBatch publishes msgs as one atomic batch: the server checks every
// message's expectations, then stores all of them or none. It returns
// errConflict if an expectation failed and errBusy if the stream has too
// many batches staged.
func publishBatch(ctx context.Context, nc *nats.Conn, msgs []*nats.Msg) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	id := eddy.NewID()
	for i, m := range msgs {
		last := i == len(msgs)-1
		m.Header.Set("Nats-Batch-Id", id)
		m.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
		if last {
			m.Header.Set("Nats-Batch-Commit", "1")
		}
		// The first message is a request so that a refused batch fails
		// early with its own error; the rest are published and the commit
		// answers for the batch.
		if i > 0 && !last {
			if err := nc.PublishMsg(m); err != nil {
				return fmt.Errorf("store: transaction: %w", err)
			}
			continue
		}
		resp, err := nc.RequestMsgWithContext(ctx, m)
		if err != nil {
			return fmt.Errorf("store: transaction: %w", err)
		}
		if err := batchReply(resp.Data); err != nil {
			return err
		}
	}
	return nil
}

// batchReply decodes the server's answer to a message of a batch (empty
// for a staged one).
func batchReply(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	var r struct {
		Error *struct {
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("store: transaction: bad reply: %w", err)
	}
	if r.Error == nil {
		return nil
	}
	switch r.Error.ErrCode {
	case int(jetstream.JSErrCodeStreamWrongLastSequence), int(jetstream.JSErrCodeStreamWrongLastSequenceConstant):
		return errConflict
	case errCodeTooManyBatches:
		return errBusy
	}
	return fmt.Errorf("store: transaction: %s (%d)", r.Error.Description, r.Error.ErrCode)
}

// TransactGet reads the items with the given keys as one consistent
// snapshot, as DynamoDB's TransactGetItems: no write, single or
// transactional, is seen in part. Absent items are nil. If the items keep
// changing for maxTxAttempts attempts it returns a *TxCanceled with
// TransactionConflict for the contended ones.
//
// It reads every item, checks that none is locked by a committed
// transaction still being applied (helping to finish one that is), and
// reads the versions again: unchanged, the first read is a snapshot.
func TransactGet(ctx context.Context, gets []TxGet) ([]attrs.Item, error) {
	if len(gets) == 0 || len(gets) > maxTxItems {
		return nil, validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", maxTxItems)
	}
	items := make([]*txItem, len(gets))
	keys := make([]lockKey, len(gets))
	var groups []*txGroup
	seen := map[string]bool{}
	for i, g := range gets {
		t := g.Table
		if t == nil {
			return nil, fmt.Errorf("store: transactional get %d has no table", i)
		}
		if t.e != gets[0].Table.e {
			return nil, errors.New("store: a transaction's tables must share one engine")
		}
		subject, err := t.subjectOf(g.Key, true)
		if err != nil {
			return nil, err
		}
		if seen[t.name+" "+subject] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[t.name+" "+subject] = true
		it := &txItem{w: TxWrite{Table: t, Op: OpCheck, Key: g.Key}, stream: t.name, subject: subject, lock: t.locks.key(t.name, subject)}
		items[i], keys[i] = it, it.lock
		j := slices.IndexFunc(groups, func(g *txGroup) bool { return g.stream == t.name })
		if j < 0 {
			groups = append(groups, &txGroup{stream: t.name})
			j = len(groups) - 1
		}
		groups[j].items = append(groups[j].items, it)
	}
	log := gets[0].Table.log
	var contended []int
	for attempt := 0; attempt < maxTxAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		unlock := lockAll(keys)
		c, err := log.getAttempt(ctx, items, groups)
		unlock()
		if err != nil {
			return nil, err
		}
		if c == nil {
			out := make([]attrs.Item, len(items))
			for i, it := range items {
				out[i] = it.cur
			}
			return out, nil
		}
		contended = c.items
		if err := log.resolve(ctx, c); err != nil {
			return nil, err
		}
	}
	return nil, conflictCanceled(len(items), contended)
}

// getAttempt is one attempt of TransactGet.
func (l *txnLog) getAttempt(ctx context.Context, items []*txItem, groups []*txGroup) (*conflict, error) {
	for _, g := range groups {
		if err := readItems(ctx, l.nc, g.stream, g.items); err != nil {
			return nil, err
		}
	}
	holders, err := l.holders(ctx, items)
	if err != nil {
		return nil, err
	}
	for i, h := range holders {
		if h == nil {
			continue
		}
		rec, _, _, err := l.readCommit(ctx, h.tx)
		if err != nil {
			return nil, err
		}
		if rec != nil && !rec.Aborted {
			return &conflict{items: []int{i}, holder: h}, nil
		}
	}
	c := &conflict{}
	for _, g := range groups {
		gc, err := changedItems(ctx, l.nc, items, g)
		if err != nil {
			return nil, err
		}
		c.items = append(c.items, gc.items...)
	}
	if len(c.items) > 0 {
		return c, nil
	}
	return nil, nil
}

// lockShards is the number of item lock shards of a node.
const lockShards = 1024

// lockTable is a node's item locks: each item maps to one of lockShards
// read-write mutexes. A single-item write holds its item's shard shared for
// its read and compare-and-set; a transaction holds the shards of all its
// items exclusively for each attempt, so that on one node no write
// interleaves with a transaction's window between reading and committing.
type lockTable struct {
	id     uint64
	shards [lockShards]sync.RWMutex // each guards the items that hash to it
}

var lockTables atomic.Uint64

func newLockTable() *lockTable { return &lockTable{id: lockTables.Add(1)} }

// nodeLocks is the lock table of this process.
var nodeLocks = newLockTable()

// lockKey names one shard of one lock table.
type lockKey struct {
	table *lockTable
	shard int
}

// key returns the shard of an item (FNV-1a of stream and subject).
func (l *lockTable) key(stream, subject string) lockKey {
	h := uint32(2166136261)
	for _, s := range [...]string{stream, " ", subject} {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint32(s[i])) * 16777619
		}
	}
	return lockKey{l, int(h % lockShards)}
}

// mutex returns the shard of an item.
func (l *lockTable) mutex(stream, subject string) *sync.RWMutex {
	k := l.key(stream, subject)
	return &l.shards[k.shard]
}

// lockAll locks the shards of keys exclusively, each once, in one global
// order (so that two transactions cannot deadlock), and returns the
// function that unlocks them.
func lockAll(keys []lockKey) func() {
	ks := slices.Clone(keys)
	slices.SortFunc(ks, func(a, b lockKey) int {
		return cmp.Or(cmp.Compare(a.table.id, b.table.id), cmp.Compare(a.shard, b.shard))
	})
	ks = slices.Compact(ks)
	for _, k := range ks {
		k.table.shards[k.shard].Lock()
	}
	return func() {
		for i := len(ks) - 1; i >= 0; i-- {
			ks[i].table.shards[ks[i].shard].Unlock()
		}
	}
}
