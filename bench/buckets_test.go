package bench_test

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/eddyserverless/eddy/bench"
)

func TestBucketsAgainstMoto(t *testing.T) {
	MustMoto(t)
	r, err := bench.RunBuckets(t.Context(), bench.BucketsConfig{
		Moto:        true,
		Duration:    300 * time.Millisecond,
		GetObjects:  50,
		MotoObjects: 300,
		MotoLarge:   4 << 20,
		LargeRounds: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Target("moto")
	if m == nil || m.Unavailable != "" {
		t.Fatalf("got moto target %+v, want it measured", m)
	}
	if m.Objects != 300 || m.Fill <= 0 {
		t.Errorf("got a listing bucket of %d objects filled in %v, want 300 in some time", m.Objects, m.Fill)
	}
	for _, op := range bench.BucketOps {
		for _, c := range []int{1, 16} {
			res, ok := m.Result(op, c)
			if !ok || res.OK == 0 || res.PerSecond <= 0 || res.Latency.N != res.OK || res.Latency.P50 <= 0 {
				t.Errorf("%s at %d: got %+v, want calls counted and timed", op, c, res)
			}
			if res.Errors != 0 || res.Lost != 0 {
				t.Errorf("%s at %d: got %d errors and %d lost, want none (notes: %v)", op, c, res.Errors, res.Lost, m.Notes)
			}
		}
	}
	for _, op := range bench.LargeOps {
		res, ok := m.Transfer(op)
		if !ok || res.Size != 4<<20 || res.Rounds != 1 || res.Errors != 0 || res.MBPerSecond <= 0 {
			t.Errorf("%s: got %+v, want one round of 4 MiB timed (notes: %v)", op, res, m.Notes)
		}
		if f, ok := r.LargeFloorOf(op); !ok || f.Size != 4<<20 || f.MBPerSecond <= 0 {
			t.Errorf("%s: got floor %+v, want 4 MiB timed", op, f)
		}
	}
	for _, c := range []int{1, 16} {
		if f, ok := r.FloorAt(c); !ok || f.PerSecond <= 0 {
			t.Errorf("floor at %d: got %+v, want it measured", c, f)
		}
	}
	var b strings.Builder
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"moto_server at http://127.0.0.1:", "in a bucket of 300 objects (3 prefixes)", "| floor: loopback HTTP PUT "} {
		if !strings.Contains(out, want) {
			t.Errorf("got\n%s\nwant it to contain %q", out, want)
		}
	}
	// Every line of the operations and large-object tables has a positive
	// figure in its rate column.
	rows := map[string]int{}
	figures, _, _ := strings.Cut(out, "| ratios")
	for _, line := range strings.Split(figures, "\n") {
		f := strings.Split(line, "|")
		if len(f) < 6 {
			continue
		}
		name := strings.TrimSpace(f[1])
		col := 0
		switch {
		case strings.HasPrefix(name, "floor: loopback HTTP echo"), slicesContain(bench.BucketOps, name):
			col = 4 // calls/s
		case strings.HasPrefix(name, "floor: loopback HTTP PUT"), strings.HasPrefix(name, "floor: loopback HTTP GET"), slicesContain(bench.LargeOps, name):
			col = 4 // MB/s
		default:
			continue
		}
		rows[name]++
		var v float64
		if _, err := fmt.Sscan(strings.TrimSpace(f[col]), &v); err != nil || v <= 0 {
			t.Errorf("line %q: got %q, want a positive figure", line, f[col])
		}
	}
	for _, name := range append(append([]string{"floor: loopback HTTP echo", "floor: loopback HTTP PUT", "floor: loopback HTTP GET"}, bench.BucketOps...), bench.LargeOps...) {
		want := 2 // one a concurrency level
		if strings.Contains(name, "large") || strings.Contains(name, "PUT") || strings.Contains(name, "GET") {
			want = 1
		}
		if rows[name] != want {
			t.Errorf("got %d lines of %q, want %d", rows[name], name, want)
		}
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestBucketsTargetNotAvailable(t *testing.T) {
	r, err := bench.RunBuckets(t.Context(), bench.BucketsConfig{
		Endpoint:    unknownService(t),
		Duration:    20 * time.Millisecond,
		Concurrency: []int{1},
		Large:       1 << 20,
		LargeRounds: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := r.Target("eddy")
	if e == nil || !strings.Contains(e.Unavailable, "not available") || len(e.Results) != 0 {
		t.Fatalf("got %+v, want eddy not available", e)
	}
	if _, err := bench.BucketLatency(t.Context(), bench.BucketNotifyConfig{Endpoint: unknownService(t), Zip: []byte("zip"), Wait: time.Second}); !errors.Is(err, bench.ErrNotAvailable) {
		t.Errorf("BucketLatency without S3: got %v, want ErrNotAvailable", err)
	}
}

// notifyServer fakes the S3 and Lambda calls of the PUT → invoke
// measurement: it plays the echo function itself, writing each
// notification's event and the start of its "invocation" where the
// function's environment says, as bench/echofn does.
type notifyServer struct {
	mu       sync.Mutex // guards the fields below
	calls    []string
	env      map[string]string // the function's
	arn      string            // the notification's function
	events   []string          // the notification's event types
	requests int
}

func (s *notifyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	path := r.URL.Path
	call := r.Method + " " + path
	if r.URL.RawQuery != "" {
		call += "?" + strings.SplitN(r.URL.RawQuery, "=", 2)[0]
	}
	if !strings.HasPrefix(call, "PUT /eddy-bench-notify-") || strings.Count(path, "/") < 2 {
		s.calls = append(s.calls, call)
	}
	answer := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:fn"
	switch {
	case call == "POST /2015-03-31/functions":
		var in struct {
			Environment struct{ Variables map[string]string }
		}
		_ = json.Unmarshal(body, &in)
		s.env = in.Environment.Variables
		answer(201, map[string]string{"FunctionName": "fn", "FunctionArn": arn, "State": "Active"})
	case strings.HasSuffix(call, "/policy"):
		answer(201, map[string]string{"Statement": "{}"})
	case strings.HasPrefix(call, "GET /2015-03-31/functions/"):
		answer(200, map[string]any{"Configuration": map[string]string{"FunctionName": "fn", "FunctionArn": arn}})
	case strings.HasPrefix(call, "DELETE /2015-03-31/functions/"):
		w.WriteHeader(http.StatusNoContent)
	case strings.HasSuffix(call, "?notification"):
		var in struct {
			CloudFunctionConfiguration []struct {
				CloudFunction string
				Event         []string
			}
		}
		if err := xml.Unmarshal(body, &in); err != nil || len(in.CloudFunctionConfiguration) != 1 {
			http.Error(w, fmt.Sprintf("bad notification %q: %v", body, err), http.StatusBadRequest)
			return
		}
		s.arn, s.events = in.CloudFunctionConfiguration[0].CloudFunction, in.CloudFunctionConfiguration[0].Event
	case r.Method == http.MethodPut && strings.Count(path, "/") == 1: // CreateBucket
	case r.Method == http.MethodPut: // PutObject
		if s.arn != "" {
			bucket, key, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
			s.invoke(bucket, key)
		}
		w.Header().Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
	case r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "2":
		w.Header().Set("Content-Type", "application/xml")
		_, _ = io.WriteString(w, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`)
	case r.Method == http.MethodDelete && strings.Count(path, "/") == 1:
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, call, http.StatusNotImplemented)
	}
}

// invoke records the event of a new object as the echo function would.
func (s *notifyServer) invoke(bucket, key string) {
	s.requests++
	id := fmt.Sprintf("req-%d", s.requests)
	start := time.Now()
	var ev events.S3Event
	ev.Records = append(ev.Records, events.S3EventRecord{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: "us-east-1", EventName: "ObjectCreated:Put",
		S3: events.S3Entity{Bucket: events.S3Bucket{Name: bucket}, Object: events.S3Object{Key: url.QueryEscape(key), Size: int64(len(key))}},
	})
	data, _ := json.Marshal(ev)
	_ = os.WriteFile(filepath.Join(s.env["ECHOFN_RECORD_DIR"], fmt.Sprintf("%019d-%s.json", start.UnixNano(), id)), data, 0o644)
	f, err := os.OpenFile(s.env["ECHOFN_STAMP_FILE"], os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, _ = fmt.Fprintf(f, "%s %d\n", id, start.UnixNano())
		_ = f.Close()
	}
}

func TestBucketLatency(t *testing.T) {
	s := &notifyServer{}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	l, err := bench.BucketLatency(t.Context(), bench.BucketNotifyConfig{
		Endpoint: srv.URL, Zip: []byte("zip"), Objects: 20, Interval: time.Millisecond, Wait: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if l.N != 20 || l.Errors != 0 || l.P50 <= 0 || l.P99 < l.P50 {
		t.Errorf("got %+v, want 20 latencies and no errors", l)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.arn != "arn:aws:lambda:us-east-1:000000000000:function:fn" || len(s.events) != 1 || s.events[0] != "s3:ObjectCreated:*" {
		t.Errorf("got a notification of %v to %q, want s3:ObjectCreated:* to the function", s.events, s.arn)
	}
	want := []string{"PUT /eddy-bench-notify-", "POST /2015-03-31/functions", "GET /2015-03-31/functions/", "POST /2015-03-31/functions/",
		"PUT /eddy-bench-notify-", "DELETE /2015-03-31/functions/", "GET /eddy-bench-notify-", "DELETE /eddy-bench-notify-"}
	if len(s.calls) != len(want) {
		t.Fatalf("got calls %q, want %q", s.calls, want)
	}
	for i, c := range s.calls {
		if !strings.HasPrefix(c, want[i]) {
			t.Errorf("call %d: got %q, want %q", i, c, want[i])
		}
	}
}

func TestBucketsRender(t *testing.T) {
	res := func(op string, c int, perSecond, p50 float64) bench.BucketResult {
		return bench.BucketResult{Op: op, Throughput: bench.Throughput{
			Concurrency: c, OK: int(perSecond), PerSecond: perSecond, Elapsed: time.Second,
			Latency: bench.Latency{N: int(perSecond), P50: ms(p50), P99: ms(2 * p50)}}}
	}
	large := func(op string, size int64, mbps float64) bench.LargeResult {
		return bench.LargeResult{Op: op, Size: size, Rounds: 3, MBPerSecond: mbps, Latency: bench.Latency{N: 3, P50: ms(100), Max: ms(120)}}
	}
	r := &bench.BucketsReport{
		Duration: time.Second, Concurrency: []int{1, 16},
		Floor: []bench.Throughput{
			{Concurrency: 1, OK: 10000, PerSecond: 10000, Latency: bench.Latency{N: 10000, P50: ms(0.1)}},
			{Concurrency: 16, OK: 20000, PerSecond: 20000, Latency: bench.Latency{N: 20000, P50: ms(0.8)}},
		},
		LargeFloor: []bench.LargeResult{large(bench.OpPutLarge, 64<<20, 1500), large(bench.OpGetLarge, 64<<20, 2000)},
		Targets: []*bench.BucketTarget{
			{Name: "eddy", Endpoint: "http://127.0.0.1:1", ObjectSize: 4096, Gets: 1000, Large: 64 << 20,
				Objects: 100000, LoadConcurrency: 16, Fill: 20 * time.Second,
				Results: []bench.BucketResult{res(bench.OpPutObject, 1, 1000, 1), res(bench.OpPutObject, 16, 4000, 4),
					res(bench.OpGetObject, 16, 6000, 2), res(bench.OpListObjects, 1, 200, 5)},
				Transfers: []bench.LargeResult{large(bench.OpPutLarge, 64<<20, 300), large(bench.OpGetLarge, 64<<20, 150)}},
			{Name: "moto", Endpoint: "http://127.0.0.1:2", ObjectSize: 4096, Gets: 1000, Large: 16 << 20,
				Objects: 5000, LoadConcurrency: 16, Fill: 25 * time.Second,
				Results: []bench.BucketResult{res(bench.OpPutObject, 1, 250, 4), res(bench.OpPutObject, 16, 200, 80),
					res(bench.OpGetObject, 16, 300, 50), res(bench.OpListObjects, 1, 40, 25)},
				Transfers: []bench.LargeResult{large(bench.OpPutLarge, 16<<20, 50), large(bench.OpGetLarge, 16<<20, 200)}},
		},
		Function:   true,
		LatencyErr: "not available: S3 PutBucketNotificationConfiguration to a function: NotImplemented: not yet",
	}
	var b strings.Builder
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"listings of one prefix of 100 keys, in turn, in a bucket of 100,000 objects (1,000 prefixes), filled by PutObject (16 callers) at 5,000 objects/s",
		"the listing buckets differ in size (100,000 vs 5,000 objects)",
		"the large objects differ in size (64 MiB on eddy, 16 MiB on moto)",
		"| PutObject 4 KiB           |          16 | moto   |     200 |",
		"| GetObject, one large object | eddy   | 64 MiB |  150 |      3 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("got\n%s\nwant it to contain %q", out, want)
		}
	}
	_, ratios, _ := strings.Cut(out, "| ratios")
	ratios, _, _ = strings.Cut(ratios, "\n\n")
	// eddy ÷ moto calls/s, eddy p50 ÷ moto p50, eddy p50 ÷ floor p50, eddy calls/s ÷ floor calls/s.
	if got, want := cells(ratios, bench.OpListObjects), "1 5.00× 0.20× 50.00× 0.0200×"; got != want {
		t.Errorf("got ratio cells %q, want %q", got, want)
	}
	if got, want := cells(ratios, bench.OpPutLarge+" (MB/s)"), "1 6.00× 0.20×"; got != want {
		t.Errorf("got ratio cells %q, want %q", got, want)
	}
	_, goals, _ := strings.Cut(out, "| target")
	for name, want := range map[string]string{
		"PutObject 4 KiB ≥ 3,000 objects/s at concurrency 16":                            "4000 objects/s PASS",
		"GetObject 4 KiB ≥ 8,000 objects/s at concurrency 16":                            "6000 objects/s MISS",
		"PutObject 4 KiB at concurrency 16 ≥ 10× moto":                                   "20.00× (4000 vs 200 objects/s) PASS",
		"GetObject 4 KiB at concurrency 16 ≥ 10× moto":                                   "20.00× (6000 vs 300 objects/s) PASS",
		"PutObject, one large object (64 MiB) ≥ 200 MB/s":                                "300 MB/s PASS",
		"GetObject, one large object (64 MiB) ≥ 200 MB/s":                                "150 MB/s MISS",
		"ListObjectsV2 by prefix p50 ≤ 10 ms in a 100,000-object bucket (concurrency 1)": "5.000 ms (p99 10.000 ms) in a 100,000-object bucket PASS",
		"PUT → invoke p50 ≤ 50 ms":                                                       "not measured: not available: S3 PutBucketNotificationConfiguration to a function: NotImplemented: not yet n/a",
	} {
		if got := cells(goals, name); got != want {
			t.Errorf("goal %q: got %q, want %q", name, got, want)
		}
	}
	// A listing in a smaller bucket is reported but not judged.
	r.Targets[0].Objects = 2000
	for _, g := range r.Goals() {
		if strings.HasPrefix(g.Name, "ListObjectsV2") && (g.Result != "n/a" || !strings.Contains(g.Measured, "in a 2,000-object bucket")) {
			t.Errorf("listing in 2,000 objects: got %+v, want it measured and n/a", g)
		}
	}
}
