// Package index keeps DynamoDB secondary indexes, global (GSI) and local
// (LSI), of the tables package store keeps.
//
// # Layout
//
// An index is its own stream, EDDY_TINDEX_<id>, where <id> joins the
// encoded table and index names (a SHA-256 digest when that would be long).
// Each base item that has every index key attribute, with the declared type
// and not empty, has one entry on subject
//
//	tix.<id>.e.<index hash>.<index range>.<base hash>.<base range>
//
// whose tokens are store.Token encodings of the key values ("-" for a key
// the index or table does not have), so several base items can share an
// index key. Items without the index keys have no entry: indexes are
// sparse. An entry holds the projected item (KEYS_ONLY: the table's and the
// index's keys; INCLUDE: those and NonKeyAttributes; ALL: the whole item)
// in the table's own message format, so store.ReadLast reads a partition
// of the index exactly as Table.Query reads one of the table: a batched
// direct get over tix.<id>.e.<index hash>.>. The stream keeps one message
// per subject; removing an entry purges its subject, so the stream holds
// exactly the current entries.
//
// # Maintenance
//
// One goroutine per open Index reads the table's change records
// (store.Table.Changes) from its checkpoint on and applies them in batches
// of up to 1,024: for each record it removes the entry of the old image and
// writes the entry of the new one; within a batch only the last outcome for
// each entry subject is written. Removals are subject purges, completed
// before the writes are published; the writes are published asynchronously
// and all acknowledged before the checkpoint moves. A new index therefore
// backfills from the change history. Compact never breaks that, since it
// keeps every current version, but it must not remove records an open
// index has not applied yet: Applied says how far an index is.
//
// # Checkpoint
//
// The checkpoint, the last table sequence whose change is reflected, is a
// message on tix.<id>.c in the index's own stream, written after each
// batch. Keeping it with the entries rather than in a KV bucket means one
// store holds both (same replicas, same fate): dropping the stream drops
// the checkpoint, and no checkpoint can survive its entries and make a new
// index with the same name skip the table's history. A stream without a
// checkpoint, or whose checkpoint is past the end of the table (the table
// was created again), is purged when a node takes over its maintenance and
// rebuilt from sequence 1. After a crash
// the changes after the checkpoint are applied again; that is idempotent,
// because applying a change sets the entries it touches to a value that
// depends only on the change, and replaying from an earlier point in order
// ends with every item's entry at its latest version.
//
// # Wake-up and consistency
//
// The goroutine sleeps until a headers-only ordered consumer on the table's
// stream delivers a message (delivered after the message is stored, so the
// following Changes read sees it), a reader asks for a round, or a 5 s
// safety poll fires. Measured with 20 idle indexes: no CPU above the
// engine's own, where a 25 ms poll instead cost 130 ms of CPU per second. Query and Scan first read the table stream's last sequence
// and wait, woken by the goroutine each time it advances, until every
// change up to that sequence is applied: an index read reflects every write
// acknowledged before it began, which is stronger than DynamoDB's
// eventually consistent global indexes.
//
// # Several nodes
//
// Every node that opens an index runs the goroutine, but only the node
// holding the index's lease (KV bucket eddy_index_leases, renewed every 3 s,
// expiring 10 s after the last renewal) writes entries; it checks the lease
// between batches and stops writing the moment a renewal fails. The other
// nodes follow the checkpoint (woken by a subscription on tix.<id>.c) and
// their reads wait for it as above. A node that closes its index gives the
// lease up at once; a node restarted on the same data directory (the same
// engine NodeID) takes back the lease it held before a crash without
// waiting for it to expire.
package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/store"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Projection types, as DynamoDB names them.
const (
	ProjectAll      = "ALL"
	ProjectKeysOnly = "KEYS_ONLY"
	ProjectInclude  = "INCLUDE"
)

// Def describes a secondary index.
type Def struct {
	// Name is the index name.
	Name string
	// HashKey is the index's partition key; RangeKey its sort key, "" for a
	// global index without one.
	HashKey, RangeKey string
	// KeyTypes holds the kind (S, N or B) of the index keys and of the
	// table's keys; the table's are taken from the table when absent.
	KeyTypes map[string]attrs.Kind
	// BaseHashKey and BaseRangeKey are the table's keys; taken from the
	// table when BaseHashKey is "".
	BaseHashKey, BaseRangeKey string
	// Projection is ALL, KEYS_ONLY or INCLUDE.
	Projection string
	// NonKeyAttributes are the top-level attributes an INCLUDE projection
	// copies besides the keys.
	NonKeyAttributes []string
	// Local marks a local secondary index: same partition key as the table,
	// another sort key.
	Local bool
}

// CheckItem returns the ValidationException DynamoDB answers a write of
// item to the table with, because of this index: an index key attribute of
// the wrong type, empty, or over the key size limits. An item without the
// index keys is fine; it is simply not in the index.
func (d Def) CheckItem(item attrs.Item) error {
	for _, name := range []string{d.HashKey, d.RangeKey} {
		if name == "" || name == d.BaseHashKey || name == d.BaseRangeKey {
			continue // the table checks its own keys
		}
		v, ok := item[name]
		if !ok {
			continue
		}
		if want := d.KeyTypes[name]; v.Kind != want {
			return validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", name, want, v.Kind, d.Name)
		}
		switch {
		case v.Kind == attrs.S && v.S == "":
			return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: %s, IndexKey: %s", d.Name, name)
		case v.Kind == attrs.B && len(v.B) == 0:
			return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty binary value. IndexName: %s, IndexKey: %s", d.Name, name)
		}
		size := attrs.ValueSize(v)
		if name == d.HashKey && size > 2048 {
			return validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
		}
		if name == d.RangeKey && size > 1024 {
			return validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
		}
	}
	return nil
}

// check validates d against the table and fills in what it may omit.
func (d Def) check(base store.TableDef) (Def, error) {
	if d.Name == "" || d.HashKey == "" {
		return d, errors.New("index: name and hash key are required")
	}
	if d.BaseHashKey == "" {
		d.BaseHashKey, d.BaseRangeKey = base.HashKey, base.RangeKey
	}
	if d.BaseHashKey != base.HashKey || d.BaseRangeKey != base.RangeKey {
		return d, fmt.Errorf("index %s: base keys %q, %q are not the table's %q, %q", d.Name, d.BaseHashKey, d.BaseRangeKey, base.HashKey, base.RangeKey)
	}
	d.KeyTypes = maps.Clone(d.KeyTypes)
	if d.KeyTypes == nil {
		d.KeyTypes = map[string]attrs.Kind{}
	}
	for _, k := range []string{d.BaseHashKey, d.BaseRangeKey} {
		if k == "" {
			continue
		}
		if _, ok := d.KeyTypes[k]; !ok {
			d.KeyTypes[k] = base.KeyTypes[k]
		}
		if d.KeyTypes[k] != base.KeyTypes[k] {
			return d, fmt.Errorf("index %s: key %q is %s in the table, not %s", d.Name, k, base.KeyTypes[k], d.KeyTypes[k])
		}
	}
	for _, k := range []string{d.HashKey, d.RangeKey} {
		if k == "" {
			continue
		}
		switch d.KeyTypes[k] {
		case attrs.S, attrs.N, attrs.B:
		default:
			return d, fmt.Errorf("index %s: key %q has no valid type", d.Name, k)
		}
	}
	switch d.Projection {
	case ProjectAll, ProjectKeysOnly:
		if len(d.NonKeyAttributes) > 0 {
			return d, fmt.Errorf("index %s: non-key attributes need an INCLUDE projection, not %s", d.Name, d.Projection)
		}
	case ProjectInclude:
	default:
		return d, fmt.Errorf("index %s: unknown projection %q", d.Name, d.Projection)
	}
	d.NonKeyAttributes = slices.Clone(d.NonKeyAttributes)
	if d.Local && (d.HashKey != d.BaseHashKey || d.RangeKey == "" || d.BaseRangeKey == "") {
		return d, fmt.Errorf("index %s: a local index needs the table's partition key and a sort key, on a table with a sort key", d.Name)
	}
	return d, nil
}

// Index is an open secondary index.
type Index struct {
	def    Def
	table  string
	e      *engine.Engine
	base   *store.Table
	log    *slog.Logger
	name   string   // stream name
	prefix string   // "tix.<id>."
	keys   []string // the distinct index and table key names
	stream jetstream.Stream

	wake       chan struct{} // capacity 1: asks the goroutine for a round
	cancel     context.CancelFunc
	done       chan struct{} // closed when the goroutine returns
	cc         jetstream.ConsumeContext
	backfilled atomic.Bool
	closeOnce  sync.Once

	// Only the node holding the index's lease maintains it; the others
	// follow its checkpoint. The lease fields are the goroutine's own.
	leases   jetstream.KeyValue
	leaseKey string
	node     string
	leaseRev uint64    // 0 while not holding the lease
	renewed  time.Time // when the lease was last taken or renewed
	ckptSub  *nats.Subscription

	mu       sync.Mutex    // guards pos, advanced and closed
	pos      uint64        // every change up to pos is reflected
	advanced chan struct{} // closed and replaced whenever pos moves or the index closes
	closed   bool
}

// leaseBucket records which node maintains each index; an entry expires
// leaseTTL after its last renewal, every renewEvery.
const (
	leaseBucket = "eddy_index_leases"
	leaseTTL    = 10 * time.Second
	renewEvery  = 3 * time.Second
)

// changeBatch is the number of change records applied per checkpoint.
const changeBatch = 1024

// safetyPoll bounds how long the goroutine sleeps without a wake-up.
const safetyPoll = 5 * time.Second

// defaultWait bounds a read's wait for the index to catch up when its
// context has no deadline.
const defaultWait = 30 * time.Second

// maxToken is the longest subject token an entry uses; longer values are
// written as a digest, so the four key tokens of a subject stay well under
// the 4 KiB NATS control line.
const maxToken = 240

// indexID returns the subject token and stream-name suffix of an index.
func indexID(table, index string) string {
	id := engine.EncodeKey(table) + "_" + engine.EncodeKey(index)
	if len(id) > 200 {
		sum := sha256.Sum256([]byte(table + "\x00" + index))
		id = "x" + hex.EncodeToString(sum[:])
	}
	return id
}

// StreamName returns the name of the stream that holds index of table.
func StreamName(table, index string) string { return "EDDY_TINDEX_" + indexID(table, index) }

// Open opens the index def describes on base, the table named tableName,
// creating its stream if needed, and starts maintaining it. Close stops it.
func Open(ctx context.Context, e *engine.Engine, base *store.Table, tableName string, def Def, logger *slog.Logger) (*Index, error) {
	if base.Def().Name != tableName {
		return nil, fmt.Errorf("index: table %q is not %q", base.Def().Name, tableName)
	}
	def, err := def.check(base.Def())
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	id := indexID(tableName, def.Name)
	x := &Index{
		def: def, table: tableName, e: e, base: base,
		log:      logger.With("table", tableName, "index", def.Name),
		name:     StreamName(tableName, def.Name),
		prefix:   "tix." + id + ".",
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		advanced: make(chan struct{}),
	}
	for _, k := range []string{def.HashKey, def.RangeKey, def.BaseHashKey, def.BaseRangeKey} {
		if k != "" && !slices.Contains(x.keys, k) {
			x.keys = append(x.keys, k)
		}
	}
	x.stream, err = e.Stream(ctx, jetstream.StreamConfig{
		Name:              x.name,
		Subjects:          []string{x.prefix + ">"},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		MaxMsgsPerSubject: 1,
		AllowDirect:       true,
		Discard:           jetstream.DiscardOld,
	})
	if err != nil {
		return nil, fmt.Errorf("index %s: open: %w", def.Name, err)
	}
	pos, ok, err := x.readCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	if last, err := base.LastSeq(ctx); err != nil {
		return nil, err
	} else if ok && pos <= last {
		x.pos = pos // the maintaining node checks it again when it takes over
	}
	x.leases, err = e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: leaseBucket, TTL: leaseTTL, Storage: jetstream.FileStorage})
	if err != nil {
		return nil, fmt.Errorf("index %s: leases: %w", def.Name, err)
	}
	x.leaseKey, x.node = id, e.NodeID()
	// Followers learn of progress when the checkpoint is written.
	x.ckptSub, err = e.Conn.Subscribe(x.prefix+"c", func(*nats.Msg) { x.nudge() })
	if err != nil {
		return nil, fmt.Errorf("index %s: watch checkpoint: %w", def.Name, err)
	}
	c, err := e.JS.OrderedConsumer(ctx, store.StreamName(tableName), jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverNewPolicy,
		HeadersOnly:   true,
	})
	if err != nil {
		return nil, fmt.Errorf("index %s: watch table: %w", def.Name, err)
	}
	x.cc, err = c.Consume(func(jetstream.Msg) { x.nudge() })
	if err != nil {
		return nil, fmt.Errorf("index %s: watch table: %w", def.Name, err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	x.cancel = cancel
	go x.run(runCtx)
	return x, nil
}

// Def returns the index definition, with the table's keys filled in.
func (x *Index) Def() Def { return x.def }

// Backfilled reports whether the index has caught up with the table at
// least once since Open; until then DescribeTable shows it CREATING.
func (x *Index) Backfilled() bool { return x.backfilled.Load() }

// Applied returns the table sequence up to which every change is reflected
// in the index. Compact must not remove change records after it.
func (x *Index) Applied() uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.pos
}

// Close stops maintaining the index and waits for its goroutine. Safe twice.
func (x *Index) Close() error {
	x.closeOnce.Do(func() {
		if x.ckptSub != nil {
			_ = x.ckptSub.Unsubscribe()
		}
		x.cc.Stop()
		<-x.cc.Closed()
		x.cancel()
		<-x.done
		x.mu.Lock()
		x.closed = true
		close(x.advanced)
		x.advanced = make(chan struct{})
		x.mu.Unlock()
	})
	return nil
}

// Drop closes the index and deletes its stream: entries and checkpoint.
func (x *Index) Drop(ctx context.Context) error {
	_ = x.Close()
	if err := x.e.JS.DeleteStream(ctx, x.name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("index %s: drop: %w", x.def.Name, err)
	}
	return nil
}

func validation(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationException", format, args...)
}

// nudge asks the goroutine for a round without blocking.
func (x *Index) nudge() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// advance records that every change up to seq is reflected.
func (x *Index) advance(seq uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if seq > x.pos {
		x.pos = seq
		close(x.advanced)
		x.advanced = make(chan struct{})
	}
}

func (x *Index) readCheckpoint(ctx context.Context) (uint64, bool, error) {
	m, err := x.stream.GetLastMsgForSubject(ctx, x.prefix+"c")
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("index %s: read checkpoint: %w", x.def.Name, err)
	}
	seq, err := strconv.ParseUint(string(m.Data), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("index %s: bad checkpoint %q", x.def.Name, m.Data)
	}
	return seq, true, nil
}

// run is the maintenance goroutine.
func (x *Index) run(ctx context.Context) {
	defer close(x.done)
	poll := time.NewTicker(safetyPoll)
	defer poll.Stop()
	renew := time.NewTicker(renewEvery)
	defer renew.Stop()
	defer x.release()
	failures := 0
	for {
		err := x.round(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			d := min(50*time.Millisecond<<min(failures, 7), 5*time.Second)
			x.log.Warn("index maintenance failed", "error", err, "retry_in", d)
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			continue
		}
		failures = 0
		select {
		case <-ctx.Done():
			return
		case <-x.wake:
		case <-poll.C:
		case <-renew.C:
		}
	}
}

// round maintains the index if this node holds (or can take) its lease,
// and otherwise follows the maintaining node's checkpoint.
func (x *Index) round(ctx context.Context) error {
	lead, fresh, err := x.lead(ctx)
	if err != nil {
		return err
	}
	if !lead {
		return x.follow(ctx)
	}
	if fresh {
		if err := x.takeOver(ctx); err != nil {
			x.release()
			return err
		}
	}
	return x.catchUp(ctx)
}

// lead takes or renews the lease; fresh reports a lease just taken.
func (x *Index) lead(ctx context.Context) (lead, fresh bool, err error) {
	if x.leaseRev != 0 {
		if time.Since(x.renewed) < renewEvery {
			return true, false, nil
		}
		rev, err := x.leases.Update(ctx, x.leaseKey, []byte(x.node), x.leaseRev)
		if err != nil {
			// Lost (or unknown): stop writing at once; the next round
			// tries to take it again.
			x.leaseRev = 0
			x.log.Warn("index lease lost", "error", err)
			return false, false, nil
		}
		x.leaseRev, x.renewed = rev, time.Now()
		return true, false, nil
	}
	rev, err := x.leases.Create(ctx, x.leaseKey, []byte(x.node))
	if errors.Is(err, jetstream.ErrKeyExists) {
		// Held: by this node before a restart, or by another.
		ent, gerr := x.leases.Get(ctx, x.leaseKey)
		if gerr != nil || string(ent.Value()) != x.node {
			return false, false, nil
		}
		rev, err = x.leases.Update(ctx, x.leaseKey, []byte(x.node), ent.Revision())
		if err != nil {
			return false, false, nil
		}
	} else if err != nil {
		return false, false, err
	}
	x.leaseRev, x.renewed = rev, time.Now()
	return true, true, nil
}

// release gives the lease up, so that another node takes over at once.
func (x *Index) release() {
	if x.leaseRev == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = x.leases.Delete(ctx, x.leaseKey, jetstream.LastRevision(x.leaseRev))
	x.leaseRev = 0
}

// takeOver starts maintaining from the stored checkpoint. Entries without
// a checkpoint are from a first run that stopped early, and a checkpoint
// past the end of the table is of a table dropped and created again:
// either way the index is built again from nothing.
func (x *Index) takeOver(ctx context.Context) error {
	pos, ok, err := x.readCheckpoint(ctx)
	if err != nil {
		return err
	}
	last, err := x.base.LastSeq(ctx)
	if err != nil {
		return err
	}
	if ok && pos > last {
		x.log.Warn("index checkpoint past the end of its table; rebuilding", "checkpoint", pos, "table_seq", last)
		ok = false
	}
	if !ok {
		if err := x.stream.Purge(ctx, jetstream.WithPurgeSubject(x.prefix+"e.>")); err != nil {
			return fmt.Errorf("index %s: reset: %w", x.def.Name, err)
		}
		pos = 0
	}
	x.mu.Lock()
	x.pos = pos
	x.mu.Unlock()
	return nil
}

// follow moves this node's view of the index to the maintaining node's
// checkpoint.
func (x *Index) follow(ctx context.Context) error {
	pos, ok, err := x.readCheckpoint(ctx)
	if err != nil || !ok {
		return err
	}
	last, err := x.base.LastSeq(ctx)
	if err != nil {
		return err
	}
	if pos > last {
		return nil // of a former table; the maintaining node rebuilds it
	}
	x.advance(pos)
	if pos >= last {
		x.backfilled.Store(true)
	}
	return nil
}

// catchUp applies every change the table has stored.
func (x *Index) catchUp(ctx context.Context) error {
	last, err := x.base.LastSeq(ctx)
	if err != nil {
		return err
	}
	for x.Applied() < last {
		if lead, _, err := x.lead(ctx); err != nil || !lead {
			return err // another node maintains the index now
		}
		cs, err := x.base.Changes(ctx, x.Applied()+1, changeBatch)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			break // the rest up to last was compacted away
		}
		if err := x.apply(ctx, cs); err != nil {
			return err
		}
		x.advance(cs[len(cs)-1].Seq)
	}
	x.advance(last)
	if !x.backfilled.Swap(true) {
		x.log.Debug("index backfilled", "seq", last)
	}
	return nil
}

// apply reflects a batch of changes in the index and moves the checkpoint
// past them.
func (x *Index) apply(ctx context.Context, cs []store.Change) error {
	type outcome struct {
		item attrs.Item // nil to remove
		ts   time.Time
	}
	final := map[string]outcome{}
	for _, c := range cs {
		if subject, ok := x.subjectOf(c.Old); ok {
			final[subject] = outcome{}
		}
		if subject, ok := x.subjectOf(c.New); ok {
			final[subject] = outcome{x.project(c.New), c.Time}
		}
	}
	for subject, o := range final {
		if o.item != nil {
			continue
		}
		if err := x.stream.Purge(ctx, jetstream.WithPurgeSubject(subject)); err != nil {
			return fmt.Errorf("index %s: remove entry: %w", x.def.Name, err)
		}
	}
	var acks []jetstream.PubAckFuture
	for subject, o := range final {
		if o.item == nil {
			continue
		}
		data, err := store.EncodeEntry(o.item, o.ts)
		if err != nil {
			return err
		}
		f, err := x.e.JS.PublishAsync(subject, data, jetstream.WithExpectStream(x.name))
		if err != nil {
			return fmt.Errorf("index %s: write entry: %w", x.def.Name, err)
		}
		acks = append(acks, f)
	}
	for _, f := range acks {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("index %s: write entry: %w", x.def.Name, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	seq := strconv.FormatUint(cs[len(cs)-1].Seq, 10)
	if _, err := x.e.JS.Publish(ctx, x.prefix+"c", []byte(seq), jetstream.WithExpectStream(x.name)); err != nil {
		return fmt.Errorf("index %s: write checkpoint: %w", x.def.Name, err)
	}
	return nil
}

// token returns the subject token of a key value.
func token(v attrs.Value) string {
	sk := attrs.SortKey(v)
	t := store.Token(sk)
	if len(t) > maxToken {
		sum := sha256.Sum256(sk)
		t = "x" + hex.EncodeToString(sum[:])
	}
	return t
}

// keyToken returns the token of key attribute name of item, and false if
// the item has no usable value for it.
func (x *Index) keyToken(item attrs.Item, name string) (string, bool) {
	if name == "" {
		return "-", true
	}
	v, ok := item[name]
	if !ok || v.Kind != x.def.KeyTypes[name] || (v.Kind == attrs.S && v.S == "") || (v.Kind == attrs.B && len(v.B) == 0) {
		return "", false
	}
	return token(v), true
}

// subjectOf returns the entry subject of item, and false if item (nil
// included) is not in the index.
func (x *Index) subjectOf(item attrs.Item) (string, bool) {
	if item == nil {
		return "", false
	}
	subject := x.prefix + "e"
	for _, k := range []string{x.def.HashKey, x.def.RangeKey, x.def.BaseHashKey, x.def.BaseRangeKey} {
		t, ok := x.keyToken(item, k)
		if !ok {
			return "", false
		}
		subject += "." + t
	}
	return subject, true
}

// project returns the entry of item.
func (x *Index) project(item attrs.Item) attrs.Item {
	if x.def.Projection == ProjectAll {
		return item
	}
	out := x.key(item)
	for _, a := range x.def.NonKeyAttributes {
		if v, ok := item[a]; ok {
			out[a] = v
		}
	}
	return out
}

// key returns the index and table key attributes of an entry: the
// LastEvaluatedKey of a read that stops after it.
func (x *Index) key(item attrs.Item) attrs.Item {
	out := make(attrs.Item, len(x.keys))
	for _, k := range x.keys {
		out[k] = item[k]
	}
	return out
}
