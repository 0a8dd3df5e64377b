package queues

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	metaBucket  = "eddy_queues"
	leaseBucket = "eddy_queue_leases"
	// requestPrefix is the subject prefix on which a queue's owner answers
	// the operations other nodes forward to it.
	requestPrefix = "eddy.sqs."
)

// Config configures the service. NewService fills in defaults.
type Config struct {
	Engine  *engine.Engine
	Account string
	Region  string
	// Endpoint is the scheme and host of queue URLs when the request does
	// not say (WithEndpoint), for example "http://localhost:4566".
	Endpoint string
	Logger   *slog.Logger
	// NodeID names this node as the owner of queues (default: the
	// engine's).
	NodeID string
	// LeaseTTL is how long a queue stays with a node that stopped renewing
	// its ownership (default 10 s).
	LeaseTTL time.Duration
	// CacheBytes bounds the message bodies kept in memory; beyond it
	// bodies are read from the stream when received (default 256 MiB).
	CacheBytes int64
	// RetentionInterval is how often messages past their queue's retention
	// period are looked for (default 10 s).
	RetentionInterval time.Duration
	// Now returns the time (default time.Now).
	Now func() time.Time
}

// Service is eddy's SQS.
type Service struct {
	cfg    Config
	kv     jetstream.KeyValue
	leases jetstream.KeyValue

	mu       sync.Mutex
	metas    map[string]*meta  // by name, from the watch
	revs     map[string]uint64 // catalog revision by name
	owned    map[string]*queue // by queue id
	opening  map[string]bool   // queue ids being claimed
	openedAt time.Time
	cached   atomic.Int64

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ API = (*Service)(nil)

// NewService returns a service with defaults filled in; Open starts it.
func NewService(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = "http://localhost:4566"
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 10 * time.Second
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = 256 << 20
	}
	if cfg.RetentionInterval <= 0 {
		cfg.RetentionInterval = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NodeID == "" && cfg.Engine != nil {
		cfg.NodeID = cfg.Engine.NodeID()
	}
	return &Service{cfg: cfg, metas: map[string]*meta{}, revs: map[string]uint64{}, owned: map[string]*queue{}, opening: map[string]bool{}}
}

// Open prepares the service's buckets, loads the catalog and starts
// serving the queues this node owns.
func (s *Service) Open(ctx context.Context) error {
	e := s.cfg.Engine
	var err error
	if s.kv, err = e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: metaBucket, History: 1}); err != nil {
		return fmt.Errorf("queues: %w", err)
	}
	if s.leases, err = e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: leaseBucket, TTL: s.cfg.LeaseTTL}); err != nil {
		return fmt.Errorf("queues: %w", err)
	}
	s.openedAt = time.Now()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := engine.WatchAll(s.ctx, s.kv, &s.wg, s.apply); err != nil {
		return fmt.Errorf("queues: %w", err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.claimLoop()
	}()
	return nil
}

// Close stops serving queues.
func (s *Service) Close() error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.mu.Lock()
	qs := make([]*queue, 0, len(s.owned))
	for _, q := range s.owned {
		qs = append(qs, q)
	}
	s.owned = map[string]*queue{}
	s.mu.Unlock()
	for _, q := range qs {
		q.close()
		q.lease.release()
	}
	s.wg.Wait()
	return nil
}

// apply applies a catalog change.
func (s *Service) apply(ent jetstream.KeyValueEntry) {
	name := ent.Key()
	s.mu.Lock()
	if ent.Operation() == jetstream.KeyValuePut && ent.Revision() < s.revs[name] {
		s.mu.Unlock() // older than a change this node applied itself
		return
	}
	var m *meta
	if ent.Operation() == jetstream.KeyValuePut {
		m = &meta{}
		if err := json.Unmarshal(ent.Value(), m); err != nil {
			s.cfg.Logger.Warn("queues: unreadable queue", "queue", name, "err", err)
			m = nil
		}
	}
	old := s.metas[name]
	if m == nil {
		delete(s.metas, name)
		s.revs[name] = ent.Revision() // so that an older read cannot bring it back
	} else {
		s.metas[name] = m.cache()
		s.revs[name] = ent.Revision()
	}
	var drop *queue
	if old != nil && (m == nil || m.ID != old.ID) {
		drop = s.owned[old.ID]
		delete(s.owned, old.ID)
	} else if m != nil {
		if q := s.owned[m.ID]; q != nil {
			q.setSettings(m.settings())
		}
	}
	s.mu.Unlock()
	if drop != nil {
		go func() {
			drop.close()
			drop.lease.release()
		}()
	}
	if m != nil && (old == nil || old.ID != m.ID) {
		go func() { _, _ = s.claim(s.ctx, m) }()
	}
}

// metaByName returns the definition of a queue, or nil.
// A name this node has not seen is looked up in the catalog itself: another
// node may have created the queue a moment before this node's watch brings it.
func (s *Service) metaByName(name string) *meta {
	s.mu.Lock()
	m := s.metas[name]
	s.mu.Unlock()
	if m != nil || name == "" {
		return m
	}
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
	defer cancel()
	ent, err := s.kv.Get(ctx, name)
	if err != nil {
		return nil
	}
	s.apply(ent)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.metas[name]
}

// claimLoop keeps trying to own the queues nobody serves (their owner
// stopped).
func (s *Service) claimLoop() {
	t := time.NewTicker(s.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		var ms []*meta
		for _, m := range s.metas {
			if s.owned[m.ID] == nil {
				ms = append(ms, m)
			}
		}
		s.mu.Unlock()
		for _, m := range ms {
			if _, err := s.claim(s.ctx, m); err != nil && s.ctx.Err() == nil {
				s.cfg.Logger.Warn("queues: claim", "queue", m.Name, "err", err)
			}
		}
	}
}

// claim makes this node the owner of m if nobody else is, and returns the
// open queue if this node owns it.
func (s *Service) claim(ctx context.Context, m *meta) (*queue, error) {
	s.mu.Lock()
	if q := s.owned[m.ID]; q != nil {
		s.mu.Unlock()
		return q, nil
	}
	if s.opening[m.ID] || s.ctx.Err() != nil {
		s.mu.Unlock()
		return nil, nil
	}
	s.opening[m.ID] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.opening, m.ID)
		s.mu.Unlock()
	}()
	l, err := s.acquire(ctx, m.ID)
	if err != nil || l == nil {
		return nil, err
	}
	q, err := s.openQueue(m, l)
	if err != nil {
		l.release()
		return nil, err
	}
	sub, err := s.cfg.Engine.Conn.Subscribe(requestPrefix+m.ID, func(nm *nats.Msg) { go s.serveRemote(q, nm) })
	if err != nil {
		q.close()
		l.release()
		return nil, fmt.Errorf("queues: serve %s: %w", m.Name, err)
	}
	s.mu.Lock()
	if cur := s.metas[m.Name]; cur == nil || cur.ID != m.ID || s.ctx.Err() != nil {
		s.mu.Unlock()
		_ = sub.Unsubscribe()
		q.close()
		l.release()
		return nil, nil
	}
	s.owned[m.ID] = q
	s.mu.Unlock()
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		<-q.ctxDone()
		_ = sub.Unsubscribe()
	}()
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		l.keep(q.ctxDone(), func() {
			s.mu.Lock()
			if s.owned[m.ID] == q {
				delete(s.owned, m.ID)
			}
			s.mu.Unlock()
			go q.close()
		})
	}()
	return q, nil
}

// owner returns the open queue when this node owns m, after its replay;
// nil when another node does.
func (s *Service) owner(ctx context.Context, m *meta) (*queue, error) {
	s.mu.Lock()
	q := s.owned[m.ID]
	s.mu.Unlock()
	if q == nil {
		var err error
		if q, err = s.claim(ctx, m); err != nil {
			return nil, err
		}
	}
	if q == nil {
		return nil, nil
	}
	if err := q.waitReady(ctx); err != nil {
		return nil, err
	}
	return q, nil
}

// remoteRequest is an operation forwarded to a queue's owner.
type remoteRequest struct {
	Op       string          `json:"op"`
	Endpoint string          `json:"ep"`
	In       json.RawMessage `json:"in"`
}

type remoteReply struct {
	Out json.RawMessage `json:"out,omitempty"`
	Err *eddy.Error     `json:"err,omitempty"`
}

// ops are the operations a queue's owner serves, by name.
var ops = map[string]func(ctx context.Context, q *queue, raw []byte) (any, error){}

// register makes f an operation the owner serves for other nodes.
func register[I any, O any](name string, f func(context.Context, *queue, *I) (O, error)) func(context.Context, *queue, *I) (O, error) {
	ops[name] = func(ctx context.Context, q *queue, raw []byte) (any, error) {
		in := new(I)
		if err := json.Unmarshal(raw, in); err != nil {
			return nil, err
		}
		return f(ctx, q, in)
	}
	return f
}

// onOwner runs op for the queue m on its owner: here, or on the node that
// owns it.
func onOwner[I any, O any](ctx context.Context, s *Service, m *meta, op string, f func(context.Context, *queue, *I) (O, error), in *I, out O) (O, error) {
	deadline := time.Now().Add(s.cfg.LeaseTTL + 5*time.Second)
	for {
		q, err := s.owner(ctx, m)
		if err != nil {
			return out, err
		}
		if q != nil {
			return f(ctx, q, in)
		}
		raw, _ := json.Marshal(in)
		req, _ := json.Marshal(remoteRequest{Op: op, Endpoint: endpointOf(ctx, s.cfg.Endpoint), In: raw})
		rctx, cancel := context.WithTimeout(ctx, 35*time.Second)
		resp, err := s.cfg.Engine.Conn.RequestWithContext(rctx, requestPrefix+m.ID, req)
		cancel()
		if err == nil {
			var rep remoteReply
			if err := json.Unmarshal(resp.Data, &rep); err != nil {
				return out, fmt.Errorf("queues: reply from owner: %w", err)
			}
			if rep.Err != nil {
				return out, rep.Err
			}
			if err := json.Unmarshal(rep.Out, out); err != nil {
				return out, fmt.Errorf("queues: reply from owner: %w", err)
			}
			return out, nil
		}
		if !errors.Is(err, nats.ErrNoResponders) || time.Now().After(deadline) {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			return out, eddy.TypedErrorf(eddy.EUNAVAIL, "ServiceUnavailable", "The queue %s is moving to another node; try again.", m.Name)
		}
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// serveRemote answers an operation another node forwarded.
func (s *Service) serveRemote(q *queue, nm *nats.Msg) {
	var req remoteRequest
	reply := func(out any, err error) {
		var rep remoteReply
		if err != nil {
			rep.Err = eddy.AsError(err)
			if rep.Err == nil {
				s.cfg.Logger.Error("queues: forwarded operation", "queue", q.name, "op", req.Op, "err", err)
				rep.Err = eddy.Errorf(eddy.EINTERNAL, "An internal error occurred.")
			}
		} else {
			rep.Out, _ = json.Marshal(out)
		}
		data, _ := json.Marshal(rep)
		_ = nm.Respond(data)
	}
	if err := json.Unmarshal(nm.Data, &req); err != nil {
		reply(nil, eddy.Errorf(eddy.EMALFORMED, "unreadable forwarded request"))
		return
	}
	f := ops[req.Op]
	if f == nil {
		reply(nil, eddy.Errorf(eddy.EUNSUPPORT, "unknown forwarded operation %s", req.Op))
		return
	}
	ctx, cancel := context.WithTimeout(q.ctx(), 30*time.Second)
	defer cancel()
	ctx = WithEndpoint(ctx, req.Endpoint)
	if err := q.waitReady(ctx); err != nil {
		reply(nil, err)
		return
	}
	out, err := f(ctx, q, req.In)
	reply(out, err)
}
