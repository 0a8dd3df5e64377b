package invoke

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	asyncStream   = "EDDY_ASYNC"
	asyncSubject  = "async.events"
	asyncConsumer = "eddy-async"
)

// Event headers. An event's payload is the message data, unchanged; what
// eddy knows about it travels in these headers.
const (
	hRegion        = "Eddy-Region"
	hFunction      = "Eddy-Function"
	hQualifier     = "Eddy-Qualifier"
	hRequestID     = "Eddy-Request-Id"
	hClientContext = "Eddy-Client-Context"
	hAccepted      = "Eddy-Accepted"   // RFC 3339, nanoseconds
	hAttempts      = "Eddy-Attempts"   // invocations made so far
	hNotBefore     = "Eddy-Not-Before" // RFC 3339: the next attempt waits until then
	hLastStatus    = "Eddy-Last-Status"
	hLastError     = "Eddy-Last-Function-Error"
	hLastVersion   = "Eddy-Last-Version"
)

// event is an accepted asynchronous invocation.
type event struct {
	Region, Function, Qualifier, RequestID, ClientContext string
	Payload                                               []byte
	Accepted                                              time.Time
	Attempts                                              int
	NotBefore                                             time.Time
	// The outcome of the last attempt, for a later EventAgeExceeded record.
	LastStatus             int
	LastError, LastVersion string
}

func newEvent(req *eddy.InvokeRequest) *event {
	return &event{
		Region: req.Region, Function: req.FunctionName, Qualifier: req.Qualifier, RequestID: req.RequestID,
		ClientContext: req.ClientContext, Payload: req.Payload, Accepted: time.Now().UTC(),
	}
}

func (e *event) message() *nats.Msg {
	m := nats.NewMsg(asyncSubject)
	m.Data = e.Payload
	h := m.Header
	h.Set(hRegion, e.Region)
	h.Set(hFunction, e.Function)
	h.Set(hRequestID, e.RequestID)
	h.Set(hAccepted, e.Accepted.Format(time.RFC3339Nano))
	if e.Qualifier != "" {
		h.Set(hQualifier, e.Qualifier)
	}
	if e.ClientContext != "" {
		h.Set(hClientContext, e.ClientContext)
	}
	if e.Attempts > 0 {
		h.Set(hAttempts, strconv.Itoa(e.Attempts))
		h.Set(hLastStatus, strconv.Itoa(e.LastStatus))
		h.Set(hLastVersion, e.LastVersion)
		if e.LastError != "" {
			h.Set(hLastError, e.LastError)
		}
	}
	if !e.NotBefore.IsZero() {
		h.Set(hNotBefore, e.NotBefore.Format(time.RFC3339Nano))
	}
	// A retry is a new message: its id must differ from the original's.
	h.Set(nats.MsgIdHdr, e.RequestID+"/"+strconv.Itoa(e.Attempts))
	return m
}

func parseEvent(m jetstream.Msg) (*event, error) {
	h := m.Headers()
	e := &event{
		Region: h.Get(hRegion), Function: h.Get(hFunction), Qualifier: h.Get(hQualifier),
		RequestID: h.Get(hRequestID), ClientContext: h.Get(hClientContext), Payload: m.Data(),
		LastError: h.Get(hLastError), LastVersion: h.Get(hLastVersion),
	}
	var err error
	if e.Accepted, err = time.Parse(time.RFC3339Nano, h.Get(hAccepted)); err != nil {
		return nil, fmt.Errorf("event accepted time: %w", err)
	}
	if s := h.Get(hAttempts); s != "" {
		if e.Attempts, err = strconv.Atoi(s); err != nil {
			return nil, fmt.Errorf("event attempts: %w", err)
		}
		e.LastStatus, _ = strconv.Atoi(h.Get(hLastStatus))
	}
	if s := h.Get(hNotBefore); s != "" {
		if e.NotBefore, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return nil, fmt.Errorf("event not-before time: %w", err)
		}
	}
	if e.Region == "" || e.Function == "" || e.RequestID == "" {
		return nil, errors.New("event without region, function or request id")
	}
	return e, nil
}

// Open creates the async work queue.
func (s *Service) Open(ctx context.Context) error {
	st, err := s.Engine.Stream(ctx, jetstream.StreamConfig{
		Name:       asyncStream,
		Subjects:   []string{"async.>"},
		Retention:  jetstream.WorkQueuePolicy,
		Storage:    jetstream.FileStorage,
		Duplicates: 2 * time.Minute,
	})
	if err != nil {
		return err
	}
	s.stream = st
	return nil
}

// enqueue stores an event durably; the caller answers 202 only after it.
func (s *Service) enqueue(ctx context.Context, e *event) error {
	if _, err := s.Engine.JS.PublishMsg(ctx, e.message()); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

// Start pulls queued events and runs them until Close.
func (s *Service) Start(ctx context.Context) error {
	cons, err := s.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       asyncConsumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.Config.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: 10000,
		FilterSubject: asyncSubject,
	})
	if err != nil {
		return fmt.Errorf("invoke: async consumer: %w", err)
	}
	rctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	// Each worker takes one event when it is free, so no event waits in a
	// buffer without a heartbeat (and, past AckWait, runs twice).
	for i := 0; i < s.Config.Workers; i++ {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for rctx.Err() == nil {
				batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
				if err != nil {
					select {
					case <-rctx.Done():
					case <-time.After(100 * time.Millisecond):
					}
					continue
				}
				for m := range batch.Messages() {
					if rctx.Err() != nil {
						_ = m.Nak() // not started: another node, or a restart, runs it
						continue
					}
					s.run(rctx, m)
				}
			}
		}()
	}
	if s.Metrics != nil {
		s.wg.Add(1)
		go s.reportBacklog(rctx)
	}
	return nil
}

// reportBacklog keeps the queued-events gauge current.
func (s *Service) reportBacklog(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if info, err := s.stream.Info(ctx); err == nil {
			s.Metrics.SetAsyncBacklog(int(info.State.Msgs))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
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

// run takes one event through one attempt.
func (s *Service) run(ctx context.Context, m jetstream.Msg) {
	e, err := parseEvent(m)
	if err != nil {
		s.Logger.Error("invoke: unreadable event dropped", "err", err)
		_ = m.Term()
		return
	}
	now := time.Now()
	if wait := e.NotBefore.Sub(now); wait > 0 {
		_ = m.NakWithDelay(wait)
		return
	}
	if s.Metrics != nil && e.Attempts == 0 {
		s.Metrics.AsyncDequeued(e.Function, now.Sub(e.Accepted))
	}
	fn, err := s.resolve(ctx, e.Region, e.Function, e.Qualifier)
	if eddy.ErrorCode(err) == eddy.ENOTFOUND {
		s.Logger.Warn("invoke: event dropped, function gone", "function", e.Function, "request_id", e.RequestID)
		s.drop(e.Function, "function_deleted")
		_ = m.Ack()
		return
	}
	if err != nil {
		_ = m.NakWithDelay(time.Second)
		return
	}
	cfg := s.eventConfig(ctx, e)
	if now.Sub(e.Accepted) > cfg.MaxAge() {
		s.fail(ctx, e, fn, cfg, "EventAgeExceeded", nil)
		_ = m.Ack()
		return
	}

	// Keep the event ours while it runs, however long the function takes.
	hb, stop := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(s.Config.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-hb.Done():
				return
			case <-t.C:
				_ = m.InProgress()
			}
		}
	}()
	req := &eddy.InvokeRequest{
		Region: e.Region, FunctionName: e.Function, Qualifier: e.Qualifier, Type: eddy.InvokeEvent,
		Payload: e.Payload, ClientContext: e.ClientContext, RequestID: e.RequestID,
	}
	res, err := s.Runtime.Invoke(ctx, fn, req)
	stop()

	switch {
	case eddy.ErrorCode(err) == eddy.ETHROTTLED:
		// Throttled: back off exponentially, up to the event's age limit.
		md, _ := m.Metadata()
		n := uint64(1)
		if md != nil {
			n = md.NumDelivered
		}
		_ = m.NakWithDelay(s.throttleDelay(n))
		return
	case err != nil:
		s.Logger.Warn("invoke: event not run", "function", e.Function, "request_id", e.RequestID, "err", err)
		_ = m.NakWithDelay(time.Second)
		return
	}
	e.Attempts++
	e.LastStatus, e.LastError, e.LastVersion = res.StatusCode, res.FunctionError, res.ExecutedVersion
	if res.FunctionError == "" {
		s.succeed(ctx, e, fn, cfg, res)
		_ = m.Ack()
		return
	}
	if e.Attempts <= cfg.Retries() {
		retry := *e
		retry.NotBefore = time.Now().Add(time.Duration(e.Attempts) * s.Config.RetryDelay)
		if err := s.enqueue(ctx, &retry); err != nil {
			_ = m.NakWithDelay(time.Second) // try this attempt's bookkeeping again
			return
		}
		if s.Metrics != nil {
			s.Metrics.AsyncRetried(e.Function)
		}
		_ = m.Ack()
		return
	}
	s.fail(ctx, e, fn, cfg, "RetriesExhausted", res)
	_ = m.Ack()
}

// throttleDelay is Lambda's backoff for throttled events: from one second,
// doubling, up to five minutes — scaled with RetryDelay like the retries.
func (s *Service) throttleDelay(n uint64) time.Duration {
	scale := float64(s.Config.RetryDelay) / float64(time.Minute)
	d := time.Duration(float64(time.Second) * scale)
	max := time.Duration(float64(5*time.Minute) * scale)
	for i := uint64(1); i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	if d < 10*time.Millisecond {
		d = 10 * time.Millisecond
	}
	return d
}

func (s *Service) drop(function, reason string) {
	if s.Metrics != nil {
		s.Metrics.AsyncDropped(function, reason)
	}
}

// eventConfig returns the asynchronous configuration for an event's
// qualifier, or the defaults.
func (s *Service) eventConfig(ctx context.Context, e *event) *eddy.EventInvokeConfig {
	if s.Versions == nil {
		return nil
	}
	q := e.Qualifier
	if q == "" {
		q = eddy.LatestVersion
	}
	cfg, err := s.Versions.GetEventInvokeConfig(ctx, e.Region, e.Function, q)
	if err != nil {
		return nil
	}
	return cfg
}
