package poller_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/apps/tweet-search-event-source/poller"
)

// TestV2MappingAndPaging searches API v2 with a bearer token, paging with
// next_token, and hands the processor v1.1-shaped tweets.
func TestV2MappingAndPaging(t *testing.T) {
	r := newRig(t, true)
	r.ssm.params = map[string]string{"/twitter-event-source/bearer_token": "bt"}
	r.p.APIVersion = "2"
	r.api.Add(250)
	r.api.After = func(n int) {
		if n == 2 {
			r.api.Add(7)
		}
	}
	r.mustPoll(t)
	ids := r.api.IDs()
	exactlyOnce(t, r.lambda.ids(), ids)
	if got := r.table.checkpoint(); got != ids[len(ids)-1] {
		t.Fatalf("checkpoint: got %s, want %s", got, ids[len(ids)-1])
	}
	reqs := r.api.Requests()
	// 3 pages of the 250 (next_token twice), then the 7, then nothing.
	if len(reqs) != 5 {
		t.Fatalf("got %d requests, want 5", len(reqs))
	}
	q := reqs[0].Query
	for k, v := range map[string]string{
		"query": "eddy serverless", "max_results": "100", "expansions": "author_id", "user.fields": "username,name",
		"tweet.fields": "created_at,public_metrics,author_id,referenced_tweets,entities",
	} {
		if q.Get(k) != v {
			t.Errorf("%s: got %q, want %q", k, q.Get(k), v)
		}
	}
	if reqs[0].Path != "/2/tweets/search/recent" || reqs[0].Authorization != "Bearer bt" {
		t.Errorf("got %s with %q", reqs[0].Path, reqs[0].Authorization)
	}
	if reqs[1].Query.Get("next_token") == "" || reqs[3].Query.Get("since_id") != ids[249] {
		t.Errorf("paging: got %v then %v", reqs[1].Query, reqs[3].Query)
	}
	tw := r.lambda.batches[0][0]
	if tw["id_str"] != ids[0] || tw["id"].(json.Number).String() != ids[0] {
		t.Errorf("got id %v, id_str %v, want %s", tw["id"], tw["id_str"], ids[0])
	}
	if tw["created_at"] != "Tue Nov 14 22:13:20 +0000 2023" {
		t.Errorf("got created_at %v", tw["created_at"])
	}
	if tw["full_text"] != tw["text"] || !strings.HasPrefix(tw["full_text"].(string), "tweet ") {
		t.Errorf("got full_text %v, text %v", tw["full_text"], tw["text"])
	}
	if u := tw["user"].(map[string]any); u["screen_name"] != "eddy" || u["name"] != "Eddy" || u["id_str"] != "42" {
		t.Errorf("got user %v", u)
	}
	if tw["favorite_count"].(json.Number).String() != "2" || tw["retweet_count"].(json.Number).String() != "1" {
		t.Errorf("got counts %v %v", tw["favorite_count"], tw["retweet_count"])
	}
	h := tw["entities"].(map[string]any)["hashtags"].([]any)[0].(map[string]any)
	if h["text"] != "eddy" || len(h["indices"].([]any)) != 2 {
		t.Errorf("got hashtag %v", h)
	}
	if _, ok := tw["retweeted_status"]; ok {
		t.Error("got retweeted_status on a tweet that is not a retweet")
	}
}

func TestParseSearchV2Retweet(t *testing.T) {
	body := `{"data":[{"id":"1460323737035677698","text":"RT @x: hi","created_at":"2021-11-15T19:08:05.000Z","author_id":"7",
		"referenced_tweets":[{"type":"quoted","id":"5"},{"type":"retweeted","id":"1460323000000000000"}],
		"public_metrics":{"retweet_count":3,"reply_count":0,"like_count":9,"quote_count":0}}],
		"includes":{"users":[{"id":"7","username":"x","name":"X"}]},"meta":{"result_count":1}}`
	tweets, next, err := poller.ParseSearchV2([]byte(body))
	if err != nil || next != "" || len(tweets) != 1 {
		t.Fatalf("got %d tweets, next %q, %v", len(tweets), next, err)
	}
	want := `{"created_at":"Mon Nov 15 19:08:05 +0000 2021","id":1460323737035677698,"id_str":"1460323737035677698",` +
		`"full_text":"RT @x: hi","text":"RT @x: hi","truncated":false,"user":{"id":7,"id_str":"7","screen_name":"x","name":"X"},` +
		`"retweeted_status":{"id":1460323000000000000,"id_str":"1460323000000000000"},"retweet_count":3,"favorite_count":9,"entities":{"hashtags":[]}}`
	if string(tweets[0].Raw) != want {
		t.Fatalf("got  %s\nwant %s", tweets[0].Raw, want)
	}
	if tweets[0].ID != 1460323737035677698 {
		t.Fatalf("got id %d", tweets[0].ID)
	}
}

func TestParseSearchV1(t *testing.T) {
	for _, tc := range []struct {
		body string
		n    int
		bad  bool
	}{
		{`{"statuses":[],"search_metadata":{}}`, 0, false},
		{`{"statuses":[{"id":1460323737035677698,"id_str":"1460323737035677698"}]}`, 1, false},
		{`{"statuses":[{"id":12}]}`, 1, false},
		{`{"search_metadata":{}}`, 0, true},
		{`[]`, 0, true},
		{`null`, 0, true},
		{`{"statuses":[{"id_str":"-1"}]}`, 0, true},
		{`{"statuses":[{"id_str":"0"}]}`, 0, true},
		{`{"statuses":[{"id":1.5}]}`, 0, true},
		{`{"statuses":[17]}`, 0, true},
		{`{"statuses":[{"id_str":"99999999999999999999"}]}`, 0, true},
	} {
		tweets, err := poller.ParseSearchV1([]byte(tc.body))
		if (err != nil) != tc.bad || len(tweets) != tc.n {
			t.Errorf("%s: got %d tweets, %v", tc.body, len(tweets), err)
		}
	}
	tweets, _ := poller.ParseSearchV1([]byte(`{"statuses":[{"id":1460323737035677698,"id_str":"1460323737035677698"}]}`))
	if tweets[0].ID != 1460323737035677698 {
		t.Errorf("got id %d: an id past 2^53 lost precision", tweets[0].ID)
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{
		"SEARCH_TEXT": "#eddy", "TWEET_PROCESSOR_FUNCTION_NAME": "proc", "BATCH_SIZE": "7",
		"STREAM_MODE_ENABLED": "true", "SEARCH_CHECKPOINT_TABLE_NAME": "tbl", "SSM_PARAMETER_PREFIX": "p",
		"SEARCH_API_BASE_URL": "http://127.0.0.1:1", "SEARCH_API_VERSION": "2",
	}
	p, err := poller.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if p.SearchText != "#eddy" || p.ProcessorFunction != "proc" || p.BatchSize != 7 || !p.StreamMode ||
		p.CheckpointTable != "tbl" || p.ParameterPrefix != "p" || p.BaseURL != "http://127.0.0.1:1" || p.APIVersion != "2" {
		t.Fatalf("got %+v", p)
	}
	for k, v := range map[string]string{
		"BATCH_SIZE": "0", "STREAM_MODE_ENABLED": "yes", "SEARCH_API_VERSION": "3",
		"SEARCH_TEXT": "", "TWEET_PROCESSOR_FUNCTION_NAME": "", "SEARCH_CHECKPOINT_TABLE_NAME": "",
	} {
		bad := map[string]string{}
		for kk, vv := range env {
			bad[kk] = vv
		}
		bad[k] = v
		if _, err := poller.FromEnv(func(k string) string { return bad[k] }); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q: got %v, want an error naming it", k, v, err)
		}
	}
}

func FuzzParseSearchV1(f *testing.F) {
	f.Add([]byte(`{"statuses":[{"id":1460323737035677698,"id_str":"1460323737035677698","full_text":"x"}]}`))
	f.Add([]byte(`{"statuses":[{"id":12}]}`))
	f.Add([]byte(`{"statuses":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tweets, err := poller.ParseSearchV1(body)
		if err != nil {
			return
		}
		for _, tw := range tweets {
			if tw.ID == 0 || !json.Valid(tw.Raw) {
				t.Fatalf("got tweet %d %q from %q", tw.ID, tw.Raw, body)
			}
		}
	})
}

func FuzzParseSearchV2(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":"1460323737035677698","text":"hi","created_at":"2021-11-15T19:08:05.000Z","author_id":"7","referenced_tweets":[{"type":"retweeted","id":"9"}],"entities":{"hashtags":[{"start":0,"end":3,"tag":"a"}]}}],"includes":{"users":[{"id":"7","username":"x"}]},"meta":{"next_token":"t"}}`))
	f.Add([]byte(`{"meta":{"result_count":0}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tweets, _, err := poller.ParseSearchV2(body)
		if err != nil {
			return
		}
		for _, tw := range tweets {
			var m map[string]any
			if tw.ID == 0 || json.Unmarshal(tw.Raw, &m) != nil || m["id_str"] == nil {
				t.Fatalf("got tweet %d %q from %q", tw.ID, tw.Raw, body)
			}
		}
	})
}
