package buckets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// How the service keeps S3 in JetStream:
//
//   - eddy_buckets (KV): the bucket catalog, name → bucketMeta (id, region,
//     creation, stored configuration documents), watched on every node.
//   - EDDY_B_<id> (a stream per bucket): one message per change of a key on
//     eb.<id>.o.<EncodeKey(key)> — a record (objects.go) of a version, or a
//     tombstone. A key's object is the last message of its subject (a
//     direct get); the stream sequence is the change's sequencer; every
//     change stays until the bucket's event loop (events.go) has notified
//     it and collected what it replaced.
//   - eddy_objects (object store): the bodies (body.go), written before the
//     record that references them is published.
//   - eddy_uploads (KV): multipart uploads and their parts (multipart.go).
//   - eddy_bucket_leases (KV with TTL): which node runs a bucket's event
//     loop.
//
// Every node keeps a listing index of each bucket (index.go), built from
// the bucket's stream and following it. A key of 1,024 bytes encodes to
// 1,639 characters, so subjects stay well under the server's limit.

const (
	catalogBucket = "eddy_buckets"
	uploadBucket  = "eddy_uploads"
	leaseBucket   = "eddy_bucket_leases"
	streamPrefix  = "EDDY_B_"
)

// ServiceConfig configures the service. NewService fills in defaults.
// (It is not named Config: that is the name of the stored bucket
// configurations in the API.)
type ServiceConfig struct {
	Engine  *engine.Engine
	Account string
	// Region is the region of buckets created without one.
	Region string
	Logger *slog.Logger
	// NodeID names this node as the holder of bucket leases (default: the
	// engine's).
	NodeID string
	// LeaseTTL is how long a bucket's event loop stays with a node that
	// stopped renewing its lease (default 10 s).
	LeaseTTL time.Duration
	// Now returns the time (default time.Now).
	Now func() time.Time
	// MaxObjectSize is the largest PutObject body and the largest part
	// (default 5 GiB). A multipart object may reach 5 TiB.
	MaxObjectSize int64
	// ChunkCacheBytes bounds the small body chunks (64 KiB or less) kept
	// in memory after a read (default 32 MiB; negative for none).
	ChunkCacheBytes int64
	// TombstoneGrace is how long a deleted key's tombstone stays in the
	// bucket's stream after the event loop passed it, so that the listing
	// index of every node sees it (default 1 minute).
	TombstoneGrace time.Duration
	// SoleWriter says that this service is the only writer of the
	// engine's bucket streams (eddy on its embedded engine): it then keeps
	// keys' latest records in memory, written through, and reads them from
	// there. Never set it when other nodes share the engine.
	SoleWriter bool
	// OrphanAge is how long a body referenced by nothing stays before the
	// look for orphans after Open deletes it (default 1 hour).
	OrphanAge time.Duration
}

// Service is eddy's S3 storage.
type Service struct {
	cfg     ServiceConfig
	js      jetstream.JetStream
	catalog jetstream.KeyValue
	uploads jetstream.KeyValue
	leases  jetstream.KeyValue
	objs    jetstream.Stream
	chunks  chunkCache
	hook    atomic.Pointer[hookBox]

	mu       sync.Mutex
	buckets  map[string]*bucketState // by name; guarded by mu
	revs     map[string]uint64       // catalog revision by name; guarded by mu
	openedAt time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type hookBox struct{ h NotificationHook }

var _ API = (*Service)(nil)

// NewService returns a service with defaults filled in; Open starts it.
func NewService(cfg ServiceConfig) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxObjectSize <= 0 {
		cfg.MaxObjectSize = 5 << 30
	}
	if cfg.TombstoneGrace <= 0 {
		cfg.TombstoneGrace = time.Minute
	}
	if cfg.OrphanAge <= 0 {
		cfg.OrphanAge = time.Hour
	}
	if cfg.NodeID == "" && cfg.Engine != nil {
		cfg.NodeID = cfg.Engine.NodeID()
	}
	if cfg.ChunkCacheBytes == 0 {
		cfg.ChunkCacheBytes = 32 << 20
	}
	return &Service{cfg: cfg, buckets: map[string]*bucketState{}, revs: map[string]uint64{}, chunks: chunkCache{max: max(cfg.ChunkCacheBytes, 0)}}
}

// SetNotifications lends the service the bucket notifications; nil
// removes them. It may be called before or after Open.
func (s *Service) SetNotifications(h NotificationHook) {
	if h == nil {
		s.hook.Store(nil)
		return
	}
	s.hook.Store(&hookBox{h})
}

func (s *Service) notifications() NotificationHook {
	if b := s.hook.Load(); b != nil {
		return b.h
	}
	return nil
}

// Open prepares the catalog, the uploads, the leases and the object store,
// loads the buckets and starts their listing indexes and event loops.
func (s *Service) Open(ctx context.Context) error {
	e := s.cfg.Engine
	s.js = e.JS
	var err error
	if s.catalog, err = e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: catalogBucket, History: 1}); err != nil {
		return fmt.Errorf("buckets: %w", err)
	}
	if s.uploads, err = e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: uploadBucket, History: 1}); err != nil {
		return fmt.Errorf("buckets: %w", err)
	}
	if s.leases, err = e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: leaseBucket, TTL: s.cfg.LeaseTTL}); err != nil {
		return fmt.Errorf("buckets: %w", err)
	}
	if _, err = e.ObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: objectStore}); err != nil {
		return fmt.Errorf("buckets: %w", err)
	}
	if s.objs, err = s.js.Stream(ctx, objStream); err != nil {
		return fmt.Errorf("buckets: object store stream: %w", err)
	}
	s.openedAt = time.Now()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := engine.WatchAll(s.ctx, s.catalog, &s.wg, s.apply); err != nil {
		return fmt.Errorf("buckets: %w", err)
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.claimLoop()
	}()
	go func() {
		defer s.wg.Done()
		if err := s.collectOrphans(s.ctx); err != nil && s.ctx.Err() == nil {
			s.cfg.Logger.Warn("buckets: orphans", "err", err)
		}
	}()
	return nil
}

// Close stops the indexes and event loops and waits for them.
func (s *Service) Close() error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.mu.Lock()
	sts := make([]*bucketState, 0, len(s.buckets))
	for _, st := range s.buckets {
		sts = append(sts, st)
	}
	s.mu.Unlock()
	for _, st := range sts {
		st.stop()
	}
	s.wg.Wait()
	return nil
}

// bucketMeta is a bucket's catalog entry.
type bucketMeta struct {
	Name    string            `json:"name"`
	ID      string            `json:"id"`
	Created time.Time         `json:"created"`
	Region  string            `json:"region"`
	Configs map[string][]byte `json:"configs,omitempty"`
}

// bucketState is a bucket as this node serves it.
type bucketState struct {
	s     *Service
	id    string
	subj  string // subject prefix of its keys, "eb.<id>.o."
	ready chan struct{}
	// stream and openErr are set before ready is closed.
	stream  jetstream.Stream
	openErr error
	idx     *index
	// records caches keys' latest records when the service is the
	// engine's only writer (nil otherwise).
	records *recordCache

	mu      sync.Mutex  // guards meta, loop, stopped
	meta    *bucketMeta // the latest catalog entry
	loop    bool        // this node runs (or is taking) the bucket's event loop
	stopped bool        // stop was called: no goroutine may start

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (s *Service) newBucketState(m *bucketMeta) *bucketState {
	ctx, cancel := context.WithCancel(s.ctx)
	st := &bucketState{s: s, id: m.ID, subj: "eb." + m.ID + ".o.", ready: make(chan struct{}), meta: m,
		idx: newIndex(), ctx: ctx, cancel: cancel}
	if s.cfg.SoleWriter {
		st.records = newRecordCache(recordCacheEntries)
	}
	return st
}

func streamName(id string) string { return streamPrefix + id }

// start finds the bucket's stream and starts its index; then it tries to
// take the bucket's event loop.
func (st *bucketState) start() {
	defer st.wg.Done()
	deadline := time.Now().Add(10 * time.Second)
	for {
		str, err := st.s.js.Stream(st.ctx, streamName(st.id))
		if err == nil {
			st.stream = str
			break
		}
		if st.ctx.Err() != nil || !errors.Is(err, jetstream.ErrStreamNotFound) || time.Now().After(deadline) {
			st.openErr = fmt.Errorf("buckets: stream of %s: %w", st.metaName(), err)
			close(st.ready)
			return
		}
		// The node that creates a bucket makes its stream before the
		// catalog entry; a stream missing here is being deleted.
		select {
		case <-st.ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := st.idx.follow(st.ctx, st.stream, st.subj, &st.wg); err != nil {
		st.openErr = err
	}
	close(st.ready)
	if st.openErr == nil {
		st.s.claim(st)
	}
}

func (st *bucketState) metaName() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.meta.Name
}

func (st *bucketState) getMeta() *bucketMeta {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.meta
}

func (st *bucketState) stop() {
	st.mu.Lock()
	st.stopped = true
	st.mu.Unlock()
	st.cancel()
	st.wg.Wait()
}

// wait returns once the bucket is ready to serve.
func (st *bucketState) wait(ctx context.Context) error {
	select {
	case <-st.ready:
		return st.openErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// apply applies a catalog change.
func (s *Service) apply(ent jetstream.KeyValueEntry) {
	var m *bucketMeta
	if ent.Operation() == jetstream.KeyValuePut {
		m = &bucketMeta{}
		if err := json.Unmarshal(ent.Value(), m); err != nil {
			s.cfg.Logger.Warn("buckets: unreadable bucket", "bucket", ent.Key(), "err", err)
			m = nil
		}
	}
	s.applyMeta(ent.Key(), m, ent.Revision())
}

// applyMeta makes m (nil: none) the bucket name's definition as of rev.
func (s *Service) applyMeta(name string, m *bucketMeta, rev uint64) {
	s.mu.Lock()
	if rev < s.revs[name] {
		s.mu.Unlock() // older than a change this node applied itself
		return
	}
	s.revs[name] = rev
	old := s.buckets[name]
	var drop, start *bucketState
	switch {
	case m == nil:
		delete(s.buckets, name)
		drop = old
	case old != nil && old.id == m.ID:
		old.mu.Lock()
		old.meta = m
		old.mu.Unlock()
	default:
		drop = old
		start = s.newBucketState(m)
		s.buckets[name] = start
	}
	if start != nil && s.ctx.Err() == nil {
		start.wg.Add(1)
		go start.start()
	}
	s.mu.Unlock()
	if drop != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			drop.stop()
		}()
	}
}

// bucket returns the bucket name, ready to serve.
func (s *Service) bucket(ctx context.Context, name string) (*bucketState, error) {
	s.mu.Lock()
	st := s.buckets[name]
	s.mu.Unlock()
	if st == nil {
		if !ValidBucketName(name) {
			return nil, noSuchBucket()
		}
		// Created on another node a moment ago?
		ent, err := s.catalog.Get(ctx, name)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil, noSuchBucket()
		}
		if err != nil {
			return nil, fmt.Errorf("buckets: catalog: %w", err)
		}
		s.apply(ent)
		s.mu.Lock()
		st = s.buckets[name]
		s.mu.Unlock()
		if st == nil {
			return nil, noSuchBucket()
		}
	}
	if err := st.wait(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// CreateBucket creates a bucket. Creating a bucket one owns already is
// BucketAlreadyOwnedByYou, except in us-east-1, where S3 answers 200 for
// compatibility.
func (s *Service) CreateBucket(ctx context.Context, name, region string) error {
	if !ValidBucketName(name) {
		return invalidBucketName()
	}
	if region == "" {
		region = s.cfg.Region
	}
	exists := func() error {
		if region == "us-east-1" {
			return nil
		}
		return bucketExists()
	}
	if _, err := s.catalog.Get(ctx, name); err == nil {
		return exists()
	} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("buckets: catalog: %w", err)
	}
	m := &bucketMeta{Name: name, ID: nuid.Next(), Created: s.cfg.Now().UTC().Truncate(time.Millisecond), Region: region}
	if _, err := s.cfg.Engine.Stream(ctx, jetstream.StreamConfig{
		Name:        streamName(m.ID),
		Description: "eddy S3 bucket " + name,
		Subjects:    []string{"eb." + m.ID + ".o.>"},
		Storage:     jetstream.FileStorage,
		AllowDirect: true,
		Discard:     jetstream.DiscardOld,
	}); err != nil {
		return fmt.Errorf("buckets: create %s: %w", name, err)
	}
	data, _ := json.Marshal(m)
	rev, err := s.catalog.Create(ctx, name, data)
	if err != nil {
		_ = s.js.DeleteStream(context.WithoutCancel(ctx), streamName(m.ID))
		if errors.Is(err, jetstream.ErrKeyExists) {
			return exists()
		}
		return fmt.Errorf("buckets: create %s: %w", name, err)
	}
	s.applyMeta(name, m, rev)
	return nil
}

// HeadBucket returns a bucket.
func (s *Service) HeadBucket(ctx context.Context, name string) (*Bucket, error) {
	st, err := s.bucket(ctx, name)
	if err != nil {
		return nil, err
	}
	m := st.getMeta()
	return &Bucket{Name: m.Name, Created: m.Created, Region: m.Region}, nil
}

// ListBuckets lists the buckets by name.
func (s *Service) ListBuckets(ctx context.Context) ([]Bucket, error) {
	s.mu.Lock()
	out := make([]Bucket, 0, len(s.buckets))
	for _, st := range s.buckets {
		m := st.getMeta()
		out = append(out, Bucket{Name: m.Name, Created: m.Created, Region: m.Region})
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Bucket) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// DeleteBucket deletes an empty bucket. Multipart uploads in progress do
// not keep a bucket from being deleted (as in S3); they are aborted.
func (s *Service) DeleteBucket(ctx context.Context, name string) error {
	st, err := s.bucket(ctx, name)
	if err != nil {
		return err
	}
	if err := st.sync(ctx); err != nil {
		return err
	}
	if st.idx.len() > 0 {
		return bucketNotEmpty()
	}
	ent, err := s.catalog.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return noSuchBucket()
	}
	if err != nil {
		return fmt.Errorf("buckets: catalog: %w", err)
	}
	var m bucketMeta
	if err := json.Unmarshal(ent.Value(), &m); err != nil || m.ID != st.id {
		return noSuchBucket()
	}
	if err := s.catalog.Delete(ctx, name, jetstream.LastRevision(ent.Revision())); err != nil {
		return fmt.Errorf("buckets: delete %s: %w", name, err)
	}
	s.applyMeta(name, nil, ent.Revision()+1)
	st.stop()
	ctx = context.WithoutCancel(ctx)
	// The bodies of versions the event loop had not collected yet.
	var refs []bodyRef
	_ = scanStream(ctx, st.stream, func(subject string, seq uint64, data []byte) {
		if r, err := decodeRecord(data); err == nil {
			refs = append(refs, r.Body...)
		}
	})
	s.deleteBodies(ctx, refs)
	if err := s.js.DeleteStream(ctx, streamName(st.id)); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		s.cfg.Logger.Warn("buckets: delete stream", "bucket", name, "err", err)
	}
	_ = s.leases.Delete(ctx, st.id)
	s.abortBucketUploads(ctx, name)
	return nil
}

// GetConfig returns a stored configuration document.
func (s *Service) GetConfig(ctx context.Context, bucket string, c Config) ([]byte, error) {
	st, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	doc := st.getMeta().Configs[string(c)]
	if doc != nil {
		return doc, nil
	}
	switch c {
	case ConfigPolicy:
		return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchBucketPolicy", "The bucket policy does not exist")
	case ConfigCORS:
		return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchCORSConfiguration", "The CORS configuration does not exist")
	case ConfigWebsite:
		return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")
	case ConfigTagging:
		return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchTagSet", "The TagSet does not exist")
	case ConfigNotification:
		return []byte(`<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></NotificationConfiguration>`), nil
	}
	return nil, invalidArgument("Unknown configuration %s", c)
}

// PutConfig stores a configuration document; nil deletes it. A
// notification configuration goes through the notifications' Check first
// and their Stored after.
func (s *Service) PutConfig(ctx context.Context, bucket string, c Config, doc []byte) error {
	switch c {
	case ConfigPolicy, ConfigCORS, ConfigWebsite, ConfigTagging, ConfigNotification:
	default:
		return invalidArgument("Unknown configuration %s", c)
	}
	if _, err := s.bucket(ctx, bucket); err != nil {
		return err
	}
	h := s.notifications()
	if c == ConfigNotification && doc != nil && h != nil {
		checked, err := h.Check(ctx, bucket, doc)
		if err != nil {
			return err
		}
		doc = checked
	}
	for {
		ent, err := s.catalog.Get(ctx, bucket)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return noSuchBucket()
		}
		if err != nil {
			return fmt.Errorf("buckets: catalog: %w", err)
		}
		m := &bucketMeta{}
		if err := json.Unmarshal(ent.Value(), m); err != nil {
			return fmt.Errorf("buckets: catalog entry %s: %w", bucket, err)
		}
		if m.Configs == nil {
			m.Configs = map[string][]byte{}
		}
		if doc == nil {
			delete(m.Configs, string(c))
		} else {
			m.Configs[string(c)] = doc
		}
		data, _ := json.Marshal(m)
		rev, err := s.catalog.Update(ctx, bucket, data, ent.Revision())
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
			continue
		}
		if err != nil {
			return fmt.Errorf("buckets: catalog: %w", err)
		}
		s.applyMeta(bucket, m, rev)
		break
	}
	if c == ConfigNotification && h != nil {
		h.Stored(ctx, bucket, doc)
	}
	return nil
}
