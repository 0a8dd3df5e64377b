package processor_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/processor"
)

// tweet returns a v1.1 tweet object as tweet-search-event-source sends it.
func tweet(id, user string, retweets, favorites int) map[string]any {
	return map[string]any{
		"id":             1,
		"id_str":         id,
		"full_text":      "playing #eddy " + id,
		"created_at":     "Mon Nov 23 02:00:00 +0000 2026",
		"user":           map[string]any{"id_str": "u-" + user, "screen_name": user, "name": strings.ToUpper(user)},
		"retweet_count":  retweets,
		"favorite_count": favorites,
		"entities":       map[string]any{"hashtags": []any{map[string]any{"text": "eddy", "indices": []int{8, 13}}}},
	}
}

// retweet returns a native retweet by user of original.
func retweet(id, user string, original map[string]any) map[string]any {
	t := tweet(id, user, original["retweet_count"].(int), 0)
	t["retweeted_status"] = original
	return t
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	tweets, skipped, err := processor.Decode([]byte(`[
		{"id_str": "1", "user": {"screen_name": "ann"}, "retweet_count": 3, "favorite_count": 1},
		null, 7, "text", [],
		{"id_str": "2", "user": {"screen_name": "bob"}, "retweet_count": 1.5},
		{"id_str": "3", "user": {"screen_name": "cy"}, "retweet_count": 2, "retweeted_status": {"id_str": "1"}}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(skipped); got != 5 {
		t.Errorf("got %d skipped (%q), want 5: null, 7, \"text\", [] and a fractional count", got, skipped)
	}
	if len(tweets) != 2 || tweets[0].User.ScreenName != "ann" || tweets[0].RetweetCount != 3 || tweets[0].FavoriteCount != 1 ||
		tweets[0].IsRetweet() || !tweets[1].IsRetweet() {
		t.Fatalf("got %+v", tweets)
	}
	if got, _, err := processor.Decode([]byte(`[]`)); err != nil || len(got) != 0 {
		t.Errorf("an empty batch: %v, %v", got, err)
	}
	for _, bad := range []string{``, `null`, `{}`, `{"tweets": []}`, `"[]"`, `[1,`, `42`} {
		if _, _, err := processor.Decode([]byte(bad)); err == nil || !strings.Contains(err.Error(), "not a JSON array") {
			t.Errorf("Decode(%q): got %v, want an error that says it is not a JSON array", bad, err)
		}
	}
}

func TestIsRetweet(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"retweeted_status": {"id_str": "9"}}`: true,
		`{"retweeted_status": null}`:            false,
		`{}`:                                    false,
	} {
		var tw processor.Tweet
		if err := json.Unmarshal([]byte(raw), &tw); err != nil {
			t.Fatal(err)
		}
		if got := tw.IsRetweet(); got != want {
			t.Errorf("%s: IsRetweet() = %v, want %v", raw, got, want)
		}
	}
}

func decodeAll(t testing.TB, tweets ...map[string]any) []processor.Tweet {
	t.Helper()
	out, skipped, err := processor.Decode(mustJSON(t, tweets))
	if err != nil || len(skipped) != 0 {
		t.Fatalf("decode: %v %q", err, skipped)
	}
	return out
}

func TestBestPerUser(t *testing.T) {
	original := tweet("100", "star", 500, 900)
	tweets := decodeAll(t,
		tweet("1", "ann", 3, 10),
		tweet("2", "bob", 0, 50),       // nobody retweeted it: no score
		retweet("3", "cy", original),   // a native retweet: no score, however many retweets
		tweet("4", "ann", 5, 0),        // ann's best: more retweets
		tweet("5", "dee", 4, 1),        // dee: ties on retweets broken by favorites…
		tweet("6", "dee", 4, 2),        // …this one wins
		tweet("7", "dee", 4, 2),        // equal: the first stays
		tweet("8", "eve", 2, 0),        //
		tweet("9", "", 7, 0),           // no screen name
		tweet("10", "bob", -3, 0),      // a negative count is no retweet
		tweet("11", "a\x00b", 9, 0),    // a NUL in the name
		tweet("12", "fay", 1, -4),      // negative favorites count as none
		tweet("13", "eve", 1, 99),      // fewer retweets lose, whatever the favorites
		retweet("14", "ann", original), // ann's retweet of a star does not score for her
	)
	best, skipped := processor.BestPerUser(tweets)
	want := []processor.Score{
		{Username: "ann", TweetID: "4", RetweetCount: 5, FavoriteCount: 0},
		{Username: "dee", TweetID: "6", RetweetCount: 4, FavoriteCount: 2},
		{Username: "eve", TweetID: "8", RetweetCount: 2, FavoriteCount: 0},
		{Username: "fay", TweetID: "12", RetweetCount: 1, FavoriteCount: 0},
	}
	if !slices.Equal(best, want) {
		t.Errorf("got %+v, want %+v", best, want)
	}
	if len(skipped) != 2 || !strings.Contains(skipped[0], `"9"`) || !strings.Contains(skipped[1], "NUL") {
		t.Errorf("skipped %q, want tweets 9 (no screen name) and 11 (NUL)", skipped)
	}
	long := tweet("20", strings.Repeat("x", 201), 1, 0)
	if best, skipped := processor.BestPerUser(decodeAll(t, long)); len(best) != 0 || len(skipped) != 1 {
		t.Errorf("a 201-byte screen name: best %v skipped %q", best, skipped)
	}
}

// FuzzDecode feeds arbitrary events to the batch decoding: it never
// panics, and what scores is one positive score per valid user.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`[{"id_str":"1","user":{"screen_name":"ann"},"retweet_count":3,"favorite_count":1}]`))
	f.Add([]byte(`[{"user":{"screen_name":"ann"},"retweet_count":3,"retweeted_status":{"id":1}},null,1,"x"]`))
	f.Add([]byte(`[{"user":{"screen_name":"b"},"retweet_count":9223372036854775807,"favorite_count":-1}]`))
	f.Add([]byte(`{"not":"a batch"}`))
	f.Add([]byte(`[{"retweet_count":1e3}]`))
	f.Fuzz(func(t *testing.T, event []byte) {
		tweets, _, err := processor.Decode(event)
		if err != nil {
			if len(tweets) != 0 {
				t.Fatalf("an error and %d tweets", len(tweets))
			}
			return
		}
		best, _ := processor.BestPerUser(tweets)
		seen := map[string]bool{}
		for _, s := range best {
			if seen[s.Username] || s.Username == "" || s.RetweetCount <= 0 || s.FavoriteCount < 0 {
				t.Fatalf("bad score %+v in %s", s, fmt.Sprint(best))
			}
			seen[s.Username] = true
		}
	})
}
