package index

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/eddyserverless/eddy/tables/store"
)

// errClosed is the error of a read on a closed index.
var errClosed = errors.New("index: closed")

// sync waits until every change the table had stored when it was called
// is reflected in the index.
func (x *Index) sync(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultWait)
		defer cancel()
	}
	target, err := x.base.LastSeq(ctx)
	if err != nil {
		return err
	}
	for {
		x.mu.Lock()
		pos, advanced, closed := x.pos, x.advanced, x.closed
		x.mu.Unlock()
		if closed {
			return errClosed
		}
		if pos >= target {
			return nil
		}
		x.nudge()
		select {
		case <-advanced:
		case <-ctx.Done():
			return fmt.Errorf("index %s: waiting for table sequence %d, at %d: %w", x.def.Name, target, pos, ctx.Err())
		}
	}
}

// order is the position of an entry within a partition of the index: index
// sort key, then the table's partition and sort keys.
type order [3][]byte

func (x *Index) orderOf(item attrs.Item) order {
	var o order
	for i, k := range []string{x.def.RangeKey, x.def.BaseHashKey, x.def.BaseRangeKey} {
		if k != "" {
			o[i] = attrs.SortKey(item[k])
		}
	}
	return o
}

func compareOrder(a, b order) int {
	for i := range a {
		if c := bytes.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// checkStart validates an ExclusiveStartKey: exactly the index's and the
// table's key attributes, with their types.
func (x *Index) checkStart(k attrs.Item) error {
	invalid := func(format string, args ...any) error {
		return validation("The provided starting key is invalid: "+format, args...)
	}
	if len(k) != len(x.keys) {
		return invalid("The provided key element does not match the schema")
	}
	for _, name := range x.keys {
		v, ok := k[name]
		if !ok {
			return invalid("The provided key element does not match the schema")
		}
		if want := x.def.KeyTypes[name]; v.Kind != want {
			return invalid("Type mismatch for key %s expected: %s actual: %s", name, want, v.Kind)
		}
		switch {
		case v.Kind == attrs.S && v.S == "":
			return invalid("The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", name)
		case v.Kind == attrs.B && len(v.B) == 0:
			return invalid("The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", name)
		}
	}
	return nil
}

// Query returns the entries of the index partition kc names whose index
// sort key matches kc.Range, ordered by index sort key and then by the
// table's keys (descending unless forward), after the entry with key
// exclusiveStart if given, at most limit (0 for no limit). lastEvaluated
// holds the index's and the table's keys of the last entry returned when
// more follow. The result reflects every table write acknowledged before
// the call; Query waits, within ctx, until the index has applied them.
//
// It reads the partition with batched direct gets over
// tix.<id>.e.<hash>.>, so its cost is that of the partition.
func (x *Index) Query(ctx context.Context, kc *expression.KeyCondition, forward bool, limit int, exclusiveStart attrs.Item) (items []attrs.Item, lastEvaluated attrs.Item, err error) {
	d := x.def
	if kc == nil {
		return nil, nil, validation("Query condition missed key schema element: %s", d.HashKey)
	}
	hv := kc.HashValue
	if kc.HashKey != d.HashKey || hv.Kind != d.KeyTypes[d.HashKey] {
		return nil, nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	if kc.Range != nil && (d.RangeKey == "" || kc.Range.Key != d.RangeKey) {
		return nil, nil, validation("Query condition missed key schema element")
	}
	var start order
	if exclusiveStart != nil {
		if err := x.checkStart(exclusiveStart); err != nil {
			return nil, nil, err
		}
		if !attrs.Equal(exclusiveStart[d.HashKey], hv) {
			return nil, nil, validation("The provided starting key does not match the range key predicate")
		}
		start = x.orderOf(exclusiveStart)
	}
	if err := x.sync(ctx); err != nil {
		return nil, nil, err
	}
	entries, err := store.ReadLast(ctx, x.e, x.stream, x.prefix+"e."+token(hv)+".>")
	if err != nil {
		return nil, nil, fmt.Errorf("index %s: query: %w", d.Name, err)
	}
	type keyed struct {
		o    order
		item attrs.Item
	}
	all := make([]keyed, 0, len(entries))
	for _, en := range entries {
		if !attrs.Equal(en.Item[d.HashKey], hv) { // a digest collision, in theory
			continue
		}
		if kc.Range != nil && !kc.Range.Match(en.Item[d.RangeKey]) {
			continue
		}
		all = append(all, keyed{x.orderOf(en.Item), en.Item})
	}
	slices.SortFunc(all, func(a, b keyed) int { return compareOrder(a.o, b.o) })
	if !forward {
		slices.Reverse(all)
	}
	if exclusiveStart != nil {
		i := 0
		for i < len(all) {
			c := compareOrder(all[i].o, start)
			if (forward && c > 0) || (!forward && c < 0) {
				break
			}
			i++
		}
		all = all[i:]
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
		lastEvaluated = x.key(items[len(items)-1])
	}
	return items, lastEvaluated, nil
}

// Scan returns the index's entries in subject order (a stable order, not
// DynamoDB's), after the entry with key exclusiveStart if given, at most
// limit (0 for no limit), restricted to segment of totalSegments (0 or 1
// for all) by a hash of the index partition key. lastEvaluated is the key
// of the last entry returned when more follow. Like Query, it reflects
// every table write acknowledged before the call.
func (x *Index) Scan(ctx context.Context, limit int, exclusiveStart attrs.Item, segment, totalSegments int) (items []attrs.Item, lastEvaluated attrs.Item, err error) {
	if totalSegments > 1 && (segment < 0 || segment >= totalSegments) {
		return nil, nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is out of bounds of TotalSegments: %d", segment, totalSegments)
	}
	start := ""
	if exclusiveStart != nil {
		if err := x.checkStart(exclusiveStart); err != nil {
			return nil, nil, err
		}
		start, _ = x.subjectOf(exclusiveStart)
	}
	if err := x.sync(ctx); err != nil {
		return nil, nil, err
	}
	entries, err := store.ReadLast(ctx, x.e, x.stream, x.prefix+"e.>")
	if err != nil {
		return nil, nil, fmt.Errorf("index %s: scan: %w", x.def.Name, err)
	}
	slices.SortFunc(entries, func(a, b store.Entry) int { return cmp.Compare(a.Subject, b.Subject) })
	more := false
	for _, en := range entries {
		if start != "" && en.Subject <= start {
			continue
		}
		if totalSegments > 1 && x.segmentOf(en.Subject, totalSegments) != segment {
			continue
		}
		items = append(items, en.Item)
		if limit > 0 && len(items) == limit { // DynamoDB stops at Limit even on the last item
			more = true
			break
		}
	}
	if more {
		lastEvaluated = x.key(items[len(items)-1])
	}
	return items, lastEvaluated, nil
}

// segmentOf hashes the index partition token of an entry subject.
func (x *Index) segmentOf(subject string, total int) int {
	rest := strings.TrimPrefix(subject, x.prefix+"e.")
	hash, _, _ := strings.Cut(rest, ".")
	h := fnv.New32a()
	_, _ = h.Write([]byte(hash))
	return int(h.Sum32() % uint32(total))
}

// Stats returns the number of entries and their total size as DynamoDB
// counts it (attrs.Size of the projected items). It does not wait for the
// index to catch up: while an index backfills, it reports the progress.
// It reads every entry; callers should cache the figures.
func (x *Index) Stats(ctx context.Context) (items, size int64, err error) {
	entries, err := store.ReadLast(ctx, x.e, x.stream, x.prefix+"e.>")
	if err != nil {
		return 0, 0, fmt.Errorf("index %s: stats: %w", x.def.Name, err)
	}
	for _, en := range entries {
		items++
		size += int64(attrs.Size(en.Item))
	}
	return items, size, nil
}
