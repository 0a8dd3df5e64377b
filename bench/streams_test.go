package bench_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/bench"
)

// streamServer serves the few DynamoDB and Lambda calls of the stream
// measurements, shaped as AWS defines them, and plays the part of the
// mapping and of echofn: every 5 ms it hands up to 100 new stream records
// to the function, writing the stamp line and the event file echofn would
// write. Records written before the mapping is Enabled are not delivered,
// as with StartingPosition LATEST.
type streamServer struct {
	mu      sync.Mutex // guards the fields below
	env     map[string]string
	enabled bool
	pending []map[string]any // NewImage of each record not yet delivered
	invokes int
	deleted []string // what was deleted, in order
}

func (s *streamServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	const stream = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-01-01T00:00:00.000"
	switch target := r.Header.Get("X-Amz-Target"); {
	case target == "DynamoDB_20120810.CreateTable":
		reply(200, map[string]any{"TableDescription": map[string]any{"TableName": body["TableName"], "TableStatus": "CREATING", "LatestStreamArn": stream}})
	case target == "DynamoDB_20120810.DescribeTable":
		reply(200, map[string]any{"Table": map[string]any{"TableName": body["TableName"], "TableStatus": "ACTIVE", "LatestStreamArn": stream}})
	case target == "DynamoDB_20120810.PutItem":
		s.write(body["Item"])
		reply(200, map[string]any{})
	case target == "DynamoDB_20120810.BatchWriteItem":
		for _, reqs := range body["RequestItems"].(map[string]any) {
			for _, req := range reqs.([]any) {
				s.write(req.(map[string]any)["PutRequest"].(map[string]any)["Item"])
			}
		}
		reply(200, map[string]any{"UnprocessedItems": map[string]any{}})
	case target == "DynamoDB_20120810.DeleteTable":
		s.deleted = append(s.deleted, "table")
		reply(200, map[string]any{})
	case r.Method == http.MethodPost && r.URL.Path == "/2015-03-31/functions":
		env := body["Environment"].(map[string]any)["Variables"].(map[string]any)
		s.env = map[string]string{}
		for k, v := range env {
			s.env[k] = v.(string)
		}
		reply(201, map[string]any{"FunctionName": body["FunctionName"]})
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/2015-03-31/event-source-mappings"):
		if body["StartingPosition"] != "LATEST" || body["BatchSize"] != float64(100) || body["EventSourceArn"] != stream {
			reply(400, map[string]any{"Type": "User", "message": fmt.Sprintf("unexpected mapping %v", body)})
			return
		}
		reply(202, map[string]any{"UUID": "u1", "State": "Creating"})
	case r.Method == http.MethodGet && r.URL.Path == "/2015-03-31/event-source-mappings/u1":
		s.enabled = true
		reply(200, map[string]any{"UUID": "u1", "State": "Enabled"})
	case r.Method == http.MethodDelete && r.URL.Path == "/2015-03-31/event-source-mappings/u1":
		s.deleted = append(s.deleted, "mapping")
		reply(202, map[string]any{"UUID": "u1", "State": "Deleting"})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/"):
		s.deleted = append(s.deleted, "function")
		w.WriteHeader(204)
	default:
		reply(404, map[string]any{"message": "unexpected " + r.Method + " " + r.URL.Path + " " + target})
	}
}

// write records an item written; s.mu is held.
func (s *streamServer) write(item any) {
	if s.enabled {
		s.pending = append(s.pending, item.(map[string]any))
	}
}

// deliver hands pending records to the "function" until stop is closed.
func (s *streamServer) deliver(t *testing.T, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(5 * time.Millisecond):
		}
		s.mu.Lock()
		batch := s.pending[:min(100, len(s.pending))]
		s.pending = s.pending[len(batch):]
		env := s.env
		s.invokes++
		id := fmt.Sprintf("req-%d", s.invokes)
		s.mu.Unlock()
		if len(batch) == 0 {
			continue
		}
		f, err := os.OpenFile(env["ECHOFN_STAMP_FILE"], os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Error(err)
			return
		}
		fmt.Fprintf(f, "%s %d\n", id, time.Now().UnixNano())
		f.Close()
		var records []any
		for _, item := range batch {
			records = append(records, map[string]any{
				"eventName": "INSERT", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
				"dynamodb": map[string]any{
					"Keys":     map[string]any{"pk": item["pk"], "sk": item["sk"]},
					"NewImage": item, "SequenceNumber": "1", "SizeBytes": 10, "StreamViewType": "NEW_AND_OLD_IMAGES",
				},
			})
		}
		data, _ := json.Marshal(map[string]any{"Records": records})
		if err := os.WriteFile(filepath.Join(env["ECHOFN_RECORD_DIR"], fmt.Sprintf("%020d-%s.json", time.Now().UnixNano(), id)), data, 0o644); err != nil {
			t.Error(err)
			return
		}
	}
}

func startStreamServer(t *testing.T) (*streamServer, string) {
	s := &streamServer{}
	srv := httptest.NewServer(s)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.deliver(t, stop)
	}()
	t.Cleanup(func() {
		close(stop)
		wg.Wait()
		srv.Close()
	})
	return s, srv.URL
}

func TestStreamHooksAgainstAWSShapes(t *testing.T) {
	s, url := startStreamServer(t)
	cfg := bench.StreamConfig{Endpoint: url, Zip: []byte("zip"), Records: 50, Interval: time.Millisecond, Burst: 2000, Wait: 5 * time.Second}
	lat, err := bench.StreamLatency(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if lat.N != 50 || lat.Errors != 0 || lat.P50 <= 0 || lat.P99 > time.Second {
		t.Errorf("latency: got %+v, want 50 records in well under a second", lat)
	}
	rate, err := bench.StreamThroughput(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rate.Records != 2000 || rate.Delivered != 2000 || rate.Invocations < 20 || rate.PerSecond <= 0 || rate.WriteRate <= 0 {
		t.Errorf("throughput: got %+v, want 2000 records delivered in at least 20 batches", rate)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if got, want := strings.Join(s.deleted, " "), "mapping function table mapping function table"; got != want {
		t.Errorf("got deletions %q, want %q", got, want)
	}
}
