package bench

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Peer is what the invoke benchmark says about a reference implementation.
const Peer = "peer: none. moto_server cannot run Lambda functions without Docker, so there is no peer for invoke on this machine."

// InvokeReport holds the figures of one `eddy bench invoke` run.
type InvokeReport struct {
	Endpoint  string
	InProcess bool // the server ran inside the bench process
	CPUs      int
	GoVersion string
	Platform  string // GOOS/GOARCH

	// Background is the share of the machine's CPUs busy while eddy was
	// idle, just before the load: other processes' work.
	Background float64

	Floor   Latency // plain loopback HTTP echo, sequential
	WarmRaw Latency // warm invoke by raw HTTP POST, sequential
	WarmSDK Latency // warm invoke by aws-sdk-go-v2 lambda.Invoke, sequential
	// Relay is the floor of the design: a bare Runtime API relay to one
	// process of the same function (see relay.go), sequential.
	Relay Latency

	FloorCPU, RelayCPU, WarmRawCPU, WarmSDKCPU CPUCost

	Cold         Latency // the first invoke of a fresh instance, client-timed
	InitDuration Latency // Init Duration of the REPORT line of those invokes
	ColdNotFresh int     // cold invokes whose REPORT line had no Init Duration

	Throughput []Throughput

	IdleRSS int64 // bytes; 0 if not measured (external server)
	PeakRSS int64 // VmHWM of the bench process at the end; 0 if not measured

	// Notes are remarks worth printing: the first error of each phase.
	Notes []string
}

// Throughput is the outcome of invoking at a fixed concurrency for a fixed
// duration.
type Throughput struct {
	Concurrency int
	Elapsed     time.Duration
	OK          int     // answers equal to their request
	Errors      int     // transport errors, non-200 answers and function errors
	Lost        int     // 200 answers whose payload was not their request's
	PerSecond   float64 // OK / Elapsed
	Latency     Latency
	CPU         CPUCost
}

// Target is one of the goals and whether this run met it.
type Target struct {
	Name     string
	Measured string
	// Result is PASS, MISS or n/a (not measured in this run).
	Result string
}

func result(applies, met bool) string {
	switch {
	case !applies:
		return "n/a"
	case met:
		return "PASS"
	}
	return "MISS"
}

// ThroughputAt returns the throughput at concurrency c.
func (r *InvokeReport) ThroughputAt(c int) (Throughput, bool) {
	for _, t := range r.Throughput {
		if t.Concurrency == c {
			return t, true
		}
	}
	return Throughput{}, false
}

// Targets judges the run against the targets.
func (r *InvokeReport) Targets() []Target {
	var out []Target
	floor, warm := float64(r.Floor.P50), float64(r.WarmRaw.P50)
	ok := floor > 0 && r.WarmRaw.N > 0
	out = append(out, Target{
		Name:     "warm invoke p50 (raw HTTP) ≤ 5× floor p50",
		Measured: fmt.Sprintf("%s (%s vs %s)", ratio(warm, floor), ms(r.WarmRaw.P50), ms(r.Floor.P50)),
		Result:   result(ok, ok && warm <= 5*floor),
	})
	c1, ok1 := r.ThroughputAt(1)
	c8, ok8 := r.ThroughputAt(8)
	ok = ok1 && ok8 && c1.PerSecond > 0
	out = append(out, Target{
		Name:     "throughput c=8 ≥ 2.5× c=1",
		Measured: fmt.Sprintf("%s (%.0f/s vs %.0f/s)", ratio(c8.PerSecond, c1.PerSecond), c8.PerSecond, c1.PerSecond),
		Result:   result(ok, ok && c8.PerSecond >= 2.5*c1.PerSecond),
	})
	ok = r.Cold.N > 0
	out = append(out, Target{
		Name:     "cold start p50 ≤ 20 ms",
		Measured: ms(r.Cold.P50),
		Result:   result(ok, ok && r.Cold.P50 <= 20*time.Millisecond),
	})
	c32, ok32 := r.ThroughputAt(32)
	out = append(out, Target{
		Name:     "zero errors and zero lost at c=32",
		Measured: fmt.Sprintf("%d errors, %d lost of %d", c32.Errors, c32.Lost, c32.OK+c32.Errors+c32.Lost),
		Result:   result(ok32, ok32 && c32.Errors == 0 && c32.Lost == 0 && c32.OK > 0),
	})
	idle := "not measured (external server)"
	if r.InProcess {
		idle = mib(r.IdleRSS)
	}
	out = append(out, Target{
		Name:     "idle RSS < 100 MiB",
		Measured: idle,
		Result:   result(r.InProcess && r.IdleRSS > 0, r.IdleRSS < 100<<20),
	})
	return out
}

// Render writes the report as Markdown tables.
func (r *InvokeReport) Render(w io.Writer) error {
	p := &printer{w: w}
	server := "external server"
	if r.InProcess {
		server = "in-process server"
	}
	p.printf("# eddy bench invoke\n\n")
	p.printf("echo function: aws-lambda-go (bench/echofn), provided.al2023; %s at %s\n", server, r.Endpoint)
	p.printf("machine: %d CPUs, %s %s; %.0f%% of the CPUs busy before the load, with eddy idle\n\n", r.CPUs, r.GoVersion, r.Platform, 100*r.Background)
	if r.Background > 0.10 {
		p.printf("warning: the machine is not quiet: other processes compete for the CPUs, so these figures are pessimistic\n\n")
	}

	floor := float64(r.Floor.P50)
	lat := Table{
		Header: []string{"sequential latency", "n", "p50", "p90", "p99", "max", "errors", "p50 ÷ floor p50"},
		Right:  []bool{false, true, true, true, true, true, true, true},
	}
	row := func(name string, l Latency, vsFloor bool) {
		if l.N == 0 {
			lat.Rows = append(lat.Rows, []string{name, "0", "–", "–", "–", "–", strconv.Itoa(l.Errors), ""})
			return
		}
		x := ""
		if vsFloor {
			x = ratio(float64(l.P50), floor)
		}
		lat.Rows = append(lat.Rows, []string{name, strconv.Itoa(l.N), ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), strconv.Itoa(l.Errors), x})
	}
	row("floor: loopback HTTP echo", r.Floor, true)
	row("design floor: bare Runtime API relay + echofn", r.Relay, true)
	row("warm invoke, raw HTTP POST", r.WarmRaw, true)
	row("warm invoke, aws-sdk-go-v2 Invoke", r.WarmSDK, true)
	row("cold start: first invoke of a fresh instance", r.Cold, true)
	row("cold start: Init Duration (REPORT line)", r.InitDuration, false)
	p.table(lat)
	if r.ColdNotFresh > 0 {
		p.printf("warning: %d cold invokes had no Init Duration (no fresh instance)\n\n", r.ColdNotFresh)
	}

	var c1 float64
	if t, ok := r.ThroughputAt(1); ok {
		c1 = t.PerSecond
	}
	thr := Table{
		Header: []string{"throughput (raw HTTP, warm)", "duration", "invokes/s", "÷ c=1", "ok", "errors", "lost", "p50", "p99"},
		Right:  []bool{false, true, true, true, true, true, true, true, true},
	}
	for _, t := range r.Throughput {
		thr.Rows = append(thr.Rows, []string{
			"concurrency " + strconv.Itoa(t.Concurrency), fmt.Sprintf("%.1f s", t.Elapsed.Seconds()),
			fmt.Sprintf("%.0f", t.PerSecond), ratio(t.PerSecond, c1),
			strconv.Itoa(t.OK), strconv.Itoa(t.Errors), strconv.Itoa(t.Lost), ms(t.Latency.P50), ms(t.Latency.P99),
		})
	}
	p.table(thr)

	if r.InProcess {
		cpu := Table{
			Header: []string{"CPU per request", "this process (server + client)", "function instances", "total", "machine busy"},
			Right:  []bool{false, true, true, true, true},
		}
		add := func(name string, c CPUCost) {
			cpu.Rows = append(cpu.Rows, []string{name, us(c.Self), us(c.Children), us(c.Self + c.Children), fmt.Sprintf("%.0f%%", 100*c.Busy)})
		}
		add("floor: loopback HTTP echo", r.FloorCPU)
		add("design floor: bare Runtime API relay + echofn", r.RelayCPU)
		add("warm invoke, raw HTTP POST", r.WarmRawCPU)
		add("warm invoke, aws-sdk-go-v2 Invoke", r.WarmSDKCPU)
		for _, t := range r.Throughput {
			add("throughput, concurrency "+strconv.Itoa(t.Concurrency), t.CPU)
		}
		p.table(cpu)
	}

	mem := Table{Header: []string{"memory", "value"}, Right: []bool{false, true}}
	if r.InProcess {
		mem.Rows = append(mem.Rows,
			[]string{"idle RSS, in-process server + bench client (VmRSS, before the load)", mib(r.IdleRSS)},
			[]string{"peak RSS, in-process server + bench client (VmHWM, end of run)", mib(r.PeakRSS)})
	} else {
		mem.Rows = append(mem.Rows, []string{"RSS", "not measured: the server is not in this process"})
	}
	p.table(mem)

	tg := Table{Header: []string{"target", "measured", "result"}}
	for _, t := range r.Targets() {
		tg.Rows = append(tg.Rows, []string{t.Name, t.Measured, t.Result})
	}
	p.table(tg)

	for _, n := range r.Notes {
		p.printf("note: %s\n", n)
	}
	p.printf("%s\n", Peer)
	return p.err
}

// printer writes until the first error and remembers it.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) table(t Table) {
	if p.err == nil {
		p.err = t.Render(p.w)
	}
	p.printf("\n")
}
