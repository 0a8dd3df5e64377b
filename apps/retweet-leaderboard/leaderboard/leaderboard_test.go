package leaderboard_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/leaderboard"
	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

// fakeIndex answers Query as DynamoDB answers it for the (board, score)
// index read backwards: items by descending score key, at most Limit
// (and at most pageSize, as the 1 MB page bound would) after the
// ExclusiveStartKey.
type fakeIndex struct {
	entries  []scores.Entry
	pageSize int
	err      error

	mu sync.Mutex // guards queries
	// queries holds every Query's input.
	queries []*dynamodb.QueryInput
}

func (f *fakeIndex) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.mu.Lock()
	f.queries = append(f.queries, in)
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	sorted := slices.Clone(f.entries)
	slices.SortFunc(sorted, func(a, b scores.Entry) int { return strings.Compare(scores.Key(b), scores.Key(a)) })
	start := 0
	if k, ok := in.ExclusiveStartKey[scores.AttrScore].(*types.AttributeValueMemberS); ok {
		start = slices.IndexFunc(sorted, func(e scores.Entry) bool { return scores.Key(e) == k.Value }) + 1
	}
	n := int(aws.ToInt32(in.Limit))
	if f.pageSize > 0 {
		n = min(n, f.pageSize)
	}
	end := min(start+n, len(sorted))
	out := &dynamodb.QueryOutput{}
	for _, e := range sorted[start:end] {
		out.Items = append(out.Items, map[string]types.AttributeValue{
			scores.AttrUsername:      &types.AttributeValueMemberS{Value: e.Username},
			scores.AttrRetweetCount:  &types.AttributeValueMemberN{Value: strconv.FormatInt(e.RetweetCount, 10)},
			scores.AttrFavoriteCount: &types.AttributeValueMemberN{Value: strconv.FormatInt(e.FavoriteCount, 10)},
		})
	}
	if end < len(sorted) {
		last := sorted[end-1]
		out.LastEvaluatedKey = map[string]types.AttributeValue{
			scores.AttrUsername: &types.AttributeValueMemberS{Value: last.Username},
			scores.AttrBoard:    &types.AttributeValueMemberS{Value: scores.BoardAll},
			scores.AttrScore:    &types.AttributeValueMemberS{Value: scores.Key(last)},
		}
	}
	return out, nil
}

func get(path, rawQuery string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET " + path, RawPath: path, RawQueryString: rawQuery,
	}
	req.RequestContext.HTTP.Method = "GET"
	req.RequestContext.HTTP.Path = path
	req.RequestContext.Stage = "$default"
	req.RequestContext.RequestID = "req-1"
	if q, err := url.ParseQuery(rawQuery); err == nil && len(q) > 0 {
		req.QueryStringParameters = map[string]string{}
		for k, vs := range q {
			req.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	return req
}

// players returns n players with distinct scores, in rank order, and
// a group tied at 5 retweets and 5 favorites.
func players(n int) []scores.Entry {
	var out []scores.Entry
	for i := range n {
		out = append(out, scores.Entry{Username: fmt.Sprintf("p%03d", i), RetweetCount: int64(1000 - i), FavoriteCount: int64(i % 7)})
	}
	for _, u := range []string{"tie_d", "tie_a", "tie_c", "tie_b"} {
		out = append(out, scores.Entry{Username: u, RetweetCount: 5, FavoriteCount: 5})
	}
	return out
}

func do(t *testing.T, h *leaderboard.Handler, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	res, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if got := res.Headers["Access-Control-Allow-Origin"]; got != "*" {
		t.Errorf("%s: Access-Control-Allow-Origin %q, want *", req.RawPath, got)
	}
	return res
}

func board(t *testing.T, res events.APIGatewayV2HTTPResponse) []scores.Entry {
	t.Helper()
	if res.StatusCode != 200 || res.Headers["Content-Type"] != "application/json" {
		t.Fatalf("got %d %q %s, want 200 JSON", res.StatusCode, res.Headers["Content-Type"], res.Body)
	}
	var out []scores.Entry
	if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
		t.Fatalf("body %s: %v", res.Body, err)
	}
	return out
}

func TestLeaderboardLimits(t *testing.T) {
	all := players(150)
	ranked := slices.Clone(all)
	scores.Sort(ranked)
	db := &fakeIndex{entries: all}
	h := &leaderboard.Handler{DB: db, Table: "scores"}
	for _, c := range []struct {
		query string
		want  int // entries; 0 for a 400
	}{
		{"", 10}, {"limit=3", 3}, {"limit=100", 100}, {"limit=010", 10}, {"other=1", 10},
		{"limit=2", 0}, {"limit=101", 0}, {"limit=0", 0}, {"limit=abc", 0}, {"limit=", 0},
		{"limit=-5", 0}, {"limit=%2B5", 0}, {"limit=5.0", 0}, {"limit=1e2", 0}, {"limit=5&limit=6", 0},
		{"limit=99999999999999999999", 0}, {"limit=%205", 0},
	} {
		res := do(t, h, get("/leaderboard", c.query))
		if c.want == 0 {
			var body struct{ Message string }
			if res.StatusCode != 400 || res.Headers["Content-Type"] != "application/json" ||
				json.Unmarshal([]byte(res.Body), &body) != nil || !strings.Contains(body.Message, "3 to 100") {
				t.Errorf("%q: got %d %q %s, want 400 with a JSON message", c.query, res.StatusCode, res.Headers["Content-Type"], res.Body)
			}
			continue
		}
		if got := board(t, res); !slices.Equal(got, ranked[:c.want]) {
			t.Errorf("%q: got %v, want the first %d: %v", c.query, got, c.want, ranked[:c.want])
		}
	}
	q := db.queries[0]
	if aws.ToString(q.TableName) != "scores" || aws.ToString(q.IndexName) != scores.DefaultIndex || aws.ToBool(q.ScanIndexForward) ||
		aws.ToInt32(q.Limit) != 10 || aws.ToString(q.KeyConditionExpression) != "board = :b" {
		t.Errorf("query %+v", q)
	}
}

func TestParseLimit(t *testing.T) {
	for _, c := range []struct {
		v       string
		present bool
		want    int
	}{
		{"", false, 10}, {"3", true, 3}, {"100", true, 100}, {"42", true, 42},
		{"2", true, -1}, {"101", true, -1}, {"", true, -1}, {"x", true, -1}, {"٣", true, -1}, {"1000000", true, -1},
	} {
		got, err := leaderboard.ParseLimit(c.v, c.present)
		if c.want < 0 {
			if err == nil {
				t.Errorf("ParseLimit(%q) = %d, want an error", c.v, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseLimit(%q) = %d, %v, want %d", c.v, got, err, c.want)
		}
	}
}

// TestLeaderboardTies checks the order of equal scores, a cut inside a
// tie, and an index read in several pages.
func TestLeaderboardTies(t *testing.T) {
	entries := []scores.Entry{
		{Username: "zed", RetweetCount: 9, FavoriteCount: 1},
		{Username: "amy", RetweetCount: 9, FavoriteCount: 1},
		{Username: "kim", RetweetCount: 9, FavoriteCount: 2},
		{Username: "bo", RetweetCount: 10, FavoriteCount: 0},
		{Username: "al", RetweetCount: 9, FavoriteCount: 1},
		{Username: "cat", RetweetCount: 1, FavoriteCount: 0},
	}
	h := &leaderboard.Handler{DB: &fakeIndex{entries: entries, pageSize: 2}, Table: "scores", Index: "by-score"}
	got := board(t, do(t, h, get("/leaderboard", "limit=4")))
	want := []scores.Entry{entries[3], entries[2], entries[4], entries[1]} // bo, kim, then al before amy; zed is cut
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got = board(t, do(t, h, get("/leaderboard", "")))
	if len(got) != len(entries) || got[len(got)-1].Username != "cat" {
		t.Errorf("got %v, want all 6 players, cat last", got)
	}

	// No players: an empty array, not null.
	h.DB = &fakeIndex{}
	if res := do(t, h, get("/leaderboard", "")); res.Body != "[]" {
		t.Errorf("an empty board: %s, want []", res.Body)
	}
}

func TestLeaderboardErrors(t *testing.T) {
	var logged []string
	h := &leaderboard.Handler{DB: &fakeIndex{err: errors.New("ResourceNotFoundException: Requested resource not found")}, Table: "scores",
		Logf: func(format string, a ...any) { logged = append(logged, fmt.Sprintf(format, a...)) }}
	res := do(t, h, get("/leaderboard", ""))
	if res.StatusCode != 500 || strings.Contains(res.Body, "ResourceNotFound") {
		t.Errorf("got %d %s, want 500 without the cause", res.StatusCode, res.Body)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "req-1") || !strings.Contains(logged[0], "ResourceNotFoundException") {
		t.Errorf("logged %q, want the request id and the cause", logged)
	}

	for _, req := range []events.APIGatewayV2HTTPRequest{get("/nope", ""), get("/leaderboard/x", "")} {
		if res := do(t, h, req); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", req.RawPath, res.StatusCode)
		}
	}
	post := get("/leaderboard", "")
	post.RequestContext.HTTP.Method, post.RouteKey = "POST", "POST /leaderboard"
	if res := do(t, h, post); res.StatusCode != 404 {
		t.Errorf("POST: %d, want 404", res.StatusCode)
	}
}

// TestRoutes reads a request's path below a named stage, and a
// hand-made event by its route key.
func TestRoutes(t *testing.T) {
	h := &leaderboard.Handler{DB: &fakeIndex{entries: players(3)}, Table: "scores"}
	staged := get("/prod/leaderboard", "limit=3")
	staged.RequestContext.Stage = "prod"
	if got := board(t, do(t, h, staged)); len(got) != 3 {
		t.Errorf("under a stage: %v", got)
	}
	bare := events.APIGatewayV2HTTPRequest{RouteKey: "GET /leaderboard", RawQueryString: "limit=4"}
	if got := board(t, do(t, h, bare)); len(got) != 4 {
		t.Errorf("by route key and raw query: %v", got)
	}
}

func TestPage(t *testing.T) {
	h := &leaderboard.Handler{DB: &fakeIndex{}, Table: "scores", Hashtag: "#eddy<script>"}
	res := do(t, h, get("/", ""))
	if res.StatusCode != 200 || res.Headers["Content-Type"] != "text/html; charset=utf-8" {
		t.Fatalf("got %d %q", res.StatusCode, res.Headers["Content-Type"])
	}
	for _, want := range []string{
		`<table id="leaderboard">`, `id="updated"`, `"entry"`, `" rank-"`, `"leaderboard?limit="`, "var limit =  10 ", "every = 3000",
		"#eddy&lt;script&gt;",
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(res.Body, "#eddy<script>") {
		t.Error("the hashtag is not escaped")
	}
	if strings.Contains(res.Body, "fetch(\"/") {
		t.Error("the page reads an absolute path, which breaks at /_api/ID/")
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(leaderboard.EnvTable, "")
	if _, err := leaderboard.FromEnv(); err == nil || !strings.Contains(err.Error(), "SCORES_TABLE") {
		t.Errorf("got %v, want an error naming SCORES_TABLE", err)
	}
	t.Setenv(leaderboard.EnvTable, "scores")
	t.Setenv(leaderboard.EnvIndex, "idx")
	t.Setenv(leaderboard.EnvHashtag, "#go")
	h, err := leaderboard.FromEnv()
	if err != nil || h.Table != "scores" || h.Index != "idx" || h.Hashtag != "#go" || h.DB == nil {
		t.Errorf("got %+v, %v", h, err)
	}
}

// FuzzLimit sends arbitrary query strings to GET /leaderboard: the answer
// is the leaderboard, at most as long as the limit, or a 400.
func FuzzLimit(f *testing.F) {
	for _, s := range []string{"", "limit=3", "limit=100", "limit=2", "limit=abc", "limit=%zz", "limit=5&limit=6", "limit=+7", "a=b&limit=010"} {
		f.Add(s)
	}
	h := &leaderboard.Handler{DB: &fakeIndex{entries: players(120)}, Table: "scores", Logf: func(string, ...any) {}}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, req := range []events.APIGatewayV2HTTPRequest{get("/leaderboard", raw), {RouteKey: "GET /leaderboard", RawQueryString: raw}} {
			res, err := h.Handle(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			switch res.StatusCode {
			case 400:
			case 200:
				var out []scores.Entry
				if err := json.Unmarshal([]byte(res.Body), &out); err != nil || len(out) < leaderboard.MinLimit || len(out) > leaderboard.MaxLimit {
					t.Fatalf("%q: %d entries, %v", raw, len(out), err)
				}
			default:
				t.Fatalf("%q: status %d", raw, res.StatusCode)
			}
		}
	})
}
