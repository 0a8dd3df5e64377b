// Package invoke runs invocations: synchronous ones on this node's runtime,
// asynchronous ones through a durable JetStream work queue that every node
// pulls from. An accepted event is never lost: it is acknowledged to the
// client only once JetStream has it, it is retried on function errors and
// throttles as Lambda retries, and when it cannot succeed it goes to the
// function's failure destination and dead-letter queue.
package invoke

import (
	"context"
	"encoding/json"
	"log/slog"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/queues"
	"github.com/nats-io/nats.go/jetstream"
)

// Config tunes the asynchronous machinery. Field comments are user
// documentation.
type Config struct {
	// RetryDelay is the delay before the first retry of a failed event; the
	// second waits twice as long. Lambda's is about a minute; tests and
	// development shorten it.
	RetryDelay time.Duration
	// AckWait is how long an event may run on a node that stops answering
	// (crashed) before another node takes it over. Running events are
	// kept alive with heartbeats, so this bounds only the takeover delay.
	AckWait time.Duration
	// Workers is how many events this node runs at once (default four per
	// CPU, at least 8). More workers help functions that mostly wait (on
	// the network, say); on a saturated machine fewer keep accepting fast.
	Workers int
}

// Service implements eddy.Invoker.
type Service struct {
	Functions eddy.FunctionService
	Versions  eddy.VersionService
	Runtime   eddy.Runtime
	Engine    *engine.Engine
	Logger    *slog.Logger
	Config    Config
	// Metrics observes the asynchronous path; nil for none.
	Metrics AsyncMetrics
	// Queues receives records sent to queue destinations and events sent
	// to dead-letter queues; nil for none.
	Queues queues.API

	stream jetstream.Stream
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// AsyncMetrics is what the invoker reports about events.
type AsyncMetrics interface {
	AsyncQueued(function string)
	AsyncDequeued(function string, age time.Duration)
	AsyncRetried(function string)
	AsyncDropped(function, reason string)
	DestinationDelivery(function, condition, destinationType string, ok bool)
	SetAsyncBacklog(n int)
}

// NewService returns an invoker with defaults filled in. Open prepares its
// queue; Start starts pulling events.
func NewService(fns eddy.FunctionService, versions eddy.VersionService, rt eddy.Runtime, e *engine.Engine, cfg Config, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = time.Minute
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = 30 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = max(8, 4*goruntime.NumCPU())
	}
	return &Service{Functions: fns, Versions: versions, Runtime: rt, Engine: e, Config: cfg, Logger: logger}
}

// Invoke runs or enqueues req according to its type.
func (s *Service) Invoke(ctx context.Context, req *eddy.InvokeRequest) (*eddy.InvokeResult, error) {
	if req.RequestID == "" {
		req.RequestID = eddy.NewID()
	}
	if req.Type == "" {
		req.Type = eddy.InvokeRequestResponse
	}
	switch req.Type {
	case eddy.InvokeRequestResponse, eddy.InvokeEvent, eddy.InvokeDryRun:
	default:
		return nil, eddy.ValidationError(req.Type, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	fn, err := s.resolve(ctx, req.Region, req.FunctionName, req.Qualifier)
	if err != nil {
		return nil, err
	}
	if len(req.Payload) > 0 && !json.Valid(req.Payload) {
		return nil, eddy.TypedErrorf(eddy.EMALFORMED, "InvalidRequestContentException",
			"Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	switch req.Type {
	case eddy.InvokeDryRun:
		return &eddy.InvokeResult{StatusCode: 204}, nil
	case eddy.InvokeEvent:
		if len(req.Payload) > eddy.MaxAsyncPayload {
			return nil, tooLarge(eddy.MaxAsyncPayload, "InvokeAsync")
		}
		if err := s.enqueue(ctx, newEvent(req)); err != nil {
			return nil, err
		}
		if s.Metrics != nil {
			s.Metrics.AsyncQueued(req.FunctionName)
		}
		return &eddy.InvokeResult{StatusCode: 202}, nil
	}
	if len(req.Payload) > eddy.MaxSyncPayload {
		return nil, tooLarge(eddy.MaxSyncPayload, "Invoke")
	}
	return s.Runtime.Invoke(ctx, fn, req)
}

func tooLarge(limit int, op string) error {
	return eddy.TypedErrorf(eddy.ETOOLARGE, "RequestTooLargeException",
		"Request must be smaller than %d bytes for the %s operation", limit, op)
}

// resolve finds the version an invocation at qualifier runs, with the
// function's reserved concurrency filled in.
func (s *Service) resolve(ctx context.Context, region, name, qualifier string) (*eddy.Function, error) {
	var fn *eddy.Function
	var err error
	if s.Versions != nil {
		fn, err = s.Versions.ResolveInvoke(ctx, region, name, qualifier)
	} else {
		fn, err = s.Functions.GetFunction(ctx, region, name)
		if err == nil && qualifier != "" && qualifier != eddy.LatestVersion {
			err = eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Function not found: %s:%s", fn.ARN(), qualifier)
		}
	}
	if err != nil {
		return nil, err
	}
	if s.Versions != nil {
		if rc, err := s.Versions.GetFunctionConcurrency(ctx, region, name); err == nil {
			fn.ReservedConcurrency = rc
		}
	}
	return fn, nil
}
