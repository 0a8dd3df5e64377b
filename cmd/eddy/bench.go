package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/eddyserverless/eddy/bench"
	"github.com/spf13/cobra"
)

func benchCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure eddy against the floor and its peers"}
	cmd.AddCommand(benchInvokeCommand())
	return cmd
}

func benchInvokeCommand() *cobra.Command {
	var (
		endpoint, cpuprofile string
		cfg                  bench.InvokeConfig
	)
	cmd := &cobra.Command{
		Use:   "invoke",
		Short: "Measure Lambda invokes: floor, warm latency, throughput, cold start and memory",
		Long: `Measure Lambda invokes of an aws-lambda-go echo function (bench/echofn,
built from this checkout) and print the figures next to the floor of a plain
loopback HTTP round trip and the targets. Without --endpoint an eddy server
is started in this process on a free port with a temporary data directory.
The command exits 0 whether targets are met or not.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Duration <= 0 {
				return errors.New("--duration must be positive")
			}
			if cfg.Cold < 1 {
				return errors.New("--cold must be at least 1")
			}
			if cfg.Requests < 1 {
				return errors.New("--requests must be at least 1")
			}
			ctx := cmd.Context()
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			fmt.Fprintln(os.Stderr, "bench: building bench/echofn")
			zip, err := bench.BuildEchoZip(ctx, wd)
			if err != nil {
				return err
			}
			cfg.Zip = zip
			cfg.Progress = os.Stderr
			cfg.Endpoint = endpoint
			if endpoint == "" {
				dir, err := os.MkdirTemp("", "eddy-bench-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				m := NewMain(Config{Port: 0, DataDir: dir}, nil)
				if err := m.Run(ctx); err != nil {
					return fmt.Errorf("start eddy: %w", err)
				}
				defer func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					if err := m.Close(ctx); err != nil {
						fmt.Fprintln(os.Stderr, "bench: close eddy:", err)
					}
				}()
				cfg.Endpoint, cfg.InProcess = m.URL(), true
			}
			if cpuprofile != "" {
				f, err := os.Create(cpuprofile)
				if err != nil {
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				defer pprof.StopCPUProfile()
			}
			report, err := bench.RunInvoke(ctx, cfg)
			if err != nil {
				return err
			}
			return report.Render(os.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "", "bench an eddy already running at this URL instead of one started in this process")
	f.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long each throughput concurrency level runs")
	f.IntVar(&cfg.Cold, "cold", 20, "fresh instances to time for the cold start")
	f.IntVar(&cfg.Requests, "requests", 2000, "timed requests of each sequential measurement")
	f.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the run (server included when in-process) to this file")
	return cmd
}
