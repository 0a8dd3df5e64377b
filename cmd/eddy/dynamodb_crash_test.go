package main

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// TestDynamoDBSurvivesKill kills eddy (SIGKILL) during a burst of writes.
// After a restart every acknowledged write is there, and the table's
// stream holds every change once, in order: each counter's records count
// 1, 2, 3 … up to its final value, with no gap and no repeat.
func TestDynamoDBSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills an eddy process")
	}
	bin := MustBuildEddy(t)
	dir := t.TempDir()
	cmd, url := MustServe(t, bin, dir)
	c := dynamodb.NewFromConfig(awsConfig(url), func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	ctx := context.Background()
	out, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("burst"),
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "S"}},
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: "HASH"}},
		BillingMode:          dtypes.BillingModePayPerRequest,
		StreamSpecification:  &dtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dtypes.StreamViewTypeNewAndOldImages},
	})
	if err != nil {
		t.Fatal(err)
	}
	streamArn := out.TableDescription.LatestStreamArn

	const writers, counters = 8, 4
	acked := make([]atomic.Int64, counters) // per counter: increments acknowledged
	var puts sync.Map                       // acknowledged put keys
	var total atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				var err error
				if i%2 == 0 {
					k := (w + i) % counters
					_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("burst"), Key: item{"pk": s("counter" + strconv.Itoa(k))},
						UpdateExpression: aws.String("ADD n :one"), ExpressionAttributeValues: item{":one": n("1")}})
					if err == nil {
						acked[k].Add(1)
					}
				} else {
					key := "put-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
					_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("burst"), Item: item{"pk": s(key)}})
					if err == nil {
						puts.Store(key, true)
					}
				}
				if err != nil {
					return // the server is gone
				}
				total.Add(1)
			}
		}()
	}
	waitFor(t, 30*time.Second, "a burst of writes", func() bool { return total.Load() >= 600 })
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	_ = cmd.Wait()

	_, url = MustServe(t, bin, dir)
	c = dynamodb.NewFromConfig(awsConfig(url), func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	missing := 0
	puts.Range(func(k, _ any) bool {
		got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("burst"), Key: item{"pk": s(k.(string))}, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if got.Item == nil {
			missing++
		}
		return true
	})
	if missing > 0 {
		t.Fatalf("after kill: %d acknowledged puts missing", missing)
	}
	final := make([]int64, counters)
	for k := range counters {
		got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("burst"), Key: item{"pk": s("counter" + strconv.Itoa(k))}, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := strconv.ParseInt(got.Item["n"].(*dtypes.AttributeValueMemberN).Value, 10, 64)
		// Writes in flight at the kill may have landed unacknowledged.
		if v < acked[k].Load() || v > acked[k].Load()+writers {
			t.Fatalf("counter%d: got %d, acknowledged %d", k, v, acked[k].Load())
		}
		final[k] = v
	}

	// The stream: every change once, in order.
	sc := dynamodbstreams.NewFromConfig(awsConfig(url), func(o *dynamodbstreams.Options) { o.RetryMaxAttempts = 1 })
	desc, err := sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: streamArn})
	if err != nil {
		t.Fatal(err)
	}
	it, err := sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: streamArn,
		ShardId: desc.StreamDescription.Shards[0].ShardId, ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	next := make([]int64, counters)
	putRecords := map[string]int{}
	iter := it.ShardIterator
	for {
		recs, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(1000)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs.Records {
			pk := r.Dynamodb.Keys["pk"].(*stypes.AttributeValueMemberS).Value
			if rest, ok := strings.CutPrefix(pk, "counter"); ok {
				k, _ := strconv.Atoi(rest)
				v, _ := strconv.ParseInt(r.Dynamodb.NewImage["n"].(*stypes.AttributeValueMemberN).Value, 10, 64)
				if v != next[k]+1 {
					t.Fatalf("counter%d: stream record %d after %d", k, v, next[k])
				}
				next[k] = v
				continue
			}
			putRecords[pk]++
		}
		if len(recs.Records) == 0 {
			break
		}
		iter = recs.NextShardIterator
	}
	for k := range counters {
		if next[k] != final[k] {
			t.Fatalf("counter%d: stream ends at %d, item holds %d", k, next[k], final[k])
		}
	}
	puts.Range(func(k, _ any) bool {
		if putRecords[k.(string)] != 1 {
			t.Fatalf("%s: %d stream records, want 1", k, putRecords[k.(string)])
		}
		return true
	})
}
