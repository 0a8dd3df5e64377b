package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/nats-io/nats.go/jetstream"
)

// Change is one change record, as DynamoDB Streams describes it.
type Change struct {
	Seq       uint64
	EventName string // INSERT, MODIFY or REMOVE
	Keys      attrs.Item
	Old, New  attrs.Item // nil when absent
	Time      time.Time
	// By is the service that made the change ("" for a client), such as
	// dynamodb.amazonaws.com for an expired item.
	By string
}

// Changes returns up to max change records (0 for up to 1,024) from
// sequence fromSeq on, in order. Pass the last Seq plus one to continue.
// Records removed by Compact are skipped.
func (t *Table) Changes(ctx context.Context, fromSeq uint64, max int) ([]Change, error) {
	if max <= 0 || max > maxBatch {
		max = maxBatch
	}
	if fromSeq == 0 {
		fromSeq = 1
	}
	var out []Change
	req := directRequest{Seq: fromSeq, NextFor: "tbl." + t.id + ".>", Batch: max, MaxBytes: maxReplyBytes}
	_, _, err := t.directBatch(ctx, req, func(v version) error {
		old, err := v.old()
		if err != nil {
			return err
		}
		c := Change{Seq: v.seq, Old: old, New: v.new, Time: v.time, By: v.by}
		switch {
		case old == nil:
			c.EventName, c.Keys = "INSERT", t.Key(v.new)
		case v.new == nil:
			c.EventName, c.Keys = "REMOVE", t.Key(old)
		default:
			c.EventName, c.Keys = "MODIFY", t.Key(v.new)
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// firstSeqAfter returns the sequence of the first message stored at or
// after tm, or 0 if there is none.
func (t *Table) firstSeqAfter(ctx context.Context, tm time.Time) (uint64, error) {
	nc := t.e.Conn
	body, err := json.Marshal(struct {
		StartTime time.Time `json:"start_time"`
		NextFor   string    `json:"next_by_subj"`
	}{tm.UTC(), "tbl." + t.id + ".>"})
	if err != nil {
		return 0, err
	}
	m, err := nc.RequestWithContext(ctx, "$JS.API.DIRECT.GET."+t.name, body)
	if err != nil {
		return 0, fmt.Errorf("store: compact: %w", err)
	}
	switch m.Header.Get("Status") {
	case "":
		return parseUint(m.Header.Get(jetstream.SequenceHeader)), nil
	case "404":
		return 0, nil
	}
	return 0, fmt.Errorf("store: compact: status %s %s", m.Header.Get("Status"), m.Header.Get("Description"))
}

// Compact removes change records written before cutoff that are no longer
// an item's current version: superseded versions, and delete markers with
// nothing after them. Current items are never removed, however old. Call it
// periodically with a cutoff 24 hours back (DynamoDB Streams' retention),
// or later if a change reader has not yet passed that point. It returns the
// number of subjects it purged.
func (t *Table) Compact(ctx context.Context, cutoff time.Time) (int, error) {
	bound, err := t.firstSeqAfter(ctx, cutoff)
	if err != nil {
		return 0, err
	}
	info, err := t.stream.Info(ctx, jetstream.WithSubjectFilter("tbl."+t.id+".>"))
	if err != nil {
		return 0, fmt.Errorf("store: compact: %w", err)
	}
	if bound == 0 {
		bound = info.State.LastSeq + 1 // every message is older than cutoff
	}
	purged := 0
	for subject, n := range info.State.Subjects {
		m, err := t.stream.GetLastMsgForSubject(ctx, subject)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return purged, fmt.Errorf("store: compact: %w", err)
		}
		below := min(bound, m.Sequence) // keep the current version
		if m.Sequence < bound {
			v, err := decodeVersion(m.Sequence, m.Subject, m.Time, m.Data)
			if err != nil {
				return purged, err
			}
			if v.new == nil {
				below = m.Sequence + 1 // an old delete marker goes too
			}
		}
		if n <= 1 && below <= m.Sequence {
			continue // nothing superseded
		}
		if err := t.stream.Purge(ctx, jetstream.WithPurgeSubject(subject), jetstream.WithPurgeSequence(below)); err != nil {
			return purged, fmt.Errorf("store: compact: %w", err)
		}
		purged++
	}
	return purged, nil
}
