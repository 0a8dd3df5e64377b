package queues

import (
	"context"
	"log/slog"
	"time"

	"github.com/eddyserverless/eddy/engine"
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
	// Now returns the time (default time.Now).
	Now func() time.Time
}

// Service is eddy's SQS.
type Service struct {
	cfg Config
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
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NodeID == "" && cfg.Engine != nil {
		cfg.NodeID = cfg.Engine.NodeID()
	}
	return &Service{cfg: cfg}
}

// Open prepares the service's buckets and starts serving the queues this
// node owns.
func (s *Service) Open(ctx context.Context) error { return nil }

// Close stops the service.
func (s *Service) Close() error { return nil }
