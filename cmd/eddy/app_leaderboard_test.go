package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// tweetSourceStandIn declares the parameters of tweet-search-event-source
// and records the values it was given in a parameter of the parameter
// store, so that retweet-leaderboard's wiring of it can be read back.
const tweetSourceStandIn = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  SearchText:
    Type: String
  PollingFrequencyInMinutes:
    Type: Number
    Default: 1
  BatchSize:
    Type: Number
    Default: 15
  StreamModeEnabled:
    Type: String
    Default: "false"
  TweetProcessorFunctionName:
    Type: String
  SSMParameterPrefix:
    Type: String
    Default: twitter-event-source
  SearchApiBaseUrl:
    Type: String
    Default: https://api.twitter.com
  SearchApiVersion:
    Type: String
    Default: "1.1"
Resources:
  Wiring:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub /${SSMParameterPrefix}/wiring
      Type: String
      Value: !Sub "${SearchText}|${TweetProcessorFunctionName}|${StreamModeEnabled}|${PollingFrequencyInMinutes}|${BatchSize}|${SearchApiBaseUrl}|${SearchApiVersion}"
`

// leaderTweet is a Twitter v1.1 tweet object as tweet-search-event-source
// hands it to the processor.
func leaderTweet(id, user string, retweets, favorites int) map[string]any {
	return map[string]any{
		"id_str": id, "full_text": "#eddyrace " + id, "created_at": "Mon Nov 23 03:00:00 +0000 2026",
		"user":          map[string]any{"id_str": "id-" + user, "screen_name": user},
		"retweet_count": retweets, "favorite_count": favorites,
		"entities": map[string]any{"hashtags": []any{map[string]any{"text": "eddyrace"}}},
	}
}

// leaderEntry is one player of GET /leaderboard.
type leaderEntry struct {
	Username      string `json:"username"`
	RetweetCount  int64  `json:"retweetCount"`
	FavoriteCount int64  `json:"favoriteCount"`
}

func (e leaderEntry) String() string {
	return fmt.Sprintf("%s:%d/%d", e.Username, e.RetweetCount, e.FavoriteCount)
}

// httpGet returns the status, headers and body of a GET.
func httpGet(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return res.StatusCode, res.Header, string(b)
}

// TestRetweetLeaderboard deploys apps/retweet-leaderboard from source on a
// stand-in of tweet-search-event-source published to the repository,
// feeds its TweetProcessor batches of tweets (one at a time, several at
// once, and asynchronously as the event source does) and reads the
// ranking, the errors and the page through the HTTP API.
func TestRetweetLeaderboard(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	lc := MustLambda(t, m)

	if _, err := MustServerlessRepo(t, m).CreateApplication(ctx, &sar.CreateApplicationInput{
		Name: aws.String("tweet-search-event-source"), Author: aws.String("eddy"),
		Description: aws.String("a stand-in that records its parameters"), SemanticVersion: aws.String("1.0.0"),
		TemplateBody: aws.String(tweetSourceStandIn),
	}); err != nil {
		t.Fatalf("publish the stand-in tweet-search-event-source: %v", err)
	}
	out, _, err := runCLI(t, m, deployCommand(), "-t", "../../apps/retweet-leaderboard/template.yaml", "--stack-name", "leaderboard",
		"--param", "Hashtag=#eddyrace", "--param", "SSMParameterPrefix=leaderboard-test", "--param", "BatchSize=20")
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	mustContain(t, out, "Stack leaderboard: CREATE_COMPLETE")
	processorName := outputValue(t, out, "TweetProcessorFunctionName")
	table := outputValue(t, out, "ScoresTableName")
	apiURL := outputValue(t, out, "LeaderboardApiUrl")
	base := eddyURL(m.URL(), apiURL)
	if base == "" || !strings.HasSuffix(base, "/") {
		t.Fatalf("LeaderboardApiUrl %q: no address on eddy (%q)", apiURL, base)
	}
	if page := outputValue(t, out, "LeaderboardPageUrl"); page != apiURL {
		t.Errorf("LeaderboardPageUrl %q, want the API's root %q", page, apiURL)
	}

	// The nested event source got the hashtag, the processor and the
	// pass-through parameters.
	wiring, err := MustSSM(t, m).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/leaderboard-test/wiring")})
	if err != nil {
		t.Fatalf("the stand-in's parameter: %v", err)
	}
	if got, want := aws.ToString(wiring.Parameter.Value), "#eddyrace|"+processorName+"|true|1|20|https://api.twitter.com|1.1"; got != want {
		t.Errorf("tweet-search-event-source's parameters %q, want %q", got, want)
	}

	invoke := func(kind lambdatypes.InvocationType, batch []map[string]any) (*lambda.InvokeOutput, error) {
		b, err := json.Marshal(batch)
		if err != nil {
			return nil, err
		}
		return lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(processorName), InvocationType: kind, Payload: b})
	}
	leaderboard := func(query string) (int, http.Header, string) {
		t.Helper()
		return httpGet(t, base+"leaderboard"+query)
	}
	ranking := func(query string) []leaderEntry {
		t.Helper()
		status, h, body := leaderboard(query)
		if status != 200 || h.Get("Content-Type") != "application/json" || h.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("GET leaderboard%s: %d %v %s", query, status, h, body)
		}
		var out []leaderEntry
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("GET leaderboard%s: %s: %v", query, body, err)
		}
		return out
	}
	mustRank := func(query string, want ...leaderEntry) {
		t.Helper()
		if got := ranking(query); !slices.Equal(got, want) {
			t.Fatalf("GET leaderboard%s = %v, want %v", query, got, want)
		}
	}
	if got := ranking(""); len(got) != 0 {
		t.Fatalf("a new game's leaderboard: %v", got)
	}

	// One batch: retweets and unretweeted tweets do not score, each
	// user's best tweet does, and ties go by favorites, then by name.
	star := leaderTweet("100", "star", 900, 900)
	rt := leaderTweet("3", "carol", 900, 0)
	rt["retweeted_status"] = star
	res, err := invoke(lambdatypes.InvocationTypeRequestResponse, []map[string]any{
		leaderTweet("1", "alice", 12, 3),
		leaderTweet("2", "alice", 7, 50),
		rt,
		leaderTweet("4", "dave", 0, 40),
		leaderTweet("5", "bob", 12, 5),
		leaderTweet("6", "erin", 12, 3),
		leaderTweet("7", "frank", 1, 0),
	})
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if res.FunctionError != nil {
		t.Fatalf("invoke: %s %s", aws.ToString(res.FunctionError), res.Payload)
	}
	if got, want := string(res.Payload), `{"tweets":7,"skipped":0,"users":4,"updated":4}`; got != want {
		t.Errorf("the processor's result %s, want %s", got, want)
	}
	mustRank("?limit=3", leaderEntry{"bob", 12, 5}, leaderEntry{"alice", 12, 3}, leaderEntry{"erin", 12, 3})

	// Batches processed at the same time lose no better score: every
	// batch improves racer and alice, and only the best of each stays.
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := invoke(lambdatypes.InvocationTypeRequestResponse, []map[string]any{
				leaderTweet(fmt.Sprintf("r%d", i), "racer", i+1, 0),
				leaderTweet(fmt.Sprintf("a%d", i), "alice", 12, i),
				leaderTweet(fmt.Sprintf("f%d", i), "frank", 1, 0), // equal to frank's best: not stored
			})
			switch {
			case err != nil:
				errs <- err
			case res.FunctionError != nil:
				errs <- fmt.Errorf("%s: %s", aws.ToString(res.FunctionError), res.Payload)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent invoke: %v", err)
	}
	want := []leaderEntry{{"alice", 12, 9}, {"bob", 12, 5}, {"erin", 12, 3}, {"racer", 10, 0}, {"frank", 1, 0}}
	mustRank("", want...)
	item, err := MustDynamo(t, m).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
		Key: map[string]dbtypes.AttributeValue{"username": &dbtypes.AttributeValueMemberS{Value: "frank"}}})
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := item.Item["tweetId"].(*dbtypes.AttributeValueMemberS); id == nil || id.Value != "7" {
		t.Errorf("frank's best tweet %v, want the first of equal ones, 7", item.Item["tweetId"])
	}

	// Asynchronously, as tweet-search-event-source invokes it.
	if _, err := invoke(lambdatypes.InvocationTypeEvent, []map[string]any{leaderTweet("8", "gina", 50, 1)}); err != nil {
		t.Fatalf("invoke asynchronously: %v", err)
	}
	waitFor(t, 30*time.Second, "gina's asynchronous batch on the leaderboard", func() bool {
		got := ranking("?limit=3")
		return len(got) > 0 && got[0].Username == "gina"
	})
	mustRank("?limit=3", leaderEntry{"gina", 50, 1}, want[0], want[1])
	mustRank("?limit=100", append([]leaderEntry{{"gina", 50, 1}}, want...)...)

	// Limits out of bounds are 400s with a JSON message, CORS allowed.
	for _, q := range []string{"?limit=2", "?limit=101", "?limit=ten", "?limit="} {
		status, h, body := leaderboard(q)
		var msg struct{ Message string }
		if status != 400 || h.Get("Content-Type") != "application/json" || h.Get("Access-Control-Allow-Origin") != "*" ||
			json.Unmarshal([]byte(body), &msg) != nil || msg.Message == "" {
			t.Errorf("GET leaderboard%s: %d %v %s, want 400 with a JSON message", q, status, h, body)
		}
	}

	// The page, at the API's root, reads the leaderboard relative to itself.
	status, h, body := httpGet(t, base)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s: %d %v", base, status, h)
	}
	for _, want := range []string{`<table id="leaderboard">`, `id="updated"`, `"leaderboard?limit="`, "#eddyrace"} {
		mustContain(t, body, want)
	}

	// Published to the repository and deployed from it, the game is a
	// second, empty one.
	if out, _, err := runCLI(t, m, appsCommand(), "publish", "-t", "../../apps/retweet-leaderboard/template.yaml"); err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, m, appsCommand(), "deploy", "retweet-leaderboard", "--stack-name", "second",
		"--param", "SSMParameterPrefix=leaderboard-second")
	if err != nil {
		t.Fatalf("apps deploy: %v\n%s", err, out)
	}
	mustContain(t, out, "Stack serverlessrepo-second: CREATE_COMPLETE")
	second := eddyURL(m.URL(), outputValue(t, out, "LeaderboardApiUrl"))
	if second == "" || second == base {
		t.Fatalf("the second game's API %q (the first's %q)", second, base)
	}
	if status, _, body := httpGet(t, second+"leaderboard?limit=5"); status != 200 || body != "[]" {
		t.Errorf("the second game's leaderboard: %d %s, want an empty one", status, body)
	}
	if status, _, body := httpGet(t, second); status != 200 || !strings.Contains(body, "#eddy<") {
		t.Errorf("the second game's page: %d, want the default hashtag #eddy", status)
	}
}
