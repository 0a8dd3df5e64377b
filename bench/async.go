package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AsyncConfig configures the asynchronous invoke benchmark.
type AsyncConfig struct {
	Endpoint string
	Zip      []byte
	// Concurrency is how many clients send Event invokes (default 8).
	Concurrency int
	// Duration is how long they send (default 5 s).
	Duration time.Duration
	// MaxEvents bounds the events sent (default 100,000).
	MaxEvents int
	// Drain bounds the wait for every accepted event to run (default 2 min).
	Drain    time.Duration
	Progress io.Writer
}

// AsyncReport is what the asynchronous benchmark measured.
type AsyncReport struct {
	Concurrency int
	Duration    time.Duration
	Accepted    int
	Errors      int
	// AcceptRate is 202s per second while sending.
	AcceptRate float64
	// Completed is how many accepted events ran within the drain time;
	// CompletionRate is events run per second, first accept to last start.
	Completed      int
	CompletionRate float64
	// StartLatency is the time from an event's 202 to its function's start.
	StartLatency Latency
	// SyncRate is the function's own throughput at the same concurrency,
	// measured with synchronous invokes, for comparison.
	SyncRate float64
}

// RunAsync sends Event invokes of the echo function from cfg.Concurrency
// clients for cfg.Duration, then waits for all of them to run, and reports
// the accept rate, the completion rate and the accept-to-start latency.
func RunAsync(ctx context.Context, cfg AsyncConfig) (*AsyncReport, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 5 * time.Second
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = 100000
	}
	if cfg.Drain <= 0 {
		cfg.Drain = 2 * time.Minute
	}
	b, err := newInvokeBench(InvokeConfig{Endpoint: cfg.Endpoint, Zip: cfg.Zip, Progress: cfg.Progress})
	if err != nil {
		return nil, err
	}
	defer b.http.CloseIdleConnections()
	if err := b.setup(ctx); err != nil {
		return nil, err
	}
	defer b.teardown()
	dir, err := os.MkdirTemp("", "eddy-bench-async-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	stamps := filepath.Join(dir, "stamps")
	body := []byte(`{"action":"stamp","path":"` + stamps + `"}`)
	r := &AsyncReport{Concurrency: cfg.Concurrency}

	// The function's own throughput, synchronously, at the same concurrency.
	b.progress("async: synchronous reference at concurrency %d", cfg.Concurrency)
	sync1, _ := b.throughput(ctx, cfg.Concurrency, cfg.Duration)
	r.SyncRate = sync1.PerSecond
	_ = os.Remove(stamps)

	b.progress("async: Event invokes from %d clients for %v", cfg.Concurrency, cfg.Duration)
	var mu sync.Mutex
	accepted := map[string]time.Time{}
	var errs int
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				id, err := b.eventInvoke(ctx, body)
				at := time.Now()
				mu.Lock()
				if err != nil {
					errs++
				} else {
					accepted[id] = at
				}
				full := len(accepted) >= cfg.MaxEvents
				mu.Unlock()
				if full {
					return
				}
			}
		}()
	}
	wg.Wait()
	r.Duration = time.Since(start)
	r.Accepted, r.Errors = len(accepted), errs
	r.AcceptRate = float64(r.Accepted) / r.Duration.Seconds()

	b.progress("async: waiting for %d events to run", r.Accepted)
	drainBy := time.Now().Add(cfg.Drain)
	var started map[string]time.Time
	for {
		started = readStamps(stamps)
		if len(started) >= r.Accepted || time.Now().After(drainBy) || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var lat []time.Duration
	var last time.Time
	for id, at := range accepted {
		s, ok := started[id]
		if !ok {
			continue
		}
		r.Completed++
		lat = append(lat, s.Sub(at))
		if s.After(last) {
			last = s
		}
	}
	r.StartLatency = Summarize(lat)
	if r.Completed > 0 {
		r.CompletionRate = float64(r.Completed) / last.Sub(start).Seconds()
	}
	return r, nil
}

// eventInvoke sends one Event invoke and returns the request id of its 202.
func (b *invokeBench) eventInvoke(ctx context.Context, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.invokeURL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Amz-Invocation-Type", "Event")
	req.Header.Set("Content-Type", "application/json")
	res, err := b.http.Do(req)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("status %d", res.StatusCode)
	}
	return res.Header.Get("X-Amzn-RequestId"), nil
}

// readStamps reads the "REQUEST-ID UNIX-NANOSECONDS" lines the function wrote.
func readStamps(path string) map[string]time.Time {
	out := map[string]time.Time{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		id, ns, ok := strings.Cut(sc.Text(), " ")
		n, err := strconv.ParseInt(ns, 10, 64)
		if ok && err == nil {
			out[id] = time.Unix(0, n)
		}
	}
	return out
}

// Render prints the report as Markdown tables.
func (r *AsyncReport) Render(w io.Writer) error {
	p := &printer{w: w}
	p.printf("# eddy bench async\n\n")
	p.table(Table{
		Header: []string{"Event invokes", "clients", "duration", "accepted", "errors", "accepted/s", "ran", "ran/s", "sync invokes/s (same function, same clients)"},
		Rows: [][]string{{"echo function", strconv.Itoa(r.Concurrency), fmt.Sprintf("%.1f s", r.Duration.Seconds()),
			strconv.Itoa(r.Accepted), strconv.Itoa(r.Errors), fmt.Sprintf("%.0f", r.AcceptRate),
			strconv.Itoa(r.Completed), fmt.Sprintf("%.0f", r.CompletionRate), fmt.Sprintf("%.0f", r.SyncRate)}},
	})
	p.table(Table{
		Header: []string{"accept → start", "n", "p50", "p90", "p99", "max"},
		Rows: [][]string{{"202 to the function's start", strconv.Itoa(r.StartLatency.N), ms(r.StartLatency.P50),
			ms(r.StartLatency.P90), ms(r.StartLatency.P99), ms(r.StartLatency.Max)}},
	})
	met := r.AcceptRate >= 3000
	lost := r.Accepted - r.Completed
	p.table(Table{
		Header: []string{"target", "measured", "result"},
		Rows: [][]string{
			{"≥ 3,000 Event invokes accepted/s at 8 clients", fmt.Sprintf("%.0f/s", r.AcceptRate), result(r.Concurrency == 8, met)},
			{"every accepted event runs", fmt.Sprintf("%d of %d", r.Completed, r.Accepted), result(true, lost == 0)},
			{"completion limited by the function's own throughput", fmt.Sprintf("%.0f/s vs %.0f/s sync", r.CompletionRate, r.SyncRate), "information"},
		},
	})
	p.printf("peer: none. moto_server cannot run Lambda functions without Docker.\n")
	return p.err
}
