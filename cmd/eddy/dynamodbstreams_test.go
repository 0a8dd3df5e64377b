package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// MustStreamsClients returns DynamoDB and DynamoDB Streams clients of the
// server. They do not retry, so that every error reaches the test.
func MustStreamsClients(tb testing.TB, m *Main) (*dynamodb.Client, *dynamodbstreams.Client) {
	tb.Helper()
	cfg := awsConfig(m.URL())
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	st := dynamodbstreams.NewFromConfig(cfg, func(o *dynamodbstreams.Options) { o.RetryMaxAttempts = 1 })
	return db, st
}

// MustStreamTable creates a table keyed by pk (S) and sk (N) with a stream
// of viewType, and returns the stream's ARN.
func MustStreamTable(tb testing.TB, db *dynamodb.Client, name string, viewType dbtypes.StreamViewType) string {
	tb.Helper()
	out, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []dbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: dbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: dbtypes.ScalarAttributeTypeN},
		},
		KeySchema: []dbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: dbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: dbtypes.KeyTypeRange},
		},
		BillingMode:         dbtypes.BillingModePayPerRequest,
		StreamSpecification: &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: viewType},
	})
	if err != nil {
		tb.Fatalf("create table %s: %v", name, err)
	}
	arn := aws.ToString(out.TableDescription.LatestStreamArn)
	if arn == "" {
		tb.Fatalf("create table %s: got no LatestStreamArn", name)
	}
	return arn
}

func streamKey(pk string, sk int) map[string]dbtypes.AttributeValue {
	return map[string]dbtypes.AttributeValue{
		"pk": &dbtypes.AttributeValueMemberS{Value: pk},
		"sk": &dbtypes.AttributeValueMemberN{Value: strconv.Itoa(sk)},
	}
}

func streamItem(pk string, sk int, v string) map[string]dbtypes.AttributeValue {
	it := streamKey(pk, sk)
	it["v"] = &dbtypes.AttributeValueMemberS{Value: v}
	return it
}

func mustStreamPut(tb testing.TB, db *dynamodb.Client, table string, it map[string]dbtypes.AttributeValue) {
	tb.Helper()
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
		tb.Fatalf("put item: %v", err)
	}
}

func mustStreamSet(tb testing.TB, db *dynamodb.Client, table, pk string, sk int, v string) {
	tb.Helper()
	_, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(table), Key: streamKey(pk, sk), UpdateExpression: aws.String("SET v = :v"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":v": &dbtypes.AttributeValueMemberS{Value: v}},
	})
	if err != nil {
		tb.Fatalf("update item: %v", err)
	}
}

func mustStreamDelete(tb testing.TB, db *dynamodb.Client, table, pk string, sk int) {
	tb.Helper()
	if _, err := db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: streamKey(pk, sk)}); err != nil {
		tb.Fatalf("delete item: %v", err)
	}
}

func mustDescribeStream(tb testing.TB, st *dynamodbstreams.Client, arn string) *types.StreamDescription {
	tb.Helper()
	out, err := st.DescribeStream(context.Background(), &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		tb.Fatalf("describe stream %s: %v", arn, err)
	}
	return out.StreamDescription
}

// mustShardIterator returns an iterator of the stream's one shard.
func mustShardIterator(tb testing.TB, st *dynamodbstreams.Client, arn string, typ types.ShardIteratorType, seq string) string {
	tb.Helper()
	d := mustDescribeStream(tb, st, arn)
	if len(d.Shards) != 1 {
		tb.Fatalf("got %d shards, want 1", len(d.Shards))
	}
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: d.Shards[0].ShardId, ShardIteratorType: typ}
	if seq != "" {
		in.SequenceNumber = aws.String(seq)
	}
	out, err := st.GetShardIterator(context.Background(), in)
	if err != nil {
		tb.Fatalf("get shard iterator %s: %v", typ, err)
	}
	return aws.ToString(out.ShardIterator)
}

// readStreamShard follows an iterator chain with pages of up to limit records
// (0 for the default) until a page comes back empty or the chain ends, and
// returns the records and the last NextShardIterator (nil if it ended).
func readStreamShard(tb testing.TB, st *dynamodbstreams.Client, it string, limit int32) ([]types.Record, *string) {
	tb.Helper()
	var all []types.Record
	next := &it
	for range 1000 {
		in := &dynamodbstreams.GetRecordsInput{ShardIterator: next}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		out, err := st.GetRecords(context.Background(), in)
		if err != nil {
			tb.Fatalf("get records: %v", err)
		}
		if limit > 0 && len(out.Records) > int(limit) {
			tb.Fatalf("got %d records, want at most %d", len(out.Records), limit)
		}
		all = append(all, out.Records...)
		next = out.NextShardIterator
		if next == nil || len(out.Records) == 0 {
			return all, next
		}
	}
	tb.Fatal("the iterator chain did not come to rest")
	return nil, nil
}

// streamChange is what a test expects of one record.
type streamChange struct {
	event    types.OperationType
	pk       string
	sk       int
	newV     string // "" for no NewImage
	oldV     string // "" for no OldImage
	byExpiry bool
}

func streamStr(av types.AttributeValue) string {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	}
	return fmt.Sprintf("%T", av)
}

// checkStreamRecords compares records with the changes expected, in order, and
// checks what every record carries.
func checkStreamRecords(tb testing.TB, got []types.Record, want []streamChange, viewType types.StreamViewType) {
	tb.Helper()
	if len(got) != len(want) {
		for i, r := range got {
			tb.Logf("record %d: %s pk=%s sk=%s", i, r.EventName, streamStr(r.Dynamodb.Keys["pk"]), streamStr(r.Dynamodb.Keys["sk"]))
		}
		tb.Fatalf("got %d records, want %d", len(got), len(want))
	}
	ids := map[string]bool{}
	prevSeq := ""
	for i, r := range got {
		w := want[i]
		d := r.Dynamodb
		if r.EventName != w.event {
			tb.Fatalf("record %d: got eventName %s, want %s", i, r.EventName, w.event)
		}
		if aws.ToString(r.EventSource) != "aws:dynamodb" || aws.ToString(r.EventVersion) != "1.1" || aws.ToString(r.AwsRegion) != "us-east-1" {
			tb.Fatalf("record %d: got eventSource %q, eventVersion %q, awsRegion %q, want aws:dynamodb, 1.1, us-east-1",
				i, aws.ToString(r.EventSource), aws.ToString(r.EventVersion), aws.ToString(r.AwsRegion))
		}
		id := aws.ToString(r.EventID)
		if id == "" || ids[id] {
			tb.Fatalf("record %d: got eventID %q, want a new one", i, id)
		}
		ids[id] = true
		if d == nil {
			tb.Fatalf("record %d: got no dynamodb member", i)
		}
		if len(d.Keys) != 2 || streamStr(d.Keys["pk"]) != w.pk || streamStr(d.Keys["sk"]) != strconv.Itoa(w.sk) {
			tb.Fatalf("record %d: got Keys %v, want pk=%s sk=%d", i, d.Keys, w.pk, w.sk)
		}
		if d.StreamViewType != viewType {
			tb.Fatalf("record %d: got StreamViewType %s, want %s", i, d.StreamViewType, viewType)
		}
		seq := aws.ToString(d.SequenceNumber)
		// Sequence numbers have one length, so string order is numeric order.
		if len(seq) < 21 || seq <= prevSeq || (prevSeq != "" && len(seq) != len(prevSeq)) {
			tb.Fatalf("record %d: got SequenceNumber %q after %q, want a larger one", i, seq, prevSeq)
		}
		prevSeq = seq
		if d.ApproximateCreationDateTime == nil || time.Since(*d.ApproximateCreationDateTime) > time.Hour {
			tb.Fatalf("record %d: got ApproximateCreationDateTime %v, want about now", i, d.ApproximateCreationDateTime)
		}
		if aws.ToInt64(d.SizeBytes) <= 0 {
			tb.Fatalf("record %d: got SizeBytes %d, want more than 0", i, aws.ToInt64(d.SizeBytes))
		}
		if got := streamImageV(d.NewImage); got != w.newV {
			tb.Fatalf("record %d: got NewImage v %q (%v), want %q", i, got, d.NewImage, w.newV)
		}
		if got := streamImageV(d.OldImage); got != w.oldV {
			tb.Fatalf("record %d: got OldImage v %q (%v), want %q", i, got, d.OldImage, w.oldV)
		}
		for _, img := range []map[string]types.AttributeValue{d.NewImage, d.OldImage} {
			if img != nil && (streamStr(img["pk"]) != w.pk || streamStr(img["sk"]) != strconv.Itoa(w.sk)) {
				tb.Fatalf("record %d: got image %v, want one with the record's key", i, img)
			}
		}
		if w.byExpiry {
			u := r.UserIdentity
			if u == nil || aws.ToString(u.PrincipalId) != "dynamodb.amazonaws.com" || aws.ToString(u.Type) != "Service" {
				tb.Fatalf("record %d: got userIdentity %+v, want dynamodb.amazonaws.com, Service", i, u)
			}
		} else if r.UserIdentity != nil {
			tb.Fatalf("record %d: got userIdentity %+v, want none", i, r.UserIdentity)
		}
	}
}

// streamImageV is an image's v attribute, "-" for an image without one and ""
// for no image.
func streamImageV(img map[string]types.AttributeValue) string {
	if img == nil {
		return ""
	}
	if v, ok := img["v"]; ok {
		return streamStr(v)
	}
	return "-"
}

// streamSeq returns a record's sequence number.
func streamSeq(r types.Record) string { return aws.ToString(r.Dynamodb.SequenceNumber) }

func TestStreamNewAndOldImages(t *testing.T) {
	m := MustStartMain(t, Config{})
	db, st := MustStreamsClients(t, m)
	ctx := context.Background()
	arn := MustStreamTable(t, db, "orders", dbtypes.StreamViewTypeNewAndOldImages)

	// The stream as ListStreams and DescribeStream see it.
	ls, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("orders")})
	if err != nil {
		t.Fatalf("list streams: %v", err)
	}
	if len(ls.Streams) != 1 || aws.ToString(ls.Streams[0].StreamArn) != arn || aws.ToString(ls.Streams[0].TableName) != "orders" ||
		aws.ToString(ls.Streams[0].StreamLabel) == "" || ls.LastEvaluatedStreamArn != nil {
		t.Fatalf("got streams %+v (last %v), want one: %s", ls.Streams, ls.LastEvaluatedStreamArn, arn)
	}
	d := mustDescribeStream(t, st, arn)
	if aws.ToString(d.StreamArn) != arn || aws.ToString(d.StreamLabel) != aws.ToString(ls.Streams[0].StreamLabel) ||
		d.StreamStatus != types.StreamStatusEnabled || d.StreamViewType != types.StreamViewTypeNewAndOldImages ||
		aws.ToString(d.TableName) != "orders" || d.CreationRequestDateTime == nil || time.Since(*d.CreationRequestDateTime) > time.Hour {
		t.Fatalf("got description %+v, want the enabled stream of orders", d)
	}
	if len(d.KeySchema) != 2 || aws.ToString(d.KeySchema[0].AttributeName) != "pk" || d.KeySchema[0].KeyType != types.KeyTypeHash ||
		aws.ToString(d.KeySchema[1].AttributeName) != "sk" || d.KeySchema[1].KeyType != types.KeyTypeRange {
		t.Fatalf("got key schema %+v, want pk HASH, sk RANGE", d.KeySchema)
	}
	if len(d.Shards) != 1 || aws.ToString(d.Shards[0].ShardId) == "" || d.Shards[0].SequenceNumberRange == nil ||
		aws.ToString(d.Shards[0].SequenceNumberRange.StartingSequenceNumber) == "" || d.Shards[0].SequenceNumberRange.EndingSequenceNumber != nil {
		t.Fatalf("got shards %+v, want one open shard", d.Shards)
	}
	// An empty open shard: no records, and an iterator to go on with.
	recs, next := readStreamShard(t, st, mustShardIterator(t, st, arn, types.ShardIteratorTypeTrimHorizon, ""), 0)
	if len(recs) != 0 || next == nil {
		t.Fatalf("empty stream: got %d records and next %v, want none and an iterator", len(recs), next)
	}

	mustStreamPut(t, db, "orders", streamItem("a", 1, "a1"))
	mustStreamPut(t, db, "orders", streamItem("b", 2, "b1"))
	mustStreamSet(t, db, "orders", "a", 1, "a2")
	mustStreamDelete(t, db, "orders", "b", 2)
	mustStreamDelete(t, db, "orders", "zz", 9) // deletes nothing: no record
	mustStreamPut(t, db, "orders", streamItem("a", 1, "a3"))
	mustStreamSet(t, db, "orders", "c", 3, "c1") // creates the item
	mustStreamDelete(t, db, "orders", "a", 1)
	want := []streamChange{
		{event: types.OperationTypeInsert, pk: "a", sk: 1, newV: "a1"},
		{event: types.OperationTypeInsert, pk: "b", sk: 2, newV: "b1"},
		{event: types.OperationTypeModify, pk: "a", sk: 1, newV: "a2", oldV: "a1"},
		{event: types.OperationTypeRemove, pk: "b", sk: 2, oldV: "b1"},
		{event: types.OperationTypeModify, pk: "a", sk: 1, newV: "a3", oldV: "a2"},
		{event: types.OperationTypeInsert, pk: "c", sk: 3, newV: "c1"},
		{event: types.OperationTypeRemove, pk: "a", sk: 1, oldV: "a3"},
	}

	// TRIM_HORIZON: every change once, in order.
	all, next := readStreamShard(t, st, mustShardIterator(t, st, arn, types.ShardIteratorTypeTrimHorizon, ""), 0)
	checkStreamRecords(t, all, want, types.StreamViewTypeNewAndOldImages)
	if next == nil {
		t.Fatal("open shard: got no NextShardIterator, want one")
	}
	// The same in pages of two.
	paged, _ := readStreamShard(t, st, mustShardIterator(t, st, arn, types.ShardIteratorTypeTrimHorizon, ""), 2)
	checkStreamRecords(t, paged, want, types.StreamViewTypeNewAndOldImages)
	for i := range all {
		if aws.ToString(paged[i].EventID) != aws.ToString(all[i].EventID) {
			t.Fatalf("paged record %d: got eventID %s, want %s", i, aws.ToString(paged[i].EventID), aws.ToString(all[i].EventID))
		}
	}

	// AT_ and AFTER_SEQUENCE_NUMBER.
	at, _ := readStreamShard(t, st, mustShardIterator(t, st, arn, types.ShardIteratorTypeAtSequenceNumber, streamSeq(all[2])), 0)
	checkStreamRecords(t, at, want[2:], types.StreamViewTypeNewAndOldImages)
	after, _ := readStreamShard(t, st, mustShardIterator(t, st, arn, types.ShardIteratorTypeAfterSequenceNumber, streamSeq(all[2])), 0)
	checkStreamRecords(t, after, want[3:], types.StreamViewTypeNewAndOldImages)
	last, _ := readStreamShard(t, st, mustShardIterator(t, st, arn, types.ShardIteratorTypeAfterSequenceNumber, streamSeq(all[6])), 0)
	checkStreamRecords(t, last, nil, types.StreamViewTypeNewAndOldImages)
	// The shard's starting sequence number is a valid position.
	start := aws.ToString(d.Shards[0].SequenceNumberRange.StartingSequenceNumber)
	fromStart, _ := readStreamShard(t, st, mustShardIterator(t, st, arn, types.ShardIteratorTypeAtSequenceNumber, start), 0)
	checkStreamRecords(t, fromStart, want, types.StreamViewTypeNewAndOldImages)

	// LATEST sees only later writes; the iterator it ended with continues.
	latest := mustShardIterator(t, st, arn, types.ShardIteratorTypeLatest, "")
	got, next := readStreamShard(t, st, latest, 0)
	if len(got) != 0 || next == nil {
		t.Fatalf("LATEST: got %d records and next %v, want none and an iterator", len(got), next)
	}
	mustStreamPut(t, db, "orders", streamItem("d", 4, "d1"))
	got, _ = readStreamShard(t, st, *next, 0)
	checkStreamRecords(t, got, []streamChange{{event: types.OperationTypeInsert, pk: "d", sk: 4, newV: "d1"}}, types.StreamViewTypeNewAndOldImages)
	got, _ = readStreamShard(t, st, latest, 0)
	checkStreamRecords(t, got, []streamChange{{event: types.OperationTypeInsert, pk: "d", sk: 4, newV: "d1"}}, types.StreamViewTypeNewAndOldImages)
}

func TestStreamViewTypes(t *testing.T) {
	m := MustStartMain(t, Config{})
	db, st := MustStreamsClients(t, m)
	tests := []struct {
		viewType dbtypes.StreamViewType
		want     []streamChange
	}{
		{dbtypes.StreamViewTypeKeysOnly, []streamChange{
			{event: types.OperationTypeInsert, pk: "k", sk: 1},
			{event: types.OperationTypeModify, pk: "k", sk: 1},
			{event: types.OperationTypeRemove, pk: "k", sk: 1},
		}},
		{dbtypes.StreamViewTypeNewImage, []streamChange{
			{event: types.OperationTypeInsert, pk: "k", sk: 1, newV: "v1"},
			{event: types.OperationTypeModify, pk: "k", sk: 1, newV: "v2"},
			{event: types.OperationTypeRemove, pk: "k", sk: 1},
		}},
		{dbtypes.StreamViewTypeOldImage, []streamChange{
			{event: types.OperationTypeInsert, pk: "k", sk: 1},
			{event: types.OperationTypeModify, pk: "k", sk: 1, oldV: "v1"},
			{event: types.OperationTypeRemove, pk: "k", sk: 1, oldV: "v2"},
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.viewType), func(t *testing.T) {
			table := "view-" + string(tt.viewType)
			arn := MustStreamTable(t, db, table, tt.viewType)
			mustStreamPut(t, db, table, streamItem("k", 1, "v1"))
			mustStreamSet(t, db, table, "k", 1, "v2")
			mustStreamDelete(t, db, table, "k", 1)
			if d := mustDescribeStream(t, st, arn); d.StreamViewType != types.StreamViewType(tt.viewType) {
				t.Fatalf("got StreamViewType %s, want %s", d.StreamViewType, tt.viewType)
			}
			got, _ := readStreamShard(t, st, mustShardIterator(t, st, arn, types.ShardIteratorTypeTrimHorizon, ""), 0)
			checkStreamRecords(t, got, tt.want, types.StreamViewType(tt.viewType))
		})
	}
}

func TestStreamListPaging(t *testing.T) {
	m := MustStartMain(t, Config{})
	db, st := MustStreamsClients(t, m)
	ctx := context.Background()
	var want []string
	for _, name := range []string{"list-c", "list-a", "list-b"} {
		want = append(want, MustStreamTable(t, db, name, dbtypes.StreamViewTypeKeysOnly))
	}
	// A table without a stream lists none.
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("list-none"),
		AttributeDefinitions: []dbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: dbtypes.ScalarAttributeTypeS}},
		KeySchema:            []dbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: dbtypes.KeyTypeHash}},
		BillingMode:          dbtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatalf("create table: %v", err)
	}
	none, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("list-none")})
	if err != nil || len(none.Streams) != 0 {
		t.Fatalf("table without a stream: got %+v, %v, want no streams", none, err)
	}

	var got []string
	in := &dynamodbstreams.ListStreamsInput{Limit: aws.Int32(1)}
	for range 10 {
		out, err := st.ListStreams(ctx, in)
		if err != nil {
			t.Fatalf("list streams: %v", err)
		}
		if len(out.Streams) > 1 {
			t.Fatalf("got %d streams, want at most 1", len(out.Streams))
		}
		for _, s := range out.Streams {
			got = append(got, aws.ToString(s.StreamArn))
		}
		if out.LastEvaluatedStreamArn == nil {
			break
		}
		in.ExclusiveStartStreamArn = out.LastEvaluatedStreamArn
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("got streams %v, want %v", got, want)
	}
	all, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{})
	if err != nil || len(all.Streams) != 3 || all.LastEvaluatedStreamArn != nil {
		t.Fatalf("got %+v, %v, want three streams on one page", all, err)
	}
}

func TestStreamDisableAndReenable(t *testing.T) {
	m := MustStartMain(t, Config{})
	db, st := MustStreamsClients(t, m)
	ctx := context.Background()
	arn1 := MustStreamTable(t, db, "toggle", dbtypes.StreamViewTypeNewImage)
	before := mustShardIterator(t, st, arn1, types.ShardIteratorTypeTrimHorizon, "")
	mustStreamPut(t, db, "toggle", streamItem("x", 1, "x1"))
	mustStreamPut(t, db, "toggle", streamItem("x", 2, "x2"))
	want := []streamChange{
		{event: types.OperationTypeInsert, pk: "x", sk: 1, newV: "x1"},
		{event: types.OperationTypeInsert, pk: "x", sk: 2, newV: "x2"},
	}
	open, _ := readStreamShard(t, st, before, 0)
	checkStreamRecords(t, open, want, types.StreamViewTypeNewImage)

	if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName: aws.String("toggle"), StreamSpecification: &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(false)},
	}); err != nil {
		t.Fatalf("disable stream: %v", err)
	}
	mustStreamPut(t, db, "toggle", streamItem("x", 3, "x3")) // not in any stream

	d := mustDescribeStream(t, st, arn1)
	if d.StreamStatus != types.StreamStatusDisabled || len(d.Shards) != 1 {
		t.Fatalf("got status %s and %d shards, want DISABLED and 1", d.StreamStatus, len(d.Shards))
	}
	if end := aws.ToString(d.Shards[0].SequenceNumberRange.EndingSequenceNumber); end != streamSeq(open[1]) {
		t.Fatalf("got EndingSequenceNumber %q, want %q, the last record's", end, streamSeq(open[1]))
	}
	// The closed shard reads to its end, then the iterator chain ends: an
	// iterator from before the stream was disabled, a new one, and pages.
	for what, it := range map[string]string{
		"old iterator": before,
		"TRIM_HORIZON": mustShardIterator(t, st, arn1, types.ShardIteratorTypeTrimHorizon, ""),
	} {
		for _, limit := range []int32{0, 1} {
			got, next := readStreamShard(t, st, it, limit)
			checkStreamRecords(t, got, want, types.StreamViewTypeNewImage)
			if next != nil {
				t.Fatalf("%s, limit %d: got NextShardIterator %q at the end of a closed shard, want none", what, limit, *next)
			}
		}
	}
	out, err := st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(mustShardIterator(t, st, arn1, types.ShardIteratorTypeLatest, ""))})
	if err != nil || len(out.Records) != 0 || out.NextShardIterator != nil {
		t.Fatalf("LATEST of a closed shard: got %+v, %v, want no records and no iterator", out, err)
	}
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("toggle")})
	if err != nil || aws.ToString(desc.Table.LatestStreamArn) != arn1 || desc.Table.StreamSpecification != nil {
		t.Fatalf("got table %+v, %v, want LatestStreamArn %s and no stream specification", desc.Table, err, arn1)
	}

	// Enabling again makes a new stream with only the changes from then on.
	up, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName: aws.String("toggle"), StreamSpecification: &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dbtypes.StreamViewTypeKeysOnly},
	})
	if err != nil {
		t.Fatalf("enable stream: %v", err)
	}
	arn2 := aws.ToString(up.TableDescription.LatestStreamArn)
	if arn2 == "" || arn2 == arn1 {
		t.Fatalf("got LatestStreamArn %q, want a new one (the old is %s)", arn2, arn1)
	}
	mustStreamDelete(t, db, "toggle", "x", 1)
	got, next := readStreamShard(t, st, mustShardIterator(t, st, arn2, types.ShardIteratorTypeTrimHorizon, ""), 0)
	checkStreamRecords(t, got, []streamChange{{event: types.OperationTypeRemove, pk: "x", sk: 1}}, types.StreamViewTypeKeysOnly)
	if next == nil {
		t.Fatal("new stream: got no NextShardIterator, want one")
	}
	// The old stream is unchanged.
	old, _ := readStreamShard(t, st, mustShardIterator(t, st, arn1, types.ShardIteratorTypeTrimHorizon, ""), 0)
	checkStreamRecords(t, old, want, types.StreamViewTypeNewImage)
	ls, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("toggle")})
	if err != nil || len(ls.Streams) != 2 || aws.ToString(ls.Streams[0].StreamArn) != arn1 || aws.ToString(ls.Streams[1].StreamArn) != arn2 {
		t.Fatalf("got streams %+v, %v, want %s and %s", ls, err, arn1, arn2)
	}
	if d := mustDescribeStream(t, st, arn2); d.StreamStatus != types.StreamStatusEnabled || d.Shards[0].ShardId == nil ||
		aws.ToString(d.Shards[0].ShardId) == aws.ToString(mustDescribeStream(t, st, arn1).Shards[0].ShardId) {
		t.Fatalf("new stream: got %+v, want an enabled stream with a shard of its own", d)
	}
}

func TestStreamTimeToLiveRemove(t *testing.T) {
	m := MustStartMain(t, Config{})
	db, st := MustStreamsClients(t, m)
	ctx := context.Background()
	arn := MustStreamTable(t, db, "sessions", dbtypes.StreamViewTypeNewAndOldImages)
	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String("sessions"),
		TimeToLiveSpecification: &dbtypes.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)},
	}); err != nil {
		t.Fatalf("update time to live: %v", err)
	}
	past, future := streamItem("s", 1, "old"), streamItem("s", 2, "new")
	past["expires"] = &dbtypes.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)}
	future["expires"] = &dbtypes.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)}
	mustStreamPut(t, db, "sessions", past)
	mustStreamPut(t, db, "sessions", future)
	mustStreamDelete(t, db, "sessions", "s", 2) // a client's delete

	if n := m.Tables.ExpireItems(ctx); n != 1 {
		t.Fatalf("got %d items expired, want 1", n)
	}
	got, _ := readStreamShard(t, st, mustShardIterator(t, st, arn, types.ShardIteratorTypeTrimHorizon, ""), 0)
	checkStreamRecords(t, got, []streamChange{
		{event: types.OperationTypeInsert, pk: "s", sk: 1, newV: "old"},
		{event: types.OperationTypeInsert, pk: "s", sk: 2, newV: "new"},
		{event: types.OperationTypeRemove, pk: "s", sk: 2, oldV: "new"},
		{event: types.OperationTypeRemove, pk: "s", sk: 1, oldV: "old", byExpiry: true},
	}, types.StreamViewTypeNewAndOldImages)
}

func TestStreamIteratorSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	m := MustStartMain(t, Config{DataDir: dir})
	db, st := MustStreamsClients(t, m)
	arn := MustStreamTable(t, db, "durable", dbtypes.StreamViewTypeKeysOnly)
	mustStreamPut(t, db, "durable", streamItem("r", 1, "r1"))
	it := mustShardIterator(t, st, arn, types.ShardIteratorTypeTrimHorizon, "")
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("close: %v", err)
	}

	m2 := MustStartMain(t, Config{DataDir: dir})
	_, st2 := MustStreamsClients(t, m2)
	got, next := readStreamShard(t, st2, it, 0)
	checkStreamRecords(t, got, []streamChange{{event: types.OperationTypeInsert, pk: "r", sk: 1}}, types.StreamViewTypeKeysOnly)
	if next == nil {
		t.Fatal("after restart: got no NextShardIterator, want one")
	}
}

func TestStreamErrors(t *testing.T) {
	m := MustStartMain(t, Config{})
	db, st := MustStreamsClients(t, m)
	ctx := context.Background()
	arn := MustStreamTable(t, db, "errs", dbtypes.StreamViewTypeKeysOnly)
	mustStreamPut(t, db, "errs", streamItem("e", 1, "e1"))
	shard := aws.ToString(mustDescribeStream(t, st, arn).Shards[0].ShardId)
	valid := mustShardIterator(t, st, arn, types.ShardIteratorTypeTrimHorizon, "")
	records, _ := readStreamShard(t, st, valid, 0)
	seq := streamSeq(records[0])
	tampered := valid[:10] + string(valid[10]^1) + valid[11:]
	unknownArn := arn[:len(arn)-3] + "999"

	iter := func(typ types.ShardIteratorType, shardID, seq string) error {
		in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shardID), ShardIteratorType: typ}
		if seq != "" {
			in.SequenceNumber = aws.String(seq)
		}
		_, err := st.GetShardIterator(ctx, in)
		return err
	}
	records1 := func(it string, limit *int32) error {
		_, err := st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(it), Limit: limit})
		return err
	}
	tests := []struct {
		what string
		call func() error
		code string
		msg  string
	}{
		{"garbage iterator", func() error { return records1("sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg", nil) },
			"ValidationException", "Invalid ShardIterator"},
		{"tampered iterator", func() error { return records1(tampered, nil) }, "ValidationException", "Invalid ShardIterator"},
		{"limit 0", func() error { return records1(valid, aws.Int32(0)) }, "ValidationException", "greater than or equal to 1"},
		{"limit 1001", func() error { return records1(valid, aws.Int32(1001)) }, "ValidationException", "less than or equal to 1000"},
		{"unknown stream", func() error {
			_, err := st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(unknownArn)})
			return err
		}, "ResourceNotFoundException", "not found"},
		{"malformed stream ARN", func() error {
			_, err := st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String("sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf")})
			return err
		}, "ValidationException", "Invalid StreamArn"},
		{"iterator of an unknown stream", func() error {
			_, err := st.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(unknownArn), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeLatest})
			return err
		}, "ResourceNotFoundException", "not found"},
		{"unknown shard", func() error { return iter(types.ShardIteratorTypeLatest, "shardId-00000000000000000000-00000000", "") },
			"ResourceNotFoundException", "Shard"},
		{"bad iterator type", func() error { return iter("BOGUS", shard, "") }, "ValidationException",
			"Value 'BOGUS' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set"},
		{"missing sequence number", func() error { return iter(types.ShardIteratorTypeAtSequenceNumber, shard, "") }, "ValidationException", "SequenceNumber"},
		{"missing sequence number after", func() error { return iter(types.ShardIteratorTypeAfterSequenceNumber, shard, "") }, "ValidationException", "SequenceNumber"},
		{"sequence number with TRIM_HORIZON", func() error { return iter(types.ShardIteratorTypeTrimHorizon, shard, seq) }, "ValidationException", "SequenceNumber"},
		{"malformed sequence number", func() error {
			return iter(types.ShardIteratorTypeAtSequenceNumber, shard, "sdfsafglldfngjdafnasdflgnaldklkafdsgklnasdlv")
		}, "ValidationException", "sequenceNumber"},
		{"sequence number past the shard", func() error {
			return iter(types.ShardIteratorTypeAtSequenceNumber, shard, "100000000000000000099")
		}, "ValidationException", "Invalid SequenceNumber"},
		{"list limit 101", func() error {
			_, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{Limit: aws.Int32(101)})
			return err
		}, "ValidationException", "less than or equal to 100"},
		{"list streams of an unknown table", func() error {
			_, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "not found"},
		{"list after a malformed ARN", func() error {
			_, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{ExclusiveStartStreamArn: aws.String("kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas")})
			return err
		}, "ValidationException", "ExclusiveStartStreamArn"},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			err := tt.call()
			mustFailWith(t, err, tt.code, 400)
			mustContain(t, err.Error(), tt.msg)
		})
	}

	// Once the table is deleted its stream is gone, iterators included.
	if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("errs")}); err != nil {
		t.Fatalf("delete table: %v", err)
	}
	mustFailWith(t, records1(valid, nil), "ResourceNotFoundException", 400)
	_, err := st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	mustFailWith(t, err, "ResourceNotFoundException", 400)
	ls, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{})
	if err != nil || len(ls.Streams) != 0 {
		t.Fatalf("after delete: got streams %+v, %v, want none", ls, err)
	}
}

// TestStreamReadWhileWriting follows a LATEST iterator chain while items
// are written: every change arrives once, in order, none skipped at the
// shard's tip.
func TestStreamReadWhileWriting(t *testing.T) {
	m := MustStartMain(t, Config{})
	db, st := MustStreamsClients(t, m)
	ctx := context.Background()
	arn := MustStreamTable(t, db, "busy", dbtypes.StreamViewTypeKeysOnly)
	it := mustShardIterator(t, st, arn, types.ShardIteratorTypeLatest, "")

	const n = 300
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("busy"), Item: streamItem("w", i, "x")}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var got []types.Record
	writing := true
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		out, err := st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(it), Limit: aws.Int32(7)})
		if err != nil {
			t.Fatalf("get records: %v", err)
		}
		got = append(got, out.Records...)
		it = aws.ToString(out.NextShardIterator)
		if !writing && len(out.Records) == 0 {
			break // read to the tip after the last write
		}
		if writing {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("put item: %v", err)
				}
				writing = false
			default:
			}
		}
	}
	want := make([]streamChange, n)
	for i := range want {
		want[i] = streamChange{event: types.OperationTypeInsert, pk: "w", sk: i}
	}
	checkStreamRecords(t, got, want, types.StreamViewTypeKeysOnly)
}
