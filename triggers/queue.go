package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/queues"
)

// This file runs a mapping of a queue, as Lambda's SQS event source
// mappings do: pollers long-poll the queue, invoke the function
// synchronously with a batch, and delete what the function is done with.
// What it is not done with becomes visible again when the queue's
// visibility timeout ends, so that the queue's redrive policy, not the
// mapping, decides when a message is given up on.
//
// SQS visibility alone keeps two pollers from holding one message, so a
// queue mapping could run on every node at once; it runs on the node that
// holds its lease instead, so that MaximumConcurrency holds across the
// cluster.

// Limits and defaults of queue mappings, as Lambda has them.
const (
	defaultQueueBatchSize = 10
	maxReceive            = 10 // messages per ReceiveMessage
	maxWaitSeconds        = 20 // the longest long poll SQS allows
	minConcurrency        = 2
	maxConcurrency        = 1000
	queueStateReason      = "USER_INITIATED"
	// defaultVisibility is assumed while the queue's own visibility
	// timeout cannot be read.
	defaultVisibility = 30 * time.Second
	// receiveSlack is how much longer than its long poll a receive may
	// take before it is given up on.
	receiveSlack = 5 * time.Second
)

// queueLease is the shard part of a queue mapping's lease key.
const queueLease = "queue"

// allAttributes asks ReceiveMessage for every attribute.
var allAttributes = []string{"All"}

// createQueueMapping creates a mapping of a queue: m has its function and
// source set.
func (s *Service) createQueueMapping(ctx context.Context, m *eddy.EventSourceMapping, in *eddy.EventSourceMappingInput) (*eddy.EventSourceMapping, error) {
	if err := newQueueMapping(m, in); err != nil {
		return nil, err
	}
	if err := s.checkQueue(ctx, m); err != nil {
		return nil, err
	}
	if err := s.checkUnique(m); err != nil {
		return nil, err
	}
	if err := s.put(ctx, m); err != nil {
		return nil, err
	}
	m.State, m.StateTransitionReason = eddy.MappingCreating, queueStateReason
	return m, nil
}

// newQueueMapping gives a new queue mapping the queue defaults and the
// settings of the input, and validates them.
func newQueueMapping(m *eddy.EventSourceMapping, in *eddy.EventSourceMappingInput) error {
	m.BatchSize, m.ParallelizationFactor, m.MaximumRetryAttempts, m.MaximumRecordAgeInSeconds = defaultQueueBatchSize, 0, 0, 0
	m.StartingPosition = ""
	if in.StartingPosition != "" || in.StartingPositionTimestamp != nil {
		return invalid("StartingPosition is not valid for SQS event sources.")
	}
	if err := applyInput(m, in); err != nil {
		return err
	}
	return validateQueue(m)
}

// queueInput refuses the parameters Lambda takes for streams only, and
// checks ScalingConfig.
func queueInput(m *eddy.EventSourceMapping, in *eddy.EventSourceMappingInput) error {
	for _, p := range []struct {
		name string
		set  bool
	}{
		{"ParallelizationFactor", in.ParallelizationFactor != nil},
		{"MaximumRetryAttempts", in.MaximumRetryAttempts != nil},
		{"MaximumRecordAgeInSeconds", in.MaximumRecordAgeInSeconds != nil},
		{"BisectBatchOnFunctionError", in.BisectBatchOnFunctionError != nil},
		{"TumblingWindowInSeconds", in.TumblingWindowInSeconds != nil},
		{"DestinationConfig", in.OnFailure != nil && *in.OnFailure != "" || in.OnSuccess != nil && *in.OnSuccess != ""},
	} {
		if p.set {
			return unsupported(p.name)
		}
	}
	if sc := in.ScalingConfig; sc != nil {
		m.MaximumConcurrency = 0
		if v := sc.MaximumConcurrency; v != nil {
			if err := rangeError(*v, "scalingConfig.maximumConcurrency", minConcurrency, maxConcurrency); err != nil {
				return err
			}
			m.MaximumConcurrency = *v
		}
	}
	return nil
}

// validateQueue checks a queue mapping's settings as Lambda does.
func validateQueue(m *eddy.EventSourceMapping) error {
	if err := rangeError(m.BatchSize, "batchSize", 1, maxBatchSize); err != nil {
		return err
	}
	if err := rangeError(m.MaximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds", 0, maxWindow); err != nil {
		return err
	}
	if isFIFO(m.EventSourceArn) && m.MaximumBatchingWindowInSeconds > 0 {
		return invalid("Batching window is not supported for FIFO queues.")
	}
	if m.BatchSize > maxReceive && m.MaximumBatchingWindowInSeconds == 0 {
		return invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	}
	return validateResponsesAndFilters(m)
}

// checkQueue makes sure a mapping's queue exists. The queue service is
// not regional (a queue's ARN has the server's region), so the ARN's
// region is left to it; the account must be the mapping's.
func (s *Service) checkQueue(ctx context.Context, m *eddy.EventSourceMapping) error {
	noQueue := invalid("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.")
	url, ok := queueURL(m.EventSourceArn)
	if !ok || strings.SplitN(m.EventSourceArn, ":", 6)[4] != m.Account || s.cfg.Queues == nil {
		return noQueue
	}
	_, err := s.cfg.Queues.GetQueueAttributes(ctx, &queues.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []string{"QueueArn"}})
	if noSuchQueue(err) {
		return noQueue
	}
	if err != nil {
		return fmt.Errorf("create event source mapping: %w", err)
	}
	return nil
}

// noSuchQueue reports whether err says that a queue does not exist.
func noSuchQueue(err error) bool {
	e := eddy.AsError(err)
	return e != nil && (e.Code == eddy.ENOTFOUND || e.Type == "QueueDoesNotExist" || e.Type == "AWS.SimpleQueueService.NonExistentQueue")
}

// queueURL returns a URL of the queue an ARN names. The queue service
// resolves a URL by its last two path segments, account and name, so the
// host does not matter.
func queueURL(arn string) (string, bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[2] != "sqs" || parts[4] == "" || parts[5] == "" || strings.Contains(parts[5], "/") {
		return "", false
	}
	return "http://localhost/" + parts[4] + "/" + parts[5], true
}

// isFIFO reports whether a queue ARN names a FIFO queue: their names, and
// only theirs, end in .fifo.
func isFIFO(arn string) bool { return strings.HasSuffix(arn, ".fifo") }

// sendToQueue sends body as a message to the queue an ARN names.
func (s *Service) sendToQueue(ctx context.Context, arn, body string) error {
	url, ok := queueURL(arn)
	if !ok {
		return fmt.Errorf("not a queue ARN: %s", arn)
	}
	if s.cfg.Queues == nil {
		return fmt.Errorf("no queue service for %s", arn)
	}
	_, err := s.cfg.Queues.SendMessage(ctx, &queues.SendMessageInput{QueueUrl: url, MessageBody: &body})
	return err
}

// runQueue runs a queue mapping until its runner is stopped: its pollers
// run while this node holds the mapping's lease.
func (s *Service) runQueue(r *runner) {
	m := r.m
	log := s.cfg.Logger.With("mapping", m.UUID, "function", m.FunctionName)
	key := checkpointKey(m.UUID, queueLease)
	for {
		l, err := s.acquire(s.hard, key)
		if err != nil {
			log.Warn("triggers: lease", "err", err)
		}
		if l == nil {
			if !sleep(s.hard, r.stop, s.cfg.LeaseTTL/3) {
				return
			}
			continue
		}
		ctx, cancel := context.WithCancel(s.hard)
		var kept sync.WaitGroup
		kept.Add(1)
		go func() {
			defer kept.Done()
			l.keep(ctx, cancel)
		}()
		s.newQueuePoller(ctx, r.stop, m).run()
		cancel()
		kept.Wait()
		l.release()
		select {
		case <-r.stop:
			return
		default:
		}
		if !sleep(s.hard, r.stop, time.Second) {
			return
		}
	}
}

// queuePoller runs the pollers of one queue mapping.
type queuePoller struct {
	s       *Service
	m       *eddy.EventSourceMapping
	url     string
	fifo    bool
	filters []*Pattern
	log     *slog.Logger

	// ctx ends when the lease is lost or Close gives up: invocations and
	// deletions use it. stop is closed to stop after the invocations
	// under way; receives end at once then.
	ctx  context.Context
	stop <-chan struct{}

	visMu   sync.Mutex // guards vis and visRead
	vis     time.Duration
	visRead time.Time
}

func (s *Service) newQueuePoller(ctx context.Context, stop <-chan struct{}, m *eddy.EventSourceMapping) *queuePoller {
	url, _ := queueURL(m.EventSourceArn)
	p := &queuePoller{
		s: s, m: m, url: url, fifo: isFIFO(m.EventSourceArn),
		log: s.cfg.Logger.With("mapping", m.UUID, "function", m.FunctionName),
		ctx: ctx, stop: stop,
	}
	for _, f := range m.Filters {
		if pat, err := ParsePattern(f); err == nil { // validated on create
			p.filters = append(p.filters, pat)
		}
	}
	return p
}

// pollers is how many pollers the mapping runs: QueuePollers, at most
// MaximumConcurrency. Each invokes the function with one batch at a time.
func (p *queuePoller) pollers() int {
	n := p.s.cfg.QueuePollers
	if c := p.m.MaximumConcurrency; c > 0 {
		n = min(n, c)
	}
	return max(n, 1)
}

func (p *queuePoller) stopped() bool {
	select {
	case <-p.stop:
		return true
	default:
		return p.ctx.Err() != nil
	}
}

// run runs the pollers until the mapping stops.
func (p *queuePoller) run() {
	poll, cancel := context.WithCancel(p.ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-p.stop:
			cancel()
		case <-poll.Done():
		}
	}()
	var pollers sync.WaitGroup
	for i := 0; i < p.pollers(); i++ {
		pollers.Add(1)
		go func() {
			defer pollers.Done()
			p.poll(poll)
		}()
	}
	pollers.Wait()
	cancel()
	wg.Wait()
}

// message is a received message on its way to the function.
type message struct {
	msg      queues.Message
	data     []byte    // the record as the function receives it
	received time.Time // its visibility timeout started about then
}

// poll receives batches and delivers them, one at a time, until the
// mapping stops.
func (p *queuePoller) poll(ctx context.Context) {
	var carry []*message
	for !p.stopped() {
		batch, rest, err := p.gather(ctx, carry)
		carry = rest
		if err != nil {
			if p.stopped() {
				return
			}
			p.log.Warn("triggers: receive", "queue", p.m.EventSourceArn, "err", err)
			wait := time.Second
			if noSuchQueue(err) {
				wait = 5 * time.Second
			}
			if !sleep(p.ctx, p.stop, wait) {
				return
			}
			continue
		}
		if len(batch) > 0 && !p.stopped() {
			p.deliver(batch)
		}
	}
}

// gather receives the next batch: up to BatchSize messages and 6 MB,
// once the batch is full or the batching window that its first message
// opened has passed. Without a window, one receive makes the batch.
// Messages over the size limit are carried over to the next batch.
func (p *queuePoller) gather(ctx context.Context, carry []*message) (batch, rest []*message, err error) {
	window := time.Duration(p.m.MaximumBatchingWindowInSeconds) * time.Second
	size := 0
	var opened time.Time
	for _, it := range carry {
		if len(batch) == p.m.BatchSize || (len(batch) > 0 && size+len(it.data)+1 > maxBatchPayload) {
			rest = append(rest, it)
			continue
		}
		batch = append(batch, it)
		size += len(it.data) + 1
	}
	if len(batch) > 0 {
		opened = time.Now()
	}
	for len(rest) == 0 && len(batch) < p.m.BatchSize {
		wait := maxWaitSeconds
		if len(batch) > 0 {
			left := window - time.Since(opened)
			if left <= 0 {
				break
			}
			wait = min(maxWaitSeconds, int((left+time.Second-1)/time.Second))
		}
		n := min(maxReceive, p.m.BatchSize-len(batch))
		// A receive that outlasts its long poll by far is given up on:
		// the node that serves the queue may have left.
		rctx, cancel := context.WithTimeout(ctx, time.Duration(wait)*time.Second+receiveSlack)
		out, err := p.s.cfg.Queues.ReceiveMessage(rctx, &queues.ReceiveMessageInput{
			QueueUrl: p.url, AttributeNames: allAttributes, MessageSystemAttributeNames: allAttributes,
			MessageAttributeNames: allAttributes, MaxNumberOfMessages: &n, WaitTimeSeconds: &wait,
		})
		cancel()
		if err != nil {
			if len(batch) > 0 && ctx.Err() == nil {
				p.log.Warn("triggers: receive", "queue", p.m.EventSourceArn, "err", err)
				break // deliver what the batch has
			}
			return nil, nil, err
		}
		for _, msg := range out.Messages {
			data, err := json.Marshal(p.record(msg))
			if err != nil {
				// Not expected: the record holds strings and bytes. The
				// message comes back after its visibility timeout.
				p.log.Warn("triggers: message not encodable; skipped", "message", msg.MessageId, "err", err)
				continue
			}
			it := &message{msg: msg, data: data, received: time.Now()}
			if len(rest) > 0 || (len(batch) > 0 && size+len(data)+1 > maxBatchPayload) {
				rest = append(rest, it)
				continue
			}
			if len(batch) == 0 {
				opened = time.Now()
			}
			batch = append(batch, it)
			size += len(data) + 1
		}
		if window == 0 && len(batch) > 0 {
			break
		}
	}
	return batch, rest, nil
}

// sqsRecord is a message as the function receives it, Lambda's SQS event
// record, its fields in Lambda's order.
type sqsRecord struct {
	MessageID              string                  `json:"messageId"`
	ReceiptHandle          string                  `json:"receiptHandle"`
	Body                   string                  `json:"body"`
	Attributes             map[string]string       `json:"attributes"`
	MessageAttributes      map[string]sqsAttribute `json:"messageAttributes"`
	MD5OfMessageAttributes string                  `json:"md5OfMessageAttributes,omitempty"`
	MD5OfBody              string                  `json:"md5OfBody"`
	EventSource            string                  `json:"eventSource"`
	EventSourceARN         string                  `json:"eventSourceARN"`
	AWSRegion              string                  `json:"awsRegion"`
}

// sqsAttribute is a message attribute in an SQS event: binary values are
// base64, and the list members are always present.
type sqsAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// record returns the event record of a message.
func (p *queuePoller) record(msg queues.Message) *sqsRecord {
	return queueRecord(msg, p.m.EventSourceArn, p.m.Region)
}

func queueRecord(msg queues.Message, arn, region string) *sqsRecord {
	r := &sqsRecord{
		MessageID: msg.MessageId, ReceiptHandle: msg.ReceiptHandle, Body: msg.Body,
		Attributes: msg.Attributes, MessageAttributes: map[string]sqsAttribute{},
		MD5OfBody: msg.MD5OfBody, EventSource: "aws:sqs", EventSourceARN: arn, AWSRegion: region,
	}
	if r.Attributes == nil {
		r.Attributes = map[string]string{}
	}
	for name, v := range msg.MessageAttributes {
		a := sqsAttribute{StringValue: v.StringValue, BinaryValue: v.BinaryValue, StringListValues: v.StringListValues, BinaryListValues: v.BinaryListValues, DataType: v.DataType}
		if a.StringListValues == nil {
			a.StringListValues = []string{}
		}
		if a.BinaryListValues == nil {
			a.BinaryListValues = [][]byte{}
		}
		r.MessageAttributes[name] = a
	}
	if len(msg.MessageAttributes) > 0 {
		r.MD5OfMessageAttributes = msg.MD5OfMessageAttributes
	}
	return r
}

// keep reports whether any filter matches a message's record (or there
// are none). A body that is a JSON object or array is matched as JSON,
// any other body as the string it is.
func (p *queuePoller) keep(it *message) bool {
	return matchQueueRecord(p.filters, it.data)
}

func matchQueueRecord(filters []*Pattern, data []byte) bool {
	if len(filters) == 0 {
		return true
	}
	var rec map[string]any
	if err := decodeNumber(data, &rec); err != nil {
		return false
	}
	if body, ok := rec["body"].(string); ok {
		if b := bytes.TrimSpace([]byte(body)); len(b) > 0 && (b[0] == '{' || b[0] == '[') {
			var v any
			if decodeNumber(b, &v) == nil {
				rec["body"] = v
			}
		}
	}
	for _, f := range filters {
		if f.MatchValue(rec) {
			return true
		}
	}
	return false
}

// deliver takes a batch to its end: messages no filter matches are
// deleted, the others given to the function, and those it is done with
// deleted.
func (p *queuePoller) deliver(batch []*message) {
	received := batch[0].received
	var keep, drop []*message
	for _, it := range batch {
		if it.received.Before(received) {
			received = it.received
		}
		if p.keep(it) {
			keep = append(keep, it)
		} else {
			drop = append(drop, it)
		}
	}
	p.delete(drop)
	if len(keep) == 0 {
		return
	}
	backoff := 50 * time.Millisecond
	for {
		res, err := p.invoke(keep)
		if err == nil {
			p.delete(settle(keep, res, p.m.ReportsItemFailures(), p.fifo))
			return
		}
		if p.ctx.Err() != nil {
			return
		}
		if eddy.ErrorCode(err) != eddy.ETHROTTLED {
			// The function is gone, or the invocation could not be made:
			// the messages come back when their visibility timeout ends.
			p.log.Warn("triggers: invoke", "err", err, "messages", len(keep))
			sleep(p.ctx, p.stop, time.Second)
			return
		}
		// Throttled: try again while the messages are still invisible;
		// once they are visible again another receive has them.
		if time.Since(received)+backoff >= p.visibility() {
			return
		}
		if !sleep(p.ctx, p.stop, backoff) {
			return
		}
		backoff = min(2*backoff, time.Second)
	}
}

// invoke runs the function with a batch.
func (p *queuePoller) invoke(batch []*message) (*eddy.InvokeResult, error) {
	size := 16
	for _, it := range batch {
		size += len(it.data) + 1
	}
	payload := make([]byte, 0, size)
	payload = append(payload, `{"Records":[`...)
	for i, it := range batch {
		if i > 0 {
			payload = append(payload, ',')
		}
		payload = append(payload, it.data...)
	}
	payload = append(payload, "]}"...)
	return p.s.cfg.Invoker.Invoke(p.ctx, &eddy.InvokeRequest{
		Region: p.m.Region, FunctionName: p.m.FunctionName, Qualifier: p.m.Qualifier,
		Type: eddy.InvokeRequestResponse, Payload: payload, RequestID: eddy.NewID(),
	})
}

// settle returns the messages of a batch the function is done with, by
// Lambda's rules: all of them after a success, none after a function
// error (or a timeout). With ReportBatchItemFailures, all but those the
// response names — none if the response is not a valid partial batch
// response or names a message not in the batch. In a FIFO queue, a failed
// message holds back the messages after it in its message group, so that
// the group stays in order.
func settle(batch []*message, res *eddy.InvokeResult, reportsFailures, fifo bool) []*message {
	if res.FunctionError != "" {
		return nil
	}
	if !reportsFailures {
		return batch
	}
	ids, ok := batchItemFailures(res.Payload)
	if !ok {
		return nil
	}
	failed := make(map[string]bool, len(ids))
	for _, id := range ids {
		failed[id] = true
	}
	for id := range failed {
		found := false
		for _, it := range batch {
			if it.msg.MessageId == id {
				found = true
				break
			}
		}
		if !found {
			return nil
		}
	}
	blocked := map[string]bool{} // FIFO message groups held back
	var done []*message
	for _, it := range batch {
		group := it.msg.Attributes["MessageGroupId"]
		switch {
		case failed[it.msg.MessageId]:
			if fifo {
				blocked[group] = true
			}
		case fifo && blocked[group]:
		default:
			done = append(done, it)
		}
	}
	return done
}

// delete deletes messages from the queue, ten at a time.
func (p *queuePoller) delete(msgs []*message) {
	for len(msgs) > 0 {
		n := min(len(msgs), maxReceive)
		entries := make([]queues.DeleteMessageBatchEntry, n)
		for i, it := range msgs[:n] {
			entries[i] = queues.DeleteMessageBatchEntry{Id: strconv.Itoa(i), ReceiptHandle: it.msg.ReceiptHandle}
		}
		msgs = msgs[n:]
		out, err := p.s.cfg.Queues.DeleteMessageBatch(p.ctx, &queues.DeleteMessageBatchInput{QueueUrl: p.url, Entries: entries})
		if err != nil {
			p.log.Warn("triggers: delete messages", "queue", p.m.EventSourceArn, "err", err)
			continue
		}
		for _, f := range out.Failed {
			p.log.Warn("triggers: delete message", "queue", p.m.EventSourceArn, "code", f.Code, "message", f.Message)
		}
	}
}

// visibility returns the queue's visibility timeout, read again every
// half minute.
func (p *queuePoller) visibility() time.Duration {
	p.visMu.Lock()
	defer p.visMu.Unlock()
	if p.vis > 0 && time.Since(p.visRead) < 30*time.Second {
		return p.vis
	}
	p.vis, p.visRead = defaultVisibility, time.Now()
	out, err := p.s.cfg.Queues.GetQueueAttributes(p.ctx, &queues.GetQueueAttributesInput{QueueUrl: p.url, AttributeNames: []string{"VisibilityTimeout"}})
	if err == nil {
		if n, err := strconv.Atoi(out.Attributes["VisibilityTimeout"]); err == nil {
			p.vis = time.Duration(n) * time.Second
		}
	}
	return p.vis
}
