package tweets_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/eddyserverless/eddy/sim/tweets"
)

func TestDeterministic(t *testing.T) {
	body := func(seed int64) []byte {
		e := MustSim(t, tweets.Config{Seed: seed}, time.Minute)
		_, _, b := e.get(t, "/1.1/search/tweets.json?q=%23eddy&count=100&tweet_mode=extended", e.bearer())
		// completed_in is the only field that may differ.
		return regexp.MustCompile(`"completed_in":[0-9.e-]+`).ReplaceAll(b, nil)
	}
	a, b, c := body(7), body(7), body(8)
	if !bytes.Equal(a, b) {
		t.Fatalf("same seed, different answers:\n%s\n%s", a, b)
	}
	if bytes.Equal(a, c) {
		t.Fatal("seeds 7 and 8 gave the same tweets")
	}
	if e1, e2 := tweets.New(tweets.Config{Seed: 7}).Credentials(), tweets.New(tweets.Config{Seed: 7}).Credentials(); e1 != e2 {
		t.Fatalf("credentials of seed 7: got %+v and %+v", e1, e2)
	}
}

func TestStatusShape(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 3, Hashtags: []string{"eddy", "#Go"}}, 2*time.Minute)
	all := e.all(t, "-filter:retweets", 100)
	all = append(all, e.all(t, "filter:retweets", 100)...)
	if got, want := len(all), 2*60*5+1; got != want {
		t.Fatalf("tweets after 2 minutes at 5/s: got %d, want %d", got, want)
	}
	var retweets, zero int
	for _, s := range all {
		created, err := time.Parse(time.RubyDate, s.CreatedAt)
		if err != nil || !strings.HasSuffix(s.CreatedAt, " +0000 2026") {
			t.Fatalf("created_at %q: %v", s.CreatedAt, err)
		}
		if created.After(e.clock.Now()) || created.Before(t0) {
			t.Fatalf("created_at %v outside [%v, %v]", created, t0, e.clock.Now())
		}
		if s.IDStr != strconv.FormatInt(s.ID, 10) || s.User.IDStr != strconv.FormatInt(s.User.ID, 10) {
			t.Fatalf("id_str: got %q and %q for %d and %d", s.IDStr, s.User.IDStr, s.ID, s.User.ID)
		}
		if s.Text == nil || s.FullText != nil || s.Truncated == nil || *s.Truncated {
			t.Fatalf("tweet %d: want text, no full_text, truncated false", s.ID)
		}
		if s.User.ScreenName == "" || s.User.Name == "" || s.User.FollowersCount == nil {
			t.Fatalf("user %+v: want screen_name, name, followers_count", s.User)
		}
		if s.RetweetCount == nil || s.FavoriteCount == nil || s.IsQuoteStatus == nil || s.Favorited == nil || s.Retweeted == nil || s.Lang != "en" {
			t.Fatalf("tweet %d: missing counts or flags", s.ID)
		}
		if *s.RetweetCount == 0 {
			zero++
		}
		text := []rune(s.text())
		if s.Entities == nil || len(s.Entities.Hashtags) == 0 || s.Entities.URLs == nil {
			t.Fatalf("tweet %d %q: want entities with hashtags", s.ID, s.text())
		}
		for _, h := range s.Entities.Hashtags {
			if got := string(text[h.Indices[0]:h.Indices[1]]); got != "#"+h.Text {
				t.Fatalf("hashtag %q at %v of %q: got %q", h.Text, h.Indices, s.text(), got)
			}
		}
		if o := s.RetweetedStatus; o != nil {
			retweets++
			if want := "RT @" + o.User.ScreenName + ": " + o.text(); s.text() != want {
				t.Fatalf("retweet text: got %q, want %q", s.text(), want)
			}
			if o.ID >= s.ID || o.RetweetedStatus != nil {
				t.Fatalf("retweet %d of %d: want an older original", s.ID, o.ID)
			}
			m := s.Entities.UserMentions
			if len(m) != 1 || m[0].ScreenName != o.User.ScreenName || string(text[m[0].Indices[0]:m[0].Indices[1]]) != "@"+o.User.ScreenName {
				t.Fatalf("retweet mentions: got %+v", m)
			}
			if *s.RetweetCount != *o.RetweetCount || *s.RetweetCount == 0 || *s.FavoriteCount != 0 {
				t.Fatalf("retweet counts %d/%d, original's %d: want the original's retweets, above 0, and no favorites", *s.RetweetCount, *s.FavoriteCount, *o.RetweetCount)
			}
		}
	}
	if retweets == 0 || retweets > len(all)/2 {
		t.Fatalf("retweets: got %d of %d, want some", retweets, len(all))
	}
	if zero == 0 {
		t.Fatal("no tweet has a retweet count of 0")
	}
}

func TestCountsGrow(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 5, Rate: 0.5}, 10*time.Minute)
	last := map[int64][2]int{}
	grew := map[int64]bool{}
	for range 6 {
		for _, s := range e.all(t, "#eddy", 100) {
			c := [2]int{*s.RetweetCount, *s.FavoriteCount}
			if p, ok := last[s.ID]; ok {
				if c[0] < p[0] || c[1] < p[1] {
					t.Fatalf("tweet %d: counts went from %v to %v", s.ID, p, c)
				}
				if c != p {
					grew[s.ID] = true
				}
			}
			last[s.ID] = c
		}
		e.clock.Advance(3 * time.Minute)
	}
	stayed := 0
	for id, c := range last {
		if c[0] == 0 && !grew[id] {
			stayed++
		}
	}
	if len(grew) == 0 || stayed == 0 {
		t.Fatalf("of %d tweets %d grew and %d stayed at 0 retweets: want some of each", len(last), len(grew), stayed)
	}
}

func TestPagingV1Backward(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 11}, time.Minute)
	got := ids(e.all(t, "#eddy", 17))
	if len(got) != 301 {
		t.Fatalf("tweets: got %d, want 301", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] >= got[i-1] {
			t.Fatalf("ids %d then %d: want strictly newest first", got[i-1], got[i])
		}
	}
	// since_id and max_id bound a page: since_id excluded, max_id included.
	r := e.search(t, url.Values{"q": {"#eddy"}, "since_id": {fmt.Sprint(got[20])}, "max_id": {fmt.Sprint(got[10])}, "count": {"100"}})
	if want := got[10:20]; !equalIDs(ids(r.Statuses), want) {
		t.Fatalf("since_id/max_id page: got %v, want %v", ids(r.Statuses), want)
	}
	if r.SearchMetadata.NextResults != "" || r.SearchMetadata.MaxID != got[10] || r.SearchMetadata.SinceIDStr != fmt.Sprint(got[20]) {
		t.Fatalf("search_metadata: got %+v", r.SearchMetadata)
	}
}

func TestPagingV1Forward(t *testing.T) {
	// A poller: every tick it asks for what is newer than what it has, and
	// pages back with max_id until it reaches it.
	e := MustSim(t, tweets.Config{Seed: 12}, 0)
	var seen []int64
	var high int64
	for range 40 {
		e.clock.Advance(7 * time.Second)
		params := url.Values{"q": {"#eddy"}, "count": {"10"}, "since_id": {fmt.Sprint(high)}}
		newest := high
		for {
			r := e.search(t, params)
			seen = append(seen, ids(r.Statuses)...)
			if len(r.Statuses) > 0 {
				newest = max(newest, r.Statuses[0].ID)
			}
			if r.SearchMetadata.NextResults == "" {
				break
			}
			next, _ := url.ParseQuery(strings.TrimPrefix(r.SearchMetadata.NextResults, "?"))
			params.Set("max_id", next.Get("max_id"))
		}
		refresh, _ := url.ParseQuery(strings.TrimPrefix(e.search(t, url.Values{"q": {"#eddy"}, "since_id": {fmt.Sprint(newest)}}).SearchMetadata.RefreshURL, "?"))
		if refresh.Get("since_id") != fmt.Sprint(newest) {
			t.Fatalf("refresh_url since_id: got %q, want %d", refresh.Get("since_id"), newest)
		}
		high = newest
	}
	all := ids(e.all(t, "#eddy", 100))
	if len(all) != 40*7*5+1 {
		t.Fatalf("stream: got %d tweets, want %d", len(all), 40*7*5+1)
	}
	count := map[int64]int{}
	for _, id := range seen {
		count[id]++
	}
	for _, id := range all {
		if count[id] != 1 {
			t.Fatalf("tweet %d seen %d times, want once", id, count[id])
		}
	}
	if len(seen) != len(all) {
		t.Fatalf("seen %d, want %d", len(seen), len(all))
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestQueryMatching(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 21, Hashtags: []string{"#eddy", "#Go", "#eddyconf"}}, 90*time.Second)
	every := append(e.all(t, "-filter:retweets", 100), e.all(t, "filter:retweets", 100)...)
	for _, tc := range []struct {
		q    string
		want func(s status) bool
	}{
		{"#go", func(s status) bool { return hasWord(s.text(), "#go") }},
		{"#GO #eddy", func(s status) bool { return hasWord(s.text(), "#go") && hasWord(s.text(), "#eddy") }},
		{"#eddy", func(s status) bool { return hasWord(s.text(), "#eddy") }},
		{"#eddyconf -#go", func(s status) bool { return hasWord(s.text(), "#eddyconf") && !hasWord(s.text(), "#go") }},
		{"coffee", func(s status) bool { return hasWord(s.text(), "coffee") }},
		{"#eddy -filter:retweets", func(s status) bool { return hasWord(s.text(), "#eddy") && s.RetweetedStatus == nil }},
		{"#nothing", func(status) bool { return false }},
	} {
		got := map[int64]bool{}
		for _, id := range ids(e.all(t, tc.q, 100)) {
			got[id] = true
		}
		n := 0
		for _, s := range every {
			if tc.want(s) != got[s.ID] {
				t.Fatalf("q %q, tweet %q: got match %v", tc.q, s.text(), got[s.ID])
			}
			if got[s.ID] {
				n++
			}
		}
		if n != len(got) {
			t.Fatalf("q %q: %d results, %d of them in the stream", tc.q, len(got), n)
		}
		if n == 0 && tc.q != "#nothing" {
			t.Fatalf("q %q matched nothing", tc.q)
		}
	}
}

// hasWord reports whether text has word, ignoring case, with no letter,
// digit or '_' on either side.
func hasWord(text, word string) bool {
	re, ok := wordPatterns[word]
	if !ok {
		re = regexp.MustCompile(`(?i)(^|[^\pL\pN_])` + regexp.QuoteMeta(word) + `($|[^\pL\pN_])`)
		wordPatterns[word] = re
	}
	return re.MatchString(text)
}

// wordPatterns holds hasWord's patterns; only TestQueryMatching uses it.
var wordPatterns = map[string]*regexp.Regexp{}

func TestTweetMode(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 2}, 30*time.Second)
	for _, s := range e.search(t, url.Values{"q": {"#eddy"}, "count": {"50"}, "tweet_mode": {"extended"}}).Statuses {
		if s.FullText == nil || s.Text != nil {
			t.Fatalf("tweet_mode=extended: want full_text and no text in %+v", s)
		}
		if n := utf8.RuneCountInString(*s.FullText); len(s.DisplayTextRange) != 2 || s.DisplayTextRange[1] != n {
			t.Fatalf("display_text_range %v of %d characters", s.DisplayTextRange, n)
		}
		if s.RetweetedStatus != nil && s.RetweetedStatus.FullText == nil {
			t.Fatal("retweeted_status in extended mode has no full_text")
		}
	}
	for _, s := range e.search(t, url.Values{"q": {"#eddy"}, "include_entities": {"false"}}).Statuses {
		if s.Text == nil || s.FullText != nil || s.Entities != nil {
			t.Fatalf("compat mode without entities: got %+v", s)
		}
	}
}

func TestSearchMetadata(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 4}, time.Minute)
	r := e.search(t, url.Values{"q": {"#eddy"}, "count": {"5"}, "result_type": {"recent"}})
	md := r.SearchMetadata
	if len(r.Statuses) != 5 || md.Count != 5 || md.Query != "%23eddy" || md.MaxID != r.Statuses[0].ID || md.MaxIDStr != fmt.Sprint(md.MaxID) || md.SinceID != 0 || md.SinceIDStr != "0" {
		t.Fatalf("search_metadata: got %+v", md)
	}
	if want := fmt.Sprintf("?max_id=%d&q=%%23eddy&count=5&include_entities=1&result_type=recent", r.Statuses[4].ID-1); md.NextResults != want {
		t.Fatalf("next_results: got %q, want %q", md.NextResults, want)
	}
	if want := fmt.Sprintf("?since_id=%d&q=%%23eddy&result_type=recent&include_entities=1", md.MaxID); md.RefreshURL != want {
		t.Fatalf("refresh_url: got %q, want %q", md.RefreshURL, want)
	}
	if n := len(e.search(t, url.Values{"q": {"#eddy"}}).Statuses); n != 15 {
		t.Fatalf("default count: got %d, want 15", n)
	}
	if n := len(e.search(t, url.Values{"q": {"#eddy"}, "count": {"500"}}).Statuses); n != 100 {
		t.Fatalf("count 500: got %d, want 100", n)
	}
	// Before the stream starts nothing exists.
	early := MustSim(t, tweets.Config{Seed: 4}, -time.Second)
	if r := early.search(t, url.Values{"q": {"#eddy"}}); len(r.Statuses) != 0 || r.Statuses == nil {
		t.Fatalf("before the start: got %d statuses (nil %v), want []", len(r.Statuses), r.Statuses == nil)
	}
}

func TestV1Errors(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 1}, time.Minute)
	for _, tc := range []struct {
		path, auth string
		status     int
		code       int
		message    string
	}{
		{"/1.1/search/tweets.json?q=%23eddy", "", 401, 32, "Could not authenticate you."},
		{"/1.1/search/tweets.json?q=%23eddy", "Basic dXNlcjpwYXNz", 401, 32, "Could not authenticate you."},
		{"/1.1/search/tweets.json?q=%23eddy", `OAuth oauth_consumer_key="x"`, 401, 32, "Could not authenticate you."},
		{"/1.1/search/tweets.json?q=%23eddy", "Bearer nope", 401, 89, "Invalid or expired token."},
		{"/1.1/search/tweets.json", e.bearer(), 400, 25, "Query parameters are missing."},
		{"/1.1/search/tweets.json?q=+", e.bearer(), 400, 25, "Query parameters are missing."},
		{"/1.1/nothing.json", e.bearer(), 404, 34, "Sorry, that page does not exist."},
	} {
		status, h, body := e.get(t, tc.path, tc.auth)
		if status != tc.status {
			t.Fatalf("%s with %q: got %d %s, want %d", tc.path, tc.auth, status, body, tc.status)
		}
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("content-type: got %q", ct)
		}
		if code, msg := errorBody(t, body); code != tc.code || msg != tc.message {
			t.Fatalf("%s with %q: got %d %q, want %d %q", tc.path, tc.auth, code, msg, tc.code, tc.message)
		}
	}
	if status, _, _ := e.get(t, "/1.1/search/tweets.json?q=%23eddy", e.bearer()); status != http.StatusOK {
		t.Fatalf("bearer: got %d, want 200", status)
	}
}

func TestSearchWindow(t *testing.T) {
	// A tweet every 1,000 s for 8 days: search reaches back 7 days only.
	e := MustSim(t, tweets.Config{Seed: 71, Rate: 0.001}, 8*24*time.Hour)
	got := e.all(t, "#eddy", 100)
	oldest, _ := time.Parse(time.RubyDate, got[len(got)-1].CreatedAt)
	if cutoff := e.clock.Now().Add(-7 * 24 * time.Hour); oldest.Before(cutoff) || oldest.After(cutoff.Add(1000*time.Second)) {
		t.Fatalf("oldest result %v, want within 1000 s after %v", oldest, cutoff)
	}
	if want := 7 * 24 * 3600 / 1000; len(got) < want || len(got) > want+1 {
		t.Fatalf("results: got %d, want about %d", len(got), want)
	}
	if n := len(e.sim.Expected("#eddy", 0)); n == 0 {
		t.Fatal("expected leaderboard empty")
	}
}

func TestRateLimitHeaders(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 72}, time.Minute)
	c := e.sim.Credentials()
	const path = "/1.1/search/tweets.json"
	q := url.Values{"q": {"#eddy"}}
	for _, tc := range []struct {
		name, path string
		auth       func(n int) string
		limit      int
	}{
		{"v1.1 bearer", path + "?q=%23eddy", func(int) string { return e.bearer() }, 450},
		{"v1.1 OAuth", path + "?q=%23eddy", func(n int) string { return oauthHeader(c, e.srv.URL+path, q, fmt.Sprint("n", n)) }, 180},
		{"v2 bearer", "/2/tweets/search/recent?query=%23eddy", func(int) string { return e.bearer() }, 450},
	} {
		reset := e.clock.Now().Add(15 * time.Minute).Unix()
		for n := 1; n <= 3; n++ {
			status, h, _ := e.get(t, tc.path, tc.auth(n))
			if status != http.StatusOK {
				t.Fatalf("%s: got %d", tc.name, status)
			}
			if got, want := h.Get("x-rate-limit-limit")+" "+h.Get("x-rate-limit-remaining")+" "+h.Get("x-rate-limit-reset"),
				fmt.Sprint(tc.limit, " ", tc.limit-n, " ", reset); got != want {
				t.Fatalf("%s request %d: rate limit headers %q, want %q", tc.name, n, got, want)
			}
		}
	}
	// A new window starts once the last one has ended.
	e.clock.Advance(15 * time.Minute)
	if _, h, _ := e.get(t, path+"?q=%23eddy", e.bearer()); h.Get("x-rate-limit-remaining") != "449" {
		t.Fatalf("next window: remaining %q, want 449", h.Get("x-rate-limit-remaining"))
	}
}
