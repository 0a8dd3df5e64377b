// Package eventbus is EventBridge on eddy: event buses, rules with event
// patterns or schedules, targets, PutEvents, and EventBridge Scheduler's
// schedules, delivered to functions and queues.
//
// Buses, rules (with their targets), schedule groups and schedules live in
// one JetStream key-value bucket. An accepted event, and every tick of a
// schedule, is a message of one stream; a durable consumer that every node
// shares delivers each message once to the targets it reaches. Any node may
// fire a schedule's tick: the tick's message carries the schedule's ARN and
// the tick's time as its message id, and JetStream drops a second message
// with the same id, so a tick fires once however many nodes fire it.
package eventbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/queues"
	"github.com/nats-io/nats.go/jetstream"
)

// Clock is the time source of the schedules: real time by default, a fake
// in tests.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Config is what the service needs.
type Config struct {
	Engine *engine.Engine
	// Invoker runs Lambda targets (asynchronous invocations); Queues
	// receives SQS targets' messages.
	Invoker eddy.Invoker
	Queues  queues.API
	Account string
	Region  string
	Logger  *slog.Logger
	NodeID  string
	// LeaseTTL bounds how long a delivery may stay unacknowledged before
	// another node takes it over (default 10 s).
	LeaseTTL time.Duration
	// Clock is the time source of the schedules (default real time).
	Clock Clock
	// Prefix names the bucket, stream and consumer (default "eventbus"),
	// so that tests can run several independent services on one engine.
	Prefix string
}

// Service is the event bus and scheduler.
type Service struct {
	cfg Config

	kv     jetstream.KeyValue
	stream jetstream.Stream
	cons   jetstream.ConsumeContext

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the watch, the firing loop and the deliveries

	mu     sync.Mutex                       // guards timers and wake
	timers map[string]*timer                // the schedules this node fires, by KV key
	wake   chan struct{}                    // signals the firing loop that timers changed
	idleAt time.Time                        // when the firing loop last went to sleep (zero: awake)
	fired  func(key string, tick time.Time) // a test hook, called after a tick is published

	patterns sync.Map // compiled event patterns by their text

	closeOnce sync.Once
}

// NewService returns a service for cfg with defaults filled in; Open starts it.
func NewService(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 10 * time.Second
	}
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "eventbus"
	}
	return &Service{cfg: cfg, timers: map[string]*timer{}, wake: make(chan struct{}, 1)}
}

// dupWindow is how long JetStream remembers a message id: a tick fired by
// one node and again by another (or by a node that restarted) within it is
// dropped.
const dupWindow = time.Hour

// deliveryWorkers is how many deliveries a node runs at once.
const deliveryWorkers = 16

// Open creates the catalog and the event stream, and starts watching the
// schedules, firing their ticks and delivering events.
func (s *Service) Open(ctx context.Context) error {
	if s.cfg.Engine == nil {
		return errors.New("eventbus: no engine")
	}
	var err error
	s.kv, err = s.cfg.Engine.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: s.cfg.Prefix})
	if err != nil {
		return fmt.Errorf("eventbus: catalog: %w", err)
	}
	s.stream, err = s.cfg.Engine.Stream(ctx, jetstream.StreamConfig{
		Name: s.cfg.Prefix + "-events", Subjects: []string{s.cfg.Prefix + ".event.>"},
		Retention: jetstream.WorkQueuePolicy, Duplicates: dupWindow, MaxAge: 24 * time.Hour,
	})
	if err != nil {
		return fmt.Errorf("eventbus: stream: %w", err)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := engine.WatchAll(s.ctx, s.kv, &s.wg, s.apply); err != nil {
		return err
	}
	cons, err := s.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: "deliver", AckPolicy: jetstream.AckExplicitPolicy, AckWait: s.cfg.LeaseTTL,
		MaxDeliver: -1, MaxAckPending: 256,
	})
	if err != nil {
		return fmt.Errorf("eventbus: consumer: %w", err)
	}
	// Deliveries run concurrently, a few at a time; a small pull keeps
	// messages from waiting in this node's buffer past their AckWait.
	sem := make(chan struct{}, deliveryWorkers)
	s.cons, err = cons.Consume(func(msg jetstream.Msg) {
		sem <- struct{}{}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-sem }()
			s.handle(msg)
		}()
	}, jetstream.PullMaxMessages(deliveryWorkers))
	if err != nil {
		return fmt.Errorf("eventbus: consume: %w", err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.fireLoop()
	}()
	return nil
}

// Close stops firing and delivering and waits for it; safe twice.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		if s.cons != nil {
			s.cons.Drain()
			select {
			case <-s.cons.Closed():
			case <-time.After(5 * time.Second):
				s.cons.Stop()
			}
		}
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
	})
	return nil
}
