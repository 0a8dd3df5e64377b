// Package logs is eddy's CloudWatch Logs store: log groups, log streams and
// their events, kept in NATS JetStream.
//
// Events live in one stream, EDDY_LOGS, on the subject
// logs.<EncodeKey(group)>.<EncodeKey(stream)>; a message holds the events of
// one WriteLogs call (or a part of it, so that no message nears 1 MiB) as a
// JSON array, with the ingestion time and the earliest and latest event
// timestamp in headers. Group and stream metadata live in the KV buckets
// eddy_loggroups (key EncodeKey(group)) and eddy_logstreams (key
// EncodeKey(group).EncodeKey(stream)).
//
// Reads use batched direct gets with a subject filter, so a query reads only
// the messages of the group (or stream) it asks for. Events are returned in
// the order they were written, which is the order of their timestamps for
// the logs of functions. A read from a start time seeks by storage time to
// a few minutes before it, or two hours before it in a group that holds
// events written ahead of the clock (the group's FutureUntil).
//
// A group's retention policy is enforced by a goroutine of the store that
// purges, stream by stream, the oldest messages whose events have all
// expired (see EnforceRetention).
package logs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

// Names of the JetStream resources of the store.
const (
	StreamName   = "EDDY_LOGS"
	GroupBucket  = "eddy_loggroups"
	StreamBucket = "eddy_logstreams"

	subjectPrefix = "logs."
)

// Config configures a Store.
type Config struct {
	// Engine holds the events and metadata. Required; it must be open
	// before the Store is opened.
	Engine *engine.Engine
	// Logger receives failures of asynchronous writes. Default: discard.
	Logger *slog.Logger
	// MaxBytes caps the size of all stored events; the oldest are discarded
	// beyond it. Default 1 GiB.
	MaxBytes int64
	// Now is the clock of creation and ingestion times and of retention.
	// Default time.Now.
	Now func() time.Time
	// RetentionInterval is how often the events of groups with a retention
	// policy are checked for expiry and deleted. Default 5 minutes.
	RetentionInterval time.Duration
}

// DefaultMaxBytes is the default of Config.MaxBytes.
const DefaultMaxBytes = 1 << 30

const (
	// closeTimeout bounds how long Close waits for outstanding writes.
	closeTimeout = 10 * time.Second
	// ackTimeout is how long an asynchronous write waits for its ack
	// before it is reported as failed.
	ackTimeout = 30 * time.Second
	// maxPendingAcks is how many writes may wait for their ack at once;
	// beyond it WriteLogs waits up to stallWait for room, then fails with
	// ETHROTTLED: the server does not keep up with the writers.
	maxPendingAcks = 4096
	stallWait      = 2 * time.Second
)

// Store is the CloudWatch Logs store. It implements eddy.LogService.
type Store struct {
	cfg Config
	log *slog.Logger

	// Set by Open, read-only afterwards.
	pub     jetstream.JetStream // own context, so Close waits only for our writes
	stream  jetstream.Stream
	groups  jetstream.KeyValue
	streams jetstream.KeyValue
	opened  bool

	// mu guards known: the groups, and the streams of each group, that this
	// node knows to exist, so that steady-state writes do no KV writes; and
	// future: the FutureUntil of groups that this node knows is recorded.
	mu     sync.Mutex
	known  map[string]map[string]bool
	future map[string]int64

	// closeMu guards closed and sends on acks: WriteLogs holds it for
	// reading while it publishes, Close for writing when it closes acks.
	closeMu sync.RWMutex
	closed  bool
	acks    chan jetstream.PubAckFuture

	stopWatch context.CancelFunc // stops the watch and retention goroutines
	watcher   jetstream.KeyWatcher
	ackDone   chan struct{}  // closed when the ack goroutine returns
	wg        sync.WaitGroup // the ack, watch and retention goroutines
	closeOnce sync.Once
}

var _ eddy.LogService = (*Store)(nil)

// NewStore returns a Store for cfg with defaults filled in. Call Open before
// using it.
func NewStore(cfg Config) *Store {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RetentionInterval <= 0 {
		cfg.RetentionInterval = DefaultRetentionInterval
	}
	return &Store{
		cfg:     cfg,
		log:     cfg.Logger,
		known:   map[string]map[string]bool{},
		future:  map[string]int64{},
		acks:    make(chan jetstream.PubAckFuture, maxPendingAcks),
		ackDone: make(chan struct{}),
	}
}

// Open creates the stream and buckets if they do not exist and starts the
// goroutines that check write acks, follow deletions of groups and delete
// expired events.
func (s *Store) Open(ctx context.Context) error {
	e := s.cfg.Engine
	if e == nil || e.JS == nil {
		return errors.New("logs: open: engine is not open")
	}
	if s.opened {
		return errors.New("logs: open: already open")
	}
	stream, err := e.Stream(ctx, jetstream.StreamConfig{
		Name:        StreamName,
		Description: "eddy: CloudWatch Logs events",
		Subjects:    []string{subjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxBytes:    s.cfg.MaxBytes,
		AllowDirect: true,
	})
	if err != nil {
		return fmt.Errorf("logs: open: %w", err)
	}
	groups, err := e.KeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      GroupBucket,
		Description: "eddy: CloudWatch Logs groups",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return fmt.Errorf("logs: open: %w", err)
	}
	streams, err := e.KeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      StreamBucket,
		Description: "eddy: CloudWatch Logs streams",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return fmt.Errorf("logs: open: %w", err)
	}
	pub, err := jetstream.New(e.Conn,
		jetstream.WithPublishAsyncMaxPending(maxPendingAcks),
		jetstream.WithPublishAsyncTimeout(ackTimeout))
	if err != nil {
		return fmt.Errorf("logs: open: %w", err)
	}
	// The watch outlives ctx, which may belong to one request.
	wctx, cancel := context.WithCancel(context.Background())
	w, err := groups.WatchAll(wctx, jetstream.UpdatesOnly())
	if err != nil {
		cancel()
		return fmt.Errorf("logs: open: watch groups: %w", err)
	}
	s.stream, s.groups, s.streams, s.pub = stream, groups, streams, pub
	s.watcher, s.stopWatch = w, cancel
	s.opened = true
	s.wg.Add(3)
	go s.checkAcks()
	go s.followDeletes(wctx, w)
	go s.enforceRetention(wctx)
	return nil
}

// Close waits, for a bounded time, until the outstanding writes are
// acknowledged, then stops the goroutines of the store. Safe to call twice.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeMu.Lock()
		s.closed = true
		close(s.acks)
		s.closeMu.Unlock()
		if !s.opened {
			return
		}
		select {
		case <-s.ackDone:
		case <-time.After(closeTimeout):
			s.log.Warn("logs: close: writes still unacknowledged", "pending", s.pub.PublishAsyncPending())
		}
		// Fails what is still pending, so that checkAcks returns, and
		// removes the reply subscription.
		s.pub.CleanupPublisher()
		s.stopWatch()
		if err := s.watcher.Stop(); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			s.log.Debug("logs: close: stop watch", "error", err)
		}
		s.wg.Wait()
	})
	return nil
}

// checkAcks reports writes that the server did not acknowledge.
func (s *Store) checkAcks() {
	defer s.wg.Done()
	defer close(s.ackDone)
	for f := range s.acks {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			s.log.Error("logs: write failed", "subject", f.Msg().Subject, "error", err)
		}
	}
}

// followDeletes forgets the groups that are deleted, on this node or
// another, so that the next write creates them again.
func (s *Store) followDeletes(ctx context.Context, w jetstream.KeyWatcher) {
	defer s.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case entry, ok := <-w.Updates():
			if !ok {
				return
			}
			if entry == nil || entry.Operation() == jetstream.KeyValuePut {
				continue
			}
			if group, ok := engine.DecodeKey(entry.Key()); ok {
				s.forget(group)
			}
		}
	}
}

func (s *Store) forget(group string) {
	s.mu.Lock()
	delete(s.known, group)
	delete(s.future, group)
	s.mu.Unlock()
}

func (s *Store) ready() error {
	if !s.opened {
		return eddy.Errorf(eddy.EUNAVAIL, "The log store is not open.")
	}
	return nil
}

// now returns the store's clock in Unix milliseconds.
func (s *Store) now() int64 { return s.cfg.Now().UnixMilli() }

func groupSubject(group string) string {
	return subjectPrefix + engine.EncodeKey(group) + ".*"
}

func streamSubject(group, stream string) string {
	return subjectPrefix + engine.EncodeKey(group) + "." + engine.EncodeKey(stream)
}

func streamKey(group, stream string) string {
	return engine.EncodeKey(group) + "." + engine.EncodeKey(stream)
}
