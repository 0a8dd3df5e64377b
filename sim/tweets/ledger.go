package tweets

import (
	"sort"
	"strings"
)

// Entry is a line of a leaderboard: a user and the counts of their best
// tweet.
type Entry struct {
	Username      string
	RetweetCount  int
	FavoriteCount int
}

// record is what the simulator served of one tweet: how often it was a
// result, and the highest counts any result showed.
type record struct {
	t        *tweet
	times    int
	rt, fav  int
	hadCount bool
}

// record notes that t was a search result, showing the counts rt and fav
// when shown is true. Only results count: a retweet's embedded original is
// not one.
func (s *Sim) record(t *tweet, rt, fav int, shown bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.served[t.id]
	if r == nil {
		r = &record{t: t}
		s.served[t.id] = r
	}
	r.times++
	if shown {
		r.hadCount = true
		r.rt, r.fav = max(r.rt, rt), max(r.fav, fav)
	}
}

// Served returns how many distinct tweets the simulator has served as
// search results. The original a native retweet embeds is not a result of
// its own.
func (s *Sim) Served() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.served)
}

// Repeats returns how many distinct tweets were search results more than
// once: none, for a poller that keeps a checkpoint (stream mode).
func (s *Sim) Repeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.served {
		if r.times > 1 {
			n++
		}
	}
	return n
}

// ServedTimes returns how many times the tweet with the id was a search
// result.
func (s *Sim) ServedTimes(id int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.served[id]; r != nil {
		return r.times
	}
	return 0
}

// Leaderboard returns the leaderboard the served data implies: over every
// served tweet that is not a retweet, carries the hashtag and was shown with
// a retweet count above 0, each user's best tweet (most retweets, then most
// favorites) with the highest counts any result showed, sorted by retweets,
// then favorites, descending, then username. limit <= 0 returns every user.
func (s *Sim) Leaderboard(hashtag string, limit int) []Entry {
	s.mu.Lock()
	var seen []Entry
	for _, r := range s.served {
		if r.t.retweetOf == nil && r.hadCount && r.rt > 0 && r.t.hasHashtag(hashtag) {
			seen = append(seen, Entry{r.t.user.screenName, r.rt, r.fav})
		}
	}
	s.mu.Unlock()
	return board(seen, limit)
}

// Expected returns the leaderboard as Leaderboard computes it, as if every
// tweet of the stream that exists at Clock() had just been served.
// It generates the whole stream, so it is meant for streams of test size.
func (s *Sim) Expected(hashtag string, limit int) []Entry {
	now := s.clock()
	var all []Entry
	for i, n := int64(0), s.count(now); i < n; i++ {
		t := s.tweet(i)
		if t.retweetOf != nil || !t.hasHashtag(hashtag) {
			continue
		}
		if rt, fav := t.counts(now); rt > 0 {
			all = append(all, Entry{t.user.screenName, rt, fav})
		}
	}
	return board(all, limit)
}

// board keeps each user's best entry, sorts and cuts to limit.
func board(entries []Entry, limit int) []Entry {
	best := map[string]Entry{}
	for _, e := range entries {
		if b, ok := best[e.Username]; !ok || better(e, b) {
			best[e.Username] = e
		}
	}
	out := make([]Entry, 0, len(best))
	for _, e := range best {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].RetweetCount != out[j].RetweetCount || out[i].FavoriteCount != out[j].FavoriteCount {
			return better(out[i], out[j])
		}
		return strings.Compare(out[i].Username, out[j].Username) < 0
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// better reports whether a ranks above b by retweets, then favorites.
func better(a, b Entry) bool {
	if a.RetweetCount != b.RetweetCount {
		return a.RetweetCount > b.RetweetCount
	}
	return a.FavoriteCount > b.FavoriteCount
}
