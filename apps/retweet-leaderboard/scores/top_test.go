package scores_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

// TestMerge merges random improvements in random batches and orders and
// checks the top is always the first n of every player's best score.
func TestMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		best := map[string]scores.Entry{}
		var top []scores.Entry
		n := 3 + r.IntN(10)
		for range 40 {
			var batch []scores.Entry
			for range 1 + r.IntN(6) {
				u := string(rune('a' + r.IntN(20)))
				e := e(u, int64(r.IntN(50)), int64(r.IntN(50)))
				if b, ok := best[u]; !ok || scores.Better(e.RetweetCount, e.FavoriteCount, b.RetweetCount, b.FavoriteCount) {
					best[u] = e
				}
				batch = append(batch, e)
			}
			top, _ = scores.Merge(top, batch, n)
		}
		var want []scores.Entry
		for _, b := range best {
			want = append(want, b)
		}
		scores.Sort(want)
		if len(want) > n {
			want = want[:n]
		}
		if !slices.Equal(top, want) {
			t.Fatalf("round %d: top %v, want %v", round, top, want)
		}
	}
	if _, changed := scores.Merge([]scores.Entry{e("a", 5, 0)}, []scores.Entry{e("a", 4, 9)}, 10); changed {
		t.Error("a worse score changed the top")
	}
	if _, changed := scores.Merge([]scores.Entry{e("a", 5, 0)}, []scores.Entry{e("b", 1, 0)}, 1); changed {
		t.Error("a player cut again changed the top")
	}
}
