package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/eddyserverless/eddy/bench"
	"github.com/eddyserverless/eddy/sim/tweets"
	"github.com/spf13/cobra"
)

// Targets of the leaderboard benchmark.
const (
	leaderboardTarget     = 5 * time.Millisecond
	leaderboardTweetsRate = 1000.0 // tweets/s the game must keep up with
)

// leaderboardBenchOptions are eddy bench leaderboard's flags.
type leaderboardBenchOptions struct {
	users, requests, fillBatch, fillConcurrency int
	rate                                        float64
	tick, wait                                  time.Duration
	seconds, simUsers, batchSize                int
	cpuprofile                                  string
}

func benchLeaderboardCommand() *cobra.Command {
	var o leaderboardBenchOptions
	cmd := &cobra.Command{
		Use:   "leaderboard",
		Short: "Measure the retweet leaderboard: GET /leaderboard over 10,000 players, and keeping up with 1,000 tweets/s",
		Long: `Start eddy in this process with its bundled applications and deploy
retweet-leaderboard twice from the built-in catalog.

The first stack's scores table is filled with --users players by invoking
its TweetProcessor (RequestResponse, --fill-batch generated v1.1 tweets an
invoke, --fill-concurrency invokes at once); then --requests sequential
GET leaderboard?limit=10, and as many with limit=100, are timed through the
HTTP API with one keep-alive client, after 100 untimed, next to the floor
of a plain loopback HTTP round trip.

The second stack searches the tweet search simulator (--rate tweets a
simulated second, on a fake clock). Each tick advances the clock by --tick
and invokes the tweet-search poller (RequestResponse), which pages through
that tick's tweets and hands them to TweetProcessor asynchronously in
batches of --batch-size; --seconds ticks run as fast as they can, then the
bench waits until GET leaderboard?limit=10 equals the ranking the tweets
served imply. Tweets served per second of wall time until then is the
figure: the game keeps up when it is at least 1,000.

The command exits 0 whatever the figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.users < 1 || o.requests < 1 || o.fillBatch < 1 || o.fillConcurrency < 1 || o.seconds < 1 || o.simUsers < 1 || o.batchSize < 1 {
				return errors.New("--users, --requests, --fill-batch, --fill-concurrency, --seconds, --sim-users and --batch-size must be at least 1")
			}
			if o.rate <= 0 || o.tick <= 0 || o.wait <= 0 {
				return errors.New("--rate, --tick and --wait must be positive")
			}
			return runLeaderboardBench(cmd.Context(), o, os.Stdout)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.users, "users", 10000, "players in the scores table for the GET /leaderboard measurement")
	f.IntVar(&o.requests, "requests", 2000, "timed GET /leaderboard requests of each row")
	f.IntVar(&o.fillBatch, "fill-batch", 500, "tweets in each TweetProcessor invoke that fills the table")
	f.IntVar(&o.fillConcurrency, "fill-concurrency", 4, "TweetProcessor invokes at once while the table is filled")
	f.Float64Var(&o.rate, "rate", leaderboardTweetsRate, "tweets the simulator creates each simulated second")
	f.DurationVar(&o.tick, "tick", time.Second, "simulated time each poll advances the clock by")
	f.IntVar(&o.seconds, "seconds", 30, "ticks to run")
	f.IntVar(&o.simUsers, "sim-users", 1000, "accounts tweeting in the simulator")
	f.IntVar(&o.batchSize, "batch-size", 100, "retweet-leaderboard's BatchSize parameter: tweets in each TweetProcessor invoke of the poller")
	f.DurationVar(&o.wait, "wait", 2*time.Minute, "how long to wait for the leaderboard to match after the last tick")
	f.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run (the in-process server included) to this file")
	return cmd
}

func runLeaderboardBench(ctx context.Context, o leaderboardBenchOptions, w io.Writer) error {
	run, err := prepareBench(ctx, "", o.cpuprofile, Config{BundledApps: true}, false)
	if err != nil {
		return err
	}
	defer run.close()
	c := &clientFlags{endpoint: run.url, region: "us-east-1"}

	// The simulator serves both stacks; only the second one's poller runs.
	var mu sync.Mutex // guards now
	now := time.Now().UTC().Truncate(time.Second)
	start := now
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	const hashtag = "#eddy"
	sim := tweets.New(tweets.Config{Seed: 7, Users: o.simUsers, Hashtags: []string{hashtag}, Rate: o.rate, Start: start, Clock: clock})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	if err := storeSimCredentials(ctx, c, sim.Credentials()); err != nil {
		return err
	}
	params := map[string]string{
		"Hashtag": hashtag, "SearchApiBaseUrl": srv.URL, "SSMParameterPrefix": upParamPrefix,
		"StreamModeEnabled": "true", "PollingFrequencyInMinutes": "60", "BatchSize": strconv.Itoa(o.batchSize),
	}

	// 1. GET /leaderboard over o.users players.
	fmt.Fprintln(os.Stderr, "bench: deploying retweet-leaderboard (stack serverlessrepo-lbread)")
	deployStart := time.Now()
	if err := deployApp(ctx, c, io.Discard, "retweet-leaderboard", "lbread", params, appCapabilities); err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	deployed := time.Since(deployStart)
	processor, apiURL, err := leaderboardStack(ctx, c, appStackPrefix+"lbread")
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: filling the scores table with %d players\n", o.users)
	fillStart := time.Now()
	if err := fillScores(ctx, c.lambda(), processor, o.users, o.fillBatch, o.fillConcurrency); err != nil {
		return err
	}
	filled := time.Since(fillStart)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	base := eddyURL(run.url, apiURL)
	rows := make([]leaderboardRow, 0, 2)
	for _, limit := range []int{10, 100} {
		u := base + "leaderboard?limit=" + strconv.Itoa(limit)
		for range 100 { // warm up, untimed
			if _, err := getLeaderboard(ctx, hc, u); err != nil {
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "bench: timing %d GET leaderboard?limit=%d\n", o.requests, limit)
		ds := make([]time.Duration, 0, o.requests)
		n := 0
		for range o.requests {
			t := time.Now()
			got, err := getLeaderboard(ctx, hc, u)
			if err != nil {
				return err
			}
			ds = append(ds, time.Since(t))
			n = len(got)
		}
		if n != min(limit, o.users) {
			return fmt.Errorf("GET %s: %d players, want %d", u, n, min(limit, o.users))
		}
		rows = append(rows, leaderboardRow{limit: limit, lat: bench.Summarize(ds)})
	}
	floor, err := loopbackFloor(ctx, 500)
	if err != nil {
		return err
	}
	if err := renderLeaderboardRead(w, o.users, deployed, filled, rows, floor); err != nil {
		return err
	}

	// 2. Keeping up with o.rate tweets/s.
	fmt.Fprintln(os.Stderr, "bench: deploying retweet-leaderboard (stack serverlessrepo-lbtick)")
	if err := deployApp(ctx, c, io.Discard, "retweet-leaderboard", "lbtick", params, appCapabilities); err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	poller, err := nestedOutput(ctx, c.cloudformation(), appStackPrefix+"lbtick", upPollerOutput)
	if err != nil {
		return err
	}
	_, apiURL, err = leaderboardStack(ctx, c, appStackPrefix+"lbtick")
	if err != nil {
		return err
	}
	u := eddyURL(run.url, apiURL) + "leaderboard?limit=10"
	lc := c.lambda()
	// The stream starts now: nothing was created before the first tick.
	mu.Lock()
	now = start
	mu.Unlock()
	fmt.Fprintf(os.Stderr, "bench: %d ticks of %v at %.0f tweets/s\n", o.seconds, o.tick, o.rate)
	var polls []time.Duration
	t0 := time.Now()
	for range o.seconds {
		advance(o.tick)
		t := time.Now()
		res, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(poller), InvocationType: lambdatypes.InvocationTypeRequestResponse, Payload: []byte(`{}`)})
		if err != nil {
			return fmt.Errorf("poll: %w", apiMessage(err))
		}
		if res.FunctionError != nil {
			return fmt.Errorf("poll: %s %s", aws.ToString(res.FunctionError), res.Payload)
		}
		polls = append(polls, time.Since(t))
	}
	ticked := time.Since(t0)
	want := sim.Leaderboard(hashtag, 10)
	matched := false
	var got []tweets.Entry
	deadline := time.Now().Add(o.wait)
	for time.Now().Before(deadline) {
		if got, err = getLeaderboard(ctx, hc, u); err != nil {
			return err
		}
		if slices.Equal(got, want) {
			matched = true
			break
		}
		if err := sleepCtx(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	total := time.Since(t0)
	return renderLeaderboardTicks(w, leaderboardTicks{
		o: o, served: sim.Served(), repeats: sim.Repeats(), ticked: ticked, total: total,
		polls: bench.Summarize(polls), matched: matched, want: len(want),
	})
}

// leaderboardStack returns the TweetProcessor function and the
// LeaderboardApiUrl output of a deployed retweet-leaderboard stack.
func leaderboardStack(ctx context.Context, c *clientFlags, stack string) (processor, apiURL string, err error) {
	cfn := c.cloudformation()
	res, err := cfn.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
	if err != nil {
		return "", "", apiMessage(err)
	}
	for _, r := range res.StackResourceSummaries {
		if aws.ToString(r.LogicalResourceId) == "TweetProcessor" {
			processor = aws.ToString(r.PhysicalResourceId)
		}
	}
	st, err := describeStack(ctx, cfn, stack)
	if err != nil {
		return "", "", err
	}
	for _, o := range st.Outputs {
		if aws.ToString(o.OutputKey) == "LeaderboardApiUrl" {
			apiURL = aws.ToString(o.OutputValue)
		}
	}
	if processor == "" || apiURL == "" {
		return "", "", fmt.Errorf("stack %s has no TweetProcessor or no LeaderboardApiUrl output", stack)
	}
	return processor, apiURL, nil
}

// benchTweet is the part of a v1.1 tweet object TweetProcessor reads.
type benchTweet struct {
	IDStr    string `json:"id_str"`
	FullText string `json:"full_text"`
	User     struct {
		ScreenName string `json:"screen_name"`
	} `json:"user"`
	RetweetCount  int64 `json:"retweet_count"`
	FavoriteCount int64 `json:"favorite_count"`
}

// fillScores gives users players a best tweet each by invoking processor
// with generated tweets, batch a call, concurrency calls at once.
func fillScores(ctx context.Context, lc *lambda.Client, processor string, users, batch, concurrency int) error {
	rnd := rand.New(rand.NewPCG(3, 4))
	all := make([]benchTweet, users)
	for i := range all {
		t := &all[i]
		t.IDStr = strconv.Itoa(1_000_000_000 + i)
		t.User.ScreenName = fmt.Sprintf("player%05d", i)
		t.FullText = fmt.Sprintf("tweet %d of the bench #eddy", i)
		t.RetweetCount = 1 + rnd.Int64N(100_000)
		t.FavoriteCount = rnd.Int64N(100_000)
	}
	jobs := make(chan []benchTweet)
	errc := make(chan error, concurrency)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				payload, err := json.Marshal(b)
				if err == nil {
					err = invokeProcessor(ctx, lc, processor, payload, len(b))
				}
				if err != nil {
					errc <- err
					for range jobs { // drain
					}
					return
				}
			}
		}()
	}
	for i := 0; i < len(all); i += batch {
		jobs <- all[i:min(i+batch, len(all))]
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// invokeProcessor invokes TweetProcessor with a batch of n tweets and
// checks that it scored every one of them.
func invokeProcessor(ctx context.Context, lc *lambda.Client, processor string, payload []byte, n int) error {
	res, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(processor), InvocationType: lambdatypes.InvocationTypeRequestResponse, Payload: payload})
	if err != nil {
		return fmt.Errorf("invoke %s: %w", processor, apiMessage(err))
	}
	if res.FunctionError != nil {
		return fmt.Errorf("invoke %s: %s %s", processor, aws.ToString(res.FunctionError), res.Payload)
	}
	var r struct{ Users int }
	if err := json.Unmarshal(res.Payload, &r); err != nil || r.Users != n {
		return fmt.Errorf("invoke %s: scored %s, want %d users", processor, res.Payload, n)
	}
	return nil
}

// getLeaderboard returns what GET url answers, as the simulator's entries.
func getLeaderboard(ctx context.Context, hc *http.Client, url string) ([]tweets.Entry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %.200s", url, resp.Status, body)
	}
	var rows []struct {
		Username                    string
		RetweetCount, FavoriteCount int
	}
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	out := make([]tweets.Entry, 0, len(rows))
	for _, r := range rows {
		out = append(out, tweets.Entry{Username: r.Username, RetweetCount: r.RetweetCount, FavoriteCount: r.FavoriteCount})
	}
	return out, nil
}

// leaderboardRow is one timed GET /leaderboard?limit=N.
type leaderboardRow struct {
	limit int
	lat   bench.Latency
}

func renderLeaderboardRead(w io.Writer, users int, deployed, filled time.Duration, rows []leaderboardRow, floor bench.Latency) error {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }
	t := bench.Table{Header: []string{"request", "n", "p50", "p90", "p99", "max", "p50 vs floor"}, Right: []bool{false, true, true, true, true, true, true}}
	t.Rows = append(t.Rows, []string{"floor: loopback HTTP round trip", fmt.Sprint(floor.N), ms(floor.P50), ms(floor.P90), ms(floor.P99), ms(floor.Max), "1×"})
	for _, r := range rows {
		s := r.lat
		t.Rows = append(t.Rows, []string{fmt.Sprintf("GET leaderboard?limit=%d, %d players", r.limit, users), fmt.Sprint(s.N), ms(s.P50), ms(s.P90), ms(s.P99), ms(s.Max),
			fmt.Sprintf("%.0f×", float64(s.P50)/float64(max(floor.P50, 1)))})
	}
	if err := t.Render(w); err != nil {
		return err
	}
	s := rows[0].lat
	result := "PASS"
	if s.P50 > leaderboardTarget {
		result = "MISS"
	}
	_, err := fmt.Fprintf(w, "\ndeploying retweet-leaderboard took %s; filling the table with %d players through TweetProcessor took %s.\ntarget: GET leaderboard?limit=10 p50 ≤ %v with %d players: %s (p50 %s)\n\n",
		deployed.Round(time.Millisecond), users, filled.Round(time.Millisecond), leaderboardTarget, users, result, ms(s.P50))
	return err
}

// leaderboardTicks is what the keeping-up measurement saw.
type leaderboardTicks struct {
	o               leaderboardBenchOptions
	served, repeats int
	ticked, total   time.Duration
	polls           bench.Latency
	matched         bool
	want            int
}

func renderLeaderboardTicks(w io.Writer, r leaderboardTicks) error {
	simulated := time.Duration(r.o.seconds) * r.o.tick
	rate := float64(r.served) / r.total.Seconds()
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
	t := bench.Table{Header: []string{"keeping up", "value"}, Right: []bool{false, true}}
	t.Rows = append(t.Rows,
		[]string{"simulated time (ticks × tick)", fmt.Sprintf("%s (%d × %v)", simulated, r.o.seconds, r.o.tick)},
		[]string{"simulator rate", fmt.Sprintf("%.0f tweets/s", r.o.rate)},
		[]string{"BatchSize (tweets an async TweetProcessor invoke)", fmt.Sprint(r.o.batchSize)},
		[]string{"tweets served", fmt.Sprint(r.served)},
		[]string{"tweets served more than once", fmt.Sprint(r.repeats)},
		[]string{"poll (search + hand over) p50 / p90 / max", fmt.Sprintf("%s / %s / %s", ms(r.polls.P50), ms(r.polls.P90), ms(r.polls.Max))},
		[]string{"wall time of the ticks", ms(r.ticked)},
		[]string{"wall time until the leaderboard matched", ms(r.total)},
		[]string{"tweets/s processed end to end", fmt.Sprintf("%.0f", rate)},
	)
	if err := t.Render(w); err != nil {
		return err
	}
	if !r.matched {
		_, err := fmt.Fprintf(w, "\nthe leaderboard did not match the simulator's top %d within --wait %v: the end-to-end figure is a bound, not a measurement\ntarget: keep up with %.0f tweets/s: MISS\n", r.want, r.o.wait, leaderboardTweetsRate)
		return err
	}
	result := "PASS"
	if rate < leaderboardTweetsRate {
		result = "MISS"
	}
	_, err := fmt.Fprintf(w, "\nthe leaderboard matched the simulator's top %d.\ntarget: keep up with %.0f tweets/s (served / wall time until the leaderboard matched ≥ %.0f): %s (%.0f tweets/s)\n",
		r.want, leaderboardTweetsRate, leaderboardTweetsRate, result, rate)
	return err
}
