package poller

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PageSize is how many tweets one search request asks for: the most
// either API returns.
const PageSize = 100

// maxRounds bounds how often one poll searches forward for tweets that
// arrived while it searched.
const maxRounds = 20

// maxPages bounds the pages of one round; a search API that ignores
// max_id or repeats a next_token would otherwise be paged forever.
const maxPages = 1000

// maxBody bounds a search response.
const maxBody = 32 << 20

// maxRateLimitWaits bounds how often one request waits out a 429.
const maxRateLimitWaits = 3

// refusedError is a search the API refused for a reason waiting does not
// fix (bad credentials, a bad query): the poll fails.
type refusedError struct {
	status int
	body   string
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("search API refused the request: HTTP %d: %s", e.status, e.body)
}

// errOutOfTime stops a search that would run into the time kept for
// delivering what it found.
var errOutOfTime = errors.New("out of time before the invocation's deadline")

// searchResult is what one poll's search found.
type searchResult struct {
	complete []Tweet // every tweet newer than since up to the newest found, oldest first
	partial  []Tweet // tweets of a round that did not finish: older ones may be missing
	err      error   // why the search stopped early, if it did
}

// search pages through the search results newer than since (every result
// if since is 0), then searches again for tweets newer than the newest
// found, until a search finds nothing new.
func (p *Poller) search(ctx context.Context, creds credentials, since uint64) searchResult {
	var res searchResult
	seen := map[uint64]bool{}
	bound := since
	for r := 0; r < maxRounds; r++ {
		if r > 0 && p.remaining(ctx) <= 0 {
			return res // what is left is the next tick's
		}
		tweets, err := p.round(ctx, creds, bound)
		var fresh []Tweet
		for _, t := range tweets {
			if t.ID > bound && !seen[t.ID] {
				seen[t.ID] = true
				fresh = append(fresh, t)
			}
		}
		if err != nil {
			res.partial = merge(nil, fresh)
			res.err = err
			return res
		}
		if len(fresh) == 0 {
			return res
		}
		fresh = merge(nil, fresh)
		res.complete = append(res.complete, fresh...)
		bound = fresh[len(fresh)-1].ID
	}
	return res
}

// round fetches every result newer than since, newest page first, paging
// backward. On an error it returns what it fetched before it.
func (p *Poller) round(ctx context.Context, creds credentials, since uint64) ([]Tweet, error) {
	if p.APIVersion == "2" {
		return p.roundV2(ctx, creds, since)
	}
	return p.roundV1(ctx, creds, since)
}

// roundV1 pages the v1.1 search backward with max_id, as Twitter documents
// it: a full page means there may be older results.
func (p *Poller) roundV1(ctx context.Context, creds credentials, since uint64) ([]Tweet, error) {
	var all []Tweet
	var maxID uint64 // 0: no upper bound yet
	for page := 0; page < maxPages; page++ {
		q := url.Values{
			"q":                {p.SearchText},
			"count":            {strconv.Itoa(PageSize)},
			"result_type":      {"mixed"},
			"tweet_mode":       {"extended"},
			"include_entities": {"true"},
		}
		if since > 0 {
			q.Set("since_id", strconv.FormatUint(since, 10))
		}
		if maxID > 0 {
			q.Set("max_id", strconv.FormatUint(maxID, 10))
		}
		body, err := p.get(ctx, creds, p.baseURL()+"/1.1/search/tweets.json", q)
		if err != nil {
			return all, err
		}
		tweets, err := ParseSearchV1(body)
		if err != nil {
			return all, err
		}
		// The next page starts below the oldest recent result: a popular
		// result mixed into the page may be much older, and starting below
		// it would skip the recent results in between.
		lowest, lowestAny := uint64(0), uint64(0)
		for _, t := range tweets {
			if maxID > 0 && t.ID > maxID {
				continue // not what was asked for
			}
			all = append(all, t)
			if lowestAny == 0 || t.ID < lowestAny {
				lowestAny = t.ID
			}
			if !t.Popular && (lowest == 0 || t.ID < lowest) {
				lowest = t.ID
			}
		}
		if lowest == 0 {
			lowest = lowestAny
		}
		if len(tweets) < PageSize {
			return all, nil
		}
		if lowest == 0 {
			return all, malformed("a full page with nothing older than max_id %d", maxID)
		}
		if lowest <= since+1 {
			return all, nil
		}
		maxID = lowest - 1
	}
	return all, malformed("more than %d pages", maxPages)
}

// roundV2 pages the v2 recent search with next_token.
func (p *Poller) roundV2(ctx context.Context, creds credentials, since uint64) ([]Tweet, error) {
	var all []Tweet
	token := ""
	used := map[string]bool{}
	for page := 0; page < maxPages; page++ {
		q := url.Values{
			"query":        {p.SearchText},
			"max_results":  {strconv.Itoa(PageSize)},
			"tweet.fields": {"created_at,public_metrics,author_id,referenced_tweets,entities"},
			"expansions":   {"author_id"},
			"user.fields":  {"username,name"},
		}
		if since > 0 {
			q.Set("since_id", strconv.FormatUint(since, 10))
		}
		if token != "" {
			q.Set("next_token", token)
		}
		body, err := p.get(ctx, creds, p.baseURL()+"/2/tweets/search/recent", q)
		if err != nil {
			return all, err
		}
		tweets, next, err := ParseSearchV2(body)
		if err != nil {
			return all, err
		}
		all = append(all, tweets...)
		if next == "" {
			return all, nil
		}
		if used[next] {
			return all, malformed("next_token %q repeated", next)
		}
		used[next] = true
		token = next
	}
	return all, malformed("more than %d pages", maxPages)
}

// get sends a signed GET and returns the body of its 200 answer. A 429 is
// waited out while x-rate-limit-reset falls before the time the poll may
// search until.
func (p *Poller) get(ctx context.Context, creds credentials, endpoint string, q url.Values) ([]byte, error) {
	raw := endpoint + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	for waits := 0; ; waits++ {
		timeout := min(p.requestTimeout(), p.remaining(ctx))
		if timeout <= 0 {
			return nil, errOutOfTime
		}
		body, status, reset, err := p.send(ctx, creds, raw, timeout)
		if err != nil {
			return nil, err
		}
		switch {
		case status == http.StatusOK:
			return body, nil
		case status == http.StatusTooManyRequests:
			wait := time.Duration(0)
			if !reset.IsZero() {
				wait = max(reset.Sub(p.now()), 0)
			}
			if waits >= maxRateLimitWaits || reset.IsZero() || wait > p.remaining(ctx) {
				return nil, fmt.Errorf("search API rate limit reached (HTTP 429, x-rate-limit-reset %s)", resetText(reset))
			}
			p.logf("search API rate limit reached: waiting %s for x-rate-limit-reset", wait.Round(time.Millisecond))
			if wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
					return nil, ctx.Err()
				case <-t.C:
				}
			}
		case status >= 500:
			return nil, fmt.Errorf("search API failed: HTTP %d: %s", status, snippet(body))
		default:
			return nil, &refusedError{status: status, body: snippet(body)}
		}
	}
}

// send sends one request; reset is the x-rate-limit-reset of its answer.
func (p *Poller) send(ctx context.Context, creds credentials, raw string, timeout time.Duration) (body []byte, status int, reset time.Time, err error) {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, 0, time.Time{}, &refusedError{body: err.Error()}
	}
	if creds.oauth != nil {
		auth, err := creds.oauth.Authorization(http.MethodGet, raw, nil, p.nonce(), strconv.FormatInt(p.now().Unix(), 10))
		if err != nil {
			return nil, 0, time.Time{}, &refusedError{body: err.Error()}
		}
		req.Header.Set("Authorization", auth)
	} else {
		req.Header.Set("Authorization", "Bearer "+creds.bearer)
	}
	req.Header.Set("Accept", "application/json")
	client := p.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, time.Time{}, fmt.Errorf("search request: %w", err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, 0, time.Time{}, fmt.Errorf("read search response: %w", err)
	}
	if s := resp.Header.Get("x-rate-limit-reset"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			reset = time.Unix(n, 0)
		}
	}
	return body, resp.StatusCode, reset, nil
}

// remaining is how long the poll may still search: the time to the
// invocation's deadline less Reserve, or RequestTimeout without a deadline.
func (p *Poller) remaining(ctx context.Context) time.Duration {
	d, ok := ctx.Deadline()
	if !ok {
		return p.requestTimeout()
	}
	reserve := p.Reserve
	if reserve <= 0 {
		reserve = DefaultReserve
	}
	return time.Until(d) - reserve
}

func (p *Poller) requestTimeout() time.Duration {
	if p.RequestTimeout <= 0 {
		return DefaultRequestTimeout
	}
	return p.RequestTimeout
}

func (p *Poller) baseURL() string {
	if p.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(p.BaseURL, "/")
}

func (p *Poller) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Poller) nonce() string {
	if p.Nonce != nil {
		return p.Nonce()
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func resetText(t time.Time) string {
	if t.IsZero() {
		return "absent"
	}
	return t.UTC().Format(time.RFC3339)
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
