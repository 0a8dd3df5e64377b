package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goruntime "runtime"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// The measurements of the queues benchmark, in the order they run.
const (
	OpSendMessage   = "SendMessage"
	OpReceiveDelete = "ReceiveMessage + DeleteMessageBatch"
)

// QueueOps lists the measurements of the queues benchmark.
var QueueOps = []string{OpSendMessage, OpReceiveDelete}

// QueuesConfig configures the queues benchmark. Zero fields take defaults.
type QueuesConfig struct {
	// Endpoint is eddy's base address, e.g. http://127.0.0.1:4566; empty
	// to measure moto alone.
	Endpoint string
	// InProcess says the eddy at Endpoint runs inside this process.
	InProcess bool
	// Moto also measures moto_server, started on a free loopback port for
	// the run and stopped after it, when it is on PATH.
	Moto bool
	// Duration is how long each measurement runs at each concurrency
	// (default 5 s).
	Duration time.Duration
	// Ops, when positive, also stops each measurement after that many
	// calls.
	Ops int
	// Concurrency lists the concurrency levels (default 1, 16).
	Concurrency []int
	// Prefill is how many messages eddy's queue holds before each receive
	// measurement, besides those the untimed calls take (default 100,000),
	// MotoPrefill moto's (default 500: moto scans the whole queue on every
	// call, so that its calls slow down as the queue grows). A measurement
	// that empties its queue ends early and says so.
	Prefill, MotoPrefill int
	// LoadConcurrency is how many clients call SendMessageBatch while a
	// queue is filled (default 16).
	LoadConcurrency int
	// Function also measures, against eddy only, the throughput of an
	// event source mapping from a queue to a function and the latency from
	// SendMessage to the function (see QueueThroughput and QueueLatency).
	// Mapping holds their settings; its Endpoint, Zip and Progress are
	// filled in.
	Function bool
	Zip      []byte
	Mapping  QueueMappingConfig
	// Progress receives a line as each phase starts; nil for silence.
	Progress io.Writer
}

func (c *QueuesConfig) defaults() {
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
	}
	if len(c.Concurrency) == 0 {
		c.Concurrency = []int{1, 16}
	}
	if c.Prefill <= 0 {
		c.Prefill = 100000
	}
	if c.MotoPrefill <= 0 {
		c.MotoPrefill = 500
	}
	if c.LoadConcurrency <= 0 {
		c.LoadConcurrency = 16
	}
}

// QueuesReport holds the figures of one `eddy bench queues` run.
type QueuesReport struct {
	CPUs       int
	GoVersion  string
	Platform   string
	Background float64 // share of the CPUs busy just before the load

	Duration    time.Duration
	Ops         int
	Concurrency []int
	// Floor is a plain loopback HTTP echo of a body the size of a
	// SendMessage request with the same client settings, at each
	// concurrency.
	Floor []Throughput
	// Targets are the servers measured: eddy, then moto.
	Targets []*QueueTarget

	// Function says the queue → function measurements ran; their figures
	// follow, or the reason they could not be made.
	Function   bool
	Latency    Latency
	LatencyErr string
	Rate       StreamRate
	RateErr    string

	Notes []string
}

// QueueTarget is what the queues benchmark measured on one server.
type QueueTarget struct {
	Name      string // "eddy" or "moto"
	Endpoint  string
	InProcess bool
	// Unavailable says why the target was not measured ("" if it was).
	Unavailable string
	Prefill     int // messages its queue is filled to before each receive measurement
	// Loaded messages were sent by SendMessageBatch to fill the queue,
	// taking Load.
	Loaded  int
	Load    time.Duration
	Results []QueueResult
	// Notes are remarks worth printing: the first error of each
	// measurement, a queue that could not be deleted.
	Notes []string
}

// QueueResult is one measurement at one concurrency. Throughput counts
// calls (a receive and its delete are one call); Messages counts the
// messages they sent, or received and deleted.
type QueueResult struct {
	Op string
	Throughput
	Messages          int
	MessagesPerSecond float64
	// Drained says the queue ran empty before the measurement's time was
	// up: it ended there.
	Drained bool
}

// Result returns the figures of op at concurrency c.
func (t *QueueTarget) Result(op string, c int) (QueueResult, bool) {
	if t == nil {
		return QueueResult{}, false
	}
	for _, r := range t.Results {
		if r.Op == op && r.Concurrency == c {
			return r, true
		}
	}
	return QueueResult{}, false
}

// Target returns the target named name, or nil.
func (r *QueuesReport) Target(name string) *QueueTarget {
	for _, t := range r.Targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// FloorAt returns the floor at concurrency c.
func (r *QueuesReport) FloorAt(c int) (Throughput, bool) {
	for _, t := range r.Floor {
		if t.Concurrency == c {
			return t, true
		}
	}
	return Throughput{}, false
}

// RunQueues runs the same aws-sdk-go-v2 SQS client code against eddy
// (cfg.Endpoint) and, in the same run, against moto_server: SendMessage,
// then ReceiveMessage (up to 10 messages) each followed by a
// DeleteMessageBatch of what it received, from a queue filled beforehand,
// each at every concurrency level, next to the floor of a loopback HTTP
// echo. With cfg.Function it also measures, against eddy only, a queue
// mapped to a function. A target that does not serve SQS is reported as
// not available rather than failing the run.
func RunQueues(ctx context.Context, cfg QueuesConfig) (*QueuesReport, error) {
	cfg.defaults()
	if cfg.Endpoint == "" && !cfg.Moto {
		return nil, errors.New("bench: queues: neither an eddy endpoint nor moto to measure")
	}
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...)
		}
	}
	r := &QueuesReport{
		CPUs: goruntime.NumCPU(), GoVersion: goruntime.Version(), Platform: goruntime.GOOS + "/" + goruntime.GOARCH,
		Duration: cfg.Duration, Ops: cfg.Ops, Concurrency: cfg.Concurrency,
	}
	progress("background: machine CPU before the load, 1 s")
	before := sampleCPU()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Second):
	}
	r.Background = before.cost(sampleCPU(), 0).Busy

	for _, c := range cfg.Concurrency {
		progress("floor: loopback HTTP echo at concurrency %d", c)
		t, err := floorThroughput(ctx, TablesConfig{Duration: cfg.Duration, Ops: cfg.Ops}, c)
		if err != nil {
			return nil, err
		}
		r.Floor = append(r.Floor, t)
	}

	if cfg.Endpoint != "" {
		t, err := measureQueues(ctx, cfg, "eddy", cfg.Endpoint, cfg.Prefill, progress)
		if err != nil {
			return nil, err
		}
		t.InProcess = cfg.InProcess
		r.Targets = append(r.Targets, t)
		if cfg.Function {
			r.Function = true
			mc := cfg.Mapping
			mc.Endpoint, mc.Zip, mc.Progress = cfg.Endpoint, cfg.Zip, cfg.Progress
			progress("queues: send → invoke latency")
			lat, err := QueueLatency(ctx, mc)
			if err != nil {
				r.LatencyErr = err.Error()
			}
			r.Latency = lat
			progress("queues: event source mapping throughput")
			rate, err := QueueThroughput(ctx, mc)
			if err != nil {
				r.RateErr = err.Error()
			}
			r.Rate = rate
		}
	}

	if cfg.Moto {
		if _, err := MotoPath(); err != nil {
			r.Notes = append(r.Notes, "moto_server is not on PATH: no peer measured")
			return r, nil
		}
		progress("moto: starting moto_server")
		m, err := StartMoto(ctx)
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer m.Close()
		t, err := measureQueues(ctx, cfg, "moto", m.URL, cfg.MotoPrefill, progress)
		if err != nil {
			return nil, err
		}
		r.Targets = append(r.Targets, t)
	}
	return r, nil
}

// newSQS returns an SQS client of endpoint with retries off, so that
// failures are counted rather than hidden. It checks the MD5 digests of
// the answers, as the SDK does by default.
func newSQS(endpoint string, hc *http.Client) *sqs.Client {
	return sqs.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   hc,
	}, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
}

// queueBench is one queue of the benchmark.
type queueBench struct {
	name string
	sqs  *sqs.Client
	url  string

	// seen guards against a message received twice during a measurement.
	mu   sync.Mutex // guards seen
	seen map[string]bool
}

// measureQueues runs every measurement at every concurrency on one
// server, each on a queue of its own, created for it and deleted after.
func measureQueues(ctx context.Context, cfg QueuesConfig, name, endpoint string, prefill int, progress func(string, ...any)) (*QueueTarget, error) {
	t := &QueueTarget{Name: name, Endpoint: strings.TrimRight(endpoint, "/"), Prefill: prefill}
	hc := newHTTPClient()
	defer hc.CloseIdleConnections()
	client := newSQS(t.Endpoint, hc)
	for _, op := range QueueOps {
		for _, c := range cfg.Concurrency {
			b := &queueBench{name: "eddy-bench-" + randomHex(4), sqs: client}
			progress("%s: create queue %s", name, b.name)
			out, err := b.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(b.name)})
			if err != nil {
				err = unavailable("SQS CreateQueue", err)
				if errors.Is(err, ErrNotAvailable) {
					t.Unavailable = err.Error()
					return t, nil
				}
				return nil, err
			}
			b.url = aws.ToString(out.QueueUrl)
			res, err := b.measure(ctx, cfg, t, op, c, progress)
			if err := b.drop(); err != nil {
				t.Notes = append(t.Notes, err.Error())
			}
			if err != nil {
				return nil, err
			}
			t.Results = append(t.Results, res)
		}
	}
	return t, nil
}

// measure runs op at concurrency c on the queue, filling it first for a
// receive.
func (b *queueBench) measure(ctx context.Context, cfg QueuesConfig, t *QueueTarget, op string, c int, progress func(string, ...any)) (QueueResult, error) {
	var res QueueResult
	var first error
	switch op {
	case OpSendMessage:
		progress("%s: SendMessage at concurrency %d", t.Name, c)
		var th Throughput
		th, first = runLoad(ctx, c, cfg.Duration, cfg.Ops, b.send(c))
		res = QueueResult{Op: op, Throughput: th, Messages: th.OK, MessagesPerSecond: th.PerSecond}
	case OpReceiveDelete:
		// The untimed calls take up to 10 messages each.
		need := t.Prefill + c*receiveWarmup*10
		progress("%s: fill the queue with %d messages (SendMessageBatch, 10 a call, %d callers)", t.Name, need, cfg.LoadConcurrency)
		start := time.Now()
		if err := sendBatches(ctx, b.sqs, b.url, need, cfg.LoadConcurrency, func(i int) string { return benchBody(-1, i) }); err != nil {
			return res, fmt.Errorf("bench: %s: fill the queue: %w", t.Name, err)
		}
		t.Loaded += need
		t.Load += time.Since(start)
		progress("%s: ReceiveMessage + DeleteMessageBatch at concurrency %d", t.Name, c)
		res, first = b.receiveLoad(ctx, c, cfg.Duration, cfg.Ops)
	default:
		return res, fmt.Errorf("bench: unknown queue operation %q", op)
	}
	if first != nil {
		t.Notes = append(t.Notes, fmt.Sprintf("%s %s at concurrency %d: first error: %v", t.Name, op, c, first))
	}
	return res, ctx.Err()
}

func (b *queueBench) drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := b.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(b.url)}); err != nil {
		return fmt.Errorf("delete queue %s: %w", b.name, err)
	}
	return nil
}

// benchBody is a message of the benchmark, about 100 bytes.
func benchBody(w, seq int) string {
	return fmt.Sprintf(`{"bench":"queues","w":%d,"seq":%d,"pad":"%s"}`, w, seq, benchPad[:48])
}

// send returns the SendMessage call of the benchmark.
func (b *queueBench) send(c int) opFunc {
	url := aws.String(b.url)
	return func(ctx context.Context, w, seq int) (bool, error) {
		out, err := b.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(benchBody(c*1000+w, seq))})
		if err != nil {
			return false, err
		}
		if aws.ToString(out.MessageId) == "" {
			return true, errors.New("SendMessage: no MessageId in the answer")
		}
		return false, nil
	}
}

// sendBatches sends n messages, body(i) for i in 0..n-1, to the queue at
// url with SendMessageBatch, 10 a call, from conc clients. An entry that
// fails is an error.
func sendBatches(ctx context.Context, client *sqs.Client, url string, n, conc int, body func(i int) string) error {
	const perCall = 10
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	calls := (n + perCall - 1) / perCall
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range min(conc, calls) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				call := int(next.Add(1)) - 1
				if call >= calls {
					return
				}
				var entries []sqstypes.SendMessageBatchRequestEntry
				for i := call * perCall; i < min(n, (call+1)*perCall); i++ {
					entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body(i))})
				}
				out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
				if err == nil && len(out.Failed) > 0 {
					f := out.Failed[0]
					err = fmt.Errorf("SendMessageBatch: %d of %d entries failed, the first with %s: %s", len(out.Failed), len(entries), aws.ToString(f.Code), aws.ToString(f.Message))
				}
				if err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// receiveWarmup is how many untimed calls each client of the receive
// measurement makes first: one opens its connection, and each takes
// messages from a queue that moto scans whole on every call.
const receiveWarmup = 1

// emptyAnswers is how many empty answers in a row tell a worker of the
// receive measurement that the queue is drained: a short-polling
// ReceiveMessage may answer empty while messages remain.
const emptyAnswers = 3

// receiveLoad runs ReceiveMessage (up to 10 messages, no wait) followed by
// a DeleteMessageBatch of the messages received from c workers, after
// receiveWarmup untimed calls each, until d has passed, limit calls
// have been timed (if positive), or the queue is drained. Only calls that
// moved messages are timed. A message whose body is not the benchmark's,
// or that was received before, is lost.
func (b *queueBench) receiveLoad(ctx context.Context, c int, d time.Duration, limit int) (QueueResult, error) {
	b.seen = map[string]bool{}
	type tally struct {
		times                      []time.Duration
		ok, errors, lost, messages int
		first                      error
		drained                    bool
	}
	tallies := make([]tally, c)
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range receiveWarmup {
				_, _, _ = b.receiveDelete(ctx)
			}
		}()
	}
	wg.Wait()
	var issued atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	ends := make([]time.Time, c)
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tl := &tallies[w]
			defer func() { ends[w] = time.Now() }()
			empty := 0
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if limit > 0 && issued.Add(1) > int64(limit) {
					return
				}
				t0 := time.Now()
				n, lost, err := b.receiveDelete(ctx)
				el := time.Since(t0)
				if err != nil && tl.first == nil {
					tl.first = err
				}
				switch {
				case err != nil && lost == 0:
					tl.errors++
				case n == 0:
					if empty++; empty >= emptyAnswers {
						tl.drained = true
						return
					}
					continue
				case lost > 0:
					tl.messages += n - lost
				default:
					tl.ok++
					tl.messages += n
					tl.times = append(tl.times, el)
				}
				if n > 0 {
					empty = 0
				}
				tl.lost += lost
			}
		}()
	}
	wg.Wait()
	end := start
	for _, e := range ends {
		if e.After(end) {
			end = e
		}
	}
	res := QueueResult{Op: OpReceiveDelete, Throughput: Throughput{Concurrency: c, Elapsed: end.Sub(start)}}
	var all []time.Duration
	var first error
	for _, tl := range tallies {
		res.OK += tl.ok
		res.Errors += tl.errors
		res.Lost += tl.lost
		res.Messages += tl.messages
		res.Drained = res.Drained || tl.drained
		all = append(all, tl.times...)
		if first == nil {
			first = tl.first
		}
	}
	if s := res.Elapsed.Seconds(); s > 0 {
		res.PerSecond = float64(res.OK) / s
		res.MessagesPerSecond = float64(res.Messages) / s
	}
	res.Latency = Summarize(all)
	res.Latency.Errors = res.Errors
	return res, first
}

// receiveDelete receives up to 10 messages and deletes them with one
// DeleteMessageBatch. n is the number received, lost those of them that
// were not the benchmark's or had been received before.
func (b *queueBench) receiveDelete(ctx context.Context) (n, lost int, err error) {
	out, err := b.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(b.url), MaxNumberOfMessages: 10})
	if err != nil {
		return 0, 0, err
	}
	if len(out.Messages) == 0 {
		return 0, 0, nil
	}
	entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(out.Messages))
	var wrong error
	b.mu.Lock()
	for i, m := range out.Messages {
		id := aws.ToString(m.MessageId)
		switch {
		case b.seen[id]:
			lost++
			wrong = fmt.Errorf("message %s received twice", id)
		case !strings.HasPrefix(aws.ToString(m.Body), `{"bench":"queues",`):
			lost++
			wrong = fmt.Errorf("message %s: got body %q, want one the benchmark sent", id, aws.ToString(m.Body))
		}
		b.seen[id] = true
		entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
	}
	b.mu.Unlock()
	del, err := b.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(b.url), Entries: entries})
	if err != nil {
		return len(out.Messages), lost, fmt.Errorf("DeleteMessageBatch: %w", err)
	}
	if len(del.Failed) > 0 {
		f := del.Failed[0]
		return len(out.Messages), lost, fmt.Errorf("DeleteMessageBatch: %d of %d entries failed, the first with %s: %s", len(del.Failed), len(entries), aws.ToString(f.Code), aws.ToString(f.Message))
	}
	return len(out.Messages), lost, wrong
}

// Goals judges the run against the queues benchmark's targets.
func (r *QueuesReport) Goals() []Target {
	var out []Target
	e, m := r.Target("eddy"), r.Target("moto")
	s16, ok := e.Result(OpSendMessage, 16)
	out = append(out, Target{
		Name:     "SendMessage ≥ 10,000 messages/s at concurrency 16",
		Measured: messagesRate(s16, ok),
		Result:   result(ok && s16.OK > 0, s16.MessagesPerSecond >= 10000),
	})
	for _, op := range QueueOps {
		for _, c := range r.Concurrency {
			et, eok := e.Result(op, c)
			mt, mok := m.Result(op, c)
			ok := eok && mok && et.Messages > 0 && mt.MessagesPerSecond > 0
			measured := "–"
			if ok {
				measured = fmt.Sprintf("%s (%.0f vs %.0f messages/s)", ratio(et.MessagesPerSecond, mt.MessagesPerSecond), et.MessagesPerSecond, mt.MessagesPerSecond)
			}
			out = append(out, Target{
				Name:     fmt.Sprintf("%s at concurrency %d ≥ 10× moto", op, c),
				Measured: measured,
				Result:   result(ok, ok && et.MessagesPerSecond >= 10*mt.MessagesPerSecond),
			})
		}
	}
	ok = r.Function && r.RateErr == "" && r.Rate.Delivered > 0
	out = append(out, Target{
		Name:     "queue → function ≥ 5,000 messages/s (batch size 10)",
		Measured: orNotMeasured(ok, fmt.Sprintf("%.0f messages/s", r.Rate.PerSecond), r.RateErr),
		Result:   result(ok, r.Rate.PerSecond >= 5000),
	})
	ok = r.Function && r.LatencyErr == "" && r.Latency.N > 0
	out = append(out, Target{
		Name:     "send → invoke p50 ≤ 20 ms",
		Measured: orNotMeasured(ok, fmt.Sprintf("%s (p99 %s)", ms(r.Latency.P50), ms(r.Latency.P99)), r.LatencyErr),
		Result:   result(ok, r.Latency.P50 <= 20*time.Millisecond),
	})
	return out
}

func messagesRate(r QueueResult, ok bool) string {
	if !ok {
		return "not measured"
	}
	return fmt.Sprintf("%.0f messages/s", r.MessagesPerSecond)
}

func orNotMeasured(ok bool, measured, why string) string {
	switch {
	case ok:
		return measured
	case why != "":
		return "not measured: " + why
	}
	return "not measured"
}

// Render writes the report as Markdown tables.
func (r *QueuesReport) Render(w io.Writer) error {
	p := &printer{w: w}
	p.printf("# eddy bench queues\n\n")
	for _, t := range r.Targets {
		server := t.Name + " at " + t.Endpoint
		if t.Name == "moto" {
			server = "moto_server at " + t.Endpoint
		} else if t.InProcess {
			server = "eddy, in-process server at " + t.Endpoint
		}
		switch {
		case t.Unavailable != "":
			p.printf("%s: not measured: %s\n", server, t.Unavailable)
		case t.Loaded > 0:
			p.printf("%s: a new standard queue for each measurement; before each receive measurement it is filled to %s messages, and 10 more for each client's untimed call, by SendMessageBatch (10 a call) at %s messages/s\n",
				server, thousands(t.Prefill), thousands(int(float64(t.Loaded)/t.Load.Seconds())))
		default:
			p.printf("%s: a new standard queue for each measurement\n", server)
		}
	}
	if e, m := r.Target("eddy"), r.Target("moto"); e != nil && m != nil && e.Unavailable == "" && m.Unavailable == "" && e.Prefill != m.Prefill {
		p.printf("note: the receive measurements start from different queue depths (%s vs %s messages); moto scans its whole queue on every call, so its figures fall as its queue grows\n",
			thousands(e.Prefill), thousands(m.Prefill))
	}
	limit := fmt.Sprintf("%v", r.Duration)
	if r.Ops > 0 {
		limit += fmt.Sprintf(" or %d calls, whichever comes first", r.Ops)
	}
	p.printf("client: aws-sdk-go-v2 SQS (JSON protocol, MD5 checks on), retries off, one keep-alive client per target; each measurement %s, after %d untimed calls per client (%d for receives)\n", limit, throughputWarmup, receiveWarmup)
	p.printf("machine: %d CPUs, %s %s; %.0f%% of the CPUs busy before the load\n\n", r.CPUs, r.GoVersion, r.Platform, 100*r.Background)
	if r.Background > 0.10 {
		p.printf("warning: the machine is not quiet: other processes compete for the CPUs, so these figures are pessimistic\n\n")
	}

	ops := Table{
		Header: []string{"operation", "concurrency", "target", "messages/s", "calls/s", "p50", "p99", "ok", "errors", "lost"},
		Right:  []bool{false, true, false, true, true, true, true, true, true, true},
	}
	add := func(op string, c int, name string, msgs float64, t Throughput) {
		p50, p99 := "–", "–"
		if t.Latency.N > 0 {
			p50, p99 = ms(t.Latency.P50), ms(t.Latency.P99)
		}
		m := "–"
		if msgs >= 0 {
			m = fmt.Sprintf("%.0f", msgs)
		}
		ops.Rows = append(ops.Rows, []string{op, strconv.Itoa(c), name, m, fmt.Sprintf("%.0f", t.PerSecond), p50, p99,
			strconv.Itoa(t.OK), strconv.Itoa(t.Errors), strconv.Itoa(t.Lost)})
	}
	for _, f := range r.Floor {
		add("floor: loopback HTTP echo", f.Concurrency, "–", -1, f)
	}
	var drained []string
	for _, op := range QueueOps {
		for _, c := range r.Concurrency {
			for _, t := range r.Targets {
				if res, ok := t.Result(op, c); ok {
					add(op, c, t.Name, res.MessagesPerSecond, res.Throughput)
					if res.Drained {
						drained = append(drained, fmt.Sprintf("%s at concurrency %d on %s (after %.1f s)", op, c, t.Name, res.Elapsed.Seconds()))
					}
				}
			}
		}
	}
	p.table(ops)
	for _, d := range drained {
		p.printf("note: the queue ran empty during %s: the measurement ended there\n", d)
	}
	if len(drained) > 0 {
		p.printf("\n")
	}

	ratios := Table{
		Header: []string{"ratios", "concurrency", "eddy ÷ moto messages/s", "eddy p50 ÷ moto p50", "eddy p50 ÷ floor p50", "eddy calls/s ÷ floor calls/s"},
		Right:  []bool{false, true, true, true, true, true},
	}
	e, m := r.Target("eddy"), r.Target("moto")
	for _, op := range QueueOps {
		for _, c := range r.Concurrency {
			et, eok := e.Result(op, c)
			mt, mok := m.Result(op, c)
			ft, fok := r.FloorAt(c)
			cell := func(ok bool, a, b float64) string {
				switch {
				case !ok || a == 0:
					return "–"
				case b > 0 && a/b < 0.1:
					// moto's latencies are hundreds of times eddy's.
					return fmt.Sprintf("%.4f×", a/b)
				}
				return ratio(a, b)
			}
			ratios.Rows = append(ratios.Rows, []string{op, strconv.Itoa(c),
				cell(eok && mok, et.MessagesPerSecond, mt.MessagesPerSecond),
				cell(eok && mok && et.Latency.N > 0 && mt.Latency.N > 0, float64(et.Latency.P50), float64(mt.Latency.P50)),
				cell(eok && fok && et.Latency.N > 0, float64(et.Latency.P50), float64(ft.Latency.P50)),
				cell(eok && fok, et.PerSecond, ft.PerSecond),
			})
		}
	}
	p.table(ratios)

	if r.Function {
		st := Table{Header: []string{"SQS → Lambda (eddy)", "messages", "p50", "p99", "messages/s", "result"},
			Right: []bool{false, true, true, true, true, false}}
		l := r.Latency
		row := []string{"send → invoke latency (SendMessage sent → function start)", strconv.Itoa(l.N), "–", "–", "", "measured"}
		if l.N > 0 {
			row[2], row[3] = ms(l.P50), ms(l.P99)
		}
		if l.Errors > 0 {
			row[5] = fmt.Sprintf("measured; %d sends failed or never arrived", l.Errors)
		}
		if r.LatencyErr != "" {
			row[1], row[5] = "–", r.LatencyErr
		}
		st.Rows = append(st.Rows, row)
		s := r.Rate
		row = []string{"mapping throughput, batch size 10 (SendMessageBatch burst → last message delivered)", fmt.Sprintf("%d of %d", s.Delivered, s.Records), "", "",
			fmt.Sprintf("%.0f", s.PerSecond), fmt.Sprintf("measured: %d invocations; messages sent at %.0f/s", s.Invocations, s.WriteRate)}
		if r.RateErr != "" {
			row[1], row[4], row[5] = "–", "–", r.RateErr
		}
		st.Rows = append(st.Rows, row)
		p.table(st)
	}

	tg := Table{Header: []string{"target", "measured", "result"}}
	for _, t := range r.Goals() {
		tg.Rows = append(tg.Rows, []string{t.Name, t.Measured, t.Result})
	}
	p.table(tg)

	for _, t := range r.Targets {
		for _, n := range t.Notes {
			p.printf("note: %s\n", n)
		}
	}
	for _, n := range r.Notes {
		p.printf("note: %s\n", n)
	}
	p.printf("peer: moto_server (SQS) for the operations; none for queue → function: moto cannot run Lambda functions without Docker.\n")
	return p.err
}

// QueueMappingConfig configures the queue → function measurements. Zero
// fields take defaults.
type QueueMappingConfig struct {
	// Endpoint is the base address of the server that serves both the SQS
	// and the Lambda API.
	Endpoint string
	// Zip is the echo function's deployment package (see BuildEchoZip).
	Zip []byte
	// Messages is how many messages the latency measurement sends, one
	// every Interval (defaults 200 and 10 ms).
	Messages int
	Interval time.Duration
	// Burst is how many messages the throughput measurement sends as fast
	// as it can (default 10,000).
	Burst int
	// Wait bounds the wait for the first message to reach the function,
	// and after that for each sign of progress (default 30 s).
	Wait time.Duration
	// BatchSize is the mapping's batch size (default 10).
	BatchSize int32
	// Progress receives a line as each phase starts; nil for silence.
	Progress io.Writer
}

func (c *QueueMappingConfig) defaults() {
	if c.Messages <= 0 {
		c.Messages = 200
	}
	if c.Interval <= 0 {
		c.Interval = 10 * time.Millisecond
	}
	if c.Burst <= 0 {
		c.Burst = 10000
	}
	if c.Wait <= 0 {
		c.Wait = 30 * time.Second
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 10
	}
}

// QueueLatency measures the time from sending a message to the start of
// the function invocation that receives it: a standard queue, the echo
// function (bench/echofn) that records each event it receives and the
// time each invocation starts, and an event source mapping from the
// queue's ARN to the function (BatchSize cfg.BatchSize, no batching
// window). Once a probe message has come through, it sends cfg.Messages
// messages with SendMessage, one every cfg.Interval, each carrying the
// time it was sent in its body. Latency.Errors counts the sends that
// failed or whose message never arrived.
//
// The error wraps ErrNotAvailable when the target lacks an API this needs
// (SQS, Lambda, queue event sources) or when no message reaches the
// function within cfg.Wait. Everything it creates is deleted before it
// returns. The function must run on this machine: it writes what it saw
// to a temporary directory here.
func QueueLatency(ctx context.Context, cfg QueueMappingConfig) (Latency, error) {
	cfg.defaults()
	q, err := newQueueRig(ctx, cfg)
	if err != nil {
		return Latency{}, err
	}
	defer q.close()
	if err := q.prime(ctx); err != nil {
		return Latency{}, err
	}
	q.progress("queues: %d SendMessage calls, one every %v", cfg.Messages, cfg.Interval)
	want := make(map[string]bool, cfg.Messages)
	errs := 0
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	for i := 0; i < cfg.Messages && ctx.Err() == nil; i++ {
		body := mappingBody("latency", i, time.Now())
		if _, err := q.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(body)}); err != nil {
			errs++
		} else {
			want[mappingKey("latency", i)] = true
		}
		<-tick.C
	}
	q.await(ctx, func() bool { return arrivedOf(q.fnRig, want) == len(want) })
	var lat []time.Duration
	for key := range want {
		if a, ok := q.arrived[key]; ok {
			lat = append(lat, a.at.Sub(a.sent))
		}
	}
	l := Summarize(lat)
	l.Errors = errs + len(want) - len(lat)
	return l, ctx.Err()
}

// QueueThroughput measures how fast an event source mapping delivers the
// messages of a queue to a function: with the same queue, function and
// mapping as QueueLatency, it sends cfg.Burst messages with
// SendMessageBatch (10 a call, 16 clients) as fast as the target accepts
// them and waits until every message has reached the function or none
// has for cfg.Wait. Elapsed runs from the first send to the start of the
// invocation that delivered the last message. Its errors are those of
// QueueLatency.
func QueueThroughput(ctx context.Context, cfg QueueMappingConfig) (StreamRate, error) {
	cfg.defaults()
	q, err := newQueueRig(ctx, cfg)
	if err != nil {
		return StreamRate{}, err
	}
	defer q.close()
	if err := q.prime(ctx); err != nil {
		return StreamRate{}, err
	}
	q.progress("queues: %d messages by SendMessageBatch", cfg.Burst)
	r := StreamRate{Records: cfg.Burst}
	start := time.Now()
	if err := sendBatches(ctx, q.sqs, q.url, cfg.Burst, 16, func(i int) string { return mappingBody("burst", i, start) }); err != nil {
		return r, fmt.Errorf("bench: queues: send: %w", err)
	}
	r.WriteRate = float64(cfg.Burst) / time.Since(start).Seconds()
	want := make(map[string]bool, cfg.Burst)
	for i := range cfg.Burst {
		want[mappingKey("burst", i)] = true
	}
	q.await(ctx, func() bool { return arrivedOf(q.fnRig, want) == len(want) })
	var last time.Time
	invocations := map[string]bool{}
	for key := range want {
		a, ok := q.arrived[key]
		if !ok {
			continue
		}
		r.Delivered++
		invocations[a.by] = true
		if a.at.After(last) {
			last = a.at
		}
	}
	r.Invocations = len(invocations)
	if r.Delivered > 0 {
		r.Elapsed = last.Sub(start)
		r.PerSecond = float64(r.Delivered) / r.Elapsed.Seconds()
	}
	return r, ctx.Err()
}

// mappingBody is a message of the queue → function measurements: its kind
// and number, and the time it was sent.
func mappingBody(kind string, n int, sent time.Time) string {
	return fmt.Sprintf(`{"bench":"queue-function","kind":%q,"n":%d,"sent":%d}`, kind, n, sent.UnixNano())
}

func mappingKey(kind string, n int) string { return kind + "/" + strconv.Itoa(n) }

// queueRig is a queue, an echo function and the mapping between them, and
// what the function has seen so far.
type queueRig struct {
	*fnRig
	cfg      QueueMappingConfig
	sqs      *sqs.Client
	name     string // of the queue and the function
	url, arn string // the queue's
	created  bool   // the queue
}

// newQueueRig creates the queue, the function and the mapping, and waits
// for the mapping to be Enabled. On error it deletes what it created.
func newQueueRig(ctx context.Context, cfg QueueMappingConfig) (_ *queueRig, err error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("bench: queues: no endpoint")
	}
	if len(cfg.Zip) == 0 {
		return nil, errors.New("bench: queues: no deployment package")
	}
	name := "eddy-bench-queue-" + randomHex(4)
	fr, err := newFnRig("queues", cfg.Endpoint, name, cfg.Progress, cfg.Wait, queueRecords)
	if err != nil {
		return nil, err
	}
	q := &queueRig{fnRig: fr, cfg: cfg, sqs: newSQS(strings.TrimRight(cfg.Endpoint, "/"), fr.http), name: name}
	defer func() {
		if err != nil {
			q.close()
		}
	}()

	q.progress("create queue %s", q.name)
	out, err := q.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(q.name)})
	if err != nil {
		return nil, unavailable("SQS CreateQueue", err)
	}
	q.created = true
	q.url = aws.ToString(out.QueueUrl)
	attrs, err := q.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(q.url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return nil, fmt.Errorf("bench: queues: GetQueueAttributes: %w", err)
	}
	if q.arn = attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]; q.arn == "" {
		q.arn = "arn:aws:sqs:us-east-1:000000000000:" + q.name
	}
	if err := q.createFunction(ctx, cfg.Zip); err != nil {
		return nil, err
	}
	err = q.createMapping(ctx, &lambda.CreateEventSourceMappingInput{
		EventSourceArn: aws.String(q.arn),
		BatchSize:      aws.Int32(cfg.BatchSize),
	}, queueSourceUnavailable)
	if err != nil {
		return nil, err
	}
	return q, nil
}

// queueSourceUnavailable wraps ErrNotAvailable into an error of
// CreateEventSourceMapping that says the server cannot read queues, as
// eddy says before it provides queue event sources.
func queueSourceUnavailable(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "InvalidParameterValueException" {
		msg := ae.ErrorMessage()
		for _, s := range []string{"does not provide", "not supported", "Unrecognized event source"} {
			if strings.Contains(msg, s) {
				return fmt.Errorf("%w: this server does not support queue event sources: %s", ErrNotAvailable, msg)
			}
		}
	}
	return unavailable("Lambda CreateEventSourceMapping from a queue", err)
}

// close deletes the mapping, the function, the queue and the directory.
func (q *queueRig) close() {
	q.fnRig.close(func(ctx context.Context) {
		if !q.created {
			return
		}
		if _, err := q.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(q.url)}); err != nil {
			q.progress("delete queue %s: %v", q.name, err)
		}
	})
}

// prime sends a probe message every 200 ms until one reaches the
// function, so that the measurements start with the mapping reading.
func (q *queueRig) prime(ctx context.Context) error {
	return q.fnRig.prime(ctx, func(ctx context.Context, i int) error {
		body := mappingBody("probe", i, time.Now())
		if _, err := q.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(body)}); err != nil {
			return fmt.Errorf("bench: queues: SendMessage: %w", err)
		}
		return nil
	}, func(i int) string { return mappingKey("probe", i) })
}

// queueRecords returns the keys and send times of the benchmark's
// messages in an SQS event.
func queueRecords(data []byte) ([]record, bool) {
	var ev events.SQSEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, false
	}
	var out []record
	for _, rec := range ev.Records {
		var body struct {
			Kind string `json:"kind"`
			N    int    `json:"n"`
			Sent int64  `json:"sent"`
		}
		if json.Unmarshal([]byte(rec.Body), &body) != nil || body.Kind == "" {
			continue
		}
		out = append(out, record{key: mappingKey(body.Kind, body.N), sent: time.Unix(0, body.Sent)})
	}
	return out, true
}
