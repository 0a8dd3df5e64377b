// Package bench measures eddy the way a user would meet it: against the floor
// of a plain loopback HTTP round trip, through the real aws-sdk-go-v2 client
// and raw HTTP, warm and cold, sequential and concurrent. It takes an
// endpoint and a deployment package and returns figures; rendering them as
// tables and judging them against the targets are pure functions, so that
// `eddy bench` only wires a server and flags to it.
package bench

import (
	"bufio"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Latency summarises a set of timings.
type Latency struct {
	N                  int // successful requests timed
	P50, P90, P99, Max time.Duration
	Errors             int // requests that failed (not timed)
}

// Summarize returns the percentiles of ds. ds is not modified.
func Summarize(ds []time.Duration) Latency {
	s := slices.Clone(ds)
	slices.Sort(s)
	l := Latency{N: len(s)}
	if len(s) == 0 {
		return l
	}
	l.P50 = Percentile(s, 50)
	l.P90 = Percentile(s, 90)
	l.P99 = Percentile(s, 99)
	l.Max = s[len(s)-1]
	return l
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest value with at least p% of the values at
// or below it. It returns 0 for an empty slice.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// ParseInitDuration returns the Init Duration of the last REPORT line in a
// Lambda log tail ("REPORT RequestId: …\tDuration: … ms\t…\tInit Duration:
// 12.34 ms\t"). ok is false if there is no REPORT line or it has no Init
// Duration, as for a warm invoke.
func ParseInitDuration(logTail string) (d time.Duration, ok bool) {
	var report string
	sc := bufio.NewScanner(strings.NewReader(logTail))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "REPORT ") {
			report = line
		}
	}
	if report == "" {
		return 0, false
	}
	for _, field := range strings.Split(report, "\t") {
		v, found := strings.CutPrefix(strings.TrimSpace(field), "Init Duration:")
		if !found {
			continue
		}
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "ms"))
		ms, err := strconv.ParseFloat(v, 64)
		if err != nil || ms < 0 {
			return 0, false
		}
		return time.Duration(ms * float64(time.Millisecond)), true
	}
	return 0, false
}

// ParseStatusBytes returns a memory field of /proc/PID/status ("VmRSS:
// 12345 kB") in bytes.
func ParseStatusBytes(status, field string) (int64, bool) {
	for _, line := range strings.Split(status, "\n") {
		rest, found := strings.CutPrefix(line, field+":")
		if !found {
			continue
		}
		rest = strings.TrimSpace(rest)
		num, unit, _ := strings.Cut(rest, " ")
		kb, err := strconv.ParseInt(num, 10, 64)
		if err != nil || (unit != "" && unit != "kB") {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
}
