package processor_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/processor"
	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

// fakeTable keeps items by username and applies processor.Condition the
// way DynamoDB does, one write at a time.
type fakeTable struct {
	mu sync.Mutex // guards everything below
	// items holds each user's stored values by attribute name.
	items    map[string]map[string]string
	inFlight int
	maxIn    int
	fail     map[string]error // a user whose write fails with the error
	delay    time.Duration
}

func newFakeTable() *fakeTable {
	return &fakeTable{items: map[string]map[string]string{}, fail: map[string]error{}}
}

func attrString(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	}
	return fmt.Sprintf("unexpected %T", v)
}

func (f *fakeTable) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.mu.Lock()
	f.inFlight++
	f.maxIn = max(f.maxIn, f.inFlight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if f.delay > 0 {
		time.Sleep(f.delay) // lets writes overlap, to measure how many do
	}
	user := attrString(in.Key[scores.AttrUsername])
	v := in.ExpressionAttributeValues
	r, _ := strconv.ParseInt(attrString(v[":r"]), 10, 64)
	fv, _ := strconv.ParseInt(attrString(v[":f"]), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[user]; err != nil {
		return nil, err
	}
	if old, ok := f.items[user]; ok {
		br, _ := strconv.ParseInt(old[scores.AttrRetweetCount], 10, 64)
		bf, _ := strconv.ParseInt(old[scores.AttrFavoriteCount], 10, 64)
		if !(br < r || (br == r && bf < fv)) {
			return nil, &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
		}
	}
	f.items[user] = map[string]string{
		scores.AttrRetweetCount:  attrString(v[":r"]),
		scores.AttrFavoriteCount: attrString(v[":f"]),
		scores.AttrTweetID:       attrString(v[":t"]),
		scores.AttrScore:         attrString(v[":s"]),
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func TestUpdateInput(t *testing.T) {
	now := time.Date(2026, 11, 23, 3, 4, 5, 0, time.FixedZone("x", 3600))
	in := processor.UpdateInput("scores", processor.Score{Username: "ann", TweetID: "42", RetweetCount: 12, FavoriteCount: 3}, now)
	if got := aws.ToString(in.TableName); got != "scores" {
		t.Errorf("table %q, want scores", got)
	}
	if got, want := aws.ToString(in.ConditionExpression), "attribute_not_exists(username) OR retweetCount < :r OR (retweetCount = :r AND favoriteCount < :f)"; got != want {
		t.Errorf("condition %q, want %q", got, want)
	}
	if got := aws.ToString(in.UpdateExpression); got != processor.Update {
		t.Errorf("update %q", got)
	}
	if len(in.Key) != 1 || attrString(in.Key["username"]) != "ann" {
		t.Errorf("key %v, want username ann", in.Key)
	}
	want := map[string]string{
		":r": "12", ":f": "3", ":t": "42", ":b": "all",
		":s":  scores.Key(scores.Entry{Username: "ann", RetweetCount: 12, FavoriteCount: 3}),
		":at": "2026-11-23T02:04:05Z",
	}
	if len(in.ExpressionAttributeValues) != len(want) {
		t.Errorf("values %v, want %v", in.ExpressionAttributeValues, want)
	}
	for k, w := range want {
		if got := attrString(in.ExpressionAttributeValues[k]); got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if _, ok := in.ExpressionAttributeValues[":r"].(*types.AttributeValueMemberN); !ok {
		t.Error(":r is not a number")
	}
	if _, ok := in.ExpressionAttributeValues[":f"].(*types.AttributeValueMemberN); !ok {
		t.Error(":f is not a number")
	}
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	db := newFakeTable()
	now := time.Now()
	for _, c := range []struct {
		s    processor.Score
		want bool
	}{
		{processor.Score{Username: "ann", TweetID: "1", RetweetCount: 5, FavoriteCount: 1}, true},  // first
		{processor.Score{Username: "ann", TweetID: "2", RetweetCount: 5, FavoriteCount: 1}, false}, // equal
		{processor.Score{Username: "ann", TweetID: "3", RetweetCount: 4, FavoriteCount: 9}, false}, // worse
		{processor.Score{Username: "ann", TweetID: "4", RetweetCount: 5, FavoriteCount: 2}, true},  // more favorites
		{processor.Score{Username: "ann", TweetID: "5", RetweetCount: 6, FavoriteCount: 0}, true},  // more retweets
	} {
		got, err := processor.Store(ctx, db, "scores", c.s, now)
		if err != nil || got != c.want {
			t.Errorf("Store(%+v) = %v, %v, want %v, nil", c.s, got, err, c.want)
		}
	}
	if got := db.items["ann"][scores.AttrTweetID]; got != "5" {
		t.Errorf("ann's best tweet %q, want 5", got)
	}
	db.fail["bob"] = errors.New("ProvisionedThroughputExceededException")
	if _, err := processor.Store(ctx, db, "scores", processor.Score{Username: "bob", RetweetCount: 1}, now); err == nil {
		t.Error("a failed write is no error")
	}
}

func TestHandle(t *testing.T) {
	db := newFakeTable()
	db.delay = 5 * time.Millisecond
	var logs []string
	var logMu sync.Mutex
	p := &processor.Processor{DB: db, Table: "scores", Concurrency: 3, Logf: func(format string, a ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		logs = append(logs, fmt.Sprintf(format, a...))
	}}
	var batch []map[string]any
	for i := range 20 {
		batch = append(batch, tweet(strconv.Itoa(i), fmt.Sprintf("user%02d", i%10), i+1, 0))
	}
	batch = append(batch, tweet("99", "nobody", 0, 0))
	res, err := p.Handle(context.Background(), mustJSON(t, batch))
	if err != nil {
		t.Fatal(err)
	}
	if want := (processor.Result{Tweets: 21, Users: 10, Updated: 10}); res != want {
		t.Errorf("got %+v, want %+v", res, want)
	}
	if db.maxIn > 3 {
		t.Errorf("%d writes at a time, want at most 3", db.maxIn)
	}
	if db.maxIn < 2 {
		t.Errorf("%d writes at a time, want them concurrent", db.maxIn)
	}
	for i := range 10 {
		if got, want := db.items[fmt.Sprintf("user%02d", i)][scores.AttrRetweetCount], strconv.Itoa(i+11); got != want {
			t.Errorf("user%02d: %s retweets, want %s", i, got, want)
		}
	}

	// The same batch again stores nothing: every score is already there.
	res, err = p.Handle(context.Background(), mustJSON(t, batch))
	if err != nil || res.Updated != 0 {
		t.Errorf("again: %+v, %v, want nothing updated", res, err)
	}

	// A failing write fails the batch, with the user in the error and
	// the log, and the other users' scores stored.
	db.fail["user03"] = errors.New("InternalServerError: disk full")
	batch = []map[string]any{tweet("a", "user03", 100, 0), tweet("b", "user04", 100, 0)}
	res, err = p.Handle(context.Background(), mustJSON(t, batch))
	if err == nil || !strings.Contains(err.Error(), "user03") || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v, want user03's write error", err)
	}
	if res.Updated != 1 || db.items["user04"][scores.AttrRetweetCount] != "100" {
		t.Errorf("got %+v, want user04 stored", res)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "ERROR store the best tweet a of user03 in table scores") {
		t.Errorf("the log does not say which write failed:\n%s", strings.Join(logs, "\n"))
	}

	// An event that is not a batch fails, and says so.
	if _, err := p.Handle(context.Background(), []byte(`{"source":"aws.events"}`)); err == nil || !strings.Contains(err.Error(), "not a JSON array") {
		t.Errorf("got %v, want an error about the event", err)
	}
}

// TestConcurrentBatches runs many batches at once against one table: the
// best score of each user wins, whatever the order of the writes.
func TestConcurrentBatches(t *testing.T) {
	db := newFakeTable()
	p := &processor.Processor{DB: db, Table: "scores", Logf: func(string, ...any) {}}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for b := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var batch []map[string]any
			for u := range 5 {
				batch = append(batch, tweet(fmt.Sprintf("%d-%d", b, u), fmt.Sprintf("p%d", u), 1+(b*7+u)%40, b%3))
			}
			if _, err := p.Handle(context.Background(), mustJSON(t, batch)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for u := range 5 {
		// The best of 1+(b*7+u)%40 over b is 40, reached by one b.
		var wantFav int
		for b := range 40 {
			if 1+(b*7+u)%40 == 40 {
				wantFav = b % 3
			}
		}
		got := db.items[fmt.Sprintf("p%d", u)]
		if got[scores.AttrRetweetCount] != "40" || got[scores.AttrFavoriteCount] != strconv.Itoa(wantFav) {
			t.Errorf("p%d: %v, want 40 retweets, %d favorites", u, got, wantFav)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(processor.EnvTable, "")
	if _, err := processor.FromEnv(); err == nil || !strings.Contains(err.Error(), "SCORES_TABLE") {
		t.Errorf("got %v, want an error naming SCORES_TABLE", err)
	}
	t.Setenv(processor.EnvTable, "scores")
	p, err := processor.FromEnv()
	if err != nil || p.Table != "scores" || p.DB == nil {
		t.Errorf("got %+v, %v", p, err)
	}
}
