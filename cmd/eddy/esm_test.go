package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// MustHashStreamTable creates a table keyed by the string pk with a
// NEW_AND_OLD_IMAGES stream and returns the stream's ARN.
func MustHashStreamTable(tb testing.TB, db *dynamodb.Client, name string) string {
	tb.Helper()
	out, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewAndOldImages},
	})
	if err != nil {
		tb.Fatalf("create table %s: %v", name, err)
	}
	arn := aws.ToString(out.TableDescription.LatestStreamArn)
	if arn == "" {
		tb.Fatalf("create table %s: no stream ARN", name)
	}
	return arn
}

// MustPut writes an item of string attributes (and "n" as a number, if
// set) and fails the test on error.
func MustPut(tb testing.TB, db *dynamodb.Client, table string, attrs map[string]string) {
	tb.Helper()
	item := map[string]ddbtypes.AttributeValue{}
	for k, v := range attrs {
		if k == "n" || k == "times" {
			item[k] = &ddbtypes.AttributeValueMemberN{Value: v}
		} else {
			item[k] = &ddbtypes.AttributeValueMemberS{Value: v}
		}
	}
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		tb.Fatalf("put %v: %v", attrs, err)
	}
}

// MustMapping creates an event source mapping and fails the test on error.
func MustMapping(tb testing.TB, c *lambda.Client, in *lambda.CreateEventSourceMappingInput) *lambda.CreateEventSourceMappingOutput {
	tb.Helper()
	if in.StartingPosition == "" {
		in.StartingPosition = types.EventSourcePositionLatest
	}
	out, err := c.CreateEventSourceMapping(context.Background(), in)
	if err != nil {
		tb.Fatalf("create event source mapping: %v", err)
	}
	return out
}

// batches returns the stream events a recorder received, in the order
// its invocations started. ok is false while a file is still being
// written.
func batches(dir string) ([]events.DynamoDBEvent, bool) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	out := make([]events.DynamoDBEvent, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, false
		}
		var e events.DynamoDBEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, false
		}
		out = append(out, e)
	}
	return out, true
}

// waitBatches waits until the recorder has received at least n records
// and returns its batches.
func waitBatches(t *testing.T, dir string, n int) []events.DynamoDBEvent {
	t.Helper()
	var got []events.DynamoDBEvent
	waitFor(t, 30*time.Second, fmt.Sprintf("%d records in %s", n, dir), func() bool {
		bs, ok := batches(dir)
		if !ok {
			return false
		}
		got = bs
		return len(flatten(bs)) >= n
	})
	return got
}

func flatten(bs []events.DynamoDBEvent) []events.DynamoDBEventRecord {
	var out []events.DynamoDBEventRecord
	for _, b := range bs {
		out = append(out, b.Records...)
	}
	return out
}

// pks returns the records' partition keys in order.
func pks(rs []events.DynamoDBEventRecord) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Change.Keys["pk"].String())
	}
	return out
}

func mustGetMapping(t *testing.T, c *lambda.Client, uuid string) *lambda.GetEventSourceMappingOutput {
	t.Helper()
	out, err := c.GetEventSourceMapping(context.Background(), &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil {
		t.Fatalf("get event source mapping: %v", err)
	}
	return out
}

func TestEventSourceMappingDelivery(t *testing.T) {
	m := MustStartMain(t, Config{MappingRetryDelay: 20 * time.Millisecond})
	c, db := MustLambda(t, m), MustDynamo(t, m)
	ctx := context.Background()

	t.Run("event shape", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "shape")
		_, dir := MustRecorder(t, c, "shape-fn")
		out := MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("shape-fn"), EventSourceArn: aws.String(stream)})
		MustPut(t, db, "shape", map[string]string{"pk": "a", "v": "one"})
		MustPut(t, db, "shape", map[string]string{"pk": "a", "v": "two"})
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("shape"),
			Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "a"}}}); err != nil {
			t.Fatal(err)
		}
		rs := flatten(waitBatches(t, dir, 3))
		if len(rs) != 3 {
			t.Fatalf("got %d records, want 3", len(rs))
		}
		for i, want := range []string{"INSERT", "MODIFY", "REMOVE"} {
			r := rs[i]
			if r.EventName != want || r.EventSourceArn != stream || r.EventSource != "aws:dynamodb" || r.AWSRegion != "us-east-1" || r.EventVersion != "1.1" || r.EventID == "" {
				t.Errorf("record %d: got %s %s %s %s %s %q, want %s from %s", i, r.EventName, r.EventSourceArn, r.EventSource, r.AWSRegion, r.EventVersion, r.EventID, want, stream)
			}
			if r.Change.StreamViewType != "NEW_AND_OLD_IMAGES" || r.Change.Keys["pk"].String() != "a" || r.Change.SizeBytes <= 0 {
				t.Errorf("record %d: got view %s, keys %v, size %d", i, r.Change.StreamViewType, r.Change.Keys, r.Change.SizeBytes)
			}
			if i > 0 && r.Change.SequenceNumber <= rs[i-1].Change.SequenceNumber {
				t.Errorf("record %d: sequence number %s not after %s", i, r.Change.SequenceNumber, rs[i-1].Change.SequenceNumber)
			}
		}
		if got := rs[0].Change.NewImage["v"].String(); got != "one" || len(rs[0].Change.OldImage) != 0 {
			t.Errorf("INSERT: got new %v old %v", rs[0].Change.NewImage, rs[0].Change.OldImage)
		}
		if rs[1].Change.NewImage["v"].String() != "two" || rs[1].Change.OldImage["v"].String() != "one" {
			t.Errorf("MODIFY: got new %v old %v", rs[1].Change.NewImage, rs[1].Change.OldImage)
		}
		if len(rs[2].Change.NewImage) != 0 || rs[2].Change.OldImage["v"].String() != "two" {
			t.Errorf("REMOVE: got new %v old %v", rs[2].Change.NewImage, rs[2].Change.OldImage)
		}
		waitFor(t, 10*time.Second, "LastProcessingResult OK", func() bool {
			return aws.ToString(mustGetMapping(t, c, aws.ToString(out.UUID)).LastProcessingResult) == "OK"
		})
	})

	t.Run("every change once, in order per key", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "order")
		_, dir := MustRecorder(t, c, "order-fn")
		MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("order-fn"), EventSourceArn: aws.String(stream), BatchSize: aws.Int32(25)})
		const keys, perKey = 10, 30
		for n := 1; n <= perKey; n++ {
			for k := 0; k < keys; k++ {
				MustPut(t, db, "order", map[string]string{"pk": fmt.Sprint("k", k), "n": strconv.Itoa(n)})
			}
		}
		bs := waitBatches(t, dir, keys*perKey)
		checkOnceInOrder(t, bs, keys*perKey, 25)
	})

	t.Run("batch size and trim horizon", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "sizes")
		for i := 0; i < 10; i++ {
			MustPut(t, db, "sizes", map[string]string{"pk": fmt.Sprint("p", i)})
		}
		_, dir := MustRecorder(t, c, "sizes-fn")
		MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("sizes-fn"), EventSourceArn: aws.String(stream),
			BatchSize: aws.Int32(3), StartingPosition: types.EventSourcePositionTrimHorizon})
		bs := waitBatches(t, dir, 10)
		for _, b := range bs {
			if len(b.Records) > 3 {
				t.Errorf("got a batch of %d records, want at most 3", len(b.Records))
			}
		}
		if got := strings.Join(pks(flatten(bs)), " "); got != "p0 p1 p2 p3 p4 p5 p6 p7 p8 p9" {
			t.Errorf("got %s, want p0 … p9", got)
		}
	})

	t.Run("latest", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "latest")
		MustPut(t, db, "latest", map[string]string{"pk": "before"})
		_, dir := MustRecorder(t, c, "latest-fn")
		MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("latest-fn"), EventSourceArn: aws.String(stream)})
		MustPut(t, db, "latest", map[string]string{"pk": "after1"})
		MustPut(t, db, "latest", map[string]string{"pk": "after2"})
		// Delivery is in order: "before" would have come first.
		if got := strings.Join(pks(flatten(waitBatches(t, dir, 2))), " "); got != "after1 after2" {
			t.Errorf("got %s, want after1 after2", got)
		}
	})

	t.Run("retries then failure destination", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "retries")
		destARN, destDir := MustRecorder(t, c, "retries-dest")
		_, dir := MustRecorder(t, c, "retries-fn")
		out := MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("retries-fn"), EventSourceArn: aws.String(stream),
			MaximumRetryAttempts: aws.Int32(1),
			DestinationConfig:    &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(destARN)}}})
		MustPut(t, db, "retries", map[string]string{"pk": "poison", "echofn": "error"})
		rec := waitRecords(t, destDir, 1, 30*time.Second)[0]
		if got := len(flatten(waitBatches(t, dir, 2))); got != 2 {
			t.Errorf("got %d invocations, want 2 (one retry)", got)
		}
		rc, _ := rec["requestContext"].(map[string]any)
		if rc["condition"] != "RetryAttemptsExhausted" || rc["approximateInvokeCount"] != 2.0 || !strings.HasSuffix(rc["functionArn"].(string), ":function:retries-fn") || rc["requestId"] == "" {
			t.Errorf("requestContext: got %v", rc)
		}
		if resp, _ := rec["responseContext"].(map[string]any); resp["functionError"] != "Unhandled" || resp["statusCode"] != 200.0 {
			t.Errorf("responseContext: got %v", resp)
		}
		info, _ := rec["DDBStreamBatchInfo"].(map[string]any)
		bs, _ := batches(dir)
		first := bs[0].Records[0].Change.SequenceNumber
		if info["batchSize"] != 1.0 || info["startSequenceNumber"] != first || info["endSequenceNumber"] != first ||
			info["streamArn"] != stream || !strings.HasPrefix(fmt.Sprint(info["shardId"]), "shardId-") ||
			info["approximateArrivalOfFirstRecord"] == nil || info["approximateArrivalOfLastRecord"] == nil {
			t.Errorf("DDBStreamBatchInfo: got %v, want one record %s of %s", info, first, stream)
		}
		if rec["version"] != "1.0" || rec["timestamp"] == nil {
			t.Errorf("record: got version %v timestamp %v", rec["version"], rec["timestamp"])
		}
		if got := aws.ToString(mustGetMapping(t, c, aws.ToString(out.UUID)).LastProcessingResult); got != "PROBLEM: Function call failed" {
			t.Errorf("LastProcessingResult: got %q, want PROBLEM: Function call failed", got)
		}
		// The mapping moved on.
		MustPut(t, db, "retries", map[string]string{"pk": "fine"})
		if got := pks(flatten(waitBatches(t, dir, 3))); got[2] != "fine" {
			t.Errorf("after the failure: got %v, want fine delivered", got)
		}
	})

	t.Run("bisect on function error", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "bisect")
		for _, pk := range []string{"a", "b", "c", "d"} {
			attrs := map[string]string{"pk": pk}
			if pk == "c" {
				attrs["echofn"] = "error"
			}
			MustPut(t, db, "bisect", attrs)
		}
		destARN, destDir := MustRecorder(t, c, "bisect-dest")
		_, dir := MustRecorder(t, c, "bisect-fn")
		MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("bisect-fn"), EventSourceArn: aws.String(stream),
			StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(4),
			BisectBatchOnFunctionError: aws.Bool(true), MaximumRetryAttempts: aws.Int32(0),
			DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(destARN)}}})
		rec := waitRecords(t, destDir, 1, 30*time.Second)[0]
		bs := waitBatches(t, dir, 4+2+2+1+1)
		var got []string
		for _, b := range bs {
			got = append(got, strings.Join(pks(b.Records), ""))
		}
		if strings.Join(got, " ") != "abcd ab cd c d" {
			t.Errorf("got batches %v, want abcd ab cd c d", got)
		}
		info, _ := rec["DDBStreamBatchInfo"].(map[string]any)
		var cSeq string
		for _, r := range flatten(bs) {
			if r.Change.Keys["pk"].String() == "c" {
				cSeq = r.Change.SequenceNumber
			}
		}
		if info["batchSize"] != 1.0 || info["startSequenceNumber"] != cSeq {
			t.Errorf("DDBStreamBatchInfo: got %v, want only c (%s)", info, cSeq)
		}
	})

	t.Run("report batch item failures", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "partial")
		marks := filepath.Join(t.TempDir(), "marks")
		for i := 1; i <= 5; i++ {
			attrs := map[string]string{"pk": strconv.Itoa(i)}
			if i == 3 {
				attrs["echofn"], attrs["path"], attrs["times"] = "fail-item", marks, "1"
			}
			MustPut(t, db, "partial", attrs)
		}
		_, dir := MustRecorder(t, c, "partial-fn")
		MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("partial-fn"), EventSourceArn: aws.String(stream),
			StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(10),
			FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures}})
		bs := waitBatches(t, dir, 5+3)
		var got []string
		for _, b := range bs {
			got = append(got, strings.Join(pks(b.Records), ""))
		}
		if strings.Join(got, " ") != "12345 345" {
			t.Errorf("got batches %v, want 12345 then 345", got)
		}
	})

	t.Run("filter criteria", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "filtered")
		_, dir := MustRecorder(t, c, "filtered-fn")
		MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("filtered-fn"), EventSourceArn: aws.String(stream),
			FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{
				{Pattern: aws.String(`{"eventName":["INSERT"],"dynamodb":{"NewImage":{"status":{"S":["active"]}}}}`)},
				{Pattern: aws.String(`{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"vip-"}]}}}}`)},
			}}})
		MustPut(t, db, "filtered", map[string]string{"pk": "a", "status": "active"})
		MustPut(t, db, "filtered", map[string]string{"pk": "b", "status": "inactive"})
		MustPut(t, db, "filtered", map[string]string{"pk": "a", "status": "active", "x": "modified"})
		MustPut(t, db, "filtered", map[string]string{"pk": "vip-1", "status": "inactive"})
		MustPut(t, db, "filtered", map[string]string{"pk": "c"})
		MustPut(t, db, "filtered", map[string]string{"pk": "last", "status": "active"})
		rs := flatten(waitBatches(t, dir, 3))
		if got := strings.Join(pks(rs), " "); got != "a vip-1 last" {
			t.Errorf("got %s, want a vip-1 last", got)
		}
	})

	t.Run("disable, enable, update, delete", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "lifecycle")
		_, dir := MustRecorder(t, c, "lifecycle-fn")
		_, dir2 := MustRecorder(t, c, "lifecycle-fn2")
		out := MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("lifecycle-fn"), EventSourceArn: aws.String(stream)})
		id := out.UUID
		MustPut(t, db, "lifecycle", map[string]string{"pk": "1"})
		waitBatches(t, dir, 1)

		upd, err := c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: id, Enabled: aws.Bool(false)})
		if err != nil || aws.ToString(upd.State) != "Disabling" {
			t.Fatalf("disable: got %v, %v; want Disabling", upd, err)
		}
		if got := aws.ToString(mustGetMapping(t, c, *id).State); got != "Disabled" {
			t.Errorf("after disabling: got state %s, want Disabled", got)
		}
		MustPut(t, db, "lifecycle", map[string]string{"pk": "2"})
		upd, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: id, Enabled: aws.Bool(true)})
		if err != nil || aws.ToString(upd.State) != "Enabling" {
			t.Fatalf("enable: got %v, %v; want Enabling", upd, err)
		}
		if got := strings.Join(pks(flatten(waitBatches(t, dir, 2))), " "); got != "1 2" {
			t.Errorf("after enabling: got %s, want 1 2", got)
		}

		upd, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: id, FunctionName: aws.String("lifecycle-fn2"), BatchSize: aws.Int32(7)})
		if err != nil || aws.ToString(upd.State) != "Updating" || aws.ToInt32(upd.BatchSize) != 7 || !strings.HasSuffix(aws.ToString(upd.FunctionArn), ":lifecycle-fn2") {
			t.Fatalf("update: got %+v, %v", upd, err)
		}
		MustPut(t, db, "lifecycle", map[string]string{"pk": "3"})
		if got := pks(flatten(waitBatches(t, dir2, 1))); len(got) != 1 || got[0] != "3" {
			t.Errorf("after update: the new function got %v, want 3", got)
		}
		if got := len(flatten(waitBatches(t, dir, 2))); got != 2 {
			t.Errorf("after update: the old function got %d records, want 2", got)
		}

		del, err := c.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: id})
		if err != nil || aws.ToString(del.State) != "Deleting" {
			t.Fatalf("delete: got %v, %v; want Deleting", del, err)
		}
		_, err = c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: id})
		mustFailWith(t, err, "ResourceNotFoundException", 404)
		// A mapping created after the delete gets the next change; the
		// deleted one, stopped before Delete returned, does not.
		_, dir3 := MustRecorder(t, c, "lifecycle-fn3")
		MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("lifecycle-fn3"), EventSourceArn: aws.String(stream)})
		MustPut(t, db, "lifecycle", map[string]string{"pk": "4"})
		waitBatches(t, dir3, 1)
		if got := len(flatten(waitBatches(t, dir2, 1))); got != 1 {
			t.Errorf("after delete: the deleted mapping's function got %d records, want 1", got)
		}
	})

	t.Run("parallelization factor", func(t *testing.T) {
		stream := MustHashStreamTable(t, db, "lanes")
		_, dir := MustRecorder(t, c, "lanes-fn")
		MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("lanes-fn"), EventSourceArn: aws.String(stream),
			BatchSize: aws.Int32(10), ParallelizationFactor: aws.Int32(4)})
		const keys, perKey = 20, 10
		for n := 1; n <= perKey; n++ {
			for k := 0; k < keys; k++ {
				MustPut(t, db, "lanes", map[string]string{"pk": fmt.Sprint("k", k), "n": strconv.Itoa(n)})
			}
		}
		checkOnceInOrder(t, waitBatches(t, dir, keys*perKey), keys*perKey, 10)
	})
}

// checkOnceInOrder checks that batches hold want records, each once, no
// batch more than batchSize, and each key's counter n counting up from 1
// in delivery order.
func checkOnceInOrder(t *testing.T, bs []events.DynamoDBEvent, want, batchSize int) {
	t.Helper()
	seen := map[string]bool{}
	next := map[string]int{}
	total := 0
	for _, b := range bs {
		if len(b.Records) > batchSize {
			t.Errorf("got a batch of %d records, want at most %d", len(b.Records), batchSize)
		}
		for _, r := range b.Records {
			total++
			if seen[r.Change.SequenceNumber] {
				t.Errorf("record %s delivered twice", r.Change.SequenceNumber)
			}
			seen[r.Change.SequenceNumber] = true
			k := r.Change.Keys["pk"].String()
			n, _ := strconv.Atoi(r.Change.NewImage["n"].Number())
			if n != next[k]+1 {
				t.Errorf("key %s: got change %d after %d", k, n, next[k])
			}
			next[k] = n
		}
	}
	if total != want {
		t.Errorf("got %d records, want %d", total, want)
	}
}

func TestEventSourceMappingSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	m := MustStartMain(t, Config{DataDir: dir})
	c, db := MustLambda(t, m), MustDynamo(t, m)
	stream := MustHashStreamTable(t, db, "durable")
	_, rec := MustRecorder(t, c, "durable-fn")
	id := MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("durable-fn"), EventSourceArn: aws.String(stream), BatchSize: aws.Int32(2)}).UUID
	for i := 1; i <= 5; i++ {
		MustPut(t, db, "durable", map[string]string{"pk": fmt.Sprint(i)})
	}
	waitBatches(t, rec, 5)
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("close: %v", err)
	}

	// The mapping runs again after a restart, from where it was.
	m = MustStartMain(t, Config{DataDir: dir})
	c, db = MustLambda(t, m), MustDynamo(t, m)
	for i := 6; i <= 8; i++ {
		MustPut(t, db, "durable", map[string]string{"pk": fmt.Sprint(i)})
	}
	waitBatches(t, rec, 8)

	// Changes made while it was disabled wait in the stream, across a
	// restart, for it to be enabled again.
	if _, err := c.UpdateEventSourceMapping(context.Background(), &lambda.UpdateEventSourceMappingInput{UUID: id, Enabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	for i := 9; i <= 12; i++ {
		MustPut(t, db, "durable", map[string]string{"pk": fmt.Sprint(i)})
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("close: %v", err)
	}
	m = MustStartMain(t, Config{DataDir: dir})
	c = MustLambda(t, m)
	if got := aws.ToString(mustGetMapping(t, c, *id).State); got != "Disabled" {
		t.Fatalf("after restart: got state %s, want Disabled", got)
	}
	if _, err := c.UpdateEventSourceMapping(context.Background(), &lambda.UpdateEventSourceMappingInput{UUID: id, Enabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pks(flatten(waitBatches(t, rec, 12))), " "); got != "1 2 3 4 5 6 7 8 9 10 11 12" {
		t.Errorf("got %s, want 1 … 12, each once", got)
	}
}

func TestEventSourceMappingAPI(t *testing.T) {
	m := MustStartMain(t, Config{})
	c, db := MustLambda(t, m), MustDynamo(t, m)
	ctx := context.Background()
	stream := MustHashStreamTable(t, db, "api")
	MustCreateEcho(t, c, "api-fn", 3)
	MustCreateEcho(t, c, "api-fn2", 3)
	badStream := strings.Replace(stream, "table/api/", "table/nope/", 1)

	for _, tc := range []struct {
		name   string
		in     lambda.CreateEventSourceMappingInput
		code   string
		status int
	}{
		{"unknown function", lambda.CreateEventSourceMappingInput{FunctionName: aws.String("nope")}, "ResourceNotFoundException", 404},
		{"unknown stream", lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String(badStream)}, "InvalidParameterValueException", 400},
		{"queue", lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:q")}, "InvalidParameterValueException", 400},
		{"other service", lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String("arn:aws:s3:::bucket")}, "InvalidParameterValueException", 400},
		{"no source", lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String("")}, "InvalidParameterValueException", 400},
		{"batch size 0", lambda.CreateEventSourceMappingInput{BatchSize: aws.Int32(0)}, "ValidationException", 400},
		{"batch size 10001", lambda.CreateEventSourceMappingInput{BatchSize: aws.Int32(10001)}, "ValidationException", 400},
		{"window 301", lambda.CreateEventSourceMappingInput{MaximumBatchingWindowInSeconds: aws.Int32(301)}, "ValidationException", 400},
		{"parallelization 11", lambda.CreateEventSourceMappingInput{ParallelizationFactor: aws.Int32(11)}, "ValidationException", 400},
		{"retries -2", lambda.CreateEventSourceMappingInput{MaximumRetryAttempts: aws.Int32(-2)}, "ValidationException", 400},
		{"record age 30", lambda.CreateEventSourceMappingInput{MaximumRecordAgeInSeconds: aws.Int32(30)}, "InvalidParameterValueException", 400},
		{"no starting position", lambda.CreateEventSourceMappingInput{StartingPosition: "-"}, "InvalidParameterValueException", 400},
		{"at timestamp", lambda.CreateEventSourceMappingInput{StartingPosition: types.EventSourcePositionAtTimestamp, StartingPositionTimestamp: aws.Time(time.Now())}, "InvalidParameterValueException", 400},
		{"bad filter", lambda.CreateEventSourceMappingInput{FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"a":"b"}`)}}}}, "InvalidParameterValueException", 400},
		{"bad response type", lambda.CreateEventSourceMappingInput{FunctionResponseTypes: []types.FunctionResponseType{"Bogus"}}, "ValidationException", 400},
		{"bad destination", lambda.CreateEventSourceMappingInput{DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:ec2:us-east-1:000000000000:x")}}}, "InvalidParameterValueException", 400},
		{"on success", lambda.CreateEventSourceMappingInput{DestinationConfig: &types.DestinationConfig{OnSuccess: &types.OnSuccess{Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:q")}}}, "InvalidParameterValueException", 400},
		{"tumbling window", lambda.CreateEventSourceMappingInput{TumblingWindowInSeconds: aws.Int32(60)}, "InvalidParameterValueException", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.FunctionName == nil {
				in.FunctionName = aws.String("api-fn")
			}
			if in.EventSourceArn == nil {
				in.EventSourceArn = aws.String(stream)
			}
			switch in.StartingPosition {
			case "":
				in.StartingPosition = types.EventSourcePositionLatest
			case "-":
				in.StartingPosition = ""
			}
			_, err := c.CreateEventSourceMapping(ctx, &in)
			mustFailWith(t, err, tc.code, tc.status)
		})
	}

	// Defaults, as Lambda reports them for a stream mapping.
	out := MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("api-fn"), EventSourceArn: aws.String(stream),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")}}})
	if aws.ToString(out.State) != "Creating" || aws.ToInt32(out.BatchSize) != 100 || aws.ToInt32(out.MaximumRetryAttempts) != -1 ||
		aws.ToInt32(out.MaximumRecordAgeInSeconds) != -1 || aws.ToInt32(out.ParallelizationFactor) != 1 ||
		aws.ToInt32(out.MaximumBatchingWindowInSeconds) != 0 || out.StartingPosition != types.EventSourcePositionLatest ||
		aws.ToString(out.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:api-fn" || aws.ToString(out.EventSourceArn) != stream ||
		aws.ToString(out.StateTransitionReason) != "User action" || aws.ToString(out.LastProcessingResult) != "No records processed" ||
		out.LastModified == nil || out.LastModified.IsZero() ||
		aws.ToString(out.EventSourceMappingArn) != "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:"+aws.ToString(out.UUID) ||
		aws.ToString(out.DestinationConfig.OnFailure.Destination) != "arn:aws:sqs:us-east-1:000000000000:dlq" {
		t.Errorf("create: got %+v", out)
	}
	id := aws.ToString(out.UUID)
	if got := mustGetMapping(t, c, id); aws.ToString(got.State) != "Enabled" || aws.ToString(got.UUID) != id {
		t.Errorf("get: got state %s", aws.ToString(got.State))
	}

	_, err := c.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("api-fn"), EventSourceArn: aws.String(stream), StartingPosition: types.EventSourcePositionLatest})
	mustFailWith(t, err, "ResourceConflictException", 409)
	out2 := MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("api-fn2"), EventSourceArn: aws.String(stream), Enabled: aws.Bool(false)})
	if got := mustGetMapping(t, c, aws.ToString(out2.UUID)); aws.ToString(got.State) != "Disabled" {
		t.Errorf("created disabled: got state %s", aws.ToString(got.State))
	}

	// Listing: filters and paging.
	list, err := c.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String("api-fn2")})
	if err != nil || len(list.EventSourceMappings) != 1 || aws.ToString(list.EventSourceMappings[0].UUID) != aws.ToString(out2.UUID) {
		t.Errorf("list by function: got %+v, %v", list, err)
	}
	list, err = c.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(stream)})
	if err != nil || len(list.EventSourceMappings) != 2 {
		t.Errorf("list by source: got %+v, %v", list, err)
	}
	seen := map[string]bool{}
	var marker *string
	for pages := 0; ; pages++ {
		page, err := c.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{MaxItems: aws.Int32(1), Marker: marker})
		if err != nil || len(page.EventSourceMappings) != 1 || pages > 2 {
			t.Fatalf("page %d: got %+v, %v", pages, page, err)
		}
		seen[aws.ToString(page.EventSourceMappings[0].UUID)] = true
		if page.NextMarker == nil {
			break
		}
		marker = page.NextMarker
	}
	if !seen[id] || !seen[aws.ToString(out2.UUID)] {
		t.Errorf("paging: got %v, want both mappings", seen)
	}

	// Updates validate as creates do.
	_, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(id), BatchSize: aws.Int32(0)})
	mustFailWith(t, err, "ValidationException", 400)
	_, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(id), FunctionName: aws.String("nope")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	_, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(id), FunctionName: aws.String("api-fn2")})
	mustFailWith(t, err, "ResourceConflictException", 409)
	_, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String("00000000-0000-4000-8000-000000000000"), BatchSize: aws.Int32(5)})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	upd, err := c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(id),
		FilterCriteria:            &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"eventName":["INSERT"]}`)}}},
		MaximumRecordAgeInSeconds: aws.Int32(60), BisectBatchOnFunctionError: aws.Bool(true)})
	if err != nil || upd.FilterCriteria == nil || len(upd.FilterCriteria.Filters) != 1 || aws.ToInt32(upd.MaximumRecordAgeInSeconds) != 60 || !aws.ToBool(upd.BisectBatchOnFunctionError) {
		t.Errorf("update: got %+v, %v", upd, err)
	}

	_, err = c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String("not-a-uuid")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	if _, err := c.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(id)})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
}

// TestEventSourceMappingLatency measures the time from a write to the
// start of the invocation that delivers it. It reports, and asserts
// nothing about time.
func TestEventSourceMappingLatency(t *testing.T) {
	m := MustStartMain(t, Config{})
	c, db := MustLambda(t, m), MustDynamo(t, m)
	stream := MustHashStreamTable(t, db, "latency")
	_, dir := MustRecorder(t, c, "latency-fn")
	MustMapping(t, c, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("latency-fn"), EventSourceArn: aws.String(stream)})
	MustPut(t, db, "latency", map[string]string{"pk": "warm-up"})
	waitBatches(t, dir, 1)
	const n = 40
	var lat []time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		MustPut(t, db, "latency", map[string]string{"pk": fmt.Sprint(i)})
		waitFor(t, 10*time.Second, "delivery", func() bool {
			files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
			return len(files) >= i+2
		})
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		sort.Strings(files)
		stamp, _ := strconv.ParseInt(strings.SplitN(filepath.Base(files[len(files)-1]), "-", 2)[0], 10, 64)
		lat = append(lat, time.Unix(0, stamp).Sub(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("write→invoke latency over %d writes: p50 %v, p90 %v, max %v", n, lat[n/2], lat[n*9/10], lat[n-1])
}

func TestEventSourceMappingOneNodeAtATime(t *testing.T) {
	url := MustNATS(t)
	cfg := Config{NATSURL: url, LeaseTTL: 1500 * time.Millisecond}
	a := MustStartMain(t, cfg)
	ca, dba := MustLambda(t, a), MustDynamo(t, a)
	stream := MustHashStreamTable(t, dba, "shared")
	_, rec := MustRecorder(t, ca, "shared-fn")
	MustMapping(t, ca, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("shared-fn"), EventSourceArn: aws.String(stream), BatchSize: aws.Int32(5)})
	MustPut(t, dba, "shared", map[string]string{"pk": "k0", "n": "1"})
	waitBatches(t, rec, 1) // node a holds the shard

	// A second node runs the same mappings but cannot take the shard.
	b := MustStartMain(t, cfg)
	dbb := MustDynamo(t, b)
	n := 1
	for ; n <= 30; n++ {
		db := dba
		if n%2 == 0 {
			db = dbb
		}
		MustPut(t, db, "shared", map[string]string{"pk": fmt.Sprint("k", n%3), "n": strconv.Itoa(n/3 + 1)})
	}
	waitBatches(t, rec, 31)

	// When a leaves, b takes over where a stopped.
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for ; n <= 60; n++ {
		MustPut(t, dbb, "shared", map[string]string{"pk": fmt.Sprint("k", n%3), "n": strconv.Itoa(n/3 + 1)})
	}
	bs := waitBatches(t, rec, 61)
	checkOnceInOrder(t, bs, 61, 5)
}
