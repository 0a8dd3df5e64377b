package queues

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var (
	batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	// dedupRE is the characters of message group and deduplication ids.
	dedupRE = regexp.MustCompile("^[A-Za-z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]{1,128}$")
)

const maxBatchBytes = 1 << 20

// newMessageID returns a random UUID.
func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// sendOne is one message to send.
type sendOne struct {
	Body    *string
	Delay   *int
	Attrs   map[string]MessageAttributeValue
	Sys     map[string]MessageAttributeValue
	DedupID *string
	GroupID *string
}

// prepare validates a message for the queue m and returns its envelope
// and deduplication key.
func (s *Service) prepare(m *meta, set settings, one sendOne) (*envelope, string, error) {
	if one.Body == nil || *one.Body == "" {
		return nil, "", missing("MessageBody")
	}
	body := *one.Body
	if err := ValidBody(body); err != nil {
		return nil, "", err
	}
	if err := ValidateMessageAttributes(one.Attrs, false); err != nil {
		return nil, "", err
	}
	if err := ValidateMessageAttributes(one.Sys, true); err != nil {
		return nil, "", err
	}
	size := len(body) + MessageAttributesSize(one.Attrs)
	if size > set.maxSize {
		return nil, "", invalidValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", set.maxSize)
	}
	env := &envelope{
		ID: newMessageID(), Body: body, Attrs: one.Attrs, Sys: one.Sys, MD5Body: MD5Hex(body),
		MD5Attrs: MD5OfMessageAttributes(one.Attrs), MD5Sys: MD5OfMessageAttributes(one.Sys),
		Sent: s.cfg.Now().UnixMilli(), Delay: set.delay, Sender: s.cfg.Account, Size: size,
	}
	if one.Delay != nil {
		if set.fifo {
			return nil, "", invalidValue("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *one.Delay)
		}
		if *one.Delay < 0 || *one.Delay > 900 {
			return nil, "", invalidValue("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *one.Delay)
		}
		env.Delay = *one.Delay
	}
	if one.GroupID != nil {
		if !dedupRE.MatchString(*one.GroupID) {
			return nil, "", invalidValue("Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.", *one.GroupID)
		}
		env.Group = *one.GroupID
	}
	if !set.fifo {
		if one.DedupID != nil {
			return nil, "", invalidValue("Value %s for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.", *one.DedupID)
		}
		return env, "", nil
	}
	if one.GroupID == nil {
		return nil, "", missing("MessageGroupId")
	}
	switch {
	case one.DedupID != nil:
		if !dedupRE.MatchString(*one.DedupID) {
			return nil, "", invalidValue("Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.", *one.DedupID)
		}
		env.Dedup = *one.DedupID
	case set.contentDedup:
		sum := sha256.Sum256([]byte(body))
		env.Dedup = hex.EncodeToString(sum[:])
	default:
		return nil, "", invalidValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	}
	key := env.Dedup
	if set.groupScope {
		key = env.Group + "\x00" + env.Dedup
	}
	return env, key, nil
}

// publish stores a message in a queue's stream; the future answers when it
// is stored.
func (s *Service) publish(m *meta, env *envelope, dedupKey string) (jetstream.PubAckFuture, error) {
	data, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("queues: encode message: %w", err)
	}
	nm := &nats.Msg{Subject: bodySubject(m.ID), Data: data}
	if dedupKey != "" {
		nm.Header = nats.Header{jetstream.MsgIDHeader: []string{dedupKey}}
	}
	f, err := s.cfg.Engine.JS.PublishMsgAsync(nm)
	if err != nil {
		return nil, fmt.Errorf("queues: send: %w", err)
	}
	return f, nil
}

// publishTo stores env in the queue m and waits for it.
func (s *Service) publishTo(ctx context.Context, m *meta, env *envelope) error {
	f, err := s.publish(m, env, "")
	if err != nil {
		return err
	}
	return waitAcks(ctx, []jetstream.PubAckFuture{f})
}

// sent finishes a send: it reports the message id and, when this node
// owns the queue, makes the message receivable at once.
func (s *Service) sent(ctx context.Context, m *meta, env *envelope, ack *jetstream.PubAck) (*SendMessageOutput, error) {
	out := &SendMessageOutput{MD5OfMessageBody: env.MD5Body, MD5OfMessageAttributes: env.MD5Attrs, MD5OfMessageSystemAttributes: env.MD5Sys, MessageId: env.ID}
	if ack.Duplicate {
		// The first message's id.
		st, err := s.cfg.Engine.JS.Stream(ctx, streamName(m.ID))
		if err == nil {
			if raw, err := st.GetMsg(ctx, ack.Sequence); err == nil {
				var first envelope
				if json.Unmarshal(raw.Data, &first) == nil {
					out.MessageId = first.ID
				}
			}
		}
	} else {
		// A receive that follows on this node finds the message: it
		// waits for the consumer to deliver it first.
		s.mu.Lock()
		q := s.owned[m.ID]
		s.mu.Unlock()
		if q != nil {
			for {
				cur := q.sentSeq.Load()
				if cur >= ack.Sequence || q.sentSeq.CompareAndSwap(cur, ack.Sequence) {
					break
				}
			}
		}
	}
	if m.Attrs["FifoQueue"] == "true" {
		out.SequenceNumber = fmt.Sprintf("%020d", ack.Sequence)
	}
	return out, nil
}

// SendMessage sends a message.
func (s *Service) SendMessage(ctx context.Context, in *SendMessageInput) (*SendMessageOutput, error) {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	env, key, err := s.prepare(m, m.settings(), sendOne{in.MessageBody, in.DelaySeconds, in.MessageAttributes, in.MessageSystemAttributes, in.MessageDeduplicationId, in.MessageGroupId})
	if err != nil {
		return nil, err
	}
	f, err := s.publish(m, env, key)
	if err != nil {
		return nil, err
	}
	select {
	case ack := <-f.Ok():
		return s.sent(ctx, m, env, ack)
	case err := <-f.Err():
		return nil, fmt.Errorf("queues: send: %w", err)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// checkEntryIDs applies SQS's rules on batch entry ids.
func checkEntryIDs(kind string, ids []string) error {
	if len(ids) == 0 {
		return eddy.TypedErrorf(eddy.EINVALID, "EmptyBatchRequest", "There should be at least one %s in the request.", kind)
	}
	if len(ids) > 10 {
		return eddy.TypedErrorf(eddy.EINVALID, "TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !batchIDRE.MatchString(id) {
			return eddy.TypedErrorf(eddy.EINVALID, "InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return eddy.TypedErrorf(eddy.EINVALID, "BatchEntryIdsNotDistinct", "Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

// SendMessageBatch sends up to ten messages.
func (s *Service) SendMessageBatch(ctx context.Context, in *SendMessageBatchInput) (*SendMessageBatchOutput, error) {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.Id
		if e.MessageBody != nil {
			total += len(*e.MessageBody)
		}
		total += MessageAttributesSize(e.MessageAttributes)
	}
	if err := checkEntryIDs("SendMessageBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	if total > maxBatchBytes {
		return nil, eddy.TypedErrorf(eddy.EINVALID, "BatchRequestTooLong", "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxBatchBytes, total)
	}
	set := m.settings()
	out := &SendMessageBatchOutput{Successful: []SendMessageBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	type pending struct {
		id  string
		env *envelope
		f   jetstream.PubAckFuture
	}
	var ps []pending
	for _, e := range in.Entries {
		env, key, err := s.prepare(m, set, sendOne{e.MessageBody, e.DelaySeconds, e.MessageAttributes, e.MessageSystemAttributes, e.MessageDeduplicationId, e.MessageGroupId})
		if err == nil {
			var f jetstream.PubAckFuture
			if f, err = s.publish(m, env, key); err == nil {
				ps = append(ps, pending{e.Id, env, f})
				continue
			}
		}
		out.Failed = append(out.Failed, entryError(e.Id, err))
	}
	for _, p := range ps {
		var err error
		var res *SendMessageOutput
		select {
		case ack := <-p.f.Ok():
			res, err = s.sent(ctx, m, p.env, ack)
		case err = <-p.f.Err():
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if err != nil {
			out.Failed = append(out.Failed, entryError(p.id, err))
			continue
		}
		out.Successful = append(out.Successful, SendMessageBatchResultEntry{Id: p.id, SendMessageOutput: *res})
	}
	return out, nil
}

// receiveIn is a ReceiveMessage as the owner runs it.
type receiveIn struct {
	Max       int       `json:"max"`
	Vis       int       `json:"vis"`
	Wait      int       `json:"wait"`
	Deadline  time.Time `json:"deadline"`
	SysNames  []string  `json:"sys,omitempty"`
	AttrNames []string  `json:"attrs,omitempty"`
}

// ReceiveMessage receives up to ten messages, waiting up to WaitTimeSeconds
// for the first.
func (s *Service) ReceiveMessage(ctx context.Context, in *ReceiveMessageInput) (*ReceiveMessageOutput, error) {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	set := m.settings()
	r := receiveIn{Max: 1, Vis: set.visibility, Wait: set.wait}
	if in.MaxNumberOfMessages != nil {
		if *in.MaxNumberOfMessages < 1 || *in.MaxNumberOfMessages > 10 {
			return nil, rangeError("MaxNumberOfMessages", *in.MaxNumberOfMessages, "Must be between 1 and 10, if provided.")
		}
		r.Max = *in.MaxNumberOfMessages
	}
	if in.VisibilityTimeout != nil {
		if *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200 {
			return nil, rangeError("VisibilityTimeout", *in.VisibilityTimeout, "Must be >= 0 and <= 43200, if provided.")
		}
		r.Vis = *in.VisibilityTimeout
	}
	if in.WaitTimeSeconds != nil {
		if *in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20 {
			return nil, rangeError("WaitTimeSeconds", *in.WaitTimeSeconds, "Must be >= 0 and <= 20, if provided.")
		}
		r.Wait = *in.WaitTimeSeconds
	}
	r.Deadline = time.Now().Add(time.Duration(r.Wait) * time.Second)
	r.SysNames = append(slices.Clone(in.AttributeNames), in.MessageSystemAttributeNames...)
	r.AttrNames = in.MessageAttributeNames
	return onOwner(ctx, s, m, "receive", receiveOp, &r, &ReceiveMessageOutput{})
}

var receiveOp = register("receive", func(ctx context.Context, q *queue, in *receiveIn) (*ReceiveMessageOutput, error) {
	return q.receive(ctx, in)
})

// receive runs a receive on the owner.
func (q *queue) receive(ctx context.Context, in *receiveIn) (*ReceiveMessageOutput, error) {
	q.waitApplied(ctx, q.sentSeq.Load())
	for {
		now := q.s.cfg.Now()
		q.mu.Lock()
		q.advance(now.UnixMilli())
		got, dead := q.pick(in.Max, in.Vis, now)
		wake, next := q.wake, q.next()
		q.mu.Unlock()
		q.deadLetter(ctx, dead)
		if len(got) > 0 {
			if err := q.record(ctx, got); err != nil {
				return nil, err
			}
			return q.render(ctx, got, in)
		}
		if len(dead) > 0 {
			continue
		}
		left := time.Until(in.Deadline)
		if left <= 0 {
			return &ReceiveMessageOutput{}, nil
		}
		if next > 0 {
			if d := time.Until(time.UnixMilli(next)); d < left {
				left = max(d, time.Millisecond)
			}
		}
		t := time.NewTimer(left)
		select {
		case <-wake:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
}

// handle is a receipt handle's content.
type handle struct {
	queue    string
	id       string
	receives int
}

func (h handle) String() string {
	return base64.StdEncoding.EncodeToString([]byte(h.queue + " " + h.id + " " + strconv.Itoa(h.receives) + " " + strconv.FormatInt(time.Now().UnixNano(), 36)))
}

func parseHandle(s string) (handle, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return handle{}, false
	}
	f := strings.Fields(string(b))
	if len(f) != 4 {
		return handle{}, false
	}
	n, err := strconv.Atoi(f[2])
	if err != nil || n < 1 {
		return handle{}, false
	}
	return handle{queue: f[0], id: f[1], receives: n}, true
}

// render builds the received messages.
func (q *queue) render(ctx context.Context, got []*msg, in *receiveIn) (*ReceiveMessageOutput, error) {
	sys := map[string]bool{}
	for _, n := range in.SysNames {
		sys[n] = true
	}
	all := sys["All"]
	out := &ReceiveMessageOutput{Messages: make([]Message, 0, len(got))}
	for _, m := range got {
		env, err := q.body(ctx, m)
		if err != nil {
			return nil, err
		}
		q.mu.Lock()
		receives, first := m.receives, m.first
		q.mu.Unlock()
		rm := Message{
			MessageId: env.ID, ReceiptHandle: handle{q.id, m.id, receives}.String(),
			MD5OfBody: env.MD5Body, Body: env.Body,
		}
		attrs := map[string]string{}
		add := func(k, v string) {
			if (all || sys[k]) && v != "" {
				attrs[k] = v
			}
		}
		add("SenderId", env.Sender)
		add("SentTimestamp", strconv.FormatInt(env.Sent, 10))
		add("ApproximateReceiveCount", strconv.Itoa(receives))
		add("ApproximateFirstReceiveTimestamp", strconv.FormatInt(first, 10))
		if q.set.fifo {
			add("SequenceNumber", fmt.Sprintf("%020d", m.seq))
			add("MessageDeduplicationId", env.Dedup)
		}
		add("MessageGroupId", env.Group)
		add("DeadLetterQueueSourceArn", env.Source)
		if v, ok := env.Sys["AWSTraceHeader"]; ok && v.StringValue != nil {
			add("AWSTraceHeader", *v.StringValue)
		}
		if len(attrs) > 0 {
			rm.Attributes = attrs
		}
		if sel := selectAttrs(env.Attrs, in.AttrNames); len(sel) > 0 {
			rm.MessageAttributes = sel
			rm.MD5OfMessageAttributes = MD5OfMessageAttributes(sel)
		}
		out.Messages = append(out.Messages, rm)
	}
	return out, nil
}

// selectAttrs returns the message attributes names ask for: All or .*,
// a prefix ending in .*, or exact names.
func selectAttrs(attrs map[string]MessageAttributeValue, names []string) map[string]MessageAttributeValue {
	if len(attrs) == 0 || len(names) == 0 {
		return nil
	}
	out := map[string]MessageAttributeValue{}
	for _, n := range names {
		if n == "All" || n == ".*" {
			return maps.Clone(attrs)
		}
		if p, ok := strings.CutSuffix(n, ".*"); ok {
			for k, v := range attrs {
				if strings.HasPrefix(k, p+".") {
					out[k] = v
				}
			}
			continue
		}
		if v, ok := attrs[n]; ok {
			out[n] = v
		}
	}
	return out
}

// DeleteMessage deletes a received message.
func (s *Service) DeleteMessage(ctx context.Context, in *DeleteMessageInput) error {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return err
	}
	if in.ReceiptHandle == "" {
		return missing("ReceiptHandle")
	}
	out, err := onOwner(ctx, s, m, "delete", deleteOp, &DeleteMessageBatchInput{Entries: []DeleteMessageBatchEntry{{Id: "0", ReceiptHandle: in.ReceiptHandle}}}, &BatchOutput{})
	if err != nil {
		return err
	}
	return firstFailure(out)
}

// firstFailure returns the error of a one-entry batch's failed entry.
func firstFailure(out *BatchOutput) error {
	if len(out.Failed) == 0 {
		return nil
	}
	f := out.Failed[0]
	return eddy.TypedErrorf(eddy.EINVALID, f.Code, "%s", f.Message)
}

// DeleteMessageBatch deletes up to ten received messages.
func (s *Service) DeleteMessageBatch(ctx context.Context, in *DeleteMessageBatchInput) (*BatchOutput, error) {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkEntryIDs("DeleteMessageBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	return onOwner(ctx, s, m, "delete", deleteOp, in, &BatchOutput{})
}

var deleteOp = register("delete", func(ctx context.Context, q *queue, in *DeleteMessageBatchInput) (*BatchOutput, error) {
	return q.delete(ctx, in.Entries)
})

// delete deletes messages by receipt handle. A handle of a message
// received again since is accepted and leaves the message alone, as SQS
// may; a handle of a message already gone is accepted too.
func (q *queue) delete(ctx context.Context, entries []DeleteMessageBatchEntry) (*BatchOutput, error) {
	out := &BatchOutput{Successful: []BatchIdEntry{}, Failed: []BatchResultErrorEntry{}}
	var gone []*msg
	var okIDs []string
	q.mu.Lock()
	for _, e := range entries {
		h, ok := parseHandle(e.ReceiptHandle)
		if !ok || h.queue != q.id {
			out.Failed = append(out.Failed, entryError(e.Id, badHandle(e.ReceiptHandle)))
			continue
		}
		okIDs = append(okIDs, e.Id)
		m := q.msgs[h.id]
		if m == nil || m.receives != h.receives || m.state == stMoving {
			continue
		}
		q.take(m)
		gone = append(gone, m)
	}
	q.mu.Unlock()
	if len(gone) > 0 {
		if err := q.ackAll(ctx, gone); err != nil {
			// Give them back: they are still stored.
			q.mu.Lock()
			for _, m := range gone {
				q.putBack(m)
			}
			q.mu.Unlock()
			return nil, fmt.Errorf("queues: delete: %w", err)
		}
		q.mu.Lock()
		for _, m := range gone {
			q.remove(m)
		}
		q.mu.Unlock()
	}
	for _, id := range okIDs {
		out.Successful = append(out.Successful, BatchIdEntry{Id: id})
	}
	return out, nil
}

// ChangeMessageVisibility changes when a received message becomes visible
// again.
func (s *Service) ChangeMessageVisibility(ctx context.Context, in *ChangeMessageVisibilityInput) error {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return err
	}
	if in.ReceiptHandle == "" {
		return missing("ReceiptHandle")
	}
	if in.VisibilityTimeout == nil {
		return missing("VisibilityTimeout")
	}
	out, err := onOwner(ctx, s, m, "visibility", visibilityOp, &ChangeMessageVisibilityBatchInput{
		Entries: []ChangeMessageVisibilityBatchEntry{{Id: "0", ReceiptHandle: in.ReceiptHandle, VisibilityTimeout: in.VisibilityTimeout}},
	}, &BatchOutput{})
	if err != nil {
		return err
	}
	return firstFailure(out)
}

// ChangeMessageVisibilityBatch changes the visibility of up to ten
// messages.
func (s *Service) ChangeMessageVisibilityBatch(ctx context.Context, in *ChangeMessageVisibilityBatchInput) (*BatchOutput, error) {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkEntryIDs("ChangeMessageVisibilityBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	return onOwner(ctx, s, m, "visibility", visibilityOp, in, &BatchOutput{})
}

var visibilityOp = register("visibility", func(ctx context.Context, q *queue, in *ChangeMessageVisibilityBatchInput) (*BatchOutput, error) {
	return q.changeVisibility(ctx, in.Entries)
})

func (q *queue) changeVisibility(ctx context.Context, entries []ChangeMessageVisibilityBatchEntry) (*BatchOutput, error) {
	out := &BatchOutput{Successful: []BatchIdEntry{}, Failed: []BatchResultErrorEntry{}}
	var changed []*msg
	var changedIDs []string
	t := q.s.cfg.Now()
	now := t.UnixMilli()
	q.mu.Lock()
	q.advance(now)
	for _, e := range entries {
		vis := 0
		if e.VisibilityTimeout != nil {
			vis = *e.VisibilityTimeout
		}
		h, ok := parseHandle(e.ReceiptHandle)
		switch {
		case !ok || h.queue != q.id:
			out.Failed = append(out.Failed, entryError(e.Id, badHandle(e.ReceiptHandle)))
			continue
		case vis < 0 || vis > 43200:
			out.Failed = append(out.Failed, entryError(e.Id, invalidValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", vis)))
			continue
		}
		m := q.msgs[h.id]
		if m == nil || m.receives != h.receives || m.state == stMoving {
			out.Failed = append(out.Failed, entryError(e.Id, invalidValue("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", e.ReceiptHandle)))
			continue
		}
		if m.state != stInflight {
			out.Failed = append(out.Failed, entryError(e.Id, eddy.TypedErrorf(eddy.EINVALID, "MessageNotInflight", "The message referred to isn't in flight.")))
			continue
		}
		q.unlink(m)
		m.visibleAt = hiddenUntil(t, vis)
		q.count[stInflight]--
		m.state = stNone
		q.toInflight(m)
		changed = append(changed, m)
		changedIDs = append(changedIDs, e.Id)
	}
	q.advance(now)
	q.notify()
	q.mu.Unlock()
	if err := q.record(ctx, changed); err != nil {
		return nil, err
	}
	for _, id := range changedIDs {
		out.Successful = append(out.Successful, BatchIdEntry{Id: id})
	}
	return out, nil
}
