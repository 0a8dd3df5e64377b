// Package engine holds all of eddy's durable state and cross-node messaging in
// NATS JetStream. By default it embeds nats-server in-process (no port opened,
// files under the data directory); given a URL it connects to an external NATS
// cluster instead. Either way eddy uses only the JetStream client API, so the
// same code paths run in both modes.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config says where the engine keeps its state.
type Config struct {
	// DataDir holds the embedded server's JetStream files. Unused with URL.
	DataDir string
	// URL, when set, is an external NATS server or cluster to connect to
	// instead of embedding one ("nats://host:4222", comma-separated for several).
	URL string
	// SyncAlways makes the embedded server fsync every write; otherwise it
	// fsyncs every SyncInterval.
	SyncAlways   bool
	SyncInterval time.Duration
	// Replicas is the replica count of the streams, buckets and stores eddy
	// creates. 1 for the embedded server; up to 5 on a cluster.
	Replicas int
	// MaxPayload is the largest message the embedded server accepts.
	MaxPayload int32
	Logger     *slog.Logger
}

// Engine is an open connection to JetStream.
type Engine struct {
	cfg Config

	// Conn and JS are set by Open.
	Conn *nats.Conn
	JS   jetstream.JetStream

	srv       *server.Server
	closeOnce sync.Once
	replies   replyMux
}

// New returns an Engine for cfg with defaults filled in. Call Open to start it.
func New(cfg Config) *Engine {
	if cfg.DataDir == "" {
		cfg.DataDir = ".eddy"
	}
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = time.Second
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.MaxPayload <= 0 {
		cfg.MaxPayload = 8 * 1024 * 1024
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{cfg: cfg}
}

// Embedded reports whether the engine runs its own in-process server.
func (e *Engine) Embedded() bool { return e.cfg.URL == "" }

// Open starts the embedded server or connects to the external one.
func (e *Engine) Open(ctx context.Context) error {
	var opts []nats.Option
	opts = append(opts, nats.Name("eddy"), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond))
	url := e.cfg.URL
	if url == "" {
		dir := filepath.Join(e.cfg.DataDir, "jetstream")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("engine: create data directory: %w", err)
		}
		srv, err := server.NewServer(&server.Options{
			ServerName:   "eddy",
			JetStream:    true,
			StoreDir:     dir,
			DontListen:   true,
			NoSigs:       true,
			SyncInterval: e.cfg.SyncInterval,
			SyncAlways:   e.cfg.SyncAlways,
			MaxPayload:   e.cfg.MaxPayload,
		})
		if err != nil {
			return fmt.Errorf("engine: embedded server: %w", err)
		}
		srv.Start()
		if !srv.ReadyForConnections(30 * time.Second) {
			srv.Shutdown()
			return errors.New("engine: embedded server did not become ready")
		}
		e.srv = srv
		opts = append(opts, nats.InProcessServer(srv))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		e.shutdownServer()
		return fmt.Errorf("engine: connect: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		e.shutdownServer()
		return fmt.Errorf("engine: jetstream: %w", err)
	}
	// Fail early, with a clear message, if the server has no JetStream.
	if _, err := js.AccountInfo(ctx); err != nil {
		nc.Close()
		e.shutdownServer()
		return fmt.Errorf("engine: jetstream not available at %q: %w", url, err)
	}
	e.Conn, e.JS = nc, js
	e.cfg.Logger.Info("engine open", "embedded", e.Embedded(), "data", e.cfg.DataDir, "sync_always", e.cfg.SyncAlways)
	return nil
}

func (e *Engine) shutdownServer() {
	if e.srv != nil {
		e.srv.Shutdown()
		e.srv.WaitForShutdown()
	}
}

// Close drains the connection and stops the embedded server. Safe twice.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		if e.Conn != nil {
			e.Conn.Close()
		}
		e.shutdownServer()
	})
	return nil
}

// KeyValue returns the bucket cfg names, creating it with the engine's
// replica count if it does not exist.
func (e *Engine) KeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	if cfg.Replicas == 0 {
		cfg.Replicas = e.cfg.Replicas
	}
	kv, err := e.JS.CreateOrUpdateKeyValue(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("engine: key-value %s: %w", cfg.Bucket, err)
	}
	return kv, nil
}

// ObjectStore returns the store cfg names, creating it if needed.
func (e *Engine) ObjectStore(ctx context.Context, cfg jetstream.ObjectStoreConfig) (jetstream.ObjectStore, error) {
	if cfg.Replicas == 0 {
		cfg.Replicas = e.cfg.Replicas
	}
	os, err := e.JS.CreateOrUpdateObjectStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("engine: object store %s: %w", cfg.Bucket, err)
	}
	return os, nil
}

// Stream returns the stream cfg names, creating or updating it.
func (e *Engine) Stream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	if cfg.Replicas == 0 {
		cfg.Replicas = e.cfg.Replicas
	}
	s, err := e.JS.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("engine: stream %s: %w", cfg.Name, err)
	}
	return s, nil
}

// NodeID names this eddy node as the holder of leases: the host name and
// the data directory, so that a node restarted on the same directory
// recognises the leases it held before a crash and need not wait for them
// to expire.
func (e *Engine) NodeID() string {
	host, _ := os.Hostname()
	dir, err := filepath.Abs(e.cfg.DataDir)
	if err != nil {
		dir = e.cfg.DataDir
	}
	return host + ":" + dir
}
