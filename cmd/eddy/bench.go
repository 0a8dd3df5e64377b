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
	cmd.AddCommand(benchInvokeCommand(), benchAsyncCommand(), benchTablesCommand(), benchQueuesCommand(), benchBucketsCommand(), benchHTTPCommand(), benchDeployCommand(),
		benchAppsSearchCommand(), benchAppsDeployCommand(), benchLeaderboardCommand())
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
			run, err := prepareBench(ctx, endpoint, cpuprofile, Config{}, true)
			if err != nil {
				return err
			}
			defer run.close()
			cfg.Zip, cfg.Endpoint, cfg.InProcess, cfg.Progress = run.zip, run.url, run.inProcess, os.Stderr
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

// benchRun is what every benchmark needs: the echo function, the eddy to
// measure, and optionally a CPU profile, all released by close.
type benchRun struct {
	zip       []byte
	url       string
	inProcess bool
	closers   []func()
}

func (r *benchRun) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
}

// prepareBench builds bench/echofn if echo is set, and starts an eddy in
// this process on a free port with a temporary data directory unless
// endpoint names one.
func prepareBench(ctx context.Context, endpoint, cpuprofile string, cfg Config, echo bool) (_ *benchRun, err error) {
	run := &benchRun{url: endpoint}
	defer func() {
		if err != nil {
			run.close()
		}
	}()
	if echo {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(os.Stderr, "bench: building bench/echofn")
		if run.zip, err = bench.BuildEchoZip(ctx, wd); err != nil {
			return nil, err
		}
	}
	if endpoint == "" {
		dir, err := os.MkdirTemp("", "eddy-bench-")
		if err != nil {
			return nil, err
		}
		run.closers = append(run.closers, func() { os.RemoveAll(dir) })
		cfg.Port, cfg.DataDir = 0, dir
		m := NewMain(cfg, nil)
		if err := m.Run(ctx); err != nil {
			return nil, fmt.Errorf("start eddy: %w", err)
		}
		run.closers = append(run.closers, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := m.Close(ctx); err != nil {
				fmt.Fprintln(os.Stderr, "bench: close eddy:", err)
			}
		})
		run.url, run.inProcess = m.URL(), true
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		run.closers = append(run.closers, func() { pprof.StopCPUProfile(); f.Close() })
	}
	return run, nil
}

func benchAsyncCommand() *cobra.Command {
	var endpoint, cpuprofile string
	var cfg bench.AsyncConfig
	var workers int
	cmd := &cobra.Command{
		Use:   "async",
		Short: "Measure Event invokes: accepted per second, completion rate, accept-to-start latency",
		Long: `Send Event invokes of an aws-lambda-go function (bench/echofn, built from
this checkout) from several clients, wait for every one to run, and print the
accept rate, the completion rate next to the function's own synchronous
throughput, and the latency from each 202 to the function's start. Without
--endpoint an eddy server is started in this process.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Duration <= 0 || cfg.Concurrency < 1 {
				return errors.New("--duration and --concurrency must be positive")
			}
			ctx := cmd.Context()
			run, err := prepareBench(ctx, endpoint, cpuprofile, Config{AsyncWorkers: workers}, true)
			if err != nil {
				return err
			}
			defer run.close()
			cfg.Zip, cfg.Endpoint, cfg.Progress = run.zip, run.url, os.Stderr
			report, err := bench.RunAsync(ctx, cfg)
			if err != nil {
				return err
			}
			return report.Render(os.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "", "bench an eddy already running at this URL")
	f.IntVar(&cfg.Concurrency, "concurrency", 8, "clients sending Event invokes")
	f.IntVar(&workers, "async-workers", 0, "events the in-process server runs at once (eddy serve --async-workers; 0: the default)")
	f.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the run (server included when in-process) to this file")
	f.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long they send")
	return cmd
}

func benchTablesCommand() *cobra.Command {
	var (
		endpoint, cpuprofile string
		noMoto               bool
		cfg                  bench.TablesConfig
	)
	cmd := &cobra.Command{
		Use:   "tables",
		Short: "Measure DynamoDB operations on eddy and on moto_server: ops/s, p50, p99 and ratios",
		Long: `Run the same aws-sdk-go-v2 DynamoDB client code against eddy and, in the same
run, against moto_server (started on a free loopback port when it is on PATH,
stopped after): PutItem, GetItem, UpdateItem (ADD on a counter) and Query of
a 100-item partition of a loaded table, each at every --concurrency level,
next to the floor of a plain loopback HTTP echo. With --streams (the
default) it also measures, against eddy only, the latency from a write to
the function its DynamoDB stream record reaches and the records/s of an
event source mapping; those need bench/echofn, built from this checkout.
Without --endpoint an eddy server is started in this process on a free port
with a temporary data directory. A server that does not serve an API is
reported as not available. The command exits 0 whatever the figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Duration <= 0 {
				return errors.New("--duration must be positive")
			}
			if cfg.Ops < 0 {
				return errors.New("--ops must not be negative")
			}
			if cfg.Items < bench.PartitionSize || cfg.MotoItems < bench.PartitionSize {
				return fmt.Errorf("--items and --moto-items must be at least %d", bench.PartitionSize)
			}
			for _, c := range cfg.Concurrency {
				if c < 1 {
					return errors.New("--concurrency levels must be at least 1")
				}
			}
			ctx := cmd.Context()
			run, err := prepareBench(ctx, endpoint, cpuprofile, Config{}, cfg.Streams)
			if err != nil {
				return err
			}
			defer run.close()
			cfg.Moto = !noMoto
			cfg.Zip, cfg.Endpoint, cfg.InProcess, cfg.Progress = run.zip, run.url, run.inProcess, os.Stderr
			report, err := bench.RunTables(ctx, cfg)
			if err != nil {
				return err
			}
			return report.Render(os.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "", "bench an eddy already running at this URL instead of one started in this process")
	f.BoolVar(&noMoto, "no-moto", false, "do not measure moto_server")
	f.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long each operation runs at each concurrency level")
	f.IntVar(&cfg.Ops, "ops", 0, "also stop each measurement after this many operations (0: no limit)")
	f.IntSliceVar(&cfg.Concurrency, "concurrency", []int{1, 16}, "concurrency levels")
	f.IntVar(&cfg.Items, "items", 200000, "items in eddy's table (whole partitions of 100)")
	f.IntVar(&cfg.MotoItems, "moto-items", 20000, "items in moto's table (moto reads its whole table for every Query)")
	f.IntVar(&cfg.LoadConcurrency, "load-concurrency", 16, "clients calling BatchWriteItem while the tables are loaded")
	f.BoolVar(&cfg.Streams, "streams", true, "also measure DynamoDB stream → Lambda latency and mapping throughput against eddy")
	f.IntVar(&cfg.Stream.Records, "stream-records", 200, "items written, one every 10 ms, for the stream latency")
	f.IntVar(&cfg.Stream.Burst, "stream-burst", 10000, "items written at once for the mapping throughput")
	f.DurationVar(&cfg.Stream.Wait, "stream-wait", 30*time.Second, "how long to wait for the first stream record, and for each sign of progress after it")
	f.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the run (server included when in-process) to this file")
	return cmd
}

func benchQueuesCommand() *cobra.Command {
	var (
		endpoint, cpuprofile string
		noMoto               bool
		cfg                  bench.QueuesConfig
	)
	cmd := &cobra.Command{
		Use:   "queues",
		Short: "Measure SQS on eddy and on moto_server: messages/s, p50, p99, ratios, and queue → function",
		Long: `Run the same aws-sdk-go-v2 SQS client code against eddy and, in the same run,
against moto_server (started on a free loopback port when it is on PATH,
stopped after): SendMessage, and ReceiveMessage (up to 10 messages) each
followed by a DeleteMessageBatch of what it received from a queue filled
beforehand, each at every --concurrency level, next to the floor of a plain
loopback HTTP echo. With --function (the default) it also measures, against
eddy only, the messages/s an event source mapping (batch size 10) delivers
from a queue to a function and the latency from SendMessage to the function;
those need bench/echofn, built from this checkout, and are reported as not
available when the server does not support queue event sources. Without
--endpoint an eddy server is started in this process on a free port with a
temporary data directory. The command exits 0 whatever the figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Duration <= 0 {
				return errors.New("--duration must be positive")
			}
			if cfg.Ops < 0 {
				return errors.New("--ops must not be negative")
			}
			if cfg.Prefill < 1 || cfg.MotoPrefill < 1 || cfg.LoadConcurrency < 1 {
				return errors.New("--prefill, --moto-prefill and --load-concurrency must be at least 1")
			}
			if cfg.Mapping.Messages < 1 || cfg.Mapping.Burst < 1 || cfg.Mapping.Wait <= 0 {
				return errors.New("--latency-messages, --burst and --mapping-wait must be positive")
			}
			for _, c := range cfg.Concurrency {
				if c < 1 {
					return errors.New("--concurrency levels must be at least 1")
				}
			}
			ctx := cmd.Context()
			run, err := prepareBench(ctx, endpoint, cpuprofile, Config{}, cfg.Function)
			if err != nil {
				return err
			}
			defer run.close()
			cfg.Moto = !noMoto
			cfg.Zip, cfg.Endpoint, cfg.InProcess, cfg.Progress = run.zip, run.url, run.inProcess, os.Stderr
			report, err := bench.RunQueues(ctx, cfg)
			if err != nil {
				return err
			}
			return report.Render(os.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "", "bench an eddy already running at this URL instead of one started in this process")
	f.BoolVar(&noMoto, "no-moto", false, "do not measure moto_server")
	f.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long each measurement runs at each concurrency level")
	f.IntVar(&cfg.Ops, "ops", 0, "also stop each measurement after this many calls (0: no limit)")
	f.IntSliceVar(&cfg.Concurrency, "concurrency", []int{1, 16}, "concurrency levels")
	f.IntVar(&cfg.Prefill, "prefill", 100000, "messages in eddy's queue before each receive measurement")
	f.IntVar(&cfg.MotoPrefill, "moto-prefill", 500, "messages in moto's queue before each receive measurement (moto scans its whole queue on every call)")
	f.IntVar(&cfg.LoadConcurrency, "load-concurrency", 16, "clients calling SendMessageBatch while a queue is filled")
	f.BoolVar(&cfg.Function, "function", true, "also measure queue → function throughput and send → invoke latency against eddy")
	f.IntVar(&cfg.Mapping.Messages, "latency-messages", 200, "messages sent, one every 10 ms, for the send → invoke latency")
	f.IntVar(&cfg.Mapping.Burst, "burst", 10000, "messages sent at once for the queue → function throughput")
	f.DurationVar(&cfg.Mapping.Wait, "mapping-wait", 30*time.Second, "how long to wait for the first message to reach the function, and for each sign of progress after it")
	f.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the run (server included when in-process) to this file")
	return cmd
}

func benchBucketsCommand() *cobra.Command {
	var (
		endpoint, cpuprofile string
		cfg                  bench.BucketsConfig
	)
	_, motoErr := bench.MotoPath()
	cmd := &cobra.Command{
		Use:   "buckets",
		Short: "Measure S3 on eddy and on moto_server: objects/s, MB/s, listing latency, ratios, and PUT → invoke",
		Long: `Run the same aws-sdk-go-v2 S3 client code (path-style addressing) against eddy
and, in the same run, against moto_server (started on a free loopback port
when --moto is set, the default when it is on PATH; stopped after): PutObject
and GetObject of 4 KiB objects and ListObjectsV2 of one prefix (100 keys,
MaxKeys 1000) of a bucket of --objects objects, each at every --concurrency
level, next to the floor of a plain loopback HTTP echo; and PutObject and
GetObject of one 64 MiB object (--large; --moto-large for moto's) streamed from a generated body and read to io.Discard, in MB/s,
next to a plain loopback HTTP transfer of the same size. With --function (the
default) it also measures, against eddy only, the latency from the start of a
PutObject to the function a bucket notification (s3:ObjectCreated:*)
invokes; that needs bench/echofn, built from this checkout. Without
--endpoint an eddy server is started in this process on a free port with a
temporary data directory. A server that does not serve S3 is reported as not
available. The command exits 0 whatever the figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Duration <= 0 {
				return errors.New("--duration must be positive")
			}
			if cfg.Ops < 0 {
				return errors.New("--ops must not be negative")
			}
			if cfg.Objects < bench.ListPrefixSize || cfg.MotoObjects < bench.ListPrefixSize {
				return fmt.Errorf("--objects and --moto-objects must be at least %d", bench.ListPrefixSize)
			}
			if cfg.Large < 1 || cfg.MotoLarge < 0 || cfg.LargeRounds < 1 || cfg.LoadConcurrency < 1 {
				return errors.New("--large, --large-rounds and --load-concurrency must be at least 1, --moto-large not negative")
			}
			if cfg.Notify.Objects < 1 || cfg.Notify.Wait <= 0 {
				return errors.New("--latency-objects and --notify-wait must be positive")
			}
			for _, c := range cfg.Concurrency {
				if c < 1 {
					return errors.New("--concurrency levels must be at least 1")
				}
			}
			ctx := cmd.Context()
			run, err := prepareBench(ctx, endpoint, cpuprofile, Config{}, cfg.Function)
			if err != nil {
				return err
			}
			defer run.close()
			cfg.Zip, cfg.Endpoint, cfg.InProcess, cfg.Progress = run.zip, run.url, run.inProcess, os.Stderr
			report, err := bench.RunBuckets(ctx, cfg)
			if err != nil {
				return err
			}
			return report.Render(os.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "", "bench an eddy already running at this URL instead of one started in this process")
	f.BoolVar(&cfg.Moto, "moto", motoErr == nil, "also measure moto_server (the default when it is on PATH)")
	f.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long each measurement runs at each concurrency level")
	f.IntVar(&cfg.Ops, "ops", 0, "also stop each measurement after this many calls (0: no limit)")
	f.IntSliceVar(&cfg.Concurrency, "concurrency", []int{1, 16}, "concurrency levels")
	f.IntVar(&cfg.Objects, "objects", 100000, "objects in eddy's listing bucket (whole prefixes of 100)")
	f.IntVar(&cfg.MotoObjects, "moto-objects", 5000, "objects in moto's listing bucket (moto scans its whole bucket for every listing)")
	f.Int64Var(&cfg.Large, "large", 64<<20, "bytes of eddy's large object")
	f.Int64Var(&cfg.MotoLarge, "moto-large", 0, "bytes of moto's large object (0: as --large)")
	f.IntVar(&cfg.LargeRounds, "large-rounds", 3, "times the large object is put, then got")
	f.IntVar(&cfg.LoadConcurrency, "load-concurrency", 16, "clients calling PutObject while a bucket is filled")
	f.BoolVar(&cfg.Function, "function", true, "also measure PUT → invoke latency of a bucket notification against eddy")
	f.IntVar(&cfg.Notify.Objects, "latency-objects", 200, "objects put, one every 10 ms, for the PUT → invoke latency")
	f.DurationVar(&cfg.Notify.Wait, "notify-wait", 30*time.Second, "how long to wait for the first event to reach the function, and for each sign of progress after it")
	f.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the run (server included when in-process) to this file")
	return cmd
}
