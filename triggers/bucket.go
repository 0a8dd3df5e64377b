package triggers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/queues"
)

// BucketConfigs reads a bucket's stored configuration documents;
// buckets.API implements it. If it also has HeadBucket (as buckets.API
// does), the bucket's region is the records' awsRegion and destinations
// must be in it, as S3 requires; otherwise the service's Region is.
type BucketConfigs interface {
	GetConfig(ctx context.Context, bucket string, c buckets.Config) ([]byte, error)
}

// bucketHeads is what BucketConfigs may also provide.
type bucketHeads interface {
	HeadBucket(ctx context.Context, name string) (*buckets.Bucket, error)
}

// BucketNotifications are S3's bucket notifications: they validate a
// bucket's NotificationConfiguration and deliver one record per change
// and matching configuration — to a function as an asynchronous
// invocation (retries and destinations are then the invoker's), to a
// queue as a message. Topics (SNS) are not available in eddy, nor is
// delivery to EventBridge: a configuration may enable it, and it is
// stored, but nothing is sent.
//
// It implements buckets.NotificationHook.
type BucketNotifications struct {
	s   *Service
	cfg BucketConfigs

	mu sync.Mutex // guards docs
	// docs is the last configuration read of each bucket, parsed, so
	// that an unchanged document is not parsed again.
	docs map[string]*cachedDoc
}

// cachedDoc is a bucket's stored configuration and what it parses to.
type cachedDoc struct {
	raw    []byte
	doc    *notifyDoc
	region string
}

var _ buckets.NotificationHook = (*BucketNotifications)(nil)

// BucketNotifications returns the bucket notifications of the service,
// reading the buckets' configurations from b. They use the service's
// Functions, Versions, Invoker, Queues, Account, Region, Logger and Now;
// the service need not be open.
func (s *Service) BucketNotifications(b BucketConfigs) *BucketNotifications {
	return &BucketNotifications{s: s, cfg: b, docs: map[string]*cachedDoc{}}
}

// Check validates a NotificationConfiguration document as S3 does — its
// schema, events, filter rules, overlapping configurations, and that each
// destination exists — and returns the document to store, with an Id
// generated for each configuration without one. Errors are *eddy.Error
// with S3's code as Type (MalformedXML, InvalidArgument).
func (n *BucketNotifications) Check(ctx context.Context, bucket string, doc []byte) ([]byte, error) {
	d, err := parseNotification(doc)
	if err != nil {
		return nil, err
	}
	if err := checkOverlap(d.Configs); err != nil {
		return nil, err
	}
	for i := range d.Configs {
		c := &d.Configs[i]
		if err := n.checkARN(c); err != nil {
			return nil, err
		}
	}
	region := n.region(ctx, bucket)
	for i := range d.Configs {
		c := &d.Configs[i]
		if err := n.checkDestination(ctx, c, region); err != nil {
			return nil, err
		}
		if c.ID == "" {
			c.ID = newConfigID()
		}
	}
	return d.marshal(), nil
}

// checkARN refuses an ARN that is not one of the configuration's kind of
// destination.
func (n *BucketNotifications) checkARN(c *notifyConfig) error {
	parts := strings.SplitN(c.ARN, ":", 6)
	service := map[string]string{kindTopic: "sns", kindQueue: "sqs", kindFunction: "lambda"}[c.Kind]
	if len(parts) < 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != service ||
		parts[3] == "" || parts[4] == "" || parts[5] == "" {
		return invalidArgument(msgBadARN)
	}
	if c.Kind == kindQueue {
		if _, ok := queueURL(c.ARN); !ok {
			return invalidArgument(msgBadARN)
		}
	}
	// A lambda ARN that names no function (the user guide's examples
	// write arn:aws:lambda:REGION:ACCOUNT:NAME) parses as an ARN: it is
	// the destination that cannot be validated.
	return nil
}

// checkDestination checks that a configuration's destination exists in
// eddy, in the bucket's region, and can receive notifications.
func (n *BucketNotifications) checkDestination(ctx context.Context, c *notifyConfig, region string) error {
	parts := strings.SplitN(c.ARN, ":", 6)
	if c.Kind == kindTopic {
		// eddy has no SNS: no topic can be validated.
		return invalidArgument(msgDestination)
	}
	if parts[3] != region {
		return invalidArgument(msgRegionInvalid)
	}
	if parts[4] != n.s.cfg.Account {
		return invalidArgument(msgDestination)
	}
	switch c.Kind {
	case kindQueue:
		return n.checkQueue(ctx, c.ARN)
	default:
		return n.checkFunction(ctx, c.ARN)
	}
}

func (n *BucketNotifications) checkQueue(ctx context.Context, arn string) error {
	url, _ := queueURL(arn)
	if n.s.cfg.Queues == nil {
		return invalidArgument(msgDestination)
	}
	out, err := n.s.cfg.Queues.GetQueueAttributes(ctx, &queues.GetQueueAttributesInput{
		QueueUrl: url, AttributeNames: []string{"QueueArn"},
	})
	switch {
	case err == nil:
	case eddy.ErrorCode(err) == eddy.EINTERNAL:
		return fmt.Errorf("bucket notifications: queue %s: %w", arn, err)
	default:
		return invalidArgument(msgDestination)
	}
	// The queue service answers for a queue of that name in its own
	// region; S3 does not send to FIFO queues.
	if out.Attributes["QueueArn"] != arn || isFIFO(arn) {
		return invalidArgument(msgDestination)
	}
	return nil
}

func (n *BucketNotifications) checkFunction(ctx context.Context, arn string) error {
	ref, err := eddy.ParseFunctionRef(arn, "CloudFunction")
	if err != nil || ref.Region == "" || ref.Account == "" || n.s.cfg.Functions == nil || n.s.cfg.Invoker == nil {
		return invalidArgument(msgDestination)
	}
	switch {
	case ref.Qualifier == "" || (ref.Qualifier == eddy.LatestVersion && n.s.cfg.Versions == nil):
		_, err = n.s.cfg.Functions.GetFunction(ctx, ref.Region, ref.Name)
	case n.s.cfg.Versions != nil:
		_, err = n.s.cfg.Versions.GetFunctionVersion(ctx, ref.Region, ref.Name, ref.Qualifier)
	default:
		return invalidArgument(msgDestination)
	}
	switch eddy.ErrorCode(err) {
	case "":
		return nil
	case eddy.EINTERNAL:
		return fmt.Errorf("bucket notifications: function %s: %w", arn, err)
	}
	return invalidArgument(msgDestination)
}

// region is the region of a bucket: HeadBucket's answer when there is
// one, the service's region otherwise.
func (n *BucketNotifications) region(ctx context.Context, bucket string) string {
	if h, ok := n.cfg.(bucketHeads); ok {
		if b, err := h.HeadBucket(ctx, bucket); err == nil && b.Region != "" {
			return b.Region
		}
	}
	return n.s.cfg.Region
}

// Stored sends s3:TestEvent to each queue of a configuration just
// stored, as S3 does; a queue that cannot take it is logged.
func (n *BucketNotifications) Stored(ctx context.Context, bucket string, doc []byte) {
	d, err := parseNotification(doc)
	if err != nil {
		n.s.cfg.Logger.Warn("bucket notifications: stored configuration does not parse", "bucket", bucket, "err", err)
		return
	}
	requestID, _ := buckets.RequestOf(ctx)
	if requestID == "" {
		requestID = strings.ToUpper(strings.ReplaceAll(eddy.NewID(), "-", "")[:16])
	}
	body, err := newTestEvent(bucket, requestID, n.s.cfg.Now())
	if err != nil {
		return
	}
	sent := map[string]bool{}
	for _, c := range d.Configs {
		if c.Kind != kindQueue || sent[c.ARN] {
			continue
		}
		sent[c.ARN] = true
		if err := n.s.sendToQueue(ctx, c.ARN, string(body)); err != nil {
			n.s.cfg.Logger.Warn("bucket notifications: test event not sent", "bucket", bucket, "queue", c.ARN, "err", err)
		}
	}
}

// Notify delivers a change to every configuration of its bucket whose
// events and key filter match it, reading the configuration the bucket
// has now. Check refuses configurations that overlap, so at most one
// matches a change: a change is delivered whole or not at all, and an
// error (the delivery failed; a retry may succeed) is retried with the
// same change. A retry, or a change delivered again after a crash, does
// not invoke a function twice within two minutes, on any node: the
// invocation's request id is derived from the change and the
// configuration, and the invoker's queue drops a second event with the
// same id (JetStream de-duplication). A queue has no such guard (standard
// queues refuse deduplication ids): a change delivered again is sent
// again, as S3's at-least-once delivery allows.
func (n *BucketNotifications) Notify(ctx context.Context, c buckets.Change) error {
	cd, err := n.load(ctx, c.Bucket)
	if err != nil {
		if e := eddy.AsError(err); e != nil && e.Type == "NoSuchBucket" {
			// The bucket is gone, and its configuration with it.
			n.mu.Lock()
			delete(n.docs, c.Bucket)
			n.mu.Unlock()
			return nil
		}
		return fmt.Errorf("bucket notifications: %s: %w", c.Bucket, err)
	}
	key := encodeKey(c.Key)
	var errs []error
	for i := range cd.doc.Configs {
		cfg := &cd.doc.Configs[i]
		if !cfg.matches(c.Event, key) {
			continue
		}
		err := n.deliver(ctx, &c, cfg, cd.region, deliveryID(&c, i, cfg))
		switch {
		case err == nil:
		case undeliverable(err):
			// The destination is gone (or will never take the record):
			// S3 drops such notifications, and a retry would hold the
			// bucket's later changes back for ever.
			n.s.cfg.Logger.Warn("bucket notifications: record dropped", "bucket", c.Bucket, "key", c.Key,
				"event", c.Event, "configuration", cfg.ID, "destination", cfg.ARN, "err", err)
		default:
			errs = append(errs, fmt.Errorf("%s %s: %w", cfg.ID, cfg.ARN, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("bucket notifications: %s/%s %s: %w", c.Bucket, c.Key, c.Event, errors.Join(errs...))
	}
	return nil
}

// load reads a bucket's notification configuration, parsing it again
// only when it changed.
func (n *BucketNotifications) load(ctx context.Context, bucket string) (*cachedDoc, error) {
	raw, err := n.cfg.GetConfig(ctx, bucket, buckets.ConfigNotification)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	cd := n.docs[bucket]
	n.mu.Unlock()
	if cd != nil && bytes.Equal(cd.raw, raw) {
		return cd, nil
	}
	d, err := parseNotification(raw)
	if err != nil {
		// Check stored it, so it parsed then: a stored document that does
		// not parse now is eddy's fault, and notifies no one.
		n.s.cfg.Logger.Error("bucket notifications: stored configuration does not parse", "bucket", bucket, "err", err)
		d = &notifyDoc{}
	}
	cd = &cachedDoc{raw: bytes.Clone(raw), doc: d, region: n.s.cfg.Region}
	if len(d.Configs) > 0 {
		cd.region = n.region(ctx, bucket)
	}
	n.mu.Lock()
	n.docs[bucket] = cd
	n.mu.Unlock()
	return cd, nil
}

// deliveryID names the delivery of a change to the i-th configuration:
// the same for every retry of the change.
func deliveryID(c *buckets.Change, i int, cfg *notifyConfig) string {
	h := sha256.New()
	for _, s := range []string{c.Bucket, c.Key, c.Event, c.Sequencer, c.Object.Sequencer, c.RequestID,
		c.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"), strconv.Itoa(i), cfg.ID, cfg.ARN} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	sum := h.Sum(nil)
	// A UUID (version 8: custom) so that it can be the invocation's
	// request id.
	sum[6] = sum[6]&0x0f | 0x80
	sum[8] = sum[8]&0x3f | 0x80
	x := hex.EncodeToString(sum[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// deliver sends a change's record to one configuration's destination;
// id is the delivery's id, the request id of an invocation.
func (n *BucketNotifications) deliver(ctx context.Context, c *buckets.Change, cfg *notifyConfig, region, id string) error {
	payload, err := marshalS3Event(newS3Record(c, recordInput{Region: region, Account: n.s.cfg.Account, ConfigurationID: cfg.ID}))
	if err != nil {
		return err
	}
	switch cfg.Kind {
	case kindFunction:
		ref, err := eddy.ParseFunctionRef(cfg.ARN, "CloudFunction")
		if err != nil {
			return err
		}
		_, err = n.s.cfg.Invoker.Invoke(ctx, &eddy.InvokeRequest{
			Region: ref.Region, FunctionName: ref.Name, Qualifier: ref.Qualifier,
			Type: eddy.InvokeEvent, Payload: payload, RequestID: id,
		})
		return err
	case kindQueue:
		return n.s.sendToQueue(ctx, cfg.ARN, string(payload))
	}
	return nil // topics are refused by Check
}

// undeliverable reports whether a delivery failed for good: the function
// or queue does not exist (any more) or refuses the record, as opposed to
// a throttle or a fault that a retry may get past.
func undeliverable(err error) bool {
	switch eddy.ErrorCode(err) {
	case eddy.ENOTFOUND, eddy.EINVALID, eddy.EVALIDATE, eddy.ETOOLARGE, eddy.EMALFORMED, eddy.EUNSUPPORT:
		return true
	}
	return false
}
