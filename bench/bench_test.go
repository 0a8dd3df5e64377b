package bench_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/bench"
)

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", []time.Duration{7}, 99, 7},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p90 of 1..100", hundred, 90, 90 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"tiny p is the min", hundred, 0.001, 1 * time.Millisecond},
		{"p50 of four is the second", []time.Duration{1, 2, 3, 4}, 50, 2},
		{"p51 of four is the third", []time.Duration{1, 2, 3, 4}, 51, 3},
		{"p99 of ten is the max", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bench.Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	in := []time.Duration{5, 1, 4, 2, 3}
	got := bench.Summarize(in)
	want := bench.Latency{N: 5, P50: 3, P90: 5, P99: 5, Max: 5}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if in[0] != 5 {
		t.Errorf("got input %v, want it unsorted", in)
	}
	if got := bench.Summarize(nil); got != (bench.Latency{}) {
		t.Errorf("got %+v, want zero", got)
	}
}

func TestParseInitDuration(t *testing.T) {
	tests := []struct {
		name   string
		tail   string
		want   time.Duration
		wantOK bool
	}{
		{
			name: "cold",
			tail: "START RequestId: a Version: $LATEST\nEND RequestId: a\n" +
				"REPORT RequestId: a\tDuration: 0.52 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tInit Duration: 12.34 ms\t\n",
			want: ms(12.34), wantOK: true,
		},
		{
			name: "warm",
			tail: "START RequestId: a Version: $LATEST\nEND RequestId: a\n" +
				"REPORT RequestId: a\tDuration: 0.52 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\t\n",
		},
		{
			name: "AWS formatting, no trailing tab or newline",
			tail: "REPORT RequestId: b\tDuration: 1.00 ms\tBilled Duration: 53 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tInit Duration: 51.90 ms",
			want: ms(51.9), wantOK: true,
		},
		{
			name: "the last REPORT line counts",
			tail: "REPORT RequestId: a\tDuration: 1 ms\tInit Duration: 9.00 ms\t\nREPORT RequestId: b\tDuration: 1 ms\tInit Duration: 3.50 ms\t\n",
			want: ms(3.5), wantOK: true,
		},
		{
			name: "INIT_REPORT is not a REPORT line",
			tail: "INIT_REPORT Init Duration: 7.00 ms\tPhase: init\tStatus: error\n",
		},
		{
			name: "malformed number",
			tail: "REPORT RequestId: a\tInit Duration: fast ms\t\n",
		},
		{name: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := bench.ParseInitDuration(tt.tail)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %v, %v, want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParseStatusBytes(t *testing.T) {
	status := "Name:\teddy\nVmPeak:\t 1300000 kB\nVmHWM:\t   61440 kB\nVmRSS:\t   40960 kB\nThreads:\t9\n"
	tests := []struct {
		field  string
		want   int64
		wantOK bool
	}{
		{"VmRSS", 40960 * 1024, true},
		{"VmHWM", 61440 * 1024, true},
		{"VmSwap", 0, false},
		{"Threads", 9 * 1024, true}, // a bare number is taken as kB
		{"Name", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			got, ok := bench.ParseStatusBytes(status, tt.field)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %d, %v, want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestSameJSON(t *testing.T) {
	tests := []struct {
		got, want string
		same      bool
	}{
		{`{"a":1}`, `{"a":1}`, true},
		{`{ "a" : 1 }`, `{"a":1}`, true},
		{`{"b":2,"a":1}`, `{"a":1,"b":2}`, true},
		{`{"a":1,"seq":2}`, `{"a":1,"seq":3}`, false},
		{``, `{"a":1}`, false},
		{`null`, `{}`, false},
	}
	for _, tt := range tests {
		if got := bench.SameJSON([]byte(tt.got), []byte(tt.want)); got != tt.same {
			t.Errorf("SameJSON(%s, %s): got %v, want %v", tt.got, tt.want, got, tt.same)
		}
	}
}

func TestTableRender(t *testing.T) {
	tests := []struct {
		name  string
		table bench.Table
		want  string
	}{
		{
			name:  "left aligned, minimum width 3",
			table: bench.Table{Header: []string{"a", "bb"}, Rows: [][]string{{"x", "y"}}},
			want:  "| a   | bb  |\n| --- | --- |\n| x   | y   |\n",
		},
		{
			name: "right aligned numbers, wide cells",
			table: bench.Table{
				Header: []string{"name", "n"},
				Rows:   [][]string{{"floor", "2000"}, {"warm", "5"}},
				Right:  []bool{false, true},
			},
			want: "| name  |    n |\n| ----- | ---: |\n| floor | 2000 |\n| warm  |    5 |\n",
		},
		{
			name:  "short rows are padded, runes counted not bytes",
			table: bench.Table{Header: []string{"ratio", "x"}, Rows: [][]string{{"5.00×"}}},
			want:  "| ratio | x   |\n| ----- | --- |\n| 5.00× |     |\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := tt.table.Render(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestTargets(t *testing.T) {
	base := func() *bench.InvokeReport {
		return &bench.InvokeReport{
			InProcess: true,
			Floor:     bench.Latency{N: 10, P50: ms(0.1)},
			WarmRaw:   bench.Latency{N: 10, P50: ms(0.4)},
			Cold:      bench.Latency{N: 20, P50: ms(8)},
			Throughput: []bench.Throughput{
				{Concurrency: 1, OK: 100, PerSecond: 1000},
				{Concurrency: 8, OK: 300, PerSecond: 3000},
				{Concurrency: 32, OK: 300, PerSecond: 3000},
			},
			IdleRSS: 40 << 20,
		}
	}
	results := func(r *bench.InvokeReport) []string {
		var out []string
		for _, tg := range r.Targets() {
			out = append(out, tg.Result)
		}
		return out
	}
	tests := []struct {
		name   string
		change func(r *bench.InvokeReport)
		want   []string
	}{
		{"all met", func(*bench.InvokeReport) {}, []string{"PASS", "PASS", "PASS", "PASS", "PASS"}},
		{"slow warm", func(r *bench.InvokeReport) { r.WarmRaw.P50 = ms(0.51) }, []string{"MISS", "PASS", "PASS", "PASS", "PASS"}},
		{"warm exactly 5×", func(r *bench.InvokeReport) { r.WarmRaw.P50 = ms(0.5) }, []string{"PASS", "PASS", "PASS", "PASS", "PASS"}},
		{"no scaling", func(r *bench.InvokeReport) { r.Throughput[1].PerSecond = 2400 }, []string{"PASS", "MISS", "PASS", "PASS", "PASS"}},
		{"slow cold", func(r *bench.InvokeReport) { r.Cold.P50 = ms(21) }, []string{"PASS", "PASS", "MISS", "PASS", "PASS"}},
		{"lost at 32", func(r *bench.InvokeReport) { r.Throughput[2].Lost = 1 }, []string{"PASS", "PASS", "PASS", "MISS", "PASS"}},
		{"errors at 32", func(r *bench.InvokeReport) { r.Throughput[2].Errors = 1 }, []string{"PASS", "PASS", "PASS", "MISS", "PASS"}},
		{"fat", func(r *bench.InvokeReport) { r.IdleRSS = 100 << 20 }, []string{"PASS", "PASS", "PASS", "PASS", "MISS"}},
		{"external server", func(r *bench.InvokeReport) { r.InProcess, r.IdleRSS = false, 0 }, []string{"PASS", "PASS", "PASS", "PASS", "n/a"}},
		{"no c=32", func(r *bench.InvokeReport) { r.Throughput = r.Throughput[:2] }, []string{"PASS", "PASS", "PASS", "n/a", "PASS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			tt.change(r)
			got := results(r)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRenderReport(t *testing.T) {
	r := &bench.InvokeReport{
		Endpoint: "http://127.0.0.1:1", InProcess: true, CPUs: 2, GoVersion: "go1.x", Platform: "linux/amd64",
		Floor:      bench.Latency{N: 2000, P50: ms(0.1)},
		WarmRaw:    bench.Latency{N: 2000, P50: ms(0.6)},
		Throughput: []bench.Throughput{{Concurrency: 1, OK: 5000, PerSecond: 1000, Elapsed: 5 * time.Second}},
		IdleRSS:    30 << 20,
	}
	var b strings.Builder
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| warm invoke, raw HTTP POST ",
		"6.00× |", // p50 ÷ floor p50
		"| concurrency 1 ",
		"in-process server + bench client",
		"| 30.0 MiB |",
		"| warm invoke p50 (raw HTTP) ≤ 5× floor p50 | 6.00× (0.600 ms vs 0.100 ms) | MISS   |",
		bench.Peer,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("got\n%s\nwant it to contain %q", out, want)
		}
	} // A measurement with no samples shows dashes, not zeros.
	if got, want := cells(out, "warm invoke, aws-sdk-go-v2 Invoke"), "0 – – – – 0"; got != want {
		t.Errorf("got cells %q, want %q", got, want)
	}
}

// cells returns the trimmed cells after the first of the table row whose
// first cell is name, joined by spaces.
func cells(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "|")
		if len(f) < 3 || strings.TrimSpace(f[1]) != name {
			continue
		}
		var c []string
		for _, v := range f[2 : len(f)-1] {
			if v = strings.TrimSpace(v); v != "" {
				c = append(c, v)
			}
		}
		return strings.Join(c, " ")
	}
	return ""
}

func TestZipBootstrap(t *testing.T) {
	z, err := bench.ZipBootstrap([]byte("#!/bin/true\n"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("got %d files, want only bootstrap", len(zr.File))
	}
	if got := zr.File[0].Mode().Perm(); got != 0o755 {
		t.Errorf("got mode %v, want 0755", got)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	if string(data) != "#!/bin/true\n" {
		t.Errorf("got %q, want the executable", data)
	}
	if _, err := bench.ZipBootstrap(nil); err == nil {
		t.Error("got no error for an empty executable, want one")
	}
}

func TestModuleDir(t *testing.T) {
	root, err := bench.ModuleDir(t.Context(), ".")
	if err != nil {
		t.Fatalf("inside the checkout: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("got %q, want the module root: %v", root, err)
	}
	_, err = bench.ModuleDir(t.Context(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "not inside the eddy checkout") {
		t.Errorf("outside the checkout: got %v, want a 'not inside the eddy checkout' error", err)
	}
}

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		name      string
		line      string
		wantPPID  int
		wantTicks uint64
		wantOK    bool
	}{
		{
			name:     "plain",
			line:     "4242 (bootstrap) S 4200 4242 4200 0 -1 4194304 900 0 0 0 37 12 0 0 20 0 7 0 12345 1000000 600 18446744073709551615",
			wantPPID: 4200, wantTicks: 49, wantOK: true,
		},
		{
			name:     "name with spaces and parentheses",
			line:     "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 1 1",
			wantPPID: 1, wantTicks: 11, wantOK: true,
		},
		{name: "truncated", line: "7 (x) R 1 7 7"},
		{name: "no name", line: "garbage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ppid, ticks, ok := bench.ParseProcStat(tt.line)
			if ppid != tt.wantPPID || ticks != tt.wantTicks || ok != tt.wantOK {
				t.Errorf("got %d, %d, %v, want %d, %d, %v", ppid, ticks, ok, tt.wantPPID, tt.wantTicks, tt.wantOK)
			}
		})
	}
}

func TestParseCPULine(t *testing.T) {
	tests := []struct {
		line              string
		wantBusy, wantTot uint64
		wantOK            bool
	}{
		// user nice system idle iowait irq softirq steal guest guest_nice
		{"cpu  100 5 50 800 20 3 2 0 40 0", 160, 980, true},
		{"cpu 1 0 1 2", 0, 0, false}, // too short
		{"cpu0 100 5 50 800 20 3 2 0 0 0", 0, 0, false},
		{"cpu  x 5 50 800 20", 0, 0, false},
	}
	for _, tt := range tests {
		busy, total, ok := bench.ParseCPULine(tt.line)
		if busy != tt.wantBusy || total != tt.wantTot || ok != tt.wantOK {
			t.Errorf("%q: got %d, %d, %v, want %d, %d, %v", tt.line, busy, total, ok, tt.wantBusy, tt.wantTot, tt.wantOK)
		}
	}
}
