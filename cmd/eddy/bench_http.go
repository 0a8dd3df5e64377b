package main

import (
	"errors"
	"os"
	"time"

	"github.com/eddyserverless/eddy/bench"
	"github.com/spf13/cobra"
)

func benchHTTPCommand() *cobra.Command {
	var (
		endpoint, cpuprofile string
		cfg                  bench.HTTPConfig
	)
	cmd := &cobra.Command{
		Use:   "http",
		Short: "Measure HTTP APIs: requests/s, p50, p99 through a route, beside a direct invoke and the floor",
		Long: `Send HTTP requests through an HTTP API's route (quick create: a $default
route and stage) to a warm aws-lambda-go echo function (bench/echofn, built
from this checkout), and in the same run invoke the same function directly by
the Lambda API, time a plain loopback HTTP echo, and time the design floor:
as many echofn processes as clients, each behind a bare Runtime API relay, at
each --concurrency level; print the figures, their ratios, the CPU each
request cost (the function processes, this process) and the targets. Without --endpoint an
eddy server is started in this process on a free port with a temporary data
directory. The command exits 0 whatever the figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Duration <= 0 {
				return errors.New("--duration must be positive")
			}
			for _, c := range cfg.Concurrency {
				if c < 1 {
					return errors.New("--concurrency levels must be at least 1")
				}
			}
			ctx := cmd.Context()
			run, err := prepareBench(ctx, endpoint, cpuprofile, Config{}, true)
			if err != nil {
				return err
			}
			defer run.close()
			cfg.Zip, cfg.Endpoint, cfg.InProcess, cfg.Progress = run.zip, run.url, run.inProcess, os.Stderr
			report, err := bench.RunHTTP(ctx, cfg)
			if err != nil {
				return err
			}
			return report.Render(os.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "", "bench an eddy already running at this URL instead of one started in this process")
	f.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long each measurement runs at each concurrency")
	f.IntSliceVar(&cfg.Concurrency, "concurrency", []int{1, 16, 64}, "concurrency levels")
	f.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the run (server included when in-process) to this file")
	return cmd
}
