package tweets_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/sim/tweets"
)

func TestFaults(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 41}, time.Minute)
	for _, path := range []string{"/1.1/search/tweets.json?q=%23eddy", "/2/tweets/search/recent?query=%23eddy"} {
		for _, tc := range []struct {
			mode   string
			status int
		}{
			{tweets.FailRateLimit, 429},
			{tweets.FailInternal, 500},
			{tweets.FailUnavailable, 503},
			{tweets.FailMalformed, 200},
		} {
			e.sim.Fail(2, tc.mode)
			for range 2 {
				status, h, body := e.get(t, path, e.bearer())
				if status != tc.status {
					t.Fatalf("%s %s: got %d %s, want %d", path, tc.mode, status, body, tc.status)
				}
				if valid := json.Valid(body); valid == (tc.mode == tweets.FailMalformed) {
					t.Fatalf("%s %s: body %s valid JSON: %v", path, tc.mode, body, valid)
				}
				if tc.mode == tweets.FailRateLimit {
					reset, err := strconv.ParseInt(h.Get("x-rate-limit-reset"), 10, 64)
					if err != nil || reset <= e.clock.Now().Unix() || h.Get("x-rate-limit-remaining") != "0" {
						t.Fatalf("rate limit headers: %v", h)
					}
				}
			}
			if status, _, body := e.get(t, path, e.bearer()); status != 200 || !json.Valid(body) {
				t.Fatalf("%s after %s: got %d %s, want 200", path, tc.mode, status, body)
			}
		}

		e.sim.Fail(1, tweets.FailSlow)
		began := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+path, nil)
		req.Header.Set("Authorization", e.bearer())
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s slow: got %d, want no answer", path, resp.StatusCode)
		}
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(began) < 200*time.Millisecond {
			t.Fatalf("%s slow: got %v after %v", path, err, time.Since(began))
		}
		if status, _, _ := e.get(t, path, e.bearer()); status != 200 {
			t.Fatalf("%s after slow: got %d, want 200", path, status)
		}
	}
}
