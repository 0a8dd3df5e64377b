package processor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

// Tweet is the part of a Twitter v1.1 tweet object the game reads.
type Tweet struct {
	IDStr         string `json:"id_str"`
	FullText      string `json:"full_text"`
	Text          string `json:"text"`
	User          User   `json:"user"`
	RetweetCount  int64  `json:"retweet_count"`
	FavoriteCount int64  `json:"favorite_count"`
	// RetweetedStatus is the retweeted tweet of a native retweet; absent
	// (or null) for a tweet of the user's own.
	RetweetedStatus json.RawMessage `json:"retweeted_status"`
}

// User is the author of a tweet.
type User struct {
	IDStr      string `json:"id_str"`
	ScreenName string `json:"screen_name"`
	Name       string `json:"name"`
}

// IsRetweet reports whether t is a native retweet of another tweet.
func (t Tweet) IsRetweet() bool {
	r := bytes.TrimSpace(t.RetweetedStatus)
	return len(r) > 0 && !bytes.Equal(r, []byte("null"))
}

// errNotBatch is an event that is not a JSON array.
var errNotBatch = errors.New("the event is not a JSON array of tweet objects")

// Decode reads a batch of tweets, as tweet-search-event-source sends it: a
// JSON array of tweet objects. An element that is not a tweet object is
// reported in skipped (its index and why) and left out; only an event
// that is not an array at all is an error.
func Decode(event []byte) (tweets []Tweet, skipped []string, err error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(event, &raw); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errNotBatch, err)
	}
	if raw == nil && !bytes.Equal(bytes.TrimSpace(event), []byte("[]")) {
		return nil, nil, errNotBatch // null
	}
	for i, r := range raw {
		if bytes.Equal(bytes.TrimSpace(r), []byte("null")) {
			skipped = append(skipped, fmt.Sprintf("tweet %d: null", i))
			continue
		}
		var t Tweet
		if err := json.Unmarshal(r, &t); err != nil {
			skipped = append(skipped, fmt.Sprintf("tweet %d: %v", i, err))
			continue
		}
		tweets = append(tweets, t)
	}
	return tweets, skipped, nil
}

// Score is the best tweet of one user in a batch.
type Score struct {
	Username      string
	TweetID       string
	RetweetCount  int64
	FavoriteCount int64
}

// invalidUsername says why a screen name cannot be stored, or "".
func invalidUsername(name string) string {
	switch {
	case name == "":
		return "no user.screen_name"
	case len(name) > scores.MaxUsernameBytes:
		return fmt.Sprintf("user.screen_name longer than %d bytes", scores.MaxUsernameBytes)
	case !utf8.ValidString(name):
		return "user.screen_name is not UTF-8"
	case strings.ContainsRune(name, 0):
		return "user.screen_name holds a NUL character"
	}
	return ""
}

// BestPerUser returns the tweets that score: the best tweet of each user
// (most retweets, ties broken by favorites; of equal tweets the first),
// in the order users first appear. Native retweets and tweets nobody
// retweeted do not score; a tweet without a usable screen name is
// reported in skipped.
func BestPerUser(tweets []Tweet) (best []Score, skipped []string) {
	at := map[string]int{}
	for _, t := range tweets {
		if t.IsRetweet() || t.RetweetCount <= 0 {
			continue
		}
		name := t.User.ScreenName
		if why := invalidUsername(name); why != "" {
			skipped = append(skipped, fmt.Sprintf("tweet %q: %s", t.IDStr, why))
			continue
		}
		s := Score{Username: name, TweetID: t.IDStr, RetweetCount: t.RetweetCount, FavoriteCount: max(t.FavoriteCount, 0)}
		i, ok := at[name]
		if !ok {
			at[name] = len(best)
			best = append(best, s)
			continue
		}
		if scores.Better(s.RetweetCount, s.FavoriteCount, best[i].RetweetCount, best[i].FavoriteCount) {
			best[i] = s
		}
	}
	return best, skipped
}
