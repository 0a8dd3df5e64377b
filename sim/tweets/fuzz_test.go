package tweets_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/sim/tweets"
)

// FuzzSearchParams sends any query string to both searches: the answer is
// 200 or 400 with a JSON body, never a panic.
func FuzzSearchParams(f *testing.F) {
	for _, seed := range []string{
		"q=%23eddy&count=5&since_id=1&max_id=99999999999999999&tweet_mode=extended",
		"q=%22shipping+the%22+-%23go+filter:retweets&count=-3&result_type=popular",
		"q=-&include_entities=0", "q=%22&count=1000", "q=%ZZ", "query=%23eddy&max_results=10&next_token=b26v1",
		"query=%23eddy+-is:retweet&tweet.fields=public_metrics,created_at&expansions=author_id&until_id=2",
		"query=is:retweet&user.fields=username,public_metrics", "query=%22a+b&since_id=9223372036854775807",
	} {
		f.Add(seed)
	}
	clock := func() time.Time { return t0.Add(time.Minute) }
	sim := tweets.New(tweets.Config{Seed: 1, Start: t0, Clock: clock, Hashtags: []string{"#eddy", "#Go"}})
	h := sim.Handler()
	auth := "Bearer " + sim.Credentials().BearerToken
	f.Fuzz(func(t *testing.T, raw string) {
		for _, path := range []string{"/1.1/search/tweets.json", "/2/tweets/search/recent"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.URL.RawQuery = raw
			req.Header.Set("Authorization", auth)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
				t.Fatalf("%s?%s: got %d %s", path, raw, w.Code, w.Body)
			}
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s?%s: invalid JSON %s", path, raw, w.Body)
			}
		}
	})
}

// FuzzOAuthHeader sends any Authorization header: the answer is 200 or 401,
// never a panic.
func FuzzOAuthHeader(f *testing.F) {
	for _, seed := range []string{
		`OAuth oauth_consumer_key="a", oauth_token="b", oauth_signature="c%3D", oauth_signature_method="HMAC-SHA1"`,
		`OAuth realm="", oauth_nonce="%ZZ"`, `OAuth =`, `oauth ,,,`, `Bearer `, `OAuth a="`,
	} {
		f.Add(seed)
	}
	sim := tweets.New(tweets.Config{Seed: 1, Start: t0, Clock: func() time.Time { return t0.Add(time.Second) }})
	h := sim.Handler()
	f.Fuzz(func(t *testing.T, auth string) {
		req := httptest.NewRequest(http.MethodGet, "/1.1/search/tweets.json?q=%23eddy", nil)
		req.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusUnauthorized {
			t.Fatalf("%q: got %d %s", auth, w.Code, w.Body)
		}
	})
}
