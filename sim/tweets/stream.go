package tweets

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// twitterEpochMs is the millisecond the snowflake ids count from.
const twitterEpochMs = 1288834974657

// searchWindow is how far back search reaches, as Twitter's standard and
// recent search do.
const searchWindow = 7 * 24 * time.Hour

// user is an account of the simulated stream.
type user struct {
	id          int64
	screenName  string
	name        string
	followers   int
	friends     int
	statuses    int
	createdAt   time.Time
	description string
}

// hashtag is a hashtag entity: its text without '#' and the code point
// offsets of its start ('#' included) and end in the tweet's text.
type hashtag struct {
	text       string
	start, end int
}

// tweet is one tweet of the stream, a pure function of the seed and its index.
type tweet struct {
	index     int64
	id        int64
	created   time.Time
	user      *user
	text      string
	hashtags  []hashtag
	retweetOf *tweet // the original of a native retweet

	// The growth of an original's counts: they approach maxRT and maxFav
	// as 1-exp(-age/tau).
	maxRT, maxFav int
	tau           time.Duration
}

// Salts keep the random draws of different purposes independent.
const (
	saltTweet = iota + 1
	saltUser
	saltPopularity
	saltCredentials
)

// mix is splitmix64 over the seed, a salt and an index: the source of every
// random choice of the stream.
func mix(seed int64, salt, i uint64) uint64 {
	z := uint64(seed) ^ (salt * 0x9E3779B97F4A7C15) ^ (i * 0xBF58476D1CE4E5B9)
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// draws is a deterministic sequence of random numbers.
type draws struct {
	seed       int64
	salt, i, n uint64
}

func (d *draws) next() uint64 {
	d.n++
	return mix(d.seed, d.salt, d.i*1_000_003+d.n)
}

// intn returns a number in [0, n).
func (d *draws) intn(n int) int { return int(d.next() % uint64(n)) }

// unit returns a number in (0, 1].
func (d *draws) unit() float64 { return float64(d.next()>>11+1) / (1 << 53) }

var (
	adjectives = []string{"quiet", "brave", "lucky", "swift", "sunny", "misty", "bold", "calm", "eager", "happy", "jolly", "witty", "zesty", "noble", "rapid", "shy"}
	nouns      = []string{"otter", "fox", "owl", "lynx", "heron", "koala", "panda", "crab", "wren", "moose", "yak", "bison", "gecko", "finch", "eel", "hare"}
	words      = []string{
		"shipping", "the", "new", "build", "today", "feels", "fast", "serverless", "functions", "deploy",
		"cold", "start", "queue", "table", "bucket", "stream", "event", "local", "cloud", "tiny",
		"great", "demo", "weekend", "coffee", "night", "logs", "latency", "retry", "batch", "poll",
		"yes", "wow", "finally", "again", "love", "this", "hack", "ready", "launch", "team",
	}
)

// makeUsers draws the accounts of the stream.
func makeUsers(seed int64, n int, start time.Time) []user {
	base := int64(mix(seed, saltUser, 0)%1_000_000_000+1) * 1_000_000
	us := make([]user, n)
	for u := range us {
		d := draws{seed: seed, salt: saltUser, i: uint64(u) + 1}
		adj, noun := adjectives[d.intn(len(adjectives))], nouns[d.intn(len(nouns))]
		us[u] = user{
			id:          base + int64(u),
			screenName:  adj + noun + strconv.Itoa(u),
			name:        strings.ToUpper(adj[:1]) + adj[1:] + " " + strings.ToUpper(noun[:1]) + noun[1:],
			followers:   int(min(5/math.Pow(d.unit(), 1.2), 5e7)),
			friends:     d.intn(2000),
			statuses:    100 + d.intn(20000),
			createdAt:   start.Add(-time.Duration(30+d.intn(3000)) * 24 * time.Hour).Truncate(time.Second),
			description: "I " + words[d.intn(len(words))] + " " + words[d.intn(len(words))] + ".",
		}
	}
	return us
}

// created returns when tweet i is created.
func (s *Sim) created(i int64) time.Time {
	return s.start.Add(time.Duration(float64(i) * 1e9 / s.rate))
}

// id returns tweet i's id: its top bits are the milliseconds since the
// snowflake epoch of the stream's start plus i/rate, so ids grow with time.
func (s *Sim) id(i int64) int64 {
	return s.idBase + int64(float64(i)*s.idStride)
}

// count returns how many tweets exist at now.
func (s *Sim) count(now time.Time) int64 {
	if now.Before(s.start) {
		return 0
	}
	n := int64(float64(now.Sub(s.start))*s.rate/1e9) + 1
	for n > 0 && s.created(n-1).After(now) {
		n--
	}
	for !s.created(n).After(now) {
		n++
	}
	return n
}

// indexAtMost returns the newest index below n whose id is at most id, or -1.
func (s *Sim) indexAtMost(id int64, n int64) int64 {
	k := sort.Search(int(n), func(i int) bool { return s.id(int64(i)) > id })
	return int64(k) - 1
}

// firstSince returns the oldest index below n created at or after t.
func (s *Sim) firstSince(t time.Time, n int64) int64 {
	return int64(sort.Search(int(n), func(i int) bool { return !s.created(int64(i)).Before(t) }))
}

// tweet generates tweet i.
func (s *Sim) tweet(i int64) *tweet {
	d := draws{seed: s.seed, salt: saltTweet, i: uint64(i)}
	t := &tweet{index: i, id: s.id(i), created: s.created(i)}
	u := d.intn(len(s.users))
	if i > 0 && d.intn(4) == 0 {
		orig := s.tweet(i - 1 - int64(d.intn(int(min(i, 200)))))
		if orig.retweetOf != nil {
			orig = orig.retweetOf
		}
		// Only a tweet already retweeted at least once gets a native retweet,
		// so a retweet never shows a retweet_count of 0.
		if rt, _ := orig.counts(t.created); rt > 0 {
			if &s.users[u] == orig.user && len(s.users) > 1 {
				u = (u + 1) % len(s.users)
			}
			t.user = &s.users[u]
			t.retweetOf = orig
			prefix := "RT @" + orig.user.screenName + ": "
			t.text = prefix + orig.text
			shift := utf8.RuneCountInString(prefix)
			for _, h := range orig.hashtags {
				t.hashtags = append(t.hashtags, hashtag{h.text, h.start + shift, h.end + shift})
			}
			return t
		}
	}
	t.user = &s.users[u]

	// The words, with the first hashtag and maybe others among them.
	tokens := make([]string, 3+d.intn(6))
	for k := range tokens {
		tokens[k] = words[d.intn(len(words))]
	}
	first := d.intn(len(s.hashtags))
	for k, h := range s.hashtags {
		if k == first || d.intn(4) == 0 {
			at := d.intn(len(tokens) + 1)
			tokens = append(tokens[:at], append([]string{h}, tokens[at:]...)...)
		}
	}
	var b strings.Builder
	pos := 0
	for k, tok := range tokens {
		if k > 0 {
			b.WriteByte(' ')
			pos++
		}
		n := utf8.RuneCountInString(tok)
		if strings.HasPrefix(tok, "#") {
			t.hashtags = append(t.hashtags, hashtag{tok[1:], pos, pos + n})
		}
		b.WriteString(tok)
		pos += n
	}
	t.text = b.String()

	// Popularity: some tweets are never retweeted.
	p := draws{seed: s.seed, salt: saltPopularity, i: uint64(i)}
	if p.intn(10) < 4 {
		t.maxFav = p.intn(5)
	} else {
		t.maxRT = min(int(3/math.Pow(p.unit(), 0.8)), 5000)
		t.maxFav = 2*t.maxRT + p.intn(20)
	}
	t.tau = time.Duration(10+p.intn(1200)) * time.Second
	return t
}

// counts returns t's retweet and favorite counts at now. A native retweet
// shows its original's retweet count and no favorites, as Twitter does.
func (t *tweet) counts(now time.Time) (retweets, favorites int) {
	o := t
	if t.retweetOf != nil {
		o = t.retweetOf
	}
	age := now.Sub(o.created)
	if age <= 0 {
		return 0, 0
	}
	f := 1 - math.Exp(-float64(age)/float64(o.tau))
	retweets, favorites = int(float64(o.maxRT)*f), int(float64(o.maxFav)*f)
	if t.retweetOf != nil {
		favorites = 0
	}
	return retweets, favorites
}

// hasHashtag reports whether t has the hashtag h ('#' optional), ignoring case.
func (t *tweet) hasHashtag(h string) bool {
	h = strings.TrimPrefix(h, "#")
	for _, x := range t.hashtags {
		if strings.EqualFold(x.text, h) {
			return true
		}
	}
	return false
}
