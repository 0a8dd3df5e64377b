package bench_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/bench"
)

func TestHTTPReportRender(t *testing.T) {
	lat := func(p50, p99 time.Duration, n int) bench.Latency { return bench.Latency{N: n, P50: p50, P99: p99} }
	r := &bench.HTTPReport{
		Endpoint: "http://127.0.0.1:4566", InProcess: true, CPUs: 2, GoVersion: "go1.x", Platform: "linux/amd64",
		Duration: time.Second, Concurrency: []int{1, 16},
		Results: []bench.HTTPResult{
			{Path: bench.PathFloor, Throughput: bench.Throughput{Concurrency: 1, OK: 10000, PerSecond: 10000, Latency: lat(50*time.Microsecond, 90*time.Microsecond, 10000)}},
			{Path: bench.PathDirect, Throughput: bench.Throughput{Concurrency: 1, OK: 3000, PerSecond: 3000, Latency: lat(300*time.Microsecond, 600*time.Microsecond, 3000)}},
			{Path: bench.PathGateway, Throughput: bench.Throughput{Concurrency: 1, OK: 2500, PerSecond: 2500, Latency: lat(380*time.Microsecond, 700*time.Microsecond, 2500)}},
			{Path: bench.PathFloor, Throughput: bench.Throughput{Concurrency: 16, OK: 40000, PerSecond: 40000, Latency: lat(300*time.Microsecond, 900*time.Microsecond, 40000)}},
			{Path: bench.PathRelay, Throughput: bench.Throughput{Concurrency: 16, OK: 7000, PerSecond: 7000, Latency: lat(time.Millisecond, 4*time.Millisecond, 7000),
				CPU: bench.CPUCost{Self: 100 * time.Microsecond, Children: 400 * time.Microsecond, Busy: 0.97}}},
			{Path: bench.PathDirect, Throughput: bench.Throughput{Concurrency: 16, OK: 6000, PerSecond: 6000, Latency: lat(2*time.Millisecond, 5*time.Millisecond, 6000)}},
			{Path: bench.PathGateway, Throughput: bench.Throughput{Concurrency: 16, OK: 3500, Errors: 1, PerSecond: 3500, Latency: lat(3*time.Millisecond, 6*time.Millisecond, 3500)}},
		},
		Notes: []string{"HTTP API route at concurrency 16: first error: boom"},
	}
	targets := r.Targets()
	if len(targets) != 2 || targets[0].Result != "MISS" || targets[1].Result != "PASS" {
		t.Fatalf("got targets %+v, want MISS (3,500/s) and PASS (80 µs)", targets)
	}
	if targets[1].Measured != "80 µs (0.380 ms vs 0.300 ms)" {
		t.Errorf("got %q, want the added p50 and both p50s", targets[1].Measured)
	}
	var b strings.Builder
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# eddy bench http", "eddy, in-process server at http://127.0.0.1:4566",
		"| HTTP API route                        |          16 |       3500 |",
		"| HTTP API |           1 |                   0.83× |                       – |                1.27× |                80 µs |",
		"| HTTP API |          16 |                   0.58× |                   0.50× |                1.50× |              1000 µs |",
		"| design floor: bare Runtime API relays |          16 |       7000 |",
		// Two CPUs carry 5,000 requests a second of 400 µs each.
		"| design floor: bare Runtime API relays |          16 |             400 µs |       100 µs |          97% |",
		"|                                                       5000/s |",
		"HTTP API ≥ 4,000 requests/s at concurrency 16",
		"note: HTTP API route at concurrency 16: first error: boom",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("got\n%s\nwant it to contain %q", b.String(), want)
		}
	}
	// A run without the gateway's figures judges nothing.
	empty := &bench.HTTPReport{}
	for _, x := range empty.Targets() {
		if x.Result != "n/a" {
			t.Errorf("got %+v, want n/a", x)
		}
	}
}
