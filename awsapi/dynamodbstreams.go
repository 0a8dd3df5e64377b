package awsapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables"
)

// Streams is eddy's DynamoDB Streams as the edge uses it; tables.Service
// implements it.
type Streams interface {
	StreamByArn(ctx context.Context, arn string) (*tables.Stream, error)
	TableStreams(ctx context.Context, table string) ([]*tables.Stream, error)
	AllStreams(ctx context.Context) ([]*tables.Stream, error)
}

// iteratorLifetime is how long a shard iterator may be used, as in
// DynamoDB Streams.
const iteratorLifetime = 15 * time.Minute

// serveDynamoDBStreams serves the DynamoDB Streams API.
func (h *Handler) serveDynamoDBStreams(w http.ResponseWriter, r *http.Request, target string) {
	op, ok := strings.CutPrefix(target, streamsPrefix)
	if !ok || r.Method != http.MethodPost || h.Tables == nil {
		h.writeDynamoError(w, r, eddy.TypedErrorf(eddy.EUNSUPPORT, "UnknownOperationException", "Unknown operation %s", target))
		return
	}
	data, err := readBody(r, maxDynamoRequest, eddy.TypedErrorf(eddy.ETOOLARGE, "RequestEntityTooLarge", "Request size exceeds the limit of %d bytes", maxDynamoRequest))
	if err != nil {
		h.writeDynamoError(w, r, err)
		return
	}
	ctx := r.Context()
	s := streamsAPI{h.Tables}
	var out any
	switch op {
	case "ListStreams":
		out, err = dynamoCall(ctx, data, s.listStreams)
	case "DescribeStream":
		out, err = dynamoCall(ctx, data, s.describeStream)
	case "GetShardIterator":
		out, err = dynamoCall(ctx, data, s.getShardIterator)
	case "GetRecords":
		out, err = dynamoCall(ctx, data, s.getRecords)
	default:
		err = eddy.TypedErrorf(eddy.EUNSUPPORT, "UnknownOperationException", "The operation %s is not supported by eddy", op)
	}
	if err != nil {
		h.writeDynamoError(w, r, err)
		return
	}
	writeDynamo(w, http.StatusOK, out)
}

// streamsAPI is the DynamoDB Streams operations over one Streams.
type streamsAPI struct {
	streams Streams
}

type listStreamsInput struct {
	TableName               string
	Limit                   *int
	ExclusiveStartStreamArn string
}

type streamSummary struct {
	StreamArn   string
	TableName   string
	StreamLabel string
}

type listStreamsOutput struct {
	Streams                []streamSummary
	LastEvaluatedStreamArn string `json:",omitempty"`
}

// listStreams lists streams (every table's, or one table's) in ARN order,
// in pages of up to 100.
func (s streamsAPI) listStreams(ctx context.Context, in *listStreamsInput) (any, error) {
	var c constraints
	c.limit("limit", in.Limit, 100)
	if in.ExclusiveStartStreamArn != "" {
		c.length("exclusiveStartStreamArn", in.ExclusiveStartStreamArn, 37, 1024)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if in.ExclusiveStartStreamArn != "" && !isStreamArn(in.ExclusiveStartStreamArn) {
		return nil, dynamoValidation("Invalid ExclusiveStartStreamArn")
	}
	var all []*tables.Stream
	var err error
	if in.TableName != "" {
		all, err = s.streams.TableStreams(ctx, in.TableName)
	} else {
		all, err = s.streams.AllStreams(ctx)
	}
	if err != nil {
		return nil, err
	}
	// ARN order is total and stable, so a page may start after an ARN whose
	// stream has gone since.
	slices.SortFunc(all, func(a, b *tables.Stream) int { return strings.Compare(a.Arn, b.Arn) })
	out := listStreamsOutput{Streams: []streamSummary{}}
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	for _, st := range all {
		if st.Arn <= in.ExclusiveStartStreamArn {
			continue
		}
		if len(out.Streams) == limit {
			out.LastEvaluatedStreamArn = out.Streams[limit-1].StreamArn
			break
		}
		out.Streams = append(out.Streams, streamSummary{StreamArn: st.Arn, TableName: st.TableName, StreamLabel: st.Label})
	}
	return out, nil
}

// isStreamArn reports whether arn has the shape of a stream ARN:
// arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL.
func isStreamArn(arn string) bool {
	rest, ok := strings.CutPrefix(arn, "arn:aws:dynamodb:")
	if !ok {
		return false
	}
	_, res, ok := strings.Cut(rest, ":table/")
	if !ok {
		return false
	}
	name, label, ok := strings.Cut(res, "/stream/")
	return ok && name != "" && label != ""
}

type describeStreamInput struct {
	StreamArn             string
	Limit                 *int
	ExclusiveStartShardId string
}

type sequenceNumberRange struct {
	StartingSequenceNumber string
	EndingSequenceNumber   string `json:",omitempty"`
}

type shardDescription struct {
	ShardId             string
	SequenceNumberRange sequenceNumberRange
}

type streamDescription struct {
	StreamArn               string
	StreamLabel             string
	StreamStatus            string
	StreamViewType          string
	CreationRequestDateTime float64
	TableName               string
	KeySchema               []tables.KeySchemaElement
	Shards                  []shardDescription
}

// describeStream describes a stream and its one shard. A disabled
// stream's shard is closed: its range has an end.
func (s streamsAPI) describeStream(ctx context.Context, in *describeStreamInput) (any, error) {
	var c constraints
	c.arn("streamArn", in.StreamArn)
	c.limit("limit", in.Limit, 100)
	if in.ExclusiveStartShardId != "" {
		c.length("exclusiveStartShardId", in.ExclusiveStartShardId, 28, 65)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	st, err := s.streams.StreamByArn(ctx, in.StreamArn)
	if err != nil {
		return nil, err
	}
	d := streamDescription{
		StreamArn: st.Arn, StreamLabel: st.Label, StreamStatus: "ENABLED", StreamViewType: st.ViewType,
		CreationRequestDateTime: float64(st.Created.UnixMilli()) / 1000, TableName: st.TableName,
		KeySchema: st.KeySchema, Shards: []shardDescription{},
	}
	shard := shardDescription{ShardId: st.ShardID, SequenceNumberRange: sequenceNumberRange{StartingSequenceNumber: tables.SequenceNumber(st.Start)}}
	if !st.Enabled() {
		d.StreamStatus = "DISABLED"
		shard.SequenceNumberRange.EndingSequenceNumber = tables.SequenceNumber(max(st.End-1, st.Start))
	}
	// Shards are listed in ShardId order, after ExclusiveStartShardId.
	if in.ExclusiveStartShardId < st.ShardID {
		d.Shards = append(d.Shards, shard)
	}
	return map[string]any{"StreamDescription": d}, nil
}

type getShardIteratorInput struct {
	StreamArn         string
	ShardId           string
	ShardIteratorType string
	SequenceNumber    string
}

// getShardIterator returns an iterator at the shard's trim horizon, its
// tip (LATEST), or at or after a sequence number of the shard.
func (s streamsAPI) getShardIterator(ctx context.Context, in *getShardIteratorInput) (any, error) {
	var c constraints
	c.arn("streamArn", in.StreamArn)
	if in.ShardId == "" {
		c.null("shardId")
	} else {
		c.length("shardId", in.ShardId, 28, 65)
	}
	switch in.ShardIteratorType {
	case "":
		c.null("shardIteratorType")
	case "TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
	default:
		c.add("Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]", in.ShardIteratorType)
	}
	if in.SequenceNumber != "" {
		c.length("sequenceNumber", in.SequenceNumber, 21, 40)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	bySeq := in.ShardIteratorType == "AT_SEQUENCE_NUMBER" || in.ShardIteratorType == "AFTER_SEQUENCE_NUMBER"
	if bySeq && in.SequenceNumber == "" {
		return nil, dynamoValidation("Must provide SequenceNumber for ShardIteratorType %s", in.ShardIteratorType)
	}
	if !bySeq && in.SequenceNumber != "" {
		return nil, dynamoValidation("SequenceNumber must not be provided for ShardIteratorType %s", in.ShardIteratorType)
	}
	st, err := s.streams.StreamByArn(ctx, in.StreamArn)
	if err != nil {
		return nil, err
	}
	if in.ShardId != st.ShardID {
		return nil, shardNotFound(in.ShardId, st.Arn)
	}
	last, err := st.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	var pos uint64
	switch in.ShardIteratorType {
	case "TRIM_HORIZON":
		if pos, err = st.TrimHorizon(ctx); err != nil {
			return nil, err
		}
	case "LATEST":
		pos = last + 1
	default:
		n, ok := tables.ParseSequenceNumber(in.SequenceNumber)
		// The shard's starting sequence number is valid even before the
		// shard holds a record.
		if !ok || n < st.Start || n > max(last, st.Start) {
			return nil, dynamoValidation("Invalid SequenceNumber %s for shard %s of stream %s", in.SequenceNumber, st.ShardID, st.Arn)
		}
		horizon, err := st.TrimHorizon(ctx)
		if err != nil {
			return nil, err
		}
		if n < horizon {
			return nil, trimmed()
		}
		pos = n
		if in.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
			pos = n + 1
		}
	}
	it := shardIterator{Arn: st.Arn, Shard: st.ShardID, Pos: pos, Issued: time.Now().UnixMilli()}
	return map[string]string{"ShardIterator": it.encode()}, nil
}

type getRecordsInput struct {
	ShardIterator string
	Limit         *int
}

type getRecordsOutput struct {
	Records []tables.APIRecord
	// NextShardIterator is absent once a closed shard has been read to its
	// end.
	NextShardIterator string `json:",omitempty"`
}

// getRecords reads up to Limit records (1,000 by default) from an
// iterator's position.
func (s streamsAPI) getRecords(ctx context.Context, in *getRecordsInput) (any, error) {
	var c constraints
	if in.ShardIterator == "" {
		c.null("shardIterator")
	} else {
		c.length("shardIterator", in.ShardIterator, 1, 2048)
	}
	c.limit("limit", in.Limit, 1000)
	if err := c.err(); err != nil {
		return nil, err
	}
	now := time.Now()
	it, err := decodeShardIterator(in.ShardIterator, now)
	if err != nil {
		return nil, err
	}
	st, err := s.streams.StreamByArn(ctx, it.Arn)
	if err != nil {
		return nil, err
	}
	if it.Shard != st.ShardID {
		return nil, shardNotFound(it.Shard, st.Arn)
	}
	horizon, err := st.TrimHorizon(ctx)
	if err != nil {
		return nil, err
	}
	if it.Pos < horizon {
		return nil, trimmed()
	}
	limit := 1000
	if in.Limit != nil {
		limit = *in.Limit
	}
	records, next, err := st.Read(ctx, it.Pos, limit)
	if err != nil {
		return nil, err
	}
	out := getRecordsOutput{Records: make([]tables.APIRecord, 0, len(records))}
	for _, rec := range records {
		out.Records = append(out.Records, st.API(rec))
	}
	if st.Enabled() || next < st.End {
		out.NextShardIterator = shardIterator{Arn: st.Arn, Shard: st.ShardID, Pos: next, Issued: now.UnixMilli()}.encode()
	}
	return out, nil
}

func shardNotFound(shard, arn string) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Requested resource not found: Shard %s does not exist in stream %s", shard, arn)
}

func trimmed() error {
	return eddy.TypedErrorf(eddy.EINVALID, "TrimmedDataAccessException", "The data you are trying to access has been trimmed.")
}

// shardIterator is a position in a shard. It is handed to clients encoded
// and keeps no state in eddy, so it stays valid across restarts and on
// every node, for iteratorLifetime after it was issued.
//
// The encoding is base64url (no padding) of its JSON followed by the first
// 8 bytes of a SHA-256 of that JSON: a truncated or altered iterator is
// refused rather than misread. The checksum is not a signature — eddy has
// no authentication, and an iterator only grants reads of a stream its
// holder could ask an iterator for anyway.
type shardIterator struct {
	Arn    string `json:"a"`
	Shard  string `json:"s"`
	Pos    uint64 `json:"p"` // the position read next
	Issued int64  `json:"t"` // Unix milliseconds
}

const iteratorSumSize = 8

func iteratorSum(data []byte) []byte {
	sum := sha256.Sum256(append([]byte("eddy shard iterator\x00"), data...))
	return sum[:iteratorSumSize]
}

func (it shardIterator) encode() string {
	// Marshalling strings and integers cannot fail.
	data, _ := json.Marshal(it)
	return base64.RawURLEncoding.EncodeToString(append(data, iteratorSum(data)...))
}

// decodeShardIterator decodes and checks an iterator: ValidationException
// if it is not one eddy issued, ExpiredIteratorException if it is older
// than iteratorLifetime at now.
func decodeShardIterator(s string, now time.Time) (shardIterator, error) {
	var it shardIterator
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(raw) <= iteratorSumSize {
		return it, invalidIterator()
	}
	data, sum := raw[:len(raw)-iteratorSumSize], raw[len(raw)-iteratorSumSize:]
	if !bytes.Equal(sum, iteratorSum(data)) {
		return it, invalidIterator()
	}
	if err := json.Unmarshal(data, &it); err != nil || it.Arn == "" || it.Shard == "" || it.Issued <= 0 {
		return shardIterator{}, invalidIterator()
	}
	issued := time.UnixMilli(it.Issued)
	if now.Sub(issued) > iteratorLifetime {
		const layout = "Mon Jan 02 15:04:05 MST 2006"
		return shardIterator{}, eddy.TypedErrorf(eddy.EINVALID, "ExpiredIteratorException",
			"Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			issued.UTC().Format(layout), now.UTC().Format(layout), iteratorLifetime.Milliseconds())
	}
	return it, nil
}

func invalidIterator() error {
	return dynamoValidation("Invalid ShardIterator")
}

// constraints collects the model constraints a request fails, to report
// them together as AWS does.
type constraints []string

func (c *constraints) add(format string, args ...any) {
	*c = append(*c, fmt.Sprintf(format, args...))
}

func (c *constraints) null(field string) {
	c.add("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}

func (c *constraints) length(field, v string, lo, hi int) {
	switch {
	case len(v) < lo:
		c.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", v, field, lo)
	case len(v) > hi:
		c.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", v, field, hi)
	}
}

// arn checks a required stream ARN's length.
func (c *constraints) arn(field, v string) {
	if v == "" {
		c.null(field)
		return
	}
	c.length(field, v, 37, 1024)
}

// limit checks an optional Limit against 1..hi.
func (c *constraints) limit(field string, v *int, hi int) {
	switch {
	case v == nil:
	case *v < 1:
		c.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to 1", *v, field)
	case *v > hi:
		c.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", *v, field, hi)
	}
}

func (c constraints) err() error {
	switch len(c) {
	case 0:
		return nil
	case 1:
		return dynamoValidation("1 validation error detected: %s", c[0])
	}
	return dynamoValidation("%d validation errors detected: %s", len(c), strings.Join(c, "; "))
}
