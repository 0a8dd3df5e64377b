package tweets_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/sim/tweets"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// t0 is when the streams of the tests start.
var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// simEnv is a simulator served on loopback with a fake clock.
type simEnv struct {
	sim   *tweets.Sim
	srv   *httptest.Server
	clock *fakeClock
}

// MustSim starts a simulator of cfg whose clock stands at t0+elapsed.
func MustSim(tb testing.TB, cfg tweets.Config, elapsed time.Duration) *simEnv {
	tb.Helper()
	c := &fakeClock{t: t0.Add(elapsed)}
	cfg.Clock, cfg.Start = c.Now, t0
	s := tweets.New(cfg)
	srv := httptest.NewServer(s.Handler())
	tb.Cleanup(srv.Close)
	return &simEnv{sim: s, srv: srv, clock: c}
}

// get sends GET path with the Authorization header auth and returns the
// status, headers and body.
func (e *simEnv) get(tb testing.TB, path, auth string) (int, http.Header, []byte) {
	tb.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func (e *simEnv) bearer() string { return "Bearer " + e.sim.Credentials().BearerToken }

// status is the part of an API v1.1 tweet the tests read.
type status struct {
	CreatedAt        string  `json:"created_at"`
	ID               int64   `json:"id"`
	IDStr            string  `json:"id_str"`
	Text             *string `json:"text"`
	FullText         *string `json:"full_text"`
	Truncated        *bool   `json:"truncated"`
	DisplayTextRange []int   `json:"display_text_range"`
	Entities         *struct {
		Hashtags []struct {
			Text    string `json:"text"`
			Indices []int  `json:"indices"`
		} `json:"hashtags"`
		UserMentions []struct {
			ScreenName string `json:"screen_name"`
			Indices    []int  `json:"indices"`
		} `json:"user_mentions"`
		URLs []any `json:"urls"`
	} `json:"entities"`
	User struct {
		ID             int64  `json:"id"`
		IDStr          string `json:"id_str"`
		Name           string `json:"name"`
		ScreenName     string `json:"screen_name"`
		FollowersCount *int   `json:"followers_count"`
	} `json:"user"`
	RetweetCount    *int    `json:"retweet_count"`
	FavoriteCount   *int    `json:"favorite_count"`
	RetweetedStatus *status `json:"retweeted_status"`
	Lang            string  `json:"lang"`
	IsQuoteStatus   *bool   `json:"is_quote_status"`
	Favorited       *bool   `json:"favorited"`
	Retweeted       *bool   `json:"retweeted"`
}

func (s status) text() string {
	if s.FullText != nil {
		return *s.FullText
	}
	if s.Text != nil {
		return *s.Text
	}
	return ""
}

type searchResponse struct {
	Statuses       []status `json:"statuses"`
	SearchMetadata struct {
		MaxID       int64  `json:"max_id"`
		MaxIDStr    string `json:"max_id_str"`
		SinceID     int64  `json:"since_id"`
		SinceIDStr  string `json:"since_id_str"`
		Count       int    `json:"count"`
		Query       string `json:"query"`
		RefreshURL  string `json:"refresh_url"`
		NextResults string `json:"next_results"`
	} `json:"search_metadata"`
}

// search calls the v1.1 search with the bearer token and the parameters.
func (e *simEnv) search(tb testing.TB, params url.Values) searchResponse {
	tb.Helper()
	return getJSON[searchResponse](tb, e, "/1.1/search/tweets.json", params)
}

// getJSON GETs path with the parameters and the bearer token, and decodes
// the 200 answer.
func getJSON[T any](tb testing.TB, e *simEnv, path string, params url.Values) T {
	tb.Helper()
	code, _, body := e.get(tb, path+"?"+params.Encode(), e.bearer())
	if code != http.StatusOK {
		tb.Fatalf("GET %s %v: got %d %s, want 200", path, params, code, body)
	}
	var r T
	if err := json.Unmarshal(body, &r); err != nil {
		tb.Fatalf("GET %s %v: %v in %s", path, params, err, body)
	}
	return r
}

// all pages back through every result of q with next_results, newest first.
func (e *simEnv) all(tb testing.TB, q string, count int) []status {
	tb.Helper()
	var out []status
	params := url.Values{"q": {q}, "count": {fmt.Sprint(count)}}
	for range 10000 {
		r := e.search(tb, params)
		out = append(out, r.Statuses...)
		next := r.SearchMetadata.NextResults
		if next == "" {
			return out
		}
		if len(r.Statuses) != count {
			tb.Fatalf("page of %d with next_results, want %d", len(r.Statuses), count)
		}
		var err error
		if params, err = url.ParseQuery(strings.TrimPrefix(next, "?")); err != nil {
			tb.Fatalf("next_results %q: %v", next, err)
		}
	}
	tb.Fatal("paging did not end")
	return nil
}

// ids returns the ids of statuses in order.
func ids(sts []status) []int64 {
	out := make([]int64, len(sts))
	for i, s := range sts {
		out[i] = s.ID
	}
	return out
}

// oauthEncode percent-encodes as RFC 5849 §3.6 says.
func oauthEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("-._~", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// oauthSign signs a request per RFC 5849 §3.4.1 and §3.4.2: rawURL without
// its query is the base string URI; params are the query, body and oauth_
// parameters.
func oauthSign(method, rawURL string, params map[string]string, consumerSecret, tokenSecret string) string {
	type kv struct{ k, v string }
	var pairs []kv
	for k, v := range params {
		pairs = append(pairs, kv{oauthEncode(k), oauthEncode(v)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k == pairs[j].k {
			return pairs[i].v < pairs[j].v
		}
		return pairs[i].k < pairs[j].k
	})
	var norm []string
	for _, p := range pairs {
		norm = append(norm, p.k+"="+p.v)
	}
	base := method + "&" + oauthEncode(rawURL) + "&" + oauthEncode(strings.Join(norm, "&"))
	mac := hmac.New(sha1.New, []byte(oauthEncode(consumerSecret)+"&"+oauthEncode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// oauthHeader returns the Authorization header of a signed GET of baseURL
// with query, signed as if sent to signURL.
func oauthHeader(c tweets.Credentials, signURL string, query url.Values, nonce string) string {
	params := map[string]string{
		"oauth_consumer_key":     c.ConsumerKey,
		"oauth_nonce":            nonce,
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        "1764000000",
		"oauth_token":            c.AccessToken,
		"oauth_version":          "1.0",
	}
	all := map[string]string{}
	for k, v := range params {
		all[k] = v
	}
	for k := range query {
		all[k] = query.Get(k)
	}
	params["oauth_signature"] = oauthSign("GET", signURL, all, c.ConsumerSecret, c.AccessTokenSecret)
	var parts []string
	for k, v := range params {
		parts = append(parts, fmt.Sprintf(`%s="%s"`, oauthEncode(k), oauthEncode(v)))
	}
	sort.Strings(parts)
	return "OAuth " + strings.Join(parts, ", ")
}

// errorBody decodes an API v1.1 error body.
func errorBody(tb testing.TB, body []byte) (int, string) {
	tb.Helper()
	var e struct {
		Errors []struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) != 1 {
		tb.Fatalf("error body %s: want one error (%v)", body, err)
	}
	return e.Errors[0].Code, e.Errors[0].Message
}
