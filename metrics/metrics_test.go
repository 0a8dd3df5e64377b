package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/metrics"
)

// scrape serves h one GET and returns the body, failing unless it is the
// Prometheus text format.
func scrape(tb testing.TB, h http.Handler) string {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_eddy/metrics", nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("got status %d, want 200: %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		tb.Fatalf("got content type %q, want the text format", ct)
	}
	return string(body)
}

func hasLine(text, line string) bool {
	for l := range strings.Lines(text) {
		if strings.TrimSuffix(l, "\n") == line {
			return true
		}
	}
	return false
}

func TestRegistry(t *testing.T) {
	r := metrics.New()
	r.Invocation("fn", "$LATEST", 2*time.Millisecond, metrics.OutcomeSuccess)
	r.Invocation("fn", "$LATEST", 3*time.Millisecond, metrics.OutcomeSuccess)
	r.Invocation("fn", "1", 10*time.Millisecond, metrics.OutcomeError)
	r.Invocation("fn", "1", 3*time.Second, metrics.OutcomeTimeout)
	r.Invocation("fn", "1", 0, metrics.OutcomeThrottled)
	r.Invocation("other", "$LATEST", time.Second, "surprise")
	r.ColdStart("fn", 40*time.Millisecond)
	r.ConcurrentExecutions("fn", 1)
	r.ConcurrentExecutions("fn", 1)
	r.ConcurrentExecutions("fn", -1)
	r.Instances("fn", 3)
	r.Instances("fn", -1)
	r.AsyncQueued("fn")
	r.AsyncQueued("fn")
	r.AsyncDequeued("fn", 1500*time.Millisecond)
	r.AsyncRetried("fn")
	r.AsyncDropped("fn", metrics.DropRetriesExhausted)
	r.AsyncDropped("fn", metrics.DropEventAgeExceeded)
	r.SetAsyncBacklog(7)
	r.DestinationDelivery("fn", "RetriesExhausted", "sqs", true)
	r.DestinationDelivery("fn", "Success", "lambda", false)

	text := scrape(t, r.Handler())
	for _, want := range []string{
		`eddy_function_invocations_total{function="fn",version="$LATEST"} 2`,
		`eddy_function_invocations_total{function="fn",version="1"} 2`,
		`eddy_function_invocations_total{function="other",version="$LATEST"} 1`,
		`eddy_function_errors_total{function="fn",type="error",version="1"} 1`,
		`eddy_function_errors_total{function="fn",type="timeout",version="1"} 1`,
		`eddy_function_errors_total{function="other",type="error",version="$LATEST"} 1`,
		`eddy_function_throttles_total{function="fn"} 1`,
		`eddy_function_duration_seconds_count{function="fn"} 4`,
		`eddy_function_duration_seconds_bucket{function="fn",le="0.0025"} 1`,
		`eddy_function_duration_seconds_bucket{function="fn",le="0.005"} 2`,
		`eddy_function_duration_seconds_bucket{function="fn",le="0.0001"} 0`,
		`eddy_function_duration_seconds_bucket{function="fn",le="900"} 4`,
		`eddy_function_duration_seconds_sum{function="fn"} 3.015`,
		`eddy_function_cold_starts_total{function="fn"} 1`,
		`eddy_function_init_duration_seconds_count{function="fn"} 1`,
		`eddy_function_init_duration_seconds_bucket{function="fn",le="0.05"} 1`,
		`eddy_function_init_duration_seconds_bucket{function="fn",le="0.025"} 0`,
		`eddy_function_concurrent_executions{function="fn"} 1`,
		`eddy_function_instances{function="fn"} 2`,
		`eddy_async_events_enqueued_total{function="fn"} 2`,
		`eddy_async_event_age_seconds_count{function="fn"} 1`,
		`eddy_async_event_age_seconds_sum{function="fn"} 1.5`,
		`eddy_async_retries_total{function="fn"} 1`,
		`eddy_async_events_dropped_total{function="fn",reason="retries_exhausted"} 1`,
		`eddy_async_events_dropped_total{function="fn",reason="event_age_exceeded"} 1`,
		`eddy_async_events_queued 7`,
		`eddy_async_destination_deliveries_total{condition="RetriesExhausted",function="fn",result="ok",type="sqs"} 1`,
		`eddy_async_destination_deliveries_total{condition="Success",function="fn",result="failed",type="lambda"} 1`,
		"# TYPE eddy_function_duration_seconds histogram",
		"# TYPE eddy_function_concurrent_executions gauge",
	} {
		if !hasLine(text, want) {
			t.Errorf("missing line %q in\n%s", want, text)
		}
	}
	// The Go and process collectors.
	for _, want := range []string{"\ngo_goroutines ", "\nprocess_resident_memory_bytes "} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q", want)
		}
	}
	// A throttled request is not an invocation and took no time.
	if strings.Contains(text, `eddy_function_throttles_total{function="fn",`) {
		t.Errorf("throttles have a version label:\n%s", text)
	}

	// A deleted function's series go away; the others stay.
	r.ForgetFunction("fn")
	text = scrape(t, r.Handler())
	if strings.Contains(text, `function="fn"`) {
		t.Errorf("series of a forgotten function remain:\n%s", text)
	}
	if !hasLine(text, `eddy_function_invocations_total{function="other",version="$LATEST"} 1`) {
		t.Errorf("series of another function are gone:\n%s", text)
	}
}

func TestNilRegistry(t *testing.T) {
	var r *metrics.Registry
	r.Invocation("fn", "1", time.Second, metrics.OutcomeSuccess)
	r.ColdStart("fn", time.Second)
	r.ConcurrentExecutions("fn", 1)
	r.Instances("fn", 1)
	r.AsyncQueued("fn")
	r.AsyncDequeued("fn", time.Second)
	r.AsyncRetried("fn")
	r.AsyncDropped("fn", metrics.DropFunctionDeleted)
	r.SetAsyncBacklog(1)
	r.DestinationDelivery("fn", "Success", "sqs", true)
	r.ForgetFunction("fn")
	if err := r.Register(nil); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_eddy/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("got status %d, want 404", rec.Code)
	}
}

func TestRegistriesAreIndependent(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.AsyncQueued("fn")
	if text := scrape(t, b.Handler()); strings.Contains(text, "eddy_async_events_enqueued_total{") {
		t.Fatalf("a series of one registry shows in another:\n%s", text)
	}
}

func BenchmarkInvocation(b *testing.B) {
	r := metrics.New()
	r.Invocation("fn", "$LATEST", time.Millisecond, metrics.OutcomeSuccess)
	b.ReportAllocs()
	for b.Loop() {
		r.Invocation("fn", "$LATEST", time.Millisecond, metrics.OutcomeSuccess)
	}
}

func BenchmarkInvocationParallel(b *testing.B) {
	r := metrics.New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Invocation("fn", "$LATEST", time.Millisecond, metrics.OutcomeSuccess)
		}
	})
}

func BenchmarkNilRegistry(b *testing.B) {
	var r *metrics.Registry
	b.ReportAllocs()
	for b.Loop() {
		r.Invocation("fn", "$LATEST", time.Millisecond, metrics.OutcomeSuccess)
	}
}
