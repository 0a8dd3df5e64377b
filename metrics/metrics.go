// Package metrics is eddy's Prometheus instrumentation: the counters,
// gauges and histograms of function invocations, instances and the
// asynchronous queue, and the HTTP handler that serves them in the
// Prometheus text format.
//
// The runtime and the invoker call a Registry on every invocation, so its
// methods are cheap: each looks up one series of a vector created up front.
// Every method of a nil *Registry does nothing, so callers need no checks.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Outcomes of an invocation, as Invocation takes them.
const (
	OutcomeSuccess   = "success"
	OutcomeError     = "error"
	OutcomeTimeout   = "timeout"
	OutcomeThrottled = "throttled"
)

// Reasons an asynchronous event is dropped, as AsyncDropped takes them.
const (
	DropRetriesExhausted = "retries_exhausted"
	DropEventAgeExceeded = "event_age_exceeded"
	DropFunctionDeleted  = "function_deleted"
)

// Bucket boundaries, in seconds.
var (
	// durationBuckets span 0.1 ms (a warm echo) to 15 minutes (Lambda's
	// longest timeout).
	durationBuckets = []float64{
		0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
		0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900,
	}
	// initBuckets span a Go binary's start (a few ms) to the 10 s init
	// limit and beyond.
	initBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
	// ageBuckets span an event taken at once to the 6 hours an event may
	// wait at most (MaximumEventAgeInSeconds).
	ageBuckets = []float64{0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600}
)

// Registry holds eddy's metrics in its own Prometheus registry, with the
// Go runtime and process collectors. Its methods are safe for concurrent
// use; on a nil *Registry they do nothing.
type Registry struct {
	reg *prometheus.Registry

	invocations  *prometheus.CounterVec   // function, version
	errors       *prometheus.CounterVec   // function, version, type
	throttles    *prometheus.CounterVec   // function
	duration     *prometheus.HistogramVec // function
	coldStarts   *prometheus.CounterVec   // function
	initDuration *prometheus.HistogramVec // function
	concurrent   *prometheus.GaugeVec     // function
	instances    *prometheus.GaugeVec     // function

	asyncQueued  *prometheus.CounterVec   // function
	asyncAge     *prometheus.HistogramVec // function
	asyncRetried *prometheus.CounterVec   // function
	asyncDropped *prometheus.CounterVec   // function, reason
	asyncBacklog prometheus.Gauge
	destinations *prometheus.CounterVec // function, condition, type, result

	handler http.Handler
	// deletePartial removes series of the vectors with a function label.
	deletePartial []func(prometheus.Labels) int
}

// New returns a Registry with every metric registered. It never fails.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	fn := []string{"function"}
	r.invocations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eddy_function_invocations_total",
		Help: "Invocations of function code, successful or not; throttled requests are not counted.",
	}, []string{"function", "version"})
	r.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eddy_function_errors_total",
		Help: "Invocations that ended in a function error (type=error) or a timeout (type=timeout).",
	}, []string{"function", "version", "type"})
	r.throttles = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eddy_function_throttles_total",
		Help: "Invocation requests refused with TooManyRequestsException.",
	}, fn)
	r.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "eddy_function_duration_seconds",
		Help:    "Time function code spent on an invocation.",
		Buckets: durationBuckets,
	}, fn)
	r.coldStarts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eddy_function_cold_starts_total",
		Help: "Invocations that started a new instance.",
	}, fn)
	r.initDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "eddy_function_init_duration_seconds",
		Help:    "Time a new instance took to initialise (Init Duration).",
		Buckets: initBuckets,
	}, fn)
	r.concurrent = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "eddy_function_concurrent_executions",
		Help: "Invocations running now.",
	}, fn)
	r.instances = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "eddy_function_instances",
		Help: "Instances (processes) alive now, idle or busy.",
	}, fn)
	r.asyncQueued = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eddy_async_events_enqueued_total",
		Help: "Asynchronous invocations accepted into the event queue.",
	}, fn)
	r.asyncAge = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "eddy_async_event_age_seconds",
		Help:    "Time from an event's acceptance to each attempt to run it.",
		Buckets: ageBuckets,
	}, fn)
	r.asyncRetried = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eddy_async_retries_total",
		Help: "Attempts to run an event again after a function error or throttle.",
	}, fn)
	r.asyncDropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eddy_async_events_dropped_total",
		Help: "Events given up on, by reason: retries_exhausted, event_age_exceeded, function_deleted.",
	}, []string{"function", "reason"})
	r.asyncBacklog = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "eddy_async_events_queued",
		Help: "Events in the queue, waiting or running, on all nodes.",
	})
	r.destinations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eddy_async_destination_deliveries_total",
		Help: "Invocation records sent to destinations, by condition (Success, RetriesExhausted, EventAgeExceeded), destination type and result (ok, failed).",
	}, []string{"function", "condition", "type", "result"})

	vecs := []interface {
		prometheus.Collector
		DeletePartialMatch(prometheus.Labels) int
	}{
		r.invocations, r.errors, r.throttles, r.duration, r.coldStarts, r.initDuration,
		r.concurrent, r.instances, r.asyncQueued, r.asyncAge, r.asyncRetried, r.asyncDropped, r.destinations,
	}
	for _, v := range vecs {
		r.reg.MustRegister(v)
		r.deletePartial = append(r.deletePartial, v.DeletePartialMatch)
	}
	r.reg.MustRegister(r.asyncBacklog,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r.handler = promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{})
	return r
}

// Invocation records the end of one invocation of a function version:
// outcome is OutcomeSuccess, OutcomeError, OutcomeTimeout or
// OutcomeThrottled (d is then ignored: the code did not run). Any other
// outcome counts as an error.
func (r *Registry) Invocation(function, version string, d time.Duration, outcome string) {
	if r == nil {
		return
	}
	switch outcome {
	case OutcomeThrottled:
		r.throttles.WithLabelValues(function).Inc()
		return
	case OutcomeSuccess:
	case OutcomeTimeout:
		r.errors.WithLabelValues(function, version, OutcomeTimeout).Inc()
	default:
		r.errors.WithLabelValues(function, version, OutcomeError).Inc()
	}
	r.invocations.WithLabelValues(function, version).Inc()
	r.duration.WithLabelValues(function).Observe(d.Seconds())
}

// ColdStart records that an invocation started a new instance whose
// initialisation took init.
func (r *Registry) ColdStart(function string, init time.Duration) {
	if r == nil {
		return
	}
	r.coldStarts.WithLabelValues(function).Inc()
	r.initDuration.WithLabelValues(function).Observe(init.Seconds())
}

// ConcurrentExecutions adds delta (+1 when an invocation starts, -1 when it
// ends) to the function's running invocations.
func (r *Registry) ConcurrentExecutions(function string, delta int) {
	if r == nil {
		return
	}
	r.concurrent.WithLabelValues(function).Add(float64(delta))
}

// Instances adds delta (+1 when an instance starts, -1 when it stops) to
// the function's live instances.
func (r *Registry) Instances(function string, delta int) {
	if r == nil {
		return
	}
	r.instances.WithLabelValues(function).Add(float64(delta))
}

// AsyncQueued records an event accepted into the queue.
func (r *Registry) AsyncQueued(function string) {
	if r == nil {
		return
	}
	r.asyncQueued.WithLabelValues(function).Inc()
}

// AsyncDequeued records an attempt to run an event that was accepted age
// ago.
func (r *Registry) AsyncDequeued(function string, age time.Duration) {
	if r == nil {
		return
	}
	r.asyncAge.WithLabelValues(function).Observe(age.Seconds())
}

// AsyncRetried records that an event is to be run again.
func (r *Registry) AsyncRetried(function string) {
	if r == nil {
		return
	}
	r.asyncRetried.WithLabelValues(function).Inc()
}

// AsyncDropped records an event given up on; reason is DropRetriesExhausted,
// DropEventAgeExceeded or DropFunctionDeleted.
func (r *Registry) AsyncDropped(function, reason string) {
	if r == nil {
		return
	}
	r.asyncDropped.WithLabelValues(function, reason).Inc()
}

// SetAsyncBacklog sets the number of events in the queue.
func (r *Registry) SetAsyncBacklog(n int) {
	if r == nil {
		return
	}
	r.asyncBacklog.Set(float64(n))
}

// DestinationDelivery records an invocation record sent to a destination:
// condition is Lambda's (Success, RetriesExhausted, EventAgeExceeded),
// destinationType the kind of destination (sqs, lambda, …), ok whether the
// delivery succeeded.
func (r *Registry) DestinationDelivery(function, condition, destinationType string, ok bool) {
	if r == nil {
		return
	}
	result := "ok"
	if !ok {
		result = "failed"
	}
	r.destinations.WithLabelValues(function, condition, destinationType, result).Inc()
}

// ForgetFunction removes every series of a function, for when it is
// deleted, so that deleted functions do not accumulate.
func (r *Registry) ForgetFunction(function string) {
	if r == nil {
		return
	}
	for _, del := range r.deletePartial {
		del(prometheus.Labels{"function": function})
	}
}

// Register adds another collector to the registry, for metrics that other
// packages own.
func (r *Registry) Register(c prometheus.Collector) error {
	if r == nil {
		return nil
	}
	return r.reg.Register(c)
}

// Handler serves the metrics in the Prometheus text format. A nil Registry
// serves 404.
func (r *Registry) Handler() http.Handler {
	if r == nil {
		return http.NotFoundHandler()
	}
	return r.handler
}
