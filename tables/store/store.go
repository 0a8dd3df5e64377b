// Package store keeps one DynamoDB table's items in a JetStream stream.
//
// Each table is one stream, EDDY_TABLE_<id>, with subjects
// tbl.<id>.<hash>.<range>: one subject per item, where <hash> and <range>
// are base32hex (lower case, no padding) encodings of the key values'
// attrs.SortKey bytes, "-" for a table without a sort key, and "x" plus a
// SHA-256 hex digest for a key whose encoding would be over maxToken
// characters (NATS control lines are limited to 4 KiB). base32hex keeps byte
// order, but Query and Scan do not rely on it: Query sorts by the range
// key's SortKey bytes taken from the items themselves.
//
// A write publishes one message that is both the item's new version and its
// change record, {"new": item|null, "old": item|null, "ts": unix ms}, with
// Nats-Expected-Last-Subject-Sequence set to the sequence of the version it
// replaces (0 for none). That header is the compare-and-set: a write that
// loses a race re-reads the item, re-evaluates its condition and tries again.
//
// Retention: the stream has no MaxAge and no per-subject limit, so the
// current version of an item never expires and every superseded version
// stays readable by Changes. Compact removes superseded versions (and
// delete markers) older than a cut-off with per-subject purges; the caller
// decides when (for DynamoDB Streams semantics: once they are 24 hours old).
//
// # Transactions
//
// Transact writes up to 100 items all-or-nothing; every version it writes
// is an ordinary version and change record (plus an Eddy-Txn header that
// readers ignore), so Get, Query, Scan, Changes and the compare-and-set of
// single-item writes see nothing special, and each change appears once.
//
// Writes to one table are one JetStream atomic batch (AllowAtomicPublish):
// each version carries its compare-and-set, and each item only checked (a
// condition check, a delete of an absent item) adds a marker on txm.<id>,
// outside the item subjects and expiring after a second, whose
// Nats-Expected-Last-Subject-Sequence-Subject names that item. The server
// checks every expectation before storing anything and stores all or none,
// so such a transaction is serializable with every other write, from any
// node.
//
// Writes to several tables cannot be one batch. They go through the
// EDDY_TXN stream: the transaction locks its items there
// (txn.lock.<subject>, created by compare-and-set), reads and decides,
// writes a commit record holding every new item (txn.commit.<id>), applies
// one atomic batch per table, then deletes locks and record. What holds:
//
//   - All or nothing, across crashes: once the record is written the
//     transaction is committed and is finished by its owner, or, once the
//     record is two seconds old (until then the owner is taken to be
//     applying it), by Open or Recover on any node or by the next
//     transaction or TransactGet that meets one of its locks. Locks left by
//     a node that died before its
//     record are cleared, and the transaction aborted, by the next
//     transaction needing them once they are older than lockLease (10 s);
//     an abort record makes sure the owner can no longer commit.
//   - Serializable with every transaction over several tables and every
//     TransactGet, on any node, and with single-item writes and one-table
//     transactions on the same node: each node keeps 1,024 lock shards; a
//     single-item write holds its item's shard shared for its read and
//     compare-and-set, a transaction holds its items' shards exclusively
//     for each attempt.
//   - Not isolated from single-item writes made on another node to its
//     items between its read and its last batch (a few milliseconds), nor
//     from another node's one-table transaction that passed its lock check
//     just before the locks were taken. Such a write is detected (the
//     batch's compare-and-set fails) but a committed transaction cannot be
//     undone: its write is recomputed over that version and applied on top,
//     without its condition (the update expression applied again by the
//     owner; the item the owner computed, by recovery, which loses the
//     other write), and its checks of such items are dropped. Both versions
//     appear in Changes. Items written only through transactions over
//     several tables, or only from one node, are not exposed.
//   - The commit record must fit one message (the server's max payload,
//     less 1 KiB; 8 MiB embedded), or the transaction is refused. A commit
//     record left pending for longer than Compact's cut-off could be
//     applied twice, as the versions that show it applied may be gone.
//
// TransactGet reads a consistent snapshot: it reads every item, checks that
// no committed transaction is half applied to them, and reads the versions
// again.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/nats-io/nats.go/jetstream"
)

// TableDef is the key schema of a table.
type TableDef struct {
	Name     string
	HashKey  string
	RangeKey string // "" for a table without a sort key
	// KeyTypes holds the kind (S, N or B) of HashKey and RangeKey.
	KeyTypes map[string]attrs.Kind
}

// Table is an open table.
type Table struct {
	def    TableDef
	e      *engine.Engine
	id     string
	name   string // stream name
	stream jetstream.Stream
	log    *txnLog    // the engine's EDDY_TXN stream
	locks  *lockTable // this node's item lock shards
	check  atomic.Pointer[func(attrs.Item) error]
}

// SetItemCheck makes every write validate the item it is about to store
// (for example against secondary index key types) with check; an error
// fails the write. It may be replaced at any time.
func (t *Table) SetItemCheck(check func(attrs.Item) error) {
	if check == nil {
		t.check.Store(nil)
		return
	}
	t.check.Store(&check)
}

// maxToken is the longest subject token written as an encoding; longer key
// values are written as a digest.
const maxToken = 1024

// maxAttempts bounds the compare-and-set retries of one write.
const maxAttempts = 1000

var tokenEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// token returns the subject token for b: order-preserving base32hex, or a
// digest for long values. base32hex never writes 'x', so the two cannot
// collide.
func token(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	if tokenEncoding.EncodedLen(len(b)) > maxToken {
		sum := sha256.Sum256(b)
		return "x" + hex.EncodeToString(sum[:])
	}
	return strings.ToLower(tokenEncoding.EncodeToString(b))
}

// tableID returns the subject token and stream-name suffix for a table.
func tableID(name string) string {
	id := engine.EncodeKey(name)
	if len(id) > 200 {
		sum := sha256.Sum256([]byte(name))
		id = "x" + hex.EncodeToString(sum[:])
	}
	return id
}

// StreamName returns the name of the stream that holds table name.
func StreamName(name string) string { return "EDDY_TABLE_" + tableID(name) }

// Open returns the table def describes, creating its stream if needed.
func Open(ctx context.Context, e *engine.Engine, def TableDef) (*Table, error) {
	if def.Name == "" || def.HashKey == "" {
		return nil, errors.New("store: table name and hash key are required")
	}
	for _, k := range []string{def.HashKey, def.RangeKey} {
		if k == "" {
			continue
		}
		switch def.KeyTypes[k] {
		case attrs.S, attrs.N, attrs.B:
		default:
			return nil, fmt.Errorf("store: key %q has no valid type", k)
		}
	}
	def.KeyTypes = maps.Clone(def.KeyTypes)
	t := &Table{def: def, e: e, id: tableID(def.Name), name: StreamName(def.Name), locks: nodeLocks}
	s, err := e.Stream(ctx, jetstream.StreamConfig{
		Name:              t.name,
		Subjects:          []string{"tbl." + t.id + ".>", markerPrefix + t.id},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		MaxMsgsPerSubject: -1,
		MaxAge:            0, // current items must never expire; see Compact
		AllowDirect:       true,
		Discard:           jetstream.DiscardNew,
		// Transactions: one atomic batch per table, and condition-check
		// markers that expire on their own (see txn.go).
		AllowAtomicPublish: true,
		AllowMsgTTL:        true,
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", def.Name, err)
	}
	t.stream = s
	// Finish any transaction a crashed node committed but did not apply.
	if t.log, err = openTxnLog(ctx, e); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", def.Name, err)
	}
	if err := t.log.recover(ctx); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", def.Name, err)
	}
	return t, nil
}

// Def returns the table's key schema.
func (t *Table) Def() TableDef { return t.def }

// Drop deletes the table's stream and every item and change in it.
func (t *Table) Drop(ctx context.Context) error {
	if err := t.e.JS.DeleteStream(ctx, t.name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("store: drop %s: %w", t.def.Name, err)
	}
	return nil
}

// ConditionFailed is the error of a write whose condition did not hold. It
// unwraps to an eddy ConditionalCheckFailedException; Old is the item as it
// was (nil if absent), for ReturnValuesOnConditionCheckFailure.
type ConditionFailed struct {
	Old attrs.Item
}

// Error implements error.
func (e *ConditionFailed) Error() string { return e.Unwrap().Error() }

// Unwrap returns the eddy error.
func (e *ConditionFailed) Unwrap() error {
	return eddy.TypedErrorf(eddy.EPRECOND, "ConditionalCheckFailedException", "The conditional request failed")
}

func validation(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationException", format, args...)
}

// keyPart checks one key attribute of item and returns its SortKey bytes.
func (t *Table) keyPart(item attrs.Item, name string, missing string) ([]byte, error) {
	v, ok := item[name]
	if !ok {
		return nil, validation(missing, name)
	}
	want := t.def.KeyTypes[name]
	if v.Kind != want {
		return nil, validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", name, want, v.Kind)
	}
	switch {
	case v.Kind == attrs.S && v.S == "":
		return nil, validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", name)
	case v.Kind == attrs.B && len(v.B) == 0:
		return nil, validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", name)
	}
	size := attrs.ValueSize(v)
	if name == t.def.HashKey && size > 2048 {
		return nil, validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if name == t.def.RangeKey && size > 1024 {
		return nil, validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return attrs.SortKey(v), nil
}

// subjectOf checks the key attributes of item and returns its subject.
// strict (for Get, Delete and Update keys) also rejects other attributes.
func (t *Table) subjectOf(item attrs.Item, strict bool) (string, error) {
	missing := "One or more parameter values were invalid: Missing the key %s in the item"
	if strict {
		n := 1
		if t.def.RangeKey != "" {
			n = 2
		}
		_, okH := item[t.def.HashKey]
		_, okR := item[t.def.RangeKey]
		if len(item) != n || !okH || (t.def.RangeKey != "" && !okR) {
			return "", validation("The provided key element does not match the schema")
		}
	}
	h, err := t.keyPart(item, t.def.HashKey, missing)
	if err != nil {
		return "", err
	}
	r := "-"
	if t.def.RangeKey != "" {
		b, err := t.keyPart(item, t.def.RangeKey, missing)
		if err != nil {
			return "", err
		}
		r = token(b)
	}
	return "tbl." + t.id + "." + token(h) + "." + r, nil
}

// Key returns the key attributes of item.
func (t *Table) Key(item attrs.Item) attrs.Item {
	if item == nil {
		return nil
	}
	k := attrs.Item{t.def.HashKey: item[t.def.HashKey]}
	if t.def.RangeKey != "" {
		k[t.def.RangeKey] = item[t.def.RangeKey]
	}
	return k
}

// record is the payload of every message: the item version and its change.
type record struct {
	New json.RawMessage `json:"new"`
	Old json.RawMessage `json:"old"`
	TS  int64           `json:"ts"`           // unix milliseconds
	By  string          `json:"by,omitempty"` // the service that made the change, "" for a client
}

func decodeItem(raw json.RawMessage) (attrs.Item, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	return attrs.DecodeItem(raw)
}

// version is one decoded message.
type version struct {
	seq     uint64
	subject string
	time    time.Time
	new     attrs.Item
	oldRaw  json.RawMessage // decoded only by the readers of changes
	by      string
}

// old decodes the item the version replaced.
func (v version) old() (attrs.Item, error) {
	it, err := decodeItem(v.oldRaw)
	if err != nil {
		return nil, fmt.Errorf("store: decode %s#%d: %w", v.subject, v.seq, err)
	}
	return it, nil
}

func decodeVersion(seq uint64, subject string, ts time.Time, data []byte) (version, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return version{}, fmt.Errorf("store: decode %s#%d: %w", subject, seq, err)
	}
	n, err := decodeItem(r.New)
	if err != nil {
		return version{}, fmt.Errorf("store: decode %s#%d: %w", subject, seq, err)
	}
	if r.TS != 0 {
		ts = time.UnixMilli(r.TS)
	}
	return version{seq: seq, subject: subject, time: ts, new: n, oldRaw: r.Old, by: r.By}, nil
}

// current returns the current item on subject (nil if absent or deleted)
// and the sequence of its latest version (0 if none).
func (t *Table) current(ctx context.Context, subject string) (attrs.Item, uint64, error) {
	m, err := t.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: get: %w", err)
	}
	v, err := decodeVersion(m.Sequence, m.Subject, m.Time, m.Data)
	if err != nil {
		return nil, 0, err
	}
	return v.new, m.Sequence, nil
}

// Get returns the item with key, or nil if there is none.
func (t *Table) Get(ctx context.Context, key attrs.Item) (attrs.Item, error) {
	subject, err := t.subjectOf(key, true)
	if err != nil {
		return nil, err
	}
	it, _, err := t.current(ctx, subject)
	return it, err
}

// errConflict reports that the compare-and-set failed.
var errConflict = errors.New("store: concurrent write")

// write runs the read, decide, compare-and-set loop for one item. next
// returns the new item (nil to delete) from the current one (nil if absent).
//
// Each attempt holds the item's lock shard shared, so that a transaction on
// this node, which holds it exclusively, is never interleaved with it.
func (t *Table) write(ctx context.Context, subject string, cond *expression.Condition, next func(old attrs.Item) (attrs.Item, error)) (old, nw attrs.Item, err error) {
	return t.writeBy(ctx, subject, cond, next, "")
}

// writeBy is write for a change made by service (recorded in the change
// record; "" for a client's).
func (t *Table) writeBy(ctx context.Context, subject string, cond *expression.Condition, next func(old attrs.Item) (attrs.Item, error), service string) (old, nw attrs.Item, err error) {
	mu := t.locks.mutex(t.name, subject)
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 4 {
			// Back off a little under heavy contention.
			d := time.Duration(rand.IntN(attempt*50)) * time.Microsecond
			select {
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			case <-time.After(d):
			}
		}
		mu.RLock()
		old, nw, err = t.writeOnce(ctx, subject, cond, next, service)
		mu.RUnlock()
		if !errors.Is(err, errConflict) {
			return old, nw, err
		}
	}
	return nil, nil, eddy.TypedErrorf(eddy.ECONFLICT, "TransactionConflictException", "Transaction request cannot include multiple operations on one item")
}

// writeOnce is one attempt of write; errConflict means try again.
func (t *Table) writeOnce(ctx context.Context, subject string, cond *expression.Condition, next func(old attrs.Item) (attrs.Item, error), service string) (old, nw attrs.Item, err error) {
	cur, seq, err := t.current(ctx, subject)
	if err != nil {
		return nil, nil, err
	}
	if cond != nil {
		ok, err := cond.Eval(cur)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return cur, nil, &ConditionFailed{Old: cur}
		}
	}
	n, err := next(cur)
	if err != nil {
		return nil, nil, err
	}
	if check := t.check.Load(); n != nil && check != nil {
		if err := (*check)(n); err != nil {
			return nil, nil, err
		}
	}
	if n == nil && cur == nil {
		// Deleting an absent item writes nothing.
		return nil, nil, nil
	}
	if err := t.publish(ctx, subject, seq, cur, n, service); err != nil {
		return nil, nil, err
	}
	return cur, n, nil
}

// encodeRecord returns the payload of a version: the record written now.
func encodeRecord(old, nw attrs.Item, service string) ([]byte, error) {
	var r struct {
		New attrs.Item `json:"new"`
		Old attrs.Item `json:"old"`
		TS  int64      `json:"ts"`
		By  string     `json:"by,omitempty"`
	}
	r.New, r.Old, r.TS, r.By = nw, old, time.Now().UnixMilli(), service
	data, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("store: encode: %w", err)
	}
	return data, nil
}

func (t *Table) publish(ctx context.Context, subject string, expect uint64, old, nw attrs.Item, service string) error {
	data, err := encodeRecord(old, nw, service)
	if err != nil {
		return err
	}
	_, err = t.e.JS.Publish(ctx, subject, data, jetstream.WithExpectLastSequencePerSubject(expect), jetstream.WithExpectStream(t.name))
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return errConflict
	}
	if err != nil {
		return fmt.Errorf("store: publish: %w", err)
	}
	return nil
}

// Put writes item if cond (nil for none) holds for the current item, and
// returns the item it replaced (nil if none). A false condition returns a
// *ConditionFailed.
func (t *Table) Put(ctx context.Context, item attrs.Item, cond *expression.Condition) (attrs.Item, error) {
	subject, err := t.subjectOf(item, false)
	if err != nil {
		return nil, err
	}
	if attrs.Size(item) > attrs.MaxItemSize {
		return nil, validation("Item size has exceeded the maximum allowed size")
	}
	item = maps.Clone(item)
	old, _, err := t.write(ctx, subject, cond, func(attrs.Item) (attrs.Item, error) { return item, nil })
	return old, err
}

// Delete deletes the item with key if cond (nil for none) holds, and
// returns the deleted item (nil if there was none).
func (t *Table) Delete(ctx context.Context, key attrs.Item, cond *expression.Condition) (attrs.Item, error) {
	subject, err := t.subjectOf(key, true)
	if err != nil {
		return nil, err
	}
	old, _, err := t.write(ctx, subject, cond, func(attrs.Item) (attrs.Item, error) { return nil, nil })
	return old, err
}

// Expire deletes the item with key on behalf of the service (DynamoDB's
// time to live) if cond holds; its change record names the service.
func (t *Table) Expire(ctx context.Context, key attrs.Item, cond *expression.Condition, service string) (attrs.Item, error) {
	subject, err := t.subjectOf(key, true)
	if err != nil {
		return nil, err
	}
	old, _, err := t.writeBy(ctx, subject, cond, func(attrs.Item) (attrs.Item, error) { return nil, nil }, service)
	return old, err
}

// Update applies upd to the item with key if cond (nil for none) holds.
// As in DynamoDB it creates the item, starting from the key attributes, if
// there is none. It returns the item before (nil if none) and after.
func (t *Table) Update(ctx context.Context, key attrs.Item, upd *expression.Update, cond *expression.Condition) (old, nw attrs.Item, err error) {
	subject, err := t.subjectOf(key, true)
	if err != nil {
		return nil, nil, err
	}
	if upd != nil {
		for _, name := range upd.TopLevel() {
			if name == t.def.HashKey || (t.def.RangeKey != "" && name == t.def.RangeKey) {
				return nil, nil, validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", name)
			}
		}
	}
	return t.write(ctx, subject, cond, func(cur attrs.Item) (attrs.Item, error) {
		start := cur
		if start == nil {
			start = maps.Clone(key)
		}
		if upd == nil {
			return maps.Clone(start), nil
		}
		n, err := upd.Apply(start)
		if err != nil {
			return nil, err
		}
		if attrs.Size(n) > attrs.MaxItemSize {
			return nil, validation("Item size to update has exceeded the maximum allowed size")
		}
		return n, nil
	})
}

// parseUint parses a header value, 0 if absent or invalid.
func parseUint(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}
