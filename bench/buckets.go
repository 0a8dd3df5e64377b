package bench

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goruntime "runtime"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The measurements of the buckets benchmark at each concurrency, in the
// order they run.
const (
	OpPutObject   = "PutObject 4 KiB"
	OpGetObject   = "GetObject 4 KiB"
	OpListObjects = "ListObjectsV2 by prefix"
)

// BucketOps lists the measurements of the buckets benchmark made at each
// concurrency.
var BucketOps = []string{OpPutObject, OpGetObject, OpListObjects}

// The transfers of one large object, in the order they run.
const (
	OpPutLarge = "PutObject, one large object"
	OpGetLarge = "GetObject, one large object"
)

// LargeOps lists the transfers of one large object.
var LargeOps = []string{OpPutLarge, OpGetLarge}

// ListPrefixSize is how many keys each prefix of the listing bucket
// holds: a ListObjectsV2 of the benchmark returns that many.
const ListPrefixSize = 100

// BucketsConfig configures the buckets benchmark. Zero fields take
// defaults.
type BucketsConfig struct {
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
	// ObjectSize is the size of the objects put and got (default 4 KiB);
	// GetObjects is how many of them the GetObject measurement reads, in
	// turn (default 1,000).
	ObjectSize, GetObjects int
	// Large is the size of the large object on eddy (default 64 MiB),
	// MotoLarge on moto (default Large: moto takes about 1.5 s to take in
	// 64 MiB, slow but bearable). LargeRounds is how many times each is
	// put, then got (default 3).
	Large, MotoLarge int64
	LargeRounds      int
	// Objects is how many objects eddy's listing bucket holds (default
	// 100,000), MotoObjects moto's (default 5,000: moto scans the whole
	// bucket for every listing, and fills slowly). Both are rounded up to
	// whole prefixes of ListPrefixSize keys.
	Objects, MotoObjects int
	// LoadConcurrency is how many clients put objects while a bucket is
	// filled (default 16).
	LoadConcurrency int
	// Function also measures, against eddy only, the latency from
	// PutObject to the function a bucket notification invokes (see
	// BucketLatency). Notify holds its settings; its Endpoint, Zip and
	// Progress are filled in.
	Function bool
	Zip      []byte
	Notify   BucketNotifyConfig
	// Progress receives a line as each phase starts; nil for silence.
	Progress io.Writer
}

func (c *BucketsConfig) defaults() {
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
	}
	if len(c.Concurrency) == 0 {
		c.Concurrency = []int{1, 16}
	}
	if c.ObjectSize <= 0 {
		c.ObjectSize = 4 << 10
	}
	if c.GetObjects <= 0 {
		c.GetObjects = 1000
	}
	if c.Large <= 0 {
		c.Large = 64 << 20
	}
	if c.MotoLarge <= 0 {
		c.MotoLarge = c.Large
	}
	if c.LargeRounds <= 0 {
		c.LargeRounds = 3
	}
	if c.Objects <= 0 {
		c.Objects = 100000
	}
	if c.MotoObjects <= 0 {
		c.MotoObjects = 5000
	}
	if c.LoadConcurrency <= 0 {
		c.LoadConcurrency = 16
	}
}

// BucketsReport holds the figures of one `eddy bench buckets` run.
type BucketsReport struct {
	CPUs       int
	GoVersion  string
	Platform   string
	Background float64 // share of the CPUs busy just before the load

	Duration    time.Duration
	Ops         int
	Concurrency []int
	// Floor is a plain loopback HTTP echo of a small body with the same
	// client settings, at each concurrency; LargeFloor a plain loopback
	// HTTP PUT and GET of a body of the size of eddy's large object (or
	// moto's, when eddy is not measured).
	Floor      []Throughput
	LargeFloor []LargeResult
	// Targets are the servers measured: eddy, then moto.
	Targets []*BucketTarget

	// Function says the PUT → invoke latency was measured against eddy;
	// its figures follow, or the reason it could not be.
	Function   bool
	Latency    Latency
	LatencyErr string

	Notes []string
}

// BucketTarget is what the buckets benchmark measured on one server.
type BucketTarget struct {
	Name      string // "eddy" or "moto"
	Endpoint  string
	InProcess bool
	// Unavailable says why the target was not measured ("" if it was).
	Unavailable string
	ObjectSize  int
	// Gets is how many objects were put for the GetObject measurement to
	// read.
	Gets  int
	Large int64 // the size of its large object
	// Objects is how many objects its listing bucket held, put by
	// LoadConcurrency concurrent PutObject callers in Fill.
	Objects         int
	LoadConcurrency int
	Fill            time.Duration
	Results         []BucketResult
	Transfers       []LargeResult
	// Notes are remarks worth printing: the first error of each
	// measurement, a bucket that could not be deleted.
	Notes []string
}

// BucketResult is one measurement at one concurrency: Throughput counts
// calls, one object each (a listing counts as one call).
type BucketResult struct {
	Op string
	Throughput
}

// LargeResult is the transfer of one large object, Rounds times one after
// the other. Elapsed is the time of the successful rounds.
type LargeResult struct {
	Op      string
	Size    int64
	Rounds  int // successful
	Errors  int
	Elapsed time.Duration
	// MBPerSecond is Rounds × Size ÷ Elapsed, in 10⁶ bytes a second.
	MBPerSecond float64
	Latency     Latency // of each round
}

// Result returns the figures of op at concurrency c.
func (t *BucketTarget) Result(op string, c int) (BucketResult, bool) {
	if t == nil {
		return BucketResult{}, false
	}
	for _, r := range t.Results {
		if r.Op == op && r.Concurrency == c {
			return r, true
		}
	}
	return BucketResult{}, false
}

// Transfer returns the figures of the large transfer op.
func (t *BucketTarget) Transfer(op string) (LargeResult, bool) {
	if t == nil {
		return LargeResult{}, false
	}
	for _, r := range t.Transfers {
		if r.Op == op {
			return r, true
		}
	}
	return LargeResult{}, false
}

// Target returns the target named name, or nil.
func (r *BucketsReport) Target(name string) *BucketTarget {
	for _, t := range r.Targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// FloorAt returns the floor at concurrency c.
func (r *BucketsReport) FloorAt(c int) (Throughput, bool) {
	for _, t := range r.Floor {
		if t.Concurrency == c {
			return t, true
		}
	}
	return Throughput{}, false
}

// LargeFloorOf returns the floor of the large transfer op.
func (r *BucketsReport) LargeFloorOf(op string) (LargeResult, bool) {
	for _, t := range r.LargeFloor {
		if t.Op == op {
			return t, true
		}
	}
	return LargeResult{}, false
}

// RunBuckets runs the same aws-sdk-go-v2 S3 client code (path-style
// addressing) against eddy (cfg.Endpoint) and, in the same run, against
// moto_server: PutObject and GetObject of small objects and
// ListObjectsV2 of one prefix of a filled bucket, each at every
// concurrency level, next to the floor of a loopback HTTP echo; and the
// PUT and GET of one large object, next to the floor of a plain loopback
// HTTP transfer of the same size. With cfg.Function it also measures,
// against eddy only, the latency from PutObject to the function a bucket
// notification invokes. A target that does not serve S3 is reported as
// not available. Everything it creates is deleted.
func RunBuckets(ctx context.Context, cfg BucketsConfig) (*BucketsReport, error) {
	cfg.defaults()
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...)
		}
	}
	r := &BucketsReport{
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
	size := cfg.Large
	if cfg.Endpoint == "" {
		size = cfg.MotoLarge
	}
	progress("floor: loopback HTTP PUT and GET of %s, %d times each", sizeName(size), cfg.LargeRounds)
	lf, err := largeFloor(ctx, size, cfg.LargeRounds)
	if err != nil {
		return nil, err
	}
	r.LargeFloor = lf

	if cfg.Endpoint != "" {
		t, err := measureBuckets(ctx, cfg, "eddy", cfg.Endpoint, cfg.Large, cfg.Objects, progress)
		if err != nil {
			return nil, err
		}
		t.InProcess = cfg.InProcess
		r.Targets = append(r.Targets, t)
		if cfg.Function {
			r.Function = true
			nc := cfg.Notify
			nc.Endpoint, nc.Zip, nc.Progress = cfg.Endpoint, cfg.Zip, cfg.Progress
			progress("buckets: PUT → invoke latency")
			lat, err := BucketLatency(ctx, nc)
			if err != nil {
				r.LatencyErr = err.Error()
			}
			r.Latency = lat
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
		t, err := measureBuckets(ctx, cfg, "moto", m.URL, cfg.MotoLarge, cfg.MotoObjects, progress)
		if err != nil {
			return nil, err
		}
		r.Targets = append(r.Targets, t)
	}
	return r, nil
}

// newS3 returns an S3 client of endpoint with path-style addressing and
// retries off, so that failures are counted rather than hidden. Checksums
// are the SDK's defaults: a CRC32 of every request body it can read
// twice, and the validation of the checksums answers carry.
func newS3(endpoint string, hc *http.Client) *s3.Client {
	return s3.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   hc,
	}, func(o *s3.Options) {
		o.UsePathStyle = true
		o.RetryMaxAttempts = 1
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// streamed sets a PutObject call up for a body read once, from a reader
// that cannot seek, over plain HTTP: aws-sdk-go-v2 sends such a body only
// unsigned (UNSIGNED-PAYLOAD) and without a checksum of its own, since it
// adds trailing checksums over TLS only.
func streamed(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
}

// s3Unavailable is unavailable for S3, whose client reads errors as XML:
// a server that does not serve S3 but answers in JSON with an
// X-Amzn-ErrorType header, as eddy does for a service it does not know,
// reaches it as a BadRequest without a code of its own.
func s3Unavailable(what string, err error) error {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		if code := re.Response.Header.Get("X-Amzn-ErrorType"); code == "UnknownServiceException" || code == "UnknownOperationException" {
			return fmt.Errorf("%w: %s: %s", ErrNotAvailable, what, code)
		}
	}
	return unavailable(what, err)
}

// bucketBench is one server's buckets.
type bucketBench struct {
	s3     *s3.Client
	name   string // the bucket of puts, gets and the large object
	list   string // the listing bucket
	size   int    // of the small objects
	gets   int    // objects the GetObject measurement reads
	prefix int    // prefixes in the listing bucket
}

// measureBuckets runs every measurement on one server: the small objects
// and the large one in one bucket, the listings in another, filled with
// objects objects first. Both buckets are emptied and deleted after.
func measureBuckets(ctx context.Context, cfg BucketsConfig, name, endpoint string, large int64, objects int, progress func(string, ...any)) (*BucketTarget, error) {
	prefixes := (objects + ListPrefixSize - 1) / ListPrefixSize
	t := &BucketTarget{Name: name, Endpoint: strings.TrimRight(endpoint, "/"), ObjectSize: cfg.ObjectSize, Gets: cfg.GetObjects,
		Large: large, LoadConcurrency: cfg.LoadConcurrency}
	hc := newHTTPClient()
	defer hc.CloseIdleConnections()
	b := &bucketBench{s3: newS3(t.Endpoint, hc), name: "eddy-bench-" + randomHex(4), list: "eddy-bench-list-" + randomHex(4),
		size: cfg.ObjectSize, gets: cfg.GetObjects, prefix: prefixes}
	note := func(op string, c int, err error) {
		if err != nil {
			t.Notes = append(t.Notes, fmt.Sprintf("%s %s at concurrency %d: first error: %v", name, op, c, err))
		}
	}

	progress("%s: create bucket %s", name, b.name)
	if _, err := b.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.name)}); err != nil {
		err = s3Unavailable("S3 CreateBucket", err)
		if errors.Is(err, ErrNotAvailable) {
			t.Unavailable = err.Error()
			return t, nil
		}
		return nil, err
	}
	defer b.drop(t, b.name, progress)

	for _, c := range cfg.Concurrency {
		progress("%s: PutObject of %s objects at concurrency %d", name, sizeName(int64(b.size)), c)
		th, first := runLoad(ctx, c, cfg.Duration, cfg.Ops, b.put(c))
		note(OpPutObject, c, first)
		t.Results = append(t.Results, BucketResult{Op: OpPutObject, Throughput: th})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}

	progress("%s: put %d objects of %s to get", name, b.gets, sizeName(int64(b.size)))
	err := putMany(ctx, b.s3, b.name, b.gets, cfg.LoadConcurrency, func(i int) string { return getKey(i) }, b.body)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: put the objects to get: %w", name, err)
	}
	for _, c := range cfg.Concurrency {
		progress("%s: GetObject of %s objects at concurrency %d", name, sizeName(int64(b.size)), c)
		th, first := runLoad(ctx, c, cfg.Duration, cfg.Ops, b.get())
		note(OpGetObject, c, first)
		t.Results = append(t.Results, BucketResult{Op: OpGetObject, Throughput: th})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}

	progress("%s: PutObject, then GetObject, of one %s object, %d times each", name, sizeName(large), cfg.LargeRounds)
	put, get, first := b.largeRounds(ctx, large, cfg.LargeRounds)
	note("large object", 1, first)
	t.Transfers = append(t.Transfers, put, get)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	progress("%s: create bucket %s and fill it with %s objects (%d prefixes of %d keys; PutObject, %d callers)",
		name, b.list, thousands(prefixes*ListPrefixSize), prefixes, ListPrefixSize, cfg.LoadConcurrency)
	if _, err := b.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.list)}); err != nil {
		return nil, fmt.Errorf("bench: %s: CreateBucket: %w", name, err)
	}
	defer b.drop(t, b.list, progress)
	start := time.Now()
	err = putMany(ctx, b.s3, b.list, prefixes*ListPrefixSize, cfg.LoadConcurrency, listKey, func(string) []byte { return []byte("x") })
	if err != nil {
		return nil, fmt.Errorf("bench: %s: fill the listing bucket: %w", name, err)
	}
	t.Objects, t.Fill = prefixes*ListPrefixSize, time.Since(start)
	for _, c := range cfg.Concurrency {
		progress("%s: ListObjectsV2 of one prefix of %d keys at concurrency %d", name, ListPrefixSize, c)
		th, first := runLoad(ctx, c, cfg.Duration, cfg.Ops, b.listPrefix())
		note(OpListObjects, c, first)
		t.Results = append(t.Results, BucketResult{Op: OpListObjects, Throughput: th})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// drop empties the bucket and deletes it, noting a failure in t.
func (b *bucketBench) drop(t *BucketTarget, bucket string, progress func(string, ...any)) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	progress("%s: empty and delete bucket %s", t.Name, bucket)
	if err := emptyBucket(ctx, b.s3, bucket); err != nil {
		t.Notes = append(t.Notes, fmt.Sprintf("empty bucket %s: %v", bucket, err))
		return
	}
	if _, err := b.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Notes = append(t.Notes, fmt.Sprintf("delete bucket %s: %v", bucket, err))
	}
}

// emptyBucket deletes every object of bucket, 1,000 a DeleteObjects call.
func emptyBucket(ctx context.Context, client *s3.Client, bucket string) error {
	var last string // the first key of the page deleted last
	for {
		// Each page is listed from the start: the previous one is gone.
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(1000)})
		if err != nil {
			return fmt.Errorf("ListObjectsV2: %w", err)
		}
		if len(out.Contents) == 0 {
			return nil
		}
		first := aws.ToString(out.Contents[0].Key)
		if first == last {
			return fmt.Errorf("DeleteObjects: %s is still listed after it was deleted", first)
		}
		last = first
		ids := make([]s3types.ObjectIdentifier, len(out.Contents))
		for i, o := range out.Contents {
			ids[i] = s3types.ObjectIdentifier{Key: o.Key}
		}
		del, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("DeleteObjects: %w", err)
		}
		if len(del.Errors) > 0 {
			e := del.Errors[0]
			return fmt.Errorf("DeleteObjects: %d of %d keys failed, the first (%s) with %s: %s", len(del.Errors), len(ids), aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
		}
	}
}

// body is the content of the small object key: the key, then filler up
// to the object size.
func (b *bucketBench) body(key string) []byte {
	out := make([]byte, b.size)
	n := copy(out, key+"\n")
	for i := n; i < len(out); i++ {
		out[i] = benchPad[i%len(benchPad)]
	}
	return out
}

// getKey names the i-th object the GetObject measurement reads.
func getKey(i int) string { return fmt.Sprintf("get/%06d", i) }

// listKey names the i-th object of the listing bucket: prefix i/100 of
// fixed width, so that no prefix is the beginning of another.
func listKey(i int) string {
	return fmt.Sprintf("l%06d/%03d", i/ListPrefixSize, i%ListPrefixSize)
}

func listPrefix(p int) string { return fmt.Sprintf("l%06d/", p) }

// etagOf is the ETag S3 gives an object put in one part: the quoted hex
// MD5 of its content.
func etagOf(body []byte) string {
	sum := md5.Sum(body)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// put returns the PutObject call of the benchmark: a new key each call.
// An answer whose ETag is not the MD5 of the body is a lost object.
func (b *bucketBench) put(c int) opFunc {
	bucket := aws.String(b.name)
	return func(ctx context.Context, w, seq int) (bool, error) {
		key := fmt.Sprintf("put/c%03d/w%03d/%08d", c, w, seq)
		body := b.body(key)
		out, err := b.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			return false, err
		}
		if got, want := aws.ToString(out.ETag), etagOf(body); got != want {
			return true, fmt.Errorf("PutObject %s: got ETag %s, want %s", key, got, want)
		}
		return false, nil
	}
}

// get returns the GetObject call of the benchmark: the objects put
// beforehand in turn, each client from its own place. An answer that is
// not the object put is a lost object.
func (b *bucketBench) get() opFunc {
	bucket := aws.String(b.name)
	return func(ctx context.Context, w, seq int) (bool, error) {
		key := getKey((w*7919 + seq) % b.gets)
		out, err := b.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key)})
		if err != nil {
			return false, err
		}
		defer out.Body.Close()
		got, err := io.ReadAll(out.Body)
		if err != nil {
			return false, fmt.Errorf("GetObject %s: read the body: %w", key, err)
		}
		if !bytes.Equal(got, b.body(key)) {
			return true, fmt.Errorf("GetObject %s: got %d bytes beginning %q, want the %d bytes put", key, len(got), got[:min(len(got), 32)], b.size)
		}
		return false, nil
	}
}

// listPrefix returns the ListObjectsV2 call of the benchmark: one prefix
// of the listing bucket (MaxKeys 1,000), spread over the prefixes. An
// answer that is not the prefix's ListPrefixSize keys is lost.
func (b *bucketBench) listPrefix() opFunc {
	bucket := aws.String(b.list)
	return func(ctx context.Context, w, seq int) (bool, error) {
		prefix := listPrefix((w*104729 + seq*7919) % b.prefix)
		out, err := b.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String(prefix), MaxKeys: aws.Int32(1000)})
		if err != nil {
			return false, err
		}
		if len(out.Contents) != ListPrefixSize || aws.ToInt32(out.KeyCount) != ListPrefixSize || aws.ToBool(out.IsTruncated) {
			return true, fmt.Errorf("ListObjectsV2 of %s: got %d keys (KeyCount %d, truncated %v), want %d",
				prefix, len(out.Contents), aws.ToInt32(out.KeyCount), aws.ToBool(out.IsTruncated), ListPrefixSize)
		}
		for i, o := range out.Contents {
			if want := prefix + fmt.Sprintf("%03d", i); aws.ToString(o.Key) != want {
				return true, fmt.Errorf("ListObjectsV2 of %s: key %d is %q, want %q", prefix, i, aws.ToString(o.Key), want)
			}
		}
		return false, nil
	}
}

// putMany puts n objects, key(i) with content body(key(i)) for i in
// 0..n-1, from conc clients. The first failure stops it.
func putMany(ctx context.Context, client *s3.Client, bucket string, n, conc int, key func(i int) string, body func(key string) []byte) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				k := key(i)
				_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader(body(k))})
				if err != nil {
					once.Do(func() { first = fmt.Errorf("PutObject %s: %w", k, err); cancel() })
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

// largeKey is the key of the large object, put over itself each round.
const largeKey = "large/object"

// largeRounds puts the large object rounds times, then gets it rounds
// times, each round after the other, and returns both transfers and the
// first error.
func (b *bucketBench) largeRounds(ctx context.Context, size int64, rounds int) (put, get LargeResult, first error) {
	put = LargeResult{Op: OpPutLarge, Size: size}
	get = LargeResult{Op: OpGetLarge, Size: size}
	bucket := aws.String(b.name)
	putOnce := func() error {
		_, err := b.s3.PutObject(ctx, &s3.PutObjectInput{
			Bucket: bucket, Key: aws.String(largeKey), Body: newPatternReader(size), ContentLength: aws.Int64(size),
		}, streamed)
		return err
	}
	getOnce := func() error {
		out, err := b.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(largeKey)})
		if err != nil {
			return err
		}
		defer out.Body.Close()
		n, err := io.Copy(io.Discard, out.Body)
		if err != nil {
			return fmt.Errorf("GetObject: read the body: %w", err)
		}
		if n != size {
			return fmt.Errorf("GetObject: got %d bytes, want %d", n, size)
		}
		return nil
	}
	first = timeRounds(ctx, &put, rounds, putOnce)
	if put.Rounds == 0 {
		if first == nil {
			first = ctx.Err()
		}
		return put, get, first
	}
	if err := timeRounds(ctx, &get, rounds, getOnce); first == nil {
		first = err
	}
	return put, get, first
}

// timeRounds calls once rounds times and fills r with the figures of the
// calls that succeeded; it returns the first error.
func timeRounds(ctx context.Context, r *LargeResult, rounds int, once func() error) (first error) {
	var times []time.Duration
	for range rounds {
		if ctx.Err() != nil {
			break
		}
		t0 := time.Now()
		err := once()
		el := time.Since(t0)
		if err != nil {
			r.Errors++
			if first == nil {
				first = fmt.Errorf("%s: %w", r.Op, err)
			}
			continue
		}
		r.Rounds++
		r.Elapsed += el
		times = append(times, el)
	}
	r.Latency = Summarize(times)
	r.Latency.Errors = r.Errors
	if r.Elapsed > 0 {
		r.MBPerSecond = float64(r.Size) * float64(r.Rounds) / r.Elapsed.Seconds() / 1e6
	}
	return first
}

// patternReader generates n bytes of a fixed pattern: a large body that
// costs neither memory nor a source.
type patternReader struct {
	left int64
	off  int
}

// patternBlock is the pattern; its odd length keeps the bytes from lining
// up with any power-of-two block.
var patternBlock = func() []byte {
	b := make([]byte, 4093)
	for i := range b {
		b[i] = benchPad[(i*7)%len(benchPad)]
	}
	return b
}()

func newPatternReader(n int64) *patternReader { return &patternReader{left: n} }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n := 0
	for n < len(p) {
		c := copy(p[n:], patternBlock[r.off:])
		n += c
		r.off = (r.off + c) % len(patternBlock)
	}
	r.left -= int64(n)
	return n, nil
}

// largeFloor runs a loopback HTTP server that discards what is PUT to it
// and answers a GET with size generated bytes, and transfers size bytes
// each way rounds times with the client the targets get: the most any
// server on this machine could move.
func largeFloor(ctx context.Context, size int64, rounds int) ([]LargeResult, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: floor: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPut:
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				http.Error(w, "read body", http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
			_, _ = io.Copy(w, newPatternReader(size))
		}
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
	u := "http://" + ln.Addr().String() + "/large"
	do := func(method string, body io.Reader) error {
		req, err := http.NewRequestWithContext(ctx, method, u, body)
		if err != nil {
			return err
		}
		if body != nil {
			req.ContentLength = size
		}
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		n, err := io.Copy(io.Discard, res.Body)
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK || (method == http.MethodGet && n != size) {
			return fmt.Errorf("floor: %s: status %d, %d bytes", method, res.StatusCode, n)
		}
		return nil
	}
	put := LargeResult{Op: OpPutLarge, Size: size}
	get := LargeResult{Op: OpGetLarge, Size: size}
	if err := timeRounds(ctx, &put, rounds, func() error { return do(http.MethodPut, newPatternReader(size)) }); err != nil {
		return nil, fmt.Errorf("bench: floor: %w", err)
	}
	if err := timeRounds(ctx, &get, rounds, func() error { return do(http.MethodGet, nil) }); err != nil {
		return nil, fmt.Errorf("bench: floor: %w", err)
	}
	return []LargeResult{put, get}, ctx.Err()
}

// sizeName writes a size in KiB or MiB when it is a whole number of them.
func sizeName(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// BucketNotifyConfig configures the PUT → invoke measurement. Zero fields
// take defaults.
type BucketNotifyConfig struct {
	// Endpoint is the base address of the server that serves both the S3
	// and the Lambda API.
	Endpoint string
	// Zip is the echo function's deployment package (see BuildEchoZip).
	Zip []byte
	// Objects is how many objects the measurement puts, one every
	// Interval (defaults 200 and 10 ms).
	Objects  int
	Interval time.Duration
	// Wait bounds the wait for the first event to reach the function, and
	// after that for each sign of progress (default 30 s).
	Wait time.Duration
	// Progress receives a line as each phase starts; nil for silence.
	Progress io.Writer
}

func (c *BucketNotifyConfig) defaults() {
	if c.Objects <= 0 {
		c.Objects = 200
	}
	if c.Interval <= 0 {
		c.Interval = 10 * time.Millisecond
	}
	if c.Wait <= 0 {
		c.Wait = 30 * time.Second
	}
}

// BucketLatency measures the time from the start of a PutObject call to
// the start of the function invocation its notification causes: a bucket,
// the echo function (bench/echofn) that records each event it receives
// and the time each invocation starts, and the bucket's notification
// configuration that sends s3:ObjectCreated:* events to the function. Once
// a probe object's event has come through, it puts cfg.Objects small
// objects, one every cfg.Interval, each with the time its call started in
// its key. Latency.Errors counts the puts that failed or whose event never
// arrived.
//
// The error wraps ErrNotAvailable when the target lacks an API this needs
// (S3, Lambda, notifications to functions) or when no event reaches the
// function within cfg.Wait. Everything it creates is deleted before it
// returns. The function must run on this machine: it writes what it saw
// to a temporary directory here.
func BucketLatency(ctx context.Context, cfg BucketNotifyConfig) (Latency, error) {
	cfg.defaults()
	b, err := newBucketRig(ctx, cfg)
	if err != nil {
		return Latency{}, err
	}
	defer b.close()
	if err := b.prime(ctx); err != nil {
		return Latency{}, err
	}
	b.progress("%d PutObject calls, one every %v", cfg.Objects, cfg.Interval)
	want := make(map[string]bool, cfg.Objects)
	errs := 0
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	for i := 0; i < cfg.Objects && ctx.Err() == nil; i++ {
		if err := b.putEvent(ctx, "latency", i); err != nil {
			errs++
		} else {
			want[mappingKey("latency", i)] = true
		}
		<-tick.C
	}
	b.await(ctx, func() bool { return arrivedOf(b.fnRig, want) == len(want) })
	var lat []time.Duration
	for key := range want {
		if a, ok := b.arrived[key]; ok {
			lat = append(lat, a.at.Sub(a.sent))
		}
	}
	l := Summarize(lat)
	l.Errors = errs + len(want) - len(lat)
	return l, ctx.Err()
}

// bucketRig is a bucket, an echo function and the notification between
// them, and what the function has seen so far.
type bucketRig struct {
	*fnRig
	s3      *s3.Client
	bucket  string // also the function's name
	created bool   // the bucket
}

// newBucketRig creates the bucket, the function and the notification. On
// error it deletes what it created.
func newBucketRig(ctx context.Context, cfg BucketNotifyConfig) (_ *bucketRig, err error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("bench: buckets: no endpoint")
	}
	if len(cfg.Zip) == 0 {
		return nil, errors.New("bench: buckets: no deployment package")
	}
	name := "eddy-bench-notify-" + randomHex(4)
	fr, err := newFnRig("buckets", cfg.Endpoint, name, cfg.Progress, cfg.Wait, bucketRecords)
	if err != nil {
		return nil, err
	}
	b := &bucketRig{fnRig: fr, s3: newS3(strings.TrimRight(cfg.Endpoint, "/"), fr.http), bucket: name}
	defer func() {
		if err != nil {
			b.close()
		}
	}()

	b.progress("create bucket %s", b.bucket)
	if _, err := b.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.bucket)}); err != nil {
		return nil, s3Unavailable("S3 CreateBucket", err)
	}
	b.created = true
	if err := b.createFunction(ctx, cfg.Zip); err != nil {
		return nil, err
	}
	arn := "arn:aws:lambda:us-east-1:000000000000:function:" + b.function
	if f, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(b.function)}); err != nil {
		return nil, fmt.Errorf("bench: buckets: GetFunction: %w", err)
	} else if f.Configuration != nil && aws.ToString(f.Configuration.FunctionArn) != "" {
		arn = aws.ToString(f.Configuration.FunctionArn)
	}
	// AWS checks that S3 may invoke the function; a server without
	// resource policies has nothing to check.
	_, err = b.lambda.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String(b.function), StatementId: aws.String("s3-" + b.bucket),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
		SourceArn: aws.String("arn:aws:s3:::" + b.bucket),
	})
	if err != nil {
		b.progress("AddPermission (not needed where resource policies are not checked): %v", err)
	}
	b.progress("put a notification configuration: s3:ObjectCreated:* → %s", arn)
	_, err = b.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(b.bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{
			LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
				Id:                aws.String("eddy-bench"),
				LambdaFunctionArn: aws.String(arn),
				Events:            []s3types.Event{"s3:ObjectCreated:*"},
			}},
		},
	})
	if err != nil {
		return nil, unavailable("S3 PutBucketNotificationConfiguration to a function", err)
	}
	return b, nil
}

// close deletes the function, the bucket (emptied first) and the
// directory.
func (b *bucketRig) close() {
	b.fnRig.close(func(ctx context.Context) {
		if !b.created {
			return
		}
		if err := emptyBucket(ctx, b.s3, b.bucket); err != nil {
			b.progress("empty bucket %s: %v", b.bucket, err)
			return
		}
		if _, err := b.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b.bucket)}); err != nil {
			b.progress("delete bucket %s: %v", b.bucket, err)
		}
	})
}

// prime puts a probe object every 200 ms until one's event reaches the
// function, so that the measurement starts with a warm function.
func (b *bucketRig) prime(ctx context.Context) error {
	return b.fnRig.prime(ctx, func(ctx context.Context, i int) error {
		return b.putEvent(ctx, "probe", i)
	}, func(i int) string { return mappingKey("probe", i) })
}

// putEvent puts the n-th object of kind; its key carries the time the
// call started.
func (b *bucketRig) putEvent(ctx context.Context, kind string, n int) error {
	key := eventKey(kind, n, time.Now())
	_, err := b.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key), Body: strings.NewReader(key)})
	if err != nil {
		return fmt.Errorf("bench: buckets: PutObject: %w", err)
	}
	return nil
}

// eventKey is the key of an object of the PUT → invoke measurement: its
// kind and number and the time its PutObject started, of characters that
// an event's URL-encoded key keeps as they are.
func eventKey(kind string, n int, sent time.Time) string {
	return fmt.Sprintf("bench-%s-%d-%d", kind, n, sent.UnixNano())
}

// parseEventKey undoes eventKey.
func parseEventKey(key string) (kind string, n int, sent time.Time, ok bool) {
	f := strings.Split(key, "-")
	if len(f) != 4 || f[0] != "bench" {
		return "", 0, time.Time{}, false
	}
	n, err1 := strconv.Atoi(f[2])
	ns, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		return "", 0, time.Time{}, false
	}
	return f[1], n, time.Unix(0, ns), true
}

// bucketRecords returns the keys and put times of the benchmark's
// objects in an S3 event.
func bucketRecords(data []byte) ([]record, bool) {
	var ev events.S3Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, false
	}
	var out []record
	for _, rec := range ev.Records {
		key, err := url.QueryUnescape(rec.S3.Object.Key)
		if err != nil {
			continue
		}
		kind, n, sent, ok := parseEventKey(key)
		if !ok {
			continue
		}
		out = append(out, record{key: mappingKey(kind, n), sent: sent})
	}
	return out, true
}

// Goals judges the run against the buckets benchmark's targets.
func (r *BucketsReport) Goals() []Target {
	var out []Target
	e, m := r.Target("eddy"), r.Target("moto")
	for _, g := range []struct {
		op   string
		rate float64
	}{{OpPutObject, 3000}, {OpGetObject, 8000}} {
		res, ok := e.Result(g.op, 16)
		ok = ok && res.OK > 0
		out = append(out, Target{
			Name:     fmt.Sprintf("%s ≥ %s objects/s at concurrency 16", g.op, thousands(int(g.rate))),
			Measured: orNotMeasured(ok, fmt.Sprintf("%.0f objects/s", res.PerSecond), ""),
			Result:   result(ok, res.PerSecond >= g.rate),
		})
	}
	for _, op := range []string{OpPutObject, OpGetObject} {
		et, eok := e.Result(op, 16)
		mt, mok := m.Result(op, 16)
		ok := eok && mok && et.OK > 0 && mt.PerSecond > 0
		measured := "–"
		if ok {
			measured = fmt.Sprintf("%s (%.0f vs %.0f objects/s)", ratio(et.PerSecond, mt.PerSecond), et.PerSecond, mt.PerSecond)
		}
		out = append(out, Target{
			Name:     fmt.Sprintf("%s at concurrency 16 ≥ 10× moto", op),
			Measured: measured,
			Result:   result(ok, ok && et.PerSecond >= 10*mt.PerSecond),
		})
	}
	for _, op := range LargeOps {
		res, ok := e.Transfer(op)
		ok = ok && res.Rounds > 0
		name := fmt.Sprintf("%s ≥ 200 MB/s", op)
		measured := "not measured"
		if e != nil && e.Large > 0 {
			name = fmt.Sprintf("%s (%s) ≥ 200 MB/s", op, sizeName(e.Large))
		}
		if ok {
			measured = fmt.Sprintf("%.0f MB/s", res.MBPerSecond)
		}
		out = append(out, Target{Name: name, Measured: measured, Result: result(ok, res.MBPerSecond >= 200)})
	}
	res, ok := e.Result(OpListObjects, 1)
	ok = ok && res.Latency.N > 0
	measured := "not measured"
	if ok {
		measured = fmt.Sprintf("%s (p99 %s) in a %s-object bucket", ms(res.Latency.P50), ms(res.Latency.P99), thousands(e.Objects))
	}
	// A smaller bucket says nothing of the target.
	out = append(out, Target{
		Name:     "ListObjectsV2 by prefix p50 ≤ 10 ms in a 100,000-object bucket (concurrency 1)",
		Measured: measured,
		Result:   result(ok && e.Objects >= 100000, res.Latency.P50 <= 10*time.Millisecond),
	})
	ok = r.Function && r.LatencyErr == "" && r.Latency.N > 0
	out = append(out, Target{
		Name:     "PUT → invoke p50 ≤ 50 ms",
		Measured: orNotMeasured(ok, fmt.Sprintf("%s (p99 %s)", ms(r.Latency.P50), ms(r.Latency.P99)), r.LatencyErr),
		Result:   result(ok, r.Latency.P50 <= 50*time.Millisecond),
	})
	return out
}

// Render writes the report as Markdown tables.
func (r *BucketsReport) Render(w io.Writer) error {
	p := &printer{w: w}
	p.printf("# eddy bench buckets\n\n")
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
		case t.Objects > 0:
			p.printf("%s: %s objects put and got in one bucket (new keys for each put, %s objects put beforehand to get); the large object %s; listings of one prefix of %d keys, in turn, in a bucket of %s objects (%s prefixes), filled by PutObject (%d callers) at %s objects/s\n",
				server, sizeName(int64(t.ObjectSize)), thousands(t.Gets), sizeName(t.Large), ListPrefixSize,
				thousands(t.Objects), thousands(t.Objects/ListPrefixSize), t.LoadConcurrency, thousands(int(float64(t.Objects)/t.Fill.Seconds())))
		default:
			p.printf("%s\n", server)
		}
	}
	e, m := r.Target("eddy"), r.Target("moto")
	measured := func(t *BucketTarget) bool { return t != nil && t.Unavailable == "" }
	if measured(e) && measured(m) {
		if e.Objects != m.Objects && m.Objects > 0 {
			p.printf("note: the listing buckets differ in size (%s vs %s objects): moto scans its whole bucket for every listing, so its figures fall as its bucket grows, and it fills slowly\n",
				thousands(e.Objects), thousands(m.Objects))
		}
		if e.Large != m.Large {
			p.printf("note: the large objects differ in size (%s on eddy, %s on moto)\n", sizeName(e.Large), sizeName(m.Large))
		}
	}
	limit := fmt.Sprintf("%v", r.Duration)
	if r.Ops > 0 {
		limit += fmt.Sprintf(" or %d calls, whichever comes first", r.Ops)
	}
	p.printf("client: aws-sdk-go-v2 S3, path-style, retries off, one keep-alive client per target, SDK default checksums (a CRC32 of each small body; answers' checksums validated); each measurement %s, after %d untimed calls per client\n", limit, throughputWarmup)
	p.printf("large object: its body generated as it is sent (a reader that cannot seek, so aws-sdk-go-v2 sends it over plain HTTP unsigned and without a checksum) and the GET body read to io.Discard, one transfer at a time; MB = 10⁶ bytes\n")
	p.printf("machine: %d CPUs, %s %s; %.0f%% of the CPUs busy before the load\n\n", r.CPUs, r.GoVersion, r.Platform, 100*r.Background)
	if r.Background > 0.10 {
		p.printf("warning: the machine is not quiet: other processes compete for the CPUs, so these figures are pessimistic\n\n")
	}

	ops := Table{
		Header: []string{"operation", "concurrency", "target", "calls/s", "p50", "p99", "ok", "errors", "lost"},
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
	for _, op := range BucketOps {
		for _, c := range r.Concurrency {
			for _, t := range r.Targets {
				if res, ok := t.Result(op, c); ok {
					add(op, c, t.Name, res.Throughput)
				}
			}
		}
	}
	p.table(ops)

	large := Table{
		Header: []string{"large object", "target", "size", "MB/s", "rounds", "p50", "max", "errors"},
		Right:  []bool{false, false, true, true, true, true, true, true},
	}
	addLarge := func(op, name string, l LargeResult) {
		mbps, p50, mx := "–", "–", "–"
		if l.Rounds > 0 {
			mbps, p50, mx = fmt.Sprintf("%.0f", l.MBPerSecond), ms(l.Latency.P50), ms(l.Latency.Max)
		}
		large.Rows = append(large.Rows, []string{op, name, sizeName(l.Size), mbps, strconv.Itoa(l.Rounds), p50, mx, strconv.Itoa(l.Errors)})
	}
	for _, op := range LargeOps {
		if f, ok := r.LargeFloorOf(op); ok {
			addLarge("floor: loopback HTTP "+map[string]string{OpPutLarge: "PUT", OpGetLarge: "GET"}[op], "–", f)
		}
	}
	for _, op := range LargeOps {
		for _, t := range r.Targets {
			if res, ok := t.Transfer(op); ok {
				addLarge(op, t.Name, res)
			}
		}
	}
	p.table(large)

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
	ratios := Table{
		Header: []string{"ratios", "concurrency", "eddy ÷ moto calls/s", "eddy p50 ÷ moto p50", "eddy p50 ÷ floor p50", "eddy calls/s ÷ floor calls/s"},
		Right:  []bool{false, true, true, true, true, true},
	}
	for _, op := range BucketOps {
		for _, c := range r.Concurrency {
			et, eok := e.Result(op, c)
			mt, mok := m.Result(op, c)
			ft, fok := r.FloorAt(c)
			ratios.Rows = append(ratios.Rows, []string{op, strconv.Itoa(c),
				cell(eok && mok, et.PerSecond, mt.PerSecond),
				cell(eok && mok && et.Latency.N > 0 && mt.Latency.N > 0, float64(et.Latency.P50), float64(mt.Latency.P50)),
				cell(eok && fok && et.Latency.N > 0, float64(et.Latency.P50), float64(ft.Latency.P50)),
				cell(eok && fok, et.PerSecond, ft.PerSecond),
			})
		}
	}
	for _, op := range LargeOps {
		et, eok := e.Transfer(op)
		mt, mok := m.Transfer(op)
		ft, fok := r.LargeFloorOf(op)
		ratios.Rows = append(ratios.Rows, []string{op + " (MB/s)", "1",
			cell(eok && mok && mt.Rounds > 0, et.MBPerSecond, mt.MBPerSecond), "", "",
			cell(eok && fok && ft.Size == et.Size, et.MBPerSecond, ft.MBPerSecond),
		})
	}
	p.table(ratios)

	if r.Function {
		st := Table{Header: []string{"S3 → Lambda (eddy)", "objects", "p50", "p99", "result"},
			Right: []bool{false, true, true, true, false}}
		l := r.Latency
		row := []string{"PUT → invoke latency (PutObject started → function start)", strconv.Itoa(l.N), "–", "–", "measured"}
		if l.N > 0 {
			row[2], row[3] = ms(l.P50), ms(l.P99)
		}
		if l.Errors > 0 {
			row[4] = fmt.Sprintf("measured; %d puts failed or their events never arrived", l.Errors)
		}
		if r.LatencyErr != "" {
			row[1], row[4] = "–", r.LatencyErr
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
	p.printf("peer: moto_server (S3) for the operations; none for bucket notifications to functions: moto cannot run Lambda functions without Docker.\n")
	return p.err
}
