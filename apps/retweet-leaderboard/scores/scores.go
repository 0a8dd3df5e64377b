// Package scores is the vocabulary of retweet-leaderboard's scores table:
// the attributes of a user's item, the key of the index the leaderboard
// is read from, and the order players are ranked in.
//
// Each user has one item, keyed by username, holding the user's best
// tweet: its id and its retweet and favorite counts. Every item also
// carries Board (always BoardAll) and Score, the key of the ScoreIndex,
// so that a Query of the index read backwards walks the players from the
// first rank down.
package scores

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"
)

// Attribute names of an item of the scores table.
const (
	AttrUsername      = "username"      // the partition key: the user's screen name
	AttrRetweetCount  = "retweetCount"  // retweets of the user's best tweet
	AttrFavoriteCount = "favoriteCount" // favorites of the user's best tweet
	AttrTweetID       = "tweetId"       // the id (id_str) of the user's best tweet
	AttrBoard         = "board"         // the index's partition key, always BoardAll
	AttrScore         = "score"         // the index's sort key, see Key
	AttrUpdatedAt     = "updatedAt"     // when the best tweet was stored, RFC 3339
)

// BoardAll is the one value of AttrBoard: every player is on one board.
const BoardAll = "all"

// DefaultIndex is the name the template gives the index on (board, score).
const DefaultIndex = "by-score"

// MaxUsernameBytes bounds a username: a score key spells it out twice its
// length, and DynamoDB bounds a sort key to 1,024 bytes. Twitter's screen
// names have at most 15 characters.
const MaxUsernameBytes = 200

// Entry is one player on the leaderboard, as GET /leaderboard returns it.
type Entry struct {
	Username      string `json:"username"`
	RetweetCount  int64  `json:"retweetCount"`
	FavoriteCount int64  `json:"favoriteCount"`
}

// Compare orders entries by rank: more retweets first, then more
// favorites, then usernames in ascending byte order.
func Compare(a, b Entry) int {
	if c := cmp.Compare(b.RetweetCount, a.RetweetCount); c != 0 {
		return c
	}
	if c := cmp.Compare(b.FavoriteCount, a.FavoriteCount); c != 0 {
		return c
	}
	return cmp.Compare(a.Username, b.Username)
}

// Sort sorts entries by rank (see Compare).
func Sort(entries []Entry) { slices.SortFunc(entries, Compare) }

// Better reports whether a tweet with retweets r and favorites f beats a
// best tweet with retweets br and favorites bf. An equal score is not
// better: the tweet that got there first keeps its place.
func Better(r, f, br, bf int64) bool {
	return r > br || (r == br && f > bf)
}

// Key returns the score key of an entry: a string whose byte order, read
// descending, is the order of Compare. It is the retweet count and the
// favorite count, zero-padded to 19 digits (any int64), and the username
// with each byte inverted, in hex, ended by "ff" so that a username sorts
// before the longer ones it begins. Negative counts count as zero.
//
// A username must not hold a NUL byte (its inverse is the end mark); the
// processor never stores one.
func Key(e Entry) string {
	u := []byte(e.Username)
	inv := make([]byte, len(u)+1)
	for i, b := range u {
		inv[i] = 0xff - b
	}
	inv[len(u)] = 0xff
	return fmt.Sprintf("%019d#%019d#%s", max(e.RetweetCount, 0), max(e.FavoriteCount, 0), hex.EncodeToString(inv))
}
