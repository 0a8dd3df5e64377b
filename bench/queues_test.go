package bench_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/bench"
)

func TestQueuesAgainstMoto(t *testing.T) {
	MustMoto(t)
	r, err := bench.RunQueues(t.Context(), bench.QueuesConfig{
		Moto:        true,
		MotoPrefill: 300,
		Duration:    300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Target("moto")
	if m == nil || m.Unavailable != "" {
		t.Fatalf("got moto target %+v, want it measured", m)
	}
	for _, op := range bench.QueueOps {
		for _, c := range []int{1, 16} {
			res, ok := m.Result(op, c)
			if !ok || res.OK == 0 || res.Messages < res.OK || res.MessagesPerSecond <= 0 || res.Latency.N != res.OK {
				t.Errorf("%s at %d: got %+v, want calls and messages counted", op, c, res)
			}
			// moto's concurrent receives now and then hand the same message
			// to two callers (a few in a hundred): the benchmark counts the
			// second as lost, which is moto's fault, not the benchmark's.
			if res.Errors != 0 || res.Lost > res.Messages {
				t.Errorf("%s at %d: got %d errors and %d lost of %d, want none (notes: %v)", op, c, res.Errors, res.Lost, res.Messages, m.Notes)
			}
		}
	}
	if res, _ := m.Result(bench.OpSendMessage, 1); res.Messages != res.OK {
		t.Errorf("SendMessage: got %d messages for %d calls, want one each", res.Messages, res.OK)
	}
	var b strings.Builder
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"moto_server at http://127.0.0.1:", "filled to 300 messages", "| ReceiveMessage + DeleteMessageBatch ", "| floor: loopback HTTP echo "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("got\n%s\nwant it to contain %q", b.String(), want)
		}
	}
}

func TestQueuesTargetNotAvailable(t *testing.T) {
	r, err := bench.RunQueues(t.Context(), bench.QueuesConfig{
		Endpoint:    unknownService(t),
		Duration:    20 * time.Millisecond,
		Concurrency: []int{1},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := r.Target("eddy")
	if e == nil || !strings.Contains(e.Unavailable, "not available") || len(e.Results) != 0 {
		t.Fatalf("got %+v, want eddy not available", e)
	}
}

// noQueueSources is a server with SQS and Lambda that refuses event source
// mappings from queues as eddy did before it could read them. It records
// the calls it gets.
type noQueueSources struct {
	mu    sync.Mutex // guards calls
	calls []string
}

func (s *noQueueSources) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	call := r.Method + " " + r.URL.Path
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		call = target
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	answer := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	var in struct{ QueueName string }
	_ = json.Unmarshal(body, &in)
	switch {
	case call == "AmazonSQS.CreateQueue":
		answer(200, map[string]string{"QueueUrl": "http://" + r.Host + "/000000000000/" + in.QueueName})
	case call == "AmazonSQS.GetQueueAttributes":
		answer(200, map[string]any{"Attributes": map[string]string{}})
	case call == "AmazonSQS.DeleteQueue":
		answer(200, map[string]any{})
	case call == "POST /2015-03-31/functions":
		answer(201, map[string]string{"FunctionName": "f", "State": "Active"})
	case strings.HasPrefix(call, "DELETE /2015-03-31/functions/"):
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(call, "POST /2015-03-31/event-source-mappings"):
		w.Header().Set("X-Amzn-ErrorType", "InvalidParameterValueException")
		answer(400, map[string]string{"Type": "User", "message": "eddy does not provide sqs event sources yet; mappings read DynamoDB streams only."})
	default:
		answer(400, map[string]string{"__type": "UnknownOperationException", "message": call})
	}
}

func TestQueueMappingNotAvailable(t *testing.T) {
	cfg := bench.QueueMappingConfig{Endpoint: unknownService(t), Zip: []byte("zip"), Wait: time.Second}
	if _, err := bench.QueueLatency(t.Context(), cfg); !errors.Is(err, bench.ErrNotAvailable) {
		t.Errorf("QueueLatency without SQS: got %v, want ErrNotAvailable", err)
	}
	if _, err := bench.QueueLatency(t.Context(), bench.QueueMappingConfig{Endpoint: cfg.Endpoint}); err == nil || errors.Is(err, bench.ErrNotAvailable) {
		t.Errorf("without a package: got %v, want a configuration error", err)
	}

	s := &noQueueSources{}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	cfg.Endpoint = srv.URL
	_, err := bench.QueueThroughput(t.Context(), cfg)
	if !errors.Is(err, bench.ErrNotAvailable) || !strings.Contains(err.Error(), "does not support queue event sources") {
		t.Fatalf("QueueThroughput: got %v, want ErrNotAvailable saying queue sources are not supported", err)
	}
	// The mapping's ARN is made up when GetQueueAttributes gives none, and
	// what was created is deleted.
	want := []string{"AmazonSQS.CreateQueue", "AmazonSQS.GetQueueAttributes", "POST /2015-03-31/functions",
		"POST /2015-03-31/event-source-mappings", "DELETE /2015-03-31/functions/", "AmazonSQS.DeleteQueue"}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) != len(want) {
		t.Fatalf("got calls %q, want %q", s.calls, want)
	}
	for i, c := range s.calls {
		if !strings.HasPrefix(c, want[i]) {
			t.Errorf("call %d: got %q, want %q", i, c, want[i])
		}
	}
}

func TestQueuesRender(t *testing.T) {
	res := func(op string, c int, msgs, p50 float64) bench.QueueResult {
		calls := msgs
		if op == bench.OpReceiveDelete {
			calls = msgs / 10
		}
		return bench.QueueResult{Op: op, Messages: int(msgs), MessagesPerSecond: msgs, Throughput: bench.Throughput{
			Concurrency: c, OK: int(calls), PerSecond: calls, Elapsed: time.Second,
			Latency: bench.Latency{N: int(calls), P50: ms(p50), P99: ms(2 * p50)}}}
	}
	drained := res(bench.OpReceiveDelete, 1, 20000, 0.5)
	drained.Drained = true
	r := &bench.QueuesReport{
		Duration: time.Second, Concurrency: []int{1, 16},
		Floor: []bench.Throughput{
			{Concurrency: 1, OK: 10000, PerSecond: 10000, Latency: bench.Latency{N: 10000, P50: ms(0.1)}},
			{Concurrency: 16, OK: 20000, PerSecond: 20000, Latency: bench.Latency{N: 20000, P50: ms(0.8)}},
		},
		Targets: []*bench.QueueTarget{
			{Name: "eddy", Endpoint: "http://127.0.0.1:1", Prefill: 50000, Loaded: 50000, Load: 2 * time.Second,
				Results: []bench.QueueResult{res(bench.OpSendMessage, 1, 4000, 0.25), res(bench.OpSendMessage, 16, 12000, 1.3), drained}},
			{Name: "moto", Endpoint: "http://127.0.0.1:2", Prefill: 5000,
				Results: []bench.QueueResult{res(bench.OpSendMessage, 1, 400, 2.5), res(bench.OpSendMessage, 16, 300, 50), res(bench.OpReceiveDelete, 1, 1000, 5)}},
		},
		Function: true,
		Latency:  bench.Latency{N: 200, P50: ms(4), P99: ms(9)},
		RateErr:  "not available: this server does not support queue event sources: not yet",
	}
	var b strings.Builder
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"before each receive measurement it is filled to 50,000 messages, and 10 more for each client's untimed call, by SendMessageBatch (10 a call) at 25,000 messages/s",
		"different queue depths (50,000 vs 5,000 messages)",
		"| SendMessage                         |          16 | moto   |        300 |",
		"the queue ran empty during ReceiveMessage + DeleteMessageBatch at concurrency 1 on eddy",
		"does not support queue event sources",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("got\n%s\nwant it to contain %q", out, want)
		}
	}
	_, ratios, _ := strings.Cut(out, "| ratios")
	ratios, _, _ = strings.Cut(ratios, "\n\n")
	// eddy ÷ moto messages/s, eddy p50 ÷ moto p50, eddy p50 ÷ floor p50, eddy calls/s ÷ floor calls/s.
	if got, want := cells(ratios, bench.OpReceiveDelete), "1 20.00× 0.10× 5.00× 0.20×"; got != want {
		t.Errorf("got ratio cells %q, want %q", got, want)
	}
	found := false
	for _, line := range strings.Split(ratios, "\n") {
		if strings.Contains(line, "| SendMessage ") && strings.Contains(line, "|          16 |") {
			found = true
			if f := strings.Fields(strings.ReplaceAll(line, "|", " ")); len(f) < 4 || f[2] != "40.00×" || f[3] != "0.0260×" {
				t.Errorf("got SendMessage ratios %q, want 40.00× and 0.0260× (a small ratio keeps its digits)", line)
			}
		}
	}
	if !found {
		t.Errorf("got ratios\n%s\nwant a SendMessage row at concurrency 16", ratios)
	}
	_, goals, _ := strings.Cut(out, "| target")
	for name, want := range map[string]string{
		"SendMessage ≥ 10,000 messages/s at concurrency 16":                "12000 messages/s PASS",
		"SendMessage at concurrency 16 ≥ 10× moto":                         "40.00× (12000 vs 300 messages/s) PASS",
		"SendMessage at concurrency 1 ≥ 10× moto":                          "10.00× (4000 vs 400 messages/s) PASS",
		"ReceiveMessage + DeleteMessageBatch at concurrency 16 ≥ 10× moto": "– n/a",
		"queue → function ≥ 5,000 messages/s (batch size 10)":              "not measured: not available: this server does not support queue event sources: not yet n/a",
		"send → invoke p50 ≤ 20 ms":                                        "4.000 ms (p99 9.000 ms) PASS",
	} {
		if got := cells(goals, name); got != want {
			t.Errorf("goal %q: got %q, want %q", name, got, want)
		}
	}
}
