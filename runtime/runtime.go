// Package runtime runs Lambda functions as local processes. Each instance is
// one process with its own Runtime API listener on loopback, the Lambda
// environment and nothing else inherited; it serves one request at a time, is
// kept warm for reuse, and is reaped when idle. Instances of a function scale
// out under concurrent load up to a per-function cap.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
)

// Config configures a Manager. Field comments are user documentation.
type Config struct {
	// Code provides and unpacks deployment packages.
	Code eddy.CodeStore
	// Logs receives every instance's output and the START/END/REPORT lines.
	Logs eddy.LogWriter
	// Dir is this node's cache: unpacked code and the runtime clients.
	Dir string
	// Endpoint returns the address functions reach eddy's AWS APIs at; it
	// becomes AWS_ENDPOINT_URL in their environment.
	Endpoint func() string
	// MaxInstancesPerFunction caps the instances of one function (default 32).
	// Requests beyond it wait for an instance to become free.
	MaxInstancesPerFunction int
	// IdleTimeout is how long an unused instance is kept warm (default 5 min).
	IdleTimeout time.Duration
	// InitTimeout bounds a new instance's initialisation (default 10 s, as Lambda).
	InitTimeout time.Duration
	// Python and Node are the interpreters for the python3.x and nodejs*.x
	// runtimes; found on PATH when empty.
	Python string
	Node   string
	Logger *slog.Logger
}

// Manager runs function instances. It implements eddy.Runtime.
type Manager struct {
	cfg Config

	mu     sync.Mutex // guards pools and closed
	pools  map[string]*pool
	closed bool

	codeMu   sync.Mutex // guards codeDirs
	codeDirs map[string]*codeDir

	interpOnce sync.Once
	python     string
	node       string
	clientsErr error
	pyClient   string
	nodeClient string

	inflight sync.WaitGroup // invocations under way
	wg       sync.WaitGroup // the reaper and every instance's goroutines
	stop     chan struct{}
	stopOnce sync.Once
}

// New returns a Manager with defaults filled in. Start starts its reaper.
func New(cfg Config) *Manager {
	if cfg.MaxInstancesPerFunction <= 0 {
		cfg.MaxInstancesPerFunction = 32
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 5 * time.Minute
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(os.TempDir(), "eddy-runtime")
	}
	if cfg.Endpoint == nil {
		cfg.Endpoint = func() string { return "http://127.0.0.1:4566" }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Manager{cfg: cfg, pools: map[string]*pool{}, codeDirs: map[string]*codeDir{}, stop: make(chan struct{})}
}

// Start starts the reaper of idle instances.
func (m *Manager) Start() {
	m.wg.Add(1)
	go m.reap()
}

// Close lets invocations under way finish (until ctx is done), then stops
// every instance and waits for every goroutine. Safe twice.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	done := make(chan struct{})
	go func() { m.inflight.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("runtime: close: invocations still running: %w", ctx.Err())
	}
	m.stopOnce.Do(func() { close(m.stop) })
	m.mu.Lock()
	pools := make([]*pool, 0, len(m.pools))
	for _, p := range m.pools {
		pools = append(pools, p)
	}
	m.mu.Unlock()
	for _, p := range pools {
		p.stopAll()
	}
	m.wg.Wait()
	return err
}

// Stats counts instances.
type Stats struct {
	Instances int // live instances, idle or busy
	Idle      int
}

// FunctionStats returns the instance counts of a function.
func (m *Manager) FunctionStats(region, name string) Stats {
	m.mu.Lock()
	p := m.pools[region+"/"+name]
	m.mu.Unlock()
	if p == nil {
		return Stats{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Instances: p.count, Idle: len(p.idle)}
}

var errClosed = eddy.TypedErrorf(eddy.EUNAVAIL, "ServiceException", "eddy is shutting down")

func (m *Manager) pool(fn *eddy.Function) (*pool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	key := fn.Region + "/" + fn.Name
	p := m.pools[key]
	if p == nil {
		p = &pool{m: m}
		m.pools[key] = p
	}
	return p, nil
}

// Invoke runs req on an instance of fn and returns its outcome.
func (m *Manager) Invoke(ctx context.Context, fn *eddy.Function, req *eddy.InvokeRequest) (*eddy.InvokeResult, error) {
	if _, err := commandFor(fn.Runtime); err != nil {
		return nil, err
	}
	p, err := m.pool(fn)
	if err != nil {
		return nil, err
	}
	m.inflight.Add(1)
	defer m.inflight.Done()
	// An idle instance may have died since its last request (aws-lambda-go
	// exits after a panic); a request it never received is retried on
	// another instance.
	for attempt := 0; ; attempt++ {
		inst, cold, err := p.acquire(ctx, fn)
		if err != nil {
			return nil, err
		}
		res, delivered := inst.invoke(req, cold)
		p.release(inst)
		if delivered || cold || attempt >= 3 {
			return res, nil
		}
	}
}

func (m *Manager) reap() {
	defer m.wg.Done()
	every := m.cfg.IdleTimeout / 4
	if every < 100*time.Millisecond {
		every = 100 * time.Millisecond
	}
	if every > 30*time.Second {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
		m.mu.Lock()
		pools := make([]*pool, 0, len(m.pools))
		for _, p := range m.pools {
			pools = append(pools, p)
		}
		m.mu.Unlock()
		for _, p := range pools {
			p.reapIdle(time.Now().Add(-m.cfg.IdleTimeout))
		}
	}
}

// pool holds the instances of one function.
type pool struct {
	m *Manager

	mu      sync.Mutex // guards idle, count, waiters
	idle    []*instance
	all     map[*instance]struct{} // every started instance not yet retired
	count   int                    // instances alive or starting
	waiters []chan struct{}
}

// acquire returns an idle instance of fn's current revision, or starts one.
func (p *pool) acquire(ctx context.Context, fn *eddy.Function) (*instance, bool, error) {
	for {
		p.mu.Lock()
		for len(p.idle) > 0 {
			inst := p.idle[len(p.idle)-1]
			p.idle = p.idle[:len(p.idle)-1]
			if inst.fn.RevisionID == fn.RevisionID && inst.alive() {
				p.mu.Unlock()
				return inst, false, nil
			}
			p.retireLocked(inst)
		}
		if p.count < p.m.cfg.MaxInstancesPerFunction {
			p.count++
			p.mu.Unlock()
			inst, err := p.m.startInstance(ctx, fn)
			p.mu.Lock()
			defer p.mu.Unlock()
			if err != nil {
				p.count--
				p.wakeLocked()
				return nil, false, err
			}
			if p.all == nil {
				p.all = map[*instance]struct{}{}
			}
			p.all[inst] = struct{}{}
			return inst, true, nil
		}
		ch := make(chan struct{}, 1)
		p.waiters = append(p.waiters, ch)
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			p.mu.Lock()
			for i, w := range p.waiters {
				if w == ch {
					p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
					break
				}
			}
			p.mu.Unlock()
			return nil, false, eddy.TypedErrorf(eddy.ETHROTTLED, "TooManyRequestsException", "Rate Exceeded.")
		}
	}
}

// release returns inst to the pool, or retires it if it cannot serve again.
func (p *pool) release(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if inst.alive() && !inst.isBroken() {
		inst.lastUsed = time.Now()
		p.idle = append(p.idle, inst)
	} else {
		p.retireLocked(inst)
	}
	p.wakeLocked()
}

// retireLocked removes inst from the pool and stops it in the background.
func (p *pool) retireLocked(inst *instance) {
	p.count--
	delete(p.all, inst)
	p.m.wg.Add(1)
	go func() {
		defer p.m.wg.Done()
		inst.stop()
	}()
}

func (p *pool) wakeLocked() {
	if len(p.waiters) > 0 {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		w <- struct{}{}
	}
}

func (p *pool) reapIdle(before time.Time) {
	p.mu.Lock()
	var keep, old []*instance
	for _, inst := range p.idle {
		if inst.lastUsed.Before(before) || !inst.alive() {
			old = append(old, inst)
		} else {
			keep = append(keep, inst)
		}
	}
	p.idle = keep
	p.count -= len(old)
	for _, inst := range old {
		delete(p.all, inst)
	}
	p.mu.Unlock()
	for _, inst := range old {
		inst.stop()
	}
}

// stopAll stops every instance, busy ones included.
func (p *pool) stopAll() {
	p.mu.Lock()
	all := make([]*instance, 0, len(p.all))
	for inst := range p.all {
		all = append(all, inst)
	}
	p.idle = nil
	p.mu.Unlock()
	for _, inst := range all {
		inst.stop()
	}
}

// codeDir is a function package unpacked on this node.
type codeDir struct {
	once sync.Once
	path string
	err  error
}

// unpacked returns the directory holding the package key, unpacking it on
// first use. A directory is renamed into place only when complete, so a crash
// mid-unpack leaves nothing half-written behind.
func (m *Manager) unpacked(ctx context.Context, key string) (string, error) {
	m.codeMu.Lock()
	cd := m.codeDirs[key]
	if cd == nil {
		cd = &codeDir{}
		m.codeDirs[key] = cd
	}
	m.codeMu.Unlock()
	cd.once.Do(func() {
		final := filepath.Join(m.cfg.Dir, "code", key)
		if _, err := os.Stat(final); err == nil {
			cd.path = final
			return
		}
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			cd.err = err
			return
		}
		tmp, err := os.MkdirTemp(filepath.Dir(final), ".unpack-")
		if err != nil {
			cd.err = err
			return
		}
		dir := filepath.Join(tmp, "code")
		if err := m.cfg.Code.UnpackCode(ctx, key, dir); err != nil {
			_ = os.RemoveAll(tmp)
			cd.err = err
			return
		}
		if err := os.Rename(dir, final); err != nil && !errors.Is(err, os.ErrExist) {
			if _, serr := os.Stat(final); serr != nil {
				cd.err = err
			}
		}
		_ = os.RemoveAll(tmp)
		if cd.err == nil {
			cd.path = final
		}
	})
	if cd.err != nil {
		// Let a later request try again (the engine may have been unavailable).
		m.codeMu.Lock()
		if m.codeDirs[key] == cd {
			delete(m.codeDirs, key)
		}
		m.codeMu.Unlock()
		return "", fmt.Errorf("runtime: unpack %s: %w", key, cd.err)
	}
	return cd.path, nil
}
