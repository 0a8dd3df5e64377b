package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// InvokeConfig configures the invoke benchmark. Zero fields take defaults.
type InvokeConfig struct {
	// Endpoint is eddy's base address, e.g. http://127.0.0.1:4566.
	Endpoint string
	// Zip is the echo function's deployment package (see BuildEchoZip).
	Zip []byte
	// Requests is the number of timed requests of each sequential
	// measurement (default 2000).
	Requests int
	// Warmup is the number of untimed requests before each sequential
	// measurement (default 100).
	Warmup int
	// Duration is how long each concurrency level runs (default 5 s).
	Duration time.Duration
	// Concurrency lists the concurrency levels (default 1, 8, 32).
	Concurrency []int
	// Cold is the number of fresh instances timed (default 20).
	Cold int
	// InProcess says the server runs inside this process, so that this
	// process's memory is the server's (plus the benchmark's own).
	InProcess bool
	// Progress receives a line as each phase starts; nil for silence.
	Progress io.Writer
}

func (c *InvokeConfig) defaults() {
	if c.Requests <= 0 {
		c.Requests = 2000
	}
	if c.Warmup <= 0 {
		c.Warmup = 100
	}
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
	}
	if len(c.Concurrency) == 0 {
		c.Concurrency = []int{1, 8, 32}
	}
	if c.Cold <= 0 {
		c.Cold = 20
	}
}

const (
	benchRole = "arn:aws:iam::000000000000:role/lambda-role"
	// coldEnv is the variable changed before each cold invoke: a new
	// configuration revision, so the next invoke needs a fresh instance.
	coldEnv = "EDDY_BENCH_COLD"
)

// RunInvoke runs the invoke benchmark against the eddy at cfg.Endpoint. It
// creates an echo function with a unique name and deletes it afterwards.
func RunInvoke(ctx context.Context, cfg InvokeConfig) (*InvokeReport, error) {
	cfg.defaults()
	b, err := newInvokeBench(cfg)
	if err != nil {
		return nil, err
	}
	defer b.http.CloseIdleConnections()

	r := &InvokeReport{
		Endpoint: b.endpoint, InProcess: cfg.InProcess,
		CPUs: goruntime.NumCPU(), GoVersion: goruntime.Version(), Platform: goruntime.GOOS + "/" + goruntime.GOARCH,
	}
	if err := b.setup(ctx); err != nil {
		return nil, err
	}
	defer b.teardown()

	if cfg.InProcess {
		rss, _, err := ProcessRSS()
		if err != nil {
			return nil, err
		}
		r.IdleRSS = rss
	}

	b.progress("background: machine CPU with eddy idle, 1 s")
	before := sampleCPU()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Second):
	}
	r.Background = before.cost(sampleCPU(), 0).Busy

	b.progress("floor: loopback HTTP echo, %d sequential requests", cfg.Requests)
	floor, floorCPU, err := b.floor(ctx)
	if err != nil {
		return nil, err
	}
	r.Floor, r.FloorCPU = floor, floorCPU

	b.progress("design floor: Runtime API relay to one echofn process, %d sequential requests", cfg.Requests)
	relay, relayCPU, err := b.relayFloor(ctx, r)
	if err != nil {
		return nil, err
	}
	r.Relay, r.RelayCPU = relay, relayCPU

	b.progress("warm invoke: raw HTTP POST, %d sequential requests", cfg.Requests)
	r.WarmRaw, r.WarmRawCPU = b.sequential(ctx, r, "warm raw", func(body []byte) ([]byte, error) {
		out, _, err := b.rawInvoke(ctx, body, false)
		return out, err
	})
	b.progress("warm invoke: aws-sdk-go-v2 Invoke, %d sequential requests", cfg.Requests)
	r.WarmSDK, r.WarmSDKCPU = b.sequential(ctx, r, "warm sdk", func(body []byte) ([]byte, error) {
		return b.sdkInvoke(ctx, body)
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	b.progress("cold start: %d fresh instances", cfg.Cold)
	if err := b.cold(ctx, r); err != nil {
		return nil, err
	}

	for _, c := range cfg.Concurrency {
		b.progress("throughput: concurrency %d for %v", c, cfg.Duration)
		t, first := b.throughput(ctx, c, cfg.Duration)
		if first != nil {
			r.Notes = append(r.Notes, fmt.Sprintf("concurrency %d: first error: %v", c, first))
		}
		r.Throughput = append(r.Throughput, t)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if cfg.InProcess {
		_, peak, err := ProcessRSS()
		if err != nil {
			return nil, err
		}
		r.PeakRSS = peak
	}
	return r, nil
}

// newInvokeBench returns a benchmark of a new echo function (created by
// setup) at cfg.Endpoint.
func newInvokeBench(cfg InvokeConfig) (*invokeBench, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("bench: no endpoint")
	}
	if len(cfg.Zip) == 0 {
		return nil, errors.New("bench: no deployment package")
	}
	b := &invokeBench{
		cfg:      cfg,
		endpoint: strings.TrimRight(cfg.Endpoint, "/"),
		name:     "eddy-bench-echo-" + randomHex(4),
		http:     newHTTPClient(),
	}
	b.sdk = lambda.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(b.endpoint),
	}, func(o *lambda.Options) { o.RetryMaxAttempts = 1 }) // count failures, do not hide them
	b.invokeURL = b.endpoint + "/2015-03-31/functions/" + url.PathEscape(b.name) + "/invocations"
	return b, nil
}

type invokeBench struct {
	cfg       InvokeConfig
	endpoint  string
	name      string
	invokeURL string
	http      *http.Client
	sdk       *lambda.Client
}

func (b *invokeBench) progress(format string, args ...any) {
	if b.cfg.Progress != nil {
		fmt.Fprintf(b.cfg.Progress, "bench: "+format+"\n", args...)
	}
}

// newHTTPClient is the client of the floor and of raw invokes: keep-alive,
// enough idle connections for the highest concurrency, no compression.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil, // loopback only
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// payload is a small JSON event that names its sender, so that a response
// handed to the wrong request is caught.
func payload(worker, seq int) []byte {
	return fmt.Appendf(nil, `{"bench":"eddy","worker":%d,"seq":%d,"pad":"0123456789abcdef0123456789abcdef"}`, worker, seq)
}

// SameJSON reports whether got is the JSON document want: byte for byte, or
// equal once decoded.
func SameJSON(got, want []byte) bool {
	if bytes.Equal(got, want) {
		return true
	}
	var g, w any
	if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil {
		return false
	}
	return reflect.DeepEqual(g, w)
}

func (b *invokeBench) setup(ctx context.Context) error {
	_, err := b.sdk.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(b.name),
		Runtime:      types.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Role:         aws.String(benchRole),
		Code:         &types.FunctionCode{ZipFile: b.cfg.Zip},
		Timeout:      aws.Int32(30),
	})
	if err != nil {
		return fmt.Errorf("bench: create function: %w", err)
	}
	// One invoke proves the function works and leaves a warm instance.
	body := payload(0, -1)
	got, _, err := b.rawInvoke(ctx, body, false)
	if err != nil {
		b.teardown()
		return fmt.Errorf("bench: first invoke: %w", err)
	}
	if !SameJSON(got, body) {
		b.teardown()
		return fmt.Errorf("bench: first invoke: got %q, want %q", got, body)
	}
	return nil
}

func (b *invokeBench) teardown() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := b.sdk.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(b.name)}); err != nil {
		b.progress("delete function %s: %v", b.name, err)
	}
}

// rawInvoke invokes the function by a plain HTTP POST, as the Lambda API
// defines it, unsigned. It returns the payload and, if tail is set, the
// decoded log tail.
func (b *invokeBench) rawInvoke(ctx context.Context, body []byte, tail bool) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.invokeURL, bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if tail {
		req.Header.Set("X-Amz-Log-Type", "Tail")
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("invoke: status %d: %s", resp.StatusCode, bytes.TrimSpace(out))
	}
	if fe := resp.Header.Get("X-Amz-Function-Error"); fe != "" {
		return nil, "", fmt.Errorf("invoke: function error %s: %s", fe, out)
	}
	var logs string
	if tail {
		dec, err := base64.StdEncoding.DecodeString(resp.Header.Get("X-Amz-Log-Result"))
		if err != nil {
			return nil, "", fmt.Errorf("invoke: log result: %w", err)
		}
		logs = string(dec)
	}
	return out, logs, nil
}

func (b *invokeBench) sdkInvoke(ctx context.Context, body []byte) ([]byte, error) {
	out, err := b.sdk.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(b.name), Payload: body})
	if err != nil {
		return nil, err
	}
	if out.FunctionError != nil {
		return nil, fmt.Errorf("invoke: function error %s: %s", *out.FunctionError, out.Payload)
	}
	return out.Payload, nil
}

// sequential times cfg.Requests calls of call, one at a time, after
// cfg.Warmup untimed ones. Each call must return its own body.
func (b *invokeBench) sequential(ctx context.Context, r *InvokeReport, phase string, call func(body []byte) ([]byte, error)) (Latency, CPUCost) {
	var first error
	check := func(body []byte) error {
		got, err := call(body)
		if err == nil && !SameJSON(got, body) {
			err = fmt.Errorf("got %q, want %q", got, body)
		}
		if err != nil && first == nil {
			first = err
		}
		return err
	}
	for i := 0; i < b.cfg.Warmup && ctx.Err() == nil; i++ {
		_ = check(payload(0, -i-1))
	}
	times := make([]time.Duration, 0, b.cfg.Requests)
	errs := 0
	cpu := sampleCPU()
	for i := 0; i < b.cfg.Requests && ctx.Err() == nil; i++ {
		body := payload(0, i)
		start := time.Now()
		err := check(body)
		d := time.Since(start)
		if err != nil {
			errs++
			continue
		}
		times = append(times, d)
	}
	cost := cpu.cost(sampleCPU(), len(times)+errs)
	if first != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("%s: first error: %v", phase, first))
	}
	l := Summarize(times)
	l.Errors = errs
	return l, cost
}

// floor times a plain loopback HTTP echo with the same client: the least a
// request through eddy could cost.
func (b *invokeBench) floor(ctx context.Context) (Latency, CPUCost, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Latency{}, CPUCost{}, fmt.Errorf("bench: floor: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = srv.Serve(ln)
	}()
	defer func() {
		_ = srv.Close()
		wg.Wait()
	}()
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	u := "http://" + ln.Addr().String() + "/echo"
	var r InvokeReport
	l, cost := b.sequential(ctx, &r, "floor", func(body []byte) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("floor: status %d", resp.StatusCode)
		}
		return out, err
	})
	if l.Errors > 0 {
		return l, cost, fmt.Errorf("bench: floor: %s", strings.Join(r.Notes, "; "))
	}
	return l, cost, ctx.Err()
}

// cold changes the function's configuration before each invoke, so that
// every invoke starts a fresh instance, and times that first invoke.
func (b *invokeBench) cold(ctx context.Context, r *InvokeReport) error {
	var times, inits []time.Duration
	var first error
	errs := 0
	for i := 0; i < b.cfg.Cold; i++ {
		_, err := b.sdk.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
			FunctionName: aws.String(b.name),
			Environment:  &types.Environment{Variables: map[string]string{coldEnv: strconv.Itoa(i)}},
		})
		if err != nil {
			return fmt.Errorf("bench: cold: update configuration: %w", err)
		}
		body := payload(0, i)
		start := time.Now()
		got, tail, err := b.rawInvoke(ctx, body, true)
		d := time.Since(start)
		if err == nil && !SameJSON(got, body) {
			err = fmt.Errorf("got %q, want %q", got, body)
		}
		if err != nil {
			errs++
			if first == nil {
				first = err
			}
			continue
		}
		times = append(times, d)
		if init, ok := ParseInitDuration(tail); ok {
			inits = append(inits, init)
		} else {
			r.ColdNotFresh++
		}
	}
	if first != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("cold: first error: %v", first))
	}
	r.Cold = Summarize(times)
	r.Cold.Errors = errs
	r.InitDuration = Summarize(inits)
	return ctx.Err()
}

// throughputWarmup is the number of untimed requests of each worker before
// a throughput measurement.
const throughputWarmup = 3

// throughput invokes from c workers, each one request at a time, until d
// has passed, and checks every answer. first is the first error seen.
func (b *invokeBench) throughput(ctx context.Context, c int, d time.Duration) (t Throughput, first error) {
	type tally struct {
		times            []time.Duration
		ok, errors, lost int
		first            error
	}
	tallies := make([]tally, c)
	var wg sync.WaitGroup
	// Warm up: c requests at once make eddy scale out to c instances, so
	// that the timed window measures warm throughput, not cold starts.
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range throughputWarmup {
				_, _, _ = b.rawInvoke(ctx, payload(w, -i-1), false)
			}
		}()
	}
	wg.Wait()
	cpu := sampleCPU()
	start := time.Now()
	deadline := start.Add(d)
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tl := &tallies[w]
			for seq := 0; ctx.Err() == nil && time.Now().Before(deadline); seq++ {
				body := payload(w, seq)
				t0 := time.Now()
				got, _, err := b.rawInvoke(ctx, body, false)
				el := time.Since(t0)
				switch {
				case err != nil:
					tl.errors++
					if tl.first == nil {
						tl.first = err
					}
				case !SameJSON(got, body):
					tl.lost++
					if tl.first == nil {
						tl.first = fmt.Errorf("worker %d request %d: got %q, want %q", w, seq, got, body)
					}
				default:
					tl.ok++
					tl.times = append(tl.times, el)
				}
			}
		}()
	}
	wg.Wait()
	t = Throughput{Concurrency: c, Elapsed: time.Since(start)}
	after := sampleCPU()
	var all []time.Duration
	for _, tl := range tallies {
		t.OK += tl.ok
		t.Errors += tl.errors
		t.Lost += tl.lost
		all = append(all, tl.times...)
		if first == nil {
			first = tl.first
		}
	}
	t.PerSecond = float64(t.OK) / t.Elapsed.Seconds()
	t.CPU = cpu.cost(after, t.OK+t.Errors+t.Lost)
	t.Latency = Summarize(all)
	t.Latency.Errors = t.Errors + t.Lost
	return t, first
}

// ProcessRSS returns this process's resident set size and its peak (VmRSS
// and VmHWM of /proc/self/status), in bytes.
func ProcessRSS() (rss, peak int64, err error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, fmt.Errorf("bench: rss: %w", err)
	}
	rss, ok1 := ParseStatusBytes(string(data), "VmRSS")
	peak, ok2 := ParseStatusBytes(string(data), "VmHWM")
	if !ok1 || !ok2 {
		return 0, 0, errors.New("bench: rss: no VmRSS or VmHWM in /proc/self/status")
	}
	return rss, peak, nil
}
