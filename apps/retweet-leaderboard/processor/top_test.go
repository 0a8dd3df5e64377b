package processor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/processor"
	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

// topTable is fakeTable with the top item: GetItem and a PutItem whose
// version condition holds as DynamoDB's would.
type topTable struct {
	*fakeTable
	tmu       sync.Mutex // guards top, version and conflicts
	top       string
	version   int64
	conflicts int
}

func (f *topTable) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.tmu.Lock()
	defer f.tmu.Unlock()
	if attrString(in.Key[scores.AttrUsername]) != scores.TopKey || f.version == 0 {
		return &dynamodb.GetItemOutput{}, nil
	}
	return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{
		scores.AttrEntries: &types.AttributeValueMemberS{Value: f.top},
		scores.AttrVersion: &types.AttributeValueMemberN{Value: strconv.FormatInt(f.version, 10)},
	}}, nil
}

func (f *topTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.tmu.Lock()
	defer f.tmu.Unlock()
	want := int64(0)
	if v, ok := in.ExpressionAttributeValues[":v"]; ok {
		want, _ = strconv.ParseInt(attrString(v), 10, 64)
	}
	if want != f.version {
		f.conflicts++
		return nil, &types.ConditionalCheckFailedException{Message: new(string)}
	}
	f.top = attrString(in.Item[scores.AttrEntries])
	f.version, _ = strconv.ParseInt(attrString(in.Item[scores.AttrVersion]), 10, 64)
	return &dynamodb.PutItemOutput{}, nil
}

// TestTopItem runs batches concurrently and checks the top item ends
// exactly the first players of every score stored, however the writes of
// the top collided.
func TestTopItem(t *testing.T) {
	db := &topTable{fakeTable: newFakeTable()}
	p := &processor.Processor{DB: db, Table: "scores"}
	best := map[string]scores.Entry{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for b := range 40 {
		var batch []map[string]any
		for i := range 30 {
			u := fmt.Sprintf("user%02d", (b*7+i*3)%60)
			r, f := int64((b*31+i*17)%97+1), int64((b*13+i*5)%23)
			batch = append(batch, map[string]any{
				"id_str": strconv.Itoa(b*100 + i), "full_text": "#eddy", "retweet_count": r, "favorite_count": f,
				"user": map[string]any{"screen_name": u},
			})
			mu.Lock()
			if old, ok := best[u]; !ok || scores.Better(r, f, old.RetweetCount, old.FavoriteCount) {
				best[u] = scores.Entry{Username: u, RetweetCount: r, FavoriteCount: f}
			}
			mu.Unlock()
		}
		event, _ := json.Marshal(batch)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Handle(context.Background(), event); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var want []scores.Entry
	for _, e := range best {
		want = append(want, e)
	}
	scores.Sort(want)
	top, version, err := scores.ReadTop(context.Background(), db, "scores")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(top, want[:min(len(want), scores.TopSize)]) {
		t.Fatalf("top %v\nwant %v", top, want)
	}
	t.Logf("%d writes of the top, %d of them lost a race and were tried again", version, db.conflicts)
}
