package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
)

func serveCommand() *cobra.Command {
	var cfg Config
	var sync, logLevel string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Start the eddy server: every AWS API on one port",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch sync {
			case "always":
				cfg.SyncAlways = true
			case "interval":
			default:
				return fmt.Errorf("--sync must be interval or always, not %q", sync)
			}
			if cfg.Port < 0 || cfg.Port > 65535 {
				return fmt.Errorf("--port must be between 0 and 65535")
			}
			if cfg.Replicas < 1 || cfg.Replicas > 5 {
				return fmt.Errorf("--replicas must be between 1 and 5")
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			m := NewMain(cfg, logger)
			if err := m.Run(cmd.Context()); err != nil {
				return err
			}
			<-cmd.Context().Done()
			logger.Info("shutting down")
			ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout+5*time.Second)
			defer cancel()
			if err := m.Close(ctx); err != nil {
				logger.Warn("shutdown", "err", err)
			}
			logger.Info("stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Host, "host", "127.0.0.1", "address to listen on (0.0.0.0 for every interface)")
	f.IntVar(&cfg.Port, "port", 4566, "port of every AWS API")
	f.StringVar(&cfg.DataDir, "data", ".eddy", "data directory: the embedded engine's files and the code cache")
	f.StringVar(&cfg.NATSURL, "nats", "", "external NATS server (nats://host:4222) instead of the embedded engine")
	f.StringVar(&sync, "sync", "interval", "fsync of the embedded engine: interval (every second) or always (every write)")
	f.IntVar(&cfg.Replicas, "replicas", 1, "replicas of eddy's streams on an external NATS cluster")
	f.StringVar(&cfg.AccountID, "account-id", "000000000000", "the account id in ARNs")
	f.StringVar(&cfg.Region, "region", "us-east-1", "region of requests that do not sign one")
	f.IntVar(&cfg.MaxInstances, "max-instances-per-function", 32, "most instances of one function on this node")
	f.IntVar(&cfg.NodeMaxInstances, "max-instances", 0, "most instances of all functions on this node together (0: no cap); beyond it idle instances are stopped, then requests throttled")
	f.DurationVar(&cfg.IdleTimeout, "idle-timeout", 5*time.Minute, "how long an unused instance stays warm")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long invocations may finish on shutdown")
	f.DurationVar(&cfg.AsyncRetryDelay, "async-retry-delay", time.Minute, "delay before an event's first retry (the second waits twice as long); shorten for development")
	f.DurationVar(&cfg.AsyncAckWait, "async-ack-wait", 30*time.Second, "how soon another node (or this one, restarted) takes over the events of a node that died")
	f.DurationVar(&cfg.TTLInterval, "ttl-interval", 30*time.Second, "how often expired DynamoDB items (time to live) are deleted")
	f.IntVar(&cfg.AsyncWorkers, "async-workers", 0, "events this node runs at once (0: four per CPU, at least 8; raise it for functions that mostly wait)")
	f.StringArrayVar(&cfg.TrustedKeys, "trusted-key", nil, "a publisher's public key file (eddy apps keygen's FILE.pub); when given (repeatable), only applications signed by one of them are deployed")
	f.BoolVar(&cfg.BundledApps, "bundled-apps", true, "publish eddy's bundled applications into the repository (those it lacks) on start")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	return cmd
}
