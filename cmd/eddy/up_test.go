package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer written by one goroutine and read by
// another.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var pageLine = regexp.MustCompile(`The leaderboard of #eddy: (http://\S+)`)

// TestUp runs eddy up until the leaderboard page is served, stops it, and
// runs it again on the same data directory: the game is found deployed,
// and the page is served again.
func TestUp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := func() string {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		o := &upOptions{cfg: Config{DataDir: dir}, hashtag: "#eddy", seed: 1, rate: 5, pollEvery: time.Second}
		var out syncBuffer
		done := make(chan error, 1)
		go func() { done <- runUp(ctx, o, &out) }()
		var page string
		waitFor(t, time.Minute, "eddy up to print the page's address", func() bool {
			select {
			case err := <-done:
				t.Fatalf("eddy up ended: %v\n%s", err, out.String())
			default:
			}
			if m := pageLine.FindStringSubmatch(out.String()); m != nil {
				page = m[1]
			}
			return page != ""
		})
		resp, err := http.Get(page)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", page, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("eddy up: %v", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("eddy up did not stop")
		}
		mustContain(t, out.String(), "Stopping.")
		return out.String()
	}
	first := run()
	mustContain(t, first, "Stack serverlessrepo-leaderboard: CREATE_COMPLETE")
	second := run()
	if strings.Contains(second, "CREATE_COMPLETE") {
		t.Fatalf("the second eddy up deployed the game again:\n%s", second)
	}
}
