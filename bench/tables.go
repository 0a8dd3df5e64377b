package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goruntime "runtime"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// The operations of the tables benchmark, in the order they run.
const (
	OpPutItem    = "PutItem"
	OpGetItem    = "GetItem"
	OpUpdateItem = "UpdateItem"
	OpQuery      = "Query"
)

// TableOps lists the operations of the tables benchmark.
var TableOps = []string{OpPutItem, OpGetItem, OpUpdateItem, OpQuery}

// PartitionSize is the number of items of each partition of the benchmark
// table, and so of each Query's answer.
const PartitionSize = 100

// ErrNotAvailable is wrapped by the errors of measurements that the target
// cannot make because it lacks an API or a feature they need.
var ErrNotAvailable = errors.New("not available")

// TablesConfig configures the tables benchmark. Zero fields take defaults.
type TablesConfig struct {
	// Endpoint is eddy's base address, e.g. http://127.0.0.1:4566; empty
	// to measure moto alone.
	Endpoint string
	// InProcess says the eddy at Endpoint runs inside this process.
	InProcess bool
	// Moto also measures moto_server, started on a free loopback port for
	// the run and stopped after it, when it is on PATH.
	Moto bool
	// Items is the size of eddy's table (default 200,000), MotoItems the
	// size of moto's (default 20,000: moto reads its whole table for every
	// Query, and loads about 5,000 items/s). Both are rounded down to whole
	// partitions of PartitionSize items.
	Items, MotoItems int
	// Duration is how long each operation runs at each concurrency
	// (default 5 s).
	Duration time.Duration
	// Ops, when positive, also stops each measurement after that many
	// operations.
	Ops int
	// Concurrency lists the concurrency levels (default 1, 16).
	Concurrency []int
	// LoadConcurrency is how many clients call BatchWriteItem while the
	// table is loaded (default 16).
	LoadConcurrency int
	// Streams also measures, against eddy only, the latency from a write to
	// the function its stream record reaches, and the throughput of an
	// event source mapping (see StreamLatency and StreamThroughput). Stream
	// holds their settings; its Endpoint, Zip and Progress are filled in.
	Streams bool
	Zip     []byte
	Stream  StreamConfig
	// Progress receives a line as each phase starts; nil for silence.
	Progress io.Writer
}

func (c *TablesConfig) defaults() {
	if c.Items <= 0 {
		c.Items = 200000
	}
	if c.MotoItems <= 0 {
		c.MotoItems = 20000
	}
	c.Items = max(PartitionSize, c.Items/PartitionSize*PartitionSize)
	c.MotoItems = max(PartitionSize, c.MotoItems/PartitionSize*PartitionSize)
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
	}
	if len(c.Concurrency) == 0 {
		c.Concurrency = []int{1, 16}
	}
	if c.LoadConcurrency <= 0 {
		c.LoadConcurrency = 16
	}
}

// TablesReport holds the figures of one `eddy bench tables` run.
type TablesReport struct {
	CPUs       int
	GoVersion  string
	Platform   string
	Background float64 // share of the CPUs busy just before the load

	Duration    time.Duration
	Ops         int
	Concurrency []int
	// Floor is a plain loopback HTTP echo of a DynamoDB-sized body with the
	// same client settings, at each concurrency.
	Floor []Throughput
	// Targets are the servers measured: eddy, then moto.
	Targets []*TableTarget

	// Streams says the stream measurements ran; their figures follow, or
	// the reason they could not be made.
	Streams          bool
	StreamLatency    Latency
	StreamLatencyErr string
	StreamRate       StreamRate
	StreamRateErr    string

	Notes []string
}

// TableTarget is what the tables benchmark measured on one server.
type TableTarget struct {
	Name      string // "eddy" or "moto"
	Endpoint  string
	InProcess bool
	// Unavailable says why the target was not measured ("" if it was).
	Unavailable string
	Items       int           // items loaded into the table
	Load        time.Duration // time to load them
	Results     []TableResult
	// Notes are remarks worth printing: the first error of each
	// measurement, a table that could not be deleted.
	Notes []string
}

// TableResult is one operation at one concurrency.
type TableResult struct {
	Op string
	Throughput
}

// Result returns the figures of op at concurrency c.
func (t *TableTarget) Result(op string, c int) (Throughput, bool) {
	if t == nil {
		return Throughput{}, false
	}
	for _, r := range t.Results {
		if r.Op == op && r.Concurrency == c {
			return r.Throughput, true
		}
	}
	return Throughput{}, false
}

// Target returns the target named name, or nil.
func (r *TablesReport) Target(name string) *TableTarget {
	for _, t := range r.Targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// FloorAt returns the floor at concurrency c.
func (r *TablesReport) FloorAt(c int) (Throughput, bool) {
	for _, t := range r.Floor {
		if t.Concurrency == c {
			return t, true
		}
	}
	return Throughput{}, false
}

// RunTables runs the same aws-sdk-go-v2 DynamoDB client code against eddy
// (cfg.Endpoint) and, in the same run, against moto_server: PutItem,
// GetItem, UpdateItem (ADD on a counter) and Query of a 100-item partition,
// each at every concurrency level, next to the floor of a loopback HTTP
// echo. A target that does not serve DynamoDB is reported as not
// available rather than failing the run.
func RunTables(ctx context.Context, cfg TablesConfig) (*TablesReport, error) {
	cfg.defaults()
	if cfg.Endpoint == "" && !cfg.Moto {
		return nil, errors.New("bench: tables: neither an eddy endpoint nor moto to measure")
	}
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...)
		}
	}
	r := &TablesReport{
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
		t, err := floorThroughput(ctx, cfg, c)
		if err != nil {
			return nil, err
		}
		r.Floor = append(r.Floor, t)
	}

	if cfg.Endpoint != "" {
		t, err := measureTables(ctx, cfg, "eddy", cfg.Endpoint, cfg.Items, progress)
		if err != nil {
			return nil, err
		}
		t.InProcess = cfg.InProcess
		r.Targets = append(r.Targets, t)
		if cfg.Streams {
			r.Streams = true
			sc := cfg.Stream
			sc.Endpoint, sc.Zip, sc.Progress = cfg.Endpoint, cfg.Zip, cfg.Progress
			progress("streams: write → invoke latency")
			lat, err := StreamLatency(ctx, sc)
			if err != nil {
				r.StreamLatencyErr = err.Error()
			}
			r.StreamLatency = lat
			progress("streams: event source mapping throughput")
			rate, err := StreamThroughput(ctx, sc)
			if err != nil {
				r.StreamRateErr = err.Error()
			}
			r.StreamRate = rate
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
		t, err := measureTables(ctx, cfg, "moto", m.URL, cfg.MotoItems, progress)
		if err != nil {
			return nil, err
		}
		r.Targets = append(r.Targets, t)
	}
	return r, nil
}

// measureTables creates and loads a table on one server, runs every
// operation at every concurrency, and deletes the table.
func measureTables(ctx context.Context, cfg TablesConfig, name, endpoint string, items int, progress func(string, ...any)) (*TableTarget, error) {
	t := &TableTarget{Name: name, Endpoint: strings.TrimRight(endpoint, "/")}
	b := newTableBench(t.Endpoint, items)
	defer b.http.CloseIdleConnections()
	progress("%s: create table %s", name, b.table)
	if err := b.create(ctx); err != nil {
		if errors.Is(err, ErrNotAvailable) {
			t.Unavailable = err.Error()
			return t, nil
		}
		return nil, err
	}
	defer func() {
		if err := b.drop(); err != nil {
			t.Notes = append(t.Notes, err.Error())
		}
	}()
	progress("%s: load %d items (BatchWriteItem, 25 a call, %d callers)", name, items, cfg.LoadConcurrency)
	start := time.Now()
	if err := batchLoad(ctx, b.ddb, b.table, items, cfg.LoadConcurrency, tableItem); err != nil {
		return nil, fmt.Errorf("bench: %s: load: %w", name, err)
	}
	t.Items, t.Load = items, time.Since(start)
	counters := make([]int64, maxInt(cfg.Concurrency))
	for i := range counters {
		counters[i] = -1 // unknown until the first answer
	}
	for _, op := range TableOps {
		for _, c := range cfg.Concurrency {
			progress("%s: %s at concurrency %d", name, op, c)
			th, first := runLoad(ctx, c, cfg.Duration, cfg.Ops, b.op(op, c, counters))
			if first != nil {
				t.Notes = append(t.Notes, fmt.Sprintf("%s %s at concurrency %d: first error: %v", name, op, c, first))
			}
			t.Results = append(t.Results, TableResult{Op: op, Throughput: th})
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

func maxInt(s []int) int {
	m := 0
	for _, v := range s {
		m = max(m, v)
	}
	return m
}

// newDynamoDB returns a DynamoDB client of endpoint with retries off, so
// that failures are counted rather than hidden.
func newDynamoDB(endpoint string, hc *http.Client) *dynamodb.Client {
	return dynamodb.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   hc,
	}, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
}

type tableBench struct {
	endpoint string
	table    string
	items    int
	http     *http.Client
	ddb      *dynamodb.Client
}

func newTableBench(endpoint string, items int) *tableBench {
	hc := newHTTPClient()
	return &tableBench{
		endpoint: endpoint,
		table:    "eddy-bench-" + randomHex(4),
		items:    items,
		http:     hc,
		ddb:      newDynamoDB(endpoint, hc),
	}
}

// create creates the table (pk S, sk N, on demand) and waits until it is
// ACTIVE.
func (b *tableBench) create(ctx context.Context) error {
	_, err := b.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(b.table),
		AttributeDefinitions: keyAttributes(),
		KeySchema:            keySchema(),
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		return unavailable("DynamoDB CreateTable", err)
	}
	return waitTableActive(ctx, b.ddb, b.table)
}

func keyAttributes() []types.AttributeDefinition {
	return []types.AttributeDefinition{
		{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
		{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
	}
}

func keySchema() []types.KeySchemaElement {
	return []types.KeySchemaElement{
		{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
		{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
	}
}

// waitTableActive polls DescribeTable until the table is ACTIVE (30 s at
// most).
func waitTableActive(ctx context.Context, ddb *dynamodb.Client, table string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			return fmt.Errorf("bench: describe table %s: %w", table, err)
		}
		if out.Table != nil && out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: table %s not ACTIVE after 30 s", table)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (b *tableBench) drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := b.ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(b.table)}); err != nil {
		return fmt.Errorf("delete table %s: %w", b.table, err)
	}
	return nil
}

// unavailable wraps ErrNotAvailable into err if it says the server does not
// provide the service or operation called.
func unavailable(what string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "UnknownServiceException", "UnknownOperationException", "InvalidAction",
			"NotImplemented", "NotImplementedException":
			return fmt.Errorf("%w: %s: %s: %s", ErrNotAvailable, what, ae.ErrorCode(), ae.ErrorMessage())
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			return fmt.Errorf("%w: %s: %v", ErrNotAvailable, what, err)
		}
	}
	return fmt.Errorf("bench: %s: %w", what, err)
}

// partitionKey names partition p of the table.
func partitionKey(p int) string { return fmt.Sprintf("p%07d", p) }

// benchPad makes each item about 100 bytes.
const benchPad = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// tableItem is item i of the loaded table: partition i/100, sort key i%100.
func tableItem(i int) map[string]types.AttributeValue {
	return item(partitionKey(i/PartitionSize), i%PartitionSize, i)
}

func item(pk string, sk, n int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberN{Value: strconv.Itoa(sk)},
		"v":  &types.AttributeValueMemberS{Value: benchPad},
		"n":  &types.AttributeValueMemberN{Value: strconv.Itoa(n)},
	}
}

// batchLoad writes items 0..n-1 (item(i)) with BatchWriteItem, 25 a call,
// from conc clients, and resubmits unprocessed items.
func batchLoad(ctx context.Context, ddb *dynamodb.Client, table string, n, conc int, item func(i int) map[string]types.AttributeValue) error {
	const perCall = 25
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
				var reqs []types.WriteRequest
				for i := call * perCall; i < min(n, (call+1)*perCall); i++ {
					reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item(i)}})
				}
				if err := batchWrite(ctx, ddb, table, reqs); err != nil {
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

// batchWrite calls BatchWriteItem until every request is processed, with
// a growing pause between tries (10 tries at most).
func batchWrite(ctx context.Context, ddb *dynamodb.Client, table string, reqs []types.WriteRequest) error {
	pause := 10 * time.Millisecond
	for try := 0; ; try++ {
		out, err := ddb.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		if err != nil {
			return err
		}
		reqs = out.UnprocessedItems[table]
		if len(reqs) == 0 {
			return nil
		}
		if try == 9 {
			return fmt.Errorf("batch write: %d items still unprocessed after 10 tries", len(reqs))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause *= 2
	}
}

// opFunc does operation seq of worker w. lost is true when an answer came
// back but was not the right one.
type opFunc func(ctx context.Context, w, seq int) (lost bool, err error)

// op returns the operation's function for concurrency c. counters[w] is
// the last value worker w saw of its counter, -1 when unknown.
func (b *tableBench) op(name string, c int, counters []int64) opFunc {
	parts := b.items / PartitionSize
	rngs := make([]*rand.Rand, c)
	for w := range rngs {
		rngs[w] = rand.New(rand.NewPCG(uint64(w), uint64(c)))
	}
	table := aws.String(b.table)
	switch name {
	case OpPutItem:
		return func(ctx context.Context, w, seq int) (bool, error) {
			_, err := b.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item(fmt.Sprintf("put-c%d-w%d", c, w), seq, seq)})
			return false, err
		}
	case OpGetItem:
		return func(ctx context.Context, w, _ int) (bool, error) {
			i := rngs[w].IntN(b.items)
			pk := partitionKey(i / PartitionSize)
			out, err := b.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: pk},
				"sk": &types.AttributeValueMemberN{Value: strconv.Itoa(i % PartitionSize)},
			}})
			if err != nil {
				return false, err
			}
			got, _ := out.Item["n"].(*types.AttributeValueMemberN)
			if got == nil || got.Value != strconv.Itoa(i) {
				return true, fmt.Errorf("get %s/%d: got n=%v (of %d attributes), want n=%d", pk, i%PartitionSize, got, len(out.Item), i)
			}
			return false, nil
		}
	case OpUpdateItem:
		// Each worker adds to its own counter, so that it knows the value
		// each answer must carry.
		return func(ctx context.Context, w, _ int) (bool, error) {
			out, err := b.ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: table,
				Key: map[string]types.AttributeValue{
					"pk": &types.AttributeValueMemberS{Value: "counter"},
					"sk": &types.AttributeValueMemberN{Value: strconv.Itoa(w)},
				},
				UpdateExpression:          aws.String("ADD #c :one"),
				ExpressionAttributeNames:  map[string]string{"#c": "count"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
				ReturnValues:              types.ReturnValueUpdatedNew,
			})
			if err != nil {
				counters[w] = -1 // the add may or may not have happened
				return false, err
			}
			got, _ := out.Attributes["count"].(*types.AttributeValueMemberN)
			v := int64(-2) // no number in the answer
			if got != nil {
				if n, err := strconv.ParseInt(got.Value, 10, 64); err == nil {
					v = n
				}
			}
			prev := counters[w]
			counters[w] = v
			if v < 1 || (prev >= 0 && v != prev+1) {
				return true, fmt.Errorf("update of counter %d: got count %d, want %d", w, v, prev+1)
			}
			return false, nil
		}
	case OpQuery:
		return func(ctx context.Context, w, _ int) (bool, error) {
			pk := partitionKey(rngs[w].IntN(parts))
			out, err := b.ddb.Query(ctx, &dynamodb.QueryInput{
				TableName:                 table,
				KeyConditionExpression:    aws.String("pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: pk}},
			})
			if err != nil {
				return false, err
			}
			if out.Count != PartitionSize || len(out.Items) != PartitionSize || out.LastEvaluatedKey != nil {
				return true, fmt.Errorf("query of %s: got %d items (Count %d, more: %v), want %d", pk, len(out.Items), out.Count, out.LastEvaluatedKey != nil, PartitionSize)
			}
			return false, nil
		}
	}
	return func(context.Context, int, int) (bool, error) {
		return false, fmt.Errorf("bench: unknown table operation %q", name)
	}
}

// runLoad runs op from c workers, each one operation at a time, after
// throughputWarmup untimed operations each, until d has passed or, if
// limit is positive, limit operations have been timed. first is the first
// error seen.
func runLoad(ctx context.Context, c int, d time.Duration, limit int, op opFunc) (t Throughput, first error) {
	type tally struct {
		times            []time.Duration
		ok, errors, lost int
		first            error
		seq              int
	}
	tallies := make([]tally, c)
	var wg sync.WaitGroup
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tl := &tallies[w]
			for ; tl.seq < throughputWarmup; tl.seq++ {
				_, _ = op(ctx, w, tl.seq)
			}
		}()
	}
	wg.Wait()
	var issued atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tl := &tallies[w]
			for ; ctx.Err() == nil && time.Now().Before(deadline); tl.seq++ {
				if limit > 0 && issued.Add(1) > int64(limit) {
					return
				}
				t0 := time.Now()
				lost, err := op(ctx, w, tl.seq)
				el := time.Since(t0)
				switch {
				case lost:
					tl.lost++
				case err != nil:
					tl.errors++
				default:
					tl.ok++
					tl.times = append(tl.times, el)
				}
				if err != nil && tl.first == nil {
					tl.first = err
				}
			}
		}()
	}
	wg.Wait()
	t = Throughput{Concurrency: c, Elapsed: time.Since(start)}
	var all []time.Duration
	for _, tl := range tallies {
		t.OK += tl.ok
		t.Errors += tl.errors
		t.Lost += tl.lost
		all = append(all, tl.times...)
		if first == nil {
			first = tl.first
		}
	}
	t.PerSecond = float64(t.OK) / t.Elapsed.Seconds()
	t.Latency = Summarize(all)
	t.Latency.Errors = t.Errors + t.Lost
	return t, first
}

// floorBody is about the size of a GetItem request of the benchmark.
const floorBody = `{"TableName":"eddy-bench-00000000","Key":{"pk":{"S":"p0000000"},"sk":{"N":"0"}},"pad":"` + benchPad + `"}`

// floorThroughput runs a loopback HTTP echo server and POSTs floorBody to
// it from c workers with the client the targets get: the least a request
// to any server on this machine could cost.
func floorThroughput(ctx context.Context, cfg TablesConfig, c int) (Throughput, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Throughput{}, fmt.Errorf("bench: floor: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = srv.Serve(ln)
	}()
	defer func() {
		_ = srv.Close()
		wg.Wait()
	}()
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	u := "http://" + ln.Addr().String() + "/"
	t, first := runLoad(ctx, c, cfg.Duration, cfg.Ops, func(ctx context.Context, _, _ int) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(floorBody))
		if err != nil {
			return false, err
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		res, err := client.Do(req)
		if err != nil {
			return false, err
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		if err != nil {
			return false, err
		}
		if res.StatusCode != http.StatusOK || !bytes.Equal(out, []byte(floorBody)) {
			return true, fmt.Errorf("floor: status %d, body %q", res.StatusCode, out)
		}
		return false, nil
	})
	if t.OK == 0 && first != nil {
		return t, fmt.Errorf("bench: floor: %w", first)
	}
	return t, ctx.Err()
}

// Render writes the report as Markdown tables.
func (r *TablesReport) Render(w io.Writer) error {
	p := &printer{w: w}
	p.printf("# eddy bench tables\n\n")
	for _, t := range r.Targets {
		switch {
		case t.Unavailable != "":
			p.printf("%s at %s: not measured: %s\n", t.Name, t.Endpoint, t.Unavailable)
		default:
			server := t.Name + " at " + t.Endpoint
			if t.Name == "moto" {
				server = "moto_server at " + t.Endpoint
			} else if t.InProcess {
				server = "eddy, in-process server at " + t.Endpoint
			}
			p.printf("%s: table of %s items (%s partitions of %d), loaded by BatchWriteItem (25 a call) in %.1f s (%s items/s)\n",
				server, thousands(t.Items), thousands(t.Items/PartitionSize), PartitionSize, t.Load.Seconds(), thousands(int(float64(t.Items)/t.Load.Seconds())))
		}
	}
	if e, m := r.Target("eddy"), r.Target("moto"); e != nil && m != nil && e.Items > 0 && m.Items > 0 && e.Items != m.Items {
		p.printf("note: the tables differ in size (%s vs %s items); moto reads its whole table for every Query, so its Query figures fall as its table grows\n",
			thousands(e.Items), thousands(m.Items))
	}
	limit := fmt.Sprintf("%v", r.Duration)
	if r.Ops > 0 {
		limit += fmt.Sprintf(" or %d operations, whichever comes first", r.Ops)
	}
	p.printf("client: aws-sdk-go-v2 DynamoDB, retries off, one keep-alive client per target; each measurement %s, after %d untimed operations per client\n", limit, throughputWarmup)
	p.printf("machine: %d CPUs, %s %s; %.0f%% of the CPUs busy before the load\n\n", r.CPUs, r.GoVersion, r.Platform, 100*r.Background)
	if r.Background > 0.10 {
		p.printf("warning: the machine is not quiet: other processes compete for the CPUs, so these figures are pessimistic\n\n")
	}

	ops := Table{
		Header: []string{"operation", "concurrency", "target", "ops/s", "p50", "p99", "ok", "errors", "lost"},
		Right:  []bool{false, true, false, true, true, true, true, true, true},
	}
	add := func(op string, c int, name string, t Throughput) {
		p50, p99 := "–", "–"
		if t.Latency.N > 0 {
			p50, p99 = ms(t.Latency.P50), ms(t.Latency.P99)
		}
		ops.Rows = append(ops.Rows, []string{op, strconv.Itoa(c), name, fmt.Sprintf("%.0f", t.PerSecond), p50, p99,
			strconv.Itoa(t.OK), strconv.Itoa(t.Errors), strconv.Itoa(t.Lost)})
	}
	for _, f := range r.Floor {
		add("floor: loopback HTTP echo", f.Concurrency, "–", f)
	}
	for _, op := range TableOps {
		for _, c := range r.Concurrency {
			for _, t := range r.Targets {
				if res, ok := t.Result(op, c); ok {
					add(op, c, t.Name, res)
				}
			}
		}
	}
	p.table(ops)

	ratios := Table{
		Header: []string{"ratios", "concurrency", "eddy ÷ moto ops/s", "eddy p50 ÷ moto p50", "eddy p50 ÷ floor p50", "eddy ops/s ÷ floor ops/s"},
		Right:  []bool{false, true, true, true, true, true},
	}
	e, m := r.Target("eddy"), r.Target("moto")
	for _, op := range TableOps {
		for _, c := range r.Concurrency {
			et, eok := e.Result(op, c)
			mt, mok := m.Result(op, c)
			ft, fok := r.FloorAt(c)
			cell := func(ok bool, a, b float64) string {
				if !ok || a == 0 {
					return "–"
				}
				return ratio(a, b)
			}
			ratios.Rows = append(ratios.Rows, []string{op, strconv.Itoa(c),
				cell(eok && mok, et.PerSecond, mt.PerSecond),
				cell(eok && mok && et.Latency.N > 0 && mt.Latency.N > 0, float64(et.Latency.P50), float64(mt.Latency.P50)),
				cell(eok && fok && et.Latency.N > 0, float64(et.Latency.P50), float64(ft.Latency.P50)),
				cell(eok && fok, et.PerSecond, ft.PerSecond),
			})
		}
	}
	p.table(ratios)

	if r.Streams {
		st := Table{Header: []string{"DynamoDB stream → Lambda (eddy)", "records", "p50", "p99", "records/s", "result"},
			Right: []bool{false, true, true, true, true, false}}
		l := r.StreamLatency
		row := []string{"write → invoke latency (PutItem sent → function start)", strconv.Itoa(l.N), "–", "–", "", "measured"}
		if l.N > 0 {
			row[2], row[3] = ms(l.P50), ms(l.P99)
		}
		if l.Errors > 0 {
			row[5] = fmt.Sprintf("measured; %d writes failed or never arrived", l.Errors)
		}
		if r.StreamLatencyErr != "" {
			row[1], row[5] = "–", r.StreamLatencyErr
		}
		st.Rows = append(st.Rows, row)
		s := r.StreamRate
		row = []string{"mapping throughput (BatchWriteItem burst → last record delivered)", fmt.Sprintf("%d of %d", s.Delivered, s.Records), "", "",
			fmt.Sprintf("%.0f", s.PerSecond), fmt.Sprintf("measured: %d invocations; items written at %.0f/s", s.Invocations, s.WriteRate)}
		if r.StreamRateErr != "" {
			row[1], row[4], row[5] = "–", "–", r.StreamRateErr
		}
		st.Rows = append(st.Rows, row)
		p.table(st)
	}
	for _, t := range r.Targets {
		for _, n := range t.Notes {
			p.printf("note: %s\n", n)
		}
	}
	for _, n := range r.Notes {
		p.printf("note: %s\n", n)
	}
	p.printf("peer: moto_server (DynamoDB) for the operations; none for streams: moto cannot run Lambda functions without Docker.\n")
	return p.err
}

// thousands formats n with commas: 200000 → 200,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
