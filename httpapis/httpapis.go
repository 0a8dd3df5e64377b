// Package httpapis is API Gateway's HTTP APIs (v2) and Lambda's function
// URLs on eddy: their configuration, and the requests made to them, which
// become invocations of functions.
//
// Invoke addresses, on eddy's one port: an API answers at
// http://{apiId}.execute-api.localhost:{port}/ (its ApiEndpoint; any host
// whose first labels are {apiId}.execute-api works) and at the path form
// http://localhost:{port}/_api/{apiId}/; a named stage is the first segment
// of the path below either, the $default stage the root. A function URL
// answers at http://{urlId}.lambda-url.{region}.localhost:{port}/ and at
// http://localhost:{port}/_url/{urlId}/.
//
// Each API is one document in a JetStream KV bucket (its routes,
// integrations, stages and deployments with it), and each function URL one
// entry; every node watches the bucket, and reads it directly for an id it
// has not seen yet.
package httpapis

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the KV bucket of HTTP APIs and function URLs.
const Bucket = "eddy_httpapis"

// Key prefixes in Bucket.
const (
	apiPrefix = "api." // api.{apiId}: an API's document
	urlPrefix = "url." // url.{urlId}: a function URL's configuration
	fnPrefix  = "fn."  // fn.{encoded region/function/qualifier}: its URL's id
)

// Config is what the service needs to know of the server.
type Config struct {
	AccountID string
	Region    string
	// Port is the port of eddy's main address, which invoke addresses name.
	Port int
}

// Service holds HTTP APIs and function URLs and serves their requests.
type Service struct {
	cfg     Config
	engine  *engine.Engine
	invoker eddy.Invoker
	logger  *slog.Logger

	kv     jetstream.KeyValue
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu   sync.RWMutex // guards apis and urls
	apis map[string]*apiState
	urls map[string]*FunctionURL
}

// NewService returns a service on e that invokes functions with inv.
func NewService(e *engine.Engine, inv eddy.Invoker, cfg Config, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	return &Service{cfg: cfg, engine: e, invoker: inv, logger: logger,
		apis: map[string]*apiState{}, urls: map[string]*FunctionURL{}}
}

// Open creates the bucket and starts watching it.
func (s *Service) Open(ctx context.Context) error {
	kv, err := s.engine.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: Bucket, History: 1})
	if err != nil {
		return fmt.Errorf("httpapis: %w", err)
	}
	s.kv = kv
	wctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if err := engine.WatchAll(wctx, kv, &s.wg, s.apply); err != nil {
		cancel()
		return fmt.Errorf("httpapis: %w", err)
	}
	return nil
}

// Close stops the watch and waits for it. Safe twice.
func (s *Service) Close() error {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	return nil
}

// apply brings the cache up to date with one entry of the bucket.
func (s *Service) apply(ent jetstream.KeyValueEntry) {
	key := ent.Key()
	deleted := ent.Operation() != jetstream.KeyValuePut
	switch {
	case strings.HasPrefix(key, apiPrefix):
		id := strings.TrimPrefix(key, apiPrefix)
		if deleted {
			s.mu.Lock()
			delete(s.apis, id)
			s.mu.Unlock()
			return
		}
		var d document
		if err := json.Unmarshal(ent.Value(), &d); err != nil {
			s.logger.Error("httpapis: bad document", "api", id, "err", err)
			return
		}
		s.cacheAPI(&d, ent.Revision())
	case strings.HasPrefix(key, urlPrefix):
		id := strings.TrimPrefix(key, urlPrefix)
		if deleted {
			s.mu.Lock()
			delete(s.urls, id)
			s.mu.Unlock()
			return
		}
		var u FunctionURL
		if err := json.Unmarshal(ent.Value(), &u); err != nil {
			s.logger.Error("httpapis: bad function URL", "url", id, "err", err)
			return
		}
		u.revision = ent.Revision()
		s.mu.Lock()
		if old := s.urls[id]; old == nil || old.revision < u.revision {
			s.urls[id] = &u
		}
		s.mu.Unlock()
	}
}

// cacheAPI compiles d and keeps it unless a newer revision is cached.
func (s *Service) cacheAPI(d *document, rev uint64) *apiState {
	st := compile(d, rev)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.apis[d.API.APIID]; old != nil && old.revision >= rev {
		return old
	}
	s.apis[d.API.APIID] = st
	return st
}

// idAlphabet is what AWS's generated ids are made of.
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns n random lowercase alphanumerics.
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// validID reports whether id could be one of ours: it is used in keys.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// isConflict reports whether err is the KV's refusal of a write made
// against a revision that is no longer the latest.
func isConflict(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) ||
		(errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence)
}

func itoa(n int) string { return strconv.Itoa(n) }
