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
	"slices"
	"strings"
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
	// MaxInstances caps the instances of every function on this node
	// together (0: no cap). When it is reached, an idle instance of another
	// function is stopped to make room; if none is idle, the request is
	// throttled as Lambda throttles over the account's concurrency.
	MaxInstances int
	// IdleTimeout is how long an unused instance is kept warm (default 5 min).
	IdleTimeout time.Duration
	// Provisioned, when set, returns the versions to keep initialised and
	// how many instances of each; the manager reconciles every second.
	Provisioned func(ctx context.Context) ([]Target, error)
	// Metrics observes invocations and instances; nil for none.
	Metrics Metrics
	// InitTimeout bounds a new instance's initialisation (default 10 s, as Lambda).
	InitTimeout time.Duration
	// Python and Node are the interpreters for the python3.x and nodejs*.x
	// runtimes; found on PATH when empty.
	Python string
	Node   string
	Logger *slog.Logger
}

// Target is a number of instances of a version to keep initialised
// (provisioned concurrency).
type Target struct {
	Function *eddy.Function
	Count    int
}

// Metrics is what the runtime reports.
type Metrics interface {
	Invocation(function, version string, d time.Duration, outcome string)
	ColdStart(function string, init time.Duration)
	ConcurrentExecutions(function string, delta int)
	Instances(function string, delta int)
}

type noMetrics struct{}

func (noMetrics) Invocation(string, string, time.Duration, string) {}
func (noMetrics) ColdStart(string, time.Duration)                  {}
func (noMetrics) ConcurrentExecutions(string, int)                 {}
func (noMetrics) Instances(string, int)                            {}

// Manager runs function instances. It implements eddy.Runtime.
type Manager struct {
	cfg Config

	mu        sync.Mutex          // guards pools, functions, instances and closed
	pools     map[string]*pool    // by region/name/version
	functions map[string]*fnState // by region/name
	instances int                 // alive or starting, every pool
	closed    bool

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
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	return &Manager{cfg: cfg, pools: map[string]*pool{}, functions: map[string]*fnState{},
		codeDirs: map[string]*codeDir{}, stop: make(chan struct{})}
}

// fnState is what the manager tracks per function, across its versions.
type fnState struct {
	active int // invocations under way
}

// Start starts the reaper of idle instances and, if configured, the
// keeper of provisioned instances.
func (m *Manager) Start() {
	m.wg.Add(1)
	go m.reap()
	if m.cfg.Provisioned != nil {
		m.wg.Add(1)
		go m.provision()
	}
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
	var st Stats
	prefix := region + "/" + name + "/"
	m.mu.Lock()
	var pools []*pool
	for k, p := range m.pools {
		if strings.HasPrefix(k, prefix) {
			pools = append(pools, p)
		}
	}
	m.mu.Unlock()
	for _, p := range pools {
		p.mu.Lock()
		st.Instances += p.count
		st.Idle += len(p.idle)
		p.mu.Unlock()
	}
	return st
}

var errClosed = eddy.TypedErrorf(eddy.EUNAVAIL, "ServiceException", "eddy is shutting down")

func versionOf(fn *eddy.Function) string {
	if fn.Version == "" {
		return eddy.LatestVersion
	}
	return fn.Version
}

func (m *Manager) pool(fn *eddy.Function) (*pool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	key := fn.Region + "/" + fn.Name + "/" + versionOf(fn)
	p := m.pools[key]
	if p == nil {
		p = &pool{m: m, function: fn.Name}
		m.pools[key] = p
	}
	return p, nil
}

// admit counts an invocation of fn against its reserved concurrency.
func (m *Manager) admit(fn *eddy.Function) (func(), error) {
	key := fn.Region + "/" + fn.Name
	m.mu.Lock()
	st := m.functions[key]
	if st == nil {
		st = &fnState{}
		m.functions[key] = st
	}
	if rc := fn.ReservedConcurrency; rc != nil && st.active >= *rc {
		m.mu.Unlock()
		return nil, &eddy.Error{Code: eddy.ETHROTTLED, Type: "TooManyRequestsException",
			Reason: eddy.ReasonReservedConcurrency, Message: "Rate Exceeded."}
	}
	st.active++
	m.mu.Unlock()
	m.cfg.Metrics.ConcurrentExecutions(fn.Name, 1)
	return func() {
		m.mu.Lock()
		st.active--
		m.mu.Unlock()
		m.cfg.Metrics.ConcurrentExecutions(fn.Name, -1)
	}, nil
}

// reserveInstance counts a new instance against the node's cap, stopping an
// idle instance of another pool to make room if it must.
func (m *Manager) reserveInstance(except *pool) error {
	for {
		m.mu.Lock()
		if m.cfg.MaxInstances <= 0 || m.instances < m.cfg.MaxInstances {
			m.instances++
			m.mu.Unlock()
			return nil
		}
		var victim *pool
		var oldest time.Time
		for _, p := range m.pools {
			if p == except {
				continue
			}
			if t, ok := p.oldestIdle(); ok && (victim == nil || t.Before(oldest)) {
				victim, oldest = p, t
			}
		}
		m.mu.Unlock()
		if victim == nil || !victim.evictOne() {
			if victim == nil {
				return &eddy.Error{Code: eddy.ETHROTTLED, Type: "TooManyRequestsException",
					Reason: eddy.ReasonAccountConcurrency, Message: "Rate Exceeded."}
			}
		}
	}
}

func (m *Manager) releaseInstance() {
	m.mu.Lock()
	m.instances--
	m.mu.Unlock()
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
	done, err := m.admit(fn)
	if err != nil {
		m.cfg.Metrics.Invocation(fn.Name, versionOf(fn), 0, "throttled")
		return nil, err
	}
	defer done()
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
		start := time.Now()
		res, delivered := inst.invoke(req, cold)
		p.release(inst)
		if delivered || cold || attempt >= 3 {
			outcome := "success"
			if res.FunctionError != "" {
				outcome = "error"
				if strings.Contains(string(res.Payload), `"Sandbox.Timedout"`) {
					outcome = "timeout"
				}
			}
			m.cfg.Metrics.Invocation(fn.Name, versionOf(fn), time.Since(start), outcome)
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
	m        *Manager
	function string

	mu      sync.Mutex // guards idle, count, waiters
	idle    []*instance
	all     map[*instance]struct{} // every started instance not yet retired
	count   int                    // instances alive or starting
	waiters []chan struct{}
	warm    int // provisioned: instances the reaper keeps
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
			inst, err := p.start(ctx, fn, false)
			if err == nil && !p.adopt(inst) {
				err = errClosed
			}
			if err != nil {
				p.mu.Lock()
				p.count--
				p.wakeLocked()
				p.mu.Unlock()
				return nil, false, err
			}
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

// adopt records a started instance in the pool so that Close stops it. If
// the manager closed while the instance was starting, it stops the instance
// instead (the pool's count included) and reports false.
func (p *pool) adopt(inst *instance) bool {
	p.m.mu.Lock()
	closed := p.m.closed
	p.m.mu.Unlock()
	p.mu.Lock()
	if closed {
		p.count--
		p.mu.Unlock()
		inst.stop()
		return false
	}
	if p.all == nil {
		p.all = map[*instance]struct{}{}
	}
	p.all[inst] = struct{}{}
	p.mu.Unlock()
	return true
}

// start starts an instance within the node's cap.
func (p *pool) start(ctx context.Context, fn *eddy.Function, provisioned bool) (*instance, error) {
	if err := p.m.reserveInstance(p); err != nil {
		return nil, err
	}
	inst, err := p.m.startInstance(ctx, fn, provisioned)
	if err != nil {
		p.m.releaseInstance()
		return nil, err
	}
	p.m.cfg.Metrics.Instances(fn.Name, 1)
	return inst, nil
}

// oldestIdle returns when the least recently used idle instance was last
// used; ok is false if none is idle beyond the provisioned ones.
func (p *pool) oldestIdle() (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) <= p.warm {
		return time.Time{}, false
	}
	return p.idle[0].lastUsed, true
}

// evictOne stops the least recently used idle instance.
func (p *pool) evictOne() bool {
	p.mu.Lock()
	if len(p.idle) <= p.warm {
		p.mu.Unlock()
		return false
	}
	inst := p.idle[0]
	p.idle = p.idle[1:]
	p.count--
	delete(p.all, inst)
	p.mu.Unlock()
	inst.stop()
	return true
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
	// The most recently used come last; provisioned ones stay however old.
	warm := 0
	for i := len(p.idle) - 1; i >= 0; i-- {
		inst := p.idle[i]
		switch {
		case !inst.alive():
			old = append(old, inst)
		case warm < p.warm || !inst.lastUsed.Before(before):
			warm++
			keep = append(keep, inst)
		default:
			old = append(old, inst)
		}
	}
	slices.Reverse(keep)
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

// provision keeps the configured numbers of instances initialised.
func (m *Manager) provision() {
	defer m.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-m.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		m.reconcile(ctx)
		cancel()
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
	}
}

// reconcile starts instances of provisioned versions until each has its count.
func (m *Manager) reconcile(ctx context.Context) {
	targets, err := m.cfg.Provisioned(ctx)
	if err != nil {
		m.cfg.Logger.Warn("runtime: provisioned concurrency", "err", err)
		return
	}
	wanted := map[*pool]bool{}
	for _, t := range targets {
		p, err := m.pool(t.Function)
		if err != nil {
			return
		}
		wanted[p] = true
		p.mu.Lock()
		p.warm = t.Count
		missing := t.Count - p.count
		if max := m.cfg.MaxInstancesPerFunction - p.count; missing > max {
			missing = max
		}
		p.count += max(missing, 0)
		p.mu.Unlock()
		for i := 0; i < missing; i++ {
			inst, err := p.start(ctx, t.Function, true)
			if err == nil {
				select {
				case <-inst.initDone:
				case <-inst.exited:
				case <-ctx.Done():
				case <-time.After(m.cfg.InitTimeout):
				}
			}
			if err != nil {
				p.mu.Lock()
				p.count--
				p.mu.Unlock()
				m.cfg.Logger.Warn("runtime: provisioned instance", "function", t.Function.Name, "err", err)
				continue
			}
			if !p.adopt(inst) {
				return // closed meanwhile
			}
			p.release(inst)
		}
	}
	m.mu.Lock()
	for _, p := range m.pools {
		if !wanted[p] {
			p.mu.Lock()
			p.warm = 0
			p.mu.Unlock()
		}
	}
	m.mu.Unlock()
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
