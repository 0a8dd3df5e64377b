package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// s3Message is the body of a message that S3 sends to a queue: an event
// (Records) or the test event sent when a configuration is stored.
type s3Message struct {
	events.S3Event
	Service, Event, Bucket, RequestId, HostId string
	Time                                      time.Time
}

// s3QueueEvents receives from a queue until it holds n event records (test
// events set aside), deleting what it receives, and returns them with the
// test events.
func s3QueueEvents(t *testing.T, q *sqs.Client, queueURL string, n int) ([]events.S3EventRecord, []s3Message) {
	t.Helper()
	var (
		records []events.S3EventRecord
		tests   []s3Message
	)
	deadline := time.Now().Add(30 * time.Second)
	for len(records) < n {
		if time.Now().After(deadline) {
			t.Fatalf("queue %s: got %d event records in 30 s, want %d: %v", queueURL, len(records), n, recordKeys(records))
		}
		rs, ts := s3Receive(t, q, queueURL)
		records, tests = append(records, rs...), append(tests, ts...)
	}
	return records, tests
}

// s3Receive receives once from a queue, waiting up to a second, deletes
// what it got and returns the event records and test events.
func s3Receive(t *testing.T, q *sqs.Client, queueURL string) (records []events.S3EventRecord, tests []s3Message) {
	t.Helper()
	{
		out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("receive from %s: %v", queueURL, err)
		}
		var del []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			var msg s3Message
			body := aws.ToString(m.Body)
			if onMoto { // moto's times have no zone; S3's are UTC with a Z
				body = motoTimeRe.ReplaceAllString(body, `${1}Z"`)
			}
			if err := json.Unmarshal([]byte(body), &msg); err != nil {
				t.Fatalf("queue %s: message %q: %v", queueURL, aws.ToString(m.Body), err)
			}
			if msg.Event != "" {
				tests = append(tests, msg)
			} else if len(msg.Records) != 1 {
				t.Errorf("queue %s: got a message of %d records, want one record a message: %s", queueURL, len(msg.Records), aws.ToString(m.Body))
			}
			records = append(records, msg.Records...)
			del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
		}
		if len(del) > 0 {
			if _, err := q.DeleteMessageBatch(context.Background(), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: del}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return records, tests
}

// s3QueuesQuiet fails the test if any of the queues receives a message
// within a second's long poll.
func s3QueuesQuiet(t *testing.T, q *sqs.Client, queueURLs ...string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, u := range queueURLs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
			if err != nil {
				t.Errorf("receive from %s: %v", u, err)
				return
			}
			for _, m := range out.Messages {
				t.Errorf("queue %s: got an extra message %s, want none", u, aws.ToString(m.Body))
			}
		}()
	}
	wg.Wait()
}

var motoTimeRe = regexp.MustCompile(`("(?:eventTime|Time)": "[0-9T:.-]+)"`)

func recordKeys(rs []events.S3EventRecord) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.EventName+" "+r.S3.Object.URLDecodedKey)
	}
	slices.Sort(out)
	return out
}

// sequencerLess compares two sequencers of one key as S3 documents it:
// the shorter is right-padded with zeros, then they compare as strings.
func sequencerLess(a, b string) bool {
	n := max(len(a), len(b))
	a += strings.Repeat("0", n-len(a))
	b += strings.Repeat("0", n-len(b))
	return strings.ToUpper(a) < strings.ToUpper(b)
}

// checkS3Record checks the fields every record of an object event has.
func checkS3Record(t *testing.T, r events.S3EventRecord, bucket, configID string) {
	t.Helper()
	if r.EventVersion != "2.1" || r.EventSource != "aws:s3" || r.AWSRegion != "us-east-1" || time.Since(r.EventTime) > 5*time.Minute ||
		r.EventTime.After(time.Now().Add(time.Minute)) || r.S3.SchemaVersion != "1.0" || r.S3.ConfigurationID != configID ||
		r.S3.Bucket.Name != bucket || r.S3.Bucket.Arn != "arn:aws:s3:::"+bucket || (r.S3.Object.Sequencer == "" && !onMoto) { // moto has no sequencers
		t.Errorf("record %s %s: got version %q, source %q, region %q, time %v, schema %q, configuration %q, bucket %q (%q), sequencer %q; "+
			"want 2.1, aws:s3, us-east-1, just now, 1.0, %q, %q (arn:aws:s3:::%s) and a sequencer",
			r.EventName, r.S3.Object.Key, r.EventVersion, r.EventSource, r.AWSRegion, r.EventTime, r.S3.SchemaVersion, r.S3.ConfigurationID,
			r.S3.Bucket.Name, r.S3.Bucket.Arn, r.S3.Object.Sequencer, configID, bucket, bucket)
	}
}

// TestS3NotificationsToQueues stores a notification configuration of one
// queue per filter and event type, makes objects, copies, multipart
// uploads and deletes, and checks that each queue got the events of its
// configuration and no other.
func TestS3NotificationsToQueues(t *testing.T) {
	t.Parallel()
	base := s3URL(t)
	c, q := MustS3(t, base), MustSQS(t, base)
	ctx := context.Background()
	const b = "notify-bkt"
	mustBucket(t, c, b)

	type config struct {
		id, events, prefix, suffix string
		url, arn                   string
	}
	configs := []*config{
		{id: "prefix-put", events: "s3:ObjectCreated:Put", prefix: "logs/"},
		{id: "suffix-copy", events: "s3:ObjectCreated:Copy", suffix: ".jpg"},
		{id: "both-put", events: "s3:ObjectCreated:Put", prefix: "img/", suffix: ".jpg"},
		{id: "all-multipart", events: "s3:ObjectCreated:CompleteMultipartUpload"},
		{id: "prefix-delete", events: "s3:ObjectRemoved:Delete", prefix: "logs/"},
		// Not ObjectCreated:*, which would overlap all-multipart.
		{id: "burst", events: "s3:ObjectCreated:Put", prefix: "burst/", suffix: ".bin"},
	}
	var qcs []s3types.QueueConfiguration
	for _, cf := range configs {
		cf.url, cf.arn = MustQueueARN(t, q, "s3-"+cf.id, nil)
		qc := s3types.QueueConfiguration{Id: aws.String(cf.id), QueueArn: aws.String(cf.arn), Events: []s3types.Event{s3types.Event(cf.events)}}
		var rules []s3types.FilterRule
		if cf.prefix != "" {
			rules = append(rules, s3types.FilterRule{Name: s3types.FilterRuleNamePrefix, Value: aws.String(cf.prefix)})
		}
		if cf.suffix != "" {
			rules = append(rules, s3types.FilterRule{Name: s3types.FilterRuleNameSuffix, Value: aws.String(cf.suffix)})
		}
		if rules != nil {
			qc.Filter = &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: rules}}
		}
		qcs = append(qcs, qc)
	}
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(b),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: qcs}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(b)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.QueueConfigurations) != len(configs) || len(got.LambdaFunctionConfigurations) != 0 || len(got.TopicConfigurations) != 0 {
		t.Fatalf("GetBucketNotificationConfiguration: got %+v, want the %d queue configurations", got, len(configs))
	}
	for i, g := range got.QueueConfigurations {
		cf := configs[i]
		rules := map[string]string{}
		if g.Filter != nil && g.Filter.Key != nil {
			for _, r := range g.Filter.Key.FilterRules {
				rules[strings.ToLower(string(r.Name))] = aws.ToString(r.Value)
			}
		}
		if aws.ToString(g.Id) != cf.id || aws.ToString(g.QueueArn) != cf.arn || !slices.Equal(g.Events, []s3types.Event{s3types.Event(cf.events)}) ||
			rules["prefix"] != cf.prefix || rules["suffix"] != cf.suffix {
			t.Errorf("GetBucketNotificationConfiguration: got %s %s %v %v, want %s %s %s prefix %q suffix %q",
				aws.ToString(g.Id), aws.ToString(g.QueueArn), g.Events, rules, cf.id, cf.arn, cf.events, cf.prefix, cf.suffix)
		}
	}

	// Storing the configuration sends s3:TestEvent to each queue.
	for _, cf := range configs {
		var tests []s3Message
		waitFor(t, 15*time.Second, "the test event in "+cf.id, func() bool {
			if len(tests) == 0 {
				_, tests = s3Receive(t, q, cf.url)
			}
			return len(tests) > 0
		})
		if m := tests[0]; m.Service != "Amazon S3" || m.Event != "s3:TestEvent" || m.Bucket != b || time.Since(m.Time) > 5*time.Minute {
			t.Errorf("queue %s: got test event %+v, want Service Amazon S3, Event s3:TestEvent, Bucket %s", cf.id, m, b)
		}
	}

	odd := "logs/hello wörld+1.txt"
	puts := map[string][]byte{"logs/a.txt": []byte("a"), "logs/b.jpg": []byte("bb"), "img/c.jpg": []byte("ccc"), "img/c.png": []byte("dddd"),
		"x.jpg": []byte("eeeee"), odd: []byte("odd key")}
	for k, v := range puts {
		mustPut(t, c, b, k, v)
	}
	for _, dst := range []string{"copies/a.jpg", "copies/a.txt", "logs/copy.txt"} {
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String(dst), CopySource: aws.String(b + "/logs/a.txt")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"big/m.bin", "logs/m.txt"} {
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(k), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("multi")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(k), UploadId: up.UploadId,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"logs/a.txt", "img/c.jpg"} {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
		{Key: aws.String("logs/b.jpg")}, {Key: aws.String("copies/a.txt")}}}}); err != nil {
		t.Fatal(err)
	}

	// A burst of overwrites of one key, from four writers at once.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				size := w*25 + i + 1 // tells the put apart in its event
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("burst/one.bin"), Body: strings.NewReader(strings.Repeat("x", size))}); err != nil {
					t.Errorf("burst put: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()

	want := map[string][]string{
		"prefix-put":    {"ObjectCreated:Put logs/a.txt", "ObjectCreated:Put logs/b.jpg", "ObjectCreated:Put " + odd},
		"suffix-copy":   {"ObjectCreated:Copy copies/a.jpg"},
		"both-put":      {"ObjectCreated:Put img/c.jpg"},
		"all-multipart": {"ObjectCreated:CompleteMultipartUpload big/m.bin", "ObjectCreated:CompleteMultipartUpload logs/m.txt"},
		"prefix-delete": {"ObjectRemoved:Delete logs/a.txt", "ObjectRemoved:Delete logs/b.jpg"},
	}
	var urls []string
	for _, cf := range configs {
		urls = append(urls, cf.url)
		if cf.id == "burst" {
			continue
		}
		records, _ := s3QueueEvents(t, q, cf.url, len(want[cf.id]))
		if onMoto && cf.id == "prefix-put" {
			// moto also sends ObjectCreated:Put for a completed multipart upload.
			records = slices.DeleteFunc(records, func(r events.S3EventRecord) bool { return r.S3.Object.URLDecodedKey == "logs/m.txt" })
			more, _ := s3QueueEvents(t, q, cf.url, len(want[cf.id])-len(records))
			records = append(records, more...)
		}
		if got := recordKeys(records); !slices.Equal(got, want[cf.id]) {
			t.Errorf("queue %s: got events %v, want %v", cf.id, got, want[cf.id])
		}
		for _, r := range records {
			checkS3Record(t, r, b, cf.id)
			o := r.S3.Object
			if strings.HasPrefix(r.EventName, "ObjectRemoved:") {
				if (o.Size != 0 || o.ETag != "") && !onMoto { // moto sends both
					t.Errorf("%s %s: got size %d and eTag %q, want neither", r.EventName, o.Key, o.Size, o.ETag)
				}
				continue
			}
			body, ok := puts[o.URLDecodedKey]
			if !ok {
				body = []byte("a") // the copies
			}
			wantETag := strings.Trim(etagOf(body), `"`)
			if r.EventName == "ObjectCreated:CompleteMultipartUpload" {
				body, wantETag = []byte("multi"), strings.Trim(multipartETag([]byte("multi")), `"`)
			}
			if o.Size != int64(len(body)) || o.ETag != wantETag {
				t.Errorf("%s %s: got size %d and eTag %q, want %d and %q", r.EventName, o.Key, o.Size, o.ETag, len(body), wantETag)
			}
		}
		// The key of the record is URL-encoded as a form value (moto
		// encodes the slashes too).
		for _, r := range records {
			if r.S3.Object.URLDecodedKey == odd && r.S3.Object.Key != "logs/hello+w%C3%B6rld%2B1.txt" && !onMoto {
				t.Errorf("record of %q: got key %q, want logs/hello+w%%C3%%B6rld%%2B1.txt", odd, r.S3.Object.Key)
			}
		}
	}

	burst, _ := s3QueueEvents(t, q, configs[len(configs)-1].url, 100)
	seqs := map[string]bool{}
	for _, r := range burst {
		checkS3Record(t, r, b, "burst")
		seqs[r.S3.Object.Sequencer] = true
	}
	if len(burst) != 100 || (len(seqs) != 100 && !onMoto) {
		t.Fatalf("burst: got %d events with %d sequencers, want 100 and 100", len(burst), len(seqs))
	}
	if onMoto {
		s3QueuesQuiet(t, q, urls...)
		return
	}
	sort.Slice(burst, func(i, j int) bool { return sequencerLess(burst[i].S3.Object.Sequencer, burst[j].S3.Object.Sequencer) })
	last := map[int64]int64{} // writer -> size of its latest put, in sequencer order
	for _, r := range burst {
		w := (r.S3.Object.Size - 1) / 25
		if r.S3.Object.Size <= last[w] {
			t.Errorf("burst: writer %d's put of size %d has a later sequencer than its put of size %d", w, last[w], r.S3.Object.Size)
		}
		last[w] = r.S3.Object.Size
	}
	// The event with the greatest sequencer is the object that stayed.
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("burst/one.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if final := burst[len(burst)-1].S3.Object; aws.ToInt64(head.ContentLength) != final.Size || aws.ToString(head.ETag) != `"`+final.ETag+`"` {
		t.Errorf("burst: the object has size %d ETag %s, the event with the greatest sequencer %d %s", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag), final.Size, final.ETag)
	}
	s3QueuesQuiet(t, q, urls...)

	// An empty configuration turns notifications off.
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(b),
		NotificationConfiguration: &s3types.NotificationConfiguration{}}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(b)})
	if err != nil || len(got.QueueConfigurations) != 0 {
		t.Fatalf("GetBucketNotificationConfiguration after an empty put: got %+v, %v, want nothing", got, err)
	}
	mustPut(t, c, b, "logs/after.txt", []byte("quiet"))
	s3QueuesQuiet(t, q, configs[0].url)
}

// MustFunctionARN returns a function's ARN.
func MustFunctionARN(tb testing.TB, c *lambda.Client, name string) string {
	tb.Helper()
	out, err := c.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		tb.Fatalf("get function %s: %v", name, err)
	}
	return aws.ToString(out.Configuration.FunctionArn)
}

// s3FunctionEvents returns the records of the S3 events a function from
// testdata/sqsfn (which records any event) received.
func s3FunctionEvents(dir string) ([]events.S3EventRecord, bool) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	var out []events.S3EventRecord
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, false
		}
		var e events.S3Event
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, false
		}
		out = append(out, e.Records...)
	}
	return out, true
}

// TestS3NotificationsToFunction sends a bucket's events to a real
// aws-lambda-go function (testdata/sqsfn records whatever event it gets).
// AWS also wants a resource policy on the function allowing
// s3.amazonaws.com (lambda add-permission); eddy does not check one.
func TestS3NotificationsToFunction(t *testing.T) {
	t.Parallel()
	if onMoto {
		t.Skip("moto runs functions in docker")
	}
	m := MustStartMain(t, Config{})
	c, l := MustS3(t, m.URL()), MustLambda(t, m)
	ctx := context.Background()
	const b = "fn-notify-bkt"
	mustBucket(t, c, b)
	dir := MustSQSFunction(t, l, "s3-recorder")
	arn := MustFunctionARN(t, l, "s3-recorder")
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(b),
		NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
			Id: aws.String("to-fn"), LambdaFunctionArn: aws.String(arn), Events: []s3types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{{Name: s3types.FilterRuleNamePrefix, Value: aws.String("in/")}}}},
		}}}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(b)})
	if err != nil || len(got.LambdaFunctionConfigurations) != 1 || aws.ToString(got.LambdaFunctionConfigurations[0].LambdaFunctionArn) != arn ||
		aws.ToString(got.LambdaFunctionConfigurations[0].Id) != "to-fn" || len(got.LambdaFunctionConfigurations[0].Events) != 2 {
		t.Fatalf("GetBucketNotificationConfiguration: got %+v, %v, want the function configuration", got, err)
	}
	etag := mustPut(t, c, b, "in/photo 1.jpg", []byte("pixels"))
	mustPut(t, c, b, "out/ignored", []byte("x"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("in/photo 1.jpg")}); err != nil {
		t.Fatal(err)
	}
	var records []events.S3EventRecord
	waitFor(t, 30*time.Second, "two S3 events in the function", func() bool {
		rs, ok := s3FunctionEvents(dir)
		records = rs
		return ok && len(rs) >= 2
	})
	if got := recordKeys(records); !slices.Equal(got, []string{"ObjectCreated:Put in/photo 1.jpg", "ObjectRemoved:Delete in/photo 1.jpg"}) {
		t.Fatalf("function: got events %v, want the put and the delete of in/photo 1.jpg", got)
	}
	for _, r := range records {
		checkS3Record(t, r, b, "to-fn")
		if r.S3.Object.Key != "in/photo+1.jpg" {
			t.Errorf("function: got key %q, want in/photo+1.jpg", r.S3.Object.Key)
		}
		if r.EventName == "ObjectCreated:Put" && (r.S3.Object.Size != 6 || `"`+r.S3.Object.ETag+`"` != etag) {
			t.Errorf("function: got size %d eTag %s, want 6 and %s", r.S3.Object.Size, r.S3.Object.ETag, etag)
		}
	}
	for _, r := range records {
		if r.EventName == "ObjectRemoved:Delete" {
			for _, p := range records {
				if p.EventName == "ObjectCreated:Put" && !sequencerLess(p.S3.Object.Sequencer, r.S3.Object.Sequencer) {
					t.Errorf("function: the delete's sequencer %s is not after the put's %s", r.S3.Object.Sequencer, p.S3.Object.Sequencer)
				}
			}
		}
	}
}

// TestS3NotificationConfigurationErrors checks that S3 rejects the
// configurations it documents as invalid, with InvalidArgument, and keeps
// the one stored before.
func TestS3NotificationConfigurationErrors(t *testing.T) {
	t.Parallel()
	if onMoto {
		t.Skip("moto validates neither overlaps nor destinations")
	}
	m := MustStartMain(t, Config{})
	c, q := MustS3(t, m.URL()), MustSQS(t, m.URL())
	ctx := context.Background()
	const b = "bad-notify-bkt"
	mustBucket(t, c, b)
	_, arn := MustQueueARN(t, q, "s3-bad-notify", nil)
	_, arn2 := MustQueueARN(t, q, "s3-bad-notify-2", nil)
	queue := func(events []s3types.Event, prefix, suffix string) s3types.QueueConfiguration {
		qc := s3types.QueueConfiguration{QueueArn: aws.String(arn), Events: events, Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{}}}
		if prefix != "" {
			qc.Filter.Key.FilterRules = append(qc.Filter.Key.FilterRules, s3types.FilterRule{Name: s3types.FilterRuleNamePrefix, Value: aws.String(prefix)})
		}
		if suffix != "" {
			qc.Filter.Key.FilterRules = append(qc.Filter.Key.FilterRules, s3types.FilterRule{Name: s3types.FilterRuleNameSuffix, Value: aws.String(suffix)})
		}
		return qc
	}
	put := func(cfg *s3types.NotificationConfiguration) error {
		_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(b), NotificationConfiguration: cfg})
		return err
	}
	good := []s3types.QueueConfiguration{
		queue([]s3types.Event{"s3:ObjectCreated:Put"}, "logs/", ""),
		queue([]s3types.Event{"s3:ObjectCreated:Put"}, "img/", ".jpg"),
		queue([]s3types.Event{"s3:ObjectCreated:Put"}, "img/", ".png"), // suffixes apart
		queue([]s3types.Event{"s3:ObjectRemoved:*"}, "logs/", ""),      // another event type
	}
	if err := put(&s3types.NotificationConfiguration{QueueConfigurations: good}); err != nil {
		t.Fatalf("a configuration without overlaps: %v", err)
	}
	for _, tc := range []struct {
		name string
		cfg  *s3types.NotificationConfiguration
	}{
		{"overlapping prefixes", &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{
			queue([]s3types.Event{"s3:ObjectCreated:Put"}, "logs/", ""), queue([]s3types.Event{"s3:ObjectCreated:Put"}, "logs/2024/", "")}}},
		{"a wildcard over its subtype", &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{
			queue([]s3types.Event{"s3:ObjectCreated:*"}, "a/", ""), queue([]s3types.Event{"s3:ObjectCreated:Copy"}, "a/b", "")}}},
		{"a prefix and a suffix that overlap", &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{
			queue([]s3types.Event{"s3:ObjectCreated:Put"}, "images/", ""), queue([]s3types.Event{"s3:ObjectCreated:Put"}, "", ".jpg")}}},
		{"two queues that overlap", &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{
			queue([]s3types.Event{"s3:ObjectRemoved:Delete"}, "", ""),
			{QueueArn: aws.String(arn2), Events: []s3types.Event{"s3:ObjectRemoved:*"}}}}},
		{"an unknown queue", &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String("arn:aws:sqs:us-east-1:000000000000:no-such-queue"), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}},
		{"an unknown function", &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
			LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:no-such-function"), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}},
		{"an unknown event", &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{
			queue([]s3types.Event{"s3:ObjectCreated:Nope"}, "", "")}}},
		{"two prefixes", &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(arn), Events: []s3types.Event{"s3:ObjectCreated:*"}, Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{
				FilterRules: []s3types.FilterRule{{Name: "prefix", Value: aws.String("a")}, {Name: "prefix", Value: aws.String("b")}}}}}}}},
		{"a filter rule other than prefix or suffix", &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(arn), Events: []s3types.Event{"s3:ObjectCreated:*"}, Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{
				FilterRules: []s3types.FilterRule{{Name: "middle", Value: aws.String("a")}}}}}}}},
		{"a malformed queue ARN", &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String("not-an-arn"), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}},
	} {
		err := put(tc.cfg)
		if err == nil {
			t.Errorf("%s: got no error, want InvalidArgument", tc.name)
			continue
		}
		mustS3Fail(t, err, "InvalidArgument", 400)
	}
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(b)})
	if err != nil || len(got.QueueConfigurations) != len(good) || len(got.LambdaFunctionConfigurations) != 0 {
		t.Fatalf("GetBucketNotificationConfiguration after rejected puts: got %+v, %v, want the %d configurations stored first", got, err, len(good))
	}
	for _, g := range got.QueueConfigurations {
		if aws.ToString(g.Id) == "" {
			t.Errorf("GetBucketNotificationConfiguration: got a configuration without an Id, want the one S3 generates")
		}
	}
	_, err = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("no-such-bkt")})
	mustS3Fail(t, err, "NoSuchBucket", 404)
	// A raw document that is not XML.
	status, _, body := rawS3(t, c, "PUT", "/"+b+"?notification", []byte("<NotificationConfiguration><QueueConfiguration><Queue>"), nil)
	if status != 400 || !strings.Contains(string(body), "<Code>MalformedXML</Code>") {
		t.Errorf("notification configuration that is not XML: got %d %s, want 400 MalformedXML", status, body)
	}
}
