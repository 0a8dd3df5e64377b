package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/sim/tweets"
)

func TestSimTweetsCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	cmd := simCommand()
	cmd.SetOut(pw)
	cmd.SetArgs([]string{"tweets", "--port", "0", "--seed", "7", "--start", "1m", "--hashtag", "#eddy", "--hashtag", "go"})
	done := make(chan error, 1)
	go func() {
		err := cmd.ExecuteContext(ctx)
		pw.Close()
		done <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the address: %v", err)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "Listening on ")
	if !ok || !strings.HasPrefix(addr, "http://127.0.0.1:") {
		t.Fatalf("first line: got %q, want Listening on http://127.0.0.1:PORT", line)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, addr+"/1.1/search/tweets.json?q=%23go&count=20", nil)
	req.Header.Set("Authorization", "Bearer "+tweets.New(tweets.Config{Seed: 7}).Credentials().BearerToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Statuses []struct {
			IDStr string `json:"id_str"`
			Text  string `json:"text"`
		} `json:"statuses"`
		SearchMetadata struct {
			NextResults string `json:"next_results"`
		} `json:"search_metadata"`
	}
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("search: got %d, %v", resp.StatusCode, err)
	}
	if len(page.Statuses) != 20 || page.SearchMetadata.NextResults == "" {
		t.Fatalf("a minute of tweets: got %d statuses, next_results %q", len(page.Statuses), page.SearchMetadata.NextResults)
	}
	for _, s := range page.Statuses {
		mustContain(t, strings.ToLower(s.Text), "#go")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("eddy sim tweets: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("eddy sim tweets did not stop")
	}
}

func TestSimTweetsPrints(t *testing.T) {
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		cmd := simCommand()
		cmd.SetOut(&out)
		cmd.SetArgs(append([]string{"tweets", "--seed", "7"}, args...))
		if err := cmd.Execute(); err != nil {
			t.Fatalf("eddy sim tweets %v: %v", args, err)
		}
		return out.String()
	}
	c := tweets.New(tweets.Config{Seed: 7}).Credentials()
	want := "TWITTER_CONSUMER_KEY=" + c.ConsumerKey + "\nTWITTER_CONSUMER_SECRET=" + c.ConsumerSecret +
		"\nTWITTER_ACCESS_TOKEN=" + c.AccessToken + "\nTWITTER_ACCESS_TOKEN_SECRET=" + c.AccessTokenSecret +
		"\nTWITTER_BEARER_TOKEN=" + c.BearerToken + "\n"
	if got := run("--print-credentials"); got != want {
		t.Fatalf("credentials: got %q, want %q", got, want)
	}
	board := run("--start", "30m", "--leaderboard", "#eddy", "--limit", "3")
	lines := strings.Split(strings.TrimSpace(board), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "RANK") || !strings.HasPrefix(lines[1], "1 ") {
		t.Fatalf("leaderboard: got %q", board)
	}
}
