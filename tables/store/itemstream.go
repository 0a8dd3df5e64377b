package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/nats-io/nats.go/jetstream"
)

// This file lends the table's subject encoding and partition reads to
// streams that keep items derived from a table, such as secondary indexes.

// Token returns the subject token a table writes for a key value whose
// attrs.SortKey bytes are sortKey: base32hex (lower case, no padding, so
// byte order is kept), "-" for no value, and "x" plus a SHA-256 hex digest
// when the encoding would be over 1,024 characters.
func Token(sortKey []byte) string { return token(sortKey) }

// LastSeq returns the sequence of the last message stored in the table's
// stream, 0 if none. Every write acknowledged before the call has a
// sequence at or below it; Changes may skip some of them (Compact removes
// superseded versions), so a reader that finds no change record after its
// position is caught up with LastSeq.
func (t *Table) LastSeq(ctx context.Context) (uint64, error) {
	info, err := t.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: %s: stream info: %w", t.def.Name, err)
	}
	return info.State.LastSeq, nil
}

// Entry is the current item of one subject of an item stream.
type Entry struct {
	Seq     uint64
	Subject string
	Item    attrs.Item
}

// EncodeEntry returns the message that stores item in an item stream: the
// table's own record, {"new": item, "old": null, "ts": unix ms}, so that
// ReadLast reads tables and item streams alike.
func EncodeEntry(item attrs.Item, ts time.Time) ([]byte, error) {
	data, err := json.Marshal(struct {
		New attrs.Item `json:"new"`
		Old attrs.Item `json:"old"`
		TS  int64      `json:"ts"`
	}{New: item, TS: ts.UnixMilli()})
	if err != nil {
		return nil, fmt.Errorf("store: encode: %w", err)
	}
	return data, nil
}

// ReadLast returns the current item of every subject of stream that matches
// filter, skipping deleted ones, in no particular order. It reads as Query
// reads a partition: batched direct gets (multi_last), or an ephemeral
// consumer when the filter matches more than 1,024 subjects, so its cost is
// that of the subjects it matches. stream must allow direct gets and hold
// messages written by a Table or by EncodeEntry.
func ReadLast(ctx context.Context, e *engine.Engine, stream jetstream.Stream, filter string) ([]Entry, error) {
	// A Table with only the stream set is all the readers use.
	r := &Table{e: e, name: stream.CachedInfo().Config.Name, stream: stream}
	versions, err := r.lastVersions(ctx, filter)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(versions))
	for _, v := range versions {
		if v.new != nil {
			out = append(out, Entry{Seq: v.seq, Subject: v.subject, Item: v.new})
		}
	}
	return out, nil
}
