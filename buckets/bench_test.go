package buckets_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/engine"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start: on a busy
// machine a steadier figure than the wall time (the engine runs in this
// process, so it is counted).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e3, "cpu-µs/op")
}

// benchService is a service on a fresh engine with one bucket.
func benchService(b *testing.B) *buckets.Service {
	s := newService(b, nil)
	MustCreateBucket(b, s, "bench")
	return s
}

// BenchmarkPutSmall puts 4 KiB objects from 16 goroutines.
func BenchmarkPutSmall(b *testing.B) {
	s := benchService(b)
	body := bytes.Repeat([]byte("x"), 4096)
	var n atomic.Int64
	b.SetBytes(int64(len(body)))
	b.SetParallelism(8)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if _, err := s.PutObject(context.Background(), &buckets.PutObjectInput{Bucket: "bench", Key: fmt.Sprintf("k%d", i%10000), Body: bytes.NewReader(body), Size: int64(len(body))}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGetSmall gets 4 KiB objects from 16 goroutines.
func BenchmarkGetSmall(b *testing.B) {
	s := benchService(b)
	body := bytes.Repeat([]byte("x"), 4096)
	for i := range 1000 {
		MustPut(b, s, "bench", fmt.Sprintf("k%d", i), body)
	}
	var n atomic.Int64
	b.SetBytes(int64(len(body)))
	b.SetParallelism(8)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 8192)
		for pb.Next() {
			i := n.Add(1)
			out, err := s.GetObject(context.Background(), &buckets.GetObjectInput{Bucket: "bench", Key: fmt.Sprintf("k%d", i%1000)})
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := io.CopyBuffer(io.Discard, out.Body, buf); err != nil {
				b.Error(err)
			}
			out.Body.Close()
		}
	})
}

// BenchmarkPutLarge puts 64 MiB objects, one at a time.
func BenchmarkPutLarge(b *testing.B) {
	s := benchService(b)
	body := bytes.Repeat([]byte("0123456789abcdef"), 4<<20)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for i := 0; i < b.N; i++ {
		if _, err := s.PutObject(context.Background(), &buckets.PutObjectInput{Bucket: "bench", Key: "big", Body: bytes.NewReader(body), Size: int64(len(body))}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetLarge gets a 64 MiB object, one at a time.
func BenchmarkGetLarge(b *testing.B) {
	s := benchService(b)
	body := bytes.Repeat([]byte("0123456789abcdef"), 4<<20)
	MustPut(b, s, "bench", "big", body)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for i := 0; i < b.N; i++ {
		out, err := s.GetObject(context.Background(), &buckets.GetObjectInput{Bucket: "bench", Key: "big"})
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, out.Body)
		out.Body.Close()
		if err != nil || n != int64(len(body)) {
			b.Fatalf("got %d bytes, %v", n, err)
		}
	}
}

// BenchmarkListPrefix lists a 100-key prefix of a 100,000-key bucket.
func BenchmarkListPrefix(b *testing.B) {
	e := openEngine(b, b.TempDir())
	s := openService(b, e, nil)
	b.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	MustCreateBucket(b, s, "bench")
	ctx := context.Background()
	sem := make(chan struct{}, 32)
	errs := make(chan error, 1)
	for i := range 100000 {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			if _, err := s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bench", Key: fmt.Sprintf("p%04d/k%03d", i/100, i%100), Body: bytes.NewReader(nil), Size: 0}); err != nil {
				select {
				case errs <- err:
				default:
				}
			}
		}()
	}
	for range cap(sem) {
		sem <- struct{}{}
	}
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	waitIdle(b, e)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for i := 0; i < b.N; i++ {
		out, err := s.ListObjects(ctx, &buckets.ListInput{Bucket: "bench", Prefix: fmt.Sprintf("p%04d/", i%1000), MaxKeys: 1000})
		if err != nil || len(out.Objects) != 100 {
			b.Fatalf("got %d, %v", len(out.Objects), err)
		}
	}
}

// waitIdle waits until every bucket's event loop has passed every change.
func waitIdle(tb testing.TB, e *engine.Engine) {
	tb.Helper()
	ctx := context.Background()
	waitFor(tb, "event loops idle", func() bool {
		for name := range e.JS.StreamNames(ctx).Name() {
			if !strings.HasPrefix(name, "EDDY_B_") {
				continue
			}
			c, err := e.JS.Consumer(ctx, name, "events")
			if err != nil {
				return false
			}
			info, err := c.Info(ctx)
			if err != nil || info.NumPending > 0 || info.NumAckPending > 0 {
				return false
			}
		}
		return true
	})
}
