package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/eddyserverless/eddy/sim/tweets"
	"github.com/spf13/cobra"
)

// What eddy up deploys, and where it keeps what it must find again.
const (
	upStack        = "leaderboard" // the stack serverlessrepo-leaderboard
	upApp          = "retweet-leaderboard"
	upParamPrefix  = "eddy-up"
	upStartParam   = "/eddy-up/simulator-start"
	upPollerOutput = "TwitterSearchPollerFunctionName"
)

// upOptions are eddy up's flags.
type upOptions struct {
	cfg       Config
	hashtag   string
	simPort   int
	seed      int64
	rate      float64
	pollEvery time.Duration
}

// upCommand is `eddy up`: the retweet leaderboard game, played locally.
func upCommand() *cobra.Command {
	o := &upOptions{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Play the retweet leaderboard: eddy, its catalog, a tweet search simulator and the game, deployed",
		Long: `up starts eddy on its embedded engine (publishing its bundled
applications), starts the tweet search simulator on loopback, stores the
simulator's credentials in the parameter store, deploys retweet-leaderboard
(which nests tweet-search-event-source) with a demo hashtag, polls the search
every few seconds, and prints the leaderboard page's address. Ctrl-C stops
everything; running it again picks up where it left off: the same data
directory, the same simulated stream, the same stack.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runUp(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.cfg.Host, "host", "127.0.0.1", "address eddy listens on")
	f.IntVar(&o.cfg.Port, "port", 4566, "port of every AWS API")
	f.StringVar(&o.cfg.DataDir, "data", ".eddy", "data directory")
	f.StringVar(&o.hashtag, "hashtag", "#eddy", "the hashtag the game searches")
	f.IntVar(&o.simPort, "sim-port", 4567, "port of the tweet search simulator (0: any)")
	f.Int64Var(&o.seed, "seed", 1, "the simulated stream's seed")
	f.Float64Var(&o.rate, "rate", 5, "simulated tweets per second")
	f.DurationVar(&o.pollEvery, "poll-every", 3*time.Second, "how often the search is polled (the schedule's minute is too slow to watch)")
	return cmd
}

// runUp runs eddy up until ctx ends.
func runUp(ctx context.Context, o *upOptions, out io.Writer) error {
	began := time.Now()
	o.cfg.BundledApps = true
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m := NewMain(o.cfg, logger)
	if err := m.Run(ctx); err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout+5*time.Second)
		defer cancel()
		_ = m.Close(cctx)
	}()
	fmt.Fprintf(out, "eddy is serving at %s (data in %s)\n", m.URL(), o.cfg.DataDir)
	c := &clientFlags{endpoint: m.URL(), region: o.cfg.Region}

	start, err := simulatorStart(ctx, c)
	if err != nil {
		return err
	}
	sim := tweets.New(tweets.Config{Seed: o.seed, Hashtags: []string{o.hashtag}, Rate: o.rate, Start: start})
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(o.simPort)))
	if err != nil {
		return fmt.Errorf("the simulator: %w", err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	simURL := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "The tweet search simulator is serving at %s\n", simURL)
	if err := storeSimCredentials(ctx, c, sim.Credentials()); err != nil {
		return err
	}

	params := map[string]string{
		"Hashtag": o.hashtag, "SearchApiBaseUrl": simURL, "SSMParameterPrefix": upParamPrefix,
		"StreamModeEnabled": "true", "PollingFrequencyInMinutes": "1",
	}
	if err := ensureUpStack(ctx, c, out, params); err != nil {
		return err
	}
	st, err := describeStack(ctx, c.cloudformation(), appStackPrefix+upStack)
	if err != nil {
		return err
	}
	poller, err := nestedOutput(ctx, c.cloudformation(), appStackPrefix+upStack, upPollerOutput)
	if err != nil {
		return err
	}
	page := ""
	for _, op := range st.Outputs {
		if aws.ToString(op.OutputKey) == "LeaderboardPageUrl" {
			page = eddyURL(m.URL(), aws.ToString(op.OutputValue))
		}
	}
	fmt.Fprintf(out, "\nThe leaderboard of %s: %s\n(ready in %.1f s; Ctrl-C stops)\n", o.hashtag, page, time.Since(began).Seconds())
	pollLoop(ctx, c.lambda(), poller, o.pollEvery)
	fmt.Fprintln(out, "Stopping.")
	return nil
}

// simulatorStart returns when the simulated stream began, kept in the
// parameter store so that another eddy up goes on with the same stream.
func simulatorStart(ctx context.Context, c *clientFlags) (time.Time, error) {
	cl := ssm.NewFromConfig(c.config())
	got, err := cl.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(upStartParam)})
	if err == nil {
		if t, err := time.Parse(time.RFC3339Nano, aws.ToString(got.Parameter.Value)); err == nil {
			return t, nil
		}
	} else if !isAPIError(err, "ParameterNotFound") {
		return time.Time{}, apiMessage(err)
	}
	// The stream begins a little before the first eddy up, so that the
	// first poll finds a game under way.
	now := time.Now().UTC().Add(-10 * time.Minute)
	if _, err := cl.PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String(upStartParam), Value: aws.String(now.Format(time.RFC3339Nano)),
		Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true),
	}); err != nil {
		return time.Time{}, apiMessage(err)
	}
	return now, nil
}

// storeSimCredentials stores the simulator's credentials as SecureStrings
// where tweet-search-event-source reads them (SSMParameterPrefix eddy-up).
func storeSimCredentials(ctx context.Context, c *clientFlags, cr tweets.Credentials) error {
	cl := ssm.NewFromConfig(c.config())
	for name, v := range map[string]string{
		"consumer_key": cr.ConsumerKey, "consumer_secret": cr.ConsumerSecret,
		"access_token": cr.AccessToken, "access_token_secret": cr.AccessTokenSecret, "bearer_token": cr.BearerToken,
	} {
		if _, err := cl.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String("/" + upParamPrefix + "/" + name), Value: aws.String(v),
			Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		}); err != nil {
			return apiMessage(err)
		}
	}
	return nil
}

// ensureUpStack deploys retweet-leaderboard as serverlessrepo-leaderboard,
// unless it is already deployed with these parameters.
func ensureUpStack(ctx context.Context, c *clientFlags, out io.Writer, params map[string]string) error {
	st, err := describeStack(ctx, c.cloudformation(), appStackPrefix+upStack)
	if err != nil && !isNotFound(err) {
		return err
	}
	if st != nil && isSettledOK(st.StackStatus) && sameParams(st.Parameters, params) {
		fmt.Fprintf(out, "The game is deployed already: stack %s\n", appStackPrefix+upStack)
		return nil
	}
	return deployApp(ctx, c, out, upApp, upStack, params, appCapabilities)
}

// isSettledOK reports whether a stack's status is a complete one that is
// not a rollback's.
func isSettledOK(s cfntypes.StackStatus) bool {
	return s == cfntypes.StackStatusCreateComplete || s == cfntypes.StackStatusUpdateComplete
}

// sameParams reports whether a stack has every parameter value of want.
func sameParams(have []cfntypes.Parameter, want map[string]string) bool {
	got := map[string]string{}
	for _, p := range have {
		got[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// nestedOutput returns the output key of the stacks a stack nests.
func nestedOutput(ctx context.Context, cfn *cloudformation.Client, stack, key string) (string, error) {
	res, err := cfn.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
	if err != nil {
		return "", apiMessage(err)
	}
	for _, r := range res.StackResourceSummaries {
		if aws.ToString(r.ResourceType) != "AWS::CloudFormation::Stack" {
			continue
		}
		st, err := describeStack(ctx, cfn, aws.ToString(r.PhysicalResourceId))
		if err != nil {
			return "", err
		}
		for _, o := range st.Outputs {
			if aws.ToString(o.OutputKey) == key {
				return aws.ToString(o.OutputValue), nil
			}
		}
	}
	return "", fmt.Errorf("no stack %s nests has the output %s", stack, key)
}

// pollLoop invokes the poller every interval (an asynchronous invoke, as
// its schedule does) until ctx ends.
func pollLoop(ctx context.Context, lc *lambda.Client, poller string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		_, err := lc.Invoke(ctx, &lambda.InvokeInput{
			FunctionName: aws.String(poller), InvocationType: lambdatypes.InvocationTypeEvent,
			Payload: []byte(`{"source":"eddy.up","detail-type":"Scheduled Event","detail":{}}`),
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(os.Stderr, "polling: %v\n", apiMessage(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
