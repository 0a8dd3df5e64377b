package tweets_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/sim/tweets"
)

type v2Response struct {
	Data []struct {
		ID            string `json:"id"`
		Text          string `json:"text"`
		AuthorID      string `json:"author_id"`
		CreatedAt     string `json:"created_at"`
		PublicMetrics *struct {
			RetweetCount *int `json:"retweet_count"`
			ReplyCount   *int `json:"reply_count"`
			LikeCount    *int `json:"like_count"`
			QuoteCount   *int `json:"quote_count"`
		} `json:"public_metrics"`
		ReferencedTweets []struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"referenced_tweets"`
	} `json:"data"`
	Includes struct {
		Users []struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Username string `json:"username"`
		} `json:"users"`
	} `json:"includes"`
	Meta struct {
		NewestID    string `json:"newest_id"`
		OldestID    string `json:"oldest_id"`
		ResultCount int    `json:"result_count"`
		NextToken   string `json:"next_token"`
	} `json:"meta"`
}

func (e *simEnv) recent(tb testing.TB, params url.Values) v2Response {
	tb.Helper()
	return getJSON[v2Response](tb, e, "/2/tweets/search/recent", params)
}

// millisZ is how API v2 ends a time: milliseconds and Z.
var millisZ = regexp.MustCompile(`T\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestV2Shape(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 31}, 2*time.Minute)
	r := e.recent(t, url.Values{
		"query":        {"#eddy"},
		"max_results":  {"100"},
		"tweet.fields": {"public_metrics,created_at,author_id,referenced_tweets"},
		"expansions":   {"author_id"},
		"user.fields":  {"username"},
	})
	if len(r.Data) != 100 || r.Meta.ResultCount != 100 || r.Meta.NewestID != r.Data[0].ID || r.Meta.OldestID != r.Data[99].ID || r.Meta.NextToken == "" {
		t.Fatalf("meta %+v of %d tweets", r.Meta, len(r.Data))
	}
	users := map[string]string{}
	for _, u := range r.Includes.Users {
		if u.Name == "" || u.Username == "" {
			t.Fatalf("user %+v: want name and username", u)
		}
		users[u.ID] = u.Username
	}
	retweets := 0
	var last int64 = 1 << 62
	for _, d := range r.Data {
		id, err := strconv.ParseInt(d.ID, 10, 64)
		if err != nil || id >= last {
			t.Fatalf("id %q after %d: want newest first", d.ID, last)
		}
		last = id
		if _, err := time.Parse(time.RFC3339, d.CreatedAt); err != nil || !millisZ.MatchString(d.CreatedAt) {
			t.Fatalf("created_at %q: %v", d.CreatedAt, err)
		}
		if users[d.AuthorID] == "" {
			t.Fatalf("author %q not in includes.users", d.AuthorID)
		}
		m := d.PublicMetrics
		if m == nil || m.RetweetCount == nil || m.ReplyCount == nil || m.LikeCount == nil || m.QuoteCount == nil {
			t.Fatalf("public_metrics of %s: got %+v", d.ID, m)
		}
		if strings.HasPrefix(d.Text, "RT @") {
			retweets++
			if len(d.ReferencedTweets) != 1 || d.ReferencedTweets[0].Type != "retweeted" || mustID(t, d.ReferencedTweets[0].ID) >= id {
				t.Fatalf("retweet %s: referenced_tweets %+v", d.ID, d.ReferencedTweets)
			}
		} else if d.ReferencedTweets != nil {
			t.Fatalf("original %s: referenced_tweets %+v", d.ID, d.ReferencedTweets)
		}
	}
	if retweets == 0 {
		t.Fatal("no retweets")
	}

	// Without fields a tweet is its id and text.
	_, _, body := e.get(t, "/2/tweets/search/recent?query=%23eddy", e.bearer())
	var plain struct{ Data []map[string]any }
	if err := json.Unmarshal(body, &plain); err != nil || len(plain.Data) != 10 {
		t.Fatalf("default page: %v, %s", err, body)
	}
	for _, d := range plain.Data {
		if _, ok := d["author_id"]; ok || d["id"] == nil || d["text"] == nil {
			t.Fatalf("default fields: got %v", d)
		}
	}

	// No results.
	if _, _, body := e.get(t, "/2/tweets/search/recent?query=%23nothing", e.bearer()); strings.TrimSpace(string(body)) != `{"meta":{"result_count":0}}` {
		t.Fatalf("no results: got %s", body)
	}
}

func TestV2Paging(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 32}, time.Minute)
	v1 := ids(e.all(t, "#eddy", 100))
	var got []string
	params := url.Values{"query": {"#eddy"}, "max_results": {"13"}}
	for range 1000 {
		r := e.recent(t, params)
		for _, d := range r.Data {
			got = append(got, d.ID)
		}
		if r.Meta.NextToken == "" {
			break
		}
		params.Set("next_token", r.Meta.NextToken)
	}
	if len(got) != len(v1) {
		t.Fatalf("v2 paging: got %d tweets, v1 %d", len(got), len(v1))
	}
	for i := range v1 {
		if got[i] != strconv.FormatInt(v1[i], 10) {
			t.Fatalf("tweet %d: v2 %s, v1 %d", i, got[i], v1[i])
		}
	}
	// since_id and until_id are both exclusive.
	r := e.recent(t, url.Values{"query": {"#eddy"}, "since_id": {got[30]}, "until_id": {got[10]}, "max_results": {"100"}})
	if len(r.Data) != 19 || r.Data[0].ID != got[11] || r.Data[18].ID != got[29] || r.Meta.NextToken != "" {
		t.Fatalf("since_id/until_id: got %d tweets %+v", len(r.Data), r.Meta)
	}
}

func TestV2Errors(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 33}, time.Minute)
	for _, tc := range []struct {
		query, auth string
		status      int
		title       string
	}{
		{"query=%23eddy", "", 401, "Unauthorized"},
		{"query=%23eddy", "Bearer nope", 401, "Unauthorized"},
		{"query=%23eddy", `OAuth oauth_consumer_key="x"`, 401, "Unauthorized"},
		{"", e.bearer(), 400, "Invalid Request"},
		{"query=%23eddy&max_results=5", e.bearer(), 400, "Invalid Request"},
		{"query=%23eddy&max_results=101", e.bearer(), 400, "Invalid Request"},
		{"query=%23eddy&since_id=abc", e.bearer(), 400, "Invalid Request"},
		{"query=%23eddy&next_token=zzz", e.bearer(), 400, "Invalid Request"},
		{"query=%23eddy&tweet.fields=nope", e.bearer(), 400, "Invalid Request"},
		{"query=%23eddy&count=5", e.bearer(), 400, "Invalid Request"},
	} {
		status, _, body := e.get(t, "/2/tweets/search/recent?"+tc.query, tc.auth)
		var p struct {
			Title  string            `json:"title"`
			Detail string            `json:"detail"`
			Type   string            `json:"type"`
			Status int               `json:"status"`
			Errors []json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("%q: %v in %s", tc.query, err, body)
		}
		if status != tc.status || p.Status != tc.status || p.Title != tc.title || p.Detail == "" || p.Type == "" {
			t.Fatalf("%q with %q: got %d %s, want %d %q", tc.query, tc.auth, status, body, tc.status, tc.title)
		}
		if status == 400 && len(p.Errors) == 0 {
			t.Fatalf("%q: no errors in %s", tc.query, body)
		}
	}
}

func mustID(tb testing.TB, s string) int64 {
	tb.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		tb.Fatalf("id %q: %v", s, err)
	}
	return id
}
