// Package invoke runs invocations: synchronous ones on this node's runtime,
// asynchronous ones through a durable JetStream work queue that every node
// pulls from, so that an accepted event is never lost.
package invoke

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
	"github.com/nats-io/nats.go/jetstream"
)

const (
	asyncStream   = "EDDY_ASYNC"
	asyncSubject  = "async.events"
	asyncConsumer = "eddy-async"
)

// Service implements eddy.Invoker.
type Service struct {
	Functions eddy.FunctionService
	Runtime   eddy.Runtime
	Engine    *engine.Engine
	Logger    *slog.Logger
	// AsyncWorkers is how many events this node runs at once (default 16).
	AsyncWorkers int

	stream jetstream.Stream
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewService returns an invoker. Open prepares its async queue; Start starts
// pulling events.
func NewService(fns eddy.FunctionService, rt eddy.Runtime, e *engine.Engine, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{Functions: fns, Runtime: rt, Engine: e, Logger: logger, AsyncWorkers: 16}
}

// Open creates the async work queue.
func (s *Service) Open(ctx context.Context) error {
	st, err := s.Engine.Stream(ctx, jetstream.StreamConfig{
		Name:      asyncStream,
		Subjects:  []string{"async.>"},
		Retention: jetstream.WorkQueuePolicy,
		Storage:   jetstream.FileStorage,
	})
	if err != nil {
		return err
	}
	s.stream = st
	return nil
}

// event is an accepted asynchronous invocation as it waits in the queue.
type event struct {
	Region        string    `json:"region"`
	Function      string    `json:"function"`
	Qualifier     string    `json:"qualifier,omitempty"`
	RequestID     string    `json:"request_id"`
	Payload       []byte    `json:"payload"`
	ClientContext string    `json:"client_context,omitempty"`
	Accepted      time.Time `json:"accepted"`
}

// Invoke runs or enqueues req according to its type.
func (s *Service) Invoke(ctx context.Context, req *eddy.InvokeRequest) (*eddy.InvokeResult, error) {
	if req.RequestID == "" {
		req.RequestID = eddy.NewID()
	}
	if req.Type == "" {
		req.Type = eddy.InvokeRequestResponse
	}
	fn, err := s.resolve(ctx, req)
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
		if err := s.enqueue(ctx, req); err != nil {
			return nil, err
		}
		return &eddy.InvokeResult{StatusCode: 202}, nil
	case eddy.InvokeRequestResponse:
		if len(req.Payload) > eddy.MaxSyncPayload {
			return nil, tooLarge(eddy.MaxSyncPayload, "Invoke")
		}
		return s.Runtime.Invoke(ctx, fn, req)
	}
	return nil, eddy.ValidationError(req.Type, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
}

func tooLarge(limit int, op string) error {
	return eddy.TypedErrorf(eddy.ETOOLARGE, "RequestTooLargeException",
		"Request must be smaller than %d bytes for the %s operation", limit, op)
}

// resolve finds the function and version a request names.
func (s *Service) resolve(ctx context.Context, req *eddy.InvokeRequest) (*eddy.Function, error) {
	fn, err := s.Functions.GetFunction(ctx, req.Region, req.FunctionName)
	if err != nil {
		return nil, err
	}
	switch req.Qualifier {
	case "", eddy.LatestVersion:
		return fn, nil
	}
	return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException",
		"Function not found: %s:%s", fn.ARN(), req.Qualifier)
}

func (s *Service) enqueue(ctx context.Context, req *eddy.InvokeRequest) error {
	data, err := json.Marshal(event{
		Region: req.Region, Function: req.FunctionName, Qualifier: req.Qualifier, RequestID: req.RequestID,
		Payload: req.Payload, ClientContext: req.ClientContext, Accepted: time.Now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	// The 202 goes out only after JetStream has acknowledged the event.
	if _, err := s.Engine.JS.Publish(ctx, asyncSubject, data, jetstream.WithMsgID(req.RequestID)); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

// Start pulls queued events and runs them until Close.
func (s *Service) Start(ctx context.Context) error {
	cons, err := s.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       asyncConsumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       16 * time.Minute, // beyond the longest function timeout
		MaxAckPending: 1000,
		FilterSubject: asyncSubject,
	})
	if err != nil {
		return fmt.Errorf("invoke: async consumer: %w", err)
	}
	rctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for i := 0; i < s.AsyncWorkers; i++ {
		s.wg.Add(1)
		go s.work(rctx, cons)
	}
	return nil
}

func (s *Service) work(ctx context.Context, cons jetstream.Consumer) {
	defer s.wg.Done()
	for ctx.Err() == nil {
		batch, err := cons.FetchNoWait(1)
		if err == nil {
			got := false
			for msg := range batch.Messages() {
				got = true
				s.run(ctx, msg)
			}
			if got {
				continue
			}
		}
		batch, err = cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
			continue
		}
		for msg := range batch.Messages() {
			s.run(ctx, msg)
		}
	}
}

func (s *Service) run(ctx context.Context, msg jetstream.Msg) {
	var ev event
	if err := json.Unmarshal(msg.Data(), &ev); err != nil {
		s.Logger.Error("invoke: bad queued event", "err", err)
		_ = msg.Term()
		return
	}
	req := &eddy.InvokeRequest{
		Region: ev.Region, FunctionName: ev.Function, Qualifier: ev.Qualifier, Type: eddy.InvokeRequestResponse,
		Payload: ev.Payload, ClientContext: ev.ClientContext, RequestID: ev.RequestID,
	}
	fn, err := s.resolve(ctx, req)
	if err != nil {
		// The function is gone: the event can never run.
		s.Logger.Warn("invoke: dropping event", "function", ev.Function, "request_id", ev.RequestID, "err", err)
		_ = msg.Ack()
		return
	}
	res, err := s.Runtime.Invoke(ctx, fn, req)
	switch {
	case err != nil:
		s.Logger.Warn("invoke: async", "function", ev.Function, "request_id", ev.RequestID, "err", err)
		_ = msg.NakWithDelay(time.Second)
	case res.FunctionError != "":
		s.Logger.Info("invoke: async function error", "function", ev.Function, "request_id", ev.RequestID)
		_ = msg.Ack()
	default:
		_ = msg.Ack()
	}
}

// Close stops pulling events and waits for the ones running.
func (s *Service) Close() error {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	return nil
}
