// Package tables is eddy's DynamoDB: the table catalog (CreateTable,
// DescribeTable, UpdateTable, TTL, tags), the item operations with
// DynamoDB's validation and ReturnValues, Query and Scan over tables and
// secondary indexes, batches and transactions, and the tables' change
// streams as DynamoDB Streams presents them.
//
// Table definitions live in the JetStream key-value bucket eddy_tables,
// cached in memory and kept current by a watch so that every node sees
// every table. Each table's items and changes live in its own stream (see
// tables/store); each secondary index in another, maintained from the
// table's changes (see tables/index).
//
// The request and result types are DynamoDB's wire shapes (types.go): the
// edge decodes a request straight into them. The package's vocabulary is
// therefore DynamoDB's own; eddy's root package has no table types because
// an item (tables/attrs) is not vocabulary any other capability shares.
package tables

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/store"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	metaBucket  = "eddy_tables"
	tokenBucket = "eddy_table_tokens"
)

// Config configures the service. NewService fills in defaults.
type Config struct {
	Engine  *engine.Engine
	Account string
	Region  string
	Logger  *slog.Logger
	// TTLInterval is how often expired items are looked for (default 30 s;
	// DynamoDB itself takes up to a few days).
	TTLInterval time.Duration
	// CompactInterval is how often change records older than StreamRetention
	// are removed (default 10 min); StreamRetention defaults to 24 hours.
	CompactInterval time.Duration
	StreamRetention time.Duration
	// Now returns the time (default time.Now).
	Now func() time.Time
}

// Service is eddy's DynamoDB.
type Service struct {
	cfg    Config
	kv     jetstream.KeyValue
	tokens jetstream.KeyValue

	mu    sync.Mutex           // guards metas and open
	metas map[string]*meta     // table definitions by name, from the watch
	open  map[string]*opened   // open tables by name
	stats map[string]statsMemo // by table id

	stop context.CancelFunc
	wg   sync.WaitGroup
}

// opened is a table whose streams are open on this node.
type opened struct {
	id      string // the meta's TableId, to notice a table recreated
	store   *store.Table
	indexes map[string]indexReader
}

type statsMemo struct {
	at   time.Time
	took time.Duration
	tableStats
}

// NewService returns the service; call Open before use.
func NewService(cfg Config) *Service {
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.TTLInterval <= 0 {
		cfg.TTLInterval = 30 * time.Second
	}
	if cfg.CompactInterval <= 0 {
		cfg.CompactInterval = 10 * time.Minute
	}
	if cfg.StreamRetention <= 0 {
		cfg.StreamRetention = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, metas: map[string]*meta{}, open: map[string]*opened{}, stats: map[string]statsMemo{}}
}

// Open creates the buckets, loads the catalog and starts the watch and the
// background jobs (expiry and compaction).
func (s *Service) Open(ctx context.Context) error {
	e := s.cfg.Engine
	kv, err := e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: metaBucket, History: 1, Storage: jetstream.FileStorage})
	if err != nil {
		return err
	}
	tokens, err := e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: tokenBucket, History: 1, Storage: jetstream.FileStorage, TTL: tokenTTL})
	if err != nil {
		return err
	}
	s.kv, s.tokens = kv, tokens
	wctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	if err := engine.WatchAll(wctx, kv, &s.wg, s.apply); err != nil {
		return fmt.Errorf("tables: %w", err)
	}
	// Finish (or abort) transactions a crash left half done.
	if err := store.Recover(ctx, e); err != nil {
		return fmt.Errorf("tables: recover transactions: %w", err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.background(wctx)
	}()
	return nil
}

// Close stops the watch and the background jobs and closes the indexes.
// Safe twice.
func (s *Service) Close() error {
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for name, o := range s.open {
		errs = append(errs, closeIndexes(o))
		delete(s.open, name)
	}
	return errors.Join(errs...)
}

func closeIndexes(o *opened) error {
	var errs []error
	for _, ix := range o.indexes {
		errs = append(errs, ix.Close())
	}
	return errors.Join(errs...)
}

// apply brings the cache up to date with one bucket entry.
func (s *Service) apply(ent jetstream.KeyValueEntry) {
	name, ok := engine.DecodeKey(ent.Key())
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ent.Operation() != jetstream.KeyValuePut {
		delete(s.metas, name)
		return
	}
	m := &meta{}
	if err := json.Unmarshal(ent.Value(), m); err != nil {
		s.cfg.Logger.Error("tables: bad catalog entry", "table", name, "err", err)
		return
	}
	m.revision = ent.Revision()
	if cur := s.metas[name]; cur != nil && cur.revision > m.revision {
		return
	}
	s.metas[name] = m
}

// lookup returns a table's definition, or ResourceNotFoundException.
func (s *Service) lookup(ctx context.Context, name string) (*meta, error) {
	s.mu.Lock()
	m := s.metas[name]
	s.mu.Unlock()
	if m != nil {
		return m, nil
	}
	// The watch may not have delivered a table another node just created.
	ent, err := s.kv.Get(ctx, engine.EncodeKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("tables: lookup: %w", err)
	}
	s.apply(ent)
	s.mu.Lock()
	m = s.metas[name]
	s.mu.Unlock()
	if m == nil {
		return nil, notFound()
	}
	return m, nil
}

// table returns a table's definition and its open storage.
func (s *Service) table(ctx context.Context, name string) (*meta, *opened, error) {
	if err := checkTableName("tableName", name); err != nil {
		return nil, nil, err
	}
	m, err := s.lookup(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if m.Status == statusDeleting {
		return nil, nil, notFound()
	}
	o, err := s.opened(ctx, m)
	return m, o, err
}

// opened opens the streams of table m on this node, once. An opened is
// never changed once published: a change of indexes publishes a new one.
func (s *Service) opened(ctx context.Context, m *meta) (*opened, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.open[m.Name]
	if o != nil && o.id == m.ID && o.hasIndexes(m) {
		return o, nil
	}
	if o != nil && o.id != m.ID {
		_ = closeIndexes(o)
		o = nil
	}
	next := &opened{id: m.ID, indexes: map[string]indexReader{}}
	if o != nil {
		next.store = o.store
	} else {
		st, err := store.Open(ctx, s.cfg.Engine, m.storeDef())
		if err != nil {
			return nil, err
		}
		next.store = st
	}
	// Keep the indexes the definition still names, open new ones, and close
	// those it no longer names.
	for _, ix := range m.indexes() {
		if o != nil && o.indexes[ix.IndexName] != nil {
			next.indexes[ix.IndexName] = o.indexes[ix.IndexName]
			continue
		}
		r, err := openIndex(ctx, s.cfg.Engine, next.store, m, ix, s.cfg.Logger)
		if err != nil {
			return nil, err
		}
		next.indexes[ix.IndexName] = r
	}
	if o != nil {
		for name, r := range o.indexes {
			if next.indexes[name] == nil {
				_ = r.Close()
			}
		}
	}
	next.store.SetItemCheck(m.itemCheck())
	s.open[m.Name] = next
	return next, nil
}

func (o *opened) hasIndexes(m *meta) bool {
	ix := m.indexes()
	if len(ix) != len(o.indexes) {
		return false
	}
	for _, spec := range ix {
		if o.indexes[spec.IndexName] == nil {
			return false
		}
	}
	return true
}

// forget closes a table's open streams on this node.
func (s *Service) forget(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.open[name]; o != nil {
		_ = closeIndexes(o)
		delete(s.open, name)
	}
}

// save writes m with compare-and-set on its revision (0 to create).
func (s *Service) save(ctx context.Context, m *meta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("tables: encode: %w", err)
	}
	key := engine.EncodeKey(m.Name)
	var rev uint64
	if m.revision == 0 {
		rev, err = s.kv.Create(ctx, key, data)
		if errors.Is(err, jetstream.ErrKeyExists) {
			return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceInUseException", "Table already exists: %s", m.Name)
		}
	} else {
		rev, err = s.kv.Update(ctx, key, data, m.revision)
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
			return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being updated: %s", m.Name)
		}
	}
	if err != nil {
		return fmt.Errorf("tables: save %s: %w", m.Name, err)
	}
	m.revision = rev
	s.mu.Lock()
	if cur := s.metas[m.Name]; cur == nil || cur.revision < rev {
		s.metas[m.Name] = m
	}
	s.mu.Unlock()
	return nil
}

func notFound() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Requested resource not found")
}

func validation(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationException", format, args...)
}

// key types of a table or index, from the attribute definitions.
func keyTypes(defs []AttributeDefinition) map[string]attrs.Kind {
	out := map[string]attrs.Kind{}
	for _, d := range defs {
		if k, ok := attrs.KindOf(d.AttributeType); ok {
			out[d.AttributeName] = k
		}
	}
	return out
}
