package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The server answers a batched direct get with at most this many messages
// and refuses (413) a multi_last whose filter matches more subjects.
const maxBatch = 1024

// maxReplyBytes caps one batched reply, well under the client's default
// pending limit.
const maxReplyBytes = 8 << 20

// errTooMany reports a multi_last over more than maxBatch subjects.
var errTooMany = errors.New("store: too many subjects for one batched get")

type directRequest struct {
	Seq       uint64   `json:"seq,omitempty"`
	NextFor   string   `json:"next_by_subj,omitempty"`
	Batch     int      `json:"batch,omitempty"`
	MaxBytes  int      `json:"max_bytes,omitempty"`
	MultiLast []string `json:"multi_last,omitempty"`
	UpToSeq   uint64   `json:"up_to_seq,omitempty"`
}

// directBatch sends one batched direct get and calls fn for each message.
// It returns the EOB's pending count and up-to sequence.
func (t *Table) directBatch(ctx context.Context, req directRequest, fn func(version) error) (pending, upTo uint64, err error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	body, err := json.Marshal(req)
	if err != nil {
		return 0, 0, err
	}
	max := req.Batch + 2 // the messages and the end-of-batch status
	if max < 2 || req.MultiLast == nil && req.Batch == 0 {
		max = 2
	}
	// The engine's shared reply subscription: cheaper than an inbox per
	// request, which costs more than a small read itself.
	err = t.e.RequestMany(ctx, "$JS.API.DIRECT.GET."+t.name, body, max, func(m *nats.Msg) (bool, error) {
		switch status := m.Header.Get("Status"); status {
		case "":
		case "204":
			pending, upTo = parseUint(m.Header.Get("Nats-Num-Pending")), parseUint(m.Header.Get("Nats-UpTo-Sequence"))
			return true, nil
		case "404":
			return true, nil
		case "413":
			return true, errTooMany
		default:
			return true, fmt.Errorf("store: direct get: status %s %s", status, m.Header.Get("Description"))
		}
		seq := parseUint(m.Header.Get(jetstream.SequenceHeader))
		ts, _ := time.Parse(time.RFC3339Nano, m.Header.Get(jetstream.TimeStampHeaer))
		v, err := decodeVersion(seq, m.Header.Get(jetstream.SubjectHeader), ts, m.Data)
		if err != nil {
			return true, err
		}
		return false, fn(v)
	})
	if err != nil && !errors.Is(err, errTooMany) {
		err = fmt.Errorf("store: direct get: %w", err)
	}
	return pending, upTo, err
}

// directGet sends one batched direct get to stream and calls fn for each
// message, headers included. It returns the EOB's pending count and up-to
// sequence.
func directGet(ctx context.Context, nc *nats.Conn, stream string, req directRequest, fn func(*nats.Msg) error) (pending, upTo uint64, err error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	inbox := nc.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return 0, 0, fmt.Errorf("store: direct get: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	body, err := json.Marshal(req)
	if err != nil {
		return 0, 0, err
	}
	if err := nc.PublishRequest("$JS.API.DIRECT.GET."+stream, inbox, body); err != nil {
		return 0, 0, fmt.Errorf("store: direct get: %w", err)
	}
	for {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return 0, 0, fmt.Errorf("store: direct get: %w", err)
		}
		switch status := m.Header.Get("Status"); status {
		case "":
		case "204":
			return parseUint(m.Header.Get("Nats-Num-Pending")), parseUint(m.Header.Get("Nats-UpTo-Sequence")), nil
		case "404":
			return 0, 0, nil
		case "413":
			return 0, 0, errTooMany
		default:
			return 0, 0, fmt.Errorf("store: direct get: status %s %s", status, m.Header.Get("Description"))
		}
		if err := fn(m); err != nil {
			return 0, 0, err
		}
	}
}

// lastVersions returns the latest version of every subject matching filter,
// deletes included. It uses batched direct gets (multi_last) and, for a
// filter matching more than maxBatch subjects, an ephemeral consumer that
// delivers the last message per subject.
func (t *Table) lastVersions(ctx context.Context, filter string) ([]version, error) {
	var out []version
	req := directRequest{MultiLast: []string{filter}, Batch: maxBatch, MaxBytes: maxReplyBytes}
	for {
		var last uint64
		pending, upTo, err := t.directBatch(ctx, req, func(v version) error {
			out = append(out, v)
			last = v.seq
			return nil
		})
		if errors.Is(err, errTooMany) {
			return t.lastVersionsConsumer(ctx, filter)
		}
		if err != nil {
			return nil, err
		}
		if pending == 0 || last == 0 {
			return out, nil
		}
		// The rest of the same snapshot: later sequences, same ceiling.
		req.Seq, req.UpToSeq = last+1, upTo
	}
}

func (t *Table) lastVersionsConsumer(ctx context.Context, filter string) ([]version, error) {
	c, err := t.stream.CreateConsumer(ctx, jetstream.ConsumerConfig{
		FilterSubject:     filter,
		DeliverPolicy:     jetstream.DeliverLastPerSubjectPolicy,
		AckPolicy:         jetstream.AckNonePolicy,
		InactiveThreshold: time.Minute,
		MemoryStorage:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", filter, err)
	}
	defer func() { _ = t.stream.DeleteConsumer(context.WithoutCancel(ctx), c.CachedInfo().Name) }()
	info, err := c.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", filter, err)
	}
	latest := map[string]version{}
	remaining := info.NumPending
	for remaining > 0 {
		batch, err := c.Fetch(int(min(remaining, maxBatch)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, fmt.Errorf("store: read %s: %w", filter, err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return nil, err
			}
			v, err := decodeVersion(md.Sequence.Stream, m.Subject(), md.Timestamp, m.Data())
			if err != nil {
				return nil, err
			}
			if old, ok := latest[v.subject]; !ok || old.seq < v.seq {
				latest[v.subject] = v
			}
			remaining = md.NumPending
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return nil, fmt.Errorf("store: read %s: %w", filter, err)
		}
		if n == 0 {
			return nil, fmt.Errorf("store: read %s: consumer stalled", filter)
		}
	}
	out := make([]version, 0, len(latest))
	for _, v := range latest {
		out = append(out, v)
	}
	return out, nil
}

// Query returns the items of the partition kc names whose sort key matches
// kc.Range, ordered by sort key (descending unless forward), after the
// item with key exclusiveStart if given, at most limit (0 for no limit).
// lastEvaluated is the key of the last item returned when more follow.
//
// It reads the partition's current items with batched direct gets over
// tbl.<id>.<hash>.>, so its cost is that of the partition, not the table.
func (t *Table) Query(ctx context.Context, kc *expression.KeyCondition, forward bool, limit int, exclusiveStart attrs.Item) (items []attrs.Item, lastEvaluated attrs.Item, err error) {
	hv := kc.HashValue
	if kc.HashKey != t.def.HashKey || hv.Kind != t.def.KeyTypes[t.def.HashKey] {
		return nil, nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	if kc.Range != nil && (t.def.RangeKey == "" || kc.Range.Key != t.def.RangeKey) {
		return nil, nil, validation("Query condition missed key schema element")
	}
	var startKey []byte
	if exclusiveStart != nil {
		if _, err := t.subjectOf(exclusiveStart, true); err != nil {
			return nil, nil, validation("The provided starting key is invalid: %s", strings.TrimPrefix(eddy.ErrorMessage(err), "One or more parameter values were invalid: "))
		}
		if !attrs.Equal(exclusiveStart[t.def.HashKey], hv) {
			return nil, nil, validation("The provided starting key does not match the range key predicate")
		}
		if t.def.RangeKey != "" {
			startKey = attrs.SortKey(exclusiveStart[t.def.RangeKey])
		}
	}
	h := attrs.SortKey(hv)
	versions, err := t.lastVersions(ctx, "tbl."+t.id+"."+token(h)+".>")
	if err != nil {
		return nil, nil, err
	}
	type keyed struct {
		sk   []byte
		item attrs.Item
	}
	var all []keyed
	for _, v := range versions {
		if v.new == nil {
			continue
		}
		if !attrs.Equal(v.new[t.def.HashKey], hv) { // a digest collision, in theory
			continue
		}
		var sk []byte
		if t.def.RangeKey != "" {
			rv := v.new[t.def.RangeKey]
			if kc.Range != nil && !kc.Range.Match(rv) {
				continue
			}
			sk = attrs.SortKey(rv)
		}
		all = append(all, keyed{sk, v.new})
	}
	slices.SortFunc(all, func(a, b keyed) int { return bytes.Compare(a.sk, b.sk) })
	if !forward {
		slices.Reverse(all)
	}
	if exclusiveStart != nil {
		if t.def.RangeKey == "" {
			all = nil // the partition's one item was returned already
		} else {
			i := 0
			for i < len(all) {
				c := bytes.Compare(all[i].sk, startKey)
				if (forward && c > 0) || (!forward && c < 0) {
					break
				}
				i++
			}
			all = all[i:]
		}
	}
	more := false
	if limit > 0 && len(all) >= limit { // DynamoDB stops at Limit even on the last item
		all, more = all[:limit], true
	}
	items = make([]attrs.Item, len(all))
	for i, k := range all {
		items[i] = k.item
	}
	if more {
		lastEvaluated = t.Key(items[len(items)-1])
	}
	return items, lastEvaluated, nil
}

// Scan returns the table's items in subject order (a stable order, not
// DynamoDB's), after the item with key exclusiveStart if given, at most
// limit (0 for no limit), restricted to segment of totalSegments (0 or 1
// for all) by a hash of the partition key. lastEvaluated is the key of the
// last item returned when more follow.
func (t *Table) Scan(ctx context.Context, limit int, exclusiveStart attrs.Item, segment, totalSegments int) (items []attrs.Item, lastEvaluated attrs.Item, err error) {
	if totalSegments > 1 && (segment < 0 || segment >= totalSegments) {
		return nil, nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is out of bounds of TotalSegments: %d", segment, totalSegments)
	}
	start := ""
	if exclusiveStart != nil {
		start, err = t.subjectOf(exclusiveStart, true)
		if err != nil {
			return nil, nil, validation("The provided starting key is invalid: %s", strings.TrimPrefix(eddy.ErrorMessage(err), "One or more parameter values were invalid: "))
		}
	}
	versions, err := t.lastVersions(ctx, "tbl."+t.id+".>")
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(versions, func(a, b version) int { return strings.Compare(a.subject, b.subject) })
	more := false
	for _, v := range versions {
		if v.new == nil || (start != "" && v.subject <= start) {
			continue
		}
		if totalSegments > 1 && segmentOf(v.subject, totalSegments) != segment {
			continue
		}
		items = append(items, v.new)
		if limit > 0 && len(items) == limit { // DynamoDB stops at Limit even on the last item
			more = true
			break
		}
	}
	if more {
		lastEvaluated = t.Key(items[len(items)-1])
	}
	return items, lastEvaluated, nil
}

// segmentOf hashes the partition token of subject tbl.<id>.<hash>.<range>.
func segmentOf(subject string, total int) int {
	parts := strings.Split(subject, ".")
	h := fnv.New32a()
	if len(parts) >= 3 {
		_, _ = h.Write([]byte(parts[2]))
	}
	return int(h.Sum32() % uint32(total))
}

// Stats returns the number of items and their total size as DynamoDB
// counts it (attrs.Size). It is exact at the moment of the read but costs a
// read of every current item; DynamoDB itself refreshes these figures only
// every six hours, so callers should cache them.
func (t *Table) Stats(ctx context.Context) (items, size int64, err error) {
	versions, err := t.lastVersions(ctx, "tbl."+t.id+".>")
	if err != nil {
		return 0, 0, err
	}
	for _, v := range versions {
		if v.new != nil {
			items++
			size += int64(attrs.Size(v.new))
		}
	}
	return items, size, nil
}
