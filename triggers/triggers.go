// Package triggers invokes functions from outside requests: event source
// mappings, as Lambda runs them, and bucket notifications (bucket.go), as
// S3 sends them. A mapping of a table's change
// stream invokes a function with batches of its records, as Lambda's
// mappings for DynamoDB Streams do — batching, filtering, retries,
// bisection, partial batch responses, parallel lanes per partition key,
// and a failure destination. A mapping of a queue long-polls it with
// several pollers and deletes what the function is done with, as Lambda's
// SQS mappings do — batching windows, filtering, partial batch responses,
// FIFO order and a concurrency limit; retries and dead-letter queues are
// the queue's own.
//
// Mappings live in the JetStream key-value bucket eddy_event_source_mappings,
// cached in memory and kept current by a watch, so that every node sees
// every mapping. A mapping's shard (or queue) is processed by one node at
// a time: the node that holds its lease in eddy_esm_leases, a bucket whose
// entries expire after LeaseTTL unless the owner renews them; a poller
// stops the moment a renewal fails. How far a shard is done is its
// checkpoint in eddy_esm_checkpoints, written under a compare-and-set after
// every batch, so that a restart, or another node, resumes there: every
// record is delivered at least once, in order per partition key.
package triggers

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
	"github.com/eddyserverless/eddy/queues"
	"github.com/eddyserverless/eddy/tables"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	mappingBucket    = "eddy_event_source_mappings" // UUID → eddy.EventSourceMapping
	checkpointBucket = "eddy_esm_checkpoints"       // UUID.SHARD → checkpoint
	leaseBucket      = "eddy_esm_leases"            // UUID.SHARD → owning node id
)

// Tables resolves change streams; tables.Service implements it.
type Tables interface {
	StreamByArn(ctx context.Context, arn string) (*tables.Stream, error)
}

// Config configures the service. Field comments are user documentation;
// NewService fills in the defaults.
type Config struct {
	Engine    *engine.Engine
	Functions eddy.FunctionService
	// Versions resolves qualified function names; nil allows only
	// unqualified ones.
	Versions eddy.VersionService
	Invoker  eddy.Invoker
	Tables   Tables
	// Queues serves queue event sources and queue destinations; nil for
	// none.
	Queues  queues.API
	Account string
	Region  string
	Logger  *slog.Logger
	Now     func() time.Time
	// NodeID names this node as the owner of leases (default: a random
	// id for each start).
	NodeID string
	// LeaseTTL is how long a shard stays with a node that stopped
	// renewing its lease (crashed); owners renew every third of it
	// (default 10 s).
	LeaseTTL time.Duration
	// RetryDelay is the wait before the first retry of a failed batch;
	// each further retry waits twice as long, up to MaxRetryDelay
	// (defaults 100 ms and 10 s).
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
	// PollInterval is how often a poller at the tip of its stream reads
	// again without having been woken by a write (default 250 ms).
	PollInterval time.Duration
	// QueuePollers is how many pollers a queue mapping runs, each
	// invoking the function with one batch at a time; a mapping's
	// ScalingConfig.MaximumConcurrency lowers it (default 5).
	QueuePollers int
}

// Service implements eddy.EventSourceMappingService and runs the
// mappings' pollers.
type Service struct {
	cfg Config

	kv          jetstream.KeyValue
	checkpoints jetstream.KeyValue
	leases      jetstream.KeyValue

	openedAt time.Time  // when Open ran: leases written before are a former run's
	mu       sync.Mutex // guards mappings, runners, started, closed
	mappings map[string]cachedMapping
	runners  map[string]*runner
	started  bool
	closed   bool

	// hard ends every poller's context: when Close gives up waiting.
	hard       context.Context
	cancelHard context.CancelFunc
	stopWatch  context.CancelFunc
	wg         sync.WaitGroup
}

var _ eddy.EventSourceMappingService = (*Service)(nil)

// cachedMapping is a mapping at a bucket revision; m is nil once deleted.
type cachedMapping struct {
	m   *eddy.EventSourceMapping
	rev uint64
}

// runner runs one revision of an enabled mapping on this node.
type runner struct {
	m    *eddy.EventSourceMapping
	rev  uint64
	stop chan struct{} // closed to stop it gracefully
	done chan struct{} // closed when it has stopped
}

// NewService returns the service with defaults filled in. Open loads the
// mappings; Start runs them.
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
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NodeID == "" {
		cfg.NodeID = eddy.NewID()
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 10 * time.Second
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 100 * time.Millisecond
	}
	if cfg.MaxRetryDelay < cfg.RetryDelay {
		cfg.MaxRetryDelay = max(10*time.Second, cfg.RetryDelay)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.QueuePollers <= 0 {
		cfg.QueuePollers = 5
	}
	hard, cancel := context.WithCancel(context.Background())
	return &Service{cfg: cfg, mappings: map[string]cachedMapping{}, runners: map[string]*runner{}, hard: hard, cancelHard: cancel}
}

// Open creates the buckets and loads every mapping into the cache, which
// a watch then keeps current.
func (s *Service) Open(ctx context.Context) error {
	s.openedAt = time.Now()
	e := s.cfg.Engine
	var err error
	if s.kv, err = e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: mappingBucket, History: 1, Storage: jetstream.FileStorage}); err != nil {
		return err
	}
	if s.checkpoints, err = e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: checkpointBucket, History: 1, Storage: jetstream.FileStorage}); err != nil {
		return err
	}
	if s.leases, err = e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: leaseBucket, History: 1, Storage: jetstream.FileStorage, TTL: s.cfg.LeaseTTL}); err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(context.Background())
	s.stopWatch = cancel
	if err := engine.WatchAll(wctx, s.kv, &s.wg, s.apply); err != nil {
		return fmt.Errorf("triggers: %w", err)
	}
	return nil
}

// Start runs the enabled mappings, and from then on every mapping that is
// created or enabled.
func (s *Service) Start() {
	s.mu.Lock()
	s.started = true
	ids := make([]string, 0, len(s.mappings))
	for id := range s.mappings {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.reconcile(id)
	}
}

// Close stops the pollers: each finishes the invocation it is waiting for
// and writes its checkpoint. If ctx ends first, their contexts are
// cancelled. It waits for every goroutine it started. Safe twice.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for id, r := range s.runners {
		close(r.stop)
		delete(s.runners, id)
	}
	s.mu.Unlock()
	if s.stopWatch != nil {
		s.stopWatch()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("triggers: close: pollers still running: %w", ctx.Err())
		s.cancelHard()
		<-done
	}
	s.cancelHard()
	return err
}

func (s *Service) apply(e jetstream.KeyValueEntry) {
	var m *eddy.EventSourceMapping
	if e.Operation() == jetstream.KeyValuePut {
		m = &eddy.EventSourceMapping{}
		if err := json.Unmarshal(e.Value(), m); err != nil {
			s.cfg.Logger.Error("triggers: bad mapping record", "key", e.Key(), "err", err)
			return
		}
	}
	s.store(e.Key(), m, e.Revision())
}

// store caches m (nil: deleted) unless the cache holds a newer revision,
// and starts, restarts or stops the mapping's runner to match.
func (s *Service) store(id string, m *eddy.EventSourceMapping, rev uint64) {
	s.mu.Lock()
	if c, ok := s.mappings[id]; ok && c.rev >= rev {
		s.mu.Unlock()
		return
	}
	s.mappings[id] = cachedMapping{m: m, rev: rev}
	s.mu.Unlock()
	s.reconcile(id)
}

// reconcile makes the runner of a mapping match its cached revision: none
// unless enabled; a new one, once the old one has stopped, after a change.
func (s *Service) reconcile(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mappings[id]
	want := s.started && !s.closed && c.m != nil && c.m.Enabled
	r := s.runners[id]
	if r != nil && want && r.rev == c.rev {
		return
	}
	if r != nil {
		close(r.stop)
		delete(s.runners, id)
	}
	if !want {
		return
	}
	nr := &runner{m: c.m, rev: c.rev, stop: make(chan struct{}), done: make(chan struct{})}
	s.runners[id] = nr
	s.wg.Add(1)
	go s.run(nr, r)
}

// run runs a mapping's shards until it is stopped. A runner that replaces
// another starts once that one has stopped, so that a node never runs two
// pollers of one shard.
func (s *Service) run(r, prev *runner) {
	defer s.wg.Done()
	defer close(r.done)
	if prev != nil {
		select {
		case <-prev.done:
		case <-r.stop:
			return
		}
	}
	switch r.m.SourceKind {
	case eddy.SourceTableStream:
		s.runStream(r)
	case eddy.SourceQueue:
		s.runQueue(r)
	default:
		s.cfg.Logger.Error("triggers: mapping of an unknown source kind", "mapping", r.m.UUID, "kind", r.m.SourceKind)
	}
}

// sleep waits d, or until stop or ctx ends; it reports whether d passed.
func sleep(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return false
	case <-ctx.Done():
		return false
	}
}

// checkpoint is how far a shard is done.
type checkpoint struct {
	// Seq is the position to read from next: every record before it has
	// been delivered or given up on.
	Seq uint64 `json:"seq"`
	// Result is the mapping's LastProcessingResult.
	Result  string    `json:"result"`
	Updated time.Time `json:"updated"`
}

// Processing results, as Lambda reports them.
const (
	resultNone     = "No records processed"
	resultOK       = "OK"
	resultFailed   = "PROBLEM: Function call failed"
	resultNoFunc   = "PROBLEM: Function not found"
	resultThrottle = "PROBLEM: Function call throttled"
)

func checkpointKey(uuid, shard string) string { return uuid + "." + shard }

// readCheckpoint returns a shard's checkpoint and its revision; ok is
// false if there is none.
func (s *Service) readCheckpoint(ctx context.Context, key string) (cp checkpoint, rev uint64, ok bool, err error) {
	e, err := s.checkpoints.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return cp, 0, false, nil
	}
	if err != nil {
		return cp, 0, false, fmt.Errorf("triggers: checkpoint: %w", err)
	}
	if err := json.Unmarshal(e.Value(), &cp); err != nil {
		return cp, 0, false, fmt.Errorf("triggers: checkpoint %s: %w", key, err)
	}
	return cp, e.Revision(), true, nil
}

// restartedSince reports whether t is before this service opened: a lease
// this node last wrote then belongs to a run that is gone.
func (s *Service) restartedSince(t time.Time) bool { return t.Before(s.openedAt) }
