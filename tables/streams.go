package tables

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/store"
)

// ttlPrincipal is the identity DynamoDB gives the deletes of expired items.
const ttlPrincipal = "dynamodb.amazonaws.com"

// Stream is one of a table's change streams: the changes from Start up to,
// not including, End (0 while the stream is enabled). Each stream has one
// shard.
type Stream struct {
	Arn       string
	TableName string
	Label     string
	ViewType  string
	Start     uint64
	End       uint64
	Created   time.Time
	KeySchema []KeySchemaElement
	ShardID   string

	region string
	st     *store.Table
	// Records older than retention (at now) are no longer part of the
	// stream, even where the store still keeps them: an item's current
	// version is never compacted.
	now       func() time.Time
	retention time.Duration
}

// Record is one change as a stream presents it.
type Record struct {
	Seq       uint64
	EventID   string
	EventName string // INSERT, MODIFY or REMOVE
	Keys      attrs.Item
	NewImage  attrs.Item // per the view type
	OldImage  attrs.Item
	Created   time.Time
	SizeBytes int
	ViewType  string
	// Expired marks a delete made by time to live.
	Expired bool
}

// SequenceNumber formats a position as a stream sequence number: 21
// decimal digits without leading zeros, as DynamoDB's look (10^20 plus the
// position), so that their string and numeric orders agree.
func SequenceNumber(seq uint64) string {
	return fmt.Sprintf("1%020d", seq)
}

// ParseSequenceNumber is the inverse of SequenceNumber.
func ParseSequenceNumber(s string) (uint64, bool) {
	rest, ok := strings.CutPrefix(s, "1")
	if !ok || len(rest) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	return n, err == nil
}

// StreamByArn resolves a stream ARN (of an enabled or a past stream).
func (s *Service) StreamByArn(ctx context.Context, arn string) (*Stream, error) {
	name, label, ok := parseStreamArn(arn)
	if !ok {
		return nil, validation("Invalid StreamArn")
	}
	m, o, err := s.table(ctx, name)
	if err != nil {
		if eddy.ErrorCode(err) == eddy.ENOTFOUND {
			return nil, streamNotFound(arn)
		}
		return nil, err
	}
	for _, sm := range m.Streams {
		if sm.Label == label {
			return s.stream(m, o, sm), nil
		}
	}
	return nil, streamNotFound(arn)
}

// TableStreams returns a table's streams, oldest first.
func (s *Service) TableStreams(ctx context.Context, table string) ([]*Stream, error) {
	m, o, err := s.table(ctx, table)
	if err != nil {
		return nil, err
	}
	out := make([]*Stream, 0, len(m.Streams))
	for _, sm := range m.Streams {
		out = append(out, s.stream(m, o, sm))
	}
	return out, nil
}

// AllStreams returns every table's streams, by table name, oldest first.
func (s *Service) AllStreams(ctx context.Context) ([]*Stream, error) {
	out, err := s.ListTables(ctx, &ListTablesInput{})
	if err != nil {
		return nil, err
	}
	var all []*Stream
	names := out.TableNames
	for len(names) > 0 {
		for _, name := range names {
			ss, err := s.TableStreams(ctx, name)
			if err != nil && eddy.ErrorCode(err) != eddy.ENOTFOUND {
				return nil, err
			}
			all = append(all, ss...)
		}
		if out.LastEvaluatedTableName == "" {
			break
		}
		out, err = s.ListTables(ctx, &ListTablesInput{ExclusiveStartTableName: out.LastEvaluatedTableName})
		if err != nil {
			return nil, err
		}
		names = out.TableNames
	}
	return all, nil
}

func streamNotFound(arn string) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Requested resource not found: Stream: %s not found", arn)
}

// parseStreamArn splits arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL.
func parseStreamArn(arn string) (table, label string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:dynamodb:")
	if !ok {
		return "", "", false
	}
	_, res, ok := strings.Cut(rest, ":table/")
	if !ok {
		return "", "", false
	}
	table, label, ok = strings.Cut(res, "/stream/")
	return table, label, ok && table != "" && label != ""
}

func (s *Service) stream(m *meta, o *opened, sm streamMeta) *Stream {
	h := fnv.New32a()
	_, _ = h.Write([]byte(m.ID + "/" + sm.Label))
	return &Stream{
		Arn: s.streamArn(m.Name, sm.Label), TableName: m.Name, Label: sm.Label, ViewType: sm.ViewType,
		Start: sm.StartSeq, End: sm.EndSeq, Created: sm.Created, KeySchema: m.KeySchema,
		ShardID: fmt.Sprintf("shardId-%020d-%08x", sm.Created.UnixMilli(), h.Sum32()),
		region:  s.cfg.Region, st: o.store, now: s.cfg.Now, retention: s.cfg.StreamRetention,
	}
}

// Enabled reports whether the stream still receives changes.
func (st *Stream) Enabled() bool { return st.End == 0 }

// LastSeq returns the position of the stream's latest record (Start-1 if
// it has none yet).
func (st *Stream) LastSeq(ctx context.Context) (uint64, error) {
	last, err := st.st.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	if st.End != 0 && last >= st.End {
		last = st.End - 1
	}
	if last < st.Start {
		return st.Start - 1, nil
	}
	return last, nil
}

// Watch calls wake, which must not block, soon after a change may have
// been added to the stream, so that a reader at the tip need not poll
// often. It is a hint: wake may come without a new record, and a reader
// should still read now and then in case one was missed. stop ends it.
func (st *Stream) Watch(wake func()) (stop func(), err error) {
	return st.st.Watch(wake)
}

// TrimHorizon returns the position of the stream's oldest record still
// kept.
func (st *Stream) TrimHorizon(ctx context.Context) (uint64, error) {
	first, err := st.st.FirstSeq(ctx)
	if err != nil {
		return 0, err
	}
	return max(first, st.Start), nil
}

// Read returns up to max records (at most 1,000) at or after position
// from, in order, and the position to read from next. Positions the stream
// no longer keeps (older than 24 hours) are skipped; past End nothing is
// returned.
func (st *Stream) Read(ctx context.Context, from uint64, max int) ([]Record, uint64, error) {
	if max <= 0 || max > 1000 {
		max = 1000
	}
	from = maxU(from, st.Start)
	if st.End != 0 && from >= st.End {
		return nil, from, nil
	}
	changes, err := st.st.Changes(ctx, from, max)
	if err != nil {
		return nil, from, err
	}
	next := from
	trimmed := st.now().Add(-st.retention)
	out := make([]Record, 0, len(changes))
	for _, c := range changes {
		if st.End != 0 && c.Seq >= st.End {
			next = st.End
			break
		}
		next = c.Seq + 1
		if c.Time.Before(trimmed) {
			continue
		}
		out = append(out, st.record(c))
	}
	if len(changes) == 0 && st.End != 0 {
		// Nothing at or after from, and a closed stream gets nothing
		// more: the reader is done.
		next = st.End
	}
	// With no changes at or after from, the reader is at the tip and reads
	// from there next time: a change written since Changes looked has
	// position from, and must not be skipped.
	return out, next, nil
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

func (st *Stream) record(c store.Change) Record {
	sum := sha256.Sum256([]byte(st.Arn + "#" + strconv.FormatUint(c.Seq, 10)))
	r := Record{
		Seq: c.Seq, EventID: hex.EncodeToString(sum[:16]), EventName: c.EventName,
		Keys: c.Keys, Created: c.Time, ViewType: st.ViewType, Expired: c.By == ttlPrincipal,
	}
	switch st.ViewType {
	case "NEW_IMAGE":
		r.NewImage = c.New
	case "OLD_IMAGE":
		r.OldImage = c.Old
	case "NEW_AND_OLD_IMAGES":
		r.NewImage, r.OldImage = c.New, c.Old
	}
	r.SizeBytes = attrs.Size(r.Keys) + attrs.Size(r.NewImage) + attrs.Size(r.OldImage)
	return r
}

// streamData is the dynamodb member of a record, in both renderings.
type streamData struct {
	ApproximateCreationDateTime float64
	Keys                        attrs.Item
	NewImage                    attrs.Item `json:",omitempty"`
	OldImage                    attrs.Item `json:",omitempty"`
	SequenceNumber              string
	SizeBytes                   int
	StreamViewType              string
}

func (r Record) data() streamData {
	return streamData{
		ApproximateCreationDateTime: float64(r.Created.Unix()),
		Keys:                        r.Keys, NewImage: r.NewImage, OldImage: r.OldImage,
		SequenceNumber: SequenceNumber(r.Seq), SizeBytes: r.SizeBytes, StreamViewType: r.ViewType,
	}
}

// APIRecord is a record as DynamoDB Streams' GetRecords returns it.
type APIRecord struct {
	EventID      string       `json:"eventID"`
	EventName    string       `json:"eventName"`
	EventVersion string       `json:"eventVersion"`
	EventSource  string       `json:"eventSource"`
	AwsRegion    string       `json:"awsRegion"`
	Dynamodb     streamData   `json:"dynamodb"`
	UserIdentity *APIIdentity `json:"userIdentity,omitempty"`
}

// APIIdentity is the identity of a GetRecords record.
type APIIdentity struct {
	PrincipalID string `json:"PrincipalId"`
	Type        string
}

// API renders the record for GetRecords.
func (st *Stream) API(r Record) APIRecord {
	out := APIRecord{EventID: r.EventID, EventName: r.EventName, EventVersion: "1.1", EventSource: "aws:dynamodb", AwsRegion: st.region, Dynamodb: r.data()}
	if r.Expired {
		out.UserIdentity = &APIIdentity{PrincipalID: ttlPrincipal, Type: "Service"}
	}
	return out
}

// LambdaRecord is a record as Lambda delivers it to a function, the
// element of the event's Records (aws-lambda-go's DynamoDBEventRecord).
type LambdaRecord struct {
	EventID        string          `json:"eventID"`
	EventName      string          `json:"eventName"`
	EventVersion   string          `json:"eventVersion"`
	EventSource    string          `json:"eventSource"`
	AwsRegion      string          `json:"awsRegion"`
	Dynamodb       streamData      `json:"dynamodb"`
	EventSourceArn string          `json:"eventSourceARN"`
	UserIdentity   *LambdaIdentity `json:"userIdentity,omitempty"`
}

// LambdaIdentity is the identity of a Lambda event record.
type LambdaIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
}

// Lambda renders the record for a Lambda event.
func (st *Stream) Lambda(r Record) LambdaRecord {
	out := LambdaRecord{EventID: r.EventID, EventName: r.EventName, EventVersion: "1.1", EventSource: "aws:dynamodb",
		AwsRegion: st.region, Dynamodb: r.data(), EventSourceArn: st.Arn}
	if r.Expired {
		out.UserIdentity = &LambdaIdentity{Type: "Service", PrincipalID: ttlPrincipal}
	}
	return out
}
