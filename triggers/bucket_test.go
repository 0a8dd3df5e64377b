package triggers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/functions"
	"github.com/eddyserverless/eddy/invoke"
	"github.com/eddyserverless/eddy/queues"
	"github.com/eddyserverless/eddy/triggers"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	account = "000000000000"
	region  = "us-east-1"
)

// memConfigs is a bucket configuration store: the part of the buckets
// service that the notifications read.
type memConfigs struct {
	mu      sync.Mutex // guards docs, regions
	docs    map[string][]byte
	regions map[string]string
}

func newMemConfigs() *memConfigs {
	return &memConfigs{docs: map[string][]byte{}, regions: map[string]string{}}
}

func (m *memConfigs) addBucket(name, region string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.regions[name] = region
}

func (m *memConfigs) put(bucket string, doc []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs[bucket] = doc
}

func noSuchBucket() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchBucket", "The specified bucket does not exist")
}

func (m *memConfigs) GetConfig(_ context.Context, bucket string, c buckets.Config) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.regions[bucket]; !ok {
		return nil, noSuchBucket()
	}
	if c != buckets.ConfigNotification {
		return nil, errors.New("not a notification configuration")
	}
	return m.docs[bucket], nil
}

func (m *memConfigs) HeadBucket(_ context.Context, name string) (*buckets.Bucket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.regions[name]
	if !ok {
		return nil, noSuchBucket()
	}
	return &buckets.Bucket{Name: name, Region: r}, nil
}

// flakyQueues fails the next sends it is told to.
type flakyQueues struct {
	queues.API
	failures atomic.Int32
}

func (f *flakyQueues) SendMessage(ctx context.Context, in *queues.SendMessageInput) (*queues.SendMessageOutput, error) {
	if f.failures.Add(-1) >= 0 {
		return nil, errors.New("queue unavailable")
	}
	return f.API.SendMessage(ctx, in)
}

// notifyRig is a real engine, function registry, queue service and
// invoker (not started: accepted events stay in its queue, where the
// tests read them), and the bucket notifications over them.
type notifyRig struct {
	e       *engine.Engine
	fns     *functions.Service
	q       *queues.Service
	flaky   *flakyQueues
	svc     *triggers.Service
	configs *memConfigs
	n       *triggers.BucketNotifications
}

func MustNotifyRig(tb testing.TB) *notifyRig {
	tb.Helper()
	ctx := context.Background()
	e := engine.New(engine.Config{DataDir: tb.TempDir()})
	if err := e.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	fns := functions.NewService(e, account, nil)
	if err := fns.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = fns.Close() })
	q := queues.NewService(queues.Config{Engine: e, Account: account, Region: region})
	if err := q.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = q.Close() })
	inv := invoke.NewService(fns, fns, nil, e, invoke.Config{}, nil)
	if err := inv.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = inv.Close() })
	flaky := &flakyQueues{API: q}
	svc := triggers.NewService(triggers.Config{Engine: e, Functions: fns, Versions: fns, Invoker: inv, Queues: flaky, Account: account, Region: region})
	configs := newMemConfigs()
	configs.addBucket("b", region)
	return &notifyRig{e: e, fns: fns, q: q, flaky: flaky, svc: svc, configs: configs, n: svc.BucketNotifications(configs)}
}

func (r *notifyRig) function(tb testing.TB, name string) {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate})
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = w.Write([]byte("#!/bin/sh\n"))
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	_, err = r.fns.CreateFunction(context.Background(), region, &eddy.CreateFunctionInput{
		Function: eddy.Function{Name: name, Runtime: "provided.al2023", Handler: "bootstrap", Role: "arn:aws:iam::000000000000:role/r"},
		ZipFile:  buf.Bytes(),
	})
	if err != nil {
		tb.Fatalf("create function %s: %v", name, err)
	}
}

func (r *notifyRig) queue(tb testing.TB, name string, attrs map[string]string) string {
	tb.Helper()
	if _, err := r.q.CreateQueue(context.Background(), &queues.CreateQueueInput{QueueName: name, Attributes: attrs}); err != nil {
		tb.Fatalf("create queue %s: %v", name, err)
	}
	return "arn:aws:sqs:" + region + ":" + account + ":" + name
}

// store checks doc, stores what Check returns and calls Stored, as the
// buckets service does.
func (r *notifyRig) store(tb testing.TB, ctx context.Context, bucket, doc string) []byte {
	tb.Helper()
	out, err := r.n.Check(ctx, bucket, []byte(doc))
	if err != nil {
		tb.Fatalf("check: %v", err)
	}
	r.configs.put(bucket, out)
	r.n.Stored(ctx, bucket, out)
	return out
}

// receive polls a queue until it has n messages, and returns their
// bodies (sorted); it fails after a deadline.
func (r *notifyRig) receive(tb testing.TB, name string, n int) []string {
	tb.Helper()
	url := "http://localhost/" + account + "/" + name
	var bodies []string
	deadline := time.Now().Add(5 * time.Second)
	for len(bodies) < n && time.Now().Before(deadline) {
		max, wait := 10, 1
		out, err := r.q.ReceiveMessage(context.Background(), &queues.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: &max, WaitTimeSeconds: &wait})
		if err != nil {
			tb.Fatal(err)
		}
		for _, m := range out.Messages {
			bodies = append(bodies, m.Body)
			if err := r.q.DeleteMessage(context.Background(), &queues.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if len(bodies) != n {
		tb.Fatalf("queue %s: got %d messages, want %d: %v", name, len(bodies), n, bodies)
	}
	sort.Strings(bodies)
	return bodies
}

// noMore checks that a queue has no visible message.
func (r *notifyRig) noMore(tb testing.TB, name string) {
	tb.Helper()
	url := "http://localhost/" + account + "/" + name
	out, err := r.q.ReceiveMessage(context.Background(), &queues.ReceiveMessageInput{QueueUrl: url})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out.Messages) > 0 {
		tb.Fatalf("queue %s: got %d more messages, want none: %s", name, len(out.Messages), out.Messages[0].Body)
	}
}

// asyncEvent is an invocation the invoker accepted.
type asyncEvent struct {
	Function, Qualifier, RequestID string
	Payload                        []byte
}

// asyncEvents returns the events in the invoker's queue.
func (r *notifyRig) asyncEvents(tb testing.TB) []asyncEvent {
	tb.Helper()
	ctx := context.Background()
	st, err := r.e.JS.Stream(ctx, "EDDY_ASYNC")
	if err != nil {
		tb.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	var evs []asyncEvent
	for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		evs = append(evs, asyncEvent{Function: m.Header.Get("Eddy-Function"), Qualifier: m.Header.Get("Eddy-Qualifier"),
			RequestID: m.Header.Get("Eddy-Request-Id"), Payload: m.Data})
	}
	return evs
}

func decodeEvent(tb testing.TB, data []byte) events.S3EventRecord {
	tb.Helper()
	var ev events.S3Event
	if err := json.Unmarshal(data, &ev); err != nil {
		tb.Fatalf("not an S3 event: %v: %s", err, data)
	}
	if len(ev.Records) != 1 {
		tb.Fatalf("got %d records, want 1: %s", len(ev.Records), data)
	}
	return ev.Records[0]
}

func fnArn(name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + name
}

func TestBucketNotificationCheck(t *testing.T) {
	r := MustNotifyRig(t)
	ctx := context.Background()
	r.function(t, "fn")
	if _, err := r.fns.PublishVersion(ctx, region, "fn", &eddy.PublishVersionInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.fns.CreateAlias(ctx, region, &eddy.Alias{Name: "live", FunctionName: "fn", FunctionVersion: "1"}); err != nil {
		t.Fatal(err)
	}
	r.queue(t, "q", nil)
	r.queue(t, "q.fifo", map[string]string{"FifoQueue": "true"})
	r.configs.addBucket("eu", "eu-west-1")
	fnConf := func(arn string) string { return conf("CloudFunctionConfiguration", "CloudFunction", arn, "", put) }
	qConf := func(arn string) string { return conf("QueueConfiguration", "Queue", arn, "", put) }
	const regionMsg = "The notification destination service region is not valid for the bucket location constraint"
	for _, tc := range []struct {
		name, bucket, doc string
		code, msg         string
	}{
		{"function", "b", doc(fnConf(fnArn("fn"))), "", ""},
		{"function $LATEST", "b", doc(fnConf(fnArn("fn") + ":$LATEST")), "", ""},
		{"function version", "b", doc(fnConf(fnArn("fn") + ":1")), "", ""},
		{"function alias", "b", doc(fnConf(fnArn("fn") + ":live")), "", ""},
		{"missing function", "b", doc(fnConf(fnArn("nope"))), "InvalidArgument", destination},
		{"missing version", "b", doc(fnConf(fnArn("fn") + ":9")), "InvalidArgument", destination},
		{"missing alias", "b", doc(fnConf(fnArn("fn") + ":dead")), "InvalidArgument", destination},
		{"lambda ARN without function:", "b", doc(fnConf("arn:aws:lambda:us-east-1:000000000000:fn")), "InvalidArgument", destination},
		{"function of another account", "b", doc(fnConf("arn:aws:lambda:us-east-1:111111111111:function:fn")), "InvalidArgument", destination},
		{"function of another region", "b", doc(fnConf("arn:aws:lambda:us-west-2:000000000000:function:fn")), "InvalidArgument", regionMsg},
		{"queue", "b", doc(qConf("arn:aws:sqs:us-east-1:000000000000:q")), "", ""},
		{"missing queue", "b", doc(qConf("arn:aws:sqs:us-east-1:000000000000:nope")), "InvalidArgument", destination},
		{"FIFO queue", "b", doc(qConf("arn:aws:sqs:us-east-1:000000000000:q.fifo")), "InvalidArgument", destination},
		{"queue of another account", "b", doc(qConf("arn:aws:sqs:us-east-1:111111111111:q")), "InvalidArgument", destination},
		{"queue of another region", "b", doc(qConf("arn:aws:sqs:us-west-2:000000000000:q")), "InvalidArgument", regionMsg},
		{"queue outside the bucket's region", "eu", doc(qConf("arn:aws:sqs:us-east-1:000000000000:q")), "InvalidArgument", regionMsg},
		{"topic", "b", doc(conf("TopicConfiguration", "Topic", "arn:aws:sns:us-east-1:000000000000:t", "", put)), "InvalidArgument", destination},
		{"second destination missing", "b", doc(qConf("arn:aws:sqs:us-east-1:000000000000:q"),
			conf("CloudFunctionConfiguration", "CloudFunction", fnArn("nope"), "", removed)), "InvalidArgument", destination},
		{"overlap before destinations", "b", doc(qConf("arn:aws:sqs:us-east-1:000000000000:nope"), fnConf(fnArn("nope"))), "InvalidArgument", overlap},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.n.Check(ctx, tc.bucket, []byte(tc.doc))
			wantS3Error(t, err, tc.code, tc.msg)
		})
	}
}

func TestBucketNotificationCheckIDs(t *testing.T) {
	r := MustNotifyRig(t)
	ctx := context.Background()
	r.function(t, "fn")
	q := r.queue(t, "q", nil)
	out, err := r.n.Check(ctx, "b", []byte(doc(
		conf("QueueConfiguration", "Queue", q, "", put),
		conf("QueueConfiguration", "Queue", q, "mine", removed),
		conf("CloudFunctionConfiguration", "CloudFunction", fnArn("fn"), "", []string{"s3:ObjectCreated:Copy"}))))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Queues []struct {
			ID string `xml:"Id"`
		} `xml:"QueueConfiguration"`
		Functions []struct {
			ID string `xml:"Id"`
		} `xml:"CloudFunctionConfiguration"`
	}
	if err := xmlUnmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Queues) != 2 || len(got.Functions) != 1 || got.Queues[1].ID != "mine" {
		t.Fatalf("got %+v from %s", got, out)
	}
	// A generated id is a UUID in base64, as S3 makes them.
	for _, id := range []string{got.Queues[0].ID, got.Functions[0].ID} {
		raw, err := base64.StdEncoding.DecodeString(id)
		if err != nil || len(raw) != 36 || strings.Count(string(raw), "-") != 4 {
			t.Errorf("generated id %q: decodes to %q, %v", id, raw, err)
		}
	}
	if got.Queues[0].ID == got.Functions[0].ID {
		t.Error("two generated ids are the same")
	}
	// Checking the stored document again keeps its ids.
	again, err := r.n.Check(ctx, "b", out)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("check of the stored document: got %s, %v; want it unchanged", again, err)
	}
}

func TestBucketNotificationStoredSendsTestEvent(t *testing.T) {
	r := MustNotifyRig(t)
	q := r.queue(t, "q", nil)
	other := r.queue(t, "other", nil)
	r.function(t, "fn")
	ctx := buckets.WithRequest(context.Background(), "7BA1940DC6AF888B", "192.0.2.1")
	r.store(t, ctx, "b", doc(
		conf("QueueConfiguration", "Queue", q, "1", put),
		conf("QueueConfiguration", "Queue", q, "2", removed),
		conf("QueueConfiguration", "Queue", other, "3", []string{"s3:ObjectCreated:Copy"}),
		conf("CloudFunctionConfiguration", "CloudFunction", fnArn("fn"), "4", []string{"s3:ObjectCreated:Post"})))
	for _, name := range []string{"q", "other"} {
		body := r.receive(t, name, 1)[0]
		var ev events.S3TestEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Service != "Amazon S3" || ev.Event != "s3:TestEvent" || ev.Bucket != "b" || ev.RequestID != "7BA1940DC6AF888B" ||
			ev.HostID == "" || time.Since(ev.Time) > time.Minute {
			t.Errorf("%s: got %s", name, body)
		}
		r.noMore(t, name)
	}
	if evs := r.asyncEvents(t); len(evs) != 0 {
		t.Errorf("functions got %d test events, want none", len(evs))
	}
}

func TestBucketNotificationNotify(t *testing.T) {
	r := MustNotifyRig(t)
	ctx := context.Background()
	r.function(t, "fn")
	if _, err := r.fns.PublishVersion(ctx, region, "fn", &eddy.PublishVersionInput{}); err != nil {
		t.Fatal(err)
	}
	texts := r.queue(t, "texts", nil)
	gone := r.queue(t, "gone", nil)
	r.store(t, ctx, "b", doc(
		conf("CloudFunctionConfiguration", "CloudFunction", fnArn("fn")+":1", "images", created, "prefix", "in/", "suffix", ".jpg"),
		conf("QueueConfiguration", "Queue", texts, "texts", created, "suffix", ".txt"),
		conf("QueueConfiguration", "Queue", gone, "gone", removed)))
	r.receive(t, "texts", 1) // the test events
	r.receive(t, "gone", 1)

	changes := []buckets.Change{
		{Bucket: "b", Key: "in/cat 1.jpg", Event: "ObjectCreated:Put", Time: changeTime, Sequencer: "01",
			Object: buckets.Object{Size: 3, ETag: `"abc"`}, RequestID: "REQ1", SourceIP: "192.0.2.1"},
		{Bucket: "b", Key: "in/notes.txt", Event: "ObjectCreated:CompleteMultipartUpload", Time: changeTime, Sequencer: "02",
			Object: buckets.Object{Size: 10 << 20, ETag: `"def-2"`}, RequestID: "REQ2", SourceIP: "192.0.2.1"},
		{Bucket: "b", Key: "out/cat.jpg", Event: "ObjectCreated:Copy", Time: changeTime, Sequencer: "03", RequestID: "REQ3"},
		{Bucket: "b", Key: "in/cat 1.jpg", Event: "ObjectRemoved:Delete", Time: changeTime, Sequencer: "04", RequestID: "REQ4"},
	}
	for _, c := range changes {
		if err := r.n.Notify(ctx, c); err != nil {
			t.Fatalf("notify %s %s: %v", c.Event, c.Key, err)
		}
	}
	evs := r.asyncEvents(t)
	if len(evs) != 1 {
		t.Fatalf("got %d invocations, want 1", len(evs))
	}
	if evs[0].Function != "fn" || evs[0].Qualifier != "1" {
		t.Errorf("invoked %s:%s, want fn:1", evs[0].Function, evs[0].Qualifier)
	}
	rec := decodeEvent(t, evs[0].Payload)
	if rec.EventName != "ObjectCreated:Put" || rec.S3.Object.Key != "in/cat+1.jpg" || rec.S3.Object.Size != 3 ||
		rec.S3.Object.ETag != "abc" || rec.S3.ConfigurationID != "images" || rec.AWSRegion != region ||
		rec.ResponseElements["x-amz-request-id"] != "REQ1" || rec.S3.Object.Sequencer != "01" {
		t.Errorf("function record: got %+v", rec)
	}
	txt := decodeEvent(t, []byte(r.receive(t, "texts", 1)[0]))
	if txt.EventName != "ObjectCreated:CompleteMultipartUpload" || txt.S3.Object.Key != "in/notes.txt" ||
		txt.S3.Object.Size != 10<<20 || txt.S3.Object.ETag != "def-2" || txt.S3.ConfigurationID != "texts" {
		t.Errorf("queue record: got %+v", txt)
	}
	del := decodeEvent(t, []byte(r.receive(t, "gone", 1)[0]))
	if del.EventName != "ObjectRemoved:Delete" || del.S3.Object.URLDecodedKey != "in/cat 1.jpg" || del.S3.Object.Size != 0 ||
		del.S3.Object.ETag != "" || del.S3.ConfigurationID != "gone" {
		t.Errorf("removal record: got %+v", del)
	}
	r.noMore(t, "texts")
	r.noMore(t, "gone")
}

// TestBucketNotificationNewConfiguration: a change made after a new
// configuration is stored is delivered by it, not by the old one.
func TestBucketNotificationNewConfiguration(t *testing.T) {
	r := MustNotifyRig(t)
	ctx := context.Background()
	a := r.queue(t, "a", nil)
	b := r.queue(t, "b", nil)
	change := func(seq string) buckets.Change {
		return buckets.Change{Bucket: "b", Key: "k", Event: "ObjectCreated:Put", Time: changeTime, Sequencer: seq, RequestID: "R" + seq}
	}
	r.store(t, ctx, "b", doc(conf("QueueConfiguration", "Queue", a, "a", put)))
	r.receive(t, "a", 1)
	if err := r.n.Notify(ctx, change("1")); err != nil {
		t.Fatal(err)
	}
	r.store(t, ctx, "b", doc(conf("QueueConfiguration", "Queue", b, "b", put)))
	r.receive(t, "b", 1)
	if err := r.n.Notify(ctx, change("2")); err != nil {
		t.Fatal(err)
	}
	if rec := decodeEvent(t, []byte(r.receive(t, "a", 1)[0])); rec.S3.Object.Sequencer != "1" {
		t.Errorf("queue a got change %s, want 1", rec.S3.Object.Sequencer)
	}
	if rec := decodeEvent(t, []byte(r.receive(t, "b", 1)[0])); rec.S3.Object.Sequencer != "2" {
		t.Errorf("queue b got change %s, want 2", rec.S3.Object.Sequencer)
	}
	// Removing the configuration stops the notifications at once.
	r.configs.put("b", nil)
	if err := r.n.Notify(ctx, change("3")); err != nil {
		t.Fatal(err)
	}
	r.noMore(t, "a")
	r.noMore(t, "b")
}

// TestBucketNotificationRetry: a change whose delivery failed is
// delivered by the retry; a change delivered again (a retry after a
// crash, here or on another node) does not invoke its function twice.
func TestBucketNotificationRetry(t *testing.T) {
	r := MustNotifyRig(t)
	ctx := context.Background()
	r.function(t, "fn")
	q := r.queue(t, "q", nil)
	r.store(t, ctx, "b", doc(
		conf("CloudFunctionConfiguration", "CloudFunction", fnArn("fn"), "fn", created, "prefix", "f/"),
		conf("QueueConfiguration", "Queue", q, "q", created, "prefix", "q/")))
	r.receive(t, "q", 1)

	c := buckets.Change{Bucket: "b", Key: "q/k", Event: "ObjectCreated:Put", Time: changeTime, Sequencer: "01", RequestID: "R"}
	r.flaky.failures.Store(1)
	if err := r.n.Notify(ctx, c); err == nil {
		t.Fatal("notify with the queue down: got no error")
	}
	if err := r.n.Notify(ctx, c); err != nil {
		t.Fatalf("retry: %v", err)
	}
	r.receive(t, "q", 1)
	r.noMore(t, "q")

	c = buckets.Change{Bucket: "b", Key: "f/k", Event: "ObjectCreated:Put", Time: changeTime, Sequencer: "02", RequestID: "R2"}
	if err := r.n.Notify(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := r.n.Notify(ctx, c); err != nil {
		t.Fatal(err)
	}
	other := r.svc.BucketNotifications(r.configs)
	if err := other.Notify(ctx, c); err != nil {
		t.Fatal(err)
	}
	evs := r.asyncEvents(t)
	if len(evs) != 1 {
		t.Fatalf("after three deliveries of a change: got %d invocations, want 1", len(evs))
	}
	// The next change is a new invocation.
	c.Sequencer, c.RequestID = "03", "R3"
	if err := r.n.Notify(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got := r.asyncEvents(t); len(got) != 2 || got[1].RequestID == evs[0].RequestID {
		t.Errorf("second change: got %d invocations, want 2 with different request ids", len(got))
	}
}

// TestBucketNotificationGoneDestinations: a destination deleted after the
// configuration was stored drops its records (as S3 does) rather than
// holding the bucket's later changes back; a missing bucket notifies no
// one.
func TestBucketNotificationGoneDestinations(t *testing.T) {
	r := MustNotifyRig(t)
	ctx := context.Background()
	r.function(t, "fn")
	q := r.queue(t, "q", nil)
	dead := r.queue(t, "dead", nil)
	r.store(t, ctx, "b", doc(
		conf("CloudFunctionConfiguration", "CloudFunction", fnArn("fn"), "fn", created, "prefix", "f/"),
		conf("QueueConfiguration", "Queue", dead, "dead", created, "prefix", "d/"),
		conf("QueueConfiguration", "Queue", q, "q", created, "prefix", "q/")))
	r.receive(t, "q", 1)
	if err := r.fns.DeleteFunction(ctx, region, "fn"); err != nil {
		t.Fatal(err)
	}
	if err := r.q.DeleteQueue(ctx, &queues.QueueInput{QueueUrl: "http://localhost/" + account + "/dead"}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"f/1", "d/1", "q/1"} {
		c := buckets.Change{Bucket: "b", Key: key, Event: "ObjectCreated:Put", Time: changeTime, Sequencer: "01", RequestID: "R"}
		if err := r.n.Notify(ctx, c); err != nil {
			t.Errorf("%s: got %v, want the record dropped", key, err)
		}
	}
	r.receive(t, "q", 1)
	if err := r.n.Notify(ctx, buckets.Change{Bucket: "nobucket", Key: "k", Event: "ObjectCreated:Put"}); err != nil {
		t.Errorf("missing bucket: got %v, want nil", err)
	}
}

// TestBucketNotificationConcurrent runs Notify for many buckets at once
// (for the race detector) and checks each change is delivered once.
func TestBucketNotificationConcurrent(t *testing.T) {
	r := MustNotifyRig(t)
	ctx := context.Background()
	q := r.queue(t, "q", nil)
	const buckets_, perBucket = 4, 10
	var names []string
	for i := range buckets_ {
		name := "bucket" + string(rune('a'+i))
		names = append(names, name)
		r.configs.addBucket(name, region)
		r.store(t, ctx, name, doc(conf("QueueConfiguration", "Queue", q, "", created)))
	}
	r.receive(t, "q", buckets_)
	var wg sync.WaitGroup
	errs := make(chan error, buckets_*perBucket)
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perBucket {
				c := buckets.Change{Bucket: name, Key: "k", Event: "ObjectCreated:Put", Time: changeTime,
					Sequencer: string(rune('A' + i)), RequestID: "R"}
				if err := r.n.Notify(ctx, c); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	bodies := r.receive(t, "q", buckets_*perBucket)
	var seen []string
	for _, b := range bodies {
		rec := decodeEvent(t, []byte(b))
		seen = append(seen, rec.S3.Bucket.Name+"/"+rec.S3.Object.Sequencer)
	}
	sort.Strings(seen)
	if len(slices.Compact(seen)) != buckets_*perBucket {
		t.Errorf("got duplicates: %v", seen)
	}
}

func xmlUnmarshal(data []byte, v any) error { return xml.Unmarshal(data, v) }
