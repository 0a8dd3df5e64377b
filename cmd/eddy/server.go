package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/eddyserverless/eddy/awsapi"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/eventbus"
	"github.com/eddyserverless/eddy/functions"
	"github.com/eddyserverless/eddy/httpapis"
	"github.com/eddyserverless/eddy/invoke"
	"github.com/eddyserverless/eddy/logs"
	"github.com/eddyserverless/eddy/metrics"
	"github.com/eddyserverless/eddy/params"
	"github.com/eddyserverless/eddy/queues"
	"github.com/eddyserverless/eddy/restapis"
	"github.com/eddyserverless/eddy/runtime"
	"github.com/eddyserverless/eddy/serverlessrepo"
	"github.com/eddyserverless/eddy/stacks"
	"github.com/eddyserverless/eddy/tables"
	"github.com/eddyserverless/eddy/triggers"
)

// Config is the server's configuration, as `eddy serve` flags set it.
type Config struct {
	Host       string
	Port       int // 0 picks a free port
	DataDir    string
	NATSURL    string
	SyncAlways bool
	Replicas   int
	AccountID  string
	Region     string
	// MaxInstances caps the instances of one function; IdleTimeout reaps
	// unused instances.
	MaxInstances int
	IdleTimeout  time.Duration
	// NodeMaxInstances caps the instances of all functions on this node
	// together (0: no cap).
	NodeMaxInstances int
	// ShutdownTimeout bounds how long in-flight invocations may run on
	// shutdown.
	ShutdownTimeout time.Duration
	// AsyncRetryDelay is the delay before an event's first retry (Lambda's
	// is about a minute); AsyncAckWait how soon another node takes over the
	// events of a node that died.
	AsyncRetryDelay time.Duration
	AsyncAckWait    time.Duration
	// AsyncWorkers is how many events this node runs at once.
	AsyncWorkers int
	// TTLInterval is how often expired table items are deleted.
	TTLInterval time.Duration
	// MappingRetryDelay is the wait before the first retry of a batch an
	// event source mapping's function failed (default 100 ms, doubling).
	MappingRetryDelay time.Duration
	// LeaseTTL is how long a node that stops answering keeps the stream
	// shards it polls before another node takes them over (default 10 s).
	LeaseTTL time.Duration
	// EventsClock, when set, is the time source of scheduled rules and
	// schedules (tests move it by hand).
	EventsClock eventbus.Clock
	// TrustedKeys are files of publishers' ed25519 public keys (PEM, as
	// `eddy apps keygen` writes FILE.pub); when any is given, the
	// application repository deploys only versions one of them signed.
	TrustedKeys []string
	// BundledApps publishes eddy's bundled applications (package apps)
	// into the repository when the server starts, those it does not have
	// at their version yet.
	BundledApps bool
}

// Main is a running eddy server: every service, wired. The end-to-end tests
// start this same Main on port 0.
type Main struct {
	Config Config
	Logger *slog.Logger

	Engine    *engine.Engine
	Functions *functions.Service
	Logs      *logs.Store
	Runtime   *runtime.Manager
	Metrics   *metrics.Registry
	Invoker   *invoke.Service
	Tables    *tables.Service
	Queues    *queues.Service
	Buckets   *buckets.Service
	Triggers  *triggers.Service
	Params    *params.Service
	Events    *eventbus.Service
	HTTPAPIs  *httpapis.Service
	RestAPIs  *restapis.Service
	Stacks    *stacks.Service
	Repo      *serverlessrepo.Service
	API       *awsapi.Handler

	ln   net.Listener
	http *http.Server
	done chan error
}

// NewMain returns a server for cfg with defaults filled in.
func NewMain(cfg Config, logger *slog.Logger) *Main {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = ".eddy"
	}
	// Functions start in their own directories under the data directory,
	// so paths into it must not depend on the working directory.
	if abs, err := filepath.Abs(cfg.DataDir); err == nil {
		cfg.DataDir = abs
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Main{Config: cfg, Logger: logger}
}

// Run opens the engine and every service and starts serving. It returns once
// the server accepts requests.
func (m *Main) Run(ctx context.Context) (err error) {
	cfg := m.Config
	defer func() {
		if err != nil {
			_ = m.Close(context.Background())
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	// Listen first: functions need the address in their environment.
	m.ln, err = net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	m.Engine = engine.New(engine.Config{
		DataDir: cfg.DataDir, URL: cfg.NATSURL, SyncAlways: cfg.SyncAlways, Replicas: cfg.Replicas, Logger: m.Logger,
	})
	if err := m.Engine.Open(ctx); err != nil {
		return err
	}
	m.Functions = functions.NewService(m.Engine, cfg.AccountID, m.Logger)
	if err := m.Functions.Open(ctx); err != nil {
		return err
	}
	m.Logs = logs.NewStore(logs.Config{Engine: m.Engine, Logger: m.Logger})
	if err := m.Logs.Open(ctx); err != nil {
		return err
	}
	m.Metrics = metrics.New()
	m.Runtime = runtime.New(runtime.Config{
		Code: m.Functions, Logs: m.Logs, Dir: filepath.Join(cfg.DataDir, "cache"),
		Endpoint: m.URL, MaxInstancesPerFunction: cfg.MaxInstances, MaxInstances: cfg.NodeMaxInstances,
		IdleTimeout: cfg.IdleTimeout, Logger: m.Logger, Provisioned: m.provisioned, Metrics: m.Metrics,
	})
	m.Runtime.Start()
	m.Queues = queues.NewService(queues.Config{
		Engine: m.Engine, Account: cfg.AccountID, Region: cfg.Region, Logger: m.Logger, Endpoint: m.URL(), LeaseTTL: cfg.LeaseTTL,
	})
	if err := m.Queues.Open(ctx); err != nil {
		return err
	}
	m.Invoker = invoke.NewService(m.Functions, m.Functions, m.Runtime, m.Engine,
		invoke.Config{RetryDelay: cfg.AsyncRetryDelay, AckWait: cfg.AsyncAckWait, Workers: cfg.AsyncWorkers}, m.Logger)
	m.Invoker.Metrics = m.Metrics
	m.Invoker.Queues = m.Queues
	if err := m.Invoker.Open(ctx); err != nil {
		return err
	}
	if err := m.Invoker.Start(ctx); err != nil {
		return err
	}
	m.Tables = tables.NewService(tables.Config{
		Engine: m.Engine, Account: cfg.AccountID, Region: cfg.Region, Logger: m.Logger, TTLInterval: cfg.TTLInterval,
	})
	if err := m.Tables.Open(ctx); err != nil {
		return err
	}
	m.Triggers = triggers.NewService(triggers.Config{
		Engine: m.Engine, Functions: m.Functions, Versions: m.Functions, Invoker: m.Invoker, Tables: m.Tables, Queues: m.Queues,
		Account: cfg.AccountID, Region: cfg.Region, Logger: m.Logger,
		LeaseTTL: cfg.LeaseTTL, RetryDelay: cfg.MappingRetryDelay, NodeID: m.Engine.NodeID(),
	})
	if err := m.Triggers.Open(ctx); err != nil {
		return err
	}
	m.Triggers.Start()
	m.Buckets = buckets.NewService(buckets.ServiceConfig{
		Engine: m.Engine, Account: cfg.AccountID, Region: cfg.Region, Logger: m.Logger, LeaseTTL: cfg.LeaseTTL, NodeID: m.Engine.NodeID(),
		SoleWriter: m.Engine.Embedded(),
	})
	m.Buckets.SetNotifications(m.Triggers.BucketNotifications(m.Buckets))
	if err := m.Buckets.Open(ctx); err != nil {
		return err
	}
	own := http.NewServeMux()
	own.Handle("GET /_eddy/metrics", m.Metrics.Handler())
	m.API = &awsapi.Handler{
		Extra:     own,
		Functions: m.Functions, Versions: m.Functions, Policies: m.Functions, Code: m.Functions, Invoker: m.Invoker, Logs: m.Logs, Tables: m.Tables, Queues: m.Queues,
		Buckets: m.Buckets, Mappings: m.Triggers, Account: cfg.AccountID, Region: cfg.Region, Logger: m.Logger,
		Health: func(context.Context) map[string]any {
			return map[string]any{"engine": map[bool]string{true: "embedded", false: "external"}[m.Engine.Embedded()]}
		},
	}
	// Each opens a service and sets its field of m.API.
	for _, open := range []func(context.Context) error{m.openParams, m.openEvents, m.openHTTPAPIs, m.openRestAPIs, m.openStacks, m.openRepo} {
		if err := open(ctx); err != nil {
			return err
		}
	}
	m.http = &http.Server{Handler: m.API, ReadHeaderTimeout: 30 * time.Second}
	m.done = make(chan error, 1)
	go func() { m.done <- m.http.Serve(m.ln) }()
	if cfg.BundledApps {
		if err := m.publishBundled(ctx); err != nil {
			m.Logger.Warn("publishing the bundled applications", "err", err)
		}
	}
	m.Logger.Info("eddy serving", "address", m.URL(), "data", cfg.DataDir, "engine", map[bool]string{true: "embedded", false: cfg.NATSURL}[cfg.NATSURL == ""])
	return nil
}

// URL is the server's base address.
func (m *Main) URL() string {
	if m.ln == nil {
		return ""
	}
	return "http://" + m.ln.Addr().String()
}

// Close shuts down gracefully: it stops accepting requests, lets invocations
// under way finish (bounded by ShutdownTimeout), stops instances and closes
// the engine. Safe twice.
func (m *Main) Close(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, m.Config.ShutdownTimeout)
	defer cancel()
	var errs []error
	if m.http != nil {
		if err := m.http.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := <-m.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		m.http = nil
	} else if m.ln != nil {
		_ = m.ln.Close()
	}
	// Pollers first: they invoke functions and read tables; the buckets'
	// event loops notify functions and queues; schedules fire.
	errs = append(errs, m.closeRepo(), m.closeStacks(), m.closeEvents(), m.closeHTTPAPIs(), m.closeRestAPIs(), m.closeParams())
	if m.Buckets != nil {
		errs = append(errs, m.Buckets.Close())
	}
	if m.Triggers != nil {
		errs = append(errs, m.Triggers.Close(ctx))
	}
	if m.Invoker != nil {
		errs = append(errs, m.Invoker.Close())
	}
	if m.Runtime != nil {
		errs = append(errs, m.Runtime.Close(ctx))
	}
	if m.Queues != nil {
		errs = append(errs, m.Queues.Close())
	}
	if m.Tables != nil {
		errs = append(errs, m.Tables.Close())
	}
	if m.Logs != nil {
		errs = append(errs, m.Logs.Close())
	}
	if m.Functions != nil {
		errs = append(errs, m.Functions.Close())
	}
	if m.Engine != nil {
		errs = append(errs, m.Engine.Close())
	}
	return errors.Join(errs...)
}

// provisioned lists the versions whose instances the runtime keeps
// initialised: every provisioned concurrency configuration, an alias's
// standing for the version it points to.
func (m *Main) provisioned(ctx context.Context) ([]runtime.Target, error) {
	vs := m.Functions
	cfgs, err := vs.AllProvisionedConcurrency(ctx)
	if err != nil {
		return nil, err
	}
	var targets []runtime.Target
	for _, c := range cfgs {
		fn, err := vs.GetFunctionVersion(ctx, c.Region, c.FunctionName, c.Qualifier)
		if err != nil {
			continue // deleted meanwhile
		}
		targets = append(targets, runtime.Target{Function: fn, Count: c.Requested})
	}
	return targets, nil
}
