package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/eddyserverless/eddy/sim/tweets"
	"github.com/spf13/cobra"
)

func simCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "sim", Short: "Simulate outside services on loopback, to play and test applications locally"}
	cmd.AddCommand(simTweetsCommand())
	return cmd
}

func simTweetsCommand() *cobra.Command {
	var (
		host, start, board string
		port, limit        int
		printCredentials   bool
		cfg                tweets.Config
	)
	cmd := &cobra.Command{
		Use:   "tweets",
		Short: "Serve a simulated Twitter search API (v1.1 and v2) over a seeded stream of tweets",
		Long: `Serve GET /1.1/search/tweets.json and GET /2/tweets/search/recent over a
deterministic stream of tweets chosen by --seed: --rate tweets a second from
--start on, by --users accounts, each carrying one or more of the --hashtag
values, with retweet and favorite counts that grow with time. The v1.1
endpoint accepts OAuth 1.0a (HMAC-SHA1) or the bearer token, v2 the bearer
token; --print-credentials prints them as KEY=VALUE lines and exits. The
command prints the address it listens on and serves until interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Rate <= 0 {
				return errors.New("--rate must be positive")
			}
			if cfg.Users < 1 || cfg.Users > 100_000 {
				return errors.New("--users must be between 1 and 100000")
			}
			if start != "" {
				t, err := parseStart(start, time.Now())
				if err != nil {
					return err
				}
				cfg.Start = t
			}
			sim := tweets.New(cfg)
			out := cmd.OutOrStdout()
			if printCredentials {
				c := sim.Credentials()
				_, err := fmt.Fprintf(out, "TWITTER_CONSUMER_KEY=%s\nTWITTER_CONSUMER_SECRET=%s\nTWITTER_ACCESS_TOKEN=%s\nTWITTER_ACCESS_TOKEN_SECRET=%s\nTWITTER_BEARER_TOKEN=%s\n",
					c.ConsumerKey, c.ConsumerSecret, c.AccessToken, c.AccessTokenSecret, c.BearerToken)
				return err
			}
			if board != "" {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "RANK\tUSERNAME\tRETWEETS\tFAVORITES")
				for i, e := range sim.Expected(board, limit) {
					fmt.Fprintf(tw, "%d\t%s\t%d\t%d\n", i+1, e.Username, e.RetweetCount, e.FavoriteCount)
				}
				return tw.Flush()
			}
			return serveSim(cmd.Context(), cmd, net.JoinHostPort(host, strconv.Itoa(port)), sim.Handler())
		},
	}
	f := cmd.Flags()
	f.StringVar(&host, "host", "127.0.0.1", "address to listen on")
	f.IntVar(&port, "port", 0, "port to listen on; 0 picks a free one (the address is printed)")
	f.Int64Var(&cfg.Seed, "seed", 1, "seed that chooses the stream")
	f.IntVar(&cfg.Users, "users", 50, "accounts that tweet")
	f.StringArrayVar(&cfg.Hashtags, "hashtag", []string{"#eddy"}, "hashtag the tweets carry (repeatable)")
	f.Float64Var(&cfg.Rate, "rate", 5, "tweets a second")
	f.StringVar(&start, "start", "", "when the first tweet is created: an RFC 3339 time, or a duration before now such as 1h (default now)")
	f.BoolVar(&printCredentials, "print-credentials", false, "print the OAuth 1.0a credentials and the bearer token as KEY=VALUE lines and exit")
	f.StringVar(&board, "leaderboard", "", "print the leaderboard of this hashtag the whole stream implies now, and exit")
	f.IntVar(&limit, "limit", 10, "entries of --leaderboard; 0 for all")
	return cmd
}

// parseStart reads --start: an RFC 3339 time or a duration before now.
func parseStart(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("--start %q: want an RFC 3339 time or a positive duration", v)
	}
	return now.Add(-d), nil
}

// serveSim serves h on addr until ctx ends, printing the address first.
// Requests share ctx, so a request held open by a fault ends with it.
func serveSim(ctx context.Context, cmd *cobra.Command, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
