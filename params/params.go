// Package params is eddy's parameter store: SSM's parameters, with
// versions, labels, tags, paths and SecureStrings encrypted at rest, kept in
// JetStream and shared by every node of one NATS.
//
// Each operation takes the region of the request: parameters are per
// region, as SSM's are. Inputs and outputs are SSM's wire shapes (types.go);
// errors are *eddy.Error values whose Type is SSM's error code.
package params

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config configures the service. NewService fills in defaults.
type Config struct {
	Engine *engine.Engine
	// DataDir holds the SecureString key (KeyFile).
	DataDir string
	Account string
	// Region is the region of requests that name none.
	Region string
	Logger *slog.Logger
	// Now returns the time (default time.Now).
	Now func() time.Time
}

// Service is the parameter store.
type Service struct {
	cfg    Config
	stream jetstream.Stream
	js     jetstream.JetStream
	nc     *nats.Conn
	seal   *sealer
	idx    *index
	locks  [256]sync.Mutex // serialise this node's writes to one parameter

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
	if cfg.DataDir == "" {
		cfg.DataDir = ".eddy"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, idx: newIndex()}
}

// KeyPath is the file that holds the SecureString key.
func (s *Service) KeyPath() string { return filepath.Join(s.cfg.DataDir, KeyFile) }

// Open prepares the stream, checks the SecureString key against the one
// the store was written with, and builds the index.
func (s *Service) Open(ctx context.Context) error {
	e := s.cfg.Engine
	if e == nil || e.JS == nil {
		return errors.New("params: the engine is not open")
	}
	s.js, s.nc = e.JS, e.Conn
	var err error
	s.stream, err = e.Stream(ctx, jetstream.StreamConfig{
		Name:              streamName,
		Subjects:          []string{"prm.>"},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		MaxMsgsPerSubject: 1,
		Discard:           jetstream.DiscardOld,
		// No direct gets: a replica could answer one from behind.
		AllowDirect: false,
	})
	if err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if err := s.openKey(ctx); err != nil {
		return err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.idx.follow(s.ctx, s.stream, &s.wg); err != nil {
		return err
	}
	return s.sync(ctx)
}

// Close stops following the stream. Safe twice, and after a failed Open.
func (s *Service) Close() error {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	return nil
}

type keyRecord struct {
	Fingerprint string `json:"fingerprint"`
}

// openKey loads this node's SecureString key and checks it against the
// fingerprint the store records; the first node of a store creates the
// key. A node whose key differs from the store's does not open. A node
// without a key file, joining a store that has a key, opens without one:
// it serves everything but SecureString values, and says which file to
// copy.
func (s *Service) openKey(ctx context.Context) error {
	path := s.KeyPath()
	key, exists, err := loadKey(path)
	if err != nil {
		return err
	}
	recorded, seq, err := s.readFingerprint(ctx)
	if err != nil {
		return err
	}
	if !exists && recorded != "" {
		s.cfg.Logger.Warn("params: this node has no SecureString key; it cannot read or write SecureString values until "+KeyFile+" is copied from another node of this NATS", "path", path)
		return nil
	}
	if !exists {
		if key, err = createKey(path); err != nil {
			return err
		}
	}
	seal, err := newSealer(key)
	if err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if recorded == "" {
		data, _ := json.Marshal(keyRecord{Fingerprint: seal.fp})
		_, err := s.js.Publish(ctx, keySubject, data, jetstream.WithExpectLastSequencePerSubject(seq))
		switch err = publishError(err); {
		case err == nil:
			recorded = seal.fp
		case errors.Is(err, errConflict): // another node was first
			if recorded, _, err = s.readFingerprint(ctx); err != nil {
				return err
			}
		default:
			return err
		}
	}
	if recorded != seal.fp {
		if !exists {
			// This node made its key a moment ago, as another node made
			// the store's: drop it.
			_ = os.Remove(path)
			s.cfg.Logger.Warn("params: this node has no SecureString key; it cannot read or write SecureString values until "+KeyFile+" is copied from another node of this NATS", "path", path)
			return nil
		}
		return fmt.Errorf("params: the SecureString key in %s (fingerprint %s) is not the key the parameters in this NATS were written with (fingerprint %s): copy %s from a node of this NATS to %s",
			path, seal.fp, recorded, KeyFile, path)
	}
	s.seal = seal
	return nil
}

// sealer returns the SecureString key, or the error of a node that has
// none.
func (s *Service) sealer() (*sealer, error) {
	if s.seal == nil {
		return nil, apiError(errInternal, "This eddy node has no SecureString key: copy %s from another node of this NATS to %s and restart it.", KeyFile, s.KeyPath())
	}
	return s.seal, nil
}

func (s *Service) readFingerprint(ctx context.Context) (string, uint64, error) {
	m, err := s.stream.GetLastMsgForSubject(ctx, keySubject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("params: read the key's fingerprint: %w", err)
	}
	var r keyRecord
	if err := json.Unmarshal(m.Data, &r); err != nil || r.Fingerprint == "" {
		return "", 0, fmt.Errorf("params: the key's fingerprint in the store is unreadable")
	}
	return r.Fingerprint, m.Sequence, nil
}

// lock serialises this node's writes to one parameter, so that they do
// not make each other retry; writes from other nodes are kept apart by
// the compare-and-set.
func (s *Service) lock(region, key string) func() {
	h := fnv.New32a()
	h.Write([]byte(region))
	h.Write([]byte{0})
	h.Write([]byte(key))
	mu := &s.locks[h.Sum32()%uint32(len(s.locks))]
	mu.Lock()
	return mu.Unlock
}

func (s *Service) region(r string) string {
	if r == "" {
		return s.cfg.Region
	}
	return r
}

func (s *Service) arn(region, name string) string {
	return arnOf(partitionOf(region), region, s.cfg.Account, name)
}

// user is the LastModifiedUser of the changes: the account's root user.
func (s *Service) user(region string) string {
	return "arn:" + partitionOf(region) + ":iam::" + s.cfg.Account + ":root"
}
