// Package restapis is API Gateway's REST APIs on eddy: resources, methods
// with Lambda proxy integrations, deployments and stages, and the requests
// made to them.
package restapis

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// bucket is the KV bucket of REST APIs, one key per API id, each value a
// whole record: the API, its resources, deployments and stages.
const bucket = "eddy_restapis"

// Config configures the service. NewService fills in defaults.
type Config struct {
	Engine  *engine.Engine
	Invoker eddy.Invoker
	Account string
	Region  string
	Logger  *slog.Logger
	// Now returns the time (default time.Now).
	Now func() time.Time
}

// Service holds REST APIs and serves their requests.
type Service struct {
	cfg Config
	kv  jetstream.KeyValue

	mu      sync.Mutex
	records map[string]*record   // by API id, from the watch and this node's writes
	revs    map[string]uint64    // revision of each record (or of its deletion)
	snaps   map[string]*snapshot // arranged deployments by "apiId/deploymentId"

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewService returns a service with defaults filled in; Open starts it.
func NewService(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, records: map[string]*record{}, revs: map[string]uint64{}, snaps: map[string]*snapshot{}}
}

// Open opens the catalog and starts watching it.
func (s *Service) Open(ctx context.Context) error {
	var err error
	if s.kv, err = s.cfg.Engine.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, History: 1}); err != nil {
		return fmt.Errorf("restapis: %w", err)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := engine.WatchAll(s.ctx, s.kv, &s.wg, s.apply); err != nil {
		return fmt.Errorf("restapis: %w", err)
	}
	return nil
}

// Close stops the watch; safe twice.
func (s *Service) Close() error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.wg.Wait()
	return nil
}

func (s *Service) apply(ent jetstream.KeyValueEntry) {
	if strings.Contains(ent.Key(), ".") {
		return // a deployment's snapshot, read when a stage serves it
	}
	var rec *record
	if ent.Operation() == jetstream.KeyValuePut {
		rec = &record{}
		if err := json.Unmarshal(ent.Value(), rec); err != nil {
			s.cfg.Logger.Warn("restapis: unreadable API", "api", ent.Key(), "err", err)
			return
		}
	}
	s.remember(ent.Key(), rec, ent.Revision())
}

// remember caches rec (nil: deleted) at revision rev unless a newer one is known.
func (s *Service) remember(id string, rec *record, rev uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rev < s.revs[id] {
		return
	}
	s.revs[id] = rev
	if rec == nil {
		delete(s.records, id)
	} else {
		s.records[id] = rec
	}
}

// cached returns the cached record of id, or nil. Callers must not modify it.
func (s *Service) cached(id string) *record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records[id]
}

// load reads id's record from the catalog and caches it: ENOTFOUND if
// there is none. The record is shared; callers must not modify it.
func (s *Service) load(ctx context.Context, id string) (*record, uint64, error) {
	rec, rev, err := s.read(ctx, id)
	if err == nil {
		s.remember(id, rec, rev)
	}
	return rec, rev, err
}

// read reads id's record from the catalog into a record of the caller's own.
func (s *Service) read(ctx context.Context, id string) (*record, uint64, error) {
	if !validID(id) {
		return nil, 0, s.errNoAPI(id)
	}
	ent, err := s.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, s.errNoAPI(id)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("restapis: read %s: %w", id, err)
	}
	rec := &record{}
	if err := json.Unmarshal(ent.Value(), rec); err != nil {
		return nil, 0, fmt.Errorf("restapis: decode %s: %w", id, err)
	}
	return rec, ent.Revision(), nil
}

// lookup returns id's record from the cache, reading the catalog on a miss
// or when want (if not nil) does not hold of the cached record.
func (s *Service) lookup(ctx context.Context, id string, want func(*record) bool) (*record, error) {
	if rec := s.cached(id); rec != nil && (want == nil || want(rec)) {
		return rec, nil
	}
	rec, _, err := s.load(ctx, id)
	return rec, err
}

// update applies fn to id's record and stores it, retrying when another
// writer got there first.
func (s *Service) update(ctx context.Context, id string, fn func(*record) error) (*record, error) {
	for attempt := 0; attempt < 20; attempt++ {
		rec, rev, err := s.read(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := fn(rec); err != nil {
			return nil, err
		}
		data, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("restapis: encode %s: %w", id, err)
		}
		nrev, err := s.kv.Update(ctx, id, data, rev)
		if err == nil {
			s.remember(id, rec, nrev)
			return rec, nil
		}
		if !isWrongSequence(err) {
			return nil, fmt.Errorf("restapis: write %s: %w", id, err)
		}
	}
	return nil, eddy.TypedErrorf(eddy.ETHROTTLED, "TooManyRequestsException", "Too Many Requests")
}

func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
		return true
	}
	return errors.Is(err, jetstream.ErrKeyExists)
}

func (s *Service) errNoAPI(id string) error {
	return eddy.Errorf(eddy.ENOTFOUND, "Invalid API identifier specified %s:%s", s.cfg.Account, id)
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns n random lowercase alphanumerics.
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// validID reports whether id can be a REST API id (10 lowercase alphanumerics).
func validID(id string) bool {
	if len(id) != 10 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
