// Package searchfake is an in-memory tweet search API for tests of
// tweet-search-event-source: GET /1.1/search/tweets.json (count, since_id,
// max_id) and GET /2/tweets/search/recent (max_results, since_id,
// next_token), over tweets a test adds while it runs. Every request must
// carry an OAuth or Bearer Authorization header.
package searchfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FirstID is the id of the first tweet added: past 2^53, as real tweet ids
// are, so that a client reading ids as float64 loses tweets.
const FirstID uint64 = 1_400_000_000_000_000_001

// Server is the fake API. Set Before and After before it serves.
type Server struct {
	// Before, if set, is called before request n (counted from 1) is
	// served; if it returns true it has answered the request itself.
	Before func(n int, w http.ResponseWriter, r *http.Request) bool
	// After, if set, is called after request n was answered.
	After func(n int)

	mu       sync.Mutex // guards the fields below
	tweets   []uint64   // ascending
	next     uint64
	requests []Request
}

// Request is a request the server was sent.
type Request struct {
	Path          string
	Query         url.Values
	Authorization string
}

// New returns a server with no tweets.
func New() *Server { return &Server{next: FirstID} }

// Add adds n tweets, newer than all before, and returns their ids.
func (s *Server) Add(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, n)
	for i := range n {
		s.tweets = append(s.tweets, s.next)
		ids[i] = strconv.FormatUint(s.next, 10)
		s.next += 4_194_304 + uint64(i%7) // spaced like snowflake ids
	}
	return ids
}

// IDs returns the ids of every tweet added, oldest first.
func (s *Server) IDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, len(s.tweets))
	for i, id := range s.tweets {
		ids[i] = strconv.FormatUint(id, 10)
	}
	return ids
}

// Requests returns the requests served so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ServeHTTP answers a search.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Path: r.URL.Path, Query: r.URL.Query(), Authorization: r.Header.Get("Authorization")})
	n := len(s.requests)
	s.mu.Unlock()
	if s.Before != nil && s.Before(n, w, r) {
		return
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "OAuth ") && !strings.HasPrefix(auth, "Bearer ") {
		http.Error(w, `{"errors":[{"code":215,"message":"Bad Authentication data."}]}`, http.StatusBadRequest)
		return
	}
	switch r.URL.Path {
	case "/1.1/search/tweets.json":
		s.v1(w, r.URL.Query())
	case "/2/tweets/search/recent":
		s.v2(w, r.URL.Query())
	default:
		http.Error(w, `{"errors":[{"code":34,"message":"Sorry, that page does not exist."}]}`, http.StatusNotFound)
	}
	if s.After != nil {
		s.After(n)
	}
}

// page returns up to count tweets with since < id <= maxID (0: no
// bound), newest first, and whether older ones match too.
func (s *Server) page(since, maxID uint64, count int) ([]uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []uint64
	for i := len(s.tweets) - 1; i >= 0; i-- {
		id := s.tweets[i]
		if id <= since {
			break
		}
		if maxID > 0 && id > maxID {
			continue
		}
		if len(out) == count {
			return out, true
		}
		out = append(out, id)
	}
	return out, false
}

func (s *Server) v1(w http.ResponseWriter, q url.Values) {
	count := atoi(q.Get("count"), 15)
	count = min(max(count, 1), 100)
	ids, _ := s.page(atou(q.Get("since_id")), atou(q.Get("max_id")), count)
	statuses := make([]json.RawMessage, len(ids))
	for i, id := range ids {
		statuses[i] = json.RawMessage(fmt.Sprintf(`{"created_at":%q,"id":%d,"id_str":"%d","full_text":"tweet %d about %s","truncated":false,`+
			`"entities":{"hashtags":[{"text":"eddy","indices":[0,5]}]},"user":{"id":42,"id_str":"42","screen_name":"eddy","name":"Eddy"},"retweet_count":1,"favorite_count":2}`,
			created(id).Format(time.RubyDate), id, id, id, q.Get("q")))
	}
	writeJSON(w, map[string]any{"statuses": statuses, "search_metadata": map[string]any{"count": count, "query": q.Get("q")}})
}

func (s *Server) v2(w http.ResponseWriter, q url.Values) {
	count := min(max(atoi(q.Get("max_results"), 10), 10), 100)
	var bound uint64
	if t := q.Get("next_token"); t != "" {
		if bound = atou(strings.TrimPrefix(t, "b")); bound == 0 {
			http.Error(w, `{"errors":[{"message":"invalid next_token"}]}`, http.StatusBadRequest)
			return
		}
		bound-- // the token names the oldest tweet already returned
	}
	ids, more := s.page(atou(q.Get("since_id")), bound, count)
	data := make([]map[string]any, len(ids))
	for i, id := range ids {
		data[i] = map[string]any{
			"id": strconv.FormatUint(id, 10), "text": fmt.Sprintf("tweet %d about %s", id, q.Get("query")),
			"created_at": created(id).Format("2006-01-02T15:04:05.000Z"), "author_id": "42",
			"public_metrics": map[string]int{"retweet_count": 1, "reply_count": 0, "like_count": 2, "quote_count": 0},
			"entities":       map[string]any{"hashtags": []map[string]any{{"start": 0, "end": 5, "tag": "eddy"}}},
		}
	}
	meta := map[string]any{"result_count": len(ids)}
	if len(ids) > 0 {
		meta["newest_id"] = strconv.FormatUint(ids[0], 10)
		meta["oldest_id"] = strconv.FormatUint(ids[len(ids)-1], 10)
		if more {
			meta["next_token"] = "b" + strconv.FormatUint(ids[len(ids)-1], 10)
		}
	}
	body := map[string]any{"meta": meta}
	if len(ids) > 0 {
		body["data"] = data
		body["includes"] = map[string]any{"users": []map[string]string{{"id": "42", "username": "eddy", "name": "Eddy"}}}
	}
	writeJSON(w, body)
}

// created is a tweet's creation time, derived from its id.
func created(id uint64) time.Time {
	return time.Unix(1_700_000_000+int64((id-FirstID)/4_194_304), 0).UTC()
}

// Sorted returns ids (decimal strings) sorted as numbers.
func Sorted(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return atou(out[i]) < atou(out[j]) })
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func atou(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}
