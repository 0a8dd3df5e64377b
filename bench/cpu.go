package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is USER_HZ, the unit of /proc's CPU times: 100 on every Linux
// architecture Go supports.
const clockTick = 10 * time.Millisecond

// CPUCost is what a phase cost in CPU time, per request, and how busy the
// whole machine was meanwhile.
type CPUCost struct {
	Self     time.Duration // this process per request: in-process server and bench client
	Children time.Duration // this process's children per request: the function instances
	Busy     float64       // the machine's CPUs busy, 0–1, everything on it included
}

// cpuSample is a reading of the CPU counters.
type cpuSample struct {
	self, children time.Duration
	busy, total    uint64 // jiffies of all CPUs, from /proc/stat
}

func sampleCPU() cpuSample {
	var s cpuSample
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s.children = childrenCPU(os.Getpid())
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		s.busy, s.total, _ = ParseCPULine(line)
	}
	return s
}

// cost returns the CPU spent between s and a later sample, per request.
func (s cpuSample) cost(later cpuSample, requests int) CPUCost {
	var c CPUCost
	if requests > 0 {
		c.Self = (later.self - s.self) / time.Duration(requests)
		c.Children = max(0, later.children-s.children) / time.Duration(requests)
	}
	if dt := later.total - s.total; later.total > s.total {
		c.Busy = float64(later.busy-s.busy) / float64(dt)
	}
	return c
}

// childrenCPU returns the CPU time used so far by the live children of pid.
// Children that have exited are not counted: a phase's cost is only right
// while its instances live, as warm ones do.
func childrenCPU(pid int) time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks uint64
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // exited meanwhile
		}
		if ppid, t, ok := ParseProcStat(string(data)); ok && ppid == pid {
			ticks += t
		}
	}
	return time.Duration(ticks) * clockTick
}

// ParseProcStat returns the parent pid and the user+system CPU time, in
// clock ticks, of a /proc/PID/stat line.
func ParseProcStat(line string) (ppid int, ticks uint64, ok bool) {
	// The command name, in parentheses, may hold spaces and parentheses.
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(line[i+1:])
	// f[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
	if len(f) < 13 {
		return 0, 0, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	utime, err2 := strconv.ParseUint(f[11], 10, 64)
	stime, err3 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, 0, false
	}
	return ppid, utime + stime, true
}

// ParseCPULine returns the busy and total jiffies of the "cpu" line of
// /proc/stat; idle and iowait count as not busy.
func ParseCPULine(line string) (busy, total uint64, ok bool) {
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" { // at least up to iowait
		return 0, 0, false
	}
	var idle uint64
	for i, v := range f[1:] {
		if i >= 8 { // guest times are already in user and nice
			break
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	return total - idle, total, true
}
