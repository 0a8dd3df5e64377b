package poller_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/eddyserverless/eddy/apps/tweet-search-event-source/poller"
)

// TestRequestParameters checks the v1.1 search request: its parameters,
// the checkpoint as since_id, and an OAuth signature the server can verify.
func TestRequestParameters(t *testing.T) {
	r := newRig(t, true)
	r.api.Add(3)
	ids := r.api.IDs()
	r.table.sinceID = ids[0]
	r.mustPoll(t)
	reqs := r.api.Requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want 2 (a search, then one for newer tweets)", len(reqs))
	}
	q := reqs[0].Query
	want := url.Values{"q": {"eddy serverless"}, "count": {"100"}, "result_type": {"mixed"},
		"tweet_mode": {"extended"}, "include_entities": {"true"}, "since_id": {ids[0]}}
	for k, v := range want {
		if q.Get(k) != v[0] {
			t.Errorf("%s: got %q, want %q", k, q.Get(k), v[0])
		}
	}
	if q.Has("max_id") {
		t.Errorf("got max_id %s on the first page", q.Get("max_id"))
	}
	if got := reqs[1].Query.Get("since_id"); got != ids[2] {
		t.Errorf("second search since_id: got %s, want the newest id %s", got, ids[2])
	}
	if reqs[0].Path != "/1.1/search/tweets.json" {
		t.Errorf("got path %s", reqs[0].Path)
	}
	if !r.ssm.decrypt[0] {
		t.Error("credentials read without WithDecryption")
	}

	// The server checks the signature as Twitter does.
	auth := parseAuth(t, reqs[0].Authorization)
	o := poller.OAuth1{ConsumerKey: "ck", ConsumerSecret: "cs", AccessToken: "at", AccessTokenSecret: "ats"}
	signed := map[string]string{}
	for k, v := range auth {
		if k != "oauth_signature" {
			signed[k] = v
		}
	}
	sig, err := o.Signature("GET", r.srv.URL+"/1.1/search/tweets.json?"+q.Encode(), nil, signed)
	if err != nil {
		t.Fatal(err)
	}
	if auth["oauth_signature"] != sig {
		t.Errorf("got signature %s, server computes %s", auth["oauth_signature"], sig)
	}
	if auth["oauth_consumer_key"] != "ck" || auth["oauth_token"] != "at" || auth["oauth_signature_method"] != "HMAC-SHA1" {
		t.Errorf("got oauth parameters %v", auth)
	}
	exactlyOnce(t, r.lambda.ids(), ids[1:])
}

// parseAuth reads the parameters of an OAuth Authorization header.
func parseAuth(t *testing.T, h string) map[string]string {
	t.Helper()
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		t.Fatalf("got Authorization %q, want OAuth", h)
	}
	out := map[string]string{}
	for _, kv := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(kv, "=")
		v, err := url.PathUnescape(strings.Trim(v, `"`))
		if err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

// TestPagingLosesAndRepeatsNothing pages 350 tweets backward while more
// arrive during the poll, and polls again: every tweet is delivered once,
// oldest first, and the checkpoint ends at the newest.
func TestPagingLosesAndRepeatsNothing(t *testing.T) {
	r := newRig(t, true)
	r.api.Add(350)
	r.api.After = func(n int) {
		switch n {
		case 2:
			r.api.Add(30) // arrive while paging backward
		case 5:
			r.api.Add(140) // a full page and more for the forward search
		}
	}
	r.mustPoll(t)
	all := r.api.IDs()
	exactlyOnce(t, r.lambda.ids(), all)
	if got := r.table.checkpoint(); got != all[len(all)-1] {
		t.Fatalf("checkpoint: got %s, want %s", got, all[len(all)-1])
	}
	// Backward pages bound by max_id = smallest seen - 1, with since_id.
	reqs := r.api.Requests()
	if got := reqs[1].Query.Get("max_id"); got == "" {
		t.Fatalf("second request has no max_id: %v", reqs[1].Query)
	}
	r.api.After = nil
	r.api.Add(10)
	r.mustPoll(t)
	exactlyOnce(t, r.lambda.ids(), r.api.IDs())
	before := len(r.lambda.inputs)
	r.mustPoll(t)
	if len(r.lambda.inputs) != before {
		t.Fatalf("a poll with nothing new invoked the processor %d times", len(r.lambda.inputs)-before)
	}
}

// TestBatching checks batch sizes, order and the asynchronous invocation.
func TestBatching(t *testing.T) {
	r := newRig(t, false)
	r.api.Add(40)
	r.mustPoll(t)
	sizes := []int{}
	for _, b := range r.lambda.batches {
		sizes = append(sizes, len(b))
	}
	if len(sizes) != 3 || sizes[0] != 15 || sizes[1] != 15 || sizes[2] != 10 {
		t.Fatalf("got batches of %v, want [15 15 10]", sizes)
	}
	for _, in := range r.lambda.inputs {
		if in.InvocationType != ltypes.InvocationTypeEvent || aws.ToString(in.FunctionName) != "processor" {
			t.Fatalf("got %s invocation of %s, want Event of processor", in.InvocationType, aws.ToString(in.FunctionName))
		}
	}
	exactlyOnce(t, r.lambda.ids(), r.api.IDs())
	// The tweet objects are the API's, whole and with exact ids.
	tw := r.lambda.batches[0][0]
	if tw["id"].(interface{ String() string }).String() != tw["id_str"] {
		t.Errorf("id %v and id_str %v differ", tw["id"], tw["id_str"])
	}
	if !strings.HasPrefix(tw["full_text"].(string), "tweet ") || tw["user"].(map[string]any)["screen_name"] != "eddy" {
		t.Errorf("got tweet %v", tw)
	}
}

// TestCheckpointCondition checks how the checkpoint is written and that a
// checkpoint another poller advanced further is left alone.
func TestCheckpointCondition(t *testing.T) {
	r := newRig(t, true)
	r.api.Add(5)
	r.mustPoll(t)
	ids := r.api.IDs()
	if len(r.table.puts) != 1 {
		t.Fatalf("got %d checkpoint writes, want 1", len(r.table.puts))
	}
	put := r.table.puts[0]
	if aws.ToString(put.TableName) != "checkpoints" {
		t.Errorf("got table %s", aws.ToString(put.TableName))
	}
	if got := put.Item["id"].(*dtypes.AttributeValueMemberS).Value; got != "checkpoint" {
		t.Errorf("got id %s", got)
	}
	if got := put.Item["since_id"].(*dtypes.AttributeValueMemberN).Value; got != ids[4] {
		t.Errorf("got since_id %s, want %s", got, ids[4])
	}

	// Another poller got further meanwhile: the write is refused and the
	// poll still succeeds.
	r.api.Add(3)
	ids = r.api.IDs()
	r.table.gets = 0
	r.api.After = func(n int) {
		if n == 3 { // this poll's first search (the first poll sent two)
			r.table.mu.Lock()
			r.table.sinceID = strconv.FormatUint(num(ids[7])+1000, 10)
			r.table.mu.Unlock()
		}
	}
	r.mustPoll(t)
	if got, want := r.table.checkpoint(), strconv.FormatUint(num(ids[7])+1000, 10); got != want {
		t.Fatalf("checkpoint: got %s, want the other poller's %s", got, want)
	}
	mustContain(t, r.log(), "another poll advanced it further")
}

// TestNonStreamDeliversEverything: without stream mode every poll
// delivers every result, paging backward, and keeps no checkpoint.
func TestNonStreamDeliversEverything(t *testing.T) {
	r := newRig(t, false)
	r.api.Add(230)
	r.mustPoll(t)
	r.mustPoll(t)
	all := r.api.IDs()
	got := r.lambda.ids()
	if len(got) != 2*len(all) {
		t.Fatalf("got %d tweets delivered, want %d (all, twice)", len(got), 2*len(all))
	}
	exactlyOnce(t, got[:len(all)], all)
	exactlyOnce(t, got[len(all):], all)
	if r.table.gets != 0 || len(r.table.puts) != 0 {
		t.Fatalf("got %d reads and %d writes of the checkpoint, want none", r.table.gets, len(r.table.puts))
	}
	if q := r.api.Requests()[0].Query; q.Has("since_id") {
		t.Fatalf("first search has since_id %s", q.Get("since_id"))
	}
}

// TestProcessorFailure: a failed invocation fails the poll and the
// checkpoint stops at the last tweet delivered; the next poll delivers the
// rest, each tweet once.
func TestProcessorFailure(t *testing.T) {
	r := newRig(t, true)
	r.api.Add(40)
	r.lambda.failAt = 2
	err := r.poll(t)
	if err == nil || !strings.Contains(err.Error(), "invoke processor processor") {
		t.Fatalf("got %v, want the invoke error", err)
	}
	ids := r.api.IDs()
	if got := r.table.checkpoint(); got != ids[14] {
		t.Fatalf("checkpoint: got %s, want %s (the last of the batch delivered)", got, ids[14])
	}
	r.mustPoll(t)
	exactlyOnce(t, r.lambda.ids(), ids)
}

// TestSearchFailures: a rate-limited, failing, malformed or slow search
// is logged and backed off from without failing the poll; nothing of an
// unfinished search is delivered in stream mode, the checkpoint stays at
// what was delivered, and later polls deliver every tweet once.
func TestSearchFailures(t *testing.T) {
	failures := map[string]func(w http.ResponseWriter, r *http.Request){
		"429": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
			http.Error(w, `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`, http.StatusTooManyRequests)
		},
		"503": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"errors":[{"code":130,"message":"Over capacity"}]}`, http.StatusServiceUnavailable)
		},
		"malformed": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"statuses":[{"id_str":"12`))
		},
		"timeout": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		},
	}
	for name, fail := range failures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, true)
			r.p.RequestTimeout = 300 * time.Millisecond
			r.api.Add(350)
			failAt := map[int]bool{2: true, 7: true}
			r.api.Before = func(n int, w http.ResponseWriter, req *http.Request) bool {
				if failAt[n] {
					fail(w, req)
					return true
				}
				return false
			}
			r.api.After = func(n int) {
				if n == 4 {
					r.api.Add(20)
				}
			}
			// Poll 1: request 1 gives the newest page, request 2 fails.
			r.mustPoll(t)
			if len(r.lambda.ids()) != 0 || r.table.checkpoint() != "" {
				t.Fatalf("an unfinished search delivered %d tweets, checkpoint %q", len(r.lambda.ids()), r.table.checkpoint())
			}
			mustContain(t, r.log(), "backing off")
			// Poll 2: requests 3-6 page the 350, request 7 (for the 20 that
			// arrived meanwhile) fails.
			r.mustPoll(t)
			ids := r.api.IDs()
			exactlyOnce(t, r.lambda.ids(), ids[:350])
			if got := r.table.checkpoint(); got != ids[349] {
				t.Fatalf("checkpoint: got %s, want %s", got, ids[349])
			}
			// Poll 3 delivers the rest.
			r.mustPoll(t)
			exactlyOnce(t, r.lambda.ids(), ids)
			if got := r.table.checkpoint(); got != ids[len(ids)-1] {
				t.Fatalf("checkpoint: got %s, want %s", got, ids[len(ids)-1])
			}
		})
	}
}

// TestRateLimitWaitsForReset: a 429 whose x-rate-limit-reset falls before
// the deadline is waited out and the request sent again.
func TestRateLimitWaitsForReset(t *testing.T) {
	r := newRig(t, true)
	r.api.Add(5)
	r.api.Before = func(n int, w http.ResponseWriter, req *http.Request) bool {
		if n == 1 {
			w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Unix(), 10))
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}
	r.mustPoll(t)
	exactlyOnce(t, r.lambda.ids(), r.api.IDs())
	mustContain(t, r.log(), "rate limit reached: waiting")
}

// TestRefusedSearchFails: a 401 is not backed off from: the poll fails.
func TestRefusedSearchFails(t *testing.T) {
	r := newRig(t, true)
	r.api.Add(5)
	r.api.Before = func(n int, w http.ResponseWriter, req *http.Request) bool {
		http.Error(w, `{"errors":[{"code":32,"message":"Could not authenticate you."}]}`, http.StatusUnauthorized)
		return true
	}
	err := r.poll(t)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("got %v, want the 401", err)
	}
}

// TestMissingCredentials checks the error that tells how to store them.
func TestMissingCredentials(t *testing.T) {
	for _, tc := range []struct {
		prefix, version string
		params          map[string]string
		want            string
	}{
		{"", "1.1", nil, "no credentials under /twitter-event-source/: store consumer_key, consumer_secret, access_token and access_token_secret, or bearer_token, as SecureString parameters"},
		{"/custom/path", "1.1", nil, "no credentials under /custom/path/: store consumer_key"},
		{"custom", "1.1", map[string]string{"/custom/consumer_key": "k"}, "incomplete credentials under /custom/: consumer_secret, access_token, access_token_secret missing"},
		{"", "2", map[string]string{"/twitter-event-source/consumer_key": "k"}, "no bearer_token under /twitter-event-source/"},
	} {
		r := newRig(t, true)
		r.ssm.params = tc.params
		r.p.ParameterPrefix, r.p.APIVersion = tc.prefix, tc.version
		err := r.poll(t)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("prefix %q: got %v, want %q", tc.prefix, err, tc.want)
		}
		mustContain(t, r.log(), tc.want)
		if len(r.api.Requests()) != 0 {
			t.Errorf("searched without credentials")
		}
	}
}

// TestBearerAndPrefixWithSlash: a bearer token alone, under a prefix given
// with its leading slash, authorizes v1.1.
func TestBearerAndPrefixWithSlash(t *testing.T) {
	r := newRig(t, false)
	r.ssm.params = map[string]string{"/my/app/bearer_token": "AAAA%2Fbearer"}
	r.p.ParameterPrefix = "/my/app"
	r.api.Add(2)
	r.mustPoll(t)
	if got := r.api.Requests()[0].Authorization; got != "Bearer AAAA%2Fbearer" {
		t.Fatalf("got Authorization %q", got)
	}
	exactlyOnce(t, r.lambda.ids(), r.api.IDs())
}

func mustContain(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("got %q, want it to contain %q", got, want)
	}
}

// TestPopularResultsDoNotSkip: with result_type=mixed a full page may
// carry a popular tweet much older than its recent ones; the next page
// starts below the oldest recent tweet, not below the popular one.
func TestPopularResultsDoNotSkip(t *testing.T) {
	var maxIDs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		maxIDs = append(maxIDs, r.URL.Query().Get("max_id"))
		var statuses []string
		switch len(maxIDs) {
		case 1: // a popular tweet, then 99 recent ones: 1099 down to 1001
			statuses = append(statuses, `{"id_str":"10","metadata":{"result_type":"popular"}}`)
			for id := 1099; id > 1000; id-- {
				statuses = append(statuses, fmt.Sprintf(`{"id_str":"%d","metadata":{"result_type":"recent"}}`, id))
			}
		case 2:
			statuses = append(statuses, `{"id_str":"500","metadata":{"result_type":"recent"}}`)
		}
		fmt.Fprintf(w, `{"statuses":[%s]}`, strings.Join(statuses, ","))
	}))
	t.Cleanup(srv.Close)
	r := newRig(t, false)
	r.p.BaseURL, r.p.HTTP = srv.URL, srv.Client()
	r.mustPoll(t)
	if len(maxIDs) < 2 || maxIDs[1] != "1000" {
		t.Fatalf("got max_id %q, want 1000 (below the oldest recent tweet)", maxIDs)
	}
	if got := len(r.lambda.ids()); got != 101 {
		t.Fatalf("got %d tweets delivered, want 101", got)
	}
}
