package bench_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/bench"
)

// MustMoto skips the test when moto_server is not on PATH, unless
// EDDY_REQUIRE_MOTO=1 makes that a failure.
// Under -short it skips: CI runs the race detector with -short, after a
// plain run where these tests ran.
func MustMoto(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("drives moto_server; runs without -short")
	}
	if _, err := bench.MotoPath(); err != nil {
		if os.Getenv("EDDY_REQUIRE_MOTO") == "1" {
			tb.Fatalf("EDDY_REQUIRE_MOTO=1: %v", err)
		}
		tb.Skipf("no moto_server: %v", err)
	}
}

func TestTablesAgainstMoto(t *testing.T) {
	MustMoto(t)
	r, err := bench.RunTables(t.Context(), bench.TablesConfig{
		Moto:      true,
		MotoItems: 300,
		Duration:  200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Target("moto")
	if m == nil || m.Unavailable != "" {
		t.Fatalf("got moto target %+v, want it measured", m)
	}
	if m.Items != 300 || m.Load <= 0 {
		t.Errorf("got %d items loaded in %v, want 300 in some time", m.Items, m.Load)
	}
	for _, op := range bench.TableOps {
		for _, c := range []int{1, 16} {
			th, ok := m.Result(op, c)
			if !ok || th.OK == 0 || th.Latency.N != th.OK || th.PerSecond <= 0 {
				t.Errorf("%s at %d: got %+v, want a non-zero count", op, c, th)
			}
			if th.Errors != 0 || th.Lost != 0 {
				t.Errorf("%s at %d: got %d errors and %d lost, want none (notes: %v)", op, c, th.Errors, th.Lost, m.Notes)
			}
		}
	}
	for _, f := range r.Floor {
		if f.OK == 0 {
			t.Errorf("floor at %d: got no requests", f.Concurrency)
		}
	}
	var b strings.Builder
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"moto_server at http://127.0.0.1:", "table of 300 items", "| Query ", "| floor: loopback HTTP echo "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("got\n%s\nwant it to contain %q", b.String(), want)
		}
	}
}

// unknownService answers every request as eddy does for a service it does
// not provide.
func unknownService(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", "UnknownServiceException")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"UnknownServiceException","message":"no such service"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestTablesTargetNotAvailable(t *testing.T) {
	r, err := bench.RunTables(t.Context(), bench.TablesConfig{
		Endpoint:    unknownService(t),
		Duration:    20 * time.Millisecond,
		Concurrency: []int{1},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := r.Target("eddy")
	if e == nil || !strings.Contains(e.Unavailable, "not available") || len(e.Results) != 0 {
		t.Fatalf("got %+v, want eddy not available", e)
	}
}

func TestStreamHooksNotAvailable(t *testing.T) {
	cfg := bench.StreamConfig{Endpoint: unknownService(t), Zip: []byte("zip"), Wait: time.Second}
	if _, err := bench.StreamLatency(t.Context(), cfg); !errors.Is(err, bench.ErrNotAvailable) {
		t.Errorf("StreamLatency: got %v, want ErrNotAvailable", err)
	}
	if _, err := bench.StreamThroughput(t.Context(), cfg); !errors.Is(err, bench.ErrNotAvailable) {
		t.Errorf("StreamThroughput: got %v, want ErrNotAvailable", err)
	}
	if _, err := bench.StreamLatency(t.Context(), bench.StreamConfig{Endpoint: cfg.Endpoint}); err == nil || errors.Is(err, bench.ErrNotAvailable) {
		t.Errorf("without a package: got %v, want a configuration error", err)
	}
}

func TestTablesRender(t *testing.T) {
	th := func(c int, perSecond, p50 float64) bench.Throughput {
		return bench.Throughput{Concurrency: c, OK: int(perSecond), PerSecond: perSecond, Elapsed: time.Second,
			Latency: bench.Latency{N: int(perSecond), P50: ms(p50), P99: ms(2 * p50)}}
	}
	r := &bench.TablesReport{
		Duration: time.Second, Concurrency: []int{1},
		Floor: []bench.Throughput{th(1, 10000, 0.1)},
		Targets: []*bench.TableTarget{
			{Name: "eddy", Endpoint: "http://127.0.0.1:1", Items: 200000, Load: 10 * time.Second,
				Results: []bench.TableResult{{Op: bench.OpGetItem, Throughput: th(1, 2000, 0.4)}}},
			{Name: "moto", Endpoint: "http://127.0.0.1:2", Items: 20000, Load: 4 * time.Second,
				Results: []bench.TableResult{{Op: bench.OpGetItem, Throughput: th(1, 250, 3.2)}}},
		},
		Streams:          true,
		StreamLatencyErr: "not available: no stream",
		StreamRate:       bench.StreamRate{Records: 100, Delivered: 100, Invocations: 1, PerSecond: 5000, WriteRate: 6000},
	}
	var b strings.Builder
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"table of 200,000 items (2,000 partitions of 100), loaded by BatchWriteItem (25 a call) in 10.0 s (20,000 items/s)",
		"the tables differ in size (200,000 vs 20,000 items)",
		"| GetItem                   |           1 | moto   |   250 |",
		"not available: no stream",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("got\n%s\nwant it to contain %q", out, want)
		}
	}
	// eddy ÷ moto ops/s, eddy p50 ÷ moto p50, eddy p50 ÷ floor p50, eddy ops/s ÷ floor ops/s.
	_, ratios, _ := strings.Cut(out, "| ratios")
	if got, want := cells(ratios, bench.OpGetItem), "1 8.00× 0.12× 4.00× 0.20×"; got != want {
		t.Errorf("got ratio cells %q, want %q", got, want)
	}
	if got, want := cells(ratios, bench.OpQuery), "1 – – – –"; got != want {
		t.Errorf("got ratio cells %q, want %q", got, want)
	}
}
