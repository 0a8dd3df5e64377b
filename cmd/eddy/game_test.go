package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eddyserverless/eddy/sim/tweets"
)

// TestRetweetLeaderboardGame plays the whole game on eddy: the bundled
// catalog, retweet-leaderboard deployed by name (nesting
// tweet-search-event-source from the repository), the tweet search
// simulator as the search API. After polling ticks, the leaderboard API
// returns exactly the ranking the simulator's own served data implies;
// in stream mode no tweet is served twice, across a restart of eddy too.
func TestRetweetLeaderboardGame(t *testing.T) {
	t.Parallel()
	playGame(t, "1.1")
}

// TestRetweetLeaderboardGameV2 plays the game over the v2 recent search.
func TestRetweetLeaderboardGameV2(t *testing.T) {
	t.Parallel()
	playGame(t, "2")
}

// playGame plays the game with the search API of a version; on the
// v1.1 API the search also fails on some ticks (a 500, a 429, malformed
// JSON), which the poller backs off from without losing a tweet.
func playGame(t *testing.T, version string) {
	dir := t.TempDir()
	m := MustStartMain(t, Config{DataDir: dir, BundledApps: true})
	g := startGame(t, m, 42, 30, map[string]string{"BatchSize": "25", "SearchApiVersion": version})
	sim, poller, apiURL, advance := g.sim, g.poller, g.apiURL, g.advance

	play := func(m *Main, ticks int) {
		t.Helper()
		lc := MustLambda(t, m)
		for range ticks {
			advance(15 * time.Second)
			if res := MustInvoke(t, lc, poller, `{}`); res.FunctionError != nil {
				t.Fatalf("poll: %s %s", aws.ToString(res.FunctionError), res.Payload)
			}
		}
		want := sim.Leaderboard("#eddy", 10)
		if len(want) < 3 {
			t.Fatalf("the simulator implies too small a leaderboard: %+v", want)
		}
		var got []tweets.Entry
		waitFor(t, time.Minute, "the leaderboard to match the simulator's", func() bool {
			got = leaderboard(t, eddyURL(m.URL(), apiURL)+"leaderboard?limit=10")
			return slices.Equal(got, want)
		})
		if r := sim.Repeats(); r != 0 {
			t.Fatalf("in stream mode %d tweets were served more than once", r)
		}
	}
	ctx := context.Background()
	play(m, 4)
	if version == "1.1" {
		for _, mode := range []string{tweets.FailInternal, tweets.FailRateLimit, tweets.FailMalformed} {
			sim.Fail(1, mode)
			play(m, 1)
		}
	}
	served := sim.Served()

	// eddy restarts: the checkpoint holds, and the game goes on.
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	m2 := MustStartMain(t, Config{DataDir: dir, BundledApps: true})
	play(m2, 3)
	if sim.Served() <= served {
		t.Fatalf("no new tweets after the restart: %d, then %d", served, sim.Served())
	}
}

// game is retweet-leaderboard deployed on an eddy, polling a simulator
// whose clock the test moves.
type game struct {
	sim             *tweets.Sim
	poller          string // the tweet search poller's function
	apiURL, pageURL string // the stack's outputs (execute-api addresses)
	advance         func(time.Duration)
}

// startGame starts a simulator (of users users, from seed) and deploys
// retweet-leaderboard from the repository as the stack
// serverlessrepo-game in stream mode, with extra parameters.
func startGame(t *testing.T, m *Main, seed int64, users int, extra map[string]string) *game {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	g := &game{advance: func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }}
	g.sim = tweets.New(tweets.Config{Seed: seed, Users: users, Hashtags: []string{"#eddy"}, Rate: 10, Start: now.Add(-2 * time.Minute), Clock: clock})
	srv := httptest.NewServer(g.sim.Handler())
	t.Cleanup(srv.Close)

	c := &clientFlags{endpoint: m.URL(), region: "us-east-1"}
	if err := storeSimCredentials(ctx, c, g.sim.Credentials()); err != nil {
		t.Fatal(err)
	}
	params := map[string]string{
		"Hashtag": "#eddy", "SearchApiBaseUrl": srv.URL, "SSMParameterPrefix": upParamPrefix,
		"StreamModeEnabled": "true", "PollingFrequencyInMinutes": "60",
	}
	for k, v := range extra {
		params[k] = v
	}
	var out bytes.Buffer
	if err := deployApp(ctx, c, &out, "retweet-leaderboard", "game", params, appCapabilities); err != nil {
		t.Fatalf("deploy: %v\n%s", err, out.String())
	}
	var err error
	if g.poller, err = nestedOutput(ctx, c.cloudformation(), "serverlessrepo-game", upPollerOutput); err != nil {
		t.Fatal(err)
	}
	st, err := describeStack(ctx, c.cloudformation(), "serverlessrepo-game")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range st.Outputs {
		switch aws.ToString(o.OutputKey) {
		case "LeaderboardApiUrl":
			g.apiURL = aws.ToString(o.OutputValue)
		case "LeaderboardPageUrl":
			g.pageURL = aws.ToString(o.OutputValue)
		}
	}
	return g
}

// leaderboard returns what GET url answers, as the simulator's entries.
func leaderboard(t *testing.T, url string) []tweets.Entry {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET %s: %d %v %s", url, resp.StatusCode, resp.Header, body)
	}
	var rows []struct {
		Username                    string
		RetweetCount, FavoriteCount int
	}
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, body)
	}
	out := []tweets.Entry{}
	for _, r := range rows {
		out = append(out, tweets.Entry{Username: r.Username, RetweetCount: r.RetweetCount, FavoriteCount: r.FavoriteCount})
	}
	return out
}
