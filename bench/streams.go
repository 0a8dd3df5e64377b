package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// StreamConfig configures the stream measurements. Zero fields take
// defaults.
type StreamConfig struct {
	// Endpoint is the base address of the server that serves both the
	// DynamoDB and the Lambda API.
	Endpoint string
	// Zip is the echo function's deployment package (see BuildEchoZip).
	Zip []byte
	// Records is how many items the latency measurement writes, one every
	// Interval (defaults 200 and 10 ms).
	Records  int
	Interval time.Duration
	// Burst is how many items the throughput measurement writes as fast as
	// it can (default 10,000).
	Burst int
	// Wait bounds the wait for the first record to reach the function, and
	// after that for each sign of progress (default 30 s).
	Wait time.Duration
	// BatchSize is the mapping's batch size (default 100).
	BatchSize int32
	// Progress receives a line as each phase starts; nil for silence.
	Progress io.Writer
}

func (c *StreamConfig) defaults() {
	if c.Records <= 0 {
		c.Records = 200
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
		c.BatchSize = 100
	}
}

// StreamRate is what StreamThroughput measured.
type StreamRate struct {
	Records     int // items written
	Delivered   int // distinct records that reached the function
	Invocations int // invocations that delivered them
	// Elapsed runs from the first write to the start of the invocation
	// that delivered the last record; PerSecond is Delivered / Elapsed.
	Elapsed   time.Duration
	PerSecond float64
	// WriteRate is the items written per second, for comparison: the
	// mapping cannot deliver faster than the table is written.
	WriteRate float64
}

// StreamLatency measures the time from writing an item to the start of the
// function invocation that receives its stream record, as AWS defines the
// pieces: a table with a stream (NEW_AND_OLD_IMAGES), an echo function
// (bench/echofn) that records each event it receives and the time each
// invocation starts, and an event source mapping from the table's
// LatestStreamArn to the function (StartingPosition LATEST, BatchSize
// 100). Once a probe item has come through, it writes cfg.Records items
// with PutItem, one every cfg.Interval, and times each from the moment its
// PutItem was sent. Latency.Errors counts the writes that failed or whose
// record never arrived.
//
// The error wraps ErrNotAvailable when the target lacks an API this needs
// (DynamoDB, DynamoDB Streams, Lambda event source mappings) or when no
// record reaches the function within cfg.Wait. Everything it creates is
// deleted before it returns. The function must run on this machine: it
// writes what it saw to a temporary directory here.
func StreamLatency(ctx context.Context, cfg StreamConfig) (Latency, error) {
	cfg.defaults()
	s, err := newStreamRig(ctx, cfg)
	if err != nil {
		return Latency{}, err
	}
	defer s.close()
	if err := s.prime(ctx); err != nil {
		return Latency{}, err
	}
	s.progress("%d PutItem calls, one every %v", cfg.Records, cfg.Interval)
	sent := make(map[string]time.Time, cfg.Records)
	errs := 0
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	for i := 0; i < cfg.Records && ctx.Err() == nil; i++ {
		key := recordKey("latency", i)
		t0 := time.Now()
		if _, err := s.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item("latency", i, i)}); err != nil {
			errs++
		} else {
			sent[key] = t0
		}
		<-tick.C
	}
	s.await(ctx, func() bool { return arrivedOf(s.fnRig, sent) == len(sent) })
	var lat []time.Duration
	for key, t0 := range sent {
		if a, ok := s.arrived[key]; ok {
			lat = append(lat, a.at.Sub(t0))
		}
	}
	l := Summarize(lat)
	l.Errors = errs + len(sent) - len(lat)
	return l, ctx.Err()
}

// StreamThroughput measures how fast an event source mapping delivers the
// records of a DynamoDB stream to a function: with the same table,
// function and mapping as StreamLatency, it writes cfg.Burst items with
// BatchWriteItem (25 a call, 16 clients) as fast as the target accepts
// them and waits until every record has reached the function or no new
// record has for cfg.Wait. Its errors are those of StreamLatency.
func StreamThroughput(ctx context.Context, cfg StreamConfig) (StreamRate, error) {
	cfg.defaults()
	s, err := newStreamRig(ctx, cfg)
	if err != nil {
		return StreamRate{}, err
	}
	defer s.close()
	if err := s.prime(ctx); err != nil {
		return StreamRate{}, err
	}
	s.progress("%d items by BatchWriteItem", cfg.Burst)
	r := StreamRate{Records: cfg.Burst}
	burst := func(i int) map[string]ddbtypes.AttributeValue {
		return item("burst-"+partitionKey(i/PartitionSize), i%PartitionSize, i)
	}
	start := time.Now()
	if err := batchLoad(ctx, s.ddb, s.table, cfg.Burst, 16, burst); err != nil {
		return r, fmt.Errorf("bench: streams: write: %w", err)
	}
	r.WriteRate = float64(cfg.Burst) / time.Since(start).Seconds()
	want := make(map[string]time.Time, cfg.Burst)
	for i := range cfg.Burst {
		want[recordKey("burst-"+partitionKey(i/PartitionSize), i%PartitionSize)] = start
	}
	s.await(ctx, func() bool { return arrivedOf(s.fnRig, want) == len(want) })
	var last time.Time
	invocations := map[string]bool{}
	for key := range want {
		a, ok := s.arrived[key]
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

// streamRig is a table with a stream, an echo function and the mapping
// between them, and what the function has seen so far.
type streamRig struct {
	*fnRig
	cfg     StreamConfig
	ddb     *dynamodb.Client
	table   string
	stream  string // LatestStreamArn
	created bool   // the table
}

// newStreamRig creates the table, the function and the mapping, and waits
// for the mapping to be Enabled. On error it deletes what it created.
func newStreamRig(ctx context.Context, cfg StreamConfig) (_ *streamRig, err error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("bench: streams: no endpoint")
	}
	if len(cfg.Zip) == 0 {
		return nil, errors.New("bench: streams: no deployment package")
	}
	name := "eddy-bench-stream-" + randomHex(4)
	fr, err := newFnRig("streams", cfg.Endpoint, name, cfg.Progress, cfg.Wait, streamRecords)
	if err != nil {
		return nil, err
	}
	s := &streamRig{fnRig: fr, cfg: cfg, ddb: newDynamoDB(strings.TrimRight(cfg.Endpoint, "/"), fr.http), table: name}
	defer func() {
		if err != nil {
			s.close()
		}
	}()

	s.progress("create table %s with a stream", s.table)
	out, err := s.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(s.table),
		AttributeDefinitions: keyAttributes(),
		KeySchema:            keySchema(),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		StreamSpecification: &ddbtypes.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: ddbtypes.StreamViewTypeNewAndOldImages,
		},
	})
	if err != nil {
		return nil, unavailable("DynamoDB CreateTable with a stream", err)
	}
	s.created = true
	if out.TableDescription != nil {
		s.stream = aws.ToString(out.TableDescription.LatestStreamArn)
	}
	if err := waitTableActive(ctx, s.ddb, s.table); err != nil {
		return nil, err
	}
	if s.stream == "" {
		d, err := s.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.table)})
		if err != nil {
			return nil, fmt.Errorf("bench: streams: describe table: %w", err)
		}
		s.stream = aws.ToString(d.Table.LatestStreamArn)
	}
	if s.stream == "" {
		return nil, fmt.Errorf("%w: DynamoDB Streams: the table has no LatestStreamArn", ErrNotAvailable)
	}
	if err := s.createFunction(ctx, cfg.Zip); err != nil {
		return nil, err
	}
	err = s.createMapping(ctx, &lambda.CreateEventSourceMappingInput{
		EventSourceArn:   aws.String(s.stream),
		StartingPosition: types.EventSourcePositionLatest,
		BatchSize:        aws.Int32(cfg.BatchSize),
	}, func(err error) error { return unavailable("Lambda CreateEventSourceMapping", err) })
	if err != nil {
		return nil, err
	}
	return s, nil
}

// close deletes the mapping, the function, the table and the directory.
func (s *streamRig) close() {
	s.fnRig.close(func(ctx context.Context) {
		if !s.created {
			return
		}
		if _, err := s.ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(s.table)}); err != nil {
			s.progress("delete table %s: %v", s.table, err)
		}
	})
}

// prime writes a probe item every 200 ms until one reaches the function:
// with StartingPosition LATEST, records written before the mapping starts
// reading are not delivered.
func (s *streamRig) prime(ctx context.Context) error {
	return s.fnRig.prime(ctx, func(ctx context.Context, i int) error {
		if _, err := s.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item("probe", i, i)}); err != nil {
			return fmt.Errorf("bench: streams: PutItem: %w", err)
		}
		return nil
	}, func(i int) string { return recordKey("probe", i) })
}

// recordKey names an item of the stream table by its key.
func recordKey(pk string, sk int) string { return pk + "/" + strconv.Itoa(sk) }

// streamRecords returns the keys of the items of a DynamoDB event.
func streamRecords(data []byte) ([]record, bool) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, false
	}
	var out []record
	for _, rec := range ev.Records {
		pk, sk := rec.Change.Keys["pk"], rec.Change.Keys["sk"]
		if pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeNumber {
			continue
		}
		n, err := strconv.Atoi(sk.Number())
		if err != nil {
			continue
		}
		out = append(out, record{key: recordKey(pk.String(), n)})
	}
	return out, true
}

// readCompleteStamps reads the "REQUEST-ID UNIX-NANOSECONDS" lines of the
// file at path, ignoring a last line not yet ended by a newline.
func readCompleteStamps(path string) map[string]time.Time {
	out := map[string]time.Time{}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i]
	} else {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		id, ns, ok := strings.Cut(line, " ")
		n, err := strconv.ParseInt(ns, 10, 64)
		if ok && err == nil {
			out[id] = time.Unix(0, n)
		}
	}
	return out
}
