package buckets_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/buckets"
)

// pattern is an endless reader of a repeating pattern.
type pattern struct{ off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(p.off*7 + p.off>>12)
		p.off++
	}
	return len(b), nil
}

// peakRSS returns the process's peak resident set (VmHWM) in bytes.
func peakRSS(tb testing.TB) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skip("no /proc")
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

// TestLargeBodyMemory streams 1 GiB in and out and checks that the peak
// resident set grows by less than 64 MiB more than a small put makes it.
// It takes a while: run it with EDDY_BIG=1.
func TestLargeBodyMemory(t *testing.T) {
	if os.Getenv("EDDY_BIG") == "" {
		t.Skip("set EDDY_BIG=1 to stream 1 GiB")
	}
	s := newService(t, nil)
	MustCreateBucket(t, s, "large")
	MustPut(t, s, "large", "warm", bytes.Repeat([]byte("x"), 4<<20))
	runtime.GC()
	before := peakRSS(t)
	const size = 1 << 30
	if _, err := s.PutObject(context.Background(), &buckets.PutObjectInput{Bucket: "large", Key: "gig", Body: io.LimitReader(&pattern{}, size), Size: size}); err != nil {
		t.Fatal(err)
	}
	out, err := s.GetObject(context.Background(), &buckets.GetObjectInput{Bucket: "large", Key: "gig", Range: "bytes=536870912-"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, out.Body)
	out.Body.Close()
	if err != nil || n != size/2 {
		t.Fatalf("got %d bytes, %v", n, err)
	}
	grew := peakRSS(t) - before
	t.Logf("peak RSS grew by %d MiB", grew>>20)
	if grew > 64<<20 {
		t.Fatalf("peak RSS grew by %d MiB, want under 64", grew>>20)
	}
}
