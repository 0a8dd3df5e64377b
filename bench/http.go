package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	goruntime "runtime"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// The paths measured by the HTTP benchmark, in the order they run.
const (
	PathFloor   = "floor: loopback HTTP echo"
	PathRelay   = "design floor: bare Runtime API relays"
	PathDirect  = "Lambda Invoke (raw HTTP)"
	PathGateway = "HTTP API route"
)

// HTTPConfig configures the HTTP benchmark. Zero fields take defaults.
type HTTPConfig struct {
	// Endpoint is eddy's base address, e.g. http://127.0.0.1:4566.
	Endpoint string
	// InProcess says the eddy at Endpoint runs inside this process.
	InProcess bool
	// Zip is bench/echofn, zipped as "bootstrap".
	Zip []byte
	// Duration is how long each measurement runs at each concurrency
	// (default 5 s).
	Duration time.Duration
	// Concurrency lists the concurrency levels (default 1, 16, 64).
	Concurrency []int
	// Progress receives a line as each phase starts; nil for silence.
	Progress io.Writer
}

func (c *HTTPConfig) defaults() {
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
	}
	if len(c.Concurrency) == 0 {
		c.Concurrency = []int{1, 16, 64}
	}
}

// HTTPReport holds the figures of one `eddy bench http` run.
type HTTPReport struct {
	Endpoint   string
	InProcess  bool
	CPUs       int
	GoVersion  string
	Platform   string
	Background float64 // share of the CPUs busy just before the load

	Duration    time.Duration
	Concurrency []int
	// Results holds every measurement: each path at each concurrency.
	Results []HTTPResult
	// Notes are remarks worth printing: the first error of each measurement.
	Notes []string
}

// HTTPResult is one path measured at one concurrency.
type HTTPResult struct {
	Path string
	// Throughput's CPU is what the measurement cost per request: this
	// process (the client, the relays, and eddy when it runs in this
	// process) and its children (the function processes: the relays'
	// always, eddy's instances when eddy runs in this process).
	Throughput
}

// Result returns the figures of path at concurrency c.
func (r *HTTPReport) Result(path string, c int) (Throughput, bool) {
	for _, x := range r.Results {
		if x.Path == path && x.Concurrency == c {
			return x.Throughput, true
		}
	}
	return Throughput{}, false
}

// RunHTTP measures, in one run and at each concurrency level, requests
// through an HTTP API's route to a warm echo function (bench/echofn), the
// same function invoked directly by the Lambda API, and the floor of a
// loopback HTTP echo. Every answer is checked against its request.
func RunHTTP(ctx context.Context, cfg HTTPConfig) (*HTTPReport, error) {
	cfg.defaults()
	if cfg.Endpoint == "" || len(cfg.Zip) == 0 {
		return nil, errors.New("bench: http: an eddy endpoint and the echo function are required")
	}
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...)
		}
	}
	r := &HTTPReport{
		Endpoint: cfg.Endpoint, InProcess: cfg.InProcess,
		CPUs: goruntime.NumCPU(), GoVersion: goruntime.Version(), Platform: goruntime.GOOS + "/" + goruntime.GOARCH,
		Duration: cfg.Duration, Concurrency: cfg.Concurrency,
	}
	base := strings.TrimRight(cfg.Endpoint, "/")
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	lc := lambda.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(base),
		HTTPClient:   client,
	}, func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	name := "eddy-bench-http-" + randomHex(4)
	fn, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Role:         aws.String(benchRole),
		Code:         &types.FunctionCode{ZipFile: cfg.Zip},
		Timeout:      aws.Int32(30),
	})
	if err != nil {
		return nil, fmt.Errorf("bench: http: create function: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)}); err != nil {
			progress("delete function %s: %v", name, err)
		}
	}()
	apiID, err := createHTTPAPI(ctx, client, base, aws.ToString(fn.FunctionArn))
	if err != nil {
		return nil, err
	}
	defer func() {
		req, err := http.NewRequest(http.MethodDelete, base+"/v2/apis/"+apiID, nil)
		if err == nil {
			if res, err := client.Do(req); err == nil {
				res.Body.Close()
			}
		}
	}()
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("bench: http: %w", err)
	}
	apiHost := apiID + ".execute-api.localhost:" + u.Port()

	direct := func(ctx context.Context, w, seq int) (bool, error) {
		body := payload(w, seq)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/2015-03-31/functions/"+name+"/invocations", bytes.NewReader(body))
		if err != nil {
			return false, err
		}
		out, status, err := do(client, req)
		if err != nil {
			return false, err
		}
		if status != http.StatusOK {
			return false, fmt.Errorf("invoke: status %d: %s", status, out)
		}
		if !SameJSON(out, body) {
			return true, fmt.Errorf("invoke: worker %d request %d: got %q", w, seq, out)
		}
		return false, nil
	}
	gateway := func(ctx context.Context, w, seq int) (bool, error) {
		path := fmt.Sprintf("/bench/%d/%d", w, seq)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(payload(w, seq)))
		if err != nil {
			return false, err
		}
		req.Host = apiHost
		req.Header.Set("Content-Type", "application/json")
		out, status, err := do(client, req)
		if err != nil {
			return false, err
		}
		if status != http.StatusOK {
			return false, fmt.Errorf("gateway: status %d: %s", status, out)
		}
		var ev struct {
			RawPath string `json:"rawPath"`
		}
		if json.Unmarshal(out, &ev) != nil || ev.RawPath != path {
			return true, fmt.Errorf("gateway: worker %d request %d: got %.200q", w, seq, out)
		}
		return false, nil
	}
	// One request of each proves the function and the route work.
	if _, err := direct(ctx, 0, -100); err != nil {
		return nil, fmt.Errorf("bench: http: first invoke: %w", err)
	}
	if _, err := gateway(ctx, 0, -100); err != nil {
		return nil, fmt.Errorf("bench: http: first request through the API: %w", err)
	}

	progress("background: machine CPU before the load, 1 s")
	before := sampleCPU()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Second):
	}
	r.Background = before.cost(sampleCPU(), 0).Busy

	for _, c := range cfg.Concurrency {
		progress("floor: loopback HTTP echo at concurrency %d", c)
		before := sampleCPU()
		t, err := floorThroughput(ctx, TablesConfig{Duration: cfg.Duration}, c)
		if err != nil {
			return nil, err
		}
		t.CPU = before.cost(sampleCPU(), t.OK+t.Errors)
		r.Results = append(r.Results, HTTPResult{PathFloor, t})
		progress("%s: %d echofn processes, each behind its own relay, at concurrency %d", PathRelay, c, c)
		rt, err := relaysThroughput(ctx, cfg, c)
		if err != nil {
			return nil, err
		}
		r.Results = append(r.Results, HTTPResult{PathRelay, rt})
		for _, m := range []struct {
			path string
			op   opFunc
		}{{PathDirect, direct}, {PathGateway, gateway}} {
			progress("%s at concurrency %d", m.path, c)
			before := sampleCPU()
			t, first := runLoad(ctx, c, cfg.Duration, 0, m.op)
			t.CPU = before.cost(sampleCPU(), t.OK+t.Errors)
			if first != nil {
				r.Notes = append(r.Notes, fmt.Sprintf("%s at concurrency %d: first error: %v", m.path, c, first))
			}
			r.Results = append(r.Results, HTTPResult{m.path, t})
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

// relaysThroughput measures the least any emulator that runs a process
// per instance must spend: c clients, each invoking its own echofn process
// through a bare Runtime API relay (no API, no registry, no logs), as many
// processes as eddy starts for c concurrent requests.
func relaysThroughput(ctx context.Context, cfg HTTPConfig, c int) (Throughput, error) {
	relays := make([]*relay, c)
	defer func() {
		for _, rl := range relays {
			if rl != nil {
				rl.close()
			}
		}
	}()
	for i := range relays {
		rl, err := startRelay(cfg.Zip)
		if err != nil {
			return Throughput{}, fmt.Errorf("bench: http: %w", err)
		}
		relays[i] = rl
	}
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	before := sampleCPU() // with the processes started, so that their cost is the relays' alone
	t, first := runLoad(ctx, c, cfg.Duration, 0, func(ctx context.Context, w, seq int) (bool, error) {
		body := payload(w, seq)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, relays[w%c].url, bytes.NewReader(body))
		if err != nil {
			return false, err
		}
		out, status, err := do(client, req)
		if err != nil {
			return false, err
		}
		if status != http.StatusOK || !SameJSON(out, body) {
			return true, fmt.Errorf("relay: worker %d request %d: status %d: %q", w, seq, status, out)
		}
		return false, nil
	})
	t.CPU = before.cost(sampleCPU(), t.OK+t.Errors)
	if t.OK == 0 && first != nil {
		return t, fmt.Errorf("bench: http: relays: %w", first)
	}
	return t, ctx.Err()
}

// createHTTPAPI quick-creates an HTTP API whose $default route invokes fn,
// by a plain unsigned request, and returns its id.
func createHTTPAPI(ctx context.Context, client *http.Client, base, fnARN string) (string, error) {
	body, _ := json.Marshal(map[string]string{"name": "eddy-bench-http", "protocolType": "HTTP", "target": fnARN})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v2/apis", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	out, status, err := do(client, req)
	if err != nil {
		return "", fmt.Errorf("bench: http: create api: %w", err)
	}
	var api struct {
		APIID string `json:"apiId"`
	}
	if status != http.StatusCreated || json.Unmarshal(out, &api) != nil || api.APIID == "" {
		return "", fmt.Errorf("bench: http: create api: status %d: %s", status, out)
	}
	return api.APIID, nil
}

func do(client *http.Client, req *http.Request) ([]byte, int, error) {
	res, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return out, res.StatusCode, err
}

// Targets judges the run against the HTTP targets.
func (r *HTTPReport) Targets() []Target {
	var out []Target
	g16, ok := r.Result(PathGateway, 16)
	out = append(out, Target{
		Name:     "HTTP API ≥ 4,000 requests/s at concurrency 16",
		Measured: fmt.Sprintf("%.0f/s", g16.PerSecond),
		Result:   result(ok, ok && g16.PerSecond >= 4000),
	})
	g1, okg := r.Result(PathGateway, 1)
	d1, okd := r.Result(PathDirect, 1)
	ok = okg && okd && g1.Latency.N > 0 && d1.Latency.N > 0
	added := g1.Latency.P50 - d1.Latency.P50
	out = append(out, Target{
		Name:     "the gateway adds ≤ 100 µs p50 over a direct invoke (concurrency 1)",
		Measured: fmt.Sprintf("%s (%s vs %s)", us(added), ms(g1.Latency.P50), ms(d1.Latency.P50)),
		Result:   result(ok, ok && added <= 100*time.Microsecond),
	})
	return out
}

// Render writes the report as Markdown tables.
func (r *HTTPReport) Render(w io.Writer) error {
	p := &printer{w: w}
	p.printf("# eddy bench http\n\n")
	server := "eddy at " + r.Endpoint
	if r.InProcess {
		server = "eddy, in-process server at " + r.Endpoint
	}
	p.printf("%s: an HTTP API (quick create: a $default route and stage) in front of bench/echofn, beside the same function invoked directly and a plain loopback HTTP echo\n", server)
	p.printf("client: net/http, one keep-alive client; each measurement %v, after %d untimed requests per client\n", r.Duration, throughputWarmup)
	p.printf("machine: %d CPUs, %s %s; %.0f%% of the CPUs busy before the load\n\n", r.CPUs, r.GoVersion, r.Platform, 100*r.Background)
	if r.Background > 0.10 {
		p.printf("warning: the machine is not quiet: other processes compete for the CPUs, so these figures are pessimistic\n\n")
	}
	t := Table{
		Header: []string{"path", "concurrency", "requests/s", "p50", "p99", "ok", "errors", "lost"},
		Right:  []bool{false, true, true, true, true, true, true, true},
	}
	for _, c := range r.Concurrency {
		for _, path := range []string{PathFloor, PathRelay, PathDirect, PathGateway} {
			x, ok := r.Result(path, c)
			if !ok {
				continue
			}
			p50, p99 := "–", "–"
			if x.Latency.N > 0 {
				p50, p99 = ms(x.Latency.P50), ms(x.Latency.P99)
			}
			t.Rows = append(t.Rows, []string{path, strconv.Itoa(c), fmt.Sprintf("%.0f", x.PerSecond), p50, p99,
				strconv.Itoa(x.OK), strconv.Itoa(x.Errors), strconv.Itoa(x.Lost)})
		}
	}
	p.table(t)
	ratios := Table{
		Header: []string{"ratios", "concurrency", "API ÷ direct requests/s", "API ÷ relays requests/s", "API p50 ÷ direct p50", "API p50 − direct p50", "API p50 ÷ floor p50"},
		Right:  []bool{false, true, true, true, true, true, true},
	}
	for _, c := range r.Concurrency {
		g, okg := r.Result(PathGateway, c)
		d, okd := r.Result(PathDirect, c)
		f, okf := r.Result(PathFloor, c)
		if !okg || !okd || !okf {
			continue
		}
		rel := "–"
		if x, ok := r.Result(PathRelay, c); ok {
			rel = ratio(g.PerSecond, x.PerSecond)
		}
		ratios.Rows = append(ratios.Rows, []string{"HTTP API", strconv.Itoa(c), ratio(g.PerSecond, d.PerSecond), rel,
			ratio(float64(g.Latency.P50), float64(d.Latency.P50)), us(g.Latency.P50 - d.Latency.P50),
			ratio(float64(g.Latency.P50), float64(f.Latency.P50))})
	}
	p.table(ratios)
	cpu := Table{
		Header: []string{"CPU per request", "concurrency", "function processes", "this process", "machine busy", "function processes alone: most requests/s the CPUs can carry"},
		Right:  []bool{false, true, true, true, true, true},
	}
	for _, c := range r.Concurrency {
		for _, path := range []string{PathFloor, PathRelay, PathDirect, PathGateway} {
			x, ok := r.Result(path, c)
			if !ok || (x.CPU == CPUCost{}) {
				continue
			}
			fn, ceiling := "–", "–"
			if path != PathFloor && (path == PathRelay || r.InProcess) {
				fn = us(x.CPU.Children)
				if x.CPU.Children > 0 {
					ceiling = fmt.Sprintf("%.0f/s", float64(r.CPUs)*float64(time.Second)/float64(x.CPU.Children))
				}
			}
			cpu.Rows = append(cpu.Rows, []string{path, strconv.Itoa(c), fn, us(x.CPU.Self), fmt.Sprintf("%.0f%%", 100*x.CPU.Busy), ceiling})
		}
	}
	if len(cpu.Rows) > 0 {
		p.printf("CPU per request from /proc: the function processes are this process's children (the relays'; eddy's instances only with eddy in this process); this process is the client, the relays and an in-process eddy\n\n")
		p.table(cpu)
	}
	targets := Table{Header: []string{"target", "measured", "result"}}
	for _, x := range r.Targets() {
		targets.Rows = append(targets.Rows, []string{x.Name, x.Measured, x.Result})
	}
	p.table(targets)
	for _, n := range r.Notes {
		p.printf("note: %s\n", n)
	}
	return p.err
}
