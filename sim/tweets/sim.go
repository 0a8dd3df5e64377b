// Package tweets simulates Twitter's tweet search API on loopback: the v1.1
// GET /1.1/search/tweets.json and the v2 GET /2/tweets/search/recent, over a
// seeded, deterministic stream of tweets whose retweet and favorite counts
// grow with time. It checks OAuth 1.0a and bearer credentials as Twitter
// does, injects faults on request, and records what it served so that tests
// can tell what leaderboard the served data implies.
//
// A query is terms separated by spaces; a tweet matches when its text holds
// every term as a word, ignoring case, with a hashtag's '#' part of the
// term: "#eddy" matches "#eddy!" and "#EDDY" but not "#eddyconf". A
// "quoted phrase" is one term, -term excludes, and filter:retweets or
// is:retweet (negated with '-') keep only or drop native retweets. Search
// reaches back seven days; results come newest first whatever result_type
// asks for.
package tweets

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config describes a simulated stream and the credentials it accepts.
type Config struct {
	// Seed chooses the stream: the same seed, start and rate give the same
	// tweets.
	Seed int64
	// Users is how many accounts tweet; 50 when zero, at most 100,000.
	Users int
	// Hashtags are those the tweets carry, each at least one; ["#eddy"]
	// when empty. A missing '#' is added.
	Hashtags []string
	// Rate is how many tweets are created per second of simulated time;
	// 5 when zero, at most 1,000,000.
	Rate float64
	// Clock tells the simulated time; time.Now when nil.
	Clock func() time.Time
	// Start is when the first tweet is created; Clock() at New when zero.
	Start time.Time
	// The OAuth 1.0a credentials and the app-only bearer token accepted;
	// each one empty is generated from the seed.
	ConsumerKey, ConsumerSecret, AccessToken, AccessTokenSecret, BearerToken string
}

// Credentials are the credentials a simulator accepts.
type Credentials struct {
	ConsumerKey, ConsumerSecret, AccessToken, AccessTokenSecret, BearerToken string
}

// Fault modes for Fail.
const (
	FailRateLimit   = "429"       // 429 Too Many Requests with x-rate-limit-reset
	FailInternal    = "500"       // 500 Internal Server Error
	FailUnavailable = "503"       // 503 Service Unavailable (over capacity)
	FailMalformed   = "malformed" // 200 with a body that is not valid JSON
	FailSlow        = "slow"      // no answer until the request's context ends
)

// Sim is a simulated tweet search API. Its methods are safe for concurrent use.
type Sim struct {
	seed     int64
	rate     float64
	start    time.Time
	clock    func() time.Time
	hashtags []string
	users    []user
	creds    Credentials
	idBase   int64
	idStride float64

	mu       sync.Mutex // guards failLeft, failMode, served and windows
	failLeft int
	failMode string
	served   map[int64]*record  // by tweet id
	windows  map[string]*window // rate limit windows by API and kind of auth
}

// New returns a simulator of the stream cfg describes, with every default
// filled in.
func New(cfg Config) *Sim {
	if cfg.Users <= 0 {
		cfg.Users = 50
	}
	cfg.Users = min(cfg.Users, 100_000)
	if cfg.Rate <= 0 {
		cfg.Rate = 5
	}
	cfg.Rate = min(cfg.Rate, 1_000_000)
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Start.IsZero() {
		cfg.Start = cfg.Clock()
	}
	var tags []string
	for _, h := range cfg.Hashtags {
		if h = strings.TrimPrefix(strings.TrimSpace(h), "#"); h != "" && !strings.ContainsAny(h, " \t\r\n#") {
			tags = append(tags, "#"+h)
		}
	}
	if len(tags) == 0 {
		tags = []string{"#eddy"}
	}
	s := &Sim{
		seed:     cfg.Seed,
		rate:     cfg.Rate,
		start:    cfg.Start,
		clock:    cfg.Clock,
		hashtags: tags,
		users:    makeUsers(cfg.Seed, cfg.Users, cfg.Start),
		served:   map[int64]*record{},
		windows:  map[string]*window{},
	}
	ms := max(cfg.Start.UnixMilli()-twitterEpochMs, 1)
	s.idBase = ms<<22 | int64(mix(cfg.Seed, saltCredentials, 99)%1024)<<12
	s.idStride = float64(1<<22) * 1000 / cfg.Rate
	d := draws{seed: cfg.Seed, salt: saltCredentials}
	s.creds = Credentials{
		ConsumerKey:       orDefault(cfg.ConsumerKey, d.alnum(25)),
		ConsumerSecret:    orDefault(cfg.ConsumerSecret, d.alnum(50)),
		AccessToken:       orDefault(cfg.AccessToken, strconv.FormatInt(s.users[0].id, 10)+"-"+d.alnum(40)),
		AccessTokenSecret: orDefault(cfg.AccessTokenSecret, d.alnum(45)),
		BearerToken:       orDefault(cfg.BearerToken, "AAAAAAAAAAAAAAAAAAAAA"+d.alnum(30)+"%3D"+d.alnum(50)),
	}
	return s
}

func orDefault(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// alnum draws n letters and digits.
func (d *draws) alnum(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[d.intn(len(chars))]
	}
	return string(b)
}

// Credentials returns the credentials the simulator accepts.
func (s *Sim) Credentials() Credentials { return s.creds }

// Fail makes the next n search requests, v1.1 or v2, fail in mode: one of
// FailRateLimit, FailInternal, FailUnavailable, FailMalformed and FailSlow;
// any other mode fails as FailInternal. It replaces any failures pending.
func (s *Sim) Fail(n int, mode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft, s.failMode = max(n, 0), mode
}

// Handler returns the HTTP handler of the simulated API.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /1.1/search/tweets.json", s.searchV1)
	mux.HandleFunc("GET /2/tweets/search/recent", s.searchV2)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/2/") {
			writeProblem(w, http.StatusNotFound, "Not Found Error", "Sorry, that page does not exist.", "https://api.twitter.com/2/problems/resource-not-found")
			return
		}
		writeV1Error(w, http.StatusNotFound, 34, "Sorry, that page does not exist.")
	})
	return mux
}

// fault answers the request with the pending failure, if any, and reports
// whether it did.
func (s *Sim) fault(w http.ResponseWriter, r *http.Request, v2 bool) bool {
	s.mu.Lock()
	if s.failLeft == 0 {
		s.mu.Unlock()
		return false
	}
	s.failLeft--
	mode := s.failMode
	s.mu.Unlock()

	switch mode {
	case FailSlow:
		<-r.Context().Done()
	case FailMalformed:
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		if v2 {
			_, _ = w.Write([]byte(`{"data":[{"id":"`))
		} else {
			_, _ = w.Write([]byte(`{"statuses":[{"created_at":"`))
		}
	case FailRateLimit:
		h := w.Header()
		h.Set("x-rate-limit-limit", "180")
		h.Set("x-rate-limit-remaining", "0")
		h.Set("x-rate-limit-reset", strconv.FormatInt(s.clock().Add(15*time.Minute).Unix(), 10))
		if v2 {
			writeProblem(w, http.StatusTooManyRequests, "Too Many Requests", "Too Many Requests", "about:blank")
		} else {
			writeV1Error(w, http.StatusTooManyRequests, 88, "Rate limit exceeded")
		}
	case FailUnavailable:
		if v2 {
			writeProblem(w, http.StatusServiceUnavailable, "Service Unavailable", "Service Unavailable", "about:blank")
		} else {
			writeV1Error(w, http.StatusServiceUnavailable, 130, "Over capacity")
		}
	default:
		if v2 {
			writeProblem(w, http.StatusInternalServerError, "Internal Server Error", "Internal Server Error", "about:blank")
		} else {
			writeV1Error(w, http.StatusInternalServerError, 131, "Internal error")
		}
	}
	return true
}

// bearer returns the app-only bearer token of the request, if it has one.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "Bearer ") {
		return "", false
	}
	return strings.TrimSpace(h[7:]), true
}

// bearerMatches compares tokens, accepting the percent-encoded and decoded
// forms of the generated token alike ("%3D" is how Twitter shows its '=').
func (s *Sim) bearerMatches(tok string) bool {
	want := s.creds.BearerToken
	return tok == want || tok == strings.ReplaceAll(want, "%3D", "=")
}
